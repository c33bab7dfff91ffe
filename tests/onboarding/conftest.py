"""Onboarding against the sandbox, in process: the app's bridge, its sandbox's state."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from tortoise.backends.base.executor import EXECUTOR_CACHE

import models
from integrations.whmcs.sandbox import SandboxState
from integrations.whmcs.sync.bridge import Bridge
from integrations.whmcs.sync.local import create_client
from integrations.whmcs.sync.onboarding import Onboarding, RunResult
from models import JobKind
from tests.conftest import Api

ADDRESS = {
    "phone_number": "+34 600 111 222",
    "address1": "Calle Mayor 1",
    "city": "Madrid",
    "state": "Madrid",
    "postcode": "28013",
    "country": "ES",
}


@dataclass
class World:
    api: Api

    @property
    def bridge(self) -> Bridge:
        bridge: Bridge = self.api.app.state.bridge
        return bridge

    @property
    def whmcs(self) -> SandboxState:
        state: SandboxState = self.api.sandbox.state
        return state

    def onboarding(self, page_size: int = 3, **kwargs: Any) -> Onboarding:
        return Onboarding(
            self.bridge,
            actor="tests",
            page_size=page_size,
            **kwargs,
        )

    async def run(
        self, kind: JobKind = JobKind.RECONCILE, *, applying: bool = False, page_size: int = 3
    ) -> RunResult:
        onboarding = self.onboarding(page_size)
        lease, resumed = await onboarding.start(kind, applying=applying)
        return await onboarding.run(lease, resumed)

    def add_whmcs(self, first: str, last: str, email: str, company: str = "") -> int:
        return self.whmcs.add_client(
            firstname=first, lastname=last, email=email, companyname=company
        ).id

    async def add_local(self, first: str, last: str, email: str, **extra: str | None) -> int:
        values = {"first_name": first, "last_name": last, "email": email, **ADDRESS, **extra}
        client = await create_client(values)
        return client.id

    async def link(self, local_id: int, whmcs_id: int) -> None:
        audit = self.bridge.audit(
            models.SyncOperation.LINK, correlation_id=str(uuid.uuid4()), actor="tests"
        )
        await self.bridge.pulls(audit).link(local_id, whmcs_id)

    def whmcs_calls(self, action: str) -> int:
        return len(self.whmcs.calls_for(action))


@pytest.fixture
async def world(api: Api) -> AsyncIterator[World]:
    await models.OnboardingRow.all().delete()
    await models.OnboardingJob.all().delete()
    state: SandboxState = api.sandbox.state
    state.clients.clear()  # no demo data: every client is the test's own
    state.users.clear()
    yield World(api)
    await models.OnboardingRow.all().delete()
    await models.OnboardingJob.all().delete()
    # Tortoise caches SQL per connection name, whatever the engine: a test after this one that
    # opens "default" on another engine without the db fixture must not inherit this one's.
    EXECUTOR_CACHE.clear()


@dataclass
class Cast:
    """One of each category (see `cast`)."""

    alice_w: int
    alice_l: int
    bob_w: int
    bob_l: int
    carol_w: int
    carol_l: int
    dave_l: int
    erin_w: int
    frank_w1: int
    frank_w2: int
    frank_l: int


SUMMARY = {
    "linked": 1,
    "would_link": 1,
    "conflicts": 1,
    "local_only": 1,
    "whmcs_only": 1,
    "ambiguous": 3,
}


@pytest.fixture
async def cast(world: World) -> Cast:
    """linked (alice), would link (bob, e-mail in another case), conflict (carol: first names
    differ), local only (dave), WHMCS only (erin), ambiguous (frank: twice in WHMCS, once
    locally)."""
    alice_w = world.add_whmcs("Alice", "Archer", "alice@example.org")
    alice_l = await world.add_local("Alice", "Archer", "alice@example.org")
    await world.link(alice_l, alice_w)
    bob_w = world.add_whmcs("Bob", "Baker", "Bob@Example.org", "Baker Ltd")
    bob_l = await world.add_local("Bob", "Baker", "bob@example.org", company_name="Baker Ltd")
    carol_w = world.add_whmcs("Carol", "Cook", "carol@example.org")
    carol_l = await world.add_local("Caroline", "Cook", "carol@example.org")
    dave_l = await world.add_local("Dave", "Dean", "dave@example.org")
    erin_w = world.add_whmcs("Erin", "East", "erin@example.org")
    frank_w1 = world.add_whmcs("Frank", "Fox", "frank@example.org")
    frank_w2 = world.add_whmcs("Frank", "Fox", "FRANK@example.org")
    frank_l = await world.add_local("Frank", "Fox", "frank@example.org")
    world.whmcs.calls.clear()
    return Cast(
        alice_w,
        alice_l,
        bob_w,
        bob_l,
        carol_w,
        carol_l,
        dave_l,
        erin_w,
        frank_w1,
        frank_w2,
        frank_l,
    )

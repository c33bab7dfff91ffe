"""Fixtures for the WHMCS sandbox tests: a real sandbox on a free port, real HTTP."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from integrations.whmcs.sandbox import (
    DEFAULT_IDENTIFIER,
    DEFAULT_SECRET,
    RunningSandbox,
    SandboxConfig,
    start_sandbox,
)

CREDENTIALS = {"identifier": DEFAULT_IDENTIFIER, "secret": DEFAULT_SECRET}


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    raw: bytes

    @property
    def text(self) -> str:
        return self.raw.decode()

    def json(self) -> Any:
        return json.loads(self.raw)


class Api:
    """Talks to one sandbox the way a WHMCS client does (form-encoded POST)."""

    def __init__(self, session: aiohttp.ClientSession, sandbox: RunningSandbox) -> None:
        self.session = session
        self.sandbox = sandbox

    async def post(self, form: dict[str, str], *, give_up_after: float | None = None) -> Reply:
        client_timeout = aiohttp.ClientTimeout(total=give_up_after) if give_up_after else None
        async with self.session.post(
            self.sandbox.api_url, data=form, timeout=client_timeout
        ) as resp:
            return Reply(resp.status, resp.content_type, await resp.read())

    async def get(self, query: dict[str, str]) -> Reply:
        async with self.session.get(self.sandbox.api_url, params=query) as resp:
            return Reply(resp.status, resp.content_type, await resp.read())

    async def call(self, action: str, /, **params: str) -> Reply:
        form = {**CREDENTIALS, "action": action, "responsetype": "json", **params}
        return await self.post(form)

    async def call_within(self, seconds: float, action: str, /, **params: str) -> Reply:
        """Like ``call``, but the caller gives up (TimeoutError) after ``seconds``."""
        form = {**CREDENTIALS, "action": action, "responsetype": "json", **params}
        return await self.post(form, give_up_after=seconds)

    async def ok(self, action: str, /, **params: str) -> dict[str, Any]:
        """Call and insist on HTTP 200 + result=success."""
        reply = await self.call(action, **params)
        body = reply.json()
        assert (reply.status, body["result"]) == (200, "success"), body
        return body  # type: ignore[no-any-return]

    async def fails(self, action: str, /, **params: str) -> str:
        """Call and insist on an action-level error (HTTP 200); return its message."""
        reply = await self.call(action, **params)
        body = reply.json()
        assert (reply.status, body["result"]) == (200, "error"), body
        return body["message"]  # type: ignore[no-any-return]


def client_form(**overrides: str | None) -> dict[str, str]:
    """A complete, valid AddClient form; an override of ``None`` removes the field."""
    form: dict[str, str | None] = {
        "firstname": "Ada",
        "lastname": "Lovelace",
        "email": "ada@example.net",
        "address1": "12 Analytical Row",
        "city": "London",
        "state": "Greater London",
        "postcode": "SW1A 1AA",
        "country": "GB",
        "phonenumber": "020 7946 0000",
        "password2": "Correct-Horse-9",
    }
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def sandbox() -> AsyncIterator[RunningSandbox]:
    async with await start_sandbox() as running:
        yield running


@pytest.fixture
def api(http: aiohttp.ClientSession, sandbox: RunningSandbox) -> Api:
    return Api(http, sandbox)


SandboxFactory = Callable[..., Awaitable[Api]]


@pytest.fixture
async def make_api(http: aiohttp.ClientSession) -> AsyncIterator[SandboxFactory]:
    """Start extra sandboxes with their own config (``control=`` too); all stop at teardown."""
    async with AsyncExitStack() as stack:

        async def make(config: SandboxConfig | None = None, *, control: bool = False) -> Api:
            running = await start_sandbox(config, control=control)
            stack.push_async_callback(running.stop)
            return Api(http, running)

        yield make

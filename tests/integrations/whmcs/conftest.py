"""Fixtures for the WHMCS client tests: a real client on a real session, WHMCS faked."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest
from aioresponses import aioresponses

from integrations.whmcs.client import CallRecord, WhmcsClient
from tests.support.fake_whmcs import BASE_URL, IDENTIFIER, SECRET, FakeWhmcs, RecordingSleep


@pytest.fixture
def mocked() -> Iterator[aioresponses]:
    with aioresponses() as mocked:
        yield mocked


@pytest.fixture
def fake_whmcs(mocked: aioresponses) -> FakeWhmcs:
    return FakeWhmcs(mocked)


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def sleep() -> RecordingSleep:
    return RecordingSleep()


class Observed:
    """An observer that keeps every CallRecord."""

    def __init__(self) -> None:
        self.records: list[CallRecord] = []

    async def __call__(self, record: CallRecord) -> None:
        self.records.append(record)


@pytest.fixture
def observed() -> Observed:
    return Observed()


@pytest.fixture
def whmcs(session: aiohttp.ClientSession, sleep: RecordingSleep, observed: Observed) -> WhmcsClient:
    return WhmcsClient(
        api_url=BASE_URL,
        identifier=IDENTIFIER,
        secret=SECRET,
        session=session,
        timeout_s=5.0,
        sleep=sleep,
        observer=observed,
    )

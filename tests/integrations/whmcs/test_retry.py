"""Reads are retried with capped, jittered backoff; writes never are."""

from __future__ import annotations

import aiohttp
import pytest

from integrations.whmcs.client import WhmcsClient, backoff_delay, is_read_action
from integrations.whmcs.errors import (
    WhmcsAuthenticationError,
    WhmcsConnectionError,
    WhmcsNotFoundError,
    WhmcsProtocolError,
    WhmcsServerError,
    WhmcsTimeoutError,
)
from tests.integrations.whmcs.conftest import Observed
from tests.support.fake_whmcs import BASE_URL, IDENTIFIER, SECRET, FakeWhmcs, RecordingSleep

EMPTY_PAGE = {"result": "success", "totalresults": 0, "startnumber": 0, "clients": ""}


def make_client(
    session: aiohttp.ClientSession, sleep: RecordingSleep, observed: Observed, **kwargs: float
) -> WhmcsClient:
    return WhmcsClient(
        api_url=BASE_URL,
        identifier=IDENTIFIER,
        secret=SECRET,
        session=session,
        sleep=sleep,
        observer=observed,
        **kwargs,  # type: ignore[arg-type]
    )


async def test_read_is_retried_until_it_succeeds(
    session: aiohttp.ClientSession,
    fake_whmcs: FakeWhmcs,
    sleep: RecordingSleep,
    observed: Observed,
) -> None:
    whmcs = make_client(
        session, sleep, observed, read_retries=3, backoff_base_s=1.0, backoff_cap_s=1.5
    )
    fake_whmcs.fail("GetClients", TimeoutError())
    fake_whmcs.reply_raw("GetClients", "<h1>502 Bad Gateway</h1>", 502)
    fake_whmcs.fail("GetClients", aiohttp.ServerDisconnectedError())
    fake_whmcs.reply("GetClients", EMPTY_PAGE)

    assert await whmcs.call("GetClients") == EMPTY_PAGE

    assert fake_whmcs.actions == ["GetClients"] * 4
    assert len(sleep.delays) == 3
    for delay, bound in zip(sleep.delays, [1.0, 1.5, 1.5], strict=True):
        assert 0 <= delay <= bound
    [record] = observed.records  # one record per call, not per attempt
    assert record.attempts == 4
    assert record.error is None
    assert record.status == 200


async def test_read_gives_up_after_its_retries(
    session: aiohttp.ClientSession,
    fake_whmcs: FakeWhmcs,
    sleep: RecordingSleep,
    observed: Observed,
) -> None:
    whmcs = make_client(session, sleep, observed, read_retries=2)
    for _ in range(3):
        fake_whmcs.reply_raw("GetClientsDetails", "EmitterException", 500)

    with pytest.raises(WhmcsServerError) as info:
        await whmcs.call("GetClientsDetails", {"clientid": 1})

    assert info.value.outcome_unknown is False  # a read changes nothing
    assert len(fake_whmcs.calls) == 3
    assert len(sleep.delays) == 2
    assert [(r.attempts, r.error) for r in observed.records] == [(3, info.value)]
    fake_whmcs.assert_all_used()


async def test_whmcs_details_is_a_read(
    session: aiohttp.ClientSession,
    fake_whmcs: FakeWhmcs,
    sleep: RecordingSleep,
    observed: Observed,
) -> None:
    whmcs = make_client(session, sleep, observed, read_retries=1)
    fake_whmcs.fail("WhmcsDetails", aiohttp.ClientOSError(104, "reset"))
    fake_whmcs.reply("WhmcsDetails", {"result": "success", "whmcs": {"version": "8.13.1"}})

    details = await whmcs.details()

    assert details.version == "8.13.1"
    assert len(fake_whmcs.calls) == 2


@pytest.mark.parametrize(
    ("arrange", "error"),
    [
        (
            lambda f: f.reply(
                "GetClients", {"result": "error", "message": "Authentication Failed"}, 403
            ),
            WhmcsAuthenticationError,
        ),
        (
            lambda f: f.reply("GetClients", {"result": "error", "message": "Client Not Found"}),
            WhmcsNotFoundError,
        ),
        (lambda f: f.reply_raw("GetClients", "<html>WAF</html>", 403), WhmcsProtocolError),
    ],
)
async def test_read_is_not_retried_on_a_definite_answer(
    arrange: object,
    error: type[Exception],
    session: aiohttp.ClientSession,
    fake_whmcs: FakeWhmcs,
    sleep: RecordingSleep,
    observed: Observed,
) -> None:
    whmcs = make_client(session, sleep, observed, read_retries=3)
    arrange(fake_whmcs)  # type: ignore[operator]

    with pytest.raises(error):
        await whmcs.call("GetClients")

    assert len(fake_whmcs.calls) == 1
    assert sleep.delays == []


@pytest.mark.parametrize(
    ("arrange", "error", "unknown"),
    [
        (lambda f: f.fail("AddClient", TimeoutError()), WhmcsTimeoutError, True),
        (lambda f: f.reply_raw("AddClient", "EmitterException", 500), WhmcsServerError, True),
        (
            lambda f: f.fail("AddClient", aiohttp.ServerDisconnectedError()),
            WhmcsConnectionError,
            True,
        ),
    ],
)
async def test_write_is_never_retried(
    arrange: object,
    error: type[Exception],
    unknown: bool,
    session: aiohttp.ClientSession,
    fake_whmcs: FakeWhmcs,
    sleep: RecordingSleep,
    observed: Observed,
) -> None:
    whmcs = make_client(session, sleep, observed, read_retries=5)
    arrange(fake_whmcs)  # type: ignore[operator]

    with pytest.raises(error) as info:
        await whmcs.call("AddClient", {"email": "new@example.com"})

    assert info.value.outcome_unknown is unknown  # type: ignore[attr-defined]
    assert "may have been made" in str(info.value)
    assert fake_whmcs.actions == ["AddClient"]
    assert sleep.delays == []
    assert [r.attempts for r in observed.records] == [1]


def test_backoff_is_exponential_and_capped() -> None:
    def top() -> float:
        return 1.0

    delays = [backoff_delay(n, base_s=0.25, cap_s=4.0, rand=top) for n in range(8)]

    assert delays == [0.25, 0.5, 1.0, 2.0, 4.0, 4.0, 4.0, 4.0]


def test_backoff_is_fully_jittered() -> None:
    assert backoff_delay(3, base_s=0.25, cap_s=4.0, rand=lambda: 0.0) == 0.0
    assert backoff_delay(3, base_s=0.25, cap_s=4.0, rand=lambda: 0.5) == 1.0
    delays = {backoff_delay(2, base_s=1.0, cap_s=10.0) for _ in range(50)}
    assert len(delays) > 1
    assert all(0.0 <= d <= 4.0 for d in delays)


@pytest.mark.parametrize(
    ("action", "read"),
    [
        ("GetClients", True),
        ("getclientsdetails", True),
        ("WhmcsDetails", True),
        ("AddClient", False),
        ("UpdateClient", False),
        ("DeleteClient", False),
        ("SendEmail", False),
        ("ValidateLogin", False),
    ],
)
def test_read_actions(action: str, read: bool) -> None:
    assert is_read_action(action) is read

"""The fake itself: a mistake in a test must fail loudly, not look like a network error."""

from __future__ import annotations

import aiohttp
import pytest
from aioresponses import aioresponses

from integrations.whmcs.client import WhmcsClient
from tests.support.fake_whmcs import BASE_URL, ENDPOINT, IDENTIFIER, FakeWhmcs


async def test_unexpected_action_raises_assertion_error(
    whmcs: WhmcsClient, fake_whmcs: FakeWhmcs
) -> None:
    fake_whmcs.reply("GetClients", {"result": "success"})

    with pytest.raises(AssertionError, match="unexpected WHMCS action 'GetInvoices'"):
        await whmcs.call("GetInvoices")

    assert fake_whmcs.actions == ["GetInvoices"]
    assert fake_whmcs.pending() == {"getclients": 1}
    with pytest.raises(AssertionError, match="unused WHMCS replies"):
        fake_whmcs.assert_all_used()


async def test_wrong_credentials_fail_the_test(
    session: aiohttp.ClientSession, fake_whmcs: FakeWhmcs
) -> None:
    fake_whmcs.reply("GetClients", {"result": "success"})
    wrong = WhmcsClient(api_url=BASE_URL, identifier=IDENTIFIER, secret="nope", session=session)

    with pytest.raises(AssertionError, match="wrong secret"):
        await wrong.call("GetClients")


async def test_missing_credentials_fail_the_test(
    session: aiohttp.ClientSession, mocked: aioresponses
) -> None:
    fake = FakeWhmcs(mocked, identifier=None, secret=None)
    fake.reply("GetClients", {"result": "success"})

    with pytest.raises(AssertionError, match="without identifier"):
        await session.post(ENDPOINT, data={"action": "GetClients", "responsetype": "json"})


async def test_replies_are_used_in_order_per_action(
    whmcs: WhmcsClient, fake_whmcs: FakeWhmcs
) -> None:
    fake_whmcs.reply("GetClients", {"result": "success", "n": 1})
    fake_whmcs.reply("WhmcsDetails", {"result": "success", "whmcs": {"version": "8.1"}})
    fake_whmcs.reply("GetClients", {"result": "success", "n": 2})

    assert (await whmcs.call("GetClients"))["n"] == 1
    assert (await whmcs.call("getclients"))["n"] == 2  # WHMCS actions are case-insensitive
    assert (await whmcs.call("WhmcsDetails"))["whmcs"] == {"version": "8.1"}
    assert fake_whmcs.actions == ["GetClients", "getclients", "WhmcsDetails"]
    assert len(fake_whmcs.calls_for("GETCLIENTS")) == 2
    fake_whmcs.assert_all_used()

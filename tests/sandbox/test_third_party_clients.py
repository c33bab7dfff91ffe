"""The sandbox judged by a WHMCS client library someone else wrote against real installs.

whmcspy (PyPI) posts form-encoded identifier/secret, reads ``result``, raises
``MissingPermission`` on a 403, pages GetClients on ``numreturned``. If the sandbox's shapes,
statuses or messages drifted from WHMCS's, this client would notice before ours.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import whmcspy  # type: ignore[import-untyped]  # a dev dependency
import whmcspy.exceptions  # type: ignore[import-untyped]

from integrations.whmcs.sandbox import DEFAULT_IDENTIFIER, DEFAULT_SECRET, Fault, RunningSandbox


def _client(sandbox: RunningSandbox, secret: str = DEFAULT_SECRET) -> Any:
    return whmcspy.WHMCS(sandbox.api_url, DEFAULT_IDENTIFIER, secret)


async def test_whmcspy_pages_the_clients(sandbox: RunningSandbox) -> None:
    client = _client(sandbox)

    pages = await asyncio.to_thread(lambda: list(client.paginated_call("GetClients", limitnum=5)))

    assert [page["numreturned"] for page in pages] == [5, 5, 2]
    ids = [row["id"] for page in pages for row in page["clients"]["client"]]
    assert ids == list(range(1, 13))


async def test_whmcspy_adds_a_client_and_meets_both_duplicate_messages(
    sandbox: RunningSandbox,
) -> None:
    client = _client(sandbox)
    form = ("Ada", "Lovelace", "ada@example.net", "1 Row", "London", "Greater London",
            "SW1A 1AA", "GB", "020 7946 0000", "Correct-Horse-9")  # fmt: skip

    def add(email: str) -> Any:
        return client.add_client(*form[:2], email, *form[3:])

    created = await asyncio.to_thread(add, "ada@example.net")
    errors = []
    for email in ("ADA@example.net", "olivia@example.org"):
        with pytest.raises(whmcspy.exceptions.Error) as caught:
            await asyncio.to_thread(add, email)
        errors.append((type(caught.value).__name__, str(caught.value)))
    details = await asyncio.to_thread(client.call, "GetClientsDetails", clientid=created)

    assert created == "13"  # AddClient's clientid is a string
    assert errors == [
        ("Error", "A client already exists with that email address"),
        ("Error", "A user already exists with that email address"),
    ]
    assert details["client"]["countryname"] == "United Kingdom"
    assert details["client"]["email"] == "ada@example.net"


async def test_whmcspy_sees_gate_refusals_as_403(sandbox: RunningSandbox) -> None:
    sandbox.state.faults.push(Fault("permission_denied", action="GetClients"))

    with pytest.raises(whmcspy.exceptions.MissingPermission, match="Authentication Failed"):
        await asyncio.to_thread(_client(sandbox, "wrong-secret").call, "WhmcsDetails")
    with pytest.raises(whmcspy.exceptions.MissingPermission, match='"getclients" is not allowed'):
        await asyncio.to_thread(_client(sandbox).call, "GetClients")
    with pytest.raises(whmcspy.exceptions.Error, match="Command Not Found") as unknown:
        await asyncio.to_thread(_client(sandbox).call, "NoSuchAction")

    assert type(unknown.value) is whmcspy.exceptions.Error  # a 200 answer, not a gate's 403

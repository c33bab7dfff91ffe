"""The sandbox's client actions judged by WHMCS client libraries others wrote for real installs
(test_judges.py does the module actions with the same judges).

whmcspy (PyPI) posts form-encoded identifier/secret, reads ``result``, raises
``MissingPermission`` on a 403, pages GetClients on ``numreturned``. npm ``whmcs`` sends
username/password and lower-case actions. If the sandbox's shapes, statuses or messages drifted
from WHMCS's, these clients would notice before ours.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
import whmcspy  # type: ignore[import-untyped]  # a dev dependency
import whmcspy.exceptions  # type: ignore[import-untyped]

from integrations.whmcs.sandbox import DEFAULT_IDENTIFIER, DEFAULT_SECRET, Fault, RunningSandbox
from tests.support.node import node_with_packages

JUDGES = Path(__file__).resolve().parent / "judges"  # its npm packages (make judge-deps)


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


# --- npm whmcs (apocas/node-whmcs, tested by its authors against a real 8.x) ----------------------


@pytest.fixture(scope="module")
def node() -> str:
    return node_with_packages(JUDGES, "whmcs", "judge-deps")


async def test_npm_whmcs_on_the_client_actions(node: str, sandbox: RunningSandbox) -> None:
    process = await asyncio.create_subprocess_exec(
        node,
        str(JUDGES / "node_whmcs_clients.cjs"),
        sandbox.api_url,
        DEFAULT_IDENTIFIER,
        DEFAULT_SECRET,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err.decode()[-2000:]
    got = json.loads(out)

    assert (got["created"]["clientid"], got["created"]["owner_id"]) == ("13", 15)
    assert got["again"] == {
        "error": "WHMCS Error (200): A client already exists with that email address"
    }
    assert got["loginOnly"] == {
        "error": "WHMCS Error (200): A user already exists with that email address"
    }
    client = got["details"]["client"]
    assert (client["countryname"], client["phonenumberformatted"]) == (
        "United States",
        "+1.7035550100",
    )
    assert (client["allowSingleSignOn"], client["email_verified"]) == (1, False)
    assert got["details"]["id"] == "13"  # the flat, deprecated copy: 7.x's strings
    assert got["byEmail"]["client"]["id"] == 13
    assert got["updated"] == {"result": "success", "clientid": "13"}
    assert got["missing"] == {"error": "WHMCS Error (200): Client Not Found"}
    assert got["wrongSecret"] == {"error": "WHMCS Error (403): Authentication Failed"}

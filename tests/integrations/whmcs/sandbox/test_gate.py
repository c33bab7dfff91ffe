"""The checks WHMCS makes before any action runs, in WHMCS's order."""

from __future__ import annotations

import pytest

from integrations.whmcs.sandbox import SandboxConfig

from .conftest import CREDENTIALS, Api, SandboxFactory


async def test_ip_allow_list_is_checked_before_credentials(make_api: SandboxFactory) -> None:
    api = await make_api(SandboxConfig(allowed_ips={"203.0.113.7"}))

    reply = await api.post(
        {"identifier": "x", "secret": "x", "action": "GetClients", "responsetype": "json"}
    )

    assert reply.status == 403
    assert reply.json() == {"result": "error", "message": "Invalid IP 127.0.0.1"}


async def test_listed_ip_passes(make_api: SandboxFactory) -> None:
    api = await make_api(SandboxConfig(allowed_ips={"127.0.0.1"}))

    body = await api.ok("WhmcsDetails")

    assert body["whmcs"]["version"] == "8.13.3"


async def test_empty_allow_list_denies_everyone(make_api: SandboxFactory) -> None:
    api = await make_api(SandboxConfig(allowed_ips=set()))

    reply = await api.call("WhmcsDetails")

    assert (reply.status, reply.json()["message"]) == (403, "Invalid IP 127.0.0.1")


async def test_access_key_bypasses_the_ip_check_only(make_api: SandboxFactory) -> None:
    api = await make_api(SandboxConfig(allowed_ips=set(), access_key="k3y!"))

    allowed = await api.call("WhmcsDetails", accesskey="k3y!")
    wrong_key = await api.call("WhmcsDetails", accesskey="nope")
    still_needs_credentials = await api.post(
        {
            "accesskey": "k3y!",
            "identifier": "x",
            "secret": "y",
            "action": "WhmcsDetails",
            "responsetype": "json",
        }
    )

    assert (allowed.status, allowed.json()["result"]) == (200, "success")
    assert wrong_key.json()["message"] == "Invalid IP 127.0.0.1"
    assert still_needs_credentials.status == 403
    assert still_needs_credentials.json()["message"] == "Invalid or missing credentials"


@pytest.mark.parametrize(
    ("credentials", "message"),
    [
        ({}, "Invalid or missing credentials"),
        ({"identifier": "", "secret": ""}, "Invalid or missing credentials"),
        ({"identifier": "sandbox-identifier"}, "Invalid or missing credentials"),
        ({"identifier": "unknown", "secret": "sandbox-secret"}, "Invalid or missing credentials"),
        ({"identifier": "sandbox-identifier", "secret": "wrong"}, "Authentication Failed"),
        ({"username": "sandbox-identifier", "password": "wrong"}, "Authentication Failed"),
    ],
)
async def test_bad_credentials_are_403_json(
    api: Api, credentials: dict[str, str], message: str
) -> None:
    reply = await api.post({**credentials, "action": "GetClients", "responsetype": "json"})

    assert reply.status == 403
    assert reply.content_type == "application/json"
    assert reply.json() == {"result": "error", "message": message}


async def test_username_and_password_are_the_same_credential(api: Api) -> None:
    reply = await api.post(
        {
            "username": "sandbox-identifier",
            "password": "sandbox-secret",
            "action": "WhmcsDetails",
            "responsetype": "json",
        }
    )

    assert (reply.status, reply.json()["result"]) == (200, "success")


async def test_credentials_are_checked_before_the_action(api: Api) -> None:
    reply = await api.post({"action": "", "responsetype": "json"})

    assert (reply.status, reply.json()["message"]) == (403, "Invalid or missing credentials")


async def test_empty_action_is_400(api: Api) -> None:
    reply = await api.post({**CREDENTIALS, "responsetype": "json"})

    assert reply.status == 400
    assert reply.json() == {"result": "error", "message": "Empty action request"}


async def test_unknown_action_is_command_not_found_with_200(api: Api) -> None:
    reply = await api.call("GetClientPasswordz")

    assert reply.status == 200
    assert reply.json() == {"result": "error", "message": "Command Not Found"}


async def test_action_names_are_case_insensitive(api: Api) -> None:
    body = await api.ok("whmcsdetails")

    assert body["whmcs"]["canonicalversion"] == "8.13.3-release.1"


async def test_action_outside_the_role_is_403_with_escaped_quotes(
    make_api: SandboxFactory,
) -> None:
    api = await make_api(SandboxConfig(allowed_actions={"getclients"}))

    reply = await api.call("WhmcsDetails")

    assert reply.status == 403
    assert b'"Invalid Permissions: API action \\u0022whmcsdetails\\u0022 is not allowed"' in (
        reply.raw
    )
    assert (
        reply.json()["message"] == 'Invalid Permissions: API action "whmcsdetails" is not allowed'
    )


async def test_role_whitelist_is_case_insensitive(make_api: SandboxFactory) -> None:
    api = await make_api(SandboxConfig(allowed_actions={"GETCLIENTS"}))

    body = await api.ok("GetClients")

    assert body["totalresults"] == 12


async def test_unknown_action_is_reported_before_permissions(make_api: SandboxFactory) -> None:
    api = await make_api(SandboxConfig(allowed_actions={"GetClients"}))

    reply = await api.call("NoSuchThing")

    assert (reply.status, reply.json()["message"]) == (200, "Command Not Found")


async def test_permission_is_checked_before_validation(make_api: SandboxFactory) -> None:
    api = await make_api(SandboxConfig(allowed_actions={"GetClients"}))

    reply = await api.call("GetClientsDetails")  # neither clientid nor email

    assert reply.status == 403
    assert reply.json()["message"].startswith("Invalid Permissions")


async def test_without_responsetype_the_answer_is_xml_not_json(api: Api) -> None:
    reply = await api.post({**CREDENTIALS, "action": "WhmcsDetails"})

    assert reply.status == 200
    assert reply.content_type == "text/xml"
    assert reply.text.startswith('<?xml version="1.0" encoding="utf-8"?>\n<whmcsapi')
    assert "<result>success</result>" in reply.text
    assert "<version>8.13.3</version>" in reply.text


async def test_xml_gate_errors_stay_xml(api: Api) -> None:
    reply = await api.post({"action": "GetClients", "responsetype": "xml"})

    assert reply.status == 403
    assert "<message>Invalid or missing credentials</message>" in reply.text


async def test_nvp_answers_flat_pairs(api: Api) -> None:
    reply = await api.post({**CREDENTIALS, "action": "GetClients", "responsetype": "nvp"})

    assert reply.text.startswith("result=success;totalresults=12;startnumber=0;numreturned=12;")


async def test_get_query_works_for_reads(api: Api) -> None:
    reply = await api.get(
        {**CREDENTIALS, "action": "GetClientsDetails", "clientid": "2", "responsetype": "json"}
    )

    assert reply.json()["client"]["email"] == "bob@example.com"


async def test_get_is_refused_for_writes(api: Api) -> None:
    reply = await api.get(
        {**CREDENTIALS, "action": "DeleteClient", "clientid": "2", "responsetype": "json"}
    )

    assert reply.status == 405
    assert api.sandbox.state.get_client(2) is not None


async def test_json_body_is_not_read_so_credentials_are_missing(api: Api) -> None:
    async with api.session.post(
        api.sandbox.api_url, json={**CREDENTIALS, "action": "GetClients", "responsetype": "json"}
    ) as resp:
        status, body = resp.status, await resp.read()

    assert status == 403
    assert b"Invalid or missing credentials" in body


async def test_latency_is_added_to_every_answer(make_api: SandboxFactory) -> None:
    api = await make_api(SandboxConfig(latency_ms=200))

    with pytest.raises(TimeoutError):
        await api.call_within(0.05, "WhmcsDetails")
    api.sandbox.state.latency_ms = 0
    assert (await api.call_within(1, "WhmcsDetails")).status == 200

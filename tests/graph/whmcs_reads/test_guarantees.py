"""What every module read guarantees, as the client reads do: the cache (a second identical read
makes no WHMCS call; a write to the client retires it; shared through Redis), the audit entry with
its entity type, WHMCS failures as WhmcsError, page limits, and secrets that never leave."""

from __future__ import annotations

import json
import logging
import os
from typing import Any

import pytest

import models
from integrations.whmcs.sandbox import Fault
from tests.conftest import Api, running_app
from tests.graph.module_documents import (
    DOMAINS,
    INVOICE,
    INVOICES,
    ORDERS,
    SERVICES,
    TICKET,
    TICKETS,
)
from tests.graph.whmcs_reads.support import actions, read

# (document, variables, the WHMCS action it sends, the union field)
READS: list[tuple[str, dict[str, str], str]] = [
    (SERVICES, {"c": "2"}, "GetClientsProducts"),
    (INVOICES, {"c": "2"}, "GetInvoices"),
    (INVOICE, {"id": "7"}, "GetInvoice"),
    (ORDERS, {"c": "2"}, "GetOrders"),
    (TICKETS, {"c": "2"}, "GetTickets"),
    (TICKET, {"id": "3"}, "GetTicket"),
    (DOMAINS, {"c": "2"}, "GetClientsDomains"),
]
IDS = [action for _, _, action in READS]
PAGES = [(d, v, a) for d, v, a in READS if "c" in v]


@pytest.mark.parametrize(("document", "variables", "action"), READS, ids=IDS)
async def test_a_second_identical_read_makes_no_whmcs_call(
    api: Api, document: str, variables: dict[str, str], action: str
) -> None:
    first = await read(api, document, **variables)
    assert actions(api) == [action]

    second = await read(api, document, **variables)

    assert second == first  # exact decimals and dates survive the cache
    assert actions(api) == []
    stats = (await api.gql("{ stats { cacheHits cacheMisses } }"))["stats"]
    assert stats == {"cacheHits": 1, "cacheMisses": 1}


@pytest.mark.parametrize(("document", "variables", "action"), PAGES, ids=[a for *_, a in PAGES])
async def test_another_page_is_another_read_and_a_client_write_retires_the_page(
    api: Api, document: str, variables: dict[str, str], action: str
) -> None:
    await read(api, document, **variables)
    await read(api, document, **variables, limit=1)
    assert actions(api) == [action, action]

    await api.app.state.bridge.cache.invalidate_client(2)  # what every write to client 2 does
    await read(api, document, **variables)

    assert actions(api) == [action]


async def test_the_generic_invalidate_retires_one_clients_reads_or_a_kinds(api: Api) -> None:
    cache = api.app.state.bridge.cache
    await read(api, SERVICES, c="2")
    await read(api, SERVICES, c="3")
    await read(api, INVOICE, id="7")
    actions(api)

    await cache.invalidate("service", 2)
    await cache.invalidate("invoice", None)
    await read(api, SERVICES, c="2")
    await read(api, SERVICES, c="3")
    await read(api, INVOICE, id="7")

    assert actions(api) == ["GetClientsProducts", "GetInvoice"]


@pytest.mark.skipif(
    not os.environ.get("TEST_REDIS_URL"), reason="TEST_REDIS_URL is not set; set it to run on Redis"
)
async def test_module_reads_are_shared_through_redis(db: str) -> None:
    env = {"WHMCS_API_TIMEOUT": "2", "REDIS_URL": os.environ["TEST_REDIS_URL"]}
    async with running_app(env) as first, running_app(env) as second:
        first.token = second.token  # the second start replaced the tests' token
        await first.app.state.bridge.cache.invalidate("invoice", 3)  # nothing from earlier runs
        await first.app.state.bridge.cache.invalidate("invoice", None)
        one = await read(first, INVOICES, c="3")
        detail = await read(first, INVOICE, id="7")

        assert await read(second, INVOICES, c="3") == one
        assert await read(second, INVOICE, id="7") == detail
        assert actions(first) == ["GetInvoices", "GetInvoice"]
        assert actions(second) == []  # its own sandbox was never asked


async def test_the_audit_entry_names_the_module_and_the_client(api: Api) -> None:
    await read(api, INVOICE, id="1")  # Margaret's invoice: the owner comes from the answer
    query = (
        "query($e: EntityType!) { syncLogs(filter: { entityType: $e }) { total items {"
        " operation status entityType whmcsId whmcsAction actor correlationId } } }"
    )

    logs = (await api.gql(query, {"e": "INVOICE"}))["syncLogs"]
    clients = (await api.gql(query, {"e": "CLIENT"}))["syncLogs"]

    assert logs["total"] == 1
    (entry,) = logs["items"]
    assert {k: v for k, v in entry.items() if k != "correlationId"} == {
        "operation": "FETCH",
        "status": "SUCCESS",
        "entityType": "INVOICE",
        "whmcsId": "1",
        "whmcsAction": "GetInvoice",
        "actor": "tests",
    }
    assert entry["correlationId"]
    assert clients["total"] == 0


@pytest.mark.parametrize(("document", "variables", "action"), READS, ids=IDS)
async def test_a_whmcs_failure_is_a_typed_error_and_is_audited(
    api: Api, document: str, variables: dict[str, str], action: str
) -> None:
    api.sandbox.state.faults.push(Fault("auth_failed"))

    result = await read(api, document, **variables)

    assert (result["__typename"], result["code"]) == ("WhmcsError", "WHMCS_AUTH_FAILED")
    rows = await models.SyncLog.all()
    assert [(r.whmcs_action, r.status.value) for r in rows] == [(action, "ERROR")]


async def test_whmcs_down_is_unavailable_and_retryable(api: Api) -> None:
    api.sandbox.state.faults.push(Fault("maintenance", times=5))

    document = SERVICES.replace("... on Error {", "... on WhmcsError { retryable } ... on Error {")
    result = await read(api, document, c="2")

    assert (result["__typename"], result["code"], result["retryable"]) == (
        "WhmcsError",
        "WHMCS_UNAVAILABLE",
        True,
    )


async def test_an_unexpected_answer_is_a_whmcs_error_not_a_500(api: Api) -> None:
    api.sandbox.state.faults.push(
        Fault("raw", action="GetInvoices", status=200, body='{"result":"success","invoices":7}')
    )

    result = await read(api, INVOICES, c="2")

    assert (result["__typename"], result["code"]) == ("WhmcsError", "WHMCS_UNAVAILABLE")
    assert "unexpected shape" in result["message"]


@pytest.mark.parametrize("settings_env", [{"WHMCS_ENABLED": "false"}], indirect=True)
@pytest.mark.parametrize(("document", "variables", "action"), READS, ids=IDS)
async def test_a_switched_off_integration_says_so(
    api: Api, document: str, variables: dict[str, str], action: str
) -> None:
    result = await read(api, document, **variables)

    assert (result["__typename"], result["code"]) == ("WhmcsError", "INTEGRATION_DISABLED")
    assert api.sandbox is None or api.sandbox.state.calls == []


@pytest.mark.parametrize("document", [d for d, *_ in PAGES], ids=[a for *_, a in PAGES])
@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"limit": 0}, "limit must be between 1 and 100, got 0."),
        ({"limit": 101}, "limit must be between 1 and 100, got 101."),
        ({"offset": -1}, "offset must be 0 or more, got -1."),
    ],
)
async def test_page_bounds_are_bad_user_input(
    api: Api, document: str, variables: dict[str, int], message: str
) -> None:
    body = await api.raw(document, {"c": "2", **variables})

    assert body["data"] is None
    assert body["errors"][0]["message"] == message
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert api.sandbox.state.calls == []


async def test_the_largest_page_is_allowed(api: Api) -> None:
    page = await read(api, INVOICES, c="10", limit=100)

    assert (page["limit"], len(page["items"])) == (100, 30)


async def test_a_status_filter_is_bounded_and_an_id_that_cannot_exist_is_not_found(
    api: Api,
) -> None:
    body = await api.raw(INVOICES, {"c": "2", "status": "x" * 65})
    bad_id = await read(api, SERVICES, c="²")

    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "status"}
    assert (bad_id["__typename"], bad_id["entityType"], bad_id["id"]) == (
        "NotFoundError",
        "CLIENT",
        "²",
    )
    assert api.sandbox.state.calls == []


def _secrets(api: Api) -> list[str]:
    """Every secret the sandbox holds for these reads: service passwords, ticket access keys."""
    modules = api.sandbox.state.modules
    found = [s.password for s in modules.services.values() if s.password]
    found += [t.c for t in modules.tickets.values() if t.c]
    assert "Sbx-Plus-9Rt#" in found
    return found


async def test_no_secret_reaches_a_response_a_log_line_the_audit_log_or_the_cache(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secrets = _secrets(api)
    answers: list[Any] = []
    for document, variables, _ in READS:
        answers.append(await api.raw(document, variables))
    for client in ("1", "3", "6"):
        answers.append(await api.raw(SERVICES, {"c": client}))
    answers.append(await api.raw(TICKET, {"id": "4"}))
    rows = await models.SyncLog.all().values()
    # WHMCS did send them (GetClientsProducts carries each service's password): redacted.
    (products,) = [
        r for r in rows if r["whmcs_action"] == "GetClientsProducts" and r["whmcs_id"] == 2
    ]
    sent = products["response_data"]["products"]["product"]
    assert [p["password"] for p in sent] == ["[REDACTED]", "[REDACTED]", ""]

    stored = json.dumps(rows, default=str)
    cached = repr(api.app.state.bridge.cache._backend.__dict__)
    places = {
        "responses": json.dumps(answers),
        "logs": caplog.text,
        "audit": stored,
        "cache": cached,
    }

    for where, text in places.items():
        for secret in secrets:
            assert secret not in text, f"{secret!r} in the {where}"
    assert "GetClientsProducts" in stored
    assert "[REDACTED]" in stored

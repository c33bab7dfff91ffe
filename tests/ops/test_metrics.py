"""GET /metrics: only for a metrics token, the metrics the issue names with the labels it names,
counting what really happened, and no label ever holding data from a request."""

from __future__ import annotations

import datetime
import re
from typing import Any

import httpx
import pytest

import models
from integrations.whmcs.sandbox import Fault
from tests.conftest import Api
from tests.graph.documents import (
    COMPLETE_CLIENT,
    CREATE_LOCAL,
    PUSH,
    STATS,
    WHMCS_CLIENT,
    WHMCS_CLIENTS,
)
from tests.ops.metrics_support import Samples, parse, series, value
from whmcs_bridge.tokens import create_token, revoke_token

# The demo's anonymous access off: a request without a token is refused, as in production.
pytestmark = pytest.mark.parametrize(
    "settings_env", [{"DEMO_ALLOW_ANONYMOUS": "false"}], indirect=True, ids=["no-anonymous"]
)
REQUESTS = "whmcs_bridge_graphql_requests_total"
CALLS = "whmcs_bridge_whmcs_calls_total"


async def scrape(api: Api, token: str, accept: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"}
    if accept:
        headers["Accept"] = accept
    return await api.http.get("/metrics", headers=headers)


async def samples(api: Api, token: str) -> Samples:
    response = await scrape(api, token)
    assert response.status_code == 200, response.text
    return parse(response.text)


async def post(api: Api, query: str, token: str | None, **body: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await api.http.post("/graphql", json={"query": query, **body}, headers=headers)


async def test_only_a_metrics_token_reads_metrics_and_it_reads_nothing_else(api: Api) -> None:
    metrics_token = await create_token("prometheus", models.TokenScope.METRICS)
    read_token = await create_token("dashboard", models.TokenScope.READ)

    anonymous = await api.http.get("/metrics")
    basic = await api.http.get("/metrics", headers={"Authorization": "Basic cHJvbTpwcm9t"})
    unknown = await scrape(api, "wbt_" + "x" * 43)
    read = await scrape(api, read_token)
    write = await scrape(api, str(api.token))
    allowed = await scrape(api, metrics_token)
    openmetrics = await scrape(api, metrics_token, accept="application/openmetrics-text")
    posted = await api.http.post("/metrics", headers={"Authorization": f"Bearer {metrics_token}"})

    assert [r.status_code for r in (anonymous, basic, unknown)] == [401, 401, 401]
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert (read.status_code, write.status_code) == (403, 403)
    assert "--scope metrics" in read.text
    assert "whmcs_bridge" not in read.text + write.text + unknown.text
    assert allowed.status_code == 200
    assert allowed.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert "whmcs_bridge_graphql_requests_total" in allowed.text or "# HELP" in allowed.text
    assert openmetrics.headers["content-type"].startswith("application/openmetrics-text")
    assert openmetrics.text.rstrip().endswith("# EOF")
    assert posted.status_code == 405

    # The metrics token opens no GraphQL at all: not a query, not by GET, not a mutation.
    for response in (
        await post(api, STATS, metrics_token),
        await api.http.get(
            "/graphql",
            params={"query": "{ stats { totalSynced } }"},
            headers={"Authorization": f"Bearer {metrics_token}"},
        ),
        await post(api, CREATE_LOCAL, metrics_token, variables={"input": COMPLETE_CLIENT}),
    ):
        assert response.status_code == 401, response.text
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await models.Client.all().count() == 0

    await revoke_token("prometheus")
    api.app.state.verifier.forget()
    assert (await scrape(api, metrics_token)).status_code == 401


async def test_the_metrics_count_what_happened(api: Api) -> None:
    token = await create_token("prometheus", models.TokenScope.METRICS)
    read_token = await create_token("dashboard", models.TokenScope.READ)
    before = await samples(api, token)
    assert value(before, "whmcs_bridge_whmcs_breaker_state", state="closed") == 1
    assert value(before, "whmcs_bridge_whmcs_breaker_state", state="open") == 0
    assert value(before, "whmcs_bridge_database_up") == 1
    assert value(before, "whmcs_bridge_cache_hits_total", kind="client") == 0  # exists, at 0

    created = await api.gql(CREATE_LOCAL, {"input": COMPLETE_CLIENT})
    local_id = created["createLocalClient"]["id"]
    pushed = await api.gql(PUSH, {"id": local_id})
    assert pushed["pushClient"]["__typename"] == "PushClientSuccess"
    for _ in range(2):  # a miss, then a hit
        assert (await api.gql(WHMCS_CLIENT, {"id": "1"}))["whmcsClient"]["id"] == "1"
    duplicate = await api.gql(
        CREATE_LOCAL, {"input": {**COMPLETE_CLIENT, "email": "bob@example.com"}}
    )
    refused = await api.gql(PUSH, {"id": duplicate["createLocalClient"]["id"]})
    assert refused["pushClient"]["__typename"] == "DuplicateInWhmcsError"
    api.sandbox.state.faults.push(Fault("error", action="GetClients", message="Nope"))
    rejected = await api.gql(WHMCS_CLIENTS, {"search": "zz"})
    assert rejected["whmcsClients"]["__typename"] == "WhmcsError"
    assert (await post(api, STATS, None)).status_code == 401
    forbidden = await post(api, CREATE_LOCAL, read_token, variables={"input": COMPLETE_CLIENT})
    assert forbidden.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "errors" in (await post(api, "{ stats {", str(api.token))).json()
    assert "errors" in (await post(api, "{ nope }", str(api.token))).json()
    both = await post(api, "{ stats { totalSynced } clients { total } }", str(api.token))
    assert "errors" not in both.json()
    assert "errors" not in (await post(api, "{ __typename }", str(api.token))).json()
    # A PENDING link whose holder is gone: an unknown outcome waiting to be reconciled.
    other = await models.Client.create(
        first_name="Lea", last_name="Vidal", email="lea@example.org", email_key="lea@example.org"
    )
    await models.SyncMap.create(
        entity_type=models.EntityType.CLIENT,
        local_id=other.id,
        status=models.SyncStatus.PENDING,
        last_error="AddClient got no answer",
        lease_expires_at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=1),
    )

    after = await samples(api, token)

    def requests(operation: str, outcome: str) -> float:
        return value(after, REQUESTS, operation=operation, outcome=outcome)

    assert requests("createLocalClient", "success") == 2
    assert requests("pushClient", "success") == 2  # a domain answer (duplicate) is a success
    assert requests("whmcsClient", "success") == 2
    assert requests("whmcsClients", "success") == 1
    assert requests("unknown", "unauthenticated") == 1
    assert requests("createLocalClient", "forbidden") == 1
    assert requests("unknown", "invalid") == 2  # a syntax error, an unknown field
    assert requests("multiple", "success") == 1
    assert requests("introspection", "success") == 1
    durations = "whmcs_bridge_graphql_request_duration_seconds_count"
    assert value(after, durations, operation="pushClient") == 2
    assert value(after, durations, operation="unknown") == 3

    assert value(after, CALLS, action="GetClients", outcome="success") == 2  # the e-mail lookups
    assert value(after, CALLS, action="AddClient", outcome="success") == 1
    assert value(after, CALLS, action="GetClientsDetails", outcome="success") == 1  # then cached
    assert value(after, CALLS, action="GetClients", outcome="rejected") == 1
    whmcs_count = "whmcs_bridge_whmcs_call_duration_seconds_count"
    assert value(after, whmcs_count, action="GetClients") == 3
    assert value(after, "whmcs_bridge_cache_misses_total", kind="client") == 1
    assert value(after, "whmcs_bridge_cache_hits_total", kind="client") == 1
    assert value(after, "whmcs_bridge_cache_misses_total", kind="client_page") == 1

    audit = "whmcs_bridge_audit_rows_written_total"
    stored = await models.SyncLog.all().values_list("operation", "status")
    for operation in models.SyncOperation:
        for status in models.LogStatus:
            expected = sum(1 for o, s in stored if (o, s) == (operation, status))
            assert value(after, audit, operation=operation.value, status=status.value) == expected
    assert value(after, audit, operation="PUSH", status="SUCCESS") == 3
    assert value(after, audit, operation="PUSH", status="ERROR") == 1  # the duplicate

    assert value(after, "whmcs_bridge_links", status="SYNCED") == 1
    assert value(after, "whmcs_bridge_links", status="PENDING") == 1
    assert value(after, "whmcs_bridge_links_stale_pending") == 1
    assert value(after, "whmcs_bridge_database_up") == 1


# Label values allowed, per label: nothing from a request can become one.
OUTCOMES = {
    "success",
    "invalid",
    "forbidden",
    "database_unavailable",
    "internal_error",
    "unauthenticated",
    "too_large",
    "unsupported_media_type",
    "rate_limited",
    "unavailable",
    "bad_request",
}
CALL_OUTCOMES = {"success", "rejected", "unavailable", "auth_failed", "outcome_unknown"}


def root_fields(api: Api) -> set[str]:
    schema = api.app.routes[0].endpoint.app.schema._schema  # the gate wraps the GraphQL app
    return set(schema.query_type.fields) | set(schema.mutation_type.fields)


async def test_no_label_ever_holds_data_from_a_request(api: Api) -> None:
    token = await create_token("prometheus", models.TokenScope.METRICS)
    person = {**COMPLETE_CLIENT, "email": "ana.secret-person@example.org"}
    created = await api.gql(CREATE_LOCAL, {"input": person})
    local_id = created["createLocalClient"]["id"]
    await post(
        api,
        "mutation AnaSecretPerson($id: ID!) { anaSecretPerson: pushClient(clientId: $id) "
        "{ __typename } }",
        str(api.token),
        variables={"id": local_id},
        operationName="AnaSecretPerson",
    )
    await api.gql(WHMCS_CLIENTS, {"search": "ana.secret-person"}, **{"X-Request-ID": "anasecret1"})
    # Someone trying to grow the series: unknown fields, operation names, aliases, fragments.
    for n in range(40):
        await post(api, f"query AnaSecret{n} {{ anaSecret{n} }}", str(api.token))
        await post(api, f"{{ a{n}: stats {{ totalSynced }} }}", str(api.token))
        await post(
            api,
            f"query Q{n} {{ ...F{n} }} fragment F{n} on Query {{ stats {{ totalSynced }} }}",
            str(api.token),
        )
        await post(api, "{ stats { totalSynced } }", f"wbt_anasecret{n:040d}")

    scraped = await samples(api, token)

    operations = root_fields(api) | {"multiple", "introspection", "unknown"}
    for (name, labels), _ in scraped.items():
        for label, text in labels:
            assert "ana" not in text.lower(), (name, label, text)
            assert "secret" not in text.lower(), (name, label, text)
            assert text != str(api.token)
            if label == "operation" and name.startswith("whmcs_bridge_graphql"):
                assert text in operations, text
            elif label == "outcome" and name.startswith("whmcs_bridge_graphql"):
                assert text in OUTCOMES, text
            elif label == "outcome":
                assert text in CALL_OUTCOMES, text
            elif label == "action":
                assert re.fullmatch(r"[A-Za-z]{1,64}", text), text
            elif label in ("operation", "status", "state", "kind", "reason", "version"):
                assert re.fullmatch(r"[A-Za-z0-9._-]{1,40}", text), (label, text)
    graphql_series = series(scraped, REQUESTS)
    assert len(graphql_series) <= 8, graphql_series  # 160 odd requests, a handful of series
    assert value(scraped, REQUESTS, operation="stats", outcome="success") == 80
    assert value(scraped, REQUESTS, operation="unknown", outcome="unauthenticated") == 40

"""The module reads in /metrics: cache lookups under their own kind, WHMCS calls by action, the
GraphQL operations by field name."""

from __future__ import annotations

import pytest

import models
from tests.conftest import Api
from tests.graph.module_documents import INVOICE, SERVICES, TICKETS
from tests.ops.metrics_support import parse, value
from tests.ops.test_metrics import REQUESTS, scrape
from whmcs_bridge.tokens import create_token

pytestmark = pytest.mark.parametrize(
    "settings_env", [{"DEMO_ALLOW_ANONYMOUS": "false"}], indirect=True, ids=["no-anonymous"]
)


async def test_module_reads_are_counted_by_kind(api: Api) -> None:
    token = await create_token("prometheus", models.TokenScope.METRICS)
    for _ in range(2):
        await api.gql(SERVICES, {"c": "2"})
        await api.gql(INVOICE, {"id": "7"})
    await api.gql(TICKETS, {"c": "2"})

    response = await scrape(api, token)
    assert response.status_code == 200, response.text
    after = parse(response.text)

    hits, misses = "whmcs_bridge_cache_hits_total", "whmcs_bridge_cache_misses_total"
    assert (value(after, misses, kind="service"), value(after, hits, kind="service")) == (1, 1)
    assert (value(after, misses, kind="invoice"), value(after, hits, kind="invoice")) == (1, 1)
    assert (value(after, misses, kind="ticket"), value(after, hits, kind="ticket")) == (1, 0)
    assert value(after, hits, kind="order") == 0  # every kind's series exists from the start
    assert value(after, misses, kind="other") == 0
    calls = "whmcs_bridge_whmcs_calls_total"
    assert value(after, calls, action="GetClientsProducts", outcome="success") == 1
    assert value(after, calls, action="GetInvoice", outcome="success") == 1
    assert value(after, REQUESTS, operation="whmcsServices", outcome="success") == 2

"""/metrics while the database is down (a proxy in front of it is cut): the process metrics are
still there for a metrics token this process has checked before, with database_up 0."""

from __future__ import annotations

import pytest

import models
from tests.conftest import running_app
from tests.ops.metrics_support import parse, value
from tests.reliability.test_database_outage import proxied  # noqa: F401 - fixture
from tests.reliability.test_processes import SERVER_URLS, shared_url  # noqa: F401 - fixture
from tests.support.tcp_proxy import TcpProxy
from whmcs_bridge.tokens import create_token

pytestmark = pytest.mark.skipif(
    not SERVER_URLS, reason="TEST_DATABASE_URLS lists no PostgreSQL/MariaDB server"
)


async def test_metrics_survive_a_database_outage(
    proxied: tuple[TcpProxy, str],  # noqa: F811
) -> None:
    proxy, _ = proxied
    seen = await create_token("prometheus", models.TokenScope.METRICS)
    unseen = await create_token("prometheus-2", models.TokenScope.METRICS)
    async with running_app({"DEMO_ALLOW_ANONYMOUS": "false"}) as api:
        headers = {"Authorization": f"Bearer {seen}"}
        before = await api.http.get("/metrics", headers=headers)
        assert before.status_code == 200
        assert value(parse(before.text), "whmcs_bridge_database_up") == 1

        await proxy.cut()
        api.app.state.verifier.forget()  # past the verifier's 5 s memory
        during = await api.http.get("/metrics", headers=headers)
        stranger = await api.http.get("/metrics", headers={"Authorization": f"Bearer {unseen}"})

        assert during.status_code == 200, during.text
        scraped = parse(during.text)
        assert value(scraped, "whmcs_bridge_database_up") == 0
        assert value(scraped, "whmcs_bridge_whmcs_breaker_state", state="closed") == 1
        assert not any(name == "whmcs_bridge_links" for name, _ in scraped)
        assert stranger.status_code == 503
        assert "whmcs_bridge" not in stranger.text

        await proxy.start()
        for _ in range(10):
            if (await api.http.get("/readyz")).status_code == 200:
                break
        after = await api.http.get("/metrics", headers=headers)
        assert value(parse(after.text), "whmcs_bridge_database_up") == 1

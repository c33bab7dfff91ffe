"""`whmcs-bridge serve --workers 2`: two processes on one port, and /metrics adds them up
(prometheus-client's multiprocess mode, in a folder the server makes and removes)."""

from __future__ import annotations

import asyncio
import re
import signal
from pathlib import Path
from typing import Any

import aiohttp

import models
from tests.ops.metrics_support import parse, value
from tests.ops.support import sqlite_with_tokens, start_bridge, wait_ready

STATS = {"query": "{ stats { totalSynced } }"}


async def _closed_breakers(url: str, token: str) -> float:
    async with (
        aiohttp.ClientSession() as http,
        http.get(url + "/metrics", headers={"Authorization": f"Bearer {token}"}) as response,
    ):
        assert response.status == 200
        scraped = parse(await response.text())
    return value(scraped, "whmcs_bridge_whmcs_breaker_state", state="closed")


async def test_two_workers_count_into_one_set_of_metrics(whmcs: Any, tmp_path: Path) -> None:
    db_url, tokens = await sqlite_with_tokens(
        tmp_path, [("app", models.TokenScope.READ), ("prometheus", models.TokenScope.METRICS)]
    )
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_12345.db").write_bytes(b"left over from an earlier run")
    server = start_bridge(
        whmcs,
        db_url,
        tmp_path,
        args=["--workers", "2"],
        PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
        LOG_LEVEL="INFO",
    )
    try:
        await wait_ready(server)
        # Both workers are up once both report their breaker state (each does at start).
        deadline = asyncio.get_running_loop().time() + 60
        while await _closed_breakers(server.url, tokens["prometheus"]) < 2:
            assert asyncio.get_running_loop().time() < deadline, "a worker did not start"
            await asyncio.sleep(0.1)
        sent = 40
        headers = {"Authorization": f"Bearer {tokens['app']}"}
        # New connections each time, so that both workers take some.
        for _ in range(sent):
            async with (
                aiohttp.ClientSession() as http,
                http.post(server.url + "/graphql", json=STATS, headers=headers) as response,
            ):
                assert response.status == 200
        for _ in range(6):
            async with (
                aiohttp.ClientSession() as http,
                http.get(
                    server.url + "/metrics",
                    headers={"Authorization": f"Bearer {tokens['prometheus']}"},
                ) as response,
            ):
                assert response.status == 200
                scraped = parse(await response.text())
            requests = value(
                scraped, "whmcs_bridge_graphql_requests_total", operation="stats", outcome="success"
            )
            assert requests == sent  # the same total whichever worker answers
            assert value(scraped, "whmcs_bridge_whmcs_breaker_state", state="closed") == 2
        files = {p.name for p in metrics_dir.glob("*.db")}
        assert "counter_12345.db" not in files  # emptied at start
        pids = {m.group(1) for f in files if (m := re.search(r"_(\d+)\.db$", f))}
        assert len(pids) >= 2, files  # two processes wrote
    finally:
        server.signal(signal.SIGTERM)
        code = await asyncio.to_thread(server.wait, 30)
    assert code in (0, -signal.SIGTERM), "\n".join(server.stderr_lines)
    assert sum("Stopping (SIGTERM)" in line for line in server.stderr_lines) == 2
    assert not any("Traceback" in line for line in server.stderr_lines)
    # One access line per request, ours (with its context): uvicorn's stays off in the workers.
    access = [line for line in server.stderr_lines if "whmcs_bridge.access" in line]
    assert sum("POST /graphql 200" in line for line in access) == sent
    assert not any("uvicorn.access" in line for line in server.stderr_lines)

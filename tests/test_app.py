"""The HTTP surface: health, readiness, masked unexpected errors."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from tortoise import connections

from integrations.whmcs.sync import reports
from tests.conftest import Api


async def test_healthz(api: Api) -> None:
    response = await api.http.get("/healthz")

    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_readyz_follows_the_database(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    ready = await api.http.get("/readyz")
    conn = connections.get("default")

    async def down(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionRefusedError("database is down")

    monkeypatch.setattr(type(conn), "execute_query", down)
    not_ready = await api.http.get("/readyz")

    assert (ready.status_code, ready.json()) == (200, {"status": "ok", "database": "up"})
    assert not_ready.status_code == 503
    assert not_ready.json() == {"status": "unavailable", "database": "down"}


async def test_unexpected_error_is_masked_with_a_request_id_and_logged_once(
    api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(**kwargs: Any) -> Any:
        raise RuntimeError("internal detail: table sync_map is corrupt")

    monkeypatch.setattr(reports, "stats", broken)
    caplog.set_level(logging.INFO)

    response = await api.http.post(
        "/graphql",
        json={"query": "{ stats { totalSynced } }"},
        headers={"X-Request-ID": "req-abcdef-123", "Authorization": f"Bearer {api.token}"},
    )

    body = response.json()
    assert response.status_code == 200
    error = body["errors"][0]
    assert error["message"] == (
        "Internal server error. Quote request id req-abcdef-123 to the operator."
    )
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-abcdef-123"}
    assert "corrupt" not in response.text
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(logged) == 1
    assert "req-abcdef-123" in logged[0].getMessage()
    assert logged[0].exc_info is not None
    assert "corrupt" in str(logged[0].exc_info[1])


async def test_a_query_error_is_shown_as_it_is(api: Api) -> None:
    body = await api.raw("{ stats { noSuchField } }")

    assert body["errors"][0]["message"] == "Cannot query field 'noSuchField' on type 'SyncStats'."

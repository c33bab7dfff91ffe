"""Logs: LOG_FORMAT=json writes one JSON object per line with the request's context; in both
formats the configured secrets never reach the log, whatever wrote them.

The real server process, configured with real WHMCS credentials (the sandbox's), at DEBUG, where
Tortoise logs every SQL statement with its values: a client that sends the WHMCS secret as a
field value puts it into such a line, and the scrubber must take it out again.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import models
from integrations.whmcs.sandbox import SandboxConfig
from tests.graph.documents import COMPLETE_CLIENT, CREATE_LOCAL, PUSH
from tests.ops.support import gql, sqlite_with_tokens, start_bridge, wait_ready
from whmcs_bridge.logs import configure_logging
from whmcs_bridge.request_context import RequestInfo, current_request
from whmcs_bridge.settings import Settings

# A quote, a backslash and non-ASCII text: written differently in a JSON line than as is.
IDENT = "IDENT-logs-5d1e0b"
SECRET = 'SEC"ret\\logs-ñ-77a1'
ACCESS_KEY = "KEY-logs-c0ffee"
REQUEST_ID = "ops-logs-request-0001"


def forms_of(secret: str) -> set[str]:
    """Written as is, in a repr, and JSON-escaped (ASCII or not) on top of either."""
    forms = {secret, repr(secret)[1:-1]}
    return forms | {json.dumps(f, ensure_ascii=a)[1:-1] for f in forms for a in (True, False)}


@pytest.fixture
def whmcs_config() -> SandboxConfig:
    return SandboxConfig(identifier=IDENT, secret=SECRET, access_key=ACCESS_KEY)


@pytest.mark.parametrize("log_format", ["json", "text"])
async def test_the_server_logs_context_and_never_a_secret(
    whmcs: Any, tmp_path: Path, log_format: str
) -> None:
    db_url, tokens = await sqlite_with_tokens(tmp_path, [("logs", models.TokenScope.WRITE)])
    token = tokens["logs"]
    server = start_bridge(whmcs, db_url, tmp_path, LOG_FORMAT=log_format, LOG_LEVEL="DEBUG")
    try:
        await wait_ready(server)
        # A careless client sends secrets as field values: Tortoise logs them in its SQL lines.
        client = {**COMPLETE_CLIENT, "city": SECRET, "companyName": token}
        created = await gql(server.url, token, CREATE_LOCAL, {"input": client})
        local_id = created["data"]["createLocalClient"]["id"]
        pushed = await gql(
            server.url, token, PUSH, {"id": local_id}, **{"X-Request-ID": REQUEST_ID}
        )
        assert pushed["data"]["pushClient"]["__typename"] == "PushClientSuccess"
    finally:
        server.stop()
    output = "\n".join(server.stderr_lines)

    for secret in (IDENT, SECRET, ACCESS_KEY, token):
        for form in forms_of(secret):
            assert form not in output, f"{form!r} is in the log"
    # The values did reach a log line, and were scrubbed there.
    sql = [line for line in server.stderr_lines if "tortoise" in line and "INSERT" in line]
    assert any("[REDACTED]" in line for line in sql), sql

    if log_format == "json":
        records = [json.loads(line) for line in server.stderr_lines if line.strip()]
        assert all(isinstance(r, dict) for r in records)
        keys = {"time", "level", "logger", "message", "request_id", "operation", "actor"}
        for record in records:
            assert keys <= set(record), record
        access = [
            r
            for r in records
            if r["logger"] == "whmcs_bridge.access" and r["request_id"] == REQUEST_ID
        ]
        assert len(access) == 1, records
        assert access[0]["operation"] == "pushClient"
        assert access[0]["actor"] == "logs"
        assert access[0]["status"] == 200
        assert access[0]["level"] == "INFO"
        assert access[0]["time"].endswith("Z")
        # Lines written while the request ran (here: the SQL of the push) carry its context.
        during = [r for r in records if r["request_id"] == REQUEST_ID and r is not access[0]]
        assert during
        assert all(r["operation"] == "pushClient" for r in during)
        outside = [r for r in records if "Application startup complete" in r["message"]]
        assert outside
        assert outside[0]["request_id"] is None
    else:
        access = [line for line in server.stderr_lines if "whmcs_bridge.access" in line]
        pushed_line = [line for line in access if REQUEST_ID in line]
        assert len(pushed_line) == 1, access
        assert pushed_line[0].endswith(f"[request={REQUEST_ID} operation=pushClient actor=logs]"), (
            pushed_line[0]
        )


@pytest.fixture
def fresh_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.parametrize("log_format", ["json", "text"])
@pytest.mark.usefixtures("fresh_logging")
def test_every_way_a_secret_can_enter_a_line_is_scrubbed(
    log_format: str, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings.from_env(
        {
            "WHMCS_API_URL": "https://billing.example.com/whmcs",
            "WHMCS_API_IDENTIFIER": IDENT,
            "WHMCS_API_SECRET": SECRET,
            "WHMCS_API_ACCESS_KEY": ACCESS_KEY,
            "DATABASE_URL": "postgres://bridge:DB-pass-logs-41@db.internal:5432/bridge",
            "REDIS_URL": "redis://:REDIS-pass-logs-42@cache.internal:6379/0",
        },
        env_file=None,
    )
    configure_logging("DEBUG", settings.secret_values(), log_format)
    log = logging.getLogger("whmcs_bridge.test")
    token = "wbt_" + "Q" * 43
    secrets = [IDENT, SECRET, ACCESS_KEY, "DB-pass-logs-41", "REDIS-pass-logs-42", token]

    reset = current_request.set(RequestInfo("ops-logs-unit-0001", operation="pushClient"))
    try:
        log.info("in the message: %s %s", SECRET, IDENT)
        log.info("as a repr: %r", {"secret": SECRET})
        log.warning("in an extra field", extra={"detail": f"key={ACCESS_KEY}", "token": token})
        log.info("a URL: %s", "postgres://bridge:DB-pass-logs-41@db.internal/bridge")
        log.info("URL-encoded: secret=%s", "SEC%22ret%5Clogs-%C3%B1-77a1")
        try:
            raise RuntimeError(f"failed with {SECRET} and REDIS-pass-logs-42")
        except RuntimeError:
            log.exception("with a traceback")
        log.info("stack", stack_info=True, extra={"note": SECRET})
    finally:
        current_request.reset(reset)
    sys.stderr.flush()
    output = capsys.readouterr().err

    lines = [line for line in output.splitlines() if line.strip()]
    assert lines
    for secret in secrets:
        for form in forms_of(secret):
            assert form not in output, f"{form!r} in:\n{output}"
    assert "SEC%22ret" not in output
    assert "in the message: [REDACTED] [REDACTED]" in output
    assert "a URL: postgres://bridge:[REDACTED]@db.internal/bridge" in output
    assert "URL-encoded: secret=[REDACTED]" in output
    assert "RuntimeError: failed with [REDACTED] and [REDACTED]" in output
    if log_format == "json":
        records = [json.loads(line) for line in lines if line.startswith("{")]
        assert len(records) == 7
        assert all(r["request_id"] == "ops-logs-unit-0001" for r in records)
        assert records[1]["message"] == "as a repr: {'secret': '[REDACTED]'}"
        assert (records[2]["detail"], records[2]["token"]) == ("key=[REDACTED]", "[REDACTED]")
        assert records[5]["exc_info"].startswith("Traceback")
        assert records[6]["note"] == "[REDACTED]"
    else:
        assert "[request=ops-logs-unit-0001 operation=pushClient actor=-]" in lines[0]

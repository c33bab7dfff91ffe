"""connectionTest: every failure class mapped to its ConnectionFailure and hint, no secret shown.

Each failure is produced for real: by the sandbox's fault injection over loopback HTTP, by a
closed port, or by configuration.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest

import models
from integrations.whmcs.sandbox import Fault, SandboxConfig, start_sandbox
from tests.conftest import Api
from tests.graph.documents import CONNECTION_TEST

FAULT_CASES = [
    pytest.param(Fault("invalid_ip"), "INVALID_IP", "127.0.0.1", id="invalid-ip"),
    pytest.param(Fault("auth_failed"), "AUTHENTICATION_FAILED", "WHMCS_API_SECRET", id="auth"),
    pytest.param(
        Fault("error", status=403, message="Invalid or missing credentials"),
        "AUTHENTICATION_FAILED",
        "WHMCS_API_IDENTIFIER",
        id="missing-credentials",
    ),
    pytest.param(Fault("permission_denied"), "PERMISSION_DENIED", "API role", id="permission"),
    pytest.param(Fault("delay", seconds=3.0), "TIMEOUT", "WHMCS_API_TIMEOUT", id="timeout"),
    pytest.param(Fault("html_500"), "SERVER_ERROR", "logs", id="emitter-500"),
    pytest.param(Fault("maintenance"), "SERVER_ERROR", "maintenance", id="maintenance"),
    pytest.param(Fault("waf_403"), "NOT_WHMCS", "WAF", id="waf"),
    pytest.param(
        Fault("raw", status=404, body="<html>Not Found</html>", content_type="text/html"),
        "NOT_WHMCS",
        "WHMCS_API_URL",
        id="wrong-url-404",
    ),
    pytest.param(
        Fault("error", message="Command Not Found"), "UNSUPPORTED_VERSION", "8.0", id="whmcs-7"
    ),
    pytest.param(Fault("drop"), "UNREACHABLE", "WHMCS_API_URL", id="dropped"),
]


# A timeout with room: under a loaded CI an answer that is not a timeout may take a while; only
# the delay fault (3 s) outlasts it.
@pytest.mark.parametrize("settings_env", [{"WHMCS_API_TIMEOUT": "1.5"}], indirect=True)
@pytest.mark.parametrize(("fault", "failure", "hint_mentions"), FAULT_CASES)
async def test_each_failure_class_is_explained(
    api: Api, caplog: pytest.LogCaptureFixture, fault: Fault, failure: str, hint_mentions: str
) -> None:
    caplog.set_level(logging.DEBUG)
    # Ordinary reads are retried on transient failures; the connection test asks once, and
    # reports what it found. A second fault left queued would catch a retry.
    api.sandbox.state.faults.push(replace(fault, times=2))

    body = await api.raw(CONNECTION_TEST)

    assert len(api.sandbox.state.calls_for("WhmcsDetails")) == 1

    result = body["data"]["connectionTest"]
    assert result["success"] is False
    assert result["failure"] == failure
    assert hint_mentions in result["hint"]
    assert result["message"].startswith("Connection failed")
    assert result["whmcsVersion"] is None
    logged = await models.SyncLog.get(whmcs_action="WhmcsDetails")  # one row, whatever the tries
    assert (logged.operation, logged.status) == (models.SyncOperation.TEST, models.LogStatus.ERROR)
    _assert_no_credentials(api, [str(body), caplog.text, str(logged.request_data)])


def _nested(levels: int) -> str:
    return (
        '{"result":"success","whmcs":{"version":"8.13.3"},"x":' + "[" * levels + "]" * levels + "}"
    )


# Answers to WhmcsDetails with HTTP 200 that are not what WHMCS sends: each one is classified, none
# is an internal error (issue 10: result=error crashed connectionTest with a KeyError).
ODD_ANSWERS = [
    pytest.param('{"result":"error","message":"Unexpected failure"}', "REJECTED", id="error"),
    pytest.param('{"result":"error"}', "REJECTED", id="error-without-message"),
    pytest.param('{"result":"error","message":{"a":1}}', "REJECTED", id="error-message-object"),
    pytest.param('{"result":"error","message":"Client Not Found"}', "REJECTED", id="not-found"),
    pytest.param('{"result":"error","message":"bad \\ud800"}', "REJECTED", id="lone-surrogate"),
    pytest.param('{"result":"success"}', "NOT_WHMCS", id="no-whmcs-key"),
    pytest.param('{"result":"success","whmcs":"8.13"}', "NOT_WHMCS", id="whmcs-a-string"),
    pytest.param('{"result":"success","whmcs":{}}', "NOT_WHMCS", id="no-version"),
    pytest.param('{"result":"success","whmcs":{"version":null}}', "NOT_WHMCS", id="version-null"),
    pytest.param('{"result":"success","whmcs":{"version":[8]}}', "NOT_WHMCS", id="version-list"),
    pytest.param('{"result":"success","whmcs":{"version":""}}', "NOT_WHMCS", id="version-empty"),
    pytest.param(
        '{"result":"success","whmcs":{"version":"' + "9" * 100_000 + '"}}',
        "NOT_WHMCS",
        id="version-100k",
    ),
    pytest.param(
        '{"result":"success","whmcs":{"version":"8","canonicalversion":{"a":1}}}',
        "NOT_WHMCS",
        id="canonical-object",
    ),
    pytest.param('{"result":["success"]}', "NOT_WHMCS", id="result-a-list"),
    pytest.param('{"result":true}', "NOT_WHMCS", id="result-true"),
    pytest.param('{"whmcs":{"version":"8.13.3"}}', "NOT_WHMCS", id="no-result"),
    pytest.param("[1, 2]", "NOT_WHMCS", id="json-array"),
    pytest.param('"success"', "NOT_WHMCS", id="json-string"),
    pytest.param('{"result":"success",', "NOT_WHMCS", id="truncated"),
    pytest.param("", "NOT_WHMCS", id="empty"),
    pytest.param(_nested(40), "NOT_WHMCS", id="nested-40"),
    pytest.param(_nested(900), "NOT_WHMCS", id="nested-900"),
    pytest.param(_nested(100_000), "NOT_WHMCS", id="nested-100k"),
]


@pytest.mark.parametrize(("body", "failure"), ODD_ANSWERS)
async def test_an_odd_whmcs_details_answer_is_classified(
    api: Api, caplog: pytest.LogCaptureFixture, body: str, failure: str
) -> None:
    api.sandbox.state.faults.push(
        Fault("raw", action="WhmcsDetails", status=200, body=body, content_type="application/json")
    )

    response = await api.raw(CONNECTION_TEST)

    assert "errors" not in response, response
    result = response["data"]["connectionTest"]
    assert (result["success"], result["failure"]) == (False, failure)
    assert result["message"].startswith("Connection failed")
    assert len(result["message"]) < 1000  # no 100 KB version or page quoted whole
    assert result["hint"]
    errors = await models.SyncLog.filter(
        operation=models.SyncOperation.TEST, status=models.LogStatus.ERROR
    ).values_list("error_message", flat=True)
    assert errors == [result["message"].removeprefix("Connection failed: ")]
    assert "Traceback" not in caplog.text
    [line] = [  # one log line, saying what failed
        r
        for r in caplog.records
        if r.levelno >= logging.WARNING and r.name.startswith("integrations")
    ]
    assert line.getMessage().startswith(f"Connection test failed ({failure.lower()})")


async def test_a_lone_surrogate_in_the_version_is_replaced_not_fatal(api: Api) -> None:
    api.sandbox.state.faults.push(
        Fault(
            "raw",
            action="WhmcsDetails",
            status=200,
            body='{"result":"success","whmcs":{"version":"8.13\\udfff"}}',
            content_type="application/json",
        )
    )

    result = (await api.gql(CONNECTION_TEST))["connectionTest"]

    assert (result["success"], result["whmcsVersion"]) == (True, "8.13\ufffd")
    logged = await models.SyncLog.get(whmcs_action="WhmcsDetails")
    assert logged.response_data == {"result": "success", "whmcs": {"version": "8.13\ufffd"}}


def test_every_failure_kind_has_a_connection_failure() -> None:
    from graph.connection.types import FAILURES
    from integrations.whmcs.errors import FailureKind

    assert set(FAILURES) == set(FailureKind)
    assert {f.name for f in FAILURES.values()} == {k.name for k in FailureKind}


async def test_success_reports_version_and_sandbox(api: Api) -> None:
    result = (await api.gql(CONNECTION_TEST))["connectionTest"]

    assert result["success"] is True
    assert (result["whmcsVersion"], result["failure"], result["hint"]) == ("8.13.3", None, None)
    assert result["sandbox"] is True
    assert "sandbox" in result["message"]
    assert isinstance(result["responseTimeMs"], int)
    assert [c["action"] for c in api.sandbox.state.calls] == ["WhmcsDetails"]


@pytest.mark.parametrize("settings_env", [{"WHMCS_ENABLED": "false"}], indirect=True)
async def test_disabled(api: Api) -> None:
    result = (await api.gql(CONNECTION_TEST))["connectionTest"]

    assert (result["success"], result["failure"]) == (False, "DISABLED")
    assert "WHMCS_ENABLED" in result["hint"]
    assert api.sandbox.state.calls == []


@pytest.fixture
async def real_whmcs() -> AsyncIterator[Any]:
    """A WHMCS reached as a configured URL (the sandbox on its own port), not the built-in one."""
    async with await start_sandbox(
        SandboxConfig(identifier="IDENT-visible-nowhere", secret="SECRET-visible-nowhere")
    ) as running:
        yield running


@pytest.mark.parametrize("suffix", ["", "/", "/includes/api.php"])
async def test_configured_url_is_used_without_doubling_the_path(
    db: str, real_whmcs: Any, suffix: str
) -> None:
    from tests.conftest import running_app

    env = {
        "WHMCS_API_URL": real_whmcs.url + suffix,
        "WHMCS_API_IDENTIFIER": "IDENT-visible-nowhere",
        "WHMCS_API_SECRET": "SECRET-visible-nowhere",
    }
    async with running_app(env) as api:
        result = (await api.gql(CONNECTION_TEST))["connectionTest"]

    assert result["success"] is True
    assert result["sandbox"] is False
    assert "sandbox" not in result["message"]
    assert [c["action"] for c in real_whmcs.state.calls] == ["WhmcsDetails"]


async def test_wrong_secret_against_a_configured_whmcs(
    db: str, real_whmcs: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.conftest import running_app

    caplog.set_level(logging.DEBUG)
    env = {
        "WHMCS_API_URL": real_whmcs.url,
        "WHMCS_API_IDENTIFIER": "IDENT-visible-nowhere",
        "WHMCS_API_SECRET": "not-the-secret-123",
    }
    async with running_app(env) as api:
        body = await api.raw(CONNECTION_TEST)

    assert body["data"]["connectionTest"]["failure"] == "AUTHENTICATION_FAILED"
    rows = await models.SyncLog.all().values_list("request_data", "response_data", "error_message")
    for text in (str(body), caplog.text, str(rows)):
        assert "IDENT-visible-nowhere" not in text
        assert "not-the-secret-123" not in text


async def test_closed_port_is_unreachable(db: str) -> None:
    from tests.conftest import running_app

    env = {
        "WHMCS_API_URL": "http://127.0.0.1:9",  # discard port: nothing listens
        "WHMCS_API_IDENTIFIER": "ident",
        "WHMCS_API_SECRET": "secret-value",
    }
    async with running_app(env) as api:
        result = (await api.gql(CONNECTION_TEST))["connectionTest"]

    assert (result["success"], result["failure"]) == (False, "UNREACHABLE")
    assert "WHMCS_API_URL" in result["hint"]


def _assert_no_credentials(api: Api, texts: list[str]) -> None:
    config = api.sandbox.config
    for text in texts:
        assert config.identifier not in text
        assert config.secret not in text

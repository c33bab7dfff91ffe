"""Secrets in the wrong place: echoed by WHMCS into the audit log, in error messages, in a repr.

Redaction used to go by key name only: a secret WHMCS echoed back under an ordinary key (in a
message, a note, a nested list) was stored in clear in `syncLogs.responseData`. Known secret
values are now redacted wherever they appear in what the audit stores.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from aioresponses import aioresponses

import models
from integrations.whmcs.sync import push
from tests.conftest import running_app
from tests.graph.documents import COMPLETE_CLIENT, CREATE_LOCAL, PUSH
from tests.support.fake_whmcs import BASE_URL, IDENTIFIER, SECRET, FakeWhmcs
from whmcs_bridge import cli
from whmcs_bridge.settings import Settings, SettingsError

ACCESS_KEY = "accessKEY-77q1"
PASSWORD2 = "P2-Known-echo-5c7b!"
SECRETS = (IDENTIFIER, SECRET, ACCESS_KEY, PASSWORD2)


def _forms(secret: str) -> set[str]:
    return {secret, quote(secret, safe=""), quote_plus(secret, safe="")}


def _echo(*secrets: str) -> dict[str, Any]:
    """An answer carrying each secret under ordinary keys, nested and URL-encoded."""
    return {
        "note": " ".join(f"echo {s} and {quote(s, safe='')}" for s in secrets),
        "nested": [{"debug": {"sent": list(secrets)}}],
        "form": "&".join(f"v={quote_plus(s, safe='')}" for s in secrets),
    }


@pytest.fixture
def whmcs() -> Iterator[FakeWhmcs]:
    with aioresponses(passthrough=["http://127.0.0.1", "http://localhost"]) as mocked:
        yield FakeWhmcs(mocked)


async def test_secrets_whmcs_echoes_are_redacted_from_everything_the_audit_stores(
    db: str, whmcs: FakeWhmcs, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(push, "new_user_password", lambda: PASSWORD2)
    env = {
        "WHMCS_API_URL": BASE_URL,
        "WHMCS_API_IDENTIFIER": IDENTIFIER,
        "WHMCS_API_SECRET": SECRET,
        "WHMCS_API_ACCESS_KEY": ACCESS_KEY,
        "WHMCS_CACHE_ENABLED": "false",
    }
    credentials = (IDENTIFIER, SECRET, ACCESS_KEY)  # password2 is sent with AddClient only
    whmcs.reply(
        "GetClients", {"result": "success", "totalresults": 0, "clients": "", **_echo(*credentials)}
    )
    whmcs.reply("AddClient", {"result": "success", "clientid": 77, **_echo(*SECRETS)})
    whmcs.reply(
        "GetClients",
        {"result": "error", "message": f"Authentication Failed for {IDENTIFIER} / {SECRET}"},
    )
    async with running_app(env) as api:
        created = await api.gql(CREATE_LOCAL, {"input": COMPLETE_CLIENT})
        pushed = await api.raw(PUSH, {"id": created["createLocalClient"]["id"]})
        listed = await api.raw("{ whmcsClients { ... on WhmcsError { message whmcsMessage } } }")
        logs = await api.raw(
            "{ syncLogs { items { requestData responseData errorMessage whmcsAction } } }"
        )

    assert pushed["data"]["pushClient"]["__typename"] == "PushClientSuccess"
    assert [c["action"] for c in whmcs.calls] == ["GetClients", "AddClient", "GetClients"]
    assert any(c.get("password2") == PASSWORD2 for c in whmcs.calls)  # it was sent...
    rows = await models.SyncLog.all().values(
        "request_data", "response_data", "error_message", "whmcs_action"
    )
    assert {r["whmcs_action"] for r in rows} == {"GetClients", "AddClient"}
    stored = json.dumps(rows, default=str)
    answers = json.dumps([listed, logs])
    for secret in SECRETS:
        for form in _forms(secret):
            assert form not in stored, f"{form!r} is stored in the audit log"
            assert form not in answers, f"{form!r} is in a GraphQL answer"
    assert "[REDACTED]" in stored  # the echoes were there, and were replaced


def test_redaction_by_value_keeps_ordinary_text() -> None:
    from integrations.whmcs.redact import redact, sensitive_values

    sent = {"email": "ana@example.org", "password2": PASSWORD2, "x": {"token": "short"}}
    echoed = {"message": f"user ana@example.org got {PASSWORD2}", "list": ["a", PASSWORD2]}

    cleaned = redact(echoed, sensitive_values(sent))

    assert sensitive_values(sent) == (PASSWORD2,)  # "short" is too short to hunt for
    assert cleaned == {
        "message": "user ana@example.org got [REDACTED]",
        "list": ["a", "[REDACTED]"],
    }
    assert echoed["list"] == ["a", PASSWORD2]  # the input is untouched


BAD_URLS = [
    "htps://admin:hunter2@billing.example.com",
    "https://admin:hunter2@billing.example.com",
    "https://:hunter2@billing.example.com",
    "https://admin:hunter2@[::1",
    "https://admin:hunter2@billing.example.com:99999/whmcs",
    "ftp://admin:hunter2@billing.example.com",
    "//admin:hunter2@billing.example.com",
    "https://ad@min:hunter2@billing.example.com",
    "https://admin:hunter2@",
]


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_malformed_whmcs_url_never_echoes_its_user_info(url: str) -> None:
    env = {"WHMCS_API_URL": url, "WHMCS_API_IDENTIFIER": "i", "WHMCS_API_SECRET": "s"}

    with pytest.raises(SettingsError) as refused:
        Settings.from_env(env, env_file=None)

    assert "hunter2" not in str(refused.value)
    assert "admin" not in str(refused.value)
    assert "WHMCS_API_URL" in str(refused.value)


@pytest.mark.parametrize(
    ("name", "value"),
    [("REDIS_URL", "redis://:hunter2@[::1"), ("CORS_ORIGINS", "https://u:hunter2@[bad")],
)
def test_other_malformed_urls_are_one_line_errors_without_the_password(
    name: str, value: str
) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({name: value}, env_file=None)

    assert name in str(refused.value)
    assert "hunter2" not in str(refused.value)


def test_the_cli_prints_one_line_without_the_password(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.setenv("WHMCS_API_URL", "https://admin:hunter2@billing.example.com")
    monkeypatch.setenv("WHMCS_API_IDENTIFIER", "i")
    monkeypatch.setenv("WHMCS_API_SECRET", "s")

    code = cli.main(["check"])

    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert "hunter2" not in err
    assert "WHMCS_API_URL" in err


def test_the_settings_repr_hides_every_password() -> None:
    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgres://bridge:db-hunter2@db.internal:5432/whmcs_bridge",
            "REDIS_URL": "redis://cache:redis-hunter3@redis.internal:6379/0",
            "WHMCS_API_URL": "https://billing.example.com",
            "WHMCS_API_IDENTIFIER": "ident-hunter4",
            "WHMCS_API_SECRET": "secret-hunter5",
            "WHMCS_API_ACCESS_KEY": "key-hunter6",
        },
        env_file=None,
    )

    shown = [repr(settings), str(settings), f"{settings!r}", repr(settings.whmcs)]

    for text in shown:
        for secret in ("hunter2", "hunter3", "hunter4", "hunter5", "hunter6"):
            assert secret not in text, text
    assert "postgres://bridge:[REDACTED]@db.internal:5432/whmcs_bridge" in shown[0]
    assert "redis://cache:[REDACTED]@redis.internal:6379/0" in shown[0]
    # ...and the log filter knows them all, to scrub them from any line that carries one.
    assert {"db-hunter2", "redis-hunter3", "ident-hunter4", "secret-hunter5"} <= set(
        settings.secret_values()
    )

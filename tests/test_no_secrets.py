"""No credential, password or API token reaches the database, the logs or a response.

Successful and failing operations run against a WHMCS configured by URL (the sandbox on its own
port, with an access key), then all three places are scanned for every secret value.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest

import models
from integrations.whmcs.sandbox import Fault, SandboxConfig, start_sandbox
from integrations.whmcs.sync import push
from tests.conftest import running_app
from tests.graph.documents import (
    COMPLETE_CLIENT,
    CONNECTION_TEST,
    CREATE_LOCAL,
    PULL,
    PUSH,
    SYNC_LOGS,
    UPDATE,
    UPDATE_LOCAL,
    WHMCS_CLIENT,
    WHMCS_CLIENTS,
)
from tests.support.models import registered_models

IDENTIFIER = "IDENT-scan-7f3a9c"
SECRET = "SECRET-scan-4be21d"
ACCESS_KEY = "KEY-scan-99d0e1"
PASSWORD2 = "P2-scan-Known-5c7b"


@pytest.fixture
async def whmcs() -> AsyncIterator[Any]:
    config = SandboxConfig(identifier=IDENTIFIER, secret=SECRET, access_key=ACCESS_KEY)
    async with await start_sandbox(config) as running:
        yield running


async def test_secrets_are_nowhere(
    db: str, whmcs: Any, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setattr(push, "new_user_password", lambda: PASSWORD2)
    env = {
        "WHMCS_API_URL": whmcs.url,
        "WHMCS_API_IDENTIFIER": IDENTIFIER,
        "WHMCS_API_SECRET": SECRET,
        "WHMCS_API_ACCESS_KEY": ACCESS_KEY,
        "WHMCS_API_TIMEOUT": "0.3",
    }
    responses: list[str] = []
    async with running_app(env) as api:
        api_token = api.token
        assert api_token is not None

        async def gql(query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
            body = await api.raw(query, variables)
            responses.append(str(body))
            return body

        created = await gql(CREATE_LOCAL, {"input": COMPLETE_CLIENT})
        client_id = created["data"]["createLocalClient"]["id"]
        pushed = await gql(PUSH, {"id": client_id})
        assert pushed["data"]["pushClient"]["__typename"] == "PushClientSuccess"
        await gql(UPDATE_LOCAL, {"id": client_id, "input": {"city": "Sevilla"}})
        updated = await gql(UPDATE, {"id": client_id})
        assert updated["data"]["updateClient"]["changedFields"] == ["city"]
        await gql(PULL, {"whmcsId": "1"})
        await gql(WHMCS_CLIENTS, {"search": "bob"})
        await gql(WHMCS_CLIENT, {"id": "2"})
        await gql(CONNECTION_TEST)
        # Failures: duplicate, WHMCS errors of every family, an unknown outcome.
        other = await gql(CREATE_LOCAL, {"input": {**COMPLETE_CLIENT, "email": "bob@example.com"}})
        await gql(PUSH, {"id": other["data"]["createLocalClient"]["id"]})
        for fault in ("html_500", "auth_failed", "invalid_ip", "permission_denied", "waf_403"):
            retried = fault == "html_500"  # reads retry a server error twice
            whmcs.state.faults.push(Fault(fault, times=3 if retried else 1))
            await gql(UPDATE_LOCAL, {"id": client_id, "input": {"city": f"City {fault}"}})
            failed = await gql(UPDATE, {"id": client_id})
            assert failed["data"]["updateClient"]["__typename"] == "WhmcsError"
        third = await gql(CREATE_LOCAL, {"input": {**COMPLETE_CLIENT, "email": "late@example.org"}})
        whmcs.state.faults.push(Fault("delay", action="AddClient", seconds=0.6, after_commit=True))
        late = await gql(PUSH, {"id": third["data"]["createLocalClient"]["id"]})
        assert late["data"]["pushClient"]["code"] == "WHMCS_UNAVAILABLE"
        await gql(SYNC_LOGS, {"limit": 100})

    # The password really travelled to WHMCS (so its absence below means something).
    owner = whmcs.state.user_by_email("ana.ruiz@example.org")
    assert owner is not None
    assert owner.check_password(PASSWORD2)
    logged_request = await models.SyncLog.get(whmcs_action="AddClient", status="SUCCESS")
    assert logged_request.request_data["password2"] == "[REDACTED]"

    database = await _dump_database()
    for secret in (IDENTIFIER, SECRET, ACCESS_KEY, PASSWORD2, api_token):
        assert secret not in database, f"{secret} is in the database"
        assert secret not in caplog.text, f"{secret} is in the logs"
        for body in responses:
            assert secret not in body, f"{secret} is in a response"


async def _dump_database() -> str:
    rows: list[Any] = []
    for model in registered_models():
        rows += await model.all().values()
    assert rows, "nothing was stored: the scan would prove nothing"
    return repr(rows)

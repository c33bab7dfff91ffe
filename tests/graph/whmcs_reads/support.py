"""What the module tests share: running a read, the WHMCS calls it made, the audit rows."""

from __future__ import annotations

from typing import Any

import models
from tests.conftest import Api


async def read(api: Api, document: str, **variables: Any) -> dict[str, Any]:
    """The one field the document reads (its union member, as the client received it)."""
    data = await api.gql(document, variables)
    (result,) = data.values()
    assert isinstance(result, dict)
    return result


def actions(api: Api) -> list[str]:
    """The actions the sandbox received since the last look (and forget them)."""
    found = [c["action"] for c in api.sandbox.state.calls]
    api.sandbox.state.calls.clear()
    return found


def last_call(api: Api, action: str) -> dict[str, str]:
    calls = api.sandbox.state.calls_for(action)
    assert calls, f"no {action} call"
    return calls[-1]


async def audit_rows() -> list[tuple[str, str | None, int | None, str | None, str]]:
    """(operation, entity type, WHMCS id, action, status) of every audit row, oldest first."""
    rows = await models.SyncLog.all().order_by("id")
    return [
        (
            r.operation.value,
            r.entity_type.value if r.entity_type else None,
            r.whmcs_id,
            r.whmcs_action,
            r.status.value,
        )
        for r in rows
    ]

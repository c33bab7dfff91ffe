"""``POST /_sandbox/control``: drive a sandbox running in another process.

Body: a JSON object with ``op`` and its arguments; the answer is JSON with ``ok``.

- ``{"op": "reset"}``
- ``{"op": "push_fault", "fault": {"kind": "delay", "action": "AddClient",
  "seconds": 0.2, "after_commit": true, "times": 1}}`` (fields of ``Fault``)
- ``{"op": "set_latency", "latency_ms": 50}``
- ``{"op": "calls"}`` or ``{"op": "calls", "action": "AddClient"}`` -> ``calls``
- ``{"op": "sent_emails"}`` -> ``sent_emails``
- ``{"op": "get_client", "clientid": 3}`` -> ``client``
- ``{"op": "update_client", "clientid": 3, "fields": {"email": "new@example.com"}}``
- ``{"op": "add_client", "fields": {"firstname": "A", "lastname": "B", "email": "a@b.c"}}``
  -> ``clientid`` and ``owner_id``
- ``{"op": "add_record", "kind": "invoice", "fields": {"userid": 3, "date": "2025-01-01",
  "duedate": "2025-01-08", "items": [{"type": "Item", "relid": 0, "description": "Setup",
  "amount": "10.00"}]}}`` -> ``id``. Kinds: service, invoice (``items``, ``transactions``),
  order, ticket (``replies``, ``notes``), domain; fields as in ``module_records.py``, money as
  strings.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from .faults import Fault
from .module_store import RecordError
from .records import ClientRecord
from .state import SandboxState

ControlHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class _OpError(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def create_control_handler(
    state: SandboxState, *, on_change: Callable[[SandboxState], Awaitable[None]] | None = None
) -> ControlHandler:
    """``on_change`` runs after every operation that succeeded (the runner saves the state)."""

    async def handle(request: web.Request) -> web.StreamResponse:
        try:
            data = json.loads(await request.text())
        except ValueError:
            return _fail("body must be JSON", 400)
        if not isinstance(data, dict):
            return _fail("body must be a JSON object", 400)
        try:
            answer = _run(state, data)
        except _OpError as exc:
            return _fail(str(exc), exc.status)
        if on_change is not None:
            await on_change(state)
        return web.json_response({"ok": True, **answer})

    return handle


def _run(state: SandboxState, data: dict[str, Any]) -> dict[str, Any]:
    op = data.get("op")
    match op:
        case "reset":
            state.reset()
            return {}
        case "push_fault":
            fault_data = data.get("fault")
            if not isinstance(fault_data, dict):
                raise _OpError("push_fault needs a 'fault' object")
            try:
                state.faults.push(Fault.from_json(fault_data))
            except (TypeError, ValueError) as exc:
                raise _OpError(f"bad fault: {exc}") from exc
            return {"pending_faults": len(state.faults)}
        case "set_latency":
            latency = data.get("latency_ms")
            if not isinstance(latency, int | float) or isinstance(latency, bool) or latency < 0:
                raise _OpError("latency_ms must be a non-negative number")
            state.latency_ms = float(latency)
            return {"latency_ms": state.latency_ms}
        case "calls":
            action = data.get("action")
            calls = state.calls_for(action) if isinstance(action, str) else state.calls
            return {"calls": calls}
        case "sent_emails":
            return {"sent_emails": [dataclasses.asdict(e) for e in state.sent_emails]}
        case "get_client":
            return {"client": _client_json(_client(state, data))}
        case "update_client":
            client = _client(state, data)
            try:
                state.update_client(client.id, **_fields(data))
            except (TypeError, ValueError) as exc:
                raise _OpError(f"bad fields: {exc}") from exc
            return {"client": _client_json(client)}
        case "add_client":
            try:
                client = state.add_client(**_fields(data))
            except KeyError as exc:
                raise _OpError(f"bad owner: {exc}", 404) from exc
            except (TypeError, ValueError) as exc:
                raise _OpError(f"bad fields: {exc}") from exc
            return {"clientid": client.id, "owner_id": client.owner_user_id}
        case "add_record":
            try:
                record = state.modules.add(str(data.get("kind")), _fields(data))
            except RecordError as exc:
                raise _OpError(f"bad record: {exc}") from exc
            return {"id": record.id}
    raise _OpError(f"unknown op {op!r}")


def _client(state: SandboxState, data: dict[str, Any]) -> ClientRecord:
    client_id = data.get("clientid")
    if not isinstance(client_id, int) or isinstance(client_id, bool):
        raise _OpError("clientid must be an integer")
    client = state.get_client(client_id)
    if client is None:
        raise _OpError(f"no client {client_id}", 404)
    return client


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    fields = data.get("fields")
    if not isinstance(fields, dict):
        raise _OpError("'fields' must be an object")
    return fields


def _client_json(client: ClientRecord) -> dict[str, Any]:
    return dataclasses.asdict(client)


def _fail(message: str, status: int) -> web.Response:
    return web.json_response({"ok": False, "error": message}, status=status)

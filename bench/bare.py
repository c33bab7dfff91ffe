"""The benchmark app: the real app, plus `/bare/*` routes that do the same database work as the
GraphQL reads of the benchmark (same functions, same queries) with a plain Starlette handler.

The bare routes are the floor the GraphQL layer is measured against. They check the bearer token
through the app's own verifier, so both paths pay for authentication. They exist only here, never
in the product.
"""

from __future__ import annotations

import datetime
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import models
from integrations.whmcs.sync import local, reports
from whmcs_bridge.app import create_app
from whmcs_bridge.settings import Settings


def _default(value: object) -> object:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _json(data: object, status: int = 200) -> Response:
    return Response(
        orjson.dumps(data, default=_default), status_code=status, media_type="application/json"
    )


async def _authorised(request: Request) -> bool:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return await request.app.state.verifier.verify(token.strip()) is not None


def _link(link: models.SyncMap | None, local_id: int | str) -> dict[str, Any]:
    if link is None:
        return {"localId": str(local_id), "synced": False, "whmcsId": None, "status": None}
    pending = link.status == models.SyncStatus.PENDING
    return {
        "localId": str(local_id),
        "synced": link.status == models.SyncStatus.SYNCED and link.whmcs_id is not None,
        "whmcsId": None if link.whmcs_id is None else str(link.whmcs_id),
        "status": link.status.value,
        "lastSyncedAt": link.last_synced_at,
        "lastDirection": link.last_direction.value if link.last_direction else None,
        "lastError": None if pending else link.last_error,
        "pendingReason": link.last_error if pending else None,
    }


async def bare_sync_status(request: Request) -> Response:
    if not await _authorised(request):
        return _json({"error": "unauthorised"}, 401)
    local_id = int(request.query_params.get("id", "1"))
    link = await reports.sync_state(models.EntityType.CLIENT, local_id)
    return _json({"syncStatus": _link(link, local_id)})


async def bare_stats(request: Request) -> Response:
    if not await _authorised(request):
        return _json({"error": "unauthorised"}, 401)
    numbers = await reports.stats()
    cache = await request.app.state.bridge.cache.counts()
    return _json(
        {
            "stats": {
                "totalSynced": numbers.synced,
                "totalPending": numbers.pending,
                "totalErrors": numbers.errors,
                "byEntityType": [
                    {"entityType": e.value, "count": n} for e, n in numbers.by_entity_type.items()
                ],
                "cacheHits": cache.hits,
                "cacheMisses": cache.misses,
                "stalePending": numbers.stale_pending,
            }
        }
    )


async def bare_sync_logs(request: Request) -> Response:
    if not await _authorised(request):
        return _json({"error": "unauthorised"}, 401)
    offset = int(request.query_params.get("offset", "0"))
    limit = int(request.query_params.get("limit", "50"))
    page = await reports.sync_logs(reports.LogQuery(), offset=offset, limit=limit)
    items = [
        {
            "id": str(r.id),
            "operation": r.operation.value,
            "status": r.status.value,
            "entityType": r.entity_type.value if r.entity_type else None,
            "localId": None if r.local_id is None else str(r.local_id),
            "whmcsId": None if r.whmcs_id is None else str(r.whmcs_id),
            "whmcsAction": r.whmcs_action,
            "requestData": r.request_data,
            "responseData": r.response_data,
            "errorMessage": r.error_message,
            "durationMs": r.duration_ms,
            "actor": r.actor,
            "correlationId": r.correlation_id,
            "createdAt": r.created_at,
        }
        for r in page.items
    ]
    return _json(
        {"syncLogs": {"total": page.total, "offset": offset, "limit": limit, "items": items}}
    )


async def bare_clients(request: Request) -> Response:
    if not await _authorised(request):
        return _json({"error": "unauthorised"}, 401)
    offset = int(request.query_params.get("offset", "0"))
    limit = int(request.query_params.get("limit", "25"))
    page = await local.list_clients(offset=offset, limit=limit, search=None)
    ids = [c.id for c in page.items]
    links: dict[object, models.SyncMap] = {
        row.local_id: row
        for row in await models.SyncMap.filter(
            entity_type=models.EntityType.CLIENT, local_id__in=ids
        )
    }
    items = [
        {
            "id": str(c.id),
            "firstName": c.values["first_name"],
            "lastName": c.values["last_name"],
            "email": c.values["email"],
            "companyName": c.values["company_name"],
            "city": c.values["city"],
            "country": c.values["country"],
            "sync": _link(links.get(c.id), c.id),
        }
        for c in page.items
    ]
    return _json({"clients": {"total": page.total, "items": items}})


BARE_ROUTES = [
    Route("/bare/sync-status", bare_sync_status, methods=["GET"]),
    Route("/bare/stats", bare_stats, methods=["GET"]),
    Route("/bare/sync-logs", bare_sync_logs, methods=["GET"]),
    Route("/bare/clients", bare_clients, methods=["GET"]),
]


def create_bench_app(settings: Settings) -> Starlette:
    """The product app, unchanged, with the bare routes in front of its own."""
    app = create_app(settings)
    app.router.routes[0:0] = BARE_ROUTES
    return app

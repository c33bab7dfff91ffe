"""Local clients, WHMCS clients and the sync state that ties them."""

from __future__ import annotations

import datetime
from typing import Any, Self

import strawberry

import models
from graph.context import Info
from graph.enums import EntityType, SyncDirection, SyncStatus
from integrations.whmcs.records import WhmcsClientRecord
from integrations.whmcs.sync.mapping import LOCAL_CLIENT_FIELDS
from integrations.whmcs.sync.store import LocalClient, LocalId

# A store that keeps no timestamps (an existing table without them) shows this instant.
_NO_TIME = datetime.datetime.fromtimestamp(0, datetime.UTC)


@strawberry.type
class SyncState:
    entity_type: EntityType
    local_id: strawberry.ID
    synced: bool
    whmcs_id: strawberry.ID | None
    status: SyncStatus | None = strawberry.field(description="Null when there is no link.")
    last_synced_at: datetime.datetime | None
    last_direction: SyncDirection | None
    last_error: str | None
    pending_reason: str | None = strawberry.field(
        default=None,
        description=(
            "Why the link is PENDING: an operation in flight, or one whose outcome is unknown."
        ),
    )

    @classmethod
    def build(
        cls, entity_type: models.EntityType, local_id: LocalId, link: models.SyncMap | None
    ) -> Self:
        if link is None:
            return cls(
                entity_type=entity_type,
                local_id=strawberry.ID(str(local_id)),
                synced=False,
                whmcs_id=None,
                status=None,
                last_synced_at=None,
                last_direction=None,
                last_error=None,
            )
        return cls(
            entity_type=link.entity_type,
            local_id=strawberry.ID(str(local_id)),
            synced=link.status == models.SyncStatus.SYNCED and link.whmcs_id is not None,
            whmcs_id=_opt_id(link.whmcs_id),
            status=link.status,
            last_synced_at=link.last_synced_at,
            last_direction=link.last_direction,
            last_error=link.last_error if link.status != models.SyncStatus.PENDING else None,
            pending_reason=link.last_error if link.status == models.SyncStatus.PENDING else None,
        )


@strawberry.type
class Client:
    id: strawberry.ID
    first_name: str
    last_name: str
    email: str
    company_name: str | None
    phone_number: str | None
    address1: str | None
    address2: str | None
    city: str | None
    state: str | None
    postcode: str | None
    country: str | None = strawberry.field(description="ISO 3166-1 alpha-2.")
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @strawberry.field(description="Read from the sync map only: never calls WHMCS.")
    async def sync(self, info: Info) -> SyncState:
        local_id = info.context.bridge.local_clients.parse_id(str(self.id))
        link = await info.context.loaders.link_by_local_id.load(local_id)
        return SyncState.build(models.EntityType.CLIENT, local_id, link)

    @classmethod
    def from_model(cls, row: models.Client | LocalClient) -> Self:
        if isinstance(row, LocalClient):
            contact: dict[str, Any] = {name: row.values.get(name) for name in LOCAL_CLIENT_FIELDS}
            return cls(
                id=strawberry.ID(str(row.id)),
                **contact,
                created_at=row.created_at or _NO_TIME,
                updated_at=row.updated_at or row.created_at or _NO_TIME,
            )
        return cls(
            id=strawberry.ID(str(row.id)),
            **_contact(row),
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


@strawberry.type
class WhmcsClient:
    id: strawberry.ID
    first_name: str
    last_name: str
    email: str
    company_name: str | None
    status: str | None = strawberry.field(description="Active, Inactive or Closed.")
    created_on: datetime.date | None
    phone_number: str | None
    address1: str | None
    address2: str | None
    city: str | None
    state: str | None
    postcode: str | None
    country: str | None

    @strawberry.field(description="The local client linked to this WHMCS client, if any.")
    async def local_client(self, info: Info) -> Client | None:
        link = await info.context.loaders.link_by_whmcs_id.load(int(self.id))
        if link is None:
            return None
        row = await info.context.loaders.client_by_id.load(link.local_id)
        return Client.from_model(row) if row is not None else None

    @classmethod
    def from_record(cls, record: WhmcsClientRecord) -> Self:
        return cls(
            id=strawberry.ID(str(record.id)),
            **_contact(record),
            status=record.status,
            created_on=record.created_on,
        )


@strawberry.type
class ClientPage:
    items: list[Client]
    total: int
    offset: int
    limit: int


@strawberry.type
class WhmcsClientPage:
    items: list[WhmcsClient]
    total: int
    offset: int
    limit: int


def _contact(source: models.Client | WhmcsClientRecord) -> dict[str, Any]:
    """Name, e-mail, company, phone and address: spelled the same on both sides."""
    return {name: getattr(source, name) for name in LOCAL_CLIENT_FIELDS}


def _opt_id(value: int | None) -> strawberry.ID | None:
    return None if value is None else strawberry.ID(str(value))

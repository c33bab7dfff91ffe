"""Local clients and WHMCS clients: one field list for both (LOCAL_CLIENT_FIELDS' names)."""

from __future__ import annotations

import datetime
from typing import Any, Self

import strawberry

import models
from graph.context import Info
from graph.links.types import SyncState
from graph.types.ids import as_id
from integrations.whmcs.records import WhmcsClientRecord
from integrations.whmcs.sync.mapping import LOCAL_CLIENT_FIELDS
from integrations.whmcs.sync.store import LocalClient

# A store that keeps no timestamps (an existing table without them) shows this instant.
_NO_TIME = datetime.datetime.fromtimestamp(0, datetime.UTC)

# The two sides share the contact fields, in two parts so that a WHMCS client can show its
# standing between them: the schema lists a type's fields base by base, then its own.


@strawberry.type
class ClientIdentity:
    id: strawberry.ID
    first_name: str
    last_name: str
    email: str
    company_name: str | None


@strawberry.type
class ClientAddress:
    phone_number: str | None
    address1: str | None
    address2: str | None
    city: str | None
    state: str | None
    postcode: str | None
    country: str | None


@strawberry.type
class WhmcsStanding:
    status: str | None = strawberry.field(description="Active, Inactive or Closed.")
    created_on: datetime.date | None


@strawberry.type
class Client(ClientIdentity, ClientAddress):
    country: str | None = strawberry.field(description="ISO 3166-1 alpha-2.")
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @strawberry.field(description="Read from the sync map only: never calls WHMCS.")
    async def sync(self, info: Info) -> SyncState:
        local_id = info.context.bridge.local_clients.parse_id(str(self.id))
        link = await info.context.loaders.link_by_local_id(models.EntityType.CLIENT).load(local_id)
        return SyncState.build(models.EntityType.CLIENT, local_id, link)

    @classmethod
    def from_model(cls, row: models.Client | LocalClient) -> Self:
        if isinstance(row, LocalClient):
            contact: dict[str, Any] = {name: row.values.get(name) for name in LOCAL_CLIENT_FIELDS}
            return cls(
                id=as_id(row.id),
                **contact,
                created_at=row.created_at or _NO_TIME,
                updated_at=row.updated_at or row.created_at or _NO_TIME,
            )
        return cls(
            id=as_id(row.id),
            **_contact(row),
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


@strawberry.type
class WhmcsClient(ClientIdentity, WhmcsStanding, ClientAddress):
    @strawberry.field(description="The local client linked to this WHMCS client, if any.")
    async def local_client(self, info: Info) -> Client | None:
        link = await info.context.loaders.link_by_whmcs_id(models.EntityType.CLIENT).load(
            int(self.id)
        )
        if link is None:
            return None
        row = await info.context.loaders.client_by_id.load(link.local_id)
        return Client.from_model(row) if row is not None else None

    @classmethod
    def from_record(cls, record: WhmcsClientRecord) -> Self:
        return cls(
            id=as_id(record.id),
            **_contact(record),
            status=record.status,
            created_on=record.created_on,
        )


def _contact(source: models.Client | WhmcsClientRecord) -> dict[str, Any]:
    """Name, e-mail, company, phone and address: spelled the same on both sides."""
    return {name: getattr(source, name) for name in LOCAL_CLIENT_FIELDS}

"""whmcsDomains: a WHMCS client's domains."""

from __future__ import annotations

from typing import Annotated

import strawberry

import models
from graph.context import Info
from graph.domains.types import WhmcsDomain
from graph.errors import to_member
from graph.types.errors import NotFoundError, WhmcsError
from graph.types.page import Page, page_of
from graph.whmcs_reads import ModuleRead, page_args, read_module
from integrations.whmcs import entities as e
from integrations.whmcs.sync.errors import SyncError

WhmcsDomainsResult = Annotated[
    Page[WhmcsDomain] | NotFoundError | WhmcsError, strawberry.union("WhmcsDomainsResult")
]


@strawberry.type
class Query:
    @strawberry.field(
        description=(
            "The WHMCS client's domains. NotFoundError (side WHMCS, entityType CLIENT) when "
            "there is no such WHMCS client."
        )
    )
    async def whmcs_domains(
        self, info: Info, whmcs_client_id: strawberry.ID, offset: int = 0, limit: int = 25
    ) -> WhmcsDomainsResult:
        try:
            args = page_args(whmcs_client_id, offset, limit)
            read = ModuleRead(
                entity_type=models.EntityType.DOMAIN,
                operation=models.SyncOperation.LIST,
                key=args.key,
                owner=args.client_id,
                record_type=e.WhmcsPage[e.WhmcsDomain],
            )
            page = await read_module(
                info,
                read,
                lambda whmcs: whmcs.domains.list(args.client_id, offset=offset, limit=limit),
            )
        except SyncError as exc:
            return to_member(exc)
        return page_of(
            WhmcsDomain,
            page.items,
            WhmcsDomain.from_record,
            total=page.total,
            offset=offset,
            limit=limit,
        )

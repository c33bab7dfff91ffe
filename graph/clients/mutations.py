"""The client mutations: the local side (create, update, delete) and the sync with WHMCS (push,
update, pull, link). Expected failures come back as union members, never raised."""

from __future__ import annotations

from typing import Annotated

import strawberry

import models
from graph import inputs
from graph.clients.inputs import ClientInput, ClientPatch
from graph.clients.types import Client, WhmcsClient
from graph.context import Info
from graph.enums import PullOperation, PushOperation
from graph.errors import failure, stale_link, to_member
from graph.inputs import given_fields, local_id, unset_to_none
from graph.types.errors import (
    AlreadyLinkedError,
    ConflictError,
    DuplicateInWhmcsError,
    NotFoundError,
    NotLinkedError,
    StaleLink,
    SyncInProgressError,
    ValidationError,
    WhmcsError,
)
from graph.types.ids import as_id
from integrations.whmcs.sync import local
from integrations.whmcs.sync.errors import SyncError
from integrations.whmcs.sync.store import LocalId, LocalStore


def _stale_link_field() -> StaleLink | None:
    return strawberry.field(
        default=None,
        description=(
            "Another local client's link to this WHMCS client was stale: it is marked ERROR and "
            "gave the WHMCS id up to this one (both steps are in the audit log). Null otherwise."
        ),
    )


@strawberry.type
class PushClientSuccess:
    operation: PushOperation
    whmcs_id: strawberry.ID
    sync_map_id: strawberry.ID
    client: Client
    stale_link: StaleLink | None = _stale_link_field()


@strawberry.type
class UpdateClientSuccess:
    whmcs_id: strawberry.ID
    changed_fields: list[str] = strawberry.field(
        description=(
            "WHMCS field names that were sent, by WHMCS's names (phonenumber); empty when "
            "nothing differed (then WHMCS is not written)."
        )
    )
    client: Client


@strawberry.type
class PullClientSuccess:
    operation: PullOperation
    whmcs_client: WhmcsClient
    client: Client
    changed_fields: list[str] = strawberry.field(
        description="Local field names that changed, by their GraphQL names (phoneNumber)."
    )
    stale_link: StaleLink | None = _stale_link_field()


@strawberry.type
class LinkClientSuccess:
    client: Client
    whmcs_client: WhmcsClient
    stale_link: StaleLink | None = _stale_link_field()


@strawberry.type
class DeleteLocalClientSuccess:
    id: strawberry.ID


LocalClientResult = Annotated[
    Client | ValidationError | NotFoundError, strawberry.union("LocalClientResult")
]
DeleteLocalClientResult = Annotated[
    DeleteLocalClientSuccess | NotFoundError, strawberry.union("DeleteLocalClientResult")
]
PushClientResult = Annotated[
    PushClientSuccess
    | NotFoundError
    | ValidationError
    | AlreadyLinkedError
    | DuplicateInWhmcsError
    | SyncInProgressError
    | WhmcsError,
    strawberry.union("PushClientResult"),
]
# AlreadyLinkedError: an unanswered create whose e-mail turns out linked to another client.
UpdateClientResult = Annotated[
    UpdateClientSuccess
    | NotFoundError
    | NotLinkedError
    | ValidationError
    | ConflictError
    | SyncInProgressError
    | WhmcsError
    | AlreadyLinkedError,
    strawberry.union("UpdateClientResult"),
]
# ConflictError: the linked WHMCS client holds another e-mail than at the last sync.
PullClientResult = Annotated[
    PullClientSuccess
    | NotFoundError
    | ValidationError
    | AlreadyLinkedError
    | SyncInProgressError
    | WhmcsError
    | ConflictError,
    strawberry.union("PullClientResult"),
]
# It takes the record's claim (as unlink does), so it can meet another operation holding it.
LinkClientResult = Annotated[
    LinkClientSuccess | NotFoundError | AlreadyLinkedError | SyncInProgressError | WhmcsError,
    strawberry.union("LinkClientResult"),
]

Op = models.SyncOperation


@strawberry.type
class ClientMutation:
    @strawberry.mutation
    async def create_local_client(self, info: Info, input: ClientInput) -> LocalClientResult:
        try:
            row = await local.create_client(given_fields(input), store=info.context.bridge.store)
        except SyncError as exc:
            return await failure(info, None, exc)
        return Client.from_model(row)

    @strawberry.mutation
    async def update_local_client(
        self, info: Info, id: strawberry.ID, input: ClientPatch
    ) -> LocalClientResult:
        try:
            row = await local.update_client(
                local_id(id, store=info.context.bridge.store),
                given_fields(input),
                store=info.context.bridge.store,
            )
        except SyncError as exc:
            return await failure(info, None, exc)
        return Client.from_model(row)

    @strawberry.mutation(description="Deletes the local client and its link; never touches WHMCS.")
    async def delete_local_client(self, info: Info, id: strawberry.ID) -> DeleteLocalClientResult:
        try:
            await local.delete_client(
                local_id(id, store=info.context.bridge.store), store=info.context.bridge.store
            )
        except SyncError as exc:
            return await failure(info, None, exc)
        return DeleteLocalClientSuccess(id=id)

    @strawberry.mutation(
        description=(
            "Creates the local client in WHMCS and links the two.\n"
            "Linked already: AlreadyLinkedError, unless forceCreate (then a new WHMCS client is "
            "created and the link moves to it).\n"
            "Before creating, WHMCS is searched for the e-mail (exact, case-insensitive): "
            "if found, linkExisting links to it (operation LINKED);\n"
            "otherwise DuplicateInWhmcsError names it. "
            "Never creates two WHMCS clients for one push, whatever fails or runs at the same time."
        )
    )
    async def push_client(
        self,
        info: Info,
        client_id: strawberry.ID,
        force_create: bool = False,
        link_existing: bool = False,
    ) -> PushClientResult:
        audit = info.context.audit(Op.PUSH)
        try:
            result = await info.context.bridge.pushes(audit).push(
                local_id(client_id, store=info.context.bridge.store),
                force_create=force_create,
                link_existing=link_existing,
            )
        except SyncError as exc:
            await audit.failed(exc.message)
            return to_member(exc)
        return PushClientSuccess(
            operation=PushOperation[result.operation.value],
            whmcs_id=as_id(result.whmcs_id),
            sync_map_id=as_id(result.sync_map_id),
            client=Client.from_model(result.client),
            stale_link=stale_link(result.stale),
        )

    @strawberry.mutation(
        description=(
            "Sends the linked local client's mapped fields to WHMCS (only those that differ).\n"
            "If WHMCS changed any of those fields since the last sync: ConflictError, unless force."
        )
    )
    async def update_client(
        self, info: Info, client_id: strawberry.ID, force: bool = False
    ) -> UpdateClientResult:
        audit = info.context.audit(Op.UPDATE)
        try:
            result = await info.context.bridge.pushes(audit).update(
                local_id(client_id, store=info.context.bridge.store), force=force
            )
        except SyncError as exc:
            await audit.failed(exc.message)
            return to_member(exc)
        return UpdateClientSuccess(
            whmcs_id=as_id(result.whmcs_id),
            changed_fields=result.changed_fields,
            client=Client.from_model(result.client),
        )

    @strawberry.mutation(
        description=(
            "Reads the WHMCS client and writes it into the local side: into localId when given, "
            "else into the linked local client,\nelse into the unlinked local client with the same "
            "e-mail, else into a new local client. Links them."
        )
    )
    async def pull_client(
        self, info: Info, whmcs_id: strawberry.ID, local_id: strawberry.ID | None = strawberry.UNSET
    ) -> PullClientResult:
        audit = info.context.audit(Op.PULL)
        try:
            target = _local_arg(unset_to_none(local_id), info.context.bridge.local_clients)
            result = await info.context.bridge.pulls(audit).pull(
                inputs.whmcs_id(whmcs_id), local_id=target
            )
        except SyncError as exc:
            await audit.failed(exc.message)
            return to_member(exc)
        return PullClientSuccess(
            operation=PullOperation[result.operation.value],
            whmcs_client=WhmcsClient.from_record(result.record),
            client=Client.from_model(result.client),
            changed_fields=result.changed_fields,
            stale_link=stale_link(result.stale),
        )

    @strawberry.mutation(
        description=(
            "Links an existing local client to an existing WHMCS client (checked to exist). "
            "No data is copied."
        )
    )
    async def link_client(
        self, info: Info, client_id: strawberry.ID, whmcs_id: strawberry.ID
    ) -> LinkClientResult:
        audit = info.context.audit(Op.LINK)
        try:
            result = await info.context.bridge.pulls(audit).link(
                local_id(client_id, store=info.context.bridge.store),
                inputs.whmcs_id(whmcs_id),
            )
        except SyncError as exc:
            await audit.failed(exc.message)
            return to_member(exc)
        return LinkClientSuccess(
            client=Client.from_model(result.client),
            whmcs_client=WhmcsClient.from_record(result.record),
            stale_link=stale_link(result.stale),
        )


def _local_arg(value: strawberry.ID | None, store: LocalStore) -> LocalId | None:
    return None if value is None else local_id(value, store=store)

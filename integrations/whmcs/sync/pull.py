"""pullClient, linkClient and unlink: WHMCS -> local side, and the links themselves."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from enum import StrEnum

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

import models
from integrations.whmcs.records import WhmcsClientRecord
from integrations.whmcs.sync import links
from integrations.whmcs.sync.base import SyncBase, email_of, local_values, same, snapshot_of
from integrations.whmcs.sync.claims import Claim
from integrations.whmcs.sync.errors import (
    AlreadyLinked,
    Difference,
    FieldConflict,
    FieldProblem,
    InvalidInput,
    NotLinked,
    RecordNotFound,
    StaleLink,
    SyncInProgress,
    ValueTaken,
)
from integrations.whmcs.sync.push import CLIENT
from integrations.whmcs.sync.registry import local_record_missing
from integrations.whmcs.sync.store import LocalClient, LocalId, LocalStore
from integrations.whmcs.sync.validation import api_field_name, clean_client_fields


class PullOutcome(StrEnum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"


@dataclass(frozen=True, slots=True)
class PullResult:
    operation: PullOutcome
    record: WhmcsClientRecord
    client: LocalClient
    changed_fields: list[str]  # local fields by their API (GraphQL) names, e.g. phoneNumber
    stale: StaleLink | None = None  # another local client's stale link that gave up the id


@dataclass(frozen=True, slots=True)
class LinkResult:
    client: LocalClient
    record: WhmcsClientRecord
    stale: StaleLink | None = None


@dataclass(frozen=True, slots=True)
class UnlinkResult:
    local_id: LocalId
    whmcs_id: int


class PullSync(SyncBase):
    async def pull(self, whmcs_id: int, *, local_id: LocalId | None) -> PullResult:
        self.audit.about(whmcs_id=whmcs_id, local_id=local_id)
        self.require_whmcs()
        link, target, taken = (
            await self._follow_link(whmcs_id) if local_id is None else (None, None, None)
        )
        if taken is None:
            link = await models.SyncMap.get_or_none(entity_type=CLIENT, whmcs_id=whmcs_id)
            target = await self._target(link, local_id)
        if target is not None:
            self.audit.about(local_id=target.id)
        holding = (
            self.claims.holding(taken)
            if taken is not None
            else self.claims.hold(CLIENT, target.id)
            if target is not None
            else contextlib.nullcontext()
        )
        async with self.audit.deferred(), holding as claim:
            if claim is not None and claim.row.whmcs_id not in (None, whmcs_id):
                raise AlreadyLinked(
                    claim.row.local_id,
                    claim.row.whmcs_id,
                    f"Local client {claim.row.local_id} is linked to WHMCS client "
                    f"{claim.row.whmcs_id}; unlink it first.",
                )
            if claim is not None and claim.row.whmcs_id == whmcs_id:  # following the link
                assert target is not None
                record = await self.fresh_or_retire(whmcs_id, claim.row, holder=claim.token)
                if local_id is None:  # a localId naming it says: the same person
                    await self._check_identity(claim, target, record)
                return await self._write_local(record, target, claim)
            record = await self.fresh_or_retire(whmcs_id, link)
            # Into another local client than the linked one: only over a stale link.
            stale = await self.make_room(whmcs_id, target.id, record) if target else None
            return await self._write_local(record, target, claim, stale)

    async def _follow_link(
        self, whmcs_id: int
    ) -> tuple[models.SyncMap | None, LocalClient | None, Claim | None]:
        """A pull naming no local client, the usual case (a linked client): its link claimed in
        the statement that finds it, and the local client it names. (None, None, None) when
        that is not the case (no link, a held one, a link to a local client that is gone):
        the caller then looks the link up and claims as for any other pull."""
        claim = await self.claims.claim_linked(CLIENT, whmcs_id)
        if claim is None:
            return None, None, None
        try:
            target = await self.store.get(claim.row.local_id)
        except BaseException:
            await self.claims.release(claim)
            raise
        if target is None:
            await self.claims.release(claim)
            return None, None, None
        return claim.row, target, claim

    async def _target(
        self, link: models.SyncMap | None, local_id: LocalId | None
    ) -> LocalClient | None:
        """The local client a pull writes into; None means a new one (the contract's order)."""
        if local_id is not None:
            client = await self.store.get(local_id)
            if client is None:
                raise RecordNotFound(CLIENT, local_id, "LOCAL")
            return client
        if link is not None:
            return await self.store.get(link.local_id)
        return None

    async def _check_identity(
        self, claim: Claim, client: LocalClient, record: WhmcsClientRecord
    ) -> None:
        """A link whose WHMCS client holds another e-mail than at the last sync is not followed:
        ConflictError on the e-mail, and the link is marked ERROR."""
        problem = links.identity_problem(claim.row, record, email_of(client))
        if problem is None:
            return
        await self.retire(claim, problem)
        before = (claim.row.snapshot or {}).get("email")
        raise FieldConflict(
            [Difference("email", email_of(client), record.email, before, "email")],
            f"{problem} The link of local client {client.id} is marked ERROR and nothing was "
            f"copied. If it is the same person, pull with localId: {client.id} to accept it; "
            f"otherwise unlink local client {client.id} and pull again.",
        )

    async def _write_local(
        self,
        record: WhmcsClientRecord,
        target: LocalClient | None,
        claim: Claim | None,
        stale: StaleLink | None = None,
    ) -> PullResult:
        incoming = self.mapping.to_local(record.whmcs_fields())
        if target is None:
            target = await self.store.find_by_email(record.email)
            if target is not None:
                return await self._into_same_email(record, target)
        try:
            values = clean_client_fields(incoming, partial=target is not None)
        except InvalidInput as exc:
            raise InvalidInput(
                exc.problems, f"WHMCS client {record.id} cannot be stored locally: {exc.message}"
            ) from None
        changed = (
            sorted(k for k, v in values.items() if v is not None)
            if target is None
            else await _changes(self.store, target, values)
        )
        # The local write and the link together; a link alone is one statement, no transaction.
        together = (
            in_transaction("default") if target is None or changed else contextlib.nullcontext()
        )
        try:
            async with together:
                if target is None:
                    client = await self.store.create(values)
                    outcome = PullOutcome.CREATED
                else:
                    client = target
                    if changed:
                        client = await self.store.update(
                            target.id, {key: values[key] for key in changed}
                        )
                    outcome = PullOutcome.UPDATED
                row = (
                    claim.row
                    if claim is not None
                    else models.SyncMap(
                        entity_type=CLIENT, local_id=client.id, status=models.SyncStatus.PENDING
                    )
                )
                self.linked(
                    row,
                    whmcs_id=record.id,
                    snapshot=snapshot_of(record),
                    direction=models.SyncDirection.PULL,
                )
                if claim is not None:  # the link's save gives the claim up, in the transaction
                    await self.claims.save_and_release(claim)
                else:
                    await row.save()
        except BaseException as exc:
            if claim is not None:
                claim.released = False  # rolled back with the transaction: still to release
            if isinstance(exc, IntegrityError | ValueTaken):
                # Another pull of the same WHMCS client, or a local client that took the e-mail,
                # won the race; nothing of this one was kept.
                raise SyncInProgress(whmcs_id=record.id) from None
            raise
        self.audit.about(local_id=client.id)
        await links.note_taken(self.audit, stale, client.id)
        changed_names = sorted(api_field_name(f) for f in changed)
        return PullResult(outcome, record, client, changed_names, stale)

    async def _into_same_email(self, record: WhmcsClientRecord, target: LocalClient) -> PullResult:
        async with self.claims.hold(CLIENT, target.id) as claim:
            # Linked to this very WHMCS client: a concurrent pull linked it after our lookup.
            if claim.row.whmcs_id not in (None, record.id):
                raise AlreadyLinked(
                    target.id,
                    claim.row.whmcs_id,
                    f"Local client {target.id} has this e-mail and is linked to WHMCS client "
                    f"{claim.row.whmcs_id}.",
                )
            return await self._write_local(record, target, claim)

    async def link(self, local_id: LocalId, whmcs_id: int) -> LinkResult:
        self.audit.about(local_id=local_id, whmcs_id=whmcs_id)
        client = await self.store.get(local_id)
        if client is None:
            raise RecordNotFound(CLIENT, local_id, "LOCAL")
        self.require_whmcs()
        async with self.audit.deferred(), self.claims.hold(CLIENT, local_id) as claim:
            if claim.row.whmcs_id is not None:
                raise AlreadyLinked(
                    local_id,
                    claim.row.whmcs_id,
                    f"Local client {local_id} is already linked to WHMCS client "
                    f"{claim.row.whmcs_id}; unlink it first.",
                )
            other = await models.SyncMap.get_or_none(entity_type=CLIENT, whmcs_id=whmcs_id)
            record = await self.fresh_or_retire(whmcs_id, other)
            stale = await self.make_room(whmcs_id, local_id, record)  # only over a stale link
            self.linked(claim.row, whmcs_id=whmcs_id, snapshot=snapshot_of(record), direction=None)
            try:
                await self.claims.save_and_release(claim)
            except IntegrityError:
                raise SyncInProgress(whmcs_id=whmcs_id) from None
            await links.note_taken(self.audit, stale, local_id)
            return LinkResult(client, record, stale)

    async def unlink(self, entity_type: models.EntityType, local_id: LocalId) -> UnlinkResult:
        self.audit.about(local_id=local_id)
        row = await models.SyncMap.get_or_none(entity_type=entity_type, local_id=local_id)
        if row is None or row.whmcs_id is None:
            # A link is removed even if its local record is gone; without one, a record that
            # does not exist is not found, as in every other operation.
            if await local_record_missing(entity_type, local_id, self.store):
                raise RecordNotFound(entity_type, local_id, "LOCAL")
            raise NotLinked(local_id, entity_type)
        async with self.claims.hold(entity_type, local_id) as claim:
            whmcs_id = claim.row.whmcs_id
            if whmcs_id is None:
                raise NotLinked(local_id, entity_type)
            await models.SyncMap.filter(id=claim.row.id, lease_token=claim.token).delete()
            claim.released = True  # the row is gone
        self.audit.about(whmcs_id=whmcs_id)
        await self.audit.succeeded(f"Link {local_id} <-> {whmcs_id} removed.")
        return UnlinkResult(local_id, whmcs_id)


async def _changes(
    store: LocalStore, client: LocalClient, values: dict[str, str | None]
) -> list[str]:
    """The local fields a pull changes; an e-mail another local client holds is refused (one
    the client holds already, whatever its case, needs no check: the pull adds no holder)."""
    current = local_values(client)
    changed = sorted(
        k
        for k, v in values.items()
        if not same(k, v, current.get(k)) or (k == "email" and v != current.get(k))
    )
    email = values.get("email")
    if email is not None and email.lower() != (current.get("email") or "").lower():
        taken = await store.find_by_email(email, exclude=client.id)
        if taken is not None:
            raise InvalidInput(
                [FieldProblem("email", f"is already used by local client {taken.id}.")]
            )
    return changed

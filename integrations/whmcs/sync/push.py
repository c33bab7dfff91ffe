"""pushClient and updateClient: local client -> WHMCS.

WHMCS has no idempotency keys, so a create is never sent twice blindly: the e-mail is looked up
(fresh) before AddClient, the intent is recorded as PENDING before the call, and a create whose
answer never came is reconciled by e-mail before anything is written again.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from enum import StrEnum

from tortoise.exceptions import IntegrityError

import models
from integrations.whmcs.errors import WhmcsDuplicateEmailError
from integrations.whmcs.records import WhmcsClientRecord
from integrations.whmcs.sync import links
from integrations.whmcs.sync.base import (
    SyncBase,
    crash_point,
    email_of,
    local_values,
    outcome_unknown,
    same,
    snapshot_of,
)
from integrations.whmcs.sync.claims import Claim
from integrations.whmcs.sync.errors import (
    AlreadyLinked,
    Difference,
    DuplicateInWhmcs,
    FieldConflict,
    FieldProblem,
    InvalidInput,
    NotLinked,
    RecordNotFound,
    StaleLink,
    SyncError,
    SyncInProgress,
    WhmcsUnusable,
)
from integrations.whmcs.sync.store import LocalClient, LocalId
from integrations.whmcs.sync.validation import (
    api_field_name,
    missing_for_whmcs,
    whmcs_message_field,
)

CLIENT = models.EntityType.CLIENT


class PushOutcome(StrEnum):
    CREATED = "CREATED"
    LINKED = "LINKED"


@dataclass(frozen=True, slots=True)
class PushResult:
    operation: PushOutcome
    whmcs_id: int
    sync_map_id: int
    client: LocalClient
    stale: StaleLink | None = None  # another local client's stale link that gave up the id


@dataclass(frozen=True, slots=True)
class UpdateResult:
    whmcs_id: int
    changed_fields: list[str]
    client: LocalClient


def new_user_password() -> str:
    """The password of the WHMCS user AddClient creates: strong, random, never stored or logged.

    The person sets their own through WHMCS's password reset; nobody ever needs this one.
    """
    alphabet = string.ascii_letters + string.digits
    return (
        secrets.choice(string.ascii_uppercase)
        + secrets.choice(string.digits)
        + "".join(secrets.choice(alphabet) for _ in range(30))
        + secrets.choice("!#%*-_")
    )


class PushSync(SyncBase):
    async def _local_client(self, local_id: LocalId) -> LocalClient:
        client = await self.store.get(local_id)
        if client is None:
            raise RecordNotFound(CLIENT, local_id, "LOCAL")
        return client

    async def push(
        self, local_id: LocalId, *, force_create: bool, link_existing: bool
    ) -> PushResult:
        self.audit.about(local_id=local_id)
        client = await self._local_client(local_id)
        fields = self.mapping.to_whmcs(local_values(client))
        if not self.options.skip_validation:
            missing = missing_for_whmcs(fields, {r.whmcs: r.local for r in self.mapping.rules})
            if missing:
                raise InvalidInput(
                    missing,
                    "WHMCS will refuse this client: "
                    + ", ".join(p.field for p in missing)
                    + " missing.",
                )
        self.require_whmcs()
        async with (
            self.audit.deferred(),
            self.claims.hold(CLIENT, local_id, expect_new=True) as claim,
        ):
            return await self._push_claimed(claim, client, fields, force_create, link_existing)

    async def _push_claimed(
        self,
        claim: Claim,
        client: LocalClient,
        fields: dict[str, str | None],
        force_create: bool,
        link_existing: bool,
    ) -> PushResult:
        row = claim.row
        if row.whmcs_id is None and claim.inherited_unknown:
            reconciled = await self._reconcile(claim, client, final=True)
            if reconciled is not None:
                return reconciled
        if row.whmcs_id is not None and not force_create:
            raise AlreadyLinked(
                client.id,
                row.whmcs_id,
                f"Local client {client.id} is already linked to WHMCS client {row.whmcs_id}; "
                "use updateClient, or forceCreate: true to create a new WHMCS client.",
            )
        existing = await self.find_by_email(email_of(client))
        if existing is None:
            return await self._create(claim, client, fields)
        if existing.id == row.whmcs_id or not link_existing:
            # Linked to another local client: AlreadyLinked while that link fits; a stale one
            # is marked ERROR (and released only when linkExisting links this one).
            stale = await self.make_room(existing.id, client.id, existing, release=False)
            raise DuplicateInWhmcs(existing.id, email_of(client), stale)
        return await self._link(claim, client, existing, PushOutcome.LINKED, final=True)

    async def _reconcile(
        self, claim: Claim, client: LocalClient, *, final: bool
    ) -> PushResult | None:
        """The claimed link is PENDING with no WHMCS id and nobody held it: a create whose answer
        never came. WHMCS is searched for the e-mail (fresh). Found: it is the client that create
        made, linked now (CREATED), unless another local client's link to it still fits; then
        the create never happened, and the link says so instead of staying PENDING. None: WHMCS
        has no such client, so nothing was created. ``final``: the link's save ends the
        operation (and releases the claim)."""
        found = await self.find_by_email(email_of(client))
        if found is None:
            return None
        try:
            return await self._link(claim, client, found, PushOutcome.CREATED, final=final)
        except AlreadyLinked as exc:
            claim.row.status = models.SyncStatus.ERROR
            claim.row.last_error = (
                f"The unanswered AddClient was checked: WHMCS client {found.id}, which has this "
                f"e-mail, is linked to local client {exc.local_id}, so nothing was created."
            )
            claim.row.unconfirmed = None
            await claim.row.save()
            raise

    async def _create(
        self, claim: Claim, client: LocalClient, fields: dict[str, str | None]
    ) -> PushResult:
        before = (claim.row.status, claim.row.last_error)
        await self.mark_pending(claim, "AddClient sent; waiting for WHMCS to answer.", fields)
        try:
            whmcs_id = await self.call(
                lambda: self.whmcs.clients.add(
                    fields,
                    password2=new_user_password(),
                    noemail=not self.options.send_welcome_email,
                    skipvalidation=self.options.skip_validation,
                )
            )
        except WhmcsUnusable as exc:
            unknown = outcome_unknown(exc)
            if unknown:
                await self.forget(CLIENT, None)
            await self.settle_failure(
                claim, before, exc, write_action="AddClient", outcome_unknown=unknown
            )
            raise await self._explain_rejection(exc, email_of(client)) from exc
        if self.options.crash_at:  # the fault hook dies after AddClient's row is written
            await self.audit.settle()
        crash_point(self.options, "after-whmcs-write")
        self.audit.about(whmcs_id=whmcs_id)
        await self.forget(CLIENT, whmcs_id)
        # WHMCS just made this id for this client: a link another local client holds on it is
        # stale by definition (restored or reset WHMCS), whatever its snapshot says.
        reason = (
            f"AddClient gave WHMCS client {whmcs_id} to local client {client.id}: WHMCS no "
            f"longer holds the client this link was made for ({links.REUSED_IDS})."
        )
        try:
            stale = await self.make_room(whmcs_id, client.id, None, reason=reason)
            snapshot = {k: v for k, v in fields.items()}
            self.linked(
                claim.row, whmcs_id=whmcs_id, snapshot=snapshot, direction=models.SyncDirection.PUSH
            )
            await self.claims.save_and_release(claim)
        except (SyncInProgress, IntegrityError):
            raise await self._created_but_not_linked(claim, whmcs_id) from None
        await links.note_taken(self.audit, stale, client.id)
        return PushResult(PushOutcome.CREATED, whmcs_id, claim.row.id, client, stale)

    async def _created_but_not_linked(self, claim: Claim, whmcs_id: int) -> SyncInProgress:
        """WHMCS created the client but another operation holds the link to its id: the row
        stays PENDING, so the next operation on this client finds it by e-mail and links it."""
        await claim.row.refresh_from_db()
        claim.row.status = models.SyncStatus.PENDING
        claim.row.last_error = (
            f"AddClient created WHMCS client {whmcs_id}, but another operation holds the link "
            "to that id; the next operation on this client links it."
        )
        await claim.row.save(update_fields=["status", "last_error", "updated_at"])
        return SyncInProgress(message=f"{claim.row.last_error} Try again in a moment.")

    async def _explain_rejection(self, error: WhmcsUnusable, email: str | None) -> SyncError:
        """A WHMCS refusal about one field becomes a ValidationError naming it (local name)."""
        if error.kind != "REJECTED":
            return error
        if email is not None and isinstance(error.__cause__, WhmcsDuplicateEmailError):
            # Someone created it between our e-mail check and AddClient.
            found = await self.find_by_email(email)
            if found is not None:
                return DuplicateInWhmcs(found.id, email)
        field = whmcs_message_field(error.whmcs_message)
        if field is None or not any(r.whmcs == field for r in self.mapping.rules):
            return error
        local = self.mapping.local_name(field)
        return InvalidInput(
            [FieldProblem(api_field_name(local), f"WHMCS refused it: {error.whmcs_message}")],
            f"WHMCS refused the client: {error.whmcs_message}",
        )

    async def _link(
        self,
        claim: Claim,
        client: LocalClient,
        found: WhmcsClientRecord,
        outcome: PushOutcome,
        *,
        final: bool,
    ) -> PushResult:
        record = await self.fresh_client(found.id)  # the list row lacks address and phone
        stale = await self.make_room(record.id, client.id, record)
        self.audit.about(whmcs_id=record.id)
        self.linked(
            claim.row,
            whmcs_id=record.id,
            snapshot=snapshot_of(record),
            direction=models.SyncDirection.PUSH,
        )
        try:
            if final:
                await self.claims.save_and_release(claim)
            else:
                await claim.row.save()
        except IntegrityError:  # another operation linked it meanwhile; WHMCS was not written
            raise SyncInProgress(whmcs_id=record.id) from None
        await links.note_taken(self.audit, stale, client.id)
        return PushResult(outcome, record.id, claim.row.id, client, stale)

    async def update(self, local_id: LocalId, *, force: bool) -> UpdateResult:
        self.audit.about(local_id=local_id)
        client = await self._local_client(local_id)
        self.require_whmcs()
        async with self.audit.deferred(), self.claims.hold(CLIENT, local_id) as claim:
            return await self._update_claimed(claim, client, force)

    async def _update_claimed(self, claim: Claim, client: LocalClient, force: bool) -> UpdateResult:
        row = claim.row
        if (
            row.whmcs_id is None
            and claim.inherited_unknown
            and await self._reconcile(claim, client, final=False) is None
        ):
            row.status = models.SyncStatus.ERROR
            row.last_error = (
                "The unanswered AddClient was checked: WHMCS has no client with this "
                "e-mail, so nothing was created. Push the client again."
            )
            row.unconfirmed = None
            await row.save()
        if row.whmcs_id is None:
            raise NotLinked(client.id)
        whmcs_id = row.whmcs_id
        self.audit.about(whmcs_id=whmcs_id)
        record = await self.fresh_or_retire(whmcs_id, row, holder=claim.token)
        current = record.whmcs_fields()
        desired = self.mapping.to_whmcs(local_values(client))
        changed = {f: v for f, v in desired.items() if not same(f, v, current.get(f))}
        base = row.snapshot or {}
        ours = row.unconfirmed or {}  # sent by a write whose answer never came
        conflicts = [
            Difference(
                f,
                desired[f],
                current.get(f),
                base.get(f),
                api_field_name(self.mapping.local_name(f)),
            )
            for f in changed
            if f in base
            and not same(f, current.get(f), base.get(f))
            and not (f in ours and same(f, current.get(f), ours[f]))
        ]
        if conflicts and not force:
            problem = links.identity_problem(row, record, email_of(client))
            if problem is None:
                raise FieldConflict(conflicts)
            await self.retire(claim, problem)
            raise FieldConflict(
                conflicts,
                f"{problem} The link is marked ERROR and nothing was sent. If it is the same "
                f"person, pull with localId: {client.id} to accept WHMCS's data (or update with "
                "force: true to overwrite it); otherwise unlink the client.",
            )
        if changed:
            before = (row.status, row.last_error)
            await self.mark_pending(
                claim, "UpdateClient sent; waiting for WHMCS to answer.", changed
            )
            try:
                await self.call(lambda: self.whmcs.clients.update(whmcs_id, changed))
            except WhmcsUnusable as exc:
                unknown = outcome_unknown(exc)
                await self.forget(CLIENT, whmcs_id)
                await self.settle_failure(
                    claim, before, exc, write_action="UpdateClient", outcome_unknown=unknown
                )
                raise await self._explain_rejection(exc, None) from exc
            await self.forget(CLIENT, whmcs_id)
        self.linked(
            row,
            whmcs_id=whmcs_id,
            snapshot={**current, **changed},
            direction=models.SyncDirection.PUSH,
        )
        await self.claims.save_and_release(claim)
        return UpdateResult(whmcs_id, sorted(changed), client)

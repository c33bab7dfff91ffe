"""The audit trail: one SyncLog row per WHMCS call, redacted, under one correlation id.

Rows are written as calls happen, outside any business transaction, so a failed or interrupted
operation still leaves its trace. Inside `deferred()` (the WHMCS-bound operations) a call's row
is written while the operation goes on, in call order, and the operation waits for its rows only
at its end: the audit adds no round trip of its own to the operation's path. An operation that
fails for a reason of its own (a duplicate, a conflict) after its WHMCS calls succeeded adds one
ERROR row saying why: a failed operation is never recorded as a success.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import models
from integrations.whmcs.client import CallRecord
from integrations.whmcs.redact import redact
from integrations.whmcs.registry import created_id
from integrations.whmcs.sync.registry import SYNC_ENTITIES
from integrations.whmcs.sync.store import LocalId

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AuditSettings:
    enabled: bool = True
    log_requests: bool = True
    log_responses: bool = True
    # Told of every row written (the app counts them for its metrics).
    on_write: Callable[[models.SyncOperation, models.LogStatus], None] | None = None
    # The configured secrets (WHMCS credential, access key): replaced wherever they appear in
    # what a row stores, whatever the key (the client redacts them too: defence in depth).
    secrets: tuple[str, ...] = field(default=(), repr=False)


@dataclass(slots=True)
class Audit:
    """What one operation records. Pass `observe` to `WhmcsClient.with_observer`."""

    operation: models.SyncOperation
    correlation_id: str
    actor: str | None = None
    settings: AuditSettings = field(default_factory=AuditSettings)
    entity_type: models.EntityType | None = models.EntityType.CLIENT
    local_id: LocalId | None = None
    whmcs_id: int | None = None
    failures: int = 0
    # Inside deferred(): the row being written (each waits for the one before) and the context
    # rows are written in (taken outside any transaction).
    _last: asyncio.Task[None] | None = field(default=None, repr=False)
    _context: contextvars.Context | None = field(default=None, repr=False)

    @contextlib.asynccontextmanager
    async def deferred(self) -> AsyncIterator[None]:
        """Within the block, WHMCS call rows are written without the caller waiting for them;
        on the way out every row is written (a failed write is raised there)."""
        self._context = contextvars.copy_context()
        try:
            yield
        finally:
            self._context = None
            await self.settle()

    async def settle(self) -> None:
        """Wait for the rows being written; raise the first write that failed."""
        last, self._last = self._last, None
        if last is not None:
            await last

    def about(self, *, local_id: LocalId | None = None, whmcs_id: int | None = None) -> None:
        """Name the records the operation touches, as soon as they are known."""
        if local_id is not None:
            self.local_id = local_id
        if whmcs_id is not None:
            self.whmcs_id = whmcs_id

    async def observe(self, call: CallRecord) -> None:
        if call.error is not None:
            self.failures += 1
        # The id a create answer names (AddClient's clientid...): its own row names it.
        created = created_id(_kind(self.entity_type), call.action, call.response_value)
        if self.whmcs_id is None and created is not None:
            self.whmcs_id = created
        settings = self.settings
        write = self._write(
            status=models.LogStatus.ERROR if call.error else models.LogStatus.SUCCESS,
            whmcs_action=call.action,
            request=dict(call.params) if settings.log_requests else None,
            # The answer is copied only when the row keeps it, in one walk (the client's
            # redaction, then the row's: see _write).
            stored_response=call.storable_response(settings.secrets, _storable)
            if settings.log_responses and settings.enabled
            else None,
            error=call.error.message if call.error else None,
            duration_ms=call.duration_ms,
            # Named now: the operation may name other records before the row is written.
            record=(self.local_id, self.whmcs_id),
        )
        if self._context is None:
            await write
            return
        self._last = asyncio.get_running_loop().create_task(
            _after(self._last, write), context=self._context
        )

    async def succeeded(self, detail: str | None = None) -> None:
        """Record an operation that reached no WHMCS (unlink): it is audited all the same."""
        await self.settle()
        await self._write(
            status=models.LogStatus.SUCCESS, response={"detail": detail} if detail else None
        )

    async def note(
        self, status: models.LogStatus, message: str, *, local_id: LocalId, whmcs_id: int | None
    ) -> None:
        """Record one step about a given link (a stale one marked ERROR, the one that took its
        WHMCS id), whatever records the operation itself is about. Not a failure of the
        operation: `failed` still records the operation's own."""
        await self.settle()
        await self._write(
            status=status,
            response={"detail": message} if status is models.LogStatus.SUCCESS else None,
            error=message if status is models.LogStatus.ERROR else None,
            record=(local_id, whmcs_id),
        )

    async def failed(self, message: str) -> None:
        """Record why the operation failed, unless a failed WHMCS call already says so."""
        await self.settle()
        if self.failures:
            return
        self.failures += 1
        await self._write(status=models.LogStatus.ERROR, error=message)

    async def _write(
        self,
        *,
        status: models.LogStatus,
        whmcs_action: str | None = None,
        request: dict[str, Any] | None = None,
        response: dict[str, Any] | None = None,
        stored_response: dict[str, Any] | None = None,
        error: str | None = None,
        duration_ms: int | None = None,
        record: tuple[LocalId | None, int | None] | None = None,
    ) -> None:
        """``stored_response``: an answer already redacted as ``response`` would be here."""
        if not self.settings.enabled:
            return
        request, response, error = redact(
            (request, response, error), self.settings.secrets, text=_storable
        )
        if stored_response is not None:
            response = stored_response
        local_id, whmcs_id = record if record is not None else (self.local_id, self.whmcs_id)
        await models.SyncLog.create(
            operation=self.operation,
            status=status,
            entity_type=self.entity_type,
            local_id=local_id,
            whmcs_id=whmcs_id,
            whmcs_action=whmcs_action,
            request_data=request,
            response_data=response,
            error_message=error,
            duration_ms=duration_ms,
            actor=self.actor,
            correlation_id=self.correlation_id,
        )
        if self.settings.on_write is not None:
            self.settings.on_write(self.operation, status)


async def _after(previous: asyncio.Task[None] | None, write: Any) -> None:
    """``write``, once ``previous`` is written: rows keep the order of the calls."""
    try:
        if previous is not None:
            await previous
    finally:
        await write


def _kind(entity_type: models.EntityType | None) -> str | None:
    """The WHMCS side's name of the type (its registry entry's kind); None for no type."""
    found = SYNC_ENTITIES.get(entity_type) if entity_type is not None else None
    return found.whmcs.kind if found is not None else None


def _storable(text: str) -> str:
    """``text`` with every NUL character as U+FFFD: PostgreSQL's text and jsonb refuse NUL, and
    a WHMCS answer (or a search string) holding one made the audit row an internal error.
    Applied to every string of a row (keys too), in the redaction's walk."""
    return text.replace("\x00", "\ufffd")

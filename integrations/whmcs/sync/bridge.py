"""The sync services' front door: what the GraphQL layer talks to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

import models
from integrations.whmcs.breaker import BreakerStatus
from integrations.whmcs.cache import WhmcsReadCache
from integrations.whmcs.client import WhmcsClient
from integrations.whmcs.records import WhmcsClientPage
from integrations.whmcs.sync.audit import Audit, AuditSettings
from integrations.whmcs.sync.base import SyncBase, SyncOptions
from integrations.whmcs.sync.connection import ConnectionReport, test_connection
from integrations.whmcs.sync.mapping import FieldMapping
from integrations.whmcs.sync.pull import PullSync
from integrations.whmcs.sync.push import PushSync
from integrations.whmcs.sync.reads import WhmcsReads
from integrations.whmcs.sync.store import LocalStore
from integrations.whmcs.sync.stores import open_client_store

S = TypeVar("S", bound=SyncBase)


@dataclass(slots=True)
class Bridge:
    """Long-lived: built once by the app factory. `whmcs` is None when the integration is off."""

    whmcs: WhmcsClient | None
    cache: WhmcsReadCache
    mapping: FieldMapping
    options: SyncOptions
    audit_settings: AuditSettings
    enabled: bool = True
    sandbox: bool = False
    # Where local clients live: open_client_store(mapping) unless given.
    store: LocalStore | None = None

    def __post_init__(self) -> None:
        if self.store is None:
            self.store = open_client_store(self.mapping)

    @property
    def local_clients(self) -> LocalStore:
        assert self.store is not None  # set by __post_init__
        return self.store

    def audit(
        self,
        operation: models.SyncOperation,
        *,
        correlation_id: str,
        actor: str | None,
        entity_type: models.EntityType | None = models.EntityType.CLIENT,
    ) -> Audit:
        return Audit(
            operation=operation,
            correlation_id=correlation_id,
            actor=actor,
            settings=self.audit_settings,
            entity_type=entity_type,
        )

    def reads(self, audit: Audit) -> WhmcsReads:
        """WHMCS reads of any entity type for one operation (fresh or cached, audited): what a
        read-only module needs, with no sync service of its own."""
        whmcs = self.whmcs if self.enabled else None
        return WhmcsReads(
            whmcs=whmcs.with_observer(audit.observe) if whmcs is not None else None,
            cache=self.cache,
        )

    def pushes(self, audit: Audit) -> PushSync:
        return self._make(PushSync, audit)

    def pulls(self, audit: Audit) -> PullSync:
        return self._make(PullSync, audit)

    async def connection_test(self, audit: Audit) -> ConnectionReport:
        return await test_connection(
            self.whmcs if self.enabled else None,
            audit=audit,
            enabled=self.enabled,
            sandbox=self.sandbox,
        )

    def breaker_status(self) -> BreakerStatus | None:
        """This process's circuit breaker in front of WHMCS; None when WHMCS is not used."""
        return self.whmcs.breaker.status() if self.whmcs is not None and self.enabled else None

    async def whmcs_clients(
        self, audit: Audit, *, offset: int, limit: int, search: str | None
    ) -> WhmcsClientPage:
        sync = self._make(PullSync, audit)
        whmcs = sync.whmcs
        return await sync.call(
            lambda: self.cache.client_page(
                search=search,
                offset=offset,
                limit=limit,
                load=lambda: whmcs.clients.search(search=search, offset=offset, limit=limit),
            )
        )

    def _make(self, kind: type[S], audit: Audit) -> S:
        return kind(
            whmcs=self.whmcs if self.enabled else None,
            cache=self.cache,
            mapping=self.mapping,
            audit=audit,
            options=self.options,
            store=self.local_clients,
        )

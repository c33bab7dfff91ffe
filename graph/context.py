"""The per-request context every resolver receives."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from strawberry.types import Info as StrawberryInfo

import models
from graph.loaders import Loaders
from integrations.whmcs.sync.audit import Audit
from integrations.whmcs.sync.bridge import Bridge


@dataclass(slots=True)
class Context:
    bridge: Bridge
    request_id: str
    actor: str | None = None  # the API token's name: the audit log's actor
    can_write: bool = False  # the token's scope allows mutations
    loaders: Loaders = field(init=False)  # fresh per request, over the bridge's local store

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.bridge.local_clients)

    def audit(
        self,
        operation: models.SyncOperation,
        *,
        entity_type: models.EntityType = models.EntityType.CLIENT,
    ) -> Audit:
        """An audit for one operation of this request on records of ``entity_type``: every row
        shares the request id."""
        return self.bridge.audit(
            operation, correlation_id=self.request_id, actor=self.actor, entity_type=entity_type
        )


Info = StrawberryInfo[Context, Any]

"""What the current HTTP request is, for every log line and metric written while it runs.

`RequestObserver` (whmcs_bridge.observe) sets one `RequestInfo` per request in a context
variable; the GraphQL layer fills in the operation, the token gate the actor. Code outside a
request sees None.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field
from typing import Any

UNKNOWN_OPERATION = "unknown"


@dataclass(slots=True)
class RequestInfo:
    request_id: str
    # The scope's state: the token gate puts the caller's principal there.
    state: dict[str, Any] = field(default_factory=dict)
    # A name from a bounded set (the schema's root fields): safe as a metric label.
    operation: str = UNKNOWN_OPERATION
    outcome: str | None = None  # set by the GraphQL layer once the operation has run

    @property
    def actor(self) -> str | None:
        """The API token's name, once the gate has accepted it."""
        name = getattr(self.state.get("principal"), "name", None)
        return name if isinstance(name, str) else None


current_request: contextvars.ContextVar[RequestInfo | None] = contextvars.ContextVar(
    "whmcs_bridge_request", default=None
)

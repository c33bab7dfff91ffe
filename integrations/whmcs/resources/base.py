"""What every resource shares: the :class:`Caller` protocol and the shape-error conversion."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from integrations.whmcs.errors import WhmcsProtocolError
from integrations.whmcs.normalise import WhmcsShapeError

__all__ = ["Caller", "Params", "shape_error"]

Params = Mapping[str, str | int | bool | None]


class Caller(Protocol):
    """The one method resources need from the client."""

    async def call(self, action: str, params: Params | None = None) -> dict[str, Any]: ...


def shape_error(action: str, exc: WhmcsShapeError, *, write: bool = False) -> WhmcsProtocolError:
    """The error for a ``result=success`` answer whose shape WHMCS is not known to send.

    For a write, WHMCS reported success, so the change was probably made even though the answer
    cannot be read: the outcome is unknown.
    """
    suffix = "; the change may have been made" if write else ""
    return WhmcsProtocolError(
        action,
        f"WHMCS answered {action} with an unexpected shape ({exc}){suffix}",
        outcome_unknown=write,
    )

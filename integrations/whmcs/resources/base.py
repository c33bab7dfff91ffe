"""What every resource shares: the :class:`Caller` protocol, client pages, shape errors."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar

from integrations.whmcs.entities.page import WhmcsPage, parse_page
from integrations.whmcs.errors import WhmcsProtocolError
from integrations.whmcs.normalise import WhmcsShapeError

__all__ = ["Caller", "Params", "client_page", "positive_id", "shape_error"]

Params = Mapping[str, str | int | bool | None]
T = TypeVar("T")


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


def positive_id(value: int, name: str) -> int:
    """``value`` if it is a WHMCS id (1 or more); ValueError otherwise.

    WHMCS reads a filter of 0 as "no filter": ``GetClientsProducts clientid=0`` lists every
    client's services. So an id below 1 never reaches WHMCS.
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a WHMCS id (an integer >= 1), not {value!r}")
    return value


async def client_page(
    whmcs: Caller,
    action: str,
    params: Params,
    *,
    client_id: int,
    offset: int,
    limit: int,
    container: str,
    singular: str,
    parse_row: Callable[[Mapping[str, Any]], T],
) -> WhmcsPage[T]:
    """One page of a list action filtered to one client (``limitstart``/``limitnum``).

    WHMCS lists nothing, without an error, for a client that does not exist, so an empty result
    is told apart from "no such client" with one ``GetClientsDetails``: it raises
    :class:`~integrations.whmcs.errors.WhmcsNotFoundError` (``entity == "client"``) for none.
    """
    if offset < 0 or limit < 1:
        raise ValueError("offset must be >= 0 and limit >= 1")
    body = await whmcs.call(action, {**params, "limitstart": offset, "limitnum": limit})
    try:
        page = parse_page(body, container, singular, parse_row, offset=offset)
    except WhmcsShapeError as exc:
        raise shape_error(action, exc) from exc
    if page.total == 0:
        await whmcs.call("GetClientsDetails", {"clientid": client_id})
    return page

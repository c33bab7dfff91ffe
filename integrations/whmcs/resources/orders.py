"""A client's orders: ``whmcs.orders.list()``."""

from __future__ import annotations

from dataclasses import dataclass

from integrations.whmcs.entities.orders import WhmcsOrder
from integrations.whmcs.entities.page import WhmcsPage
from integrations.whmcs.resources.base import Caller, client_page, positive_id

__all__ = ["OrdersResource"]


@dataclass(frozen=True, slots=True)
class OrdersResource:
    """Order reads. Every method raises :class:`~integrations.whmcs.errors.WhmcsError`."""

    whmcs: Caller

    async def list(
        self, client_id: int, *, status: str | None = None, offset: int = 0, limit: int = 25
    ) -> WhmcsPage[WhmcsOrder]:
        """One page of the client's orders (``GetOrders``), newest first (WHMCS's own order:
        GetOrders takes no sorting), optionally of one ``status`` (e.g. Pending, Active).

        Raises :class:`~integrations.whmcs.errors.WhmcsNotFoundError` when there is no such
        client.
        """
        return await client_page(
            self.whmcs,
            "GetOrders",
            # Orders (like invoices) name the client "userid".
            {"userid": positive_id(client_id, "client_id"), "status": status or None},
            client_id=client_id,
            offset=offset,
            limit=limit,
            container="orders",
            singular="order",
            parse_row=WhmcsOrder.from_row,
        )

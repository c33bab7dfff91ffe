"""Invoices: ``whmcs.invoices.list()`` and ``.get()``."""

from __future__ import annotations

from dataclasses import dataclass

from integrations.whmcs.entities.invoices import WhmcsInvoice, WhmcsInvoiceDetail
from integrations.whmcs.entities.page import WhmcsPage
from integrations.whmcs.normalise import WhmcsShapeError
from integrations.whmcs.resources.base import Caller, client_page, positive_id, shape_error

__all__ = ["InvoicesResource"]


@dataclass(frozen=True, slots=True)
class InvoicesResource:
    """Invoice reads. Every method raises :class:`~integrations.whmcs.errors.WhmcsError`."""

    whmcs: Caller

    async def list(
        self, client_id: int, *, status: str | None = None, offset: int = 0, limit: int = 25
    ) -> WhmcsPage[WhmcsInvoice]:
        """One page of the client's invoices (``GetInvoices``), newest first.

        ``status`` is an invoice status (Draft, Unpaid, Paid, Cancelled, Refunded, Collections,
        Payment Pending) or ``Overdue``. Newest means highest id: WHMCS sorts on one column,
        and only a unique one (not ``date``) pages without repeating or skipping invoices.
        Raises :class:`~integrations.whmcs.errors.WhmcsNotFoundError` when there is no such
        client.
        """
        return await client_page(
            self.whmcs,
            "GetInvoices",
            {
                "userid": positive_id(client_id, "client_id"),
                "status": status or None,
                "orderby": "id",
                "order": "desc",
            },
            client_id=client_id,
            offset=offset,
            limit=limit,
            container="invoices",
            singular="invoice",
            parse_row=WhmcsInvoice.from_row,
        )

    async def get(self, invoice_id: int) -> WhmcsInvoiceDetail:
        """The invoice with its lines and payments (``GetInvoice``).

        Raises :class:`~integrations.whmcs.errors.WhmcsNotFoundError` (``entity ==
        "invoice"``) when there is none.
        """
        action = "GetInvoice"
        body = await self.whmcs.call(action, {"invoiceid": positive_id(invoice_id, "invoice_id")})
        try:
            return WhmcsInvoiceDetail.from_body(body)
        except WhmcsShapeError as exc:
            raise shape_error(action, exc) from exc

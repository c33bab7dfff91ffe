"""Frozen, typed records of the WHMCS modules: services, invoices, orders, tickets, domains.

One file per module, in the style of :mod:`integrations.whmcs.records` (which holds the client's):
WHMCS spellings stop here, every value is typed (money as :class:`~decimal.Decimal`, "no date"
and ``""`` as None, flags as bools, related ids as ``int | None``), and a shape WHMCS is not
known to send raises :class:`~integrations.whmcs.normalise.WhmcsShapeError`. Secrets WHMCS
returns (a service's password, a ticket's access key) are not fields: they are dropped here.
:mod:`.codec` writes any of them to JSON and back, exactly (for the cache).
"""

from integrations.whmcs.entities.codec import from_json, to_json
from integrations.whmcs.entities.domains import WhmcsDomain
from integrations.whmcs.entities.invoices import (
    WhmcsInvoice,
    WhmcsInvoiceDetail,
    WhmcsInvoiceLine,
    WhmcsPayment,
)
from integrations.whmcs.entities.orders import WhmcsOrder, WhmcsOrderItem
from integrations.whmcs.entities.page import WhmcsPage, parse_page
from integrations.whmcs.entities.services import WhmcsService
from integrations.whmcs.entities.tickets import (
    WhmcsTicket,
    WhmcsTicketDetail,
    WhmcsTicketMessage,
    WhmcsTicketNote,
)

__all__ = [
    "WhmcsDomain",
    "WhmcsInvoice",
    "WhmcsInvoiceDetail",
    "WhmcsInvoiceLine",
    "WhmcsOrder",
    "WhmcsOrderItem",
    "WhmcsPage",
    "WhmcsPayment",
    "WhmcsService",
    "WhmcsTicket",
    "WhmcsTicketDetail",
    "WhmcsTicketMessage",
    "WhmcsTicketNote",
    "from_json",
    "parse_page",
    "to_json",
]

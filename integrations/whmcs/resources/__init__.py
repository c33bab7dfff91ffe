"""Per-entity sub-APIs of the WHMCS client (``whmcs.clients``, ``whmcs.invoices``, ...).

Resources speak to WHMCS only through :class:`Caller` (the client's ``call``), so they do not
import the client and can be tested against any object with that method.
"""

from __future__ import annotations

from integrations.whmcs.resources.base import Caller, Params, shape_error
from integrations.whmcs.resources.clients import ClientsResource
from integrations.whmcs.resources.domains import DomainsResource
from integrations.whmcs.resources.invoices import InvoicesResource
from integrations.whmcs.resources.orders import OrdersResource
from integrations.whmcs.resources.services import ServicesResource
from integrations.whmcs.resources.tickets import TicketsResource

__all__ = [
    "Caller",
    "ClientsResource",
    "DomainsResource",
    "InvoicesResource",
    "OrdersResource",
    "Params",
    "ServicesResource",
    "TicketsResource",
    "shape_error",
]

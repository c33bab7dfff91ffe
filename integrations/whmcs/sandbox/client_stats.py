"""GetClientsDetails' ``stats=true``: counted from the client's services, domains, tickets and
invoices, so they agree with what GetClientsProducts, GetInvoices... answer for the same client.

Keys, order and types as the 8.x reference shows them: counts are ints, money a formatted
string in the client's currency (``"$2645.80 USD"``), ``incredit``/``isAffiliate`` booleans.
Revenue (``grossRevenue``, ``expenses``, ``income``), quotes and affiliate sign-ups are not
modelled and stay zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .module_records import money
from .module_store import PRODUCT_TYPES

if TYPE_CHECKING:
    from .module_records import InvoiceRecord
    from .records import ClientRecord
    from .state import SandboxState

# Invoice statuses, and the keys their count and sum go under (sum: the balance when unpaid).
_BY_STATUS = {
    "Draft": ("numDraftInvoices", "draftInvoicesBalance"),
    "Unpaid": ("numunpaidinvoices", "unpaidinvoicesamount"),
    "Paid": ("numpaidinvoices", "paidinvoicesamount"),
    "Cancelled": ("numcancelledinvoices", "cancelledinvoicesamount"),
    "Refunded": ("numrefundedinvoices", "refundedinvoicesamount"),
    "Collections": ("numcollectionsinvoices", "collectionsinvoicesamount"),
    "Payment Pending": ("numpaymentpendinginvoices", "paymentpendinginvoicesamount"),
}
# Product types (GetOrders' names) -> the stats' product groups; anything else is "other".
_PRODUCT_GROUPS = {
    "Shared Hosting": "hosting",
    "Reseller Hosting": "reseller",
    "VPS/Server": "servers",
}


def _group(pid: int) -> str:
    return _PRODUCT_GROUPS.get(PRODUCT_TYPES.get(pid, ""), "other")


def client_stats(state: SandboxState, client: ClientRecord) -> dict[str, Any]:
    modules = state.modules
    invoices = [i for i in modules.invoices.values() if i.userid == client.id]
    services = [s for s in modules.services.values() if s.clientid == client.id]
    domains = [d for d in modules.domains.values() if d.userid == client.id]
    tickets = [t for t in modules.tickets.values() if t.userid == client.id]
    unpaid = [i for i in invoices if i.status == "Unpaid"]
    today = state.today().isoformat()
    overdue = [i for i in unpaid if i.duedate < today]

    def amount(value: Decimal) -> str:
        return f"${money(value)} USD"

    def balance(rows: Iterable[InvoiceRecord]) -> str:
        return amount(sum((i.balance for i in rows), Decimal(0)))

    stats: dict[str, Any] = {
        "numdueinvoices": len(unpaid),
        "dueinvoicesbalance": balance(unpaid),
        "incredit": Decimal(client.credit) > 0,
        "creditbalance": amount(Decimal(client.credit)),
        "grossRevenue": amount(Decimal(0)),
        "expenses": amount(Decimal(0)),
        "income": amount(Decimal(0)),
        "numoverdueinvoices": len(overdue),
        "overdueinvoicesbalance": balance(overdue),
    }
    for status, (count_key, amount_key) in _BY_STATUS.items():
        rows = [i for i in invoices if i.status == status]
        stats[count_key] = len(rows)
        if status == "Unpaid":
            stats[amount_key] = balance(rows)
        else:
            stats[amount_key] = amount(sum((i.total for i in rows), Decimal(0)))
    for group in ("hosting", "reseller", "servers", "other"):
        mine = [s for s in services if _group(s.pid) == group]
        stats[f"productsnumactive{group}"] = sum(s.status == "Active" for s in mine)
        stats[f"productsnum{group}"] = len(mine)
    stats["productsnumactive"] = sum(s.status == "Active" for s in services)
    stats["productsnumtotal"] = len(services)
    stats["numactivedomains"] = sum(d.status == "Active" for d in domains)
    stats["numdomains"] = len(domains)
    stats["numacceptedquotes"] = stats["numquotes"] = 0
    stats["numtickets"] = len(tickets)
    stats["numactivetickets"] = sum(t.status != "Closed" for t in tickets)
    stats["numaffiliatesignups"] = 0
    stats["isAffiliate"] = False
    return stats

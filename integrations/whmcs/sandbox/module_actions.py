"""GetClientsProducts, GetClientsDomains, GetInvoices, GetInvoice and GetOrders, typed as WHMCS
types them (developer-docs api-reference, whmcs-api.md section 5):

- GetClientsProducts and GetClientsDomains: every row value a string; ``totalresults`` a string
  while ``startnumber`` and ``numreturned`` are ints; filters not given echo as null (products)
  or ``""`` (domains' ``domainid``); no rows: ``""``.
- GetInvoices and GetOrders (rewritten on 8.x's ORM): ints for ids and counts, money strings,
  ``ordernum`` an int; no rows: the wrapper with an empty list [unv: the exact empty shape].
- GetInvoice: every value a string, ``transactions`` ``""`` when there are none.

Money is always a fixed-point string ("12.95"); order lines carry formatted amounts
("$12.95 USD"). A filter of ``0`` or ``""`` is no filter, as PHP reads it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from .module_records import (
    DomainRecord,
    InvoiceRecord,
    OrderRecord,
    ServiceRecord,
    money,
)
from .module_store import PAYMENT_METHODS, PRODUCT_TYPES, SERVERS
from .php import php_int, php_truthy

if TYPE_CHECKING:
    from .config import SandboxConfig
    from .state import SandboxState

Params = Mapping[str, str]
Payload = dict[str, Any]
R = TypeVar("R")

INVOICE_NOT_FOUND = "Invoice ID Not Found"
DEFAULT_PAGE = 25
_PRODUCT_ECHOES = ("clientid", "serviceid", "pid", "domain")  # filters echoed, null when unused
CURRENCY = {"code": "USD", "prefix": "$", "suffix": " USD"}  # every demo client pays in USD
_INVOICE_ORDER = {
    "id": lambda i: i.id,
    "invoicenumber": lambda i: i.invoicenum,
    "date": lambda i: i.date,
    "duedate": lambda i: i.duedate,
    "total": lambda i: i.total,
    "status": lambda i: i.status,
}


def page_bounds(params: Params) -> tuple[int, int]:
    """``limitstart`` (default 0) and ``limitnum`` (default 25; 0 or less is the default)."""
    start = max(php_int(params.get("limitstart")), 0)
    limit = php_int(params.get("limitnum"), DEFAULT_PAGE)
    return start, limit if limit > 0 else DEFAULT_PAGE


def listing(
    rows: Sequence[R],
    params: Params,
    container: str,
    render: Callable[[R], Payload],
    *,
    text_total: bool,
    empty_string: bool,
    echo: Mapping[str, Any] | None = None,
) -> Payload:
    """One page of a list answer: ``{container: {singular: [...]}}`` with WHMCS's counts.

    ``text_total``: ``totalresults`` is a string (the actions that type rows as strings);
    ``empty_string``: no rows give ``container: ""`` instead of the wrapper with an empty list.
    """
    start, limit = page_bounds(params)
    page = rows[start : start + limit]
    items: Any = {container[:-1]: [render(row) for row in page]}
    return {
        "result": "success",
        **(echo or {}),
        "totalresults": str(len(rows)) if text_total else len(rows),
        "startnumber": start,
        "numreturned": len(page),
        container: "" if empty_string and not page else items,
    }


def _filter(params: Params, name: str) -> int | None:
    """An id filter as PHP's ``if ($x)`` reads it: "", "0" and missing are no filter."""
    value = params.get(name)
    return php_int(value) if php_truthy(value) and php_int(value) else None


def _strings(row: Mapping[str, Any]) -> Payload:
    return {k: v if isinstance(v, str | dict | list) else str(v) for k, v in row.items()}


def formatted(amount: Any) -> str:
    return f"{CURRENCY['prefix']}{money(amount)}{CURRENCY['suffix']}"


# --- services ---------------------------------------------------------------------------------


def _service_row(state: SandboxState, s: ServiceRecord) -> Payload:
    server = SERVERS.get(s.serverid, ("", "", ""))
    order = state.modules.orders.get(s.orderid)
    return _strings({
        "id": s.id, "qty": s.qty, "clientid": s.clientid, "orderid": s.orderid,
        "ordernumber": order.ordernum if order else "", "pid": s.pid, "regdate": s.regdate,
        "name": s.name, "translated_name": s.name, "groupname": s.groupname,
        "translated_groupname": s.groupname, "domain": s.domain, "dedicatedip": s.dedicatedip,
        "serverid": s.serverid, "servername": server[0], "serverip": server[1],
        "serverhostname": server[2], "suspensionreason": s.suspensionreason,
        "firstpaymentamount": money(s.firstpaymentamount),
        "recurringamount": money(s.recurringamount), "paymentmethod": s.paymentmethod,
        "paymentmethodname": PAYMENT_METHODS.get(s.paymentmethod, s.paymentmethod),
        "billingcycle": s.billingcycle, "nextduedate": s.nextduedate, "status": s.status,
        "username": s.username, "password": s.password, "subscriptionid": "", "promoid": 0,
        "overideautosuspend": "", "overidesuspenduntil": "0000-00-00", "ns1": "", "ns2": "",
        "assignedips": "", "notes": s.notes, "diskusage": 0, "disklimit": 0, "bwusage": 0,
        "bwlimit": 0, "lastupdate": "0000-00-00 00:00:00",
        "customfields": {"customfield": []}, "configoptions": {"configoption": []},
    })  # fmt: skip


def get_clients_products(state: SandboxState, config: SandboxConfig, params: Params) -> Payload:
    client_id, service_id, pid = (_filter(params, n) for n in ("clientid", "serviceid", "pid"))
    domain = params.get("domain", "").strip().lower()
    username = params.get("username2", "").strip()
    rows = [
        s
        for _, s in sorted(state.modules.services.items())
        if (client_id is None or s.clientid == client_id)
        and (service_id is None or s.id == service_id)
        and (pid is None or s.pid == pid)
        and (not domain or s.domain.lower() == domain)
        and (not username or s.username == username)
    ]
    return listing(
        rows,
        params,
        "products",
        partial(_service_row, state),
        text_total=True,
        empty_string=True,
        echo={
            name: params.get(name) or None for name in ("clientid", "serviceid", "pid", "domain")
        },
    )


# --- domains ----------------------------------------------------------------------------------


def _domain_row(d: DomainRecord) -> Payload:
    return _strings({
        "id": d.id, "userid": d.userid, "orderid": d.orderid, "regtype": d.regtype,
        "domainname": d.domainname, "registrar": d.registrar, "regperiod": d.regperiod,
        "firstpaymentamount": money(d.firstpaymentamount),
        "recurringamount": money(d.recurringamount), "paymentmethod": d.paymentmethod,
        "paymentmethodname": PAYMENT_METHODS.get(d.paymentmethod, d.paymentmethod),
        "regdate": d.regdate, "expirydate": d.expirydate, "nextduedate": d.nextduedate,
        "status": d.status, "subscriptionid": "", "promoid": 0,
        "dnsmanagement": int(d.dnsmanagement), "emailforwarding": int(d.emailforwarding),
        "idprotection": int(d.idprotection), "donotrenew": int(d.donotrenew), "notes": d.notes,
    })  # fmt: skip


def get_clients_domains(state: SandboxState, config: SandboxConfig, params: Params) -> Payload:
    client_id, domain_id = _filter(params, "clientid"), _filter(params, "domainid")
    name = params.get("domain", "").strip().lower()
    rows = [
        d
        for _, d in sorted(state.modules.domains.items())
        if (client_id is None or d.userid == client_id)
        and (domain_id is None or d.id == domain_id)
        and (not name or d.domainname.lower() == name)
    ]
    return listing(
        rows,
        params,
        "domains",
        _domain_row,
        text_total=True,
        empty_string=True,
        echo={"clientid": params.get("clientid", ""), "domainid": params.get("domainid", "")},
    )


# --- invoices ---------------------------------------------------------------------------------


def _is_overdue(invoice: InvoiceRecord, today: date) -> bool:
    return invoice.status == "Unpaid" and invoice.duedate < today.isoformat()


def _invoice_row(state: SandboxState, i: InvoiceRecord) -> Payload:
    client = state.get_client(i.userid)
    return {
        "id": i.id, "userid": i.userid, "firstname": client.firstname if client else "",
        "lastname": client.lastname if client else "",
        "companyname": client.companyname if client else "", "invoicenum": i.invoicenum,
        "date": i.date, "duedate": i.duedate, "datepaid": i.datepaid,
        "last_capture_attempt": "0000-00-00 00:00:00",
        "date_refunded": "0000-00-00 00:00:00", "date_cancelled": "0000-00-00 00:00:00",
        "subtotal": money(i.subtotal), "credit": money(i.credit), "tax": money(i.tax),
        "tax2": money(i.tax2), "total": money(i.total), "taxrate": f"{i.taxrate:.3f}",
        "taxrate2": f"{i.taxrate2:.3f}", "status": i.status, "paymentmethod": i.paymentmethod,
        "paymethodid": None, "notes": i.notes, "created_at": i.created_at,
        "updated_at": i.created_at, "currencycode": CURRENCY["code"],
        "currencyprefix": CURRENCY["prefix"], "currencysuffix": CURRENCY["suffix"],
    }  # fmt: skip


def get_invoices(state: SandboxState, config: SandboxConfig, params: Params) -> Payload:
    client_id = _filter(params, "userid")
    status = params.get("status", "").strip().lower()
    today = state.today()
    key: Callable[[InvoiceRecord], Any] = _INVOICE_ORDER.get(
        params.get("orderby", "id").strip().lower(), _INVOICE_ORDER["id"]
    )
    rows = [
        i
        for i in state.modules.invoices.values()
        if (client_id is None or i.userid == client_id)
        and (
            not status
            or (status == "overdue" and _is_overdue(i, today))
            or i.status.lower() == status
        )
    ]
    rows.sort(key=lambda i: (key(i), i.id), reverse=params.get("order", "").lower() == "desc")
    render = partial(_invoice_row, state)
    return listing(rows, params, "invoices", render, text_total=False, empty_string=False)


def get_invoice(state: SandboxState, config: SandboxConfig, params: Params) -> Payload:
    invoice = state.modules.invoices.get(php_int(params.get("invoiceid")))
    if invoice is None:
        return {"result": "error", "message": INVOICE_NOT_FOUND}
    i = invoice
    items = [
        _strings({"id": it.id, "type": it.type, "relid": it.relid, "description": it.description,
                  "amount": money(it.amount), "taxed": int(it.taxed)})
        for it in i.items
    ]  # fmt: skip
    transactions = [
        _strings({
            "id": t.id, "userid": i.userid, "currency": 0, "gateway": t.gateway, "date": t.date,
            "description": t.description, "amountin": money(t.amountin), "fees": money(t.fees),
            "amountout": money(t.amountout), "rate": "1.00000", "transid": t.transid,
            "invoiceid": i.id, "refundid": t.refundid,
        })
        for t in i.transactions
    ]  # fmt: skip
    return {
        "result": "success", **_strings({
            "invoiceid": i.id, "invoicenum": i.invoicenum, "userid": i.userid, "date": i.date,
            "duedate": i.duedate, "datepaid": i.datepaid,
            "lastcaptureattempt": "0000-00-00 00:00:00", "subtotal": money(i.subtotal),
            "credit": money(i.credit), "tax": money(i.tax), "tax2": money(i.tax2),
            "total": money(i.total), "balance": money(i.balance),
            "taxrate": money(i.taxrate), "taxrate2": money(i.taxrate2), "status": i.status,
            "paymentmethod": i.paymentmethod, "notes": i.notes,
        }),
        "ccgateway": False,
        "items": {"item": items},
        # No transactions: an empty STRING, as documented.
        "transactions": {"transaction": transactions} if transactions else "",
    }  # fmt: skip


# --- orders -----------------------------------------------------------------------------------


def _order_line(line: ServiceRecord | DomainRecord) -> Payload:
    if isinstance(line, ServiceRecord):
        return {
            "type": "product", "relid": line.id,
            "producttype": PRODUCT_TYPES.get(line.pid, "Other Product/Service"),
            "product": line.name, "domain": line.domain,
            # GetOrders spells cycles its own way ("One-Time"), unlike GetClientsProducts.
            "billingcycle": line.billingcycle.replace("One Time", "One-Time"),
            "amount": formatted(line.firstpaymentamount), "status": line.status,
        }  # fmt: skip
    kind = "Registration" if line.regtype == "Register" else "Transfer"
    return {
        "type": "domain", "relid": line.id, "producttype": f"Domain {kind}",
        "product": f"Domain {kind}", "domain": line.domainname,
        "billingcycle": f"{line.regperiod} Year(s)", "amount": formatted(line.firstpaymentamount),
        "status": line.status,
    }  # fmt: skip


def _order_row(state: SandboxState, o: OrderRecord) -> Payload:
    lines = state.modules.order_lines(o.id)
    invoice = state.modules.invoices.get(o.invoiceid)
    client = state.get_client(o.userid)
    amount = sum((line.firstpaymentamount for line in lines), Decimal(0))
    return {
        "id": o.id, "ordernum": o.ordernum, "userid": o.userid, "contactid": 0,
        "requestor_id": client.owner_user_id if client else 0, "admin_requestor_id": 0,
        "date": o.date, "nameservers": "", "transfersecret": "", "renewals": "",
        "renewalsByType": {"domains": [], "services": [], "addons": []},
        "promocode": o.promocode, "promotype": "", "promovalue": "", "orderdata": "[]",
        "amount": money(amount), "paymentmethod": o.paymentmethod, "invoiceid": o.invoiceid,
        "status": o.status, "ipaddress": o.ipaddress, "fraudmodule": o.fraudmodule,
        "fraudoutput": o.fraudoutput, "notes": o.notes,
        "paymentmethodname": PAYMENT_METHODS.get(o.paymentmethod, o.paymentmethod),
        "paymentstatus": invoice.status if invoice else "",
        "name": client.fullname if client else "", "currencyprefix": CURRENCY["prefix"],
        "currencysuffix": CURRENCY["suffix"], "frauddata": "", "validationdata": "",
        "lineitems": {"lineitem": [_order_line(line) for line in lines]},
    }  # fmt: skip


def get_orders(state: SandboxState, config: SandboxConfig, params: Params) -> Payload:
    order_id, client_id = _filter(params, "id"), _filter(params, "userid")
    status = params.get("status", "").strip().lower()
    rows = [
        o
        # Newest first: GetOrders takes no sorting parameters.
        for _, o in sorted(state.modules.orders.items(), reverse=True)
        if (order_id is None or o.id == order_id)
        and (client_id is None or o.userid == client_id)
        and (not status or o.status.lower() == status)
    ]
    render = partial(_order_row, state)
    return listing(rows, params, "orders", render, text_total=False, empty_string=False)


MODULE_HANDLERS = {
    "GetClientsProducts": get_clients_products,
    "GetClientsDomains": get_clients_domains,
    "GetInvoices": get_invoices,
    "GetInvoice": get_invoice,
    "GetOrders": get_orders,
}

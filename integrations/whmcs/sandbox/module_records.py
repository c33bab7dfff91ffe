"""The sandbox's module rows, with WHMCS's own column names: services (``tblhosting``),
invoices with their lines and transactions, orders, tickets with replies and notes, domains.

Money is a :class:`~decimal.Decimal` here and a fixed-point string ("12.95") on the wire;
dates are the strings WHMCS stores (``0000-00-00`` for none). Totals that WHMCS computes
(invoice subtotal, tax, total, balance; order lines) are computed, not stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

ZERO_DATETIME = "0000-00-00 00:00:00"
CENT = Decimal("0.01")


def money(amount: Decimal) -> str:
    """A DECIMAL(10,2) column as MySQL prints it: ``Decimal("5")`` -> ``"5.00"``."""
    return str(amount.quantize(CENT, rounding=ROUND_HALF_UP))


@dataclass(slots=True)
class ServiceRecord:
    id: int
    clientid: int
    pid: int
    name: str
    groupname: str
    orderid: int = 0  # 0: added by an admin, not ordered
    domain: str = ""
    status: str = "Active"  # Pending, Active, Suspended, Terminated, Cancelled, Fraud, Completed
    billingcycle: str = "Monthly"  # display string (see BILLING_CYCLES)
    regdate: str = "0000-00-00"
    nextduedate: str = "0000-00-00"
    firstpaymentamount: Decimal = Decimal(0)
    recurringamount: Decimal = Decimal(0)
    paymentmethod: str = "paypal"
    username: str = ""
    password: str = ""  # returned decrypted by GetClientsProducts, as WHMCS does
    serverid: int = 0
    dedicatedip: str = ""
    suspensionreason: str = ""
    qty: int = 1
    notes: str = ""


@dataclass(slots=True)
class InvoiceItemRecord:
    id: int
    type: str  # "Hosting", "Domain", "Item", "" for a line typed by hand
    relid: int
    description: str
    amount: Decimal
    taxed: bool = False


@dataclass(slots=True)
class TransactionRecord:
    id: int
    gateway: str
    date: str  # Y-m-d H:i:s
    amountin: Decimal = Decimal(0)
    amountout: Decimal = Decimal(0)
    fees: Decimal = Decimal(0)
    transid: str = ""
    description: str = "Invoice Payment"
    refundid: int = 0


@dataclass(slots=True)
class InvoiceRecord:
    id: int
    userid: int
    date: str
    duedate: str
    status: str = "Unpaid"  # Draft, Unpaid, Paid, Cancelled, Refunded, Collections, Payment Pending
    invoicenum: str = ""  # only with sequential numbering
    datepaid: str = ZERO_DATETIME
    paymentmethod: str = "paypal"
    taxrate: Decimal = Decimal(0)
    taxrate2: Decimal = Decimal(0)
    credit: Decimal = Decimal(0)
    notes: str = ""
    items: list[InvoiceItemRecord] = field(default_factory=list)
    transactions: list[TransactionRecord] = field(default_factory=list)
    created_at: str = ZERO_DATETIME

    @property
    def subtotal(self) -> Decimal:
        return sum((item.amount for item in self.items), Decimal(0))

    def _taxed(self) -> Decimal:
        return sum((item.amount for item in self.items if item.taxed), Decimal(0))

    @property
    def tax(self) -> Decimal:
        return (self._taxed() * self.taxrate / 100).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def tax2(self) -> Decimal:
        return (self._taxed() * self.taxrate2 / 100).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def total(self) -> Decimal:
        # WHMCS's total is after the credit applied to the invoice.
        return self.subtotal + self.tax + self.tax2 - self.credit

    @property
    def balance(self) -> Decimal:
        paid = sum((t.amountin - t.amountout for t in self.transactions), Decimal(0))
        return max(self.total - paid, Decimal(0))


@dataclass(slots=True)
class OrderRecord:
    """An order; its lines are the services and domains whose ``orderid`` is this order."""

    id: int
    userid: int
    ordernum: int  # 10 digits
    date: str
    status: str = "Pending"  # Pending, Active, Fraud, Cancelled, or an admin's own
    paymentmethod: str = "paypal"
    invoiceid: int = 0
    ipaddress: str = ""
    fraudmodule: str = ""
    fraudoutput: str = ""  # a JSON document in a string
    notes: str = ""
    promocode: str = ""


@dataclass(slots=True)
class TicketReplyRecord:
    id: int
    date: str
    message: str
    admin: str = ""  # the staff member's name; "" for the customer
    name: str = ""
    email: str = ""


@dataclass(slots=True)
class TicketNoteRecord:
    id: int
    date: str
    message: str
    admin: str


@dataclass(slots=True)
class TicketRecord:
    """A ticket; ``message`` is the opening post (GetTicket shows it as reply 0)."""

    id: int
    tid: str
    c: str  # the access key in the customer's ticket link
    deptid: int
    userid: int  # 0: opened by e-mail by someone who is no client
    name: str
    email: str
    date: str
    subject: str
    message: str
    status: str = "Open"
    priority: str = "Medium"  # Low, Medium, High
    admin: str = ""
    cc: str = ""
    flag: int = 0  # the admin it is flagged to
    service: str = ""  # "S<id>" or "D<id>"
    replies: list[TicketReplyRecord] = field(default_factory=list)
    notes: list[TicketNoteRecord] = field(default_factory=list)

    @property
    def lastreply(self) -> str:
        return max([self.date, *(r.date for r in self.replies)])


@dataclass(slots=True)
class DomainRecord:
    id: int
    userid: int
    domainname: str
    orderid: int = 0
    regtype: str = "Register"  # Register or Transfer
    registrar: str = "enom"
    regperiod: int = 1
    firstpaymentamount: Decimal = Decimal(0)
    recurringamount: Decimal = Decimal(0)
    paymentmethod: str = "paypal"
    regdate: str = "0000-00-00"
    expirydate: str = "0000-00-00"  # unset until the registrar reports it
    nextduedate: str = "0000-00-00"
    status: str = "Active"
    dnsmanagement: bool = False
    emailforwarding: bool = False
    idprotection: bool = False
    donotrenew: bool = False
    notes: str = ""

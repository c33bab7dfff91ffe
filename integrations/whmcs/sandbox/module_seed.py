"""Demo services, invoices, orders, tickets and domains for the demo clients (see seed.py).

Chosen to show the modules' quirks: a suspended, a pending, a free and a one-time service; an
invoice with tax, credit, a partial payment and a refund, one overdue, one cancelled, a draft,
and thirty for one client (more than a page); orders whose lines are services and domains; a
ticket in a department the API admin is not assigned to, a guest's ticket, staff notes and a
non-ASCII subject; a domain pending registration (no expiry date) and a transfer. Bob Jones
(client 4) holds nothing at all.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .module_store import ModuleStore

MARGARET, BOB, ACME, JUERGEN, SOPHIE, LIAM, AIKO, EMMA = 1, 2, 3, 5, 6, 7, 8, 10
ADMIN = "Demo Admin"


def _d(amount: str) -> Decimal:
    return Decimal(amount)


def load_module_demo_data(m: ModuleStore) -> None:
    """Add the demo records to an empty store whose demo clients exist."""
    _margaret(m)
    _bob(m)
    _acme(m)
    _others(m)
    _tickets(m)


def _margaret(m: ModuleStore) -> None:
    invoice = m.add_invoice(
        userid=MARGARET, date="2015-01-01", duedate="2015-01-08", status="Paid",
        datepaid="2015-01-02 14:03:11", paymentmethod="paypal",
        items=[
            {"type": "Hosting", "relid": 1, "amount": "5.95",
             "description": "Starter - margarethale.example (01/01/2015 - 31/01/2015)"},
            {"type": "DomainRegister", "relid": 1, "amount": "9.95",
             "description": "Domain Registration - margarethale.example - 1 Year/s"},
        ],
        transactions=[{"gateway": "paypal", "date": "2015-01-02 14:03:11", "amountin": "15.90",
                       "fees": "0.76", "transid": "8AB12345CD6789012"}],
    )  # fmt: skip
    order = m.add_order(
        userid=MARGARET,
        date="2015-01-01 10:12:44",
        status="Active",
        invoiceid=invoice.id,
        ipaddress="198.51.100.14",
    )
    m.add_service(
        clientid=MARGARET, orderid=order.id, pid=1, name="Starter", groupname="Shared Hosting",
        domain="margarethale.example", billingcycle="Monthly", regdate="2015-01-01",
        nextduedate="2026-01-01", firstpaymentamount=_d("5.95"), recurringamount=_d("5.95"),
        username="margaret", password="Sbx-Starter-7Qw!", serverid=1,
    )  # fmt: skip
    m.add_domain(
        userid=MARGARET, orderid=order.id, domainname="margarethale.example", registrar="enom",
        firstpaymentamount=_d("9.95"), recurringamount=_d("12.95"), regdate="2015-01-01",
        expirydate="2026-01-01", nextduedate="2025-12-18", idprotection=True,
        dnsmanagement=True,
    )  # fmt: skip


def _bob(m: ModuleStore) -> None:
    paid = m.add_invoice(
        userid=BOB, date="2019-03-14", duedate="2019-03-21", status="Paid",
        datepaid="2019-03-15 08:30:00", paymentmethod="stripe",
        items=[{"type": "Hosting", "relid": 1, "amount": "59.40",
                "description": "Plus - bobsmith.example (14/03/2019 - 13/03/2020)"}],
        transactions=[{"gateway": "stripe", "date": "2019-03-15 08:30:00", "amountin": "59.40",
                       "fees": "2.02", "transid": "ch_3Nsandbox0000000001"}],
    )  # fmt: skip
    first = m.add_order(
        userid=BOB,
        date="2019-03-14 16:02:10",
        status="Active",
        invoiceid=paid.id,
        paymentmethod="stripe",
        ipaddress="203.0.113.50",
    )
    plus = m.add_service(
        clientid=BOB, orderid=first.id, pid=2, name="Plus", groupname="Shared Hosting",
        domain="bobsmith.example", billingcycle="Annually", regdate="2019-03-14",
        nextduedate="2026-03-14", firstpaymentamount=_d("59.40"), recurringamount=_d("59.40"),
        paymentmethod="stripe", username="bobsmith", password="Sbx-Plus-9Rt#", serverid=2,
    )  # fmt: skip
    old = m.add_service(
        clientid=BOB, pid=1, name="Starter", groupname="Shared Hosting",
        domain="old.bobsmith.example", status="Suspended", billingcycle="Monthly",
        regdate="2019-05-01", nextduedate="2024-02-01", firstpaymentamount=_d("5.95"),
        recurringamount=_d("5.95"), username="bobold", password="Sbx-Old-1Zx$", serverid=1,
        suspensionreason="Overdue on Payment",
    )  # fmt: skip
    m.add_domain(
        userid=BOB, orderid=first.id, domainname="bobsmith.example", registrar="enom",
        firstpaymentamount=_d("12.95"), recurringamount=_d("12.95"), regdate="2019-03-14",
        expirydate="2026-03-14", nextduedate="2026-02-12", paymentmethod="stripe",
        emailforwarding=True,
    )  # fmt: skip
    overdue = m.add_invoice(
        userid=BOB, date="2024-01-25", duedate="2024-02-01", status="Unpaid",
        items=[{"type": "Hosting", "relid": 2, "amount": "5.95",
                "description": "Starter - old.bobsmith.example (01/02/2024 - 29/02/2024)"},
               {"type": "LateFee", "relid": 0, "amount": "2.50", "description": "Late Fee"}],
    )  # fmt: skip
    pending = m.add_invoice(
        userid=BOB, date="2025-06-02", duedate="2025-06-09", status="Unpaid",
        paymentmethod="banktransfer",
        items=[{"type": "Hosting", "relid": 4, "amount": "24.00",
                "description": "VPS Small - vps.bobsmith.example (02/06/2025 - 01/07/2025)"},
               {"type": "DomainRegister", "relid": 3, "amount": "11.25",
                "description": "Domain Registration - bob-smith.example - 1 Year/s"}],
    )  # fmt: skip
    second = m.add_order(
        userid=BOB,
        date="2025-06-02 11:45:00",
        status="Pending",
        invoiceid=pending.id,
        paymentmethod="banktransfer",
        ipaddress="203.0.113.50",
        promocode="SPRING25",
    )
    vps = m.add_service(
        clientid=BOB, orderid=second.id, pid=4, name="VPS Small", groupname="VPS",
        domain="vps.bobsmith.example", status="Pending", billingcycle="Monthly",
        regdate="2025-06-02", nextduedate="2025-06-02", firstpaymentamount=_d("24.00"),
        recurringamount=_d("24.00"), paymentmethod="banktransfer",
    )  # fmt: skip
    new_domain = m.add_domain(
        userid=BOB, orderid=second.id, domainname="bob-smith.example",
        status="Pending Registration", firstpaymentamount=_d("11.25"),
        recurringamount=_d("12.95"), regdate="2025-06-02", nextduedate="2025-06-02",
        paymentmethod="banktransfer",
    )  # fmt: skip
    m.add_invoice(
        userid=BOB, date="2023-11-01", duedate="2023-11-08", status="Cancelled",
        items=[{"type": "Item", "relid": 0, "amount": "15.00", "description": "Migration"}],
    )  # fmt: skip
    m.add_invoice(
        userid=BOB, date="2025-07-01", duedate="2025-07-08", status="Draft",
        items=[{"type": "", "relid": 0, "amount": "40.00", "description": "Consulting (2 h)"}],
    )  # fmt: skip
    # Lines name what they bill (relid): set once those records exist.
    paid.items[0].relid, overdue.items[0].relid = plus.id, old.id
    pending.items[0].relid, pending.items[1].relid = vps.id, new_domain.id


def _acme(m: ModuleStore) -> None:
    # UK VAT at 20% on the taxed lines, a credit of 10.00, a partial payment and a refund.
    invoice = m.add_invoice(
        userid=ACME, date="2019-08-02", duedate="2019-08-16", status="Payment Pending",
        invoicenum="INV-2019-0042", taxrate=_d("20"), credit=_d("10.00"),
        paymentmethod="banktransfer",
        items=[
            {"type": "Hosting", "relid": 0, "amount": "89.70", "taxed": True,
             "description": "VPS Large - acme-widgets.example (02/08/2019 - 01/02/2020)"},
            {"type": "Setup", "relid": 0, "amount": "25.00", "taxed": True,
             "description": "Setup Fee"},
            {"type": "Item", "relid": 0, "amount": "0.10", "description": "Rounding test"},
        ],
        transactions=[
            {"gateway": "banktransfer", "date": "2019-08-05 09:00:00", "amountin": "100.00",
             "transid": "BACS-0042-1"},
            {"gateway": "banktransfer", "date": "2019-08-06 10:30:00", "amountout": "12.34",
             "description": "Refund of overpayment", "transid": "BACS-0042-R", "refundid": 1},
        ],
    )  # fmt: skip
    order = m.add_order(
        userid=ACME, date="2019-08-02 09:15:27", status="Active", invoiceid=invoice.id,
        paymentmethod="banktransfer", ipaddress="192.0.2.200", fraudmodule="fraudlabs",
        fraudoutput='{"is_country_match":"Y","fraudlabspro_score":14,'
        '"fraudlabspro_status":"APPROVE","distance_in_km":484.99000000000000909}',
    )  # fmt: skip
    vps = m.add_service(
        clientid=ACME, orderid=order.id, pid=4, name="VPS Large", groupname="VPS",
        domain="acme-widgets.example", billingcycle="Semi-Annually", regdate="2019-08-02",
        nextduedate="2026-02-02", firstpaymentamount=_d("89.70"), recurringamount=_d("89.70"),
        paymentmethod="banktransfer", username="root", password="Sbx-Vps-5Lk&", serverid=2,
        dedicatedip="192.0.2.77",
    )  # fmt: skip
    invoice.items[0].relid = vps.id
    m.add_service(
        clientid=ACME, pid=5, name="Status Page", groupname="Add-ons",
        billingcycle="Free Account", regdate="2020-01-10", status="Active",
    )  # fmt: skip


def _others(m: ModuleStore) -> None:
    m.add_service(
        clientid=JUERGEN, pid=6, name="SSL Certificate", groupname="Security",
        domain="juergen-mueller.example", billingcycle="One Time", status="Completed",
        regdate="2020-07-01", firstpaymentamount=_d("49.00"),
    )  # fmt: skip
    m.add_domain(
        userid=JUERGEN, domainname="juergen-mueller.example", status="Expired",
        registrar="enom", regdate="2020-07-01", expirydate="2022-07-01",
        nextduedate="2022-07-01", firstpaymentamount=_d("12.95"),
        recurringamount=_d("12.95"), donotrenew=True,
    )  # fmt: skip
    m.add_service(
        clientid=SOPHIE, pid=1, name="Starter", groupname="Shared Hosting",
        domain="sophie-martin.example", status="Terminated", billingcycle="Quarterly",
        regdate="2020-11-11", nextduedate="2021-05-11", firstpaymentamount=_d("17.85"),
        recurringamount=_d("17.85"), username="sophiem", password="Sbx-Term-3Hh*", serverid=1,
    )  # fmt: skip
    m.add_domain(
        userid=LIAM, domainname="obrien.example", regtype="Transfer", registrar="",
        status="Pending Transfer", firstpaymentamount=_d("8.99"), recurringamount=_d("12.95"),
        regdate="2025-05-20", nextduedate="2025-05-20",
    )  # fmt: skip
    for month in range(1, 31):  # Emma: more invoices than one page holds
        year, mon = 2023 + (month - 1) // 12, (month - 1) % 12 + 1
        m.add_invoice(
            userid=EMMA, date=f"{year}-{mon:02d}-01", duedate=f"{year}-{mon:02d}-08",
            status="Paid", datepaid=f"{year}-{mon:02d}-03 12:00:00",
            items=[{"type": "Item", "relid": 0, "amount": "10.00",
                    "description": f"Support plan {year}-{mon:02d}"}],
            transactions=[{"gateway": "paypal", "date": f"{year}-{mon:02d}-03 12:00:00",
                           "amountin": "10.00", "fees": "0.59",
                           "transid": f"PP-EMMA-{year}{mon:02d}"}],
        )  # fmt: skip


def _tickets(m: ModuleStore) -> None:
    m.add_ticket(
        userid=MARGARET, deptid=1, date="2024-03-04 09:12:00", status="Answered",
        subject="Can't log in to webmail",
        message="Hello,\r\n\r\nWebmail says my password is wrong.",
        replies=[{"date": "2024-03-04 10:01:00", "admin": ADMIN,
                  "message": "Hi Margaret,\r\n\r\nI have reset it: check your e-mail."}],
    )  # fmt: skip
    # In Billing, a department the API admin is not assigned to: GetTickets hides it unless
    # ignore_dept_assignments is sent.
    m.add_ticket(
        userid=BOB, deptid=2, date="2024-02-03 18:40:00", status="Open", priority="High",
        subject="Why was my Starter service suspended?", service="S3",
        message="My site old.bobsmith.example is down.",
    )  # fmt: skip
    m.add_ticket(
        userid=BOB, deptid=1, date="2019-04-01 08:00:00", status="Closed",
        subject="DNS for bobsmith.example", message="Which nameservers do I use?",
        replies=[
            {"date": "2019-04-01 08:20:00", "admin": ADMIN,
             "message": "ns1.example.net and ns2.example.net."},
            {"date": "2019-04-01 09:00:00", "name": "Bob Smith", "email": "bob@example.com",
             "message": "Thanks, working now."},
        ],
        notes=[{"date": "2019-04-01 08:19:00", "admin": ADMIN,
                "message": "Customer on the legacy cluster: check before changing DNS."}],
    )  # fmt: skip
    m.add_ticket(
        userid=ACME, deptid=3, date="2025-06-10 14:00:00", status="Customer-Reply",
        priority="Low", name="Tom Baker", email="tom@acme-widgets.example",
        subject="Quote for a second VPS", message="Could you quote a second VPS Large?",
        replies=[
            {"date": "2025-06-10 15:00:00", "admin": ADMIN, "message": "Of course: 89.70 GBP."},
            {"date": "2025-06-11 09:30:00", "name": "Tom Baker",
             "email": "tom@acme-widgets.example", "message": "And with a yearly cycle?"},
        ],
    )  # fmt: skip
    m.add_ticket(
        userid=AIKO, deptid=2, date="2024-09-17 07:05:00", status="On Hold",
        subject="請求書について (about my invoice)", message="請求書の宛名を変更できますか",
    )  # fmt: skip
    m.add_ticket(  # someone who is no client wrote in
        userid=0, deptid=3, date="2025-01-15 12:00:00", status="Open", name="Walk In",
        email="someone@example.org", subject="Do you offer .example domains?",
        message="Hi, do you register .example domains?",
    )  # fmt: skip

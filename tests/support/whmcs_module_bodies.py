"""Answers of the module actions shaped like the documented ones (developer-docs api-reference,
whmcs-api.md section 2, whmcs-modules.md): strings where WHMCS sends strings, ints where it sends
ints, ``0000-00-00`` for "no date", ``""`` for "none".

Builders return fresh dicts, so a test can change one without touching another test's copy.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "SERVICE_PASSWORD",
    "TICKET_ACCESS_KEY",
    "clients_domains",
    "clients_products",
    "domain_row",
    "invoice_body",
    "invoice_row",
    "invoices",
    "order_row",
    "orders",
    "product_row",
    "ticket_body",
    "ticket_row",
    "tickets",
]

# Distinctive, so a test can prove they appear nowhere they should not.
SERVICE_PASSWORD = "Pw-9xQ2!srv-ZZ7"
TICKET_ACCESS_KEY = "KPqH7yG3zq"


def product_row(service_id: int = 1, client_id: int = 1, **changes: Any) -> dict[str, Any]:
    """One ``GetClientsProducts`` row: every value a string, as in the docs' example."""
    row: dict[str, Any] = {
        "id": str(service_id), "qty": "1", "clientid": str(client_id), "orderid": "1",
        "ordernumber": "456789", "pid": "1", "regdate": "2015-01-01", "name": "Starter",
        "translated_name": "Starter", "groupname": "Shared Hosting",
        "translated_groupname": "Shared Hosting", "domain": "demodomain.com", "dedicatedip": "",
        "serverid": "1", "servername": "Saturn", "serverip": "1.2.3.4",
        "serverhostname": "saturn.example.com", "suspensionreason": "",
        "firstpaymentamount": "12.95", "recurringamount": "12.95", "paymentmethod": "authorize",
        "paymentmethodname": "Credit Card", "billingcycle": "Monthly",
        "nextduedate": "2016-11-25", "status": "Terminated", "username": "demodoma",
        "password": SERVICE_PASSWORD, "subscriptionid": "", "promoid": "0",
        "overideautosuspend": "", "overidesuspenduntil": "0000-00-00", "ns1": "", "ns2": "",
        "assignedips": "", "notes": "", "diskusage": "0", "disklimit": "0", "bwusage": "0",
        "bwlimit": "0", "lastupdate": "0000-00-00 00:00:00",
        "customfields": {"customfield": []}, "configoptions": {"configoption": []},
    }  # fmt: skip
    row.update(changes)
    return row


def clients_products(
    rows: list[dict[str, Any]], *, client_id: int = 1, total: int | None = None, start: int = 0
) -> dict[str, Any]:
    """``totalresults`` a string, ``startnumber``/``numreturned`` ints, unused filters null."""
    return {
        "result": "success", "clientid": str(client_id), "serviceid": None, "pid": None,
        "domain": None, "totalresults": str(len(rows) if total is None else total),
        "startnumber": start, "numreturned": len(rows),
        "products": {"product": rows} if rows else "",
    }  # fmt: skip


def invoice_row(invoice_id: int = 1, client_id: int = 1, **changes: Any) -> dict[str, Any]:
    """One ``GetInvoices`` row: ints for ids, strings for money, zero datetimes while unpaid."""
    row: dict[str, Any] = {
        "id": invoice_id, "userid": client_id, "firstname": "Test", "lastname": "Client",
        "companyname": "", "invoicenum": "", "date": "2016-01-01", "duedate": "2016-01-08",
        "datepaid": "0000-00-00 00:00:00", "last_capture_attempt": "0000-00-00 00:00:00",
        "date_refunded": "0000-00-00 00:00:00", "date_cancelled": "0000-00-00 00:00:00",
        "subtotal": "15.95", "credit": "0.00", "tax": "0.00", "tax2": "0.00", "total": "15.95",
        "taxrate": "0.000", "taxrate2": "0.000", "status": "Unpaid",
        "paymentmethod": "paypalcheckout", "paymethodid": None, "notes": "",
        "created_at": "2016-01-08 14:06:34", "updated_at": "2016-01-08 14:06:34",
        "currencycode": "USD", "currencyprefix": "$", "currencysuffix": " USD",
    }  # fmt: skip
    row.update(changes)
    return row


def invoices(
    rows: list[dict[str, Any]], *, total: int | None = None, start: int = 0
) -> dict[str, Any]:
    return {
        "result": "success", "totalresults": len(rows) if total is None else total,
        "startnumber": start, "numreturned": len(rows), "invoices": {"invoice": rows},
    }  # fmt: skip


def invoice_body(invoice_id: int = 1, **changes: Any) -> dict[str, Any]:
    """A ``GetInvoice`` answer: all strings, ``transactions`` ``""`` when there are none."""
    body: dict[str, Any] = {
        "result": "success", "invoiceid": str(invoice_id), "invoicenum": "", "userid": "2361",
        "date": "2016-01-01", "duedate": "2016-01-08", "datepaid": "0000-00-00 00:00:00",
        "lastcaptureattempt": "0000-00-00 00:00:00", "subtotal": "15.95", "credit": "0.00",
        "tax": "0.00", "tax2": "0.00", "total": "15.95", "balance": "15.95", "taxrate": "0.00",
        "taxrate2": "0.00", "status": "Unpaid", "paymentmethod": "paypal", "notes": "",
        "ccgateway": "",
        "items": {"item": [{
            "id": "1", "type": "Hosting", "relid": "1",
            "description": "Sample Monthly Product (01/01/2016 - 31/01/2016)", "amount": "15.95",
            "taxed": "0",
        }]},
        "transactions": "",
    }  # fmt: skip
    body.update(changes)
    return body


def order_row(order_id: int = 1, client_id: int = 1, **changes: Any) -> dict[str, Any]:
    """One ``GetOrders`` row: ints for ids and ``ordernum``, ``fraudoutput`` a JSON string."""
    row: dict[str, Any] = {
        "id": order_id, "ordernum": 7858259149, "userid": client_id, "contactid": 0,
        "requestor_id": 1, "admin_requestor_id": 0, "date": "2020-09-23 13:59:35",
        "nameservers": "", "transfersecret": "", "renewals": "",
        "renewalsByType": {"domains": [], "services": [], "addons": []}, "promocode": "",
        "promotype": "", "promovalue": "", "orderdata": "}", "amount": "8.00",
        "paymentmethod": "stripe", "invoiceid": 1, "status": "Active",
        "ipaddress": "198.51.100.7", "fraudmodule": "fraudlabs",
        "fraudoutput": '{"is_country_match":"Y","fraudlabspro_score":14}',
        "notes": "Sample Notes!", "paymentmethodname": "Stripe", "paymentstatus": "Paid",
        "name": "WHMCS Tester", "currencyprefix": "$", "currencysuffix": "USD",
        "frauddata": "", "validationdata": "",
        "lineitems": {"lineitem": [{
            "type": "product", "relid": 1, "producttype": "Other Product/Service",
            "product": "SSL Certificates - Rapid SSL", "domain": "sampledomain.com",
            "billingcycle": "One-Time", "amount": "$8.00 USD", "status": "Active",
        }]},
    }  # fmt: skip
    row.update(changes)
    return row


def orders(
    rows: list[dict[str, Any]], *, total: int | None = None, start: int = 0
) -> dict[str, Any]:
    return {
        "result": "success", "totalresults": len(rows) if total is None else total,
        "startnumber": start, "numreturned": len(rows), "orders": {"order": rows},
    }  # fmt: skip


def ticket_row(ticket_id: int = 1, client_id: int = 1, **changes: Any) -> dict[str, Any]:
    """One ``GetTickets`` row: every value a string."""
    row: dict[str, Any] = {
        "id": str(ticket_id), "tid": "516757", "deptid": "1", "userid": str(client_id),
        "name": "Cynthia Reilly", "owner_name": "Cynthia Reilly", "email": "testuser@whmcs.com",
        "requestor_name": "Cynthia Reilly", "requestor_email": "testuser@whmcs.com",
        "requestor_type": "Owner", "cc": "", "c": TICKET_ACCESS_KEY,
        "date": "2016-01-01 06:26:29", "subject": "This is a sample ticket", "status": "Answered",
        "priority": "Medium", "admin": "admin admin", "attachment": "",
        "attachments": [], "attachments_removed": False, "lastreply": "2016-01-01 06:30:16",
        "flag": "0", "service": "",
    }  # fmt: skip
    row.update(changes)
    return row


def tickets(
    rows: list[dict[str, Any]], *, total: int | None = None, start: int = 0
) -> dict[str, Any]:
    """``totalresults`` a string while ``numreturned`` is an int (as documented)."""
    return {
        "result": "success", "totalresults": str(len(rows) if total is None else total),
        "startnumber": start, "numreturned": len(rows),
        "tickets": {"ticket": rows} if rows else "",
    }  # fmt: skip


def ticket_body(ticket_id: int = 1, **changes: Any) -> dict[str, Any]:
    """A ``GetTicket`` answer: the opening message is ``replies.reply[0]`` with replyid "0"."""
    body: dict[str, Any] = {
        "result": "success", "ticketid": str(ticket_id), "tid": "516757",
        "c": TICKET_ACCESS_KEY, "deptid": "1", "deptname": "Sample Support Department",
        "userid": "1", "contactid": "0", "name": "Cynthia Reilly",
        "email": "testuser@whmcs.com", "cc": "", "date": "2016-01-01 06:26:29",
        "subject": "This is a sample ticket", "status": "Closed", "priority": "Medium",
        "admin": "", "lastreply": "2016-01-01 06:30:16", "flag": "0", "service": "",
        "replies": {"reply": [
            {"replyid": "0", "userid": "1", "contactid": "0", "name": "Cynthia Reilly",
             "email": "testuser@whmcs.com", "date": "2016-01-01 06:26:29",
             "message": "Hey, \r\n\r\nThis is the first ticket message!", "attachment": "",
             "attachments": [[]], "admin": ""},
            {"replyid": "1", "userid": "1", "contactid": "0", "name": "", "email": "",
             "date": "2016-01-01 06:27:01", "message": "Hello, \r\n\r\nAn admin reply!",
             "attachment": "", "attachments": [[]], "admin": "Demo Admin", "rating": "0"},
        ]},
        "notes": {"note": [
            {"noteid": "1", "date": "2016-01-01 06:26:42", "message": "This is a ticket note",
             "admin": "Demo Admin"},
        ]},
    }  # fmt: skip
    body.update(changes)
    return body


def domain_row(domain_id: int = 1, client_id: int = 1, **changes: Any) -> dict[str, Any]:
    """One ``GetClientsDomains`` row: every value a string, flags "0"/"1"."""
    row: dict[str, Any] = {
        "id": str(domain_id), "userid": str(client_id), "orderid": "1", "regtype": "Register",
        "domainname": "whmcs.rocks", "registrar": "enom", "regperiod": "1",
        "firstpaymentamount": "12.95", "recurringamount": "12.95", "paymentmethod": "authorize",
        "paymentmethodname": "Credit Card", "regdate": "2016-01-01", "expirydate": "2017-01-01",
        "nextduedate": "2016-01-01", "status": "Active", "subscriptionid": "", "promoid": "0",
        "dnsmanagement": "0", "emailforwarding": "0", "idprotection": "1", "donotrenew": "0",
        "notes": "",
    }  # fmt: skip
    row.update(changes)
    return row


def clients_domains(
    rows: list[dict[str, Any]], *, client_id: int = 1, total: int | None = None, start: int = 0
) -> dict[str, Any]:
    """``domains`` is ``""`` when there are none; ``domainid`` echoes ``""`` when unfiltered."""
    return {
        "result": "success", "clientid": str(client_id), "domainid": "",
        "totalresults": str(len(rows) if total is None else total), "startnumber": start,
        "numreturned": len(rows), "domains": {"domain": rows} if rows else "",
    }  # fmt: skip

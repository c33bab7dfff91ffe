"""The module reads in `make bench` (section 2's table): whmcsServices, whmcsInvoices,
whmcsInvoice, whmcsOrders, whmcsTickets, whmcsTicket and whmcsDomains, each uncached (p50 against
the raw WHMCS call's p50, in the same run) and cached (no WHMCS call allowed), and a page of 5 of a
client with 5,000 invoices beside the page of a client with 5 (the same rows: only the client's
size differs).

Every sample reads another WHMCS client (the cache is per client), created with one record of each
kind through the sandbox's control endpoint; the big client's pages are distinct offsets.
"""

from __future__ import annotations

from typing import Any

from bench.run import WHMCS_LATENCY_MS, BenchError, Gql, Report, Sandbox, log, p50

READS: dict[str, tuple[str, str, str]] = {
    # name: (query, its union member, the one WHMCS action it may make)
    "whmcsServices": (
        "query($c: ID!) { whmcsServices(whmcsClientId: $c) { __typename"
        " ... on WhmcsServicePage { total items { id name recurringAmount } }"
        " ... on Error { code message } } }",
        "WhmcsServicePage",
        "GetClientsProducts",
    ),
    "whmcsInvoices": (
        "query($c: ID!, $offset: Int! = 0, $limit: Int! = 25) {"
        " whmcsInvoices(whmcsClientId: $c, offset: $offset, limit: $limit) {"
        " __typename ... on WhmcsInvoicePage { total items { id status total } }"
        " ... on Error { code message } } }",
        "WhmcsInvoicePage",
        "GetInvoices",
    ),
    "whmcsInvoice": (
        "query($id: ID!) { whmcsInvoice(id: $id) { __typename ... on WhmcsInvoiceDetail {"
        " balance lines { id amount } payments { id amount } } ... on Error { code message } } }",
        "WhmcsInvoiceDetail",
        "GetInvoice",
    ),
    "whmcsOrders": (
        "query($c: ID!) { whmcsOrders(whmcsClientId: $c) { __typename"
        " ... on WhmcsOrderPage { total items { id amount items { type } } }"
        " ... on Error { code message } } }",
        "WhmcsOrderPage",
        "GetOrders",
    ),
    "whmcsTickets": (
        "query($c: ID!) { whmcsTickets(whmcsClientId: $c) { __typename"
        " ... on WhmcsTicketPage { total items { id subject } } ... on Error { code message } } }",
        "WhmcsTicketPage",
        "GetTickets",
    ),
    "whmcsTicket": (
        "query($id: ID!) { whmcsTicket(id: $id) { __typename ... on WhmcsTicketDetail {"
        " ticket { id } messages { id message } } ... on Error { code message } } }",
        "WhmcsTicketDetail",
        "GetTicket",
    ),
    "whmcsDomains": (
        "query($c: ID!) { whmcsDomains(whmcsClientId: $c) { __typename"
        " ... on WhmcsDomainPage { total items { id domain } } ... on Error { code message } } }",
        "WhmcsDomainPage",
        "GetClientsDomains",
    ),
}
BIG = "whmcsInvoices (client with 5,000)"


async def _client_with_records(sandbox: Sandbox, tag: str, invoices: int) -> dict[str, Any]:
    """A new WHMCS client with a service, `invoices` invoices, an order, a ticket, a domain."""
    client = await sandbox.control(
        op="add_client",
        fields={"firstname": "Bench", "lastname": tag, "email": f"bench-{tag}@example.org"},
    )
    cid = client["clientid"]

    async def add(kind: str, **fields: Any) -> int:
        record_id: int = (await sandbox.control(op="add_record", kind=kind, fields=fields))["id"]
        return record_id

    order = await add("order", userid=cid, date="2025-01-02 10:00:00", status="Active")
    await add("service", clientid=cid, orderid=order, pid=1, name="Starter", groupname="Hosting",
              billingcycle="Monthly", regdate="2025-01-02", nextduedate="2025-02-02",
              firstpaymentamount="5.95", recurringamount="5.95",
              password="Bench-Secret-1!")  # fmt: skip
    await add("domain", userid=cid, orderid=order, domainname=f"bench-{tag}.example",
              regdate="2025-01-02", recurringamount="12.95")  # fmt: skip
    invoice = 0
    for n in range(invoices):
        invoice = await add(
            "invoice", userid=cid, date="2025-01-02", duedate="2025-01-09", status="Paid",
            items=[{"type": "Item", "relid": 0, "amount": "10.00", "description": f"Item {n}"}],
            transactions=[{"gateway": "paypal", "date": "2025-01-03 12:00:00",
                           "amountin": "10.00", "fees": "0.59", "transid": f"B-{tag}-{n}"}],
        )  # fmt: skip
    ticket = await add("ticket", userid=cid, deptid=1, date="2025-01-05 09:00:00",
                       subject="Bench ticket", message="Hello",
                       replies=[{"date": "2025-01-05 10:00:00", "admin": "Bench",
                                 "message": "Hi"}])  # fmt: skip
    return {"c": str(cid), "invoice": str(invoice), "ticket": str(ticket)}


async def module_reads(
    report: Report, engine: str, gql: Gql, sandbox: Sandbox, run_id: str
) -> None:
    n = report.mode.samples
    big_count = 500 if report.mode.short else 5000
    log(f"{engine}: {n} clients with one of each record, one with {big_count} invoices")
    clients = [await _client_with_records(sandbox, f"{run_id}-{engine}-{i}", 5) for i in range(n)]
    big = await _client_with_records(sandbox, f"{run_id}-{engine}-big", big_count)
    await sandbox.control(op="set_latency", latency_ms=WHMCS_LATENCY_MS)
    names = [*READS, BIG]
    times: dict[str, list[float]] = {k: [] for k in names}
    cached: dict[str, list[float]] = {k: [] for k in names}
    raw: dict[str, list[float]] = {k: [] for k in names}
    wrong: list[str] = []

    async def measure(name: str, variables: dict[str, Any]) -> None:
        query, member, action = READS[name if name != BIG else "whmcsInvoices"]
        for bucket, expected in ((times, [action]), (cached, [])):
            mark = await sandbox.journal_size()
            ms, data = await gql.timed(query, variables)
            result = next(iter(data.values()))
            if result.get("__typename") != member:
                raise BenchError(f"{name} answered {result}")
            made = await sandbox.calls_since(mark)
            if made != expected:
                wrong.append(f"{engine} {name}: WHMCS calls {made}, expected {expected}")
            bucket[name].append(ms)

    for i, ids in enumerate(clients):
        page = {"c": ids["c"]}
        for name in ("whmcsServices", "whmcsInvoices", "whmcsOrders", "whmcsTickets"):
            await measure(name, page)
        await measure("whmcsDomains", page)
        await measure("whmcsInvoice", {"id": ids["invoice"]})
        await measure("whmcsTicket", {"id": ids["ticket"]})
        # As many rows as the small client's page (5): only the client's size differs.
        await measure(BIG, {"c": big["c"], "offset": (i * 5) % (big_count - 5), "limit": 5})

    # The floor: the same WHMCS calls straight to the sandbox, same latency, same run.
    for i, ids in enumerate(clients):
        cid = ids["c"]
        raw["whmcsServices"].append(await sandbox.raw("GetClientsProducts", clientid=cid))
        raw["whmcsInvoices"].append(
            await sandbox.raw("GetInvoices", userid=cid, orderby="id", order="desc", limitnum=25)
        )
        raw["whmcsInvoice"].append(await sandbox.raw("GetInvoice", invoiceid=ids["invoice"]))
        raw["whmcsOrders"].append(await sandbox.raw("GetOrders", userid=cid, limitnum=25))
        raw["whmcsTickets"].append(
            await sandbox.raw("GetTickets", clientid=cid, ignore_dept_assignments=1, limitnum=25)
        )
        raw["whmcsTicket"].append(
            await sandbox.raw("GetTicket", ticketid=ids["ticket"], ignore_dept_assignments=1)
        )
        raw["whmcsDomains"].append(await sandbox.raw("GetClientsDomains", clientid=cid))
        raw[BIG].append(
            await sandbox.raw(
                "GetInvoices", userid=big["c"], orderby="id", order="desc",
                limitstart=(i * 5) % (big_count - 5), limitnum=5,
            )
        )  # fmt: skip
    await sandbox.control(op="set_latency", latency_ms=0)

    report.errors.extend(wrong[:3])
    label = {BIG: f"whmcsInvoices (client with {big_count:,})"}
    for name in names:
        action = READS[name if name != BIG else "whmcsInvoices"][2]
        floor, op = round(p50(raw[name]), 2), round(p50(times[name]), 2)
        shown = label.get(name, name + (" (client with 5)" if name == "whmcsInvoices" else ""))
        raw_label = action + (f" (client with {big_count:,})" if name == BIG else "")
        report.raw.setdefault(engine, {})[raw_label] = floor
        ok = not any(f" {name}:" in w for w in wrong)
        for suffix, calls, ms, base in (
            ("", action, op, floor),
            (" (cached)", "none", round(p50(cached[name]), 2), 0.0),
        ):
            report.ops.append(
                {
                    "engine": engine,
                    "operation": shown + suffix,
                    "calls": calls,
                    "n_calls": 0 if calls == "none" else 1,
                    "calls_ok": ok,
                    "p50_ms": ms,
                    "raw_sum_ms": base,
                    "overhead_ms": round(ms - base, 2),
                }
            )
        log(
            f"{engine} {shown}: p50 {op} ms, WHMCS floor {floor} ms, cached {p50(cached[name]):.2f}"
        )

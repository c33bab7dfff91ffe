"""`python -m bench.call_cost [--rows 250] [--samples 300]`: the WHMCS client's own CPU per call,
in-process, without the network or the database (docs/performance.md, "Bridge overhead on the
WHMCS-bound path").

One ``GetClients`` answer of ``--rows`` rows (as WHMCS shapes it, eight fields a row) is handed
to the client as if it came off the wire (``_Transport._post`` answers with ``read_answer`` of
the canned bytes), and ``clients.search`` runs it: decoding, the surrogate and depth checks, the
call record for the observer, normalising into records. The observer is the audit
(`Audit.observe`, its row's INSERT replaced by nothing), keeping responses
(WHMCS_LOG_RESPONSES=true, the default) or not (false); and no observer at all. Prints the
median main-thread CPU (`time.thread_time`) per call in µs. Uses only names every checkout has,
so two trees compare in one sitting: `cd <other checkout> && python -m bench.call_cost`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from typing import Any

CREDENTIAL = "bench-identifier-0123456789"
SECRET = "bench-secret-0123456789"


def answer(rows: int) -> bytes:
    clients = [
        {
            "id": n,
            "firstname": f"First{n}",
            "lastname": f"Last{n}",
            "companyname": f"Company {n} Ltd" if n % 3 else "",
            "email": f"client{n}@example.org",
            "datecreated": "2025-01-02",
            "groupid": 0,
            "status": "Active",
        }
        for n in range(1, rows + 1)
    ]
    body = {
        "result": "success",
        "totalresults": rows * 4,
        "startnumber": 0,
        "numreturned": rows,
        "clients": {"client": clients},
    }
    return json.dumps(body).encode()


async def measure(rows: int, samples: int) -> dict[str, float]:
    import aiohttp

    import models
    from integrations.whmcs import client as client_module
    from integrations.whmcs.answer import read_answer
    from integrations.whmcs.sync.audit import Audit, AuditSettings

    raw = answer(rows)

    async def post(self: Any, action: str, fields: Any, *, write: bool) -> Any:
        return read_answer(action, 200, raw, write=write, secrets=self.secrets)

    async def no_insert(**_: Any) -> None:
        return None

    client_module._Transport._post = post  # type: ignore[method-assign]
    models.SyncLog.create = no_insert  # type: ignore[assignment,method-assign]
    results: dict[str, float] = {}
    async with aiohttp.ClientSession() as session:
        whmcs = client_module.WhmcsClient(
            api_url="http://whmcs.invalid", identifier=CREDENTIAL, secret=SECRET, session=session
        )
        variants: dict[str, Any] = {"no observer": whmcs}
        for keep in (True, False):
            settings = AuditSettings(log_responses=keep, secrets=(CREDENTIAL, SECRET))
            audit = Audit(models.SyncOperation.LIST, "bench", settings=settings)
            variants[f"audit, WHMCS_LOG_RESPONSES={str(keep).lower()}"] = whmcs.with_observer(
                audit.observe
            )
        for _ in range(20):  # warm every path (key cache, type hints)
            for client in variants.values():
                await client.clients.search(offset=0, limit=rows)
        times: dict[str, list[float]] = {name: [] for name in variants}
        for _ in range(samples):  # interleaved, so every variant sees the same machine
            for name, client in variants.items():
                started = time.thread_time()
                await client.clients.search(offset=0, limit=rows)
                times[name].append(time.thread_time() - started)
        for name, taken in times.items():
            results[name] = statistics.median(taken) * 1e6
    return results


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=250)
    parser.add_argument("--samples", type=int, default=300)
    args = parser.parse_args()
    results = asyncio.run(measure(args.rows, args.samples))
    for name, us in results.items():
        sys.stdout.write(f"GetClients page of {args.rows}, {name}: CPU p50 {us:.0f} µs per call\n")


if __name__ == "__main__":
    cli()

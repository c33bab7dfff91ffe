"""A light, closed-loop HTTP/1.1 load generator, run in its own process.

`python -m bench.load SPEC_JSON` where the spec names port, method, path, headers, body,
connections and seconds. Each connection keeps one socket alive and sends the next request as soon
as the previous answer is read; the request bytes are built once. The answer is checked cheaply: a
status other than 200, or a body with a top-level GraphQL `"errors"`, counts as an error. Prints
one JSON line: requests, errors, seconds, rps, p50_ms, p99_ms.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

try:
    import uvloop
except ImportError:  # pragma: no cover - uvicorn[standard] installs it
    uvloop = None  # type: ignore[assignment]


def build_request(spec: dict[str, object]) -> bytes:
    body = str(spec.get("body") or "").encode()
    lines = [f"{spec.get('method', 'GET')} {spec['path']} HTTP/1.1", "Host: 127.0.0.1"]
    headers = spec.get("headers") or {}
    assert isinstance(headers, dict)
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if body:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _read_answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    body = await reader.readexactly(length) if length else b""
    return status, body


async def _connection(
    port: int, request: bytes, deadline: float, latencies: list[float], errors: list[str]
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while True:
            started = time.perf_counter()
            if started >= deadline:
                return
            writer.write(request)
            status, body = await _read_answer(reader)
            latencies.append(time.perf_counter() - started)
            if status != 200 or body.startswith(b'{"data":null') or b'"errors":[' in body[:4096]:
                if len(errors) < 5:
                    errors.append(f"{status}: {body[:300]!r}")
                else:
                    errors.append("")
    finally:
        writer.close()


async def run(spec: dict[str, object]) -> dict[str, object]:
    port = int(str(spec["port"]))
    request = build_request(spec)
    seconds = float(str(spec.get("seconds", 5)))
    connections = int(str(spec.get("connections", 16)))
    latencies: list[float] = []
    errors: list[str] = []
    # Warm-up: a short burst whose numbers are dropped (connections open, caches fill).
    warm_deadline = time.perf_counter() + min(0.5, seconds / 4)
    await asyncio.gather(
        *(_connection(port, request, warm_deadline, [], errors) for _ in range(connections))
    )
    started = time.perf_counter()
    await asyncio.gather(
        *(
            _connection(port, request, started + seconds, latencies, errors)
            for _ in range(connections)
        )
    )
    elapsed = time.perf_counter() - started
    latencies.sort()
    n = len(latencies)
    return {
        "requests": n,
        "errors": len(errors),
        "error_samples": [e for e in errors if e][:3],
        "seconds": round(elapsed, 3),
        "rps": round(n / elapsed, 1),
        "p50_ms": round(latencies[n // 2] * 1000, 2) if n else None,
        "p99_ms": round(latencies[min(n - 1, int(n * 0.99))] * 1000, 2) if n else None,
    }


def main() -> None:
    spec = json.loads(sys.argv[1])
    result = uvloop.run(run(spec)) if uvloop is not None else asyncio.run(run(spec))
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()

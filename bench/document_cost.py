"""`python -m bench.document_cost`: what refusing an attack document costs, next to real work.

For each document: the time to parse it and run the schema's document check (the cost pass of
graph/cost.py, then graphql-core's rules when it passes), uncached, as a ratio of the same for
GraphiQL's introspection query (a real document of about 180 tokens). For the attacks the audit
found, also the old way for comparison (Strawberry's depth and alias rules, then graphql-core's),
on smaller versions that still finish (the full ones took seconds to hours).

Absolute times depend on the machine and its neighbours; the ratios are the result: every
attack must be refused in about the time of a real document (the run fails past MAX_RATIO).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from graphql import get_introspection_query, parse, specified_rules, validate
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter

from graph.cost import document_cost_errors
from graph.schema import build_schema
from graph.security import Limits

ROOT = Path(__file__).resolve().parent.parent
MAX_RATIO = 10.0  # an attack refused in at most 10x a real document's check


def doubling(levels: int) -> str:
    parts = ["fragment F0 on Query { stats { totalSynced } }"]
    parts += [f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels + 1)]
    return "\n".join([f"query {{ ...F{levels} }}", *parts])


ATTACKS = {
    "doubling spreads, 30 levels": doubling(30),
    "one field 300 times": "{ " + "stats { totalSynced } " * 300 + "}",
    "one leaf 600 times": "{ stats { " + "totalSynced " * 600 + "} }",
    "600 duplicate arguments": "{ clients(" + "offset: 0 " * 600 + ") { total } }",
    "200 operations": " ".join(f"query Q{i} {{ __typename }}" for i in range(200)),
}
# Smaller versions for the old way, which would not finish on the full ones.
OLD_WAY = {
    "doubling spreads, 16 levels": doubling(16),
    "one field 300 times": ATTACKS["one field 300 times"],
}


def say(line: str) -> None:
    sys.stdout.write(line + "\n")


def timed(run: Callable[[], object], repeat: int) -> float:
    """Median seconds of `run` over `repeat` runs."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    schema = build_schema()._schema
    limits = Limits(max_tokens=100_000).cost

    def new_way(text: str) -> Callable[[], object]:
        def run() -> object:
            document = parse(text, max_tokens=100_000)
            return document_cost_errors(document, limits) or validate(
                schema, document, specified_rules, max_errors=10
            )

        return run

    old_rules = [
        *specified_rules,
        *QueryDepthLimiter(max_depth=10).validation_rules,
        *MaxAliasesLimiter(max_alias_count=15).validation_rules,
    ]

    def old_way(text: str) -> Callable[[], object]:
        return lambda: validate(schema, parse(text, max_tokens=100_000), old_rules)

    real = timed(new_way(get_introspection_query(descriptions=True)), args.repeat)
    rows: list[dict[str, str | float]] = []
    for name, text in ATTACKS.items():
        spent = timed(new_way(text), args.repeat)
        rows.append({"document": name, "ms": spent * 1000, "ratio": spent / real})
    old_rows: list[dict[str, str | float]] = []
    for name, text in OLD_WAY.items():
        spent = timed(old_way(text), max(3, args.repeat // 7))
        old_rows.append({"document": name, "ms": spent * 1000, "ratio": spent / real})

    say(f"GraphiQL's introspection query, checked: {real * 1000:.2f} ms (ratio 1)")
    say(f"{'attack, refused':40} {'ms':>8} {'ratio':>7}")
    for row in rows:
        say(f"{row['document']:40} {row['ms']:8.2f} {row['ratio']:7.2f}")
    say(f"{'before: Strawberry limiters + rules':40} {'ms':>8} {'ratio':>7}")
    for row in old_rows:
        say(f"{row['document']:40} {row['ms']:8.2f} {row['ratio']:7.2f}")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "document_cost.json").write_text(
        json.dumps({"introspection_ms": real * 1000, "attacks": rows, "before": old_rows}, indent=2)
    )
    worst = max(float(row["ratio"]) for row in rows)
    if worst > MAX_RATIO:
        say(f"FAIL: an attack cost {worst:.1f}x a real document (limit {MAX_RATIO:g}x)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

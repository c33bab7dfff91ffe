# whmcs-bridge: `make run` starts the server on the embedded default (SQLite + WHMCS sandbox),
# `make test` runs the whole suite. Both set everything up on a fresh machine first: `run` only
# what running needs, `test` (and `install`) the development tools too.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run-stamp
STAMP := $(VENV)/.installed-stamp

.PHONY: install install-run run test lint typecheck pytest schema check-schema migrations clean \
	graphiql browser-deps judge-deps angular wheel

# Everything: the server, GraphiQL's files and the development tools (pytest, ruff, mypy...).
install: $(STAMP)

# What running needs: the package and its dependencies, and GraphiQL's files.
install-run: $(RUN_STAMP)

$(RUN_STAMP): pyproject.toml scripts/fetch_graphiql.py
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "whmcs-bridge needs Python 3.11 or newer (set PYTHON=python3.11)")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -qq --upgrade pip
	$(BIN)/python -m pip install -qq -e .
	$(BIN)/python scripts/fetch_graphiql.py
	@touch $(RUN_STAMP)

$(STAMP): $(RUN_STAMP)
	$(BIN)/python -m pip install -qq -e '.[dev]'
	@touch $(STAMP)

run: install-run
	$(BIN)/whmcs-bridge migrate
	$(BIN)/whmcs-bridge serve

test: install lint typecheck pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

pytest: install
	$(BIN)/pytest

# Write schema.graphql from the code (commit the result; a test fails when they differ).
schema: install
	$(BIN)/whmcs-bridge export-schema --output schema.graphql

# After changing models: write the next migration (commit it; a test fails on drift).
migrations: install
	$(BIN)/tortoise makemigrations

# GraphiQL's files (install fetches them too, but tolerates a missing npm): fail if they can't be had.
graphiql: install
	$(BIN)/python scripts/fetch_graphiql.py --strict

# A wheel for production installs (README "Running it in production"), GraphiQL's files inside:
# dist/whmcs_bridge-<version>-py3-none-any.whl.
wheel: graphiql
	rm -rf build
	$(BIN)/python -m pip wheel -q --no-deps -w dist .

# playwright-core for tests/browser (the test installs it itself when missing).
browser-deps:
	cd tests/browser && npm ci --no-audit --no-fund

# The npm WHMCS client that judges the sandbox (tests/integrations/whmcs/sandbox/test_judges.py
# installs it too).
judge-deps:
	cd tests/integrations/whmcs/sandbox/judges && npm ci --no-audit --no-fund

# The Angular example: install, generate the typed operations from schema.graphql, type-check.
# (npm's EBADENGINE warnings are muted: a few codegen dependencies declare Node >= 22, and
# codegen runs on Node 20.)
angular:
	cd examples/angular && npm ci --no-audit --no-fund --loglevel=error && npm run codegen \
		&& npm run typecheck

# Bounded load test on 127.0.0.1 (the server on SQLite + the WHMCS sandbox): mixed queries and
# mutations from many clients; reports errors by kind, p50/p95/p99 and the server's RSS, and fails
# on an unintended error or RSS growth. `load`: 200 clients, 30 s; `load-short` (CI): 50, 5 s.
.PHONY: load load-short
load: install
	$(BIN)/python bench/mixed_load.py

load-short: install
	$(BIN)/python bench/mixed_load.py --short

# The performance table of docs/performance.md: GraphQL vs bare reads, WHMCS-bound operations vs
# their raw WHMCS round trips (sandbox at 20 ms), cache savings, and stats/syncLogs at scale, on
# SQLite and PostgreSQL (127.0.0.1:5432, or BENCH_POSTGRES_URL). `bench`: full data (1M links, 5M
# log rows), ~10 min; `bench-short` (CI): small data, ~2 min. Both fail on a failed request or a
# wrong WHMCS call count, never on times. Results also go to bench/results/. Then
# bench/document_cost.py: refusing attack documents next to checking a real one (fails past 10x).
.PHONY: bench bench-short
bench: install
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.document_cost
	$(BIN)/python -m bench.onboarding

bench-short: install
	$(BIN)/python -m bench.run --short
	$(BIN)/python -m bench.document_cost --repeat 7
	$(BIN)/python -m bench.onboarding --sizes 500,2000

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache data build dist

# whmcs-bridge: `make run` starts the server on the embedded default (SQLite + WHMCS sandbox),
# `make test` runs the whole suite. Both set everything up on a fresh machine first.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test lint typecheck pytest schema check-schema migrations clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "whmcs-bridge needs Python 3.11 or newer (set PYTHON=python3.11)")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -qq --upgrade pip
	$(BIN)/python -m pip install -qq -e '.[dev]'
	@touch $(STAMP)

run: install
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

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache data

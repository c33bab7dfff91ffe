"""PostgreSQL connections go back to asyncpg's pool without its reset query (decision 32)."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from tortoise.transactions import in_transaction

import models
from whmcs_bridge.db import tortoise_config


def test_a_postgres_url_gets_the_pool_option_and_a_bad_one_stays_for_tortoise() -> None:
    connection = tortoise_config("postgres://u@127.0.0.1:5432/db")["connections"]["default"]
    assert connection["engine"] == "tortoise.backends.asyncpg"
    assert connection["credentials"]["database"] == "db"
    assert callable(connection["credentials"]["reset"])
    bad = "postgres://u@127.0.0.1:notaport/db"
    assert tortoise_config(bad)["connections"]["default"] == bad
    assert isinstance(tortoise_config("sqlite://:memory:")["connections"]["default"], str)


async def test_no_reset_query_and_a_failed_transaction_is_still_rolled_back(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not db.startswith("postgres"):
        pytest.skip("asyncpg's pool is PostgreSQL's")
    sent: list[str] = []
    original = asyncpg.Connection.execute

    async def execute(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        sent.append(query)
        return await original(self, query, *args, **kwargs)

    monkeypatch.setattr(asyncpg.Connection, "execute", execute)

    async def failing_transaction() -> None:
        async with in_transaction():
            await models.Counter.create(name="pool-test", n=1)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await failing_transaction()
    await models.Counter.filter(name="other").count()

    assert not [q for q in sent if "pg_advisory_unlock_all" in q]
    assert await models.Counter.filter(name="pool-test").count() == 0

"""One database round trip where the engine allows it: ``UPDATE ... RETURNING``.

SQLite (3.35+) and PostgreSQL return the rows an UPDATE changed; MariaDB has no UPDATE ...
RETURNING, so there the rows are read back after the UPDATE (the caller says how: by a key the
UPDATE just wrote, so that what is read is what was changed).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from tortoise.models import Model
from tortoise.queryset import UpdateQuery

M = TypeVar("M", bound=Model)


async def update_returning(
    model: type[M], update: UpdateQuery, read_back: Callable[[], Awaitable[list[M]]]
) -> list[M]:
    """The rows ``update`` changed, as ``model`` instances, in one statement where possible."""
    update._choose_db_if_not_chosen(True)  # the current connection (or transaction's)
    connection = update._db
    if connection.capabilities.dialect == "mysql":
        return await read_back() if await update else []
    # Tortoise builds the UPDATE (and encodes its values) as for any other; RETURNING is ours.
    update._make_query()
    sql, params = update.query.get_parameterized_sql()
    # execute_query_dict: asyncpg's execute_query drops the rows of an UPDATE.
    rows = await connection.execute_query_dict(sql + " RETURNING *", params)
    return [model._init_from_db(**row) for row in rows]

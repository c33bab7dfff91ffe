"""sync_map.local_id and sync_logs.local_id hold text: a local id is the local store's own (an
application's bigint unsigned or UUID ids, `[client.table]`), not only the built-in integer.

The column changes in place with each engine's own statement. On SQLite that means rebuilding
the table (SQLite cannot change a column's type), done here by hand so that everything the
table had survives it: its unique constraints (inline in the CREATE TABLE, kept verbatim), its
indexes and the counter triggers (recreated from their own SQL). Tortoise 1.1's SQLite
AlterField would rebuild it without its unique_together constraints (see 0005), so the
AlterFields below move the state only.
"""

import re

from tortoise import migrations
from tortoise.migrations import operations as ops

from models.sync import LocalIdField

TABLES = (("sync_map", False), ("sync_logs", True))  # (table, local_id nullable)


class StateOnly(ops.AlterField):
    async def database_forward(self, *args: object, **kwargs: object) -> None:
        return None

    async def database_backward(self, *args: object, **kwargs: object) -> None:
        return None


async def _sqlite(client, table: str) -> None:
    rows = await client.execute_query_dict(
        "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL",
        [table],
    )
    (create,) = [r["sql"] for r in rows if r["type"] == "table"]
    widened, count = re.subn(
        r'("local_id"\s+)INT\b', r"\1VARCHAR(191)", create, count=1, flags=re.IGNORECASE
    )
    if count != 1:
        raise RuntimeError(f"0006: no INT local_id column in {table}: {create}")
    new = f"{table}__0006"
    widened = re.sub(
        rf'^CREATE TABLE\s+(IF NOT EXISTS\s+)?"?{table}"?', f'CREATE TABLE "{new}"', widened
    )
    others = [r["sql"] for r in rows if r["type"] in ("index", "trigger")]
    await client.execute_query(widened)
    await client.execute_query(f'INSERT INTO "{new}" SELECT * FROM "{table}"')
    await client.execute_query(f'DROP TABLE "{table}"')  # fires no DELETE trigger: counts stay
    await client.execute_query(f'ALTER TABLE "{new}" RENAME TO "{table}"')
    for statement in others:
        await client.execute_query(statement)


async def widen_forward(apps, schema_editor) -> None:
    client = schema_editor.client
    dialect = client.capabilities.dialect
    for table, nullable in TABLES:
        if dialect == "sqlite":
            await _sqlite(client, table)
        elif dialect == "postgres":
            await client.execute_script(
                f"ALTER TABLE {table} ALTER COLUMN local_id TYPE VARCHAR(191) "
                "USING local_id::text"
            )
        else:
            null = "NULL" if nullable else "NOT NULL"
            await client.execute_script(f"ALTER TABLE {table} MODIFY local_id VARCHAR(191) {null}")


class Migration(migrations.Migration):
    dependencies = [("models", "0006_onboarding")]

    initial = False

    operations = [
        StateOnly(
            model_name="SyncLog",
            name="local_id",
            field=LocalIdField(null=True, max_length=191),
        ),
        StateOnly(
            model_name="SyncMap",
            name="local_id",
            field=LocalIdField(max_length=191),
        ),
        ops.RunPython(widen_forward),
    ]

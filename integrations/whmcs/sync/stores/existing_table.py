"""The local store in an application's existing clients table (`[client.table]` in the mapping).

The table belongs to the application: the bridge never creates, alters or migrates it, and reads
and writes only the id column, the mapped columns and, when the table has them, `created_at` and
`updated_at` (filled on the bridge's own inserts and updates, as Laravel's Eloquent does). Every
statement is parameterised; names come from the validated mapping and are quoted. Local fields
whose WHMCS field is not mapped are null and never written.

The table has no unique index on e-mail (an application's usually has none): a create or an
e-mail change is refused when another row has the e-mail (case-insensitively), and two rows that
share one make `find_by_email` raise AmbiguousEmail naming both rather than pick one.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Mapping
from typing import Any

from tortoise import connections

from integrations.whmcs.sync.errors import FieldProblem, InvalidInput, RecordNotFound
from integrations.whmcs.sync.mapping import (
    DEFAULT_CLIENT_MAPPING,
    LOCAL_CLIENT_FIELDS,
    FieldMapping,
    TableConfig,
)
from integrations.whmcs.sync.store import LocalClient, LocalId, Page
from integrations.whmcs.sync.stores.table_shape import (
    TIMESTAMP_COLUMNS,
    Column,
    Dialect,
    ExistingTableError,
    Kind,
    TableShape,
    missing_columns,
    read_shape,
)
from integrations.whmcs.sync.stores.table_values import (
    Refusals,
    as_datetime,
    as_text,
    fits,
    stamped,
    typed,
    utc_second,
)
from integrations.whmcs.sync.validation import api_field_name
from models import EntityType
from models.sync import LOCAL_ID_LENGTH, local_id_value

# The Tortoise connection of a table outside DATABASE_URL (`database_url` in [client.table]).
CLIENT_TABLE_CONNECTION = "client_table"
_SEARCHED = ("first_name", "last_name", "company_name", "email")
_INTEGER_ID = re.compile(r"^-?[0-9]{1,20}$")


class AmbiguousEmail(InvalidInput):
    """Several rows of the table have one e-mail: the bridge will not pick one of them."""

    def __init__(self, email: str, local_ids: list[LocalId], table: str) -> None:
        ids = " and ".join(str(i) for i in local_ids)
        super().__init__(
            [
                FieldProblem(
                    "email",
                    f"{email} belongs to several rows of {table} (local clients {ids}): "
                    "give each its own e-mail first.",
                )
            ]
        )
        self.email = email
        self.local_ids = local_ids


def connection_name(table: TableConfig) -> str:
    return CLIENT_TABLE_CONNECTION if table.database_url else "default"


class ExistingTableStore:
    """LocalStore over `[client.table]`; `await verify()` at start-up checks the table."""

    entity_type = EntityType.CLIENT

    def __init__(self, mapping: FieldMapping) -> None:
        if mapping.table is None:
            raise ValueError("the mapping has no [client.table]")
        self.config = mapping.table
        self.fields = mapping.columns  # local field -> column
        self.connection = connection_name(mapping.table)
        self._shape: TableShape | None = None

    # -- the table ------------------------------------------------------------------------

    def _client(self) -> Any:
        return connections.get(self.connection)

    def _dialect(self) -> Dialect:
        return Dialect(self._client().capabilities.dialect)

    async def verify(self) -> TableShape:
        """Read the table's shape; ExistingTableError naming the table or the missing columns."""
        where = "its database_url" if self.config.database_url else "DATABASE_URL"
        shape = await read_shape(self._client(), self.config.name, where)
        wanted = [("the id", self.config.id)] + [
            (f"mapped from {_whmcs(local)}", column) for local, column in self.fields.items()
        ]
        missing = missing_columns(shape, wanted)
        if missing:
            raise ExistingTableError(
                f"Field mapping: table {self.config.name!r} has no column {', '.join(missing)}; "
                f"its columns: {', '.join(c.name for c in shape.columns.values())}."
            )
        self._shape = shape
        return shape

    async def shape(self) -> TableShape:
        return self._shape if self._shape is not None else await self.verify()

    def _id(self, shape: TableShape) -> Column:
        column = shape.column(self.config.id)
        assert column is not None  # verify() checked it
        return column

    def _col(self, shape: TableShape, local: str) -> Column:
        column = shape.column(self.fields[local])
        assert column is not None
        return column

    def _select(self, shape: TableShape, d: Dialect) -> str:
        names = [self._id(shape).name] + [self._col(shape, f).name for f in self.fields]
        names += [c for c in TIMESTAMP_COLUMNS if shape.column(c) and c not in names]
        listed = ", ".join(d.quote(shape.column(n).name) for n in names)  # type: ignore[union-attr]
        return f"SELECT {listed} FROM {d.table(shape)}"

    def _row(self, shape: TableShape, row: Mapping[str, Any]) -> LocalClient:
        by_lower = {str(k).lower(): v for k, v in row.items()}
        values: dict[str, str | None] = dict.fromkeys(LOCAL_CLIENT_FIELDS)
        for local, column in self.fields.items():
            values[local] = as_text(by_lower.get(column.lower()))
        raw_id = by_lower[self.config.id.lower()]
        local_id: LocalId = (
            int(raw_id) if self._id(shape).kind is Kind.INTEGER else local_id_value(str(raw_id))
        )
        stamps = {c: as_datetime(by_lower.get(c)) for c in TIMESTAMP_COLUMNS}
        return LocalClient(local_id, values, stamps["created_at"], stamps["updated_at"])

    # -- LocalStore -----------------------------------------------------------------------

    def parse_id(self, raw: str) -> LocalId:
        text = str(raw).strip()
        shape = self._shape
        integer = shape is None or self._id(shape).kind is Kind.INTEGER
        if integer:
            if not _INTEGER_ID.match(text) or not -(2**63) <= int(text) < 2**64:
                raise InvalidInput([FieldProblem("id", f"{raw!r} is not a local client id.")])
            return int(text)
        limit = self._id(shape).max_length if shape is not None else None
        too_long = limit is not None and len(text) > limit
        if not text or too_long or len(text) > LOCAL_ID_LENGTH or "\x00" in text:
            raise InvalidInput([FieldProblem("id", f"{raw!r} is not a local client id.")])
        # The sync map's form (an int when the text is one): the same id wherever it is read.
        return local_id_value(text)

    async def _id_value(self, local_id: LocalId) -> LocalId | None:
        """The id as the column holds it (text for a text column), or None when no row can
        have it."""
        try:
            parsed = self.parse_id(str(local_id))
        except InvalidInput:
            return None
        shape = await self.shape()
        return parsed if self._id(shape).kind is Kind.INTEGER else str(parsed)

    async def get(self, local_id: LocalId) -> LocalClient | None:
        shape = await self.shape()
        key = await self._id_value(local_id)
        if key is None:
            return None
        d = self._dialect()
        (p,) = d.params(1)
        rows = await self._client().execute_query_dict(
            f"{self._select(shape, d)} WHERE {d.quote(self._id(shape).name)} = {p}", [key]
        )
        return self._row(shape, rows[0]) if rows else None

    async def exists(self, local_id: LocalId) -> bool:
        shape = await self.shape()
        key = await self._id_value(local_id)
        if key is None:
            return False
        d = self._dialect()
        id_col = d.quote(self._id(shape).name)
        (p,) = d.params(1)
        rows = await self._client().execute_query_dict(
            f"SELECT {id_col} FROM {d.table(shape)} WHERE {id_col} = {p}", [key]
        )
        return bool(rows)

    async def find_by_email(
        self, email: str, *, exclude: LocalId | None = None
    ) -> LocalClient | None:
        matches = await self._by_email(email, exclude)
        if len(matches) > 1:
            raise AmbiguousEmail(email, [m.id for m in matches], self.config.name)
        return matches[0] if matches else None

    async def _by_email(self, email: str, exclude: LocalId | None) -> list[LocalClient]:
        shape = await self.shape()
        d = self._dialect()
        id_col = d.quote(self._id(shape).name)
        email_col = d.quote(self._col(shape, "email").name)
        values: list[Any] = [email.strip().lower()]
        sql = f"{self._select(shape, d)} WHERE LOWER({email_col}) = {d.params(1)[0]}"
        excluded = await self._id_value(exclude) if exclude is not None else None
        if excluded is not None:
            sql += f" AND {id_col} <> {d.params(1, 2)[0]}"
            values.append(excluded)
        rows = await self._client().execute_query_dict(f"{sql} ORDER BY {id_col} LIMIT 2", values)
        return [self._row(shape, r) for r in rows]

    async def create(self, values: Mapping[str, str | None]) -> LocalClient:
        shape = await self.shape()
        d = self._dialect()
        row = self._values(shape, values, creating=True)
        id_column = self._id(shape)
        new_id: LocalId | None = None
        if id_column.kind is not Kind.INTEGER and not id_column.has_default:
            new_id = str(uuid.uuid4())  # as Laravel's HasUuids: the application picks the id
            row[id_column.name] = new_id
        elif not id_column.has_default:
            raise InvalidInput(
                [
                    FieldProblem(
                        id_column.name,
                        f"{self.config.name}.{id_column.name} has no default or auto-increment: "
                        "the bridge cannot choose a new client's id.",
                    )
                ]
            )
        await self._ensure_email_free(values.get("email"), None)
        now = utc_second()
        for name in TIMESTAMP_COLUMNS:
            stamp = shape.column(name)
            if stamp is not None and stamp.kind is Kind.DATETIME and stamp.name not in row:
                row[stamp.name] = stamped(now, stamp, d)
        self._check_required(shape, row)
        names = list(row)
        columns = ", ".join(d.quote(n) for n in names)
        params = ", ".join(d.params(len(names)))
        sql = f"INSERT INTO {d.table(shape)} ({columns}) VALUES ({params})"
        client = self._client()
        async with self._refusals(shape):
            if d.name == "postgres":
                record = await client.execute_insert(
                    f"{sql} RETURNING {d.quote(id_column.name)}", list(row.values())
                )
                inserted = record[0] if new_id is None else new_id
            else:
                last = await client.execute_insert(sql, list(row.values()))
                inserted = last if new_id is None else new_id
        created = await self.get(inserted)
        assert created is not None
        return created

    async def update(self, local_id: LocalId, values: Mapping[str, str | None]) -> LocalClient:
        shape = await self.shape()
        key = await self._id_value(local_id)
        if key is None or not await self.exists(key):
            raise RecordNotFound(EntityType.CLIENT, local_id, "LOCAL")
        row = self._values(shape, values, creating=False)
        if values.get("email"):
            await self._ensure_email_free(values.get("email"), key)
        d = self._dialect()
        stamp = shape.column("updated_at")
        if row and stamp is not None and stamp.kind is Kind.DATETIME and stamp.name not in row:
            row[stamp.name] = stamped(utc_second(), stamp, d)
        if row:
            assigns = ", ".join(
                f"{d.quote(n)} = {p}" for n, p in zip(row, d.params(len(row)), strict=True)
            )
            (p_id,) = d.params(1, len(row) + 1)
            async with self._refusals(shape):
                await self._client().execute_query(
                    f"UPDATE {d.table(shape)} SET {assigns} "
                    f"WHERE {d.quote(self._id(shape).name)} = {p_id}",
                    [*row.values(), key],
                )
        updated = await self.get(key)
        if updated is None:  # deleted meanwhile by the application
            raise RecordNotFound(EntityType.CLIENT, local_id, "LOCAL")
        return updated

    async def delete(self, local_id: LocalId) -> bool:
        shape = await self.shape()
        key = await self._id_value(local_id)
        if key is None:
            return False
        d = self._dialect()
        (p,) = d.params(1)
        count, _ = await self._client().execute_query(
            f"DELETE FROM {d.table(shape)} WHERE {d.quote(self._id(shape).name)} = {p}", [key]
        )
        return bool(count)

    async def page(self, *, offset: int, limit: int, search: str | None) -> Page[LocalClient]:
        shape = await self.shape()
        d = self._dialect()
        where, values = "", []
        term = (search or "").strip().lower()
        searched = [self._col(shape, f).name for f in _SEARCHED if f in self.fields]
        if term and searched:
            pattern = "%" + term.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%"
            ors = [
                f"LOWER({d.quote(name)}) LIKE {p} ESCAPE '!'"
                for name, p in zip(searched, d.params(len(searched)), strict=True)
            ]
            where = " WHERE " + " OR ".join(ors)
            values = [pattern] * len(searched)
        client = self._client()
        counted = await client.execute_query_dict(
            f"SELECT COUNT(*) AS n FROM {d.table(shape)}{where}", values
        )
        total = int(next(iter(counted[0].values())))
        p_limit, p_offset = d.params(2, len(values) + 1)
        rows = await client.execute_query_dict(
            f"{self._select(shape, d)}{where} ORDER BY {d.quote(self._id(shape).name)} "
            f"LIMIT {p_limit} OFFSET {p_offset}",
            [*values, limit, offset],
        )
        return Page([self._row(shape, r) for r in rows], total, offset, limit)

    async def stream(
        self, *, batch: int = 500, after: LocalId | None = None
    ) -> AsyncIterator[LocalClient]:
        shape = await self.shape()
        d = self._dialect()
        id_col = d.quote(self._id(shape).name)
        values: list[Any]
        while True:
            if after is None:
                (p,) = d.params(1)
                sql, values = f"{self._select(shape, d)} ORDER BY {id_col} LIMIT {p}", [batch]
            else:
                p_after, p_limit = d.params(2)
                sql = f"{self._select(shape, d)} WHERE {id_col} > {p_after} "
                sql += f"ORDER BY {id_col} LIMIT {p_limit}"
                values = [after if self._id(shape).kind is Kind.INTEGER else str(after), batch]
            rows = await self._client().execute_query_dict(sql, values)
            for row in rows:
                client = self._row(shape, row)
                yield client
                after = client.id
            if len(rows) < batch:
                return

    # -- writing --------------------------------------------------------------------------

    def _values(
        self, shape: TableShape, values: Mapping[str, str | None], *, creating: bool
    ) -> dict[str, Any]:
        """Column -> value for the mapped fields given; InvalidInput naming every column that
        cannot hold its value (or a value for a field the table has no column for)."""
        row: dict[str, Any] = {}
        problems: list[FieldProblem] = []
        table = self.config.name
        for local, value in values.items():
            if local not in self.fields:
                if value is not None:
                    problems.append(
                        FieldProblem(
                            api_field_name(local),
                            f"is not stored: {table} has no column mapped for it "
                            f"(map {_whmcs(local)} in the field mapping to keep it).",
                        )
                    )
                continue
            column = self._col(shape, local)
            problem = fits(column, value)
            if problem is not None:
                problems.append(FieldProblem(api_field_name(local), f"{table}.{problem}"))
                continue
            row[column.name] = typed(column, value)
        if problems:
            raise InvalidInput(problems)
        return row

    def _check_required(self, shape: TableShape, row: Mapping[str, Any]) -> None:
        given = {name.lower() for name in row}
        refused = [
            c for key, c in shape.columns.items() if c.required and not c.auto and key not in given
        ]
        if refused:
            raise InvalidInput(
                [
                    FieldProblem(
                        c.name,
                        f"{self.config.name}.{c.name} is required by the table (NOT NULL, no "
                        "default) and is not in the field mapping: the bridge cannot create "
                        "a row; give the column a default or map a field to it.",
                    )
                    for c in refused
                ]
            )

    async def _ensure_email_free(self, email: str | None, local_id: LocalId | None) -> None:
        if not email:
            return
        others = await self._by_email(email, local_id)
        if others:
            owners = " and ".join(str(o.id) for o in others)
            raise InvalidInput(
                [FieldProblem("email", f"{email} is already used by local client {owners}.")]
            )

    def _refusals(self, shape: TableShape) -> Refusals:
        return Refusals(self.config.name, shape, self.fields)


def _whmcs(local: str) -> str:
    return next(w for w, f in DEFAULT_CLIENT_MAPPING.items() if f == local)


__all__ = [
    "CLIENT_TABLE_CONNECTION",
    "AmbiguousEmail",
    "ExistingTableError",
    "ExistingTableStore",
    "connection_name",
]

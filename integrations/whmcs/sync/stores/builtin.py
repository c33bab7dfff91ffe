"""The built-in local store: clients in the bridge's own ``clients`` table (``models.Client``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from typing import Any

from tortoise import timezone
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

import models
from integrations.whmcs.sync.errors import FieldProblem, InvalidInput, RecordNotFound, ValueTaken
from integrations.whmcs.sync.mapping import LOCAL_CLIENT_FIELDS
from integrations.whmcs.sync.sql import update_returning
from integrations.whmcs.sync.store import LocalClient, LocalId, Page
from integrations.whmcs.sync.stores.table_shape import Dialect

CLIENT = models.EntityType.CLIENT


def to_local(row: models.Client) -> LocalClient:
    return LocalClient(
        id=row.id,
        values={name: getattr(row, name) for name in LOCAL_CLIENT_FIELDS},
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class BuiltinClientStore:
    """Ids are the table's integer primary key; the e-mail is unique case-insensitively
    (``email_key``, lower-cased: one unique index that behaves the same on every engine)."""

    entity_type = CLIENT

    async def get(self, local_id: LocalId) -> LocalClient | None:
        key = _key(local_id)
        row = await models.Client.get_or_none(id=key) if key is not None else None
        return to_local(row) if row is not None else None

    async def exists(self, local_id: LocalId) -> bool:
        key = _key(local_id)
        return key is not None and await models.Client.exists(id=key)

    async def find_by_email(
        self, email: str, *, exclude: LocalId | None = None
    ) -> LocalClient | None:
        query = models.Client.filter(email_key=email.lower())
        if exclude is not None:
            query = query.exclude(id=_key(exclude))
        row = await query.first()
        return to_local(row) if row is not None else None

    async def create(self, values: Mapping[str, str | None]) -> LocalClient:
        fields = _known(values)
        row = models.Client(**fields, email_key=str(fields.get("email") or "").lower())
        try:
            await row.save()
        except IntegrityError:
            raise _taken(fields.get("email")) from None
        return to_local(row)

    async def update(self, local_id: LocalId, values: Mapping[str, str | None]) -> LocalClient:
        key = _key(local_id)
        fields: dict[str, object] = dict(_known(values))
        if "email" in fields:
            fields["email_key"] = str(fields["email"]).lower()
        fields["updated_at"] = timezone.now()  # as a save's auto_now would
        rows: list[models.Client] = []
        if key is not None:
            try:  # one statement (UPDATE ... RETURNING) where the engine has it
                rows = await update_returning(
                    models.Client,
                    models.Client.filter(id=key).update(**fields),
                    lambda: models.Client.filter(id=key),
                )
            except IntegrityError:
                raise _taken(values.get("email")) from None
        if not rows:
            raise RecordNotFound(CLIENT, local_id, "LOCAL")
        return to_local(rows[0])

    async def delete(self, local_id: LocalId) -> bool:
        key = _key(local_id)
        return key is not None and bool(await models.Client.filter(id=key).delete())

    async def page(self, *, offset: int, limit: int, search: str | None) -> Page[LocalClient]:
        query = models.Client.all()
        if search and search.strip():
            term = search.strip()
            query = query.filter(
                Q(first_name__icontains=term)
                | Q(last_name__icontains=term)
                | Q(company_name__icontains=term)
                | Q(email_key__contains=term.lower())
            )
        total = await query.count()
        rows = await query.order_by("id").offset(offset).limit(limit)
        return Page([to_local(r) for r in rows], total, offset, limit)

    async def stream(
        self, *, batch: int = 500, after: LocalId | None = None
    ) -> AsyncIterator[LocalClient]:
        # Plain rows, not model objects: a walk reads every client once (see _streamed).
        connection = models.Client._meta.db
        sql = _stream_sql(connection.capabilities.dialect)
        after = 0 if after is None else int(after)
        while True:
            rows = await connection.execute_query_dict(sql, [after, batch])
            for row in rows:
                yield _streamed(row)
            if len(rows) < batch:
                return
            after = int(rows[-1]["id"])

    def parse_id(self, raw: str) -> LocalId:
        key = _key(raw)
        if key is None:
            raise InvalidInput([FieldProblem("id", f"{str(raw)[:40]!r} is not a local client id.")])
        return key


_STREAMED = ("id", *LOCAL_CLIENT_FIELDS, "created_at", "updated_at")


def _stream_sql(dialect: str) -> str:
    d = Dialect(dialect)
    meta = models.Client._meta
    names = ", ".join(d.quote(meta.fields_map[f].source_field or f) for f in _STREAMED)
    p_after, p_limit = d.params(2)
    id_col = d.quote(meta.fields_map["id"].source_field or "id")
    return (
        f"SELECT {names} FROM {d.quote(meta.db_table)} WHERE {id_col} > {p_after} "
        f"ORDER BY {id_col} LIMIT {p_limit}"
    )


def _streamed(row: Mapping[str, Any]) -> LocalClient:
    """A row of `_stream_sql`, converted by the model's own fields, as `to_local` gives it.

    A timestamp SQLite hands over as text is parsed by `datetime.fromisoformat` (C) before the
    field converts it (time zone as configured): the field's own parser (iso8601, pure Python)
    took most of a walk's time reading the local side.
    """
    fields = models.Client._meta.fields_map
    values = {name: fields[name].to_python_value(row[name]) for name in LOCAL_CLIENT_FIELDS}
    created, updated = (
        fields[name].to_python_value(_parsed(row[name])) for name in ("created_at", "updated_at")
    )
    return LocalClient(id=int(row["id"]), values=values, created_at=created, updated_at=updated)


def _parsed(value: object) -> object:
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return value  # the field's parser has its say
    return value


def _key(local_id: LocalId) -> int | None:
    """The table's id for ``local_id``: a positive 32-bit integer (None: no record can have it)."""
    if isinstance(local_id, int):
        return local_id if 0 < local_id < 2**31 else None
    text = str(local_id).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number < 2**31 else None


def _known(values: Mapping[str, str | None]) -> dict[str, str | None]:
    unknown = sorted(set(values) - set(LOCAL_CLIENT_FIELDS))
    if unknown:
        raise InvalidInput([FieldProblem(name, "is not a local client field.") for name in unknown])
    return dict(values)


def _taken(email: str | None) -> ValueTaken:
    return ValueTaken([FieldProblem("email", f"{email} is already used.")])

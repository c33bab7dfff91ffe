"""Which WHMCS field feeds which local field, and in which direction (the seed's `field_mapping`).

The defaults are built in; `WHMCS_FIELD_MAPPING_FILE` may point to a TOML file whose `[client]`
table replaces them (see `field-mapping.example.toml`):

    [client]
    firstname = "first_name"                                   # both directions
    companyname = { local = "company_name", direction = "push" }  # never overwritten by a pull

An existing table of the application may be the local store instead of the bridge's own
`clients` table: `[client.table]` names it, and the `[client]` values are then its columns
(`firstname = "client_name"`); see `stores/existing_table.py` and the README's "Using your
application's clients table".

An invalid file stops start-up with a message naming the field.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from integrations.whmcs.records import CLIENT_FIELDS
from integrations.whmcs.urls import masked_url, password_of, split_url

LOCAL_CLIENT_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "company_name",
    "phone_number",
    "address1",
    "address2",
    "city",
    "state",
    "postcode",
    "country",
)
DEFAULT_CLIENT_MAPPING = dict(zip(CLIENT_FIELDS, LOCAL_CLIENT_FIELDS, strict=True))
# Identity fields: a link is found and checked by e-mail, so it must travel both ways, between
# the WHMCS and local fields of that same name.
_REQUIRED_BOTH_WAYS = ("email",)
# A table or column name of an existing table: plain SQL identifiers only (they are quoted in
# every statement, never interpolated as typed). A table may be schema-qualified (app.customers).
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_DB_SCHEMES = ("sqlite", "postgres", "postgresql", "asyncpg", "mysql", "mariadb")


class MappingError(ValueError):
    """The field mapping is invalid; the message names the offending field."""


class Direction(StrEnum):
    BOTH = "both"
    PUSH = "push"
    PULL = "pull"


@dataclass(frozen=True, slots=True)
class FieldRule:
    whmcs: str
    local: str
    direction: Direction
    column: str | None = None  # the existing table's column, when the store is one

    @property
    def pushes(self) -> bool:
        return self.direction in (Direction.BOTH, Direction.PUSH)

    @property
    def pulls(self) -> bool:
        return self.direction in (Direction.BOTH, Direction.PULL)


@dataclass(frozen=True, slots=True)
class TableConfig:
    """`[client.table]`: the application's existing clients table, the local store.

    `database_url` is None when the table is in DATABASE_URL. Its password, like DATABASE_URL's,
    is never shown: the repr masks it.
    """

    name: str
    id: str = "id"
    database_url: str | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        url = masked_url(self.database_url) if self.database_url else None
        return f"TableConfig(name={self.name!r}, id={self.id!r}, database_url={url!r})"

    @property
    def password(self) -> str:
        """The password in `database_url` (for scrubbing logs), or ""."""
        return password_of(self.database_url) if self.database_url else ""


@dataclass(frozen=True, slots=True)
class FieldMapping:
    rules: tuple[FieldRule, ...]
    table: TableConfig | None = None

    @property
    def columns(self) -> dict[str, str]:
        """Local field -> the existing table's column (empty with the built-in table)."""
        return {r.local: r.column for r in self.rules if r.column is not None}

    @classmethod
    def default(cls) -> FieldMapping:
        return cls.from_table(DEFAULT_CLIENT_MAPPING)

    @classmethod
    def load(cls, path: Path | None, *, table: str = "client") -> FieldMapping:
        """The mapping of the file's ``[table]`` (the entity's table in the registry: the
        client's is ``[client]``); the built-in one without a file."""
        if path is None:
            return cls.default()
        try:
            document = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise MappingError(
                f"WHMCS_FIELD_MAPPING_FILE {path} cannot be read: {exc.strerror}."
            ) from None
        except tomllib.TOMLDecodeError as exc:
            raise MappingError(
                f"WHMCS_FIELD_MAPPING_FILE {path} is not valid TOML: {exc}."
            ) from None
        rules = document.get(table)
        if not isinstance(rules, dict):
            raise MappingError(f"WHMCS_FIELD_MAPPING_FILE {path} needs a [{table}] table.")
        return cls.from_table(rules)

    @classmethod
    def from_table(cls, table: Mapping[str, object]) -> FieldMapping:
        if "table" in table:
            return _with_existing_table(table)
        rules: list[FieldRule] = []
        seen_local: set[str] = set()
        for whmcs_field, spec in table.items():
            if whmcs_field not in CLIENT_FIELDS:
                raise MappingError(
                    f"Field mapping: unknown WHMCS client field {whmcs_field!r} "
                    f"(known: {', '.join(CLIENT_FIELDS)})."
                )
            local, direction = _parse_spec(whmcs_field, spec)
            if local not in LOCAL_CLIENT_FIELDS:
                raise MappingError(
                    f"Field mapping: {whmcs_field} maps to unknown local field {local!r} "
                    f"(known: {', '.join(LOCAL_CLIENT_FIELDS)})."
                )
            if local in seen_local:
                raise MappingError(f"Field mapping: local field {local!r} is mapped twice.")
            seen_local.add(local)
            rules.append(FieldRule(whmcs_field, local, direction))
        _check_required(rules, "to email")
        return cls(tuple(rules))

    def to_whmcs(self, local: Mapping[str, str | None]) -> dict[str, str | None]:
        """The WHMCS fields a push or update sends, from local field values."""
        return {r.whmcs: local.get(r.local) for r in self.rules if r.pushes}

    def to_local(self, whmcs: Mapping[str, str | None]) -> dict[str, str | None]:
        """The local fields a pull writes, from WHMCS field values."""
        return {r.local: whmcs.get(r.whmcs) for r in self.rules if r.pulls}

    def local_name(self, whmcs_field: str) -> str:
        return next(r.local for r in self.rules if r.whmcs == whmcs_field)


def _check_required(rules: list[FieldRule], target: str) -> None:
    for required in _REQUIRED_BOTH_WAYS:
        rule = next((r for r in rules if r.whmcs == required), None)
        # Push and pull compare WHMCS's e-mail with the local `email` field: same name.
        if rule is None or rule.direction is not Direction.BOTH or rule.local != required:
            raise MappingError(
                f"Field mapping: {required} must be mapped {target} in both directions "
                "(links are found and checked by it)."
            )


def _with_existing_table(table: Mapping[str, object]) -> FieldMapping:
    """`[client]` with `[client.table]`: WHMCS field = the existing table's column."""
    config = _table_config(table["table"])
    rules: list[FieldRule] = []
    seen_columns: dict[str, str] = {}
    for whmcs_field, spec in table.items():
        if whmcs_field == "table":
            continue
        if whmcs_field not in CLIENT_FIELDS:
            raise MappingError(
                f"Field mapping: unknown WHMCS client field {whmcs_field!r} "
                f"(known: {', '.join(CLIENT_FIELDS)})."
            )
        column, direction = _parse_spec(whmcs_field, spec, key="column")
        _check_identifier(column, f"{whmcs_field}'s column")
        folded = column.lower()  # MariaDB and SQLite fold column names: one column, two cases
        if folded == config.id.lower():
            raise MappingError(
                f"Field mapping: {whmcs_field} maps to {column!r}, the table's id column "
                "(the id is the local id, not a field)."
            )
        if folded in seen_columns:
            raise MappingError(
                f"Field mapping: column {column!r} is mapped twice "
                f"({seen_columns[folded]} and {whmcs_field})."
            )
        seen_columns[folded] = whmcs_field
        rules.append(FieldRule(whmcs_field, DEFAULT_CLIENT_MAPPING[whmcs_field], direction, column))
    _check_required(rules, "to a column")
    return FieldMapping(tuple(rules), config)


def _table_config(raw: object) -> TableConfig:
    if not isinstance(raw, dict):
        raise MappingError('Field mapping: [client.table] must be a table (name = "customers").')
    unknown = set(raw) - {"name", "id", "database_url"}
    if unknown:
        raise MappingError(
            f"Field mapping: [client.table] has unknown keys {sorted(unknown)} "
            "(known: name, id, database_url)."
        )
    name, id_column, url = raw.get("name"), raw.get("id", "id"), raw.get("database_url")
    if not isinstance(name, str):
        raise MappingError('Field mapping: [client.table] needs name = "<the table>".')
    schema, dot, bare = name.rpartition(".")
    if dot:
        _check_identifier(schema, "[client.table] name's schema")
    _check_identifier(bare, "[client.table] name")
    if not isinstance(id_column, str):
        raise MappingError('Field mapping: [client.table] id must be a column name ("id").')
    _check_identifier(id_column, "[client.table] id")
    if url is not None:
        scheme = url.split("://", 1)[0] if isinstance(url, str) and "://" in url else ""
        if not isinstance(url, str) or scheme not in _DB_SCHEMES or split_url(url) is None:
            shown = masked_url(url) if isinstance(url, str) else repr(url)
            raise MappingError(
                "Field mapping: [client.table] database_url must be a database URL starting "
                f"with one of {', '.join(s + '://' for s in _DB_SCHEMES)}; got {shown}."
            )
    return TableConfig(name, id_column, url)


def _check_identifier(value: str, what: str) -> None:
    if not _IDENTIFIER.match(value):
        raise MappingError(
            f"Field mapping: {what} {value!r} is not a plain SQL identifier "
            "(letters, digits and _, not starting with a digit, at most 64 characters)."
        )


def _parse_spec(whmcs_field: str, spec: object, *, key: str = "local") -> tuple[str, Direction]:
    what = "<local field>" if key == "local" else "<the table's column>"
    if isinstance(spec, str):
        return spec, Direction.BOTH
    if isinstance(spec, dict):
        local = spec.get(key)
        raw_direction = spec.get("direction", "both")
        unknown = set(spec) - {key, "direction"}
        if unknown:
            raise MappingError(
                f"Field mapping: {whmcs_field} has unknown keys {sorted(unknown)} "
                f"(known: {key}, direction)."
            )
        if not isinstance(local, str):
            raise MappingError(f'Field mapping: {whmcs_field} needs {key} = "{what}".')
        try:
            return local, Direction(str(raw_direction).lower())
        except ValueError:
            raise MappingError(
                f"Field mapping: {whmcs_field} direction must be both, push or pull, "
                f"got {raw_direction!r}."
            ) from None
    raise MappingError(
        f"Field mapping: {whmcs_field} must be a {'local field' if key == 'local' else 'column'} "
        f"name or a table {{ {key}, direction }}."
    )

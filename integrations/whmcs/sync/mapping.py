"""Which WHMCS field feeds which local field, and in which direction (the seed's `field_mapping`).

The defaults are built in; `WHMCS_FIELD_MAPPING_FILE` may point to a TOML file whose `[client]`
table replaces them (see `field-mapping.example.toml`):

    [client]
    firstname = "first_name"                                   # both directions
    companyname = { local = "company_name", direction = "push" }  # never overwritten by a pull

An invalid file stops start-up with a message naming the field.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from integrations.whmcs.records import CLIENT_FIELDS

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

    @property
    def pushes(self) -> bool:
        return self.direction in (Direction.BOTH, Direction.PUSH)

    @property
    def pulls(self) -> bool:
        return self.direction in (Direction.BOTH, Direction.PULL)


@dataclass(frozen=True, slots=True)
class FieldMapping:
    rules: tuple[FieldRule, ...]

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
        for required in _REQUIRED_BOTH_WAYS:
            rule = next((r for r in rules if r.whmcs == required), None)
            # Push and pull compare WHMCS's e-mail with the local `email` column: same name.
            if rule is None or rule.direction is not Direction.BOTH or rule.local != required:
                raise MappingError(
                    f"Field mapping: {required} must be mapped to {required} in both directions "
                    "(links are found and checked by it)."
                )
        return cls(tuple(rules))

    def to_whmcs(self, local: Mapping[str, str | None]) -> dict[str, str | None]:
        """The WHMCS fields a push or update sends, from local field values."""
        return {r.whmcs: local.get(r.local) for r in self.rules if r.pushes}

    def to_local(self, whmcs: Mapping[str, str | None]) -> dict[str, str | None]:
        """The local fields a pull writes, from WHMCS field values."""
        return {r.local: whmcs.get(r.whmcs) for r in self.rules if r.pulls}

    def local_name(self, whmcs_field: str) -> str:
        return next(r.local for r in self.rules if r.whmcs == whmcs_field)


def _parse_spec(whmcs_field: str, spec: object) -> tuple[str, Direction]:
    if isinstance(spec, str):
        return spec, Direction.BOTH
    if isinstance(spec, dict):
        local = spec.get("local")
        raw_direction = spec.get("direction", "both")
        unknown = set(spec) - {"local", "direction"}
        if unknown:
            raise MappingError(f"Field mapping: {whmcs_field} has unknown keys {sorted(unknown)}.")
        if not isinstance(local, str):
            raise MappingError(f'Field mapping: {whmcs_field} needs local = "<local field>".')
        try:
            return local, Direction(str(raw_direction).lower())
        except ValueError:
            raise MappingError(
                f"Field mapping: {whmcs_field} direction must be both, push or pull, "
                f"got {raw_direction!r}."
            ) from None
    raise MappingError(
        f"Field mapping: {whmcs_field} must be a local field name "
        "or a table { local, direction }."
    )

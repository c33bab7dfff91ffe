"""Frozen, typed records parsed from WHMCS answers.

WHMCS spellings (``firstname``, ``datecreated``) stop here: past these classes everything is
snake_case and typed. Parsing raises :class:`~integrations.whmcs.normalise.WhmcsShapeError` on a
shape WHMCS is not known to send.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Self

from integrations.whmcs.normalise import (
    WhmcsShapeError,
    as_date,
    as_int,
    as_opt_str,
    as_str,
)

__all__ = ["CLIENT_FIELDS", "WhmcsClientPage", "WhmcsClientRecord", "WhmcsDetails"]

#: The WHMCS client fields this project maps, spelled as WHMCS spells them.
CLIENT_FIELDS: tuple[str, ...] = (
    "firstname",
    "lastname",
    "email",
    "companyname",
    "phonenumber",
    "address1",
    "address2",
    "city",
    "state",
    "postcode",
    "country",
)


#: "8.13.3", "8.0.0-release.1": anything longer is not a version (and would fill messages).
_MAX_VERSION_CHARS = 64


def _first_present(row: Mapping[str, Any], *keys: str) -> object:
    for key in keys:
        if row.get(key) is not None:
            return row[key]
    return None


@dataclass(frozen=True, slots=True)
class WhmcsClientRecord:
    """A WHMCS client (the billing account, not a login user)."""

    id: int
    first_name: str
    last_name: str
    email: str
    company_name: str | None
    status: str | None
    created_on: date | None
    phone_number: str | None = None
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    state: str | None = None
    postcode: str | None = None
    country: str | None = None

    @classmethod
    def from_list_row(cls, row: Mapping[str, Any]) -> Self:
        """A record from one ``GetClients`` row (no address or phone: WHMCS does not list them)."""
        return cls._parse(row)

    @classmethod
    def from_details(cls, body: Mapping[str, Any]) -> Self:
        """A record from a ``GetClientsDetails`` answer.

        WHMCS returns the client twice: inside ``client`` and flattened at the top level (the
        deprecated 7.x shape). The nested copy wins; the top level fills what it lacks.
        """
        nested = body.get("client")
        if nested is not None and not isinstance(nested, Mapping):
            raise WhmcsShapeError("client", "an object", nested)
        merged = dict(body)
        merged.update({k: v for k, v in (nested or {}).items() if v is not None})
        return cls._parse(merged)

    @classmethod
    def _parse(cls, row: Mapping[str, Any]) -> Self:
        # 8.x details carry id, client_id and userid (all the client id); 7.x only userid.
        client_id = _first_present(row, "id", "client_id", "userid")
        return cls(
            id=as_int(client_id, "client.id"),
            first_name=as_opt_str(row.get("firstname"), "client.firstname") or "",
            last_name=as_opt_str(row.get("lastname"), "client.lastname") or "",
            email=as_str(row.get("email"), "client.email"),
            company_name=as_opt_str(row.get("companyname"), "client.companyname"),
            status=as_opt_str(row.get("status"), "client.status"),
            created_on=as_date(row.get("datecreated"), "client.datecreated"),
            phone_number=as_opt_str(row.get("phonenumber"), "client.phonenumber"),
            address1=as_opt_str(row.get("address1"), "client.address1"),
            address2=as_opt_str(row.get("address2"), "client.address2"),
            city=as_opt_str(row.get("city"), "client.city"),
            state=as_opt_str(row.get("state"), "client.state"),
            postcode=as_opt_str(row.get("postcode"), "client.postcode"),
            country=as_opt_str(_first_present(row, "country", "countrycode"), "client.country"),
        )

    def whmcs_fields(self) -> dict[str, str | None]:
        """The mappable fields keyed by their WHMCS names (see :data:`CLIENT_FIELDS`)."""
        return {
            "firstname": self.first_name,
            "lastname": self.last_name,
            "email": self.email,
            "companyname": self.company_name,
            "phonenumber": self.phone_number,
            "address1": self.address1,
            "address2": self.address2,
            "city": self.city,
            "state": self.state,
            "postcode": self.postcode,
            "country": self.country,
        }


@dataclass(frozen=True, slots=True)
class WhmcsClientPage:
    """One page of ``GetClients``: the records, the total number of matches and the offset."""

    items: tuple[WhmcsClientRecord, ...]
    total: int
    offset: int


@dataclass(frozen=True, slots=True)
class WhmcsDetails:
    """What ``WhmcsDetails`` (WHMCS 8.0+) says about the installation."""

    version: str
    canonical_version: str | None

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> Self:
        whmcs = body.get("whmcs")
        if not isinstance(whmcs, Mapping):
            raise WhmcsShapeError("whmcs", "an object", whmcs)
        version = as_str(whmcs.get("version"), "whmcs.version").strip()
        canonical = as_opt_str(whmcs.get("canonicalversion"), "whmcs.canonicalversion")
        for name, value in (("whmcs.version", version), ("whmcs.canonicalversion", canonical)):
            if value is not None and not 0 < len(value) <= _MAX_VERSION_CHARS:
                raise WhmcsShapeError(name, f"a version (1 to {_MAX_VERSION_CHARS} chars)", value)
        return cls(version=version, canonical_version=canonical)

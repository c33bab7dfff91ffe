"""Validation of local client data: what the API accepts and what WHMCS will accept."""

from __future__ import annotations

import re
from collections.abc import Mapping

from integrations.whmcs.sync.errors import FieldProblem, InvalidInput
from models import MAX_LENGTHS

# ISO 3166-1 alpha-2, officially assigned codes.
ISO_COUNTRIES = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
    DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS
    GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
    KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
    MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
    PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
    SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
    VN VU WF WS YE YT ZA ZM ZW
    """.split()  # noqa: SIM905 - a table reads better than 249 quoted codes
)
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
_PHONE = re.compile(r"^\+?[0-9 ().\-]+$")
_MIN_PHONE_DIGITS = 5
REQUIRED_LOCAL = ("first_name", "last_name", "email")
# AddClient refuses a client without these, unless skipvalidation is sent (WHMCS 8.x).
REQUIRED_BY_WHMCS = ("phonenumber", "address1", "city", "state", "postcode", "country")


def clean_client_fields(
    values: Mapping[str, str | None], *, partial: bool = False
) -> dict[str, str | None]:
    """Strip and check local client fields; raise InvalidInput listing every offending field.

    With `partial`, only the fields given are checked (a patch); required fields may not be
    cleared. Empty optional strings become None; e-mail is kept as typed, country upper-cased.
    """
    cleaned: dict[str, str | None] = {}
    problems: list[FieldProblem] = []
    for name, raw in values.items():
        value = raw.strip() if isinstance(raw, str) else None
        if name == "country" and value:
            value = value.upper()
        cleaned[name] = value or None
    if not partial:
        for name in REQUIRED_LOCAL:
            cleaned.setdefault(name, None)
    for name, value in cleaned.items():
        problem = _check(name, value)
        if problem is not None:
            problems.append(FieldProblem(_api_name(name), problem))
    if problems:
        raise InvalidInput(problems)
    return cleaned


def _check(name: str, value: str | None) -> str | None:
    if value is None:
        return "is required." if name in REQUIRED_LOCAL else None
    if "\x00" in value:  # no column holds it: PostgreSQL refused the write (internal error)
        return "must not contain NUL characters."
    limit = MAX_LENGTHS.get(name)
    if limit is not None and len(value) > limit:
        return f"must be at most {limit} characters."
    if name == "email" and not _EMAIL.match(value):
        return "is not a valid e-mail address."
    if name == "country" and value not in ISO_COUNTRIES:
        return "must be an ISO 3166-1 alpha-2 country code, like US or ES."
    if name == "phone_number" and (
        not _PHONE.match(value) or sum(c.isdigit() for c in value) < _MIN_PHONE_DIGITS
    ):
        return "may hold only digits, spaces, + ( ) . and -, with at least 5 digits."
    return None


def missing_for_whmcs(
    whmcs_fields: Mapping[str, str | None], local_names: Mapping[str, str]
) -> list[FieldProblem]:
    """Fields WHMCS's AddClient will refuse to be without, named as the API client knows them."""
    return [
        FieldProblem(
            _api_name(local_names.get(field, field)),
            "is required by WHMCS to create a client (or set WHMCS_SKIP_VALIDATION=true).",
        )
        for field in REQUIRED_BY_WHMCS
        if not whmcs_fields.get(field)
    ]


def _api_name(local_field: str) -> str:
    head, *rest = local_field.split("_")
    return head + "".join(part.capitalize() for part in rest)


# WHMCS's AddClient/UpdateClient validation messages (whmcs-api.md section 3), by the field they
# name. Matched case-insensitively on a fragment, whitespace folded (WHMCS has double spaces).
_WHMCS_MESSAGE_FIELDS = (
    ("first name", "firstname"),
    ("last name", "lastname"),
    ("duplicate email", "email"),
    ("email address", "email"),
    ("address line 1", "address1"),
    ("your city", "city"),
    ("your state", "state"),
    ("your postcode", "postcode"),
    ("country", "country"),
    ("phone number", "phonenumber"),
)


def whmcs_message_field(message: str | None) -> str | None:
    """The WHMCS field a validation message of AddClient/UpdateClient is about, if any."""
    text = " ".join((message or "").lower().split())
    return next((field for fragment, field in _WHMCS_MESSAGE_FIELDS if fragment in text), None)


def api_field_name(local_field: str) -> str:
    return _api_name(local_field)

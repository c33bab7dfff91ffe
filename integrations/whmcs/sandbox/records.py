"""The sandbox's rows: WHMCS 8.x Users (logins) and Clients (billing accounts)."""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass, field, fields

ZERO_DATE = "0000-00-00"  # MySQL's "no date"; clients created before WHMCS 6 carry it
EMAIL_PREFERENCE_KEYS = ("general", "invoice", "support", "product", "domain", "affiliate")
_HASH_ITERATIONS = 1_000  # a sandbox: cheap on purpose, still never reversible
_CLIENT_EDITS = [0]  # bumped by every attribute set on any ClientRecord (see client_edits)


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """Salted PBKDF2 digest; the sandbox keeps only this, never the password."""
    salt = os.urandom(16) if salt is None else salt
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, _HASH_ITERATIONS)
    return f"pbkdf2_sha256${_HASH_ITERATIONS}${salt.hex()}${digest.hex()}"


def check_password(password: str, password_hash: str) -> bool:
    _, iterations, salt, expected = password_hash.split("$")
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt), int(iterations))
    return hmac.compare_digest(digest.hex(), expected)


@dataclass(slots=True)
class UserRecord:
    """A login identity (8.0+). One user may manage many clients."""

    id: int
    firstname: str
    lastname: str
    email: str
    password_hash: str
    language: str = ""

    @property
    def fullname(self) -> str:
        return f"{self.firstname} {self.lastname}".strip()

    def check_password(self, password: str) -> bool:
        return check_password(password, self.password_hash)


def _all_preferences() -> dict[str, bool]:
    return dict.fromkeys(EMAIL_PREFERENCE_KEYS, True)


@dataclass(slots=True)
class ClientRecord:
    """A billing account, with WHMCS's own field names."""

    id: int
    uuid: str
    owner_user_id: int
    firstname: str
    lastname: str
    email: str
    companyname: str = ""
    address1: str = ""
    address2: str = ""
    city: str = ""
    state: str = ""
    postcode: str = ""
    country: str = ""
    phonenumber: str = ""
    tax_id: str = ""
    status: str = "Active"
    datecreated: str = ZERO_DATE
    groupid: int = 0
    currency: int = 1
    language: str = ""
    notes: str = ""
    credit: str = "0.00"
    taxexempt: bool = False
    marketingoptin: bool = False
    billingcid: int = 0  # the contact invoices go to; 0: the client itself
    defaultgateway: str = ""  # UpdateClient's ``paymentmethod``; "": the system default
    # Per-client overrides, spelt as WHMCS spells them.
    latefeeoveride: bool = False
    overideduenotices: bool = False
    separateinvoices: bool = False
    disableautocc: bool = False
    emailoptout: bool = False
    overrideautoclose: bool = False
    allow_single_sign_on: bool = True
    email_verified: bool = False
    email_preferences: dict[str, bool] = field(default_factory=_all_preferences)
    user_ids: list[int] = field(default_factory=list)  # users with access, owner first

    @property
    def fullname(self) -> str:
        return f"{self.firstname} {self.lastname}".strip()

    def __setattr__(self, name: str, value: object) -> None:
        object.__setattr__(self, name, value)
        _CLIENT_EDITS[0] += 1


def client_edits() -> int:
    """How many attribute sets any client has seen (creation included): unchanged, no client
    field was set since, however it was set (UpdateClient, a test, ``restore``)."""
    return _CLIENT_EDITS[0]


# What tests (and UpdateClient) may change directly; identity and links are not fields.
EDITABLE_CLIENT_FIELDS: frozenset[str] = frozenset(
    f.name for f in fields(ClientRecord) if f.name not in {"id", "uuid", "user_ids"}
)
INT_CLIENT_FIELDS: frozenset[str] = frozenset(
    {"owner_user_id", "groupid", "currency", "billingcid"}
)
# UpdateClient's override flags (WHMCS's spelling), also shown by GetClientsDetails.
OVERRIDE_FLAGS = (
    "latefeeoveride",
    "overideduenotices",
    "separateinvoices",
    "disableautocc",
    "overrideautoclose",
)
BOOL_CLIENT_FIELDS: frozenset[str] = frozenset(
    {
        "taxexempt",
        "marketingoptin",
        "emailoptout",
        "allow_single_sign_on",
        "email_verified",
        *OVERRIDE_FLAGS,
    }
)

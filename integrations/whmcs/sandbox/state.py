"""The sandbox's in-memory WHMCS: users, clients, the call journal and queued faults."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from .faults import FaultQueue
from .module_store import ModuleStore
from .php import php_truthy
from .records import (
    BOOL_CLIENT_FIELDS,
    EDITABLE_CLIENT_FIELDS,
    INT_CLIENT_FIELDS,
    ClientRecord,
    UserRecord,
    hash_password,
)
from .seed import load_demo_data

# Never journalled: the credential, the access key and the new user's password.
SECRET_PARAMS: frozenset[str] = frozenset(
    {"identifier", "secret", "username", "password", "accesskey", "password2"}
)
_UUID_NAMESPACE = uuid.UUID("6f1c1c52-8a0e-4a4e-9c55-3b0d7a2d5a10")


def _local_today() -> date:
    # WHMCS stores server-local dates without a timezone.
    return datetime.now(UTC).astimezone().date()


@dataclass(frozen=True, slots=True)
class SentEmail:
    """An e-mail WHMCS would have sent (the sandbox sends nothing)."""

    template: str
    client_id: int
    to: str


class SandboxState:
    """Everything one sandbox knows. Tests change it directly to play "someone edited WHMCS".

    ``calls`` holds one dict per API request (its parameters minus ``SECRET_PARAMS``),
    recorded on arrival, so rejected and faulted requests are counted too.

    Every other attribute is WHMCS's data and is kept across restarts (``data``/``restore``,
    written by ``persist``); a new record collection needs no more than an attribute.
    """

    # What belongs to one run of the sandbox, not to the WHMCS it plays.
    RUN_ONLY: ClassVar[frozenset[str]] = frozenset(
        {"calls", "faults", "latency_ms", "_seed", "_initial_latency_ms", "_today"}
    )

    def __init__(
        self,
        *,
        seed: bool = True,
        latency_ms: float = 0.0,
        today: Callable[[], date] = _local_today,
    ) -> None:
        self._seed = seed
        self._initial_latency_ms = latency_ms
        self._today = today
        self.clients: dict[int, ClientRecord] = {}
        self.users: dict[int, UserRecord] = {}
        self.calls: list[dict[str, str]] = []
        self.sent_emails: list[SentEmail] = []
        self.faults = FaultQueue()
        self.modules = ModuleStore(self)  # services, invoices, orders, tickets, domains
        self.latency_ms = latency_ms
        self._next_client_id = 1
        self._next_user_id = 1
        self.reset()

    def reset(self) -> None:
        """Back to the initial data; journal, e-mails, faults and latency cleared."""
        self.clients.clear()
        self.users.clear()
        self.calls.clear()
        self.sent_emails.clear()
        self.faults.clear()
        self.modules.clear()
        self.latency_ms = self._initial_latency_ms
        self._next_client_id = 1
        self._next_user_id = 1
        if self._seed:
            self.seed()

    def seed(self) -> None:
        """Load the demo data (``reset`` does it when the state was built with ``seed=True``)."""
        load_demo_data(self)

    def today(self) -> date:
        """The sandbox's today (WHMCS's server-local date)."""
        return self._today()

    def data(self) -> dict[str, Any]:
        """Everything WHMCS would still hold after a restart: records and id counters.

        A holder of more collections (``modules``) gives its attributes, under its name.
        """
        return {
            name: _attributes(value, self) if _is_holder(value) else value
            for name, value in vars(self).items()
            if name not in self.RUN_ONLY
        }

    def restore(self, data: Mapping[str, Any]) -> list[str]:
        """Take ``data`` (from ``data()``); returns the names it had that this state has not.

        Nothing changes unless every value has the type of the one it replaces.
        """
        targets = {n: v for n, v in vars(self).items() if n not in self.RUN_ONLY}
        plan: list[tuple[object, str, Any]] = []
        ignored: list[str] = []
        for name, value in data.items():
            if name not in targets:
                ignored.append(name)
            elif _is_holder(targets[name]):
                holder = targets[name]
                if not isinstance(value, dict):
                    raise TypeError(f"{name} is a {type(value).__name__}")
                inner = _attributes(holder, self)
                for attr, attr_value in value.items():
                    if attr not in inner:
                        ignored.append(f"{name}.{attr}")
                        continue
                    _same_kind(f"{name}.{attr}", attr_value, inner[attr])
                    plan.append((holder, attr, attr_value))
            else:
                _same_kind(name, value, targets[name])
                plan.append((self, name, value))
        for target, attr, value in plan:
            setattr(target, attr, value)
        return sorted(ignored)

    # --- journal -------------------------------------------------------------------------

    def record_call(self, params: Mapping[str, str]) -> None:
        self.calls.append({k: v for k, v in params.items() if k.lower() not in SECRET_PARAMS})

    def calls_for(self, action: str) -> list[dict[str, str]]:
        wanted = action.lower()
        return [c for c in self.calls if c.get("action", "").lower() == wanted]

    # --- users ---------------------------------------------------------------------------

    def add_user(
        self, *, firstname: str, lastname: str, email: str, password: str, language: str = ""
    ) -> UserRecord:
        user = UserRecord(
            id=self._next_user_id,
            firstname=firstname,
            lastname=lastname,
            email=email,
            password_hash=hash_password(password),
            language=language,
        )
        self._next_user_id += 1
        self.users[user.id] = user
        return user

    def user_by_email(self, email: str) -> UserRecord | None:
        wanted = email.strip().lower()
        return next((u for u in self.users.values() if u.email.lower() == wanted), None)

    # --- clients -------------------------------------------------------------------------

    def add_client(
        self,
        *,
        firstname: str,
        lastname: str,
        email: str,
        password: str | None = None,
        owner_user_id: int | None = None,
        **fields: Any,
    ) -> ClientRecord:
        """Create a client without API validation; like 8.x AddClient, a new owner user
        with the same e-mail is created unless ``owner_user_id`` names an existing one.
        ``fields`` are other WHMCS client fields (``companyname=``, ``status=``, ...)."""
        _check_field_names(fields)
        if owner_user_id is None:
            owner = self.add_user(
                firstname=firstname,
                lastname=lastname,
                email=email,
                password=password if password is not None else uuid.uuid4().hex,
                language=str(fields.get("language", "")),
            )
        elif owner_user_id in self.users:
            owner = self.users[owner_user_id]
        else:
            raise KeyError(f"no user {owner_user_id}")
        client_id = self._next_client_id
        client = ClientRecord(
            id=client_id,
            uuid=str(uuid.uuid5(_UUID_NAMESPACE, f"client-{client_id}")),
            owner_user_id=owner.id,
            firstname=firstname,
            lastname=lastname,
            email=email,
            datecreated=self._today().isoformat(),
            user_ids=[owner.id],
        )
        _apply_fields(client, fields)
        self._next_client_id += 1
        self.clients[client.id] = client
        return client

    def update_client(self, client_id: int, **fields: Any) -> ClientRecord:
        """Change a client behind the integration's back, with WHMCS field names."""
        client = self.clients.get(client_id)
        if client is None:
            raise KeyError(f"no client {client_id}")
        _apply_fields(client, fields)
        return client

    def delete_client(self, client_id: int, *, delete_users: bool = False) -> None:
        """Remove a client; ``delete_users`` also removes users left without any client."""
        client = self.clients.pop(client_id, None)
        if client is None:
            raise KeyError(f"no client {client_id}")
        self.modules.drop_client(client_id)
        if delete_users:
            still_linked = {uid for c in self.clients.values() for uid in c.user_ids}
            for user_id in client.user_ids:
                if user_id not in still_linked:
                    self.users.pop(user_id, None)

    def get_client(self, client_id: int) -> ClientRecord | None:
        return self.clients.get(client_id)

    def client_by_email(self, email: str) -> ClientRecord | None:
        """The lowest-id client with this e-mail (case-insensitive, as MySQL compares)."""
        wanted = email.strip().lower()
        return next((c for _, c in sorted(self.clients.items()) if c.email.lower() == wanted), None)

    def send_email(self, template: str, client: ClientRecord) -> None:
        self.sent_emails.append(SentEmail(template=template, client_id=client.id, to=client.email))


def _is_holder(value: object) -> bool:
    """An object of the sandbox's own that holds collections (not a record, not a value)."""
    return (
        type(value).__module__.startswith(__package__ or "-")
        and hasattr(value, "__dict__")
        and not dataclasses.is_dataclass(value)
    )


def _attributes(holder: object, state: SandboxState) -> dict[str, Any]:
    # Its own attributes, without the way back to the state (restored in place, so kept).
    return {k: v for k, v in vars(holder).items() if v is not state}


def _same_kind(name: str, value: object, current: object) -> None:
    if not isinstance(value, type(current)):
        raise TypeError(f"{name} is a {type(value).__name__}")


def _check_field_names(fields: Mapping[str, Any]) -> None:
    unknown = set(fields) - EDITABLE_CLIENT_FIELDS
    if unknown:
        raise TypeError(f"unknown client field(s): {', '.join(sorted(unknown))}")


def _apply_fields(client: ClientRecord, fields: Mapping[str, Any]) -> None:
    _check_field_names(fields)
    for name, value in fields.items():
        if name in INT_CLIENT_FIELDS:
            value = int(value)
        elif name in BOOL_CLIENT_FIELDS:
            value = value if isinstance(value, bool) else php_truthy(str(value))
        elif name == "email_preferences":
            value = {**client.email_preferences, **{k: bool(v) for k, v in value.items()}}
        else:
            value = str(value)
        setattr(client, name, value)

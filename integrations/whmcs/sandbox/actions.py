"""The emulated API actions. Each takes the request's parameters and returns a payload.

Action-level failures are ``{"result":"error"}`` payloads answered with HTTP 200, as
WHMCS does; only the gate in ``app.py`` answers 4xx.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .client_order import ordered_clients
from .client_stats import client_stats
from .config import SandboxConfig
from .countries import CALLING_CODES, country_name
from .module_actions import MODULE_HANDLERS, listing
from .php import php_int, php_truthy
from .records import EMAIL_PREFERENCE_KEYS, OVERRIDE_FLAGS, ZERO_DATE, ClientRecord
from .state import SandboxState
from .ticket_actions import TICKET_HANDLERS
from .validation import check_add_client, check_update_client

Params = Mapping[str, str]
Payload = dict[str, Any]
Handler = Callable[[SandboxState, SandboxConfig, Params], Payload]

CLIENT_NOT_FOUND = "Client Not Found"  # GetClientsDetails
CLIENT_ID_NOT_FOUND = "Client ID Not Found"  # UpdateClient, DeleteClient
CLIENTID_OR_EMAIL = "Either clientid Or email Is Required"
_ORDERABLE = frozenset(
    {"id", "firstname", "lastname", "companyname", "email", "groupid", "datecreated", "status"}
)
_STATUSES = {s.lower(): s for s in ("Active", "Inactive", "Closed")}
_TEXT_FIELDS = (
    "firstname",
    "lastname",
    "companyname",
    "email",
    "address1",
    "address2",
    "city",
    "state",
    "postcode",
    "country",
    "phonenumber",
    "tax_id",
    "language",
    "notes",
)
_INT_FIELDS = ("groupid", "currency", "billingcid")
_BOOL_FIELDS = ("taxexempt", "marketingoptin", *OVERRIDE_FLAGS)


def error(message: str) -> Payload:
    return {"result": "error", "message": message}


@dataclass(frozen=True, slots=True)
class Action:
    name: str
    handler: Handler
    writes: bool


def whmcs_details(state: SandboxState, config: SandboxConfig, params: Params) -> Payload:
    version = {"version": config.version, "canonicalversion": config.canonical_version}
    return {"result": "success", "whmcs": version}


def get_clients(state: SandboxState, config: SandboxConfig, params: Params) -> Payload:
    orderby = params.get("orderby", "id").strip().lower()
    orderby = orderby if orderby in _ORDERABLE else "id"
    descending = params.get("sorting", "ASC").strip().upper() == "DESC"
    status = params.get("status", "").strip().lower()
    search = params.get("search", "").strip().lower()

    def compute() -> list[ClientRecord]:
        rows = [
            c
            for c in state.clients.values()
            if (not status or c.status.lower() == status) and _search_matches(c, search)
        ]
        rows.sort(key=lambda c: (_sort_key(c, orderby), c.id), reverse=descending)
        return rows

    # Sorted once for a walk of many pages (kept until a client changes).
    rows = ordered_clients(state, (orderby, descending, status, search), compute)
    # No rows: an empty STRING, not an empty list (recorded from real installs).
    return listing(rows, params, "clients", _list_row, text_total=False, empty_string=True)


def _search_matches(client: ClientRecord, search: str) -> bool:
    # A prefix match (SQL ``LIKE 'x%'``), so "bob@example.com" also finds "bob@example.com.au".
    if not search:
        return True
    haystack = (
        client.email,
        client.firstname,
        client.lastname,
        client.fullname,
        client.companyname,
    )
    return any(value.lower().startswith(search) for value in haystack)


def _sort_key(client: ClientRecord, orderby: str) -> str | int:
    value = getattr(client, orderby)
    return value.lower() if isinstance(value, str) else int(value)


def _list_row(client: ClientRecord) -> Payload:
    return {
        "id": client.id,
        "firstname": client.firstname,
        "lastname": client.lastname,
        "companyname": client.companyname,
        "email": client.email,
        "datecreated": client.datecreated,
        "groupid": client.groupid,
        "status": client.status,
    }


def get_clients_details(state: SandboxState, config: SandboxConfig, params: Params) -> Payload:
    client_id = params.get("clientid", "").strip()
    email = params.get("email", "").strip()
    if client_id:
        client = state.get_client(php_int(client_id))
    elif email:
        client = state.client_by_email(email)
    else:
        return error(CLIENTID_OR_EMAIL)
    if client is None:
        return error(CLIENT_NOT_FOUND)
    details = _details(state, client)
    # The deprecated flat copy keeps 7.x's all-strings ids; the nested one has ints.
    flat = {
        k: str(v) if isinstance(v, int) and not isinstance(v, bool) else v
        for k, v in details.items()
    }
    payload: Payload = {"result": "success", **flat, "client": details}
    if php_truthy(params.get("stats")):
        payload["stats"] = client_stats(state, client)
    return payload


def _details(state: SandboxState, client: ClientRecord) -> Payload:
    calling_code = CALLING_CODES.get(client.country)
    digits = "".join(ch for ch in client.phonenumber if ch.isdigit())
    formatted = f"+{calling_code}.{digits.lstrip('0')}" if calling_code else client.phonenumber
    users = [
        {"id": u.id, "name": u.fullname, "email": u.email, "is_owner": u.id == client.owner_user_id}
        for u in (state.users.get(uid) for uid in client.user_ids)
        if u is not None
    ]
    # The keys, their order and their types as the 8.x reference shows them; `datecreated`
    # is the sandbox's addition (the reference does not list it; the bridge reads it if there).
    return {
        "client_id": client.id,
        "owner_user_id": client.owner_user_id,
        "userid": client.id,
        "id": client.id,
        "uuid": client.uuid,
        "firstname": client.firstname,
        "lastname": client.lastname,
        "fullname": client.fullname,
        "companyname": client.companyname,
        "email": client.email,
        "address1": client.address1,
        "address2": client.address2,
        "city": client.city,
        "fullstate": client.state,
        "state": client.state,
        "postcode": client.postcode,
        "countrycode": client.country,
        "country": client.country,
        "phonenumber": client.phonenumber,
        "tax_id": client.tax_id,
        "email_preferences": {
            k: "1" if client.email_preferences.get(k, True) else "0" for k in EMAIL_PREFERENCE_KEYS
        },
        "statecode": client.state,
        "countryname": country_name(client.country),
        "phonecc": str(calling_code or ""),
        "phonenumberformatted": formatted,
        "telephoneNumber": formatted,
        "billingcid": client.billingcid,
        "notes": client.notes,
        "currency": client.currency,
        "defaultgateway": client.defaultgateway,
        "groupid": client.groupid,
        "status": client.status,
        "credit": client.credit,
        "taxexempt": client.taxexempt,
        "latefeeoveride": client.latefeeoveride,
        "overideduenotices": client.overideduenotices,
        "separateinvoices": client.separateinvoices,
        "disableautocc": client.disableautocc,
        "emailoptout": client.emailoptout,
        "marketing_emails_opt_in": client.marketingoptin,
        "overrideautoclose": client.overrideautoclose,
        "allowSingleSignOn": int(client.allow_single_sign_on),
        "email_verified": client.email_verified,
        "language": client.language,
        "isOptedInToMarketingEmails": client.marketingoptin,
        "lastlogin": _last_login(client),
        "currency_code": "USD",
        "datecreated": client.datecreated,
        "customfields": [],
        "users": {"user": users},
    }


def _last_login(client: ClientRecord) -> str:
    # An HTML fragment in a JSON string (and its slashes come out as "\/").
    if client.datecreated == ZERO_DATE:
        return "No Login Logged"
    year, month, day = client.datecreated.split("-")
    return f"Date: {day}/{month}/{year} 09:30<br>IP Address:<br>Host:"


def add_client(state: SandboxState, config: SandboxConfig, params: Params) -> Payload:
    message = check_add_client(state, params)
    if message is not None:
        return error(message)
    fields = _submitted_fields(params)
    fields.pop("firstname", None)
    fields.pop("lastname", None)
    fields.pop("email", None)
    owner_given = params.get("owner_user_id", "") != ""
    client = state.add_client(
        firstname=params.get("firstname", "").strip(),
        lastname=params.get("lastname", "").strip(),
        email=params["email"].strip(),
        password=None if owner_given else params["password2"],
        owner_user_id=php_int(params["owner_user_id"]) if owner_given else None,
        **fields,
    )
    if not php_truthy(params.get("noemail")):
        state.send_email("Client Signup Email", client)
    # clientid is a STRING here, owner_id an int (both as recorded from 8.x).
    return {"result": "success", "clientid": str(client.id), "owner_id": client.owner_user_id}


def update_client(state: SandboxState, config: SandboxConfig, params: Params) -> Payload:
    client = None
    if params.get("clientid", "").strip():
        client = state.get_client(php_int(params["clientid"]))
    elif params.get("clientemail", "").strip():
        client = state.client_by_email(params["clientemail"])
    if client is None:
        return error(CLIENT_ID_NOT_FOUND)
    message = check_update_client(state, client, params)
    if message is not None:
        return error(message)
    changes = _submitted_fields(params)
    if "paymentmethod" in params:
        changes["defaultgateway"] = params["paymentmethod"].strip()
    status = _STATUSES.get(params.get("status", "").strip().lower())
    if status is not None:
        changes["status"] = status
    preferences = {
        key: php_truthy(params[f"email_preferences[{key}]"])
        for key in EMAIL_PREFERENCE_KEYS
        if f"email_preferences[{key}]" in params
    }
    if preferences:
        changes["email_preferences"] = preferences
    state.update_client(client.id, **changes)
    return {"result": "success", "clientid": str(client.id)}


def _submitted_fields(params: Params) -> dict[str, Any]:
    """Only the fields present in the request: WHMCS leaves the others untouched."""
    fields: dict[str, Any] = {n: params[n].strip() for n in _TEXT_FIELDS if n in params}
    fields.update({n: php_int(params[n]) for n in _INT_FIELDS if n in params})
    fields.update({n: php_truthy(params[n]) for n in _BOOL_FIELDS if n in params})
    return fields


def delete_client(state: SandboxState, config: SandboxConfig, params: Params) -> Payload:
    client_id = php_int(params.get("clientid"))
    if state.get_client(client_id) is None:
        return error(CLIENT_ID_NOT_FOUND)
    state.delete_client(client_id, delete_users=php_truthy(params.get("deleteusers")))
    return {"result": "success", "clientid": str(client_id)}


ACTIONS: dict[str, Action] = {
    action.name.lower(): action
    for action in (
        Action("WhmcsDetails", whmcs_details, writes=False),
        Action("GetClients", get_clients, writes=False),
        Action("GetClientsDetails", get_clients_details, writes=False),
        Action("AddClient", add_client, writes=True),
        Action("UpdateClient", update_client, writes=True),
        Action("DeleteClient", delete_client, writes=True),
        # The modules' reads (services, invoices, orders, tickets, domains).
        *(Action(name, handler, writes=False) for name, handler in MODULE_HANDLERS.items()),
        *(Action(name, handler, writes=False) for name, handler in TICKET_HANDLERS.items()),
    )
}


def find_action(name: str) -> Action | None:
    """Action names are case-insensitive, as in WHMCS."""
    return ACTIONS.get(name.strip().lower())

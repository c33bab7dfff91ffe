"""WHMCS answer bodies shaped like the documented and recorded ones (whmcs-api.md sections 2, 7).

Builders return fresh dicts, so a test can change one without touching another test's copy.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "add_client_success",
    "client_row",
    "clients_details_7x",
    "clients_details_8x",
    "error",
    "get_clients",
    "whmcs_details",
]


def error(message: str) -> dict[str, Any]:
    """``{"result": "error", "message": ...}``."""
    return {"result": "error", "message": message}


def client_row(
    client_id: int,
    email: str,
    *,
    firstname: str = "Angelica",
    lastname: str = "Mohr",
    companyname: str = "",
    datecreated: str = "2016-01-15",
    status: str = "Active",
) -> dict[str, Any]:
    """One ``GetClients`` row, typed as in a recorded 8.x body (ints for ids)."""
    return {
        "id": client_id,
        "firstname": firstname,
        "lastname": lastname,
        "companyname": companyname,
        "email": email,
        "datecreated": datecreated,
        "groupid": 0,
        "status": status,
    }


def get_clients(
    rows: list[dict[str, Any]], *, total: int | None = None, start: int = 0
) -> dict[str, Any]:
    """A ``GetClients`` answer; zero rows give ``"clients": ""`` as a real WHMCS does."""
    return {
        "result": "success",
        "totalresults": len(rows) if total is None else total,
        "startnumber": start,
        "numreturned": len(rows),
        "clients": {"client": rows} if rows else "",
    }


def _details_fields(client_id: int, email: str) -> dict[str, Any]:
    return {
        "userid": client_id,
        "id": client_id,
        "firstname": "Test",
        "lastname": "Client",
        "fullname": "Test Client",
        "companyname": "",
        "email": email,
        "address1": "123 Test Street",
        "address2": "",
        "city": "Test",
        "state": "Tester",
        "postcode": "TE5 5ST",
        "countrycode": "GB",
        "country": "GB",
        "phonenumber": "01234567890",
        "phonecc": "44",
        "status": "Active",
        "datecreated": "2016-01-08",
        "credit": "0.00",
        "taxexempt": False,
        "lastlogin": "Date: 03\\/10\\/2016 10:26<br>IP Address:<br>Host:",
    }


def clients_details_8x(
    client_id: int = 1, email: str = "test-client@example.com"
) -> dict[str, Any]:
    """``GetClientsDetails`` on 8.x: the client nested in ``client`` *and* flattened on top."""
    nested = {
        "client_id": client_id,
        "owner_user_id": 1,
        "uuid": "f08e5f4f-8c2f-4a4b-9b1e-1f5d6c0a7e21",
        **_details_fields(client_id, email),
        "email_preferences": {"general": "1", "invoice": "1", "support": "1"},
        "users": {"user": [{"id": 1, "name": "Testing User", "is_owner": True}]},
    }
    return {"result": "success", **_details_fields(client_id, email), "client": nested}


def clients_details_7x(
    client_id: int = 1, email: str = "test-client@example.com"
) -> dict[str, Any]:
    """``GetClientsDetails`` on 7.x: flattened only, ids as strings, ``""`` for false."""
    fields = _details_fields(client_id, email)
    fields.update({"userid": str(client_id), "id": str(client_id), "taxexempt": ""})
    return {"result": "success", **fields, "password": "$2y$10$hash", "securityqans": "rex"}


def add_client_success(client_id: int = 42) -> dict[str, Any]:
    """``AddClient`` success: ``clientid`` is a string; 8.x adds ``owner_id``."""
    return {"result": "success", "clientid": str(client_id), "owner_id": 17}


def whmcs_details(version: str = "8.13.1") -> dict[str, Any]:
    """``WhmcsDetails`` (8.0+)."""
    return {
        "result": "success",
        "whmcs": {"version": version, "canonicalversion": f"{version}-release.1"},
    }

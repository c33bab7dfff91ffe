"""The error tree, its hints, and the classifier on WHMCS's own messages."""

from __future__ import annotations

import pytest

from integrations.whmcs import errors
from integrations.whmcs.errors import (
    DOUBLED_PATH_HINT,
    HINTS,
    FailureKind,
    WhmcsApiError,
    WhmcsAuthenticationError,
    WhmcsAuthError,
    WhmcsCommandNotFoundError,
    WhmcsConnectionError,
    WhmcsDuplicateEmailError,
    WhmcsError,
    WhmcsInvalidIpError,
    WhmcsNotFoundError,
    WhmcsPermissionError,
    WhmcsProtocolError,
    WhmcsServerError,
    WhmcsTimeoutError,
    WhmcsUnavailableError,
    classify_message,
    hint_for,
)


def test_tree_shape_and_flags() -> None:
    assert issubclass(WhmcsTimeoutError, WhmcsUnavailableError)
    assert issubclass(WhmcsConnectionError, WhmcsUnavailableError)
    assert issubclass(WhmcsServerError, WhmcsUnavailableError)
    auth: list[type[WhmcsError]] = [
        WhmcsAuthenticationError,
        WhmcsInvalidIpError,
        WhmcsPermissionError,
    ]
    api: list[type[WhmcsError]] = [
        WhmcsNotFoundError,
        WhmcsDuplicateEmailError,
        WhmcsCommandNotFoundError,
    ]
    families: list[type[WhmcsError]] = [
        WhmcsUnavailableError,
        WhmcsProtocolError,
        WhmcsAuthError,
        WhmcsApiError,
    ]
    assert all(issubclass(cls, WhmcsAuthError) for cls in auth)
    assert all(issubclass(cls, WhmcsApiError) for cls in api)
    assert all(issubclass(cls, WhmcsError) for cls in families)
    assert WhmcsUnavailableError.retryable is True
    assert [cls.retryable for cls in families[1:] + auth + api] == [False] * 9


def test_the_module_docstring_documents_every_class() -> None:
    doc = errors.__doc__ or ""
    for name in errors.__all__:
        if name.startswith("Whmcs"):
            assert name in doc, name


def test_every_kind_has_a_hint_of_one_sentence() -> None:
    assert set(HINTS) == set(FailureKind)
    for kind in FailureKind:
        text = hint_for(kind, action="GetClients", ip="192.0.2.1", denied_action="getclients")
        assert text.endswith(".")
        assert "{" not in text  # every placeholder filled
        assert text.replace("e.g. ", "").count(". ") == 0, f"{kind}: more than one sentence"


def test_hint_for_fills_placeholders() -> None:
    assert "192.0.2.9" in hint_for(FailureKind.INVALID_IP, ip="192.0.2.9")
    assert "getinvoices" in hint_for(FailureKind.PERMISSION_DENIED, denied_action="getinvoices")
    assert "GetTickets" in hint_for(FailureKind.TIMEOUT, action="GetTickets")
    assert "WHMCS_ENABLED" in hint_for(FailureKind.DISABLED)
    assert "WHMCS_API_URL" in hint_for(FailureKind.NOT_CONFIGURED)


@pytest.mark.parametrize(
    ("status", "message", "expected"),
    [
        (403, "Authentication Failed", WhmcsAuthenticationError),
        (403, "  authentication   failed ", WhmcsAuthenticationError),
        (None, "Invalid or missing credentials", WhmcsAuthenticationError),
        (200, "Administrator Account Disabled", WhmcsAuthenticationError),
        (200, "Access Denied", WhmcsAuthenticationError),
        (200, "Invalid password provided", WhmcsAuthenticationError),
        (403, "An admin user is required", WhmcsAuthenticationError),
        (403, "Invalid IP 203.0.113.7", WhmcsInvalidIpError),
        (400, "Invalid IP 203.0.113.7", WhmcsInvalidIpError),
        (403, "Forbidden IP 203.0.113.7", WhmcsInvalidIpError),
        (403, 'Invalid Permissions: API action "getclients" is not allowed', WhmcsPermissionError),
        (200, "Command Not Found", WhmcsCommandNotFoundError),
        (200, "Client Not Found", WhmcsNotFoundError),
        (200, "Invoice ID Not Found", WhmcsNotFoundError),
        (200, "Ticket ID not found", WhmcsNotFoundError),
        (200, "A client already exists with that email address", WhmcsDuplicateEmailError),
        (200, "A user already exists with that email address", WhmcsDuplicateEmailError),
        (200, "The email address entered is not available for use.", WhmcsDuplicateEmailError),
        (200, "Duplicate Email Address", WhmcsDuplicateEmailError),
        (200, "Valid country required", WhmcsApiError),
        (200, "Empty action request", WhmcsApiError),
        (403, "Something new", WhmcsAuthenticationError),
        (200, "", WhmcsApiError),
    ],
)
def test_classify_message(status: int | None, message: str, expected: type[WhmcsError]) -> None:
    exc = classify_message(status, message, "AddClient")

    assert type(exc) is expected
    assert exc.action == "AddClient"
    assert exc.status == status
    assert exc.outcome_unknown is False
    assert exc.message.startswith("WHMCS refused AddClient: ")


@pytest.mark.parametrize(
    ("message", "ip"),
    [
        ("Invalid IP 203.0.113.7", "203.0.113.7"),
        ("Invalid IP: 203.0.113.7.", "203.0.113.7"),
        ("invalid ip 2405:201:c00a:9d2e::1f", "2405:201:c00a:9d2e::1f"),
        ("Invalid IP 2001:DB8:0:0::1", "2001:DB8:0:0::1"),  # kept as WHMCS wrote it
        ("Forbidden IP ::ffff:192.0.2.1", "::ffff:192.0.2.1"),
        ("Invalid IP", None),
        ("Invalid IP not-an-address", None),
    ],
)
def test_invalid_ip_parses_the_address(message: str, ip: str | None) -> None:
    exc = classify_message(403, message, "GetClients")

    assert isinstance(exc, WhmcsInvalidIpError)
    assert exc.ip == ip
    if ip:
        assert ip in exc.hint
    else:
        assert "address" in exc.hint


@pytest.mark.parametrize(
    ("message", "denied"),
    [
        ('Invalid Permissions: API action "getclients" is not allowed', "getclients"),
        (
            "Invalid Permissions: API action \\u0022whmcsdetails\\u0022 is not allowed",
            "whmcsdetails",
        ),
        ("Invalid Permissions: API action 'getpaymethods' is not allowed", "getpaymethods"),
        ("Invalid Permissions", None),
    ],
)
def test_permission_parses_the_denied_action(message: str, denied: str | None) -> None:
    exc = classify_message(403, message, "WhmcsDetails")

    assert isinstance(exc, WhmcsPermissionError)
    assert exc.denied_action == denied
    assert (denied or "WhmcsDetails") in exc.hint


def test_admin_user_required_hint_says_path_is_doubled() -> None:
    doubled = classify_message(403, "An admin user is required", "GetClients")
    plain = classify_message(403, "Authentication Failed", "GetClients")

    assert doubled.hint == DOUBLED_PATH_HINT
    assert "doubled" in doubled.hint
    assert plain.hint != DOUBLED_PATH_HINT


def test_classify_redacts_given_secrets() -> None:
    exc = classify_message(200, "token hunter2 rejected", "GetClients", secrets=("hunter2",))

    assert "hunter2" not in str(exc)
    assert exc.whmcs_message == "token [REDACTED] rejected"


def test_str_and_repr() -> None:
    exc = WhmcsNotFoundError("GetClientsDetails", "WHMCS refused it", status=200)

    assert str(exc) == "WHMCS refused it"
    assert repr(exc) == (
        "WhmcsNotFoundError(action='GetClientsDetails', kind='rejected', status=200, "
        "message='WHMCS refused it')"
    )

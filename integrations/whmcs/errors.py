"""Exceptions raised by the WHMCS client, and the classifier that picks them.

The hierarchy (``kind`` in brackets)::

    WhmcsError                        every failure of a WHMCS call
    ├── WhmcsUnavailableError         retryable: WHMCS could not answer now
    │   ├── WhmcsTimeoutError         no answer within the timeout [TIMEOUT]
    │   ├── WhmcsConnectionError      DNS failure, refused or reset connection [UNREACHABLE]
    │   │   ├── WhmcsCircuitOpenError not sent: WHMCS failed too often (``.retry_after_s``)
    │   │   └── WhmcsShuttingDownError not sent: this server is stopping (``.retry_after_s``)
    │   └── WhmcsServerError          WHMCS itself failed: HTTP 5xx page, EmitterException,
    │                                 "Down for Maintenance" (``.snippet``) [SERVER_ERROR]
    ├── WhmcsProtocolError            not a WHMCS API answer: WAF/CDN/challenge page, redirect,
    │                                 JSON without ``result``, malformed shapes [NOT_WHMCS]
    ├── WhmcsAuthError                a gate before the action refused (403 with JSON)
    │   ├── WhmcsAuthenticationError  bad, missing or disabled credentials [AUTHENTICATION_FAILED]
    │   ├── WhmcsInvalidIpError       address not allow-listed (``.ip``) [INVALID_IP]
    │   └── WhmcsPermissionError      action not in the API role (``.denied_action``)
    │                                 [PERMISSION_DENIED]
    └── WhmcsApiError                 WHMCS ran the action and said no (result=error) [REJECTED]
        ├── WhmcsNotFoundError        "Client Not Found", any "... not found" (``.entity``)
        ├── WhmcsDuplicateEmailError  the e-mail address is taken by a client or user
        └── WhmcsCommandNotFoundError the action does not exist here [UNSUPPORTED_VERSION]

Every error carries ``action``, ``message`` (safe to show: never credentials), ``whmcs_message``
(WHMCS's own text, if it sent one), ``status`` (HTTP), ``retryable``, ``kind`` (a
:class:`FailureKind`), ``outcome_unknown`` (True only for a write that may have reached WHMCS)
and ``hint`` (one sentence: what to do about it). Hints are data: see :data:`HINTS`.
"""

from __future__ import annotations

import ipaddress
import re
from enum import StrEnum
from typing import ClassVar

from integrations.whmcs.redact import redact_text

__all__ = [
    "DOUBLED_PATH_HINT",
    "HINTS",
    "FailureKind",
    "WhmcsApiError",
    "WhmcsAuthError",
    "WhmcsAuthenticationError",
    "WhmcsCircuitOpenError",
    "WhmcsCommandNotFoundError",
    "WhmcsConnectionError",
    "WhmcsDuplicateEmailError",
    "WhmcsError",
    "WhmcsInvalidIpError",
    "WhmcsNotFoundError",
    "WhmcsPermissionError",
    "WhmcsProtocolError",
    "WhmcsServerError",
    "WhmcsShuttingDownError",
    "WhmcsTimeoutError",
    "WhmcsUnavailableError",
    "classify_message",
    "hint_for",
]


class FailureKind(StrEnum):
    """Why talking to WHMCS failed, as far as an operator needs to know."""

    NOT_CONFIGURED = "not_configured"
    DISABLED = "disabled"
    INVALID_IP = "invalid_ip"
    AUTHENTICATION_FAILED = "authentication_failed"
    PERMISSION_DENIED = "permission_denied"
    TIMEOUT = "timeout"
    UNREACHABLE = "unreachable"
    NOT_WHMCS = "not_whmcs"
    SERVER_ERROR = "server_error"
    UNSUPPORTED_VERSION = "unsupported_version"
    REJECTED = "rejected"


_BASE_URL_EXAMPLE = "the WHMCS base URL (e.g. https://billing.example.com/whmcs)"

#: One sentence per kind. Placeholders: ``{action}``, ``{ip}``, ``{denied_action}``.
HINTS: dict[FailureKind, str] = {
    FailureKind.NOT_CONFIGURED: (
        "Set WHMCS_API_URL, WHMCS_API_IDENTIFIER and WHMCS_API_SECRET to connect to WHMCS."
    ),
    FailureKind.DISABLED: (
        "The WHMCS integration is switched off: set WHMCS_ENABLED=true to use it."
    ),
    FailureKind.INVALID_IP: (
        "WHMCS refused requests from {ip}: add that exact address (no ranges) under "
        "Setup > General Settings > Security > API IP Access Restriction, or set "
        "WHMCS_API_ACCESS_KEY to the $api_access_key in WHMCS's configuration.php."
    ),
    FailureKind.AUTHENTICATION_FAILED: (
        "Check WHMCS_API_IDENTIFIER and WHMCS_API_SECRET against the API credential in WHMCS "
        "(System Settings > Manage API Credentials) and that its admin user is active."
    ),
    FailureKind.PERMISSION_DENIED: (
        "Add the {denied_action} action to the API role of this credential "
        "(System Settings > Manage API Credentials > API Roles)."
    ),
    FailureKind.TIMEOUT: (
        "WHMCS did not answer {action} in time: raise WHMCS_API_TIMEOUT or check the load "
        "on the WHMCS server."
    ),
    FailureKind.UNREACHABLE: (
        f"Could not reach WHMCS: check that WHMCS_API_URL is {_BASE_URL_EXAMPLE} and that "
        "it is reachable from this server (DNS, firewall, TLS)."
    ),
    FailureKind.NOT_WHMCS: (
        "The answer to {action} did not come from the WHMCS API: a WAF, proxy or CDN page, "
        f"or a wrong WHMCS_API_URL (it must be {_BASE_URL_EXAMPLE})."
    ),
    FailureKind.SERVER_ERROR: (
        "WHMCS itself failed: check its logs, whether it is down for maintenance or "
        "mid-upgrade, and for hooks or addons that print output."
    ),
    FailureKind.UNSUPPORTED_VERSION: (
        "This WHMCS does not know the {action} action: it is older than the version that "
        "added it (WhmcsDetails needs WHMCS 8.0 or later)."
    ),
    FailureKind.REJECTED: "WHMCS refused {action}; its message says why.",
}

#: "An admin user is required" is what WHMCS says when the API path is doubled.
DOUBLED_PATH_HINT = (
    "WHMCS answered 'An admin user is required', which in practice means the URL path is "
    f"doubled: set WHMCS_API_URL to {_BASE_URL_EXAMPLE}, without /includes/api.php twice."
)


def hint_for(
    kind: FailureKind,
    *,
    action: str = "this",
    ip: str | None = None,
    denied_action: str | None = None,
) -> str:
    """The hint sentence for ``kind``, with its placeholders filled in."""
    return HINTS[kind].format(
        action=action,
        ip=ip or "this server's address (shown in the WHMCS message)",
        denied_action=denied_action or "denied",
    )


class WhmcsError(Exception):
    """Base class of every failure of a WHMCS call."""

    kind: ClassVar[FailureKind] = FailureKind.REJECTED
    retryable: ClassVar[bool] = False

    def __init__(
        self,
        action: str,
        message: str,
        *,
        whmcs_message: str | None = None,
        status: int | None = None,
        outcome_unknown: bool = False,
        snippet: str | None = None,
    ) -> None:
        super().__init__(message)
        self.action = action
        self.message = message
        self.whmcs_message = whmcs_message
        self.status = status
        self.outcome_unknown = outcome_unknown
        self.snippet = snippet  # the start of a non-JSON page (tags stripped, credentials removed)

    @property
    def hint(self) -> str:
        """One sentence telling an operator what to do about this failure."""
        return hint_for(self.kind, action=self.action)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(action={self.action!r}, kind={self.kind.value!r}, "
            f"status={self.status!r}, message={self.message!r})"
        )


class WhmcsUnavailableError(WhmcsError):
    """WHMCS could not answer right now; reads may be retried."""

    retryable: ClassVar[bool] = True


class WhmcsTimeoutError(WhmcsUnavailableError):
    """No answer arrived within the timeout."""

    kind: ClassVar[FailureKind] = FailureKind.TIMEOUT


class WhmcsConnectionError(WhmcsUnavailableError):
    """The connection failed (DNS, refused, reset, TLS)."""

    kind: ClassVar[FailureKind] = FailureKind.UNREACHABLE


class WhmcsCircuitOpenError(WhmcsConnectionError):
    """Not sent: WHMCS failed too many times in a row; the circuit breaker waits before trying."""

    def __init__(self, action: str, *, retry_after_s: float, failures: int) -> None:
        self.retry_after_s = max(1, round(retry_after_s))
        super().__init__(
            action,
            f"WHMCS failed {failures} times in a row; {action} was not sent. The bridge tries "
            f"WHMCS again in {self.retry_after_s} s.",
        )

    @property
    def hint(self) -> str:
        return (
            f"WHMCS is down or unreachable: retry after {self.retry_after_s} s; if it lasts, "
            "check WHMCS itself and run `whmcs-bridge check`."
        )


class WhmcsShuttingDownError(WhmcsConnectionError):
    """Not sent: the server is stopping, and lets only the WHMCS calls already sent finish."""

    retry_after_s = 5

    def __init__(self, action: str) -> None:
        super().__init__(
            action,
            f"whmcs-bridge is shutting down; {action} was not sent to WHMCS and nothing changed "
            "there. Retry in a moment.",
        )

    @property
    def hint(self) -> str:
        return "The server is restarting or stopping: retry in a few seconds."


class WhmcsServerError(WhmcsUnavailableError):
    """WHMCS answered with an error page instead of JSON (5xx, EmitterException, maintenance)."""

    kind: ClassVar[FailureKind] = FailureKind.SERVER_ERROR


class WhmcsProtocolError(WhmcsError):
    """The answer is not a WHMCS API answer, or its shape is not what WHMCS sends."""

    kind: ClassVar[FailureKind] = FailureKind.NOT_WHMCS


class WhmcsAuthError(WhmcsError):
    """A gate in front of the action refused the request (IP, credentials, API role)."""

    kind: ClassVar[FailureKind] = FailureKind.AUTHENTICATION_FAILED


class WhmcsAuthenticationError(WhmcsAuthError):
    """The credentials are wrong, missing or disabled."""

    kind: ClassVar[FailureKind] = FailureKind.AUTHENTICATION_FAILED

    @property
    def hint(self) -> str:
        if self.whmcs_message and _ADMIN_USER_REQUIRED in self.whmcs_message.casefold():
            return DOUBLED_PATH_HINT
        return super().hint


class WhmcsInvalidIpError(WhmcsAuthError):
    """WHMCS's API IP allow-list does not contain the address it saw (``ip``)."""

    kind: ClassVar[FailureKind] = FailureKind.INVALID_IP

    def __init__(
        self,
        action: str,
        message: str,
        *,
        ip: str | None,
        whmcs_message: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(action, message, whmcs_message=whmcs_message, status=status)
        self.ip = ip

    @property
    def hint(self) -> str:
        return hint_for(self.kind, action=self.action, ip=self.ip)


class WhmcsPermissionError(WhmcsAuthError):
    """The credential's API role does not allow ``denied_action``."""

    kind: ClassVar[FailureKind] = FailureKind.PERMISSION_DENIED

    def __init__(
        self,
        action: str,
        message: str,
        *,
        denied_action: str | None,
        whmcs_message: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(action, message, whmcs_message=whmcs_message, status=status)
        self.denied_action = denied_action

    @property
    def hint(self) -> str:
        return hint_for(
            self.kind, action=self.action, denied_action=self.denied_action or self.action
        )


class WhmcsApiError(WhmcsError):
    """WHMCS ran the action and refused it (``result=error``), e.g. a validation failure."""

    kind: ClassVar[FailureKind] = FailureKind.REJECTED


class WhmcsNotFoundError(WhmcsApiError):
    """The record the action refers to does not exist; ``entity`` is its kind when WHMCS's
    message names one (``Invoice ID Not Found``: ``"invoice"``), else None."""

    def __init__(
        self,
        action: str,
        message: str,
        *,
        entity: str | None = None,
        whmcs_message: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(action, message, whmcs_message=whmcs_message, status=status)
        self.entity = entity


class WhmcsDuplicateEmailError(WhmcsApiError):
    """The e-mail address belongs to another client or user already."""


class WhmcsCommandNotFoundError(WhmcsApiError):
    """WHMCS does not know the action (e.g. WhmcsDetails before 8.0)."""

    kind: ClassVar[FailureKind] = FailureKind.UNSUPPORTED_VERSION


# --- classification of WHMCS's own messages --------------------------------------------------

_ADMIN_USER_REQUIRED = "an admin user is required"
_AUTHENTICATION_MESSAGES = frozenset(
    {
        "authentication failed",
        "invalid or missing credentials",
        "administrator account disabled",
        "access denied",
        "invalid password provided",
        _ADMIN_USER_REQUIRED,
    }
)
_DUPLICATE_EMAIL_MESSAGES = frozenset(
    {
        "a client already exists with that email address",
        "a user already exists with that email address",
        "the email address entered is not available for use.",
        "duplicate email address",
    }
)
_IP_RE = re.compile(r"^(?:invalid|forbidden) ip\b:?\s*(?P<ip>\S*)", re.IGNORECASE)
# The quotes may arrive decoded (") or, when WHMCS double-encodes, as a literal \u0022.
_PERMISSION_RE = re.compile(
    r"^invalid permissions\b.*?action\s*(?:\"|'|\\u0022)(?P<action>[^\"'\\]+)(?:\"|'|\\u0022)",
    re.IGNORECASE,
)
_PERMISSION_PREFIX = "invalid permissions"
# "Client Not Found", "Invoice ID Not Found", "Ticket ID not found", "Order ID not found or Status
# not Pending": the record kind is the first word (WHMCS is not consistent about case).
_NOT_FOUND_RE = re.compile(r"^(?P<entity>[a-z]+)(?: id)? not found\b")


def _parse_ip(text: str) -> str | None:
    candidate = text.strip().strip("[](),.;")
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return None
    return candidate


def classify_message(
    status: int | None,
    message: str,
    action: str,
    *,
    secrets: tuple[str, ...] = (),
) -> WhmcsError:
    """Turn WHMCS's ``result=error`` message into the matching exception.

    ``status`` is the HTTP status it came with: an unrecognised message on a 403 is treated as
    an authentication failure, anything else unrecognised as :class:`WhmcsApiError`. Any of
    ``secrets`` found in the message is redacted first.
    """
    text = redact_text(message, secrets).strip() or "no message"
    folded = " ".join(text.casefold().split())
    shown = f"WHMCS refused {action}: {text}"

    if ip_match := _IP_RE.match(text):
        # Kept as WHMCS wrote it: the allow-list compares strings, so "normalising" would hurt.
        ip = _parse_ip(ip_match["ip"]) if ip_match["ip"] else None
        return WhmcsInvalidIpError(action, shown, ip=ip, whmcs_message=text, status=status)
    if folded.startswith(_PERMISSION_PREFIX):
        perm = _PERMISSION_RE.match(text)
        return WhmcsPermissionError(
            action,
            shown,
            denied_action=perm["action"] if perm else None,
            whmcs_message=text,
            status=status,
        )
    if folded in _AUTHENTICATION_MESSAGES:
        return WhmcsAuthenticationError(action, shown, whmcs_message=text, status=status)
    if folded == "command not found":
        return WhmcsCommandNotFoundError(action, shown, whmcs_message=text, status=status)
    if folded in _DUPLICATE_EMAIL_MESSAGES:
        return WhmcsDuplicateEmailError(action, shown, whmcs_message=text, status=status)
    if "not found" in folded:
        kind = _NOT_FOUND_RE.match(folded)
        entity = kind["entity"] if kind else None
        return WhmcsNotFoundError(action, shown, entity=entity, whmcs_message=text, status=status)
    if status == 403:
        return WhmcsAuthenticationError(action, shown, whmcs_message=text, status=status)
    return WhmcsApiError(action, shown, whmcs_message=text, status=status)

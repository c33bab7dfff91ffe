"""Every way a WHMCS call is known to fail (whmcs-api.md 1.3 and 6), through the real transport.

Each case runs as a read (GetClients) and as a write (AddClient): the exception, kind, status
and hint are the same; only ``outcome_unknown`` differs. For every case the credentials must
appear nowhere: not in the exception, its hint, or the DEBUG log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from unittest.mock import Mock
from urllib.parse import quote, quote_plus

import aiohttp
import pytest

from integrations.whmcs.client import WhmcsClient
from integrations.whmcs.errors import (
    FailureKind,
    WhmcsApiError,
    WhmcsAuthenticationError,
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
)
from tests.integrations.whmcs.conftest import Observed
from tests.support.fake_whmcs import BASE_URL, IDENTIFIER, SECRET, FakeWhmcs

READ, WRITE = "GetClients", "AddClient"
TIMEOUT_S = 0.2

EMITTER_PAGE = (
    "<!DOCTYPE html><html><head><title>Oops!</title></head><body><h1>Oops! Something went "
    "wrong.</h1><p>Laminas\\HttpHandlerRunner\\Exception\\EmitterException: Output has been "
    "emitted previously; cannot emit response in /var/www/whmcs/vendor/laminas/"
    "laminas-httphandlerrunner/src/Exception/EmitterException.php:22</p></body></html>"
)
MAINTENANCE_PAGE = (
    "<html><head><title>Down for Maintenance</title></head><body><h1>Down for Maintenance</h1>"
    "<p>An upgrade is currently in progress... Please come back soon...</p></body></html>"
)
WAF_PAGE = (
    "<html><head><title>403 Forbidden</title></head><body><h1>Forbidden</h1><p>You don't have "
    "permission to access this resource. Mod_Security blocked the request.</p></body></html>"
)
CHALLENGE_PAGE = (
    "<!DOCTYPE html><html lang='en-US'><head><title>Just a moment...</title></head><body>"
    "<noscript>Enable JavaScript and cookies to continue</noscript></body></html>"
)
# A PHP debug page that dumps the request: the credentials must not survive into the snippet.
ECHOING_PAGE = (
    f"<pre>Fatal error: Uncaught Error in hooks.php. POST: identifier={IDENTIFIER}"
    f"&secret={quote_plus(SECRET)} raw={SECRET} enc={quote(SECRET, safe='')}</pre>"
)


@dataclass(frozen=True)
class Case:
    id: str
    arrange: Callable[[FakeWhmcs, str], None]
    error: type[WhmcsError]
    kind: FailureKind
    status: int | None
    unknown_if_write: bool
    hint_has: tuple[str, ...] = ()
    attrs: dict[str, object] = field(default_factory=dict)


def json_error(message: str, status: int = 200) -> Callable[[FakeWhmcs, str], None]:
    return lambda fake, action: fake.reply(action, {"result": "error", "message": message}, status)


def raw(
    body: str, status: int, content_type: str = "text/html", **kwargs: object
) -> Callable[[FakeWhmcs, str], None]:
    return lambda fake, action: fake.reply_raw(action, body, status, content_type, **kwargs)  # type: ignore[arg-type]


def fail(exc: BaseException) -> Callable[[FakeWhmcs, str], None]:
    return lambda fake, action: fake.fail(action, exc)


def connector_error() -> aiohttp.ClientConnectorError:
    key = Mock(host="whmcs.test", port=443, ssl=True)
    return aiohttp.ClientConnectorError(key, OSError(111, "Connection refused"))


AUTH_HINT = ("WHMCS_API_IDENTIFIER", "WHMCS_API_SECRET")
IP_HINT = ("API IP Access Restriction", "WHMCS_API_ACCESS_KEY")
ROLE_HINT = ("API Roles",)
SERVER_HINT = ("logs", "hooks")
NOT_WHMCS_HINT = ("WAF", "WHMCS_API_URL", "https://billing.example.com/whmcs")

CASES = [
    # --- gate failures: 403 with a JSON body ---
    Case("authentication-failed", json_error("Authentication Failed", 403),
         WhmcsAuthenticationError, FailureKind.AUTHENTICATION_FAILED, 403, False, AUTH_HINT),
    Case("invalid-or-missing-credentials", json_error("Invalid or missing credentials", 403),
         WhmcsAuthenticationError, FailureKind.AUTHENTICATION_FAILED, 403, False, AUTH_HINT),
    Case("administrator-account-disabled", json_error("Administrator Account Disabled", 403),
         WhmcsAuthenticationError, FailureKind.AUTHENTICATION_FAILED, 403, False, AUTH_HINT),
    Case("access-denied", json_error("Access Denied", 403),
         WhmcsAuthenticationError, FailureKind.AUTHENTICATION_FAILED, 403, False, AUTH_HINT),
    Case("invalid-password-provided", json_error("Invalid password provided", 403),
         WhmcsAuthenticationError, FailureKind.AUTHENTICATION_FAILED, 403, False, AUTH_HINT),
    Case("admin-user-required-means-doubled-path", json_error("An admin user is required", 403),
         WhmcsAuthenticationError, FailureKind.AUTHENTICATION_FAILED, 403, False,
         ("doubled", "WHMCS_API_URL", "https://billing.example.com/whmcs")),
    Case("unknown-403-json-is-auth", json_error("Something WHMCS has not said before", 403),
         WhmcsAuthenticationError, FailureKind.AUTHENTICATION_FAILED, 403, False, AUTH_HINT),
    Case("invalid-ip-v4", json_error("Invalid IP 203.0.113.7", 403),
         WhmcsInvalidIpError, FailureKind.INVALID_IP, 403, False, ("203.0.113.7", *IP_HINT),
         {"ip": "203.0.113.7"}),
    Case("invalid-ip-v6", json_error("Invalid IP 2405:201:c00a:9d2e::1f", 403),
         WhmcsInvalidIpError, FailureKind.INVALID_IP, 403, False,
         ("2405:201:c00a:9d2e::1f", *IP_HINT), {"ip": "2405:201:c00a:9d2e::1f"}),
    Case("invalid-ip-with-400", json_error("Invalid IP 198.51.100.20", 400),
         WhmcsInvalidIpError, FailureKind.INVALID_IP, 400, False, ("198.51.100.20",),
         {"ip": "198.51.100.20"}),
    Case("forbidden-ip", json_error("Forbidden IP 192.0.2.55", 403),
         WhmcsInvalidIpError, FailureKind.INVALID_IP, 403, False, ("192.0.2.55", *IP_HINT),
         {"ip": "192.0.2.55"}),
    Case("permission-u0022-escaped-json",
         raw('{"result":"error","message":"Invalid Permissions: API action '
             '\\u0022getclients\\u0022 is not allowed"}', 403, "application/json"),
         WhmcsPermissionError, FailureKind.PERMISSION_DENIED, 403, False,
         ("getclients", *ROLE_HINT), {"denied_action": "getclients"}),
    Case("permission-double-encoded",
         raw('{"result":"error","message":"Invalid Permissions: API action '
             '\\\\u0022whmcsdetails\\\\u0022 is not allowed"}', 403, "application/json"),
         WhmcsPermissionError, FailureKind.PERMISSION_DENIED, 403, False,
         ("whmcsdetails", *ROLE_HINT), {"denied_action": "whmcsdetails"}),
    Case("permission-plain-quotes",
         json_error('Invalid Permissions: API action "addclient" is not allowed', 403),
         WhmcsPermissionError, FailureKind.PERMISSION_DENIED, 403, False,
         ("addclient",), {"denied_action": "addclient"}),
    # --- business errors: result=error, usually with 200 ---
    Case("command-not-found", json_error("Command Not Found"),
         WhmcsCommandNotFoundError, FailureKind.UNSUPPORTED_VERSION, 200, False, ("8.0",)),
    Case("client-not-found", json_error("Client Not Found"),
         WhmcsNotFoundError, FailureKind.REJECTED, 200, False),
    Case("client-id-not-found", json_error("Client ID Not Found"),
         WhmcsNotFoundError, FailureKind.REJECTED, 200, False),
    Case("ticket-id-not-found-lowercase", json_error("Ticket ID not found"),
         WhmcsNotFoundError, FailureKind.REJECTED, 200, False),
    Case("getemails-status-error",
         lambda fake, action: fake.reply(action, {"status": "error",
                                                  "message": "Client ID Not Found"}),
         WhmcsNotFoundError, FailureKind.REJECTED, 200, False),
    Case("duplicate-client-email", json_error("A client already exists with that email address"),
         WhmcsDuplicateEmailError, FailureKind.REJECTED, 200, False),
    Case("duplicate-user-email", json_error("A user already exists with that email address"),
         WhmcsDuplicateEmailError, FailureKind.REJECTED, 200, False),
    Case("email-not-available",
         json_error("The email address entered is not available for use."),
         WhmcsDuplicateEmailError, FailureKind.REJECTED, 200, False),
    Case("update-duplicate-email", json_error("Duplicate Email Address"),
         WhmcsDuplicateEmailError, FailureKind.REJECTED, 200, False),
    Case("validation", json_error("You did not enter your email address"),
         WhmcsApiError, FailureKind.REJECTED, 200, False, (), {
             "whmcs_message": "You did not enter your email address"}),
    # --- WHMCS itself failing: non-JSON pages ---
    Case("emitter-exception-500", raw(EMITTER_PAGE, 500),
         WhmcsServerError, FailureKind.SERVER_ERROR, 500, True, SERVER_HINT),
    Case("maintenance-page-200", raw(MAINTENANCE_PAGE, 200),
         WhmcsServerError, FailureKind.SERVER_ERROR, 200, True, SERVER_HINT),
    Case("proxy-502", raw("<html><body><h1>502 Bad Gateway</h1>nginx</body></html>", 502),
         WhmcsServerError, FailureKind.SERVER_ERROR, 502, True, SERVER_HINT),
    Case("truncated-json-500", raw('{"result":"succ', 500, "application/json"),
         WhmcsServerError, FailureKind.SERVER_ERROR, 500, True),
    Case("page-echoing-credentials-500", raw(ECHOING_PAGE, 500),
         WhmcsServerError, FailureKind.SERVER_ERROR, 500, True),
    # --- answers that are not from the WHMCS API ---
    Case("waf-403-html", raw(WAF_PAGE, 403),
         WhmcsProtocolError, FailureKind.NOT_WHMCS, 403, True, NOT_WHMCS_HINT),
    Case("challenge-403-html", raw(CHALLENGE_PAGE, 403),
         WhmcsProtocolError, FailureKind.NOT_WHMCS, 403, True, NOT_WHMCS_HINT),
    Case("not-found-404-html", raw("<html><body>404 Not Found</body></html>", 404),
         WhmcsProtocolError, FailureKind.NOT_WHMCS, 404, True, NOT_WHMCS_HINT),
    Case("non-json-200", raw("<html><body>Welcome to our billing portal</body></html>", 200),
         WhmcsProtocolError, FailureKind.NOT_WHMCS, 200, True, NOT_WHMCS_HINT),
    Case("empty-200", raw("", 200), WhmcsProtocolError, FailureKind.NOT_WHMCS, 200, True),
    Case("truncated-json-200", raw('{"result":"succ', 200, "application/json"),
         WhmcsProtocolError, FailureKind.NOT_WHMCS, 200, True),
    Case("json-array-200", raw("[1, 2]", 200, "application/json"),
         WhmcsProtocolError, FailureKind.NOT_WHMCS, 200, True),
    Case("json-without-result",
         lambda fake, action: fake.reply(action, {"totalresults": 0, "clients": ""}),
         WhmcsProtocolError, FailureKind.NOT_WHMCS, 200, True, NOT_WHMCS_HINT),
    Case("json-warning-without-result",
         lambda fake, action: fake.reply(action, {"warning": "Credit card related parameters"}),
         WhmcsProtocolError, FailureKind.NOT_WHMCS, 200, True),
    Case("success-with-403",
         lambda fake, action: fake.reply(action, {"result": "success"}, 403),
         WhmcsProtocolError, FailureKind.NOT_WHMCS, 403, True),
    Case("redirect-not-followed",
         raw("", 301, headers={"Location": "https://billing.example.com/includes/api.php"}),
         WhmcsProtocolError, FailureKind.NOT_WHMCS, 301, True, NOT_WHMCS_HINT),
    # --- no answer ---
    Case("timeout-exception", fail(TimeoutError()),
         WhmcsTimeoutError, FailureKind.TIMEOUT, None, True, ("WHMCS_API_TIMEOUT",)),
    Case("aiohttp-server-timeout", fail(aiohttp.ServerTimeoutError("read timeout")),
         WhmcsTimeoutError, FailureKind.TIMEOUT, None, True, ("WHMCS_API_TIMEOUT",)),
    Case("connect-timeout-never-sent", fail(aiohttp.ConnectionTimeoutError("connect")),
         WhmcsTimeoutError, FailureKind.TIMEOUT, None, False, ("WHMCS_API_TIMEOUT",)),
    Case("slow-answer",
         lambda fake, action: fake.reply(action, {"result": "success"}, delay_s=TIMEOUT_S * 10),
         WhmcsTimeoutError, FailureKind.TIMEOUT, None, True, ("WHMCS_API_TIMEOUT",)),
    Case("connection-refused-never-sent", fail(connector_error()),
         WhmcsConnectionError, FailureKind.UNREACHABLE, None, False, ("WHMCS_API_URL",)),
    Case("server-disconnected", fail(aiohttp.ServerDisconnectedError()),
         WhmcsConnectionError, FailureKind.UNREACHABLE, None, True, ("WHMCS_API_URL",)),
    Case("connection-reset", fail(aiohttp.ClientOSError(104, "Connection reset by peer")),
         WhmcsConnectionError, FailureKind.UNREACHABLE, None, True, ("WHMCS_API_URL",)),
]  # fmt: skip

SECRET_FORMS = (IDENTIFIER, SECRET, quote_plus(SECRET), quote(SECRET, safe=""))


def assert_no_credentials(exc: WhmcsError, log: str) -> None:
    texts = [str(exc), repr(exc), exc.hint, exc.message, exc.whmcs_message or "", log]
    texts.append(getattr(exc, "snippet", None) or "")
    for text in texts:
        for secret in SECRET_FORMS:
            assert secret not in text


@pytest.fixture
def client(session: aiohttp.ClientSession, observed: Observed) -> WhmcsClient:
    return WhmcsClient(
        api_url=BASE_URL,
        identifier=IDENTIFIER,
        secret=SECRET,
        session=session,
        timeout_s=TIMEOUT_S,
        read_retries=0,
        observer=observed,
    )


@pytest.mark.parametrize("action", [READ, WRITE])
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
async def test_failure_is_classified(
    case: Case,
    action: str,
    client: WhmcsClient,
    fake_whmcs: FakeWhmcs,
    observed: Observed,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    case.arrange(fake_whmcs, action)

    with pytest.raises(case.error) as info:
        await client.call(action, {"email": "bob@example.com"})

    exc = info.value
    assert type(exc) is case.error
    assert exc.action == action
    assert exc.kind is case.kind
    assert exc.status == case.status
    assert exc.retryable is (
        case.kind in {FailureKind.TIMEOUT, FailureKind.UNREACHABLE, FailureKind.SERVER_ERROR}
    )
    assert exc.outcome_unknown is (case.unknown_if_write and action == WRITE)
    for expected in case.hint_has:
        assert expected in exc.hint
    for name, value in case.attrs.items():
        assert getattr(exc, name) == value
    assert_no_credentials(exc, caplog.text)
    # one line per call in the DEBUG log, naming the action and the failure kind
    lines = [r.getMessage() for r in caplog.records if r.name == "integrations.whmcs.client"]
    assert len(lines) == 1
    assert action in lines[0]
    assert str(case.kind) in lines[0]
    # the observer saw the failure once
    assert [(r.action, r.error, r.attempts) for r in observed.records] == [(action, exc, 1)]


def test_every_failure_kind_of_the_transport_is_covered() -> None:
    transport_kinds = set(FailureKind) - {FailureKind.NOT_CONFIGURED, FailureKind.DISABLED}
    assert {case.kind for case in CASES} == transport_kinds


@pytest.mark.parametrize(
    "case_id",
    [
        "emitter-exception-500",
        "maintenance-page-200",
        "waf-403-html",
        "page-echoing-credentials-500",
    ],
)
async def test_error_pages_carry_a_short_readable_snippet(
    case_id: str, client: WhmcsClient, fake_whmcs: FakeWhmcs
) -> None:
    case = next(c for c in CASES if c.id == case_id)
    case.arrange(fake_whmcs, READ)

    with pytest.raises(case.error) as info:
        await client.call(READ)

    snippet = getattr(info.value, "snippet", None)
    assert snippet
    assert len(snippet) <= 200
    assert "<" not in snippet  # tags stripped
    assert snippet in info.value.message


async def test_credentials_echoed_by_an_error_page_are_redacted(
    client: WhmcsClient, fake_whmcs: FakeWhmcs
) -> None:
    fake_whmcs.reply_raw(READ, ECHOING_PAGE, 500)

    with pytest.raises(WhmcsServerError) as info:
        await client.call(READ)

    assert info.value.snippet is not None
    assert info.value.snippet.count("[REDACTED]") == 4
    assert "Fatal error: Uncaught Error in hooks.php" in info.value.snippet


async def test_credentials_echoed_in_a_whmcs_message_are_redacted(
    client: WhmcsClient, fake_whmcs: FakeWhmcs
) -> None:
    fake_whmcs.reply(READ, {"result": "error", "message": f"Bad key {SECRET} for {IDENTIFIER}"})

    with pytest.raises(WhmcsApiError) as info:
        await client.call(READ)

    assert info.value.whmcs_message == "Bad key [REDACTED] for [REDACTED]"
    assert_no_credentials(info.value, "")


async def test_redirect_names_its_target(client: WhmcsClient, fake_whmcs: FakeWhmcs) -> None:
    fake_whmcs.reply_raw(READ, "", 302, headers={"Location": "https://new.example.com/whmcs/"})

    with pytest.raises(WhmcsProtocolError) as info:
        await client.call(READ)

    assert "https://new.example.com/whmcs/" in info.value.message
    assert fake_whmcs.actions == [READ]  # not followed

"""The aiohttp application: WHMCS's gate checks in WHMCS's order, then the action.

Gate order (as observed on 8.13/9.0): IP allow-list, credentials, empty action,
unknown action, API-role permission, then the action's own validation.
"""

from __future__ import annotations

import asyncio
import hmac
import logging

from aiohttp import web

from .actions import error, find_action
from .config import SandboxConfig
from .control import create_control_handler
from .faults import Fault, FaultKind
from .pages import HTML_500, MAINTENANCE, WAF_403
from .persist import StateFile
from .render import HTML_TYPE, TEXT_TYPE, Answer, render
from .state import SandboxState

logger = logging.getLogger(__name__)

API_PATH = "/includes/api.php"
CONTROL_PATH = "/_sandbox/control"
CONFIG_KEY = web.AppKey("whmcs_sandbox_config", SandboxConfig)
STATE_KEY = web.AppKey("whmcs_sandbox_state", SandboxState)
STORE_KEY = web.AppKey("whmcs_sandbox_store", StateFile)

INVALID_CREDENTIALS = "Invalid or missing credentials"
AUTH_FAILED = "Authentication Failed"
EMPTY_ACTION = "Empty action request"
COMMAND_NOT_FOUND = "Command Not Found"
WRITE_BY_GET = "Sandbox: write actions must be sent with POST"
UTF8_BOM = b"\xef\xbb\xbf"
_DROP = Answer(status=0, body=b"", content_type="")  # close the connection, answer nothing


def create_app(
    config: SandboxConfig | None = None,
    *,
    state: SandboxState | None = None,
    control: bool = False,
    store: StateFile | None = None,
) -> web.Application:
    """The sandbox as an aiohttp app; ``control=True`` adds ``POST /_sandbox/control``.

    With a ``store``, the state is committed to it after every write action and control
    operation, before the answer.
    """
    config = config or SandboxConfig()
    state = state or SandboxState(seed=config.seed, latency_ms=config.latency_ms)
    app = web.Application()
    app[CONFIG_KEY] = config
    app[STATE_KEY] = state
    if store is not None:
        app[STORE_KEY] = store
    app.router.add_post(API_PATH, _handle_api)
    # PHP reads $_REQUEST, so old-style query strings work for reads too.
    app.router.add_get(API_PATH, _handle_api, allow_head=False)
    if control:
        on_change = store.commit if store else None
        app.router.add_post(CONTROL_PATH, create_control_handler(state, on_change=on_change))
    return app


async def _handle_api(request: web.Request) -> web.StreamResponse:
    config, state = request.app[CONFIG_KEY], request.app[STATE_KEY]
    params = await _read_params(request)
    action = params.get("action", "").strip()
    state.record_call(params)
    fault = state.faults.take(action)
    if state.latency_ms > 0:
        await asyncio.sleep(state.latency_ms / 1000)

    if fault is not None and not fault.acts_first:
        early = await _apply_fault(fault, request, params, action, config, committed=None)
        if early is not None:
            return _respond(request, early, action)
    answer = _process(request, config, state, params, action)
    store = request.app.get(STORE_KEY)
    found = find_action(action)
    if store is not None and found is not None and found.writes:
        await store.commit(state)  # before any after-commit fault: the write is done
    if fault is not None and fault.acts_first:
        replaced = await _apply_fault(fault, request, params, action, config, committed=answer)
        answer = replaced or answer
    return _respond(request, answer, action)


async def _read_params(request: web.Request) -> dict[str, str]:
    # Form fields override query fields (PHP's $_REQUEST order); the last duplicate wins.
    params = dict(request.query.items())
    if request.method == "POST":
        form = await request.post()
        params.update((k, v) for k, v in form.items() if isinstance(v, str))
    return params


def _process(
    request: web.Request,
    config: SandboxConfig,
    state: SandboxState,
    params: dict[str, str],
    action: str,
) -> Answer:
    def reply(payload: dict[str, object], status: int = 200, *, hex_quot: bool = False) -> Answer:
        return render(
            payload,
            status=status,
            responsetype=params.get("responsetype", ""),
            action=action,
            version=config.version,
            hex_quot=hex_quot,
        )

    remote = request.remote or ""
    key_given = params.get("accesskey", "")
    key_ok = config.access_key is not None and _same(key_given, config.access_key)
    if not key_ok and not config.ip_allowed(remote):
        return reply(error(f"Invalid IP {remote}"), 403)
    credential_problem = _credential_problem(config, params)
    if credential_problem is not None:
        return reply(error(credential_problem), 403)
    if not action:
        return reply(error(EMPTY_ACTION), 400)
    found = find_action(action)
    if found is None:
        return reply(error(COMMAND_NOT_FOUND))
    if not config.action_allowed(action):
        return reply(error(permission_message(action)), 403, hex_quot=True)
    if request.method == "GET" and found.writes:
        return reply(error(WRITE_BY_GET), 405)
    return reply(found.handler(state, config, params))


def permission_message(action: str) -> str:
    return f'Invalid Permissions: API action "{action.lower()}" is not allowed'


def _credential_problem(config: SandboxConfig, params: dict[str, str]) -> str | None:
    # identifier/secret, or the same pair sent as username/password.
    if params.get("identifier"):
        identifier, secret = params["identifier"], params.get("secret", "")
    else:
        identifier, secret = params.get("username", ""), params.get("password", "")
    if not identifier or not secret:
        return INVALID_CREDENTIALS
    if not _same(identifier, config.identifier):
        return INVALID_CREDENTIALS  # no such credential: WHMCS says "invalid or missing"
    if not _same(secret, config.secret):
        return AUTH_FAILED
    return None


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


async def _apply_fault(
    fault: Fault,
    request: web.Request,
    params: dict[str, str],
    action: str,
    config: SandboxConfig,
    *,
    committed: Answer | None,
) -> Answer | None:
    """The answer a fault imposes; ``None`` means "carry on" (before) and keeps
    ``committed`` (after)."""

    def gate_error(message: str, *, hex_quot: bool = False) -> Answer:
        return render(
            error(fault.message or message),
            status=fault.status or 403,
            responsetype=params.get("responsetype", ""),
            action=action,
            version=config.version,
            hex_quot=hex_quot,
        )

    match fault.kind:
        case FaultKind.DELAY:
            await asyncio.sleep(fault.seconds)
            return committed
        case FaultKind.BOM:
            if committed is None:
                return None
            return Answer(committed.status, UTF8_BOM + committed.body, committed.content_type)
        case FaultKind.HTML_500:
            return Answer(fault.status or 500, HTML_500.encode(), HTML_TYPE)
        case FaultKind.MAINTENANCE:
            return Answer(fault.status or 503, MAINTENANCE.encode(), HTML_TYPE)
        case FaultKind.WAF_403:
            return Answer(fault.status or 403, WAF_403.encode(), HTML_TYPE)
        case FaultKind.INVALID_IP:
            return gate_error(f"Invalid IP {request.remote or ''}")
        case FaultKind.AUTH_FAILED:
            return gate_error(AUTH_FAILED)
        case FaultKind.PERMISSION_DENIED:
            return gate_error(permission_message(action), hex_quot=True)
        case FaultKind.DROP:
            return _DROP
        case FaultKind.ERROR:
            payload = error(fault.message or "Sandbox injected error")
            return render(
                payload,
                status=fault.status or 200,
                responsetype=params.get("responsetype", ""),
                action=action,
                version=config.version,
            )
        case FaultKind.RAW:
            body = (fault.body or "").encode()
            return Answer(fault.status or 200, body, fault.content_type or TEXT_TYPE, None)
    raise AssertionError(f"unhandled fault kind {fault.kind}")  # pragma: no cover


def _respond(request: web.Request, answer: Answer, action: str) -> web.StreamResponse:
    if answer is _DROP:
        logger.debug("sandbox %s -> connection dropped", action.lower() or "-")
        request.protocol.force_close()
        return web.Response(status=500)  # never written: the transport is gone
    logger.debug("sandbox %s -> %d", action.lower() or "-", answer.status)
    content_type = answer.content_type
    if answer.charset and "charset=" not in content_type:
        content_type = f"{content_type}; charset={answer.charset}"
    return web.Response(
        status=answer.status, body=answer.body, headers={"Content-Type": content_type}
    )

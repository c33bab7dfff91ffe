"""Logging set-up: plain text or one JSON object per line, the request's context on every line,
and every configured secret scrubbed from whatever is written, in either format.

Each line carries the request id, the GraphQL operation and the actor (the API token's name) of
the request it was written in (null outside one). The scrubber works on the formatted line, so
nothing escapes it: the message, its arguments, a traceback, extra fields. It replaces each
secret as written, in a repr, URL-encoded and JSON-escaped, and anything shaped like an API
token.
"""

from __future__ import annotations

import datetime
import json
import logging
import re
from collections.abc import Iterable

from pythonjsonlogger.json import JsonFormatter

from integrations.whmcs.redact import REDACTED, redact_text
from whmcs_bridge.request_context import current_request

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# API tokens (whmcs_bridge.tokens.PREFIX + 43 URL-safe characters): never worth logging.
_API_TOKEN = re.compile(r"wbt_[A-Za-z0-9_-]{20,}")
CONTEXT_FIELDS = ("request_id", "operation", "actor")


class RequestContext(logging.Filter):
    """Puts the current request's id, operation and actor on the record (None outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        info = current_request.get()
        record.request_id = info.request_id if info else None
        record.operation = info.operation if info else None
        record.actor = info.actor if info else None
        return True


class TextFormatter(logging.Formatter):
    """The classic line, with `[request=… operation=… actor=…]` inside a request."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        request_id = getattr(record, "request_id", None)
        if request_id is None:
            return line
        first, newline, rest = line.partition("\n")
        context = (
            f" [request={request_id} operation={getattr(record, 'operation', None)} "
            f"actor={getattr(record, 'actor', None) or '-'}]"
        )
        return first + context + newline + rest


class JsonLineFormatter(JsonFormatter):
    """`{"time", "level", "logger", "message", "request_id", "operation", "actor", ...}`."""

    def __init__(self) -> None:
        super().__init__(
            ["asctime", "levelname", "name", "message", *CONTEXT_FIELDS],
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        moment = datetime.datetime.fromtimestamp(record.created, datetime.UTC)
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class ScrubbingFormatter(logging.Formatter):
    """Formats with `inner`, then replaces every secret in the finished line."""

    def __init__(self, inner: logging.Formatter, secrets: Iterable[str]) -> None:
        super().__init__()
        self._inner = inner
        self._secrets = tuple({form for s in secrets if len(s) >= 4 for form in written_forms(s)})

    def format(self, record: logging.LogRecord) -> str:
        return scrub(self._inner.format(record), self._secrets)


def written_forms(secret: str) -> set[str]:
    """A secret as it may appear in a line: as is, inside a repr (a logged dict), and either of
    those escaped in a JSON string. A quote, a backslash or non-ASCII text changes it."""
    forms = {secret, repr(secret)[1:-1]}
    return forms | {json.dumps(f, ensure_ascii=a)[1:-1] for f in forms for a in (True, False)}


def scrub(text: str, secrets: Iterable[str]) -> str:
    return _API_TOKEN.sub(REDACTED, redact_text(text, secrets))


def configure_logging(level: str, secrets: Iterable[str], log_format: str = "text") -> None:
    inner: logging.Formatter = JsonLineFormatter() if log_format == "json" else TextFormatter()
    handler = logging.StreamHandler()
    handler.addFilter(RequestContext())
    handler.setFormatter(ScrubbingFormatter(inner, secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # whmcs_bridge.access writes the access log, with the request's context (in every worker:
    # uvicorn's own, silenced by `access_log=False`, must stay silent once a worker builds its app).
    uvicorn_access = logging.getLogger("uvicorn.access")
    uvicorn_access.handlers[:] = []
    uvicorn_access.propagate = False

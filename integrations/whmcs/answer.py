"""Read one HTTP answer from ``includes/api.php``: the JSON body, or the error it amounts to.

WHMCS signals failure in the body, not (only) in the status: business errors come with 200,
gate errors (IP, credentials, API role) with 403 *and* a JSON body, and a WHMCS that is broken,
hidden behind a WAF or not there at all answers with HTML. So the body is always read and
parsed, whatever the status. What is parsed is made safe first: a body nested deeper than any
WHMCS answer is refused (:data:`MAX_DEPTH`), and lone UTF-16 surrogates (``"\\ud800"``, valid
JSON but no text) become U+FFFD, so that nothing downstream (redaction, the audit's JSON column,
the GraphQL answer) meets them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from integrations.whmcs.errors import (
    WhmcsError,
    WhmcsProtocolError,
    WhmcsServerError,
    classify_message,
)
from integrations.whmcs.redact import redact_text

__all__ = ["MAX_DEPTH", "SNIPPET_CHARS", "Answer", "read_answer", "snippet_of"]

SNIPPET_CHARS = 200
#: Nesting levels a WHMCS answer may have. The deepest real one is about 5 (GetClientsDetails:
#: client > users > user > [] > {}); a deeper body is not WHMCS, and each level costs recursion
#: further on (redaction, JSON encoding).
MAX_DEPTH = 32
_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")
# How a lone surrogate gets into parsed JSON: only as an escape (raw UTF-8 cannot carry one, and
# the body is decoded with errors="replace"). A body without any such escape needs no cleaning.
_SURROGATE_ESCAPE_RE = re.compile(r"\\u[dD][89a-fA-F]")

# Text that marks a page as produced by a failing WHMCS (not a proxy in front of it), even when
# it is served with a 2xx/4xx status.
_SERVER_FAILURE_MARKERS = (
    "EmitterException",  # 8.x: output emitted before the response (hooks, BOM, notices)
    "Output has been emitted previously",
    "Down for Maintenance",  # files and database versions differ (mid-upgrade), KB 186
)
_TAG_RE = re.compile(r"<[^>]*>")
_SPACE_RE = re.compile(r"\s+")
# A leading BOM and whitespace are stray output (pre-8 WHMCS could prepend them to the JSON).
_LEADING_JUNK = "\ufeff \t\r\n"


@dataclass(frozen=True, slots=True)
class Answer:
    """What one HTTP exchange amounted to: the parsed body and, unless it succeeded, the error.

    In ``body``, JSON numbers with a fraction or an exponent are :class:`~decimal.Decimal`.
    """

    status: int | None
    body: dict[str, Any] | None
    error: WhmcsError | None


def snippet_of(text: str, secrets: tuple[str, ...]) -> str:
    """A short, tag-free, secret-free excerpt of a page, for messages and logs."""
    flat = _SPACE_RE.sub(" ", _TAG_RE.sub(" ", text)).strip()
    flat = redact_text(flat, secrets)
    if len(flat) > SNIPPET_CHARS:
        flat = flat[: SNIPPET_CHARS - 1] + "…"
    return flat


def _not_json(
    action: str,
    status: int,
    text: str,
    *,
    write: bool,
    secrets: tuple[str, ...],
    location: str | None,
) -> WhmcsError:
    snippet = snippet_of(text, secrets)
    shown = snippet or "empty body"
    unknown = "; the change may have been made" if write else ""
    if status >= 500 or any(marker in text for marker in _SERVER_FAILURE_MARKERS):
        return WhmcsServerError(
            action,
            f"WHMCS failed on {action} (HTTP {status}): {shown}{unknown}",
            snippet=snippet,
            status=status,
            outcome_unknown=write,
        )
    if 300 <= status < 400:
        # Redirects are not followed: aiohttp would turn the POST into a GET (301/302) or
        # re-send the credentials to another host (307/308).
        target = redact_text(location or "unknown location", secrets)
        return WhmcsProtocolError(
            action,
            f"WHMCS_API_URL redirects (HTTP {status}) to {target}; use the final URL{unknown}",
            snippet=snippet,
            status=status,
            outcome_unknown=write,
        )
    return WhmcsProtocolError(
        action,
        f"the answer to {action} (HTTP {status}) is not WHMCS API JSON: {shown}{unknown}",
        snippet=snippet,
        status=status,
        outcome_unknown=write,
    )


class _TooDeepError(Exception):
    pass


def _clean(value: Any, depth: int) -> Any:
    """``value`` with lone surrogates replaced in every string; _TooDeepError past ``depth``."""
    if isinstance(value, str):
        return _SURROGATE_RE.sub("\ufffd", value)
    if isinstance(value, dict | list):
        if depth <= 0:
            raise _TooDeepError
        if isinstance(value, list):
            return [_clean(item, depth - 1) for item in value]
        return {_clean(k, depth): _clean(v, depth - 1) for k, v in value.items()}
    return value


def _check_depth(value: Any, depth: int) -> None:
    """_TooDeepError if ``value`` nests deeper than ``depth`` (as `_clean` counts)."""
    if isinstance(value, dict | list):
        if depth <= 0:
            raise _TooDeepError
        for item in value.values() if isinstance(value, dict) else value:
            if isinstance(item, dict | list):
                _check_depth(item, depth - 1)


def read_answer(
    action: str,
    status: int,
    raw: bytes,
    *,
    write: bool,
    secrets: tuple[str, ...],
    location: str | None = None,
) -> Answer:
    """Interpret the status and raw body of one answer to ``action``.

    ``write`` says whether the action changes data, so that a garbled answer marks the outcome
    as unknown. ``secrets`` are redacted from anything quoted in an error.
    """
    text = raw.decode("utf-8", errors="replace").lstrip(_LEADING_JUNK)
    if not text.startswith("{"):
        return Answer(
            status,
            None,
            _not_json(action, status, text, write=write, secrets=secrets, location=location),
        )
    try:
        # Numbers with a fraction become Decimal, never float: money must keep every digit.
        parsed = json.loads(text, parse_float=Decimal)
        if _SURROGATE_ESCAPE_RE.search(text):
            parsed = _clean(parsed, MAX_DEPTH)
        else:  # nothing to replace: only the depth to check, without copying the body
            _check_depth(parsed, MAX_DEPTH)
    except (ValueError, RecursionError):  # RecursionError: json's own limit (~1000 levels)
        return Answer(
            status,
            None,
            _not_json(action, status, text, write=write, secrets=secrets, location=location),
        )
    except _TooDeepError:
        unknown = "; the change may have been made" if write else ""
        return Answer(
            status,
            None,
            WhmcsProtocolError(
                action,
                f"the answer to {action} (HTTP {status}) is nested deeper than {MAX_DEPTH} "
                f"levels: not a WHMCS API answer{unknown}",
                status=status,
                outcome_unknown=write,
            ),
        )

    # GetEmails answers with "status" instead of "result"; only trust "status" when there is
    # no "result", since client records carry a "status" of their own.
    verdict = parsed.get("result")
    if verdict is None and parsed.get("status") in ("success", "error"):
        verdict = parsed["status"]
    verdict = verdict.lower() if isinstance(verdict, str) else verdict

    if verdict == "error":
        message = parsed.get("message")
        text_message = message if isinstance(message, str) else ""
        return Answer(
            status, parsed, classify_message(status, text_message, action, secrets=secrets)
        )
    if verdict == "success" and status < 300:
        return Answer(status, parsed, None)
    unknown = "; the change may have been made" if write else ""
    problem = (
        f"result=success with HTTP {status}" if verdict == "success" else "JSON without a result"
    )
    return Answer(
        status,
        parsed,
        WhmcsProtocolError(
            action,
            f"the answer to {action} is not a WHMCS API answer ({problem}){unknown}",
            status=status,
            outcome_unknown=write,
        ),
    )

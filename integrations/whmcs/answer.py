"""Read one HTTP answer from ``includes/api.php``: the JSON body, or the error it amounts to.

WHMCS signals failure in the body, not (only) in the status: business errors come with 200,
gate errors (IP, credentials, API role) with 403 *and* a JSON body, and a WHMCS that is broken,
hidden behind a WAF or not there at all answers with HTML. So the body is always read and
parsed, whatever the status.
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

__all__ = ["SNIPPET_CHARS", "Answer", "read_answer", "snippet_of"]

SNIPPET_CHARS = 200

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
    except ValueError:
        return Answer(
            status,
            None,
            _not_json(action, status, text, write=write, secrets=secrets, location=location),
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

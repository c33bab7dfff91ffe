"""A fake WHMCS ``includes/api.php`` on top of aioresponses, for any test suite.

aioresponses matches only method and URL, and WHMCS has one URL, so :class:`FakeWhmcs`
registers a single repeating POST whose callback routes on the ``action`` field, records every
form it receives and answers with the next reply queued for that action.

An action with nothing queued raises ``AssertionError`` inside the request. (aioresponses would
raise ``ClientConnectionError`` for an unmatched request, which the client would turn into a
``WhmcsConnectionError`` and so hide the mistake.) The client never catches ``AssertionError``,
so the test fails where the unexpected call was made.

Usage::

    with aioresponses() as mocked:
        fake = FakeWhmcs(mocked)
        fake.reply("GetClients", {"result": "success", "totalresults": 0, "clients": ""})
        ...
        assert fake.actions == ["GetClients"]

aioresponses 0.7.9 is broken on aiohttp >= 3.14 (``stream_writer``); every reply is built with
:class:`CompatResponse`, which fixes that (docs: stack-notes section 4).
"""

from __future__ import annotations

import asyncio
import inspect
import json
from collections import defaultdict, deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from unittest.mock import Mock
from urllib.parse import parse_qsl

from aiohttp import ClientResponse
from aioresponses import CallbackResult, aioresponses
from yarl import URL

__all__ = [
    "BASE_URL",
    "ENDPOINT",
    "IDENTIFIER",
    "SECRET",
    "CompatResponse",
    "FakeWhmcs",
    "RecordingSleep",
]

BASE_URL = "https://whmcs.test"
ENDPOINT = f"{BASE_URL}/includes/api.php"
# Distinctive values, so a test can prove they appear nowhere they should not.
IDENTIFIER = "ident-9f3Kq2LxUu"
SECRET = "s3cr3t+Zr8/wQ=&Pv"

_NEEDS_STREAM_WRITER = "stream_writer" in inspect.signature(ClientResponse.__init__).parameters


class CompatResponse(ClientResponse):
    """``ClientResponse`` that aioresponses 0.7.9 can build on aiohttp >= 3.14."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if _NEEDS_STREAM_WRITER:  # required keyword-only argument since aiohttp 3.14.0
            kwargs.setdefault("stream_writer", Mock(output_size=0))
        super().__init__(*args, **kwargs)


@dataclass(frozen=True, slots=True)
class _Reply:
    status: int = 200
    body: str | bytes = b""
    content_type: str = "application/json"
    headers: Mapping[str, str] | None = None
    exception: BaseException | None = None
    delay_s: float = 0.0


class RecordingSleep:
    """A stand-in for ``asyncio.sleep`` that records the delays and returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


class FakeWhmcs:
    """Answers WHMCS actions with queued replies and records what was sent.

    ``calls`` holds every form received, in order, *including* the credentials (they are what
    the fake checks); ``identifier``/``secret``/``access_key``, when given, must match exactly.
    ``max_in_flight`` is the largest number of requests seen at the same time.
    """

    def __init__(
        self,
        mocked: aioresponses,
        url: str = ENDPOINT,
        *,
        identifier: str | None = IDENTIFIER,
        secret: str | None = SECRET,
        access_key: str | None = None,
    ) -> None:
        self.calls: list[dict[str, str]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._replies: defaultdict[str, deque[_Reply]] = defaultdict(deque)
        self._expected = {"identifier": identifier, "secret": secret, "accesskey": access_key}
        mocked.post(url, callback=self._route, repeat=True)

    # --- queueing ----------------------------------------------------------------------------

    def reply(
        self,
        action: str,
        payload: Mapping[str, Any],
        status: int = 200,
        *,
        times: int = 1,
        delay_s: float = 0.0,
    ) -> None:
        """Answer the next ``times`` calls of ``action`` with ``payload`` as JSON."""
        body = json.dumps(payload)
        for _ in range(times):
            self._queue(action, _Reply(status=status, body=body, delay_s=delay_s))

    def reply_raw(
        self,
        action: str,
        body: str | bytes,
        status: int = 200,
        content_type: str = "text/html",
        *,
        headers: Mapping[str, str] | None = None,
        delay_s: float = 0.0,
    ) -> None:
        """Answer the next call of ``action`` with exactly this body (HTML pages, BOM, junk)."""
        self._queue(
            action,
            _Reply(
                status=status,
                body=body,
                content_type=content_type,
                headers=headers,
                delay_s=delay_s,
            ),
        )

    def fail(self, action: str, exception: BaseException) -> None:
        """Make the next call of ``action`` raise ``exception`` (timeouts, connection errors)."""
        self._queue(action, _Reply(exception=exception))

    def _queue(self, action: str, reply: _Reply) -> None:
        self._replies[action.lower()].append(reply)

    # --- inspection --------------------------------------------------------------------------

    @property
    def actions(self) -> list[str]:
        """The actions called, in order."""
        return [call["action"] for call in self.calls]

    def calls_for(self, action: str) -> list[dict[str, str]]:
        """The forms sent for ``action`` (case-insensitive), in order."""
        return [call for call in self.calls if call["action"].lower() == action.lower()]

    def pending(self) -> dict[str, int]:
        """Replies queued but not used yet, per action."""
        return {action: len(queue) for action, queue in self._replies.items() if queue}

    def assert_all_used(self) -> None:
        """Fail if a queued reply was never asked for."""
        assert not self.pending(), f"unused WHMCS replies: {self.pending()}"

    # --- the callback ------------------------------------------------------------------------

    def _form(self, data: object) -> dict[str, str]:
        if isinstance(data, Mapping):
            return {str(k): str(v) for k, v in data.items()}
        if isinstance(data, bytes | str):
            text = data.decode() if isinstance(data, bytes) else data
            return dict(parse_qsl(text, keep_blank_values=True))
        raise AssertionError(f"WHMCS request without a form body: {type(data).__name__}")

    def _check_form(self, form: Mapping[str, str]) -> None:
        assert form.get("action"), "WHMCS request without an action"
        assert form.get("responsetype") == "json", "WHMCS request without responsetype=json"
        for field in ("identifier", "secret"):
            assert form.get(field), f"WHMCS request without {field}"
        for field, expected in self._expected.items():
            if expected is not None:
                assert form.get(field) == expected, f"WHMCS request with a wrong {field}"

    async def _route(self, url: URL, **kwargs: Any) -> CallbackResult:
        form = self._form(kwargs.get("data"))
        self.calls.append(form)
        self._check_form(form)
        queue = self._replies[form["action"].lower()]
        if not queue:
            raise AssertionError(f"unexpected WHMCS action {form['action']!r} (nothing queued)")
        reply = queue.popleft()
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(reply.delay_s)  # also yields, so concurrent calls overlap
        finally:
            self.in_flight -= 1
        if reply.exception is not None:
            raise reply.exception
        return CallbackResult(
            method="POST",
            status=reply.status,
            body=reply.body,
            content_type=reply.content_type,
            headers=dict(reply.headers) if reply.headers else None,
            response_class=CompatResponse,
        )

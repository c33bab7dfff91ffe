"""What one WHMCS call did, as the client hands it to its observer (the audit log writes it).

Split from :mod:`.client` (which re-exports it): the record copies the answer lazily, and the
audit's copy is made from the answer in one walk (:func:`~.redact.redact_twice`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import FrozenInstanceError
from decimal import Decimal
from typing import Any

from integrations.whmcs.answer import Answer
from integrations.whmcs.errors import WhmcsError
from integrations.whmcs.redact import redact, redact_twice

__all__ = ["CallRecord"]


def _json_ready(value: Any) -> Any:
    """A Decimal as its exact text (JSON encoders refuse Decimal); any other value as it is.
    Applied to every value of a recorded answer, in the redaction's walk."""
    return str(value) if isinstance(value, Decimal) else value


_UNREAD: Any = object()  # a CallRecord's response not copied yet


class CallRecord:
    """What one WHMCS call did, handed to observers (the audit log writes it).

    ``params`` are the form fields as sent, without credentials and with sensitive values (such
    as ``password2``) redacted; ``response`` is the parsed body, redacted the same way (also the
    credentials and those values wherever WHMCS echoed them; a JSON number with a fraction as its
    exact text, so the record stores as JSON), or None when the answer was not JSON.
    ``attempts`` counts retries; ``duration_ms`` covers them all.

    The client's records make that copy of the answer only when ``response`` is first read (an
    audit that does not keep answers, WHMCS_LOG_RESPONSES=false, never reads it), and
    :meth:`storable_response` makes the audit's copy straight from the answer: one walk over
    it, not two. Immutable, like the frozen dataclass it was.
    """

    __slots__ = (
        "_body",
        "_response",
        "_secrets",
        "action",
        "attempts",
        "duration_ms",
        "error",
        "params",
        "status",
    )
    action: str
    params: Mapping[str, Any]
    status: int | None
    error: WhmcsError | None
    duration_ms: int
    attempts: int
    _response: Mapping[str, Any] | None
    _body: dict[str, Any] | None
    _secrets: tuple[str, ...]

    def __init__(
        self,
        action: str,
        params: Mapping[str, Any],
        status: int | None,
        response: Mapping[str, Any] | None,
        error: WhmcsError | None,
        duration_ms: int,
        attempts: int,
    ) -> None:
        for name, value in (
            ("action", action),
            ("params", params),
            ("status", status),
            ("_response", response),
            ("error", error),
            ("duration_ms", duration_ms),
            ("attempts", attempts),
            ("_body", None),
            ("_secrets", ()),
        ):
            object.__setattr__(self, name, value)

    @classmethod
    def of_answer(
        cls,
        action: str,
        params: Mapping[str, Any],
        answer: Answer,
        secrets: tuple[str, ...],
        duration_ms: int,
        attempts: int,
    ) -> CallRecord:
        """The record of ``answer``, its body redacted of ``secrets`` when first read."""
        record = cls(action, params, answer.status, _UNREAD, answer.error, duration_ms, attempts)
        object.__setattr__(record, "_body", answer.body)
        object.__setattr__(record, "_secrets", secrets)
        return record

    @property
    def response(self) -> Mapping[str, Any] | None:
        if self._response is _UNREAD:
            body = self._body
            copy = None if body is None else redact(body, self._secrets, scalar=_json_ready)
            for name, value in (("_response", copy), ("_body", None), ("_secrets", ())):
                object.__setattr__(self, name, value)
        response: Mapping[str, Any] | None = self._response
        return response

    def storable_response(
        self, secrets: tuple[str, ...], text: Callable[[str], str]
    ) -> dict[str, Any] | None:
        """``redact(dict(self.response), secrets, text=text)`` (the audit's copy), in one walk
        from the answer when ``response`` was not read."""
        if self._response is not _UNREAD:
            response = self._response
            return None if response is None else redact(dict(response), secrets, text=text)
        if self._body is None:
            return None
        stored: dict[str, Any] = redact_twice(
            self._body, self._secrets, secrets, scalar=_json_ready, text=text
        )
        return stored

    def response_value(self, key: str) -> Any:
        """``self.response.get(key)`` (None without a response), without copying the answer."""
        if self._response is not _UNREAD:
            return None if self._response is None else self._response.get(key)
        if self._body is None or key not in self._body:
            return None
        return redact({key: self._body[key]}, self._secrets, scalar=_json_ready)[key]

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def _fields(self) -> tuple[Any, ...]:
        return (
            self.action,
            self.params,
            self.status,
            self.response,
            self.error,
            self.duration_ms,
            self.attempts,
        )

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, CallRecord)
        return self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]  # as a dataclass with eq (params is a dict)

    def __repr__(self) -> str:
        names = ("action", "params", "status", "response", "error", "duration_ms", "attempts")
        shown = ", ".join(f"{n}={v!r}" for n, v in zip(names, self._fields(), strict=True))
        return f"CallRecord({shown})"

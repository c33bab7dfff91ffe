"""read_answer on bodies no WHMCS sends: too deep, lone surrogates (valid JSON, invalid text)."""

from __future__ import annotations

import json

import pytest

from integrations.whmcs.answer import MAX_DEPTH, read_answer
from integrations.whmcs.errors import WhmcsApiError, WhmcsProtocolError


def _deep(levels: int) -> bytes:
    return b'{"result":"success","x":' + b"[" * levels + b"]" * levels + b"}"


def test_the_deepest_allowed_body_is_read() -> None:
    answer = read_answer("GetClients", 200, _deep(MAX_DEPTH - 1), write=False, secrets=())

    assert answer.error is None
    assert answer.body is not None


@pytest.mark.parametrize("levels", [MAX_DEPTH, 900, 5_000, 200_000])
@pytest.mark.parametrize("write", [False, True])
def test_a_body_nested_too_deep_is_not_whmcs(levels: int, write: bool) -> None:
    answer = read_answer("AddClient", 200, _deep(levels), write=write, secrets=())

    assert isinstance(answer.error, WhmcsProtocolError)
    assert answer.body is None  # nothing that deep reaches redaction or the audit
    assert answer.error.outcome_unknown is write
    assert len(answer.error.message) < 400


def test_lone_surrogates_become_replacement_characters_in_keys_and_values() -> None:
    raw = b'{"result":"error","message":"bad \\ud800 here","k\\udc00":["\\udfff"]}'

    answer = read_answer("GetClients", 200, raw, write=False, secrets=())

    assert answer.body == {
        "result": "error",
        "message": "bad \ufffd here",
        "k\ufffd": ["\ufffd"],
    }
    assert isinstance(answer.error, WhmcsApiError)
    assert answer.error.whmcs_message == "bad \ufffd here"
    json.dumps(answer.body).encode("utf-8")  # encodable text now


def test_a_surrogate_pair_is_kept_as_the_character_it_encodes() -> None:
    raw = b'{"result":"error","message":"\\ud83d\\ude00"}'

    answer = read_answer("GetClients", 200, raw, write=False, secrets=())

    assert answer.body == {"result": "error", "message": "\U0001f600"}

"""PHP-compatible encoding details that a byte-level client might trip on."""

from __future__ import annotations

import json

import pytest

from integrations.whmcs.sandbox.render import php_json, to_xml


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        ({"a": "x/y"}, '{"a":"x\\/y"}'),
        ({"a": "é"}, '{"a":"\\u00e9"}'),
        ({"n": 1, "b": False, "z": None, "l": []}, '{"n":1,"b":false,"z":null,"l":[]}'),
    ],
)
def test_php_json(value: object, encoded: str) -> None:
    assert php_json(value) == encoded
    assert json.loads(encoded) == value


def test_hex_quot_only_touches_quotes() -> None:
    value = {"m": 'say "hi" \\" end'}

    encoded = php_json(value, hex_quot=True)

    assert encoded == '{"m":"say \\u0022hi\\u0022 \\\\\\u0022 end"}'
    assert json.loads(encoded) == value


def test_xml_repeats_list_items_and_escapes() -> None:
    xml = to_xml(
        {"result": "success", "clients": {"client": [{"id": 1}, {"id": 2}]}, "note": "a<b"},
        action="GetClients",
        version="8.13.3",
    )

    assert "<clients>\n<client>\n<id>1</id>\n</client>\n<client>\n<id>2</id>" in xml
    assert "<note>a&lt;b</note>" in xml
    assert "<action>getclients</action>" in xml


def test_keys_json_would_spell_otherwise_are_written_as_php_casts_them() -> None:
    value = {True: 1, None: [{"k/": 'q"'}], 2: "/", 1.5: ()}

    assert php_json(value) == '{"True":1,"None":[{"k\\/":"q\\""}],"2":"\\/","1.5":[]}'
    assert php_json(value, hex_quot=True) == (
        '{"True":1,"None":[{"k\\/":"q\\u0022"}],"2":"\\/","1.5":[]}'
    )

"""Serialising answers the way WHMCS's PHP does."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

JSON_TYPE = "application/json"
XML_TYPE = "text/xml"
TEXT_TYPE = "text/plain"
HTML_TYPE = "text/html"

_ESCAPE = re.compile(r"\\(.)")  # JSON escapes are two characters (``\uXXXX`` starts as ``\u``)


@dataclass(frozen=True, slots=True)
class Answer:
    """An HTTP answer before it becomes an aiohttp response."""

    status: int
    body: bytes
    content_type: str
    charset: str | None = "utf-8"


def php_json(value: Any, *, hex_quot: bool = False) -> str:
    """``json_encode`` output: compact, non-ASCII as ``\\uXXXX``, slashes as ``\\/``.

    ``hex_quot`` mimics ``JSON_HEX_QUOT``: quotes inside strings become ``\\u0022``,
    as seen in WHMCS's ``Invalid Permissions`` message.

    Encoded in one pass by the json module when every mapping is a dict keyed by str or int
    (what it writes exactly as ``str(key)``): a ``/`` or a backslash only ever stands inside
    a string there, so the whole text can take the replacements at once. Anything else (a key
    json would spell otherwise, such as ``True``) goes the slow way, item by item.
    """
    if not _plain(value):
        return _php_json_items(value, hex_quot)
    text = _ENCODER.encode(value).replace("/", "\\/")
    return _hex_quot(text) if hex_quot else text


_ENCODER = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"))


_SCALARS = (str, int, float, bool, type(None))


def _plain(value: Any) -> bool:
    kind = type(value)
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str and type(key) is not int:
                return False
            if type(item) not in _SCALARS and not _plain(item):
                return False
        return True
    if kind is list or kind is tuple:
        return all(type(item) in _SCALARS or _plain(item) for item in value)
    return not isinstance(value, Mapping | list | tuple)


def _hex_quot(text: str) -> str:
    return _ESCAPE.sub(lambda m: "\\u0022" if m.group(1) == '"' else m.group(0), text)


def _php_json_items(value: Any, hex_quot: bool) -> str:
    if isinstance(value, Mapping):
        items = (
            f"{_php_string(str(k), hex_quot)}:{php_json(v, hex_quot=hex_quot)}"
            for k, v in value.items()
        )
        return "{" + ",".join(items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(php_json(v, hex_quot=hex_quot) for v in value) + "]"
    if isinstance(value, str):
        return _php_string(value, hex_quot)
    return json.dumps(value)  # bool, None, int, float


def _php_string(value: str, hex_quot: bool) -> str:
    inner = json.dumps(value, ensure_ascii=True)[1:-1].replace("/", "\\/")
    if hex_quot:
        inner = _hex_quot(inner)
    return f'"{inner}"'


def to_xml(payload: Mapping[str, Any], *, action: str, version: str) -> str:
    """The ``responsetype=xml`` document (also WHMCS's answer when none is asked for)."""
    parts = ['<?xml version="1.0" encoding="utf-8"?>', f'<whmcsapi version="{escape(version)}">']
    parts.append(f"<action>{escape(action.lower())}</action>")
    _xml_items(payload, parts)
    parts.append("</whmcsapi>")
    return "\n".join(parts) + "\n"


def _xml_items(payload: Mapping[str, Any], parts: list[str]) -> None:
    for key, value in payload.items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            if isinstance(item, Mapping):
                parts.append(f"<{key}>")
                _xml_items(item, parts)
                parts.append(f"</{key}>")
            else:
                parts.append(f"<{key}>{escape(_scalar_text(item))}</{key}>")


def to_nvp(payload: Mapping[str, Any]) -> str:
    """Deprecated ``responsetype=nvp``: ``key=value;`` for the top-level scalars."""
    return "".join(
        f"{key}={_scalar_text(value)};"
        for key, value in payload.items()
        if not isinstance(value, Mapping | list)
    )


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def render(
    payload: Mapping[str, Any],
    *,
    status: int,
    responsetype: str,
    action: str,
    version: str,
    hex_quot: bool = False,
) -> Answer:
    """Encode an API payload in the requested response type (XML unless json/nvp)."""
    kind = responsetype.strip().lower()
    if kind == "json":
        return Answer(status, php_json(payload, hex_quot=hex_quot).encode(), JSON_TYPE)
    if kind == "nvp":
        return Answer(status, to_nvp(payload).encode(), TEXT_TYPE)
    return Answer(status, to_xml(payload, action=action, version=version).encode(), XML_TYPE)

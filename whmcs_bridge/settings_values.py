"""Reading the environment for `Settings`: one function per kind of variable (a flag, a number in
bounds, a choice, a secret, a URL, a list of origins, hosts or networks), each raising
`SettingsError` with one message that names the variable and never a secret's value.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from starlette.config import Config
from starlette.datastructures import Secret

from integrations.whmcs.urls import split_url, without_userinfo

DEFAULT_DATABASE_URL = "sqlite://./data/whmcs-bridge.sqlite3"
_DB_SCHEMES = ("sqlite", "postgres", "postgresql", "asyncpg", "psycopg", "mysql", "mariadb")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
N = TypeVar("N", int, float)


class SettingsError(ValueError):
    """The configuration is invalid; the message names the variable and never its secret value."""


def _read(environ: Mapping[str, str] | None, env_file: str | Path | None) -> dict[str, str]:
    source = dict(os.environ if environ is None else environ)
    if env_file is not None and Path(env_file).is_file():
        config = Config(env_file, environ=source)
        file_values = dict(config.file_values)
        return {**file_values, **source}
    return source


def _bool(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    raw = env.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}.")


def _number(
    env: Mapping[str, str], name: str, kind: Callable[[str], N], *, default: N, low: N, high: N
) -> N:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = kind(raw.strip())
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {raw!r}.") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}, got {raw!r}.")
    return value


def _choice_or_none(env: Mapping[str, str], name: str, allowed: tuple[str, ...]) -> str | None:
    raw = (env.get(name) or "").strip()
    if not raw:
        return None
    if raw not in allowed:
        raise SettingsError(f"{name} must be one of {', '.join(allowed)}, got {raw!r}.")
    return raw


def _choice(env: Mapping[str, str], name: str, allowed: tuple[str, ...], default: str) -> str:
    raw = (env.get(name) or default).strip().upper()
    if raw not in allowed:
        raise SettingsError(f"{name} must be one of {', '.join(allowed)}, got {raw!r}.")
    return raw


def _secret(env: Mapping[str, str], name: str) -> Secret | None:
    raw = (env.get(name) or "").strip()
    return Secret(raw) if raw else None


def _access_key(env: Mapping[str, str]) -> Secret | None:
    key = _secret(env, "WHMCS_API_ACCESS_KEY")
    allowed = set("!@#$%.()*[]-_")
    if key is not None and not all(c.isalnum() or c in allowed for c in str(key)):
        raise SettingsError(
            "WHMCS_API_ACCESS_KEY may hold only letters, digits and ! @ # $ % . ( ) * [ ] - _ "
            "(the characters WHMCS accepts)."
        )
    return key


def _url(env: Mapping[str, str], name: str) -> str | None:
    raw = (env.get(name) or "").strip()
    if not raw:
        return None
    parts = split_url(raw)
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(
            f"{name} must be the WHMCS base URL, like https://billing.example.com/whmcs; "
            f"got {without_userinfo(raw)!r}."
        )
    if "@" in parts.netloc:
        raise SettingsError(
            f"{name} must not contain credentials; use WHMCS_API_IDENTIFIER/SECRET "
            f"(got {without_userinfo(raw)!r})."
        )
    return raw


def _refuse_credentials_without_url(*given: tuple[str, Secret | None]) -> None:
    """A WHMCS credential with no WHMCS_API_URL is a mistake (unset or misspelled), not a demo.

    Running the built-in sandbox then would accept anonymous writes where a real WHMCS was meant.
    """
    names = [name for name, value in given if value is not None]
    if names:
        raise SettingsError(
            f"WHMCS_API_URL is not set, but {', '.join(names)} {'is' if len(names) == 1 else 'are'}"
            ": set WHMCS_API_URL to your WHMCS address, or unset the WHMCS credentials to run "
            "the built-in sandbox demo."
        )


def _check_transport_security(url: str, *, allow_insecure: bool) -> None:
    parts = urlsplit(url)
    if parts.scheme == "https" or allow_insecure or is_loopback_host(parts.hostname or ""):
        return
    raise SettingsError(
        "WHMCS_API_URL must use https:// (the API credentials travel in every request); "
        "set WHMCS_ALLOW_INSECURE_URL=true only for a trusted private network."
    )


def is_loopback_host(host: str) -> bool:
    """`localhost`, 127.0.0.0/8 or ::1 (brackets allowed); a name or 0.0.0.0 is not."""
    host = host.strip().removeprefix("[").removesuffix("]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _database_url(env: Mapping[str, str]) -> str:
    raw = (env.get("DATABASE_URL") or "").strip() or DEFAULT_DATABASE_URL
    scheme = raw.split("://", 1)[0] if "://" in raw else ""
    if scheme not in _DB_SCHEMES:
        raise SettingsError(
            "DATABASE_URL must start with one of "
            f"{', '.join(s + '://' for s in _DB_SCHEMES)}; got scheme {scheme or 'none'!r}."
        )
    return raw


def _redis_url(env: Mapping[str, str]) -> str | None:
    raw = (env.get("REDIS_URL") or "").strip()
    parts = split_url(raw)
    if raw and (parts is None or parts.scheme not in ("redis", "rediss", "unix")):
        raise SettingsError("REDIS_URL must start with redis://, rediss:// or unix://.")
    return raw or None


def _origins(env: Mapping[str, str]) -> tuple[str, ...]:
    raw = env.get("CORS_ORIGINS") or ""
    origins = tuple(o.strip().rstrip("/") for o in raw.split(",") if o.strip())
    for origin in origins:
        if origin == "*":
            raise SettingsError("CORS_ORIGINS must list origins; a wildcard is not allowed.")
        parts = split_url(origin)
        if (
            parts is None
            or parts.scheme not in ("http", "https")
            or not parts.hostname
            or parts.path
        ):
            raise SettingsError(
                "CORS_ORIGINS entries must look like https://app.example.com, "
                f"got {without_userinfo(origin)!r}."
            )
    return origins


def _root_path(env: Mapping[str, str]) -> str:
    raw = (env.get("ROOT_PATH") or "").strip()
    if not raw:
        return ""
    if not raw.startswith("/") or raw.endswith("/") or "//" in raw or not raw.isascii():
        raise SettingsError(
            f"ROOT_PATH must be the path prefix the proxy serves this under, like /whmcs-bridge "
            f"(a leading slash, no trailing one); got {raw!r}."
        )
    if any(not (c.isalnum() or c in "/-._~") for c in raw):
        raise SettingsError(f"ROOT_PATH may hold letters, digits and / - . _ ~; got {raw!r}.")
    return raw


def _forwarded_allow_ips(env: Mapping[str, str]) -> tuple[str, ...]:
    raw = env.get("FORWARDED_ALLOW_IPS")
    if raw is None or not raw.strip():
        return ("127.0.0.1",)
    entries = tuple(e.strip() for e in raw.split(",") if e.strip())
    for entry in entries:
        if entry == "*":
            continue
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise SettingsError(
                "FORWARDED_ALLOW_IPS must list the proxy's addresses or networks "
                f"(e.g. 127.0.0.1,10.0.0.0/8), got {entry!r}."
            ) from None
    return entries


def _allowed_hosts(env: Mapping[str, str]) -> tuple[str, ...] | None:
    """ALLOWED_HOSTS: host names (a leading `*.` for any subdomain, `*` for any host)."""
    raw = env.get("ALLOWED_HOSTS") or ""
    hosts = tuple(h.strip().lower().strip("[]").rstrip(".") for h in raw.split(",") if h.strip())
    for host in hosts:
        if host != "*" and not re.fullmatch(r"[a-z0-9._:-]+", host.removeprefix("*.")):
            raise SettingsError(
                f"ALLOWED_HOSTS entries are host names like api.example.com or *.example.com "
                f"(no scheme, port or path), got {host!r}."
            )
    return hosts or None

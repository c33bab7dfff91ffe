"""Typed settings, read once from the environment and `.env`, then passed down.

No other module reads the environment. Invalid configuration raises `SettingsError` with one
message naming the variable; the CLI prints it and exits, never a traceback. Secrets are kept in
`starlette.datastructures.Secret`, whose repr is masked, so a settings object can be logged.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self, TypeVar
from urllib.parse import urlsplit

from starlette.config import Config
from starlette.datastructures import Secret

from integrations.whmcs.urls import masked_url, password_of, split_url, without_userinfo

DEFAULT_DATABASE_URL = "sqlite://./data/whmcs-bridge.sqlite3"
_DB_SCHEMES = ("sqlite", "postgres", "postgresql", "asyncpg", "psycopg", "mysql", "mariadb")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
N = TypeVar("N", int, float)


class SettingsError(ValueError):
    """The configuration is invalid; the message names the variable and never its secret value."""


@dataclass(frozen=True, slots=True)
class WhmcsSettings:
    """How to reach WHMCS. `api_url` None means: run the built-in sandbox instead."""

    api_url: str | None
    identifier: Secret | None
    secret: Secret | None
    access_key: Secret | None
    enabled: bool = True
    timeout_s: float = 30.0
    max_concurrency: int = 8
    allow_insecure_url: bool = False
    send_welcome_email: bool = False
    skip_validation: bool = False
    breaker_threshold: int = 5
    breaker_cooldown_s: float = 30.0
    lease_s: float | None = None  # None: 3 x timeout + 30 s

    @property
    def claim_lease_s(self) -> float:
        """How long a claim on a record outlives a crashed holder."""
        return self.lease_s if self.lease_s is not None else self.timeout_s * 3 + 30

    @property
    def use_sandbox(self) -> bool:
        return self.api_url is None


# The names a local server is reached by; ALLOWED_HOSTS's default (plus HOST when it is one
# address). A DNS-rebinding page reaches a local server under its own name: refused.
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True, slots=True)
class HttpLimits:
    """What one client may hold of the server (`whmcs-bridge serve`; the README's Security)."""

    max_header_bytes: int = 16_384  # request line and headers: past it, 431 and the end
    header_timeout_s: float = 10.0  # from connecting (or the last answer) to the full headers
    body_timeout_s: float = 30.0  # for the whole request body
    keep_alive_s: int = 5  # an idle connection between requests
    max_concurrency: int = 1_000  # connections and requests at once; past it, 503


@dataclass(frozen=True, slots=True, repr=False)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    whmcs: WhmcsSettings = field(
        default_factory=lambda: WhmcsSettings(None, None, None, None),
    )
    cache_enabled: bool = True
    cache_ttl_s: int = 300
    redis_url: str | None = None
    log_enabled: bool = True
    log_requests: bool = True
    log_responses: bool = True
    field_mapping_file: Path | None = None
    cors_origins: tuple[str, ...] = ()
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    rate_limit_per_minute: int = 600
    rate_limit_unauthenticated_per_minute: int = 60
    allowed_hosts: tuple[str, ...] | None = None  # None: see served_hosts
    http: HttpLimits = field(default_factory=HttpLimits)
    max_body_bytes: int = 100_000
    max_depth: int = 10
    max_aliases: int = 15
    max_tokens: int = 2000
    introspection: bool = True
    graphiql: bool = True
    demo_anonymous: bool = True
    # Operations (deploy/, README "Running it in production").
    log_format: str = "text"
    access_log: bool = True
    metrics_enabled: bool = True
    workers: int = 1
    root_path: str = ""
    forwarded_allow_ips: tuple[str, ...] = ("127.0.0.1",)
    metrics_dir: Path | None = None
    # Test-only fault hook (reliability tests): the process dies at the named point.
    crash_at: str | None = None

    def __repr__(self) -> str:
        """The fields, with any password in the database or Redis URL masked."""
        shown = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        shown["database_url"] = masked_url(self.database_url)
        shown["redis_url"] = masked_url(self.redis_url) if self.redis_url else None
        return f"Settings({', '.join(f'{k}={v!r}' for k, v in shown.items())})"

    @property
    def served_hosts(self) -> tuple[str, ...]:
        """The Host names answered: ALLOWED_HOSTS, else the loopback names plus HOST when it is
        one address (not 0.0.0.0 or ::)."""
        if self.allowed_hosts is not None:
            return self.allowed_hosts
        host = self.host.strip("[]").lower()
        wildcard = host in ("0.0.0.0", "::", *LOOPBACK_HOSTS)
        return LOOPBACK_HOSTS if wildcard else (*LOOPBACK_HOSTS, host)

    @property
    def anonymous_allowed(self) -> bool:
        """Only the sandbox demo (no real WHMCS behind it) on loopback takes anonymous requests.

        `HOST` (or `serve --host`, which the CLI puts here) must be a loopback address: a demo
        reachable from other machines needs a token like any server.
        """
        return self.whmcs.use_sandbox and self.demo_anonymous and is_loopback_host(self.host)

    @property
    def shutdown_grace_s(self) -> float:
        """How long a stopping server waits for requests in flight: one WHMCS call (no new one
        starts once it stops) plus time for the database writes that settle it."""
        return self.whmcs.timeout_s + SHUTDOWN_MARGIN_S

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, env_file: str | Path | None = ".env"
    ) -> Self:
        """Build the settings from `environ` (default: the process environment) and `.env`.

        Variables in the environment win over the file, as usual.
        """
        env = _read(environ, env_file)
        api_url = _url(env, "WHMCS_API_URL")
        identifier = _secret(env, "WHMCS_API_IDENTIFIER")
        secret = _secret(env, "WHMCS_API_SECRET")
        allow_insecure = _bool(env, "WHMCS_ALLOW_INSECURE_URL", default=False)
        access_key = _access_key(env)
        if api_url is None:
            _refuse_credentials_without_url(
                ("WHMCS_API_IDENTIFIER", identifier),
                ("WHMCS_API_SECRET", secret),
                ("WHMCS_API_ACCESS_KEY", access_key),
            )
        else:
            for name, value in (("WHMCS_API_IDENTIFIER", identifier), ("WHMCS_API_SECRET", secret)):
                if value is None:
                    raise SettingsError(f"{name} is required when WHMCS_API_URL is set.")
            _check_transport_security(api_url, allow_insecure=allow_insecure)
        whmcs = WhmcsSettings(
            api_url=api_url,
            identifier=identifier,
            secret=secret,
            access_key=access_key,
            enabled=_bool(env, "WHMCS_ENABLED", default=True),
            timeout_s=_number(env, "WHMCS_API_TIMEOUT", float, default=30.0, low=0.1, high=600),
            max_concurrency=_number(env, "WHMCS_MAX_CONCURRENCY", int, default=8, low=1, high=256),
            allow_insecure_url=allow_insecure,
            send_welcome_email=_bool(env, "WHMCS_SEND_WELCOME_EMAIL", default=False),
            skip_validation=_bool(env, "WHMCS_SKIP_VALIDATION", default=False),
            breaker_threshold=_number(
                env, "WHMCS_BREAKER_THRESHOLD", int, default=5, low=1, high=1000
            ),
            breaker_cooldown_s=_number(
                env, "WHMCS_BREAKER_COOLDOWN", float, default=30.0, low=0.1, high=3600
            ),
            lease_s=(
                _number(env, "SYNC_LEASE_SECONDS", float, default=0.0, low=0.5, high=86_400)
                if env.get("SYNC_LEASE_SECONDS")
                else None
            ),
        )
        mapping_file = env.get("WHMCS_FIELD_MAPPING_FILE") or None
        return cls(
            database_url=_database_url(env),
            whmcs=whmcs,
            cache_enabled=_bool(env, "WHMCS_CACHE_ENABLED", default=True),
            cache_ttl_s=_number(env, "WHMCS_CACHE_TTL", int, default=300, low=0, high=86_400),
            redis_url=_redis_url(env),
            log_enabled=_bool(env, "WHMCS_LOG_ENABLED", default=True),
            log_requests=_bool(env, "WHMCS_LOG_REQUESTS", default=True),
            log_responses=_bool(env, "WHMCS_LOG_RESPONSES", default=True),
            field_mapping_file=Path(mapping_file) if mapping_file else None,
            cors_origins=_origins(env),
            host=env.get("HOST") or "127.0.0.1",
            port=_number(env, "PORT", int, default=8000, low=1, high=65_535),
            log_level=_choice(env, "LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR"), "INFO"),
            rate_limit_per_minute=_number(
                env, "API_RATE_LIMIT_PER_MINUTE", int, default=600, low=0, high=1_000_000
            ),
            rate_limit_unauthenticated_per_minute=_number(
                env,
                "API_RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE",
                int,
                default=60,
                low=0,
                high=1_000_000,
            ),
            allowed_hosts=_allowed_hosts(env),
            http=_http_limits(env),
            max_body_bytes=_number(
                env, "GRAPHQL_MAX_BODY_BYTES", int, default=100_000, low=1_000, high=10_000_000
            ),
            max_depth=_number(env, "GRAPHQL_MAX_DEPTH", int, default=10, low=2, high=100),
            max_aliases=_number(env, "GRAPHQL_MAX_ALIASES", int, default=15, low=0, high=1_000),
            max_tokens=_number(env, "GRAPHQL_MAX_TOKENS", int, default=2000, low=50, high=100_000),
            introspection=_bool(env, "GRAPHQL_INTROSPECTION", default=True),
            graphiql=_bool(env, "GRAPHQL_IDE", default=True),
            demo_anonymous=_bool(env, "DEMO_ALLOW_ANONYMOUS", default=True),
            crash_at=_choice_or_none(env, "WHMCS_BRIDGE_CRASH_AT", CRASH_POINTS),
            log_format=_choice(env, "LOG_FORMAT", ("TEXT", "JSON"), "TEXT").lower(),
            access_log=_bool(env, "ACCESS_LOG", default=True),
            metrics_enabled=_bool(env, "METRICS_ENABLED", default=True),
            workers=_number(env, "WORKERS", int, default=1, low=1, high=64),
            root_path=_root_path(env),
            forwarded_allow_ips=_forwarded_allow_ips(env),
            metrics_dir=Path(env["PROMETHEUS_MULTIPROC_DIR"])
            if env.get("PROMETHEUS_MULTIPROC_DIR")
            else None,
        )

    def secret_values(self) -> tuple[str, ...]:
        """Every configured secret as plain text, for scrubbing logs and tests: the WHMCS
        credential and access key, and the database and Redis passwords."""
        values = (self.whmcs.identifier, self.whmcs.secret, self.whmcs.access_key)
        passwords = (
            password_of(self.database_url),
            password_of(self.redis_url or ""),
            _client_table_password(self.field_mapping_file),
        )
        return tuple(str(v) for v in values if v is not None and str(v)) + tuple(
            p for p in passwords if p
        )


def _client_table_password(mapping_file: Path | None) -> str:
    """The password in the field mapping's `[client.table] database_url` (an application's
    database), or "": scrubbed from the logs like DATABASE_URL's. An unreadable file has none
    (start-up refuses it with its own message)."""
    if mapping_file is None:
        return ""
    try:
        document = tomllib.loads(mapping_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return ""
    client = document.get("client")
    table = client.get("table") if isinstance(client, dict) else None
    url = table.get("database_url") if isinstance(table, dict) else None
    return password_of(url) if isinstance(url, str) else ""


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


CRASH_POINTS = ("after-whmcs-write",)
SHUTDOWN_MARGIN_S = 10.0


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


def _http_limits(env: Mapping[str, str]) -> HttpLimits:
    return HttpLimits(
        max_header_bytes=_number(
            env, "HTTP_MAX_HEADER_BYTES", int, default=16_384, low=1_024, high=1_048_576
        ),
        header_timeout_s=_number(
            env, "HTTP_HEADER_TIMEOUT", float, default=10.0, low=0.5, high=600
        ),
        body_timeout_s=_number(env, "HTTP_BODY_TIMEOUT", float, default=30.0, low=0.5, high=600),
        keep_alive_s=_number(env, "HTTP_KEEP_ALIVE_TIMEOUT", int, default=5, low=1, high=600),
        max_concurrency=_number(
            env, "HTTP_LIMIT_CONCURRENCY", int, default=1_000, low=1, high=1_000_000
        ),
    )

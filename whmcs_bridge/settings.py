"""Typed settings, read once from the environment and `.env`, then passed down.

No other module reads the environment (settings_values.py holds the readers of its variables).
Invalid configuration raises `SettingsError` with one message naming the variable; the CLI prints
it and exits, never a traceback. Secrets are kept in `starlette.datastructures.Secret`, whose repr
is masked, so a settings object can be logged.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

from starlette.datastructures import Secret

from integrations.whmcs.urls import masked_url, password_of
from whmcs_bridge.settings_values import (
    DEFAULT_DATABASE_URL,
    SettingsError,
    _access_key,
    _allowed_hosts,
    _bool,
    _check_transport_security,
    _choice,
    _choice_or_none,
    _database_url,
    _forwarded_allow_ips,
    _number,
    _origins,
    _read,
    _redis_url,
    _refuse_credentials_without_url,
    _root_path,
    _secret,
    _url,
    is_loopback_host,
)

# What the rest of the project imports from here (the values' readers are in settings_values).
__all__ = [
    "CRASH_POINTS",
    "DEFAULT_DATABASE_URL",
    "LOOPBACK_HOSTS",
    "SHUTDOWN_MARGIN_S",
    "HttpLimits",
    "Settings",
    "SettingsError",
    "WhmcsSettings",
    "is_loopback_host",
]


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


CRASH_POINTS = ("after-whmcs-write",)
SHUTDOWN_MARGIN_S = 10.0


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

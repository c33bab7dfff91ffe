"""API tokens: create (shown once), list, revoke, and verify a presented token.

The sandbox demo's token is the row named `DEMO_NAME`, a name no other token may take. It is
accepted only while the server runs the built-in sandbox: with a real WHMCS configured the
verifier refuses it and it does not count as "a token exists" at start-up, so a demo run on a
database can never open that database's real server.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import re
import secrets
import time
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

import models

logger = logging.getLogger(__name__)

PREFIX = "wbt_"
DEMO_NAME = "demo"  # reserved for the sandbox demo's token
# What /graphql accepts. A metrics token is for /metrics alone, so a Prometheus config that leaks
# reads nothing else.
API_SCOPES = frozenset({models.TokenScope.READ, models.TokenScope.WRITE})
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class TokenError(ValueError):
    """A token command cannot be done; the message says why."""


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the token's name (the audit log's actor) and what it may do."""

    name: str
    scope: models.TokenScope

    @property
    def can_write(self) -> bool:
        return self.scope is models.TokenScope.WRITE


def bearer_token(authorization: str) -> str | None:
    """The token of an `Authorization: Bearer <token>` header value, None for anything else."""
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def digest(token: str) -> str:
    # Tokens are 256 random bits: a plain SHA-256 is enough (no password-style stretching).
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """A fresh token value: the prefix and 256 random bits."""
    return PREFIX + secrets.token_urlsafe(32)


def looks_like_token(value: str) -> bool:
    return value.startswith(PREFIX) and 20 < len(value) <= 200 and value.isprintable()


async def create_token(name: str, scope: models.TokenScope) -> str:
    """Store a new token and return it; only its digest is kept."""
    if not _NAME.match(name):
        raise TokenError("A token name is 1-100 letters, digits, '.', '_' or '-'.")
    if name == DEMO_NAME:
        raise TokenError(f"The name {DEMO_NAME!r} is reserved for the sandbox demo's token.")
    token = new_token()
    try:
        await models.ApiToken.create(name=name, digest=digest(token), scope=scope)
    except IntegrityError:
        raise TokenError(f"A token named {name!r} exists already; revoke it first.") from None
    return token


async def replace_token(name: str, scope: models.TokenScope) -> str:
    """Create `name`, or give it a new value (the old one stops working)."""
    await models.ApiToken.filter(name=name).delete()
    return await create_token(name, scope)


async def install_demo_token(token: str) -> None:
    """Make `token` the demo's token (write scope); a previous demo token stops working."""
    key = digest(token)
    if await models.ApiToken.filter(name=DEMO_NAME, digest=key).exists():
        return
    async with in_transaction("default"):
        await models.ApiToken.filter(name=DEMO_NAME).delete()
        await models.ApiToken.create(name=DEMO_NAME, digest=key, scope=models.TokenScope.WRITE)


async def serving_tokens_exist() -> bool:
    """Whether a token that may use /graphql, other than the demo's, exists (what a server with
    a real WHMCS needs: a metrics token alone lets nobody in either)."""
    query = models.ApiToken.filter(scope__in=sorted(API_SCOPES)).exclude(name=DEMO_NAME)
    return await query.exists()


async def revoke_token(name: str) -> None:
    if not await models.ApiToken.filter(name=name).delete():
        raise TokenError(f"No token named {name!r}.")


async def list_tokens() -> list[models.ApiToken]:
    return list(await models.ApiToken.all().order_by("name"))


class TokenVerifier:
    """Looks presented tokens up by digest, with a short in-process memory.

    A revoked token stops working within `memory_s` seconds on every instance. The demo's token
    is refused unless `accept_demo` (the server runs the built-in sandbox).
    """

    def __init__(self, memory_s: float = 5.0, *, accept_demo: bool = False) -> None:
        self._memory_s = memory_s
        self._accept_demo = accept_demo
        self._known: dict[str, tuple[float, Principal | None]] = {}

    async def verify(
        self, token: str, scopes: frozenset[models.TokenScope] = API_SCOPES
    ) -> Principal | None:
        """The token's principal, or None when it is unknown or its scope is not in `scopes`."""
        principal = await self._lookup(token)
        return principal if principal is not None and principal.scope in scopes else None

    async def _lookup(self, token: str) -> Principal | None:
        if not token.startswith(PREFIX) or len(token) > 200:
            return None
        key = digest(token)
        now = time.monotonic()
        remembered = self._known.get(key)
        if remembered is not None and remembered[0] > now:
            return remembered[1]
        row = await models.ApiToken.get_or_none(digest=key)
        if row is not None and row.name == DEMO_NAME and not self._accept_demo:
            logger.warning(
                "Refused the sandbox demo's token: this server talks to a real WHMCS "
                "(revoke it with `whmcs-bridge tokens revoke %s`)",
                DEMO_NAME,
            )
            row = None
        principal = Principal(row.name, row.scope) if row is not None else None
        if row is not None:
            await models.ApiToken.filter(id=row.id).update(
                last_used_at=datetime.datetime.now(datetime.UTC)
            )
        if len(self._known) > 10_000:
            self._known.clear()
        self._known[key] = (now + self._memory_s, principal)
        return principal

    def forget(self) -> None:
        self._known.clear()

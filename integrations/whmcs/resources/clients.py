"""WHMCS clients (billing accounts): ``whmcs.clients.search()``, ``.get()``, ``.add()``, ..."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from integrations.whmcs.normalise import WhmcsShapeError, as_int, as_list
from integrations.whmcs.records import CLIENT_FIELDS, WhmcsClientPage, WhmcsClientRecord
from integrations.whmcs.resources.base import Caller, shape_error

__all__ = ["ClientsResource"]

#: Page size used when paging through search matches.
_SCAN_PAGE_SIZE = 100


def _check_fields(fields: Mapping[str, str | None]) -> None:
    # WHMCS ignores unknown parameters silently, so a typo would be lost without a trace.
    unknown = sorted(set(fields) - set(CLIENT_FIELDS))
    if unknown:
        raise ValueError(f"not WHMCS client fields: {', '.join(unknown)}")


@dataclass(frozen=True, slots=True)
class ClientsResource:
    """Client actions. Every method raises :class:`~integrations.whmcs.errors.WhmcsError`."""

    whmcs: Caller

    async def search(
        self,
        *,
        search: str | None = None,
        offset: int = 0,
        limit: int = 25,
        status: str | None = None,
    ) -> WhmcsClientPage:
        """One page of ``GetClients``.

        ``search`` is WHMCS's *prefix* match on e-mail, first name, last name, full name or
        company name; ``status`` is ``Active``, ``Inactive`` or ``Closed``.
        """
        if offset < 0 or limit < 1:
            raise ValueError("offset must be >= 0 and limit >= 1")
        action = "GetClients"
        body = await self.whmcs.call(
            action,
            {"limitstart": offset, "limitnum": limit, "search": search or None, "status": status},
        )
        try:
            rows = as_list(body.get("clients"), "client", "clients")
            return WhmcsClientPage(
                items=tuple(WhmcsClientRecord.from_list_row(row) for row in rows),
                total=as_int(body.get("totalresults"), "totalresults"),
                offset=as_int(body.get("startnumber", offset), "startnumber"),
            )
        except WhmcsShapeError as exc:
            raise shape_error(action, exc) from exc

    async def get(self, client_id: int) -> WhmcsClientRecord:
        """The client with this id (``GetClientsDetails``).

        Raises :class:`~integrations.whmcs.errors.WhmcsNotFoundError` if there is none.
        """
        action = "GetClientsDetails"
        body = await self.whmcs.call(action, {"clientid": client_id})
        try:
            return WhmcsClientRecord.from_details(body)
        except WhmcsShapeError as exc:
            raise shape_error(action, exc) from exc

    async def find_by_email(self, email: str) -> WhmcsClientRecord | None:
        """The client whose e-mail is exactly ``email`` (case-insensitive), or None.

        WHMCS's search is a prefix match (``bob@example.com`` also finds
        ``bob@example.com.au``), so every page of matches is read and filtered here. If WHMCS
        holds several clients with that address, the one with the lowest id is returned. The
        record comes from the list row: no address or phone (use :meth:`get` for those).
        """
        wanted = email.strip().casefold()
        if not wanted:
            raise ValueError("email must not be empty")
        matches: list[WhmcsClientRecord] = []
        seen: set[int] = set()
        offset = 0
        while True:
            page = await self.search(search=email.strip(), offset=offset, limit=_SCAN_PAGE_SIZE)
            ids = {r.id for r in page.items}
            if ids and ids <= seen:
                # A WHMCS (or a cache in front of it) that ignores limitstart answers the same
                # page forever; "not found" would then be a guess, and a create after it a
                # duplicate.
                problem = WhmcsShapeError("clients", f"the page at limitstart={offset}", ids)
                raise shape_error("GetClients", problem) from problem
            seen |= ids
            matches.extend(r for r in page.items if r.email.strip().casefold() == wanted)
            # Paging rule from the docs: limitstart += numreturned until >= totalresults.
            # An empty page also stops, so a wrong totalresults cannot loop forever.
            offset += len(page.items)
            if not page.items or offset >= page.total:
                break
        return min(matches, key=lambda record: record.id, default=None)

    async def add(
        self,
        fields: Mapping[str, str | None],
        *,
        password2: str,
        noemail: bool = True,
        skipvalidation: bool = False,
    ) -> int:
        """Create a client (``AddClient``) and return its id.

        ``fields`` are keyed by :data:`~integrations.whmcs.records.CLIENT_FIELDS` names; None
        values are left out. ``password2`` becomes the password of the new WHMCS user; it is
        redacted in call records. ``noemail`` (default on) suppresses the welcome e-mail.
        Never retried: a failure with ``outcome_unknown`` may have created the client, so look
        it up by e-mail before trying again.
        """
        _check_fields(fields)
        action = "AddClient"
        body = await self.whmcs.call(
            action,
            {
                **fields,
                "password2": password2,
                "noemail": noemail,
                "skipvalidation": skipvalidation,
            },
        )
        try:
            # clientid arrives as a string ("42") on every version seen.
            return as_int(body.get("clientid"), "clientid")
        except WhmcsShapeError as exc:
            raise shape_error(action, exc, write=True) from exc

    async def update(self, client_id: int, fields: Mapping[str, str | None]) -> None:
        """Change only the given fields of a client (``UpdateClient``); None clears a field.

        Nothing is sent when ``fields`` is empty. Raises
        :class:`~integrations.whmcs.errors.WhmcsNotFoundError` for an unknown client and
        :class:`~integrations.whmcs.errors.WhmcsDuplicateEmailError` for a taken e-mail.
        """
        _check_fields(fields)
        if not fields:
            return
        sent: dict[str, str | int] = {
            key: "" if value is None else value for key, value in fields.items()
        }
        await self.whmcs.call("UpdateClient", {"clientid": client_id, **sent})

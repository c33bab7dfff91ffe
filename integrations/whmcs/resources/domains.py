"""A client's domains: ``whmcs.domains.list()``."""

from __future__ import annotations

from dataclasses import dataclass

from integrations.whmcs.entities.domains import WhmcsDomain
from integrations.whmcs.entities.page import WhmcsPage
from integrations.whmcs.resources.base import Caller, client_page, positive_id

__all__ = ["DomainsResource"]


@dataclass(frozen=True, slots=True)
class DomainsResource:
    """Domain reads. Every method raises :class:`~integrations.whmcs.errors.WhmcsError`."""

    whmcs: Caller

    async def list(
        self, client_id: int, *, offset: int = 0, limit: int = 25
    ) -> WhmcsPage[WhmcsDomain]:
        """One page of the client's domains (``GetClientsDomains``).

        Raises :class:`~integrations.whmcs.errors.WhmcsNotFoundError` when there is no such
        client.
        """
        return await client_page(
            self.whmcs,
            "GetClientsDomains",
            {"clientid": positive_id(client_id, "client_id")},
            client_id=client_id,
            offset=offset,
            limit=limit,
            container="domains",
            singular="domain",
            parse_row=WhmcsDomain.from_row,
        )

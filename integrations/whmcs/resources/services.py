"""A client's services: ``whmcs.services.list()``."""

from __future__ import annotations

from dataclasses import dataclass

from integrations.whmcs.entities.page import WhmcsPage
from integrations.whmcs.entities.services import WhmcsService
from integrations.whmcs.resources.base import Caller, client_page, positive_id

__all__ = ["ServicesResource"]


@dataclass(frozen=True, slots=True)
class ServicesResource:
    """Service reads. Every method raises :class:`~integrations.whmcs.errors.WhmcsError`."""

    whmcs: Caller

    async def list(
        self, client_id: int, *, offset: int = 0, limit: int = 25
    ) -> WhmcsPage[WhmcsService]:
        """One page of the client's services (``GetClientsProducts``), oldest first.

        Raises :class:`~integrations.whmcs.errors.WhmcsNotFoundError` when there is no such
        client. The services' passwords are not read (see :class:`WhmcsService`).
        """
        return await client_page(
            self.whmcs,
            "GetClientsProducts",
            {"clientid": positive_id(client_id, "client_id")},
            client_id=client_id,
            offset=offset,
            limit=limit,
            container="products",
            singular="product",
            parse_row=WhmcsService.from_row,
        )

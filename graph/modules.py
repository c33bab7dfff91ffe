"""The module reads' Query classes (one per module package), merged into the root Query."""

from __future__ import annotations

from graph.domains.queries import Query as DomainsQuery
from graph.invoices.queries import Query as InvoicesQuery
from graph.orders.queries import Query as OrdersQuery
from graph.services.queries import Query as ServicesQuery
from graph.tickets.queries import Query as TicketsQuery

__all__ = ["MODULE_QUERIES"]

#: In the contract's order (modules.graphql).
MODULE_QUERIES: tuple[type, ...] = (
    ServicesQuery,
    InvoicesQuery,
    OrdersQuery,
    TicketsQuery,
    DomainsQuery,
)

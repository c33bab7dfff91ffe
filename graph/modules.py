"""The API's modules, merged into one Query and one Mutation.

Each module (graph/clients/, graph/links/, ...) writes its fields on small classes of its own
(`@strawberry.type class ServiceQuery: ...`); the schema is their union. Adding a module is its
import here and one line in QUERIES (and in MUTATIONS when it writes; docs/architecture.md, "Add a
module"). Append: the order here is the order of the fields in schema.graphql, which only grows.
Two classes that define one field name fail at import.
"""

from __future__ import annotations

from collections.abc import Sequence

import strawberry
from strawberry.types.base import get_object_definition

from graph.clients.mutations import ClientMutation
from graph.clients.queries import LocalClientQuery, WhmcsClientQuery
from graph.connection.queries import ConnectionQuery
from graph.domains.queries import Query as DomainsQuery
from graph.invoices.queries import Query as InvoicesQuery
from graph.links.mutations import UnlinkMutation
from graph.links.queries import SyncStatusQuery
from graph.onboarding.mutations import OnboardingMutation
from graph.onboarding.queries import OnboardingQuery
from graph.orders.queries import Query as OrdersQuery
from graph.reports.queries import StatsQuery, SyncLogQuery
from graph.services.queries import Query as ServicesQuery
from graph.tickets.queries import Query as TicketsQuery

QUERIES: tuple[type, ...] = (
    ConnectionQuery,
    SyncStatusQuery,
    WhmcsClientQuery,
    SyncLogQuery,
    StatsQuery,
    LocalClientQuery,
    # The module reads, in the modules contract's order (modules.graphql).
    ServicesQuery,
    InvoicesQuery,
    OrdersQuery,
    TicketsQuery,
    DomainsQuery,
    OnboardingQuery,  # startReconcile's job: reconcileJob
)

MUTATIONS: tuple[type, ...] = (
    ClientMutation,
    UnlinkMutation,
    OnboardingMutation,  # startReconcile
)


def field_names(part: type) -> list[str]:
    definition = get_object_definition(part, strict=True)
    return [field.python_name for field in definition.fields]


def merge(name: str, parts: Sequence[type]) -> type:
    """One strawberry type with every field of `parts`, in their order."""
    seen: dict[str, str] = {}
    for part in parts:
        for field in field_names(part):
            if field in seen:
                raise TypeError(f"{name}.{field} is defined by {seen[field]} and {part.__name__}")
            seen[field] = part.__name__
    return strawberry.type(type(name, tuple(parts), {}))  # fields base by base, in order


Query = merge("Query", QUERIES)
Mutation = merge("Mutation", MUTATIONS)

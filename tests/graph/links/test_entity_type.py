"""The errors that name a record say which kind it is (entityType), end to end."""

from __future__ import annotations

from tests.conftest import Api
from tests.graph.conftest import CreateClient

UNLINK = """
mutation Unlink($id: ID!) {
  unlink(localId: $id) { __typename ... on NotLinkedError { code localId entityType } }
}
"""

PUSH = """
mutation Push($id: ID!) {
  pushClient(clientId: $id) {
    __typename
    ... on PushClientSuccess { whmcsId }
    ... on AlreadyLinkedError { code localId linkedWhmcsId: whmcsId entityType }
  }
}
"""


async def test_not_linked_names_the_entity_type(api: Api, create_client: CreateClient) -> None:
    client_id = await create_client()

    data = await api.gql(UNLINK, {"id": client_id})

    assert data["unlink"] == {
        "__typename": "NotLinkedError",
        "code": "NOT_LINKED",
        "localId": client_id,
        "entityType": "CLIENT",
    }


async def test_already_linked_names_the_entity_type(api: Api, create_client: CreateClient) -> None:
    client_id = await create_client()
    first = await api.gql(PUSH, {"id": client_id})
    assert first["pushClient"]["__typename"] == "PushClientSuccess", first

    again = await api.gql(PUSH, {"id": client_id})

    assert again["pushClient"] == {
        "__typename": "AlreadyLinkedError",
        "code": "ALREADY_LINKED",
        "localId": client_id,
        "linkedWhmcsId": first["pushClient"]["whmcsId"],
        "entityType": "CLIENT",
    }

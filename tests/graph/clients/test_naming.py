"""One naming rule (issue 11, item 6): local fields by their GraphQL names (camelCase), WHMCS
fields by WHMCS's names, each said in the field's description. End to end, against the sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import build_schema

from integrations.whmcs.sandbox import Fault
from tests.conftest import Api
from tests.graph.conftest import CreateClient
from tests.graph.documents import CREATE_LOCAL, PULL, PUSH, UPDATE, UPDATE_LOCAL

LIAM = 7  # seeded: Liam O'Brien, phone 021 555 0198, no company
CONFLICT = """
mutation Update($id: ID!) {
  updateClient(clientId: $id) {
    __typename ... on ConflictError { diffs { field localField local whmcs base } }
  }
}
"""


async def _pushed(api: Api, create_client: CreateClient) -> tuple[str, int]:
    client_id = await create_client()
    pushed = (await api.gql(PUSH, {"id": client_id}))["pushClient"]
    assert pushed["__typename"] == "PushClientSuccess", pushed
    return client_id, int(pushed["whmcsId"])


async def _patch(api: Api, client_id: str, **fields: str | None) -> None:
    result = (await api.gql(UPDATE_LOCAL, {"id": client_id, "input": fields}))["updateLocalClient"]
    assert result["__typename"] == "Client", result


async def test_pull_names_local_fields_by_their_graphql_names(
    api: Api, create_client: CreateClient
) -> None:
    target = await create_client()  # has a company and a Madrid address; Liam has neither

    result = (await api.gql(PULL, {"whmcsId": str(LIAM), "localId": target}))["pullClient"]

    assert result["__typename"] == "PullClientSuccess"
    assert result["changedFields"] == [
        "address1",
        "city",
        "companyName",
        "country",
        "email",
        "firstName",
        "lastName",
        "phoneNumber",
        "postcode",
        "state",
    ]


async def test_update_names_whmcs_fields_by_whmcs_names(
    api: Api, create_client: CreateClient
) -> None:
    client_id, _ = await _pushed(api, create_client)
    await _patch(api, client_id, companyName="Ruiz SA", phoneNumber="+34 600 999 888")

    result = (await api.gql(UPDATE, {"id": client_id}))["updateClient"]

    assert result["changedFields"] == ["companyname", "phonenumber"]


async def test_a_conflict_names_the_whmcs_field_and_the_local_field(
    api: Api, create_client: CreateClient
) -> None:
    client_id, whmcs_id = await _pushed(api, create_client)
    await _patch(api, client_id, phoneNumber="+34 600 999 888")
    api.sandbox.state.update_client(whmcs_id, phonenumber="+34 911 000 000")

    result = (await api.gql(CONFLICT, {"id": client_id}))["updateClient"]

    assert result["diffs"] == [
        {
            "field": "phonenumber",
            "localField": "phoneNumber",
            "local": "+34 600 999 888",
            "whmcs": "+34 911 000 000",
            "base": "+34 600 111 222",
        }
    ]


async def test_validation_errors_name_local_fields_by_their_graphql_names(
    api: Api, create_client: CreateClient
) -> None:
    bad_input = {
        "firstName": "Ana",
        "lastName": "Ruiz",
        "email": "ana@example.org",
        "companyName": "x" * 300,
        "phoneNumber": "call me",
    }
    created = (await api.gql(CREATE_LOCAL, {"input": bad_input}))["createLocalClient"]
    missing_id = await create_client(phoneNumber=None, address1=None)
    missing = (await api.gql(PUSH, {"id": missing_id}))["pushClient"]
    refused_id = await create_client(email="refused@example.org")
    api.sandbox.state.faults.push(
        Fault("error", action="AddClient", message="Invalid telephone phone number")
    )
    refused = (await api.gql(PUSH, {"id": refused_id}))["pushClient"]
    api.sandbox.state.update_client(LIAM, phonenumber="12")  # too few digits to store locally
    pulled = (await api.gql(PULL, {"whmcsId": str(LIAM)}))["pullClient"]

    assert [f["field"] for f in created["fields"]] == ["companyName", "phoneNumber"]
    assert [f["field"] for f in missing["fields"]] == ["phoneNumber", "address1"]
    assert [f["field"] for f in refused["fields"]] == ["phoneNumber"]
    assert [f["field"] for f in pulled["fields"]] == ["phoneNumber"]


def test_each_field_name_list_says_which_names_it_uses() -> None:
    schema = build_schema(
        (Path(__file__).resolve().parents[3] / "schema.graphql").read_text(encoding="utf-8")
    )

    def described(type_name: str, field: str) -> str:
        return schema.type_map[type_name].fields[field].description or ""  # type: ignore[union-attr]

    assert "GraphQL name" in described("PullClientSuccess", "changedFields")
    assert "WHMCS's names" in described("UpdateClientSuccess", "changedFields")
    assert "WHMCS's name" in described("FieldDiff", "field")
    assert "GraphQL name" in described("FieldDiff", "localField")
    assert "GraphQL name" in described("FieldError", "field")


@pytest.mark.parametrize("fragment", ["Links in ERROR", "Not log entries"])
def test_total_errors_says_what_it_counts(fragment: str) -> None:
    schema = build_schema(
        (Path(__file__).resolve().parents[3] / "schema.graphql").read_text(encoding="utf-8")
    )
    description = schema.type_map["SyncStats"].fields["totalErrors"].description  # type: ignore[union-attr]

    assert fragment in (description or "")


async def test_total_errors_counts_links_in_error_not_log_entries(
    api: Api, create_client: CreateClient
) -> None:
    api.sandbox.state.faults.push(Fault("auth_failed"))
    await api.gql("query { whmcsClients { __typename } }")  # a failed call: an ERROR log entry
    await api.gql(UPDATE, {"id": "4040"})  # a failed operation: an ERROR log entry, no link
    refused = await create_client()
    api.sandbox.state.faults.push(Fault("error", action="AddClient", message="Not today"))
    pushed = (await api.gql(PUSH, {"id": refused}))["pushClient"]  # the link ends in ERROR

    data = await api.gql(STATS_AND_ERRORS, {"id": refused})

    assert pushed["code"] == "WHMCS_REJECTED"
    assert data["syncLogs"]["total"] == 3
    assert data["stats"]["totalErrors"] == 1
    assert data["syncStatus"]["status"] == "ERROR"


STATS_AND_ERRORS = """
query Counts($id: ID!) {
  stats { totalErrors }
  syncLogs(filter: { status: ERROR }) { total }
  syncStatus(localId: $id) { __typename ... on SyncState { status } }
}
"""

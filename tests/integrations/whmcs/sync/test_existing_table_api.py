"""The API over an application's Laravel `customers` table, end to end against the sandbox.

The local-client queries and mutations, push, update (and its conflict), pull, link, unlink,
syncStatus and the audit log, on SQLite, PostgreSQL and MariaDB, with the table in its own
database (`[client.table] database_url`). Every statement sent on that database's connection
is recorded: none is DDL, and the table's schema is the same at the end.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

import models
from tests.conftest import Api, running_app
from tests.graph.documents import (
    CLIENT,
    CLIENTS,
    COMPLETE_CLIENT,
    CREATE_LOCAL,
    DELETE_LOCAL,
    LINK,
    PULL,
    PUSH,
    SYNC_LOGS,
    SYNC_STATUS,
    UNLINK,
    UPDATE,
    UPDATE_LOCAL,
)
from tests.integrations.whmcs.sync.conftest import AppTable
from tests.support.laravel_table import MAPPING, SqlRecorder, schema_of

LIAM = 7  # seeded in the sandbox: Liam O'Brien, liam.obrien@example.ie
BIG = 2**40 + 3  # an application's bigint id: no 32-bit column holds it


@pytest.fixture
async def table_api(app_table: AppTable, tmp_path: Path) -> AsyncIterator[tuple[Api, AppTable]]:
    mapping_file = tmp_path / "field-mapping.toml"
    mapping_file.write_text(
        MAPPING.format(database_url=f'database_url = "{app_table.url}"'), encoding="utf-8"
    )
    env = {"WHMCS_API_TIMEOUT": "2", "WHMCS_FIELD_MAPPING_FILE": str(mapping_file)}
    async with running_app(env) as api:
        yield api, app_table


async def _row(table: AppTable, local_id: int) -> dict[str, Any]:
    rows = await table.client.execute_query_dict(
        f"SELECT * FROM customers WHERE id = {table.p()}", [local_id]
    )
    assert len(rows) == 1, rows
    return dict(rows[0])


async def test_every_client_operation_on_the_applications_table(
    table_api: tuple[Api, AppTable],
) -> None:
    api, table = table_api
    recorder = SqlRecorder()
    with recorder.on(table.client):
        # createLocalClient: a row of the application's table, the id its own.
        created = (await api.gql(CREATE_LOCAL, {"input": COMPLETE_CLIENT}))["createLocalClient"]
        assert created["__typename"] == "Client", created
        ana = int(created["id"])
        row = await _row(table, ana)
        assert (row["client_name"], row["client_lastname"], row["town"], row["zip"]) == (
            "Ana",
            "Ruiz",
            "Madrid",
            "28013",
        )
        assert row["created_at"] is not None
        assert await models.Client.all().count() == 0  # the built-in table is not used

        # A value the column cannot hold: a ValidationError naming the column.
        long_zip = {**COMPLETE_CLIENT, "email": "x@example.org", "postcode": "1" * 11}
        refused = (await api.gql(CREATE_LOCAL, {"input": long_zip}))["createLocalClient"]
        assert refused["__typename"] == "ValidationError"
        assert refused["fields"] == [
            {"field": "postcode", "message": "customers.zip holds at most 10 characters."}
        ]

        # updateLocalClient, clients, client.
        patched = await api.gql(UPDATE_LOCAL, {"id": str(ana), "input": {"city": "Toledo"}})
        assert patched["updateLocalClient"]["city"] == "Toledo"
        assert (await _row(table, ana))["town"] == "Toledo"
        listed = (await api.gql(CLIENTS, {"search": "ruiz"}))["clients"]
        assert [(c["id"], c["sync"]["synced"]) for c in listed["items"]] == [(str(ana), False)]
        assert (await api.gql(CLIENT, {"id": str(ana)}))["client"]["firstName"] == "Ana"
        assert (await api.gql(CLIENT, {"id": "not-an-id"}))["client"] is None

        # pushClient: WHMCS gets the mapped columns; the link holds the table's id.
        pushed = (await api.gql(PUSH, {"id": str(ana)}))["pushClient"]
        assert pushed["__typename"] == "PushClientSuccess", pushed
        whmcs_id = int(pushed["whmcsId"])
        sent = api.sandbox.state.calls_for("AddClient")[0]
        assert (sent["firstname"], sent["city"], sent["postcode"]) == ("Ana", "Toledo", "28013")
        assert "address2" not in sent  # not mapped: never synced
        link = await models.SyncMap.get(entity_type="CLIENT", local_id=ana)
        assert link.whmcs_id == whmcs_id

        # The application changes its row; updateClient sends the change.
        await table.client.execute_query(
            f"UPDATE customers SET phone = {table.p()} WHERE id = {table.p(2)}",
            ["+34 600 999 999", ana],
        )
        updated = (await api.gql(UPDATE, {"id": str(ana)}))["updateClient"]
        assert updated["__typename"] == "UpdateClientSuccess", updated
        assert updated["changedFields"] == ["phonenumber"]
        assert api.sandbox.state.get_client(whmcs_id).phonenumber == "+34 600 999 999"

        # A change on both sides: a conflict, nothing written.
        await api.gql(UPDATE_LOCAL, {"id": str(ana), "input": {"city": "Cuenca"}})
        api.sandbox.state.update_client(whmcs_id, city="Valencia")
        conflict = (await api.gql(UPDATE, {"id": str(ana)}))["updateClient"]
        assert conflict["__typename"] == "ConflictError"
        assert (await _row(table, ana))["town"] == "Cuenca"

        # pullClient of a WHMCS client: a new row of the application's table.
        pulled = (await api.gql(PULL, {"whmcsId": str(LIAM)}))["pullClient"]
        assert pulled["__typename"] == "PullClientSuccess", pulled
        assert pulled["operation"] == "CREATED"
        liam = int(pulled["client"]["id"])
        liam_row = await _row(table, liam)
        assert (liam_row["client_name"], liam_row["email"], liam_row["country_code"]) == (
            "Liam",
            "liam.obrien@example.ie",
            "IE",
        )

        # A row the application wrote with a bigint id: linked, its status, unlinked.
        await table.insert(id=BIG, client_name="Eva", client_lastname="Soto", email="eva@x.org")
        linked = (await api.gql(LINK, {"id": str(BIG), "whmcsId": "8"}))["linkClient"]
        assert linked["__typename"] == "LinkClientSuccess", linked
        assert linked["client"]["sync"]["localId"] == str(BIG)
        status = (await api.gql(SYNC_STATUS, {"id": str(BIG)}))["syncStatus"]
        assert (status["synced"], status["whmcsId"]) == (True, "8")
        assert (await models.SyncMap.get(whmcs_id=8)).local_id == BIG
        unlinked = (await api.gql(UNLINK, {"id": str(BIG)}))["unlink"]
        assert unlinked == {
            "__typename": "UnlinkSuccess",
            "entityType": "CLIENT",
            "localId": str(BIG),
            "whmcsId": "8",
        }

        # The audit log names the application's ids.
        logs = (await api.gql(SYNC_LOGS, {"filter": {"localId": str(BIG)}}))["syncLogs"]
        assert {i["operation"] for i in logs["items"]} >= {"LINK", "UNLINK"}
        assert {i["localId"] for i in logs["items"]} == {str(BIG)}

        # deleteLocalClient: the row and its link go; WHMCS keeps its client.
        deleted = (await api.gql(DELETE_LOCAL, {"id": str(liam)}))["deleteLocalClient"]
        assert deleted["__typename"] == "DeleteLocalClientSuccess", deleted
        assert [int(r["id"]) for r in await table.rows()] == [ana, BIG]
        assert not await models.SyncMap.exists(entity_type="CLIENT", local_id=liam)

    assert recorder.statements
    assert recorder.ddl() == []
    assert await schema_of(table.client) == table.schema_before

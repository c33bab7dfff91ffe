"""README "Using your application's clients table": its mapping file, as printed, runs.

The TOML block of that section is written to a file (with the test's `database_url` added) and
the API runs on it over a Laravel `customers` table, on every engine.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import models
from tests.conftest import running_app
from tests.graph.documents import COMPLETE_CLIENT, CREATE_LOCAL, PULL
from tests.integrations.whmcs.sync.conftest import AppTable

README = Path(__file__).resolve().parents[4] / "README.md"
SECTION = "## Using your application's clients table"
LIAM = 7  # seeded in the sandbox: Liam O'Brien


def readme_mapping() -> str:
    text = README.read_text(encoding="utf-8")
    section = text[text.index(SECTION) :]
    match = re.search(r"```toml\n(.*?)```", section, re.S)
    assert match is not None, "the section shows its mapping file"
    return match.group(1)


def test_the_readme_mapping_is_valid_as_printed() -> None:
    document = tomllib.loads(readme_mapping())

    assert document["client"]["table"] == {"name": "customers", "id": "id"}


async def test_the_readme_mapping_runs_on_a_laravel_table(
    app_table: AppTable, tmp_path: Path
) -> None:
    mapping = readme_mapping().replace(
        'id = "id"', f'id = "id"\ndatabase_url = "{app_table.url}"', 1
    )
    path = tmp_path / "field-mapping.toml"
    path.write_text(mapping, encoding="utf-8")
    env = {"WHMCS_API_TIMEOUT": "2", "WHMCS_FIELD_MAPPING_FILE": str(path)}

    async with running_app(env) as api:
        created = (await api.gql(CREATE_LOCAL, {"input": COMPLETE_CLIENT}))["createLocalClient"]
        await app_table.insert(
            client_name="Liam",
            client_lastname="O",
            email="LIAM.OBRIEN@example.ie",
            phone="555 12345",
        )
        pulled = (await api.gql(PULL, {"whmcsId": str(LIAM)}))["pullClient"]

    assert created["__typename"] == "Client", created
    assert pulled["__typename"] == "PullClientSuccess", pulled
    assert pulled["operation"] == "UPDATED"  # the application's row with that e-mail
    rows = {r["email"].lower(): r for r in await app_table.rows()}
    assert rows["ana.ruiz@example.org"]["street"] == "Calle Mayor 1"
    liam = rows["liam.obrien@example.ie"]
    assert (liam["client_name"], liam["town"]) == ("Liam", "Cork")
    assert liam["phone"] == "555 12345"  # push only: a pull never overwrites it
    assert liam["created_at"] is None  # the application's own row: created_at is its business
    assert liam["updated_at"] is not None  # changed by the bridge
    assert await models.SyncMap.exists(local_id=int(liam["id"]), whmcs_id=LIAM)

"""The gate in front of /graphql and the schema guards: each rule, and what it refuses."""

from __future__ import annotations

import datetime
import os
from typing import Any

import pytest

import models
from tests.conftest import Api, running_app
from tests.graph.documents import COMPLETE_CLIENT, CREATE_LOCAL, STATS
from whmcs_bridge.maintenance import erase_person, purge_logs
from whmcs_bridge.tokens import create_token

STRICT = {"DEMO_ALLOW_ANONYMOUS": "false"}  # the sandbox, but with tokens required as in production


async def _post(api: Api, body: Any, **headers: str) -> Any:
    return await api.http.post("/graphql", json=body, headers=headers)


@pytest.mark.parametrize("settings_env", [STRICT], indirect=True)
@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wbt_not-a-real-token", "Basic dXNlcjpwYXNz", "Bearer ", "wbt_no-scheme"],
)
async def test_missing_or_unknown_token_is_401(api: Api, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}

    response = await _post(api, {"query": "{ stats { totalSynced } }"}, **headers)

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert response.json()["data"] is None


@pytest.mark.parametrize("settings_env", [STRICT], indirect=True)
async def test_read_token_queries_but_may_not_mutate(api: Api) -> None:
    reader = await create_token("reader", models.TokenScope.READ)

    query = await api.raw(STATS, Authorization=f"Bearer {reader}")
    mutation = await api.raw(
        CREATE_LOCAL, {"input": COMPLETE_CLIENT}, Authorization=f"Bearer {reader}"
    )

    assert query["data"]["stats"]["totalSynced"] == 0
    assert mutation["data"] is None
    assert mutation["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await models.Client.all().count() == 0  # nothing ran


@pytest.mark.parametrize("settings_env", [STRICT], indirect=True)
async def test_write_token_mutates_and_is_the_audit_actor(api: Api) -> None:
    writer = await create_token("billing-app", models.TokenScope.WRITE)
    auth = {"Authorization": f"Bearer {writer}"}
    created = await api.gql(CREATE_LOCAL, {"input": COMPLETE_CLIENT}, **auth)
    client_id = created["createLocalClient"]["id"]

    pushed = await api.gql(
        "mutation($id: ID!) { pushClient(clientId: $id) { __typename } }", {"id": client_id}, **auth
    )

    assert pushed["pushClient"]["__typename"] == "PushClientSuccess"
    actors = set(await models.SyncLog.all().values_list("actor", flat=True))
    assert actors == {"billing-app"}
    token_row = await models.ApiToken.get(name="billing-app")
    assert token_row.last_used_at is not None
    assert writer not in repr(await models.ApiToken.all().values())  # only a digest is stored


async def test_the_demo_accepts_anonymous_requests_but_checks_a_given_token(api: Api) -> None:
    anonymous = await _post(api, {"query": "{ stats { totalSynced } }"})
    wrong = await _post(
        api, {"query": "{ stats { totalSynced } }"}, Authorization="Bearer wbt_wrong"
    )

    assert anonymous.status_code == 200
    assert wrong.status_code == 401


async def test_a_server_outside_the_demo_refuses_to_start_without_tokens(db: str) -> None:
    from whmcs_bridge.app import NoTokensError, create_app
    from whmcs_bridge.settings import Settings

    settings = Settings.from_env(
        {
            "WHMCS_API_URL": "https://billing.example.com",
            "WHMCS_API_IDENTIFIER": "ident",
            "WHMCS_API_SECRET": "secret-value",
        },
        env_file=None,
    )
    app = create_app(settings, manage_database=False)

    with pytest.raises(NoTokensError, match="tokens create"):
        async with app.router.lifespan_context(app):
            pass


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "{ clients { items { sync { entityType } } } " + "a1: stats { totalSynced } " * 0 + "}",
            None,
        ),
        (
            "{ " + " ".join(f"a{n}: stats {{ totalSynced }}" for n in range(16)) + " }",
            "16 aliases found. Allowed: 15",
        ),
        ("{ stats { totalSynced " + "totalSynced " * 2000 + "} }", "more than 2000 tokens"),
    ],
    ids=["within-limits", "aliases", "tokens"],
)
async def test_document_limits(api: Api, query: str, message: str | None) -> None:
    body = await api.raw(query)

    if message is None:
        assert "errors" not in body
    else:
        assert message.lower() in body["errors"][0]["message"].lower()
        assert body["data"] is None


@pytest.mark.parametrize("settings_env", [{"GRAPHQL_MAX_DEPTH": "3"}], indirect=True)
async def test_depth_limit(api: Api) -> None:
    shallow = await api.raw("{ clients { items { sync { whmcsId } } } }")
    deep = await api.raw(
        "{ whmcsClients { ... on WhmcsClientPage { items { localClient { sync { whmcsId } } } } } }"
    )

    assert "errors" not in shallow
    assert "exceeds maximum operation depth of 3" in deep["errors"][0]["message"]


@pytest.mark.parametrize("settings_env", [{"GRAPHQL_MAX_BODY_BYTES": "2000"}], indirect=True)
async def test_body_over_the_limit_is_413(api: Api) -> None:
    big = {"query": "{ stats { totalSynced } }", "variables": {"pad": "x" * 3000}}

    declared = await _post(api, big)
    streamed = await api.http.post(
        "/graphql",
        content=_chunks(b'{"query": "{ stats { totalSynced } }", "pad": "' + b"x" * 3000 + b'"}'),
        headers={"content-type": "application/json"},
    )

    for response in (declared, streamed):
        assert response.status_code == 413
        assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


async def _chunks(data: bytes) -> Any:
    for start in range(0, len(data), 500):
        yield data[start : start + 500]


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", "query=%7Bstats%7BtotalSynced%7D%7D"),
        ("multipart/form-data; boundary=x", '--x\r\nContent-Disposition: form-data; name="q"\r\n'),
        ("text/plain", '{"query": "{ stats { totalSynced } }"}'),
        ("", '{"query": "{ stats { totalSynced } }"}'),
    ],
)
async def test_csrf_prone_content_types_are_refused(api: Api, content_type: str, body: str) -> None:
    response = await api.http.post("/graphql", content=body, headers={"content-type": content_type})

    assert response.status_code == 415
    assert response.json()["errors"][0]["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
    assert await models.SyncLog.all().count() == 0


async def test_no_mutation_over_get(api: Api) -> None:
    created = await api.gql(CREATE_LOCAL, {"input": COMPLETE_CLIENT})
    client_id = created["createLocalClient"]["id"]
    mutation = f'mutation {{ deleteLocalClient(id: "{client_id}") {{ __typename }} }}'

    response = await api.http.get("/graphql", params={"query": mutation})
    query = await api.http.get("/graphql", params={"query": "{ stats { totalSynced } }"})

    assert response.status_code == 400
    assert "mutations are not allowed when using GET" in response.text
    assert await models.Client.exists(id=int(client_id))  # nothing ran
    assert query.status_code == 200


@pytest.mark.parametrize("settings_env", [{"CORS_ORIGINS": "http://localhost:4200"}], indirect=True)
async def test_cors_allows_the_listed_origin_only(api: Api) -> None:
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }

    allowed = await api.http.options(
        "/graphql", headers={"Origin": "http://localhost:4200", **preflight}
    )
    refused = await api.http.options(
        "/graphql", headers={"Origin": "https://evil.example", **preflight}
    )
    simple = await _post(api, {"query": "{ stats { totalSynced } }"}, Origin="https://evil.example")

    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "http://localhost:4200"
    assert "access-control-allow-credentials" not in allowed.headers  # no cookies are used
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers
    assert "access-control-allow-origin" not in simple.headers


@pytest.mark.parametrize(
    "settings_env", [{**STRICT, "API_RATE_LIMIT_PER_MINUTE": "3"}], indirect=True
)
async def test_rate_limit_per_token_is_429_with_retry_after(api: Api) -> None:
    other = await create_token("other-app", models.TokenScope.READ)
    query = {"query": "{ stats { totalSynced } }"}
    auth = {"Authorization": f"Bearer {api.token}"}

    answers = [await _post(api, query, **auth) for _ in range(4)]
    other_answer = await _post(api, query, Authorization=f"Bearer {other}")

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    limited = answers[-1]
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert limited.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert other_answer.status_code == 200  # a budget per token


@pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="TEST_REDIS_URL is not set")
async def test_rate_limit_is_shared_through_redis(db: str) -> None:
    env = {
        **STRICT,
        "API_RATE_LIMIT_PER_MINUTE": "2",
        "REDIS_URL": os.environ["TEST_REDIS_URL"],
    }
    query = {"query": "{ stats { totalSynced } }"}
    async with running_app(env) as first, running_app(env) as second:
        token = await create_token(f"shared-{os.getpid()}-{id(first)}", models.TokenScope.READ)
        auth = {"Authorization": f"Bearer {token}"}
        codes = [
            (await _post(first, query, **auth)).status_code,
            (await _post(second, query, **auth)).status_code,
            (await _post(first, query, **auth)).status_code,
        ]

    assert codes == [200, 200, 429]  # two instances, one budget


@pytest.mark.parametrize(
    "settings_env", [{"GRAPHQL_INTROSPECTION": "false", "GRAPHQL_IDE": "false"}], indirect=True
)
async def test_introspection_and_graphiql_can_be_switched_off(api: Api) -> None:
    introspection = await api.raw("{ __schema { queryType { name } } }")
    ide = await api.http.get("/graphql", headers={"Accept": "text/html"})

    assert "introspection has been disabled" in introspection["errors"][0]["message"].lower()
    assert "GraphiQL" not in ide.text
    assert (await api.raw(STATS))["data"]["stats"]["totalSynced"] == 0


async def test_graphiql_page_is_served_by_default(api: Api) -> None:
    page = await api.http.get("/graphql", headers={"Accept": "text/html"})

    assert page.status_code == 200
    assert "graphiql" in page.text.lower()


async def test_purge_deletes_only_old_entries(db: str) -> None:
    now = datetime.datetime.now(datetime.UTC)
    for age in (1, 29, 31, 400):
        row = await models.SyncLog.create(
            operation=models.SyncOperation.LIST,
            status=models.LogStatus.SUCCESS,
            correlation_id=f"age-{age}",
        )
        created = now - datetime.timedelta(days=age)
        await models.SyncLog.filter(id=row.id).update(created_at=created)

    deleted = await purge_logs(30, now=now)

    assert deleted == 2
    kept = await models.SyncLog.all().values_list("correlation_id", flat=True)
    assert sorted(kept) == ["age-1", "age-29"]


async def test_erase_scrubs_one_persons_data_and_keeps_the_trace(db: str) -> None:
    common = {"operation": models.SyncOperation.PUSH, "status": models.LogStatus.SUCCESS}
    mine = await models.SyncLog.create(
        **common,
        entity_type=models.EntityType.CLIENT,
        local_id=7,
        correlation_id="mine",
        request_data={"email": "ana@example.org"},
        response_data={"clientid": "42"},
    )
    by_whmcs = await models.SyncLog.create(
        **common,
        entity_type=models.EntityType.CLIENT,
        whmcs_id=42,
        correlation_id="w",
        request_data={"firstname": "Ana"},
    )
    other = await models.SyncLog.create(
        **common,
        entity_type=models.EntityType.CLIENT,
        local_id=8,
        correlation_id="other",
        request_data={"email": "bob@example.org"},
    )

    changed = await erase_person(local_id=7, whmcs_id=42)

    assert changed == 2
    for row_id in (mine.id, by_whmcs.id):
        row = await models.SyncLog.get(id=row_id)
        assert (row.request_data, row.response_data) == (None, None)
        assert row.operation == models.SyncOperation.PUSH  # the trace stays
    assert (await models.SyncLog.get(id=other.id)).request_data == {"email": "bob@example.org"}

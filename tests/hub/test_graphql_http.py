"""/graphql over HTTP: methods, media types, status codes and error codes (GraphQL over HTTP)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_engine
from tests.graphql import hub_app

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
TYPENAME = {"query": "{ __typename }"}


@pytest.fixture
async def client(demo_engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=hub_app(demo_engine)), base_url="http://hub"
    ) as c:
        yield c


async def _post(
    client: httpx.AsyncClient, body: Any, accept: str = JSON, **headers: str
) -> httpx.Response:
    return await client.post("/graphql", json=body, headers={"accept": accept, **headers})


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (JSON, JSON),
        ("*/*", JSON),
        ("", JSON),
        (f"{GRAPHQL_RESPONSE}, {JSON};q=0.9", GRAPHQL_RESPONSE),
    ],
)
async def test_media_type_follows_accept(
    client: httpx.AsyncClient, accept: str, media_type: str
) -> None:
    response = await _post(client, TYPENAME, accept)
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{media_type}; charset=utf-8"
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_unacceptable_media_type_is_406(client: httpx.AsyncClient) -> None:
    assert (await _post(client, TYPENAME, "text/csv")).status_code == 406


async def test_get_runs_queries_with_json_variables(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/graphql",
        params={
            "query": "query D($code: String!) { division(code: $code) { name } }",
            "variables": '{"code": "620623"}',
        },
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"division": {"name": "天祝藏族自治县"}}}


async def test_get_refuses_mutations(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/graphql",
        params={"query": "mutation { __typename }"},
        headers={"accept": GRAPHQL_RESPONSE},
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_post_needs_json_content_type(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql",
        content=b"query=%7B__typename%7D",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 415
    assert (await client.post("/graphql")).status_code == 415


@pytest.mark.parametrize(
    "body",
    [
        b'{ "not a JSON',
        b"",
        b'["a list"]',
        b'{"qeury": "{ __typename }"}',
        b'{"query": 0}',
        b'{"query": "{ __typename }", "variables": "x"}',
        b'{"query": "{ __typename }", "operationName": 1}',
        b'{"query": "{ __typename }", "extensions": []}',
    ],
    ids=[
        "broken-json",
        "empty",
        "not-an-object",
        "no-query",
        "query-not-string",
        "variables-not-map",
        "operation-name-not-string",
        "extensions-not-map",
    ],
)
async def test_bad_requests(client: httpx.AsyncClient, body: bytes) -> None:
    modern = await client.post(
        "/graphql", content=body, headers={"content-type": JSON, "accept": GRAPHQL_RESPONSE}
    )
    assert modern.status_code == 400
    assert "data" not in modern.json()
    assert modern.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    legacy = await client.post(
        "/graphql", content=body, headers={"content-type": JSON, "accept": JSON}
    )
    assert legacy.status_code == 400
    assert legacy.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"query": "{"}, "Syntax Error"),
        ({"query": "{ noSuchField }"}, "noSuchField"),
        (
            {
                "query": "query D($c: String!) { division(code: $c) { name } }",
                "variables": {"c": 522601},
            },
            "$c",
        ),
        ({"query": "query D($c: String!) { division(code: $c) { name } }"}, "$c"),
    ],
    ids=["syntax", "unknown-field", "wrong-variable-type", "missing-variable"],
)
async def test_documents_that_cannot_run(
    client: httpx.AsyncClient, body: dict[str, Any], fragment: str
) -> None:
    modern = await _post(client, body, GRAPHQL_RESPONSE)
    assert modern.status_code == 400
    assert "data" not in modern.json()
    error = modern.json()["errors"][0]
    assert fragment in error["message"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert (await _post(client, body, JSON)).status_code == 200


@pytest.mark.parametrize(
    ("query", "code", "fragment"),
    [
        ('{ node(id: "bm90LWFuLWlk") { id } }', "BAD_USER_INPUT", "not a valid id"),
        ('{ node(id: "%%%") { id } }', "BAD_USER_INPUT", "not a valid id"),
        ('{ division(code: "5226") { name } }', "BAD_USER_INPUT", "not a division code"),
        (
            '{ sites(filter: {divisionCode: "abc"}) { totalCount } }',
            "BAD_USER_INPUT",
            "not a division code",
        ),
        ("{ sites(first: 101) { totalCount } }", "BAD_USER_INPUT", "at most 100"),
        ("{ sites(first: -1) { totalCount } }", "BAD_USER_INPUT", "negative"),
        ('{ sites(after: "bm9wZQ") { totalCount } }', "BAD_USER_INPUT", "not a cursor"),
        ('{ center(divisionCode: "522601", id: "x") { name } }', "BAD_USER_INPUT", "exactly one"),
        (
            '{ teams(filter: {platformId: "VGVhbTox"}) { totalCount } }',
            "BAD_USER_INPUT",
            "not the id of a Platform",
        ),
    ],
    ids=[
        "unknown-type-id",
        "garbage-id",
        "short-division",
        "letters-division",
        "first-over-cap",
        "negative-first",
        "foreign-cursor",
        "two-keys",
        "id-of-wrong-type",
    ],
)
async def test_bad_arguments_are_user_errors(
    client: httpx.AsyncClient, query: str, code: str, fragment: str
) -> None:
    response = await _post(client, {"query": query})
    assert response.status_code == 200
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == code
    assert fragment in error["message"]
    assert "Traceback" not in response.text


async def test_unknown_ids_are_null_not_errors(client: httpx.AsyncClient) -> None:
    from schema.relay import encode_global_id

    query = "query N($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    ids = [encode_global_id("Team", 999_999), encode_global_id("Division", "999999")]
    response = await _post(client, {"query": query, "variables": {"ids": ids}})
    assert response.json() == {"data": {"nodes": [None, None]}}


async def test_too_complex_queries_are_refused_before_running(client: httpx.AsyncClient) -> None:
    query = (
        "{ centers(first: 100) { edges { node { institutes(first: 100) { edges { node {"
        " stations(first: 100) { edges { node { name } } } } } } } } } }"
    )
    response = await _post(client, {"query": query}, GRAPHQL_RESPONSE)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"


async def test_deep_queries_are_refused(client: httpx.AsyncClient) -> None:
    nested = "parent { " * 14 + "name" + " }" * 14
    response = await _post(client, {"query": f'{{ division(code: "522601") {{ {nested} }} }}'})
    assert response.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"


async def test_unknown_api_key_is_401(client: httpx.AsyncClient) -> None:
    for headers in ({"authorization": "Bearer nope"}, {"x-api-key": "nope"}):
        response = await client.post("/graphql", json=TYPENAME, headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_api_key_header_works_like_a_bearer_token(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", json={"query": "{ viewer { role } }"}, headers={"x-api-key": "admin-key"}
    )
    assert response.json() == {"data": {"viewer": {"role": "ADMIN"}}}


async def test_graphiql_is_served_to_browsers_outside_production(demo_engine: AsyncEngine) -> None:
    for production, expected in ((False, 200), (True, 406)):
        app = hub_app(demo_engine, production=production)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://hub"
        ) as c:
            response = await c.get("/graphql", headers={"accept": "text/html"})
        assert response.status_code == expected
        if expected == 200:
            assert "graphiql" in response.text.lower()


@pytest.mark.parametrize(
    ("place", "code"),
    [
        ("empty.sqlite3", "INTERNAL"),  # a database without the hub's tables
        ("no/such/hub.sqlite3", "UNAVAILABLE"),  # a database that cannot be opened
    ],
)
async def test_internal_failures_are_masked(
    tmp_path_factory: pytest.TempPathFactory, place: str, code: str
) -> None:
    folder = tmp_path_factory.mktemp("gone")
    (folder / "empty.sqlite3").touch()
    path = folder / place
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=hub_app(engine)), base_url="http://hub"
    ) as c:
        response = await c.post("/graphql", json={"query": "{ sites { totalCount } }"})
    await engine.dispose()
    assert response.status_code == 200
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": code}
    for leak in ("sqlite", "SELECT", "Traceback", str(path), "no such table"):
        assert leak not in response.text


async def test_cors_allows_configured_origins_only(demo_engine: AsyncEngine) -> None:
    app = hub_app(demo_engine, cors_origins=("https://kiosk.example",))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://hub"
    ) as c:
        allowed = await c.options(
            "/graphql",
            headers={"origin": "https://kiosk.example", "access-control-request-method": "POST"},
        )
        refused = await c.options(
            "/graphql",
            headers={"origin": "https://evil.example", "access-control-request-method": "POST"},
        )
    assert allowed.headers["access-control-allow-origin"] == "https://kiosk.example"
    assert "access-control-allow-origin" not in refused.headers


async def test_without_configured_origins_no_origin_is_allowed(demo_engine: AsyncEngine) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=hub_app(demo_engine)), base_url="http://hub"
    ) as c:
        preflight = await c.options(
            "/graphql",
            headers={"origin": "https://kiosk.example", "access-control-request-method": "POST"},
        )
        answer = await c.post(
            "/graphql",
            json={"query": "{ __typename }"},
            headers={"origin": "https://kiosk.example"},
        )
    assert preflight.status_code >= 400
    assert "access-control-allow-origin" not in preflight.headers
    assert answer.status_code == 200
    assert "access-control-allow-origin" not in answer.headers

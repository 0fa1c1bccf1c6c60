"""A hostile or careless client cannot freeze, flood or probe the hub: documents are
measured in bounded work, expensive fields are charged for their work, bodies, strings,
directives and errors are bounded, and production keeps its schema to itself."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from graphql import get_introspection_query, parse
from sqlalchemy.ext.asyncio import AsyncEngine

from schema import build_schema
from schema.limits import MAX_STRING, measure
from schema.relay import encode_global_id
from tests.graphql import hub_app

GRAPHQL_RESPONSE = "application/graphql-response+json"


def fragment_bomb(levels: int) -> str:
    """Each fragment spreads the next twice: 2**levels selections when written out."""
    fragments = " ".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    )
    return f"query {{ ...F0 }} {fragments} fragment F{levels} on Query {{ __typename }}"


def aliased_bomb(levels: int) -> str:
    """The same doubling, each level with an alias: 2**levels aliases written out."""
    fragments = " ".join(
        f"fragment F{i} on Query {{ a{i}: __typename ...F{i + 1} ...F{i + 1} }}"
        for i in range(levels)
    )
    return f"query {{ ...F0 }} {fragments} fragment F{levels} on Query {{ __typename }}"


def _selections(document: str) -> int:
    """Selections as written in the document (each fragment once)."""
    return document.count("...") + document.count("__typename") + document.count("{ ")


@pytest.fixture
async def client(demo_engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=hub_app(demo_engine, rate_limits={})),
        base_url="http://hub",
    ) as c:
        yield c


async def _errors(client: httpx.AsyncClient, query: str, **extra: Any) -> list[dict[str, Any]]:
    response = await client.post("/graphql", json={"query": query, **extra})
    assert response.status_code == 200, response.text
    errors: list[dict[str, Any]] = response.json().get("errors", [])
    return errors


@pytest.mark.parametrize("levels", [23, 90])
def test_a_fragment_bomb_is_measured_in_work_proportional_to_its_text(levels: int) -> None:
    document = fragment_bomb(levels)
    found = measure(build_schema()._schema, parse(document), None, introspection=False)
    assert found.visits <= 2 * (levels + 2)
    assert found.cost >= 2 ** min(levels, 39)


@pytest.mark.parametrize(
    ("document", "code"),
    [
        (fragment_bomb(23), "QUERY_TOO_COMPLEX"),
        (aliased_bomb(23), "QUERY_TOO_COMPLEX"),
        # The worst within the token limit: hundreds of fragments, each doubling.
        (fragment_bomb(450), "QUERY_TOO_COMPLEX"),
        # A chain of fragments deeper than any stack would bear, each spreading the next.
        (
            "query { ...F0 } "
            + " ".join(f"fragment F{i} on Query {{ ...F{i + 1} }}" for i in range(550))
            + " fragment F550 on Query { __typename }",
            "QUERY_TOO_COMPLEX",
        ),
    ],
)
async def test_fragment_bombs_are_refused(
    client: httpx.AsyncClient, document: str, code: str
) -> None:
    errors = await _errors(client, document)
    assert [error["extensions"]["code"] for error in errors] == [code]


async def test_cyclic_fragments_are_refused_by_validation(client: httpx.AsyncClient) -> None:
    errors = await _errors(
        client, "query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }"
    )
    assert errors
    assert all(error["extensions"]["code"] == "BAD_USER_INPUT" for error in errors)
    assert any("cycle" in error["message"] or "itself" in error["message"] for error in errors)


def _compare(alias: int, divisions: int, metrics: int) -> str:
    codes = ", ".join(f'"{522601 + i:06d}"' for i in range(divisions))
    names = ", ".join(f'"m{i}"' for i in range(metrics))
    return (
        f"c{alias}: compare(divisionCodes: [{codes}], metrics: [{names}], "
        'period: {name: "2026"}) { division { code } }'
    )


async def test_aliases_of_compare_are_charged_for_their_work(client: httpx.AsyncClient) -> None:
    document = "{ " + " ".join(_compare(i, 50, 20) for i in range(30)) + " }"
    errors = await _errors(client, document)
    assert [error["extensions"]["code"] for error in errors] == ["QUERY_TOO_COMPLEX"]
    assert "cost" in errors[0]["message"]


async def test_a_ranking_of_a_provinces_villages_by_a_big_index_over_days_is_refused(
    client: httpx.AsyncClient,
) -> None:
    weights = ", ".join(f'{{metric: "m{i}", weight: 1}}' for i in range(20))
    document = (
        '{ ranking(within: "520000", level: VILLAGE, index: [' + weights + "], "
        'period: {from: "2026-01-01", to: "2026-01-09"}) { period } }'
    )
    errors = await _errors(client, document)
    assert [error["extensions"]["code"] for error in errors] == ["QUERY_TOO_COMPLEX"]


async def test_variables_are_measured_as_sent(client: httpx.AsyncClient) -> None:
    document = (
        "query C($codes: [String!]!, $metrics: [String!]!) { "
        'compare(divisionCodes: $codes, metrics: $metrics, period: {from: "2026-01-01", '
        'to: "2026-03-31"}) { division { code } } }'
    )
    small = {"codes": ["522601"], "metrics": ["activities"]}
    assert await _errors(client, document, variables=small) == []
    large = {"codes": [f"{520100 + i}" for i in range(50)], "metrics": ["activities"] * 30}
    errors = await _errors(client, document, variables=large)
    assert [error["extensions"]["code"] for error in errors] == ["QUERY_TOO_COMPLEX"]


async def test_the_county_tree_is_within_the_budget(client: httpx.AsyncClient) -> None:
    document = (
        '{ center(divisionCode: "522601") { institutes(first: 50) { edges { node { '
        "stations(first: 100) { edges { node { name } } } } } } } }"
    )
    assert await _errors(client, document) == []


async def test_search_text_is_bounded(client: httpx.AsyncClient) -> None:
    document = "query S($q: String!) { stories(filter: {search: $q}) { totalCount } }"
    response = await client.post(
        "/graphql",
        json={"query": document, "variables": {"q": "文明实践 " * 20_000}},
        headers={"accept": GRAPHQL_RESPONSE},
    )
    assert response.status_code == 400
    assert "$q" in response.json()["errors"][0]["message"]
    for words in ("文明实践 " * 50, " ".join(f"词{i}" for i in range(20))):
        errors = await _errors(client, document, variables={"q": words})
        assert [error["extensions"]["code"] for error in errors] == ["BAD_USER_INPUT"]
        assert "filter.search" in errors[0]["message"]


async def test_a_repeated_word_is_searched_once(client: httpx.AsyncClient) -> None:
    document = "query S($q: String!) { stories(filter: {search: $q}) { totalCount } }"
    once = await client.post("/graphql", json={"query": document, "variables": {"q": "文明"}})
    repeated = await client.post(
        "/graphql", json={"query": document, "variables": {"q": " ".join(["文明"] * 16)}}
    )
    assert once.json() == repeated.json()
    assert "errors" not in once.json()


async def test_large_bodies_are_refused_before_they_are_read(client: httpx.AsyncClient) -> None:
    padding = " " * 2_000_000
    response = await client.post(
        "/graphql",
        content=('{"query": "{ __typename }' + padding + '"}').encode(),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    "literal",
    ["x" * (MAX_STRING + 1), "a\\u0000b"],
)
async def test_strings_written_in_documents_are_bounded(
    client: httpx.AsyncClient, literal: str
) -> None:
    errors = await _errors(client, f'{{ division(code: "{literal}") {{ name }} }}')
    assert [error["extensions"]["code"] for error in errors] == ["BAD_USER_INPUT"]
    assert len(errors[0]["message"]) < 200


async def test_directives_and_errors_per_answer_are_bounded(client: httpx.AsyncClient) -> None:
    unknown = " ".join(f"@d{i}" for i in range(1_000))
    errors = await _errors(client, f"{{ __typename {unknown} }}")
    assert len(errors) == 1
    assert "directives" in errors[0]["message"]
    fields = " ".join(f"f{i}" for i in range(1_000))
    assert len(await _errors(client, f"{{ {fields} }}")) <= 21


@pytest.mark.parametrize("key", ["kaili-key", "tianzhu-key", "media-key", None])
async def test_a_passbook_that_exists_and_one_that_does_not_answer_alike(
    client: httpx.AsyncClient, key: str | None
) -> None:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    answers = []
    for type_name in ("PointsAccount", "PointsEntry"):
        for number in (1, 10**9):
            response = await client.post(
                "/graphql",
                json={
                    "query": "query N($id: ID!) { node(id: $id) { id } }",
                    "variables": {"id": encode_global_id(type_name, number)},
                },
                headers=headers,
            )
            body = response.json()
            answers.append(
                (type_name, body["data"], [e["extensions"]["code"] for e in body.get("errors", [])])
            )
    by_type = {type_name: [] for type_name, _, _ in answers}  # type: ignore[var-annotated]
    for type_name, data, codes in answers:
        if key != "kaili-key" or data["node"] is None:
            by_type[type_name].append((data, codes))
    for seen in by_type.values():
        assert all(item == seen[0] for item in seen), seen
        assert seen[0][1] == ["FORBIDDEN"]


async def test_admins_learn_that_nothing_is_there(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql",
        json={"query": f'{{ node(id: "{encode_global_id("PointsAccount", 10**9)}") {{ id }} }}'},
        headers={"Authorization": "Bearer admin-key"},
    )
    assert response.json() == {"data": {"node": None}}


def _production_app(engine: AsyncEngine, **settings: Any) -> httpx.AsyncClient:
    from hub.settings import PRODUCTION_INTROSPECTION

    app = hub_app(
        engine,
        production=True,
        introspection_roles=PRODUCTION_INTROSPECTION,
        rate_limits={},
        **settings,
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub")


async def test_production_keeps_the_schema_from_anonymous_and_media(
    demo_engine: AsyncEngine,
) -> None:
    async with _production_app(demo_engine) as client:
        for key in (None, "media-key"):
            headers = {"Authorization": f"Bearer {key}"} if key else {}
            body = (
                await client.post(
                    "/graphql", json={"query": "{ __schema { types { name } } }"}, headers=headers
                )
            ).json()
            assert "data" not in body
            assert "introspection" in body["errors"][0]["message"]
            typo = (
                await client.post(
                    "/graphql", json={"query": "{ divisoin { name } }"}, headers=headers
                )
            ).json()
            assert "Did you mean" not in typo["errors"][0]["message"]
        assert (await client.post("/graphql", json={"query": "{ __typename }"})).json() == {
            "data": {"__typename": "Query"}
        }


@pytest.mark.parametrize("key", ["analyst-key", "kaili-key", "admin-key"])
async def test_roles_that_may_introspect_run_the_standard_introspection_query(
    demo_engine: AsyncEngine, key: str
) -> None:
    async with _production_app(demo_engine) as client:
        response = await client.post(
            "/graphql",
            json={"query": get_introspection_query(descriptions=True)},
            headers={"Authorization": f"Bearer {key}"},
        )
        body = response.json()
        assert "errors" not in body, body["errors"]
        names = {item["name"] for item in body["data"]["__schema"]["types"]}
        assert {"Query", "Volunteer", "PeriodInput"} <= names
        typo = (
            await client.post(
                "/graphql",
                json={"query": "{ divisoin { name } }"},
                headers={"Authorization": f"Bearer {key}"},
            )
        ).json()
        assert "Did you mean" in typo["errors"][0]["message"]


@pytest.mark.parametrize(
    ("document", "words"),
    [
        # graphql-core compares every pair of same-named fields: 1,200 held it for 1 s.
        ("{ " + "viewer { role } " * 400 + "}", "times in one place"),
        (
            "{ "
            + " ".join(f"...F{i}" for i in range(300))
            + " } "
            + " ".join(f"fragment F{i} on Query {{ viewer {{ role }} }}" for i in range(300)),
            "times in one place",
        ),
        ("{ " + ("metrics { " + "code " * 10 + "nameZh " * 10 + "} ") * 60 + "}", "selections"),
    ],
)
async def test_documents_that_would_make_validation_quadratic_are_refused(
    client: httpx.AsyncClient, document: str, words: str
) -> None:
    errors = await _errors(client, document)
    assert [error["extensions"]["code"] for error in errors] == ["QUERY_TOO_COMPLEX"]
    assert words in errors[0]["message"]


@pytest.mark.parametrize(
    "query",
    [
        "divisions=522601&metrics=activities&from=0001-01-01&to=9999-12-31",
        "divisions=522601&metrics=activities&period=9999-Q4",
        "divisions=522601&metrics=activities&period=0001-01",
        "divisions=522601&metrics=activities&from=2026-01-01&to=2026-13-40",
        "divisions="
        + ",".join(str(520100 + i) for i in range(60))
        + "&metrics=activities&period=2026",
        "divisions=522601&metrics=" + "x" * 5_000 + "&period=2026",
        "divisions=522601&metrics=activities&period=2026%00",
    ],
)
async def test_exports_answer_bad_input_with_400(client: httpx.AsyncClient, query: str) -> None:
    response = await client.get(f"/export/compare.csv?{query}")
    assert response.status_code == 400
    assert len(response.text) < 600


async def test_an_export_of_a_province_by_day_ranges_is_refused_for_its_cost(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(
        "/export/ranking.csv?within=520000&level=village&index="
        + ",".join(f"activities:{i + 1}" for i in range(20))
        + "&from=2026-01-01&to=2026-01-09"
    )
    assert response.status_code == 400
    assert "cost" in response.text

"""The compiled read path answers exactly as the resolvers do, in one statement, for
every role on both databases; what it cannot answer it leaves to the resolvers."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from demo.documents import README_DOCUMENTS, README_VARIABLES
from schema.limits import measure
from tests.documents import COUNTY_TREE, STORIES, VOLUNTEERS
from tests.graphql import KEYS, GraphQL, compiles, hub_app

ROLES = [None, *KEYS]

TREE_FIELDS = """
  __typename id name kind status openedOn isDemonstration
  division { __typename id code name level population parent { code name parent { name } } }
"""

# Documents written to reach every field, connection part and argument form the
# compiled path takes, with the values that sit at page edges.
DOCUMENTS: dict[str, tuple[str, dict[str, Any] | None]] = {
    "county tree (api.md)": (COUNTY_TREE, None),
    "every column and link": (
        f'{{ center(divisionCode: "522601") {{ {TREE_FIELDS} }} }}',
        None,
    ),
    "page info, cursors, a second page": (
        """query Pages($after: String) { center(divisionCode: "522601") {
          institutes(first: 3, after: $after) {
            __typename totalCount
            pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }
            edges { __typename cursor node { id name } }
            nodes { id }
          } } }""",
        {"after": "b2Zmc2V0OjI="},
    ),
    "the last page and past the end": (
        """{ center(divisionCode: "522601") {
          last: institutes(first: 5, after: "b2Zmc2V0OjE3") {
            totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
            edges { cursor node { name } } }
          beyond: institutes(first: 5, after: "b2Zmc2V0OjUwMA==") {
            totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
            edges { cursor } }
          none: institutes(first: 0) {
            totalCount pageInfo { hasNextPage startCursor endCursor } nodes { name } }
          default: institutes { totalCount nodes { id } } } }""",
        None,
    ),
    "three levels, aliases, fragments, variables": (
        """query Deep($code: String!, $n: Int!) {
          __typename
          kaili: center(divisionCode: $code) { ...Center }
          tianzhu: center(divisionCode: "620623") { ...Center subCenters { nodes { ...Sub } } }
        }
        fragment Center on Center {
          name
          ... on Site { status }
          institutes(first: $n) { totalCount edges { node { ... on Institute { name }
            stations(first: 2) { totalCount edges { cursor node { ...Station } } } } } }
        }
        fragment Sub on SubCenter { name kind institutes(first: 2) { nodes { name } } }
        fragment Station on Station { id name isDemonstration
          points(first: 3) { totalCount nodes { name kind } } }""",
        {"code": "522601", "n": 4},
    ),
    "a division's children": (
        """{ center(divisionCode: "620623") { division { children(first: 4, after: "b2Zmc2V0OjA=") {
          totalCount pageInfo { hasNextPage endCursor } nodes { code name level } } } } }""",
        None,
    ),
}

DOCUMENTS["volunteers, their teams and counties"] = (
    """query Volunteers($after: String) { volunteers(first: 30, after: $after) {
      totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { id volunteerNumber gender registeredOn county { code name }
        teams { __typename id name kind foundedOn county { name } parent { name }
          subTeams(first: 2) { totalCount nodes { name } } } } } } }""",
    {"after": "b2Zmc2V0OjQ="},
)
DOCUMENTS["root lists of teams, divisions and centers"] = (
    """query Roots($after: String) {
      teams(first: 5, after: $after) { totalCount pageInfo { hasNextPage endCursor }
        nodes { id name kind county { code } subTeams { totalCount } } }
      divisions(first: 7) { totalCount edges { cursor node { code name level
        children(first: 2) { nodes { code } } } } }
      centers(first: 3) { totalCount nodes { name division { name }
        institutes(first: 2) { totalCount nodes { name } } } } }""",
    {"after": "b2Zmc2V0OjE="},
)
DOCUMENTS["the bench's volunteers page"] = (
    "{ volunteers(first: 100) { edges { node { id volunteerNumber teams { id name } } } } }",
    None,
)

# The compiled path must leave these to the resolvers, which answer or refuse them.
FALLBACKS: dict[str, tuple[str, dict[str, Any] | None]] = {
    "a page past the cap": (
        '{ center(divisionCode: "522601") { institutes(first: 101) { totalCount } } }',
        None,
    ),
    "a negative page": (
        '{ center(divisionCode: "522601") { institutes(first: -1) { totalCount } } }',
        None,
    ),
    "a cursor of another kind": (
        '{ center(divisionCode: "522601") { institutes(after: "bm9wZQ==") { totalCount } } }',
        None,
    ),
    "a division that is not there": ('{ center(divisionCode: "999999") { name } }', None),
    "a malformed division code": ('{ center(divisionCode: "52260") { name } }', None),
    "a division without a center": ('{ center(divisionCode: "522601001000") { name } }', None),
    "a variable of the wrong type": (
        'query Q($n: Int) { center(divisionCode: "522601") { institutes(first: $n) { totalCount } } }',
        {"n": "many"},
    ),
    "a directive": ('{ center(divisionCode: "522601") { name @include(if: false) id } }', None),
    # Three connections with edges inside each other pass SQLite's parser stack.
    "a statement nested deeper than the database parses": (
        '{ center(divisionCode: "522601") { division { '
        + "children(first: 2) { totalCount pageInfo { endCursor } edges { cursor node { code " * 3
        + "name"
        + " } } }" * 3
        + " } } }",
        None,
    ),
    "an ordered root list": (
        "{ teams(first: 3, orderBy: [{field: NAME, direction: DESC}]) { nodes { name } } }",
        None,
    ),
    "a filtered root list": (
        "{ volunteers(first: 3, filter: {genders: [FEMALE]}) { nodes { volunteerNumber } } }",
        None,
    ),
    "a masked name": ("{ volunteers(first: 3) { nodes { volunteerNumber displayName } } }", None),
    "a field outside the plan": ('{ center(divisionCode: "522601") { floorArea name } }', None),
}


async def _both(
    engine: AsyncEngine, query: str, variables: dict[str, Any] | None, key: str | None
) -> tuple[httpx.Response, httpx.Response]:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    answers = []
    for compiled in (True, False):
        app = hub_app(engine, compiled_reads=compiled)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://hub"
        ) as client:
            answers.append(
                await client.post(
                    "/graphql", json={"query": query, "variables": variables}, headers=headers
                )
            )
    return answers[0], answers[1]


def _same(compiled: httpx.Response, resolved: httpx.Response) -> None:
    assert compiled.status_code == resolved.status_code
    assert compiled.json() == resolved.json()
    # Charged the same cost: the same budget left after one request each.
    assert _remaining(compiled) == _remaining(resolved)


def _remaining(response: httpx.Response) -> str:
    [remaining] = re.findall(r";r=([0-9]+)", response.headers["ratelimit"])
    return str(remaining)


@pytest.mark.parametrize("key", ROLES)
@pytest.mark.parametrize("name", sorted(DOCUMENTS))
async def test_compiled_answers_are_the_resolvers_answers(
    demo_engine: AsyncEngine, name: str, key: str | None
) -> None:
    query, variables = DOCUMENTS[name]
    assert compiles(query), name
    compiled, resolved = await _both(demo_engine, query, variables, key)
    assert "errors" not in resolved.json(), resolved.json()
    _same(compiled, resolved)


@pytest.mark.parametrize("name", sorted(FALLBACKS))
async def test_what_the_compiled_path_cannot_answer_the_resolvers_do(
    demo_engine: AsyncEngine, name: str
) -> None:
    query, variables = FALLBACKS[name]
    compiled, resolved = await _both(demo_engine, query, variables, None)
    _same(compiled, resolved)


@pytest.mark.parametrize("name", sorted(README_DOCUMENTS))
async def test_readme_documents_answer_the_same_on_both_paths(
    demo_engine: AsyncEngine, name: str
) -> None:
    for key in ROLES:
        compiled, resolved = await _both(
            demo_engine, README_DOCUMENTS[name], README_VARIABLES.get(name), key
        )
        _same(compiled, resolved)


async def test_contract_documents_answer_the_same_on_both_paths(demo_engine: AsyncEngine) -> None:
    for query, variables in ((COUNTY_TREE, None), (STORIES, {"q": "马背宣讲"}), (VOLUNTEERS, None)):
        for key in ROLES:
            _same(*(await _both(demo_engine, query, variables, key)))


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
async def test_each_compiled_document_is_one_statement(graphql: GraphQL, name: str) -> None:
    """One statement, not a silent fall back to the resolvers (whose answer would be the
    same, and which the differential test alone would not tell apart)."""
    query, variables = DOCUMENTS[name]
    assert await graphql.statements(query, variables) == 1


def test_documents_needing_the_resolvers_are_not_compiled() -> None:
    assert not compiles(VOLUNTEERS)
    assert not compiles(STORIES)
    assert not compiles("mutation { __typename }")
    assert not compiles("{ __schema { types { name } } }")
    assert not compiles(FALLBACKS["a directive"][0])
    assert not compiles(FALLBACKS["a field outside the plan"][0])
    assert not compiles(FALLBACKS["a filtered root list"][0])
    assert not compiles(FALLBACKS["a masked name"][0])
    assert compiles(FALLBACKS["a page past the cap"][0])


async def test_a_document_left_to_the_resolvers_is_measured_once(
    demo_engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The compiled path measures a document with variables before it knows it cannot
    answer; the resolvers' path takes that verdict instead of measuring again."""
    calls: list[object] = []

    def counted(*arguments: Any, **options: Any) -> Any:
        calls.append(arguments[1])
        return measure(*arguments, **options)

    # A spy: the guard's own measure still does the work.
    monkeypatch.setattr("schema.guard.measure", counted)
    query = "query Q($n: Int) { volunteers(first: $n) { nodes { displayName } } }"
    for compiled in (True, False):
        calls.clear()
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=hub_app(demo_engine, compiled_reads=compiled)),
            base_url="http://hub",
        ) as client:
            answer = await client.post("/graphql", json={"query": query, "variables": {"n": 2}})
        assert len(answer.json()["data"]["volunteers"]["nodes"]) == 2
        assert len(calls) == 1, compiled

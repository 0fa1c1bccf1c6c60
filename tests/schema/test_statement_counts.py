"""Every relation a field follows is batched: the SQL statements a query costs do not
grow with the number of parents, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from db.models import ServiceRecord
from db.pii import PersonalDataCipher
from demo.generator import DemoOptions
from demo.load import load_demo
from schema.relay import encode_global_id
from tests.databases import DatabaseFactory
from tests.documents import COUNTY_TREE, TONGREN_AS_ONE_COUNTY
from tests.graphql import GraphQL

# (root list with $n parents, nested selection, statements expected)
CASES = {
    "division.children": (
        "divisions(first: $n, filter: {levels: [COUNTY]})",
        "children(first: 3) { totalCount edges { node { code } } }",
        2,
    ),
    "division.sites": (
        "divisions(first: $n, filter: {levels: [VILLAGE]})",
        "sites(first: 2) { totalCount }",
        2,
    ),
    "division.parent": ("divisions(first: $n, filter: {levels: [TOWNSHIP]})", "parent { name }", 2),
    "site.teams": (
        "sites(first: $n, filter: {kinds: [STATION]})",
        "teams(first: 2) { totalCount edges { node { name } } }",
        2,
    ),
    "site.activities": (
        "sites(first: $n)",
        "activities(first: 2) { totalCount edges { node { title } } }",
        2,
    ),
    "site.stories": ("sites(first: $n)", "stories(first: 2) { totalCount }", 2),
    "site.platforms": ("sites(first: $n, filter: {kinds: [INSTITUTE]})", "platforms { name }", 2),
    "site.division+parent": ("sites(first: $n)", "division { name } parent { name }", 3),
    "center.institutes": (
        "centers(first: $n)",
        "institutes(first: 3) { totalCount edges { node { name } } }",
        2,
    ),
    "center.subCenters+platforms": (
        "centers(first: $n)",
        "subCenters(first: 3) { totalCount } centerPlatforms { name }",
        3,
    ),
    "prefecture.centers": (
        "sites(first: $n, filter: {kinds: [PREFECTURE_CENTER]})",
        "... on PrefectureCenter { centers(first: 3) { totalCount } subCenters(first: 2) { totalCount } }",
        3,
    ),
    "subCenter.institutes": (
        "sites(first: $n, filter: {kinds: [SUB_CENTER]})",
        "... on SubCenter { institutes(first: 3) { totalCount } center { name } }",
        3,
    ),
    "institute.stations": (
        "sites(first: $n, filter: {kinds: [INSTITUTE]})",
        "... on Institute { stations(first: 3) { totalCount } }",
        2,
    ),
    "institute.center": (
        "sites(first: $n, filter: {kinds: [INSTITUTE]})",
        "... on Institute { center { name } }",
        2,
    ),
    "institute.center-through-sub-center": (
        'sites(first: $n, filter: {kinds: [INSTITUTE], divisionCode: "620623"})',
        "... on Institute { center { name } }",
        3,
    ),
    "station.points+institute": (
        "sites(first: $n, filter: {kinds: [STATION]})",
        "... on Station { points(first: 2) { totalCount } institute { name } }",
        3,
    ),
    "platform.teams+center": (
        "sites(first: $n, filter: {kinds: [INSTITUTE]})",
        "platforms { teams(first: 2) { totalCount } center { name } }",
        4,
    ),
    "team.subTeams": ("teams(first: $n)", "subTeams(first: 2) { totalCount }", 2),
    "team.members": (
        "teams(first: $n)",
        "memberCount members(first: 2) { totalCount edges { node { realName } } }",
        3,
    ),
    "team.projects+stories": (
        "teams(first: $n)",
        "projects(first: 2) { totalCount } stories(first: 2) { totalCount }",
        3,
    ),
    "team.parent+platform+home+county": (
        "teams(first: $n, filter: {kinds: [PROFESSIONAL]})",
        "parent { name } platform { name } homeSite { name } county { name }",
        5,
    ),
    "volunteer.records+teams": (
        "volunteers(first: $n)",
        "records(first: 2) { totalCount } teams { name } county { name }",
        4,
    ),
    "project.activities+stories": (
        "projects(first: $n)",
        "activities(first: 2) { totalCount } stories(first: 2) { totalCount }",
        3,
    ),
    "project.teams+awards+platform": (
        "projects(first: $n)",
        "teams { name } awards { name } platform { name } county { name }",
        5,
    ),
    "activity.project+site+teams": (
        "activities(first: $n)",
        "project { name } site { name } teams { name }",
        4,
    ),
    "order.everything": (
        "orders(first: $n)",
        "events { kind } menuItem { name center { name } } team { name } site { name }",
        6,
    ),
    "household.honours+division": (
        "households(first: $n)",
        "honours { title } division { name } creditRating { grade }",
        4,
    ),
    "household.pointsAccount": (
        'households(first: $n, filter: {divisionCode: "520600"})',
        "pointsAccount { balance bank { name } entries(first: 3) { totalCount } }",
        5,
    ),
    "story.feed+mentions": (
        "stories(first: $n)",
        "feed { name } mentions { __typename } mentionDetails { matchedText }",
        8,
    ),
}
# Mentions point at sites, teams, projects or divisions: one statement per kind present,
# so a few stories may need fewer than many, never more than one per kind.
POLYMORPHIC = {"story.feed+mentions"}


RECORDS = """
query Records($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on Volunteer { records(first: 5) { edges { node { hours activity { title } team { name } volunteer { displayName } } } } }
  }
}
"""


def _query(root: str, nested: str) -> str:
    return f"query Count($n: Int!) {{ {root} {{ totalCount edges {{ node {{ id {nested} }} }} }} }}"


async def _reading(graphql: GraphQL, query: str, parents: int) -> int:
    """Statements that read: the audit's insert (when an answer shows personal data,
    tests/schema/test_audit.py; on PostgreSQL with its commit setting) is not a
    relation's."""
    await graphql.statements(query, {"n": parents}, key="admin-key")
    audit = ("personal_data_reads", "synchronous_commit")
    return sum(not any(mark in sql for mark in audit) for sql in graphql.counter.statements)


@pytest.fixture
def resolvers(demo_engine: AsyncEngine) -> GraphQL:
    """The resolvers' batching is what is counted here: the compiled path (one
    statement, tests/schema/test_compiled_reads.py) is left out."""
    return GraphQL(demo_engine, compiled=False)


@pytest.mark.parametrize("case", list(CASES))
async def test_nested_relations_cost_one_statement_each_whatever_the_parents(
    resolvers: GraphQL, case: str
) -> None:
    root, nested, expected = CASES[case]
    query = _query(root, nested)
    few = await _reading(resolvers, query, 2)
    many = await _reading(resolvers, query, 60)
    if case in POLYMORPHIC:
        assert few <= many == expected, resolvers.counter.statements
    else:
        assert few == many == expected, resolvers.counter.statements


async def test_service_record_relations_are_batched(graphql: GraphQL) -> None:
    async with graphql.engine.connect() as connection:
        volunteer_ids = list(
            (
                await connection.execute(
                    select(ServiceRecord.volunteer_id)
                    .distinct()
                    .order_by(ServiceRecord.volunteer_id)
                    .limit(40)
                )
            ).scalars()
        )
    ids = [encode_global_id("Volunteer", volunteer_id) for volunteer_id in volunteer_ids]
    few = await graphql.statements(RECORDS, {"ids": ids[:2]})
    many = await graphql.statements(RECORDS, {"ids": ids})
    assert few == many == 4, graphql.counter.statements


@pytest.fixture(scope="session")
async def tongren_scale_engine(
    backend: str, database_factory: DatabaseFactory, cipher: PersonalDataCipher
) -> AsyncEngine:
    """One county holding Tongren's published tree: 182 institutes, 2,929 stations."""
    engine = await database_factory.create(backend)
    await load_demo(engine, cipher, DemoOptions(scale=0.01, places=(TONGREN_AS_ONE_COUNTY,)))
    return engine


async def test_county_tree_at_tongren_scale_costs_at_most_six_statements(
    tongren_scale_engine: AsyncEngine,
) -> None:
    graphql = GraphQL(tongren_scale_engine, compiled=False)
    with graphql.counter.counting() as counter:
        data = await graphql.data(COUNTY_TREE)
    institutes = data["center"]["institutes"]
    assert institutes["totalCount"] == 182
    shown = sum(len(edge["node"]["stations"]["edges"]) for edge in institutes["edges"])
    assert shown > 500
    assert counter.count <= 6, counter.statements

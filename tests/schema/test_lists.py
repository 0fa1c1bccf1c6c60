"""Root lists: cursors, totals, filters, ordering, retired rows; node() for every type."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from db import models as m
from tests.databases import DatabaseFactory
from tests.graphql import GraphQL

INSTITUTES_PAGE = """
query Page($after: String) {
  center(divisionCode: "522601") {
    institutes(first: 7, after: $after) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { id name } }
    }
  }
}
"""


def _edges(block: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in block["edges"]]


async def _count(engine: AsyncEngine, statement: Any) -> int:
    async with engine.connect() as connection:
        count: int = (await connection.execute(statement)).scalar_one()
    return count


async def test_cursors_walk_a_list_once_in_order(graphql: GraphQL) -> None:
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        block = (await graphql.data(INSTITUTES_PAGE, {"after": after}))["center"]["institutes"]
        assert block["totalCount"] == 20
        assert block["pageInfo"]["hasPreviousPage"] is (after is not None)
        seen += [node["id"] for node in _edges(block)]
        pages += 1
        if not block["pageInfo"]["hasNextPage"]:
            break
        after = block["pageInfo"]["endCursor"]
    assert pages == 3
    assert len(seen) == len(set(seen)) == 20


async def test_a_cursor_past_the_end_keeps_the_total(graphql: GraphQL) -> None:
    block = (await graphql.data(INSTITUTES_PAGE))["center"]["institutes"]
    last = block["edges"][-1]["cursor"]
    for _ in range(3):
        block = (await graphql.data(INSTITUTES_PAGE, {"after": last}))["center"]["institutes"]
        if block["edges"]:
            last = block["edges"][-1]["cursor"]
    assert block["edges"] == []
    assert block["totalCount"] == 20
    assert block["pageInfo"]["hasNextPage"] is False


@pytest.mark.parametrize(
    ("query", "path", "expected"),
    [
        (
            '{ sites(filter: {kinds: [STATION], divisionCode: "520600", isDemonstration: true}) { totalCount } }',
            "sites",
            99,
        ),
        (
            '{ sites(filter: {kinds: [INSTITUTE], divisionCode: "520000"}) { totalCount } }',
            "sites",
            182 + 20,
        ),
        ('{ centers(filter: {divisionCode: "370700"}) { totalCount } }', "centers", 13),
        (
            '{ teams(filter: {divisionCode: "620623", kinds: [DETACHMENT, VILLAGE]}) { totalCount } }',
            "teams",
            323,
        ),
        (
            '{ projects(filter: {divisionCode: "620623", isBrand: true}) { totalCount } }',
            "projects",
            25,
        ),
        (
            '{ divisions(filter: {within: "620623", levels: [TOWNSHIP]}) { totalCount } }',
            "divisions",
            21,
        ),
        ("{ households(filter: {honourLevels: [NATIONAL]}) { totalCount } }", "households", 15),
        (
            '{ households(filter: {honourTitle: "文明家庭", honourLevels: [CITY]}) { totalCount } }',
            "households",
            37,
        ),
    ],
)
async def test_filters_count_what_the_demo_holds(
    graphql: GraphQL, query: str, path: str, expected: int
) -> None:
    assert (await graphql.data(query))[path]["totalCount"] == expected


async def test_filters_agree_with_the_database(graphql: GraphQL, demo_engine: AsyncEngine) -> None:
    data = await graphql.data(
        '{ orders(filter: {statuses: [RATED, CANCELLED], divisionCode: "522601"}) { totalCount } }'
    )
    expected = select(func.count()).where(
        m.ServiceOrder.county_code == "522601",
        m.ServiceOrder.status.in_([m.OrderStatus.RATED, m.OrderStatus.CANCELLED]),
    )
    assert data["orders"]["totalCount"] == await _count(demo_engine, expected)
    starred = await graphql.data(
        "{ volunteers(filter: {minStarLevel: 1}, first: 100) { totalCount edges { node { starLevel serviceHours } } } }"
    )
    assert all(
        node["starLevel"] >= 1 and node["serviceHours"] >= 100
        for node in _edges(starred["volunteers"])
    )
    at_least = select(func.count()).where(m.Volunteer.service_minutes >= 100 * 60)
    assert starred["volunteers"]["totalCount"] == await _count(demo_engine, at_least)


async def test_ordering(graphql: GraphQL) -> None:
    query = '{ sites(first: 30, filter: {divisionCode: "620623", kinds: [STATION]}, orderBy: [{field: FLOOR_AREA, direction: DESC}]) { edges { node { floorArea } } } }'
    areas = [node["floorArea"] for node in _edges((await graphql.data(query))["sites"])]
    assert areas == sorted(areas, reverse=True)
    query = '{ activities(first: 30, filter: {divisionCode: "620623"}) { edges { node { startsAt } } } }'
    starts = [node["startsAt"] for node in _edges((await graphql.data(query))["activities"])]
    assert starts == sorted(starts, reverse=True)


async def test_stories_by_mention_and_by_place(graphql: GraphQL) -> None:
    project = _edges(
        (
            await graphql.data(
                '{ projects(first: 1, filter: {nameContains: "马背宣讲"}) { edges { node { id name stories { totalCount } } } } }'
            )
        )["projects"]
    )[0]
    query = "query S($ids: [ID!]) { stories(filter: {mentions: $ids}) { totalCount edges { node { title } } } }"
    stories = (await graphql.data(query, {"ids": [project["id"]]}))["stories"]
    assert stories["totalCount"] == project["stories"]["totalCount"] >= 1
    assert all("马背宣讲" in node["title"] for node in _edges(stories))
    in_tianzhu = await graphql.data('{ stories(filter: {divisionCode: "620623"}) { totalCount } }')
    in_gansu = await graphql.data('{ stories(filter: {divisionCode: "620000"}) { totalCount } }')
    assert in_gansu["stories"]["totalCount"] > in_tianzhu["stories"]["totalCount"] >= 25


async def test_retired_rows_leave_lists_unless_asked_for(
    backend: str, database_factory: DatabaseFactory, demo_engine: AsyncEngine
) -> None:
    graphql = GraphQL(demo_engine)
    query = '{ sites(filter: {divisionCode: "620623", kinds: [STATION], includeRetired: %s}) { totalCount } }'
    before = (await graphql.data(query % "false"))["sites"]["totalCount"]
    async with demo_engine.begin() as connection:
        station = (
            await connection.execute(
                select(m.Site.id)
                .where(m.Site.kind == m.SiteKind.STATION, m.Site.division_code.startswith("620623"))
                .limit(1)
            )
        ).scalar_one()
        await connection.execute(
            update(m.Site).where(m.Site.id == station).values(retired_at=func.now())
        )
    try:
        assert (await graphql.data(query % "false"))["sites"]["totalCount"] == before - 1
        assert (await graphql.data(query % "true"))["sites"]["totalCount"] == before
    finally:
        async with demo_engine.begin() as connection:
            await connection.execute(
                update(m.Site).where(m.Site.id == station).values(retired_at=None)
            )


ONE_OF_EACH = """
{
  divisions(first: 1) { edges { node { id } } }
  sites(first: 1) { edges { node { id } } }
  teams(first: 1) { edges { node { id platform { id } } } }
  volunteers(first: 1) { edges { node { id } } }
  projects(first: 1) { edges { node { id } } }
  activities(first: 1) { edges { node { id } } }
  orders(first: 1) { edges { node { id menuItem { id } } } }
  households(first: 1, filter: {divisionCode: "520600"}) { edges { node { id pointsAccount { id bank { id } entries(first: 1) { edges { node { id } } } } } } }
  stories(first: 1) { edges { node { id feed { id } } } }
}
"""


def _ids(value: Any) -> list[str]:
    if isinstance(value, dict):
        return ([value["id"]] if "id" in value else []) + [
            i for v in value.values() for i in _ids(v)
        ]
    if isinstance(value, list):
        return [i for v in value for i in _ids(v)]
    return []


async def test_every_type_resolves_through_node(graphql: GraphQL) -> None:
    ids = _ids(await graphql.data(ONE_OF_EACH, key="admin-key"))
    assert len(ids) >= 14
    query = "query N($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"
    nodes = (await graphql.data(query, {"ids": ids}, key="admin-key"))["nodes"]
    assert [node["id"] for node in nodes] == ids
    assert len({node["__typename"] for node in nodes}) >= 13


async def test_a_site_id_of_another_kind_is_not_found(graphql: GraphQL) -> None:
    from schema.relay import decode_global_id, encode_global_id

    station = _edges(
        (
            await graphql.data(
                "{ sites(first: 1, filter: {kinds: [STATION]}) { edges { node { id } } } }"
            )
        )["sites"]
    )[0]
    _, key = decode_global_id(station["id"])
    data = await graphql.data(
        "query N($id: ID!) { node(id: $id) { id } }", {"id": encode_global_id("Center", key)}
    )
    assert data == {"node": None}


async def test_nodes_are_capped(graphql: GraphQL) -> None:
    body = await graphql("query N($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ["x"] * 101})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    ("root", "order", "field"),
    [
        ("divisions", "{field: NAME, direction: DESC}", "name"),
        ("orders", "{field: ORDERED_AT}", "orderedAt"),
        ("households", "{field: HOUSEHOLD_NUMBER, direction: DESC}", "householdNumber"),
        ("stories", "{field: PUBLISHED_AT}", "publishedAt"),
    ],
)
async def test_every_root_list_orders(graphql: GraphQL, root: str, order: str, field: str) -> None:
    data = await graphql.data(
        f"{{ {root}(first: 20, orderBy: [{order}]) {{ edges {{ node {{ {field} }} }} }} }}"
    )
    values = [node[field] for node in _edges(data[root])]
    assert len(values) == 20
    assert values == sorted(values, reverse="DESC" in order)

"""A page reads only the page: the list is counted when `totalCount` is selected, and a
root page without it is a LIMIT on the keys, not a rank of the whole table."""

from __future__ import annotations

import pytest

from tests.graphql import GraphQL, compiles


async def _sql(graphql: GraphQL, query: str) -> tuple[dict[str, object], str]:
    with graphql.counter.counting() as counter:
        data = await graphql.data(query)
    return data, "\n".join(counter.statements).lower()


# The same page through the compiled path and, with a masked name, through the resolvers.
PAGES = {
    "compiled": "{ volunteers(first: 3) { %s pageInfo { hasNextPage } nodes { volunteerNumber } } }",
    "resolvers": (
        "{ volunteers(first: 3) { %s pageInfo { hasNextPage } nodes { volunteerNumber "
        "displayName } } }"
    ),
}


@pytest.mark.parametrize("path", sorted(PAGES))
async def test_a_root_page_without_its_total_is_limited_not_counted(
    graphql: GraphQL, path: str
) -> None:
    assert compiles(PAGES[path] % "") is (path == "compiled")
    data, sql = await _sql(graphql, PAGES[path] % "")
    assert "count(" not in sql
    assert "limit" in sql
    counted, counted_sql = await _sql(graphql, PAGES[path] % "totalCount")
    assert "count(" in counted_sql
    volunteers = counted["volunteers"]
    assert isinstance(volunteers, dict)
    # The same page either way, and the next page is known without a count.
    assert data["volunteers"] == {key: volunteers[key] for key in ("pageInfo", "nodes")}
    assert volunteers["pageInfo"] == {"hasNextPage": True}


async def test_the_pages_after_the_first_are_the_same_without_a_count(graphql: GraphQL) -> None:
    pages = []
    for selection in ("totalCount", ""):
        after, numbers = None, []
        while True:
            argument = f', after: "{after}"' if after else ""
            data = await graphql.data(
                f"{{ volunteers(first: 40{argument}) {{ {selection} "
                "pageInfo { hasNextPage endCursor } nodes { volunteerNumber } } }",
                key="admin-key",
            )
            page = data["volunteers"]
            numbers += [node["volunteerNumber"] for node in page["nodes"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        pages.append(numbers)
    assert pages[0] == pages[1]
    assert len(pages[0]) == len(set(pages[0])) > 40


async def test_a_nested_list_is_counted_only_when_asked(graphql: GraphQL) -> None:
    # A floor area is the resolvers' to read: the whole document goes their way.
    query = (
        "{ centers(first: 2) { nodes { institutes(first: 2) { %s nodes { name floorArea } } } } }"
    )
    assert not compiles(query % "")
    _, sql = await _sql(graphql, query % "")
    assert "count(" not in sql
    counted, counted_sql = await _sql(graphql, query % "totalCount")
    assert "count(" in counted_sql
    centers = counted["centers"]
    assert isinstance(centers, dict)
    assert all(node["institutes"]["totalCount"] >= 2 for node in centers["nodes"])

"""The three queries of api.md work as written against the demo data."""

from __future__ import annotations

from tests.documents import COUNTY_TREE, STORIES, VOLUNTEERS
from tests.graphql import GraphQL


async def test_county_tree_shows_kaili_center_with_its_institutes_and_stations(
    graphql: GraphQL,
) -> None:
    center = (await graphql.data(COUNTY_TREE))["center"]
    assert center["name"] == "凯里市新时代文明实践中心"
    assert center["division"] == {"code": "522601", "name": "凯里市"}
    institutes = center["institutes"]
    assert institutes["totalCount"] == 20
    assert len(institutes["edges"]) == 20
    stations = [edge["node"]["stations"] for edge in institutes["edges"]]
    assert all(block["totalCount"] == len(block["edges"]) > 0 for block in stations)
    assert all(
        edge["node"]["name"].endswith("新时代文明实践站")
        for block in stations
        for edge in block["edges"]
    )


async def test_stories_about_a_brand_project_mention_it(graphql: GraphQL) -> None:
    edges = (await graphql.data(STORIES, {"q": "马背宣讲"}))["stories"]["edges"]
    assert edges
    story = edges[0]["node"]
    assert "马背宣讲" in story["title"]
    assert story["feed"]["name"] == "天祝藏族自治县文明网"
    assert {"__typename": "Project", "name": "马背宣讲"} in story["mentions"]
    published = [edge["node"]["publishedAt"] for edge in edges]
    assert published == sorted(published, reverse=True)


async def test_public_volunteers_are_masked(graphql: GraphQL) -> None:
    edges = (await graphql.data(VOLUNTEERS))["volunteers"]["edges"]
    assert len(edges) == 5
    for edge in edges:
        node = edge["node"]
        assert node["displayName"].endswith("*")
        assert 0 <= node["starLevel"] <= 5
        assert node["serviceHours"] >= 0

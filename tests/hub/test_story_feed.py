"""/feeds/stories.atom against the demo: valid Atom (read back with feedparser), the
same stories in the same order as the `stories` query with the same filter, and clear
400s for what cannot be answered."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import feedparser
import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.graphql import hub_app

STORIES = """query($filter: StoryFilter) { stories(filter: $filter, first: 100) {
  nodes { title url author body images { url } } } }"""
PROJECTS = "{ projects(first: 5) { nodes { id name } } }"


@pytest.fixture
async def client(demo_engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=hub_app(demo_engine))
    async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
        yield client


async def _feed(client: httpx.AsyncClient, **params: str) -> Any:
    answer = await client.get("/feeds/stories.atom", params=params)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(answer.content)
    assert parsed.version == "atom10"
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


async def _stories(client: httpx.AsyncClient, **story_filter: Any) -> list[dict[str, Any]]:
    answer = await client.post(
        "/graphql", json={"query": STORIES, "variables": {"filter": story_filter}}
    )
    nodes: list[dict[str, Any]] = answer.json()["data"]["stories"]["nodes"]
    return nodes


async def test_the_feed_holds_the_stories_newest_first_as_the_api_lists_them(
    client: httpx.AsyncClient,
) -> None:
    parsed = await _feed(client, limit="100")
    listed = await _stories(client)
    assert len(listed) >= 3
    assert [entry.link for entry in parsed.entries] == [story["url"] for story in listed]
    assert [entry.title for entry in parsed.entries] == [story["title"] for story in listed]
    published = [entry.published_parsed for entry in parsed.entries]
    assert published == sorted(published, reverse=True)
    first, story = parsed.entries[0], listed[0]
    # The clean text, every paragraph, as HTML; pictures with it.
    for paragraph in story["body"].split("\n\n"):
        assert paragraph.replace("&", "&amp;").replace("<", "&lt;") in first.content[0].value
    for image in story["images"]:
        assert image["url"] in first.content[0].value
    if story["author"]:
        assert first.author == story["author"]
    assert len({entry.id for entry in parsed.entries}) == len(parsed.entries)
    assert parsed.feed.links[0].rel == "self"


async def test_the_feed_filters_by_search_division_and_project(client: httpx.AsyncClient) -> None:
    listed = await _stories(client)
    word = listed[0]["title"][:2]
    searched = await _feed(client, search=word)
    assert [entry.link for entry in searched.entries] == [
        story["url"] for story in await _stories(client, search=word)
    ]
    assert searched.entries
    assert "search=" in searched.feed.title
    county = await _feed(client, division="522601")
    assert [entry.link for entry in county.entries] == [
        story["url"] for story in await _stories(client, divisionCode="522601")
    ]
    project = (await client.post("/graphql", json={"query": PROJECTS})).json()
    project_id = project["data"]["projects"]["nodes"][0]["id"]
    about = await _feed(client, project=project_id)
    assert [entry.link for entry in about.entries] == [
        story["url"] for story in await _stories(client, mentions=[project_id])
    ]
    limited = await _feed(client, limit="2")
    assert len(limited.entries) == min(2, len(listed))


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"limit": "0"}, "limit is a number from 1 to 100"),
        ({"limit": "5000"}, "limit is a number from 1 to 100"),
        ({"division": "999999"}, "999999"),
        ({"division": "abc"}, "division"),
        ({"project": "not-an-id"}, "not a valid id"),
        ({"search": "x" * 5000}, "search"),
    ],
)
async def test_a_feed_request_that_cannot_be_answered_says_why(
    client: httpx.AsyncClient, params: dict[str, str], says: str
) -> None:
    answer = await client.get("/feeds/stories.atom", params=params)
    assert answer.status_code == 400
    assert says in answer.text

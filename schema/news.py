"""News feeds and stories, and what the stories mention."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Union

import strawberry

from db import models as m
from resolvers import relations
from schema.divisions import Division
from schema.enums import PublishedAtSource
from schema.info import Info
from schema.projects import Project
from schema.provenance import Provenance
from schema.relay import Node, encode_global_id
from schema.sites import (
    Center,
    Institute,
    Point,
    PrefectureCenter,
    Station,
    SubCenter,
    site_from_row,
)
from schema.teams import Team

__all__ = ["Mention", "Mentionable", "NewsFeed", "NewsStory", "StoryImage", "StorySource"]

Mentionable = Annotated[
    Union[PrefectureCenter, Center, SubCenter, Institute, Station, Point, Team, Project, Division],  # noqa: UP007
    strawberry.union("Mentionable", description="What a story can mention."),
]


@strawberry.type(description="A county or prefecture news source (文明网, news app).")
class NewsFeed(Node):
    name: str
    url: str
    format: str

    @classmethod
    def from_row(cls, row: m.NewsFeed) -> NewsFeed:
        return cls(
            id=encode_global_id("NewsFeed", row.id), name=row.name, url=row.url, format=row.format
        )


@strawberry.type(
    description="A place in a story's text that names a site, team, project or division."
)
class Mention:
    matched_text: str
    position: int = strawberry.field(description="Character offset in the body.")
    row: strawberry.Private[m.Mention]

    @strawberry.field
    async def target(self, info: Info) -> Mentionable:
        return await _target(info, self.row)


@strawberry.type(description="A picture in a story, with its caption where it has one.")
class StoryImage:
    url: str
    caption: str | None


@strawberry.type(description="One page a story was published on: its own, or a republication.")
class StorySource:
    url: str
    title: str = strawberry.field(description="The headline as that page gave it.")
    published_at: datetime
    row: strawberry.Private[m.StorySource]

    @strawberry.field
    async def feed(self, info: Info) -> NewsFeed:
        row = await info.context.loaders.row(m.NewsFeed.id).load(self.row.feed_id)
        return NewsFeed.from_row(row)


@strawberry.type(description="A clean story from a county's news feed.")
class NewsStory(Node):
    title: str
    url: str
    published_at: datetime
    author: str | None = strawberry.field(
        description="The byline: the page's author line, reporter credit or names line."
    )
    summary: str | None
    body: str
    row: strawberry.Private[m.NewsStory]

    @strawberry.field(
        description="Whether the page, the feed, the HTTP Last-Modified or the "
        "hub's first reading gave `publishedAt`."
    )
    def published_at_source(self) -> PublishedAtSource:  # type: ignore[valid-type]
        return m.PublishedAtSource(self.row.published_at_source)

    @strawberry.field(description="Its pictures in page order, each with its caption.")
    def images(self) -> list[StoryImage]:
        found = json.loads(self.row.images) if self.row.images else []
        return [StoryImage(url=image["url"], caption=image.get("caption")) for image in found]

    @strawberry.field(
        description="Every page it was published on, the first first: one story merged "
        "from its republications."
    )
    async def sources(self, info: Info) -> list[StorySource]:
        rows = await info.context.loaders.all(relations.SOURCES_OF_STORY).load(self.row.id)
        return [
            StorySource(url=row.url, title=row.title, published_at=row.published_at, row=row)
            for row in rows
        ]

    @classmethod
    def from_row(cls, row: m.NewsStory) -> NewsStory:
        return cls(
            id=encode_global_id("NewsStory", row.id),
            title=row.title,
            url=row.url,
            published_at=row.published_at,
            author=row.author,
            summary=row.summary,
            body=row.body,
            row=row,
        )

    @strawberry.field
    async def feed(self, info: Info) -> NewsFeed:
        row = await info.context.loaders.row(m.NewsFeed.id).load(self.row.feed_id)
        return NewsFeed.from_row(row)

    @strawberry.field(
        description="The sites, teams, projects and divisions it talks about, once each."
    )
    async def mentions(self, info: Info) -> list[Mentionable]:
        rows = await info.context.loaders.all(relations.MENTIONS_OF_STORY).load(self.row.id)
        distinct = {
            (row.target, row.site_id, row.team_id, row.project_id, row.division_code): row
            for row in rows
        }
        return [await _target(info, row) for row in distinct.values()]

    @strawberry.field(description="Every mention with the matched text and where it stands.")
    async def mention_details(self, info: Info) -> list[Mention]:
        rows = await info.context.loaders.all(relations.MENTIONS_OF_STORY).load(self.row.id)
        return [
            Mention(matched_text=row.matched_text, position=row.position, row=row) for row in rows
        ]

    @strawberry.field
    def provenance(self) -> Provenance:
        return Provenance.from_row(self.row)


async def _target(info: Info, row: m.Mention) -> Mentionable:
    loaders = info.context.loaders
    if row.site_id is not None:
        return site_from_row(await loaders.row(m.Site.id).load(row.site_id))  # type: ignore[return-value]
    if row.team_id is not None:
        return Team.from_row(await loaders.row(m.Team.id).load(row.team_id))
    if row.project_id is not None:
        return Project.from_row(await loaders.row(m.Project.id).load(row.project_id))
    return Division.from_row(await loaders.row(m.Division.code).load(row.division_code))

"""Projects (志愿服务项目), their awards, and activities (活动)."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from db import models as m
from resolvers import relations
from schema.divisions import Division, division_of
from schema.enums import AwardLevel
from schema.info import Info
from schema.provenance import Provenance
from schema.refs import NewsStoryRef, PlatformRef, SiteRef, TeamRef
from schema.relay import (
    Connection,
    Node,
    connection,
    encode_global_id,
    related,
    related_page,
)

__all__ = ["Activity", "Award", "Project"]


@strawberry.type(description="A prize a project won.")
class Award:
    name: str
    level: AwardLevel  # type: ignore[valid-type]
    year: int

    @classmethod
    def from_row(cls, row: m.Award) -> Award:
        return cls(name=row.name, level=row.level, year=row.year)


@strawberry.type(description="A named volunteer service, often a brand project (品牌项目).")
class Project(Node):
    name: str
    is_brand: bool
    summary: str | None
    started_on: date | None
    row: strawberry.Private[m.Project]

    @classmethod
    def from_row(cls, row: m.Project) -> Project:
        return cls(
            id=encode_global_id("Project", row.id),
            name=row.name,
            is_brand=row.is_brand,
            summary=row.summary,
            started_on=row.started_on,
            row=row,
        )

    @strawberry.field
    async def county(self, info: Info) -> Division:
        return await division_of(info, self.row.county_code)

    @strawberry.field
    async def platform(self, info: Info) -> PlatformRef | None:
        from schema.sites import Platform

        return await related(info, m.Platform.id, self.row.platform_id, Platform.from_row)

    @strawberry.field(description="The teams that run it.")
    async def teams(self, info: Info) -> list[TeamRef]:
        from schema.teams import Team

        rows = await info.context.loaders.all(relations.TEAMS_OF_PROJECT).load(self.row.id)
        return [Team.from_row(row) for row in rows]

    @strawberry.field
    async def awards(self, info: Info) -> list[Award]:
        rows = await info.context.loaders.all(relations.AWARDS_OF_PROJECT).load(self.row.id)
        return [Award.from_row(row) for row in rows]

    @strawberry.field(description="Its activities, newest first.")
    async def activities(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Activity]:
        page = await related_page(info, relations.ACTIVITIES_OF_PROJECT, self.row.id, first, after)
        return connection(page, Activity.from_row)

    @strawberry.field(description="News stories that mention the project, newest first.")
    async def stories(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[NewsStoryRef]:
        from schema.news import NewsStory

        page = await related_page(info, relations.STORIES_OF_PROJECT, self.row.id, first, after)
        return connection(page, NewsStory.from_row)

    @strawberry.field
    def provenance(self) -> Provenance:
        return Provenance.from_row(self.row)


@strawberry.type(description="One held session of a project at a site.")
class Activity(Node):
    title: str
    starts_at: datetime
    ends_at: datetime | None
    volunteer_count: int
    volunteer_hours: float
    people_served: int = strawberry.field(description="服务人次: people served.")
    row: strawberry.Private[m.Activity]

    @classmethod
    def from_row(cls, row: m.Activity) -> Activity:
        return cls(
            id=encode_global_id("Activity", row.id),
            title=row.title,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            volunteer_count=row.volunteer_count,
            volunteer_hours=round(row.volunteer_minutes / 60, 1),
            people_served=row.people_served,
            row=row,
        )

    @strawberry.field
    async def project(self, info: Info) -> Project | None:
        return await related(info, m.Project.id, self.row.project_id, Project.from_row)

    @strawberry.field
    async def site(self, info: Info) -> SiteRef:
        from schema.sites import site_from_row

        row = await info.context.loaders.row(m.Site.id).load(self.row.site_id)
        return site_from_row(row)

    @strawberry.field
    async def teams(self, info: Info) -> list[TeamRef]:
        from schema.teams import Team

        rows = await info.context.loaders.all(relations.TEAMS_OF_ACTIVITY).load(self.row.id)
        return [Team.from_row(row) for row in rows]

    @strawberry.field
    def provenance(self) -> Provenance:
        return Provenance.from_row(self.row)

"""Volunteer teams (志愿服务队)."""

from __future__ import annotations

from datetime import date

import strawberry

from db import models as m
from resolvers import relations
from schema.divisions import Division, division_of
from schema.enums import TeamKind
from schema.info import Info
from schema.permissions import require_county
from schema.provenance import Provenance
from schema.refs import NewsStoryRef, PlatformRef, ProjectRef, SiteRef, VolunteerRef
from schema.relay import (
    Connection,
    Node,
    connection,
    encode_global_id,
    related,
    related_page,
)

__all__ = ["Team"]


@strawberry.type(description="A volunteer service team: brigade, professional team, detachment …")
class Team(Node):
    name: str
    kind: TeamKind  # type: ignore[valid-type]
    founded_on: date | None
    row: strawberry.Private[m.Team]

    @classmethod
    def from_row(cls, row: m.Team) -> Team:
        return cls(
            id=encode_global_id("Team", row.id),
            name=row.name,
            kind=row.kind,
            founded_on=row.founded_on,
            row=row,
        )

    @strawberry.field(description="The county the team belongs to.")
    async def county(self, info: Info) -> Division:
        return await division_of(info, self.row.county_code)

    @strawberry.field
    async def parent(self, info: Info) -> Team | None:
        return await related(info, m.Team.id, self.row.parent_id, Team.from_row)

    @strawberry.field
    async def sub_teams(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Team]:
        page = await related_page(info, relations.SUB_TEAMS, self.row.id, first, after)
        return connection(page, Team.from_row)

    @strawberry.field
    async def platform(self, info: Info) -> PlatformRef | None:
        from schema.sites import Platform

        return await related(info, m.Platform.id, self.row.platform_id, Platform.from_row)

    @strawberry.field
    async def home_site(self, info: Info) -> SiteRef | None:
        from schema.sites import site_from_row

        return await related(info, m.Site.id, self.row.home_site_id, site_from_row)

    @strawberry.field(description="How many volunteers are members (public).")
    async def member_count(self, info: Info) -> int:
        return await info.context.loaders.count(relations.MEMBERS_OF_TEAM).load(self.row.id)

    @strawberry.field(
        description="The members; only for staff of the team's county (else FORBIDDEN)."
    )
    async def members(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[VolunteerRef] | None:
        from schema.volunteers import Volunteer

        require_county(info.context.viewer, self.row.county_code, "a team's member list")
        page = await related_page(info, relations.MEMBERS_OF_TEAM, self.row.id, first, after)
        return connection(page, lambda row: Volunteer.from_row(row, info))

    @strawberry.field
    async def projects(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[ProjectRef]:
        from schema.projects import Project

        page = await related_page(info, relations.PROJECTS_OF_TEAM, self.row.id, first, after)
        return connection(page, Project.from_row)

    @strawberry.field(description="News stories that mention this team, newest first.")
    async def stories(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[NewsStoryRef]:
        from schema.news import NewsStory

        page = await related_page(info, relations.STORIES_OF_TEAM, self.row.id, first, after)
        return connection(page, NewsStory.from_row)

    @strawberry.field
    def provenance(self) -> Provenance:
        return Provenance.from_row(self.row)

"""Practice sites (阵地): the Site interface, its typed hierarchy, and platforms."""

from __future__ import annotations

from datetime import date
from typing import Self

import strawberry

from db import models as m
from resolvers import relations
from schema.divisions import Division, division_of
from schema.enums import SiteKind, SiteStatus
from schema.info import Info
from schema.provenance import Provenance
from schema.refs import ActivityRef, NewsStoryRef, TeamRef
from schema.relay import (
    Connection,
    Node,
    connection,
    encode_global_id,
    related,
    related_page,
)

__all__ = [
    "Center",
    "Institute",
    "Platform",
    "Point",
    "PrefectureCenter",
    "Site",
    "Station",
    "SubCenter",
    "site_from_row",
]


@strawberry.interface(description="A civilization practice site of any level (阵地).")
class Site(Node):
    name: str
    kind: SiteKind  # type: ignore[valid-type]
    is_demonstration: bool = strawberry.field(description="A demonstration site (示范).")
    status: SiteStatus  # type: ignore[valid-type]
    opened_on: date | None
    floor_area: float | None = strawberry.field(description="Floor area in square metres.")
    row: strawberry.Private[m.Site]

    @classmethod
    def from_row(cls, row: m.Site) -> Self:
        return cls(
            id=encode_global_id(cls.__name__, row.id),
            name=row.name,
            kind=row.kind,
            is_demonstration=row.is_demonstration,
            status=row.status,
            opened_on=row.opened_on,
            floor_area=row.floor_area_m2,
            row=row,
        )

    @strawberry.field
    async def division(self, info: Info) -> Division:
        return await division_of(info, self.row.division_code)

    @strawberry.field(description="The site one level up (a center's prefecture center …).")
    async def parent(self, info: Info) -> Site | None:
        return await _site(info, self.row.parent_id)

    @strawberry.field(description="The service platforms (服务平台) this site hosts.")
    async def platforms(self, info: Info) -> list[Platform]:
        rows = await info.context.loaders.all(relations.PLATFORMS_OF_SITE).load(self.row.id)
        return [Platform.from_row(row) for row in rows]

    @strawberry.field(description="Teams whose home is this site.")
    async def teams(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[TeamRef]:
        from schema.teams import Team

        page = await related_page(info, relations.TEAMS_OF_SITE, self.row.id, first, after)
        return connection(page, Team.from_row)

    @strawberry.field(description="Activities held here, newest first.")
    async def activities(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[ActivityRef]:
        from schema.projects import Activity

        page = await related_page(info, relations.ACTIVITIES_OF_SITE, self.row.id, first, after)
        return connection(page, Activity.from_row)

    @strawberry.field(description="News stories that mention this site, newest first.")
    async def stories(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[NewsStoryRef]:
        from schema.news import NewsStory

        page = await related_page(info, relations.STORIES_OF_SITE, self.row.id, first, after)
        return connection(page, NewsStory.from_row)

    @strawberry.field
    def provenance(self) -> Provenance:
        return Provenance.from_row(self.row)


@strawberry.type(description="A prefecture's center (州/市级新时代文明实践中心).")
class PrefectureCenter(Site):
    @strawberry.field(description="The county centers below it.")
    async def centers(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Center]:
        page = await related_page(info, relations.CENTERS_OF_PREFECTURE, self.row.id, first, after)
        return connection(page, Center.from_row)

    @strawberry.field(description="Its thematic sub-centers (分中心).")
    async def sub_centers(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[SubCenter]:
        page = await related_page(info, relations.SUB_CENTERS_OF_PARENT, self.row.id, first, after)
        return connection(page, SubCenter.from_row)


@strawberry.type(description="A county's center (新时代文明实践中心).")
class Center(Site):
    @strawberry.field(description="Its institutes, directly or through area sub-centers.")
    async def institutes(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Institute]:
        page = await related_page(info, relations.INSTITUTES_OF_CENTER, self.row.id, first, after)
        return connection(page, Institute.from_row)

    @strawberry.field(description="Its area or thematic sub-centers (分中心).")
    async def sub_centers(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[SubCenter]:
        page = await related_page(info, relations.SUB_CENTERS_OF_PARENT, self.row.id, first, after)
        return connection(page, SubCenter.from_row)

    @strawberry.field(description="The service platforms of this center.")
    async def center_platforms(self, info: Info) -> list[Platform]:
        rows = await info.context.loaders.all(relations.PLATFORMS_OF_CENTER).load(self.row.id)
        return [Platform.from_row(row) for row in rows]


@strawberry.type(description="An area or thematic sub-center (分中心).")
class SubCenter(Site):
    @strawberry.field(description="The center (or prefecture center) it belongs to.")
    async def center(self, info: Info) -> Site | None:
        return await _site(info, self.row.parent_id)

    @strawberry.field
    async def institutes(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Institute]:
        page = await related_page(info, relations.INSTITUTES_OF_PARENT, self.row.id, first, after)
        return connection(page, Institute.from_row)


@strawberry.type(description="A township or street institute (新时代文明实践所).")
class Institute(Site):
    @strawberry.field(description="Its county center, also when it hangs under a sub-center.")
    async def center(self, info: Info) -> Center | None:
        parent = await _site_row(info, self.row.parent_id)
        if parent is not None and parent.kind is m.SiteKind.SUB_CENTER:
            parent = await _site_row(info, parent.parent_id)
        return Center.from_row(parent) if parent and parent.kind is m.SiteKind.CENTER else None

    @strawberry.field
    async def stations(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Station]:
        page = await related_page(info, relations.STATIONS_OF_INSTITUTE, self.row.id, first, after)
        return connection(page, Station.from_row)


@strawberry.type(description="A village or community station (新时代文明实践站).")
class Station(Site):
    @strawberry.field
    async def institute(self, info: Info) -> Institute | None:
        parent = await _site_row(info, self.row.parent_id)
        return (
            Institute.from_row(parent) if parent and parent.kind is m.SiteKind.INSTITUTE else None
        )

    @strawberry.field(description="Practice points and posts (实践点/实践岗) it extends to.")
    async def points(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Point]:
        page = await related_page(info, relations.POINTS_OF_SITE, self.row.id, first, after)
        return connection(page, Point.from_row)


@strawberry.type(description="A practice point or post (实践点 / 实践岗): a venue.")
class Point(Site):
    pass


@strawberry.type(description="A service platform of a center (服务平台).")
class Platform(Node):
    name: str
    row: strawberry.Private[m.Platform]

    @classmethod
    def from_row(cls, row: m.Platform) -> Platform:
        return cls(id=encode_global_id("Platform", row.id), name=row.name, row=row)

    @strawberry.field
    async def center(self, info: Info) -> Site | None:
        return await _site(info, self.row.center_id)

    @strawberry.field
    async def teams(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[TeamRef]:
        from schema.teams import Team

        page = await related_page(info, relations.TEAMS_OF_PLATFORM, self.row.id, first, after)
        return connection(page, Team.from_row)

    @strawberry.field
    def provenance(self) -> Provenance:
        return Provenance.from_row(self.row)


_TYPE_OF_KIND: dict[m.SiteKind, type[Site]] = {
    m.SiteKind.PREFECTURE_CENTER: PrefectureCenter,
    m.SiteKind.CENTER: Center,
    m.SiteKind.SUB_CENTER: SubCenter,
    m.SiteKind.INSTITUTE: Institute,
    m.SiteKind.STATION: Station,
    m.SiteKind.POINT: Point,
    m.SiteKind.POST: Point,
}


def site_from_row(row: m.Site) -> Site:
    """The typed site for a row: a Center for a center, a Station for a station …"""
    return _TYPE_OF_KIND[row.kind].from_row(row)


async def _site_row(info: Info, site_id: int | None) -> m.Site | None:
    return await related(info, m.Site.id, site_id, lambda row: row)


async def _site(info: Info, site_id: int | None) -> Site | None:
    return await related(info, m.Site.id, site_id, site_from_row)

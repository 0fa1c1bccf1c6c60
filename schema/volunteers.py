"""Volunteers (志愿者) and their service records (服务时长)."""

from __future__ import annotations

from datetime import date

import strawberry

from db import models as m
from resolvers import relations
from resolvers.teams import star_level
from schema.divisions import Division, division_of
from schema.enums import Gender
from schema.info import Info
from schema.permissions import volunteer_personal
from schema.provenance import Provenance
from schema.refs import ActivityRef, TeamRef
from schema.relay import (
    Connection,
    Node,
    connection,
    encode_global_id,
    related,
    related_page,
)

__all__ = ["ServiceRecord", "Volunteer"]


@strawberry.type(
    description="A registered volunteer. Personal fields are null unless the "
    "viewer is staff of the volunteer's county; displayName is masked (张**, or *** for "
    "a name without a family name)."
)
class Volunteer(Node):
    volunteer_number: str = strawberry.field(description="The registry's public number.")
    display_name: str
    gender: Gender  # type: ignore[valid-type]
    registered_on: date
    service_hours: float = strawberry.field(description="Accumulated confirmed hours.")
    star_level: int = strawberry.field(
        description="0–5 stars at 100/300/600/1000/1500 service hours."
    )
    real_name: str | None
    id_number: str | None
    phone: str | None
    row: strawberry.Private[m.Volunteer]

    @classmethod
    def from_row(cls, row: m.Volunteer, info: Info) -> Volunteer:
        personal = volunteer_personal(info.context.viewer, row, info.context.cipher)
        if personal.real_name is not None:
            info.context.reads.note("Volunteer", row.county_code, row.id)
        return cls(
            id=encode_global_id("Volunteer", row.id),
            volunteer_number=row.volunteer_number,
            display_name=personal.display_name,
            gender=row.gender,
            registered_on=row.registered_on,
            service_hours=round(row.service_minutes / 60, 1),
            star_level=star_level(row.service_minutes),
            real_name=personal.real_name,
            id_number=personal.id_number,
            phone=personal.phone,
            row=row,
        )

    @strawberry.field(description="The county whose registry holds the volunteer.")
    async def county(self, info: Info) -> Division:
        return await division_of(info, self.row.county_code)

    @strawberry.field
    async def teams(self, info: Info) -> list[TeamRef]:
        from schema.teams import Team

        rows = await info.context.loaders.all(relations.TEAMS_OF_VOLUNTEER).load(self.row.id)
        return [Team.from_row(row) for row in rows]

    @strawberry.field(description="Service records, newest first.")
    async def records(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[ServiceRecord]:
        page = await related_page(info, relations.RECORDS_OF_VOLUNTEER, self.row.id, first, after)
        return connection(page, ServiceRecord.from_row)

    @strawberry.field
    def provenance(self) -> Provenance:
        return Provenance.from_row(self.row)


@strawberry.type(description="Hours one volunteer served, confirmed by the organising team.")
class ServiceRecord(Node):
    served_on: date
    hours: float
    is_confirmed: bool
    row: strawberry.Private[m.ServiceRecord]

    @classmethod
    def from_row(cls, row: m.ServiceRecord) -> ServiceRecord:
        return cls(
            id=encode_global_id("ServiceRecord", row.id),
            served_on=row.served_on,
            hours=round(row.minutes / 60, 2),
            is_confirmed=row.is_confirmed,
            row=row,
        )

    @strawberry.field
    async def volunteer(self, info: Info) -> Volunteer:
        row = await info.context.loaders.row(m.Volunteer.id).load(self.row.volunteer_id)
        return Volunteer.from_row(row, info)

    @strawberry.field
    async def activity(self, info: Info) -> ActivityRef | None:
        from schema.projects import Activity

        return await related(info, m.Activity.id, self.row.activity_id, Activity.from_row)

    @strawberry.field
    async def team(self, info: Info) -> TeamRef | None:
        from schema.teams import Team

        return await related(info, m.Team.id, self.row.team_id, Team.from_row)

"""The root Query type: one entry point per list and look-up of api.md."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

import strawberry
from sqlalchemy import ColumnElement, Select

from db import models as m
from resolvers import audit, households, news, orders, projects, sites, sync, teams
from resolvers.common import Sort, ordering, root_page
from schema import stats
from schema.audit import PersonalDataRead, PersonalDataReadFilter
from schema.divisions import Division
from schema.enums import DivisionLevel
from schema.errors import BadUserInput
from schema.households import Household
from schema.info import Info
from schema.inputs import (
    ActivityFilter,
    ActivityOrder,
    DivisionFilter,
    DivisionOrder,
    HouseholdFilter,
    HouseholdOrder,
    OrderFilter,
    OrderOrder,
    OrderOrderField,
    ProjectFilter,
    ProjectOrder,
    QuarantineFilter,
    SiteFilter,
    SiteOrder,
    StoryFilter,
    StoryOrder,
    SyncRunFilter,
    TeamFilter,
    TeamOrder,
    VolunteerFilter,
    VolunteerOrder,
    checked_division_code,
    require_divisions,
    sorts,
)
from schema.news import NewsStory
from schema.node import decode_id, resolve_node
from schema.orders import ServiceOrder
from schema.permissions import protected_filter_scope, require_admin, require_staff
from schema.projects import Activity, Project
from schema.relay import MAX_FIRST, Connection, Node, asks_total, connection, page_request
from schema.sites import Center, Site, site_from_row
from schema.stats import (
    Comparison,
    IndexWeight,
    MetricDefinition,
    PeriodInput,
    Ranking,
    RankingSubject,
    SavedIndex,
)
from schema.sync import QuarantinedRecord, SyncRun
from schema.teams import Team
from schema.viewer import Viewer
from schema.volunteers import Volunteer

__all__ = ["Query"]

T = TypeVar("T")

_BY_ID = [Sort("id")]
_NEWEST_STORIES = [Sort("published_at", descending=True)]
_NEWEST_ORDERS = [Sort("ordered_at", descending=True)]
_NEWEST_RUNS = [Sort("started_at", descending=True)]
_NEWEST_READS = [Sort("read_at", descending=True)]


async def _listed(
    info: Info,
    model: type[Any],
    statement: Select[Any],
    order: list[ColumnElement[Any]],
    first: int | None,
    after: str | None,
    adapt: Callable[[Any], T],
) -> Connection[T]:
    """One page of a root list, in `order`, as a connection of `adapt`-ed rows."""
    page = await root_page(
        info.context.sessionmaker,
        model,
        statement,
        order,
        page_request(first, after, counted=asks_total(info)),
    )
    return connection(page, adapt)


@strawberry.type
class Query:
    @strawberry.field(description="Any object by its global id.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await resolve_node(info, id)

    @strawberry.field(description=f"Objects by their global ids (at most {MAX_FIRST}), in order.")
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        if len(ids) > MAX_FIRST:
            raise BadUserInput(f"{len(ids)} ids given; at most {MAX_FIRST} at once")
        # Gathered, so that ids of one type are fetched by one batched statement.
        return list(await asyncio.gather(*(resolve_node(info, global_id) for global_id in ids)))

    @strawberry.field(description="Who is asking, and what they may see.")
    def viewer(self, info: Info) -> Viewer:
        return Viewer.from_viewer(info.context.viewer)

    @strawberry.field(description='A division by its national code, e.g. "522601".')
    async def division(self, info: Info, code: str) -> Division | None:
        row = await info.context.loaders.row(m.Division.code).load(checked_division_code(code))
        return Division.from_row(row) if row else None

    @strawberry.field
    async def divisions(
        self,
        info: Info,
        filter: DivisionFilter | None = None,
        order_by: list[DivisionOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Division]:
        statement = sites.division_statement((filter or DivisionFilter()).criteria())
        return await _listed(
            info,
            m.Division,
            statement,
            ordering(m.Division, sorts(order_by), [Sort("code")]),
            first,
            after,
            Division.from_row,
        )

    @strawberry.field(description="A county's center, by its id or its division code.")
    async def center(
        self,
        info: Info,
        id: strawberry.ID | None = None,
        division_code: str | None = None,
    ) -> Center | None:
        if (id is None) == (division_code is None):
            raise BadUserInput("give exactly one of `id` and `divisionCode`")
        if id is not None:
            row = await info.context.loaders.row(m.Site.id).load(decode_id(id, "Center"))
        else:
            code = checked_division_code(division_code) or ""
            row = await sites.center_of_division(info.context.sessionmaker, code)
            if row is None:
                await require_divisions(info, [code])
        return Center.from_row(row) if row is not None and row.kind is m.SiteKind.CENTER else None

    @strawberry.field(description="County centers (新时代文明实践中心).")
    async def centers(
        self,
        info: Info,
        filter: SiteFilter | None = None,
        order_by: list[SiteOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Center]:
        criteria = (filter or SiteFilter()).criteria()
        statement = sites.site_statement(criteria).where(m.Site.kind == m.SiteKind.CENTER)
        return await _listed(
            info,
            m.Site,
            statement,
            ordering(m.Site, sorts(order_by), _BY_ID),
            first,
            after,
            Center.from_row,
        )

    @strawberry.field(description="Sites of every level.")
    async def sites(
        self,
        info: Info,
        filter: SiteFilter | None = None,
        order_by: list[SiteOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Site]:
        statement = sites.site_statement((filter or SiteFilter()).criteria())
        return await _listed(
            info,
            m.Site,
            statement,
            ordering(m.Site, sorts(order_by), _BY_ID),
            first,
            after,
            site_from_row,
        )

    @strawberry.field
    async def teams(
        self,
        info: Info,
        filter: TeamFilter | None = None,
        order_by: list[TeamOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Team]:
        statement = teams.team_statement((filter or TeamFilter()).criteria())
        return await _listed(
            info,
            m.Team,
            statement,
            ordering(m.Team, sorts(order_by), _BY_ID),
            first,
            after,
            Team.from_row,
        )

    @strawberry.field(description="Volunteers; personal fields only for staff of their county.")
    async def volunteers(
        self,
        info: Info,
        filter: VolunteerFilter | None = None,
        order_by: list[VolunteerOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Volunteer]:
        criteria = (filter or VolunteerFilter()).criteria()
        if criteria.team_id is not None:
            within = protected_filter_scope(
                info.context.viewer, "a filter on team membership (a team's member list)"
            )
            criteria = replace(criteria, within=within)
        statement = teams.volunteer_statement(criteria)
        return await _listed(
            info,
            m.Volunteer,
            statement,
            ordering(m.Volunteer, sorts(order_by), _BY_ID),
            first,
            after,
            lambda row: Volunteer.from_row(row, info),
        )

    @strawberry.field
    async def projects(
        self,
        info: Info,
        filter: ProjectFilter | None = None,
        order_by: list[ProjectOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Project]:
        statement = projects.project_statement((filter or ProjectFilter()).criteria())
        return await _listed(
            info,
            m.Project,
            statement,
            ordering(m.Project, sorts(order_by), _BY_ID),
            first,
            after,
            Project.from_row,
        )

    @strawberry.field
    async def activities(
        self,
        info: Info,
        filter: ActivityFilter | None = None,
        order_by: list[ActivityOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Activity]:
        statement = projects.activity_statement((filter or ActivityFilter()).criteria())
        newest = [Sort("starts_at", descending=True)]
        return await _listed(
            info,
            m.Activity,
            statement,
            ordering(m.Activity, sorts(order_by), newest),
            first,
            after,
            Activity.from_row,
        )

    @strawberry.field(
        description="Service orders (点单), newest first. Ordering by rating is for staff, "
        "over the counties they cover."
    )
    async def orders(
        self,
        info: Info,
        filter: OrderFilter | None = None,
        order_by: list[OrderOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[ServiceOrder]:
        criteria = (filter or OrderFilter()).criteria()
        if any(sort.field is OrderOrderField.RATING for sort in order_by or []):
            # The order of a list sorted by rating gives each rating away.
            within = protected_filter_scope(info.context.viewer, "ordering orders by rating")
            criteria = replace(criteria, within=within)
        statement = orders.order_statement(criteria)
        return await _listed(
            info,
            m.ServiceOrder,
            statement,
            ordering(m.ServiceOrder, sorts(order_by), _NEWEST_ORDERS),
            first,
            after,
            ServiceOrder.from_row,
        )

    @strawberry.field(description="Households; names masked unless staff of their county.")
    async def households(
        self,
        info: Info,
        filter: HouseholdFilter | None = None,
        order_by: list[HouseholdOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Household]:
        criteria = (filter or HouseholdFilter()).criteria()
        if criteria.has_credit_rating is not None:
            within = protected_filter_scope(info.context.viewer, "a filter on credit ratings")
            criteria = replace(criteria, within=within)
        statement = households.household_statement(criteria)
        return await _listed(
            info,
            m.Household,
            statement,
            ordering(m.Household, sorts(order_by), _BY_ID),
            first,
            after,
            lambda row: Household.from_row(row, info),
        )

    @strawberry.field(
        description="News stories, newest first (or by RELEVANCE to `filter.search`)."
    )
    async def stories(
        self,
        info: Info,
        filter: StoryFilter | None = None,
        order_by: list[StoryOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[NewsStory]:
        dialect = info.context.sessionmaker.kw["bind"].dialect.name
        statement, relevance = news.story_statement((filter or StoryFilter()).criteria(), dialect)
        chosen = sorts(order_by)
        by_relevance = [sort for sort in chosen if sort.column == "relevance"]
        if by_relevance and relevance is None:
            raise BadUserInput("ordering by RELEVANCE needs words to match: give filter.search")
        order = ordering(
            m.NewsStory, [sort for sort in chosen if sort.column != "relevance"], _NEWEST_STORIES
        )
        if relevance is not None and by_relevance:
            order = [relevance.desc() if by_relevance[0].descending else relevance.asc(), *order]
        return await _listed(info, m.NewsStory, statement, order, first, after, NewsStory.from_row)

    @strawberry.field(
        description="Who read personal data (names, ID numbers, phones, addresses, "
        "ledgers), newest first: admin only."
    )
    async def personal_data_reads(
        self,
        info: Info,
        filter: PersonalDataReadFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[PersonalDataRead]:
        require_admin(info.context.viewer, "the record of personal-data reads (admin only)")
        statement = audit.read_statement((filter or PersonalDataReadFilter()).criteria())
        return await _listed(
            info,
            m.PersonalDataRead,
            statement,
            ordering(m.PersonalDataRead, [], _NEWEST_READS),
            first,
            after,
            PersonalDataRead.from_row,
        )

    @strawberry.field(description="Connector runs, newest first (staff; own counties only).")
    async def sync_runs(
        self,
        info: Info,
        filter: SyncRunFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[SyncRun] | None:
        require_staff(info.context.viewer, "the sync log")
        statement = sync.sync_run_statement(
            (filter or SyncRunFilter()).criteria(), info.context.viewer
        )
        return await _listed(
            info,
            m.SyncRun,
            statement,
            ordering(m.SyncRun, [], _NEWEST_RUNS),
            first,
            after,
            SyncRun.from_row,
        )

    @strawberry.field(description="Source records refused by a sync (staff; own counties only).")
    async def quarantine(
        self,
        info: Info,
        filter: QuarantineFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[QuarantinedRecord] | None:
        require_staff(info.context.viewer, "the quarantine")
        statement = sync.quarantine_statement(
            (filter or QuarantineFilter()).criteria(), info.context.viewer
        )
        return await _listed(
            info,
            m.QuarantinedRecord,
            statement,
            ordering(m.QuarantinedRecord, [], _BY_ID),
            first,
            after,
            lambda row: QuarantinedRecord.shown(info, row),
        )

    @strawberry.field(description="The comparison metrics and how each rolls up.")
    def metrics(self) -> list[MetricDefinition]:
        return stats.metrics()

    @strawberry.field(
        description="Metrics side by side for divisions of any level, with the change "
        "against the previous period. Missing is not zero; small groups are suppressed."
    )
    async def compare(
        self, info: Info, division_codes: list[str], metrics: list[str], period: PeriodInput
    ) -> list[Comparison]:
        return await stats.compare(info, division_codes, metrics, period)

    @strawberry.field(
        description="Divisions of a level within a division (or its institutes or teams), "
        "ranked by one metric or a weighted index, with the previous period's ranks."
    )
    async def ranking(
        self,
        info: Info,
        within: str,
        period: PeriodInput,
        level: DivisionLevel = m.DivisionLevel.COUNTY,  # type: ignore[valid-type]
        of: RankingSubject = RankingSubject.DIVISIONS,
        metric: str | None = None,
        index: list[IndexWeight] | None = None,
        index_name: str | None = None,
    ) -> Ranking:
        return await stats.ranking(info, within, level, of, metric, index, index_name, period)

    @strawberry.field(description="Composite indexes saved by name.")
    async def ranking_indexes(self, info: Info) -> list[SavedIndex]:
        return await stats.saved_indexes(info)

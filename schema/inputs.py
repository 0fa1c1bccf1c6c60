"""Filter and order inputs of the root lists, each turned into the resolvers' criteria."""

from __future__ import annotations

import enum
from datetime import date, datetime

import strawberry

from db import models as m
from resolvers.common import Sort, no_division_named, shown, unknown_divisions
from resolvers.households import HouseholdCriteria
from resolvers.news import MentionRef, StoryCriteria
from resolvers.orders import OrderCriteria
from resolvers.projects import ActivityCriteria, ProjectCriteria
from resolvers.sites import DivisionCriteria, SiteCriteria
from resolvers.sync import QuarantineCriteria, SyncRunCriteria
from resolvers.teams import TeamCriteria, VolunteerCriteria
from schema.enums import (
    DivisionLevel,
    Gender,
    HonourLevel,
    OrderDirection,
    OrderStatus,
    SiteKind,
    SiteStatus,
    SyncStatus,
    TeamKind,
)
from schema.errors import BadUserInput, NotFound
from schema.info import Info
from schema.node import SITE_TYPES, decode_id
from schema.relay import decode_global_id, row_key

__all__ = [
    "ActivityFilter",
    "ActivityOrder",
    "DivisionFilter",
    "DivisionOrder",
    "HouseholdFilter",
    "HouseholdOrder",
    "OrderFilter",
    "OrderOrder",
    "ProjectFilter",
    "ProjectOrder",
    "QuarantineFilter",
    "SiteFilter",
    "SiteOrder",
    "StoryFilter",
    "StoryOrder",
    "SyncRunFilter",
    "TeamFilter",
    "TeamOrder",
    "VolunteerFilter",
    "VolunteerOrder",
    "checked_division_code",
    "sorts",
]


# A search is a few words; every word is one more condition on the index.
MAX_SEARCH_CHARACTERS = 200
MAX_SEARCH_WORDS = 16
# More hours than anyone could serve in a lifetime.
MAX_HOURS = 200_000


def checked_division_code(code: str | None) -> str | None:
    if code is not None and not m.DIVISION_CODE.fullmatch(code):
        raise BadUserInput(
            f'{shown(code)} is not a division code: use 6 digits (e.g. "522601") or 12'
        )
    return code


async def require_divisions(info: Info, codes: list[str]) -> None:
    """NOT_FOUND naming the codes that name no division (rather than an empty answer
    that looks like a division with nothing in it)."""
    unknown = await unknown_divisions(info.context.sessionmaker, codes)
    if unknown:
        raise NotFound(f"{no_division_named(unknown)}: check it against `divisions`")


def _optional_id(global_id: strawberry.ID | None, *types: str) -> int | None:
    return None if global_id is None else decode_id(global_id, *types)


def sorts(
    orders: list[SiteOrder]
    | list[TeamOrder]
    | list[VolunteerOrder]
    | list[ProjectOrder]
    | list[ActivityOrder]
    | list[OrderOrder]
    | list[HouseholdOrder]
    | list[StoryOrder]
    | list[DivisionOrder]
    | None,
) -> list[Sort]:
    return [
        Sort(order.field.value, order.direction is OrderDirection.DESC) for order in orders or []
    ]


@strawberry.input(description="Which sites to list; every condition given must hold.")
class SiteFilter:
    kinds: list[SiteKind] | None = None  # type: ignore[valid-type]
    division_code: str | None = strawberry.field(
        default=None, description="In this division or below."
    )
    is_demonstration: bool | None = None
    statuses: list[SiteStatus] | None = None  # type: ignore[valid-type]
    name_contains: str | None = None
    opened_after: date | None = None
    opened_before: date | None = None
    platform_name_contains: str | None = None
    include_retired: bool = False

    def criteria(self, *, kinds: tuple[m.SiteKind, ...] = ()) -> SiteCriteria:
        return SiteCriteria(
            kinds=tuple(self.kinds or ()) or kinds,
            division_code=checked_division_code(self.division_code),
            is_demonstration=self.is_demonstration,
            statuses=tuple(self.statuses or ()),
            name_contains=self.name_contains,
            opened_after=self.opened_after,
            opened_before=self.opened_before,
            platform_name=self.platform_name_contains,
            include_retired=self.include_retired,
        )


@strawberry.enum
class SiteOrderField(enum.Enum):
    ID = "id"
    NAME = "name"
    OPENED_ON = "opened_on"
    FLOOR_AREA = "floor_area_m2"
    DIVISION_CODE = "division_code"


@strawberry.input
class SiteOrder:
    field: SiteOrderField
    direction: OrderDirection = OrderDirection.ASC


@strawberry.input
class DivisionFilter:
    levels: list[DivisionLevel] | None = None  # type: ignore[valid-type]
    within: str | None = strawberry.field(default=None, description="Below this division.")
    parent_code: str | None = None
    name_contains: str | None = None

    def criteria(self) -> DivisionCriteria:
        return DivisionCriteria(
            levels=tuple(self.levels or ()),
            within=checked_division_code(self.within),
            parent_code=checked_division_code(self.parent_code),
            name_contains=self.name_contains,
        )


@strawberry.input
class TeamFilter:
    division_code: str | None = None
    kinds: list[TeamKind] | None = None  # type: ignore[valid-type]
    platform_id: strawberry.ID | None = None
    parent_id: strawberry.ID | None = None
    home_site_id: strawberry.ID | None = None
    name_contains: str | None = None
    include_retired: bool = False

    def criteria(self) -> TeamCriteria:
        return TeamCriteria(
            division_code=checked_division_code(self.division_code),
            kinds=tuple(self.kinds or ()),
            platform_id=_optional_id(self.platform_id, "Platform"),
            parent_id=_optional_id(self.parent_id, "Team"),
            home_site_id=_optional_id(self.home_site_id, *SITE_TYPES),
            name_contains=self.name_contains,
            include_retired=self.include_retired,
        )


@strawberry.enum
class TeamOrderField(enum.Enum):
    ID = "id"
    NAME = "name"
    FOUNDED_ON = "founded_on"


@strawberry.input
class TeamOrder:
    field: TeamOrderField
    direction: OrderDirection = OrderDirection.ASC


@strawberry.input
class VolunteerFilter:
    division_code: str | None = None
    team_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Members of this team: staff only (else FORBIDDEN), within their scope.",
    )
    genders: list[Gender] | None = None  # type: ignore[valid-type]
    registered_after: date | None = None
    registered_before: date | None = None
    min_service_hours: float | None = None
    min_star_level: int | None = None
    include_retired: bool = False

    def criteria(self) -> VolunteerCriteria:
        if self.min_star_level is not None and not 1 <= self.min_star_level <= 5:
            raise BadUserInput("`minStarLevel` is between 1 and 5")
        if self.min_service_hours is not None and not 0 <= self.min_service_hours <= MAX_HOURS:
            raise BadUserInput(f"`minServiceHours` is between 0 and {MAX_HOURS:,}")
        return VolunteerCriteria(
            division_code=checked_division_code(self.division_code),
            team_id=_optional_id(self.team_id, "Team"),
            genders=tuple(self.genders or ()),
            registered_after=self.registered_after,
            registered_before=self.registered_before,
            min_service_hours=self.min_service_hours,
            min_star_level=self.min_star_level,
            include_retired=self.include_retired,
        )


@strawberry.enum
class VolunteerOrderField(enum.Enum):
    ID = "id"
    REGISTERED_ON = "registered_on"
    SERVICE_HOURS = "service_minutes"


@strawberry.input
class VolunteerOrder:
    field: VolunteerOrderField
    direction: OrderDirection = OrderDirection.ASC


@strawberry.input
class ProjectFilter:
    division_code: str | None = None
    is_brand: bool | None = None
    platform_id: strawberry.ID | None = None
    team_id: strawberry.ID | None = None
    name_contains: str | None = None
    started_after: date | None = None
    has_award: bool | None = None
    include_retired: bool = False

    def criteria(self) -> ProjectCriteria:
        return ProjectCriteria(
            division_code=checked_division_code(self.division_code),
            is_brand=self.is_brand,
            platform_id=_optional_id(self.platform_id, "Platform"),
            team_id=_optional_id(self.team_id, "Team"),
            name_contains=self.name_contains,
            started_after=self.started_after,
            has_award=self.has_award,
            include_retired=self.include_retired,
        )


@strawberry.enum
class ProjectOrderField(enum.Enum):
    ID = "id"
    NAME = "name"
    STARTED_ON = "started_on"


@strawberry.input
class ProjectOrder:
    field: ProjectOrderField
    direction: OrderDirection = OrderDirection.ASC


@strawberry.input
class ActivityFilter:
    division_code: str | None = None
    project_id: strawberry.ID | None = None
    site_id: strawberry.ID | None = None
    team_id: strawberry.ID | None = None
    starts_after: datetime | None = None
    starts_before: datetime | None = None
    title_contains: str | None = None
    include_retired: bool = False

    def criteria(self) -> ActivityCriteria:
        return ActivityCriteria(
            division_code=checked_division_code(self.division_code),
            project_id=_optional_id(self.project_id, "Project"),
            site_id=_optional_id(self.site_id, *SITE_TYPES),
            team_id=_optional_id(self.team_id, "Team"),
            starts_after=self.starts_after,
            starts_before=self.starts_before,
            title_contains=self.title_contains,
            include_retired=self.include_retired,
        )


@strawberry.enum
class ActivityOrderField(enum.Enum):
    ID = "id"
    STARTS_AT = "starts_at"
    PEOPLE_SERVED = "people_served"
    VOLUNTEER_COUNT = "volunteer_count"


@strawberry.input
class ActivityOrder:
    field: ActivityOrderField
    direction: OrderDirection = OrderDirection.ASC


@strawberry.input
class OrderFilter:
    division_code: str | None = None
    statuses: list[OrderStatus] | None = None  # type: ignore[valid-type]
    site_id: strawberry.ID | None = None
    team_id: strawberry.ID | None = None
    menu_item_id: strawberry.ID | None = None
    ordered_after: datetime | None = None
    ordered_before: datetime | None = None
    include_retired: bool = False

    def criteria(self) -> OrderCriteria:
        return OrderCriteria(
            division_code=checked_division_code(self.division_code),
            statuses=tuple(self.statuses or ()),
            site_id=_optional_id(self.site_id, *SITE_TYPES),
            team_id=_optional_id(self.team_id, "Team"),
            menu_item_id=_optional_id(self.menu_item_id, "MenuItem"),
            ordered_after=self.ordered_after,
            ordered_before=self.ordered_before,
            include_retired=self.include_retired,
        )


@strawberry.enum
class OrderOrderField(enum.Enum):
    ID = "id"
    ORDERED_AT = "ordered_at"
    RATING = "rating"


@strawberry.input
class OrderOrder:
    field: OrderOrderField
    direction: OrderDirection = OrderDirection.ASC


@strawberry.input
class HouseholdFilter:
    division_code: str | None = None
    honour_levels: list[HonourLevel] | None = None  # type: ignore[valid-type]
    honour_title: str | None = None
    has_credit_rating: bool | None = strawberry.field(
        default=None,
        description="Whether a household holds a credit rating: staff only (else FORBIDDEN), "
        "within their scope.",
    )
    include_retired: bool = False

    def criteria(self) -> HouseholdCriteria:
        return HouseholdCriteria(
            division_code=checked_division_code(self.division_code),
            honour_levels=tuple(self.honour_levels or ()),
            honour_title=self.honour_title,
            has_credit_rating=self.has_credit_rating,
            include_retired=self.include_retired,
        )


@strawberry.enum
class HouseholdOrderField(enum.Enum):
    ID = "id"
    HOUSEHOLD_NUMBER = "household_number"
    DIVISION_CODE = "division_code"


@strawberry.input
class HouseholdOrder:
    field: HouseholdOrderField
    direction: OrderDirection = OrderDirection.ASC


_MENTION_TARGETS = {
    "Team": m.MentionTarget.TEAM,
    "Project": m.MentionTarget.PROJECT,
    "Division": m.MentionTarget.DIVISION,
    **dict.fromkeys(SITE_TYPES, m.MentionTarget.SITE),
}


@strawberry.input(description="Which stories to list, newest first.")
class StoryFilter:
    search: str | None = strawberry.field(default=None, description="Words in the title or body.")
    mentions: list[strawberry.ID] | None = strawberry.field(
        default=None,
        description="Ids of sites, teams, projects or divisions; all must be mentioned.",
    )
    division_code: str | None = strawberry.field(
        default=None, description="Stories mentioning this division or a site in it."
    )
    published_after: datetime | None = None
    published_before: datetime | None = None
    feed_id: strawberry.ID | None = None

    def criteria(self) -> StoryCriteria:
        search = (self.search or "").strip() or None
        if search is not None:
            if len(search) > MAX_SEARCH_CHARACTERS:
                raise BadUserInput(
                    f"`filter.search` is {len(search):,} characters long; search with at most "
                    f"{MAX_SEARCH_CHARACTERS} (a few words)"
                )
            if len(set(search.split())) > MAX_SEARCH_WORDS:
                raise BadUserInput(f"`filter.search` holds more than {MAX_SEARCH_WORDS} words")
        return StoryCriteria(
            search=search,
            mentions=tuple(_mention(global_id) for global_id in self.mentions or ()),
            division_code=checked_division_code(self.division_code),
            published_after=self.published_after,
            published_before=self.published_before,
            feed_id=_optional_id(self.feed_id, "NewsFeed"),
        )


@strawberry.enum
class StoryOrderField(enum.Enum):
    ID = "id"
    PUBLISHED_AT = "published_at"
    TITLE = "title"
    RELEVANCE = strawberry.enum_value(
        "relevance",
        description="How well a story matches `filter.search` (needs one); DESC puts the "
        "best match first.",
    )


@strawberry.input
class StoryOrder:
    field: StoryOrderField
    direction: OrderDirection = OrderDirection.ASC


@strawberry.enum
class DivisionOrderField(enum.Enum):
    CODE = "code"
    NAME = "name"
    POPULATION = "population"


@strawberry.input
class DivisionOrder:
    field: DivisionOrderField
    direction: OrderDirection = OrderDirection.ASC


def _mention(global_id: str) -> MentionRef:
    type_name, key = decode_global_id(global_id)
    target = _MENTION_TARGETS.get(type_name)
    if target is None:
        raise BadUserInput(f"{shown(global_id)} is not the id of a site, team, project or division")
    if target is not m.MentionTarget.DIVISION:
        row_key(global_id, key)
    return MentionRef(target, key)


@strawberry.input
class SyncRunFilter:
    source: str | None = None
    statuses: list[SyncStatus] | None = None  # type: ignore[valid-type]

    def criteria(self) -> SyncRunCriteria:
        return SyncRunCriteria(source=self.source, statuses=tuple(self.statuses or ()))


@strawberry.input
class QuarantineFilter:
    source: str | None = None
    sync_run_id: strawberry.ID | None = None
    unresolved_only: bool = True

    def criteria(self) -> QuarantineCriteria:
        return QuarantineCriteria(
            source=self.source,
            sync_run_id=_optional_id(self.sync_run_id, "SyncRun"),
            unresolved_only=self.unresolved_only,
        )

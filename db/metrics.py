"""The registry of comparison metrics and the SQL each is computed from.

Every metric is defined by one event-level SELECT of
`(division_code, moment, numerator, denominator, subject)`: `division_code` is the finest
division the event is known at, `moment` a date or instant (NULL for what holds at every
time, such as the number of villages), `subject` what a distinct count counts. The rollup
and the direct computation both aggregate the same events.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Date,
    Integer,
    Select,
    cast,
    func,
    literal,
    null,
    select,
    union_all,
)

from db import models as m
from db.sqltime import minutes_between, year_start

__all__ = ["METRICS", "Metric", "MetricKind", "Subjects", "metric"]

EventSelect = Select[Any] | CompoundSelect[Any]


class MetricKind(enum.Enum):
    FLOW = "flow"  # summed over the events inside the period
    STOCK = "stock"  # summed over everything up to the end of the period
    DISTINCT = "distinct"  # distinct subjects inside the period (not additive over time)
    MEDIAN = "median"  # median of the events inside the period (computed directly)


class Subjects(enum.Enum):
    """What a value is computed over, for suppressing small groups."""

    PEOPLE = "people"
    HOUSEHOLDS = "households"


@dataclass(frozen=True, slots=True)
class Metric:
    code: str
    name_zh: str
    name_en: str
    unit: str
    kind: MetricKind
    events: Callable[[], EventSelect]
    instant: bool
    ratio: bool = False
    scale: float = 1.0
    higher_is_better: bool = True
    subjects: Subjects | None = None
    # Which metric counts the people or households behind this one, and which part of it.
    subjects_metric: str | None = None
    subjects_part: str = "numerator"
    public: bool = True
    description: str = ""

    def value(self, numerator: float, denominator: float) -> float | None:
        """The value from summed parts; a ratio over nothing is missing, not zero."""
        if self.ratio:
            return None if denominator == 0 else numerator / denominator * self.scale
        return numerator * self.scale


_EPOCH = date(1900, 1, 1)


def _events(
    division: Any, moment: Any, numerator: Any, denominator: Any = 0, subject: Any = None
) -> list[Any]:
    return [
        division.label("division_code"),
        moment.label("moment") if moment is not None else cast(null(), Date).label("moment"),
        cast(numerator, Integer).label("numerator")
        if isinstance(numerator, int)
        else numerator.label("numerator"),
        cast(literal(denominator), Integer).label("denominator")
        if isinstance(denominator, int)
        else denominator.label("denominator"),
        subject.label("subject") if subject is not None else cast(null(), Integer).label("subject"),
    ]


def _live(model: Any) -> Any:
    return model.retired_at.is_(None)


def _coverage(kind: m.SiteKind, level: m.DivisionLevel) -> Callable[[], EventSelect]:
    """Divisions of `level` holding at least one open site of `kind`, over all of them."""

    def events() -> EventSelect:
        every = select(*_events(m.Division.code, None, literal(0), 1)).where(
            m.Division.level == level
        )
        # An open site whose opening date the register leaves blank counts from the start;
        # one still being built (在建) does not count yet.
        opened = func.coalesce(m.Site.opened_on, _EPOCH)
        first_opened = (
            select(m.Site.division_code.label("code"), func.min(opened).label("opened"))
            .join(m.Division, m.Division.code == m.Site.division_code)
            .where(
                m.Site.kind == kind,
                m.Division.level == level,
                m.Site.status != m.SiteStatus.BUILDING,
                _live(m.Site),
            )
            .group_by(m.Site.division_code)
            .subquery()
        )
        covered = select(*_events(first_opened.c.code, first_opened.c.opened, literal(1)))
        return union_all(every, covered)

    return events


def _demonstration_sites() -> EventSelect:
    opened = func.coalesce(m.Site.opened_on, _EPOCH)
    return select(*_events(m.Site.division_code, opened, literal(1))).where(
        m.Site.is_demonstration.is_(True), _live(m.Site)
    )


def _registered_volunteers() -> EventSelect:
    return select(*_events(m.Volunteer.county_code, m.Volunteer.registered_on, literal(1))).where(
        _live(m.Volunteer)
    )


def _volunteers_per_population() -> EventSelect:
    # Only counties whose population is known count, on both sides of the ratio.
    known = select(m.Division.code).where(m.Division.population.is_not(None))
    volunteers = select(
        *_events(m.Volunteer.county_code, m.Volunteer.registered_on, literal(1))
    ).where(_live(m.Volunteer), m.Volunteer.county_code.in_(known))
    population = select(*_events(m.Division.code, None, literal(0), m.Division.population)).where(
        m.Division.population.is_not(None), m.Division.level == m.DivisionLevel.COUNTY
    )
    return union_all(volunteers, population)


def _active_volunteers() -> EventSelect:
    return (
        select(
            *_events(
                m.Volunteer.county_code,
                m.ServiceRecord.served_on,
                literal(1),
                0,
                m.ServiceRecord.volunteer_id,
            )
        )
        .join(m.Volunteer, m.Volunteer.id == m.ServiceRecord.volunteer_id)
        .where(_live(m.ServiceRecord))
    )


def _activity_sum(column: Any) -> Callable[[], EventSelect]:
    def events() -> EventSelect:
        return (
            select(*_events(m.Site.division_code, m.Activity.starts_at, column))
            .join(m.Site, m.Site.id == m.Activity.site_id)
            .where(_live(m.Activity))
        )

    return events


def _orders(
    numerator: Any, denominator: Any = 0, moment: Any = m.ServiceOrder.ordered_at, *where: Any
) -> Callable[[], EventSelect]:
    def events() -> EventSelect:
        return (
            select(*_events(m.Site.division_code, moment, numerator, denominator))
            .join(m.Site, m.Site.id == m.ServiceOrder.site_id)
            .where(_live(m.ServiceOrder), *where)
        )

    return events


_FULFILLED = m.ServiceOrder.status.in_([m.OrderStatus.DELIVERED, m.OrderStatus.RATED])
_NOT_CANCELLED = m.ServiceOrder.status != m.OrderStatus.CANCELLED


def _dispatch_minutes() -> EventSelect:
    waited = minutes_between(m.ServiceOrder.ordered_at, m.ServiceOrder.dispatched_at)
    return _orders(
        waited, 0, m.ServiceOrder.ordered_at, m.ServiceOrder.dispatched_at.is_not(None)
    )()


def _points(kind: m.PointsEntryKind, column: Any) -> Callable[[], EventSelect]:
    def events() -> EventSelect:
        return (
            select(*_events(m.Household.division_code, m.PointsEntry.occurred_on, column))
            .join(m.PointsAccount, m.PointsAccount.id == m.PointsEntry.account_id)
            .join(m.Household, m.Household.id == m.PointsAccount.household_id)
            .where(m.PointsEntry.kind == kind, _live(m.PointsEntry))
        )

    return events


def _households_with(kind: m.PointsEntryKind) -> Callable[[], EventSelect]:
    """Households with at least one entry of `kind`: those whose entries make a points
    figure, over whom small groups are counted."""

    def events() -> EventSelect:
        return (
            select(
                *_events(
                    m.Household.division_code,
                    m.PointsEntry.occurred_on,
                    literal(1),
                    0,
                    m.Household.id,
                )
            )
            .join(m.PointsAccount, m.PointsAccount.id == m.PointsEntry.account_id)
            .join(m.Household, m.Household.id == m.PointsAccount.household_id)
            .where(m.PointsEntry.kind == kind, _live(m.PointsEntry))
        )

    return events


def _passbook_households() -> EventSelect:
    opened = func.coalesce(m.PointsAccount.opened_on, _EPOCH)
    return (
        select(*_events(m.Household.division_code, opened, literal(1)))
        .join(m.Household, m.Household.id == m.PointsAccount.household_id)
        .where(_live(m.PointsAccount))
    )


def _honoured_households() -> EventSelect:
    first = (
        select(m.HouseholdHonour.household_id, func.min(m.HouseholdHonour.year).label("year"))
        .where(_live(m.HouseholdHonour))
        .group_by(m.HouseholdHonour.household_id)
        .subquery()
    )
    return select(*_events(m.Household.division_code, year_start(first.c.year), literal(1))).join(
        first, first.c.household_id == m.Household.id
    )


def _brand_projects() -> EventSelect:
    started = func.coalesce(m.Project.started_on, _EPOCH)
    return select(*_events(m.Project.county_code, started, literal(1))).where(
        m.Project.is_brand.is_(True), _live(m.Project)
    )


def _awards() -> EventSelect:
    return (
        select(*_events(m.Project.county_code, year_start(m.Award.year), literal(1)))
        .join(m.Project, m.Project.id == m.Award.project_id)
        .where(_live(m.Award))
    )


def _metrics() -> tuple[Metric, ...]:
    return (
        Metric(
            "station_coverage",
            "实践站覆盖率",
            "Station coverage",
            "share",
            MetricKind.STOCK,
            _coverage(m.SiteKind.STATION, m.DivisionLevel.VILLAGE),
            instant=False,
            ratio=True,
            description="Villages and communities with an open station, over all of them.",
        ),
        Metric(
            "institute_coverage",
            "实践所覆盖率",
            "Institute coverage",
            "share",
            MetricKind.STOCK,
            _coverage(m.SiteKind.INSTITUTE, m.DivisionLevel.TOWNSHIP),
            instant=False,
            ratio=True,
            description="Townships and streets with an open institute, over all of them.",
        ),
        Metric(
            "demonstration_sites",
            "示范阵地",
            "Demonstration sites",
            "sites",
            MetricKind.STOCK,
            _demonstration_sites,
            instant=False,
        ),
        Metric(
            "registered_volunteers",
            "注册志愿者",
            "Registered volunteers",
            "people",
            MetricKind.STOCK,
            _registered_volunteers,
            instant=False,
            subjects=Subjects.PEOPLE,
            subjects_metric="registered_volunteers",
        ),
        Metric(
            "volunteers_per_10k",
            "每万人志愿者数",
            "Volunteers per 10,000 residents",
            "per 10,000",
            MetricKind.STOCK,
            _volunteers_per_population,
            instant=False,
            ratio=True,
            scale=10_000,
            subjects=Subjects.PEOPLE,
            subjects_metric="registered_volunteers",
            description="Missing where the division's population is not known.",
        ),
        Metric(
            "active_volunteers",
            "活跃志愿者",
            "Active volunteers",
            "people",
            MetricKind.DISTINCT,
            _active_volunteers,
            instant=False,
            subjects=Subjects.PEOPLE,
            subjects_metric="active_volunteers",
            description="Volunteers with at least one service record in the period.",
        ),
        Metric(
            "volunteer_hours",
            "志愿服务时长",
            "Volunteer hours",
            "hours",
            MetricKind.FLOW,
            _activity_sum(m.Activity.volunteer_minutes),
            instant=True,
            scale=1 / 60,
        ),
        Metric(
            "activities",
            "活动场次",
            "Activities",
            "activities",
            MetricKind.FLOW,
            _activity_sum(literal(1)),
            instant=True,
        ),
        Metric(
            "people_served",
            "服务人次",
            "People served",
            "person-times",
            MetricKind.FLOW,
            _activity_sum(m.Activity.people_served),
            instant=True,
        ),
        Metric(
            "orders_placed",
            "群众点单",
            "Orders placed",
            "orders",
            MetricKind.FLOW,
            _orders(literal(1)),
            instant=True,
        ),
        Metric(
            "order_fulfilment_rate",
            "点单完成率",
            "Order fulfilment rate",
            "share",
            MetricKind.FLOW,
            _orders(cast(_FULFILLED, Integer), cast(_NOT_CANCELLED, Integer)),
            instant=True,
            ratio=True,
            description="Orders placed in the period and delivered, over those not cancelled.",
        ),
        Metric(
            "median_dispatch_hours",
            "派单时长中位数",
            "Median time to dispatch",
            "hours",
            MetricKind.MEDIAN,
            _dispatch_minutes,
            instant=True,
            scale=1 / 60,
            higher_is_better=False,
        ),
        Metric(
            "average_rating",
            "群众评价",
            "Average rating",
            "stars",
            MetricKind.FLOW,
            _orders(
                m.ServiceOrder.rating,
                literal(1),
                m.ServiceOrder.rated_at,
                m.ServiceOrder.rating.is_not(None),
            ),
            instant=True,
            ratio=True,
            subjects=Subjects.PEOPLE,
            subjects_metric="average_rating",
            subjects_part="denominator",
        ),
        Metric(
            "points_issued",
            "积分发放",
            "Points issued",
            "points",
            MetricKind.FLOW,
            _points(m.PointsEntryKind.EARN, m.PointsEntry.points),
            instant=False,
            subjects=Subjects.HOUSEHOLDS,
            subjects_metric="households_earning",
        ),
        Metric(
            "points_deducted",
            "积分扣减",
            "Points deducted",
            "points",
            MetricKind.FLOW,
            _points(m.PointsEntryKind.DEDUCT, -m.PointsEntry.points),
            instant=False,
            higher_is_better=False,
            subjects=Subjects.HOUSEHOLDS,
            subjects_metric="households_deducted",
        ),
        Metric(
            "points_redeemed",
            "积分兑换",
            "Points redeemed",
            "points",
            MetricKind.FLOW,
            _points(m.PointsEntryKind.REDEEM, -m.PointsEntry.points),
            instant=False,
            subjects=Subjects.HOUSEHOLDS,
            subjects_metric="households_redeeming",
        ),
        Metric(
            "yuan_redeemed",
            "兑换金额",
            "Yuan redeemed",
            "yuan",
            MetricKind.FLOW,
            _points(m.PointsEntryKind.REDEEM, m.PointsEntry.redeemed_value_fen),
            instant=False,
            scale=1 / 100,
            subjects=Subjects.HOUSEHOLDS,
            subjects_metric="households_redeeming",
        ),
        Metric(
            "honoured_households",
            "获评家庭",
            "Honoured households",
            "households",
            MetricKind.STOCK,
            _honoured_households,
            instant=False,
            subjects=Subjects.HOUSEHOLDS,
            subjects_metric="honoured_households",
        ),
        Metric(
            "brand_projects",
            "品牌项目",
            "Brand projects",
            "projects",
            MetricKind.STOCK,
            _brand_projects,
            instant=False,
        ),
        Metric("awards", "项目获奖", "Awards", "awards", MetricKind.STOCK, _awards, instant=False),
        Metric(
            "passbook_households",
            "持折户数",
            "Households with a passbook",
            "households",
            MetricKind.STOCK,
            _passbook_households,
            instant=False,
            public=False,
        ),
        *(
            Metric(
                code,
                name_zh,
                name_en,
                "households",
                MetricKind.DISTINCT,
                _households_with(kind),
                instant=False,
                public=False,
            )
            for code, name_zh, name_en, kind in (
                (
                    "households_earning",
                    "获分户数",
                    "Households earning points",
                    m.PointsEntryKind.EARN,
                ),
                (
                    "households_deducted",
                    "扣分户数",
                    "Households with deductions",
                    m.PointsEntryKind.DEDUCT,
                ),
                (
                    "households_redeeming",
                    "兑换户数",
                    "Households redeeming",
                    m.PointsEntryKind.REDEEM,
                ),
            )
        ),
    )


METRICS: dict[str, Metric] = {definition.code: definition for definition in _metrics()}


def metric(code: str) -> Metric:
    """A public metric by code; KeyError names the known codes."""
    found = METRICS.get(code)
    if found is None or not found.public:
        known = ", ".join(code for code, item in METRICS.items() if item.public)
        raise KeyError(f"{code[:40]!r} is not a metric; known metrics: {known}")
    return found

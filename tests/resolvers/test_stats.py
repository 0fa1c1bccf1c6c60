"""Comparison values on a small fixture whose answers are computed by hand, on both
databases; and the rollup agrees with the direct computation everywhere."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from db import models as m
from db.engine import create_sessionmaker
from db.metrics import METRICS
from db.models import DivisionLevel
from db.rollup import refresh_rollup
from resolvers.comparison import Weighted, compare, rank_divisions
from resolvers.periods import Period
from resolvers.stats import _direct_parts, _rollup_parts, metric_values
from resolvers.viewer import Role, Viewer
from tests.factories import provenance

ADMIN = Viewer(Role.ADMIN)
KAILI_STAFF = Viewer(Role.COUNTY_STAFF, frozenset({"522601"}))
GUIZHOU_STAFF = Viewer(Role.PROVINCE_STAFF, frozenset({"520000"}))


def _division(
    code: str, level: DivisionLevel, parent: str | None, population: int | None = None
) -> m.Division:
    return m.Division(code=code, name=code, level=level, parent_code=parent, population=population)


def _site(
    site_id: int, kind: m.SiteKind, division: str, parent: int | None, opened: date | None
) -> m.Site:
    return m.Site(
        id=site_id,
        kind=kind,
        name=f"site {site_id}",
        division_code=division,
        parent_id=parent,
        status=m.SiteStatus.OPEN,
        opened_on=opened,
        **provenance(),
    )


def _order(
    order_id: int, site: int, ordered: datetime, dispatch_hours: float | None, **extra: Any
) -> m.ServiceOrder:
    dispatched = ordered + timedelta(hours=dispatch_hours) if dispatch_hours is not None else None
    status = extra.pop("status", m.OrderStatus.DISPATCHED if dispatched else m.OrderStatus.ORDERED)
    return m.ServiceOrder(
        id=order_id,
        county_code=extra.pop("county"),
        site_id=site,
        status=status,
        ordered_at=ordered,
        dispatched_at=dispatched,
        **extra,
        **provenance(),
    )


def _instant(local: str) -> datetime:
    """A wall-clock time in Shanghai as a UTC instant."""
    return datetime.fromisoformat(local).replace(tzinfo=UTC) - timedelta(hours=8)


@pytest.fixture
async def fixture(engine: AsyncEngine) -> AsyncEngine:
    """Guizhou (52) › Qiandongnan (5226) › Kaili (522601) and a second county (522602).

    Kaili: 4 villages in two townships, stations opened 2025-06 (village 002001), 2026-01-10
    (001001) and 2026-04-01 (001002). County 522602: one village, no station, no volunteers.
    """
    sessionmaker = create_sessionmaker(engine)
    async with sessionmaker() as session, session.begin():
        session.add_all(
            [
                _division("520000", DivisionLevel.PROVINCE, None),
                _division("522600", DivisionLevel.PREFECTURE, "520000"),
                _division("522601", DivisionLevel.COUNTY, "522600", population=600_000),
                _division("522602", DivisionLevel.COUNTY, "522600"),
                _division("522601001000", DivisionLevel.TOWNSHIP, "522601"),
                _division("522601002000", DivisionLevel.TOWNSHIP, "522601"),
                _division("522602001000", DivisionLevel.TOWNSHIP, "522602"),
                *(
                    _division(code, DivisionLevel.VILLAGE, code[:9] + "000")
                    for code in (
                        "522601001001",
                        "522601001002",
                        "522601001003",
                        "522601002001",
                        "522602001001",
                    )
                ),
            ]
        )
        await session.flush()
        session.add_all(
            [
                _site(1, m.SiteKind.CENTER, "522601", None, date(2020, 1, 1)),
                _site(2, m.SiteKind.INSTITUTE, "522601001000", 1, date(2021, 1, 1)),
                _site(3, m.SiteKind.STATION, "522601002001", 2, date(2025, 6, 1)),
                _site(4, m.SiteKind.STATION, "522601001001", 2, date(2026, 1, 10)),
                _site(5, m.SiteKind.STATION, "522601001002", 2, date(2026, 4, 1)),
                _site(6, m.SiteKind.CENTER, "522602", None, date(2020, 1, 1)),
            ]
        )
        await session.flush()
        volunteers = [
            m.Volunteer(
                id=n,
                county_code="522601",
                volunteer_number=f"V{n}",
                person_key=f"k{n}",
                real_name="张伟",
                id_number_sealed="s",
                gender=m.Gender.MALE,
                registered_on=date(2025, 12, n),
                **provenance(),
            )
            for n in (1, 2, 3)
        ]
        session.add_all(volunteers)
        await session.flush()
        # Volunteer 1 serves in January and February, volunteer 2 in February.
        session.add_all(
            [
                m.ServiceRecord(volunteer_id=volunteer, served_on=day, minutes=60, **provenance())
                for volunteer, day in (
                    (1, date(2026, 1, 5)),
                    (1, date(2026, 2, 5)),
                    (2, date(2026, 2, 6)),
                )
            ]
        )
        # Half an hour into 1 April in Shanghai is April, though still 31 March in UTC.
        session.add_all(
            [
                m.Activity(
                    id=1,
                    title="a",
                    county_code="522601",
                    site_id=4,
                    starts_at=_instant("2026-03-31T23:30"),
                    volunteer_count=2,
                    volunteer_minutes=120,
                    people_served=20,
                    **provenance(),
                ),
                m.Activity(
                    id=2,
                    title="b",
                    county_code="522601",
                    site_id=4,
                    starts_at=_instant("2026-04-01T00:30"),
                    volunteer_count=3,
                    volunteer_minutes=180,
                    people_served=10,
                    **provenance(),
                ),
            ]
        )
        ordered = _instant("2026-03-10T09:00")
        session.add_all(
            [
                _order(1, 4, ordered, 1, county="522601"),
                _order(2, 4, ordered, 2, county="522601"),
                _order(3, 3, ordered, 10, county="522601"),
                _order(4, 6, ordered, 4, county="522602"),
                _order(
                    5,
                    6,
                    ordered,
                    None,
                    county="522602",
                    status=m.OrderStatus.CANCELLED,
                    cancelled_at=ordered + timedelta(hours=1),
                ),
            ]
        )
    await refresh_rollup(engine)
    return engine


async def _values(
    engine: AsyncEngine,
    code: str,
    period: str,
    keys: list[str],
    level: DivisionLevel,
    viewer: Viewer = ADMIN,
) -> dict[str, Any]:
    async with create_sessionmaker(engine)() as session:
        found = await metric_values(
            session, METRICS[code], Period.parse(period), level, keys, viewer, 5
        )
    return {key: value for key, value in found.items()}


async def test_station_coverage_is_a_ratio_of_summed_parts(fixture: AsyncEngine) -> None:
    march = await _values(
        fixture, "station_coverage", "2026-03", ["522601", "522602"], DivisionLevel.COUNTY
    )
    assert march["522601"].value == pytest.approx(2 / 4)
    assert march["522601"].previous == pytest.approx(2 / 4)
    assert march["522602"].value == 0  # villages, no station: zero, not missing
    april = await _values(
        fixture, "station_coverage", "2026-04", ["522600"], DivisionLevel.PREFECTURE
    )
    # 3 of 5 villages, not the mean of 3/4 and 0/1.
    assert april["522600"].value == pytest.approx(3 / 5)
    assert (april["522600"].numerator, april["522600"].denominator) == (3, 5)


async def test_township_roll_up(fixture: AsyncEngine) -> None:
    found = await _values(
        fixture,
        "station_coverage",
        "2026-04",
        ["522601001000", "522601002000"],
        DivisionLevel.TOWNSHIP,
    )
    assert found["522601001000"].value == pytest.approx(2 / 3)
    assert found["522601002000"].value == pytest.approx(1.0)


async def test_a_metric_no_system_reports_is_missing(fixture: AsyncEngine) -> None:
    found = await _values(
        fixture, "registered_volunteers", "2026", ["522601", "522602"], DivisionLevel.COUNTY
    )
    assert found["522601"].value == 3
    assert found["522602"].missing
    assert found["522602"].value is None
    points = await _values(fixture, "points_issued", "2026", ["522601"], DivisionLevel.COUNTY)
    assert points["522601"].missing


async def test_volunteers_per_10k_needs_a_population(fixture: AsyncEngine) -> None:
    found = await _values(
        fixture, "volunteers_per_10k", "2026", ["522601", "522602", "522600"], DivisionLevel.COUNTY
    )
    assert found["522601"].value == pytest.approx(3 / 600_000 * 10_000)
    assert found["522602"].missing


async def test_months_begin_at_midnight_in_shanghai(fixture: AsyncEngine) -> None:
    march = await _values(fixture, "people_served", "2026-03", ["522601"], DivisionLevel.COUNTY)
    april = await _values(fixture, "people_served", "2026-04", ["522601"], DivisionLevel.COUNTY)
    assert (march["522601"].value, april["522601"].value) == (20, 10)
    hours = await _values(fixture, "volunteer_hours", "2026-Q2", ["522601"], DivisionLevel.COUNTY)
    assert hours["522601"].value == 3


async def test_distinct_volunteers_are_not_summed_over_months(fixture: AsyncEngine) -> None:
    quarter = await _values(
        fixture, "active_volunteers", "2026-Q1", ["522601"], DivisionLevel.COUNTY
    )
    january = await _values(
        fixture, "active_volunteers", "2026-01", ["522601"], DivisionLevel.COUNTY
    )
    february = await _values(
        fixture, "active_volunteers", "2026-02", ["522601"], DivisionLevel.COUNTY
    )
    assert (january["522601"].value, february["522601"].value, quarter["522601"].value) == (1, 2, 2)


async def test_median_is_of_all_orders_not_of_county_medians(fixture: AsyncEngine) -> None:
    found = await _values(
        fixture, "median_dispatch_hours", "2026-03", ["522600", "522601"], DivisionLevel.PREFECTURE
    )
    assert found["522600"].value == pytest.approx(3.0)  # median of 1, 2, 4, 10 hours
    county = await _values(
        fixture, "median_dispatch_hours", "2026-03", ["522601"], DivisionLevel.COUNTY
    )
    assert county["522601"].value == pytest.approx(2.0)


async def test_fulfilment_rate_leaves_cancelled_orders_out(fixture: AsyncEngine) -> None:
    found = await _values(
        fixture, "order_fulfilment_rate", "2026-03", ["522602"], DivisionLevel.COUNTY
    )
    assert (found["522602"].numerator, found["522602"].denominator) == (0, 1)


@pytest.mark.parametrize(
    ("viewer", "suppressed"),
    [
        (Viewer(), True),
        (Viewer(Role.ANALYST), True),
        (Viewer(Role.COUNTY_STAFF, frozenset({"522602"})), True),
        (KAILI_STAFF, False),
        (GUIZHOU_STAFF, False),
        (ADMIN, False),
    ],
)
async def test_small_groups_are_suppressed_outside_the_county(
    fixture: AsyncEngine, viewer: Viewer, suppressed: bool
) -> None:
    found = await _values(
        fixture, "registered_volunteers", "2026", ["522601"], DivisionLevel.COUNTY, viewer
    )
    assert found["522601"].suppressed is suppressed
    assert (found["522601"].value is None) is suppressed


async def test_a_prefecture_is_suppressed_for_staff_of_one_of_its_counties(
    fixture: AsyncEngine,
) -> None:
    found = await _values(
        fixture, "registered_volunteers", "2026", ["522600"], DivisionLevel.PREFECTURE, KAILI_STAFF
    )
    assert found["522600"].suppressed
    sites = await _values(
        fixture, "demonstration_sites", "2026", ["522600"], DivisionLevel.PREFECTURE, Viewer()
    )
    assert not sites["522600"].suppressed


async def test_ranking_with_previous_ranks(fixture: AsyncEngine) -> None:
    entries = await rank_divisions(
        create_sessionmaker(fixture),
        ADMIN,
        5,
        "522600",
        DivisionLevel.COUNTY,
        [Weighted(METRICS["station_coverage"], 1)],
        Period.parse("2026-04"),
    )
    assert [(entry.key, entry.rank, entry.previous_rank) for entry in entries] == [
        ("522601", 1, 1),
        ("522602", 2, 2),
    ]
    assert entries[0].value.change == pytest.approx(0.25)


async def test_compare_mixes_levels(fixture: AsyncEngine) -> None:
    rows = await compare(
        create_sessionmaker(fixture),
        ADMIN,
        5,
        ["522600", "522601", "522601001000"],
        [METRICS["station_coverage"]],
        Period.parse("2026-04"),
    )
    assert [round(row.values[0].value or 0, 4) for row in rows] == [0.6, 0.75, round(2 / 3, 4)]


WHOLE_MONTH_PERIODS = [
    "2025-12",
    "2026-01",
    "2026-03",
    "2026-04",
    "2026-Q1",
    "2026-Q2",
    "2025",
    "2026",
]


@pytest.mark.parametrize(
    "code", [code for code, metric in METRICS.items() if metric.kind.value != "median"]
)
@pytest.mark.parametrize(
    "level",
    [
        DivisionLevel.PROVINCE,
        DivisionLevel.PREFECTURE,
        DivisionLevel.COUNTY,
        DivisionLevel.TOWNSHIP,
    ],
)
async def test_rollup_equals_direct_computation(
    fixture: AsyncEngine, code: str, level: DivisionLevel
) -> None:
    metric = METRICS[code]
    async with create_sessionmaker(fixture)() as session:
        for text in WHOLE_MONTH_PERIODS:
            period = Period.parse(text)
            rolled = await _rollup_parts(session, metric, period, level, "520000", None)
            direct = await _direct_parts(session, metric, period, level, "520000", None)
            assert rolled == direct, (text, rolled, direct)


async def test_custom_ranges_inside_months_are_computed_directly(fixture: AsyncEngine) -> None:
    async with create_sessionmaker(fixture)() as session:
        found = await metric_values(
            session,
            METRICS["people_served"],
            Period.between(date(2026, 3, 31), date(2026, 3, 31)),
            DivisionLevel.COUNTY,
            ["522601"],
            ADMIN,
            5,
        )
    assert found["522601"].value == 20

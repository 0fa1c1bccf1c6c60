"""The demo holds the published shapes of domain.md, counted in the database."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from db import models as m
from db.engine import create_sessionmaker
from demo.generator import DemoOptions
from demo.load import DEMO_NEWS_HOST
from demo.places import PLACES


async def _scalar(engine: AsyncEngine, statement: Any) -> Any:
    async with engine.connect() as connection:
        return (await connection.execute(statement)).scalar_one()


def _sites(place: str, kind: m.SiteKind, *, demonstration: bool | None = None) -> Any:
    statement = select(func.count()).where(
        m.Site.source_system == f"demo:{place}", m.Site.kind == kind
    )
    if demonstration is not None:
        statement = statement.where(m.Site.is_demonstration.is_(demonstration))
    return statement


def _teams(place: str, *kinds: m.TeamKind) -> Any:
    return select(func.count()).where(
        m.Team.source_system == f"demo:{place}", m.Team.kind.in_(kinds)
    )


@pytest.mark.parametrize(
    ("place", "kind", "demonstration", "expected"),
    [
        ("tongren", m.SiteKind.PREFECTURE_CENTER, None, 1),
        ("tongren", m.SiteKind.CENTER, None, 12),
        ("tongren", m.SiteKind.INSTITUTE, None, 182),
        ("tongren", m.SiteKind.INSTITUTE, True, 27),
        ("tongren", m.SiteKind.STATION, None, 2929),
        ("tongren", m.SiteKind.STATION, True, 99),
        ("tianzhu", m.SiteKind.CENTER, None, 1),
        ("tianzhu", m.SiteKind.SUB_CENTER, None, 5),
        ("tianzhu", m.SiteKind.INSTITUTE, None, 20),
        ("tianzhu", m.SiteKind.STATION, None, 198),
        ("weifang", m.SiteKind.CENTER, None, 13),
        ("weifang", m.SiteKind.INSTITUTE, None, 134),
        ("weifang", m.SiteKind.STATION, None, 4017),
        ("nujiang", m.SiteKind.PREFECTURE_CENTER, None, 1),
        ("nujiang", m.SiteKind.SUB_CENTER, None, 7),
        ("nujiang", m.SiteKind.POINT, True, 10),
        ("gangcheng", m.SiteKind.STATION, None, 14),
        ("gangcheng", m.SiteKind.POINT, None, 18),
        ("qingyang", m.SiteKind.POINT, None, 58),
        ("kaili", m.SiteKind.CENTER, None, 1),
        ("kaili", m.SiteKind.INSTITUTE, None, 20),
    ],
)
async def test_published_site_counts(
    demo_engine: AsyncEngine,
    place: str,
    kind: m.SiteKind,
    demonstration: bool | None,
    expected: int,
) -> None:
    assert await _scalar(demo_engine, _sites(place, kind, demonstration=demonstration)) == expected


@pytest.mark.parametrize(
    ("place", "kinds", "expected"),
    [
        ("kaili", (m.TeamKind.GENERAL_BRIGADE,), 1),
        ("kaili", (m.TeamKind.PROFESSIONAL,), 27),
        ("kaili", (m.TeamKind.DETACHMENT,), 20),
        ("kaili", (m.TeamKind.SOCIAL_ORGANIZATION,), 33),
        ("tianzhu", (m.TeamKind.PROFESSIONAL,), 9),
        ("tianzhu", (m.TeamKind.DETACHMENT, m.TeamKind.VILLAGE), 323),
        ("gangcheng", tuple(m.TeamKind), 34),
    ],
)
async def test_published_team_counts(
    demo_engine: AsyncEngine, place: str, kinds: tuple[m.TeamKind, ...], expected: int
) -> None:
    assert await _scalar(demo_engine, _teams(place, *kinds)) == expected


async def test_tianzhu_has_nine_platforms_and_its_brand_projects(demo_engine: AsyncEngine) -> None:
    tianzhu = next(place for place in PLACES if place.key == "tianzhu")
    platforms = select(func.count()).where(m.Platform.source_system == "demo:tianzhu")
    assert await _scalar(demo_engine, platforms) == 9
    async with demo_engine.connect() as connection:
        brands = set(
            (
                await connection.execute(
                    select(m.Project.name).where(
                        m.Project.source_system == "demo:tianzhu", m.Project.is_brand
                    )
                )
            ).scalars()
        )
    assert brands == set(tianzhu.brand_projects)
    assert len(brands) == 25
    assert "马背宣讲" in brands


async def test_institutes_hang_under_sub_centers_in_tianzhu(demo_engine: AsyncEngine) -> None:
    parent = m.Site.__table__.alias("parent")
    statement = (
        select(func.count())
        .select_from(m.Site.__table__.join(parent, parent.c.id == m.Site.parent_id))
        .where(
            m.Site.source_system == "demo:tianzhu",
            m.Site.kind == m.SiteKind.INSTITUTE,
            parent.c.kind == m.SiteKind.SUB_CENTER.value,
        )
    )
    assert await _scalar(demo_engine, statement) == 20


@pytest.mark.parametrize(
    ("title", "level", "expected"),
    [
        ("文明家庭", m.HonourLevel.NATIONAL, 1),
        ("最美家庭", m.HonourLevel.NATIONAL, 14),
        ("最美家庭", m.HonourLevel.PROVINCIAL, 509),
        ("文明家庭", m.HonourLevel.CITY, 37),
        ("最美家庭", m.HonourLevel.CITY, 1520),
    ],
)
async def test_qingyang_honours_by_level(
    demo_engine: AsyncEngine, title: str, level: m.HonourLevel, expected: int
) -> None:
    statement = select(func.count()).where(
        m.HouseholdHonour.title == title, m.HouseholdHonour.level == level
    )
    assert await _scalar(demo_engine, statement) == expected


async def test_people_and_events_follow_the_scale(
    demo_engine: AsyncEngine, demo_options: DemoOptions
) -> None:
    for place in PLACES:
        # Volunteers come from each county's national registry export.
        statement = select(func.count()).where(m.Volunteer.county_code.in_(place.counties))
        expected = demo_options.scaled(place.volunteers)
        assert await _scalar(demo_engine, statement) == expected, place.key
    kaili_orders = select(func.count()).where(m.ServiceOrder.source_system == "demo:kaili")
    assert await _scalar(demo_engine, kaili_orders) == demo_options.scaled(12_000)


async def test_published_totals_add_up_at_scale(
    demo_engine: AsyncEngine, demo_options: DemoOptions
) -> None:
    served = select(func.sum(m.Activity.people_served)).where(
        m.Activity.source_system == "demo:nujiang"
    )
    assert await _scalar(demo_engine, served) == demo_options.scaled(158_800)
    redeemed = select(func.sum(m.PointsEntry.redeemed_value_fen))
    assert await _scalar(demo_engine, redeemed) == demo_options.scaled(126_000) * 100
    credit = select(func.sum(m.CreditRating.credit_line_yuan))
    assert (
        await _scalar(demo_engine, credit) == demo_options.scaled(3_680_000_000) // 10_000 * 10_000
    )
    # A bank is known from its ledger: at small scales not every office has a passbook.
    banks = select(func.count()).where(m.PointsBank.source_system.startswith("demo-savings:"))
    assert await _scalar(demo_engine, banks) == min(125, demo_options.scaled(45_000))


async def test_no_points_balance_falls_below_its_bank_floor(demo_engine: AsyncEngine) -> None:
    balances = (
        select(
            m.PointsAccount.id,
            func.sum(m.PointsEntry.points).label("balance"),
            m.PointsBank.redemption_floor,
        )
        .join(m.PointsEntry, m.PointsEntry.account_id == m.PointsAccount.id)
        .join(m.PointsBank, m.PointsBank.id == m.PointsAccount.bank_id)
        .group_by(m.PointsAccount.id, m.PointsBank.redemption_floor)
    )
    async with demo_engine.connect() as connection:
        rows = (await connection.execute(balances)).all()
    assert rows
    assert all(row.balance >= row.redemption_floor for row in rows)


async def test_every_order_log_matches_its_status(demo_engine: AsyncEngine) -> None:
    last_step = (
        select(m.OrderEvent.order_id, func.count().label("steps"))
        .where(
            m.OrderEvent.kind.in_(
                [
                    m.OrderEventKind.DISPATCHED,
                    m.OrderEventKind.ACCEPTED,
                    m.OrderEventKind.DELIVERED,
                    m.OrderEventKind.RATED,
                ]
            )
        )
        .group_by(m.OrderEvent.order_id)
        .subquery()
    )
    statement = select(m.ServiceOrder.status, func.coalesce(last_step.c.steps, 0)).outerjoin(
        last_step, last_step.c.order_id == m.ServiceOrder.id
    )
    depth = {
        m.OrderStatus.ORDERED: 0,
        m.OrderStatus.CANCELLED: 0,
        m.OrderStatus.DISPATCHED: 1,
        m.OrderStatus.ACCEPTED: 2,
        m.OrderStatus.DELIVERED: 3,
        m.OrderStatus.RATED: 4,
    }
    async with demo_engine.connect() as connection:
        rows = (await connection.execute(statement)).all()
    assert rows
    assert all(steps == depth[status] for status, steps in rows)


async def test_every_village_station_sits_in_a_village(demo_engine: AsyncEngine) -> None:
    statement = (
        select(func.count())
        .select_from(
            m.Site.__table__.join(m.Division.__table__, m.Division.code == m.Site.division_code)
        )
        .where(m.Site.kind == m.SiteKind.STATION, m.Division.level != m.DivisionLevel.VILLAGE)
    )
    assert await _scalar(demo_engine, statement) == 0


async def test_the_demo_went_through_the_connectors(demo_engine: AsyncEngine) -> None:
    """Every source synced, nothing quarantined, and the counts add up."""
    async with create_sessionmaker(demo_engine)() as session:
        runs = (await session.scalars(select(m.SyncRun))).all()
        quarantined = await session.scalar(select(func.count()).select_from(m.QuarantinedRecord))
    assert runs
    assert all(run.status is m.SyncStatus.SUCCEEDED for run in runs)
    assert all(
        run.records_read == run.inserted + run.updated + run.unchanged + run.quarantined
        for run in runs
    )
    assert {run.source.split(":")[0] for run in runs} == {
        "demo",
        "national-registry",
        "demo-roster",
        "demo-savings",
        "demo-credit",
        "demo-honours",
        "demo-news",
    }
    assert quarantined == 0


async def test_households_are_one_across_their_sources(demo_engine: AsyncEngine) -> None:
    """Rosters bring every household; ledgers, credit and honour lists find them."""
    from_rosters = select(func.count()).where(m.Household.source_system.startswith("demo-roster:"))
    total = select(func.count()).select_from(m.Household)
    assert await _scalar(demo_engine, total) == await _scalar(demo_engine, from_rosters)
    assert await _scalar(demo_engine, total) > 0


async def test_news_came_through_the_connector_in_every_form(demo_engine: AsyncEngine) -> None:
    """Each place's site in its own form, every encoding read, and the provincial site's
    republications merged into the stories they copy."""
    async with demo_engine.connect() as connection:
        encodings = set(
            (await connection.execute(select(m.NewsStory.encoding_seen).distinct())).scalars()
        )
        republished = await connection.scalar(
            select(func.count())
            .select_from(m.StorySource)
            .where(m.StorySource.source_system == "demo-news:province")
        )
        own_stories = await connection.scalar(
            select(func.count())
            .select_from(m.NewsStory)
            .where(m.NewsStory.source_system == "demo-news:province")
        )
        mentions = await connection.scalar(select(func.count()).select_from(m.Mention))
    assert encodings == {"utf-8", "gb18030", "big5"}
    assert republished == 7
    assert own_stories == 0
    assert mentions


async def test_every_volunteer_has_a_team_and_a_registration(demo_engine: AsyncEngine) -> None:
    total = await _scalar(demo_engine, select(func.count()).select_from(m.Volunteer))
    members = select(func.count(m.TeamMembership.volunteer_id.distinct()))
    registered = select(func.count(m.VolunteerRegistration.volunteer_id.distinct()))
    assert total > 0
    assert await _scalar(demo_engine, members) == total
    assert await _scalar(demo_engine, registered) == total


async def test_story_addresses_outlive_the_demo_s_own_news_servers(
    demo_engine: AsyncEngine,
) -> None:
    """The news sites the demo reads are served on a port that closes when it is done;
    no address the hub hands out may point there."""
    async with demo_engine.connect() as connection:
        addresses = [
            *(await connection.execute(select(m.NewsStory.url))).scalars(),
            *(await connection.execute(select(m.NewsFeed.url))).scalars(),
            *(await connection.execute(select(m.StorySource.url))).scalars(),
            *filter(None, (await connection.execute(select(m.NewsStory.images))).scalars()),
        ]
    assert len(addresses) > 10
    assert not [address for address in addresses if "127.0.0.1" in address]
    assert all(DEMO_NEWS_HOST in address for address in addresses if "://" in address)


async def test_postgresql_has_statistics_of_the_loaded_tables(demo_engine: AsyncEngine) -> None:
    if demo_engine.dialect.name != "postgresql":
        pytest.skip("SQLite plans without table statistics")
    async with demo_engine.connect() as connection:
        unanalyzed = (
            await connection.exec_driver_sql(
                "SELECT relname FROM pg_stat_user_tables WHERE relname IN "
                "('volunteers', 'teams', 'team_memberships', 'sites') "
                "AND last_analyze IS NULL AND last_autoanalyze IS NULL"
            )
        ).all()
    assert unanalyzed == []

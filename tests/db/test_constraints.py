"""Constraints make bad states impossible, on both databases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from db import models as m
from db.engine import create_sessionmaker
from tests.factories import NOW, add_division_tree, provenance, site_row


async def _seeded(engine: AsyncEngine) -> AsyncSession:
    session = create_sessionmaker(engine)()
    session.add_all(add_division_tree())
    await session.commit()
    return session


async def _refused(session: AsyncSession, *rows: Any) -> None:
    session.add_all(rows)
    with pytest.raises((IntegrityError, StatementError)):
        await session.commit()
    await session.rollback()


def _household(**overrides: Any) -> m.Household:
    values: dict[str, Any] = {
        "county_code": "522601",
        "household_number": "H-1",
        "division_code": "522601001001",
        "head_name": "王秀英",
        **provenance(),
    }
    values.update(overrides)
    return m.Household(**values)


async def _account(session: AsyncSession) -> int:
    bank = m.PointsBank(
        name="北京东路社区文明储蓄所",
        county_code="522601",
        division_code="522601001001",
        **provenance(),
    )
    household = _household()
    session.add_all([bank, household])
    await session.flush()
    account = m.PointsAccount(bank_id=bank.id, household_id=household.id, **provenance())
    session.add(account)
    await session.commit()
    return account.id


async def test_division_code_must_be_6_or_12_digits(engine: AsyncEngine) -> None:
    async with await _seeded(engine) as session:
        await _refused(
            session, m.Division(code="52260100", name="x", level=m.DivisionLevel.TOWNSHIP)
        )


async def test_division_code_is_unique(engine: AsyncEngine) -> None:
    async with await _seeded(engine) as session:
        await _refused(
            session, m.Division(code="522601", name="again", level=m.DivisionLevel.COUNTY)
        )


async def test_site_needs_a_known_division(engine: AsyncEngine) -> None:
    async with await _seeded(engine) as session:
        await _refused(session, site_row(division_code="999999"))


async def test_one_row_per_source_record(engine: AsyncEngine) -> None:
    async with await _seeded(engine) as session:
        first = site_row(**provenance(source_id="site/1"))
        session.add(first)
        await session.commit()
        await _refused(session, site_row(name="duplicate", **provenance(source_id="site/1")))


async def test_same_source_id_from_another_system_is_a_different_record(
    engine: AsyncEngine,
) -> None:
    async with await _seeded(engine) as session:
        session.add_all(
            [
                site_row(**provenance(source_id="site/1")),
                site_row(**provenance(source_system="other", source_id="site/1")),
            ]
        )
        await session.commit()


@pytest.mark.parametrize(
    "overrides",
    [
        {"floor_area_m2": -1.0},
        {"last_seen_at": NOW - timedelta(days=1)},
    ],
    ids=["negative-floor-area", "last-seen-before-first-seen"],
)
async def test_site_checks(engine: AsyncEngine, overrides: dict[str, Any]) -> None:
    async with await _seeded(engine) as session:
        await _refused(session, site_row(**overrides))


async def test_unknown_enum_value_is_refused_by_the_database(engine: AsyncEngine) -> None:
    async with await _seeded(engine) as session:
        with pytest.raises(IntegrityError):
            await session.execute(
                text(
                    "INSERT INTO sites (kind, name, division_code, is_demonstration, status,"
                    " source_system, source_id, first_seen_at, last_seen_at, content_hash)"
                    " VALUES ('castle', 'x', '522601', false, 'open', 's', '1', :now, :now, 'h')"
                ),
                {"now": NOW},
            )
        await session.rollback()


async def test_naive_datetimes_are_refused(engine: AsyncEngine) -> None:
    async with await _seeded(engine) as session:
        await _refused(
            session, site_row(first_seen_at=datetime(2026, 1, 1), last_seen_at=datetime(2026, 1, 1))
        )


async def test_instants_come_back_aware_and_equal(engine: AsyncEngine) -> None:
    shanghai_morning = datetime(2026, 3, 5, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    async with await _seeded(engine) as session:
        site = site_row(**provenance(first_seen_at=shanghai_morning, last_seen_at=shanghai_morning))
        session.add(site)
        await session.commit()
        session.expunge_all()
        stored = await session.get(m.Site, site.id)
    assert stored is not None
    assert stored.first_seen_at == shanghai_morning
    assert stored.first_seen_at.tzinfo is not None


async def test_one_volunteer_per_person_per_county(engine: AsyncEngine) -> None:
    def volunteer(number: str) -> m.Volunteer:
        return m.Volunteer(
            county_code="522601",
            volunteer_number=number,
            person_key="k" * 64,
            real_name="张伟",
            id_number_sealed="sealed",
            gender=m.Gender.MALE,
            registered_on=date(2020, 1, 1),
            **provenance(),
        )

    async with await _seeded(engine) as session:
        session.add(volunteer("ZYZ1"))
        await session.commit()
        await _refused(session, volunteer("ZYZ2"))


PointsCase = tuple[m.PointsEntryKind, int, int | None]


@pytest.mark.parametrize(
    ("kind", "points", "value_fen"),
    [
        (m.PointsEntryKind.EARN, -5, None),
        (m.PointsEntryKind.DEDUCT, 5, None),
        (m.PointsEntryKind.REDEEM, 10, 1000),
        (m.PointsEntryKind.ADJUST, 0, None),
        (m.PointsEntryKind.EARN, 5, 500),
        (m.PointsEntryKind.REDEEM, -10, -1000),
    ],
    ids=[
        "earn-negative",
        "deduct-positive",
        "redeem-positive",
        "adjust-zero",
        "value-on-earn",
        "negative-redemption-value",
    ],
)
async def test_ledger_signs_match_entry_kinds(
    engine: AsyncEngine, kind: m.PointsEntryKind, points: int, value_fen: int | None
) -> None:
    async with await _seeded(engine) as session:
        account_id = await _account(session)
        await _refused(
            session,
            m.PointsEntry(
                account_id=account_id,
                kind=kind,
                points=points,
                occurred_on=date(2026, 1, 1),
                redeemed_value_fen=value_fen,
                **provenance(),
            ),
        )


async def test_valid_ledger_entries_are_accepted(engine: AsyncEngine) -> None:
    async with await _seeded(engine) as session:
        account_id = await _account(session)
        session.add_all(
            [
                m.PointsEntry(
                    account_id=account_id,
                    kind=kind,
                    points=points,
                    occurred_on=date(2026, 1, 1),
                    redeemed_value_fen=value,
                    **provenance(),
                )
                for kind, points, value in [
                    (m.PointsEntryKind.EARN, 10, None),
                    (m.PointsEntryKind.REDEEM, -4, 400),
                    (m.PointsEntryKind.ADJUST, -1, None),
                ]
            ]
        )
        await session.commit()


def _order(**overrides: Any) -> Callable[[int], m.ServiceOrder]:
    def build(site_id: int) -> m.ServiceOrder:
        values: dict[str, Any] = {
            "county_code": "522601",
            "site_id": site_id,
            "status": m.OrderStatus.ORDERED,
            "ordered_at": NOW,
            **provenance(),
        }
        values.update(overrides)
        return m.ServiceOrder(**values)

    return build


@pytest.mark.parametrize(
    "build",
    [
        _order(status=m.OrderStatus.RATED, dispatched_at=NOW, accepted_at=NOW, delivered_at=NOW),
        _order(rating=6),
        _order(status=m.OrderStatus.DISPATCHED),
        _order(status=m.OrderStatus.CANCELLED),
        _order(status=m.OrderStatus.DISPATCHED, dispatched_at=NOW - timedelta(hours=1)),
    ],
    ids=[
        "rated-without-rating",
        "rating-out-of-range",
        "dispatched-without-instant",
        "cancelled-without-instant",
        "dispatched-before-ordered",
    ],
)
async def test_order_states_are_consistent(
    engine: AsyncEngine, build: Callable[[int], m.ServiceOrder]
) -> None:
    async with await _seeded(engine) as session:
        site = site_row()
        session.add(site)
        await session.commit()
        await _refused(session, build(site.id))


async def test_mention_points_at_exactly_one_target(engine: AsyncEngine) -> None:
    async with await _seeded(engine) as session:
        site = site_row()
        feed = m.NewsFeed(name="凯里文明网", url="http://kaili.example/rss", format="rss")
        session.add_all([site, feed])
        await session.flush()
        story = m.NewsStory(
            feed_id=feed.id,
            url="http://kaili.example/1",
            title="t",
            published_at=NOW,
            body="凯里市",
            **provenance(),
        )
        session.add(story)
        await session.commit()
        await _refused(
            session,
            m.Mention(
                story_id=story.id,
                target=m.MentionTarget.SITE,
                site_id=site.id,
                division_code="522601",
                matched_text="凯里市",
                position=0,
            ),
        )


async def test_sync_run_counts_must_add_up_when_it_succeeds(engine: AsyncEngine) -> None:
    async with await _seeded(engine) as session:

        def run(status: m.SyncStatus) -> m.SyncRun:
            return m.SyncRun(
                source="kaili-app",
                stream="volunteers",
                status=status,
                started_at=NOW,
                records_read=10,
                inserted=5,
                updated=1,
                unchanged=1,
                quarantined=1,
                retired=0,
            )

        session.add(run(m.SyncStatus.FAILED))
        await session.commit()
        await _refused(session, run(m.SyncStatus.SUCCEEDED))

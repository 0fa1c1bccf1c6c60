"""Deletes cascade where a child means nothing alone; retired rows stay, marked."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from db import models as m
from db.engine import create_sessionmaker
from db.retire import retire_missing
from tests.factories import NOW, add_division_tree, provenance, site_row


async def _count(session: AsyncSession, model: type[object]) -> int:
    return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def _volunteer_with_links(session: AsyncSession) -> m.Volunteer:
    session.add_all(add_division_tree())
    site = site_row()
    session.add(site)
    await session.flush()
    team = m.Team(
        name="凯里市志愿服务总队",
        kind=m.TeamKind.GENERAL_BRIGADE,
        county_code="522601",
        home_site_id=site.id,
        **provenance(),
    )
    volunteer = m.Volunteer(
        county_code="522601",
        volunteer_number="ZYZ1",
        person_key="k" * 64,
        real_name="张伟",
        id_number_sealed="s",
        gender=m.Gender.MALE,
        registered_on=date(2020, 1, 1),
        **provenance(),
    )
    session.add_all([team, volunteer])
    await session.flush()
    session.add_all(
        [
            m.TeamMembership(team_id=team.id, volunteer_id=volunteer.id),
            m.VolunteerRegistration(volunteer_id=volunteer.id, **provenance()),
            m.ServiceRecord(
                volunteer_id=volunteer.id,
                team_id=team.id,
                served_on=date(2026, 1, 1),
                minutes=90,
                **provenance(),
            ),
        ]
    )
    await session.commit()
    return volunteer


async def test_deleting_a_volunteer_removes_memberships_registrations_and_records(
    engine: AsyncEngine,
) -> None:
    async with create_sessionmaker(engine)() as session:
        volunteer = await _volunteer_with_links(session)
        await session.delete(volunteer)
        await session.commit()
        for model in (m.TeamMembership, m.VolunteerRegistration, m.ServiceRecord):
            assert await _count(session, model) == 0, model
        assert await _count(session, m.Team) == 1


async def test_deleting_an_order_removes_its_event_log(engine: AsyncEngine) -> None:
    async with create_sessionmaker(engine)() as session:
        session.add_all(add_division_tree())
        site = site_row()
        session.add(site)
        await session.flush()
        order = m.ServiceOrder(
            county_code="522601",
            site_id=site.id,
            status=m.OrderStatus.ORDERED,
            ordered_at=NOW,
            **provenance(),
        )
        session.add(order)
        await session.flush()
        session.add_all(
            [
                m.OrderEvent(order_id=order.id, sequence=n, kind=kind, occurred_at=NOW)
                for n, kind in enumerate((m.OrderEventKind.ORDERED, m.OrderEventKind.URGED), 1)
            ]
        )
        await session.commit()
        await session.delete(order)
        await session.commit()
        assert await _count(session, m.OrderEvent) == 0


async def test_a_site_with_children_cannot_be_deleted(engine: AsyncEngine) -> None:
    async with create_sessionmaker(engine)() as session:
        session.add_all(add_division_tree())
        center = site_row()
        session.add(center)
        await session.flush()
        session.add(
            site_row(
                kind=m.SiteKind.INSTITUTE,
                name="大十字街道新时代文明实践所",
                division_code="522601001000",
                parent_id=center.id,
            )
        )
        await session.commit()
        await session.delete(center)
        with pytest.raises(IntegrityError):
            await session.commit()


async def test_retired_rows_stay_with_their_links(engine: AsyncEngine) -> None:
    async with create_sessionmaker(engine)() as session:
        volunteer = await _volunteer_with_links(session)
        source = volunteer.source_system
        later = NOW + timedelta(days=1)
        retired = await retire_missing(session, m.Volunteer, source, seen_source_ids=[], at=later)
        await session.commit()
        assert retired == 1
        session.expunge_all()
        kept = await session.get(m.Volunteer, volunteer.id)
        assert kept is not None
        assert kept.retired_at == later
        assert await _count(session, m.TeamMembership) == 1
        assert await _count(session, m.ServiceRecord) == 1


async def test_a_retired_row_seen_again_is_live_again(engine: AsyncEngine) -> None:
    async with create_sessionmaker(engine)() as session:
        volunteer = await _volunteer_with_links(session)
        source, source_id = volunteer.source_system, volunteer.source_id
        await retire_missing(session, m.Volunteer, source, [], NOW)
        assert await retire_missing(session, m.Volunteer, source, [source_id], NOW) == 0
        await session.commit()
        session.expunge_all()
        kept = await session.get(m.Volunteer, volunteer.id)
        assert kept is not None
        assert kept.retired_at is None


async def test_retirement_only_touches_its_own_source(engine: AsyncEngine) -> None:
    async with create_sessionmaker(engine)() as session:
        session.add_all(add_division_tree())
        session.add_all(
            [
                site_row(**provenance(source_system="a", source_id="1")),
                site_row(**provenance(source_system="b", source_id="1")),
            ]
        )
        await session.commit()
        assert await retire_missing(session, m.Site, "a", [], NOW) == 1
        await session.commit()
        live = await session.scalars(
            select(m.Site.source_system).where(m.Site.retired_at.is_(None))
        )
        assert list(live) == ["b"]

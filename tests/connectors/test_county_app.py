"""The county volunteer app connector against a real local HTTP server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.http import RetryPolicy
from connectors.identity import id_checksum
from connectors.sync import SyncRunner
from connectors.volunteers.app import CountyAppConnector
from db import models as m
from db.engine import create_sessionmaker
from db.pii import PersonalDataCipher
from demo.county_app import CountyApp, LocalServer, serve
from tests.factories import add_division_tree

CIPHER = PersonalDataCipher("wenming-test-secret-0123456789")
FAST = RetryPolicy(attempts=5, base_delay=0.01, max_delay=0.05)


def _id(first17: str) -> str:
    return first17 + id_checksum(first17)


def _data() -> dict[str, list[dict[str, Any]]]:
    t = "2026-03-01T09:00:00+08:00"
    return {
        "orgs": [
            {
                "id": "o1",
                "name": "凯里市新时代文明实践中心",
                "type": "center",
                "areaCode": "522601",
                "updated_at": t,
            },
            {
                "id": "o2",
                "name": "大十字街道新时代文明实践所",
                "type": "institute",
                "parentId": "o1",
                "areaCode": "522601001000",
                "updated_at": t,
            },
            {
                "id": "o3",
                "name": "北京东路社区新时代文明实践站",
                "type": "station",
                "parentId": "o2",
                "areaCode": "522601001001",
                "updated_at": t,
            },
        ],
        "platforms": [
            {
                "id": "pl1",
                "centerId": "o1",
                "name": "理论宣讲平台",
                "siteIds": ["o2", "o3"],
                "updated_at": t,
            }
        ],
        "teams": [
            {
                "id": "t1",
                "name": "凯里市志愿服务总队",
                "type": "general_brigade",
                "siteId": "o1",
                "platformId": "pl1",
                "updated_at": t,
            },
            {
                "id": "t2",
                "name": "北京东路社区志愿服务队",
                "type": "村（社区）队",
                "parentId": "t1",
                "siteId": "o3",
                "updated_at": t,
            },
        ],
        "volunteers": [
            {
                "id": "v1",
                "number": "KL0001",
                "name": "张伟",
                "idNumber": _id("52260119841221739"),
                "gender": "男",
                "phone": "13812345678",
                "registeredAt": "2025-01-05T10:00:00",
                "teamIds": ["t2"],
                "serviceHours": 30,
                "updated_at": t,
            },
            {
                "id": "v2",
                "number": "KL0002",
                "name": "李娜",
                "idNumber": "522601198412217391",
                "registeredAt": "2025-01-06",
                "updated_at": t,
            },
        ],
        "projects": [
            {
                "id": "p1",
                "name": "长寿食堂",
                "isBrand": True,
                "teamIds": ["t1", "t2"],
                "updated_at": t,
            }
        ],
        "menu": [{"id": "mi1", "centerId": "o1", "name": "健康义诊", "updated_at": t}],
        "activities": [
            {
                "id": "a1",
                "title": "长寿食堂助餐",
                "projectId": "p1",
                "siteId": "o3",
                "teamIds": ["t2"],
                "startsAt": "2026-03-01T11:00:00",
                "endsAt": "2026-03-01T13:00:00",
                "volunteerCount": 4,
                "volunteerHours": 8,
                "peopleServed": 30,
                "updated_at": t,
            },
        ],
        "records": [
            {
                "id": "r1",
                "volunteerId": "v1",
                "activityId": "a1",
                "teamId": "t2",
                "date": "2026-03-01",
                "hours": 2,
                "confirmed": True,
                "updated_at": t,
            },
            {"id": "r2", "volunteerId": "v9", "date": "2026-03-01", "hours": 1, "updated_at": t},
        ],
        "orders": [
            {
                "id": "d1",
                "siteId": "o3",
                "menuItemId": "mi1",
                "teamId": "t2",
                "state": 70,
                "rating": 5,
                "createdAt": "2026-03-02T08:00:00",
                "dispatchedAt": "2026-03-02T09:00:00",
                "acceptedAt": "2026-03-02T10:00:00",
                "completedAt": "2026-03-03T10:00:00",
                "ratedAt": "2026-03-04T10:00:00",
                "funding": {"amount": 200, "source": "凯里市财政", "at": "2026-03-02T08:30:00"},
                "urges": [{"time": "2026-03-02T08:40:00"}],
                "remarkList": [{"actor": "张伟", "time": "2026-03-03T09:00:00", "note": "已上门"}],
                "updated_at": t,
            },
            {
                "id": "d2",
                "siteId": "o3",
                "state": -1,
                "createdAt": "2026-03-05T08:00:00",
                "cancelledAt": "2026-03-05T09:00:00",
                "updated_at": t,
            },
            {
                "id": "d3",
                "siteId": "o3",
                "state": 70,
                "createdAt": "2026-03-05T08:00:00",
                "dispatchedAt": "2026-03-05T09:00:00",
                "acceptedAt": "2026-03-05T10:00:00",
                "completedAt": "2026-03-05T11:00:00",
                "ratedAt": "2026-03-05T12:00:00",
                "updated_at": t,
            },
            {
                "id": "d4",
                "siteId": "o3",
                "state": 50,
                "createdAt": "2026-03-06T08:00:00",
                "dispatchedAt": "2026-03-06T09:00:00",
                "updated_at": t,
            },
        ],
    }


@pytest.fixture
def app() -> CountyApp:
    return CountyApp(_data(), token="county-token")


@pytest.fixture
def server(app: CountyApp) -> Iterator[LocalServer]:
    running = serve(app.asgi())
    yield running
    running.stop()


@pytest.fixture
async def county(engine: AsyncEngine) -> AsyncEngine:
    async with create_sessionmaker(engine)() as session, session.begin():
        session.add_all(add_division_tree())
    return engine


def _connector(
    server: LocalServer, *, page_size: int = 50, token: str = "county-token"
) -> CountyAppConnector:
    return CountyAppConnector(
        "kaili-app",
        "522601",
        f"{server.url}/api",
        CIPHER,
        token=token,
        page_size=page_size,
        policy=FAST,
    )


async def _count(engine: AsyncEngine, model: type[object]) -> int:
    async with engine.connect() as connection:
        return (await connection.execute(select(func.count()).select_from(model))).scalar_one()


async def test_every_stream_is_read_and_linked(county: AsyncEngine, server: LocalServer) -> None:
    connector = _connector(server)
    results = {
        result.stream: result
        for result in await SyncRunner(county, county_code="522601").sync(connector)
    }
    await connector.close()
    assert all(result.status is m.SyncStatus.SUCCEEDED for result in results.values())
    assert all(
        r.read == r.inserted + r.updated + r.unchanged + r.quarantined for r in results.values()
    )
    assert (results["volunteers"].inserted, results["volunteers"].quarantined) == (1, 1)
    assert (results["records"].inserted, results["records"].quarantined) == (1, 1)
    assert (results["orders"].inserted, results["orders"].quarantined) == (2, 2)
    async with create_sessionmaker(county)() as session:
        sites = {s.source_id: s for s in (await session.scalars(select(m.Site))).all()}
        teams = {t.source_id: t for t in (await session.scalars(select(m.Team))).all()}
        volunteer = (await session.scalars(select(m.Volunteer))).one()
        record = (await session.scalars(select(m.ServiceRecord))).one()
        order = (
            await session.scalars(select(m.ServiceOrder).where(m.ServiceOrder.source_id == "d1"))
        ).one()
        events = (
            await session.scalars(
                select(m.OrderEvent)
                .where(m.OrderEvent.order_id == order.id)
                .order_by(m.OrderEvent.sequence)
            )
        ).all()
        cancelled = (
            await session.scalars(select(m.ServiceOrder).where(m.ServiceOrder.source_id == "d2"))
        ).one()
        project_teams = (
            await session.execute(select(func.count()).select_from(m.project_teams))
        ).scalar_one()
        hosted = (
            await session.execute(select(func.count()).select_from(m.site_platforms))
        ).scalar_one()
        reasons = (await session.scalars(select(m.QuarantinedRecord.reason))).all()
    assert sites["o3"].parent_id == sites["o2"].id
    assert teams["t2"].parent_id == teams["t1"].id
    assert teams["t2"].home_site_id == sites["o3"].id
    assert teams["t1"].platform_id is not None
    assert hosted == 2
    assert record.volunteer_id == volunteer.id
    assert record.minutes == 120
    assert (order.status, order.rating, order.funding_fen) == (m.OrderStatus.RATED, 5, 20000)
    assert [event.kind for event in events] == [
        m.OrderEventKind.ORDERED,
        m.OrderEventKind.FUNDED,
        m.OrderEventKind.URGED,
        m.OrderEventKind.DISPATCHED,
        m.OrderEventKind.ACCEPTED,
        m.OrderEventKind.NOTE,
        m.OrderEventKind.DELIVERED,
        m.OrderEventKind.RATED,
    ]
    assert cancelled.status is m.OrderStatus.CANCELLED
    assert project_teams == 2
    assert any("volunteerId 'v9' is not a known volunteer" in reason for reason in reasons)
    assert any("needs a rating" in reason for reason in reasons)
    assert any("acceptedAt is empty" in reason for reason in reasons)


async def test_incremental_runs_ask_only_for_changes(
    county: AsyncEngine, app: CountyApp, server: LocalServer
) -> None:
    runner = SyncRunner(county)
    await runner.sync(_connector(server))
    app.data["teams"][1] = {
        **app.data["teams"][1],
        "name": "北京东路社区红马甲志愿服务队",
        "updated_at": "2026-03-09T09:00:00+08:00",
    }
    app.requests.clear()
    results = {r.stream: r for r in await runner.sync(_connector(server))}
    assert results["teams"].updated == 1
    teams_requests = [r for r in app.requests if r["stream"] == "teams"]
    assert teams_requests[0]["updated_since"] == "2026-03-01T01:00:00+00:00"
    async with create_sessionmaker(county)() as session:
        names = (await session.scalars(select(m.Team.name).order_by(m.Team.source_id))).all()
    assert names == ["凯里市志愿服务总队", "北京东路社区红马甲志愿服务队"]


async def test_pages_that_change_while_being_read_lose_nothing(
    county: AsyncEngine, app: CountyApp, server: LocalServer
) -> None:
    app.data["orgs"] += [
        {
            "id": f"s{n}",
            "name": f"第{n}站",
            "type": "station",
            "parentId": "o2",
            "areaCode": "522601001001",
            "updated_at": f"2026-03-01T10:{n:02d}:00+08:00",
        }
        for n in range(9)
    ]

    def edit_first_page_item(stream: str, page: int, data: dict[str, list[dict[str, Any]]]) -> None:
        # While page 2 is asked for, an item already read is changed: it moves to the end.
        if stream == "orgs" and len([r for r in app.requests if r["stream"] == "orgs"]) == 2:
            data["orgs"][3] = {
                **data["orgs"][3],
                "name": "第0站（已更名）",
                "updated_at": "2026-03-02T00:00:00+08:00",
            }

    app.before_page = edit_first_page_item
    [orgs] = await SyncRunner(county).sync(_connector(server, page_size=3), streams=["orgs"])
    assert orgs.status is m.SyncStatus.SUCCEEDED
    assert await _count(county, m.Site) == 12
    async with create_sessionmaker(county)() as session:
        renamed = (await session.scalars(select(m.Site.name).where(m.Site.source_id == "s0"))).one()
    assert renamed == "第0站（已更名）"


async def test_passing_faults_are_retried(
    county: AsyncEngine, app: CountyApp, server: LocalServer
) -> None:
    app.faults.extend(["429", "500", "drop", "truncate"])
    connector = _connector(server)
    [orgs] = await SyncRunner(county).sync(connector, streams=["orgs"])
    assert orgs.status is m.SyncStatus.SUCCEEDED
    assert orgs.inserted == 3
    assert connector._client.retries == 4


async def test_a_server_that_keeps_failing_fails_the_run_and_the_next_run_goes_on(
    county: AsyncEngine, app: CountyApp, server: LocalServer
) -> None:
    runner = SyncRunner(county, batch_size=2)
    app.faults.extend(["pass"] + ["500"] * 10)
    [failed] = await runner.sync(_connector(server, page_size=2), streams=["orgs"])
    assert failed.status is m.SyncStatus.FAILED
    assert "failed 5 times" in (failed.error or "")
    assert failed.inserted == 2
    app.faults.clear()
    [finished] = await runner.sync(_connector(server, page_size=2), streams=["orgs"])
    assert finished.status is m.SyncStatus.SUCCEEDED
    assert await _count(county, m.Site) == 3


async def test_refused_credentials_stop_the_run_with_a_clear_message(
    county: AsyncEngine, server: LocalServer
) -> None:
    [orgs] = await SyncRunner(county).sync(_connector(server, token="wrong"), streams=["orgs"])
    assert orgs.status is m.SyncStatus.FAILED
    assert "refused the credentials" in (orgs.error or "")

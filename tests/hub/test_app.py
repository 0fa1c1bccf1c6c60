"""The ASGI app over real HTTP semantics (httpx against the app), on both databases."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_engine
from hub.app import create_app
from hub.settings import Settings
from schema import print_sdl
from tests.graphql import hub_app
from tests.paths import PROJECT_ROOT

DIVISION = """
query Division($code: String!) {
  division(code: $code) { code name level parent { code name level } }
}
"""


@pytest.fixture
async def client(demo_engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(), engine=demo_engine)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://hub"
    ) as client:
        yield client


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["database"] == "ok"


async def test_readiness_fails_without_a_database(tmp_path_factory: pytest.TempPathFactory) -> None:
    missing = tmp_path_factory.mktemp("gone") / "no" / "such" / "dir" / "hub.sqlite3"
    engine = create_engine(f"sqlite+aiosqlite:///{missing}")
    app = create_app(Settings(), engine=engine)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://hub"
    ) as client:
        response = await client.get("/readyz")
    await engine.dispose()
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}


async def test_division_query_returns_the_demo_county(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", json={"query": DIVISION, "variables": {"code": "522601"}}
    )
    assert response.status_code == 200
    assert response.json() == {
        "data": {
            "division": {
                "code": "522601",
                "name": "凯里市",
                "level": "COUNTY",
                "parent": {"code": "522600", "name": "黔东南苗族侗族自治州", "level": "PREFECTURE"},
            }
        }
    }


def test_committed_sdl_matches_the_code() -> None:
    committed = (PROJECT_ROOT / "schema" / "schema.graphql").read_text(encoding="utf-8")
    assert committed == print_sdl(), (
        "schema/schema.graphql drifted: run `wenming schema > schema/schema.graphql`"
    )


class _Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


async def test_a_database_that_does_not_answer_is_unavailable_and_logged_once() -> None:
    """Clients get UNAVAILABLE (503 on the CSV routes), not INTERNAL; the log says it
    once, not a traceback per request."""
    engine = create_engine("postgresql+asyncpg://postgres@127.0.0.1:1/test")
    app = hub_app(engine)
    kept = _Kept()
    logging.getLogger("wenming").addHandler(kept)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://hub"
        ) as client:
            answers = [
                await client.post(
                    "/graphql", json={"query": '{ center(divisionCode: "522601") { name } }'}
                )
                for _ in range(5)
            ]
            exported = await client.get(
                "/export/compare.csv",
                params={"divisions": "522601", "metrics": "activities", "period": "2026"},
            )
    finally:
        logging.getLogger("wenming").removeHandler(kept)
        await engine.dispose()
    for answer in answers:
        assert answer.status_code == 200
        (error,) = answer.json()["errors"]
        assert error["extensions"]["code"] == "UNAVAILABLE"
        assert "try again" in error["message"]
    assert exported.status_code == 503
    assert exported.headers["retry-after"] == "5"
    said = [record for record in kept.records if "does not answer" in record.getMessage()]
    assert len(said) == 1
    assert not any(record.exc_info for record in kept.records)

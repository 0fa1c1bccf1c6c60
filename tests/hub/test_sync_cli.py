"""`wenming sync` and `wenming sources` with a real wenming.toml."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from db import models as m
from db.engine import create_sessionmaker
from demo.county_app import CountyApp, LocalServer, serve
from hub.cli import main
from tests.connectors.files import write_csv
from tests.connectors.test_county_app import _data
from tests.connectors.test_registry import TEAM_HEADER, TEAMS, VOLUNTEER_HEADER, VOLUNTEERS
from tests.connectors.test_site_register import HEADER, ROWS
from tests.factories import add_division_tree


@pytest.fixture
def app_server() -> Iterator[LocalServer]:
    running = serve(CountyApp(_data(), token="secret-token").asgi())
    yield running
    running.stop()


@pytest.fixture
async def sources(
    engine: AsyncEngine, tmp_path: Path, app_server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> Path:
    async with create_sessionmaker(engine)() as session, session.begin():
        session.add_all(add_division_tree())
    write_csv(tmp_path / "register.csv", HEADER, ROWS)
    write_csv(tmp_path / "teams.csv", TEAM_HEADER, TEAMS)
    write_csv(tmp_path / "volunteers.csv", VOLUNTEER_HEADER, VOLUNTEERS)
    config = tmp_path / "wenming.toml"
    config.write_text(
        f"""
[[source]]
name = "kaili-register"
kind = "site_register"
county = "522601"
path = "register.csv"

[[source]]
name = "national-registry"
kind = "registry_export"
county = "522601"
teams = "teams.csv"
volunteers = "volunteers.csv"

[[source]]
name = "kaili-app"
kind = "county_app"
county = "522601"
url = "{app_server.url}/api"
token_env = "KAILI_APP_TOKEN"
""",
        encoding="utf-8",
    )
    monkeypatch.setenv("WENMING_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("WENMING_SOURCES_FILE", str(config))
    monkeypatch.setenv("KAILI_APP_TOKEN", "secret-token")
    return config


async def _wenming(*arguments: str) -> int:
    return await asyncio.to_thread(main, list(arguments))


async def test_sync_every_source_then_show_them(
    engine: AsyncEngine, sources: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await _wenming("sync") == 0
    summary = capsys.readouterr().err
    for source in ("kaili-register", "national-registry", "kaili-app"):
        assert source in summary
    async with engine.connect() as connection:
        runs = (await connection.execute(select(func.count()).select_from(m.SyncRun))).scalar_one()
    assert runs == 1 + 2 + 9
    assert await _wenming("sources") == 0
    shown = capsys.readouterr().out
    assert "kaili-register (site_register, county 522601): 4 in quarantine" in shown
    assert "cursor:" in shown


async def test_sync_named_sources_only(
    engine: AsyncEngine, sources: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await _wenming("sync", "kaili-register") == 0
    async with engine.connect() as connection:
        sources_run = (
            (await connection.execute(select(m.SyncRun.source).distinct())).scalars().all()
        )
    assert sources_run == ["kaili-register"]
    assert await _wenming("sync", "nope") == 2
    assert "no source is called nope" in capsys.readouterr().err


async def test_a_missing_token_is_named(
    sources: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("KAILI_APP_TOKEN")
    assert await _wenming("sync", "kaili-app") == 2
    assert "KAILI_APP_TOKEN is not set" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[[source]]\nkind = "site_register"\ncounty = "522601"\npath = "x"', "give it a `name`"),
        ('[[source]]\nname = "a"\nkind = "fax"\ncounty = "522601"', "`kind` is one of"),
        ('[[source]]\nname = "a"\nkind = "site_register"\ncounty = "5226"\npath = "x"', "6-digit"),
        ('[[source]]\nname = "a"\nkind = "county_app"\ncounty = "522601"', "needs `url`"),
    ],
)
def test_bad_sources_files_are_explained(
    tmp_path: Path, text: str, problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "wenming.toml"
    config.write_text(text, encoding="utf-8")
    assert main(["sources", "--sources", str(config)]) == 2
    assert problem in capsys.readouterr().err

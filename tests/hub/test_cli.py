"""The `wenming` command end to end against real databases."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from db.models import Site, Volunteer
from hub.cli import main
from schema import print_sdl
from tests.databases import DatabaseFactory


async def _wenming(*arguments: str) -> int:
    return await asyncio.to_thread(main, list(arguments))


async def _count(engine: AsyncEngine, model: type[object]) -> int:
    async with engine.connect() as connection:
        return (await connection.execute(select(func.count()).select_from(model))).scalar_one()


async def test_demo_migrates_loads_and_refuses_a_second_load(
    backend: str,
    database_factory: DatabaseFactory,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    engine = await database_factory.create(backend, migrated=False)
    monkeypatch.setenv("WENMING_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert await _wenming("demo", "--scale", "0.0005") == 0
    sites = await _count(engine, Site)
    assert sites > 8_000
    assert "volunteers" in capsys.readouterr().err
    assert await _wenming("demo", "--scale", "0.0005") == 2
    assert "already holds" in capsys.readouterr().err
    assert await _count(engine, Site) == sites


async def test_demo_reset_loads_afresh_at_another_scale(
    backend: str, database_factory: DatabaseFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = await database_factory.create(backend)
    monkeypatch.setenv("WENMING_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert await _wenming("demo", "--scale", "0.0005") == 0
    small = await _count(engine, Volunteer)
    assert await _wenming("demo", "--scale", "0.001", "--reset") == 0
    assert await _count(engine, Volunteer) > small


def test_schema_prints_the_sdl(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    assert capsys.readouterr().out == print_sdl()


def test_bad_settings_exit_with_a_clear_message(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WENMING_PORT", "eighty")
    assert main(["migrate"]) == 2
    assert "WENMING_PORT" in capsys.readouterr().err


def test_an_unsupported_database_is_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WENMING_DATABASE_URL", "mysql+aiomysql://root@localhost/hub")
    assert main(["migrate"]) == 2
    assert "mysql+aiomysql" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("url", "command", "says"),
    [
        (
            "postgresql+asyncpg://postgres:secret@127.0.0.1:1/test",
            ["migrate"],
            "cannot reach the database at postgresql+asyncpg://postgres:***@127.0.0.1:1/test",
        ),
        ("postgresql+asyncpg://postgres@127.0.0.1:1/test", ["sources"], "wenming.toml"),
        (
            "sqlite+aiosqlite:///{tmp}/empty.sqlite3",
            [
                "export",
                "compare",
                "--divisions",
                "522601",
                "--metrics",
                "activities",
                "--period",
                "2026",
            ],
            "run `wenming migrate`",
        ),
        (
            "sqlite+aiosqlite:///{tmp}/absent.sqlite3",
            ["serve", "--port", "1"],
            "there is no database at",
        ),
        (
            "sqlite+aiosqlite:///{tmp}/empty.sqlite3",
            ["divisions", "population", "{tmp}/no.csv"],
            "no.csv: No such file or directory",
        ),
        (
            "sqlite+aiosqlite:///{tmp}/absent.sqlite3",
            ["quarantine", "list"],
            "there is no database at",
        ),
        ("sqlite+aiosqlite:///{tmp}/absent.sqlite3", ["audit"], "there is no database at"),
        (
            "sqlite+aiosqlite:///{tmp}/empty.sqlite3",
            ["quarantine", "show", "7"],
            "run `wenming migrate`",
        ),
        (
            "sqlite+aiosqlite:///{tmp}/empty.sqlite3",
            ["quarantine", "export", "-o", "x.pdf"],
            "write a .xlsx or a .csv file",
        ),
        (
            "sqlite+aiosqlite:///{tmp}/empty.sqlite3",
            ["quarantine", "dismiss", "1", "--note", "x"],
            "run `wenming migrate`",
        ),
        (
            "sqlite+aiosqlite:///{tmp}/empty.sqlite3",
            ["migrate", "--sql"],
            "a migration rebuilds a table on sqlite",
        ),
    ],
)
async def test_foreseeable_faults_are_one_line_saying_what_to_do(
    url: str,
    command: list[str],
    says: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "empty.sqlite3").touch()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WENMING_DATABASE_URL", url.format(tmp=tmp_path))
    arguments = [part.format(tmp=tmp_path) for part in command]
    assert await _wenming(*arguments) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith("wenming: ")
    assert says in err
    assert "Traceback" not in err
    assert not (tmp_path / "absent.sqlite3").exists()
    assert await _wenming("--debug", *arguments) == 2
    assert "Traceback" in capsys.readouterr().err

"""`wenming sync` and `wenming sources` with a real wenming.toml."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.config import KINDS, Rules, load_sources
from connectors.normalise import header_key
from db import models as m
from db.engine import create_sessionmaker
from demo.county_app import CountyApp, LocalServer, serve
from hub.cli import main
from tests.connectors.files import write_csv
from tests.connectors.test_county_app import _data
from tests.connectors.test_registry import TEAM_HEADER, TEAMS, VOLUNTEER_HEADER, VOLUNTEERS
from tests.connectors.test_site_register import HEADER, ROWS
from tests.factories import add_division_tree
from tests.paths import PROJECT_ROOT


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
        ('[[source]]\nname = "a"\nkind = "fax"\ncounty = "522601"', "is not a kind of source"),
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


def _replace_in(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


async def _stored(engine: AsyncEngine) -> tuple[int, int, int]:
    async with engine.connect() as connection:
        return (
            (await connection.execute(select(func.count()).select_from(m.SyncRun))).scalar_one(),
            (await connection.execute(select(func.count()).select_from(m.Site))).scalar_one(),
            (await connection.execute(select(func.count()).select_from(m.Volunteer))).scalar_one(),
        )


async def test_check_reaches_every_source_and_writes_nothing(
    engine: AsyncEngine, sources: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await _wenming("check") == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:2] for line in lines] == [
        ["ok", "kaili-register"],
        ["ok", "national-registry"],
        ["ok", "kaili-app"],
    ]
    # The register's sample holds rows the sync would quarantine, and says which first.
    assert "would be quarantined (first: sites record" in lines[0]
    assert await _stored(engine) == (0, 0, 0)


async def test_check_names_what_a_sync_would_stumble_on(
    engine: AsyncEngine,
    sources: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("KAILI_APP_TOKEN", "wrong-token")
    (sources.parent / "volunteers.csv").unlink()
    (sources.parent / "register.csv").write_text("名称,地址\n某站,某地\n", encoding="utf-8")
    assert await _wenming("check") == 1
    captured = capsys.readouterr()
    failed = {
        line.split()[1]: line for line in captured.out.splitlines() if line.startswith("FAIL")
    }
    assert set(failed) == {"kaili-register", "national-registry", "kaili-app"}
    assert "volunteers.csv" in failed["national-registry"]
    assert "register.csv" in failed["kaili-register"]
    assert "3 of 3 sources failed" in captured.err
    assert await _stored(engine) == (0, 0, 0)
    assert await _wenming("check", "kaili-app", "--sources", str(sources)) == 1


@pytest.mark.parametrize(
    ("county", "problem"),
    [
        ("999999", "county 999999 is not in the hub's division codes"),
        ("522600", "522600 is a prefecture, not a county"),
    ],
)
async def test_a_county_the_hub_does_not_know_is_refused_before_anything_is_read(
    engine: AsyncEngine,
    sources: Path,
    county: str,
    problem: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _replace_in(sources, 'county = "522601"', f'county = "{county}"')
    for command in ("sync", "check"):
        assert await _wenming(command) == 2
        assert problem in capsys.readouterr().err
    assert await _stored(engine) == (0, 0, 0)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        # A plural section name would otherwise read as a file with no sources at all.
        (
            '[[sources]]\nname = "a"\nkind = "site_register"\ncounty = "522601"\npath = "x"',
            "`sources` is not a section of the file; did you mean [[source]]?",
        ),
        (
            '[[source]]\nname = "a"\nkind = "registry_export"\ncounty = "522601"\nvolunteers = "v.csv"\nteam = "t.csv"',
            "`team` is not a setting of a registry_export source; did you mean `teams`?",
        ),
        (
            '[[source]]\nname = "a"\nkind = "registy_export"\ncounty = "522601"',
            "did you mean `registry_export`?",
        ),
        (
            '[[source]]\nname = "a"\nkind = "points_ledger"\ncounty = "522601"\npath = "x"\nbank = "b"\n[source.banks."坪山".rules]\nredemption_flor = 0',
            "`banks.坪山.rules.redemption_flor` is not a setting of a points_ledger source; did you mean `redemption_floor`?",
        ),
        (
            '[[source]]\nname = "a"\nkind = "points_ledger"\ncounty = "522601"\npath = "x"\nbank = "b"\n[source.rules]\nfloor = 1',
            "(it takes start_balance, yuan_per_point, redemption_floor",
        ),
        (
            '[[source]]\nname = "a"\nkind = "county_app"\ncounty = "522601"\nurl = "app.example/api"',
            "`url` is an http:// or https:// address",
        ),
        (
            '[[source]]\nname = "a"\nkind = "news_feed"\ncounty = "522601"\nurl = "x"\nformat = "json"',
            "`format` should be 'auto', 'rss', 'atom' or 'cms'",
        ),
        (
            '[[source]]\nname = "a"\nkind = "site_register"\ncounty = 522601\npath = "x"',
            "`county` is the county's 6-digit division code",
        ),
        ('[source]\nname = "a"\nkind = "site_register"', "write each source as a [[source]] table"),
        (
            '[[source]]\nname = "a"\nkind = "site_register"\ncounty = "522601"\npath = "x"\n[[source]]\nname = "a"\nkind = "org_tree"\ncounty = "522601"\npath = "y"',
            "source #2: the name 'a' is already used by source #1",
        ),
        ("# nothing configured yet\n", "configures no sources"),
        ("[[source]\n", "not valid TOML"),
    ],
)
def test_newcomer_mistakes_in_the_sources_file_say_what_to_do(
    tmp_path: Path, text: str, problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "wenming.toml"
    config.write_text(text, encoding="utf-8")
    for command in ("sync", "check"):
        assert main([command, "--sources", str(config)]) == 2
        err = capsys.readouterr().err
        assert problem in err
        assert len(err.strip().splitlines()) == 1
        assert "Traceback" not in err


def test_a_missing_sources_file_points_at_the_example(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--sources", str(tmp_path / "wenming.toml")]) == 2
    assert "copy wenming.example.toml there" in capsys.readouterr().err


def test_the_example_sources_file_shows_every_kind_and_every_setting() -> None:
    example = PROJECT_ROOT / "wenming.example.toml"
    configured = load_sources(example)
    assert {source.kind for source in configured} == set(KINDS)
    text = example.read_text(encoding="utf-8")
    for kind, model in KINDS.items():
        [source] = [source for source in configured if source.kind == kind]
        assert source.spec.model_fields_set >= set(model.model_fields) - {"kind"}, kind
    for rule in Rules.model_fields:
        assert f"\n{rule} =" in text, rule


async def test_the_quarantine_loop_list_show_export_correct_replay_dismiss(
    engine: AsyncEngine, sources: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await _wenming("sync", "kaili-register") == 0
    capsys.readouterr()
    assert await _wenming("quarantine", "list") == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[-1] == "# 4 records"
    rows = [line.split("\t") for line in listed[1:-1]]
    by_reason = {row[6]: int(row[0]) for row in rows}
    [negative] = [key for reason, key in by_reason.items() if "面积" in reason]

    assert await _wenming("quarantine", "show", str(negative)) == 0
    shown = capsys.readouterr().out
    assert "source:      kaili-register / sites (county 522601)" in shown
    assert '阵地名称: "面积为负的实践站"' in shown

    fixed = sources.parent / "fixed.xlsx"
    assert await _wenming("quarantine", "export", "kaili-register", "-o", str(fixed)) == 0
    assert "4 records of kaili-register / sites written" in capsys.readouterr().err
    # The clerk corrects the area in Excel and leaves the other rows as they were.
    header, corrected = await asyncio.to_thread(_correct_area, fixed, negative, "60")
    # The register's own columns, as the hub matches headers (面积(㎡) is 面积(m2)).
    assert header == ["隔离编号", "原行号", "隔离原因", *map(header_key, HEADER)]
    assert corrected == 4

    assert await _wenming("quarantine", "replay", "kaili-register", "--file", str(fixed)) == 0
    assert "sites: 1 stored, 3 refused again, 0 refused for a new reason" in capsys.readouterr().err
    async with engine.connect() as connection:
        site = (
            await connection.execute(
                select(m.Site.floor_area_m2, m.Site.source_system).where(
                    m.Site.name == "面积为负的实践站"
                )
            )
        ).one()
        entry = (
            await connection.execute(
                select(m.QuarantinedRecord.resolution, m.QuarantinedRecord.resolved_by).where(
                    m.QuarantinedRecord.id == negative
                )
            )
        ).one()
    assert site.floor_area_m2 == 60
    assert site.source_system == "kaili-register"  # as if the register had sent it right
    assert entry.resolution == "replayed"
    assert entry.resolved_by.startswith("cli:")

    others = [str(key) for key in by_reason.values() if key != negative]
    assert await _wenming("quarantine", "dismiss", others[0], "--note", "") == 2
    assert "say why in a note" in capsys.readouterr().err
    assert await _wenming("quarantine", "dismiss", others[0], "--note", "站点已撤销") == 0
    capsys.readouterr()
    assert await _wenming("quarantine", "list") == 0
    assert capsys.readouterr().out.splitlines()[-1] == "# 2 records"
    assert await _wenming("quarantine", "show", others[0]) == 0
    assert "note:        站点已撤销" in capsys.readouterr().out
    # A resolved record is not replayed or dismissed again, and says so.
    assert await _wenming("quarantine", "replay", "--id", str(negative)) == 2
    assert f"no open quarantined record has the id {negative}" in capsys.readouterr().err
    # The next sync of the unchanged register refuses the same rows again, without
    # doubling them, and does not bring back what was dismissed.
    assert await _wenming("sync", "kaili-register") == 0
    capsys.readouterr()
    assert await _wenming("quarantine", "list") == 0
    assert capsys.readouterr().out.splitlines()[-1] == "# 3 records"


def _correct_area(path: Path, key: int, area: str) -> tuple[list[str], int]:
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    sheet = workbook.active
    assert sheet is not None
    rows = list(sheet.iter_rows())
    header = [str(cell.value) for cell in rows[0]]
    for row in rows[1:]:
        if row[0].value == key:
            row[header.index(header_key("面积(㎡)"))].value = area
    workbook.save(path)
    return header, len(rows) - 1


async def test_an_export_names_the_streams_when_a_selection_spans_several(
    engine: AsyncEngine, sources: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await _wenming("sync", "kaili-register", "national-registry") == 0
    capsys.readouterr()
    target = str(sources.parent / "all.csv")
    assert await _wenming("quarantine", "export", "-o", target) == 2
    err = capsys.readouterr().err
    assert "an export holds one stream" in err
    assert "kaili-register --stream sites (4)" in err
    assert "national-registry --stream" in err
    assert await _wenming("quarantine", "export", "kaili-register", "-o", target) == 0
    text = (sources.parent / "all.csv").read_bytes()
    assert text.startswith("\ufeff隔离编号,原行号,隔离原因,阵地名称".encode())

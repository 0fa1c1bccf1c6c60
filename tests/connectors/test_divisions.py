"""The public division-code files, read and imported."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.divisions import canonical_code, read_divisions
from connectors.errors import SourceFormatError
from db.models import Division, DivisionLevel
from demo.load import DEMO_DIVISIONS
from hub.cli import main


def test_shared_files_read_completely_parents_first(shared_divisions: Path) -> None:
    records = list(read_divisions(shared_divisions))
    levels = [record.level for record in records]
    assert levels.count(DivisionLevel.PROVINCE) == 31
    assert levels.count(DivisionLevel.PREFECTURE) == 342
    assert levels.count(DivisionLevel.COUNTY) == 2978
    assert levels.count(DivisionLevel.TOWNSHIP) == 41352
    seen: set[str] = set()
    for record in records:
        assert record.parent_code is None or record.parent_code in seen, record
        seen.add(record.code)


def test_codes_become_full_national_codes(shared_divisions: Path) -> None:
    by_code = {record.code: record for record in read_divisions(shared_divisions)}
    assert by_code["520000"].name == "贵州省"
    assert by_code["522601"].parent_code == "522600"
    assert by_code["620201002000"].name == "钢城街道"
    assert by_code["620201002000"].parent_code == "620201"


@pytest.mark.parametrize(
    ("short", "full"),
    [("52", "520000"), ("5226", "522600"), ("522601", "522601"), ("522601001", "522601001000")],
)
def test_canonical_code(short: str, full: str) -> None:
    assert canonical_code(short) == full


def test_a_file_without_its_columns_is_a_format_error(tmp_path: Path) -> None:
    (tmp_path / "areas.csv").write_text("code,名称\n522601,凯里市\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match="cityCode"):
        list(read_divisions(tmp_path))


def test_a_malformed_code_names_its_line(tmp_path: Path) -> None:
    (tmp_path / "provinces.csv").write_text("code,name\n52,贵州省\n5x,坏\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match="line 3"):
        list(read_divisions(tmp_path))


def test_a_directory_with_no_division_files_is_a_format_error(tmp_path: Path) -> None:
    with pytest.raises(SourceFormatError, match="none of the division files"):
        list(read_divisions(tmp_path))


async def test_import_command_is_idempotent(
    engine: AsyncEngine, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WENMING_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    expected = len(list(read_divisions(DEMO_DIVISIONS)))
    for _ in range(2):
        assert await _run_cli("divisions", "import", str(DEMO_DIVISIONS)) == 0
        async with engine.connect() as connection:
            count = (
                await connection.execute(select(func.count()).select_from(Division))
            ).scalar_one()
        assert count == expected


async def _run_cli(*arguments: str) -> int:
    import asyncio

    return await asyncio.to_thread(main, list(arguments))


async def test_populations_are_set_from_a_csv(
    engine: AsyncEngine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from db.engine import create_sessionmaker
    from tests.factories import add_division_tree

    async with create_sessionmaker(engine)() as session, session.begin():
        session.add_all(add_division_tree())
    figures = tmp_path / "population.csv"
    figures.write_text(
        '区划代码,常住人口\n522601,"547,000"\n5226,4300000\n999999,1\n', encoding="utf-8"
    )
    monkeypatch.setenv("WENMING_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert await _run_cli("divisions", "population", str(figures)) == 0
    async with engine.connect() as connection:
        found = dict((await connection.execute(select(Division.code, Division.population))).all())
    assert found["522601"] == 547_000
    assert found["522600"] == 4_300_000
    assert found["520000"] is None
    assert "999999" in capsys.readouterr().err


def test_a_population_file_without_its_columns_is_refused(tmp_path: Path) -> None:
    from connectors.divisions import read_populations

    path = tmp_path / "p.csv"
    path.write_text("code,people\n522601,1\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match="population"):
        list(read_populations(path))
    path.write_text("code,population\n522601,-1\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match="negative"):
        list(read_populations(path))

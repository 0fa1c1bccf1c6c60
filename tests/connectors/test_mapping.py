"""Mapping in a second process: the same results as mapping here."""

from __future__ import annotations

import multiprocessing
import pickle
from collections.abc import Iterator
from pathlib import Path

import pytest

from connectors.base import Mapped, RawRecord, Rejection
from connectors.files import read_table
from connectors.mapping import Mapper, map_records
from connectors.sites.register import SiteRegisterConnector
from connectors.volunteers.registry import VOLUNTEERS, RegistryExportConnector
from tests.connectors.files import write_csv
from tests.connectors.test_registry import (
    SECRET,
    TEAM_HEADER,
    TEAMS,
    VOLUNTEER_HEADER,
)
from tests.connectors.test_registry import VOLUNTEERS as VOLUNTEER_ROWS

# Sealed values carry a fresh nonce each time; they are compared opened.
SEALED = ("id_number_sealed", "phone_sealed")


def _export(folder: Path) -> tuple[Path, Path]:
    return (
        write_csv(folder / "teams.csv", TEAM_HEADER, TEAMS),
        write_csv(folder / "volunteers.csv", VOLUNTEER_HEADER, VOLUNTEER_ROWS),
    )


def _records(path: Path) -> list[RawRecord]:
    return [RawRecord(row, position) for position, row in read_table(path, [])]


def _comparable(result: list[Mapped] | Rejection) -> object:
    if isinstance(result, Rejection):
        return ("rejected", result.reason, result.column)
    return [
        (
            mapped.model,
            mapped.source_id,
            {
                key: SECRET.open(value) if key in SEALED and value else value
                for key, value in mapped.values.items()
            },
            mapped.refs,
            mapped.extras,
        )
        for mapped in result
    ]


async def test_past_its_threshold_a_stream_is_mapped_in_a_second_process_alike(
    tmp_path: Path,
) -> None:
    teams, volunteers = _export(tmp_path)
    connector = RegistryExportConnector("registry", "522601", teams, volunteers, SECRET)
    records = _records(volunteers)
    mapper = Mapper(connector, VOLUNTEERS, process_after=4)
    try:
        first = await mapper.submit(records[:4])
        assert not mapper.in_second_process
        rest = await mapper.submit(records[4:])
        assert mapper.in_second_process
    finally:
        await mapper.close()
    assert not mapper.in_second_process
    here = map_records(connector, VOLUNTEERS, records)
    assert [_comparable(r) for r in first + rest] == [_comparable(r) for r in here]
    # The rejections that crossed over still name their column.
    assert [r.column for r in rest if isinstance(r, Rejection)] == [
        "证件号码",
        "手机号码",
        "注册时间",
        "所在区划",
    ]


async def test_a_connector_that_cannot_travel_is_always_mapped_here(tmp_path: Path) -> None:
    assert not SiteRegisterConnector.portable_mapping
    connector = SiteRegisterConnector("register", tmp_path / "register.csv")
    mapper = Mapper(connector, connector.streams[0], process_after=0)
    for _ in range(3):
        await mapper.submit([])
    assert not mapper.in_second_process
    await mapper.close()


def test_the_registry_connector_travels_with_its_keys(tmp_path: Path) -> None:
    teams, volunteers = _export(tmp_path)
    connector = RegistryExportConnector("registry", "522601", teams, volunteers, SECRET)
    copy = pickle.loads(pickle.dumps(connector))
    [record] = _records(volunteers)[:1]
    [mapped] = copy.map(VOLUNTEERS, record)
    assert SECRET.open(mapped.values["id_number_sealed"]) == "522601198412217396"
    assert mapped.values["person_key"] == SECRET.person_key("522601198412217396")


@pytest.fixture(autouse=True)
def _no_stray_processes() -> Iterator[None]:
    yield
    assert multiprocessing.active_children() == []

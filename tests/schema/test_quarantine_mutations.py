"""The schema's first mutations: replaying and dismissing quarantined records, POST only,
for staff of the owning county, each recorded in the personal-data audit."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.config import build_connector, load_sources
from connectors.points.settings import LEDGER_HEADER
from connectors.sync import SyncRunner
from db import models as m
from db.engine import create_sessionmaker
from db.pii import PersonalDataCipher
from schema.relay import encode_global_id
from tests.connectors.files import write_csv
from tests.connectors.test_points import county
from tests.connectors.test_site_register import HEADER, ROWS
from tests.databases import TEST_SECRET
from tests.factories import add_division_tree
from tests.graphql import GraphQL, hub_app

HELD = """{ quarantine { edges { node { id reason rawPayload resolution } } } }"""
REPLAY = """mutation Replay($ids: [ID!]!) {
  replayQuarantined(ids: $ids) { stored refusedAgain replaced records { id resolution resolvedBy } }
}"""
__all__ = ["county"]  # the fixture, used by name

DISMISS = """mutation Dismiss($ids: [ID!]!, $note: String!) {
  dismissQuarantined(ids: $ids, note: $note) { id resolution resolvedBy note }
}"""


def _sources(folder: Path, rows: list[list[object]]) -> Path:
    write_csv(folder / "register.csv", HEADER, rows)
    config = folder / "wenming.toml"
    config.write_text(
        '[[source]]\nname = "kaili-register"\nkind = "site_register"\ncounty = "522601"\n'
        'path = "register.csv"\n',
        encoding="utf-8",
    )
    return config


@pytest.fixture
async def hub(engine: AsyncEngine, tmp_path: Path) -> tuple[GraphQL, Path]:
    async with create_sessionmaker(engine)() as session, session.begin():
        session.add_all(add_division_tree())
    config = _sources(tmp_path, ROWS)
    [source] = load_sources(config)
    connector = build_connector(source, PersonalDataCipher(TEST_SECRET))
    await SyncRunner(engine, county_code="522601").sync(connector)
    client = GraphQL(engine)
    client.app = hub_app(engine, sources_file=config)
    return client, config


async def _held(client: GraphQL) -> dict[str, str]:
    """Open records: reason → global id."""
    data = await client.data(HELD, key="kaili-key")
    return {edge["node"]["reason"]: edge["node"]["id"] for edge in data["quarantine"]["edges"]}


async def test_records_still_wrong_stay_held_and_a_replay_moves_no_cursor(
    engine: AsyncEngine, hub: tuple[GraphQL, Path]
) -> None:
    client, _ = hub
    held = await _held(client)
    assert len(held) == 4
    [negative] = [key for reason, key in held.items() if "面积" in reason]
    # Replayed as it is, the record is refused again for the same reason.
    again = await client.data(REPLAY, {"ids": [negative]}, key="kaili-key")
    assert again["replayQuarantined"]["stored"] == 0
    assert again["replayQuarantined"]["refusedAgain"] == 1
    assert again["replayQuarantined"]["records"][0]["resolution"] is None

    # Every held record replayed at once: each is settled by what today's mapping says.
    everything = await client.data(REPLAY, {"ids": list(held.values())}, key="kaili-key")
    assert everything["replayQuarantined"]["refusedAgain"] == 4
    async with engine.connect() as connection:
        runs = (
            (
                await connection.execute(
                    select(m.SyncCursor.cursor).where(m.SyncCursor.source == "kaili-register")
                )
            )
            .scalars()
            .all()
        )
        sites = len((await connection.execute(select(m.Site.id))).all())
    # A replay moved no cursor and retired nothing.
    assert all('"complete": true' in cursor for cursor in runs)
    async with engine.connect() as connection:
        retired = (
            await connection.execute(select(m.Site.id).where(m.Site.retired_at.is_not(None)))
        ).all()
    assert retired == []
    assert sites >= 4


async def test_staff_of_another_county_and_public_roles_are_refused(
    hub: tuple[GraphQL, Path],
) -> None:
    client, _ = hub
    held = await _held(client)
    some = [next(iter(held.values()))]
    for key in ("tianzhu-key", "media-key", "analyst-key", None):
        for document, variables in ((REPLAY, {"ids": some}), (DISMISS, {"ids": some, "note": "x"})):
            body = await client(document, variables, key=key)
            assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", (key, body)
            assert body["data"] is None
    # An id that names nothing is refused like another county's, except to an admin.
    nothing = encode_global_id("QuarantinedRecord", 999_999)
    body = await client(DISMISS, {"ids": [nothing], "note": "x"}, key="kaili-key")
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    body = await client(DISMISS, {"ids": [nothing], "note": "x"}, key="admin-key")
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert await _held(client) == held


async def test_a_mutation_is_refused_over_get(hub: tuple[GraphQL, Path]) -> None:
    client, _ = hub
    some = next(iter((await _held(client)).values()))
    async with client.client() as http:
        response = await http.get(
            "/graphql",
            params={
                "query": f'mutation {{ dismissQuarantined(ids: ["{some}"], note: "x") {{ id }} }}'
            },
            headers={"Authorization": "Bearer kaili-key"},
        )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


async def test_dismissing_needs_a_note_and_is_recorded_in_the_audit(
    engine: AsyncEngine, hub: tuple[GraphQL, Path]
) -> None:
    client, _ = hub
    held = await _held(client)
    some = list(held.values())[:2]
    body = await client(DISMISS, {"ids": some, "note": "  "}, key="kaili-key")
    assert "say why in a note" in body["errors"][0]["message"]
    done = await client.data(DISMISS, {"ids": some, "note": "已核实撤销"}, key="kaili-key")
    assert [row["resolution"] for row in done["dismissQuarantined"]] == ["DISMISSED"] * 2
    assert {row["resolvedBy"] for row in done["dismissQuarantined"]} == {"county_staff:kaili staff"}
    assert {row["note"] for row in done["dismissQuarantined"]} == {"已核实撤销"}
    assert len(await _held(client)) == 2
    again = await client(DISMISS, {"ids": some, "note": "again"}, key="kaili-key")
    assert "already resolved" in again["errors"][0]["message"]
    async with engine.connect() as connection:
        audited = (
            await connection.execute(
                select(m.PersonalDataRead.fields, m.PersonalDataRead.key_name).where(
                    m.PersonalDataRead.object_type == "QuarantinedRecord"
                )
            )
        ).all()
    assert ('["dismissQuarantined"]', "kaili staff") in [tuple(row) for row in audited]
    assert ('["rawPayload"]', "kaili staff") in [tuple(row) for row in audited]


async def test_a_record_refused_under_old_rules_is_stored_under_today_s(
    county: AsyncEngine, tmp_path: Path
) -> None:
    """What the replay maps with is the configuration of today: a bank that raised its
    limit on one entry's points gets the entry it refused back into the ledger."""
    ledger = [
        ["H001", "张大山", "坪山村", "2025-01-05", "加分", "10", "参加理论学习", "", "", "李会计"],
        ["H001", "张大山", "坪山村", "2025-02-05", "加分", "500", "见义勇为", "", "", "李会计"],
    ]
    write_csv(tmp_path / "ledger.csv", list(LEDGER_HEADER), ledger)
    config = tmp_path / "wenming.toml"
    settings = (
        '[[source]]\nname = "bijiang-savings"\nkind = "points_ledger"\ncounty = "520602"\n'
        'path = "ledger.csv"\nbank = "碧江区文明储蓄所"\n[source.rules]\nmax_entry_points = {}\n'
    )
    config.write_text(settings.format(100), encoding="utf-8")
    [source] = load_sources(config)
    await SyncRunner(county, county_code="520602").sync(
        build_connector(source, PersonalDataCipher(TEST_SECRET))
    )
    client = GraphQL(county)
    client.app = hub_app(county, sources_file=config)
    data = await client.data(HELD, key="guizhou-key")
    [held] = data["quarantine"]["edges"]
    assert "500" in held["node"]["reason"]

    config.write_text(settings.format(1000), encoding="utf-8")
    done = await client.data(REPLAY, {"ids": [held["node"]["id"]]}, key="guizhou-key")
    assert done["replayQuarantined"]["stored"] == 1
    assert done["replayQuarantined"]["records"][0]["resolution"] == "REPLAYED"
    async with county.connect() as connection:
        points = (await connection.execute(select(m.PointsEntry.points))).scalars().all()
    assert sorted(points) == [10, 500]
    assert (await client.data(HELD, key="guizhou-key"))["quarantine"]["edges"] == []

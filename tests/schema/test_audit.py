"""Every answer that carries unmasked personal data is on record (who, when, which
objects, which fields) in one insert per request, in a table that refuses updates;
admins read it through `personalDataReads` and `wenming audit`."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from db import models as m
from db.base import table_of
from db.engine import create_sessionmaker
from hub.cli import main
from resolvers.audit import PersonalReads, purge_reads, record_reads
from resolvers.viewer import Role, Viewer
from schema.relay import decode_global_id
from tests.graphql import GraphQL


def _volunteers(operation: str, fields: str) -> str:
    return f"""query {operation} {{
      volunteers(first: 20, filter: {{divisionCode: "522601"}}) {{ nodes {{ id {fields} }} }}
      households(first: 5, filter: {{divisionCode: "520600"}}) {{ nodes {{ id headName }} }}
    }}"""


async def _reads(engine: AsyncEngine, operation: str) -> list[m.PersonalDataRead]:
    async with create_sessionmaker(engine)() as session:
        statement = select(m.PersonalDataRead).where(m.PersonalDataRead.operation == operation)
        return list((await session.scalars(statement)).all())


def _operation() -> str:
    return f"Read{uuid.uuid4().hex[:12]}"


async def test_a_staff_read_is_recorded_with_its_objects_and_fields(graphql: GraphQL) -> None:
    operation = _operation()
    data = await graphql.data(_volunteers(operation, "realName phone"), key="guizhou-key")
    rows = await _reads(graphql.engine, operation)
    volunteers = [row for row in rows if row.object_type == "Volunteer"]
    households = [row for row in rows if row.object_type == "Household"]
    assert len(volunteers) == 1
    (volunteer_read,) = volunteers
    assert (volunteer_read.key_name, volunteer_read.role, volunteer_read.county_code) == (
        "guizhou staff",
        "province_staff",
        "522601",
    )
    assert json.loads(volunteer_read.fields) == ["phone", "realName"]
    shown = sorted(int(decode_global_id(node["id"])[1]) for node in data["volunteers"]["nodes"])
    assert json.loads(volunteer_read.object_ids) == shown
    # Households are filed by their county, all under the one request.
    recorded = sorted(number for row in households for number in json.loads(row.object_ids))
    returned = sorted(int(decode_global_id(node["id"])[1]) for node in data["households"]["nodes"])
    assert recorded == returned
    assert returned
    assert all(row.county_code.startswith("5206") for row in households)
    assert {json.loads(row.fields)[0] for row in households} == {"headName"}
    assert {row.request_id for row in rows} == {volunteer_read.request_id}


@pytest.mark.parametrize("key", [None, "media-key", "analyst-key", "tianzhu-key"])
async def test_masked_answers_are_not_recorded(graphql: GraphQL, key: str | None) -> None:
    operation = _operation()
    query = _volunteers(operation, "realName idNumber phone displayName")
    await graphql.data(query.replace("520600", "522601"), key=key)
    assert await _reads(graphql.engine, operation) == []


async def test_a_staff_answer_without_personal_fields_is_not_recorded(graphql: GraphQL) -> None:
    operation = _operation()
    query = f"""query {operation} {{
      volunteers(first: 20, filter: {{divisionCode: "522601"}}) {{ nodes {{ id starLevel }} }}
    }}"""
    await graphql.data(query, key="kaili-key")
    assert await _reads(graphql.engine, operation) == []


async def test_recording_costs_one_statement_however_many_objects(graphql: GraphQL) -> None:
    inserts = []
    for first in (2, 20):
        query = _volunteers(_operation(), "realName").replace("first: 20", f"first: {first}")
        with graphql.counter.counting() as counter:
            await graphql.data(query, key="kaili-key")
        inserts.append(sum("personal_data_reads" in sql for sql in counter.statements))
    assert inserts == [1, 1]


async def test_admins_read_the_record_and_no_one_else(graphql: GraphQL) -> None:
    operation = _operation()
    await graphql.data(_volunteers(operation, "idNumber"), key="guizhou-key")
    query = """query Record($since: DateTime) {
      personalDataReads(first: 50, filter: {keyName: "guizhou staff", since: $since}) {
        nodes { keyName role countyCode objectType objectIds fields operation }
      }
    }"""
    since = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    data = await graphql.data(query, {"since": since}, key="admin-key")
    mine = [row for row in data["personalDataReads"]["nodes"] if row["operation"] == operation]
    assert {row["objectType"] for row in mine} == {"Volunteer", "Household"}
    (volunteers,) = [row for row in mine if row["objectType"] == "Volunteer"]
    assert volunteers["fields"] == ["idNumber"]
    assert all(decode_global_id(item)[0] == "Volunteer" for item in volunteers["objectIds"])
    for key in (None, "kaili-key", "guizhou-key", "analyst-key"):
        refused = await graphql(query, {"since": since}, key=key)
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def _record(engine: AsyncEngine, county: str, when: datetime) -> None:
    reads = PersonalReads()
    reads.note("Household", county, 7)
    await record_reads(
        create_sessionmaker(engine),
        Viewer(Role.COUNTY_STAFF, frozenset({county}), f"staff {county}"),
        reads,
        {"headName"},
        "Lookup",
        when,
    )


async def test_the_record_refuses_changes_and_keeps_what_retention_allows(
    engine: AsyncEngine,
) -> None:
    now = datetime.now(UTC)
    await _record(engine, "522601", now - timedelta(days=400))
    await _record(engine, "522602", now)
    reads = table_of(m.PersonalDataRead)
    with pytest.raises(DBAPIError, match="append-only"):
        async with engine.begin() as connection:
            await connection.execute(update(reads).values(key_name="someone else"))
    assert await purge_reads(create_sessionmaker(engine), timedelta(days=365), now) == 1
    async with engine.connect() as connection:
        left = (await connection.execute(text("SELECT county_code FROM personal_data_reads"))).all()
    assert [row[0] for row in left] == ["522602"]


async def test_wenming_audit_lists_by_county_and_key(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    now = datetime.now(UTC)
    for county in ("522601", "522602"):
        await _record(engine, county, now)
    monkeypatch.setenv("WENMING_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert await asyncio.to_thread(main, ["audit", "--county", "522602"]) == 0
    lines: list[Any] = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("read_at\tkey")
    assert [line.split("\t")[1:6] for line in lines[1:]] == [
        ["staff 522602", "county_staff", "522602", "Household", "headName"]
    ]
    assert await asyncio.to_thread(main, ["audit", "--key", "nobody"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1
    assert await asyncio.to_thread(main, ["audit", "--since", "yesterday"]) == 2
    assert "--since" in capsys.readouterr().err

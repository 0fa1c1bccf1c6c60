"""The cost estimate knows the data's shape: a page counts no more rows than the longest
such list holds, so the county tree at 100 × 100 runs, and bounds follow the data."""

from __future__ import annotations

from graphql import parse
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import aliased

from db import models as m
from db.engine import create_sessionmaker
from db.pii import PersonalDataCipher
from resolvers.context import Context
from resolvers.shape import BOUNDED, DataShape
from schema import build_schema
from schema.limits import Limits, measure

WIDE_TREE = """{ center(divisionCode: "522601") { name
  institutes(first: 100) { totalCount edges { node { id name
    stations(first: 100) { totalCount edges { node { id name isDemonstration } } } } } } } }"""


async def _longest_station_list(engine: AsyncEngine) -> int:
    institute = aliased(m.Site)
    counts = (
        select(func.count())
        .select_from(m.Site)
        .join(institute, institute.id == m.Site.parent_id)
        .where(
            m.Site.kind == m.SiteKind.STATION,
            institute.kind == m.SiteKind.INSTITUTE,
            m.Site.retired_at.is_(None),
        )
        .group_by(m.Site.parent_id)
        .subquery()
    )
    async with engine.connect() as connection:
        return int(await connection.scalar(select(func.max(counts.c[0]))) or 0)


async def test_bounds_are_the_longest_lists_with_headroom(demo_engine: AsyncEngine) -> None:
    shape = DataShape()
    await shape.refresh(demo_engine)
    longest = await _longest_station_list(demo_engine)
    assert longest > 0
    assert shape.bound("Institute", "stations") == longest + longest // 4 + 1
    assert set(shape.bounds) == set(BOUNDED)
    assert shape.version == 1
    await shape.refresh(demo_engine)
    assert shape.version == 1  # the same data: the estimates' cache stays


async def test_the_wide_tree_is_measured_near_what_it_returns(demo_engine: AsyncEngine) -> None:
    schema = build_schema()._schema
    document = parse(WIDE_TREE)
    blind = measure(schema, document, None, introspection=True)
    assert blind.refusal(Limits()) is not None  # page sizes alone: 100 × 100 stations
    shape = DataShape()
    await shape.refresh(demo_engine)
    seen = measure(schema, document, None, introspection=True, shape=shape)
    assert seen.refusal(Limits()) is None
    institutes = shape.bound("Center", "institutes")
    stations = shape.bound("Institute", "stations")
    assert institutes is not None
    assert stations is not None
    # Still an upper bound of the answer: every institute at its longest station list.
    assert seen.cost >= institutes * stations
    assert seen.cost < blind.cost


async def test_a_schema_with_the_shape_runs_the_wide_tree(
    demo_engine: AsyncEngine, cipher: PersonalDataCipher
) -> None:
    shape = DataShape()
    schema = build_schema(shape=shape)
    context = Context(create_sessionmaker(demo_engine), cipher)
    refused = await schema.execute(WIDE_TREE, context_value=context)
    assert refused.errors
    assert refused.errors[0].extensions
    assert refused.errors[0].extensions["code"] == "QUERY_TOO_COMPLEX"
    await shape.refresh(demo_engine)
    answered = await schema.execute(
        WIDE_TREE, context_value=Context(create_sessionmaker(demo_engine), cipher)
    )
    assert answered.errors is None
    assert answered.data is not None
    assert answered.data["center"]["institutes"]["totalCount"] > 0

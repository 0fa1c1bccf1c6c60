"""CountyTree (api.md) at Tongren scale: GraphQL in-process and over HTTP (the compiled
read path and the resolvers), against a hand-written Starlette endpoint running the
resolvers' SQL and serialising with orjson.

    python -m bench.county_tree [--runs 200] [--database-url URL]

Without --database-url the data goes into a temporary SQLite file.
"""

from __future__ import annotations

from typing import Any

import httpx
import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench.stats import run_on_database, summary, time_calls
from db import migrate
from db import models as m
from db.engine import create_engine, create_sessionmaker
from db.pii import PersonalDataCipher
from demo.county_app import serve
from demo.generator import DemoOptions
from demo.load import load_demo
from demo.places import PlaceSpec
from hub.app import create_app
from hub.settings import Settings
from resolvers import relations
from resolvers.context import Context
from resolvers.paging import PageRequest, fetch_pages
from schema import build_schema
from schema.relay import encode_global_id
from tests.documents import COUNTY_TREE, TONGREN_AS_ONE_COUNTY

SECRET = "wenming-benchmark-secret-000"


async def prepare(url: str, place: PlaceSpec = TONGREN_AS_ONE_COUNTY) -> AsyncEngine:
    engine = create_engine(url)
    await migrate.upgrade(engine)
    async with engine.connect() as connection:
        loaded = (await connection.execute(select(m.Site.id).limit(1))).first()
    if loaded is None:
        await load_demo(engine, PersonalDataCipher(SECRET), DemoOptions(places=(place,)))
    return engine


async def hand_written(sessionmaker: async_sessionmaker[AsyncSession]) -> bytes:
    """The CountyTree answer from the same SQL, without GraphQL."""
    async with sessionmaker() as session:
        center = (
            await session.scalars(
                select(m.Site).where(
                    m.Site.division_code == "522601", m.Site.kind == m.SiteKind.CENTER
                )
            )
        ).first()
        assert center is not None
        division = await session.get_one(m.Division, center.division_code)
        institutes = await _page(session, relations.INSTITUTES_OF_CENTER, [center.id], 50)
        stations = await _page(
            session,
            relations.STATIONS_OF_INSTITUTE,
            [i.id for i in institutes[center.id].rows],
            100,
        )
    body = {
        "data": {
            "center": {
                "id": encode_global_id("Center", center.id),
                "name": center.name,
                "isDemonstration": center.is_demonstration,
                "division": {"code": division.code, "name": division.name},
                "institutes": {
                    "totalCount": institutes[center.id].total,
                    "edges": [
                        {
                            "node": {
                                "id": encode_global_id("Institute", institute.id),
                                "name": institute.name,
                                "stations": {
                                    "totalCount": stations[institute.id].total,
                                    "edges": [
                                        {
                                            "node": {
                                                "id": encode_global_id("Station", s.id),
                                                "name": s.name,
                                                "isDemonstration": s.is_demonstration,
                                            }
                                        }
                                        for s in stations[institute.id].rows
                                    ],
                                },
                            }
                        }
                        for institute in institutes[center.id].rows
                    ],
                },
            }
        }
    }
    return orjson.dumps(body)


async def _page(
    session: AsyncSession, relation: relations.Relation, keys: list[int], first: int
) -> dict[Any, Any]:
    return await fetch_pages(
        session,
        relation.model,
        relation.statement(),
        order_by=relation.order_by,
        page=PageRequest(first),
        partition=relation.partition,
        keys=keys,
    )


async def run(url: str, runs: int) -> None:
    engine = await prepare(url)
    sessionmaker = create_sessionmaker(engine)
    schema = build_schema()
    cipher = PersonalDataCipher(SECRET)

    async def in_process() -> object:
        result = await schema.execute(COUNTY_TREE, context_value=Context(sessionmaker, cipher))
        assert result.errors is None, result.errors
        return orjson.dumps({"data": result.data})

    graphql_in_process = await time_calls(in_process, runs)
    hand_in_process = await time_calls(lambda: hand_written(sessionmaker), runs)
    await engine.dispose()

    # Over HTTP each server gets its own engine on its own event loop (uvicorn's thread).
    # No budgets: a benchmark asks far more often than an anonymous caller may.
    unlimited = {role: "" for role in Settings().rate_limits}
    hub = create_app(Settings(database_url=url, secret_key=SECRET, rate_limits=unlimited))
    resolvers_hub = create_app(
        Settings(database_url=url, secret_key=SECRET, rate_limits=unlimited, compiled_reads=False)
    )

    async def hand_endpoint(_request: Request) -> Response:
        return Response(await hand_written(hand_sessionmaker), media_type="application/json")

    hand_engine = create_engine(url)
    hand_sessionmaker = create_sessionmaker(hand_engine)
    hand_app = Starlette(routes=[Route("/county-tree", hand_endpoint)])
    hub_server, hand_server = serve(hub), serve(hand_app)
    resolvers_server = serve(resolvers_hub)
    hub_url, hand_url = hub_server.url, hand_server.url
    async with httpx.AsyncClient(timeout=30) as client:

        async def graphql_http() -> bytes:
            response = await client.post(f"{hub_url}/graphql", json={"query": COUNTY_TREE})
            assert response.status_code == 200
            return response.content

        async def resolvers_http() -> bytes:
            response = await client.post(
                f"{resolvers_server.url}/graphql", json={"query": COUNTY_TREE}
            )
            assert response.status_code == 200
            return response.content

        assert orjson.loads(await graphql_http()) == orjson.loads(await resolvers_http())

        async def hand_http() -> object:
            response = await client.get(f"{hand_url}/county-tree")
            assert response.status_code == 200
            return response.content

        graphql_over_http = await time_calls(graphql_http, runs)
        resolvers_over_http = await time_calls(resolvers_http, runs)
        hand_over_http = await time_calls(hand_http, runs)
    hub_server.stop()
    hand_server.stop()
    resolvers_server.stop()

    size = len(await in_process_bytes(url, schema, cipher))
    database = url.split(":")[0]
    print(f"CountyTree at Tongren scale (182 institutes, 2,929 stations), {runs} runs, {database}")
    print(f"  answer: {size:,} bytes")
    print(f"  GraphQL, in process      {summary(graphql_in_process)}")
    print(f"  hand-written, in process {summary(hand_in_process)}")
    print(f"  GraphQL compiled, HTTP   {summary(graphql_over_http)}")
    print(f"  GraphQL resolvers, HTTP  {summary(resolvers_over_http)}")
    print(f"  hand-written, over HTTP  {summary(hand_over_http)}")
    for label, ours, floor in (
        ("resolvers in process", graphql_in_process, hand_in_process),
        ("compiled over HTTP", graphql_over_http, hand_over_http),
        ("resolvers over HTTP", resolvers_over_http, hand_over_http),
    ):
        p50, p95 = _ratio(ours, floor, 0.5), _ratio(ours, floor, 0.95)
        print(f"  ratio GraphQL / hand-written, {label}: p50 {p50:.2f}  p95 {p95:.2f}")


async def in_process_bytes(url: str, schema: Any, cipher: PersonalDataCipher) -> bytes:
    engine = create_engine(url)
    result = await schema.execute(
        COUNTY_TREE, context_value=Context(create_sessionmaker(engine), cipher)
    )
    await engine.dispose()
    return orjson.dumps({"data": result.data})


def _ratio(ours: list[float], floor: list[float], fraction: float) -> float:
    from bench.stats import percentile

    return percentile(ours, fraction) / percentile(floor, fraction)


def main() -> None:
    run_on_database(run, __doc__)


if __name__ == "__main__":
    main()

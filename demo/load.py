"""Loads the demo: its division codes, then the generated places through the connectors
(a local county app per place, a registry export and a points ledger per county, a
household roster, credit list and honour list per place), then each place's news site
served locally and read through the news connector."""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from sqlalchemy import Table, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.routing import Mount

from connectors.base import Connector
from connectors.divisions import read_divisions
from connectors.errors import ConnectorError
from connectors.news.connector import FeedSettings, NewsFeedConnector
from connectors.news.fetch import PageFetcher
from connectors.points.ledger import PassbookLedgerConnector
from connectors.points.lists import (
    CreditListConnector,
    HonourListConnector,
    HouseholdRosterConnector,
)
from connectors.points.settings import BankRules
from connectors.sync import SyncRunner
from connectors.volunteers.app import CountyAppConnector
from connectors.volunteers.registry import RegistryExportConnector
from db import models as m
from db.base import Base, table_of
from db.bulk import insert_rows, reset_sequences, upsert_rows
from db.documents import register_documents
from db.engine import create_sessionmaker
from db.pii import PersonalDataCipher
from db.rollup import refresh_rollup
from demo.county_app import CountyApp, serve
from demo.documents import README_DOCUMENTS
from demo.generator import DemoOptions, generate_places
from demo.news_pages import FORMS, PROVINCIAL, place_pages, provincial_pages
from demo.news_site import NewsSite
from demo.sources import DemoSources, PlaceSources

__all__ = ["DEMO_DIVISIONS", "DemoAlreadyLoadedError", "DemoSyncError", "load_demo"]

DEMO_DIVISIONS = Path(__file__).parent / "data"
_BEFORE_RECORDS = ("orgs", "platforms", "teams", "projects", "menu", "activities")
_AFTER_REGISTRIES = ("records", "orders")


class DemoAlreadyLoadedError(RuntimeError):
    """The database already has sites; the demo only loads into an empty hub."""

    def __init__(self, sites: int) -> None:
        super().__init__(
            f"the database already holds {sites} sites; load the demo into a new database "
            "(or pass --reset to empty this one first)"
        )


class DemoSyncError(ConnectorError):
    """A demo source did not sync; the demo is incomplete."""


# Where the demo's news sites say they are.
DEMO_NEWS_HOST = "https://news.demo.wenming.invalid"


async def load_demo(
    engine: AsyncEngine,
    cipher: PersonalDataCipher,
    options: DemoOptions,
    directory: Path | None = None,
    report: Callable[[str], None] | None = None,
) -> Counter[str]:
    """Load the demo and return the rows the database then holds, per table. Source
    files are written under `directory` (a temporary folder by default)."""
    async with engine.connect() as connection:
        sites = (await connection.execute(select(func.count()).select_from(m.Site))).scalar_one()
    if sites:
        raise DemoAlreadyLoadedError(sites)
    told = report or (lambda _: None)
    if directory is None:
        with tempfile.TemporaryDirectory() as scratch:
            return await _load(engine, cipher, options, Path(scratch), told)
    return await _load(engine, cipher, options, directory, told)


async def _load(
    engine: AsyncEngine,
    cipher: PersonalDataCipher,
    options: DemoOptions,
    directory: Path,
    report: Callable[[str], None],
) -> Counter[str]:
    report("writing the divisions, sites and the county systems' files")
    divisions = list(read_divisions(DEMO_DIVISIONS))
    sources = DemoSources(directory, cipher, options.reference)
    touched: dict[str, Table] = {}
    async with engine.begin() as connection:
        division_rows = [asdict(record) for record in divisions]
        await upsert_rows(connection, table_of(m.Division), division_rows, key=["code"])
        for place, batch in generate_places(divisions, cipher, options):
            direct = sources.take(place, batch)
            if direct is not None:
                await insert_rows(connection, direct.table, direct.rows)
                touched[direct.table.name] = direct.table
        sources.close()
        await reset_sequences(connection, touched.values())
    await _sync(engine, cipher, sources.places, options.reference, report)
    report("reading the news sites")
    await _news(engine, sources.places)
    report("summing the statistics rollup")
    await refresh_rollup(engine)
    await register_documents(create_sessionmaker(engine), README_DOCUMENTS.items())
    if engine.dialect.name == "postgresql":
        # Planned on the statistics of empty tables, the first queries after a load read
        # whole tables where an index would do (a scan of the teams per volunteer).
        report("analyzing the tables")
        async with engine.begin() as connection:
            await connection.exec_driver_sql("ANALYZE")
    return await _counts(engine)


async def _sync(
    engine: AsyncEngine,
    cipher: PersonalDataCipher,
    places: list[PlaceSources],
    now: datetime,
    report: Callable[[str], None],
) -> None:
    app = Starlette(routes=[Mount(f"/{p.place.key}", CountyApp(p.app).asgi()) for p in places])
    server = serve(app)
    try:
        for number, place in enumerate(places, start=1):
            report(f"syncing {place.system} ({number} of {len(places)})")
            county = place.place.counties[0]
            connector = CountyAppConnector(
                place.system, county, f"{server.url}/{place.place.key}/api", cipher, page_size=500
            )
            runner = SyncRunner(engine, county_code=county)
            try:
                await _run(runner, connector, _BEFORE_RECORDS)
                for code, path in place.registries.items():
                    registry = RegistryExportConnector(
                        f"national-registry:{code}",
                        code,
                        None,
                        path,
                        cipher,
                        team_system=place.system,
                    )
                    await _run(SyncRunner(engine, county_code=code), registry, None)
                await _run(runner, connector, _AFTER_REGISTRIES)
            finally:
                await connector.close()
            for household_source in _household_sources(place, cipher, now):
                await _run(runner, household_source, None)
    finally:
        server.stop()


def _household_sources(
    place: PlaceSources, cipher: PersonalDataCipher, now: datetime
) -> list[Connector]:
    """Rosters first: the ledgers, credit and honour lists name their households."""
    key = place.place.key
    sources: list[Connector] = [
        HouseholdRosterConnector(f"demo-roster:{code}", code, path)
        for code, path in place.rosters.items()
    ]
    for code, path in place.ledgers.items():
        sources.append(
            PassbookLedgerConnector(
                f"demo-savings:{code}",
                code,
                path,
                f"{key} savings office",
                BankRules(),
                bank_rules={
                    name: BankRules(redemption_floor=floor)
                    for name, floor in place.bank_floors.items()
                },
            )
        )
    sources += [
        CreditListConnector(f"demo-credit:{code}", code, path)
        for code, path in place.credit_lists.items()
    ]
    sources += [
        HonourListConnector(f"demo-honours:{code}", code, path, cipher, now.date())
        for code, path in place.honour_lists.items()
    ]
    return sources


async def _run(runner: SyncRunner, connector: Connector, streams: tuple[str, ...] | None) -> None:
    results = await runner.sync(connector, streams=streams, refresh=False)
    failed = [result for result in results if result.status is not m.SyncStatus.SUCCEEDED]
    if failed:
        raise DemoSyncError(f"{failed[0].source}/{failed[0].stream}: {failed[0].error}")


async def _news(engine: AsyncEngine, places: list[PlaceSources]) -> None:
    """Each place's news site, served locally in its form, read through the news
    connector; then the provincial site that republishes a story of each place."""
    mounts: list[Mount] = []
    feeds: list[tuple[str, str, str, str | None]] = []
    for index, place in enumerate(p for p in places if p.stories):
        form = FORMS[index % len(FORMS)]
        path, pages = place_pages(form, place.feed_name, place.stories)
        key = place.place.key
        mounts.append(Mount(f"/{key}", NewsSite(pages).asgi()))
        # A feed belongs to a county or a prefecture; a street's belongs to its county.
        code = place.place.division_code
        owner = code if len(code) == 6 else place.place.counties[0]
        feeds.append((f"demo-news:{key}", place.feed_name, key + path, owner))
    firsts = [place.stories[0] for place in places if place.stories]
    path, pages = provincial_pages(firsts)
    mounts.append(Mount("/province", NewsSite(pages).asgi()))
    feeds.append(("demo-news:province", PROVINCIAL, "province" + path, None))
    server = serve(Starlette(routes=mounts))
    try:
        for system, name, feed_path, county in feeds:
            feed = FeedSettings(name, f"{server.url}/{feed_path}", "auto", county)
            connector = NewsFeedConnector(system, feed, PageFetcher(delay=0))
            try:
                await _run(SyncRunner(engine, county_code=county), connector, None)
            finally:
                await connector.close()
        await _settle_addresses(engine, server.url)
    finally:
        server.stop()


async def _settle_addresses(engine: AsyncEngine, served_at: str) -> None:
    """The news sites were served on a port that closes with the demo: their addresses
    are given a host of their own that says it is not a real site (RFC 2606's .invalid)."""
    async with engine.begin() as connection:
        for column in (
            m.NewsFeed.url,
            m.NewsStory.url,
            m.NewsStory.images,
            m.StorySource.url,
        ):
            table = column.class_.__table__
            await connection.execute(
                update(table)
                .where(column.is_not(None))
                .values({column.key: func.replace(column, served_at, DEMO_NEWS_HOST)})
            )


async def _counts(engine: AsyncEngine) -> Counter[str]:
    counts: Counter[str] = Counter()
    async with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            counts[table.name] = (
                await connection.execute(select(func.count()).select_from(table))
            ).scalar_one()
    return Counter({name: count for name, count in counts.items() if count})

"""News: pages per second through the pipeline, and search at 100,000 stories.

    python -m bench.news [--pages 3000] [--stories 100000] [--runs 50] [--database-url URL]

Pages are the demo's own forms (UTF-8, GBK, Big5, newspaper pages, broken conversions),
timed through bare extraction, then through decode + extract + repair + simplify +
fingerprint (the connector's mapping), then with linking against 3,000 aliases. Search
fills news_stories with generated stories through the same tokenizer and times
`stories(filter: {search}, orderBy: RELEVANCE)` in process.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from bench.stats import summary
from connectors.news.connector import map_page
from connectors.news.decode import decode
from connectors.news.dedup import bands, fingerprint, signed
from connectors.news.extract import extract
from connectors.news.linking import Linker, aliases_for
from db import migrate
from db import models as m
from db.base import table_of
from db.bulk import insert_rows
from db.engine import create_engine, create_sessionmaker
from db.pii import PersonalDataCipher
from db.search import simplified, tokens
from demo import vocabulary as words
from demo.news_pages import FORMS, DemoStory, place_pages
from demo.news_site import Page
from resolvers.context import Context
from schema import build_schema

SEARCH = """query($q: String!) {
  stories(filter: {search: $q}, orderBy: [{field: RELEVANCE, direction: DESC}], first: 10) {
    totalCount edges { node { title } } } }"""
QUERIES = ("邻里守望", "志愿服务", "马背宣讲", "文明实践站", "河湖清洁", "红色故事会", "乌江")


def _story(rng: random.Random, number: int) -> DemoStory:
    site = f"{rng.choice(words.VILLAGE_FIRST)}{rng.choice(words.VILLAGE_SECOND)}村新时代文明实践站"
    project = rng.choice(PROJECTS)
    verb = rng.choice(words.ACTIVITY_VERBS)
    opening = rng.choice(words.STORY_OPENINGS).format(
        site=site, verb=verb, project=project, place="某县"
    )
    closing = rng.choice(words.STORY_CLOSINGS).format(place="某县")
    published = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(500_000))
    return DemoStory(
        number, f"{site}{verb}“{project}”志愿服务活动", (opening, closing), published, "融媒体中心"
    )


PROJECTS = (
    "邻里守望",
    "马背宣讲",
    "河湖清洁志愿行",
    "红色故事会",
    "乌江画廊护绿队",
    "四点半课堂",
    "长寿食堂",
    "帐篷课堂",
    "非遗传习课堂",
    "文明家庭巡礼",
)


def _pages(count: int) -> list[tuple[str, Page]]:
    rng, pages = random.Random(5), []
    per_form = max(1, count // len(FORMS))
    for form in FORMS:
        stories = [_story(rng, number) for number in range(per_form)]
        _, site_pages = place_pages(form, "某县文明网", stories)
        pages += [(path, page) for path, page in site_pages.items() if path.endswith(".html")]
    return pages


def pipeline(count: int) -> None:
    pages = _pages(count)
    texts = [decode(page.content, page.content_type).text for _, page in pages]
    began = time.perf_counter()
    extracted = sum(
        len(extract(text, "http://bench.test" + path))
        for (path, _), text in zip(pages, texts, strict=True)
    )
    bare = time.perf_counter() - began
    payloads = [
        {
            "feed": {
                "name": "某县文明网",
                "url": "http://bench.test/rss.xml",
                "format": "rss",
                "county_code": None,
            },
            "url": "http://bench.test" + path,
            "title": "",
            "published": "2025-01-01T00:00:00+00:00",
            "author": None,
            "status": 200,
            "content_type": page.content_type,
            "page": base64.b64encode(page.content).decode("ascii"),
        }
        for path, page in pages
    ]
    began = time.perf_counter()
    mapped = [record for payload in payloads for record in map_page(payload)]
    full = time.perf_counter() - began
    rng = random.Random(9)
    linker = Linker(
        aliases_for(
            [],
            [
                (
                    index,
                    f"{rng.choice(words.VILLAGE_FIRST)}{rng.choice(words.VILLAGE_SECOND)}村新时代文明实践站",
                    "",
                )
                for index in range(2_000)
            ],
            [(index, f"第{index}志愿服务队") for index in range(990)],
            [(index, name) for index, name in enumerate(PROJECTS)],
        )
    )
    began = time.perf_counter()
    mentions = sum(
        len(linker.find(f"{record.values['title']}\n\n{record.values['body']}"))
        for record in mapped
    )
    linking = time.perf_counter() - began
    print(f"{len(pages):,} pages in {len(FORMS)} forms ({extracted:,} stories)")
    print(f"  bare extraction:                         {len(pages) / bare:8,.0f} pages/s")
    print(f"  decode+extract+repair+simplify+hash:     {len(pages) / full:8,.0f} pages/s")
    rate = len(pages) / (full + linking)
    print(
        f"  … and linking (3,000 aliases):           {rate:8,.0f} pages/s ({mentions:,} mentions)"
    )


async def search(url: str, stories: int, runs: int) -> None:
    engine = create_engine(url)
    await migrate.upgrade(engine)
    rng = random.Random(3)
    now = datetime.now(UTC)
    async with engine.begin() as connection:
        await connection.execute(
            insert(table_of(m.NewsFeed)).values(
                id=1, name="bench", url="http://bench.test/", format="rss"
            )
        )
    began = time.perf_counter()
    for start in range(0, stories, 5_000):
        rows = []
        for number in range(start, min(stories, start + 5_000)):
            story = _story(rng, number)
            body = simplified("\n\n".join(story.paragraphs))
            value = fingerprint(body)
            rows.append(
                {
                    "id": number + 1,
                    "feed_id": 1,
                    "url": f"http://bench.test/{number}.html",
                    "title": story.title,
                    "published_at": story.published_at,
                    "author": story.author,
                    "source_name": None,
                    "summary": None,
                    "body": body,
                    "original_body": None,
                    "images": None,
                    "encoding_seen": "utf-8",
                    "search_title": " ".join(tokens(story.title)),
                    "search_body": " ".join(tokens(body)),
                    "fingerprint": signed(value),
                    **dict(zip(("band0", "band1", "band2", "band3"), bands(value), strict=True)),
                    "source_system": "bench",
                    "source_id": str(number),
                    "first_seen_at": now,
                    "last_seen_at": now,
                    "content_hash": "",
                    "retired_at": None,
                }
            )
        async with engine.begin() as connection:
            await insert_rows(connection, table_of(m.NewsStory), rows)
    loaded = time.perf_counter() - began
    if engine.dialect.name == "postgresql":
        async with engine.connect() as connection:
            await connection.exec_driver_sql("ANALYZE news_stories")
    schema = build_schema()
    context = Context(
        create_sessionmaker(engine), PersonalDataCipher("wenming-benchmark-secret-000")
    )
    print(f"{stories:,} stories, {url.split(':')[0]} (loaded and indexed in {loaded:.1f} s)")
    for query in QUERIES:
        samples = []
        total = 0
        for _ in range(runs):
            began = time.perf_counter()
            result = await schema.execute(
                SEARCH, variable_values={"q": query}, context_value=context
            )
            samples.append(time.perf_counter() - began)
            assert result.errors is None, result.errors
            assert result.data is not None
            total = result.data["stories"]["totalCount"]
        print(f"  {query:8} {total:7,} found   {summary(samples)}")
    await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=3_000)
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--database-url")
    arguments = parser.parse_args()
    pipeline(arguments.pages)
    if arguments.database_url:
        asyncio.run(search(arguments.database_url, arguments.stories, arguments.runs))
        return
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite+aiosqlite:///{Path(directory) / 'news.sqlite3'}"
        asyncio.run(search(url, arguments.stories, arguments.runs))


if __name__ == "__main__":
    main()

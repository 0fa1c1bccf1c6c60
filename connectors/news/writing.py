"""Writing stories: one story, many sources, and the mentions found in it.

A page seen before (by source id) is unchanged or updated. A new page that is a
near-duplicate of a stored story (found by a fingerprint band or its title; most of its
headline and most of its text the same) becomes one more source of that story;
otherwise it is a new story, linked to the divisions, sites, teams and projects it
names (aliases from the database, loaded once per sync run and county).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, or_, select, update

from connectors.batch import BatchResult, Item, Outcome, content_hash
from connectors.news.dedup import NEAR, distance, shingles
from connectors.news.linking import Linker, aliases_for
from connectors.writing import BatchWriter, RecordWriter
from db import models as m
from db.base import table_of
from db.bulk import rows_where_in
from db.types import UTCDateTime

__all__ = ["WRITERS"]

_SAME_TEXT = 0.8  # share of the shorter text's shingles found in the other
# Formulaic stories (one template, other names) share most of their text; a
# republication keeps its headline too.
_SAME_TITLE = 0.85
# One article copied whole: its headline may have come out of another page's furniture
# differently, so no title vetoes texts this alike and this long (in shingles).
_COPIED_TEXT = 0.98
_COPIED_LENGTH = 300
_CANDIDATES = 50
_FIRST_SEEN = m.PublishedAtSource.FIRST_SEEN.value
_TARGET_COLUMN = {
    m.MentionTarget.SITE: "site_id",
    m.MentionTarget.TEAM: "team_id",
    m.MentionTarget.PROJECT: "project_id",
    m.MentionTarget.DIVISION: "division_code",
}
_SOURCE_COLUMNS = ("url", "title", "published_at", "encoding_seen")


class StoryWriter(RecordWriter):
    def __init__(self, writer: BatchWriter) -> None:
        super().__init__(writer)
        self._writer = writer
        self._stories = table_of(m.NewsStory)
        self._sources = table_of(m.StorySource)

    async def write(self, model: type[Any], items: list[Item], result: BatchResult) -> None:
        writer = self._writer
        known = await self._known_sources([item.mapped.source_id for item in items])
        touched: list[int] = []
        for item in items:
            feed = item.mapped.extras["feed"]
            values = {**item.mapped.values, "feed_id": await self._feed_id(feed)}
            stored = known.get(item.mapped.source_id)
            if stored and stored[3] and values["published_at_source"] == _FIRST_SEEN:
                # A page without a date was first seen once: reading it again moves nothing.
                values["published_at"] = stored[3]
            digest = content_hash(values)
            source = {column: values[column] for column in _SOURCE_COLUMNS}
            source["title"] = item.mapped.extras.get("title", values["title"])[:500]
            if stored is not None:
                row_id, story_id, stored_digest, _ = stored
                if stored_digest == digest:
                    touched.append(row_id)
                    result.outcomes[item.position].append(Outcome.UNCHANGED)
                    continue
                await writer.session.execute(
                    update(self._sources)
                    .where(self._sources.c.id == row_id)
                    .values(
                        **source,
                        feed_id=values["feed_id"],
                        content_hash=digest,
                        last_seen_at=writer.now,
                        retired_at=None,
                    )
                )
                await self._update_story(story_id, item.mapped.source_id, values, digest, feed)
                result.outcomes[item.position].append(Outcome.UPDATED)
                continue
            same = await self._same_story(values)
            story_id = (
                same
                if same is not None
                else await self._insert_story(item.mapped.source_id, values, digest, feed)
            )
            await writer.session.execute(
                insert(self._sources).values(
                    story_id=story_id,
                    feed_id=values["feed_id"],
                    **source,
                    **writer.provenance(item.mapped.source_id, digest),
                )
            )
            known[item.mapped.source_id] = (0, story_id, digest, values["published_at"])
            result.outcomes[item.position].append(Outcome.INSERTED)
        if touched:
            await writer.session.execute(
                update(self._sources)
                .where(self._sources.c.id.in_(touched))
                .values(last_seen_at=writer.now)
            )

    async def _known_sources(
        self, source_ids: list[str]
    ) -> dict[str, tuple[int, int, str, datetime | None]]:
        """Per source id already stored: its row, story, content hash and date."""
        connection = await self._writer.session.connection()
        rows = await rows_where_in(
            connection,
            self._sources,
            ("source_id", "id", "story_id", "content_hash", "published_at"),
            "source_id",
            source_ids,
            {"source_system": self._writer.system},
        )
        when = UTCDateTime().from_driver
        return {row[0]: (row[1], row[2], row[3], when(row[4], connection.dialect)) for row in rows}

    async def _feed_id(self, feed: dict[str, Any]) -> int:
        """The feed's row, made on first sight (feeds are known by their address)."""
        cache = self._writer.cache.setdefault("feeds", {})
        if feed["url"] in cache:
            return int(cache[feed["url"]])
        table = table_of(m.NewsFeed)
        session = self._writer.session
        found = await session.scalar(select(table.c.id).where(table.c.url == feed["url"]))
        if found is None:
            found = await session.scalar(
                insert(table)
                .values(
                    name=feed["name"],
                    url=feed["url"],
                    format=feed["format"],
                    county_code=feed["county_code"],
                )
                .returning(table.c.id)
            )
        cache[feed["url"]] = found
        return int(found)

    async def _same_story(self, values: dict[str, Any]) -> int | None:
        """A stored story this one republishes: a candidate by fingerprint band or title,
        confirmed by its text."""
        table = self._stories
        bands = [table.c[f"band{index}"] == values[f"band{index}"] for index in range(4)]
        rows = await self._writer.session.execute(
            select(table.c.id, table.c.fingerprint, table.c.title, table.c.body)
            .where(or_(*bands, table.c.title == values["title"]), table.c.retired_at.is_(None))
            .limit(_CANDIDATES)
        )
        text, headline = shingles(values["body"]), shingles(values["title"], 2)
        for story_id, stored_fingerprint, title, body in rows:
            stored = shingles(body)
            shared = _overlap(text, stored)
            if shared >= _COPIED_TEXT and min(len(text), len(stored)) >= _COPIED_LENGTH:
                return int(story_id)
            if _overlap(headline, shingles(title, 2)) < _SAME_TITLE:
                continue
            near = distance(stored_fingerprint % (1 << 64), values["fingerprint"] % (1 << 64))
            if near <= NEAR or shared >= _SAME_TEXT:
                return int(story_id)
        return None

    async def _insert_story(
        self, source_id: str, values: dict[str, Any], digest: str, feed: dict[str, Any]
    ) -> int:
        story_id = await self._writer.session.scalar(
            insert(self._stories)
            .values(**values, **self._writer.provenance(source_id, digest))
            .returning(self._stories.c.id)
        )
        assert story_id is not None
        await self._link(int(story_id), values, feed)
        return int(story_id)

    async def _update_story(
        self,
        story_id: int,
        source_id: str,
        values: dict[str, Any],
        digest: str,
        feed: dict[str, Any],
    ) -> None:
        """A story follows its own first source; a republication's changes stay with
        that source."""
        table = self._stories
        owned = await self._writer.session.scalar(
            select(table.c.id).where(
                table.c.id == story_id,
                table.c.source_system == self._writer.system,
                table.c.source_id == source_id,
            )
        )
        if owned is None:
            return
        await self._writer.session.execute(
            update(table)
            .where(table.c.id == story_id)
            .values(**values, content_hash=digest, last_seen_at=self._writer.now, retired_at=None)
        )
        await self._writer.session.execute(
            delete(table_of(m.Mention)).where(table_of(m.Mention).c.story_id == story_id)
        )
        await self._link(story_id, values, feed)

    async def _link(self, story_id: int, values: dict[str, Any], feed: dict[str, Any]) -> None:
        """Mentions in the title and body; positions count in `title + "\\n\\n" + body`."""
        linker = await self._linker(feed.get("county_code"))
        text = f"{values['title']}\n\n{values['body']}"
        rows = []
        for found in linker.find(text):
            row: dict[str, Any] = {
                "story_id": story_id,
                "target": found.target,
                "site_id": None,
                "team_id": None,
                "project_id": None,
                "division_code": None,
                "matched_text": found.matched[:200],
                "position": found.position,
            }
            row[_TARGET_COLUMN[found.target]] = found.key
            rows.append(row)
        await self._writer.insert(table_of(m.Mention), rows)

    async def _linker(self, county_code: str | None) -> Linker:
        """Aliases of the feed's area (a county, a prefecture, or everything)."""
        prefix = m.significant_prefix(county_code) if county_code else ""
        linkers = self._writer.cache.setdefault("linkers", {})
        if prefix in linkers:
            return linkers[prefix]  # type: ignore[no-any-return]
        session = self._writer.session
        divisions, sites = table_of(m.Division), table_of(m.Site)
        teams, projects = table_of(m.Team), table_of(m.Project)
        division_rows = (
            await session.execute(
                select(divisions.c.code, divisions.c.name).where(
                    divisions.c.code.startswith(prefix)
                )
            )
        ).all()
        names = dict(division_rows)
        site_rows = (
            await session.execute(
                select(sites.c.id, sites.c.name, sites.c.division_code).where(
                    sites.c.division_code.startswith(prefix), sites.c.retired_at.is_(None)
                )
            )
        ).all()
        team_rows = (
            await session.execute(
                select(teams.c.id, teams.c.name).where(
                    teams.c.county_code.startswith(prefix), teams.c.retired_at.is_(None)
                )
            )
        ).all()
        project_rows = (
            await session.execute(
                select(projects.c.id, projects.c.name).where(
                    projects.c.county_code.startswith(prefix), projects.c.retired_at.is_(None)
                )
            )
        ).all()
        linker = Linker(
            aliases_for(
                [(code, name) for code, name in division_rows if len(code) >= 6],
                [(site_id, name, names.get(code, "")) for site_id, name, code in site_rows],
                [(team_id, name) for team_id, name in team_rows],
                [(project_id, name) for project_id, name in project_rows],
            )
        )
        linkers[prefix] = linker
        return linker


def _overlap(first: set[str], second: set[str]) -> float:
    smaller = min(len(first), len(second))
    return len(first & second) / smaller if smaller else 0.0


WRITERS: dict[type[Any], type[RecordWriter]] = {m.NewsStory: StoryWriter}

"""A news feed: RSS 2.0, Atom, or a CMS list page of article links, over HTTP or from
local files (an archive), into clean stories.

Reading fetches the feed (conditionally: an unchanged feed costs one 304) and the
article pages it needs; mapping, which is pure, decodes, extracts, repairs, converts
to simplified characters and fingerprints each page. Linking to sites, teams and
projects needs the database and is done when the stories are written.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
from collections.abc import AsyncIterator, Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from connectors.base import Connector, Mapped, RawRecord, Rejection, Stream
from connectors.errors import SourceFormatError
from connectors.news.decode import decode
from connectors.news.dedup import bands, fingerprint, signed
from connectors.news.extract import Article, extract
from connectors.news.feeds import FeedEntry, article_links, feed_kind, parse_feed
from connectors.news.fetch import Fetched, PageFetcher
from connectors.news.repair import repair
from db import models as m
from db.search import simplified, tokens

__all__ = ["FeedSettings", "NewsFeedConnector", "map_page"]

STORIES = Stream("stories", snapshot=False, cursor_field="fetched")


@dataclass(frozen=True, slots=True)
class FeedSettings:
    """A configured feed: its name, address (http(s) URL or a local file), format (rss,
    atom, cms or auto) and county."""

    name: str
    url: str
    format: str = "auto"
    county_code: str | None = None


def _cursor(text: str | None) -> dict[str, str]:
    """A feed's cursor: when it was fetched and its validators, "fetched|etag|modified"."""
    if not text:
        return {}
    fetched, etag, modified = ([*text.split("|", 2), "", ""])[:3]
    return {"fetched": fetched, "etag": etag, "last_modified": modified}


class NewsFeedConnector(Connector):
    streams = (STORIES,)

    def __init__(self, system: str, feed: FeedSettings, fetcher: PageFetcher | None = None) -> None:
        self.system = system
        self.feed = feed
        self._fetcher = fetcher or PageFetcher()

    async def close(self) -> None:
        await self._fetcher.close()

    async def read(self, stream: Stream, cursor: str | None) -> AsyncIterator[RawRecord]:
        saved = _cursor(cursor)
        answer = await self._fetcher.get(
            self.feed.url,
            etag=saved.get("etag") or None,
            last_modified=saved.get("last_modified") or None,
        )
        if answer.not_modified:
            return
        if answer.status >= 400:
            raise SourceFormatError(self.feed.url, f"answered HTTP {answer.status}")
        try:
            text = decode(answer.content, answer.content_type).text
        except Rejection as rejection:
            raise SourceFormatError(self.feed.url, rejection.reason) from None
        kind = self.feed.format if self.feed.format != "auto" else feed_kind(text)
        stamp = "|".join(
            (datetime.now(UTC).isoformat(), answer.etag or "", answer.last_modified or "")
        )
        if kind == "cms":
            entries = [
                FeedEntry(link, "", None, None, None) for link in article_links(text, answer.url)
            ]
        else:
            entries = parse_feed(text, answer.url)
        position = 0
        # Pages are fetched a few at a time; the fetcher keeps each host to two at once.
        for start in range(0, len(entries), 8):
            chunk = entries[start : start + 8]
            pages = await asyncio.gather(*(self._page(entry) for entry in chunk))
            for entry, page in zip(chunk, pages, strict=True):
                position += 1
                # Only the last record moves the cursor: a run that fails before it must
                # not leave the feed's validators saved, or the next run would get a 304.
                done = stamp if position == len(entries) else None
                yield RawRecord(_payload(self.feed, entry, page), position, done)

    async def _page(self, entry: FeedEntry) -> Fetched | None:
        return None if entry.full else await self._fetcher.get(entry.url)

    def map(self, stream: Stream, record: RawRecord) -> list[Mapped]:
        return map_page(record.payload)


def _payload(feed: FeedSettings, entry: FeedEntry, page: Fetched | None) -> dict[str, Any]:
    payload: dict[str, Any] = {
        # When the hub first read it: the time of last resort for a page without a date.
        "fetched_at": datetime.now(UTC).isoformat(),
        "feed": {
            "name": feed.name,
            "url": feed.url,
            "format": feed.format,
            "county_code": feed.county_code,
        },
        "url": entry.url,
        "title": entry.title,
        "published": entry.published_at.isoformat() if entry.published_at else None,
        "author": entry.author,
    }
    if page is None:
        payload["html"] = entry.html
    else:
        payload |= {
            "url": page.url if page.status < 400 else entry.url,
            "status": page.status,
            "content_type": page.content_type,
            "last_modified": page.last_modified,
            "page": base64.b64encode(page.content).decode("ascii"),
        }
    return payload


def map_page(payload: Mapping[str, Any]) -> list[Mapped]:
    """The stories of one fetched page or feed entry (pure)."""
    url = str(payload["url"])
    encoding = "utf-8"
    if "page" in payload:
        status = int(payload.get("status", 200))
        if status >= 400:
            raise Rejection(f"the article page answered HTTP {status}")
        decoded = decode(base64.b64decode(payload["page"]), payload.get("content_type"))
        html, encoding = decoded.text, decoded.encoding
    else:
        html = f"<html><body><div>{payload.get('html') or ''}</div></body></html>"
    articles = extract(html, url)
    if not articles:
        raise Rejection("no story text was found on the page")
    hinted = datetime.fromisoformat(payload["published"]) if payload.get("published") else None
    records = []
    for number, article in enumerate(articles, start=1):
        story_url = url if number == 1 else f"{url}#story-{number}"
        records.append(_story(article, story_url, payload, hinted, encoding, len(articles) > 1))
    return records


def _story(
    article: Article,
    url: str,
    payload: Mapping[str, Any],
    hinted: datetime | None,
    encoding: str,
    several: bool,
) -> Mapped:
    plain = (lambda text: text) if article.japanese else simplified
    title = repair(article.title if several else (payload.get("title") or article.title))
    if not title:
        raise Rejection("the page has no title (no <h1>, heading or <title>)")
    published, said_by = _published(article, payload, hinted)
    original = [line for line in (repair(paragraph) for paragraph in article.paragraphs) if line]
    body = [plain(paragraph) for paragraph in original]
    clean_title = plain(title)
    text = "\n\n".join(body)
    value = fingerprint(text)
    images = [
        {"url": image.url, "caption": plain(repair(image.caption)) if image.caption else None}
        for image in article.images
    ]
    values = {
        "feed_id": None,
        "url": url[:500],
        "title": clean_title[:500],
        "published_at": published,
        "published_at_source": said_by.value,
        "author": (article.author or payload.get("author") or None),
        "source_name": article.source,
        "summary": body[0][:120] if body else None,
        "body": text,
        "original_body": "\n\n".join(original) if original != body else None,
        "images": json.dumps(images, ensure_ascii=False) if images else None,
        "encoding_seen": encoding,
        "search_title": " ".join(tokens(clean_title)),
        "search_body": " ".join(tokens(text)),
        "fingerprint": signed(value),
        **dict(zip(("band0", "band1", "band2", "band3"), bands(value), strict=True)),
    }
    return Mapped(
        m.NewsStory, story_key(url), values, extras={"feed": payload["feed"], "title": title}
    )


def _published(
    article: Article, payload: Mapping[str, Any], hinted: datetime | None
) -> tuple[datetime, m.PublishedAtSource]:
    """The page's own date, else the feed's, else the HTTP Last-Modified, else when the
    hub first read the page: a readable story is kept, saying which it had."""
    if article.published_at is not None:
        return article.published_at, m.PublishedAtSource.PAGE
    if hinted is not None:
        return hinted, m.PublishedAtSource.FEED
    modified = payload.get("last_modified")
    if modified:
        with suppress(TypeError, ValueError, IndexError):
            return parsedate_to_datetime(str(modified)).astimezone(UTC), (
                m.PublishedAtSource.LAST_MODIFIED
            )
    seen = payload.get("fetched_at")
    first = datetime.fromisoformat(str(seen)) if seen else datetime.now(UTC)
    return first, m.PublishedAtSource.FIRST_SEEN


def story_key(url: str) -> str:
    """A story's source id: its address, or for an address longer than a source id
    holds, its start and a hash of the whole, so that two long addresses sharing their
    first 128 characters stay two stories."""
    if len(url) <= _KEY_LENGTH:
        return url
    digest = hashlib.sha256(url.encode()).hexdigest()[:27]
    return f"{url[: _KEY_LENGTH - 28]}#{digest}"


_KEY_LENGTH = 128

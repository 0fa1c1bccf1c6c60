"""What a feed lists: RSS 0.9x/1.0 (RDF)/2.0 items, Atom entries, or the article links
of a CMS list page.

Feeds are read with feedparser, which is made for feeds as sites write them: an
unescaped `&` or a stray tag makes a feed "bozo" but its entries are still read. Only
a text in which it finds no feed at all is refused. It reads a stream, never an address
(it would fetch one), and expat resolves no external entities and bounds entity
expansion, so neither XXE nor billion laughs get through.
"""

from __future__ import annotations

import calendar
import hashlib
import io
import re
import time
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
import lxml.html
from lxml import etree

from connectors.errors import SourceFormatError
from connectors.news.dates import parse_when

__all__ = ["FeedEntry", "article_links", "feed_kind", "parse_feed", "resolve"]

_ARTICLE_PATH = re.compile(r"\.s?html?$|/\d{4,}|content|article|detail|show|t\d{8}", re.I)
_NOT_ARTICLE = re.compile(r"设为首页|加入收藏|首页|上一页|下一页|尾页|更多|登录|注册", re.I)


def resolve(base: str, href: str) -> str:
    """An address a feed or list page links to. In a local archive (file:) the feed's
    folder stands for the site's root, so that /news/1.html is found beside it."""
    if base.startswith("file:") and href.startswith("/") and not href.startswith("//"):
        return base.rsplit("/", 1)[0] + href
    return urljoin(base, href)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    url: str
    title: str
    published_at: datetime | None
    author: str | None
    # The entry's own HTML (content:encoded, Atom content, or the description).
    html: str | None
    # Whether `html` is the story itself (content:encoded, Atom <content>) rather than a
    # summary, so that its page need not be fetched.
    full: bool = False


def feed_kind(text: str) -> str:
    """rss, atom or cms (an HTML list page)."""
    head = text[:2048].lower()
    if "<rss" in head or "<rdf:rdf" in head:
        return "rss"
    if "<feed" in head and "atom" in head:
        return "atom"
    return "cms"


def parse_feed(text: str, url: str) -> list[FeedEntry]:
    # The declaration would contradict the text already decoded.
    xml = re.sub(r"^\s*<\?xml[^>]*\?>", "", text).encode()
    parsed = feedparser.parse(
        io.BytesIO(xml),
        # No base address: links are resolved by `resolve`, which knows local archives.
        response_headers={"content-type": "application/xml; charset=utf-8"},
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception") or "no RSS or Atom feed found in it"
        raise SourceFormatError(url, f"is not a readable RSS or Atom feed ({reason})")
    return [_feed_entry(item, url) for item in parsed.entries]


def _when(item: Any) -> datetime | None:
    """The entry's date as written: RFC 822 with its zone, ISO, or a Chinese date (a
    time without a zone is Beijing's, where feedparser would take it for UTC); else
    whatever feedparser could read."""
    for key in ("published", "updated", "created"):
        said = (item.get(key) or "").strip()
        if not said:
            continue
        with suppress(TypeError, ValueError):
            written = parsedate_to_datetime(said)
            if written.tzinfo is not None:
                return written.astimezone(UTC)
        when = parse_when(said)
        if when is not None:
            return when
        parsed: time.struct_time | None = item.get(f"{key}_parsed")
        if parsed is not None:
            return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
    return None


def _feed_entry(item: Any, base: str) -> FeedEntry:
    """One item or entry: its story whole where the feed carries it (content:encoded,
    Atom <content>), else its summary."""
    content = next(
        (part.get("value") for part in item.get("content", ()) if part.get("value")), None
    )
    return _entry(
        base,
        link=item.get("link", ""),
        guid=item.get("id", ""),
        title=(item.get("title") or "").strip(),
        published_at=_when(item),
        author=(item.get("author") or "").strip() or None,
        html=content or item.get("summary"),
        full=bool(content and content.strip()),
    )


def _entry(
    base: str,
    *,
    link: str,
    guid: str,
    title: str,
    published_at: datetime | None,
    author: str | None,
    html: str | None,
    full: bool,
) -> FeedEntry:
    """An entry known by its link; one without a link (a bulletin feed that carries its
    stories whole) by its guid or id, else by what it says, so that five link-less items
    stay five stories, and its own text is the story: there is no page to fetch."""
    url = resolve(base, link.strip())
    if link.strip() and url != base:
        return FeedEntry(url, title, published_at, author, html, full)
    guid = guid.strip()
    if guid.startswith(("http://", "https://")) and guid != base:
        return FeedEntry(guid, title, published_at, author, html, full)
    said = guid or "\0".join((title, published_at.isoformat() if published_at else "", html or ""))
    key = hashlib.sha256(said.encode()).hexdigest()[:20]
    return FeedEntry(f"{base}#item-{key}", title, published_at, author, html, full=True)


def article_links(html: str, url: str) -> list[str]:
    """The article pages a CMS list page links to, in page order: links on the same host
    whose text reads like a headline and whose address like an article."""
    try:
        document = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return []
    host, links = urlsplit(url).netloc, []
    for anchor in document.iter("a"):
        href, text = anchor.get("href"), anchor.text_content().strip()
        if not href or len(text) < 6 or _NOT_ARTICLE.search(text):
            continue
        target = resolve(url, href.strip())
        parts = urlsplit(target)
        if parts.netloc == host and _ARTICLE_PATH.search(parts.path) and target not in links:
            links.append(target)
    return links

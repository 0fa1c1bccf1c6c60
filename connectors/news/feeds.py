"""What a feed lists: RSS 2.0 items, Atom entries, or the article links of a CMS list
page. XML is parsed without entities or network access (no billion laughs, no XXE)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from connectors.errors import SourceFormatError
from connectors.news.dates import parse_when

__all__ = ["FeedEntry", "article_links", "feed_kind", "parse_feed", "resolve"]

_ATOM = "{http://www.w3.org/2005/Atom}"
_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
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
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False)
    try:
        # The declaration would contradict the text already decoded.
        root = etree.fromstring(re.sub(r"^\s*<\?xml[^>]*\?>", "", text).encode(), parser)
    except etree.XMLSyntaxError as error:
        raise SourceFormatError(url, f"is not a readable RSS or Atom feed ({error})") from None
    if root.tag == f"{_ATOM}feed":
        return [_atom_entry(entry, url) for entry in root.iter(f"{_ATOM}entry")]
    return [_rss_item(item, url) for item in root.iter("item")]


def _rss_item(item: etree._Element, base: str) -> FeedEntry:
    published = None
    when = item.findtext("pubDate")
    if when:
        try:
            published = parsedate_to_datetime(when.strip()).astimezone(UTC)
        except (TypeError, ValueError):
            published = parse_when(when)
    content = item.findtext(_CONTENT)
    return _entry(
        base,
        link=item.findtext("link") or "",
        guid=item.findtext("guid") or "",
        title=(item.findtext("title") or "").strip(),
        published_at=published,
        author=(item.findtext(_CREATOR) or item.findtext("author") or "").strip() or None,
        html=content or item.findtext("description"),
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


def _atom_entry(entry: etree._Element, base: str) -> FeedEntry:
    link = next(
        (
            element.get("href", "")
            for element in entry.iter(f"{_ATOM}link")
            if element.get("rel", "alternate") == "alternate"
        ),
        "",
    )
    when = entry.findtext(f"{_ATOM}published") or entry.findtext(f"{_ATOM}updated")
    published = None
    if when:
        try:
            published = datetime.fromisoformat(when.strip().replace("Z", "+00:00")).astimezone(UTC)
        except ValueError:
            published = parse_when(when)
    content = entry.find(f"{_ATOM}content")
    full = content is not None
    if content is None:
        content = entry.find(f"{_ATOM}summary")
    html = None
    if content is not None:
        html = (
            "".join(etree.tostring(child, encoding=str) for child in content)
            if content.get("type") == "xhtml"
            else content.text
        )
    return _entry(
        base,
        link=link,
        guid=entry.findtext(f"{_ATOM}id") or "",
        title=(entry.findtext(f"{_ATOM}title") or "").strip(),
        published_at=published,
        author=(entry.findtext(f"{_ATOM}author/{_ATOM}name") or "").strip() or None,
        html=html,
        full=full and bool(html and html.strip()),
    )


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

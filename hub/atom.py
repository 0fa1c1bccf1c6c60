"""Clean stories as an Atom feed (RFC 4287), for media units that republish them:
/feeds/stories.atom?division=CODE&project=ID&search=WORDS&limit=N, newest first.

Each entry carries the story's clean text as HTML paragraphs with its pictures and
their captions, its byline, the page it came from, and the pages that republished it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape

from lxml import etree

from db import models as m

__all__ = ["ATOM_TYPE", "MAX_ENTRIES", "stories_atom"]

ATOM_TYPE = "application/atom+xml; charset=utf-8"
MAX_ENTRIES = 100
_NS = "http://www.w3.org/2005/Atom"
_TAG = "tag:wenming-hub,2026:"


def _element(
    parent: etree._Element, name: str, text: str | None = None, **attributes: str
) -> etree._Element:
    element = etree.SubElement(parent, f"{{{_NS}}}{name}", attributes)
    if text is not None:
        element.text = text
    return element


def _content(story: m.NewsStory) -> str:
    """The story as HTML: its paragraphs, then its pictures with their captions."""
    parts = [f"<p>{escape(paragraph)}</p>" for paragraph in story.body.split("\n\n") if paragraph]
    for image in json.loads(story.images) if story.images else []:
        caption = image.get("caption")
        parts.append(
            f'<figure><img src="{escape(image["url"])}" alt="{escape(caption or "")}"/>'
            + (f"<figcaption>{escape(caption)}</figcaption>" if caption else "")
            + "</figure>"
        )
    return "".join(parts)


def stories_atom(
    stories: Sequence[m.NewsStory],
    republished: dict[int, list[str]],
    *,
    self_url: str,
    title: str,
) -> bytes:
    """The feed document; `republished` holds, per story, the other pages it was on."""
    feed = etree.Element(f"{{{_NS}}}feed", nsmap={None: _NS})
    _element(feed, "id", _TAG + "stories:" + self_url.split("://", 1)[-1])
    _element(feed, "title", title)
    newest = max((story.published_at for story in stories), default=datetime.now(UTC))
    _element(feed, "updated", newest.astimezone(UTC).isoformat())
    _element(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    author = _element(feed, "author")
    _element(author, "name", "Wenming Hub")
    _element(feed, "generator", "Wenming Hub")
    for story in stories:
        entry = _element(feed, "entry")
        _element(entry, "id", f"{_TAG}story:{story.id}")
        _element(entry, "title", story.title)
        _element(entry, "link", rel="alternate", type="text/html", href=story.url)
        for url in republished.get(story.id, []):
            _element(entry, "link", rel="related", type="text/html", href=url)
        published = story.published_at.astimezone(UTC).isoformat()
        _element(entry, "published", published)
        updated = story.last_seen_at or story.published_at
        _element(entry, "updated", max(updated, story.published_at).astimezone(UTC).isoformat())
        if story.author:
            _element(_element(entry, "author"), "name", story.author)
        if story.summary:
            _element(entry, "summary", story.summary)
        _element(entry, "content", _content(story), type="html")
    document: bytes = etree.tostring(feed, xml_declaration=True, encoding="utf-8")
    return document

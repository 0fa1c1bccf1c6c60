"""The corpus of real public pages (tests/corpus) and how an extraction is scored on it.

Shared by the corpus test (floors our path must hold) and `bench/news_quality.py`
(our path beside trafilatura + htmldate). Both sides are compared after the same
normalisation: NFKC, no spaces, one set of quotes, and simplified characters for
Chinese pages, so that a peer that keeps traditional script is not marked down for it.
"""

from __future__ import annotations

import base64
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from connectors.base import Rejection
from connectors.news.connector import map_page
from db.search import simplified
from tests.paths import PROJECT_ROOT

__all__ = ["CORPUS", "Extraction", "Page", "Score", "load_pages", "ours", "score"]

CORPUS = PROJECT_ROOT / "tests" / "corpus"
SHANGHAI = ZoneInfo("Asia/Shanghai")
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "「": '"', "」": '"'})
MEASURES = ("title", "date", "author", "body", "furniture")


@dataclass(frozen=True, slots=True)
class Page:
    file: str
    content: bytes
    url: str
    script: str
    expect: dict[str, Any]


@dataclass(slots=True)
class Extraction:
    """What one system made of one page (its first story)."""

    title: str | None = None
    published: datetime | None = None
    author: str | None = None
    body: str = ""
    stories: int = 0


@dataclass(slots=True)
class Score:
    """Per measure: (expectations met, expectations held)."""

    counts: dict[str, list[float]] = field(
        default_factory=lambda: {measure: [0.0, 0.0] for measure in MEASURES}
    )

    def add(self, measure: str, met: float, held: float = 1.0) -> None:
        self.counts[measure][0] += met
        self.counts[measure][1] += held

    def share(self, measure: str) -> float:
        met, held = self.counts[measure]
        return met / held if held else 1.0

    def __iadd__(self, other: Score) -> Score:
        for measure in MEASURES:
            for index in (0, 1):
                self.counts[measure][index] += other.counts[measure][index]
        return self


def load_pages() -> Iterator[Page]:
    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["pages"]:
        content = (CORPUS / "pages" / entry["file"]).read_bytes()
        url = entry["url"] or f"https://corpus.invalid/{entry['file']}"
        yield Page(entry["file"], content, url, entry["script"], entry)


def _normal(text: str | None, script: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").translate(_QUOTES)
    text = re.sub(r"\s+", "", text)
    return text if script == "japanese" else simplified(text)


def ours(page: Page) -> Extraction:
    """Our news path on one page, as the connector maps a fetched page."""
    payload = {
        "feed": {"name": "corpus", "url": page.url, "format": "auto", "county_code": None},
        "url": page.url,
        "title": "",
        "published": None,
        "author": None,
        "status": 200,
        "content_type": None,
        "page": base64.b64encode(page.content).decode("ascii"),
    }
    try:
        stories = map_page(payload)
    except Rejection:
        return Extraction()
    first = stories[0].values
    published = first["published_at"] if first.get("published_at_source") == "page" else None
    return Extraction(first["title"], published, first["author"], first["body"], len(stories))


def score(page: Page, found: Extraction) -> Score:
    expect, script, result = page.expect, page.script, Score()
    if "title" in expect:
        result.add("title", float(_normal(found.title, script) == _normal(expect["title"], script)))
    if "date" in expect:
        local = found.published.astimezone(SHANGHAI).date().isoformat() if found.published else ""
        result.add("date", float(bool(local) and local.startswith(expect["date"])))
    if "author" in expect:
        author = _normal(found.author, script)
        hit = bool(author) and any(_normal(name, script) in author for name in expect["author"])
        result.add("author", float(hit))
    body = _normal(found.body, script)
    sentences = expect.get("body", [])
    if sentences:
        met = sum(_normal(sentence, script) in body for sentence in sentences)
        result.add("body", met / len(sentences))
    furniture = expect.get("absent", [])
    if furniture and body:
        kept = sum(_normal(item, script) in body for item in furniture)
        result.add("furniture", 1 - kept / len(furniture))
    elif furniture:
        result.add("furniture", 0.0)
    return result

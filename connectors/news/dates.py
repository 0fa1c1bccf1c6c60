"""When a page says its story was published, and where it says so.

In the order a page is most likely right: the metadata its CMS writes
(`article:published_time`, `publishdate`, `PubDate`, JSON-LD `datePublished`,
`<html data-publishtime>`), a `<time datetime>`, a labelled line in either script
(发布时间 / 發布時間 / 日期 / 来源 … 2020-01-02), a bare date line just under the
headline, and last a date written in the address (`/2020-08/07/`, `t20200807_`).
Naive times are Beijing time.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from lxml.html import HtmlElement

__all__ = [
    "FoundDate",
    "date_in_text",
    "date_in_url",
    "declared_date",
    "parse_when",
    "written_date",
]

SHANGHAI = ZoneInfo("Asia/Shanghai")
_EARLIEST = 1990
# Lines under a headline where its date may stand without a label.
_NEAR_HEADLINE = 12
_META_NAMES = (
    "article:published_time",
    "og:release_date",
    "og:time",
    "publishdate",
    "pubdate",
    "publish_date",
    "publishtime",
    "publish_time",
    "publication_date",
    "datepublished",
    "dc.date.issued",
    "dc.date",
    "dcterms.created",
    "date",
    "date.available",
    "sailthru.date",
    "parsely-pub-date",
)
_DATE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*[-/年.]\s*(\d{1,2})\s*[-/月.]\s*(\d{1,2})(?!\d)\s*[日号]?"
    r"(?:\s*(?:T|\s)?\s*(\d{1,2})\s*[:：时]\s*(\d{2})(?:\s*[:：分]\s*(\d{2}))?)?"
)
_URL_DATE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})[-/_]?(0[1-9]|1[0-2])[-/_]?(0[1-9]|[12]\d|3[01])(?!\d)"
    r"|/((?:19|20)\d{2})-?(0[1-9]|1[0-2])/(0[1-9]|[12]\d|3[01])/"
)
# The words of a line that says when (after conversion to simplified characters).
_LABEL = re.compile(r"发布|发表|发稿|时间|日期|来源|更新|稿件|编辑|作者|记者|出处|浏览")


@dataclass(frozen=True, slots=True)
class FoundDate:
    when: datetime
    # meta, time, line, url: how the page said it.
    how: str


def parse_when(text: str) -> datetime | None:
    """An ISO or Chinese-written date and time; naive ones as Beijing time, made UTC."""
    text = text.strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T", 1))
    except ValueError:
        moment = None
    if moment is None:
        return date_in_text(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return moment.astimezone(UTC) if _EARLIEST <= moment.year <= _latest() else None


def date_in_text(text: str) -> datetime | None:
    """The first plausible date (and time) written in `text`."""
    for match in _DATE.finditer(text):
        year, month, day, hour, minute, second = (
            int(part) if part else 0 for part in match.groups()
        )
        if not _EARLIEST <= year <= _latest():
            continue
        try:
            local = datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)
        except ValueError:
            continue
        return local.astimezone(UTC)
    return None


def date_in_url(url: str) -> datetime | None:
    for match in _URL_DATE.finditer(url):
        parts = [int(part) for part in match.groups() if part]
        try:
            local = datetime(parts[0], parts[1], parts[2], tzinfo=SHANGHAI)
        except ValueError:
            continue
        if _EARLIEST <= local.year <= _latest():
            return local.astimezone(UTC)
    return None


def declared_date(document: HtmlElement) -> FoundDate | None:
    """What the page's markup declares: CMS metadata, JSON-LD, a data attribute, a
    `<time datetime>`. Read before scripts are dropped."""
    for value in _meta_values(document):
        when = parse_when(value)
        if when is not None:
            return FoundDate(when, "meta")
    for element in document.iter("time"):
        when = parse_when(element.get("datetime") or "") or date_in_text(element.text_content())
        if when is not None:
            return FoundDate(when, "time")
    return None


def written_date(lines: list[str], headline: str | None) -> FoundDate | None:
    """A date the page writes: a labelled line (发布时间 …, in simplified characters),
    else a bare date line among the few under the headline (wherever it stands)."""
    for line in lines:
        if len(line) <= 200 and _LABEL.search(line):
            when = date_in_text(line)
            if when is not None:
                return FoundDate(when, "line")
    compact = headline.replace(" ", "") if headline else ""
    starts = [
        index for index, line in enumerate(lines) if compact and compact in line.replace(" ", "")
    ]
    for start in starts or [0]:
        for line in lines[start : start + _NEAR_HEADLINE]:
            if len(line) <= 60:
                when = date_in_text(line)
                if when is not None:
                    return FoundDate(when, "line")
    return None


def _meta_values(document: HtmlElement) -> list[str]:
    found: dict[str, str] = {}
    for meta in document.iter("meta"):
        key = (
            (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        )
        content = meta.get("content")
        if key in _META_NAMES and content and key not in found:
            found[key] = content
    values = [found[name] for name in _META_NAMES if name in found]
    for script in document.xpath("//script[@type='application/ld+json']"):
        values.extend(_json_ld_dates(script.text_content()))
    for element in document.xpath("//*[@data-publishtime]"):
        values.append(element.get("data-publishtime") or "")
    return values


def _json_ld_dates(text: str) -> list[str]:
    try:
        data = json.loads(text)
    except ValueError:
        return []
    found: list[str] = []
    pending = [data]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            value = item.get("datePublished")
            if isinstance(value, str):
                found.append(value)
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return found


def _latest() -> int:
    return datetime.now(UTC).year + 1

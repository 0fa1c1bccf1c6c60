"""A story's headline, chosen among what the page offers.

A `<title>` says the headline and then the site and its channels
(`…_教育频道_中国青年网`, `… - 自由財經`, `… :: 痞客邦 PIXNET ::`): only a trailing part
that reads as a site or channel name is cut, never a part inside quotes, and never all
of it. A heading agrees with the `<title>` when the title begins with it; such a heading
wins (the `<h1>` of a ticker or a dialog does not). Page furniture (设为首页|加入收藏) is
never a headline.
"""

from __future__ import annotations

import re

from connectors.news.furniture import is_furniture

__all__ = ["choose_title", "strip_site_name"]

# Where a <title> joins its parts. A bare hyphen (文明-实践, 1-2月) joins words as
# often as parts, so only a site's name is cut after one.
_STRONG = re.compile(r"\s*(?:——|—|--|::|丨|\||_+|\s[-–@]\s)\s*")
_HYPHEN = re.compile(r"(?<=\S)-(?=\S)")
_SITE = re.compile(
    r"(网|網|网站|網站|报|報|日报|日報|晚报|晚報|频道|頻道|新闻|新聞|资讯|資訊|在线|在線|官网|官網|"
    r"门户|門戶|社区|社區|论坛|論壇|博客|部落格|客户端|电视台|電視台|出版社)$"
    r"|PIXNET|^[A-Za-z][A-Za-z0-9 .:&-]{1,39}$"
)
_OPENING = "“‘「『《〈（(【["
_CLOSING = "”’」』》〉）)】]"
_MOST_SECTION = 6
_TRAILING_BRACKETS = re.compile(r"[\s\u3000]*[<＜【\[][^<＜>＞【】\[\]]{1,30}[>＞】\]][\s\u3000]*$")


def _balanced(text: str) -> bool:
    """No quotation or bracket left open: a cut here would split a quoted name."""
    depth = sum(char in _OPENING for char in text) - sum(char in _CLOSING for char in text)
    return depth == 0 and text.count('"') % 2 == 0


def _site_like(part: str, *, sections: bool) -> bool:
    """A site's name (凯里文明网, 自由財經), or where `sections` a channel's (教育频道, 两岸)."""
    part = part.strip(" :|_-—\u3000")
    if not part:
        return True
    if any(char in part for char in "，。！？；“”「」《》"):
        return False
    return bool(_SITE.search(part)) or (sections and len(part) <= _MOST_SECTION)


def strip_site_name(title: str) -> str:
    """The headline part of a `<title>`: trailing site and channel names cut, as long as
    something is left."""
    text = _TRAILING_BRACKETS.sub("", title.strip()).strip().strip("-—_| \u3000")
    while True:
        cuts = [(match, True) for match in _STRONG.finditer(text)]
        cuts += [(match, False) for match in _HYPHEN.finditer(text)]
        if not cuts:
            return text
        last, strong = max(cuts, key=lambda cut: cut[0].start())
        head, tail = text[: last.start()].strip(), text[last.end() :]
        if not head or not _balanced(head) or not _site_like(tail, sections=strong):
            return text
        text = head


_RUNS_ON = re.compile(r"\d{4}\s*[-/年.]\s*\d{1,2}|来源|來源|作者|发布|發布")


def _agrees(heading: str, title: str) -> bool:
    if not heading or not title:
        return False
    return title.startswith(heading) or heading.startswith(title)


def choose_title(
    headings: list[str], page_title: str, og_title: str, above_meta: str | None
) -> str:
    """The headline: a heading the page's title or og:title begins with; else og:title;
    else the page title without its site name; else the first heading; else the short
    line just above the date and source line."""
    titles = [strip_site_name(text) for text in (og_title, page_title) if text]
    titles = [text for text in titles if text and not is_furniture(text)]
    usable = [
        heading for heading in headings if 2 <= len(heading) <= 120 and not is_furniture(heading)
    ]
    agreeing = [heading for heading in usable for title in titles if _agrees(heading, title)]
    if agreeing:
        chosen = max(agreeing, key=len)
        # A heading that runs on into its date and source line: the title is the headline.
        shorter = [title for title in titles if chosen.startswith(title) and title != chosen]
        if shorter and _RUNS_ON.search(chosen[len(shorter[0]) :]):
            return shorter[0]
        return chosen
    if above_meta and any(_agrees(above_meta, title) for title in titles):
        return above_meta
    if titles:
        return titles[0]
    if usable:
        return usable[0]
    return above_meta or ""

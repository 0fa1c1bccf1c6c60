"""Stories out of article pages: headline, publication date (and how the page gave it),
author and source lines, body paragraphs, images with captions; the site around the
story (connectors/news/furniture.py) left behind.

The body is the block whose paragraphs hold the most text that is not links. A
newspaper-style page (several <article> elements, story blocks, or headings each
followed by a 本报讯 lede or a short byline) gives one story per part. Lines are
compared in simplified characters, so that both scripts meet the same rules; a page in
Japanese (kana) is read as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin

import lxml.html
from lxml.etree import ParserError
from lxml.html import HtmlElement as _Element

from connectors.news.dates import FoundDate, date_in_text, date_in_url, declared_date, written_date
from connectors.news.furniture import ACCOUNT_LINE, is_furniture
from connectors.news.titles import choose_title
from db.search import simplified

__all__ = ["Article", "Image", "extract", "is_japanese"]

_DROP_TAGS = (
    "script", "style", "noscript", "iframe", "nav", "aside", "select", "button",
    "rt", "rp", "template", "svg",
)  # fmt: skip
_BOILER_BLOCK = re.compile(
    r"nav|menu|footer|foot|header|banner|breadcrumb|crumb|share|bdshare|jiathis|copyright|"
    r"sidebar|side|toolbar|related|comment|login|search|links|friend|recommend|hot",
    re.IGNORECASE,
)
_STORY_BLOCK = re.compile(r"\b(story|news-item|article-item|news_item)\b", re.IGNORECASE)
_HEADING_CLASS = re.compile(
    r"(^|[\s_-])(title|headline|biaoti|tit|art_tit|article-title)($|[\s_-])", re.I
)
_BLOCK_TAGS = (
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "tr", "br", "section",
    "article", "header", "footer", "table", "ul", "ol", "dd", "dt", "figure", "figcaption",
    "blockquote", "time",
)  # fmt: skip
_META_HINT = re.compile(
    r"来源\s*[:：]|发布时间|发布日期|发表时间|发稿时间|更新时间|时间\s*[:：]|日期\s*[:：]|作者\s*[:：]|稿件来源|"
    r"浏览\s*[:：]|点击\s*[:：]"
)
_SOURCE = re.compile(r"(?:稿件)?来源\s*[:：]\s*([^\s|丨/:：]+)")
_AUTHOR_LINE = re.compile(
    r"(?:作者|记者|撰稿|文)\s*[:：/]\s*([^\s|丨/:：]+(?:\s+[^\s|丨/:：]+)*?)(?=\s|$|\||丨)"
)
# 本报讯（记者 张三 通讯员 李四）, （记者 张三）, 〔记者巫其伦／台北报导〕, 记者林宸谊／即时报导
_LEDE_CREDIT = re.compile(
    r"^(?:[^（(〔\[]{0,12}讯)?\s*[（(〔\[]\s*((?:(?:实习)?记者|通讯员|特约记者|评论员|本报记者)[^）)〕\]]{1,40})[）)〕\]]"
)
# A reporter's names end where another role (通讯员 张强) begins.
_ROLE = r"(?:实习|特约|本报)?记者|通讯员|评论员|摄影|摄像|编辑|校对|见习"
_REPORTER = re.compile(
    rf"(?:(?:实习|特约|本报)?记者|评论员)\s*((?!{_ROLE})[\u3400-\u9fff·]{{2,4}}"
    rf"(?:\s+(?!{_ROLE})[\u3400-\u9fff·]{{2,4}})*)"
)
_SLASH_CREDIT = re.compile(r"记者\s*([\u3400-\u9fff·]{2,4})\s*[／/]")
_TRAILING_CREDIT = re.compile(
    r"^[（(]\s*(?:评论员|记者|作者|文|编辑|责任编辑|通讯员)[:：\s]*([^）)]{1,30})[）)]$"
)
_NAMES_LINE = re.compile(r"^[\u3400-\u9fff·]{2,4}(?:\s+[\u3400-\u9fff·]{2,4}){0,5}$")
_PHOTO_CREDIT = re.compile(r"(摄|供图|图片来源[:：].*|资料图|图/.{1,12}|摄影[:：]?.{0,12})$")
_CAPTION_START = re.compile(r"^(图为|图：|图:|▲|△|↑)")
_CLOSING = '。！？…；”」』!?."'
_SPACE = re.compile(r"[ \t\r\f\v\u00a0\u3000]+")
_KANA = re.compile(r"[\u3040-\u30ff]")
_CAPTION_CLASS = re.compile(r"caption|pic|img|photo|tu", re.IGNORECASE)
_LEDE = re.compile(r"^.{0,12}(本报讯|电[（(]|讯[（(]|日电)")
_SHORT_LINE = 40
_SIBLING_TEXT = 30
_CONTAINERS = ("div", "td", "section", "article", "body", "span", "font", "center", "blockquote")
_PARAGRAPHS = frozenset(
    {"p", "div", "font", "span", "section", "blockquote", "center", "strong", "b"}
)
# Where an image stood among the lines of text (for its caption).
_IMAGE_LINE = "\ufffcimage"


@dataclass(frozen=True, slots=True)
class Image:
    url: str
    caption: str | None


@dataclass(slots=True)
class Article:
    title: str
    published_at: datetime | None
    author: str | None
    source: str | None
    paragraphs: list[str] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    # meta, time, line or url: how the page gave its date (None: it gave none).
    published_how: str | None = None
    japanese: bool = False


def is_japanese(text: str) -> bool:
    """Kana mark Japanese: such a page is not run through traditional→simplified."""
    return len(_KANA.findall(text[:20_000])) >= 10


def extract(html: str, url: str) -> list[Article]:
    """The stories of one page (none when it holds no text)."""
    try:
        document = lxml.html.document_fromstring(html)
    except (ParserError, ValueError):
        return []
    japanese = is_japanese(html)
    page = _PageFacts(document, url, japanese)
    _clean(document)
    _mark_lines(document)
    blocks = document.xpath("//article")
    if len(blocks) < 2:
        blocks = [
            element
            for element in document.iter("div", "section", "li")
            if _STORY_BLOCK.search(_attributes(element)) and element.xpath(".//h1|.//h2|.//h3")
        ]
    if len(blocks) >= 2:
        parts = [_article(block, page, several=True) for block in blocks]
        return [article for article in parts if article.paragraphs]
    body = _body_blocks(document)
    split = _newspaper_parts(body, page)
    if split:
        return split
    article = _article(document, page, several=False, body=body)
    return [article] if article.paragraphs else []


class _PageFacts:
    """What the page as a whole says: its <title>, og:title, declared date, author meta."""

    def __init__(self, document: _Element, url: str, japanese: bool) -> None:
        self.url = url
        self.japanese = japanese
        self.title = _text(document.find(".//title"))
        og = document.xpath("//meta[@property='og:title']/@content")
        self.og_title = _SPACE.sub(" ", str(og[0])).strip() if og else ""
        self.declared: FoundDate | None = declared_date(document)
        authors = document.xpath("//meta[@name='author' or @property='article:author']/@content")
        self.meta_author = next(
            (str(value).strip() for value in authors if _person(str(value).strip())), None
        )

    def plain(self, text: str) -> str:
        return text if self.japanese else simplified(text)


def _person(text: str) -> bool:
    return bool(re.fullmatch(r"[\u3400-\u9fff·]{2,4}", text))


def _article(
    root: _Element, page: _PageFacts, *, several: bool, body: list[_Element] | None = None
) -> Article:
    lines = _lines(root)
    plain = [page.plain(line) for line in lines]
    headings = _headings(root)
    meta_text, above = _meta_line(root, lines)
    title = (
        headings[0]
        if several and headings
        else choose_title(headings, page.title, page.og_title, above)
    )
    found = None if several else page.declared
    if found is None and meta_text:
        when = date_in_text(page.plain(meta_text))
        found = FoundDate(when, "line") if when else None
    if found is None:
        found = written_date(plain, page.plain(title) if title else None)
    if found is None and not several:
        when = date_in_url(page.url)
        found = FoundDate(when, "url") if when else None
    block = body if body is not None else _body_blocks(root)
    images = _images(block, page.url)
    paragraphs, credits = _story_lines(block, page, title, meta_text, images)
    credits += _names_under(plain, page.plain(title))
    return Article(
        title=title,
        published_at=found.when if found else None,
        author=_author(page, page.plain(meta_text), paragraphs, credits, several),
        source=_source(page.plain(meta_text)),
        paragraphs=paragraphs,
        images=images,
        published_how=found.how if found else None,
        japanese=page.japanese,
    )


def _story_lines(
    block: list[_Element], page: _PageFacts, title: str, meta_text: str, images: list[Image]
) -> tuple[list[str], list[str]]:
    """The body's paragraphs, and the credit lines (bylines) taken out of it."""
    captions = {image.caption for image in images if image.caption}
    plain_title = page.plain(title).replace(" ", "")
    kept: list[str] = []
    credits: list[str] = []
    lines = _paragraphs(block)
    for index, line in enumerate(lines):
        if line == _IMAGE_LINE:
            continue
        plain = page.plain(line)
        compact = plain.replace(" ", "")
        if compact == plain_title or (meta_text and line in meta_text) or line in captions:
            continue
        if is_furniture(line):
            # An account block's heading is the site's name, standing just above it.
            if ACCOUNT_LINE.match(plain) and kept and _unfinished(kept[-1], 20):
                kept.pop()
            continue
        if _META_HINT.search(plain) and len(plain) <= 80:
            continue
        if _TRAILING_CREDIT.match(plain) or (
            index < 3 and _NAMES_LINE.match(plain) and len(plain) <= 20 and not kept
        ):
            credits.append(plain)
            continue
        if _is_caption(plain, lines, index):
            continue
        kept.append(line)
    return kept, credits


def _unfinished(line: str, longest: int) -> bool:
    """A short line without closing punctuation: a label, a name, a caption."""
    return len(line) <= longest and line[-1] not in _CLOSING


def _names_under(lines: list[str], title: str) -> list[str]:
    """A line of names (曹森 石宏豪 洪鼎基) just under the headline, outside the story's
    block: its byline."""
    compact = title.replace(" ", "")
    for index, line in enumerate(lines):
        if compact and line.replace(" ", "") == compact:
            return [
                other
                for other in lines[index + 1 : index + 3]
                if len(other) <= 20 and _NAMES_LINE.match(other)
            ][:1]
    return []


def _is_caption(line: str, lines: list[str], index: int) -> bool:
    """A photo's caption or credit standing between paragraphs: 图为…, … 张三摄, or a
    short line without closing punctuation that an image line precedes."""
    if len(line) > 80:
        return False
    if _CAPTION_START.match(line) or _PHOTO_CREDIT.search(line):
        return True
    if _unfinished(line, _SHORT_LINE):
        previous = lines[index - 1] if index else ""
        return previous == _IMAGE_LINE
    return False


def _author(
    page: _PageFacts, meta: str, paragraphs: list[str], credits: list[str], several: bool
) -> str | None:
    found = _AUTHOR_LINE.search(meta)
    if found:
        return found.group(1).strip()
    for paragraph in [page.plain(line) for line in paragraphs[:2]] + credits:
        lede = _LEDE_CREDIT.search(paragraph) or _TRAILING_CREDIT.match(paragraph)
        text = lede.group(1) if lede else paragraph
        names = _REPORTER.findall(text) if lede else _REPORTER.findall(paragraph[:60])
        if names:
            return " ".join(names)
        slash = _SLASH_CREDIT.search(paragraph[:80])
        if slash:
            return slash.group(1)
        if lede:
            return re.sub(r"^(?:评论员|作者|文|编辑|通讯员)[:：\s]*", "", lede.group(1)).strip()
        if _NAMES_LINE.match(paragraph) and paragraph in credits:
            return paragraph
    for paragraph in [page.plain(line) for line in paragraphs[-2:]]:
        trailing = re.search(
            r"[（(]\s*(?:评论员|记者|作者|文)\s*([^）)]{2,30})[）)]\s*$", paragraph
        )
        if trailing:
            return trailing.group(1).strip()
    return None if several else page.meta_author


def _source(meta: str) -> str | None:
    found = _SOURCE.search(meta)
    return found.group(1) if found else None


def _meta_line(root: _Element, lines: list[str]) -> tuple[str, str | None]:
    """The metadata line (the shortest element that says 来源, 发布时间, 作者 … with a
    date or a name), removed from the tree; and the short line just above it."""
    candidates = []
    for element in root.iter("p", "div", "span", "td", "time", "li", "h3", "h4", "h5", "h6", "em"):
        own = _text(element)
        if own and len(own) < 200 and _META_HINT.search(simplified(own)):
            candidates.append((len(own), own, element))
    if not candidates:
        return "", None
    _, text, element = min(candidates, key=lambda candidate: candidate[0])
    above = None
    first = text.split("\n")[0].strip()
    for index, line in enumerate(lines):
        if first and first in line:
            if index and 4 <= len(lines[index - 1]) <= 60:
                above = lines[index - 1]
            break
    _remove(element)
    return text, above


def _headings(root: _Element) -> list[str]:
    """Headings and title-classed elements, the page's <h1>s first."""
    first: list[str] = []
    others: list[str] = []
    for element in root.iter("h1", "h2", "h3", "div", "p", "span", "td", "strong"):
        if element.tag in {"h1", "h2", "h3"} or _HEADING_CLASS.search(_attributes(element)):
            text = _text(element)
            if text and len(text) <= 120 and text not in first + others:
                (first if element.tag == "h1" else others).append(text)
    return first + others


def _newspaper_parts(body: list[_Element], page: _PageFacts) -> list[Article]:
    """A newspaper page: headings (h2–h4 or a bold short line) each followed by a lede
    (本报讯, …电) or a short byline line. `◆` marks inside a story are not headings."""
    children = [child for block in body for child in block if isinstance(child.tag, str)]
    starts = []
    for index, child in enumerate(children):
        text = _text(child)
        if not text or len(text) > 60 or text.startswith(("◆", "■", "●")) or text[-1] in "。！？":
            continue
        heading = child.tag in {"h2", "h3", "h4"} or (
            child.tag == "p"
            and child.find(".//strong") is not None
            and _text(child.find(".//strong")) == text
        )
        following = [page.plain(_text(other)) for other in children[index + 1 : index + 3]]
        lede = any(_LEDE.match(line) for line in following) or (
            bool(following)
            and len(following[0]) <= 6
            and _NAMES_LINE.match(following[0]) is not None
        )
        if heading and lede:
            starts.append(index)
    if len(starts) < 2:
        return []
    articles = []
    for number, start in enumerate(starts):
        end = starts[number + 1] if number + 1 < len(starts) else len(children)
        part = lxml.html.fromstring("<div></div>")
        for child in children[start:end]:
            part.append(_copy(child))
        headline = _text(children[start])
        article = _article(part, page, several=True)
        article.title = headline
        article.paragraphs = [line for line in article.paragraphs if line != headline]
        if article.published_at is None and page.declared is not None:
            article.published_at, article.published_how = page.declared.when, page.declared.how
        if article.paragraphs:
            articles.append(article)
    return articles


def _copy(element: _Element) -> _Element:
    copied: _Element = lxml.html.fromstring(lxml.html.tostring(element, encoding="unicode"))
    # The line break _mark_lines put after it, without the text that followed it.
    copied.tail = "\n"
    return copied


def _clean(document: _Element) -> None:
    for element in list(document.iter(*_DROP_TAGS)):
        _remove(element)
    # A search or login form is dropped; an ASP.NET page wraps all it says in one <form>.
    for element in list(document.iter("form")):
        if len(_text(element)) < 300:
            _remove(element)
    for comment in document.xpath("//comment()"):
        parent = comment.getparent()
        if parent is not None:
            parent.remove(comment)
    for element in list(document.iter("header", "footer", "div", "ul", "table", "section")):
        if element.tag == "header" and element.xpath("ancestor::article"):
            continue
        if element.tag in {"header", "footer"} or (
            _BOILER_BLOCK.search(_attributes(element))
            and not element.xpath(".//h1")
            and len(_text(element)) < 2000
        ):
            _remove(element)


def _mark_lines(document: _Element) -> None:
    """A line break after every block, so that text read whole still splits into lines."""
    for element in document.iter(*_BLOCK_TAGS):
        element.tail = "\n" + (element.tail or "")
    for image in document.iter("img"):
        image.tail = f"\n{_IMAGE_LINE}\n" + (image.tail or "")


def _lines(root: _Element) -> list[str]:
    """The text lines of `root` (of the page's <body>, for the whole page)."""
    body = root.find("body") if root.tag == "html" else None
    return [
        line
        for raw in (body if body is not None else root).text_content().split("\n")
        if (line := _SPACE.sub(" ", raw).strip()) and line != _IMAGE_LINE
    ]


def _body_blocks(root: _Element) -> list[_Element]:
    """The element whose own paragraphs carry the most text outside links, with those of
    its siblings that carry text of the same kind: a story split by pictures or
    subheadings into several blocks is read whole."""
    scored = [(_own_score(element), element) for element in root.iter(*_CONTAINERS)]
    best_score, best = max(scored, key=lambda item: item[0], default=(0, root))
    parent = best.getparent()
    if best_score == 0 or parent is None:
        return [best]
    kept = []
    for sibling in parent:
        if sibling is best:
            kept.append(sibling)
            continue
        if not isinstance(sibling.tag, str):
            continue
        text = _text(sibling)
        linked = sum(len(_text(anchor)) for anchor in sibling.iter("a"))
        substantial = len(text) >= _SIBLING_TEXT and linked < 0.25 * len(text)
        if (
            substantial
            and not is_furniture(text)
            and (sibling.tag == "p" or _own_score(sibling) >= 0.2 * best_score)
        ):
            kept.append(sibling)
    return kept


def _own_score(element: _Element) -> int:
    score = _loose_text(element.text)
    for child in element:
        if child.tag in _PARAGRAPHS and not child.xpath(".//p|.//div|.//table|.//li"):
            text = _text(child)
            linked = sum(len(_text(anchor)) for anchor in child.iter("a"))
            score += max(0, len(text) - 2 * linked)
        score += _loose_text(child.tail)
    return score


def _loose_text(text: str | None) -> int:
    return len((text or "").replace(_IMAGE_LINE, "").strip())


def _paragraphs(blocks: list[_Element]) -> list[str]:
    """The blocks' lines in order, an image standing where it stood."""
    lines: list[str] = []
    for raw in "\n".join(block.text_content() for block in blocks).split("\n"):
        line = _SPACE.sub(" ", raw).strip()
        if line == _IMAGE_LINE or line:
            lines.append(line)
    while lines and lines[-1] == _IMAGE_LINE:
        lines.pop()
    return lines


def _images(blocks: list[_Element], url: str) -> list[Image]:
    found = []
    for image in (image for block in blocks for image in block.iter("img")):
        source = image.get("src") or image.get("data-src") or image.get("data-original")
        if not source or source.startswith("data:"):
            continue
        found.append(Image(urljoin(url, source), _caption(image)))
    return found


def _caption(image: _Element) -> str | None:
    """A <figcaption>, a caption-like line right after the picture, or its alt text."""
    figure = next(iter(image.xpath("ancestor::figure[1]")), None)
    if figure is not None:
        caption = figure.find(".//figcaption")
        if caption is not None and _text(caption):
            return _text(caption)
    holder = image.getparent()
    if holder is not None and holder.tag in {"p", "div", "center"}:
        following = holder.getnext()
        own = _text(holder)
        if own and len(own) <= 80 and own[-1] not in "。！？":
            return own
        if following is not None and following.tag in {"p", "div"}:
            text = _text(following)
            styled = following.get("style", "") + _attributes(following)
            short = bool(text) and len(text) <= 80
            if short and (
                "center" in styled
                or _CAPTION_CLASS.search(styled)
                or _PHOTO_CREDIT.search(text)
                or text[-1] not in _CLOSING
            ):
                return text
    alt = (image.get("alt") or "").strip()
    return alt or None


def _attributes(element: _Element) -> str:
    return f"{element.get('class', '')} {element.get('id', '')}"


def _text(element: _Element | None) -> str:
    if element is None:
        return ""
    text = element.text_content().replace(_IMAGE_LINE, " ").replace("\n", " ")
    return _SPACE.sub(" ", text).strip()


def _remove(element: _Element) -> None:
    parent = element.getparent()
    if parent is not None:
        # Keep the text that followed the element.
        previous = element.getprevious()
        if element.tail:
            if previous is not None:
                previous.tail = (previous.tail or "") + element.tail
            else:
                parent.text = (parent.text or "") + element.tail
        parent.remove(element)

"""Stories out of article pages: title, publication time, author and source lines, body
paragraphs, images with captions; navigation, footers, visit counters, ICP lines,
"设为首页|加入收藏", editor lines and share bars left behind.

The body is the block whose paragraphs hold the most text that is not links. A
newspaper-style page (several <article> elements, or several story blocks) gives one
story per block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import lxml.html
from lxml.etree import ParserError
from lxml.html import HtmlElement as _Element

__all__ = ["Article", "Image", "extract", "parse_published"]

SHANGHAI = ZoneInfo("Asia/Shanghai")
_DROP_TAGS = ("script", "style", "noscript", "iframe", "form", "nav", "aside", "select", "button")
_BOILER_BLOCK = re.compile(
    r"nav|menu|footer|foot|header|banner|breadcrumb|crumb|share|bdshare|jiathis|copyright|"
    r"sidebar|side|toolbar|related|comment|login|search|links|friend",
    re.IGNORECASE,
)
_BOILER_LINE = re.compile(
    r"设为首页|加入收藏|今日访问|访问量|访问人数|点击数|点击率|浏览次数|阅读次数|阅读量|ICP\s*备|备案号|"
    r"公网安备|主办[:：]|主办单位|承办单位|技术支持|版权所有|Copyright|©|责任编辑|编辑[:：]|审核[:：]|"
    r"校对[:：]|分享到|扫一扫|打印本页|关闭窗口|上一篇|下一篇|【字体|字号[:：]|返回顶部",
    re.IGNORECASE,
)
_STORY_BLOCK = re.compile(r"\b(story|news-item|article-item|news_item)\b", re.IGNORECASE)
_DATE = re.compile(
    r"(\d{4})\s*[-/年.]\s*(\d{1,2})\s*[-/月.]\s*(\d{1,2})\s*日?"
    r"(?:\s*(\d{1,2})\s*[:：时]\s*(\d{2})(?:\s*[:：分]\s*(\d{2}))?)?"
)
_SOURCE = re.compile(r"来源\s*[:：]\s*([^\s|丨/]+)")
_AUTHOR = re.compile(
    r"(?:作者|记者|文)\s*[:：/]\s*([^\s|丨/]+(?:\s+[^\s|丨/:：]+)*?)(?=\s|$|\||丨)"
)
_META_HINT = re.compile(r"来源\s*[:：]|发布时间|发布日期|时间\s*[:：]|日期\s*[:：]|作者\s*[:：]")
_TITLE_SUFFIX = re.compile(r"\s*[-_|—–]+\s*[^-_|—–]*$")
_SPACE = re.compile(r"\s+")
_CAPTION_CLASS = re.compile(r"caption|pic|img|photo|tu", re.IGNORECASE)


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


def parse_published(text: str) -> datetime | None:
    """The first date (and time) in `text`, as Beijing time made UTC."""
    match = _DATE.search(text)
    if not match:
        return None
    year, month, day, hour, minute, second = (int(part) if part else 0 for part in match.groups())
    try:
        local = datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)
    except ValueError:
        return None
    return local.astimezone(UTC)


def extract(html: str, url: str) -> list[Article]:
    """The stories of one page (none when it holds no text)."""
    try:
        document = lxml.html.document_fromstring(html)
    except (ParserError, ValueError):
        return []
    page_title = _text(document.find(".//title"))
    _clean(document)
    blocks = document.xpath("//article")
    if len(blocks) < 2:
        blocks = [
            element
            for element in document.iter("div", "section", "li")
            if _STORY_BLOCK.search(_attributes(element)) and element.xpath(".//h1|.//h2|.//h3")
        ]
    if len(blocks) >= 2:
        return [article for block in blocks if (article := _article(block, url, None)).paragraphs]
    article = _article(document, url, _TITLE_SUFFIX.sub("", page_title) or None)
    return [article] if article.paragraphs else []


def _article(root: _Element, url: str, fallback_title: str | None) -> Article:
    heading = next(iter(root.xpath(".//h1|.//h2|.//h3")), None)
    title = _text(heading) or fallback_title or ""
    # The metadata line: the shortest element that says 来源, 发布时间, 作者 ….
    candidates = [
        (len(own), own, element)
        for element in root.iter("p", "div", "span", "td", "time")
        if (own := _text(element)) and len(own) < 200 and _META_HINT.search(own)
    ]
    meta_text = ""
    if candidates:
        _, meta_text, element = min(candidates, key=lambda candidate: candidate[0])
        _remove(element)
    body = _body_block(root)
    images = _images(body, url)
    captions = {image.caption for image in images if image.caption}
    paragraphs = [
        line
        for line in _paragraphs(body)
        if line != title and line not in captions and not _BOILER_LINE.search(line)
    ]
    source = _SOURCE.search(meta_text)
    author = _AUTHOR.search(meta_text)
    return Article(
        title=title,
        published_at=parse_published(meta_text),
        author=author.group(1).strip() if author else None,
        source=source.group(1) if source else None,
        paragraphs=paragraphs,
        images=images,
    )


def _clean(document: _Element) -> None:
    for element in list(document.iter(*_DROP_TAGS)):
        _remove(element)
    for element in list(document.iter("header", "footer", "div", "ul", "table", "section")):
        if element.tag == "header" and element.xpath("ancestor::article"):
            continue
        if element.tag in {"header", "footer"} or (
            _BOILER_BLOCK.search(_attributes(element)) and not element.xpath(".//h1")
        ):
            _remove(element)


def _body_block(root: _Element) -> _Element:
    """The element whose own paragraphs carry the most text outside links."""
    best, best_score = root, 0
    for element in root.iter("div", "td", "section", "article", "body"):
        score = 0
        for child in element:
            if child.tag in {"p", "div"} and not len(child.xpath(".//p|.//div")):
                text = _text(child)
                linked = sum(len(_text(anchor)) for anchor in child.iter("a"))
                score += max(0, len(text) - 2 * linked)
        if score > best_score:
            best, best_score = element, score
    return best


def _paragraphs(block: _Element) -> list[str]:
    lines: list[str] = []
    children = [child for child in block if child.tag in {"p", "div", "h2", "h3", "h4"}]
    if not children:
        children = [block]
    for child in children:
        # <br> separates paragraphs in many CMS templates.
        for piece in "".join(_pieces(child)).split("\n"):
            line = _SPACE.sub(" ", piece).strip()
            if line:
                lines.append(line)
    return lines


def _pieces(element: _Element) -> list[str]:
    pieces = [element.text or ""]
    for child in element:
        if child.tag == "br":
            pieces.append("\n")
        elif isinstance(child.tag, str):
            pieces.extend(_pieces(child))
        pieces.append(child.tail or "")
    return pieces


def _images(block: _Element, url: str) -> list[Image]:
    found = []
    for image in block.iter("img"):
        source = image.get("src") or image.get("data-src")
        if not source:
            continue
        caption = _caption(image)
        found.append(Image(urljoin(url, source), caption))
    return found


def _caption(image: _Element) -> str | None:
    """A <figcaption>, a caption-like paragraph right after the picture, or its alt text."""
    figure = next(iter(image.xpath("ancestor::figure[1]")), None)
    if figure is not None:
        caption = figure.find(".//figcaption")
        if caption is not None and _text(caption):
            return _text(caption)
    holder = image.getparent()
    if holder is not None and holder.tag == "p" and not _text(holder):
        following = holder.getnext()
        if following is not None and following.tag == "p":
            text = _text(following)
            styled = following.get("style", "") + _attributes(following)
            if text and len(text) <= 80 and ("center" in styled or _CAPTION_CLASS.search(styled)):
                return text
    alt = (image.get("alt") or "").strip()
    return alt or None


def _attributes(element: _Element) -> str:
    return f"{element.get('class', '')} {element.get('id', '')}"


def _text(element: _Element | None) -> str:
    if element is None:
        return ""
    return _SPACE.sub(" ", element.text_content()).strip()


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

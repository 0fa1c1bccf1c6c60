"""The demo's stories as county news sites publish them, each place in another of the
messy forms the news connector reads: full-text RSS; Atom summaries with article
pages; a GBK list page with undeclared GBK pages; Big5 pages in traditional characters;
newspaper pages of several stories; and pages through a broken simplified→traditional
conversion that left pinyin behind. A provincial site republishes the first story of
every place with its own header and a changed sentence (one story, two sources).

All text is the generator's own; nothing is copied from real articles.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from functools import lru_cache
from html import escape
from zoneinfo import ZoneInfo

from demo.news_site import Page

__all__ = ["FORMS", "PROVINCIAL", "DemoStory", "place_pages", "provincial_pages"]

SHANGHAI = ZoneInfo("Asia/Shanghai")
FORMS = ("rss-full", "atom-pages", "cms-gbk", "rss-big5", "newspaper", "rss-pinyin")
PROVINCIAL = "文明风采网"
# What a broken converter leaves after these characters.
_PINYIN = {"設": "shè", "網": "wǎng", "務": "wù", "實": "shí"}


@dataclass(frozen=True, slots=True)
class DemoStory:
    number: int
    title: str
    paragraphs: tuple[str, ...]
    published_at: datetime
    author: str


@lru_cache(maxsize=2)
def _traditional(standard: str) -> object:
    import opencc

    return opencc.OpenCC(standard)


def _to_traditional(text: str, standard: str = "s2tw") -> str:
    """Taiwan's forms by default (為, 群眾), which Big5 holds."""
    return str(_traditional(standard).convert(text))  # type: ignore[attr-defined]


def _broken(text: str) -> str:
    converted = _to_traditional(text, "s2t")
    for char, pinyin in _PINYIN.items():
        converted = converted.replace(char, f"{char}({pinyin})")
    return converted.replace("，", "，，", 1)


def _chrome(site: str) -> tuple[str, str]:
    header = (
        f'<div class="top"><a href="/">设为首页</a> | <a href="#">加入收藏夹</a></div>'
        f'<div id="nav"><ul><li><a href="/">首页</a></li><li><a href="#">文明动态</a></li>'
        f'<li><a href="#">志愿服务</a></li></ul></div><div class="logo">{escape(site)}</div>'
    )
    footer = (
        f'<div class="footer"><p>主办：{escape(site)}　技术支持：县融媒体中心</p>'
        "<p>版权所有 ICP备20250001号　今日访问量：1024</p></div>"
    )
    return header, footer


def _local(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def _article_page(site: str, story: DemoStory, charset: str | None, convert: bool = False) -> str:
    header, footer = _chrome(site)
    paragraphs = story.paragraphs
    title = story.title
    if convert:
        paragraphs = tuple(_to_traditional(p) for p in paragraphs)
        title = _to_traditional(title)
    meta = f'<meta charset="{charset}">' if charset else ""
    body = "".join(f"<p>　　{escape(p)}</p>" for p in paragraphs)
    return (
        f"<html><head>{meta}<title>{escape(title)}_{escape(site)}</title></head><body>{header}"
        f'<div class="main"><div class="article"><h1>{escape(title)}</h1>'
        f'<div class="info">来源：{escape(site)}　作者：{escape(story.author)}　'
        f"发布时间：{_local(story.published_at)}　点击数：{100 + story.number}</div>"
        f'<div class="content">{body}'
        f'<p style="text-align:center"><img src="/img/{story.number}.jpg" alt=""></p>'
        f'<p style="text-align:center">活动现场</p><p>责任编辑：融媒体中心</p></div>'
        f'<div class="share">分享到：微信 微博</div></div></div>{footer}</body></html>'
    )


def _rss(site: str, items: list[tuple[DemoStory, str, str | None]]) -> str:
    """RSS items: (story, link, full HTML or None for a summary)."""
    entries = []
    for story, link, full in items:
        content = (
            f"<content:encoded><![CDATA[{full}]]></content:encoded>"
            if full
            else f"<description>{escape(story.paragraphs[0][:60])}</description>"
        )
        entries.append(
            f"<item><title>{escape(story.title)}</title><link>{link}</link>"
            f"<pubDate>{format_datetime(story.published_at)}</pubDate>"
            f"<author>{escape(story.author)}</author>{content}</item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>{escape(site)}</title>{''.join(entries)}</channel></rss>"
    )


def _atom(site: str, items: list[tuple[DemoStory, str]]) -> str:
    entries = "".join(
        f'<entry><title>{escape(story.title)}</title><link href="{link}"/>'
        f"<published>{story.published_at.isoformat()}</published>"
        f"<author><name>{escape(story.author)}</name></author>"
        f"<summary>{escape(story.paragraphs[0][:60])}</summary></entry>"
        for story, link in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(site)}</title>{entries}</feed>"
    )


def _list_page(site: str, links: list[tuple[str, str]], charset: str) -> str:
    header, footer = _chrome(site)
    items = "".join(f'<li><a href="{href}">{escape(text)}</a></li>' for href, text in links)
    return (
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
        f"<title>文明动态_{escape(site)}</title></head><body>{header}"
        f'<div class="list"><ul>{items}</ul></div>'
        f'<div class="page"><a href="#">下一页</a></div>{footer}</body></html>'
    )


def _newspaper(site: str, stories: list[DemoStory]) -> str:
    blocks = "".join(
        f'<div class="story"><h2>{escape(story.title)}</h2>'
        + "".join(f"<p>{escape(p)}</p>" for p in story.paragraphs)
        + f'<p class="meta">发布时间：{_local(story.published_at)}</p></div>'
        for story in stories
    )
    head = f'<head><meta charset="utf-8"><title>{escape(site)}</title></head>'
    return f"<html>{head}<body>{blocks}</body></html>"


def _html(text: str, encoding: str = "utf-8", content_type: str = "text/html") -> Page:
    return Page(text.encode(encoding, "replace"), content_type)


def _summaries(site: str, stories: list[DemoStory]) -> Page:
    items: list[tuple[DemoStory, str, str | None]] = [
        (story, f"a/{story.number}.html", None) for story in stories
    ]
    return _html(_rss(site, items), content_type="application/rss+xml")


def place_pages(form: str, site: str, stories: list[DemoStory]) -> tuple[str, dict[str, Page]]:
    """(the feed's path, the site's pages) for one place's stories in one form. Links
    are relative, so that the site may be served under any path."""
    feed, pages = _place_pages(form, site, stories)
    return feed, {"/" + path.lstrip("/"): page for path, page in pages.items()}


def _place_pages(form: str, site: str, stories: list[DemoStory]) -> tuple[str, dict[str, Page]]:
    pages: dict[str, Page] = {}
    if form == "rss-full":
        items: list[tuple[DemoStory, str, str | None]] = [
            (s, f"a/{s.number}.html", "".join(f"<p>{escape(p)}</p>" for p in s.paragraphs))
            for s in stories
        ]
        pages["/rss.xml"] = _html(_rss(site, items), content_type="application/rss+xml")
        return "/rss.xml", pages
    if form == "atom-pages":
        for s in stories:
            pages[f"a/{s.number}.html"] = _html(_article_page(site, s, "utf-8"))
        feed = _atom(site, [(s, f"a/{s.number}.html") for s in stories])
        pages["/atom.xml"] = _html(feed, content_type="application/atom+xml")
        return "/atom.xml", pages
    if form == "cms-gbk":
        for s in stories:
            pages[f"a/{s.number}.html"] = _html(_article_page(site, s, None), "gb18030")
        links = [(f"a/{s.number}.html", s.title) for s in stories]
        pages["/list.html"] = _html(_list_page(site, links, "gb2312"), "gb18030")
        return "/list.html", pages
    if form == "rss-big5":
        # Characters Big5 lacks come out as ?, as they do from real converters.
        for s in stories:
            page = _article_page(site, s, "big5", convert=True)
            pages[f"a/{s.number}.html"] = _html(page, "big5", "text/html; charset=big5")
        pages["/rss.xml"] = _summaries(site, stories)
        return "/rss.xml", pages
    if form == "newspaper":
        links = []
        for start in range(0, len(stories), 3):
            path = f"paper/{start // 3 + 1}.html"
            pages[path] = _html(_newspaper(site, stories[start : start + 3]))
            links.append((path, f"{site}第{start // 3 + 1}版要闻"))
        pages["/list.html"] = _html(_list_page(site, links, "utf-8"))
        return "/list.html", pages
    for s in stories:
        broken = DemoStory(
            s.number,
            _broken(s.title),
            tuple(_broken(p) for p in s.paragraphs),
            s.published_at,
            s.author,
        )
        pages[f"a/{s.number}.html"] = _html(_article_page(site, broken, "gbk"), "gb18030")
    pages["/rss.xml"] = _summaries(site, stories)
    return "/rss.xml", pages


def provincial_pages(firsts: list[DemoStory]) -> tuple[str, dict[str, Page]]:
    """The provincial site's republications: its own header, one sentence changed."""
    pages: dict[str, Page] = {}
    for story in firsts:
        changed = DemoStory(
            story.number,
            story.title,
            (*story.paragraphs[:-1], story.paragraphs[-1] + "（转载）"),
            story.published_at,
            story.author,
        )
        pages[f"r/{story.number}.html"] = _html(_article_page(PROVINCIAL, changed, "utf-8"))
    feed = _atom(PROVINCIAL, [(s, f"r/{s.number}.html") for s in firsts])
    pages["atom.xml"] = _html(feed, content_type="application/atom+xml")
    return "/atom.xml", {"/" + path: page for path, page in pages.items()}

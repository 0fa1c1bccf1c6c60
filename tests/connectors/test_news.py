"""News feeds through the runner against a real local site: RSS, Atom and CMS list
pages; every encoding case; extraction, repair, linking, one story with several
sources; search relevance; and the polite fetcher."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.base import Rejection
from connectors.config import build_connector, load_sources
from connectors.http import RetryPolicy
from connectors.news.connector import FeedSettings, NewsFeedConnector, map_page
from connectors.news.decode import decode
from connectors.news.fetch import PageFetcher
from connectors.news.linking import Linker, aliases_for
from connectors.news.repair import repair
from connectors.sync import StreamResult, SyncRunner
from connectors.writing import BatchWriter
from db import models as m
from db.engine import create_sessionmaker
from db.pii import PersonalDataCipher
from demo.county_app import LocalServer, serve
from demo.news_site import NewsSite, Page
from tests.connectors.news_pages import SITE_PAGES
from tests.factories import add_division_tree, provenance, site_row
from tests.graphql import GraphQL

FAST = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.01)


@pytest.fixture
def site() -> Iterator[tuple[NewsSite, LocalServer]]:
    news = NewsSite(dict(SITE_PAGES))
    server = serve(news.asgi())
    yield news, server
    server.stop()


@pytest.fixture
async def kaili(engine: AsyncEngine) -> AsyncEngine:
    """Kaili's divisions, its center, its general brigade and the 邻里守望 project."""
    async with create_sessionmaker(engine)() as session, session.begin():
        session.add_all(add_division_tree())
        session.add(site_row())
        session.add(
            m.Team(
                name="凯里市新时代文明实践志愿服务总队",
                kind=m.TeamKind.GENERAL_BRIGADE,
                county_code="522601",
                **provenance(),
            )
        )
        session.add(m.Project(name="邻里守望", county_code="522601", **provenance()))
    return engine


def connector(url: str, name: str, fmt: str = "auto") -> NewsFeedConnector:
    feed = FeedSettings(name, url, fmt, "522601")
    return NewsFeedConnector(f"news:{name}", feed, PageFetcher(delay=0, policy=FAST))


async def sync(engine: AsyncEngine, feed: NewsFeedConnector) -> StreamResult:
    try:
        [result] = await SyncRunner(engine).sync(feed, refresh=False)
    finally:
        await feed.close()
    assert result.status is m.SyncStatus.SUCCEEDED, result.error
    assert result.read == result.inserted + result.updated + result.unchanged + result.quarantined
    return result


async def stories(engine: AsyncEngine) -> dict[str, m.NewsStory]:
    async with create_sessionmaker(engine)() as session:
        return {s.title: s for s in (await session.scalars(select(m.NewsStory))).all()}


async def test_an_rss_feed_with_pages_in_every_form(
    kaili: AsyncEngine, site: tuple[NewsSite, LocalServer]
) -> None:
    _, server = site
    result = await sync(kaili, connector(f"{server.url}/rss.xml", "凯里文明网"))
    # 6 entries: 5 read into stories (the newspaper page gives three), 1 undecodable.
    assert (result.read, result.inserted, result.quarantined) == (6, 5, 1)
    found = await stories(kaili)
    assert set(found) == {
        "凯里文明实践中心开展“邻里守望”活动",
        "志愿服务暖人心",
        "文明实践建设见成效",
        "社区书屋迎来小读者",
        "志愿者清理河道垃圾",
        "“邻里守望”再上新台阶",
        "全文收录的稿件",
    }
    story = found["凯里文明实践中心开展“邻里守望”活动"]
    assert story.published_at == datetime(2025, 3, 5, 1, 30, tzinfo=UTC)
    assert (story.author, story.source_name, story.encoding_seen) == (
        "王芳",
        "凯里市融媒体中心",
        "utf-8",
    )
    paragraphs = story.body.split("\n\n")
    assert paragraphs[0].startswith("3月4日，凯里文明实践中心组织志愿者")
    assert paragraphs[-1] == "下一步，凯里市将继续把“邻里守望”做实做细。"
    for boilerplate in ("设为首页", "ICP", "访问量", "责任编辑", "分享到", "点击数", "首页"):
        assert boilerplate not in story.body
    assert '"caption": "志愿者为居民测量血压"' in (story.images or "")
    assert "志愿者为居民测量血压" not in story.body
    # Big5, broken conversion: repaired, simplified, original kept.
    big5 = found["志愿服务暖人心"]
    assert big5.encoding_seen == "big5"
    assert big5.body == (
        '近日，凯里市新时代文明实践中心组织志愿者开展"邻里守望"活动，加强社区建设。'
        "\n\n活动共服务群众(120人次)，受到广泛好评。"
    )
    assert big5.original_body is not None
    assert big5.original_body.startswith("近日，凱里市新時代文明實踐中心")
    pinyin = found["文明实践建设见成效"]
    assert pinyin.body == "潍坊新闻网讯 各级文明实践阵地建设持续推进，群众满意度不断提升。"
    assert pinyin.encoding_seen == "gb18030"
    # The full entry needed no page.
    assert found["全文收录的稿件"].body.startswith("6月5日，北京东路社区开展垃圾分类宣传")
    async with create_sessionmaker(kaili)() as session:
        [reason] = (await session.scalars(select(m.QuarantinedRecord.reason))).all()
    assert "cannot be read" in reason


async def test_mentions_are_found_by_name_and_alias_with_precision(
    kaili: AsyncEngine, site: tuple[NewsSite, LocalServer]
) -> None:
    _, server = site
    await sync(kaili, connector(f"{server.url}/rss.xml", "凯里文明网"))
    async with create_sessionmaker(kaili)() as session:
        story = (
            await session.scalars(
                select(m.NewsStory).where(m.NewsStory.title.startswith("凯里文明实践中心"))
            )
        ).one()
        mentions = (
            await session.scalars(
                select(m.Mention).where(m.Mention.story_id == story.id).order_by(m.Mention.position)
            )
        ).all()
    text = f"{story.title}\n\n{story.body}"
    found = [(mention.target, mention.matched_text) for mention in mentions]
    assert (m.MentionTarget.SITE, "凯里文明实践中心") in found
    assert (m.MentionTarget.PROJECT, "邻里守望") in found
    assert (m.MentionTarget.TEAM, "凯里市新时代文明实践志愿服务总队") in found
    assert (m.MentionTarget.DIVISION, "大十字街道") in found
    assert (m.MentionTarget.DIVISION, "北京东路社区") in found
    for mention in mentions:
        assert text[mention.position :].startswith(mention.matched_text)
    # 凯里市民 is the city's residents, not a mention of the city; "凯里市将" is.
    city = [mention.position for mention in mentions if mention.matched_text == "凯里市"]
    assert len(city) == 1
    assert text[city[0] : city[0] + 4] == "凯里市将"


async def test_a_cms_list_page_in_gbk_and_pages_declared_wrongly_or_not_at_all(
    kaili: AsyncEngine, site: tuple[NewsSite, LocalServer]
) -> None:
    _, server = site
    result = await sync(kaili, connector(f"{server.url}/list.html", "凯里文明网栏目", "cms"))
    assert (result.read, result.inserted, result.quarantined) == (3, 2, 1)
    found = await stories(kaili)
    undeclared = found["大十字街道开展文明交通劝导志愿服务"]
    assert undeclared.encoding_seen == "gb18030"
    assert undeclared.body.startswith("3月10日早高峰，大十字街道组织志愿者")
    assert undeclared.body.endswith("现场秩序井然。")
    assert undeclared.source_name == "大十字街道"
    wrong = found["北京东路社区举办“四点半课堂”结业仪式"]
    assert wrong.encoding_seen == "utf-8"
    assert wrong.author == "刘洋"
    assert wrong.published_at == datetime(2025, 3, 12, 8, 5, tzinfo=UTC)


async def test_a_republished_story_is_one_story_with_two_sources(
    kaili: AsyncEngine, site: tuple[NewsSite, LocalServer]
) -> None:
    _, server = site
    await sync(kaili, connector(f"{server.url}/rss.xml", "凯里文明网"))
    result = await sync(kaili, connector(f"{server.url}/atom.xml", "黔东南文明网"))
    assert (result.read, result.inserted) == (1, 1)
    async with create_sessionmaker(kaili)() as session:
        story = (
            await session.scalars(
                select(m.NewsStory).where(m.NewsStory.title.startswith("凯里文明实践中心"))
            )
        ).one()
        sources = (
            await session.scalars(
                select(m.StorySource.url).where(m.StorySource.story_id == story.id)
            )
        ).all()
    assert sorted(url.rsplit("/", 1)[1] for url in sources) == ["0305.html", "0306.html"]
    assert story.url.endswith("/0305.html")


STORY_FOR_MEDIA = """{ stories(filter: {search: "邻里守望"}) { nodes {
  title author publishedAt publishedAtSource images { url caption }
  sources { url title publishedAt feed { name } } } } }"""


async def test_media_units_get_the_byline_pictures_date_source_and_every_page(
    kaili: AsyncEngine, site: tuple[NewsSite, LocalServer]
) -> None:
    _, server = site
    await sync(kaili, connector(f"{server.url}/rss.xml", "凯里文明网"))
    await sync(kaili, connector(f"{server.url}/atom.xml", "黔东南文明网"))
    nodes = (await GraphQL(kaili).data(STORY_FOR_MEDIA))["stories"]["nodes"]
    [story] = [node for node in nodes if node["title"] == "凯里文明实践中心开展“邻里守望”活动"]
    assert story["author"] == "王芳"
    assert story["publishedAt"] == "2025-03-05T01:30:00+00:00"
    assert story["publishedAtSource"] == "PAGE"
    assert story["images"] == [
        {"url": f"{server.url}/uploads/2025/0304.jpg", "caption": "志愿者为居民测量血压"}
    ]
    assert [(page["url"].rsplit("/", 1)[1], page["feed"]["name"]) for page in story["sources"]] == [
        ("0305.html", "凯里文明网"),
        ("0306.html", "黔东南文明网"),
    ]


async def test_an_unchanged_feed_costs_one_request_and_changes_nothing(
    kaili: AsyncEngine, site: tuple[NewsSite, LocalServer]
) -> None:
    news, server = site
    await sync(kaili, connector(f"{server.url}/rss.xml", "凯里文明网"))
    before = len(news.requests)
    again = await sync(kaili, connector(f"{server.url}/rss.xml", "凯里文明网"))
    assert again.read == 0
    assert news.requests[before:] == ["/rss.xml"]


async def test_a_changed_feed_rereads_and_keeps_what_is_unchanged(
    kaili: AsyncEngine, site: tuple[NewsSite, LocalServer]
) -> None:
    news, server = site
    await sync(kaili, connector(f"{server.url}/rss.xml", "凯里文明网"))
    feed = news.pages["/rss.xml"].content.replace(b"</channel>", b"<!-- new --></channel>")
    news.pages["/rss.xml"] = Page(feed, "application/rss+xml")
    again = await sync(kaili, connector(f"{server.url}/rss.xml", "凯里文明网"))
    assert (again.read, again.unchanged, again.inserted, again.quarantined) == (6, 5, 0, 1)


async def test_the_fetcher_is_polite_and_retries(site: tuple[NewsSite, LocalServer]) -> None:
    news, server = site
    news.latency = 0.05
    news.faults["/news/2025/0305.html"] = deque([429, 503])
    fetcher = PageFetcher(delay=0, policy=FAST)
    try:
        paths = ["/news/2025/0305.html", "/news/2025/0310.html", "/news/2025/0312.html"] * 2
        pages = await asyncio.gather(*(fetcher.get(server.url + path) for path in paths))
    finally:
        await fetcher.close()
    assert all(page.status == 200 for page in pages)
    assert news.most_in_flight == 2
    assert fetcher.retries == 2


def test_decoding_follows_header_bom_and_declaration() -> None:
    text = "铜仁市新时代文明实践中心组织志愿者开展服务活动，群众纷纷点赞。"
    assert decode(text.encode("gbk"), "text/html; charset=GB2312").encoding == "gb18030"
    assert decode(b"\xef\xbb\xbf" + text.encode(), None).how == "bom"
    declared = f'<meta charset="gbk">{text}'.encode("gb18030")
    assert decode(declared, None).how == "declared"
    traditional = "銅仁市新時代文明實踐中心組織志願者開展服務活動，群眾紛紛點讚。"
    assert decode(traditional.encode("big5"), None).text == traditional
    with pytest.raises(Rejection, match="cannot be read"):
        decode(b"<p>\x81\xff\xfd\xff</p>", "text/html; charset=utf-8")


def test_repair_removes_pinyin_and_question_marks_but_keeps_real_parentheses() -> None:
    assert repair("加強建設(shè)，，濰坊新聞網(wǎng)") == "加強建設，濰坊新聞網"
    assert repair("服務群眾(120人次)與(NGO)合作(app)") == "服務群眾(120人次)與(NGO)合作(app)"
    assert repair("活動???開展?順利") == "活動開展順利"
    assert repair("省略……破折——号") == "省略……破折——号"


def test_linker_prefers_the_longest_name_and_skips_shared_ones() -> None:
    linker = Linker(
        aliases_for(
            [("522601", "凯里市"), ("522601001001", "新村"), ("522601002001", "新村")],
            [(1, "凯里市新时代文明实践中心", "凯里市")],
            [],
            [(7, "护苗")],
        )
    )
    found = linker.find("凯里新时代文明实践中心与凯里市、新村开展护苗行动，“护苗”获赞")
    assert [(f.matched, f.key) for f in found] == [
        ("凯里新时代文明实践中心", 1),
        ("凯里市", "522601"),
        ("护苗", 7),
    ]


SEARCH = """query($q: String!) {
  stories(filter: {search: $q}, orderBy: [{field: RELEVANCE, direction: DESC}], first: 10) {
    edges { node { title } } } }"""
CORPUS = [
    ("“邻里守望”项目走进社区", "邻里守望志愿者上门服务。邻里守望让老人安心。"),
    ("社区开展文明交通劝导", "志愿者还介绍了邻里守望项目。"),
    ("河道清理", "志愿者清理垃圾。"),
    ("鄰里守望暖人心", "傳統文字的稿件。"),
]


async def test_search_finds_words_in_either_script_most_relevant_first(
    engine: AsyncEngine,
) -> None:
    feed = {"name": "测试", "url": "http://feed.test/", "format": "rss", "county_code": None}
    records = [
        (
            number,
            map_page(
                {
                    "feed": feed,
                    "url": f"http://feed.test/{number}.html",
                    "title": title,
                    "published": f"2025-0{number + 1}-01T00:00:00+00:00",
                    "author": None,
                    "html": f"<p>{body}</p>",
                }
            ),
        )
        for number, (title, body) in enumerate(CORPUS)
    ]
    async with create_sessionmaker(engine)() as session, session.begin():
        await BatchWriter(session, "test-news", datetime.now(UTC)).write(records)
    graphql = GraphQL(engine)

    async def titles(query: str) -> list[str]:
        data = await graphql.data(SEARCH, {"q": query})
        return [edge["node"]["title"] for edge in data["stories"]["edges"]]

    # Named in the title ranks above named once in the body; unrelated is not found.
    found = await titles("邻里守望")
    assert set(found[:2]) == {"“邻里守望”项目走进社区", "邻里守望暖人心"}
    assert found[2:] == ["社区开展文明交通劝导"]
    assert await titles("鄰里守望") == await titles("邻里守望")
    assert await titles("交通 劝导") == ["社区开展文明交通劝导"]
    assert await titles("守望邻里") == []
    assert await titles("！？") == []
    newest = await graphql.data(
        '{ stories(filter: {search: "志愿"}) { edges { node { publishedAt } } } }'
    )
    published = [edge["node"]["publishedAt"] for edge in newest["stories"]["edges"]]
    assert len(published) == 3
    assert published == sorted(published, reverse=True)
    refused = await graphql("{ stories(orderBy: [{field: RELEVANCE}]) { totalCount } }")
    assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_an_archive_of_local_files_configured_in_the_sources_file(
    kaili: AsyncEngine, tmp_path: Path
) -> None:
    for path in ("/rss.xml", "/news/2025/0305.html", "/news/2025/big5.html"):
        target = tmp_path / "archive" / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(SITE_PAGES[path].content)
    (tmp_path / "wenming.toml").write_text(
        '[[source]]\nname = "kaili-archive"\nkind = "news_feed"\ncounty = "522601"\n'
        'url = "archive/rss.xml"\ntitle = "凯里文明网"\n',
        encoding="utf-8",
    )
    [source] = load_sources(tmp_path / "wenming.toml")
    feed = build_connector(source, PersonalDataCipher("news-test-secret-0123456789"))
    assert isinstance(feed, NewsFeedConnector)
    result = await sync(kaili, feed)
    # The three pages the archive lacks are quarantined as missing (404), nothing lost.
    assert (result.read, result.inserted, result.quarantined) == (6, 3, 3)
    assert set(await stories(kaili)) == {
        "凯里文明实践中心开展“邻里守望”活动",
        "志愿服务暖人心",
        "全文收录的稿件",
    }


async def test_a_run_that_fails_is_read_again_in_full(
    kaili: AsyncEngine, site: tuple[NewsSite, LocalServer]
) -> None:
    news, server = site
    news.faults["/paper/3.html"] = deque([500, 500, 500])
    feed = connector(f"{server.url}/rss.xml", "凯里文明网")
    try:
        [failed] = await SyncRunner(kaili, batch_size=2).sync(feed, refresh=False)
    finally:
        await feed.close()
    assert failed.status is m.SyncStatus.FAILED
    assert "failed 3 times" in (failed.error or "")
    again = await sync(kaili, connector(f"{server.url}/rss.xml", "凯里文明网"))
    assert (again.read, again.inserted, again.quarantined) == (6, 5, 1)


_BULLETIN_TEXT = (
    "<p>第{n}期：北京东路社区组织志愿者开展第{n}次邻里守望走访活动，为独居老人送去米面油，"
    "帮助他们打扫卫生、检查水电安全，老人们纷纷表示感谢。</p><p>活动共服务群众{n}0人次，"
    "社区将把走访活动常态化，让文明实践走进千家万户。</p>"
)


async def test_items_without_a_link_or_with_long_addresses_stay_distinct(
    kaili: AsyncEngine, site: tuple[NewsSite, LocalServer]
) -> None:
    """A bulletin feed carries its stories whole and links none of them; a CMS gives
    addresses longer than a source id. Neither may fold distinct stories into one."""
    news, server = site
    long_path = "/news/detail?" + "&amp;".join(f"param{index}=value{index}" for index in range(12))
    items = [
        f"<item><title>社区简报第{n}期</title><pubDate>Wed, 0{n} Jul 2025 02:00:00 GMT</pubDate>"
        f"<content:encoded><![CDATA[{_BULLETIN_TEXT.format(n=n)}]]></content:encoded></item>"
        for n in range(1, 6)
    ] + [
        f"<item><title>长地址稿件{n}</title><link>{long_path}&amp;id={n}</link>"
        f"<pubDate>Thu, 1{n} Jul 2025 02:00:00 GMT</pubDate>"
        f"<content:encoded><![CDATA[{_BULLETIN_TEXT.format(n=n + 5)}]]></content:encoded></item>"
        for n in range(1, 3)
    ]
    feed = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>简报</title>'
        + "".join(items)
        + "</channel></rss>"
    )
    news.pages["/bulletin.xml"] = Page(feed.encode("utf-8"), "application/rss+xml")
    result = await sync(kaili, connector(f"{server.url}/bulletin.xml", "简报"))
    assert (result.read, result.inserted, result.quarantined) == (7, 7, 0)
    found = await stories(kaili)
    assert {f"社区简报第{n}期" for n in range(1, 6)} | {"长地址稿件1", "长地址稿件2"} <= set(found)
    assert "/bulletin.xml" not in news.requests[1:]  # the feed was not fetched as a page
    again = await sync(kaili, connector(f"{server.url}/bulletin.xml", "简报"))
    assert again.inserted == 0


def _rss(items: str, *, version: str = "2.0") -> bytes:
    return (
        f'<rss version="{version}" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>t</title><link>http://kaili.test/</link>{items}</channel></rss>"
    ).encode()


RDF = """<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
 xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="http://kaili.test/"><title>凯里文明网</title><link>http://kaili.test/</link>
<description>RSS 1.0</description></channel>
<item rdf:about="/news/2025/0305.html"><title>凯里文明实践中心开展“邻里守望”活动</title>
<link>/news/2025/0305.html</link><dc:date>2025-03-05T09:30:00+08:00</dc:date></item>
<item rdf:about="/news/2025/0312.html"><title>第二篇</title><link>/news/2025/0312.html</link>
<dc:creator>刘洋</dc:creator></item>
</rdf:RDF>"""


async def test_an_rss_1_0_feed_and_a_feed_with_a_stray_ampersand_are_read(
    kaili: AsyncEngine, site: tuple[NewsSite, LocalServer]
) -> None:
    news, server = site
    news.pages["/rdf.xml"] = Page(RDF.encode(), "application/rdf+xml")
    result = await sync(kaili, connector(f"{server.url}/rdf.xml", "凯里文明网"))
    assert (result.read, result.inserted) == (2, 2)
    # One unescaped & (in a title and in a link) does not cost the feed its items.
    news.pages["/amp.xml"] = Page(
        _rss(
            "<item><title>志愿服务 & 文明实践</title><link>/news/2025/0310.html?a=1&b=2</link>"
            "</item><item><title>志願服務暖人心</title><link>/news/2025/big5.html</link></item>"
        ),
        "application/rss+xml",
    )
    result = await sync(kaili, connector(f"{server.url}/amp.xml", "凯里文明网2"))
    assert (result.read, result.inserted + result.updated + result.unchanged) == (2, 2)
    assert f"{server.url}/news/2025/0310.html?a=1&b=2" in {
        story.url for story in (await stories(kaili)).values()
    }


async def test_a_feed_declaring_entities_expands_none(
    kaili: AsyncEngine, site: tuple[NewsSite, LocalServer]
) -> None:
    news, server = site
    laughs = "".join(f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">' for level in range(1, 9))
    news.pages["/entities.xml"] = Page(
        (
            '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">'
            f'<!ENTITY lol0 "lol">{laughs}]>'
        ).encode()
        + _rss(
            "<item><title>甲&secret;&lol8;</title><content:encoded><![CDATA[<p>"
            + "全文稿件的正文内容，志愿者走进社区开展服务。" * 4
            + "</p>]]></content:encoded></item>"
        ),
        "application/rss+xml",
    )
    result = await sync(kaili, connector(f"{server.url}/entities.xml", "凯里文明网"))
    [story] = (await stories(kaili)).values()
    assert result.inserted == 1
    assert "root:" not in story.title
    assert len(story.title) < 40


async def test_a_page_without_a_date_keeps_its_first_seen_time_when_read_again(
    kaili: AsyncEngine, site: tuple[NewsSite, LocalServer]
) -> None:
    news, server = site
    item = (
        "<item><title>没有日期的稿件</title><guid>story-1</guid><content:encoded><![CDATA[<p>"
        + "志愿者们走进社区，为居民提供义诊、理发、家电维修等服务，受到居民欢迎。" * 3
        + "</p>]]></content:encoded></item>"
    )
    news.pages["/dateless.xml"] = Page(_rss(item), "application/rss+xml")
    await sync(kaili, connector(f"{server.url}/dateless.xml", "凯里文明网"))
    [first] = (await stories(kaili)).values()
    assert first.published_at_source == m.PublishedAtSource.FIRST_SEEN.value
    news.pages["/dateless.xml"] = Page(_rss(item + item.replace("story-1", "story-2")), None)
    await asyncio.sleep(0.01)
    result = await sync(kaili, connector(f"{server.url}/dateless.xml", "凯里文明网"))
    assert (result.read, result.unchanged) == (2, 1)
    again = (await stories(kaili))["没有日期的稿件"]
    assert again.published_at == first.published_at


COPY = (
    "3月5日，凯里市新时代文明实践中心组织志愿者来到大十字街道北京东路社区，开展“学雷锋”志愿服务活动。"
    "志愿者们分成义诊、理发、家电维修、政策宣讲等服务小组，为社区居民提供面对面的服务。"
    "活动现场人头攒动，前来咨询和接受服务的居民络绎不绝，志愿者们耐心细致地解答每一个问题。"
    "社区居民王大爷说：“志愿者们的服务很贴心，我们老年人特别需要这样的活动。”"
    "据了解，凯里市今年将持续开展“邻里守望”志愿服务项目，推动志愿服务常态化、制度化。"
    "下一步，中心将继续整合各方资源，组织更多志愿者走进社区、走近群众，让文明实践成果惠及更多群众。"
    "活动结束后，志愿者们还对社区公共区域进行了清扫，清理卫生死角，擦拭健身器材，美化了社区环境。"
    "社区党支部书记表示，将以此次活动为契机，进一步完善志愿服务队伍建设，培育更多身边的志愿服务品牌。"
)


def _story_page(headline: str, body: str) -> Page:
    paragraphs = "".join(f"<p>{sentence}。</p>" for sentence in body.split("。") if sentence)
    html = f"<html><head><title>{headline}</title></head><body><h1>{headline}</h1>"
    return Page(f"{html}<div>{paragraphs}</div></body></html>".encode(), "text/html")


async def test_one_article_copied_whole_is_one_story_whatever_its_title(
    kaili: AsyncEngine, site: tuple[NewsSite, LocalServer]
) -> None:
    news, server = site
    # A template filled in for another place is another story, though most of it agrees.
    formulaic = (
        COPY.replace("大十字街道北京东路社区", "西门街道西门社区")
        .replace("王大爷", "李阿姨")
        .replace("3月5日", "3月8日")
    )
    news.pages |= {
        "/a.html": _story_page("凯里市开展学雷锋志愿服务活动", COPY),
        "/b.html": _story_page("志愿服务暖人心 文明实践进社区", COPY.replace("。", "！", 1)),
        "/c.html": _story_page("凯里西门社区开展学雷锋活动", formulaic),
    }
    for path in ("a", "b", "c"):
        news.pages[f"/{path}.xml"] = Page(
            _rss(f"<item><link>/{path}.html</link></item>"),
            "application/rss+xml",
        )
        await sync(kaili, connector(f"{server.url}/{path}.xml", f"feed-{path}"))
    found = await stories(kaili)
    assert set(found) == {"凯里市开展学雷锋志愿服务活动", "凯里西门社区开展学雷锋活动"}
    async with create_sessionmaker(kaili)() as session:
        sources = (
            await session.scalars(
                select(m.StorySource.url).where(
                    m.StorySource.story_id == found["凯里市开展学雷锋志愿服务活动"].id
                )
            )
        ).all()
    assert sorted(url.rsplit("/", 1)[1] for url in sources) == ["a.html", "b.html"]

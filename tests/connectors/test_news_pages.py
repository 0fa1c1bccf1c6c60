"""The news path on the kinds of page county and prefecture sites publish, one failure
class each (issue 16): headlines, dates, bylines, furniture in both scripts, conversion
debris, newspaper pages, captions and markup. Each page goes through the connector's
pure mapping (decode, extract, repair, conversion) as a fetched page does."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.base import Mapped, Rejection
from connectors.news.connector import map_page
from db import models as m

BODY = (
    "<p>为深入推进新时代文明实践工作，县文明实践中心组织志愿者走进社区，开展政策宣讲和便民服务活动。</p>"
    "<p>活动现场，志愿者们为群众测量血压、讲解防诈骗知识，受到居民的广泛欢迎，大家纷纷点赞。</p>"
    "<p>下一步，中心将继续整合资源，推动志愿服务常态化、长效化，让文明实践成果惠及更多群众。</p>"
)
FETCHED = "2026-03-01T08:00:00+00:00"


def page(
    body: str,
    *,
    head: str = "",
    title: str = "",
    url: str = "https://wm.example.invalid/news/1.html",
    encoding: str = "utf-8",
    **payload: Any,
) -> list[Mapped]:
    """The stories the connector maps from a page with this <head> and <body>."""
    html = (
        f'<html><head><meta charset="{encoding}"><title>{title}</title>{head}</head>'
        f"<body>{body}</body></html>"
    )
    return map_page(
        {
            "fetched_at": FETCHED,
            "feed": {"name": "t", "url": url, "format": "auto", "county_code": None},
            "url": url,
            "title": "",
            "published": None,
            "author": None,
            "status": 200,
            "content_type": None,
            "page": base64.b64encode(html.encode(encoding)).decode("ascii"),
            **payload,
        }
    )


def one(body: str, **options: Any) -> dict[str, Any]:
    [story] = page(body, **options)
    return story.values


# 1. Headlines


@pytest.mark.parametrize(
    ("title", "headline"),
    [
        ("——某市扎实推进文明实践工作综述", "某市扎实推进文明实践工作综述"),
        ('天祝县开展"文明-实践"活动', '天祝县开展"文明-实践"活动'),
        ("天祝县1-2月志愿服务时长创新高", "天祝县1-2月志愿服务时长创新高"),
        ("天祝县开展文明实践活动-新华网", "天祝县开展文明实践活动"),
        ("天祝县开展文明实践活动_中国文明网", "天祝县开展文明实践活动"),
        ("天祝县开展文明实践活动 - 武威市文明网", "天祝县开展文明实践活动"),
        ("天祝县开展文明实践活动_工作动态_天祝文明网", "天祝县开展文明实践活动"),
    ],
)
def test_only_a_trailing_site_name_leaves_the_page_title(title: str, headline: str) -> None:
    assert one(f"<div>{BODY}</div>", title=title)["title"] == headline


def test_a_title_of_page_furniture_is_never_the_headline() -> None:
    story = one(
        f"<h1>松桃县志愿者走进敬老院</h1><div>{BODY}</div>", title="某网设为首页|加入收藏夹"
    )
    assert story["title"] == "松桃县志愿者走进敬老院"


def test_without_heading_the_short_line_above_the_source_line_is_the_headline() -> None:
    story = one(
        '<div class="nr"><div>松桃县开展“我们的节日”主题活动</div>'
        "<div>来源：松桃县融媒体中心 发布时间：2024-02-10 09:30</div>"
        f"{BODY}</div>",
        title="设为首页|加入收藏",
    )
    assert story["title"] == "松桃县开展“我们的节日”主题活动"
    assert "来源" not in story["body"]


def test_a_dialog_heading_before_the_h1_is_not_the_headline() -> None:
    story = one(
        '<div class="modal"><h1>温馨提示</h1><p>您即将离开本站</p></div>'
        f"<h1>印江县文明实践中心举办志愿者培训</h1><div>{BODY}</div>",
        title="印江县文明实践中心举办志愿者培训_印江文明网",
    )
    assert story["title"] == "印江县文明实践中心举办志愿者培训"


def test_a_page_whose_every_title_is_empty_or_furniture_is_refused_with_its_reason() -> None:
    with pytest.raises(Rejection, match="no title"):
        page(f"<div>{BODY}</div>", title="——")


# 2. Dates


@pytest.mark.parametrize(
    ("head", "body", "url", "expected"),
    [
        ('<meta name="publishdate" content="2020-01-02">', "", "", datetime(2020, 1, 1, 16)),
        (
            '<meta property="article:published_time" content="2020-01-02T17:11:00+08:00">',
            "",
            "",
            datetime(2020, 1, 2, 9, 11),
        ),
        (
            "",
            '<time datetime="2020-01-02T17:11:00+08:00">1月2日</time>',
            "",
            datetime(2020, 1, 2, 9, 11),
        ),
        ("", "<div>2020-01-02 17:11</div>", "", datetime(2020, 1, 2, 9, 11)),
        (
            "",
            "<div>來源：天祝縣融媒體中心 發布時間：2020年01月02日 17:11</div>",
            "",
            datetime(2020, 1, 2, 9, 11),
        ),
        ("", "", "https://wm.example.invalid/xw/2020-08/07/c_1.htm", datetime(2020, 8, 6, 16)),
        ("", "", "https://wm.example.invalid/xw/202008/t20200807_1.html", datetime(2020, 8, 6, 16)),
    ],
)
def test_the_page_gives_its_date_in_every_way_sites_write_it(
    head: str, body: str, url: str, expected: datetime
) -> None:
    story = one(
        f"<h1>天祝县开展文明实践活动</h1>{body}<div>{BODY}</div>",
        head=head,
        url=url or "https://wm.example.invalid/news/1.html",
    )
    assert story["published_at"] == expected.replace(tzinfo=UTC)
    assert story["published_at_source"] == m.PublishedAtSource.PAGE.value
    assert "2020" not in story["body"]


@pytest.mark.parametrize(
    ("payload", "expected", "source"),
    [
        (
            {"published": "2024-05-06T01:00:00+00:00"},
            datetime(2024, 5, 6, 1),
            m.PublishedAtSource.FEED,
        ),
        (
            {"last_modified": "Tue, 07 May 2024 02:00:00 GMT"},
            datetime(2024, 5, 7, 2),
            m.PublishedAtSource.LAST_MODIFIED,
        ),
        ({}, datetime(2026, 3, 1, 8), m.PublishedAtSource.FIRST_SEEN),
    ],
)
def test_a_page_without_a_date_is_kept_and_says_where_its_date_came_from(
    payload: dict[str, Any], expected: datetime, source: m.PublishedAtSource
) -> None:
    story = one(f"<h1>天祝县开展文明实践活动</h1><div>{BODY}</div>", **payload)
    assert story["published_at"] == expected.replace(tzinfo=UTC)
    assert story["published_at_source"] == source.value


# 3. Bylines and source lines


@pytest.mark.parametrize(
    ("line", "author"),
    [
        ("<p>曹森 石宏豪 洪鼎基</p>", "曹森 石宏豪 洪鼎基"),
        ("<p>作者:王小明 来源:天祝文明网</p>", "王小明"),
        ("<p>作者：王小明</p>", "王小明"),
    ],
)
def test_a_byline_under_the_headline_is_the_author_not_body(line: str, author: str) -> None:
    story = one(f"<h1>天祝县开展文明实践活动</h1>{line}<div>{BODY}</div>")
    assert story["author"] == author
    assert author.split()[0] not in story["body"]


def test_a_reporter_in_the_lede_and_an_editor_line_at_the_end() -> None:
    story = one(
        "<h1>天祝县开展文明实践活动</h1><div>"
        "<p>本报讯（记者 李华 通讯员 张强）近日，天祝县文明实践中心组织志愿者走进社区开展服务活动。</p>"
        f"{BODY}<p>（编辑：赵敏）</p></div>"
    )
    assert story["author"] == "李华"
    assert story["body"].startswith("本报讯（记者 李华 通讯员 张强）近日")
    assert "赵敏" not in story["body"]


def test_the_metadata_line_leaves_the_body_and_gives_the_source() -> None:
    story = one(
        "<h1>天祝县开展文明实践活动</h1>"
        "<div><span>来源：天祝县融媒体中心</span> <span>发布时间：2024-03-05 10:20</span></div>"
        f"<div>{BODY}</div>"
    )
    assert story["source_name"] == "天祝县融媒体中心"
    assert "来源" not in story["body"]
    assert "发布时间" not in story["body"]


# 4. Furniture, in both scripts and after the repair

FURNITURE = [
    "当前位置:首页 >> 工作动态 >> 正文",
    "您現在的位置：首頁 > 新聞中心",
    "责任编辑：刘洋",
    "責任編輯：劉洋",
    "責任編(biān)輯：劉洋",
    "版权所有：天祝县文明办 技术支持：某某网络",
    "Copyright © 2024 天祝文明网",
    "陇ICP备12345678号-1",
    "甘公网安备 62062302000123号",
    "浏览次数：1024",
    "访问量：3310",
]


@pytest.mark.parametrize("line", FURNITURE)
def test_furniture_lines_leave_the_story(line: str) -> None:
    story = one(f"<h1>天祝县开展文明实践活动</h1><div>{BODY}<p>{line}</p></div>")
    assert story["body"].count("\n\n") == 2, story["body"]


def test_an_account_block_under_a_site_name_leaves_the_story() -> None:
    accounts = "".join(
        f"<p>{name}</p>"
        for name in (
            "天祝文明网",
            "公众号：天祝文明",
            "抖音号：tzwm",
            "头条号：天祝发布",
            "微博：@天祝文明",
        )
    )
    story = one(f"<h1>天祝县开展文明实践活动</h1><div>{BODY}{accounts}</div>")
    assert "公众号" not in story["body"]
    assert "抖音" not in story["body"]
    assert "天祝文明网" not in story["body"]


# 5. Conversion debris


def test_conversion_debris_is_repaired() -> None:
    story = one(
        "<h1>天祝县开展文明实践活动</h1><div>"
        "<p>志愿者们积极参与，、为群众解决了不少实际困难，受到一致好评，，大家很满意。</p>"
        "<p>?</p><p>？？</p>"
        "<p>群众反映的老毛病?,F(xiàn)在都解决了，社区环境焕然一新，居民们的笑容多了起来。</p>"
        f"{BODY}</div>"
    )
    body = story["body"]
    assert "，、" not in body
    assert "，，" not in body
    assert "xiàn" not in body
    assert "F" not in body
    assert "老毛病" in body
    assert "在都解决了" in body
    assert all(paragraph.strip("?？ ") for paragraph in body.split("\n\n"))


# 6. Newspaper pages

NEWSPAPER = (
    '<div class="paper">'
    "<h3>渭南市志愿服务月启动</h3>"
    "<p>本报讯(渭南) 3月5日，渭南市学雷锋志愿服务月活动正式启动，全市各级文明实践中心同步开展活动。</p>"
    "<p>◆ 服务进社区</p>"
    "<p>活动当天，志愿者走进社区为群众义诊、理发、维修家电，服务群众三千余人次，广受好评。</p>"
    '<p><img src="/pic/1.jpg"></p><p>志愿者为老人理发 滕治中摄</p>'
    "<p>◆ 宣讲进乡村</p>"
    "<p>宣讲团深入田间地头，用群众听得懂的语言宣讲政策，把党的声音传到千家万户，效果明显。</p>"
    "<h3>铜川市举办文明实践骨干培训</h3>"
    "<p>铜文</p>"
    "<p>近日，铜川市举办新时代文明实践骨干培训班，各区县文明实践中心负责人和志愿者骨干参加培训。</p>"
    "<p>培训围绕志愿服务项目设计、队伍管理等内容展开，学员们纷纷表示收获满满，将学以致用。</p>"
    "</div>"
)


def test_a_newspaper_page_gives_one_story_per_article() -> None:
    stories = [story.values for story in page(NEWSPAPER, title="渭南日报数字报")]
    assert [story["title"] for story in stories] == [
        "渭南市志愿服务月启动",
        "铜川市举办文明实践骨干培训",
    ]
    first, second = stories
    assert "◆ 服务进社区" in first["body"]
    assert "宣讲团深入田间地头" in first["body"]
    assert "滕治中摄" not in first["body"]
    assert json.loads(first["images"]) == [
        {"url": "https://wm.example.invalid/pic/1.jpg", "caption": "志愿者为老人理发 滕治中摄"}
    ]
    assert second["author"] == "铜文"
    assert not second["body"].startswith("铜文")
    assert first["url"] != second["url"]


# 7. Photo captions


def test_a_short_line_after_a_picture_is_its_caption_not_body() -> None:
    story = one(
        "<h1>天祝县开展文明实践活动</h1><div>"
        "<p>为深入推进新时代文明实践工作，县文明实践中心组织志愿者走进社区，开展政策宣讲和便民服务活动。</p>"
        '<p><img src="/pic/2.jpg"></p><p>志愿者为居民讲解政策</p>'
        "<p>活动现场，志愿者们为群众测量血压、讲解防诈骗知识，受到居民的广泛欢迎，大家纷纷点赞。</p>"
        '<p style="text-align:center"><img src="/pic/3.jpg"></p>'
        '<p style="text-align:center">图为活动现场</p>'
        "<p>下一步，中心将继续整合资源，推动志愿服务常态化、长效化，让文明实践成果惠及更多群众。</p>"
        "</div>"
    )
    assert "讲解政策" not in story["body"].split("\n\n")[1]
    assert "图为活动现场" not in story["body"]
    assert [image["caption"] for image in json.loads(story["images"])] == [
        "志愿者为居民讲解政策",
        "图为活动现场",
    ]


# 8. Markup and script


def test_ruby_readings_are_dropped() -> None:
    story = one(
        "<h1>天祝县开展文明实践活动</h1><div><p>志愿者走进<ruby>华锐<rp>(</rp><rt>huá ruì</rt>"
        f"<rp>)</rp></ruby>草原，为牧民送去政策和温暖，受到牧民群众的热烈欢迎和一致好评。</p>{BODY}</div>"
    )
    assert "走进华锐草原" in story["body"]
    assert "huá" not in story["body"]


def test_a_japanese_page_is_not_converted_to_simplified() -> None:
    text = (
        "<p>東京都内で開かれた会議では、地域のボランティア活動について議論が行われました。</p>"
        "<p>参加者たちは、國際交流の經驗を共有し、今後の協力について話し合いました。</p>"
    )
    story = one(f"<h1>ボランティア會議が開かれる</h1><div>{text}</div>")
    assert "國際交流の經驗" in story["body"]
    assert story["title"] == "ボランティア會議が開かれる"


def test_a_traditional_page_is_read_in_simplified_and_keeps_its_original() -> None:
    story = one(
        "<h1>天祝縣開展文明實踐活動</h1><div>"
        "<p>為深入推進新時代文明實踐工作，縣文明實踐中心組織志願者走進社區，開展政策宣講和便民服務活動。</p>"
        "<p>責任編輯：劉洋</p></div>"
    )
    assert story["title"] == "天祝县开展文明实践活动"
    assert story["body"].startswith("为深入推进新时代文明实践工作")
    assert story["original_body"].startswith("為深入推進")
    assert "编辑" not in story["body"]

"""Pages and feeds in the forms county news sites publish, written for these tests (our
own text): UTF-8, GBK declared and not, Big5 with a broken conversion, a wrongly
declared charset, a newspaper page, a republished story, and pages nobody can read."""

from __future__ import annotations

from demo.news_site import Page

__all__ = ["SITE_PAGES"]

_CHROME = """
<div class="top"><a href="/">设为首页</a> | <a href="#">加入收藏夹</a></div>
<div id="nav"><ul><li><a href="/">首页</a></li><li><a href="/list.html">文明动态</a></li></ul></div>
"""
_FOOTER = """
<div class="footer"><p>主办：凯里市委宣传部　技术支持：某某网络公司</p>
<p>版权所有 黔ICP备12345678号-1　今日访问量：3021</p></div>
"""

KAILI_STORY = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>凯里文明实践中心开展“邻里守望”活动_凯里文明网</title></head>
<body>{_CHROME}
<div class="main"><div class="article">
<h1>凯里文明实践中心开展“邻里守望”活动</h1>
<div class="info">来源：凯里市融媒体中心　作者：王芳　发布时间：2025-03-05 09:30　点击数：123</div>
<div class="content">
<p>　　3月4日，凯里文明实践中心组织志愿者走进大十字街道北京东路社区，开展“邻里守望”志愿服务活动。</p>
<p style="text-align:center"><img src="/uploads/2025/0304.jpg" alt=""></p>
<p style="text-align:center">志愿者为居民测量血压</p>
<p>凯里市新时代文明实践志愿服务总队的队员为老人测量血压、讲解防诈知识，<br>凯里市民纷纷点赞。</p>
<p>下一步，凯里市将继续把“邻里守望”做实做细。</p>
<p>责任编辑：李明</p>
</div>
<div class="share">分享到：微信 微博 QQ空间</div>
</div></div>{_FOOTER}
</body></html>
"""

# The same story on the prefecture's site: another header, one sentence changed.
KAILI_REPUBLISHED = KAILI_STORY.replace("凯里文明网", "黔东南文明网").replace(
    "下一步，凯里市将继续把“邻里守望”做实做细。",
    "下一步，凯里市将持续把“邻里守望”做实做细、做出特色。",
)

GBK_LIST = f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>文明动态</title></head><body>{_CHROME}
<div class="list"><ul>
<li><a href="/news/2025/0310.html">大十字街道开展文明交通劝导志愿服务</a><span>2025-03-10</span></li>
<li><a href="/news/2025/0312.html">北京东路社区举办“四点半课堂”结业仪式</a><span>2025-03-12</span></li>
<li><a href="/news/2025/gone.html">一篇已经删除的旧新闻稿件</a><span>2025-01-01</span></li>
</ul></div>
<div class="page"><a href="/list_2.html">下一页</a></div>{_FOOTER}
</body></html>"""

# GBK without any declaration: found by detection.
GBK_UNDECLARED = """<html><head><title>大十字街道开展文明交通劝导志愿服务</title></head><body>
<h1>大十字街道开展文明交通劝导志愿服务</h1>
<p class="meta">日期：2025年3月10日　来源：大十字街道</p>
<div class="text">
<p>3月10日早高峰，大十字街道组织志愿者在路口开展文明交通劝导，提醒市民不闯红灯、不随意横穿马路。</p>
<p>志愿者们手持小红旗，引导行人有序通行，现场秩序井然。</p>
</div>
<p>（编辑：张三）</p>
</body></html>"""

# Declared as GBK in the header, but written in UTF-8.
WRONGLY_DECLARED = """<html><head><title>北京东路社区举办“四点半课堂”结业仪式</title></head><body>
<h1>北京东路社区举办“四点半课堂”结业仪式</h1>
<div class="info">发布时间：2025/3/12 16:05 作者：刘洋</div>
<div class="content"><p>北京东路社区“四点半课堂”本学期结业，孩子们展示了书法和手工作品。</p>
<p>家长们表示，课堂解决了放学后无人看护的难题。</p></div>
</body></html>"""

# Traditional characters in Big5, through a converter that left runs of ? and doubled
# punctuation; real parentheses must survive.
BIG5_BROKEN = """<html><head><meta charset="big5"><title>濰坊新聞網：志願服務暖人心</title></head>
<body><h1>志願服務暖人心</h1>
<div class="info">來源：濰坊新聞網　發布時間：2025-04-02</div>
<div class="content">
<p>近日，凱里市新時代文明實踐中心組織志願者開展"鄰里守望"活動，，加強社區建設。</p>
<p>活動共服務群眾(120人次)???，受到廣泛好評。。</p>
</div></body></html>"""

# The pinyin a broken simplified→traditional conversion leaves after characters, in GBK.
PINYIN_BROKEN = """<html><head><meta charset="gbk"><title>濰坊新聞網(wǎng)</title></head>
<body><h1>文明實踐建設(shè)見成效</h1><div class="info">發布時間：2025-04-03</div>
<div class="content"><p>濰坊新聞網(wǎng)訊 各級文明實踐陣地建設(shè)持續推進，群眾滿意度不斷提升。</p></div>
</body></html>"""

NEWSPAPER = """<html><head><meta charset="utf-8"><title>凯里日报 第3版</title></head><body>
<div class="story"><h2>社区书屋迎来小读者</h2><p>北京东路社区书屋周末开放，吸引了许多小读者前来阅读。</p>
<p class="meta">发布时间：2025-05-01</p></div>
<div class="story"><h2>志愿者清理河道垃圾</h2><p>大十字街道志愿者沿河清理垃圾，守护绿水青山。</p>
<p class="meta">发布时间：2025-05-01</p></div>
<div class="story"><h2>“邻里守望”再上新台阶</h2><p>“邻里守望”项目新增服务点三个，覆盖更多老人。</p>
<p class="meta">发布时间：2025-05-01</p></div>
</body></html>"""

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>凯里文明网</title><link>http://kaili.test/</link>
<item><title>凯里文明实践中心开展“邻里守望”活动</title>
<link>/news/2025/0305.html</link><pubDate>Wed, 05 Mar 2025 01:30:00 GMT</pubDate>
<description>3月4日，凯里文明实践中心组织志愿者走进社区。</description></item>
<item><title>志願服務暖人心</title><link>/news/2025/big5.html</link>
<pubDate>Wed, 02 Apr 2025 00:00:00 GMT</pubDate><description>摘要</description></item>
<item><title>文明實踐建設(shè)見成效</title><link>/news/2025/pinyin.html</link>
<pubDate>Thu, 03 Apr 2025 00:00:00 GMT</pubDate><description>摘要</description></item>
<item><title>凯里日报 第3版</title><link>/paper/3.html</link>
<pubDate>Thu, 01 May 2025 00:00:00 GMT</pubDate><description>版面</description></item>
<item><title>全文收录的稿件</title><link>/news/2025/full.html</link>
<pubDate>Fri, 06 Jun 2025 02:00:00 GMT</pubDate>
<content:encoded><![CDATA[<p>6月5日，北京东路社区开展垃圾分类宣传，志愿者挨家挨户发放宣传册，讲解垃圾分类的方法和意义，居民们认真听讲、积极参与。</p><p>社区还设立了垃圾分类积分兑换点，居民凭积分可以兑换洗衣粉、毛巾等生活用品，进一步提高了大家参与垃圾分类的积极性和主动性，社区环境越来越好。</p>]]></content:encoded></item>
<item><title>乱码稿件</title><link>/news/2025/garbled.html</link>
<pubDate>Sat, 07 Jun 2025 00:00:00 GMT</pubDate><description>x</description></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>黔东南文明网</title>
<entry><title>凯里文明实践中心开展“邻里守望”活动</title>
<link href="/2025/0306.html"/><published>2025-03-06T08:00:00+08:00</published>
<summary>转载</summary></entry>
</feed>"""

SITE_PAGES = {
    "/rss.xml": Page(RSS.encode("utf-8"), "application/rss+xml"),
    "/atom.xml": Page(ATOM.encode("utf-8"), "application/atom+xml"),
    "/list.html": Page(GBK_LIST.encode("gbk"), "text/html"),
    "/news/2025/0305.html": Page(KAILI_STORY.encode("utf-8"), "text/html; charset=utf-8"),
    "/news/2025/0310.html": Page(GBK_UNDECLARED.encode("gbk"), "text/html"),
    "/news/2025/0312.html": Page(WRONGLY_DECLARED.encode("utf-8"), "text/html; charset=gbk"),
    "/news/2025/big5.html": Page(BIG5_BROKEN.encode("big5"), "text/html"),
    "/news/2025/pinyin.html": Page(PINYIN_BROKEN.encode("gbk"), "text/html"),
    "/paper/3.html": Page(NEWSPAPER.encode("utf-8"), "text/html; charset=utf-8"),
    "/news/2025/garbled.html": Page(b"<html><body>\xff\xfe\xff\xfe\xff</body></html>" * 3, None),
    "/2025/0306.html": Page(KAILI_REPUBLISHED.encode("utf-8"), "text/html"),
}

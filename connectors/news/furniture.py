"""Lines that are the site around a story, not the story: breadcrumbs, account blocks,
editor and copyright lines, ICP filings, counters, share bars, next/previous links.

Matched on the line in simplified characters (the caller converts first), so that
責任編輯 and 责任编辑 are one rule, and after the repair of conversion debris.
"""

from __future__ import annotations

import re

from connectors.news.repair import repair
from db.search import simplified

__all__ = ["ACCOUNT_LINE", "FURNITURE_LINE", "is_furniture"]

FURNITURE_LINE = re.compile(
    r"设为首页|加入收藏|当前位置|您的位置|您现在的位置|所在位置|首页\s*(?:>|›|»|＞|→|/)|>>\s*正文|"
    r"版权所有|版权声明|Copyright|©|ICP\s*[备证]|备案[号编]|公网安备|主办[:：]|主办单位|承办单位|协办单位|"
    r"技术支持|联系我们|网站地图|免责声明|关于我们|责任编辑|责编[:：]|编辑[:：]|审核[:：]|校对[:：]|"
    r"分享到|分享至|扫一扫|扫码|打印本页|打印此页|打印文稿|关闭窗口|上一篇|下一篇|字体[:：]|字号[:：]|"
    r"【字体|返回顶部|返回首页|访问量|浏览次数|阅读次数|点击数|点击率|今日访问|访问人数|阅读量|浏览量|"
    r"公众号|抖音号|头条号|视频号|微博[:：]|客户端下载|下载客户端|我要评论|网友评论|发表评论|我要分享|"
    r"相关新闻|相关阅读|相关文章|推荐阅读|热门推荐|【纠错】|转载请注明|转寄朋友|\d+\s*人参与|\d+\s*评论$",
    re.IGNORECASE,
)
# The site's accounts on other platforms, listed under the site's name.
ACCOUNT_LINE = re.compile(
    r"^(?:官方)?(?:微信)?(?:公众号|抖音号?|头条号?|视频号|快手号?|微博|微信|小红书)"
)
# A furniture line is short; a paragraph that mentions 版权 in passing is text.
_LONGEST = 120


def is_furniture(line: str) -> bool:
    text = simplified(repair(line)).strip()
    return len(text) <= _LONGEST and bool(FURNITURE_LINE.search(text))

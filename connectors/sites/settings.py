"""How registers spell site kinds and statuses."""

from __future__ import annotations

from db.models import SiteKind, SiteStatus

__all__ = ["KIND_WORDS", "REGISTER_COLUMNS", "STATUS_WORDS"]

REGISTER_COLUMNS = {"阵地名称", "阵地类型", "区划代码"}

# Longest spellings first: 分中心 must not be read as 中心.
KIND_WORDS: tuple[tuple[str, SiteKind], ...] = (
    ("州级新时代文明实践中心", SiteKind.PREFECTURE_CENTER),
    ("市级新时代文明实践中心", SiteKind.PREFECTURE_CENTER),
    ("州中心", SiteKind.PREFECTURE_CENTER),
    ("市级中心", SiteKind.PREFECTURE_CENTER),
    ("prefecture_center", SiteKind.PREFECTURE_CENTER),
    ("片区分中心", SiteKind.SUB_CENTER),
    ("分中心", SiteKind.SUB_CENTER),
    ("sub_center", SiteKind.SUB_CENTER),
    ("新时代文明实践中心", SiteKind.CENTER),
    ("中心", SiteKind.CENTER),
    ("center", SiteKind.CENTER),
    ("新时代文明实践所", SiteKind.INSTITUTE),
    ("实践所", SiteKind.INSTITUTE),
    ("institute", SiteKind.INSTITUTE),
    ("新时代文明实践站", SiteKind.STATION),
    ("实践站", SiteKind.STATION),
    ("station", SiteKind.STATION),
    ("实践点", SiteKind.POINT),
    ("point", SiteKind.POINT),
    ("实践岗", SiteKind.POST),
    ("post", SiteKind.POST),
)

STATUS_WORDS: dict[str, SiteStatus] = {
    "在建": SiteStatus.BUILDING,
    "筹建": SiteStatus.BUILDING,
    "运行": SiteStatus.OPEN,
    "正常": SiteStatus.OPEN,
    "已建成": SiteStatus.OPEN,
    "开放": SiteStatus.OPEN,
    "": SiteStatus.OPEN,
    "停用": SiteStatus.SUSPENDED,
    "暂停": SiteStatus.SUSPENDED,
}

"""How registries spell team kinds, genders and ID document types."""

from __future__ import annotations

from db.models import Gender, TeamKind

__all__ = ["GENDER_WORDS", "ID_CARD_TYPES", "TEAM_COLUMNS", "TEAM_KIND_WORDS", "VOLUNTEER_COLUMNS"]

TEAM_COLUMNS = {"队伍编号", "队伍名称"}
VOLUNTEER_COLUMNS = {"志愿者编号", "姓名", "证件号码", "注册时间"}

TEAM_KIND_WORDS: tuple[tuple[str, TeamKind], ...] = (
    ("总队", TeamKind.GENERAL_BRIGADE),
    ("支队", TeamKind.DETACHMENT),
    ("专业", TeamKind.PROFESSIONAL),
    ("社会组织", TeamKind.SOCIAL_ORGANIZATION),
    ("村", TeamKind.VILLAGE),
    ("社区", TeamKind.VILLAGE),
)

GENDER_WORDS = {"男": Gender.MALE, "女": Gender.FEMALE, "": Gender.UNKNOWN}

# Only the resident identity card follows GB 11643; other documents are kept as given.
ID_CARD_TYPES = {"", "身份证", "居民身份证", "内地居民身份证", "第二代居民身份证"}

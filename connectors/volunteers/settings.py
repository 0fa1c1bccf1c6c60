"""How registries spell team kinds, genders and ID document types."""

from __future__ import annotations

from db.models import Gender, TeamKind

__all__ = [
    "EXPORT_VOLUNTEER_HEADER",
    "GENDER_WORDS",
    "ID_CARD_TYPES",
    "TEAM_COLUMNS",
    "TEAM_KIND_WORDS",
    "VOLUNTEER_COLUMNS",
]

TEAM_COLUMNS = {"队伍编号", "队伍名称"}
VOLUNTEER_COLUMNS = {"志愿者编号", "姓名", "证件号码", "注册时间"}

# The national registry's volunteer export, column by column (for writing one).
EXPORT_VOLUNTEER_HEADER = (
    "志愿者编号",
    "姓名",
    "证件类型",
    "证件号码",
    "性别",
    "出生日期",
    "手机号码",
    "政治面貌",
    "注册时间",
    "所属队伍",
    "所在区划",
    "累计服务时长(小时)",
)

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

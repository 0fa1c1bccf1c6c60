"""How points banks, credit lists and honour lists spell their columns and words, and
the rules a bank states (section 3 of sources.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from db.models import HonourLevel, PointsEntryKind

__all__ = [
    "COLUMNS",
    "CREDIT_COLUMNS",
    "CREDIT_GRADE",
    "ENTRY_COLUMNS",
    "HONOUR_COLUMNS",
    "HONOUR_LEVEL_WORDS",
    "KIND_WORDS",
    "LEDGER_HEADER",
    "REASON_CODES",
    "ROSTER_COLUMNS",
    "BankRules",
]

# Each column as the banks spell it, first the spelling of sources.md.
COLUMNS: Mapping[str, tuple[str, ...]] = {
    "entry_id": ("流水号", "记录编号", "凭证号"),
    "household": ("户编号", "户号", "家庭编号", "存折号"),
    "head": ("户主姓名", "户主", "家庭", "姓名"),
    "village": ("所属村(社区)", "所属村（社区）", "村(社区)", "所属村", "村组"),
    "division": ("区划代码", "村级区划代码", "区划"),
    "address": ("住址", "家庭住址", "地址"),
    "bank": ("储蓄所", "积分银行", "道德银行", "积分超市"),
    "date": ("日期", "记录日期", "发生日期", "时间"),
    "kind": ("类型", "积分类型", "收支类型", "业务类型"),
    "points": ("分值", "积分", "分数", "数额"),
    "reason": ("事由", "积分事由", "原因", "说明"),
    "item": ("兑换物品", "物品"),
    "value": ("兑换金额(元)", "兑换金额", "金额(元)", "金额"),
    "clerk": ("经办人", "操作员", "记录人"),
    "opened": ("开户日期", "建档日期"),
    "grade": ("信用等级", "等级"),
    "credit": ("授信额度(万元)", "授信额度", "授信金额(万元)"),
    "rated": ("评定日期", "评定时间"),
    "lender": ("银行", "授信银行", "金融机构"),
    "title": ("称号", "荣誉称号"),
    "level": ("级别", "荣誉级别"),
    "year": ("年度", "年份", "评选年度"),
}

# A file must have one spelling of each of these.
ENTRY_COLUMNS = ("household", "date", "kind", "points")
ROSTER_COLUMNS = ("household", "head")
CREDIT_COLUMNS = ("household", "grade", "credit", "rated", "lender")
HONOUR_COLUMNS = ("head", "title", "level", "year")

# A passbook ledger export as sources.md lays it out (for writing one).
LEDGER_HEADER = (
    "户编号",
    "户主姓名",
    "所属村(社区)",
    "日期",
    "类型",
    "分值",
    "事由",
    "兑换物品",
    "兑换金额(元)",
    "经办人",
)

KIND_WORDS: Mapping[str, PointsEntryKind] = {
    "加分": PointsEntryKind.EARN,
    "存入": PointsEntryKind.EARN,
    "奖励": PointsEntryKind.EARN,
    "积分": PointsEntryKind.EARN,
    "扣分": PointsEntryKind.DEDUCT,
    "扣除": PointsEntryKind.DEDUCT,
    "减分": PointsEntryKind.DEDUCT,
    "兑换": PointsEntryKind.REDEEM,
    "支取": PointsEntryKind.REDEEM,
    "消费": PointsEntryKind.REDEEM,
    "过期": PointsEntryKind.EXPIRE,
    "清零": PointsEntryKind.EXPIRE,
    "调整": PointsEntryKind.ADJUST,
    "更正": PointsEntryKind.ADJUST,
    "冲正": PointsEntryKind.ADJUST,
}

# Reasons recognised by a word they contain, for comparing like with like across banks.
REASON_CODES: tuple[tuple[str, str], ...] = (
    ("理论学习", "study"),
    ("学习", "study"),
    ("志愿服务", "volunteer_service"),
    ("卫生", "clean_home"),
    ("孝", "filial_piety"),
    ("最美家庭", "model_family"),
    ("文明家庭", "model_family"),
    ("办酒", "banned_banquet"),
    ("彩礼", "high_bride_price"),
    ("薄养厚葬", "neglect_elders"),
    ("乱堆乱放", "littering"),
    ("兑换", "redeem"),
)

HONOUR_LEVEL_WORDS: tuple[tuple[str, HonourLevel], ...] = (
    ("全国", HonourLevel.NATIONAL),
    ("国家", HonourLevel.NATIONAL),
    ("中央", HonourLevel.NATIONAL),
    ("省", HonourLevel.PROVINCIAL),
    ("市", HonourLevel.CITY),
    ("州", HonourLevel.CITY),
    ("地区", HonourLevel.CITY),
    ("县", HonourLevel.COUNTY),
    ("区", HonourLevel.COUNTY),
    ("旗", HonourLevel.COUNTY),
)

# 文明信用户 grades as banks publish them.
CREDIT_GRADE = r"A{1,3}|B{1,3}|C{1,3}|D"


@dataclass(frozen=True, slots=True)
class BankRules:
    """A points bank's stated rules, from the sources file.

    A redemption may not take the balance below `redemption_floor`; no single entry may
    exceed `max_entry_points` (a typing error such as 500 for 5); a passbook opens with
    `start_balance` points.
    """

    start_balance: int = 0
    yuan_per_point: Decimal = Decimal(1)
    redemption_floor: int = 0
    max_entry_points: int | None = None
    # A bank's own words for entry types, beside KIND_WORDS.
    kind_words: Mapping[str, PointsEntryKind] = field(default_factory=dict)

    @property
    def fen_per_point(self) -> int:
        return int(self.yuan_per_point * 100)

    def kind_of(self, word: str) -> PointsEntryKind | None:
        return self.kind_words.get(word) or KIND_WORDS.get(word)

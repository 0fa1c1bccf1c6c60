"""Passbook ledger exports (文明存折 流水) of points banks: one row per entry.

Banks spell their columns and entry types differently (加分/扣分/兑换, 存入/支取 …); the
spellings are in settings, a bank's own words in its rules. Every row names the bank
(a 储蓄所 column, or the bank the source is configured for), the household and one
entry. Entries are append-only: each is known by its 流水号 or, where the bank has
none, by its content and how many identical rows came before it in the file.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from connectors.base import Mapped, Ref, Rejection, Stream
from connectors.normalise import cell, parse_date, parse_number
from connectors.points.households import household_of, text_of
from connectors.points.settings import COLUMNS, ENTRY_COLUMNS, REASON_CODES, BankRules
from connectors.points.table import TableConnector
from db import models as m

__all__ = ["OCCURRENCE", "PassbookLedgerConnector", "map_entry_row", "reason_code"]

# Where reading notes how many identical rows (without a 流水号) came before this one.
OCCURRENCE = "_occurrence"
_KEYED_COLUMNS = ("bank", "household", "date", "kind", "points", "reason", "item")
_SIGNED = {m.PointsEntryKind.EARN: 1, m.PointsEntryKind.ADJUST: 0}


def reason_code(reason: str) -> str | None:
    return next((code for word, code in REASON_CODES if word in reason), None)


def map_entry_row(
    row: Mapping[str, Any],
    county_code: str,
    bank: str,
    rules: BankRules,
    division_code: str | None = None,
) -> list[Mapped]:
    """The bank, household, passbook and entry of one ledger row of `bank`."""
    key, household = household_of(row, county_code)
    occurred = parse_date(cell(row, *COLUMNS["date"]), "日期")
    assert occurred is not None
    word = text_of(row, "kind")
    kind = rules.kind_of(word)
    if kind is None:
        raise Rejection(
            f"类型 {word!r} is not an entry type of this bank (加分, 扣分, 兑换, 存入, 支取 …)",
            "类型",
        )
    points = _points(row, word, kind, rules)
    reason = text_of(row, "reason") or None
    item = text_of(row, "item") or None
    value_fen = _redeemed_value(row, word, kind, points, rules)
    entry_id = text_of(row, "entry_id")
    if entry_id:
        source_id = f"{bank}|{entry_id}"
    else:
        content = "|".join(str(part) for part in (key, occurred, kind.value, points, reason, item))
        digest = hashlib.sha256(content.encode()).hexdigest()[:24]
        source_id = f"{bank}|{digest}#{row.get(OCCURRENCE, 1)}"
    account_id = f"{bank}|{key}"
    records = [
        Mapped(
            m.PointsBank,
            bank,
            {
                "name": bank,
                "county_code": county_code,
                "division_code": division_code or county_code,
                "site_id": None,
                "start_balance": rules.start_balance,
                "fen_per_point": rules.fen_per_point,
                "redemption_floor": rules.redemption_floor,
            },
        )
    ]
    if household is not None:
        records.append(household)
    opened = parse_date(cell(row, *COLUMNS["opened"]), "开户日期", required=False)
    records.append(
        Mapped(
            m.PointsAccount,
            account_id,
            {"bank_id": None, "household_id": None, "opened_on": opened},
            (
                Ref("bank_id", m.PointsBank, bank, label="储蓄所"),
                Ref("household_id", m.Household, key, label="户编号"),
            ),
            {"start_balance": rules.start_balance, "opened_on": opened or occurred},
        )
    )
    records.append(
        Mapped(
            m.PointsEntry,
            source_id,
            {
                "account_id": None,
                "kind": kind,
                "points": points,
                "reason": reason,
                "reason_code": reason_code(reason or ""),
                "occurred_on": occurred,
                "redeemed_item": item if kind is m.PointsEntryKind.REDEEM else None,
                "redeemed_value_fen": value_fen,
                "handled_by": text_of(row, "clerk") or None,
            },
            (Ref("account_id", m.PointsAccount, account_id, label="存折"),),
            {"floor": rules.redemption_floor},
        )
    )
    return records


def _points(row: Mapping[str, Any], word: str, kind: m.PointsEntryKind, rules: BankRules) -> int:
    raw = cell(row, *COLUMNS["points"])
    number = parse_number(raw, "分值", required=True, minimum=None)
    assert number is not None
    if number != number.to_integral_value():
        raise Rejection(f"分值 {number} is not a whole number of points", "分值")
    if number == 0:
        raise Rejection("分值 is 0; an entry moves at least one point", "分值")
    written_sign = -1 if number < 0 else (1 if str(raw).strip().startswith("+") else 0)
    direction = _SIGNED.get(kind, -1)
    if written_sign and direction and written_sign != direction:
        raise Rejection(
            f"分值 {number} contradicts 类型 {word}: "
            f"{'an earning adds' if direction > 0 else 'it takes away'} points",
            "分值",
        )
    points = int(number) if kind is m.PointsEntryKind.ADJUST else int(abs(number)) * direction
    if rules.max_entry_points is not None and abs(points) > rules.max_entry_points:
        raise Rejection(
            f"分值 {abs(points)} is above this bank's limit of {rules.max_entry_points} "
            "points for one entry",
            "分值",
        )
    return points


def _redeemed_value(
    row: Mapping[str, Any], word: str, kind: m.PointsEntryKind, points: int, rules: BankRules
) -> int | None:
    """A redemption's worth in fen: the bank's rate unless the row says, and then it must
    agree with the rate."""
    given = parse_number(cell(row, *COLUMNS["value"]), "兑换金额(元)")
    if kind is not m.PointsEntryKind.REDEEM:
        if given:
            raise Rejection(
                f"兑换金额(元) is given on a {word} entry; only 兑换 has one", "兑换金额"
            )
        return None
    expected = -points * rules.fen_per_point
    if given is not None and int(given * 100) != expected:
        raise Rejection(
            f"兑换金额(元) {given} does not match {-points} points at "
            f"¥{rules.yuan_per_point} a point (¥{Decimal(expected) / 100})",
            "兑换金额(元)",
        )
    return expected


class PassbookLedgerConnector(TableConnector):
    """One bank's (or one county's banks') ledger export."""

    stream = Stream("entries", snapshot=False)
    required = ENTRY_COLUMNS

    def __init__(
        self,
        system: str,
        county_code: str,
        path: Path,
        bank: str,
        rules: BankRules,
        *,
        bank_rules: Mapping[str, BankRules] | None = None,
        division_code: str | None = None,
    ) -> None:
        """`bank`: the bank of rows without a 储蓄所 column; `bank_rules`: rules of banks
        that differ from `rules`; `division_code`: where the bank sits (the county)."""
        super().__init__(system, county_code, path)
        self._bank, self._rules = bank, rules
        self._bank_rules = dict(bank_rules or {})
        self._division = division_code

    def preparer(self) -> Callable[[dict[str, Any]], dict[str, Any]]:
        # Digests, not the rows: a year of a county's ledger is hundreds of thousands.
        seen: Counter[bytes] = Counter()

        def prepare(row: dict[str, Any]) -> dict[str, Any]:
            if not text_of(row, "entry_id"):
                parts = "\x1f".join(text_of(row, column) for column in _KEYED_COLUMNS)
                content = hashlib.blake2b(parts.encode(), digest_size=16).digest()
                seen[content] += 1
                row[OCCURRENCE] = seen[content]
            return row

        return prepare

    def map_row(self, row: Mapping[str, Any]) -> list[Mapped]:
        bank = text_of(row, "bank") or self._bank
        rules = self._bank_rules.get(bank, self._rules)
        return map_entry_row(row, self.county_code, bank, rules, self._division)

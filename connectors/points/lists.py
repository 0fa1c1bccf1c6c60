"""Household rosters (农户名册), credit-rating lists (文明信用户 / 授信) and honour lists
(文明家庭 / 最美家庭): one row per household, tied to the households of the ledgers by
(county, 户编号)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from connectors.base import Findings, Mapped, Rejection, Stream
from connectors.normalise import cell, parse_date, parse_number
from connectors.points.households import household_of, household_ref, text_of
from connectors.points.settings import (
    COLUMNS,
    CREDIT_COLUMNS,
    CREDIT_GRADE,
    HONOUR_COLUMNS,
    HONOUR_LEVEL_WORDS,
    ROSTER_COLUMNS,
)
from connectors.points.table import TableConnector
from db import models as m
from db.pii import PersonalDataCipher

__all__ = [
    "CreditListConnector",
    "HonourListConnector",
    "HouseholdRosterConnector",
    "map_credit_row",
    "map_honour_row",
]

_GRADE = re.compile(CREDIT_GRADE)
_YEAR = re.compile(r"(\d{4})(年度?)?")


class HouseholdRosterConnector(TableConnector):
    """The households of a county as its villages register them: a full list each time,
    so a household no longer on it is retired."""

    stream = Stream("households", snapshot=True)
    required = ROSTER_COLUMNS

    def map_row(self, row: Mapping[str, Any]) -> list[Mapped]:
        _, household = household_of(row, self.county_code)
        if household is None:
            raise Rejection(
                "所属村(社区) or 区划代码 is empty: where does it live?", "所属村(社区)"
            )
        return [household]


def map_credit_row(row: Mapping[str, Any], county_code: str) -> list[Mapped]:
    """户编号, 信用等级, 授信额度(万元), 评定日期, 银行."""
    key, household = household_of(row, county_code)
    grade = text_of(row, "grade").upper()
    if not _GRADE.fullmatch(grade):
        raise Rejection(f"信用等级 {grade!r} is not a grade (AAA, AA, A, B …)", "信用等级")
    credit = parse_number(cell(row, *COLUMNS["credit"]), "授信额度(万元)", required=True)
    assert credit is not None
    rated = parse_date(cell(row, *COLUMNS["rated"]), "评定日期")
    lender = text_of(row, "lender")
    if not lender:
        raise Rejection("银行 is empty: which bank granted the credit?", "银行")
    rating = Mapped(
        m.CreditRating,
        f"{key}|{rated}|{lender}",
        {
            "household_id": None,
            "grade": grade,
            "credit_line_yuan": int(credit * 10_000),
            "rated_on": rated,
            "bank_name": lender,
        },
        (household_ref(key),),
        columns={"household_id": "户编号", "rated_on": "评定日期", "bank_name": "银行"},
    )
    return [household, rating] if household is not None else [rating]


class CreditListConnector(TableConnector):
    """A list of civic-credit households and the credit banks granted them."""

    stream = Stream("ratings", snapshot=False)
    required = CREDIT_COLUMNS

    def map_row(self, row: Mapping[str, Any]) -> list[Mapped]:
        return map_credit_row(row, self.county_code)


def map_honour_row(
    row: Mapping[str, Any], county_code: str, cipher: PersonalDataCipher, today: date
) -> list[Mapped]:
    """户主 or 家庭, 区划, 称号, 级别 (全国 / 省 / 市 / 县), 年度; 户编号 where the list has it."""
    findings = Findings()
    found = findings.check(lambda: household_of(row, county_code, cipher=cipher))
    if found is not None and found[1] is None:
        findings.add("区划 is empty: where does the household live?", "区划")
    title = text_of(row, "title")
    if not title:
        findings.add("称号 is empty (文明家庭, 最美家庭 …)", "称号")
    spoken = text_of(row, "level")
    level = next((level for word, level in HONOUR_LEVEL_WORDS if word in spoken), None)
    if level is None:
        findings.add(f"级别 {spoken!r} should be 全国, 省, 市 or 县", "级别")
    year_text = text_of(row, "year")
    match = _YEAR.fullmatch(year_text.removesuffix(".0"))
    year = int(match.group(1)) if match else 0
    if not 1990 <= year <= today.year:
        findings.add(f"年度 {year_text!r} is not a year up to {today.year}", "年度")
    findings.settle()
    # settle() refused the record otherwise
    assert found is not None
    assert level is not None
    key, household = found
    assert household is not None
    honour = Mapped(
        m.HouseholdHonour,
        f"{key}|{title}|{level.value}|{year}",
        {"household_id": None, "title": title, "level": level, "year": year},
        (household_ref(key, "户主"),),
        columns={"household_id": "户主", "title": "称号", "level": "级别", "year": "年度"},
    )
    return [household, honour]


class HonourListConnector(TableConnector):
    """Households named 文明家庭 / 最美家庭 at some level in some year."""

    stream = Stream("honours", snapshot=False)
    required = HONOUR_COLUMNS

    def __init__(
        self,
        system: str,
        county_code: str,
        path: Path,
        cipher: PersonalDataCipher,
        today: date | None = None,
    ) -> None:
        super().__init__(system, county_code, path)
        self._cipher = cipher
        self._today = today or date.today()

    def map_row(self, row: Mapping[str, Any]) -> list[Mapped]:
        return map_honour_row(row, self.county_code, self._cipher, self._today)

"""Values as real exports write them: dates in five spellings, full-width digits, stray
spaces, 是/否. Each function returns the clean value or raises Rejection naming the column."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from connectors.base import Rejection

__all__ = [
    "cell",
    "clean_text",
    "header_key",
    "parse_bool",
    "parse_date",
    "parse_number",
    "split_list",
]

_EXCEL_EPOCH = date(1899, 12, 30)
_DATE_PATTERNS = (
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"),
    re.compile(r"(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})"),
    re.compile(r"(?P<y>\d{4})\.(?P<m>\d{1,2})\.(?P<d>\d{1,2})"),
    re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日?"),
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"),
)
_UNIT = re.compile(r"(平方米|㎡|m2|小时|h|元|分)$")
_TRUE = {"是", "y", "yes", "true", "1", "√", "示范"}
_FALSE = {"否", "n", "no", "false", "0", ""}


# Full-width digits and Latin letters (０-９, Ａ-Ｚ, ａ-ｚ) folded to ASCII; Chinese
# punctuation such as （） and ，stays as written.
_LIST_SEPARATORS = re.compile(r"[、,，;；]")
_WIDTH_FOLD = {
    code: code - 0xFEE0
    for code in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))
}


def clean_text(value: Any) -> str:
    """Single-spaced and trimmed, full-width digits and letters made half-width, a
    spreadsheet's leading apostrophe dropped."""
    if value is None:
        return ""
    text = str(value)
    if not text.isascii():
        text = text.translate(_WIDTH_FOLD)
    # str.split() knows every Unicode space, the ideographic one included.
    return " ".join(text.split()).lstrip("'")


@lru_cache(maxsize=4096)
def header_key(value: Any) -> str:
    """A column header as matched: 面积(㎡), 面积（㎡） and 面积(m2) are one column."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value or ""))).rstrip("*")


def parse_date(value: Any, column: str, *, required: bool = True) -> date | None:
    """2021-03-05, 2021/3/5, 2021年3月5日, 20210305, a datetime, or a spreadsheet serial."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _serial(float(value), column)
    text = clean_text(value)
    if not text:
        if required:
            raise Rejection(f"{column} is empty; a date is required (e.g. 2021-03-05)", column)
        return None
    text = text.split(" ")[0].split("T")[0]
    for pattern in _DATE_PATTERNS:
        if match := pattern.fullmatch(text):
            try:
                return date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                raise Rejection(f"{column} {text!r} is not a real date", column) from None
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        return _serial(float(text), column)
    raise Rejection(f"{column} {text!r} is not a date (write 2021-03-05)", column)


def _serial(serial: float, column: str) -> date:
    if not 1 <= serial < 80_000:
        raise Rejection(f"{column} {serial!r} is not a spreadsheet date", column)
    return _EXCEL_EPOCH + timedelta(days=int(serial))


def parse_bool(value: Any, column: str) -> bool:
    text = clean_text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise Rejection(f"{column} {text!r} should be 是 or 否", column)


def parse_number(
    value: Any, column: str, *, required: bool = False, minimum: float | None = 0
) -> Decimal | None:
    """A number written with full-width digits, thousands separators or units left on."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = Decimal(str(value))
    else:
        text = clean_text(value).replace(",", "").replace("，", "")
        text = _UNIT.sub("", text).strip()
        if not text:
            if required:
                raise Rejection(f"{column} is empty; a number is required", column)
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise Rejection(f"{column} {text!r} is not a number", column) from None
    if minimum is not None and number < minimum:
        raise Rejection(f"{column} is {number}; it cannot be below {minimum:g}", column)
    return number


def split_list(value: Any) -> list[str]:
    """A cell holding several names separated by 、 , ， ; or ；."""
    text = clean_text(value)
    if not text:
        return []
    return [part for part in (clean_text(p) for p in _LIST_SEPARATORS.split(text)) if part]


def cell(row: Mapping[str, Any], *names: str) -> Any:
    """A row's value under the first of `names` present, matched as headers are cleaned
    (面积(㎡) and 面积（㎡） are the same column)."""
    for name in names:
        key = header_key(name)
        if key in row:
            return row[key]
    return None

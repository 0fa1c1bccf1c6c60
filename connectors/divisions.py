"""The public division-code files (统计用区划代码: provinces, cities, areas, streets CSVs)
read into division records with full-length national codes."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from connectors.errors import SourceFormatError
from db.models import DivisionLevel

__all__ = [
    "DIVISION_FILES",
    "DivisionRecord",
    "canonical_code",
    "read_divisions",
    "read_populations",
]

# Parents come before children so that every parent code already exists when loaded.
DIVISION_FILES: tuple[tuple[str, DivisionLevel, str | None], ...] = (
    ("provinces.csv", DivisionLevel.PROVINCE, None),
    ("cities.csv", DivisionLevel.PREFECTURE, "provinceCode"),
    ("areas.csv", DivisionLevel.COUNTY, "cityCode"),
    ("streets.csv", DivisionLevel.TOWNSHIP, "areaCode"),
)


@dataclass(frozen=True, slots=True)
class DivisionRecord:
    code: str
    name: str
    level: DivisionLevel
    parent_code: str | None


def canonical_code(short: str) -> str:
    """The full national code: 2/4/6 digits pad to GB/T 2260's six, 9 digits to twelve."""
    digits = short.strip()
    if not digits.isdigit() or len(digits) not in (2, 4, 6, 9, 12):
        raise ValueError(f"{short!r} is not a division code of 2, 4, 6, 9 or 12 digits")
    if len(digits) <= 6:
        return digits.ljust(6, "0")
    return digits.ljust(12, "0")


def read_divisions(directory: Path) -> Iterator[DivisionRecord]:
    """Every division in `directory`, provinces first; a file that is absent is skipped,
    a file without the expected columns is a SourceFormatError."""
    found = False
    for filename, level, parent_column in DIVISION_FILES:
        path = directory / filename
        if not path.exists():
            continue
        found = True
        yield from _read_file(path, level, parent_column)
    if not found:
        names = ", ".join(name for name, _, _ in DIVISION_FILES)
        raise SourceFormatError(str(directory), f"holds none of the division files ({names})")


def _read_file(
    path: Path, level: DivisionLevel, parent_column: str | None
) -> Iterator[DivisionRecord]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        required = {"code", "name"} | ({parent_column} if parent_column else set())
        missing = required - set(reader.fieldnames or ())
        if missing:
            raise SourceFormatError(str(path), f"lacks the column(s) {', '.join(sorted(missing))}")
        for line, row in enumerate(reader, start=2):
            if not any((value or "").strip() for value in row.values()):
                continue
            try:
                code = canonical_code(row["code"])
                parent = canonical_code(row[parent_column]) if parent_column else None
            except ValueError as error:
                raise SourceFormatError(str(path), f"line {line}: {error}") from None
            yield DivisionRecord(code, row["name"].strip(), level, parent)


def read_populations(path: Path) -> Iterator[tuple[str, int]]:
    """(full division code, residents) from a CSV with the columns code (or 区划代码)
    and population (or 常住人口 / 人口)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = set(reader.fieldnames or ())
        code_column = next((name for name in ("code", "区划代码") if name in fields), None)
        count_column = next(
            (name for name in ("population", "常住人口", "人口") if name in fields), None
        )
        if code_column is None or count_column is None:
            raise SourceFormatError(
                str(path), "needs the columns code (区划代码) and population (常住人口)"
            )
        for line, row in enumerate(reader, start=2):
            raw_code, raw_count = (
                (row.get(code_column) or "").strip(),
                (row.get(count_column) or "").strip(),
            )
            if not raw_code and not raw_count:
                continue
            try:
                code = canonical_code(raw_code)
                count = int(raw_count.replace(",", ""))
            except ValueError:
                raise SourceFormatError(
                    str(path),
                    f"line {line}: {raw_code!r} {raw_count!r} is not a code and a whole number",
                ) from None
            if count < 0:
                raise SourceFormatError(str(path), f"line {line}: a population cannot be negative")
            yield code, count

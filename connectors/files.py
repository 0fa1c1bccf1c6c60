"""Tables exported by county systems: CSV (UTF-8 or GB18030) and XLSX, read as a stream
of rows keyed by their (cleaned) headers, with the row number a clerk sees."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from connectors.errors import SourceFormatError
from connectors.normalise import header_key

__all__ = ["file_digest", "read_table"]


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_table(
    path: Path, required: Iterable[str | tuple[str, ...]]
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number, {header: value}) for every non-blank row; the header row is row 1.
    A file without the `required` columns is a SourceFormatError; a column given as a
    tuple may be spelled any of those ways."""
    if not path.exists():
        raise SourceFormatError(str(path), "does not exist")
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        rows = _xlsx_rows(path)
    elif suffix in {".csv", ".txt"}:
        rows = _csv_rows(path)
    else:
        raise SourceFormatError(str(path), f"is neither CSV nor XLSX ({suffix or 'no extension'})")
    header: list[str] | None = None
    for number, cells in rows:
        if header is None:
            header = [header_key(cell) for cell in cells]
            missing = [
                " or ".join(spellings)
                for spellings in (
                    (column,) if isinstance(column, str) else column for column in required
                )
                if not any(header_key(name) in header for name in spellings)
            ]
            if missing:
                raise SourceFormatError(
                    str(path), f"lacks the column(s) {', '.join(sorted(missing))}"
                )
            continue
        if all(cell is None or not str(cell).strip() for cell in cells):
            continue  # blank trailing rows
        yield (
            number,
            {
                name: cells[index] if index < len(cells) else None
                for index, name in enumerate(header)
                if name
            },
        )
    if header is None:
        raise SourceFormatError(str(path), "is empty")


def _csv_rows(path: Path) -> Iterator[tuple[int, list[Any]]]:
    encoding = _sniff_encoding(path)
    try:
        with path.open(encoding=encoding, newline="") as handle:
            yield from enumerate(csv.reader(handle), start=1)
    except UnicodeDecodeError:
        raise SourceFormatError(str(path), f"is not valid {encoding} text throughout") from None


def _sniff_encoding(path: Path) -> str:
    """UTF-8 (with or without a BOM) or GBK, which GB18030 reads in full."""
    with path.open("rb") as handle:
        head = handle.read(1 << 16)
    try:
        # A multi-byte character may be cut at the end of the sample.
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 3:
            return "gb18030"
    return "utf-8-sig"


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError) as error:
        raise SourceFormatError(str(path), f"is not a readable XLSX workbook ({error})") from None
    try:
        sheet = workbook.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(cells)
    finally:
        workbook.close()

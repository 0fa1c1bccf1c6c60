"""Tables exported by county systems: CSV (UTF-8 or GB18030) and XLSX, read as a stream
of rows keyed by their (cleaned) headers, with the row number a clerk sees."""

from __future__ import annotations

import codecs
import csv
import hashlib
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from zipfile import BadZipFile, ZipFile

from connectors.errors import SourceFormatError
from connectors.normalise import header_key

__all__ = ["file_digest", "read_table"]


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except FileNotFoundError:
        raise SourceFormatError(
            str(path), "does not exist; check the path in wenming.toml"
        ) from None
    except OSError as error:
        raise SourceFormatError(str(path), f"cannot be read ({error.strerror})") from None
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
    """Rows of a CSV (or Excel's tab-separated "Unicode text"). The last row is held
    back until the file is known to end whole: a file cut off mid-row or mid-character
    (a copy or download stopped part way) is refused, never read as a shorter register."""
    encoding = _sniff_encoding(path)
    size = path.stat().st_size
    with path.open("rb") as raw:
        raw.seek(max(size - 1, 0))
        ends_with_newline = raw.read(1) in {b"\n", b"\r"}
    held: tuple[int, list[Any]] | None = None
    width = 0
    number = 0
    try:
        with path.open(encoding=encoding, newline="") as handle:
            first = handle.readline()
            delimiter = "\t" if "\t" in first and "," not in first else ","
            handle.seek(0)
            for number, cells in enumerate(csv.reader(handle, delimiter=delimiter), start=1):
                if held is not None:
                    yield held
                width = width or len(cells)
                held = (number, cells)
    except UnicodeDecodeError as error:
        raise SourceFormatError(str(path), _decoding_problem(path, encoding, error)) from None
    except csv.Error as error:
        raise SourceFormatError(
            str(path), f"row {number + 1} cannot be read as CSV ({error}); export the file again"
        ) from None
    if held is not None:
        number, cells = held
        if not ends_with_newline and number > 1 and len(cells) < width:
            raise SourceFormatError(
                str(path),
                f"ends in the middle of row {number} ({len(cells)} of {width} columns): the "
                "file was cut off; copy or export it again in full",
            )
        yield held


def _decoding_problem(path: Path, encoding: str, error: UnicodeDecodeError) -> str:
    """What was wrong with the bytes, in words: a cut at the end, or another encoding."""
    size = path.stat().st_size
    with path.open("rb") as raw:
        raw.seek(max(size - 8, 0))
        tail = raw.read()
    if _cut_short(tail, encoding):
        return (
            f"ends in the middle of a character (at byte {size:,}): the file was cut off; "
            "copy or export it again in full"
        )
    name = {"utf-8-sig": "UTF-8", "utf-16": "UTF-16"}.get(encoding, encoding.upper())
    return (
        f"is not {name} text throughout ({error.reason}); save it as CSV UTF-8, GB18030/GBK, "
        "or Excel's Unicode text (UTF-16 with its byte-order mark)"
    )


def _cut_short(tail: bytes, encoding: str) -> bool:
    """Do the file's last bytes end part way into a character? (The tail may also begin
    part way into one, so it is tried from each of its first few bytes.)"""
    for start in range(min(4, len(tail))):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            decoder.decode(tail[start:], final=False)
        except UnicodeDecodeError:
            continue
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return True
        return False
    return False


def _sniff_encoding(path: Path) -> str:
    """UTF-16 with a byte-order mark (Excel's "Unicode text"), UTF-8 (with or without a
    BOM), or GBK, which GB18030 reads in full."""
    with path.open("rb") as handle:
        head = handle.read(1 << 16)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
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

    damaged = (
        "is not a readable XLSX workbook (cut off or damaged?); open it in Excel or WPS, "
        "save it again as .xlsx, or export it again"
    )
    try:
        # Every part's checksum is checked before a row is read: a workbook damaged part
        # way must not pass for a shorter register.
        with ZipFile(path) as archive:
            if archive.testzip() is not None:
                raise SourceFormatError(str(path), damaged)
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, KeyError, OSError, ValueError, zlib.error):
        raise SourceFormatError(str(path), damaged) from None
    try:
        sheet = workbook.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(cells)
    except (BadZipFile, KeyError, OSError, ValueError, zlib.error, SyntaxError):
        raise SourceFormatError(str(path), damaged) from None
    finally:
        workbook.close()

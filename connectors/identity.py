"""Resident ID numbers (居民身份证号码, GB 11643) and phone numbers: normalise and validate."""

from __future__ import annotations

import operator
import re
import unicodedata
from datetime import date

__all__ = [
    "InvalidIdNumberError",
    "id_checksum",
    "mask_id_number",
    "normalise_id_number",
    "normalise_phone",
    "validate_id_number",
]

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_DIGIT_OFFSET = ord("0") * sum(_WEIGHTS)
_CHECK_CHARS = "10X98765432"
_ID_SHAPE = re.compile(r"\d{17}[\dX]")
_PHONE_SHAPE = re.compile(r"1[3-9]\d{9}")
_ID_NOISE = re.compile(r"[\s-]")
_NOT_DIGIT = re.compile(r"\D")


class InvalidIdNumberError(ValueError):
    """An ID number fails GB 11643; the message says which rule."""

    def __init__(self, shown: str, rule: str) -> None:
        super().__init__(f"ID number {mask_id_number(shown)} {rule}")


def id_checksum(first17: str) -> str:
    """The 18th character of an ID number, from its first 17 digits (ISO 7064 MOD 11-2)."""
    # Digits as their ASCII codes: the offset of b"0" is taken off once, not per digit.
    total = sum(map(operator.mul, first17.encode("ascii"), _WEIGHTS)) - _DIGIT_OFFSET
    return _CHECK_CHARS[total % 11]


def normalise_id_number(raw: str) -> str:
    """Full-width to half-width, strip spaces and a spreadsheet's leading apostrophe,
    upper-case the check character."""
    text = _nfkc(raw).strip().lstrip("'‘’`")
    return _ID_NOISE.sub("", text).upper()


def validate_id_number(raw: str, *, known_prefixes: frozenset[str] | None = None) -> str:
    """The normalised ID number, or InvalidIdNumberError naming the broken rule."""
    number = normalise_id_number(raw)
    if not _ID_SHAPE.fullmatch(number):
        raise InvalidIdNumberError(number, "is not 17 digits followed by a digit or X")
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumberError(number, "holds no real birth date") from None
    if id_checksum(number[:17]) != number[17]:
        raise InvalidIdNumberError(number, "has a wrong check character")
    if known_prefixes is not None and number[:2] not in known_prefixes:
        raise InvalidIdNumberError(number, "starts with an unknown province code")
    return number


def normalise_phone(raw: str) -> str | None:
    """A mainland mobile number as 11 digits, or None if it is not one."""
    digits = _NOT_DIGIT.sub("", _nfkc(raw))
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits if _PHONE_SHAPE.fullmatch(digits) else None


def _nfkc(text: str) -> str:
    """Full-width digits and letters made plain; ASCII text, the usual case, is already."""
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


def mask_id_number(number: str) -> str:
    """Enough of an ID number to find the row, not enough to misuse it."""
    return f"{number[:3]}{'*' * max(0, len(number) - 7)}{number[-4:]}" if len(number) > 7 else "***"

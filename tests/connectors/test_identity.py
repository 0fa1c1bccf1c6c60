"""ID numbers and phones as real exports spell them."""

from __future__ import annotations

import pytest

from connectors.identity import (
    InvalidIdNumberError,
    id_checksum,
    mask_id_number,
    normalise_phone,
    validate_id_number,
)


def test_checksum_of_the_standard_example() -> None:
    assert id_checksum("11010519491231002") == "X"
    assert id_checksum("52260119841221739") == "6"


@pytest.mark.parametrize(
    "raw",
    [
        "11010519491231002X",
        "11010519491231002x",
        " 110105 1949 1231 002X ",
        "'11010519491231002X",
        "１１０１０５１９４９１２３１００２Ｘ",
        "110105-19491231-002x",
    ],
    ids=["plain", "lowercase-x", "spaces", "leading-apostrophe", "full-width", "dashes"],
)
def test_messy_spellings_normalise_to_one_number(raw: str) -> None:
    assert validate_id_number(raw) == "11010519491231002X"


@pytest.mark.parametrize(
    ("raw", "rule"),
    [
        ("110105194912310021", "check character"),
        ("110105194902300027", "birth date"),
        ("1101051949123100", "17 digits"),
        ("11010519491231002Y", "17 digits"),
    ],
    ids=["bad-checksum", "february-30", "too-short", "bad-check-letter"],
)
def test_invalid_numbers_say_which_rule_they_break(raw: str, rule: str) -> None:
    with pytest.raises(InvalidIdNumberError, match=rule) as caught:
        validate_id_number(raw)
    assert raw not in str(caught.value)


def test_unknown_province_prefix_is_refused_when_prefixes_are_given() -> None:
    with pytest.raises(InvalidIdNumberError, match="province"):
        validate_id_number("11010519491231002X", known_prefixes=frozenset({"52"}))


def test_masked_id_number_keeps_only_ends() -> None:
    assert mask_id_number("11010519491231002X") == "110***********002X"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812345678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("0855-8231234", None),
        ("12345", None),
    ],
)
def test_phone_normalisation(raw: str, expected: str | None) -> None:
    assert normalise_phone(raw) == expected

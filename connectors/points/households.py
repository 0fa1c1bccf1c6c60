"""The household a row of a ledger, roster, credit list or honour list names.

Households are one across sources: known by (county, household number) (户编号), placed
in their village or community by its division code or its name within the county.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.base import Mapped, Ref, Rejection
from connectors.normalise import cell, clean_text
from connectors.points.settings import COLUMNS
from db import models as m
from db.pii import PersonalDataCipher

__all__ = ["HOUSEHOLD_BY_NAME", "household_key", "household_of", "household_ref", "text_of"]

# Marks a household named without a number: matched by division and head's name.
HOUSEHOLD_BY_NAME = "by_name"


def text_of(row: Mapping[str, Any], column: str) -> str:
    return clean_text(cell(row, *COLUMNS[column]))


def household_key(county_code: str, number: str) -> str:
    return f"{county_code}/{number}"


def household_ref(key: str, label: str = "户编号") -> Ref:
    return Ref("household_id", m.Household, key, label=label)


def household_of(
    row: Mapping[str, Any],
    county_code: str,
    *,
    cipher: PersonalDataCipher | None = None,
) -> tuple[str, Mapped | None]:
    """(the household's key, the household as this row describes it, or None when the row
    only gives its number and the household must be known already).

    A row without a 户编号 is accepted only where a `cipher` is given (honour lists): its
    household is matched by division and head's name, or else numbered by a keyed hash
    of them, so that the number reveals nothing."""
    number = text_of(row, "household").replace(" ", "")
    head = text_of(row, "head").replace(" ", "")
    village = text_of(row, "village")
    division = text_of(row, "division").replace(" ", "")
    place = division or village
    if not number and (cipher is None or not head or not place):
        raise Rejection("户编号 is empty", "户编号")
    if not head or not place:
        return household_key(county_code, number), None
    extras: dict[str, Any] = {}
    if not number:
        assert cipher is not None
        number = "N" + cipher.person_key(f"{county_code}|{place}|{head}")[:15].upper()
        extras[HOUSEHOLD_BY_NAME] = True
    if place.isdigit():
        if not place.startswith(county_code):
            raise Rejection(f"区划代码 {place} lies outside county {county_code}", "区划代码")
        where = Ref("division_code", m.Division, place, label="区划代码")
    else:
        where = Ref(
            "division_code",
            m.Division,
            f"{county_code}/{place}",
            by_name=True,
            label="所属村(社区)",
        )
    key = household_key(county_code, number)
    values = {
        "county_code": county_code,
        "household_number": number,
        "division_code": None,
        "head_name": head,
        "address": text_of(row, "address") or None,
    }
    columns = {"household_number": "户编号"}
    return key, Mapped(m.Household, key, values, (where,), extras, columns=columns)

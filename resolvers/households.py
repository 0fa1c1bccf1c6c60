"""Households (户): root list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, select

from db import models as m
from resolvers.common import in_any_division, in_division

__all__ = ["HouseholdCriteria", "household_statement"]


@dataclass(frozen=True, slots=True)
class HouseholdCriteria:
    division_code: str | None = None
    honour_levels: tuple[m.HonourLevel, ...] = ()
    honour_title: str | None = None
    has_credit_rating: bool | None = None
    include_retired: bool = False
    # Divisions the result is held to (a viewer's scope); None: not held.
    within: frozenset[str] | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.division_code:
            found.append(in_division(m.Household.division_code, self.division_code))
        if self.within is not None:
            found.append(in_any_division(m.Household.county_code, self.within))
        if self.honour_levels or self.honour_title:
            honoured = select(m.HouseholdHonour.household_id)
            if self.honour_levels:
                honoured = honoured.where(m.HouseholdHonour.level.in_(self.honour_levels))
            if self.honour_title:
                honoured = honoured.where(m.HouseholdHonour.title == self.honour_title)
            found.append(m.Household.id.in_(honoured))
        if self.has_credit_rating is not None:
            rated = m.Household.id.in_(select(m.CreditRating.household_id))
            found.append(rated if self.has_credit_rating else ~rated)
        if not self.include_retired:
            found.append(m.Household.retired_at.is_(None))
        return found


def household_statement(criteria: HouseholdCriteria) -> Select[Any]:
    return select(m.Household).where(*criteria.conditions())

"""Service orders (点单): root list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, select

from db import models as m
from resolvers.common import in_any_division, in_division

__all__ = ["OrderCriteria", "order_statement"]


@dataclass(frozen=True, slots=True)
class OrderCriteria:
    division_code: str | None = None
    statuses: tuple[m.OrderStatus, ...] = ()
    site_id: int | None = None
    team_id: int | None = None
    menu_item_id: int | None = None
    ordered_after: datetime | None = None
    ordered_before: datetime | None = None
    include_retired: bool = False
    # Orders of these divisions only (None: all): where the list is ordered by rating.
    within: frozenset[str] | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.division_code:
            found.append(in_division(m.ServiceOrder.county_code, self.division_code))
        if self.statuses:
            found.append(m.ServiceOrder.status.in_(self.statuses))
        if self.site_id is not None:
            found.append(m.ServiceOrder.site_id == self.site_id)
        if self.team_id is not None:
            found.append(m.ServiceOrder.team_id == self.team_id)
        if self.menu_item_id is not None:
            found.append(m.ServiceOrder.menu_item_id == self.menu_item_id)
        if self.ordered_after:
            found.append(m.ServiceOrder.ordered_at >= self.ordered_after)
        if self.ordered_before:
            found.append(m.ServiceOrder.ordered_at < self.ordered_before)
        if not self.include_retired:
            found.append(m.ServiceOrder.retired_at.is_(None))
        if self.within is not None:
            found.append(in_any_division(m.ServiceOrder.county_code, self.within))
        return found


def order_statement(criteria: OrderCriteria) -> Select[Any]:
    return select(m.ServiceOrder).where(*criteria.conditions())

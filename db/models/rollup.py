"""The statistics rollup (division × period × metric) and saved ranking indexes."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, enum_column

__all__ = ["PeriodKind", "RankingIndex", "RollupState", "RollupValue"]


class PeriodKind(enum.Enum):
    # "base" rows hold what is true at every time: denominators such as the number of
    # villages, and the marker that a county reports a metric at all.
    BASE = "base"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class RollupValue(Base):
    """A metric's parts for one leaf division and period (months in Asia/Shanghai).

    Leaves are the finest divisions a metric is known at (a village for sites, a county
    for volunteer registries); any higher level is the sum of its leaves, and a ratio is
    recomputed from the summed parts.
    """

    __tablename__ = "rollup_values"
    __table_args__ = (
        CheckConstraint("denominator >= 0", name="denominator_sign"),
        Index("ix_rollup_values_metric_period", "metric", "period_kind", "period_start"),
    )

    division_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    period_kind: Mapped[PeriodKind] = mapped_column(
        enum_column(PeriodKind, "period_kind"), primary_key=True
    )
    period_start: Mapped[date] = mapped_column(Date, primary_key=True)
    metric: Mapped[str] = mapped_column(String(40), primary_key=True)
    numerator: Mapped[int] = mapped_column(BigInteger, default=0)
    denominator: Mapped[int] = mapped_column(BigInteger, default=0)


class RankingIndex(Base):
    """A composite index saved by name (as Tianzhu publishes its monthly index)."""

    __tablename__ = "ranking_indexes"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    description: Mapped[str | None] = mapped_column(Text)
    weights: Mapped[str] = mapped_column(Text)
    saved_at: Mapped[datetime]


class RollupState(Base):
    """Whether the rollup is owed a refresh: set in the same transaction as any write
    that changes what it sums, cleared by the refresh that covers it. A sync killed
    between its last write and the refresh leaves the mark, and the next sync or the
    next start of the hub refreshes."""

    __tablename__ = "rollup_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    owed_since: Mapped[datetime | None]
    refreshed_at: Mapped[datetime | None]

"""Points banks (文明储蓄所 / 道德银行 / 积分超市), passbooks and their ledgers."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.base import (
    Base,
    CountyCode,
    DivisionCode,
    ProvenanceMixin,
    enum_column,
    intpk,
    provenance_constraints,
)

__all__ = ["PointsAccount", "PointsBank", "PointsEntry", "PointsEntryKind"]


class PointsEntryKind(enum.Enum):
    EARN = "earn"
    DEDUCT = "deduct"
    REDEEM = "redeem"
    EXPIRE = "expire"
    ADJUST = "adjust"


class PointsBank(ProvenanceMixin, Base):
    """A county or village points bank, with its rules (start balance, yuan per point,
    the balance below which redemption is refused)."""

    __tablename__ = "points_banks"
    __table_args__ = (
        *provenance_constraints(),
        CheckConstraint("fen_per_point >= 0", name="fen_per_point_sign"),
    )

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(200))
    county_code: Mapped[CountyCode] = mapped_column(ForeignKey("divisions.code"))
    division_code: Mapped[DivisionCode] = mapped_column(ForeignKey("divisions.code"))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", ondelete="SET NULL"))
    start_balance: Mapped[int] = mapped_column(Integer, default=0)
    fen_per_point: Mapped[int] = mapped_column(Integer, default=100)
    redemption_floor: Mapped[int] = mapped_column(Integer, default=0)


class PointsAccount(ProvenanceMixin, Base):
    """A household's passbook (文明存折) at one bank. Its balance is always the sum of
    its entries; nothing stores a balance that could drift from them."""

    __tablename__ = "points_accounts"
    __table_args__ = (*provenance_constraints(), UniqueConstraint("bank_id", "household_id"))

    id: Mapped[intpk]
    bank_id: Mapped[int] = mapped_column(ForeignKey("points_banks.id", ondelete="RESTRICT"))
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    opened_on: Mapped[date | None] = mapped_column(Date)


class PointsEntry(ProvenanceMixin, Base):
    """One append-only ledger line. Points are signed so that balance = SUM(points);
    a correction is a new ADJUST entry, never an edit."""

    __tablename__ = "points_entries"
    __table_args__ = (
        *provenance_constraints(),
        CheckConstraint(
            "(kind = 'earn' AND points > 0)"
            " OR (kind IN ('deduct', 'redeem', 'expire') AND points < 0)"
            " OR (kind = 'adjust' AND points <> 0)",
            name="sign_matches_kind",
        ),
        CheckConstraint(
            "redeemed_value_fen IS NULL OR (kind = 'redeem' AND redeemed_value_fen >= 0)",
            name="redeemed_value_only_on_redeem",
        ),
        Index("ix_points_entries_account_occurred", "account_id", "occurred_on"),
    )

    id: Mapped[intpk]
    account_id: Mapped[int] = mapped_column(ForeignKey("points_accounts.id", ondelete="CASCADE"))
    kind: Mapped[PointsEntryKind] = mapped_column(enum_column(PointsEntryKind, "points_kind"))
    points: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(String(200))
    reason_code: Mapped[str | None] = mapped_column(String(50))
    occurred_on: Mapped[date] = mapped_column(Date)
    redeemed_item: Mapped[str | None] = mapped_column(String(200))
    redeemed_value_fen: Mapped[int | None] = mapped_column(BigInteger)
    handled_by: Mapped[str | None] = mapped_column(String(100))

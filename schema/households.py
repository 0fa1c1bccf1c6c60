"""Households (户), their honours and credit ratings, and points passbooks (文明存折)."""

from __future__ import annotations

from datetime import date

import strawberry

from db import models as m
from resolvers import relations
from schema.divisions import Division, division_of
from schema.enums import HonourLevel, PointsEntryKind
from schema.info import Info
from schema.permissions import household_personal, require_county
from schema.provenance import Provenance
from schema.relay import Connection, Node, connection, encode_global_id, related_page

__all__ = [
    "CreditRating",
    "Honour",
    "Household",
    "PointsAccount",
    "PointsBank",
    "PointsEntry",
    "points_account_for",
]


@strawberry.type(description="A title a household holds (文明家庭, 最美家庭).")
class Honour:
    title: str
    level: HonourLevel  # type: ignore[valid-type]
    year: int

    @classmethod
    def from_row(cls, row: m.HouseholdHonour) -> Honour:
        return cls(title=row.title, level=row.level, year=row.year)


@strawberry.type(description="A civic-credit rating (文明信用户) and the credit line granted.")
class CreditRating:
    grade: str
    credit_line_yuan: int
    rated_on: date
    bank: str

    @classmethod
    def from_row(cls, row: m.CreditRating) -> CreditRating:
        return cls(
            grade=row.grade,
            credit_line_yuan=row.credit_line_yuan,
            rated_on=row.rated_on,
            bank=row.bank_name,
        )


@strawberry.type(
    description="A household. Its head's name is masked, its address, credit "
    "rating and passbook are visible only to staff of its county."
)
class Household(Node):
    household_number: str
    display_name: str
    head_name: str | None
    address: str | None
    row: strawberry.Private[m.Household]
    may_see_personal: strawberry.Private[bool]

    @classmethod
    def from_row(cls, row: m.Household, info: Info) -> Household:
        personal = household_personal(info.context.viewer, row)
        if personal.may_see_ledger:
            info.context.reads.note("Household", row.county_code, row.id)
        return cls(
            id=encode_global_id("Household", row.id),
            household_number=row.household_number,
            display_name=personal.display_name,
            head_name=personal.head_name,
            address=personal.address,
            row=row,
            may_see_personal=personal.may_see_ledger,
        )

    @strawberry.field(description="The village or community it lives in.")
    async def division(self, info: Info) -> Division:
        return await division_of(info, self.row.division_code)

    @strawberry.field
    async def honours(self, info: Info) -> list[Honour]:
        rows = await info.context.loaders.all(relations.HONOURS_OF_HOUSEHOLD).load(self.row.id)
        return [Honour.from_row(row) for row in rows]

    @strawberry.field(description="The latest rating; null unless staff of the county.")
    async def credit_rating(self, info: Info) -> CreditRating | None:
        if not self.may_see_personal:
            return None
        rows = await info.context.loaders.all(relations.RATINGS_OF_HOUSEHOLD).load(self.row.id)
        return CreditRating.from_row(rows[0]) if rows else None

    @strawberry.field(description="The passbook; staff of the household's county only.")
    async def points_account(self, info: Info) -> PointsAccount | None:
        require_county(info.context.viewer, self.row.county_code, "a household's points ledger")
        rows = await info.context.loaders.all(relations.ACCOUNTS_OF_HOUSEHOLD).load(self.row.id)
        return PointsAccount.from_row(rows[0]) if rows else None

    @strawberry.field
    def provenance(self) -> Provenance:
        return Provenance.from_row(self.row)


@strawberry.type(description="A points bank (文明储蓄所 / 道德银行 / 积分超市) and its rules.")
class PointsBank(Node):
    name: str
    yuan_per_point: float
    start_balance: int
    redemption_floor: int = strawberry.field(description="Below this balance nothing is redeemed.")
    row: strawberry.Private[m.PointsBank]

    @classmethod
    def from_row(cls, row: m.PointsBank) -> PointsBank:
        return cls(
            id=encode_global_id("PointsBank", row.id),
            name=row.name,
            yuan_per_point=row.fen_per_point / 100,
            start_balance=row.start_balance,
            redemption_floor=row.redemption_floor,
            row=row,
        )

    @strawberry.field
    async def division(self, info: Info) -> Division:
        return await division_of(info, self.row.division_code)


@strawberry.type(description="One ledger line: points are signed (earn +, deduct/redeem −).")
class PointsEntry(Node):
    kind: PointsEntryKind  # type: ignore[valid-type]
    points: int
    reason: str | None
    reason_code: str | None
    occurred_on: date
    redeemed_item: str | None
    redeemed_value_yuan: float | None

    @classmethod
    def from_row(cls, row: m.PointsEntry) -> PointsEntry:
        return cls(
            id=encode_global_id("PointsEntry", row.id),
            kind=row.kind,
            points=row.points,
            reason=row.reason,
            reason_code=row.reason_code,
            occurred_on=row.occurred_on,
            redeemed_item=row.redeemed_item,
            redeemed_value_yuan=None
            if row.redeemed_value_fen is None
            else row.redeemed_value_fen / 100,
        )


@strawberry.type(description="A household's passbook (文明存折) at one bank.")
class PointsAccount(Node):
    opened_on: date | None
    row: strawberry.Private[m.PointsAccount]

    @classmethod
    def from_row(cls, row: m.PointsAccount) -> PointsAccount:
        return cls(id=encode_global_id("PointsAccount", row.id), opened_on=row.opened_on, row=row)

    @strawberry.field
    async def bank(self, info: Info) -> PointsBank:
        row = await info.context.loaders.row(m.PointsBank.id).load(self.row.bank_id)
        return PointsBank.from_row(row)

    @strawberry.field(description="The sum of all its entries.")
    async def balance(self, info: Info) -> int:
        return await info.context.loaders.points_balance().load(self.row.id)

    @strawberry.field(description="Ledger entries, newest first.")
    async def entries(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[PointsEntry]:
        page = await related_page(info, relations.ENTRIES_OF_ACCOUNT, self.row.id, first, after)
        return connection(page, PointsEntry.from_row)


async def points_account_for(info: Info, row: m.PointsAccount) -> PointsAccount:
    """A passbook reached directly (by id): the same rule as through its household."""
    household: m.Household = await info.context.loaders.row(m.Household.id).load(row.household_id)
    require_county(info.context.viewer, household.county_code, "a household's points ledger")
    info.context.reads.note("PointsAccount", household.county_code, row.id)
    return PointsAccount.from_row(row)

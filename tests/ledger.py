"""A points ledger of small villages, for disclosure tests: two counties (18 households),
deductions scattered over 18 months from a seed, so that some months have one deducting
household and some none."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncEngine

from db import models as m
from db.engine import create_sessionmaker
from db.models import DivisionLevel
from db.rollup import refresh_rollup
from tests.factories import provenance

__all__ = ["MONTHS", "VILLAGES", "Contribution", "build_ledger"]

MONTHS = [date(2025 + index // 12, index % 12 + 1, 1) for index in range(18)]
# village → households
VILLAGES = {
    "522601001001": 6,
    "522601001002": 2,
    "522601002001": 5,
    "522602001001": 4,
    "522602001002": 1,
}


@dataclass(frozen=True, slots=True)
class Contribution:
    """What one household lost in one month."""

    household: int
    division: str
    month: date


async def build_ledger(
    engine: AsyncEngine, *, seed: int = 20261203, chance: float = 0.22
) -> dict[Contribution, int]:
    """Store the ledger (and refresh the rollup); the points each household lost in each
    month it lost any."""
    draw = random.Random(seed)
    parts: dict[Contribution, int] = defaultdict(int)
    sessionmaker = create_sessionmaker(engine)
    async with sessionmaker() as session, session.begin():
        townships = sorted({code[:9] + "000" for code in VILLAGES})
        session.add_all(
            [
                _division("520000", DivisionLevel.PROVINCE, None),
                _division("522600", DivisionLevel.PREFECTURE, "520000"),
                _division("522601", DivisionLevel.COUNTY, "522600"),
                _division("522602", DivisionLevel.COUNTY, "522600"),
                *(_division(code, DivisionLevel.TOWNSHIP, code[:6]) for code in townships),
                *(_division(code, DivisionLevel.VILLAGE, code[:9] + "000") for code in VILLAGES),
            ]
        )
        await session.flush()
        banks = {
            county: m.PointsBank(
                id=index,
                name=f"bank {county}",
                county_code=county,
                division_code=county,
                **provenance(),
            )
            for index, county in enumerate(("522601", "522602"), start=1)
        }
        session.add_all(banks.values())
        household = 0
        for village, size in VILLAGES.items():
            for _ in range(size):
                household += 1
                session.add(
                    m.Household(
                        id=household,
                        county_code=village[:6],
                        household_number=f"H{household}",
                        division_code=village,
                        head_name="王芳",
                        **provenance(),
                    )
                )
                await session.flush()
                session.add(
                    m.PointsAccount(
                        id=household,
                        bank_id=banks[village[:6]].id,
                        household_id=household,
                        **provenance(),
                    )
                )
                await session.flush()
                for month in MONTHS:
                    if draw.random() < chance:
                        points = draw.randint(1, 9)
                        session.add(
                            m.PointsEntry(
                                account_id=household,
                                kind=m.PointsEntryKind.DEDUCT,
                                points=-points,
                                occurred_on=month.replace(day=draw.randint(1, 28)),
                                **provenance(),
                            )
                        )
                        parts[Contribution(household, village, month)] += points
    await refresh_rollup(engine)
    return dict(parts)


def _division(code: str, level: DivisionLevel, parent: str | None) -> m.Division:
    return m.Division(code=code, name=code, level=level, parent_code=parent)

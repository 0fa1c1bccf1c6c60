"""Loads the demo into a migrated database: its division codes, then the generated rows."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from pathlib import Path

from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.divisions import read_divisions
from db.base import table_of
from db.bulk import insert_rows, reset_sequences, upsert_rows
from db.models import Division, Site
from db.pii import PersonalDataCipher
from db.rollup import refresh_rollup
from demo.generator import DemoOptions, generate

__all__ = ["DEMO_DIVISIONS", "DemoAlreadyLoadedError", "load_demo"]

DEMO_DIVISIONS = Path(__file__).parent / "data"


class DemoAlreadyLoadedError(RuntimeError):
    """The database already has sites; the demo only loads into an empty hub."""

    def __init__(self, sites: int) -> None:
        super().__init__(
            f"the database already holds {sites} sites; load the demo into a new database "
            "(or pass --reset to empty this one first)"
        )


async def load_demo(
    engine: AsyncEngine, cipher: PersonalDataCipher, options: DemoOptions
) -> Counter[str]:
    """Write the demo in one transaction and return the rows written per table."""
    written: Counter[str] = Counter()
    divisions = list(read_divisions(DEMO_DIVISIONS))
    async with engine.begin() as connection:
        sites = (await connection.execute(select(func.count()).select_from(Site))).scalar_one()
        if sites:
            raise DemoAlreadyLoadedError(sites)
        division_rows = [asdict(record) for record in divisions]
        await upsert_rows(connection, table_of(Division), division_rows, key=["code"])
        written["divisions"] += len(division_rows)
        touched: dict[str, Table] = {}
        for batch in generate(divisions, cipher, options):
            await insert_rows(connection, batch.table, batch.rows)
            written[batch.table.name] += len(batch.rows)
            touched[batch.table.name] = batch.table
        await reset_sequences(connection, touched.values())
    written["rollup_values"] = await refresh_rollup(engine)
    return written

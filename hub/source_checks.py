"""`wenming check`: the sources file is right and every source answers, nothing written.

Like Airbyte's `check`, each source is reached the way a sync reaches it (the file
opened and its header read, the URL asked with the configured token) and a sample of
its records is mapped, so a clerk learns of a wrong column or a refused token before
the first sync, not in its summary.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.base import Rejection
from connectors.config import SourceConfig, SourceConfigError, build_connector
from connectors.errors import ConnectorError
from db import models as m
from db.pii import PersonalDataCipher

__all__ = ["DEFAULT_SAMPLE", "SourceCheck", "check_sources", "require_known_counties"]

DEFAULT_SAMPLE = 20


@dataclass(slots=True)
class SourceCheck:
    """What reaching one source found."""

    source: str
    problem: str | None = None
    read: int = 0
    rejected: int = 0
    first_rejection: str | None = None


async def require_known_counties(engine: AsyncEngine, sources: Sequence[SourceConfig]) -> None:
    """Refuse sources whose county the hub does not know: a mistyped code would file the
    source's records under a county of their own."""
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(m.Division.code, m.Division.level).where(
                m.Division.code.in_({source.county for source in sources})
            )
        )
        levels = {code: level for code, level in rows}
    for source in sources:
        level = levels.get(source.county)
        if level is None:
            raise SourceConfigError(
                f"source {source.name!r}: county {source.county} is not in the hub's division "
                "codes; check the code, or load the codes first with `wenming divisions import`"
            )
        if level is not m.DivisionLevel.COUNTY:
            raise SourceConfigError(
                f"source {source.name!r}: {source.county} is a {level.value}, not a county; "
                "give the code of the county whose system this is"
            )


async def check_sources(
    engine: AsyncEngine,
    sources: Sequence[SourceConfig],
    cipher: PersonalDataCipher,
    *,
    sample: int = DEFAULT_SAMPLE,
    out: TextIO | None = None,
) -> list[SourceCheck]:
    out = out or sys.stdout
    await require_known_counties(engine, sources)
    checks = []
    for source in sources:
        check = await _check_one(source, cipher, sample)
        checks.append(check)
        out.write(_line(source, check) + "\n")
    return checks


async def _check_one(source: SourceConfig, cipher: PersonalDataCipher, sample: int) -> SourceCheck:
    check = SourceCheck(source.name)
    try:
        connector = build_connector(source, cipher)
    except SourceConfigError as error:
        check.problem = str(error)
        return check
    try:
        for stream in connector.streams:
            taken = 0
            async for record in connector.read(stream, None):
                taken += 1
                check.read += 1
                try:
                    connector.map(stream, record)
                except Rejection as rejection:
                    check.rejected += 1
                    check.first_rejection = check.first_rejection or (
                        f"{stream.name} record {record.position}: {rejection.reason}"
                    )
                if taken >= sample:
                    break
    except (ConnectorError, OSError) as error:
        check.problem = str(error) or type(error).__name__
    finally:
        await connector.close()
    return check


def _line(source: SourceConfig, check: SourceCheck) -> str:
    title = f"{source.name} ({source.kind}, county {source.county})"
    if check.problem:
        return f"FAIL  {title}: {check.problem}"
    if check.read == 0:
        return f"ok    {title}: answers, but holds no records yet"
    line = f"ok    {title}: {check.read:,} sample records read"
    if check.rejected:
        line += f", {check.rejected:,} would be quarantined (first: {check.first_rejection})"
    return line

"""Writing a batch when the database refuses part of it.

A batch is written in a savepoint. If the database refuses it (two people sharing one
志愿者编号, an honour another source already holds), the batch is split in halves and
each half written in turn, down to the records that are refused alone. Those are
quarantined with the rule they break in words and the record already holding the value;
everything else in the batch is stored. Earlier records win: of two rows sharing a
number, the one read first is kept, on every run alike.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import Column, Table, UniqueConstraint, and_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.base import Mapped, Rejection
from connectors.batch import BatchResult, Item
from connectors.errors import FatalConnectorError
from connectors.writing import BatchWriter, noun_of
from db.base import table_of

__all__ = ["MAX_REFUSED", "TooManyRefusedError", "WrittenBatch", "write_batch"]

Records = Sequence[tuple[int, list[Mapped]]]

# More records of one batch refused than this is no longer a few bad rows but a cause
# common to all (a source set up wrongly): the run stops rather than split on and on.
MAX_REFUSED = 100


class TooManyRefusedError(FatalConnectorError):
    def __init__(self, last: Rejection) -> None:
        super().__init__(
            f"the database refused more than {MAX_REFUSED} records of one batch (the last: "
            f"{last.reason}); nothing of that batch was kept. So many point to one cause: "
            "check this source's settings in wenming.toml"
        )


@dataclass
class WrittenBatch:
    """What writing a batch did: each record's outcome, and the tables it inserted into."""

    result: BatchResult = field(default_factory=BatchResult)
    inserted_into: set[str] = field(default_factory=set)


async def write_batch(
    session: AsyncSession,
    system: str,
    now: datetime,
    cache: dict[str, Any],
    records: Records,
    *,
    snapshot: bool,
) -> WrittenBatch:
    """Write `records` ((position, mapped records)) inside the session's open transaction;
    `snapshot` as BatchWriter takes it."""
    batch = _Batch(session, system, now, cache, snapshot)
    await batch.write(list(records))
    if batch.split and batch.done.result.unresolved:
        # A record may name one that, split apart, was written after it: try them again.
        waiting = set(batch.done.result.unresolved)
        for position in waiting:
            del batch.done.result.unresolved[position]
        await batch.write([record for record in records if record[0] in waiting])
    return batch.done


class _Batch:
    def __init__(
        self,
        session: AsyncSession,
        system: str,
        now: datetime,
        cache: dict[str, Any],
        snapshot: bool,
    ) -> None:
        self.session, self.system, self.now, self.cache = session, system, now, cache
        self.snapshot = snapshot
        self.done = WrittenBatch()
        self.stored: list[tuple[int, list[Mapped]]] = []
        self.split = False

    async def write(self, records: list[tuple[int, list[Mapped]]]) -> None:
        if not records:
            return
        writer = BatchWriter(
            self.session, self.system, self.now, self.cache, snapshot=self.snapshot
        )
        try:
            async with self.session.begin_nested():
                result = await writer.write(records)
        except IntegrityError as error:
            # What the writer remembered may name rows the savepoint took back.
            self.cache.clear()
            if len(records) == 1:
                [(position, mapped)] = records
                rejection = await self._rejection(mapped, error)
                self.done.result.refused[position] = rejection
                if len(self.done.result.refused) > MAX_REFUSED:
                    raise TooManyRefusedError(rejection) from error
                return
            self.split = True
            middle = len(records) // 2
            await self.write(records[:middle])
            await self.write(records[middle:])
            return
        self.done.inserted_into |= writer.inserted_into
        for position, outcomes in result.outcomes.items():
            self.done.result.outcomes[position].extend(outcomes)
        self.done.result.unresolved.update(result.unresolved)
        self.done.result.refused.update(result.refused)
        self.stored.extend(
            record
            for record in records
            if record[0] not in result.unresolved and record[0] not in result.refused
        )

    async def _rejection(self, mapped: list[Mapped], error: IntegrityError) -> Rejection:
        """The rule a refused record breaks, in words, and who holds what it claims."""
        # The references the record's rows point to, as the refused attempt found them.
        items = [Item(0, record) for record in mapped]
        await BatchWriter(self.session, self.system, self.now, self.cache).resolve(items)
        violated = _violated(error)
        for item in items:
            record = item.mapped
            values = {**record.values, **item.resolved}
            model: type[Any] = record.model
            for constraint in _suspects(table_of(model), violated):
                columns = list(constraint.columns)
                if not all(column.name in values for column in columns):
                    continue
                holder = await self._holder(record, constraint, values)
                if holder is not None:
                    labels = [record.columns[c.name] for c in columns if c.name in record.columns]
                    return Rejection(
                        _already_held(record, columns, values, holder),
                        labels[0] if len(labels) == 1 else None,
                    )
        return Rejection(
            f"the database refused this record ({_first_line(error)}); nothing of it was "
            "stored, the rest of its file was"
        )

    async def _holder(
        self, record: Mapped, constraint: UniqueConstraint, values: dict[str, Any]
    ) -> str | None:
        """Where the row holding the same values came from, or None if none does."""
        columns = list(constraint.columns)
        table = constraint.table
        assert isinstance(table, Table)
        wanted = and_(*(column == values[column.name] for column in columns))
        found = (
            await self.session.execute(
                select(table.c.source_system, table.c.source_id).where(wanted).limit(1)
            )
        ).one_or_none()
        if found is None:
            return None
        system, source_id = found
        row = self._row_of(record.model, columns, values)
        here = f"row {row} of this file; " if row is not None else ""
        return f"{here}record {source_id!r} of source {system!r}"

    def _row_of(
        self, model: type[Any], columns: list[Column[Any]], values: dict[str, Any]
    ) -> int | None:
        """The position of the record stored from this batch that holds the same values."""
        names = [column.name for column in columns]
        for position, mapped in self.stored:
            for other in mapped:
                if other.model is model and all(
                    other.values.get(name) == values[name] for name in names
                ):
                    return position
        return None


@dataclass(frozen=True)
class _Violation:
    """The unique rule the database named: by name (PostgreSQL) or by its table and
    columns (SQLite)."""

    name: str | None = None
    table: str | None = None
    columns: frozenset[str] = frozenset()

    def names(self, constraint: UniqueConstraint) -> bool:
        if self.name is not None:
            return constraint.name == self.name
        table = constraint.table
        return table.name == self.table and {c.name for c in constraint.columns} == self.columns


_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (.+)")


def _violated(error: IntegrityError) -> _Violation | None:
    """Which unique rule `error` reports, if the driver says."""
    for cause in (error.orig, getattr(error.orig, "__cause__", None)):
        name = getattr(cause, "constraint_name", None)
        if isinstance(name, str):
            return _Violation(name=name)
    match = _SQLITE_UNIQUE.search(str(error.orig))
    if match is None:
        return None
    qualified = [part.strip().split(".", 1) for part in match.group(1).split(",")]
    if any(len(part) != 2 for part in qualified):
        return None
    return _Violation(table=qualified[0][0], columns=frozenset(part[1] for part in qualified))


def _is_own_key(constraint: UniqueConstraint) -> bool:
    return {column.name for column in constraint.columns} == {"source_system", "source_id"}


def _suspects(table: Table, violated: _Violation | None) -> list[UniqueConstraint]:
    """The table's unique rules that may have refused the record, the likeliest first.
    A record's own key (source system and id) comes last: where a source's id is also a
    rule of its own (a registry's 志愿者编号), that rule says more."""
    rules = [c for c in table.constraints if isinstance(c, UniqueConstraint)]
    if violated is not None:
        named = [rule for rule in rules if violated.names(rule)]
        if not any(_is_own_key(rule) for rule in named):
            return named
    return sorted(rules, key=_is_own_key)


def _already_held(
    record: Mapped, columns: list[Column[Any]], values: dict[str, Any], holder: str
) -> str:
    named = [_shown(record, column, values) for column in columns]
    what = ", ".join(part for part in named if part)
    noun = noun_of(record.model)
    return (
        f"a {noun} with {what} is already stored ({holder}); there cannot be two: correct "
        "one of the two records in its source, or keep the record in one source only"
    )


def _shown(record: Mapped, column: Column[Any], values: dict[str, Any]) -> str:
    words = column.name.removesuffix("_id").replace("_", " ")
    source_label = record.columns.get(column.name)
    label = f"{words} ({source_label})" if source_label else words
    if column.name.endswith(("_key", "_sealed")) or column.foreign_keys:
        # A reference or a keyed hash: the value means nothing to a clerk, or is private.
        return f"the same {label}"
    value = values[column.name]
    return f"{label} {str(value.value if isinstance(value, Enum) else value)!r}"


def _first_line(error: IntegrityError) -> str:
    return str(error.orig).splitlines()[0] if error.orig is not None else "a rule failed"

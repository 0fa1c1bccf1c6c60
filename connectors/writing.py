"""Writing one batch of mapped records: upsert by (source system, source id) with
provenance, references resolved, and an outcome for every record.

Work is done per model in bulk (one statement for the look-up, one for the inserts,
one for the updates), so that a batch of a thousand volunteers costs a handful of
statements, not thousands.

A model whose records are more than a plain upsert (volunteers one per person, ledgers
append-only, stories one across feeds) has a RecordWriter beside its reading and mapping,
in `connectors/<kind>/writing.py`; the writers are found there by model, so that a new
source kind is one folder.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.base import Mapped, Ref, Rejection
from connectors.batch import BatchResult, Item, Outcome, content_hash, per_county
from db import models as m
from db.base import Base, table_of
from db.bulk import insert_rows, rows_where_in

__all__ = [
    "BatchResult",
    "BatchWriter",
    "Item",
    "Outcome",
    "RecordWriter",
    "content_hash",
    "noun_of",
    "ref_key",
    "writers",
]

_TABLE_ORDER = {table.name: rank for rank, table in enumerate(Base.metadata.sorted_tables)}
_SITE_RANK = {kind: rank for rank, kind in enumerate(m.SiteKind)}


class RecordWriter:
    """How the records of one model are written. By default: the batch's upsert by
    source id, then `after` for what a row brings with it (links, event logs)."""

    def __init__(self, batch: BatchWriter) -> None:
        self.batch = batch

    async def write(self, model: type[Any], items: list[Item], result: BatchResult) -> None:
        await self.batch.upsert(model, items, result)
        await self.after(items)

    async def after(self, items: list[Item]) -> None:
        """Work after the rows are written; nothing by default."""

    async def find(self, keys: list[str], system: str) -> dict[str, int] | None:
        """The rows references to this model name, by key, where they are found some
        other way than by source id in `system` (None: that way)."""
        return None

    def unknown(self, ref: Ref) -> str | None:
        """What to say of a reference to this model that found nothing (None: the
        usual words)."""
        return None


@cache
def writers() -> Mapping[type[Any], type[RecordWriter]]:
    """The record writers of every source kind: each `connectors/<kind>/writing.py`
    lists its own in WRITERS."""
    import connectors

    found: dict[type[Any], type[RecordWriter]] = {}
    for package in pkgutil.iter_modules(connectors.__path__):
        if not package.ispkg:
            continue
        name = f"connectors.{package.name}.writing"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name == name:
                continue
            raise
        found.update(module.WRITERS)
    return found


class BatchWriter:
    """Writes the records of one batch for one source system inside an open transaction."""

    def __init__(
        self,
        session: AsyncSession,
        system: str,
        now: datetime,
        cache: dict[str, Any] | None = None,
        *,
        snapshot: bool = False,
    ) -> None:
        """`cache` lives as long as one stream's run: what is costly to load and does
        not change during it (a news linker's aliases). In a `snapshot` each record is
        listed once: a second row with the same key and other values is refused, where
        an incremental stream's later version of a record replaces the earlier."""
        self.session = session
        self.snapshot = snapshot
        self.system = system
        self.now = now
        self.cache = cache if cache is not None else {}
        self.known: dict[tuple[type[Any], str], Any] = {}
        self.inserted_into: set[str] = set()

    async def write(self, records: Sequence[tuple[int, list[Mapped]]]) -> BatchResult:
        """`records` are (position, mapped records); returns what happened to each."""
        result = BatchResult()
        by_model: dict[type[Any], list[Item]] = defaultdict(list)
        for position, mapped_records in records:
            for mapped in mapped_records:
                by_model[mapped.model].append(Item(position, mapped))
        # Referenced tables first, whatever order the records came in.
        for model in sorted(by_model, key=lambda model: _TABLE_ORDER[table_of(model).name]):
            items = [
                item
                for item in by_model[model]
                if item.position not in result.unresolved and item.position not in result.refused
            ]
            await self._write_model(model, items, result)
        return result

    async def _write_model(self, model: type[Any], items: list[Item], result: BatchResult) -> None:
        await self.writer_of(model).write(model, items, result)

    def writer_of(self, model: type[Any]) -> RecordWriter:
        return writers().get(model, RecordWriter)(self)

    async def upsert(self, model: type[Any], items: list[Item], result: BatchResult) -> None:
        """Insert or update the records by (source system, source id), once every
        reference they hold is found; a record whose reference finds nothing is noted."""
        table = table_of(model)
        existing = await self.existing(model, [item.mapped.source_id for item in items])
        waiting = list(items)
        while waiting:
            await self.resolve(waiting)
            ready = [
                item
                for item in waiting
                if all(ref.column in item.resolved for ref in item.mapped.refs)
            ]
            if not ready:
                break
            await self._upsert(table, model, ready, existing, result)
            written = {id(item) for item in ready}
            waiting = [item for item in waiting if id(item) not in written]
        for item in waiting:
            missing = next(ref for ref in item.mapped.refs if ref.column not in item.resolved)
            result.unresolved[item.position] = self.unknown(missing)

    async def _upsert(
        self,
        table: Table,
        model: type[Any],
        items: list[Item],
        existing: dict[str, tuple[int, str, bool]],
        result: BatchResult,
    ) -> None:
        inserts, updates, touched = [], [], []
        first_seen: dict[str, tuple[int, str]] = {}
        for item in items:
            values = {**_written(item.mapped.values), **item.resolved}
            digest = content_hash({**item.mapped.values, **item.resolved})
            earlier = first_seen.setdefault(item.mapped.source_id, (item.position, digest))
            if self.snapshot and earlier[0] != item.position:
                if earlier[1] == digest:
                    result.outcomes[item.position].append(Outcome.UNCHANGED)
                else:
                    result.refused[item.position] = _repeated(item, earlier[0])
                continue
            found = existing.get(item.mapped.source_id)
            if found is None:
                inserts.append((item, {**values, **self.provenance(item.mapped.source_id, digest)}))
                continue
            item.row_id, stored_hash, retired = found
            if stored_hash == digest and not retired:
                touched.append(item.row_id)
                result.outcomes[item.position].append(Outcome.UNCHANGED)
            else:
                updates.append(
                    {
                        **values,
                        "b_id": item.row_id,
                        "content_hash": digest,
                        "last_seen_at": self.now,
                        "retired_at": None,
                    }
                )
                result.outcomes[item.position].append(Outcome.UPDATED)
        if inserts:
            # The same record twice in one batch is one row: the later values win.
            rows_by_source: dict[str, dict[str, Any]] = {}
            for item, row in inserts:
                repeated = item.mapped.source_id in rows_by_source
                rows_by_source[item.mapped.source_id] = row
                result.outcomes[item.position].append(
                    Outcome.UPDATED if repeated else Outcome.INSERTED
                )
            # A plain bulk insert and one look-up of the new ids: INSERT … RETURNING in
            # parameter order would fall back to a statement per row on SQLite.
            await self.insert(table, list(rows_by_source.values()))
            existing.update(await self.existing(model, list(rows_by_source)))
            for item, _ in inserts:
                item.row_id = existing[item.mapped.source_id][0]
                item.inserted = True
        await self.bulk_update(table, updates)
        if touched:
            await self.session.execute(
                update(table).where(table.c.id.in_(touched)).values(last_seen_at=self.now)
            )
        for item in items:
            if item.row_id is not None:
                self.known[(model, item.mapped.source_id)] = item.row_id

    def provenance(self, source_id: str, digest: str) -> dict[str, Any]:
        return {
            "source_system": self.system,
            "source_id": source_id,
            "first_seen_at": self.now,
            "last_seen_at": self.now,
            "content_hash": digest,
            "retired_at": None,
        }

    async def existing(
        self, model: type[Any], source_ids: list[str]
    ) -> dict[str, tuple[int, str, bool]]:
        """(row id, content hash, retired?) of the records of this source with these ids."""
        rows = await rows_where_in(
            await self.session.connection(),
            table_of(model),
            ("source_id", "id", "content_hash", "retired_at"),
            "source_id",
            source_ids,
            {"source_system": self.system},
        )
        return {
            source_id: (row_id, digest, retired_at is not None)
            for source_id, row_id, digest, retired_at in rows
        }

    async def resolve(self, items: list[Item]) -> None:
        wanted: dict[tuple[type[Any], str], set[str]] = defaultdict(set)
        for item in items:
            for ref in item.mapped.refs:
                known = (ref.model, self._ref_key(ref)) in self.known
                if ref.column not in item.resolved and not known:
                    wanted[(ref.model, _how(ref))].add(ref.source_id)
        for (model, how), keys in wanted.items():
            await self.load_known(model, sorted(keys), how)
        await self._add_villages(
            [ref for item in items for ref in item.mapped.refs if ref.village is not None]
        )
        for item in items:
            for ref in item.mapped.refs:
                target = self.known.get((ref.model, self._ref_key(ref)))
                if target is not None:
                    item.resolved[ref.column] = target

    @staticmethod
    def _ref_key(ref: Ref) -> str:
        return ref_key(ref)

    def unresolved(self, items: list[Item], result: BatchResult) -> list[Item]:
        """The items whose references all point somewhere; the others are noted."""
        ready = []
        for item in items:
            missing = next(
                (ref for ref in item.mapped.refs if ref.column not in item.resolved), None
            )
            if missing is None:
                ready.append(item)
            else:
                result.unresolved[item.position] = self.unknown(missing)
        return ready

    def unknown(self, ref: Ref) -> str:
        """Why a reference found nothing, in a clerk's words."""
        said = self.writer_of(ref.model).unknown(ref)
        if said is not None:
            return said
        what = ref.label or ref.column
        if ref.model is m.Division and ref.by_name:
            county, name = ref.source_id.split("/", 1)
            return (
                f"{what} {name!r} is not the name of one division of county {county} "
                "(unknown, or shared by several: give its 区划代码)"
            )
        if ref.model is m.Division:
            return f"{what} {ref.source_id!r} is not a known division code"
        if ref.by_name:
            return (
                f"{what} {ref.source_id!r} is not the name of one {noun_of(ref.model)} "
                "(unknown, or shared by several)"
            )
        return f"{what} {ref.source_id!r} is not a known {noun_of(ref.model)} of this source"

    async def load_known(
        self, model: type[Any], keys: list[str], how: str, system: str | None = None
    ) -> None:
        """Find the targets of references; `system` reads another source's records (a
        registry whose teams are kept in the county app)."""
        system = system or self.system
        table = table_of(model)
        if how == "code":
            codes = await self.session.scalars(select(table.c.code).where(table.c.code.in_(keys)))
            self.known.update({(model, f"code:{code}"): code for code in codes})
            return
        if how == "village":
            await self._villages(keys)
            return
        if how == "name":
            await self._named(model, keys)
            return
        if how == "division":
            rows = await self.session.execute(
                select(table.c.division_code, table.c.id, table.c.kind).where(
                    table.c.source_system == self.system, table.c.division_code.in_(keys)
                )
            )
            best: dict[str, tuple[int, int]] = {}
            for code, row_id, kind in rows.all():
                rank = _SITE_RANK[kind]
                if code not in best or rank < best[code][0]:
                    best[code] = (rank, row_id)
            self.known.update(
                {(model, f"division:{code}"): row_id for code, (_, row_id) in best.items()}
            )
            return
        found = await self.writer_of(model).find(keys, system)
        if found is not None:
            self.known.update({(model, key): row_id for key, row_id in found.items()})
            return
        by_source = await self.session.execute(
            select(table.c.source_id, table.c.id).where(
                table.c.source_system == system, table.c.source_id.in_(keys)
            )
        )
        self.known.update({(model, source_id): row_id for source_id, row_id in by_source.all()})

    async def _add_villages(self, refs: list[Ref]) -> None:
        """Add the villages these references name that are not known yet, where their
        township is: marked as named by this source."""
        names = {
            ref.source_id: ref.village
            for ref in refs
            if (m.Division, ref_key(ref)) not in self.known and ref.village
        }
        if not names:
            return
        table = table_of(m.Division)
        townships = set(
            await self.session.scalars(
                select(table.c.code).where(
                    table.c.code.in_({township_of(code) for code in names}),
                    table.c.level == m.DivisionLevel.TOWNSHIP,
                )
            )
        )
        rows = [
            {
                "code": code,
                "name": name,
                "level": m.DivisionLevel.VILLAGE,
                "parent_code": township_of(code),
                "population": None,
                "named_by": self.system,
            }
            for code, name in sorted(names.items())
            if township_of(code) in townships
        ]
        if rows:
            await self.insert(table, rows)
            self.known.update({(m.Division, f"code:{row['code']}"): row["code"] for row in rows})

    async def _named(self, model: type[Any], names: list[str]) -> None:
        """Records by name: this source's if it has one of that name, else any source's.
        A name two records share finds neither, never one of them at random."""
        table = table_of(model)
        rows = await self.session.execute(
            select(table.c.name, table.c.id, table.c.source_system).where(
                table.c.name.in_(names), table.c.retired_at.is_(None)
            )
        )
        found: dict[str, dict[bool, list[int]]] = defaultdict(lambda: defaultdict(list))
        for name, row_id, system in rows.all():
            found[name][system == self.system].append(row_id)
        for name, by_source in found.items():
            candidates = by_source[True] or by_source[False]
            if len(candidates) == 1:
                self.known[(model, f"name:{name}")] = candidates[0]

    async def _villages(self, keys: list[str]) -> None:
        """Divisions named within a county ("520602/新村"); a name two divisions share
        finds neither."""
        table = table_of(m.Division)
        for county, names in per_county(keys).items():
            rows = await self.session.execute(
                select(table.c.name, table.c.code).where(
                    table.c.name.in_(names),
                    table.c.code.startswith(county),
                    table.c.code != county,
                )
            )
            found: dict[str, list[str]] = defaultdict(list)
            for name, code in rows.all():
                found[name].append(code)
            for name, codes in found.items():
                if len(codes) == 1:
                    self.known[(m.Division, f"village:{county}/{name}")] = codes[0]

    async def insert(self, table: Table, rows: list[dict[str, Any]]) -> None:
        await insert_rows(await self.session.connection(), table, rows)
        self.inserted_into.add(table.name)

    async def bulk_update(self, table: Table, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        columns = {key for row in rows for key in row if key != "b_id"}
        statement = (
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values({column: bindparam(column) for column in columns})
        )
        await self.session.execute(statement, rows)


def _written(values: dict[str, Any]) -> dict[str, Any]:
    """The columns to store: keys starting with `_` only feed the content hash."""
    return {key: value for key, value in values.items() if not key.startswith("_")}


def township_of(village: str) -> str:
    """The township code of a twelve-digit village code."""
    return f"{village[:9]}000"


def ref_key(ref: Ref) -> str:
    """The key under which a reference's target is known."""
    how = _how(ref)
    return ref.source_id if how == "source" else f"{how}:{ref.source_id}"


def _how(ref: Ref) -> str:
    """How a reference finds its target: by division code or name, site division, name,
    or key (a source id, or what the target's writer finds it by)."""
    if ref.model is m.Division:
        return "village" if ref.by_name else "code"
    if ref.by_division:
        return "division"
    return "name" if ref.by_name else "source"


def _repeated(item: Item, first: int) -> Rejection:
    return Rejection(
        f"this row is the {noun_of(item.mapped.model)} of row {first} again "
        f"({item.mapped.source_id!r}) with other values; a snapshot lists each "
        f"{noun_of(item.mapped.model)} once: correct or remove one of the two rows"
    )


def noun_of(model: type[Any]) -> str:
    """ "MenuItem" → "menu item"."""
    return _WORD_START.sub(" ", model.__name__).strip().lower()


_WORD_START = re.compile(r"(?<=[a-z])(?=[A-Z])")

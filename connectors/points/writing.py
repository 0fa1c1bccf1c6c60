"""Writing households and points ledgers: the parts of a batch that are not a plain
upsert by source id.

Households are one across sources, by (county, 户编号): the source that brought a
household keeps it up to date, others only fill in what it lacks. Ledger entries are
append-only: an entry is never edited; when a bank's export changes an entry's points,
the difference is appended as an ADJUST entry, and a redemption that would take a
passbook below its bank's floor is refused.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update

from connectors.base import Ref, Rejection
from connectors.batch import BatchResult, Item, Outcome, content_hash, per_county
from connectors.points.households import HOUSEHOLD_BY_NAME
from connectors.writing import BatchWriter, RecordWriter
from db import models as m
from db.base import table_of
from db.bulk import rows_where_in

__all__ = ["WRITERS"]

_SHANGHAI = ZoneInfo("Asia/Shanghai")
_CHUNK = 500
# A household's own columns; the rest is provenance.
_HOUSEHOLD_COLUMNS = ("county_code", "household_number", "division_code", "head_name", "address")


class HouseholdWriter(RecordWriter):
    def __init__(self, batch: BatchWriter) -> None:
        super().__init__(batch)
        self._writer = batch
        self._table = table_of(m.Household)

    async def write(self, model: type[Any], items: list[Item], result: BatchResult) -> None:
        writer = self._writer
        await writer.resolve(items)
        ready = writer.unresolved(items, result)
        latest: dict[str, Item] = {}
        for item in ready:
            latest[item.mapped.source_id] = item
        stored = await self.by_number(list(latest))
        stored.update(await self._by_name([i for k, i in latest.items() if k not in stored]))
        new_keys = [key for key in latest if key not in stored]
        if new_keys:
            await writer.insert(
                self._table,
                [
                    {
                        **self._values(latest[key]),
                        **writer.provenance(key, self._digest(latest[key])),
                    }
                    for key in new_keys
                ],
            )
            stored.update(await self.by_number(new_keys))
        outcomes = await self._update(latest, stored, set(new_keys))
        written: dict[str, str] = {}
        for item in ready:
            key = item.mapped.source_id
            item.row_id = stored[key]["id"]
            writer.known[(m.Household, key)] = item.row_id
            digest = self._digest(item)
            if key in written:
                repeat = Outcome.UNCHANGED if written[key] == digest else Outcome.UPDATED
                result.outcomes[item.position].append(repeat)
            else:
                result.outcomes[item.position].append(outcomes[key])
            written[key] = digest

    async def _update(
        self, latest: dict[str, Item], stored: dict[str, dict[str, Any]], new: set[str]
    ) -> dict[str, Outcome]:
        """Bring known households up to date: fully from the source that brought them, and
        only their blanks from any other."""
        writer = self._writer
        outcomes: dict[str, Outcome] = {}
        changed, touched = [], []
        for key, item in latest.items():
            if key in new:
                outcomes[key] = Outcome.INSERTED
                continue
            row, values, digest = stored[key], self._values(item), self._digest(item)
            if row["source_system"] == writer.system:
                if row["content_hash"] == digest and row["retired_at"] is None:
                    touched.append(row["id"])
                    outcomes[key] = Outcome.UNCHANGED
                    continue
                update_values = {
                    **values,
                    "content_hash": digest,
                    "last_seen_at": writer.now,
                    "retired_at": None,
                }
            else:
                blanks = {
                    column: values[column]
                    for column in _HOUSEHOLD_COLUMNS
                    if row[column] is None and values[column] is not None
                }
                if not blanks:
                    outcomes[key] = Outcome.UNCHANGED
                    continue
                update_values = blanks
            await writer.session.execute(
                update(self._table).where(self._table.c.id == row["id"]).values(update_values)
            )
            changed.append(row["id"])
            outcomes[key] = Outcome.UPDATED
        if touched:
            await writer.session.execute(
                update(self._table)
                .where(self._table.c.id.in_(touched))
                .values(last_seen_at=writer.now)
            )
        return outcomes

    @staticmethod
    def _values(item: Item) -> dict[str, Any]:
        return {**item.mapped.values, **item.resolved}

    def _digest(self, item: Item) -> str:
        return content_hash(self._values(item))

    async def find(self, keys: list[str], system: str) -> dict[str, int] | None:
        """Households are one across sources: known by (county, 户编号), whichever
        source brought them."""
        return {key: row["id"] for key, row in (await self.by_number(keys)).items()}

    def unknown(self, ref: Ref) -> str | None:
        county, number = ref.source_id.split("/", 1)
        return f"{ref.label or ref.column} {number!r} is not a known household of county {county}"

    async def by_number(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        """Stored households by (county, 户编号), keyed as the batch knows them."""
        table = self._table
        found: dict[str, dict[str, Any]] = {}
        for county, numbers in per_county(keys).items():
            for start in range(0, len(numbers), _CHUNK):
                rows = await self._writer.session.execute(
                    select(table).where(
                        table.c.county_code == county,
                        table.c.household_number.in_(numbers[start : start + _CHUNK]),
                    )
                )
                for row in rows.mappings():
                    found[f"{county}/{row['household_number']}"] = dict(row)
        return found

    async def _by_name(self, items: list[Item]) -> dict[str, dict[str, Any]]:
        """Households a list names without a number, matched by division and head's name
        where exactly one stored household fits."""
        named = [item for item in items if item.mapped.extras.get(HOUSEHOLD_BY_NAME)]
        if not named:
            return {}
        table = self._table
        wanted = {(i.resolved["division_code"], i.mapped.values["head_name"]) for i in named}
        rows = await self._writer.session.execute(
            select(table).where(
                table.c.division_code.in_({division for division, _ in wanted}),
                table.c.head_name.in_({head for _, head in wanted}),
            )
        )
        candidates: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for row in rows.mappings():
            candidates[(row["division_code"], row["head_name"])].append(dict(row))
        found = {}
        for item in named:
            fits = candidates.get(
                (item.resolved["division_code"], item.mapped.values["head_name"]), []
            )
            if len(fits) == 1:
                found[item.mapped.source_id] = fits[0]
        return found


class AccountWriter(RecordWriter):
    async def after(self, items: list[Item]) -> None:
        """A new passbook opens with its bank's start balance, as an entry of its own, so
        that the balance stays the sum of the entries."""
        writer = self.batch
        rows, opened = [], set()
        for item in items:
            start = item.mapped.extras.get("start_balance", 0)
            source_id = f"{item.mapped.source_id}#opening"
            if not item.inserted or not start or source_id in opened:
                continue
            opened.add(source_id)
            values = {
                "account_id": item.row_id,
                "kind": m.PointsEntryKind.ADJUST,
                "points": start,
                "reason": "开户初始积分",
                "reason_code": "opening_balance",
                "occurred_on": item.mapped.extras["opened_on"],
                "redeemed_item": None,
                "redeemed_value_fen": None,
                "handled_by": None,
            }
            rows.append({**values, **writer.provenance(source_id, content_hash(values))})
        await writer.insert(table_of(m.PointsEntry), rows)


class LedgerWriter(RecordWriter):
    def __init__(self, batch: BatchWriter) -> None:
        super().__init__(batch)
        self._writer = batch
        self._table = table_of(m.PointsEntry)

    async def write(self, model: type[Any], items: list[Item], result: BatchResult) -> None:
        writer = self._writer
        await writer.resolve(items)
        ready = writer.unresolved(items, result)
        stored = await self._stored([item.mapped.source_id for item in ready])
        balances = await self._balances({item.resolved["account_id"] for item in ready})
        new_rows: list[dict[str, Any]] = []
        new_digests: dict[str, str] = {}
        touched: list[int] = []
        for item in ready:
            values = {**item.mapped.values, **item.resolved}
            digest, source_id = content_hash(values), item.mapped.source_id
            account, points = values["account_id"], values["points"]
            outcome: Outcome | str
            if source_id in stored:
                outcome, delta = await self._changed(item, values, digest, stored[source_id])
                balances[account] = balances.get(account, 0) + delta
                if outcome is Outcome.UNCHANGED:
                    touched.append(stored[source_id][0])
            elif source_id in new_digests:
                outcome = (
                    Outcome.UNCHANGED
                    if new_digests[source_id] == digest
                    else f"entry {source_id.split('|', 1)[1]} appears twice with different "
                    "content; one entry number (流水号) stands for one entry"
                )
            else:
                balance = balances.get(account, 0)
                floor = item.mapped.extras.get("floor", 0)
                if values["kind"] is m.PointsEntryKind.REDEEM and balance + points < floor:
                    outcome = (
                        f"兑换 of {-points} points would leave the passbook at "
                        f"{balance + points}, below this bank's floor of {floor} "
                        f"(balance before: {balance})"
                    )
                else:
                    balances[account] = balance + points
                    new_rows.append({**values, **writer.provenance(source_id, digest)})
                    new_digests[source_id] = digest
                    outcome = Outcome.INSERTED
            if isinstance(outcome, str):
                result.refused[item.position] = Rejection(outcome)
            else:
                result.outcomes[item.position].append(outcome)
        await writer.insert(self._table, new_rows)
        if touched:
            await writer.session.execute(
                update(self._table)
                .where(self._table.c.id.in_(touched))
                .values(last_seen_at=writer.now)
            )

    async def _changed(
        self,
        item: Item,
        values: dict[str, Any],
        digest: str,
        stored: tuple[int, str, int],
    ) -> tuple[Outcome | str, int]:
        """An entry seen before. If its points changed at the source, the difference is
        appended as an adjustment (which remembers the content it answers); any other
        change cannot be recorded without editing the entry, so it is refused. Returns
        the outcome (or the refusal) and the points it added."""
        _, stored_digest, stored_points = stored
        if stored_digest == digest:
            return Outcome.UNCHANGED, 0
        source_id = item.mapped.source_id
        adjustments = (
            await self._writer.session.execute(
                select(self._table.c.points, self._table.c.content_hash).where(
                    self._table.c.source_system == self._writer.system,
                    self._table.c.source_id.startswith(f"{source_id}#adjust"),
                )
            )
        ).all()
        if any(answered == digest for _, answered in adjustments):
            return Outcome.UNCHANGED, 0
        delta = values["points"] - stored_points - sum(points for points, _ in adjustments)
        if not delta:
            return (
                f"entry {source_id.split('|', 1)[1]} was recorded earlier with other details; "
                "ledger entries are never edited: enter a correction (调整) instead"
            ), 0
        correction = {
            "account_id": values["account_id"],
            "kind": m.PointsEntryKind.ADJUST,
            "points": delta,
            "reason": f"更正: {values['reason'] or values['kind'].value}",
            "reason_code": "correction",
            "occurred_on": self._writer.now.astimezone(_SHANGHAI).date(),
            "redeemed_item": None,
            "redeemed_value_fen": None,
            "handled_by": values["handled_by"],
        }
        await self._writer.insert(
            self._table,
            [
                {
                    **correction,
                    **self._writer.provenance(f"{source_id}#adjust{len(adjustments) + 1}", digest),
                }
            ],
        )
        return Outcome.UPDATED, delta

    async def _stored(self, source_ids: list[str]) -> dict[str, tuple[int, str, int]]:
        rows = await rows_where_in(
            await self._writer.session.connection(),
            self._table,
            ("source_id", "id", "content_hash", "points"),
            "source_id",
            source_ids,
            {"source_system": self._writer.system},
        )
        return {sid: (row_id, digest, points) for sid, row_id, digest, points in rows}

    async def _balances(self, accounts: set[int]) -> dict[int, int]:
        table, ordered, found = self._table, sorted(accounts), {}
        for start in range(0, len(ordered), _CHUNK):
            rows = await self._writer.session.execute(
                select(table.c.account_id, func.sum(table.c.points))
                .where(table.c.account_id.in_(ordered[start : start + _CHUNK]))
                .group_by(table.c.account_id)
            )
            found.update({account: int(total) for account, total in rows})
        return found


WRITERS: dict[type[Any], type[RecordWriter]] = {
    m.Household: HouseholdWriter,
    m.PointsAccount: AccountWriter,
    m.PointsEntry: LedgerWriter,
}

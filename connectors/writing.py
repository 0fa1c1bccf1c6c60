"""Writing one batch of mapped records: upsert by (source system, source id) with
provenance, references resolved, and an outcome for every record.

Work is done per model in bulk (one statement for the look-up, one for the inserts,
one for the updates), so that a batch of a thousand volunteers costs a handful of
statements, not thousands.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from connectors.base import Mapped, Ref, Rejection
from connectors.batch import BatchResult, Item, Outcome, content_hash, per_county
from connectors.households_writing import HouseholdWriter, LedgerWriter
from connectors.news_writing import StoryWriter
from connectors.volunteers.identity_mapping import REGISTRATION_ONLY
from db import models as m
from db.base import Base, table_of
from db.bulk import insert_rows, rows_where_in

__all__ = ["BatchResult", "BatchWriter", "Item", "Outcome", "content_hash", "ref_key"]

_TABLE_ORDER = {table.name: rank for rank, table in enumerate(Base.metadata.sorted_tables)}
_SITE_RANK = {kind: rank for rank, kind in enumerate(m.SiteKind)}


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
        self._sites: dict[int, tuple[m.SiteKind, int | None]] = {}
        self._platforms: dict[tuple[int, str], int] = {}
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
        if model is m.Volunteer:
            await self._volunteers(items, result)
            return
        if model is m.Household:
            await HouseholdWriter(self).write(items, result)
            return
        if model is m.PointsEntry:
            await LedgerWriter(self).write(items, result)
            return
        if model is m.NewsStory:
            await StoryWriter(self).write(items, result)
            return
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
            result.unresolved[item.position] = _unresolved(missing)

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
        await self._bulk_update(table, updates)
        if touched:
            await self.session.execute(
                update(table).where(table.c.id.in_(touched)).values(last_seen_at=self.now)
            )
        for item in items:
            if item.row_id is not None:
                self.known[(model, item.mapped.source_id)] = item.row_id
        await self._extras(model, items)

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
            await self._load_known(model, sorted(keys), how)
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
                result.unresolved[item.position] = _unresolved(missing)
        return ready

    async def _load_known(
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
        if how == "household":
            await self._known_households(keys)
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
        if model is m.Volunteer:
            # A volunteer is known to this source by its registration here, or else by the
            # national volunteer number (志愿者编号), the public key every registry shares.
            registrations = table_of(m.VolunteerRegistration)
            registered = await self.session.execute(
                select(registrations.c.source_id, registrations.c.volunteer_id).where(
                    registrations.c.source_system == system, registrations.c.source_id.in_(keys)
                )
            )
            self.known.update({(model, key): row_id for key, row_id in registered.all()})
            rest = [key for key in keys if (model, key) not in self.known]
            if rest:
                numbered = await self.session.execute(
                    select(table.c.volunteer_number, table.c.id).where(
                        table.c.volunteer_number.in_(rest)
                    )
                )
                self.known.update({(model, key): row_id for key, row_id in numbered.all()})
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

    async def _known_households(self, keys: list[str]) -> None:
        """Households by (county, 户编号), whichever source brought them."""
        for key, row in (await HouseholdWriter(self).by_number(keys)).items():
            self.known[(m.Household, f"household:{key}")] = row["id"]

    async def _extras(self, model: type[Any], items: list[Item]) -> None:
        if model is m.Site:
            await self._site_platforms(items)
        elif model is m.ServiceOrder:
            await self._order_events(items)
        elif model is m.Project:
            await self._team_links(m.project_teams, "project_id", items)
        elif model is m.Platform:
            await self._hosting_sites(items)
        elif model is m.Activity:
            await self._team_links(m.activity_teams, "activity_id", items)
        elif model is m.PointsAccount:
            await LedgerWriter(self).open_accounts(items)

    async def _team_links(self, links: Table, column: str, items: list[Item]) -> None:
        """The teams that run a project or held an activity, as the source lists them."""
        wanted = {team for item in items for team in item.mapped.extras.get("teams", [])}
        if not wanted:
            return
        await self._load_known(
            m.Team, sorted(t for t in wanted if (m.Team, t) not in self.known), "source"
        )
        owners = [item.row_id for item in items if item.row_id is not None]
        stored = await self.session.execute(
            select(links.c[column], links.c.team_id).where(links.c[column].in_(owners))
        )
        present: set[tuple[int, int]] = {(owner, team) for owner, team in stored.all()}
        new = []
        for item in items:
            for team in item.mapped.extras.get("teams", []):
                team_id = self.known.get((m.Team, team))
                if item.row_id is None or team_id is None or (item.row_id, team_id) in present:
                    continue
                present.add((item.row_id, team_id))
                new.append({column: item.row_id, "team_id": team_id})
        if new:
            await self.insert(links, new)

    async def _site_platforms(self, items: list[Item]) -> None:
        """Platforms named on a site row belong to its center; the site hosts them."""
        links = m.site_platforms
        new_links = []
        for item in items:
            names: list[str] = item.mapped.extras.get("platforms", [])
            if not names or item.row_id is None:
                continue
            center_id = await self._center_of(item)
            if center_id is None:
                continue
            platform_ids = [await self._platform(center_id, name) for name in names]
            present: set[int] = set()
            if not item.inserted:
                hosted = await self.session.scalars(
                    select(links.c.platform_id).where(links.c.site_id == item.row_id)
                )
                present = set(hosted.all())
            new_links += [
                {"site_id": item.row_id, "platform_id": platform_id}
                for platform_id in dict.fromkeys(platform_ids)
                if platform_id not in present
            ]
        if new_links:
            await self.insert(links, new_links)

    async def _hosting_sites(self, items: list[Item]) -> None:
        """The sites a platform lists as hosting it (by their source ids)."""
        links = m.site_platforms
        wanted = {site for item in items for site in item.mapped.extras.get("sites", [])}
        if not wanted:
            return
        await self._load_known(
            m.Site, sorted(s for s in wanted if (m.Site, s) not in self.known), "source"
        )
        platform_ids = [item.row_id for item in items if item.row_id is not None]
        stored = await self.session.execute(
            select(links.c.site_id, links.c.platform_id).where(
                links.c.platform_id.in_(platform_ids)
            )
        )
        present: set[tuple[int, int]] = {(site, platform) for site, platform in stored.all()}
        new = []
        for item in items:
            for site in item.mapped.extras.get("sites", []):
                site_id = self.known.get((m.Site, site))
                if item.row_id is None or site_id is None or (site_id, item.row_id) in present:
                    continue
                present.add((site_id, item.row_id))
                new.append({"site_id": site_id, "platform_id": item.row_id})
        if new:
            await self.insert(links, new)

    async def _center_of(self, item: Item) -> int | None:
        """The center a site belongs to: itself, or the nearest center above it."""
        if item.mapped.values.get("kind") in _CENTERS:
            return item.row_id
        site_id: int | None = item.resolved.get("parent_id")
        for _ in range(8):  # the hierarchy is at most a handful of levels deep
            if site_id is None:
                return None
            if site_id not in self._sites:
                row = (
                    await self.session.execute(
                        select(m.Site.kind, m.Site.parent_id).where(m.Site.id == site_id)
                    )
                ).one_or_none()
                if row is None:
                    return None
                self._sites[site_id] = (row[0], row[1])
            kind, parent = self._sites[site_id]
            if kind in _CENTERS:
                return site_id
            site_id = parent
        return None

    async def _platform(self, center_id: int, name: str) -> int:
        cached = self._platforms.get((center_id, name))
        if cached is not None:
            return cached
        table = table_of(m.Platform)
        found = await self.session.scalar(
            select(table.c.id).where(table.c.center_id == center_id, table.c.name == name)
        )
        if found is None:
            source_id = f"platform:{center_id}:{name}"
            digest = content_hash({"center": center_id, "name": name})
            await self.session.execute(
                insert(table),
                [{"center_id": center_id, "name": name, **self.provenance(source_id, digest)}],
            )
            found = await self.session.scalar(
                select(table.c.id).where(table.c.center_id == center_id, table.c.name == name)
            )
        assert found is not None  # inserted just above
        self._platforms[(center_id, name)] = int(found)
        return int(found)

    async def _order_events(self, items: list[Item]) -> None:
        """The order's log only grows: events not yet stored are appended."""
        table = table_of(m.OrderEvent)
        for item in items:
            events: list[dict[str, Any]] = item.mapped.extras.get("events", [])
            if not events or item.row_id is None:
                continue
            stored = (
                await self.session.execute(
                    select(table.c.kind, table.c.occurred_at, table.c.sequence).where(
                        table.c.order_id == item.row_id
                    )
                )
            ).all()
            seen = {(kind, when) for kind, when, _ in stored}
            sequence = max((row[2] for row in stored), default=0)
            new = []
            for event in events:
                if (event["kind"], event["occurred_at"]) in seen:
                    continue
                sequence += 1
                new.append({**event, "order_id": item.row_id, "sequence": sequence})
            if new:
                await self.insert(table, new)

    async def _volunteers(self, items: list[Item], result: BatchResult) -> None:
        """One volunteer per person per county: a registry's record is a registration of
        that volunteer, and a person already known (from this registry or another) is
        updated, never doubled. Everything is done in bulk."""
        volunteers, registrations = table_of(m.Volunteer), table_of(m.VolunteerRegistration)
        known_registrations = await self.existing(
            m.VolunteerRegistration, [i.mapped.source_id for i in items]
        )
        persons = [_person(item) for item in items]
        people = await self._people(set(persons))
        # Fold the batch onto people: the same person twice is one volunteer, written once,
        # known by the first registry number seen and holding the last row's data.
        first: dict[tuple[str, str], Item] = {}
        latest: dict[tuple[str, str], Item] = {}
        for person, item in zip(persons, items, strict=True):
            first.setdefault(person, item)
            latest[person] = item
        new_people = [person for person in latest if person not in people]
        is_new = set(new_people)
        if new_people:
            rows = []
            for person in new_people:
                earliest, last = first[person], latest[person]
                values = (
                    earliest.mapped.values
                    if earliest is last
                    else {**earliest.mapped.values, **_person_data(last)}
                )
                provenance = self.provenance(earliest.mapped.source_id, _digest(last))
                rows.append({**values, **provenance})
            await self.insert(volunteers, rows)
            people.update(await self._people(is_new))
        changed, touched, changed_people = [], [], set()
        for person, item in latest.items():
            if person in is_new:
                continue
            row_id, stored, retired = people[person]
            digest = _digest(item)
            if stored == digest and not retired:
                touched.append(row_id)
                continue
            changed.append(
                {
                    **_person_data(item),
                    "b_id": row_id,
                    "content_hash": digest,
                    "last_seen_at": self.now,
                    "retired_at": None,
                }
            )
            changed_people.add(person)
        await self._bulk_update(volunteers, changed)
        if touched:
            await self.session.execute(
                update(volunteers).where(volunteers.c.id.in_(touched)).values(last_seen_at=self.now)
            )
        new_registrations, moved = [], []
        for person, item in zip(persons, items, strict=True):
            volunteer_id = people[person][0]
            item.row_id = volunteer_id
            if person in is_new:
                earliest = first[person]
                outcome = Outcome.INSERTED if earliest is item else _compared(item, earliest)
            elif person in changed_people and latest[person] is item:
                outcome = Outcome.UPDATED
            elif item.mapped.source_id in known_registrations:
                outcome = Outcome.UNCHANGED
            else:
                outcome = Outcome.UPDATED  # a known person seen in one more registry
            result.outcomes[item.position].append(outcome)
            registration = known_registrations.get(item.mapped.source_id)
            if registration is None:
                digest = item.mapped.extras["registration_digest"]
                new_registrations.append(
                    {
                        "volunteer_id": volunteer_id,
                        "registered_on": item.mapped.values.get("registered_on"),
                        **self.provenance(item.mapped.source_id, digest),
                    }
                )
                known_registrations[item.mapped.source_id] = (0, digest, False)
            else:
                moved.append(registration[0])
        if new_registrations:
            await self.insert(registrations, new_registrations)
        if moved:
            await self.session.execute(
                update(registrations)
                .where(registrations.c.id.in_(moved))
                .values(last_seen_at=self.now, retired_at=None)
            )
        await self._memberships(items)

    async def _people(
        self, persons: set[tuple[str, str]]
    ) -> dict[tuple[str, str], tuple[int, str, bool]]:
        by_county: dict[str, list[str]] = defaultdict(list)
        for county, key in sorted(persons):
            by_county[county].append(key)
        found: dict[tuple[str, str], tuple[int, str, bool]] = {}
        # County first: the unique index is (county_code, person_key).
        for county, keys in by_county.items():
            rows = await rows_where_in(
                await self.session.connection(),
                table_of(m.Volunteer),
                ("person_key", "id", "content_hash", "retired_at"),
                "person_key",
                keys,
                {"county_code": county},
            )
            for key, row_id, digest, retired_at in rows:
                found[(county, key)] = (row_id, digest, retired_at is not None)
        return found

    async def insert(self, table: Table, rows: list[dict[str, Any]]) -> None:
        await insert_rows(await self.session.connection(), table, rows)
        self.inserted_into.add(table.name)

    async def _bulk_update(self, table: Table, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        columns = {key for row in rows for key in row if key != "b_id"}
        statement = (
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values({column: bindparam(column) for column in columns})
        )
        await self.session.execute(statement, rows)

    async def _memberships(self, items: list[Item]) -> None:
        wanted = {team for item in items for team in item.mapped.extras.get("teams", [])}
        if not wanted:
            return
        systems = {item.mapped.extras.get("team_system") for item in items} - {None}
        team_system = next(iter(systems), None)
        await self._load_known(
            m.Team,
            sorted(team for team in wanted if (m.Team, team) not in self.known),
            "source",
            team_system,
        )
        table = table_of(m.TeamMembership)
        volunteer_ids = sorted({item.row_id for item in items if item.row_id is not None})
        memberships = await self.session.execute(
            select(table.c.volunteer_id, table.c.team_id).where(
                table.c.volunteer_id.in_(volunteer_ids)
            )
        )
        present: set[tuple[int, int]] = {(volunteer, team) for volunteer, team in memberships.all()}
        new = []
        for item in items:
            for team in item.mapped.extras.get("teams", []):
                team_id = self.known.get((m.Team, team))
                if team_id is None or item.row_id is None or (item.row_id, team_id) in present:
                    continue
                present.add((item.row_id, team_id))
                new.append(
                    {
                        "team_id": team_id,
                        "volunteer_id": item.row_id,
                        "joined_on": item.mapped.values.get("registered_on"),
                        "is_core": False,
                    }
                )
        if new:
            await self.insert(table, new)


# A volunteer's own data: the registration's number and date and the person's identity
# (county and person key) are left as they are.
_NOT_PERSON_DATA = REGISTRATION_ONLY | {"person_key"}


def _person(item: Item) -> tuple[str, str]:
    return item.mapped.values["county_code"], item.mapped.values["person_key"]


def _person_data(item: Item) -> dict[str, Any]:
    return {k: v for k, v in item.mapped.values.items() if k not in _NOT_PERSON_DATA}


def _compared(item: Item, earlier: Item) -> Outcome:
    return Outcome.UNCHANGED if _digest(item) == _digest(earlier) else Outcome.UPDATED


def _digest(item: Item) -> str:
    digest = item.mapped.digest
    assert digest is not None, "volunteer records are made by volunteer_record(), with a digest"
    return digest


def _written(values: dict[str, Any]) -> dict[str, Any]:
    """The columns to store: keys starting with `_` only feed the content hash."""
    return {key: value for key, value in values.items() if not key.startswith("_")}


_CENTERS = {m.SiteKind.CENTER, m.SiteKind.PREFECTURE_CENTER}


def township_of(village: str) -> str:
    """The township code of a twelve-digit village code."""
    return f"{village[:9]}000"


def ref_key(ref: Ref) -> str:
    """The key under which a reference's target is known."""
    how = _how(ref)
    return ref.source_id if how == "source" else f"{how}:{ref.source_id}"


def _how(ref: Ref) -> str:
    """How a reference finds its target: by division code or name, site division,
    household number, name or source id."""
    if ref.model is m.Division:
        return "village" if ref.by_name else "code"
    if ref.model is m.Household:
        return "household"
    if ref.by_division:
        return "division"
    return "name" if ref.by_name else "source"


def _repeated(item: Item, first: int) -> Rejection:
    return Rejection(
        f"this row is the {_name(item.mapped.model)} of row {first} again "
        f"({item.mapped.source_id!r}) with other values; a snapshot lists each "
        f"{_name(item.mapped.model)} once: correct or remove one of the two rows"
    )


def _unresolved(ref: Ref) -> str:
    what = ref.label or ref.column
    if ref.model is m.Division and ref.by_name:
        county, name = ref.source_id.split("/", 1)
        return (
            f"{what} {name!r} is not the name of one division of county {county} "
            "(unknown, or shared by several: give its 区划代码)"
        )
    if ref.model is m.Division:
        return f"{what} {ref.source_id!r} is not a known division code"
    if ref.model is m.Household:
        county, number = ref.source_id.split("/", 1)
        return f"{what} {number!r} is not a known household of county {county}"
    if ref.by_name:
        return (
            f"{what} {ref.source_id!r} is not the name of one {_name(ref.model)} "
            "(unknown, or shared by several)"
        )
    return f"{what} {ref.source_id!r} is not a known {_name(ref.model)} of this source"


def _name(model: type[Any]) -> str:
    return {
        m.Site: "site",
        m.Team: "team",
        m.Project: "project",
        m.Activity: "activity",
        m.Volunteer: "volunteer",
        m.MenuItem: "menu item",
    }.get(model, model.__name__)

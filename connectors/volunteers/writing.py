"""Writing volunteers, their registrations and memberships, and the county app's
orders, projects and activities: what is more than a plain upsert by source id."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Table, select, update

from connectors.batch import BatchResult, Item, Outcome
from connectors.volunteers.identity_mapping import REGISTRATION_ONLY
from connectors.writing import RecordWriter
from db import models as m
from db.base import table_of
from db.bulk import rows_where_in

__all__ = ["WRITERS"]


class VolunteerWriter(RecordWriter):
    async def write(self, model: type[Any], items: list[Item], result: BatchResult) -> None:
        """One volunteer per person per county: a registry's record is a registration of
        that volunteer, and a person already known (from this registry or another) is
        updated, never doubled. Everything is done in bulk."""
        volunteers, registrations = table_of(m.Volunteer), table_of(m.VolunteerRegistration)
        known_registrations = await self.batch.existing(
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
                provenance = self.batch.provenance(earliest.mapped.source_id, _digest(last))
                rows.append({**values, **provenance})
            await self.batch.insert(volunteers, rows)
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
                    "last_seen_at": self.batch.now,
                    "retired_at": None,
                }
            )
            changed_people.add(person)
        await self.batch.bulk_update(volunteers, changed)
        if touched:
            await self.batch.session.execute(
                update(volunteers)
                .where(volunteers.c.id.in_(touched))
                .values(last_seen_at=self.batch.now)
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
                        **self.batch.provenance(item.mapped.source_id, digest),
                    }
                )
                known_registrations[item.mapped.source_id] = (0, digest, False)
            else:
                moved.append(registration[0])
        if new_registrations:
            await self.batch.insert(registrations, new_registrations)
        if moved:
            await self.batch.session.execute(
                update(registrations)
                .where(registrations.c.id.in_(moved))
                .values(last_seen_at=self.batch.now, retired_at=None)
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
                await self.batch.session.connection(),
                table_of(m.Volunteer),
                ("person_key", "id", "content_hash", "retired_at"),
                "person_key",
                keys,
                {"county_code": county},
            )
            for key, row_id, digest, retired_at in rows:
                found[(county, key)] = (row_id, digest, retired_at is not None)
        return found

    async def find(self, keys: list[str], system: str) -> dict[str, int] | None:
        """A volunteer is known to a source by its registration there, or else by the
        national volunteer number (志愿者编号), the public key every registry shares."""
        registrations, volunteers = table_of(m.VolunteerRegistration), table_of(m.Volunteer)
        registered = await self.batch.session.execute(
            select(registrations.c.source_id, registrations.c.volunteer_id).where(
                registrations.c.source_system == system, registrations.c.source_id.in_(keys)
            )
        )
        found: dict[str, int] = {key: row_id for key, row_id in registered.all()}
        rest = [key for key in keys if key not in found]
        if rest:
            numbered = await self.batch.session.execute(
                select(volunteers.c.volunteer_number, volunteers.c.id).where(
                    volunteers.c.volunteer_number.in_(rest)
                )
            )
            found.update({number: row_id for number, row_id in numbered.all()})
        return found

    async def _memberships(self, items: list[Item]) -> None:
        wanted = {team for item in items for team in item.mapped.extras.get("teams", [])}
        if not wanted:
            return
        systems = {item.mapped.extras.get("team_system") for item in items} - {None}
        team_system = next(iter(systems), None)
        await self.batch.load_known(
            m.Team,
            sorted(team for team in wanted if (m.Team, team) not in self.batch.known),
            "source",
            team_system,
        )
        table = table_of(m.TeamMembership)
        volunteer_ids = sorted({item.row_id for item in items if item.row_id is not None})
        memberships = await self.batch.session.execute(
            select(table.c.volunteer_id, table.c.team_id).where(
                table.c.volunteer_id.in_(volunteer_ids)
            )
        )
        present: set[tuple[int, int]] = {(volunteer, team) for volunteer, team in memberships.all()}
        new = []
        for item in items:
            for team in item.mapped.extras.get("teams", []):
                team_id = self.batch.known.get((m.Team, team))
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
            await self.batch.insert(table, new)


class _TeamLinks(RecordWriter):
    """The teams that run a project or held an activity, as the source lists them."""

    links: Table
    column: str

    async def after(self, items: list[Item]) -> None:
        await self._team_links(self.links, self.column, items)

    async def _team_links(self, links: Table, column: str, items: list[Item]) -> None:
        """The teams that run a project or held an activity, as the source lists them."""
        wanted = {team for item in items for team in item.mapped.extras.get("teams", [])}
        if not wanted:
            return
        await self.batch.load_known(
            m.Team, sorted(t for t in wanted if (m.Team, t) not in self.batch.known), "source"
        )
        owners = [item.row_id for item in items if item.row_id is not None]
        stored = await self.batch.session.execute(
            select(links.c[column], links.c.team_id).where(links.c[column].in_(owners))
        )
        present: set[tuple[int, int]] = {(owner, team) for owner, team in stored.all()}
        new = []
        for item in items:
            for team in item.mapped.extras.get("teams", []):
                team_id = self.batch.known.get((m.Team, team))
                if item.row_id is None or team_id is None or (item.row_id, team_id) in present:
                    continue
                present.add((item.row_id, team_id))
                new.append({column: item.row_id, "team_id": team_id})
        if new:
            await self.batch.insert(links, new)


class ProjectWriter(_TeamLinks):
    links, column = m.project_teams, "project_id"


class ActivityWriter(_TeamLinks):
    links, column = m.activity_teams, "activity_id"


class OrderWriter(RecordWriter):
    async def after(self, items: list[Item]) -> None:
        """The order's log only grows: events not yet stored are appended."""
        table = table_of(m.OrderEvent)
        for item in items:
            events: list[dict[str, Any]] = item.mapped.extras.get("events", [])
            if not events or item.row_id is None:
                continue
            stored = (
                await self.batch.session.execute(
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
                await self.batch.insert(table, new)


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


WRITERS: dict[type[Any], type[RecordWriter]] = {
    m.Volunteer: VolunteerWriter,
    m.Project: ProjectWriter,
    m.Activity: ActivityWriter,
    m.ServiceOrder: OrderWriter,
}

"""Generates the demo: rows for every table, place by place, streamed in batches.

Deterministic for a given seed and scale. Structure follows the published shapes of
`demo.places`; people and events are scaled. Rows are plain dicts for Core inserts
so that a full-scale run (two million volunteers) streams instead of building ORM
objects.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import Table

from connectors.divisions import DivisionRecord
from db import models as m
from db.base import Base, table_of
from db.pii import PersonalDataCipher
from demo import vocabulary as words
from demo.people import make_person
from demo.places import PLACES, PlaceSpec

__all__ = [
    "DEFAULT_SCALE",
    "DEFAULT_SEED",
    "Batch",
    "DemoOptions",
    "generate",
    "generate_places",
    "split_total",
]

SHANGHAI = ZoneInfo("Asia/Shanghai")
BATCH_SIZE = 5_000
DEFAULT_SEED = 2026
DEFAULT_SCALE = 0.01
Row = dict[str, Any]


class Batch(NamedTuple):
    table: Table
    rows: list[Row]


@dataclass(frozen=True, slots=True)
class DemoOptions:
    seed: int = DEFAULT_SEED
    scale: float = DEFAULT_SCALE
    reference: datetime = datetime(2026, 10, 31, 12, 0, tzinfo=UTC)
    places: tuple[PlaceSpec, ...] = PLACES

    def scaled(self, published: int) -> int:
        """A published count at this scale: never zero for a figure that is not zero."""
        return max(1, round(published * self.scale)) if published else 0


def split_total(total: int, parts: int, rng: random.Random, *, minimum: int = 0) -> list[int]:
    """`parts` random whole numbers, each at least `minimum`, adding up to `total` exactly."""
    if parts <= 0:
        return []
    spare = total - minimum * parts
    if spare < 0:
        raise ValueError(f"cannot split {total} into {parts} parts of at least {minimum}")
    weights = [rng.random() + 0.1 for _ in range(parts)]
    scale = spare / sum(weights)
    shares = [int(weight * scale) for weight in weights]
    for index in range(spare - sum(shares)):
        shares[index % parts] += 1
    return [minimum + share for share in shares]


@dataclass
class _SiteRef:
    id: int
    name: str
    division_code: str


@dataclass
class _County:
    """What later steps of one county need from its structure."""

    code: str
    name: str
    center: _SiteRef
    institutes: list[_SiteRef] = field(default_factory=list)
    stations: list[_SiteRef] = field(default_factory=list)
    villages: list[tuple[str, str]] = field(default_factory=list)
    platform_ids: list[int] = field(default_factory=list)
    team_ids: list[int] = field(default_factory=list)
    project_ids: list[tuple[int, str]] = field(default_factory=list)
    volunteer_ids: list[int] = field(default_factory=list)
    menu_ids: list[int] = field(default_factory=list)


class _Ids:
    def __init__(self) -> None:
        self._next: dict[str, int] = defaultdict(int)

    def __call__(self, table: str) -> int:
        self._next[table] += 1
        return self._next[table]


_DEPENDENCY_ORDER = {table: rank for rank, table in enumerate(Base.metadata.sorted_tables)}


class _Buffer:
    """Collects rows per table and hands out batches.

    When one table's rows fill a batch, every buffered table is handed out in the order
    of the schema's dependencies, so a row never reaches the database before the rows it
    points to (which are always generated first).
    """

    def __init__(self, size: int = BATCH_SIZE) -> None:
        self._size = size
        self._rows: dict[str, list[Row]] = {}
        self._tables: dict[str, Table] = {}

    def add(self, table: Table, row: Row) -> Iterator[Batch]:
        rows = self._rows.setdefault(table.name, [])
        self._tables.setdefault(table.name, table)
        rows.append(row)
        if len(rows) >= self._size:
            yield from self.flush(*sorted(self._tables.values(), key=_DEPENDENCY_ORDER.__getitem__))

    def flush(self, *tables: Table) -> Iterator[Batch]:
        for table in tables:
            rows = self._rows.pop(table.name, [])
            if rows:
                yield Batch(table, rows)


def generate(
    divisions: Sequence[DivisionRecord], cipher: PersonalDataCipher, options: DemoOptions
) -> Iterator[Batch]:
    """Every demo row for the places in `options`, parents before children."""
    for _, batch in generate_places(divisions, cipher, options):
        yield batch


def generate_places(
    divisions: Sequence[DivisionRecord], cipher: PersonalDataCipher, options: DemoOptions
) -> Iterator[tuple[PlaceSpec, Batch]]:
    """The same rows, each with the place it belongs to."""
    generator = _Generator(divisions, cipher, options)
    for place in options.places:
        for batch in generator.place(place):
            yield place, batch


class _Generator:
    def __init__(
        self,
        divisions: Sequence[DivisionRecord],
        cipher: PersonalDataCipher,
        options: DemoOptions,
    ) -> None:
        self.options = options
        self.cipher = cipher
        self.ids = _Ids()
        self.buffer = _Buffer()
        self.names = {record.code: record.name for record in divisions}
        self.townships: dict[str, list[str]] = defaultdict(list)
        for record in divisions:
            if record.level is m.DivisionLevel.TOWNSHIP and record.parent_code:
                self.townships[record.parent_code].append(record.code)
        self.seen = options.reference
        self.village_names: dict[str, set[str]] = defaultdict(set)
        self.id_numbers: set[str] = set()

    # -- shared helpers -------------------------------------------------------------

    def _rng(self, place: PlaceSpec, stream: str) -> random.Random:
        # One random stream per (place, table family): changing one part of the demo
        # leaves the others' rows as they were.
        return random.Random(f"{self.options.seed}:{place.key}:{stream}")

    def _provenance(self, place: PlaceSpec, kind: str, local_id: object, row: Row) -> Row:
        # Sealed values carry a random nonce, so hashing them would make every load "changed".
        content = {key: value for key, value in row.items() if not key.endswith("_sealed")}
        payload = json.dumps(content, sort_keys=True, default=str, ensure_ascii=False)
        row.update(
            source_system=f"demo:{place.key}",
            source_id=f"{kind}/{local_id}",
            first_seen_at=self.seen,
            last_seen_at=self.seen,
            content_hash=hashlib.sha256(payload.encode()).hexdigest(),
            retired_at=None,
        )
        return row

    def _emit(self, place: PlaceSpec, table: Table, kind: str, row: Row) -> Iterator[Batch]:
        yield from self.buffer.add(table, self._provenance(place, kind, row["id"], row))

    def _instant(self, rng: random.Random, days_back: int = 365) -> datetime:
        day = self.seen.astimezone(SHANGHAI).date() - timedelta(days=rng.randrange(days_back))
        moment = time(hour=rng.randrange(8, 18), minute=rng.choice((0, 15, 30, 45)))
        return datetime.combine(day, moment, tzinfo=SHANGHAI).astimezone(UTC)

    # -- one place ------------------------------------------------------------------

    def place(self, place: PlaceSpec) -> Iterator[Batch]:
        counties: list[_County] = []
        yield from self._sites(place, counties)
        yield from self._teams(place, counties)
        yield from self._projects(place, counties)
        yield from self._volunteers(place, counties)
        yield from self._activities(place, counties)
        yield from self._orders(place, counties)
        yield from self._households(place, counties)
        yield from self._stories(place, counties)

    # -- sites ----------------------------------------------------------------------

    def _site(
        self,
        place: PlaceSpec,
        rng: random.Random,
        kind: m.SiteKind,
        name: str,
        division_code: str,
        parent: _SiteRef | None,
        *,
        demonstration: bool = False,
    ) -> tuple[_SiteRef, Iterator[Batch]]:
        site_id = self.ids("sites")
        area = {"station": (60, 300), "point": (30, 150), "post": (10, 60)}.get(
            kind.value, (200, 3000)
        )
        roll = rng.random()
        status = (
            m.SiteStatus.OPEN
            if roll < 0.95
            else m.SiteStatus.BUILDING
            if roll < 0.98
            else m.SiteStatus.SUSPENDED
        )
        row: Row = {
            "id": site_id,
            "kind": kind,
            "name": name,
            "parent_id": parent.id if parent else None,
            "division_code": division_code,
            "is_demonstration": demonstration,
            "status": status,
            "opened_on": None
            if status is m.SiteStatus.BUILDING
            else date(2019, 1, 1) + timedelta(days=rng.randrange(5 * 365)),
            "floor_area_m2": float(rng.randrange(*area)),
        }
        return _SiteRef(site_id, name, division_code), self._emit(
            place, table_of(m.Site), "site", row
        )

    def _sites(self, place: PlaceSpec, counties: list[_County]) -> Iterator[Batch]:
        rng = self._rng(place, "sites")
        sites = table_of(m.Site)
        prefecture: _SiteRef | None = None
        if place.prefecture_center:
            prefecture, batches = self._site(
                place,
                rng,
                m.SiteKind.PREFECTURE_CENTER,
                f"{place.name}新时代文明实践中心",
                place.division_code,
                None,
                demonstration=True,
            )
            yield from batches
            sub_centers = []
            for theme in place.prefecture_sub_centers:
                sub, batches = self._site(
                    place,
                    rng,
                    m.SiteKind.SUB_CENTER,
                    f"{place.name}新时代文明实践{theme}",
                    place.division_code,
                    prefecture,
                )
                sub_centers.append(sub)
                yield from batches
        institute_plan = self._institute_plan(place, rng)
        station_plan = (
            split_total(place.stations, len(institute_plan), rng)
            if place.stations
            else [rng.randrange(4, 11) for _ in institute_plan]
        )
        demo_institutes = set(
            rng.sample(range(len(institute_plan)), place.demonstration_institutes)
        )
        demo_stations = set(rng.sample(range(sum(station_plan)), place.demonstration_stations))
        zone_parent: dict[str, _SiteRef] = {}
        station_index = 0
        by_county: dict[str, _County] = {}
        for county_code in place.counties:
            center, batches = self._site(
                place,
                rng,
                m.SiteKind.CENTER,
                f"{self.names[county_code]}新时代文明实践中心",
                county_code,
                prefecture,
                demonstration=rng.random() < 0.3,
            )
            yield from batches
            county = _County(county_code, self.names[county_code], center)
            by_county[county_code] = county
            counties.append(county)
        for zone in place.zone_centers:
            zone_site, batches = self._site(
                place, rng, m.SiteKind.CENTER, zone.name, zone.township_code, prefecture
            )
            zone_parent[zone.township_code] = zone_site
            yield from batches
        area_subs: list[_SiteRef] = []
        if place.area_sub_centers:
            county = counties[0]
            for name in place.area_sub_centers:
                sub, batches = self._site(
                    place,
                    rng,
                    m.SiteKind.SUB_CENTER,
                    f"{county.name}{name}",
                    county.code,
                    county.center,
                )
                area_subs.append(sub)
                yield from batches
        for index, (township_code, name) in enumerate(institute_plan):
            county = by_county[township_code[:6]]
            if township_code in zone_parent:
                parent = zone_parent[township_code]
            elif area_subs:
                parent = area_subs[index * len(area_subs) // len(institute_plan)]
            else:
                parent = county.center
            institute, batches = self._site(
                place,
                rng,
                m.SiteKind.INSTITUTE,
                name,
                township_code,
                parent,
                demonstration=index in demo_institutes,
            )
            county.institutes.append(institute)
            yield from batches
            stations = station_plan[index]
            village_count = max(stations, round(stations / place.village_coverage))
            villages = self._villages(township_code, village_count, rng)
            for village_code, village_name in villages:
                yield from self.buffer.add(
                    table_of(m.Division),
                    {
                        "code": village_code,
                        "name": village_name,
                        "level": m.DivisionLevel.VILLAGE,
                        "parent_code": township_code[:9] + "000",
                        "population": None,
                    },
                )
            county.villages.extend(villages)
            for village_code, village_name in villages[:stations]:
                station, batches = self._site(
                    place,
                    rng,
                    m.SiteKind.STATION,
                    f"{village_name}新时代文明实践站",
                    village_code,
                    institute,
                    demonstration=station_index in demo_stations,
                )
                station_index += 1
                county.stations.append(station)
                yield from batches
        yield from self.buffer.flush(table_of(m.Division))
        points_parents = [s for c in counties for s in c.stations] or [c.center for c in counties]
        for number in range(place.practice_points):
            parent = rng.choice(points_parents)
            _, batches = self._site(
                place,
                rng,
                m.SiteKind.POINT,
                f"{parent.name.removesuffix('新时代文明实践站')}{place.practice_point_suffix}"
                + (f"（{number + 1}）" if place.practice_points > len(points_parents) else ""),
                parent.division_code,
                parent,
            )
            yield from batches
        if prefecture is not None:
            for number in range(place.prefecture_demonstration_points):
                parent = sub_centers[number % len(sub_centers)] if sub_centers else prefecture
                county = counties[number % len(counties)]
                host = rng.choice(county.institutes)
                _, batches = self._site(
                    place,
                    rng,
                    m.SiteKind.POINT,
                    f"{host.name.removesuffix('新时代文明实践所')}文明实践示范点",
                    host.division_code,
                    parent,
                    demonstration=True,
                )
                yield from batches
        yield from self.buffer.flush(sites)
        yield from self._platforms(place, rng, counties, list(zone_parent.values()))

    def _institute_plan(self, place: PlaceSpec, rng: random.Random) -> list[tuple[str, str]]:
        """(township code, institute name) for every institute of the place."""
        townships = [
            code
            for county in place.counties
            for code in sorted(self.townships[county])
            if place.only_township in (None, code)
        ]
        total = place.institutes if place.institutes is not None else len(townships)
        chosen = townships[:total]
        plan = [(code, f"{self.names[code]}新时代文明实践所") for code in chosen]
        extras = [
            (zone.township_code, name)
            for zone in place.zone_centers
            for name in zone.extra_institutes
        ]
        while len(plan) + len(extras) < total:
            code = rng.choice(townships)
            extras.append((code, f"{self.names[code]}第{len(extras) + 1}园区新时代文明实践所"))
        return plan + extras[: max(0, total - len(plan))]

    def _villages(
        self, township_code: str, count: int, rng: random.Random
    ) -> list[tuple[str, str]]:
        """`count` new villages (communities, in a street) of the township; codes follow the
        statistics bureau's habit of 001… for communities and 200… for villages."""
        is_street = self.names[township_code].endswith("街道")
        used = self.village_names[township_code]
        villages: list[tuple[str, str]] = []
        while len(villages) < count:
            name = rng.choice(words.VILLAGE_FIRST) + rng.choice(words.VILLAGE_SECOND)
            name += "社区" if is_street else "村"
            if name in used:
                continue
            used.add(name)
            serial = len(used) + (0 if is_street else 199)
            villages.append((f"{township_code[:9]}{serial:03d}", name))
        return villages

    def _platforms(
        self, place: PlaceSpec, rng: random.Random, counties: list[_County], zones: list[_SiteRef]
    ) -> Iterator[Batch]:
        platforms = table_of(m.Platform)
        links = m.site_platforms
        for center in [county.center for county in counties] + zones:
            platform_ids = []
            for name in place.platforms:
                platform_id = self.ids("platforms")
                platform_ids.append(platform_id)
                row: Row = {"id": platform_id, "center_id": center.id, "name": name}
                yield from self._emit(place, platforms, "platform", row)
            for county in counties:
                if county.center is center:
                    county.platform_ids = platform_ids
        yield from self.buffer.flush(platforms)
        for county in counties:
            if not county.platform_ids:
                continue
            for site in county.institutes + county.stations:
                hosted = rng.sample(
                    county.platform_ids, min(len(county.platform_ids), rng.randrange(1, 4))
                )
                for platform_id in hosted:
                    yield from self.buffer.add(
                        links, {"site_id": site.id, "platform_id": platform_id}
                    )
        yield from self.buffer.flush(links)

    # -- teams ----------------------------------------------------------------------

    def _teams(self, place: PlaceSpec, counties: list[_County]) -> Iterator[Batch]:
        rng = self._rng(place, "teams")
        teams = table_of(m.Team)

        def team(
            county: _County,
            kind: m.TeamKind,
            name: str,
            parent: int | None,
            home: _SiteRef | None,
            platform: int | None,
        ) -> Iterator[Batch]:
            team_id = self.ids("teams")
            county.team_ids.append(team_id)
            row: Row = {
                "id": team_id,
                "name": name,
                "kind": kind,
                "county_code": county.code,
                "parent_id": parent,
                "platform_id": platform,
                "home_site_id": home.id if home else None,
                "founded_on": date(2018, 1, 1) + timedelta(days=rng.randrange(6 * 365)),
            }
            yield from self._emit(place, teams, "team", row)

        professional = split_total(place.professional_teams, len(counties), rng)
        station_counts = [len(county.stations) for county in counties]
        village_plan = (
            station_counts
            if place.village_teams is None
            else self._proportional(place.village_teams, [max(1, n) for n in station_counts])
        )
        for county_index, county in enumerate(counties):
            yield from team(
                county,
                m.TeamKind.GENERAL_BRIGADE,
                f"{county.name}新时代文明实践志愿服务总队",
                None,
                county.center,
                None,
            )
            brigade = county.team_ids[-1]
            for number in range(professional[county_index]):
                department = words.DEPARTMENTS[number % len(words.DEPARTMENTS)]
                platform = (
                    county.platform_ids[number % len(county.platform_ids)]
                    if county.platform_ids
                    else None
                )
                yield from team(
                    county,
                    m.TeamKind.PROFESSIONAL,
                    f"{county.name}{department}志愿服务队",
                    brigade,
                    county.center,
                    platform,
                )
            detachment_of: dict[int, int] = {}
            for institute in county.institutes:
                yield from team(
                    county,
                    m.TeamKind.DETACHMENT,
                    f"{institute.name.removesuffix('新时代文明实践所')}志愿服务支队",
                    brigade,
                    institute,
                    None,
                )
                detachment_of[institute.id] = county.team_ids[-1]
            parents = self._station_parents(county)
            for number in range(village_plan[county_index]):
                if not county.stations:
                    break
                station = county.stations[number % len(county.stations)]
                round_ = number // len(county.stations)
                suffix = "志愿服务队" if round_ == 0 else f"志愿服务{round_ + 1}队"
                yield from team(
                    county,
                    m.TeamKind.VILLAGE,
                    f"{station.name.removesuffix('新时代文明实践站')}{suffix}",
                    detachment_of.get(parents[station.id]),
                    station,
                    None,
                )
            for number in range(place.social_organizations if county_index == 0 else 0):
                organization = words.SOCIAL_ORGANIZATIONS[number % len(words.SOCIAL_ORGANIZATIONS)]
                yield from team(
                    county,
                    m.TeamKind.SOCIAL_ORGANIZATION,
                    f"{county.name}{organization}",
                    None,
                    county.center,
                    None,
                )
        yield from self.buffer.flush(teams)

    def _station_parents(self, county: _County) -> dict[int, int]:
        """station id → institute id, from the order stations were created in."""
        parents: dict[int, int] = {}
        stations = iter(county.stations)
        by_division = defaultdict(list)
        for station in county.stations:
            by_division[station.division_code[:9]].append(station.id)
        for institute in county.institutes:
            for station_id in by_division.pop(institute.division_code[:9], []):
                parents[station_id] = institute.id
        for station in stations:
            parents.setdefault(
                station.id, county.institutes[0].id if county.institutes else county.center.id
            )
        return parents

    # -- projects -------------------------------------------------------------------

    def _projects(self, place: PlaceSpec, counties: list[_County]) -> Iterator[Batch]:
        rng = self._rng(place, "projects")
        projects, awards, links = table_of(m.Project), table_of(m.Award), m.project_teams
        total = max(self.options.scaled(place.projects), len(place.brand_projects))
        for number in range(total):
            county = counties[0] if number < len(place.brand_projects) else rng.choice(counties)
            is_brand = number < len(place.brand_projects)
            if is_brand:
                name = place.brand_projects[number]
                platform_index = number % max(1, len(county.platform_ids))
            else:
                theme, platform_index = rng.choice(words.PROJECT_THEMES)
                host = rng.choice(county.institutes) if county.institutes else county.center
                name = f"{host.name.removesuffix('新时代文明实践所')}{theme}（{number + 1}）"
            project_id = self.ids("projects")
            county.project_ids.append((project_id, name))
            row: Row = {
                "id": project_id,
                "name": name,
                "county_code": county.code,
                "is_brand": is_brand,
                "summary": f"{county.name}围绕群众需求开展的“{name}”志愿服务项目。",
                "platform_id": county.platform_ids[platform_index % len(county.platform_ids)]
                if county.platform_ids
                else None,
                "started_on": date(2019, 1, 1) + timedelta(days=rng.randrange(5 * 365)),
            }
            yield from self._emit(place, projects, "project", row)
            if is_brand and rng.random() < 0.6:
                award, level = rng.choice(words.AWARDS)
                award_row: Row = {
                    "id": self.ids("awards"),
                    "project_id": project_id,
                    "name": award,
                    "level": m.AwardLevel(level),
                    "year": rng.randrange(2019, 2026),
                }
                yield from self.buffer.add(
                    awards, self._provenance(place, "award", award_row["id"], award_row)
                )
        yield from self.buffer.flush(projects, awards)
        for county in counties:
            for project_id, _ in county.project_ids:
                for team_id in set(rng.sample(county.team_ids, min(2, len(county.team_ids)))):
                    yield from self.buffer.add(
                        links, {"project_id": project_id, "team_id": team_id}
                    )
        yield from self.buffer.flush(links)

    # -- volunteers -----------------------------------------------------------------

    def _volunteers(self, place: PlaceSpec, counties: list[_County]) -> Iterator[Batch]:
        rng = self._rng(place, "volunteers")
        volunteers = table_of(m.Volunteer)
        registrations = table_of(m.VolunteerRegistration)
        memberships = table_of(m.TeamMembership)
        weights = [max(1, len(county.stations) + len(county.institutes)) for county in counties]
        shares = self._proportional(self.options.scaled(place.volunteers), weights)
        core_left = self.options.scaled(place.core_volunteers)
        tibetan = 0.35 if place.key == "tianzhu" else 0.0
        for county, count in zip(counties, shares, strict=True):
            for _ in range(count):
                person = make_person(rng, county.code, self.id_numbers, tibetan_share=tibetan)
                volunteer_id = self.ids("volunteers")
                county.volunteer_ids.append(volunteer_id)
                hours = rng.expovariate(1 / 40) if rng.random() < 0.97 else rng.uniform(600, 2000)
                registered = date(2015, 1, 1) + timedelta(days=rng.randrange(11 * 365))
                number = f"ZYZ{county.code}{volunteer_id:09d}"
                row: Row = {
                    "id": volunteer_id,
                    "county_code": county.code,
                    "volunteer_number": number,
                    "person_key": self.cipher.person_key(person.id_number),
                    "real_name": person.name,
                    "id_number_sealed": self.cipher.seal(person.id_number),
                    "phone_sealed": self.cipher.seal(person.phone) if rng.random() < 0.9 else None,
                    "gender": m.Gender.MALE if person.is_male else m.Gender.FEMALE,
                    "political_status": rng.choices(("群众", "共青团员", "中共党员"), (70, 15, 15))[
                        0
                    ],
                    "registered_on": registered,
                    "service_minutes": round(hours * 60),
                }
                yield from self._emit(place, volunteers, "volunteer", row)
                registration: Row = {
                    "id": self.ids("volunteer_registrations"),
                    "volunteer_id": volunteer_id,
                    "registered_on": registered,
                }
                yield from self.buffer.add(
                    registrations, self._provenance(place, "registration", number, registration)
                )
                membership: Row = {
                    "id": self.ids("team_memberships"),
                    "team_id": rng.choice(county.team_ids),
                    "volunteer_id": volunteer_id,
                    "joined_on": registered,
                    "is_core": core_left > 0,
                }
                core_left -= 1
                yield from self.buffer.add(memberships, membership)
        yield from self.buffer.flush(volunteers, registrations, memberships)

    @staticmethod
    def _proportional(total: int, weights: list[int]) -> list[int]:
        shares = [total * weight // sum(weights) for weight in weights]
        for index in range(total - sum(shares)):
            shares[index % len(shares)] += 1
        return shares

    # -- activities and service records ---------------------------------------------

    def _activities(self, place: PlaceSpec, counties: list[_County]) -> Iterator[Batch]:
        rng = self._rng(place, "activities")
        activities, links = table_of(m.Activity), m.activity_teams
        records = table_of(m.ServiceRecord)
        total = self.options.scaled(place.activities)
        served = (
            split_total(self.options.scaled(place.people_served), total, rng)
            if place.people_served
            else None
        )
        person_times = (
            split_total(self.options.scaled(place.volunteer_person_times), total, rng)
            if place.volunteer_person_times
            else None
        )
        weights = [max(1, len(county.stations) + len(county.institutes)) for county in counties]
        per_county = self._proportional(total, weights)
        number = 0
        for county, count in zip(counties, per_county, strict=True):
            sites = county.stations + county.institutes or [county.center]
            for _ in range(count):
                site = rng.choice(sites)
                project = (
                    rng.choice(county.project_ids)
                    if county.project_ids and rng.random() < 0.8
                    else None
                )
                starts = self._instant(rng)
                duration = timedelta(minutes=rng.choice((60, 90, 120, 180, 240)))
                volunteers = person_times[number] if person_times else rng.randrange(3, 30)
                people = served[number] if served else rng.randrange(10, 200)
                verb = rng.choice(words.ACTIVITY_VERBS)
                title = (
                    f"{site.name}{verb}“{project[1]}”活动"
                    if project
                    else f"{site.name}{verb}志愿服务活动"
                )
                activity_id = self.ids("activities")
                row: Row = {
                    "id": activity_id,
                    "title": title[:300],
                    "county_code": county.code,
                    "project_id": project[0] if project else None,
                    "site_id": site.id,
                    "starts_at": starts,
                    "ends_at": starts + duration,
                    "volunteer_count": volunteers,
                    "volunteer_minutes": volunteers * int(duration.total_seconds() // 60),
                    "people_served": people,
                }
                number += 1
                yield from self._emit(place, activities, "activity", row)
                for team_id in set(rng.sample(county.team_ids, min(2, len(county.team_ids)))):
                    yield from self.buffer.add(
                        links, {"activity_id": activity_id, "team_id": team_id}
                    )
                if county.volunteer_ids:
                    for volunteer_id in set(
                        rng.sample(
                            county.volunteer_ids, min(3, volunteers, len(county.volunteer_ids))
                        )
                    ):
                        record: Row = {
                            "id": self.ids("service_records"),
                            "volunteer_id": volunteer_id,
                            "activity_id": activity_id,
                            "team_id": rng.choice(county.team_ids),
                            "served_on": starts.astimezone(SHANGHAI).date(),
                            "minutes": int(duration.total_seconds() // 60),
                            "is_confirmed": rng.random() < 0.9,
                        }
                        yield from self.buffer.add(
                            records, self._provenance(place, "record", record["id"], record)
                        )
        yield from self.buffer.flush(activities, links, records)

    # -- orders ---------------------------------------------------------------------

    def _orders(self, place: PlaceSpec, counties: list[_County]) -> Iterator[Batch]:
        rng = self._rng(place, "orders")
        menu, orders, events = (
            table_of(m.MenuItem),
            table_of(m.ServiceOrder),
            table_of(m.OrderEvent),
        )
        for county in counties:
            for item, platform_index in words.MENU:
                item_id = self.ids("menu_items")
                county.menu_ids.append(item_id)
                row: Row = {
                    "id": item_id,
                    "center_id": county.center.id,
                    "name": item,
                    "description": f"由{county.name}志愿服务队伍提供的{item}服务",
                    "platform_id": county.platform_ids[platform_index % len(county.platform_ids)]
                    if county.platform_ids
                    else None,
                    "is_active": True,
                }
                yield from self._emit(place, menu, "menu", row)
        yield from self.buffer.flush(menu)
        per_county = self._proportional(
            self.options.scaled(place.orders), [len(c.stations) or 1 for c in counties]
        )
        statuses = (
            m.OrderStatus.RATED,
            m.OrderStatus.DELIVERED,
            m.OrderStatus.ACCEPTED,
            m.OrderStatus.DISPATCHED,
            m.OrderStatus.ORDERED,
            m.OrderStatus.CANCELLED,
        )
        for county, count in zip(counties, per_county, strict=True):
            for _ in range(count):
                status = rng.choices(statuses, (70, 10, 5, 5, 5, 5))[0]
                order_id = self.ids("service_orders")
                row, log = self._order_timeline(rng, status, place.order_funding, county)
                row.update(
                    id=order_id,
                    county_code=county.code,
                    site_id=rng.choice(county.stations or county.institutes or [county.center]).id,
                    menu_item_id=rng.choice(county.menu_ids),
                    status=status,
                )
                yield from self._emit(place, orders, "order", row)
                for sequence, (kind, instant, actor, note) in enumerate(log, start=1):
                    yield from self.buffer.add(
                        events,
                        {
                            "id": self.ids("order_events"),
                            "order_id": order_id,
                            "sequence": sequence,
                            "kind": kind,
                            "occurred_at": instant,
                            "actor": actor,
                            "note": note,
                        },
                    )
        yield from self.buffer.flush(orders, events)

    def _order_timeline(
        self, rng: random.Random, status: m.OrderStatus, funding: bool, county: _County
    ) -> tuple[Row, list[tuple[m.OrderEventKind, datetime, str, str | None]]]:
        steps = [
            m.OrderStatus.DISPATCHED,
            m.OrderStatus.ACCEPTED,
            m.OrderStatus.DELIVERED,
            m.OrderStatus.RATED,
        ]
        reached = steps[: steps.index(status) + 1] if status in steps else []
        ordered = self._instant(rng, days_back=330)
        row: Row = {
            "ordered_at": ordered,
            "funded_at": None,
            "dispatched_at": None,
            "accepted_at": None,
            "delivered_at": None,
            "rated_at": None,
            "cancelled_at": None,
            "rating": None,
            "funding_fen": None,
            "funding_source": None,
            "team_id": None,
        }
        log: list[tuple[m.OrderEventKind, datetime, str, str | None]] = [
            (m.OrderEventKind.ORDERED, ordered, "群众", "通过小程序点单")
        ]
        moment = ordered
        if rng.random() < 0.1:
            moment += timedelta(hours=rng.randrange(2, 20))
            log.append((m.OrderEventKind.URGED, moment, "群众", "群众催单"))
        if funding and reached:
            moment += timedelta(hours=rng.randrange(1, 24))
            row.update(
                funded_at=moment,
                funding_fen=rng.randrange(50, 500) * 100,
                funding_source=f"{county.name}财政",
            )
            log.append((m.OrderEventKind.FUNDED, moment, "财政局", "财政买单"))
        gaps = {
            m.OrderStatus.DISPATCHED: (1, 48),
            m.OrderStatus.ACCEPTED: (1, 24),
            m.OrderStatus.DELIVERED: (24, 168),
            m.OrderStatus.RATED: (1, 72),
        }
        for step in reached:
            moment += timedelta(hours=rng.randrange(*gaps[step]))
            row[f"{step.value}_at"] = moment
            log.append(
                (
                    m.OrderEventKind(step.value),
                    moment,
                    "文明实践中心" if step is m.OrderStatus.DISPATCHED else "志愿服务队",
                    None,
                )
            )
        if m.OrderStatus.ACCEPTED in reached:
            row["team_id"] = rng.choice(county.team_ids)
        if status is m.OrderStatus.RATED:
            row["rating"] = rng.choices((5, 4, 3, 2, 1), (60, 25, 10, 3, 2))[0]
        if status is m.OrderStatus.CANCELLED:
            moment += timedelta(hours=rng.randrange(1, 72))
            row["cancelled_at"] = moment
            log.append((m.OrderEventKind.CANCELLED, moment, "群众", "群众取消"))
        return row, log

    # -- households, honours, credit, points ----------------------------------------

    def _households(self, place: PlaceSpec, counties: list[_County]) -> Iterator[Batch]:
        rng = self._rng(place, "households")
        honour_total = sum(count for _, _, count in place.honours)
        if not (place.households or place.credit_households or honour_total):
            return
        households_table = table_of(m.Household)
        serials: dict[str, int] = defaultdict(int)
        populated = [c for c in counties if c.villages]

        def household(county: _County, village: tuple[str, str]) -> tuple[int, Iterator[Batch]]:
            household_id = self.ids("households")
            serials[village[0]] += 1
            person = make_person(rng, county.code, self.id_numbers)
            row: Row = {
                "id": household_id,
                "county_code": county.code,
                "household_number": f"{village[0]}{serials[village[0]]:04d}",
                "division_code": village[0],
                "head_name": person.name,
                "address": f"{village[1]}{rng.randrange(1, 12)}组{rng.randrange(1, 80)}号",
            }
            return household_id, self._emit(place, households_table, "household", row)

        if place.points_banks:
            yield from self._points(place, rng, populated, household)
        if place.credit_households:
            yield from self._credit(place, rng, populated, household)
        if honour_total:
            honours = table_of(m.HouseholdHonour)
            for title, level, count in place.honours:
                for _ in range(count):
                    county = rng.choice(populated)
                    household_id, batches = household(county, rng.choice(county.villages))
                    yield from batches
                    row: Row = {
                        "id": self.ids("household_honours"),
                        "household_id": household_id,
                        "title": title,
                        "level": m.HonourLevel(level),
                        "year": rng.randrange(2019, 2026),
                    }
                    yield from self.buffer.add(
                        honours, self._provenance(place, "honour", row["id"], row)
                    )
            yield from self.buffer.flush(households_table, honours)

    def _credit(
        self, place: PlaceSpec, rng: random.Random, counties: list[_County], household: Any
    ) -> Iterator[Batch]:
        ratings = table_of(m.CreditRating)
        gaomi = next((c for c in counties if c.code == "370785"), counties[0])
        total = self.options.scaled(place.credit_households)
        lines = split_total(
            self.options.scaled(place.credit_granted_yuan) // 10_000, total, rng, minimum=1
        )
        for credit_wan in lines:
            household_id, batches = household(gaomi, rng.choice(gaomi.villages))
            yield from batches
            row: Row = {
                "id": self.ids("credit_ratings"),
                "household_id": household_id,
                "grade": rng.choices(("AAA", "AA", "A"), (20, 40, 40))[0],
                "credit_line_yuan": credit_wan * 10_000,
                "rated_on": date(2025, 1, 1) + timedelta(days=rng.randrange(300)),
                "bank_name": rng.choice(words.BANKS),
            }
            yield from self.buffer.add(ratings, self._provenance(place, "credit", row["id"], row))
        yield from self.buffer.flush(table_of(m.Household), ratings)

    def _points(
        self, place: PlaceSpec, rng: random.Random, counties: list[_County], household: Any
    ) -> Iterator[Batch]:
        banks, accounts, entries = (
            table_of(m.PointsBank),
            table_of(m.PointsAccount),
            table_of(m.PointsEntry),
        )
        bank_rows: list[tuple[int, _County, tuple[str, str], int]] = []
        per_county = self._proportional(place.points_banks, [len(c.villages) for c in counties])
        for county, count in zip(counties, per_county, strict=True):
            for village in rng.sample(county.villages, min(count, len(county.villages))):
                bank_id = self.ids("points_banks")
                floor = rng.choice((0, 10))
                row: Row = {
                    "id": bank_id,
                    "name": f"{village[1]}文明储蓄所",
                    "county_code": county.code,
                    "division_code": village[0],
                    "site_id": None,
                    "start_balance": 0,
                    "fen_per_point": 100,
                    "redemption_floor": floor,
                }
                bank_rows.append((bank_id, county, village, floor))
                yield from self._emit(place, banks, "bank", row)
        yield from self.buffer.flush(banks)
        household_count = self.options.scaled(place.households)
        redeemed_points = self.options.scaled(place.redeemed_yuan)
        redemptions = max(1, min(redeemed_points, household_count // 2))
        amounts = split_total(redeemed_points, redemptions, rng, minimum=1)
        owed: dict[int, list[int]] = defaultdict(list)
        for amount in amounts:
            owed[rng.randrange(household_count)].append(amount)
        year = self.seen.astimezone(SHANGHAI).year - 1
        for index in range(household_count):
            bank_id, county, village, floor = bank_rows[index % len(bank_rows)]
            household_id, batches = household(county, village)
            yield from batches
            account_id = self.ids("points_accounts")
            account: Row = {
                "id": account_id,
                "bank_id": bank_id,
                "household_id": household_id,
                "opened_on": date(year, 1, 1),
            }
            yield from self.buffer.add(
                accounts, self._provenance(place, "account", account_id, account)
            )
            ledger = self._ledger(rng, year, owed.get(index, []), floor)
            for kind, points, (reason, code), day, item in ledger:
                entry: Row = {
                    "id": self.ids("points_entries"),
                    "account_id": account_id,
                    "kind": kind,
                    "points": points,
                    "reason": reason,
                    "reason_code": code,
                    "occurred_on": day,
                    "redeemed_item": item,
                    "redeemed_value_fen": -points * 100
                    if kind is m.PointsEntryKind.REDEEM
                    else None,
                    "handled_by": "村文明实践站",
                }
                yield from self.buffer.add(
                    entries, self._provenance(place, "entry", entry["id"], entry)
                )
        yield from self.buffer.flush(table_of(m.Household), accounts, entries)

    @staticmethod
    def _ledger(
        rng: random.Random, year: int, redemptions: list[int], floor: int
    ) -> list[tuple[m.PointsEntryKind, int, tuple[str, str], date, str | None]]:
        """A year of entries, earns first and redemptions last, never below the floor."""

        def day(first: int, last: int) -> date:
            return date(year, 1, 1) + timedelta(days=rng.randrange(first, last))

        earns = [rng.randrange(2, 11) for _ in range(rng.randrange(4, 12))]
        deductions = [-rng.randrange(5, 21) for _ in range(1 if rng.random() < 0.05 else 0)]
        shortfall = sum(redemptions) + floor - (sum(earns) + sum(deductions))
        if shortfall > 0:
            earns.append(shortfall + rng.randrange(1, 10))
        ledger: list[tuple[m.PointsEntryKind, int, tuple[str, str], date, str | None]] = [
            (m.PointsEntryKind.EARN, p, rng.choice(words.EARN_REASONS), day(0, 180), None)
            for p in earns
        ]
        ledger += [
            (m.PointsEntryKind.DEDUCT, p, rng.choice(words.DEDUCT_REASONS), day(181, 240), None)
            for p in deductions
        ]
        ledger += [
            (
                m.PointsEntryKind.REDEEM,
                -p,
                ("积分兑换", "redeem"),
                day(241, 364),
                rng.choice(words.REDEEM_ITEMS),
            )
            for p in redemptions
        ]
        return ledger

    # -- news -----------------------------------------------------------------------

    def _stories(self, place: PlaceSpec, counties: list[_County]) -> Iterator[Batch]:
        rng = self._rng(place, "stories")
        feed_id = self.ids("news_feeds")
        yield Batch(
            table_of(m.NewsFeed),
            [
                {
                    "id": feed_id,
                    "name": f"{place.name}文明网",
                    "format": "rss",
                    "url": f"http://news.{place.key}.demo.invalid/feed.xml",
                    "county_code": place.counties[0] if len(place.counties) == 1 else None,
                }
            ],
        )
        stories, mentions = table_of(m.NewsStory), table_of(m.Mention)
        with_projects = [county for county in counties if county.project_ids]
        # Every brand project has its story, whatever the scale: media units look for them.
        brands = [(counties[0], index) for index in range(len(place.brand_projects))]
        total = max(self.options.scaled(place.stories), len(brands))
        for number in range(total):
            county, index = (
                brands[number] if number < len(brands) else (rng.choice(with_projects), None)
            )
            site = rng.choice(county.stations or county.institutes or [county.center])
            project_id, project = (
                county.project_ids[index] if index is not None else rng.choice(county.project_ids)
            )
            verb = rng.choice(words.ACTIVITY_VERBS)
            title = f"{site.name}{verb}“{project}”志愿服务活动"
            opening = rng.choice(words.STORY_OPENINGS).format(
                site=site.name, verb=verb, project=project, place=place.name
            )
            closing = rng.choice(words.STORY_CLOSINGS).format(place=place.name)
            body = f"{opening}\n\n{closing}"
            published = self._instant(rng, days_back=700)
            story_id = self.ids("news_stories")
            row: Row = {
                "id": story_id,
                "feed_id": feed_id,
                "title": title[:500],
                "url": f"http://news.{place.key}.demo.invalid/{published:%Y/%m}/{story_id}.html",
                "published_at": published,
                "author": "融媒体中心",
                "summary": opening[:120],
                "body": body,
                "encoding_seen": "utf-8",
            }
            yield from self._emit(place, stories, "story", row)
            for target, text, key in (
                (m.MentionTarget.SITE, site.name, "site_id"),
                (m.MentionTarget.PROJECT, project, "project_id"),
            ):
                if text in body:
                    mention: Row = {
                        "id": self.ids("mentions"),
                        "story_id": story_id,
                        "target": target,
                        "site_id": None,
                        "team_id": None,
                        "project_id": None,
                        "division_code": None,
                        "matched_text": text[:200],
                        "position": body.index(text),
                    }
                    mention[key] = site.id if key == "site_id" else project_id
                    yield from self.buffer.add(mentions, mention)
        yield from self.buffer.flush(stories, mentions)

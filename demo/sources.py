"""The generated demo as the county systems would give it: for each place a county app
(served locally) with its sites, teams, projects, menu, activities, service records
and orders; for each county a national registry export (CSV) of its volunteers and
the passbook ledger of its points banks; for each place a household roster, a
credit-rating list and an honour list.

and for each place a news site (demo.news_pages) in one of the forms county sites
publish. Mentions are not handed over: the news connector finds them.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from connectors.points.settings import LEDGER_HEADER
from connectors.volunteers.settings import EXPORT_VOLUNTEER_HEADER
from db import models as m
from db.pii import PersonalDataCipher
from demo.generator import Batch
from demo.news_pages import DemoStory
from demo.places import PlaceSpec

__all__ = ["APP_STREAMS", "DemoSources", "PlaceSources"]

SHANGHAI = ZoneInfo("Asia/Shanghai")
APP_STREAMS = ("orgs", "platforms", "teams", "projects", "menu", "activities", "records", "orders")
_STATE = {
    m.OrderStatus.ORDERED: 10,
    m.OrderStatus.DISPATCHED: 30,
    m.OrderStatus.ACCEPTED: 50,
    m.OrderStatus.DELIVERED: 60,
    m.OrderStatus.RATED: 70,
    m.OrderStatus.CANCELLED: -1,
}
# Public reference data, not a county system's.
_DIRECT = {"divisions"}
# Banks write their ledgers their own way: counties alternate between sources.md's
# spelling (UTF-8) and another bank system's (GB18030, signed points, 存入/支取).
_LEDGER_SPELLINGS = (
    (
        (*LEDGER_HEADER, "储蓄所"),
        "utf-8-sig",
        {
            m.PointsEntryKind.EARN: "加分",
            m.PointsEntryKind.DEDUCT: "扣分",
            m.PointsEntryKind.REDEEM: "兑换",
        },
        False,
    ),
    (
        (
            "储蓄所",
            "户号",
            "户主",
            "区划代码",
            "记录日期",
            "收支类型",
            "积分",
            "原因",
            "物品",
            "金额(元)",
            "操作员",
        ),
        "gb18030",
        {
            m.PointsEntryKind.EARN: "存入",
            m.PointsEntryKind.DEDUCT: "扣除",
            m.PointsEntryKind.REDEEM: "支取",
        },
        True,
    ),
)
_LEVEL_WORDS = {
    m.HonourLevel.NATIONAL: "全国",
    m.HonourLevel.PROVINCIAL: "省级",
    m.HonourLevel.CITY: "市级",
    m.HonourLevel.COUNTY: "县级",
}
_FILE_KINDS = {
    "registry": "registries",
    "ledger": "ledgers",
    "roster": "rosters",
    "credit": "credit_lists",
    "honours": "honour_lists",
}
ROSTER_HEADER = ("户编号", "户主姓名", "区划代码", "家庭住址")
CREDIT_HEADER = ("户编号", "信用等级", "授信额度(万元)", "评定日期", "银行")
HONOUR_HEADER = ("户编号", "户主", "区划", "称号", "级别", "年度")


@dataclass
class PlaceSources:
    place: PlaceSpec
    app: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {name: [] for name in APP_STREAMS}
    )
    registries: dict[str, Path] = field(default_factory=dict)
    ledgers: dict[str, Path] = field(default_factory=dict)
    # Each bank's redemption floor, for the sources file's per-bank rules.
    bank_floors: dict[str, int] = field(default_factory=dict)
    rosters: dict[str, Path] = field(default_factory=dict)
    credit_lists: dict[str, Path] = field(default_factory=dict)
    honour_lists: dict[str, Path] = field(default_factory=dict)
    feed_name: str = ""
    stories: list[DemoStory] = field(default_factory=list)

    @property
    def system(self) -> str:
        return f"demo:{self.place.key}"


class DemoSources:
    """Turns the generator's rows into source data, place by place."""

    def __init__(self, directory: Path, cipher: PersonalDataCipher, updated_at: datetime) -> None:
        self._directory = directory
        self._cipher = cipher
        self._stamp = updated_at.astimezone(SHANGHAI).isoformat()
        self.places: list[PlaceSources] = []
        self._hosted: dict[int, list[str]] = defaultdict(list)
        self._site_items: dict[int, dict[str, Any]] = {}
        self._items: dict[tuple[str, int], dict[str, Any]] = {}
        self._pending_volunteers: dict[int, dict[str, Any]] = {}
        # Service records name volunteers by their national number, the registries' key.
        self._volunteer_numbers: dict[int, str] = {}
        self._files: dict[str, tuple[TextIO, Any]] = {}
        self._household_rows: dict[int, dict[str, Any]] = {}
        self._bank_names: dict[int, str] = {}
        self._account_of: dict[int, tuple[str, int]] = {}

    def take(self, place: PlaceSpec, batch: Batch) -> Batch | None:
        """Keep what the county systems hold; hand back rows to write straight away."""
        if not self.places or self.places[-1].place is not place:
            self._finish_place()
            self.places.append(PlaceSources(place))
        name = batch.table.name
        if name in _DIRECT:
            return batch
        handler = getattr(self, f"_{name}", None)
        if handler is not None:
            for row in batch.rows:
                handler(row)
        if name == "team_memberships":
            # A volunteer's membership can come a batch after the volunteer: those still
            # without one wait for the next batch (or the end of the place).
            self._write_volunteers(only_with_teams=True)
        return None

    def close(self) -> None:
        self._finish_place()

    # -- county app ------------------------------------------------------------------

    def _put(self, stream: str, key: tuple[str, int], item: dict[str, Any]) -> None:
        item["updated_at"] = self._stamp
        self.places[-1].app[stream].append(item)
        self._items[key] = item

    def _sites(self, row: dict[str, Any]) -> None:
        item = {
            "id": f"s{row['id']}",
            "name": row["name"],
            "type": row["kind"].value,
            "parentId": f"s{row['parent_id']}" if row["parent_id"] else None,
            "areaCode": row["division_code"],
            "demonstration": row["is_demonstration"],
            "status": row["status"].value,
            "openedOn": row["opened_on"].isoformat() if row["opened_on"] else None,
            "floorArea": row["floor_area_m2"],
        }
        self._put("orgs", ("site", row["id"]), item)
        self._site_items[row["id"]] = item

    def _platforms(self, row: dict[str, Any]) -> None:
        item = {
            "id": f"pl{row['id']}",
            "centerId": f"s{row['center_id']}",
            "name": row["name"],
            "siteIds": [],
        }
        self._put("platforms", ("platform", row["id"]), item)

    def _site_platforms(self, row: dict[str, Any]) -> None:
        self._items[("platform", row["platform_id"])]["siteIds"].append(f"s{row['site_id']}")

    def _teams(self, row: dict[str, Any]) -> None:
        self._put(
            "teams",
            ("team", row["id"]),
            {
                "id": f"t{row['id']}",
                "name": row["name"],
                "type": row["kind"].value,
                "countyCode": row["county_code"],
                "parentId": f"t{row['parent_id']}" if row["parent_id"] else None,
                "siteId": f"s{row['home_site_id']}" if row["home_site_id"] else None,
                "platformId": _platform(row["platform_id"]),
                "foundedOn": row["founded_on"].isoformat() if row["founded_on"] else None,
            },
        )

    def _projects(self, row: dict[str, Any]) -> None:
        self._put(
            "projects",
            ("project", row["id"]),
            {
                "id": f"p{row['id']}",
                "name": row["name"],
                "isBrand": row["is_brand"],
                "summary": row["summary"],
                "countyCode": row["county_code"],
                "teamIds": [],
                "awards": [],
                "platformId": _platform(row["platform_id"]),
                "startedOn": row["started_on"].isoformat() if row["started_on"] else None,
            },
        )

    def _awards(self, row: dict[str, Any]) -> None:
        self._items[("project", row["project_id"])]["awards"].append(
            {"name": row["name"], "level": row["level"].value, "year": row["year"]}
        )

    def _project_teams(self, row: dict[str, Any]) -> None:
        self._items[("project", row["project_id"])]["teamIds"].append(f"t{row['team_id']}")

    def _menu_items(self, row: dict[str, Any]) -> None:
        self._put(
            "menu",
            ("menu", row["id"]),
            {
                "id": f"m{row['id']}",
                "centerId": f"s{row['center_id']}",
                "name": row["name"],
                "description": row["description"],
                "active": row["is_active"],
                "platformId": _platform(row["platform_id"]),
            },
        )

    def _activities(self, row: dict[str, Any]) -> None:
        self._put(
            "activities",
            ("activity", row["id"]),
            {
                "id": f"a{row['id']}",
                "title": row["title"],
                "countyCode": row["county_code"],
                "projectId": f"p{row['project_id']}" if row["project_id"] else None,
                "siteId": f"s{row['site_id']}",
                "teamIds": [],
                "startsAt": _instant(row["starts_at"]),
                "endsAt": _instant(row["ends_at"]),
                "volunteerCount": row["volunteer_count"],
                "volunteerHours": row["volunteer_minutes"] / 60,
                "peopleServed": row["people_served"],
            },
        )

    def _activity_teams(self, row: dict[str, Any]) -> None:
        self._items[("activity", row["activity_id"])]["teamIds"].append(f"t{row['team_id']}")

    def _service_records(self, row: dict[str, Any]) -> None:
        self._put(
            "records",
            ("record", row["id"]),
            {
                "id": f"r{row['id']}",
                "volunteerId": self._volunteer_numbers[row["volunteer_id"]],
                "activityId": f"a{row['activity_id']}" if row["activity_id"] else None,
                "teamId": f"t{row['team_id']}" if row["team_id"] else None,
                "date": row["served_on"].isoformat(),
                "hours": round(row["minutes"] / 60, 4),
                "confirmed": row["is_confirmed"],
            },
        )

    def _service_orders(self, row: dict[str, Any]) -> None:
        item = {
            "id": f"o{row['id']}",
            "countyCode": row["county_code"],
            "siteId": f"s{row['site_id']}",
            "menuItemId": f"m{row['menu_item_id']}" if row["menu_item_id"] else None,
            "teamId": f"t{row['team_id']}" if row["team_id"] else None,
            "state": _STATE[row["status"]],
            "rating": row["rating"],
            "createdAt": _instant(row["ordered_at"]),
            "dispatchedAt": _instant(row["dispatched_at"]),
            "acceptedAt": _instant(row["accepted_at"]),
            "completedAt": _instant(row["delivered_at"]),
            "ratedAt": _instant(row["rated_at"]),
            "cancelledAt": _instant(row["cancelled_at"]),
            "urges": [],
            "remarkList": [],
        }
        if row["funding_fen"] is not None:
            item["funding"] = {
                "amount": row["funding_fen"] / 100,
                "source": row["funding_source"],
                "at": _instant(row["funded_at"]),
            }
        self._put("orders", ("order", row["id"]), item)

    def _order_events(self, row: dict[str, Any]) -> None:
        order = self._items[("order", row["order_id"])]
        if row["kind"] is m.OrderEventKind.URGED:
            order["urges"].append({"time": _instant(row["occurred_at"]), "actor": row["actor"]})
        elif row["kind"] is m.OrderEventKind.NOTE:
            order["remarkList"].append(
                {"time": _instant(row["occurred_at"]), "actor": row["actor"], "note": row["note"]}
            )

    # -- national registry exports ----------------------------------------------------

    def _volunteers(self, row: dict[str, Any]) -> None:
        self._volunteer_numbers[row["id"]] = row["volunteer_number"]
        self._pending_volunteers[row["id"]] = {**row, "teams": []}

    def _team_memberships(self, row: dict[str, Any]) -> None:
        # A volunteer's memberships come in the batch after the volunteers themselves.
        volunteer = self._pending_volunteers.get(row["volunteer_id"])
        if volunteer is not None:
            volunteer["teams"].append(f"t{row['team_id']}")

    def _write_volunteers(self, *, only_with_teams: bool = False) -> None:
        ready = [v for v in self._pending_volunteers.values() if v["teams"] or not only_with_teams]
        for volunteer in ready:
            county = volunteer["county_code"]
            _, writer = self._registry(county)
            id_number = self._cipher.open(volunteer["id_number_sealed"])
            phone = (
                self._cipher.open(volunteer["phone_sealed"]) if volunteer["phone_sealed"] else ""
            )
            writer.writerow(
                [
                    volunteer["volunteer_number"],
                    volunteer["real_name"],
                    "居民身份证",
                    id_number,
                    "男" if volunteer["gender"] is m.Gender.MALE else "女",
                    f"{id_number[6:10]}-{id_number[10:12]}-{id_number[12:14]}",
                    phone,
                    volunteer["political_status"],
                    volunteer["registered_on"].isoformat(),
                    "、".join(volunteer["teams"]),
                    county,
                    f"{volunteer['service_minutes'] / 60:.4f}",
                ]
            )
        for volunteer in ready:
            del self._pending_volunteers[volunteer["id"]]

    def _registry(self, county: str) -> tuple[TextIO, Any]:
        return self._file(f"registry-{county}.csv", EXPORT_VOLUNTEER_HEADER)

    def _file(
        self, name: str, header: Sequence[str], encoding: str = "utf-8-sig"
    ) -> tuple[TextIO, Any]:
        """A source file of this place, opened with its header on first use."""
        if name not in self._files:
            folder = self._directory / self.places[-1].place.key
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / name
            handle = path.open("w", encoding=encoding, newline="")
            writer = csv.writer(handle)
            writer.writerow(header)
            self._files[name] = (handle, writer)
            # Every source file is one county's: "<kind>-<county>.csv".
            kind, county = name.removesuffix(".csv").split("-")
            getattr(self.places[-1], _FILE_KINDS[kind])[county] = path
        return self._files[name]

    # -- households, points banks, credit and honours -----------------------------------

    def _households(self, row: dict[str, Any]) -> None:
        self._household_rows[row["id"]] = row
        _, writer = self._file(f"roster-{row['county_code']}.csv", ROSTER_HEADER)
        writer.writerow(
            [row["household_number"], row["head_name"], row["division_code"], row["address"]]
        )

    def _points_banks(self, row: dict[str, Any]) -> None:
        self._bank_names[row["id"]] = row["name"]
        self.places[-1].bank_floors[row["name"]] = row["redemption_floor"]

    def _points_accounts(self, row: dict[str, Any]) -> None:
        self._account_of[row["id"]] = (self._bank_names[row["bank_id"]], row["household_id"])

    def _points_entries(self, row: dict[str, Any]) -> None:
        bank, household_id = self._account_of[row["account_id"]]
        household = self._household_rows[household_id]
        county = household["county_code"]
        spelling = sorted(self.places[-1].place.counties).index(county) % 2
        header, encoding, words, signed = _LEDGER_SPELLINGS[spelling]
        _, writer = self._file(f"ledger-{county}.csv", header, encoding)
        kind, points = row["kind"], row["points"]
        value = row["redeemed_value_fen"]
        cells = [
            household["household_number"],
            household["head_name"],
            household["division_code"],
            row["occurred_on"].isoformat(),
            words[kind],
            f"{points:+d}" if signed else str(abs(points)),
            row["reason"] or "",
            row["redeemed_item"] or "",
            "" if value is None else f"{value / 100:.2f}",
            row["handled_by"] or "",
        ]
        # The second spelling puts the bank first; sources.md's has no bank column, so
        # its rows name the bank in a column added at the end.
        writer.writerow([bank, *cells] if signed else [*cells, bank])

    # -- news ------------------------------------------------------------------------

    def _news_feeds(self, row: dict[str, Any]) -> None:
        self.places[-1].feed_name = row["name"]

    def _news_stories(self, row: dict[str, Any]) -> None:
        self.places[-1].stories.append(
            DemoStory(
                row["id"],
                row["title"],
                tuple(row["body"].split("\n\n")),
                row["published_at"],
                row["author"] or "融媒体中心",
            )
        )

    def _credit_ratings(self, row: dict[str, Any]) -> None:
        household = self._household_rows[row["household_id"]]
        _, writer = self._file(f"credit-{household['county_code']}.csv", CREDIT_HEADER)
        writer.writerow(
            [
                household["household_number"],
                row["grade"],
                row["credit_line_yuan"] // 10_000,
                row["rated_on"].isoformat(),
                row["bank_name"],
            ]
        )

    def _household_honours(self, row: dict[str, Any]) -> None:
        household = self._household_rows[row["household_id"]]
        _, writer = self._file(f"honours-{household['county_code']}.csv", HONOUR_HEADER, "gb18030")
        writer.writerow(
            [
                household["household_number"],
                household["head_name"],
                household["division_code"],
                row["title"],
                _LEVEL_WORDS[row["level"]],
                f"{row['year']}年度",
            ]
        )

    def _finish_place(self) -> None:
        self._write_volunteers()
        for handle, _ in self._files.values():
            handle.close()
        self._files.clear()
        self._household_rows.clear()
        self._bank_names.clear()
        self._account_of.clear()
        self._items.clear()
        self._site_items.clear()
        self._volunteer_numbers.clear()


def _platform(platform_id: int | None) -> str | None:
    return f"pl{platform_id}" if platform_id else None


def _instant(moment: datetime | None) -> str | None:
    return moment.astimezone(SHANGHAI).isoformat() if moment else None

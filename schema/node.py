"""`node(id:)` and `nodes(ids:)`: any object by its global id, under the same access rules
as every other path to it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from db import models as m
from resolvers.common import shown
from schema.divisions import Division
from schema.errors import BadUserInput
from schema.households import Household, PointsBank, PointsEntry, points_account_for
from schema.info import Info
from schema.news import NewsFeed, NewsStory
from schema.orders import MenuItem, ServiceOrder
from schema.permissions import require_county, require_found, require_staff
from schema.projects import Activity, Project
from schema.relay import Node, decode_global_id, row_key
from schema.sites import Platform, site_from_row
from schema.sync import QuarantinedRecord, SyncRun
from schema.teams import Team
from schema.volunteers import ServiceRecord, Volunteer

__all__ = ["SITE_TYPES", "decode_id", "resolve_node"]

SITE_TYPES = frozenset({"PrefectureCenter", "Center", "SubCenter", "Institute", "Station", "Point"})

Resolve = Callable[[Info, Any], Awaitable[Node | None]]


def decode_id(global_id: str, *expected: str) -> int:
    """The numeric key of a global id of one of the `expected` types."""
    type_name, key = decode_global_id(global_id)
    if type_name not in expected:
        wanted = " or ".join(expected)
        raise BadUserInput(f"{shown(global_id)} is not the id of a {wanted}")
    return row_key(global_id, key)


async def resolve_node(info: Info, global_id: str) -> Node | None:
    type_name, key = decode_global_id(global_id)
    if type_name == "Division":
        row = await info.context.loaders.row(m.Division.code).load(key)
        return Division.from_row(row) if row else None
    if type_name in SITE_TYPES:
        site = await info.context.loaders.row(m.Site.id).load(row_key(global_id, key))
        typed = site_from_row(site) if site else None
        return typed if typed is not None and type(typed).__name__ == type_name else None
    resolve = _RESOLVERS.get(type_name)
    if resolve is None:
        raise BadUserInput(f"{shown(global_id)} is not a valid id")
    return await resolve(info, row_key(global_id, key))


def _plain(column: Any, adapt: Callable[[Any], Node]) -> Resolve:
    async def resolve(info: Info, key: int) -> Node | None:
        row = await info.context.loaders.row(column).load(key)
        return adapt(row) if row is not None else None

    return resolve


async def _volunteer(info: Info, key: int) -> Node | None:
    row = await info.context.loaders.row(m.Volunteer.id).load(key)
    return Volunteer.from_row(row, info) if row else None


async def _household(info: Info, key: int) -> Node | None:
    row = await info.context.loaders.row(m.Household.id).load(key)
    return Household.from_row(row, info) if row else None


_LEDGER = "a household's points ledger"


async def _points_account(info: Info, key: int) -> Node | None:
    row = await info.context.loaders.row(m.PointsAccount.id).load(key)
    require_found(info.context.viewer, row is not None, _LEDGER)
    return await points_account_for(info, row) if row else None


async def _points_entry(info: Info, key: int) -> Node | None:
    entry = await info.context.loaders.row(m.PointsEntry.id).load(key)
    require_found(info.context.viewer, entry is not None, _LEDGER)
    if entry is None:
        return None
    await _points_account(info, entry.account_id)
    return PointsEntry.from_row(entry)


async def _sync_run(info: Info, key: int) -> Node | None:
    require_staff(info.context.viewer, "a sync run")
    row = await info.context.loaders.row(m.SyncRun.id).load(key)
    require_found(info.context.viewer, row is not None, "this sync run")
    if row is None:
        return None
    require_county(info.context.viewer, row.county_code or "", "this sync run")
    return SyncRun.from_row(row)


async def _quarantined(info: Info, key: int) -> Node | None:
    require_staff(info.context.viewer, "a quarantined record")
    row = await info.context.loaders.row(m.QuarantinedRecord.id).load(key)
    require_found(info.context.viewer, row is not None, "this quarantined record")
    if row is None:
        return None
    require_county(info.context.viewer, row.county_code or "", "this quarantined record")
    return QuarantinedRecord.from_row(row)


_RESOLVERS: dict[str, Resolve] = {
    "Platform": _plain(m.Platform.id, Platform.from_row),
    "Team": _plain(m.Team.id, Team.from_row),
    "Project": _plain(m.Project.id, Project.from_row),
    "Activity": _plain(m.Activity.id, Activity.from_row),
    "ServiceRecord": _plain(m.ServiceRecord.id, ServiceRecord.from_row),
    "MenuItem": _plain(m.MenuItem.id, MenuItem.from_row),
    "ServiceOrder": _plain(m.ServiceOrder.id, ServiceOrder.from_row),
    "PointsBank": _plain(m.PointsBank.id, PointsBank.from_row),
    "NewsFeed": _plain(m.NewsFeed.id, NewsFeed.from_row),
    "NewsStory": _plain(m.NewsStory.id, NewsStory.from_row),
    "Volunteer": _volunteer,
    "Household": _household,
    "PointsAccount": _points_account,
    "PointsEntry": _points_entry,
    "SyncRun": _sync_run,
    "QuarantinedRecord": _quarantined,
}

"""The schema's mutations: the steward's quarantine loop (POST only, staff of the
owning county, each recorded in the personal-data audit)."""

from __future__ import annotations

import strawberry

from db import models as m
from resolvers import quarantine
from schema.errors import BadUserInput, Forbidden
from schema.info import Info
from schema.node import decode_id
from schema.permissions import require_staff
from schema.sync import QuarantinedRecord

__all__ = ["Mutation"]


@strawberry.type(description="What a replay did, and each record as it stands after it.")
class QuarantineReplay:
    stored: int = strawberry.field(description="Records stored: they leave the quarantine.")
    refused_again: int = strawberry.field(description="Refused again for the same reason.")
    replaced: int = strawberry.field(
        description="Refused for another reason: a new quarantined record holds each."
    )
    records: list[QuarantinedRecord]


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Map and store quarantined records again under today's rules and the "
        "hub's configuration of their source (county staff of the owning county)."
    )
    async def replay_quarantined(self, info: Info, ids: list[strawberry.ID]) -> QuarantineReplay:
        entries = await _owned(info, ids)
        sources_file = info.context.sources_file
        if sources_file is None:
            raise BadUserInput("this hub has no sources file, so it cannot replay records")
        try:
            done = await quarantine.replay_entries(
                info.context.sessionmaker,
                info.context.cipher,
                sources_file,
                entries,
                _actor(info),
            )
        except quarantine.QuarantineRefused as error:
            raise BadUserInput(str(error)) from None
        return QuarantineReplay(
            stored=done.stored,
            refused_again=done.refused_again,
            replaced=done.replaced,
            records=[QuarantinedRecord.shown(info, row) for row in done.records],
        )

    @strawberry.mutation(
        description="Let quarantined records go, with a note saying why (county staff of the "
        "owning county); they stay, resolved, for the history."
    )
    async def dismiss_quarantined(
        self, info: Info, ids: list[strawberry.ID], note: str
    ) -> list[QuarantinedRecord]:
        entries = await _owned(info, ids)
        try:
            rows = await quarantine.dismiss_entries(
                info.context.sessionmaker, entries, note, _actor(info)
            )
        except quarantine.QuarantineRefused as error:
            raise BadUserInput(str(error)) from None
        return [QuarantinedRecord.shown(info, row) for row in rows]


async def _owned(info: Info, ids: list[strawberry.ID]) -> list[m.QuarantinedRecord]:
    """The records, each of a county the viewer's scope covers; an id that names nothing
    is FORBIDDEN like one of another county's, for all but admins."""
    viewer = info.context.viewer
    require_staff(viewer, "the quarantine")
    if not ids:
        raise BadUserInput("name at least one quarantined record")
    keys = list(dict.fromkeys(decode_id(global_id, "QuarantinedRecord") for global_id in ids))
    async with info.context.sessionmaker() as session:
        try:
            rows = await quarantine.entries_by_id(session, keys)
        except quarantine.QuarantineRefused as error:
            raise BadUserInput(str(error)) from None
    if any(not viewer.covers_county(row.county_code or "") for row in rows):
        raise Forbidden("this quarantined record")
    if len(rows) != len(keys):
        if viewer.role.value != "admin":
            raise Forbidden("this quarantined record")
        missing = sorted(set(keys) - {row.id for row in rows})
        raise BadUserInput(f"no quarantined record has the key {', '.join(map(str, missing))}")
    return rows


def _actor(info: Info) -> str:
    viewer = info.context.viewer
    return f"{viewer.role.value}:{viewer.name or 'unnamed key'}"

"""`wenming quarantine list|show|export|replay|dismiss`: the steward's review loop."""

from __future__ import annotations

import argparse
import asyncio
import csv
import getpass
import json
import sys
from pathlib import Path

from openpyxl import Workbook

from connectors.config import load_sources
from connectors.quarantine import (
    QuarantineError,
    Sheet,
    dismiss,
    held,
    read_corrections,
    replay_by_source,
    sheets,
)
from db import models as m
from db.engine import create_engine, create_sessionmaker
from db.pii import PersonalDataCipher
from db.secret import claim_key
from hub.database import Sessionmaker, require_database, with_database
from hub.settings import Settings

__all__ = ["add_quarantine_command"]

_REASON_WIDTH = 70


def add_quarantine_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    quarantine = commands.add_parser(
        "quarantine", help="review the records a sync refused: list, show, export, replay, dismiss"
    )
    actions = quarantine.add_subparsers(required=True, metavar="ACTION")

    listing = actions.add_parser("list", help="the open records, one line each")
    _selection(listing)
    listing.add_argument("--all", action="store_true", help="resolved records too")
    listing.set_defaults(handler=_list)

    show = actions.add_parser("show", help="one record whole: its reason and every column")
    show.add_argument("id", type=int)
    show.set_defaults(handler=_show)

    export = actions.add_parser(
        "export", help="the open records of one stream in the source's own columns, to correct"
    )
    _selection(export)
    export.add_argument(
        "-o", "--output", type=Path, required=True, help="a .xlsx or .csv file to write"
    )
    export.set_defaults(handler=_export)

    again = actions.add_parser(
        "replay", help="map and store the open records again under today's rules and settings"
    )
    _selection(again)
    again.add_argument("--id", type=int, nargs="+", default=[], help="only these records")
    again.add_argument(
        "--file", type=Path, help="a corrected export: its rows replace the held ones, by id"
    )
    again.add_argument("--sources", type=Path, help="default: WENMING_SOURCES_FILE or wenming.toml")
    again.set_defaults(handler=_replay)

    let_go = actions.add_parser("dismiss", help="let records go, saying why")
    let_go.add_argument("ids", type=int, nargs="+", metavar="ID")
    let_go.add_argument("--note", required=True, help="why: kept with the record")
    let_go.set_defaults(handler=_dismiss)


def _selection(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", nargs="?", help="one source (default: every source)")
    parser.add_argument("--stream", help="one stream of it (sites, volunteers, entries, …)")


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


def _list(settings: Settings, arguments: argparse.Namespace) -> int:
    async def run(sessionmaker: Sessionmaker) -> str:
        async with sessionmaker() as session:
            entries = await held(
                session,
                source=arguments.source,
                stream=arguments.stream,
                include_resolved=arguments.all,
            )
        lines = ["id\tsource\tstream\trow\tseen\tstate\treason\n"]
        for entry in entries:
            state = entry.resolution or "open"
            reason = entry.reason.replace("\n", " ")
            if len(reason) > _REASON_WIDTH:
                reason = reason[: _REASON_WIDTH - 1] + "…"
            lines.append(
                f"{entry.id}\t{entry.source}\t{entry.stream}\t{entry.row_number or ''}\t"
                f"{entry.times_seen}\t{state}\t{reason}\n"
            )
        lines.append(f"# {len(entries):,} records\n")
        return "".join(lines)

    sys.stdout.write(with_database(settings, run))
    return 0


def _show(settings: Settings, arguments: argparse.Namespace) -> int:
    async def run(sessionmaker: Sessionmaker) -> str:
        async with sessionmaker() as session:
            [entry] = await held(session, ids=[arguments.id], include_resolved=True)
        lines = [
            f"id:          {entry.id}\n",
            f"source:      {entry.source} / {entry.stream} (county {entry.county_code})\n",
            f"row:         {entry.row_number or '-'}\n",
            f"column:      {entry.column_name or '-'}\n",
            f"reason:      {entry.reason}\n",
            f"first seen:  {entry.quarantined_at:%Y-%m-%d %H:%M} UTC "
            f"({entry.times_seen} run{'s' if entry.times_seen != 1 else ''})\n",
        ]
        if entry.resolved_at:
            lines.append(
                f"resolved:    {entry.resolution} by {entry.resolved_by} "
                f"at {entry.resolved_at:%Y-%m-%d %H:%M} UTC\n"
            )
        if entry.note:
            lines.append(f"note:        {entry.note}\n")
        lines.append("record:\n")
        for key, value in json.loads(entry.raw_payload).items():
            lines.append(f"  {key}: {json.dumps(value, ensure_ascii=False)}\n")
        return "".join(lines)

    sys.stdout.write(with_database(settings, run))
    return 0


def _export(settings: Settings, arguments: argparse.Namespace) -> int:
    output: Path = arguments.output
    if output.suffix.lower() not in {".xlsx", ".csv"}:
        raise QuarantineError(f"{output}: write a .xlsx or a .csv file")

    async def run(sessionmaker: Sessionmaker) -> str:
        async with sessionmaker() as session:
            entries = await held(session, source=arguments.source, stream=arguments.stream)
        tables = sheets(entries)
        if not tables:
            raise QuarantineError("nothing is held in quarantine for that selection")
        if len(tables) > 1:
            held_where = ", ".join(
                f"{t.source} --stream {t.stream} ({len(t.rows)})" for t in tables
            )
            raise QuarantineError(
                f"an export holds one stream, so that its columns are that source's; "
                f"name one: {held_where}"
            )
        [table] = tables
        _write(table, output)
        return f"{len(table.rows):,} records of {table.source} / {table.stream} written to {output}"

    print(with_database(settings, run), file=sys.stderr)
    return 0


def _write(table: Sheet, output: Path) -> None:
    if output.suffix.lower() == ".csv":
        # With a byte-order mark, Excel and WPS open it as UTF-8, not as GBK.
        with output.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(table.columns)
            writer.writerows(table.rows)
        return
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = table.stream[:31]
    sheet.append(table.columns)
    for row in table.rows:
        sheet.append(row)
    workbook.save(output)


def _replay(settings: Settings, arguments: argparse.Namespace) -> int:
    configured = {
        source.name: source for source in load_sources(arguments.sources or settings.sources_file)
    }
    corrections = read_corrections(arguments.file) if arguments.file else {}
    cipher = PersonalDataCipher(settings.secret_key)
    require_database(settings)

    async def run() -> list[str]:
        engine = create_engine(settings.database_url)
        try:
            await claim_key(engine, cipher)
            async with create_sessionmaker(engine)() as session:
                entries = await held(
                    session,
                    ids=arguments.id or list(corrections),
                    source=arguments.source,
                    stream=arguments.stream,
                )
            lines = []
            outcomes = await replay_by_source(
                engine, configured, cipher, entries, _actor(), corrections
            )
            for outcome in outcomes:
                run = outcome.run
                if run.status is not m.SyncStatus.SUCCEEDED:
                    lines.append(f"{run.source} / {run.stream}: failed: {run.error}")
                    continue
                lines.append(
                    f"{run.source} / {run.stream}: {len(outcome.stored):,} stored, "
                    f"{len(outcome.refused_again):,} refused again, "
                    f"{len(outcome.replaced):,} refused for a new reason (new entries)"
                )
            return lines or ["nothing is held in quarantine for that selection"]
        finally:
            await engine.dispose()

    lines = asyncio.run(run())
    print("\n".join(lines), file=sys.stderr)
    return 1 if any(": failed:" in line for line in lines) else 0


def _dismiss(settings: Settings, arguments: argparse.Namespace) -> int:
    async def run(sessionmaker: Sessionmaker) -> str:
        async with sessionmaker() as session, session.begin():
            entries = await held(session, ids=arguments.ids)
            gone = await dismiss(session, entries, arguments.note, _actor())
        return f"{gone:,} records dismissed"

    print(with_database(settings, run), file=sys.stderr)
    return 0

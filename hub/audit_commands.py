"""`wenming audit`: who read which personal data, and the retention that trims it."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime, timedelta

from db import models as m
from hub.database import Sessionmaker, with_database
from hub.settings import HubError, Settings
from resolvers.audit import ReadCriteria, purge_reads, read_statement

__all__ = ["add_audit_command"]


class AuditOptionError(HubError):
    """An option of `wenming audit` written in a way it does not read."""


def add_audit_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = commands.add_parser(
        "audit", help="who read which personal data (names, ID numbers, phones, ledgers)"
    )
    audit.add_argument("--since", help="from this day (YYYY-MM-DD) or instant on")
    audit.add_argument("--key", help="reads made with this API key's name")
    audit.add_argument("--county", help="reads of this county's people and households")
    audit.add_argument("--limit", type=int, default=1000, help="at most this many rows (1000)")
    audit.add_argument(
        "--purge",
        action="store_true",
        help="delete reads older than WENMING_AUDIT_RETENTION_DAYS, then list",
    )
    audit.set_defaults(handler=show_audit)


def show_audit(settings: Settings, arguments: argparse.Namespace) -> int:
    criteria = ReadCriteria(
        since=_since(arguments.since), key_name=arguments.key, county_code=arguments.county
    )

    async def run(sessionmaker: Sessionmaker) -> str:
        lines = []
        if arguments.purge:
            gone = await purge_reads(
                sessionmaker, timedelta(days=settings.audit_retention_days), datetime.now(UTC)
            )
            lines.append(
                f"# {gone} reads older than {settings.audit_retention_days} days deleted\n"
            )
        statement = (
            read_statement(criteria)
            .order_by(m.PersonalDataRead.read_at.desc(), m.PersonalDataRead.id.desc())
            .limit(max(arguments.limit, 1))
        )
        async with sessionmaker() as session:
            rows = (await session.scalars(statement)).all()
        lines.append("read_at\tkey\trole\tcounty\tobject\tfields\tids\n")
        for row in rows:
            ids = json.loads(row.object_ids)
            fields = ",".join(json.loads(row.fields))
            lines.append(
                f"{row.read_at:%Y-%m-%dT%H:%M:%SZ}\t{row.key_name}\t{row.role}\t"
                f"{row.county_code}\t{row.object_type}\t{fields}\t"
                f"{len(ids)}: {','.join(map(str, ids[:20]))}{'…' if len(ids) > 20 else ''}\n"
            )
        return "".join(lines)

    sys.stdout.write(with_database(settings, run))
    return 0


def _since(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise AuditOptionError(
            f"--since {text[:40]!r}: write a day (2026-12-01) or an instant (2026-12-01T08:00)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

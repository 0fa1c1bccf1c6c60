"""The `wenming` command: serve, migrate, demo, schema, divisions import."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import traceback
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connectors.config import SourceConfig, SourceConfigError, load_sources
from connectors.divisions import read_divisions, read_populations
from connectors.errors import ConnectorError
from connectors.sync import StreamResult, SyncRunner
from db import migrate
from db.base import table_of
from db.bulk import delete_all, upsert_rows
from db.engine import create_engine
from db.errors import StorageError
from db.faults import describe_fault
from db.models import Division, DivisionLevel, RankingIndex, SyncStatus
from db.pii import PersonalDataCipher
from db.rollup import refresh_rollup
from db.secret import claim_key
from demo.generator import DEFAULT_SCALE, DEFAULT_SEED, DemoOptions
from demo.load import DemoAlreadyLoadedError, load_demo
from hub.audit_commands import add_audit_command
from hub.auth import key_digest, new_key
from hub.database import require_database, with_database
from hub.document_commands import add_documents, list_documents
from hub.export import (
    ExportError,
    compare_csv,
    parse_period,
    parse_weights,
    ranking_csv,
    saved_index_weights,
)
from hub.logs import configure_logging
from hub.progress import demo_progress
from hub.quarantine_commands import add_quarantine_command
from hub.secret_commands import add_secret_command
from hub.settings import (
    DEFAULT_DATABASE_URL,
    HubError,
    Settings,
    SettingsError,
    unknown_variables,
)
from hub.source_checks import DEFAULT_SAMPLE, SourceCheck, check_sources
from hub.sync_commands import run_sync, show_sources
from resolvers.viewer import Role, Viewer

__all__ = ["main"]

Sessionmaker = async_sessionmaker[AsyncSession]


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    arguments = parser.parse_args(argv)
    url = DEFAULT_DATABASE_URL
    try:
        settings = Settings.from_env()
        url = settings.database_url
        configure_logging(settings.log_level, settings.log_format)
        for warning in unknown_variables():
            print(f"wenming: warning: {warning}", file=sys.stderr)
        result: int = arguments.handler(settings, arguments)
        return result
    except (HubError, StorageError, ConnectorError, DemoAlreadyLoadedError) as error:
        return _failed(str(error), arguments)
    except (SQLAlchemyError, ConnectionError, TimeoutError) as error:
        return _failed(describe_fault(error, url), arguments)
    except OSError as error:
        if error.filename is None:
            return _failed(describe_fault(error, url), arguments)
        # A file a command was given or configured: missing, unreadable, a directory.
        return _failed(f"{error.filename}: {error.strerror or error}", arguments)
    except Exception as error:
        # Not foreseen: still one line, and the way to the traceback.
        return _failed(
            f"unexpected {type(error).__name__}: {error}; run `wenming --debug …` again for "
            "the traceback, and report it with that",
            arguments,
        )


def _failed(message: str, arguments: argparse.Namespace) -> int:
    """One line that says what to do; the traceback only under --debug."""
    if arguments.debug:
        traceback.print_exc()
    print(f"wenming: {message}", file=sys.stderr)
    return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wenming", description="Wenming Hub (新时代文明实践数据中台)"
    )
    parser.add_argument(
        "--debug", action="store_true", help="on a failure, show the full traceback too"
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve the GraphQL API")
    _serve_options(serve)
    serve.set_defaults(handler=_serve)

    migrate_ = commands.add_parser("migrate", help="bring the database schema up to date")
    migrate_.add_argument(
        "--sql",
        action="store_true",
        help="print the SQL it would run on this database, for review, and run nothing",
    )
    migrate_.set_defaults(handler=_migrate)

    demo = commands.add_parser("demo", help="migrate, load the demo data, optionally serve")
    demo.add_argument(
        "--scale",
        type=float,
        default=DEFAULT_SCALE,
        help="people and events relative to the published figures (1.0 = full)",
    )
    demo.add_argument("--seed", type=int, default=DEFAULT_SEED)
    demo.add_argument("--reset", action="store_true", help="empty the database first")
    demo.add_argument("--serve", action="store_true", help="serve the hub afterwards")
    _serve_options(demo)
    demo.set_defaults(handler=_demo)

    schema = commands.add_parser("schema", help="print the GraphQL SDL")
    schema.set_defaults(handler=_schema)

    keys = commands.add_parser("keys", help="API keys")
    key_commands = keys.add_subparsers(required=True, metavar="ACTION")
    new_key_ = key_commands.add_parser(
        "new", help="make a key: prints a [[keys]] entry for WENMING_API_KEYS_FILE, the key once"
    )
    new_key_.add_argument("--name", required=True, help="who holds the key, e.g. kaili-office")
    new_key_.add_argument(
        "--role", required=True, choices=[r.value for r in Role if r is not Role.ANONYMOUS]
    )
    new_key_.add_argument(
        "--scope",
        nargs="*",
        default=[],
        metavar="CODE",
        help="division codes whose personal data the key may see (staff roles)",
    )
    new_key_.set_defaults(handler=_new_key)

    sync = commands.add_parser("sync", help="read the configured sources into the hub")
    sync.add_argument("names", nargs="*", metavar="SOURCE", help="default: every source")
    sync.add_argument("--sources", type=Path, help="default: WENMING_SOURCES_FILE or wenming.toml")
    sync.add_argument(
        "--accept-shrink",
        action="store_true",
        help="retire what a file no longer holds even when that is more than a fifth of it",
    )
    sync.set_defaults(handler=_sync)

    check = commands.add_parser(
        "check", help="check the sources file and reach each source, writing nothing"
    )
    check.add_argument("names", nargs="*", metavar="SOURCE", help="default: every source")
    check.add_argument("--sources", type=Path, help="default: WENMING_SOURCES_FILE or wenming.toml")
    check.add_argument(
        "--sample",
        type=int,
        default=DEFAULT_SAMPLE,
        help=f"records read and mapped from each stream ({DEFAULT_SAMPLE})",
    )
    check.set_defaults(handler=_check)

    unlock = commands.add_parser(
        "unlock", help="release a source's lock held by a process on another machine that is gone"
    )
    unlock.add_argument("source")
    unlock.set_defaults(handler=_unlock)

    sources = commands.add_parser("sources", help="each source's last run, cursor and quarantine")
    sources.add_argument(
        "--sources", type=Path, help="default: WENMING_SOURCES_FILE or wenming.toml"
    )
    sources.set_defaults(handler=_sources)

    rollup = commands.add_parser("rollup", help="the statistics rollup behind compare and ranking")
    rollup_commands = rollup.add_subparsers(required=True, metavar="ACTION")
    rollup_commands.add_parser("refresh", help="rebuild it from the stored rows").set_defaults(
        handler=_refresh_rollup
    )

    export = commands.add_parser("export", help="a comparison or ranking as CSV on standard output")
    export_commands = export.add_subparsers(required=True, metavar="WHAT")
    compare = export_commands.add_parser("compare", help="metrics side by side for divisions")
    compare.add_argument(
        "--divisions",
        nargs="+",
        required=True,
        metavar="CODE",
        help="division codes (6 or 12 digits)",
    )
    compare.add_argument(
        "--metrics",
        nargs="+",
        required=True,
        metavar="METRIC",
        help="metric codes (`metrics` in GraphQL)",
    )
    _period_options(compare)
    compare.set_defaults(handler=_export_compare)
    ranking = export_commands.add_parser("ranking", help="divisions, institutes or teams ranked")
    ranking.add_argument(
        "--within", required=True, metavar="CODE", help="rank what lies in this division"
    )
    ranking.add_argument(
        "--level", default="county", choices=[level.value for level in DivisionLevel]
    )
    ranking.add_argument("--of", default="divisions", choices=["divisions", "institutes", "teams"])
    ranking.add_argument("--metric", help="rank by this metric code (or give an index)")
    ranking.add_argument("--index", help="metric:weight,metric:weight")
    ranking.add_argument("--index-name", help="an index saved with `wenming index save`")
    _period_options(ranking)
    ranking.set_defaults(handler=_export_ranking)

    index = commands.add_parser("index", help="composite ranking indexes")
    index_commands = index.add_subparsers(required=True, metavar="ACTION")
    save = index_commands.add_parser("save", help="save (or replace) an index by name")
    save.add_argument("name")
    save.add_argument("--weight", nargs="+", required=True, metavar="METRIC=WEIGHT")
    save.add_argument("--description")
    save.set_defaults(handler=_save_index)

    documents = commands.add_parser(
        "documents", help="trusted documents: GraphQL operations registered by hash"
    )
    document_commands = documents.add_subparsers(required=True, metavar="ACTION")
    add = document_commands.add_parser(
        "add", help="register each FILE (one GraphQL document) after checking it"
    )
    add.add_argument("files", nargs="+", type=Path, metavar="FILE")
    add.set_defaults(handler=add_documents)
    document_commands.add_parser("list", help="the registered documents").set_defaults(
        handler=list_documents
    )

    add_audit_command(commands)
    add_secret_command(commands)
    add_quarantine_command(commands)

    divisions = commands.add_parser("divisions", help="division codes")
    division_commands = divisions.add_subparsers(required=True, metavar="ACTION")
    import_ = division_commands.add_parser(
        "import", help="import provinces/cities/areas/streets CSVs (统计用区划代码)"
    )
    import_.add_argument("directory", type=Path)
    import_.set_defaults(handler=_import_divisions)
    population = division_commands.add_parser(
        "population", help="set residents per division from a CSV (code, population)"
    )
    population.add_argument("file", type=Path)
    population.set_defaults(handler=_set_populations)
    return parser


def _period_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--period", help="2026-03, 2026-Q1 or 2026")
    parser.add_argument("--from", dest="first_day", help="first day of a custom range (YYYY-MM-DD)")
    parser.add_argument("--to", dest="last_day", help="last day of a custom range (YYYY-MM-DD)")


def _serve_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=None, help="default: WENMING_HOST or 127.0.0.1")
    parser.add_argument("--port", type=int, default=None, help="default: WENMING_PORT or 8000")
    parser.add_argument(
        "--workers",
        type=_positive,
        default=1,
        help="worker processes, each serving the same port (default 1)",
    )


def _serve(settings: Settings, arguments: argparse.Namespace) -> int:
    import uvicorn

    from hub.app import create_app

    host = arguments.host or settings.host
    port = arguments.port or settings.port
    _check_database(settings)
    print(f"Wenming Hub on http://{host}:{port}/graphql", file=sys.stderr)
    options: dict[str, Any] = {"host": host, "port": port, "log_config": None, "access_log": False}
    # The hub's own logging formats uvicorn's lines too; its request line replaces theirs.
    if arguments.workers == 1:
        uvicorn.run(create_app(settings), **options)
        return 0
    if settings.redis_url is None:
        print(
            "wenming: warning: without WENMING_REDIS_URL each worker keeps its own rate-limit "
            f"budgets, so a caller may spend up to {arguments.workers} times its budget",
            file=sys.stderr,
        )
    # Each worker builds its app from the same environment (the demo's database included).
    uvicorn.run("hub.app:app_from_environment", factory=True, workers=arguments.workers, **options)
    return 0


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _check_database(settings: Settings) -> None:
    """Refuse to serve a database that is not there (a SQLite file would be made empty),
    not at this version's schema, or sealed with another key: every answer would fail."""
    require_database(settings)

    async def run() -> None:
        engine = create_engine(settings.database_url)
        try:
            await migrate.require_current(engine)
            await claim_key(engine, PersonalDataCipher(settings.secret_key))
        finally:
            await engine.dispose()

    asyncio.run(run())


def _migrate(settings: Settings, arguments: argparse.Namespace) -> int:
    async def run() -> str | None:
        engine = create_engine(settings.database_url)
        try:
            if arguments.sql:
                return await migrate.upgrade_script(engine)
            await migrate.upgrade(engine)
            return None
        finally:
            await engine.dispose()

    script = asyncio.run(run())
    if script is not None:
        sys.stdout.write(script)
        return 0
    print("database schema is up to date", file=sys.stderr)
    return 0


def _demo(settings: Settings, arguments: argparse.Namespace) -> int:
    options = DemoOptions(seed=arguments.seed, scale=arguments.scale)

    async def run() -> None:
        engine = create_engine(settings.database_url)
        try:
            await migrate.upgrade(engine)
            if arguments.reset:
                await delete_all(engine)
            await claim_key(engine, PersonalDataCipher(settings.secret_key))
            started = time.perf_counter()
            try:
                with demo_progress() as report:
                    written = await load_demo(
                        engine, PersonalDataCipher(settings.secret_key), options, report=report
                    )
            except DemoAlreadyLoadedError as error:
                if not arguments.serve:
                    raise
                print(f"demo not loaded again: {error}", file=sys.stderr)
                return
            seconds = time.perf_counter() - started
            print(f"demo loaded at scale {options.scale} in {seconds:.1f} s:", file=sys.stderr)
            for table, count in sorted(written.items()):
                print(f"  {table:<24} {count:>10,}", file=sys.stderr)
        finally:
            await engine.dispose()

    asyncio.run(run())
    return _serve(settings, arguments) if arguments.serve else 0


def _schema(_settings: Settings, _arguments: argparse.Namespace) -> int:
    from schema import print_sdl

    sys.stdout.write(print_sdl())
    return 0


def _new_key(_settings: Settings, arguments: argparse.Namespace) -> int:
    role = Role(arguments.role)
    if role in {Role.COUNTY_STAFF, Role.PROVINCE_STAFF} and not arguments.scope:
        raise SettingsError("--scope", f"a {role.value} key needs the division codes it covers")
    key = new_key()
    scope = ", ".join(f'"{code}"' for code in arguments.scope)
    sys.stdout.write(
        f'\n[[keys]]\nname = "{arguments.name}"\nsha256 = "{key_digest(key)}"\n'
        f'role = "{role.value}"\nscope = [{scope}]\n'
    )
    print(f"the key (shown once, give it to {arguments.name}): {key}", file=sys.stderr)
    return 0


def _configured(settings: Settings, arguments: argparse.Namespace) -> list[SourceConfig]:
    return load_sources(arguments.sources or settings.sources_file)


def _chosen(settings: Settings, arguments: argparse.Namespace) -> list[SourceConfig]:
    """The sources named on the command line, or all; an unknown name or none at all is
    an error, so that a sync never succeeds by reading nothing."""
    path = arguments.sources or settings.sources_file
    sources = load_sources(path)
    if not sources:
        raise SourceConfigError(
            f"{path} configures no sources; add a [[source]] table for each "
            "(wenming.example.toml shows every kind)"
        )
    unknown = set(arguments.names) - {source.name for source in sources}
    if unknown:
        known = ", ".join(source.name for source in sources)
        raise SourceConfigError(
            f"no source is called {', '.join(sorted(unknown))} (configured: {known})"
        )
    return [source for source in sources if not arguments.names or source.name in arguments.names]


def _check(settings: Settings, arguments: argparse.Namespace) -> int:
    chosen = _chosen(settings, arguments)
    require_database(settings)

    async def run() -> list[SourceCheck]:
        engine = create_engine(settings.database_url)
        try:
            await migrate.require_current(engine)
            return await check_sources(
                engine, chosen, PersonalDataCipher(settings.secret_key), sample=arguments.sample
            )
        finally:
            await engine.dispose()

    failed = [check.source for check in asyncio.run(run()) if check.problem]
    if failed:
        print(
            f"wenming: {len(failed)} of {len(chosen)} sources failed: {', '.join(failed)}",
            file=sys.stderr,
        )
        return 1
    return 0


def _sync(settings: Settings, arguments: argparse.Namespace) -> int:
    chosen = _chosen(settings, arguments)

    async def run() -> list[StreamResult]:
        engine = create_engine(settings.database_url)
        try:
            await migrate.upgrade(engine)
            return await run_sync(
                engine,
                chosen,
                PersonalDataCipher(settings.secret_key),
                accept_shrink=arguments.accept_shrink,
            )
        finally:
            await engine.dispose()

    results = asyncio.run(run())
    return 1 if any(result.status is not SyncStatus.SUCCEEDED for result in results) else 0


def _unlock(settings: Settings, arguments: argparse.Namespace) -> int:
    async def run() -> str | None:
        engine = create_engine(settings.database_url)
        try:
            return await SyncRunner(engine).unlock(arguments.source)
        finally:
            await engine.dispose()

    holder = asyncio.run(run())
    if holder is None:
        print(f"{arguments.source} was not locked", file=sys.stderr)
    else:
        print(f"{arguments.source} unlocked (it was held by {holder})", file=sys.stderr)
    return 0


def _sources(settings: Settings, arguments: argparse.Namespace) -> int:
    sources = _configured(settings, arguments)
    require_database(settings)

    async def run() -> None:
        engine = create_engine(settings.database_url)
        try:
            await show_sources(engine, sources)
        finally:
            await engine.dispose()

    asyncio.run(run())
    return 0


def _refresh_rollup(settings: Settings, _arguments: argparse.Namespace) -> int:
    async def run() -> int:
        engine = create_engine(settings.database_url)
        try:
            return await refresh_rollup(engine)
        finally:
            await engine.dispose()

    print(f"rollup rebuilt: {asyncio.run(run()):,} rows", file=sys.stderr)
    return 0


# The command line is run by whoever operates the database, who sees everything anyway.
_OPERATOR = Viewer(Role.ADMIN, name="operator")


def _export_compare(settings: Settings, arguments: argparse.Namespace) -> int:
    period = parse_period(arguments.period, arguments.first_day, arguments.last_day)

    async def run(sessionmaker: Sessionmaker) -> str:
        return await compare_csv(
            sessionmaker,
            _OPERATOR,
            settings.small_group,
            arguments.divisions,
            arguments.metrics,
            period,
        )

    sys.stdout.write(with_database(settings, run))
    return 0


def _export_ranking(settings: Settings, arguments: argparse.Namespace) -> int:
    period = parse_period(arguments.period, arguments.first_day, arguments.last_day)

    async def run(sessionmaker: Sessionmaker) -> str:
        saved = await saved_index_weights(sessionmaker)
        weights = parse_weights(arguments.metric, arguments.index, arguments.index_name, saved)
        return await ranking_csv(
            sessionmaker,
            _OPERATOR,
            settings.small_group,
            arguments.within,
            DivisionLevel(arguments.level),
            arguments.of,
            weights,
            period,
        )

    sys.stdout.write(with_database(settings, run))
    return 0


def _save_index(settings: Settings, arguments: argparse.Namespace) -> int:
    weights: dict[str, float] = {}
    for item in arguments.weight:
        code, _, raw = item.partition("=")
        try:
            weight = float(raw)
        except ValueError:
            raise ExportError(f"{item!r}: write METRIC=WEIGHT, e.g. activities=2") from None
        parse_weights(code, None, None, {})
        if weight <= 0:
            raise ExportError(f"{item!r}: weights must be positive")
        weights[code] = weight

    async def run(sessionmaker: Sessionmaker) -> str:
        async with sessionmaker() as session, session.begin():
            await session.merge(
                RankingIndex(
                    name=arguments.name,
                    description=arguments.description,
                    weights=json.dumps(weights),
                    saved_at=datetime.now(UTC),
                )
            )
        return f"index {arguments.name!r} saved: {weights}\n"

    sys.stderr.write(with_database(settings, run))
    return 0


def _set_populations(settings: Settings, arguments: argparse.Namespace) -> int:
    figures = dict(read_populations(arguments.file))

    async def run() -> tuple[int, list[str]]:
        engine = create_engine(settings.database_url)
        try:
            async with engine.begin() as connection:
                known = set(
                    (
                        await connection.scalars(
                            select(Division.code).where(Division.code.in_(list(figures)))
                        )
                    ).all()
                )
                rows = [
                    {"b_code": code, "population": count}
                    for code, count in figures.items()
                    if code in known
                ]
                if rows:
                    await connection.execute(
                        update(table_of(Division)).where(Division.code == bindparam("b_code")), rows
                    )
            await refresh_rollup(engine)  # per-capita metrics read the populations
        finally:
            await engine.dispose()
        return len(rows), sorted(set(figures) - known)

    updated, unknown = asyncio.run(run())
    print(f"population set for {updated:,} divisions", file=sys.stderr)
    if unknown:
        print(
            f"not known, left out: {', '.join(unknown[:10])}{' …' if len(unknown) > 10 else ''}",
            file=sys.stderr,
        )
    return 0


def _import_divisions(settings: Settings, arguments: argparse.Namespace) -> int:
    async def run() -> int:
        engine = create_engine(settings.database_url)
        total = 0
        try:
            async with engine.begin() as connection:
                batch: list[dict[str, object]] = []
                for record in read_divisions(arguments.directory):
                    batch.append(asdict(record))
                    if len(batch) == 5_000:
                        await upsert_rows(connection, table_of(Division), batch, key=["code"])
                        total += len(batch)
                        batch = []
                await upsert_rows(connection, table_of(Division), batch, key=["code"])
                total += len(batch)
        finally:
            await engine.dispose()
        return total

    count = asyncio.run(run())
    print(f"{count:,} divisions imported from {arguments.directory}", file=sys.stderr)
    return 0

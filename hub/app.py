"""The ASGI application: the GraphQL route, health checks, CORS."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from db.engine import create_engine, create_sessionmaker
from db.pii import PersonalDataCipher
from db.rollup import refresh_if_owed
from hub.auth import KeyFile, Keyring
from hub.documents import DocumentStore
from hub.export import ExportRoutes
from hub.gate import Gate, Keys
from hub.graphql_http import EndpointPolicy, GraphQLEndpoint
from hub.ide import ASSET_PATH, asset
from hub.logs import configure_logging
from hub.ratelimit import RateLimiter
from hub.settings import Settings
from hub.telemetry import RequestFacts, Telemetry
from resolvers.shape import DataShape
from schema import build_schema
from schema.build import compiled_reads
from schema.limits import Limits

__all__ = ["app_from_environment", "create_app"]


logger = logging.getLogger("wenming.app")

# A request allocates tens of thousands of objects that die with it: collect the young
# generation every 50,000 allocations rather than 700, the older ones as often as before.
SERVER_GC_THRESHOLDS = (50_000, 10, 10)

# How often the data's shape (resolvers.shape) is read again for the cost estimate.
SHAPE_REFRESH_SECONDS = 600.0

# /readyz answers within this, whatever state the database is in.
READY_TIMEOUT = 1.0


def create_app(
    settings: Settings, engine: AsyncEngine | None = None, keyring: Keys | None = None
) -> Starlette:
    """The hub as an ASGI app. Pass `engine` to share one (tests); otherwise the app
    creates its own from the settings and disposes of it on shutdown."""
    owned_engine = engine is None
    engine = engine or create_engine(
        settings.database_url, echo=settings.echo_sql, statement_timeout=settings.request_timeout
    )
    # The compiled path's one-statement reads have a pool of their own (one round trip
    # each); an engine handed in (tests) serves both.
    reads = (
        create_engine(
            settings.database_url,
            echo=settings.echo_sql,
            statement_timeout=settings.request_timeout,
            single_reads=True,
        )
        if owned_engine and settings.compiled_reads
        else None
    )
    keys: Keys
    if keyring is not None:
        keys = keyring
    elif settings.api_keys_file:
        keys = KeyFile(settings.api_keys_file)
    else:
        keys = Keyring.empty()

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        settle_heap()
        if isinstance(keys, KeyFile):
            with suppress(NotImplementedError, RuntimeError, ValueError):
                asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, keys.reload)
        catching_up = asyncio.create_task(_refresh_owed_rollup(engine))
        measuring = asyncio.create_task(_keep_measuring(shape, engine))
        yield
        for task in (catching_up, measuring):
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
        if owned_engine:
            await engine.dispose()
        if reads is not None:
            await reads.dispose()

    async def healthz(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_request: Request) -> Response:
        try:
            async with asyncio.timeout(READY_TIMEOUT), engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except (SQLAlchemyError, OSError, TimeoutError):
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
        return JSONResponse({"status": "ok", "database": "ok"})

    sessionmaker = create_sessionmaker(engine)
    telemetry = Telemetry()
    gate = Gate(
        keys, RateLimiter(settings.rate_limits, settings.redis_url), settings.request_timeout
    )
    exports = ExportRoutes(sessionmaker, gate, settings.small_group, settings.max_cost)
    shape = DataShape()
    schema = build_schema(
        Limits(max_cost=settings.max_cost), tracing=settings.opentelemetry, shape=shape
    )
    graphql = GraphQLEndpoint(
        schema,
        sessionmaker,
        PersonalDataCipher(settings.secret_key),
        gate,
        DocumentStore(sessionmaker),
        graphiql=not settings.production,
        small_group=settings.small_group,
        sources_file=settings.sources_file,
        policy=EndpointPolicy(
            max_body_bytes=settings.max_body_bytes,
            introspection_roles=settings.introspection_roles,
            registered_only_roles=settings.registered_only_roles,
        ),
        compiled=(
            compiled_reads(schema, engine=reads, tracing=settings.opentelemetry)
            if settings.compiled_reads
            else None
        ),
    )
    # Without origins to allow, CORS would only refuse what browsers refuse anyway: no
    # middleware then, and no cost on every request.
    middleware = (
        [
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type", "X-Api-Key"],
            )
        ]
        if settings.cors_origins
        else []
    )
    return Starlette(
        routes=[
            # First: Starlette tries the routes in turn, and this one takes nearly every call.
            Route("/graphql", telemetry.timed("graphql", graphql.handle), methods=["GET", "POST"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/export/compare.csv", telemetry.timed("export", _plain(exports.compare))),
            Route("/export/ranking.csv", telemetry.timed("export", _plain(exports.ranking))),
            Route("/feeds/stories.atom", telemetry.timed("feed", _plain(exports.stories))),
            Route("/metrics", telemetry.endpoint(engine, keys)),
            *([Route(f"{ASSET_PATH}{{name}}", asset)] if not settings.production else []),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )


def app_from_environment() -> Starlette:
    """The app factory uvicorn calls in each worker (`wenming serve --workers N`, or
    `uvicorn --factory hub.app:app_from_environment`): settings from the environment."""
    settings = Settings.from_env()
    configure_logging(settings.log_level, settings.log_format)
    return create_app(settings)


def settle_heap() -> None:
    """Once the app is built: what start-up allocated (schema, plans, modules) is moved
    out of the collector's sight, and full collections come less often. With the
    defaults a full collection walked the whole heap every few requests (about 130 ms
    each at CountyTree's size)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*SERVER_GC_THRESHOLDS)


def _plain(
    endpoint: Callable[[Request], Awaitable[Response]],
) -> Callable[[Request, RequestFacts], Awaitable[Response]]:
    """A route that reports nothing of its own: its status is its outcome."""

    async def handle(request: Request, _facts: RequestFacts) -> Response:
        return await endpoint(request)

    return handle


async def _keep_measuring(shape: DataShape, engine: AsyncEngine) -> None:
    """The data's longest lists, for the cost estimate: at start, then every so often
    (a sync in another process adds rows; until the next reading the bounds' headroom
    and the request deadline cover them)."""
    while True:
        try:
            await shape.refresh(engine)
        except (SQLAlchemyError, OSError, TimeoutError) as error:
            logger.warning("the data's shape was not read (estimates use page sizes): %s", error)
        await asyncio.sleep(SHAPE_REFRESH_SECONDS)


async def _refresh_owed_rollup(engine: AsyncEngine) -> None:
    """A sync killed before its refresh left the statistics behind the rows: catch up in
    the background, so that the hub answers meanwhile (with the older figures)."""
    try:
        if await refresh_if_owed(engine):
            logger.info("statistics rollup refreshed: a sync had stopped before doing it")
    except SQLAlchemyError as error:
        logger.warning("statistics rollup not refreshed at start: %s", error)

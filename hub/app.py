"""The ASGI application: the GraphQL route, health checks, CORS."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

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
from hub.auth import Keyring
from hub.export import ExportRoutes
from hub.graphql_http import GraphQLEndpoint
from hub.settings import Settings
from schema import build_schema

__all__ = ["create_app"]


def create_app(
    settings: Settings, engine: AsyncEngine | None = None, keyring: Keyring | None = None
) -> Starlette:
    """The hub as an ASGI app. Pass `engine` to share one (tests); otherwise the app
    creates its own from the settings and disposes of it on shutdown."""
    owned_engine = engine is None
    engine = engine or create_engine(settings.database_url, echo=settings.echo_sql)
    if keyring is None:
        keyring = (
            Keyring.from_file(settings.api_keys_file) if settings.api_keys_file else Keyring.empty()
        )

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        if owned_engine:
            await engine.dispose()

    async def healthz(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_request: Request) -> Response:
        try:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except (SQLAlchemyError, OSError):
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
        return JSONResponse({"status": "ok", "database": "ok"})

    sessionmaker = create_sessionmaker(engine)
    exports = ExportRoutes(sessionmaker, keyring, settings.small_group)
    graphql = GraphQLEndpoint(
        build_schema(),
        sessionmaker,
        PersonalDataCipher(settings.secret_key),
        keyring,
        graphiql=not settings.production,
        small_group=settings.small_group,
    )
    middleware = [
        Middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-Api-Key"],
        )
    ]
    return Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/graphql", graphql.handle, methods=["GET", "POST"]),
            Route("/export/compare.csv", exports.compare),
            Route("/export/ranking.csv", exports.ranking),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )

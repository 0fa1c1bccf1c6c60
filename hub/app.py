"""The ASGI application: the GraphQL route, health checks, CORS."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from db.engine import create_engine, create_sessionmaker
from hub.settings import Settings
from resolvers.context import Context
from schema import build_schema

__all__ = ["create_app"]


class _GraphQLRoute(GraphQL[Context, None]):
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        super().__init__(build_schema(), graphql_ide=None if settings.production else "graphiql")
        self._sessionmaker = sessionmaker

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        return Context(sessionmaker=self._sessionmaker)


def create_app(settings: Settings, engine: AsyncEngine | None = None) -> Starlette:
    """The hub as an ASGI app. Pass `engine` to share one (tests); otherwise the app
    creates its own from the settings and disposes of it on shutdown."""
    owned_engine = engine is None
    engine = engine or create_engine(settings.database_url, echo=settings.echo_sql)
    sessionmaker = create_sessionmaker(engine)

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
        except Exception:  # any failure means "not ready"; the details stay in the log
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
        return JSONResponse({"status": "ok", "database": "ok"})

    graphql: Any = _GraphQLRoute(sessionmaker, settings)
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
            Route("/graphql", graphql, methods=["GET", "POST"]),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )

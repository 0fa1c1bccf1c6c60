"""A GraphQL client over the real ASGI app (httpx), with viewers and a statement counter."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from graphql import GraphQLError, parse
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from hub.app import create_app
from hub.auth import Keyring, key_digest
from hub.settings import Settings
from resolvers.viewer import Role, Viewer
from schema import build_schema
from schema.compiled import plan_document
from tests.databases import TEST_SECRET

__all__ = ["KEYS", "GraphQL", "StatementCounter", "compiles", "hub_app"]

# One key per viewer the tests act as.
KEYS: dict[str, Viewer] = {
    "media-key": Viewer(Role.MEDIA, name="media"),
    "analyst-key": Viewer(Role.ANALYST, name="analyst"),
    "kaili-key": Viewer(Role.COUNTY_STAFF, frozenset({"522601"}), "kaili staff"),
    "tianzhu-key": Viewer(Role.COUNTY_STAFF, frozenset({"620623"}), "tianzhu staff"),
    "guizhou-key": Viewer(Role.PROVINCE_STAFF, frozenset({"520000"}), "guizhou staff"),
    "admin-key": Viewer(Role.ADMIN, name="admin"),
}


def hub_app(engine: AsyncEngine, **settings: Any) -> Starlette:
    keyring = Keyring({key_digest(key): viewer for key, viewer in KEYS.items()})
    return create_app(Settings(secret_key=TEST_SECRET, **settings), engine=engine, keyring=keyring)


_SCHEMA = build_schema()


def compiles(query: str, operation_name: str | None = None) -> bool:
    """Whether the compiled read path answers this document (when its inputs are sound)."""
    try:
        document = parse(query)
    except GraphQLError:
        return False
    return plan_document(_SCHEMA._schema, document, operation_name) is not None


@dataclass
class StatementCounter:
    """Counts SQL statements the engine sends while active."""

    engine: AsyncEngine
    count: int = 0
    statements: list[str] = field(default_factory=list)
    paused: bool = False

    @contextmanager
    def counting(self) -> Iterator[StatementCounter]:
        def record(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
            if not self.paused:
                self.count += 1
                self.statements.append(statement)

        self.count, self.statements = 0, []
        event.listen(self.engine.sync_engine, "before_cursor_execute", record)
        try:
            yield self
        finally:
            event.remove(self.engine.sync_engine, "before_cursor_execute", record)


class GraphQL:
    """Posts documents to /graphql as a given viewer and returns the JSON body."""

    def __init__(self, engine: AsyncEngine, *, compiled: bool = True) -> None:
        """`compiled=False`: the resolvers answer everything (to count their batches)."""
        self.engine = engine
        self.compiled = compiled
        self.app = hub_app(engine, compiled_reads=compiled)
        # Every document the compiled path answers is asked of the resolvers too, and the
        # answers must be the same: the whole suite is the compiled path's differential test.
        self.resolvers_only = hub_app(engine, compiled_reads=False)
        self.counter = StatementCounter(engine)

    def client(self, app: Starlette | None = None) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app or self.app), base_url="http://hub"
        )

    async def __call__(
        self, query: str, variables: dict[str, Any] | None = None, *, key: str | None = None
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        async with self.client() as client:
            response = await client.post(
                "/graphql", json={"query": query, "variables": variables}, headers=headers
            )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        if self.compiled and compiles(query):
            self.counter.paused = True
            try:
                async with self.client(self.resolvers_only) as client:
                    resolved = await client.post(
                        "/graphql", json={"query": query, "variables": variables}, headers=headers
                    )
            finally:
                self.counter.paused = False
            assert (resolved.status_code, resolved.json()) == (200, body), query
        return body

    async def data(
        self, query: str, variables: dict[str, Any] | None = None, *, key: str | None = None
    ) -> Any:
        """The data of a query that must not fail."""
        body = await self(query, variables, key=key)
        assert "errors" not in body, body["errors"]
        return body["data"]

    async def statements(
        self, query: str, variables: dict[str, Any] | None = None, *, key: str | None = None
    ) -> int:
        """How many SQL statements the query costs (it must succeed)."""
        with self.counter.counting() as counter:
            await self.data(query, variables, key=key)
        return counter.count

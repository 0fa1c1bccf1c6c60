"""A deadline for the statements of one request: SQLite is interrupted by a progress
handler when it passes, PostgreSQL by its `statement_timeout` and by cancelling the
query when the request's task is cancelled at its deadline."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.util import await_only

__all__ = ["deadline", "install_sqlite_interrupts"]

_DEADLINE: ContextVar[float | None] = ContextVar("wenming_deadline", default=None)
# SQLite calls the handler every this many virtual-machine steps (well under 1 ms).
_STEPS = 10_000
# The request's own timer stops it at the deadline (and answers TIMEOUT); the statement
# left running in aiosqlite's thread is interrupted this much later, so that the
# interruption never beats the timer and surfaces as a database error instead.
_GRACE = 0.25


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Statements run inside stop once `seconds` have passed."""
    token = _DEADLINE.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def install_sqlite_interrupts(engine: AsyncEngine) -> None:
    """Give every SQLite connection of `engine` a progress handler that interrupts a
    statement running past its request's deadline."""
    event.listen(engine.sync_engine, "connect", _add_handler)
    event.listen(engine.sync_engine, "before_cursor_execute", _arm)


def _add_handler(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    armed: list[float | None] = [None]
    record.info["deadline"] = armed

    def handler() -> int:
        at = armed[0]
        return 1 if at is not None and time.monotonic() > at else 0

    await_only(dbapi_connection.driver_connection.set_progress_handler(handler, _STEPS))


def _arm(connection: Any, *_args: Any) -> None:
    # Runs in the requesting task's context, so it sees that request's deadline; the
    # handler runs in aiosqlite's thread and reads it from the connection's record.
    armed = connection.connection.info.get("deadline")
    if armed is not None:
        at = _DEADLINE.get()
        armed[0] = None if at is None else at + _GRACE

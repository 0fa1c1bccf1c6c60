"""A database fault said in one line a clerk can act on (the command line's last word)."""

from __future__ import annotations

import logging
import socket
import time
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    DBAPIError,
    DisconnectionError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout

__all__ = ["Outage", "describe_fault", "is_unavailable", "missing_sqlite_file"]

_NO_SCHEMA = ("no such table", "does not exist", "undefinedtable")
_UNREACHABLE = (
    "connection refused",
    "could not connect",
    "connect call failed",
    "unable to open database file",
    "name or service not known",
    "timeout",
    "timed out",
    "connection was closed",
    "cannot connect",
)
_REFUSED = ("password authentication failed", 'role "', "permission denied", "no pg_hba.conf")


def describe_fault(error: BaseException, url: str) -> str:
    """What went wrong with the database at `url`, and what to do."""
    where = _shown_url(url)
    text = _first_line(error).lower()
    if any(mark in text for mark in _REFUSED):
        return (
            f"the database at {where} refused the connection ({_first_line(error)}): check "
            "the user and password in WENMING_DATABASE_URL"
        )
    if 'database "' in text and "does not exist" in text:
        return (
            f"the database named in {where} does not exist: create it (createdb NAME) or "
            "correct WENMING_DATABASE_URL"
        )
    if any(mark in text for mark in _NO_SCHEMA):
        return (
            f"the database at {where} does not hold the hub's tables (or holds an older "
            "schema): run `wenming migrate`, or `wenming demo` for the demo data"
        )
    if isinstance(error, OSError | TimeoutError) or any(mark in text for mark in _UNREACHABLE):
        return (
            f"cannot reach the database at {where} ({_first_line(error)}): is it running, "
            "and is WENMING_DATABASE_URL right?"
        )
    return f"the database at {where} failed: {_first_line(error)}"


def missing_sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL when it does not exist (connecting would create it empty)."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    path = Path(parsed.database)
    return None if path.exists() else path


def _first_line(error: BaseException) -> str:
    original = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    if isinstance(original, SQLAlchemyError):
        message = str(original).split("\n", 1)[0]
    else:
        message = str(original).strip().split("\n", 1)[0] or type(original).__name__
    # SQLAlchemy appends its SQL and a help link on later lines; the first says it.
    return message.removeprefix("(").split(") ", 1)[-1][:300]


def _shown_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def is_unavailable(error: BaseException | None) -> bool:
    """Does `error` (or what caused it) say the database cannot be reached right now,
    rather than that a statement or the schema is wrong?"""
    for _ in range(10):
        if error is None:
            return False
        if isinstance(error, ConnectionError | socket.gaierror | PoolTimeout | DisconnectionError):
            return True
        if isinstance(error, OperationalError | InterfaceError):
            return not any(mark in str(error).lower() for mark in _NO_SCHEMA)
        error = error.__cause__ or error.__context__
    return False


class Outage:
    """Says an outage in the log when it begins and then once a minute, with how many
    failures it left unsaid, rather than a traceback per request; and says its end."""

    def __init__(self, logger: logging.Logger, every: float = 60.0) -> None:
        self._logger = logger
        self._every = every
        self._last: float | None = None
        self._unsaid = 0

    def note(self, error: BaseException) -> None:
        now = time.monotonic()
        if self._last is not None and now - self._last < self._every:
            self._unsaid += 1
            return
        self._logger.warning(
            "the database does not answer (%s)%s",
            _first_line(error),
            f"; {self._unsaid} more failures since the last message" if self._unsaid else "",
        )
        self._last, self._unsaid = now, 0

    def recovered(self) -> None:
        """The database answered: an outage in course has ended."""
        if self._last is None:
            return
        self._logger.warning(
            "the database answers again%s",
            f" ({self._unsaid} failures since the last message)" if self._unsaid else "",
        )
        self._last, self._unsaid = None, 0

"""The hub's log: one line per event, as text for a terminal or JSON for a collector
(`WENMING_LOG_FORMAT`). Lines carry what an operator acts on (operation, duration,
cost, code, role; a sync batch's counts), never personal data: no variables, no
document text, no record contents."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

import orjson

__all__ = ["configure_logging", "fields_of"]

# What every LogRecord has; anything else on a record came as `extra=` fields.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "taskName",
}


def fields_of(record: logging.LogRecord) -> dict[str, Any]:
    """The structured fields a record was logged with (`extra={...}`)."""
    return {key: value for key, value in vars(record).items() if key not in _STANDARD}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            **fields_of(record),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        fields = fields_of(record)
        if fields:
            text += " " + " ".join(f"{key}={value}" for key, value in fields.items())
        return text


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is when a line is written: a progress display (or
    a test) may have put another stream there since the handler was made."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


class _Installed:
    handler: logging.Handler | None = None


def configure_logging(level: str, fmt: str, stream: TextIO | None = None) -> None:
    """Send the hub's and uvicorn's records to `stream` (stderr) in one format. Called
    again, it replaces its own handler only (a test runner's stay)."""
    handler: logging.Handler = logging.StreamHandler(stream) if stream else _Stderr()
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    if _Installed.handler is not None:
        root.removeHandler(_Installed.handler)
    root.addHandler(handler)
    _Installed.handler = handler
    root.setLevel(level.upper())
    # The request line of our own replaces uvicorn's access log; Alembic's account of
    # each step is for debugging.
    logging.getLogger("uvicorn.access").disabled = True
    logging.getLogger("alembic").setLevel(
        logging.DEBUG if level.upper() == "DEBUG" else logging.WARNING
    )

"""A source that is one exported table (CSV or XLSX) read as one stream."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path
from typing import Any

from connectors.base import Connector, Mapped, RawRecord, Stream
from connectors.files import file_digest, read_table
from connectors.points.settings import COLUMNS

__all__ = ["TableConnector"]


class TableConnector(Connector):
    """Subclasses name their stream, the columns they need and how a row maps."""

    stream: Stream
    required: tuple[str, ...]

    def __init__(self, system: str, county_code: str, path: Path) -> None:
        self.system = system
        self.county_code = county_code
        self.path = path
        self.streams = (self.stream,)

    def snapshot_key(self, stream: Stream) -> str | None:
        return file_digest(self.path) if stream.snapshot else None

    async def read(self, stream: Stream, cursor: str | None) -> AsyncIterator[RawRecord]:
        rows = read_table(self.path, [COLUMNS[column] for column in self.required])
        prepare = self.preparer()
        for position, row in rows:
            yield RawRecord(prepare(row), position)

    def preparer(self) -> Callable[[dict[str, Any]], dict[str, Any]]:
        """How rows are prepared as they are read, afresh for each read: a subclass may
        note on a row what only reading in order can tell."""
        return lambda row: row

    def map(self, stream: Stream, record: RawRecord) -> list[Mapped]:
        return self.map_row(record.payload)

    @abstractmethod
    def map_row(self, row: Mapping[str, Any]) -> list[Mapped]:
        """Pure: the records one row stands for, or Rejection."""

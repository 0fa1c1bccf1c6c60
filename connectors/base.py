"""The connector contract.

A connector reads one source (files or HTTP) as streams of raw records and maps each
raw record to typed records with a pure function. It writes nothing: the sync runner
(connectors.sync) is the only path from outside data into the database.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from db.base import ProvenanceMixin

__all__ = ["Connector", "Findings", "Mapped", "RawRecord", "Ref", "Rejection", "Stream"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Stream:
    """One kind of record a source offers, written in the order the streams are listed."""

    name: str
    # A snapshot stream is read whole every run; its records that are missing are retired.
    snapshot: bool
    # An incremental stream is read from its saved cursor on (an `updated_at` field).
    cursor_field: str | None = None


@dataclass(frozen=True, slots=True)
class RawRecord:
    """A record exactly as the source gave it, and where it stood."""

    payload: Mapping[str, Any]
    position: int
    cursor: str | None = None

    def __reduce__(self) -> tuple[type[RawRecord], tuple[Any, ...]]:
        # Records cross to a mapping process by the thousand; a slotted dataclass would
        # pickle field by field in Python.
        return RawRecord, (self.payload, self.position, self.cursor)


class Rejection(Exception):
    """A record that breaks a rule. It is quarantined with this reason, which names the
    column and what was expected, so that a clerk can correct the source."""

    def __init__(self, reason: str, column: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.column = column

    def __reduce__(self) -> tuple[type[Rejection], tuple[str, str | None]]:
        # Rejections cross from a mapping process; the column must come with them.
        return Rejection, (self.reason, self.column)


class Findings:
    """Every rule one record breaks, not the first only: a clerk corrects the row once
    rather than once per run. Each `check` reads one value; `settle` refuses the record
    with all the reasons found."""

    def __init__(self) -> None:
        self._found: list[Rejection] = []

    def add(self, reason: str, column: str | None = None) -> None:
        self._found.append(Rejection(reason, column))

    def check(self, read: Callable[[], T]) -> T | None:
        try:
            return read()
        except Rejection as rejection:
            self._found.append(rejection)
            return None

    def settle(self) -> None:
        if not self._found:
            return
        first = self._found[0]
        if len(self._found) == 1:
            raise first
        raise Rejection("; ".join(found.reason for found in self._found), first.column)


@dataclass(frozen=True, slots=True)
class Ref:
    """A link from a record to another record.

    `column` is the foreign key to fill. The target is found by its source id in the same
    source system; with `by_division`, as that source's site of a division code; with
    `by_name`, by name in any source (a team's home site named in a site register); for
    a Division, the code itself, which must exist.
    """

    column: str
    model: type[Any]
    source_id: str
    by_division: bool = False
    by_name: bool = False
    label: str = ""
    # For a village's division code: the village's name, to add the village when the
    # code is not known yet but its township is (the public list has no villages).
    village: str | None = None


@dataclass(slots=True)
class Mapped:
    """A typed record for one table, keyed by its source id."""

    model: type[ProvenanceMixin]
    source_id: str
    values: dict[str, Any]
    refs: tuple[Ref, ...] = ()
    # Extra work after the row is written (memberships, event logs, platform links).
    extras: dict[str, Any] = field(default_factory=dict)
    # The content hash to store, computed while mapping: a volunteer's covers the
    # person's data, not the registration's. None for other records, which the writer
    # hashes together with the references it resolves.
    digest: str | None = None
    # The source's column for a value ("volunteer_number": "志愿者编号"), to name it when
    # the database refuses the record.
    columns: dict[str, str] = field(default_factory=dict)

    def __reduce__(self) -> tuple[type[Mapped], tuple[Any, ...]]:
        # Back from a mapping process, as RawRecord goes there.
        return Mapped, (
            self.model,
            self.source_id,
            self.values,
            self.refs,
            self.extras,
            self.digest,
            self.columns,
        )


class Connector(ABC):
    """Reads one configured source."""

    system: str
    streams: tuple[Stream, ...]
    # True when the connector pickles and its `map` uses nothing but what it was built
    # with: the runner may then map a long stream in a second process.
    portable_mapping: ClassVar[bool] = False

    @abstractmethod
    def read(self, stream: Stream, cursor: str | None) -> AsyncIterator[RawRecord]:
        """The stream's raw records from `cursor` on (None: from the start)."""

    @abstractmethod
    def map(self, stream: Stream, record: RawRecord) -> list[Mapped]:
        """Pure: the typed records a raw record stands for, or Rejection."""

    async def close(self) -> None:  # noqa: B027  (most connectors hold nothing)
        """Release what reading holds (an HTTP client); nothing by default."""

    def snapshot_key(self, stream: Stream) -> str | None:
        """What identifies the snapshot being read (a file's digest), so that a run that
        resumes knows it reads the same one; None for incremental streams."""
        return None

"""Mapping a stream's raw records to typed records, here or in a second process.

Mapping is pure, so where it runs changes nothing but the time it takes. A long stream
(a national registry export of half a million volunteers) spends about as long mapping
(validating ID numbers, sealing, hashing) as writing; in a second process one core maps
the next batch while the other writes this one.
"""

from __future__ import annotations

import asyncio
import ctypes
import multiprocessing
import os
import signal
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from connectors.base import Connector, Mapped, RawRecord, Rejection, Stream
from connectors.collection import collect_less
from connectors.errors import ConnectorError

__all__ = ["Mapper", "MappingProcessError", "map_records"]

# What became of each raw record: its typed records, or why it was rejected.
MappedRecords = list[list[Mapped] | Rejection]


class MappingProcessError(ConnectorError):
    """The process mapping a stream's records stopped before it answered."""

    def __init__(self, source: str) -> None:
        super().__init__(
            f"source {source!r}: the process mapping its records stopped unexpectedly "
            "(out of memory or killed?); run the sync again: it goes on from the last "
            "committed batch"
        )


def map_records(
    connector: Connector, stream: Stream, records: Sequence[RawRecord]
) -> MappedRecords:
    """Each record mapped, or the Rejection it raised, in the order given."""
    results: MappedRecords = []
    for record in records:
        try:
            results.append(connector.map(stream, record))
        except Rejection as rejection:
            results.append(rejection)
    return results


class Mapper:
    """Maps one stream's batches. Once `process_after` records have been mapped here,
    the rest go to a second process, if the connector can be sent there and the machine
    has a second core; a short stream never repays starting one."""

    def __init__(self, connector: Connector, stream: Stream, process_after: int | None) -> None:
        self._connector = connector
        self._stream = stream
        self._process_after = process_after if connector.portable_mapping and _cores() > 1 else None
        self._mapped = 0
        self._pool: ProcessPoolExecutor | None = None
        self._pending: list[asyncio.Future[MappedRecords]] = []

    @property
    def in_second_process(self) -> bool:
        """Whether the mapping has moved to the second process."""
        return self._pool is not None

    def submit(self, records: Sequence[RawRecord]) -> asyncio.Future[MappedRecords]:
        """Start mapping `records`; await the future when the batch is to be written."""
        limit = self._process_after
        if self._pool is None and limit is not None and self._mapped >= limit:
            self._pool = ProcessPoolExecutor(
                max_workers=1,
                # A fresh interpreter: forking would copy the event loop, the database
                # connections and their threads.
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_adopt,
                initargs=(self._connector, os.getpid()),
            )
        self._mapped += len(records)
        loop = asyncio.get_running_loop()
        if self._pool is None:
            future: asyncio.Future[MappedRecords] = loop.create_future()
            future.set_result(map_records(self._connector, self._stream, records))
            return future
        mapped = loop.run_in_executor(self._pool, _map_there, self._stream, list(records))
        self._pending.append(mapped)
        return asyncio.ensure_future(self._collect(mapped))

    async def _collect(self, mapped: asyncio.Future[MappedRecords]) -> MappedRecords:
        try:
            return await mapped
        except BrokenProcessPool:
            raise MappingProcessError(self._connector.system) from None
        finally:
            self._pending.remove(mapped)

    async def close(self) -> None:
        """Stop the second process, if one was started; work not yet collected is dropped."""
        for mapped in list(self._pending):
            mapped.cancel()
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


_adopted: Connector | None = None


def _adopt(connector: Connector, parent: int) -> None:
    global _adopted
    _die_with_parent(parent)
    _adopted = connector
    collect_less()


_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this process when the sync that started it (`parent`) dies,
    however it dies (SIGKILL included): an orphaned mapping process lives on for nothing."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return  # not Linux: the pool's own shutdown has to do
    if os.getppid() != parent:  # the sync died while this process was starting
        os._exit(1)


def _map_there(stream: Stream, records: list[RawRecord]) -> MappedRecords:
    assert _adopted is not None, "the mapping process was started without its connector"
    return map_records(_adopted, stream, records)

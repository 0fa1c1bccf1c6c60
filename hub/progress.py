"""How far a sync has got: a live display on a terminal (rich), log lines at a steady
interval elsewhere, so that a sync run from cron says where it is while it runs."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

__all__ = ["PROGRESS_EVERY", "SyncProgress", "demo_progress"]

logger = logging.getLogger("wenming.sync")

PROGRESS_EVERY = 10.0


class _Rate(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.0f}/s", style="progress.data.speed")


class SyncProgress:
    """Records read per stream. On a terminal: a bar, rate and time left where the
    stream's last run says how many to expect, a live count where nothing does. Not on
    a terminal: a `sync progress` log line per stream every `every` seconds."""

    def __init__(self, out: TextIO, *, every: float = PROGRESS_EVERY) -> None:
        self._every = every
        self._expected: Mapping[tuple[str, str], int] = {}
        self._tasks: dict[tuple[str, str], TaskID] = {}
        self._logged: dict[tuple[str, str], tuple[float, float]] = {}
        self._display: Progress | None = None
        if out.isatty():
            self._display = Progress(
                TextColumn("{task.description:<36}"),
                BarColumn(),
                MofNCompleteColumn(),
                _Rate(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=Console(file=out),
                transient=False,
            )
            self._display.start()

    def expect(self, expected: Mapping[tuple[str, str], int]) -> None:
        """Records each (source, stream) held at its last successful run."""
        self._expected = expected

    def __call__(self, source: str, stream: str, read: int) -> None:
        key = (source, stream)
        now = time.monotonic()
        if self._display is not None:
            task = self._tasks.get(key)
            if task is None:
                task = self._display.add_task(f"{source}/{stream}", total=self._expected.get(key))
                self._tasks[key] = task
            self._display.update(task, completed=read)
            return
        started, last = self._logged.setdefault(key, (now, float("-inf")))
        if now - last < self._every:
            return
        self._logged[key] = (started, now)
        expected = self._expected.get(key)
        logger.info(
            "sync progress",
            extra={
                "source": source,
                "stream": stream,
                "read": read,
                "per_second": round(read / max(now - started, 1e-6)),
                **({"last_run_read": expected} if expected else {}),
            },
        )

    def done(self) -> None:
        if self._display is not None:
            self._display.stop()


@contextmanager
def demo_progress(out: TextIO | None = None) -> Iterator[Callable[[str], None]]:
    """What the demo is doing: a spinner with the step on a terminal, a log line per step
    elsewhere. The demo's own syncs do not log each batch: they are its inner workings."""
    out = out or sys.stderr
    quiet = logging.getLogger("wenming.sync")
    level = quiet.level
    quiet.setLevel(max(level, logging.WARNING))
    demo = logging.getLogger("wenming.demo")
    try:
        if not out.isatty():
            yield lambda step: demo.info("demo: %s", step)
            return
        with Console(file=out).status("loading the demo") as status:
            yield lambda step: status.update(f"demo: {step}")
    finally:
        quiet.setLevel(level)

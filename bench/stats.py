"""Small helpers for timing and reporting."""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

__all__ = ["pace", "percentile", "run_on_database", "summary", "time_calls"]


async def time_calls(call: Callable[[], Awaitable[object]], runs: int) -> list[float]:
    """Seconds each of `runs` calls took, after one call to warm caches up."""
    await call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - started)
    return samples


def percentile(samples: Sequence[float], fraction: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def summary(samples: Sequence[float]) -> str:
    """p50 / p95 / mean in milliseconds."""
    p50, p95 = percentile(samples, 0.5), percentile(samples, 0.95)
    mean = statistics.fmean(samples)
    return f"p50 {p50 * 1000:7.2f} ms   p95 {p95 * 1000:7.2f} ms   mean {mean * 1000:7.2f} ms"


def pace() -> float:
    """Seconds this machine takes now for 10 M additions in a Python loop. The shared
    2-core machines run at different speeds from hour to hour; figures taken minutes
    apart compare only beside this."""
    began = time.perf_counter()
    total = 0
    for number in range(10_000_000):
        total += number
    return time.perf_counter() - began


def run_on_database(
    run: Callable[[str, int], Coroutine[Any, Any, None]], description: str | None
) -> None:
    """The command line of a benchmark taking `--runs` and `--database-url` (without
    one, a temporary SQLite file)."""
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    arguments = parser.parse_args()
    if arguments.database_url:
        asyncio.run(run(arguments.database_url, arguments.runs))
        return
    with tempfile.TemporaryDirectory() as directory:
        asyncio.run(run(f"sqlite+aiosqlite:///{Path(directory) / 'bench.sqlite3'}", arguments.runs))

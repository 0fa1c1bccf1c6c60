"""Small helpers for timing and reporting."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

__all__ = ["percentile", "summary"]


def percentile(samples: Sequence[float], fraction: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def summary(samples: Sequence[float]) -> str:
    """p50 / p95 / mean in milliseconds."""
    p50, p95 = percentile(samples, 0.5), percentile(samples, 0.95)
    mean = statistics.fmean(samples)
    return f"p50 {p50 * 1000:7.2f} ms   p95 {p95 * 1000:7.2f} ms   mean {mean * 1000:7.2f} ms"

"""Budgets of cost points per caller and window, kept by the `limits` library: in memory
for one process, in Redis (`WENMING_REDIS_URL`) when several workers must share them.

A request may start while its caller has a point left; its measured cost is charged
after (GitHub's model: one point a request, one more per thousand objects it may return).
Every answer tells the caller where it stands in the IETF RateLimit header fields."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter
from limits.errors import StorageError

__all__ = ["Quota", "RateLimiter", "points_for"]

logger = logging.getLogger("wenming.ratelimit")

# A document is charged for the objects it may return, as measured before it runs: an
# upper bound, often ten times what comes back. Per thousand, the README's county tree
# (35,000 objects at most) costs 36 points, and a public dashboard may refresh it every
# minute on an anonymous budget.
_POINTS_PER = 1000


def points_for(cost: int) -> int:
    """Points a request of `cost` (objects it may return) takes from its budget."""
    return 1 + cost // _POINTS_PER


@dataclass(frozen=True, slots=True)
class Quota:
    """Where a caller stands: each window's size, limit and what is left of it."""

    windows: tuple[tuple[int, int, int, int], ...]  # (seconds, limit, remaining, reset in s)

    @property
    def exhausted(self) -> bool:
        return any(remaining <= 0 for _, _, remaining, _ in self.windows)

    @property
    def retry_after(self) -> int:
        return max((reset for _, _, remaining, reset in self.windows if remaining <= 0), default=0)

    def headers(self) -> dict[str, str]:
        if not self.windows:
            return {}
        policy = ", ".join(f'"{_name(w)}";q={limit};w={w}' for w, limit, _, _ in self.windows)
        tightest = min(self.windows, key=lambda window: window[2] / window[1])
        seconds, _, remaining, reset = tightest
        headers = {
            "RateLimit-Policy": policy,
            "RateLimit": f'"{_name(seconds)}";r={max(remaining, 0)};t={reset}',
        }
        if self.exhausted:
            headers["Retry-After"] = str(self.retry_after)
        return headers


class RateLimiter:
    """Budgets per role; callers are told apart by the identity the endpoint gives."""

    def __init__(self, rates: Mapping[str, str], redis_url: str | None = None) -> None:
        self._items: dict[str, list[RateLimitItem]] = {
            role: parse_many(rate) if rate else [] for role, rate in rates.items()
        }
        storage: Storage = (
            RedisStorage("async+" + redis_url, implementation="redispy", wrap_exceptions=True)
            if redis_url
            else MemoryStorage()
        )
        self._strategy = FixedWindowRateLimiter(storage)

    async def quota(self, role: str, identity: str) -> Quota:
        """The caller's standing before a request."""
        return await self._standing(role, identity, points=0)

    async def charge(self, role: str, identity: str, points: int) -> Quota:
        """Take `points` from every window of the caller's budget."""
        return await self._standing(role, identity, points=points)

    async def _standing(self, role: str, identity: str, *, points: int) -> Quota:
        windows = []
        try:
            for item in self._items.get(role, []):
                if points:
                    await self._strategy.hit(item, role, identity, cost=points)
                stats = await self._strategy.get_window_stats(item, role, identity)
                reset = max(math.ceil(stats.reset_time - time.time()), 0)
                windows.append((item.get_expiry(), item.amount, stats.remaining, reset))
        except StorageError as error:
            # A budget that cannot be read must not take the API down with it.
            logger.warning("rate limits unavailable, request let through: %s", error)
            return Quota(())
        return Quota(tuple(windows))


def _name(seconds: int) -> str:
    return {1: "second", 60: "minute", 3600: "hour", 86400: "day"}.get(seconds, f"{seconds}s")

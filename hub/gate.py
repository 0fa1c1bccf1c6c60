"""What every API request passes before and after its work, whatever route it takes:
who it acts for, whether its caller has budget left, and a deadline for the work."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from starlette.requests import Request

from db.deadline import deadline
from hub.auth import presented_key
from hub.ratelimit import Quota, RateLimiter
from hub.settings import HubError
from resolvers.viewer import Role, Viewer

__all__ = ["Admission", "Gate", "Keys", "RequestTimeout", "TooManyRequests"]

T = TypeVar("T")


class Keys(Protocol):
    def viewer_for(self, presented: str | None) -> Viewer: ...


class TooManyRequests(HubError):
    """The caller has spent its budget for a window."""

    def __init__(self, quota: Quota) -> None:
        super().__init__(
            f"too many requests: this caller's budget of cost points is spent; try again in "
            f"{quota.retry_after} s (see the RateLimit headers), or ask for less per request"
        )
        self.quota = quota


class RequestTimeout(HubError):
    """The work of a request passed its deadline and was stopped."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"the request was stopped after {seconds:g} s; ask for less (smaller pages, "
            "fewer divisions or a shorter period)"
        )


@dataclass(frozen=True, slots=True)
class Admission:
    """A request let in: for whom, and how its caller is known to the rate limiter."""

    viewer: Viewer
    identity: str


class Gate:
    def __init__(self, keys: Keys, limiter: RateLimiter, timeout: float) -> None:
        self._keys = keys
        self._limiter = limiter
        self.timeout = timeout

    async def admit(self, request: Request) -> Admission:
        """The request's viewer, if its caller may go on (UnknownKeyError for bad
        credentials, TooManyRequests past the budget)."""
        viewer = self._keys.viewer_for(presented_key(request))
        identity = _identity(request, viewer)
        quota = await self._limiter.quota(viewer.role.value, identity)
        if quota.exhausted:
            raise TooManyRequests(quota)
        return Admission(viewer, identity)

    async def settle(self, admission: Admission, points: int) -> Quota:
        """Charge the points a request took; the standing after is told to the caller."""
        return await self._limiter.charge(admission.viewer.role.value, admission.identity, points)

    async def within_deadline(self, work: Awaitable[T]) -> T:
        """`work`, stopped at the deadline (statements included) with RequestTimeout."""
        with deadline(self.timeout):
            try:
                # A timeout scope, not wait_for: no task of its own per request.
                async with asyncio.timeout(self.timeout):
                    return await work
            except TimeoutError:
                raise RequestTimeout(self.timeout) from None


def _identity(request: Request, viewer: Viewer) -> str:
    """Keyed callers are told apart by key; anonymous ones by address (behind a proxy,
    run uvicorn with --proxy-headers so that this is the client's, not the proxy's)."""
    if viewer.role is not Role.ANONYMOUS:
        return f"key:{viewer.name}"
    return f"address:{request.client.host if request.client else 'unknown'}"

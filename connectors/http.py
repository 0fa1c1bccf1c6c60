"""Reading JSON over HTTP the way real county APIs need: retries with backoff on what
passes (429 with Retry-After, 5xx, timeouts, dropped connections), a clear stop on
what does not (refused credentials, a page that is not JSON after retries)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import httpx

from connectors.errors import FatalConnectorError, RetriableConnectorError

__all__ = [
    "DEFAULT_POLICY",
    "JsonClient",
    "Retry",
    "RetryPolicy",
    "Sleep",
    "retry_after",
    "send",
    "with_retries",
]

Sleep = Callable[[float], Awaitable[None]]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 30.0

    def delay(self, attempt: int) -> float:
        """Exponential backoff with jitter, so that retries of many clients spread out."""
        backoff: float = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return backoff * (0.5 + random.random() / 2)


DEFAULT_POLICY = RetryPolicy()


class JsonClient:
    """GETs JSON documents from one API, retrying what is worth retrying."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        policy: RetryPolicy = DEFAULT_POLICY,
        timeout: float = 30.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/") + "/",
            headers=headers,
            transport=transport,
            timeout=timeout,
        )
        self._policy = policy
        self._sleep = sleep
        self.retries = 0

    async def close(self) -> None:
        await self._client.aclose()

    async def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        async def once() -> Any:
            response = await send(lambda: self._client.get(path.lstrip("/"), params=params))
            if isinstance(response, Retry):
                return response
            if response.status_code in (401, 403):
                raise FatalConnectorError(
                    f"{response.url} refused the credentials (HTTP {response.status_code}); "
                    "check the token in the source's settings"
                )
            if response.status_code >= 400:
                raise FatalConnectorError(f"{response.url} answered HTTP {response.status_code}")
            try:
                return response.json()
            except ValueError:
                return Retry("the answer was not complete JSON")

        outcome = await with_retries(self._policy, self._sleep, once, self._retried)
        if isinstance(outcome, Retry):
            raise RetriableConnectorError(
                f"{self._client.base_url}{path.lstrip('/')} failed {self._policy.attempts} "
                f"times (last: {outcome.problem}); the next sync goes on from the last saved point"
            )
        return outcome

    def _retried(self) -> None:
        self.retries += 1


@dataclass(frozen=True, slots=True)
class Retry:
    """An attempt that failed in a way that passes, and how long the server asked us to
    wait (Retry-After) before the next."""

    problem: str
    wait: float | None = None


async def send(request: Callable[[], Awaitable[httpx.Response]]) -> httpx.Response | Retry:
    """One request; what is worth retrying (429, 5xx, timeouts, dropped connections)
    comes back as a Retry."""
    try:
        response = await request()
    except (httpx.TimeoutException, httpx.TransportError) as error:
        return Retry(f"{type(error).__name__}: {error or 'no answer'}")
    if response.status_code == 429 or response.status_code >= 500:
        return Retry(
            f"HTTP {response.status_code}", retry_after(response.headers.get("retry-after"))
        )
    return response


async def with_retries(
    policy: RetryPolicy,
    sleep: Sleep,
    attempt: Callable[[], Awaitable[T | Retry]],
    retried: Callable[[], None],
) -> T | Retry:
    """`attempt` until it gives something other than a Retry, at most `policy.attempts`
    times, backing off between; the last Retry when every attempt failed."""
    outcome: T | Retry = Retry("not tried")
    for number in range(1, policy.attempts + 1):
        outcome = await attempt()
        if not isinstance(outcome, Retry):
            return outcome
        if number < policy.attempts:
            retried()
            await sleep(outcome.wait if outcome.wait is not None else policy.delay(number))
    return outcome


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date)."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())

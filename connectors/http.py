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
from typing import Any

import httpx

from connectors.errors import FatalConnectorError, RetriableConnectorError

__all__ = ["DEFAULT_POLICY", "JsonClient", "RetryPolicy", "Sleep", "retry_after"]

Sleep = Callable[[float], Awaitable[None]]


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
        last_problem = ""
        for attempt in range(1, self._policy.attempts + 1):
            wait: float | None = None
            try:
                response = await self._client.get(path.lstrip("/"), params=params)
            except (httpx.TimeoutException, httpx.TransportError) as error:
                last_problem = f"{type(error).__name__}: {error or 'no answer'}"
            else:
                if response.status_code in (401, 403):
                    raise FatalConnectorError(
                        f"{response.url} refused the credentials (HTTP {response.status_code}); "
                        "check the token in the source's settings"
                    )
                if response.status_code == 429 or response.status_code >= 500:
                    last_problem = f"HTTP {response.status_code}"
                    wait = retry_after(response.headers.get("retry-after"))
                elif response.status_code >= 400:
                    raise FatalConnectorError(
                        f"{response.url} answered HTTP {response.status_code}"
                    )
                else:
                    try:
                        return response.json()
                    except ValueError:
                        last_problem = "the answer was not complete JSON"
            if attempt < self._policy.attempts:
                self.retries += 1
                await self._sleep(wait if wait is not None else self._policy.delay(attempt))
        raise RetriableConnectorError(
            f"{self._client.base_url}{path.lstrip('/')} failed {self._policy.attempts} times "
            f"(last: {last_problem}); the next sync goes on from the last saved point"
        )


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

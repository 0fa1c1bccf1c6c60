"""Fetching feeds and pages politely: at most two requests at a time to one host, a
pause between them, conditional GET (ETag, Last-Modified) for feeds, and the runner's
retries for what passes (429, 5xx, timeouts, dropped connections). Local files (an
archive) are read the same way."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import httpx

from connectors.errors import RetriableConnectorError
from connectors.http import DEFAULT_POLICY, Retry, RetryPolicy, Sleep, send, with_retries

__all__ = ["Fetched", "PageFetcher"]


@dataclass(frozen=True, slots=True)
class Fetched:
    url: str
    status: int
    content: bytes
    content_type: str | None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class PageFetcher:
    def __init__(
        self,
        *,
        per_host: int = 2,
        delay: float = 0.5,
        policy: RetryPolicy = DEFAULT_POLICY,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._client = httpx.AsyncClient(
            timeout=timeout,
            transport=transport,
            follow_redirects=True,
            headers={"User-Agent": "WenmingHub/1 (+news connector)"},
        )
        self._slots: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(per_host)
        )
        self._next_start: defaultdict[str, float] = defaultdict(float)
        self._delay, self._policy, self._sleep = delay, policy, sleep
        self.requests = 0
        self.retries = 0

    async def close(self) -> None:
        await self._client.aclose()

    async def get(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> Fetched:
        if url.startswith("file:") or "://" not in url:
            return _read_file(url)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        host = urlsplit(url).netloc

        async def once() -> Fetched | Retry:
            async with self._slots[host]:
                await self._pace(host)
                self.requests += 1
                response = await send(lambda: self._client.get(url, headers=headers))
            if isinstance(response, Retry):
                return response
            return Fetched(
                str(response.url),
                response.status_code,
                response.content,
                response.headers.get("content-type"),
                response.headers.get("etag"),
                response.headers.get("last-modified"),
            )

        outcome = await with_retries(self._policy, self._sleep, once, self._retried)
        if isinstance(outcome, Retry):
            raise RetriableConnectorError(
                f"{url} failed {self._policy.attempts} times (last: {outcome.problem}); "
                "the next sync tries again"
            )
        return outcome

    def _retried(self) -> None:
        self.retries += 1

    async def _pace(self, host: str) -> None:
        """Requests to one host start at least `delay` apart."""
        now = time.monotonic()
        start = max(now, self._next_start[host])
        self._next_start[host] = start + self._delay
        if start > now:
            await self._sleep(start - now)


def _read_file(url: str) -> Fetched:
    path = Path(url2pathname(urlsplit(url).path)) if url.startswith("file:") else Path(url)
    try:
        return Fetched(path.resolve().as_uri(), 200, path.read_bytes(), None)
    except FileNotFoundError:
        return Fetched(url, 404, b"", None)

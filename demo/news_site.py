"""A county news site served locally from pages held in memory: feeds, list pages and
article pages as bytes in whatever encoding they were written. The demo's stand-in for
a 文明网, and the server the news connector's tests read from.

It answers conditional GETs (ETag, Last-Modified) with 304, can answer 429 or 500
first, and counts how many requests it serves at once.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import deque
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

__all__ = ["NewsSite", "Page"]

LAST_MODIFIED = "Sat, 01 Nov 2025 08:00:00 GMT"


@dataclass(frozen=True, slots=True)
class Page:
    content: bytes
    # As the site sends it: a charset may be missing, or wrong.
    content_type: str | None = "text/html"


@dataclass
class NewsSite:
    pages: dict[str, Page]
    faults: dict[str, deque[int]] = field(default_factory=dict)
    # How long each answer takes: long enough to see requests overlap.
    latency: float = 0.0
    requests: list[str] = field(default_factory=list)
    in_flight: int = 0
    most_in_flight: int = 0

    def asgi(self) -> Starlette:
        return Starlette(routes=[Route("/{path:path}", self._serve)])

    async def _serve(self, request: Request) -> Response:
        path = "/" + request.path_params["path"]
        self.requests.append(path)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.latency)
            pending = self.faults.get(path)
            if pending:
                status = pending.popleft()
                return Response(b"busy", status, headers={"Retry-After": "0"})
            page = self.pages.get(path)
            if page is None:
                return Response(b"not found", 404)
            etag = '"' + hashlib.sha1(page.content).hexdigest() + '"'
            if request.headers.get("if-none-match") == etag:
                return Response(status_code=304, headers={"ETag": etag})
            headers = {"ETag": etag, "Last-Modified": LAST_MODIFIED}
            if page.content_type:
                headers["Content-Type"] = page.content_type
            return Response(page.content, 200, headers=headers)
        finally:
            self.in_flight -= 1

"""A county volunteer app's API, served locally from data held in memory: the demo's
stand-in for a county system, and the server the connector's tests read from.

It behaves as real ones do when asked to: answers 429 with Retry-After, fails with 500,
drops the connection, cuts a page short, and lets its data change between pages.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

__all__ = ["CountyApp", "LocalServer", "free_port", "serve"]


@dataclass
class CountyApp:
    """The data (stream name → items with `id` and `updated_at`) and how to misbehave."""

    data: dict[str, list[dict[str, Any]]]
    token: str | None = None
    faults: deque[str] = field(default_factory=deque)
    before_page: Callable[[str, int, dict[str, list[dict[str, Any]]]], None] | None = None
    requests: list[dict[str, str]] = field(default_factory=list)

    def asgi(self) -> Starlette:
        return Starlette(routes=[Route("/api/{stream}", self._page)])

    async def _page(self, request: Request) -> Response:
        stream = request.path_params["stream"]
        self.requests.append({"stream": stream, **request.query_params})
        if self.token and request.headers.get("authorization") != f"Bearer {self.token}":
            return JSONResponse({"error": "invalid token"}, 401)
        fault = self.faults.popleft() if self.faults else None
        if fault == "429":
            return JSONResponse({"error": "too many requests"}, 429, headers={"Retry-After": "0"})
        if fault == "500":
            return JSONResponse({"error": "internal"}, 500)
        if fault == "drop":
            raise ConnectionAbortedError("the county server dropped the connection")
        if stream not in self.data:
            return JSONResponse({"error": f"no stream {stream}"}, 404)
        page = int(request.query_params.get("page", 1))
        size = int(request.query_params.get("page_size", 50))
        if self.before_page:
            self.before_page(stream, page, self.data)
        since = request.query_params.get("updated_since")
        items = sorted(
            (item for item in self.data[stream] if not since or item["updated_at"] >= since),
            key=lambda item: (item["updated_at"], str(item["id"])),
        )
        chunk = items[(page - 1) * size : page * size]
        if fault == "truncate":
            return Response(b'{"items": [{"id": ', media_type="application/json")
        return JSONResponse({"items": chunk, "page": page, "total": len(items)})


@dataclass
class LocalServer:
    url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now, for a local server to take."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def serve(app: Starlette, host: str = "127.0.0.1", port: int = 0) -> LocalServer:
    """Run `app` under uvicorn in a background thread; port 0 picks a free one."""
    port = port or free_port(host)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"the local server on {host}:{port} did not start")
        time.sleep(0.02)
    return LocalServer(f"http://{host}:{port}", server, thread)

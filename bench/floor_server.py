"""The floor bench/peers.py measures against, as a server of its own: CountyTree from the
resolvers' SQL serialised with orjson (no GraphQL), and a bare Starlette endpoint.

    python -m bench.floor_server --port 8300 --database-url URL
"""

from __future__ import annotations

import argparse

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench.county_tree import hand_written
from db.engine import create_engine, create_sessionmaker

TYPENAME = b'{"data":{"__typename":"Query"}}'


def floor_app(url: str) -> Starlette:
    sessionmaker = create_sessionmaker(create_engine(url))

    async def county_tree(_request: Request) -> Response:
        return Response(await hand_written(sessionmaker), media_type="application/json")

    async def typename(_request: Request) -> Response:
        return Response(TYPENAME, media_type="application/json")

    async def healthz(_request: Request) -> Response:
        return Response(b'{"status":"ok"}', media_type="application/json")

    return Starlette(
        routes=[
            Route("/county-tree", county_tree, methods=["GET", "POST"]),
            Route("/typename", typename, methods=["GET", "POST"]),
            Route("/healthz", healthz),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database-url", required=True)
    arguments = parser.parse_args()
    uvicorn.run(
        floor_app(arguments.database_url),
        host="127.0.0.1",
        port=arguments.port,
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main()

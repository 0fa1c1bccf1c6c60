"""The hub beside PostGraphile 5 on the same PostgreSQL database, with the same rows.

    make bench-peers        (installs PostGraphile and Node 22 in bench/peer, wrk with apt)
    python -m bench.peers [--database-url URL] [--seconds 8] [--runs 200] [--connections 1,10,50]

Loads Tongren's tree as one county (182 institutes, 2,929 stations) into its own
database, starts each server as a process of its own — the hub (compiled read path),
the hub on its resolvers only, PostGraphile (Amber preset over the hub's tables), the
floor (the resolvers' SQL + orjson, and a bare Starlette endpoint) — checks that every
answer holds the same objects (ids, names, flags, totals, order), then prints per query
the single-client p50/p95 and requests/s at each connection count (wrk, pinned to the
second core where the machine has one), servers interleaved, and the ratios to
PostGraphile. Last, `{ __typename }` on one hub worker and on two.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import orjson
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bench.county_tree import SECRET, prepare
from bench.stats import pace, percentile
from demo.county_app import free_port
from tests.documents import COUNTY_TREE, TONGREN_AS_ONE_COUNTY

PEER = Path(__file__).resolve().parent / "peer"
NODE = PEER / "node_modules" / ".bin" / "node"
POSTGRAPHILE = PEER / "node_modules" / "postgraphile" / "dist" / "cli-run.js"
WENMING = Path(sys.executable).with_name("wenming")
DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/wenming_bench_peers"
# Tongren's tree, and volunteers enough (20,000 at the demo's scale) for pages of 100.
PLACE = replace(TONGREN_AS_ONE_COUNTY, volunteers=2_000_000)

PEER_TREE = """query CountyTree {
  allSites(condition: {divisionCode: "522601", kind: "center", retiredAt: null},
           orderBy: ROW_ID_ASC, first: 1) {
    nodes { rowId name isDemonstration divisionByDivisionCode { code name }
      institutes: sitesByParentId(condition: {kind: "institute", retiredAt: null},
                                  orderBy: ROW_ID_ASC, first: 50) {
        totalCount
        edges { node { rowId name
          stations: sitesByParentId(condition: {kind: "station", retiredAt: null},
                                    orderBy: ROW_ID_ASC, first: 100) {
            totalCount edges { node { rowId name isDemonstration } } } } } } } } }"""

HUB_VOLUNTEERS = """query Volunteers {
  volunteers(first: 100) { edges { node { id volunteerNumber teams { id name } } } } }"""
PEER_VOLUNTEERS = """query Volunteers {
  allVolunteers(first: 100, orderBy: ROW_ID_ASC, condition: {retiredAt: null}) {
    edges { node { rowId volunteerNumber
      teamMembershipsByVolunteerId { nodes { teamByTeamId { rowId name } } } } } } }"""
TYPENAME = "{ __typename }"
JSON_HEADERS = {"content-type": "application/json"}


def _key(global_id: str) -> int:
    padded = global_id + "=" * (-len(global_id) % 4)
    return int(base64.urlsafe_b64decode(padded).decode().partition(":")[2])


def hub_tree(body: dict[str, Any]) -> Any:
    center = body["data"]["center"]
    return (
        _key(center["id"]),
        center["name"],
        center["isDemonstration"],
        center["division"],
        center["institutes"]["totalCount"],
        [
            (
                _key(edge["node"]["id"]),
                edge["node"]["name"],
                edge["node"]["stations"]["totalCount"],
                [
                    (_key(s["node"]["id"]), s["node"]["name"], s["node"]["isDemonstration"])
                    for s in edge["node"]["stations"]["edges"]
                ],
            )
            for edge in center["institutes"]["edges"]
        ],
    )


def peer_tree(body: dict[str, Any]) -> Any:
    [center] = body["data"]["allSites"]["nodes"]
    return (
        center["rowId"],
        center["name"],
        center["isDemonstration"],
        center["divisionByDivisionCode"],
        center["institutes"]["totalCount"],
        [
            (
                edge["node"]["rowId"],
                edge["node"]["name"],
                edge["node"]["stations"]["totalCount"],
                [
                    (s["node"]["rowId"], s["node"]["name"], s["node"]["isDemonstration"])
                    for s in edge["node"]["stations"]["edges"]
                ],
            )
            for edge in center["institutes"]["edges"]
        ],
    )


def hub_volunteers(body: dict[str, Any]) -> Any:
    return [
        (
            _key(edge["node"]["id"]),
            edge["node"]["volunteerNumber"],
            sorted((_key(team["id"]), team["name"]) for team in edge["node"]["teams"]),
        )
        for edge in body["data"]["volunteers"]["edges"]
    ]


def peer_volunteers(body: dict[str, Any]) -> Any:
    return [
        (
            edge["node"]["rowId"],
            edge["node"]["volunteerNumber"],
            sorted(
                (member["teamByTeamId"]["rowId"], member["teamByTeamId"]["name"])
                for member in edge["node"]["teamMembershipsByVolunteerId"]["nodes"]
            ),
        )
        for edge in body["data"]["allVolunteers"]["edges"]
    ]


@dataclass(frozen=True)
class Target:
    """One server answering one query: where to POST what, and how to read the answer."""

    server: str
    url: str
    body: bytes
    objects: Callable[[dict[str, Any]], Any] | None


def _graphql(query: str) -> bytes:
    return orjson.dumps({"query": query})


@contextmanager
def _process(command: list[str], env: dict[str, str], ready: str) -> Iterator[None]:
    """A server process, waited for until `ready` (a URL) answers, stopped at the end."""
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_for(server, ready, log)
            yield
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()


def _wait_for(server: subprocess.Popen[bytes], ready: str, log: Any) -> None:
    deadline = time.monotonic() + 60
    while True:
        if server.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"{server.args!r} stopped: {log.read().decode()[-2000:]}")
        try:
            answer = httpx.post(ready, content=_graphql(TYPENAME), timeout=2, headers=JSON_HEADERS)
            if answer.status_code < 500:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{server.args!r} did not start")
        time.sleep(0.2)


def _hub(
    url: str, port: int, *, compiled: bool, workers: int = 1
) -> tuple[list[str], dict[str, str]]:
    env = {
        **os.environ,
        "WENMING_DATABASE_URL": url,
        "WENMING_SECRET_KEY": SECRET,
        "WENMING_RATE_LIMIT_ANONYMOUS": "unlimited",
        "WENMING_MAX_COST": "1000000",
        "WENMING_LOG_LEVEL": "WARNING",
        "WENMING_COMPILED_READS": "1" if compiled else "0",
    }
    command = [str(WENMING), "serve", "--port", str(port), "--workers", str(workers)]
    return command, env


def _postgraphile(url: str, port: int) -> tuple[list[str], dict[str, str]]:
    plain = make_url(url).set(drivername="postgres")
    env = {
        **os.environ,
        "DATABASE_URL": plain.render_as_string(hide_password=False),
        "PORT": str(port),
        "GRAPHILE_ENV": "production",
    }
    return [str(NODE), str(POSTGRAPHILE), "-C", str(PEER / "graphile.config.mjs")], env


def _floor(url: str, port: int) -> tuple[list[str], dict[str, str]]:
    command = [
        sys.executable,
        "-m",
        "bench.floor_server",
        "--port",
        str(port),
        "--database-url",
        url,
    ]
    return command, dict(os.environ)


def single_client(target: Target, runs: int) -> tuple[float, float]:
    """p50 and p95 in ms, one request at a time."""
    samples = []
    with httpx.Client(timeout=30, headers=JSON_HEADERS) as client:
        for index in range(runs + 5):
            started = time.perf_counter()
            response = client.post(target.url, content=target.body)
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, response.text[:300]
            if index >= 5:
                samples.append(elapsed)
    return percentile(samples, 0.5) * 1000, percentile(samples, 0.95) * 1000


_RATE = re.compile(r"Requests/sec:\s+([0-9.]+)")
_ERRORS = re.compile(r"Non-2xx or 3xx responses: ([0-9]+)")


def throughput(target: Target, connections: int, seconds: int, script_dir: Path) -> float:
    """Requests/s from wrk at `connections`, on the second core when there is one."""
    script = script_dir / f"{abs(hash((target.url, target.body)))}.lua"
    body = target.body.decode().replace("\\", "\\\\").replace("'", "\\'")
    script.write_text(
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f"wrk.body = '{body}'\n"
    )
    command = [
        "wrk",
        f"-t{min(connections, 2)}",
        f"-c{connections}",
        f"-d{seconds}s",
        "-s",
        str(script),
        target.url,
    ]
    if shutil.which("taskset") and (os.cpu_count() or 1) > 1:
        command = ["taskset", "-c", str((os.cpu_count() or 2) - 1), *command]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    failed = _ERRORS.search(output)
    if failed:
        raise RuntimeError(f"{target.server}: {failed.group(1)} failed responses under load")
    found = _RATE.search(output)
    assert found, output
    return float(found.group(1))


def check_same_objects(targets: list[Target]) -> None:
    """Every server's answer holds the same objects, or the figures compare nothing."""
    seen = []
    for target in targets:
        if target.objects is None:
            continue
        response = httpx.post(
            target.url,
            content=target.body,
            timeout=30,
            headers=JSON_HEADERS,
        )
        body = response.json()
        assert "errors" not in body, (target.server, body["errors"])
        seen.append((target.server, target.objects(body)))
    if not seen:
        return
    first_server, first = seen[0]
    for server, objects in seen[1:]:
        assert objects == first, f"{server} answers other objects than {first_server}"


def measure(
    name: str, targets: list[Target], arguments: argparse.Namespace, script_dir: Path
) -> None:
    check_same_objects(targets)
    print(f"\n{name}: same objects on every server")
    latencies = {target.server: single_client(target, arguments.runs) for target in targets}
    rates: dict[str, dict[int, float]] = {target.server: {} for target in targets}
    for connections in arguments.connections:
        # Interleaved: each server in turn at one connection count, then the next count.
        for target in targets:
            rates[target.server][connections] = throughput(
                target, connections, arguments.seconds, script_dir
            )
    peer = next((t.server for t in targets if t.server == "PostGraphile"), None)
    header = "  {:<22} {:>8} {:>8}".format("server", "p50 ms", "p95 ms") + "".join(
        f" {f'rps@{c}':>9}" for c in arguments.connections
    )
    print(header)
    for target in targets:
        p50, p95 = latencies[target.server]
        row = f"  {target.server:<22} {p50:8.2f} {p95:8.2f}" + "".join(
            f" {rates[target.server][c]:9.1f}" for c in arguments.connections
        )
        print(row)
    if peer is None:
        return
    for target in targets:
        if target.server == peer:
            continue
        p50 = latencies[target.server][0] / latencies[peer][0]
        ratios = "  ".join(
            f"rps@{c} {rates[target.server][c] / rates[peer][c]:.2f}" for c in arguments.connections
        )
        print(f"  {target.server} / PostGraphile: p50 {p50:.2f}  {ratios}")


def _objects(value: Any) -> int:
    """Objects in an answer: every JSON object in it."""
    if isinstance(value, dict):
        return 1 + sum(_objects(item) for item in value.values())
    if isinstance(value, list):
        return sum(_objects(item) for item in value)
    return 0


def cost_per_object(targets: list[tuple[Target, Target]], runs: int) -> None:
    """The slope of single-client p50 between a small and a large answer of one query:
    what one more object costs, whatever the request costs around it."""
    print("\nCountyTree, 10 institutes against 50: cost of one more object (p50 slope)")
    for small, large in targets:
        sizes = []
        for target in (small, large):
            body = httpx.post(target.url, content=target.body, timeout=30, headers=JSON_HEADERS)
            sizes.append((_objects(body.json()), single_client(target, runs)[0]))
        (few, fast), (many, slow) = sizes
        print(
            f"  {large.server:<22} {few:,} → {many:,} objects: "
            f"{(slow - fast) * 1000 / (many - few):.2f} µs per object"
        )


async def _ensure_database(url: str) -> None:
    parsed = make_url(url)
    maintenance = parsed.set(drivername="postgresql", database="postgres")
    connection = await asyncpg.connect(maintenance.render_as_string(hide_password=False))
    try:
        exists = await connection.fetchval(
            "SELECT 1 FROM pg_database WHERE datname = $1", parsed.database
        )
        if not exists:
            await connection.execute(f'CREATE DATABASE "{parsed.database}"')
    finally:
        await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument(
        "--connections", type=lambda text: [int(n) for n in text.split(",")], default=[1, 10, 50]
    )
    arguments = parser.parse_args()
    for needed, how in ((NODE, "make bench-peers"), (POSTGRAPHILE, "make bench-peers")):
        if not needed.exists():
            sys.exit(f"{needed} is missing: run `{how}`")
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: run `make bench-peers` (it installs Debian's wrk)")
    url = arguments.database_url
    asyncio.run(_ensure_database(url))

    async def load() -> None:
        engine = await prepare(url, PLACE)
        async with engine.connect() as connection:
            # The planner needs statistics of the freshly loaded tables, as in service.
            await connection.execute(text("ANALYZE"))
        await engine.dispose()

    asyncio.run(load())
    ports = {name: free_port() for name in ("hub", "resolvers", "peer", "floor")}
    base = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    print(f"machine pace (10 M additions): {pace():.2f} s; {os.cpu_count()} cores")
    with (
        tempfile.TemporaryDirectory() as directory,
        _process(*_hub(url, ports["hub"], compiled=True), f"{base['hub']}/graphql"),
        _process(*_hub(url, ports["resolvers"], compiled=False), f"{base['resolvers']}/graphql"),
        _process(*_postgraphile(url, ports["peer"]), f"{base['peer']}/graphql"),
        _process(*_floor(url, ports["floor"]), f"{base['floor']}/typename"),
    ):
        scripts = Path(directory)
        measure(
            "CountyTree at Tongren scale",
            [
                Target("hub (compiled)", f"{base['hub']}/graphql", _graphql(COUNTY_TREE), hub_tree),
                Target(
                    "hub (resolvers)",
                    f"{base['resolvers']}/graphql",
                    _graphql(COUNTY_TREE),
                    hub_tree,
                ),
                Target("PostGraphile", f"{base['peer']}/graphql", _graphql(PEER_TREE), peer_tree),
                Target("floor (SQL + orjson)", f"{base['floor']}/county-tree", b"{}", hub_tree),
            ],
            arguments,
            scripts,
        )
        ten = COUNTY_TREE.replace("institutes(first: 50)", "institutes(first: 10)")
        peer_ten = PEER_TREE.replace("first: 50)", "first: 10)")
        cost_per_object(
            [
                (
                    Target("hub (compiled)", f"{base['hub']}/graphql", _graphql(ten), None),
                    Target("hub (compiled)", f"{base['hub']}/graphql", _graphql(COUNTY_TREE), None),
                ),
                (
                    Target("hub (resolvers)", f"{base['resolvers']}/graphql", _graphql(ten), None),
                    Target(
                        "hub (resolvers)",
                        f"{base['resolvers']}/graphql",
                        _graphql(COUNTY_TREE),
                        None,
                    ),
                ),
                (
                    Target("PostGraphile", f"{base['peer']}/graphql", _graphql(peer_ten), None),
                    Target("PostGraphile", f"{base['peer']}/graphql", _graphql(PEER_TREE), None),
                ),
            ],
            arguments.runs,
        )
        measure(
            "volunteers(first: 100) with their teams",
            [
                Target(
                    "hub (compiled)",
                    f"{base['hub']}/graphql",
                    _graphql(HUB_VOLUNTEERS),
                    hub_volunteers,
                ),
                Target(
                    "PostGraphile",
                    f"{base['peer']}/graphql",
                    _graphql(PEER_VOLUNTEERS),
                    peer_volunteers,
                ),
            ],
            arguments,
            scripts,
        )
        measure(
            "{ __typename }",
            [
                Target("hub", f"{base['hub']}/graphql", _graphql(TYPENAME), None),
                Target("PostGraphile", f"{base['peer']}/graphql", _graphql(TYPENAME), None),
                Target("bare Starlette", f"{base['floor']}/typename", b"{}", None),
            ],
            arguments,
            scripts,
        )
    two = free_port()
    with (
        tempfile.TemporaryDirectory() as directory,
        _process(*_hub(url, two, compiled=True, workers=2), f"http://127.0.0.1:{two}/graphql"),
    ):
        target = Target(
            "hub, 2 workers", f"http://127.0.0.1:{two}/graphql", _graphql(TYPENAME), None
        )
        rate = throughput(target, 50, arguments.seconds, Path(directory))
    print(
        f"\n{{ __typename }} at 50 connections, two hub workers: {rate:.1f} requests/s "
        "(compare with one worker above; wrk shares the two cores with them)"
    )


if __name__ == "__main__":
    main()

"""The hub as a server process: an app factory for uvicorn, several workers on one port,
the collector settled after start-up."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from demo.county_app import free_port
from hub.app import SERVER_GC_THRESHOLDS, app_from_environment, settle_heap
from tests.documents import COUNTY_TREE

WENMING = str(Path(sys.executable).with_name("wenming"))


def _wait_until_healthy(port: int, server: subprocess.Popen[bytes]) -> None:
    for _ in range(200):
        assert server.poll() is None, "the server stopped"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("the server did not answer /healthz")


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


@pytest.fixture
def hub_environment(tmp_path: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "WENMING_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'hub.sqlite3'}",
        "WENMING_PORT": str(free_port()),
    }
    subprocess.run([WENMING, "migrate"], env=env, check=True, capture_output=True)
    return env


async def test_the_factory_builds_the_app_from_the_environment(
    hub_environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WENMING_DATABASE_URL", hub_environment["WENMING_DATABASE_URL"])
    monkeypatch.setenv("WENMING_MAX_COST", "100")
    app = app_from_environment()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://hub"
    ) as client:
        assert (await client.get("/readyz")).json() == {"status": "ok", "database": "ok"}
        # The environment's settings are the ones it runs under.
        answer = (await client.post("/graphql", json={"query": COUNTY_TREE})).json()
        # A compiled read on the app's own pool of single-statement reads.
        empty = (
            await client.post(
                "/graphql", json={"query": "{ volunteers(first: 2) { totalCount nodes { id } } }"}
            )
        ).json()
    assert answer["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert empty == {"data": {"volunteers": {"totalCount": 0, "nodes": []}}}


def test_two_workers_serve_one_port(hub_environment: dict[str, str]) -> None:
    port = int(hub_environment["WENMING_PORT"])
    server = subprocess.Popen(
        [WENMING, "serve", "--workers", "2"],
        env=hub_environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_until_healthy(port, server)
        # uvicorn's supervisor, then its workers (a worker starts its app on its own).
        for _ in range(100):
            if len(_children(server.pid)) >= 2:
                break
            time.sleep(0.1)
        assert len(_children(server.pid)) >= 2
        for _ in range(20):
            answer = httpx.post(
                f"http://127.0.0.1:{port}/graphql", json={"query": "{ __typename }"}, timeout=5
            )
            assert answer.json() == {"data": {"__typename": "Query"}}
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=20)
    assert b"each worker keeps its own rate-limit budgets" in errors


def test_workers_must_be_at_least_one(hub_environment: dict[str, str]) -> None:
    result = subprocess.run(
        [WENMING, "serve", "--workers", "0"], env=hub_environment, capture_output=True
    )
    assert result.returncode == 2
    assert b"must be 1 or more" in result.stderr


def test_the_heap_is_settled_for_a_server() -> None:
    before = gc.get_threshold()
    try:
        settle_heap()
        assert gc.get_threshold() == SERVER_GC_THRESHOLDS
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)

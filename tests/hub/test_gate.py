"""Every request passes the gate: budgets of cost points per caller (in memory, or
shared through Redis), keys read again when their file changes, credentials in any
other form refused, and a deadline that stops the work, statements included."""

from __future__ import annotations

import asyncio
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import parse
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_engine, create_sessionmaker
from demo.county_app import free_port
from demo.documents import README_DOCUMENTS
from hub.app import create_app
from hub.auth import KeyFile, Keyring, key_digest
from hub.gate import Gate, RequestTimeout
from hub.ratelimit import RateLimiter, points_for
from hub.settings import DEFAULT_RATE_LIMITS, Settings
from schema import build_schema
from schema.limits import measure
from tests.databases import TEST_SECRET
from tests.graphql import hub_app

REDIS_URL = "redis://127.0.0.1:6379/0"
TYPENAME = {"query": "{ __typename }"}


def _client(app: Any, address: str = "127.0.0.1") -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(address, 40000)), base_url="http://hub"
    )


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


async def test_every_answer_carries_the_rate_limit_headers(demo_engine: AsyncEngine) -> None:
    app = hub_app(demo_engine, rate_limits={"anonymous": "10/minute;100/hour"})
    async with _client(app) as client:
        response = await client.post("/graphql", json=TYPENAME)
    assert response.headers["RateLimit-Policy"] == '"minute";q=10;w=60, "hour";q=100;w=3600'
    assert response.headers["RateLimit"].startswith('"minute";r=9;t=')


async def test_past_its_budget_a_caller_gets_429_with_retry_after(
    demo_engine: AsyncEngine,
) -> None:
    app = hub_app(demo_engine, rate_limits={"anonymous": "5/minute", "media": "100/minute"})
    async with _client(app) as client, _client(app, "10.0.0.2") as neighbour:
        statuses = [(await client.post("/graphql", json=TYPENAME)).status_code for _ in range(6)]
        refused = await client.post("/graphql", json=TYPENAME)
        other = await neighbour.post("/graphql", json=TYPENAME)
        keyed = await client.post(
            "/graphql", json=TYPENAME, headers={"Authorization": "Bearer media-key"}
        )
    assert statuses == [200] * 5 + [429]
    assert refused.status_code == 429
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["RateLimit"].startswith('"minute";r=0;')
    assert other.status_code == 200
    assert keyed.status_code == 200


async def test_expensive_requests_take_more_of_the_budget(demo_engine: AsyncEngine) -> None:
    app = hub_app(demo_engine, rate_limits={"anonymous": "1000/minute"})
    document = (
        '{ center(divisionCode: "522601") { institutes(first: 50) { edges { node { '
        "stations(first: 100) { edges { node { name } } } } } } } }"
    )
    async with _client(app) as client:
        response = await client.post("/graphql", json={"query": document})
    remaining = int(response.headers["RateLimit"].split("r=")[1].split(";")[0])
    cost = measure(build_schema()._schema, parse(document), None, introspection=True).cost
    # 50 institutes x 100 stations, with their edges: one point per thousand objects.
    assert cost > 10_000
    assert remaining == 1000 - points_for(cost)


@pytest.mark.parametrize("name", sorted(README_DOCUMENTS))
def test_each_readme_query_fits_the_anonymous_budget_many_times(name: str) -> None:
    """A public page may run any README query a few times a minute, and refresh it
    every minute for an hour, on the default anonymous budget."""
    windows = dict(
        (window.split("/")[1], int(window.split("/")[0]))
        for window in DEFAULT_RATE_LIMITS["anonymous"].split(";")
    )
    document = parse(README_DOCUMENTS[name])
    variables = {"q": "邻里守望"}
    cost = measure(build_schema()._schema, document, None, variables, introspection=False).cost
    assert cost > 0
    assert 5 * points_for(cost) <= windows["minute"]
    assert 60 * points_for(cost) <= windows["hour"]


async def test_exports_share_the_budget(demo_engine: AsyncEngine) -> None:
    app = hub_app(demo_engine, rate_limits={"anonymous": "3/minute"})
    url = "/export/compare.csv?divisions=522601&metrics=activities&period=2026"
    async with _client(app) as client:
        statuses = [(await client.get(url)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


@pytest.mark.skipif(not _redis_answers(), reason="Redis does not answer on 127.0.0.1:6379")
async def test_workers_share_budgets_through_redis(demo_engine: AsyncEngine) -> None:
    settings: dict[str, Any] = {"rate_limits": {"anonymous": "4/minute"}, "redis_url": REDIS_URL}
    first, second = hub_app(demo_engine, **settings), hub_app(demo_engine, **settings)
    # A fresh address per run: the windows of earlier runs live on in Redis.
    address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
    async with _client(first, address) as one, _client(second, address) as two:
        statuses = [
            (await client.post("/graphql", json=TYPENAME)).status_code
            for client in (one, two, one, two, one)
        ]
    assert statuses == [200, 200, 200, 200, 429]


async def test_an_unreachable_redis_does_not_take_the_api_down(demo_engine: AsyncEngine) -> None:
    app = hub_app(
        demo_engine, rate_limits={"anonymous": "4/minute"}, redis_url="redis://127.0.0.1:1/0"
    )
    async with _client(app) as client:
        response = await client.post("/graphql", json=TYPENAME)
    assert response.status_code == 200


@pytest.mark.parametrize(
    "authorization", ["Bearer ", "Bearer", "Basic dXNlcjpwYXNz", "Token media-key", "media-key"]
)
async def test_credentials_in_another_form_are_refused(
    demo_engine: AsyncEngine, authorization: str
) -> None:
    async with _client(hub_app(demo_engine)) as client:
        response = await client.post(
            "/graphql", json=TYPENAME, headers={"Authorization": authorization}
        )
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_an_empty_api_key_header_is_refused(demo_engine: AsyncEngine) -> None:
    async with _client(hub_app(demo_engine)) as client:
        response = await client.post("/graphql", json=TYPENAME, headers={"X-Api-Key": " "})
    assert response.status_code == 401


def _keys_file(path: Path, *names: str) -> None:
    path.write_text(
        "".join(
            f'[[keys]]\nname = "{name}"\nsha256 = "{key_digest(name + "-secret")}"\nrole = "media"\n'
            for name in names
        ),
        encoding="utf-8",
    )


async def test_a_key_removed_from_the_file_stops_working_within_seconds(
    demo_engine: AsyncEngine, tmp_path: Path
) -> None:
    path = tmp_path / "keys.toml"
    _keys_file(path, "paper", "radio")
    settings = Settings(secret_key=TEST_SECRET, api_keys_file=path, rate_limits={})
    app = create_app(settings, engine=demo_engine)
    headers = {"Authorization": "Bearer radio-secret"}
    async with _client(app) as client:
        assert (await client.post("/graphql", json=TYPENAME, headers=headers)).status_code == 200
        _keys_file(path, "paper")
        deadline = time.monotonic() + 5
        status = 200
        while status == 200 and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
            status = (await client.post("/graphql", json=TYPENAME, headers=headers)).status_code
        assert status == 401
        still = {"Authorization": "Bearer paper-secret"}
        assert (await client.post("/graphql", json=TYPENAME, headers=still)).status_code == 200


def test_reload_reads_the_file_at_once_and_a_broken_file_accepts_no_key(tmp_path: Path) -> None:
    path = tmp_path / "keys.toml"
    _keys_file(path, "paper")
    keys = KeyFile(path)
    assert keys.viewer_for("paper-secret").name == "paper"
    _keys_file(path, "paper", "radio")
    keys.reload()
    assert keys.viewer_for("radio-secret").name == "radio"
    path.write_text("[[keys", encoding="utf-8")
    keys.reload()
    with pytest.raises(Exception, match="not known"):
        keys.viewer_for("paper-secret")


async def test_the_deadline_interrupts_a_running_statement(migrated_engine: AsyncEngine) -> None:
    gate = Gate(Keyring.empty(), RateLimiter({}), timeout=0.3)
    slow = (
        "SELECT pg_sleep(30)"
        if migrated_engine.dialect.name == "postgresql"
        else "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r) "
        "SELECT count(*) FROM (SELECT i FROM r LIMIT 1000000000)"
    )
    sessionmaker = create_sessionmaker(migrated_engine)

    async def work() -> None:
        async with sessionmaker() as session:
            await session.execute(text(slow))

    started = time.monotonic()
    with pytest.raises(RequestTimeout, match=r"stopped after 0\.3 s"):
        await gate.within_deadline(work())
    assert time.monotonic() - started < 5
    # The statement itself was stopped: its connection comes back to the pool.
    for _ in range(40):
        if migrated_engine.pool.checkedout() == 0:  # type: ignore[attr-defined]
            break
        await asyncio.sleep(0.05)
    assert migrated_engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    # The connection is fit for the next request.
    async with sessionmaker() as session:
        assert (await session.execute(text("SELECT 1"))).scalar_one() == 1


@pytest.fixture
def frozen_database() -> Iterator[int]:
    """A port that accepts connections and never answers, as a stopped server does."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    listener.close()


async def test_readiness_answers_within_a_second_when_the_database_is_frozen(
    frozen_database: int,
) -> None:
    engine = create_engine(f"postgresql+asyncpg://postgres@127.0.0.1:{frozen_database}/test")
    app = create_app(Settings(secret_key=TEST_SECRET), engine=engine)
    started = time.monotonic()
    async with _client(app) as client:
        response = await client.get("/readyz")
    assert response.status_code == 503
    assert time.monotonic() - started < 2


async def test_requests_fail_within_the_deadline_when_the_database_is_frozen(
    frozen_database: int,
) -> None:
    engine = create_engine(f"postgresql+asyncpg://postgres@127.0.0.1:{frozen_database}/test")
    settings = Settings(secret_key=TEST_SECRET, request_timeout=1.0)
    app = create_app(settings, engine=engine)
    started = time.monotonic()
    async with _client(app) as client:
        response = await client.post(
            "/graphql",
            json={"query": '{ division(code: "522601") { name } }'},
            headers={"accept": "application/graphql-response+json"},
        )
    assert response.status_code == 504
    assert response.json()["errors"][0]["extensions"]["code"] == "TIMEOUT"
    assert time.monotonic() - started < 3


async def test_a_refused_document_costs_one_point(demo_engine: AsyncEngine) -> None:
    app = hub_app(demo_engine, rate_limits={"anonymous": "100/minute"})
    bomb = (
        "{ "
        + " ".join(
            f"a{i}: volunteers(first: 100) {{ edges {{ node {{ teams {{ members(first: 100) {{ totalCount }} }} }} }} }}"
            for i in range(30)
        )
        + " }"
    )
    async with _client(app) as client:
        response = await client.post("/graphql", json={"query": bomb})
    assert response.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert response.headers["RateLimit"].startswith('"minute";r=99;')


def test_the_served_hub_reads_its_keys_again_on_sighup(tmp_path: Path) -> None:
    """SIGHUP's default would end the process; the hub takes it as "read the keys"."""
    import os
    import signal
    import subprocess
    import sys

    keys = tmp_path / "keys.toml"
    _keys_file(keys, "paper")
    port = free_port()
    database = tmp_path / "hub.sqlite3"
    env = {
        **os.environ,
        "WENMING_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "WENMING_API_KEYS_FILE": str(keys),
        "WENMING_PORT": str(port),
    }
    command = [str(Path(sys.executable).with_name("wenming"))]
    subprocess.run([*command, "migrate"], env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [*command, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}/graphql"

    def status(key: str) -> int:
        return httpx.post(
            url, json=TYPENAME, headers={"Authorization": f"Bearer {key}"}, timeout=5
        ).status_code

    try:
        for _ in range(100):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        assert status("paper-secret") == 200
        _keys_file(keys, "radio")
        server.send_signal(signal.SIGHUP)
        time.sleep(0.3)
        assert server.poll() is None
        assert status("radio-secret") == 200
        assert status("paper-secret") == 401
    finally:
        server.terminate()
        server.wait(timeout=10)

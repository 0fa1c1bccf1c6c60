"""GraphiQL works on a closed network: served from the hub's own files, checked in a real
headless Chromium (Debian's) with every request to a host other than this machine
refused."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import orjson
import pytest
from playwright.async_api import Page, Request, Route, async_playwright
from sqlalchemy.ext.asyncio import AsyncEngine

from demo.county_app import LocalServer, serve
from demo.documents import README_DOCUMENTS
from hub.app import create_app
from hub.auth import Keyring, key_digest
from hub.ide import installed
from hub.settings import Settings
from tests.databases import TEST_SECRET
from tests.graphql import KEYS, hub_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# What a closed network allows: this machine only.
LOOPBACK = {"127.0.0.1", "localhost", "[::1]"}
# Chromium's own calls home are switched off rather than left to be refused.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser_needed() -> None:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("WENMING_TEST_BROWSER_REQUIRED"):
            pytest.fail("Chromium is required (WENMING_TEST_BROWSER_REQUIRED) but not installed")
        pytest.skip("Chromium is not installed (apt-get install chromium)")


@pytest.fixture
def served_hub(demo_engine: AsyncEngine) -> Iterator[LocalServer]:
    # The served app makes its own engine, in the server thread's event loop.
    settings = Settings(
        secret_key=TEST_SECRET,
        database_url=demo_engine.url.render_as_string(hide_password=False),
    )
    keyring = Keyring({key_digest(key): viewer for key, viewer in KEYS.items()})
    running = serve(create_app(settings, keyring=keyring))
    yield running
    running.stop()


async def _settled(page: Page, expression: str, awaited: str) -> str:
    """The expression's value once it holds `awaited`: polled from outside the page, as
    Playwright's own waiting evaluates strings inside it, which the page's CSP forbids."""
    for _ in range(200):
        value = str(await page.evaluate(expression))
        if awaited in value:
            return value
        await asyncio.sleep(0.1)
    raise AssertionError(f"{expression} never held {awaited!r}: {value[:200]}")


async def test_the_page_loads_nothing_from_outside(demo_engine: AsyncEngine) -> None:
    assert installed(), "GraphiQL's files are missing: run `make` (npm ci in hub/graphiql)"
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=hub_app(demo_engine)), base_url="http://hub"
    ) as client:
        page = await client.get("/graphql", headers={"accept": "text/html"})
        assert page.status_code == 200
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert "://" not in page.text.split('id="examples"')[0]
        for name in ("react.js", "react-dom.js", "graphiql.js", "graphiql.css", "boot.js"):
            assert f'"/graphiql/{name}"' in page.text
            asset = await client.get(f"/graphiql/{name}")
            assert asset.status_code == 200, name
            assert len(asset.content) > 100
        assert (await client.get("/graphiql/..%2Fpackage.json")).status_code == 404
        assert (await client.get("/graphiql/package.json")).status_code == 404
        production = hub_app(demo_engine, production=True)
        transport = httpx.ASGITransport(app=production)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as closed:
            assert (await closed.get("/graphiql/graphiql.js")).status_code == 404


async def test_graphiql_renders_runs_a_query_and_shows_the_answer_offline(
    browser_needed: None, served_hub: LocalServer
) -> None:
    refused: list[str] = []
    failures: list[str] = []

    async def closed_network(route: Route, request: Request) -> None:
        if urlsplit(request.url).hostname in LOOPBACK:
            await route.continue_()
        else:
            refused.append(request.url)
            await route.abort("internetdisconnected")

    async with async_playwright() as driver:
        browser = await driver.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            context = await browser.new_context()
            await context.route("**/*", closed_network)
            page = await context.new_page()
            page.on("pageerror", lambda error: failures.append(str(error)))
            await page.goto(f"{served_hub.url}/graphql")
            await page.wait_for_selector(".graphiql-query-editor .CodeMirror", timeout=20_000)
            # One tab per README example, the first open.
            assert await page.locator(".graphiql-tab").count() == len(README_DOCUMENTS)
            editor = "document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror"
            first = next(iter(README_DOCUMENTS.values()))
            assert await page.evaluate(f"{editor}.getValue()") == first

            await page.click(".graphiql-execute-button")
            result = "document.querySelector('.graphiql-response .CodeMirror').CodeMirror"
            shown = orjson.loads(await _settled(page, f"{result}.getValue()", "institutes"))
            async with httpx.AsyncClient(base_url=served_hub.url) as client:
                direct = await client.post("/graphql", json={"query": first})
            assert shown == direct.json()
            assert shown["data"]["center"]["institutes"]["totalCount"] > 0

            # The docs explorer reads the schema by introspection.
            await page.click("button[aria-label='Show Documentation Explorer']")
            await page.wait_for_selector(".graphiql-doc-explorer-root-type", timeout=10_000)
            assert "Query" in await page.inner_text(".graphiql-doc-explorer")
        finally:
            await browser.close()
    assert refused == []
    assert failures == []

"""Trusted documents: registered ahead by hash, sent by hash in Apollo's form or as a
`documentId`, and the only documents some roles may run."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from db.documents import document_hash, register_documents
from db.engine import create_sessionmaker
from demo.documents import README_DOCUMENTS
from hub.cli import main
from tests.graphql import hub_app
from tests.paths import PROJECT_ROOT

DIVISION = '{ division(code: "620623") { name } }'
TIANZHU = {"data": {"division": {"name": "天祝藏族自治县"}}}


def _client(engine: AsyncEngine, **settings: Any) -> httpx.AsyncClient:
    app = hub_app(engine, rate_limits={}, **settings)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub")


def _persisted(digest: str) -> dict[str, Any]:
    return {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}}


async def test_the_demo_registers_the_readme_queries(demo_engine: AsyncEngine) -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert re.findall(r"```graphql\n(.*?)```", readme, re.S) == list(README_DOCUMENTS.values())
    async with _client(demo_engine) as client:
        for text in README_DOCUMENTS.values():
            response = await client.post(
                "/graphql",
                json={**_persisted(document_hash(text)), "variables": {"q": "文明"}},
                headers={"Authorization": "Bearer kaili-key"},
            )
            assert "errors" not in response.json(), response.json()


async def test_a_registered_document_runs_by_hash_in_either_form(demo_engine: AsyncEngine) -> None:
    await register_documents(create_sessionmaker(demo_engine), [("division", DIVISION)])
    digest = document_hash(DIVISION)
    async with _client(demo_engine) as client:
        apollo = await client.post("/graphql", json=_persisted(digest))
        by_id = await client.post("/graphql", json={"documentId": f"sha256:{digest}"})
        with_text = await client.post("/graphql", json={"query": DIVISION, **_persisted(digest)})
        got = await client.get("/graphql", params={"documentId": f"sha256:{digest}"})
    assert apollo.json() == by_id.json() == with_text.json() == TIANZHU
    assert got.status_code == 405 or got.json() == TIANZHU


async def test_unknown_and_mismatched_hashes_are_refused(demo_engine: AsyncEngine) -> None:
    async with _client(demo_engine) as client:
        unknown = await client.post("/graphql", json=_persisted("0" * 64))
        mismatched = await client.post(
            "/graphql", json={"query": "{ __typename }", **_persisted("0" * 64)}
        )
        malformed = await client.post("/graphql", json={"documentId": "sha256:xyz"})
    assert unknown.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert "not the hash" in mismatched.json()["errors"][0]["message"]
    assert malformed.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_roles_held_to_registered_documents_run_nothing_else(
    demo_engine: AsyncEngine,
) -> None:
    await register_documents(create_sessionmaker(demo_engine), [("division", DIVISION)])
    async with _client(
        demo_engine, registered_only_roles=frozenset({"anonymous", "media"})
    ) as client:
        free = await client.post(
            "/graphql", json={"query": '{ division(code: "522601") { name } }'}
        )
        registered_text = await client.post("/graphql", json={"query": DIVISION})
        by_hash = await client.post("/graphql", json=_persisted(document_hash(DIVISION)))
        media = await client.post(
            "/graphql",
            json={"query": "{ __typename }"},
            headers={"Authorization": "Bearer media-key"},
        )
        analyst = await client.post(
            "/graphql",
            json={"query": "{ __typename }"},
            headers={"Authorization": "Bearer analyst-key"},
        )
    assert free.status_code == 403
    assert "registered documents only" in free.json()["errors"][0]["message"]
    assert registered_text.json() == by_hash.json() == TIANZHU
    assert media.status_code == 403
    assert analyst.json() == {"data": {"__typename": "Query"}}


def test_documents_add_checks_each_file_and_lists_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WENMING_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'hub.sqlite3'}")
    assert main(["migrate"]) == 0
    good = tmp_path / "division.graphql"
    good.write_text(DIVISION, encoding="utf-8")
    broken = tmp_path / "broken.graphql"
    broken.write_text("{ divisoin { name } }", encoding="utf-8")
    assert main(["documents", "add", str(broken)]) == 2
    assert "does not validate" in capsys.readouterr().err
    assert main(["documents", "add", str(good)]) == 0
    assert capsys.readouterr().out == f"{document_hash(DIVISION)}  division.graphql\n"
    assert main(["documents", "add", str(good)]) == 0
    assert "registered before" in capsys.readouterr().out
    assert main(["documents", "list"]) == 0
    assert document_hash(DIVISION) in capsys.readouterr().out

"""What the hub tells its operator: a structured line per request and per sync batch
(never personal data), Prometheus metrics for an admin key, OpenTelemetry spans when
switched on, progress while a sync runs, and a word on a misspelt setting."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy.ext.asyncio import AsyncEngine

from demo.documents import README_DOCUMENTS
from hub.logs import configure_logging
from hub.progress import SyncProgress
from hub.settings import unknown_variables
from hub.telemetry import MOST_OPERATIONS, Telemetry
from tests.graphql import hub_app

PHONE = "13800138000"  # a personal value a client sends; no log line may carry it


@pytest.fixture
def log() -> Iterator[io.StringIO]:
    buffer = io.StringIO()
    configure_logging("INFO", "json", stream=buffer)
    yield buffer
    configure_logging("INFO", "text")


def _lines(buffer: io.StringIO, message: str) -> list[dict[str, Any]]:
    found = [orjson.loads(line) for line in buffer.getvalue().splitlines()]
    return [line for line in found if line["message"] == message]


async def _post(app: Any, body: dict[str, Any], key: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://hub"
    ) as c:
        return await c.post("/graphql", json=body, headers=headers)


async def test_one_json_line_per_request_without_personal_data(
    demo_engine: AsyncEngine, log: io.StringIO
) -> None:
    app = hub_app(demo_engine)
    tree = README_DOCUMENTS["CountyTree"]
    assert (await _post(app, {"query": tree}, "analyst-key")).status_code == 200
    await _post(
        app,
        {
            "query": "query Find($q: String!) { stories(filter: {search: $q}) { totalCount } }",
            "variables": {"q": PHONE},
        },
    )
    await _post(app, {"query": "{ nosuchfield }"})
    await _post(app, {"query": tree}, "wrong-key")
    lines = _lines(log, "request")
    assert [(line["operation"], line["code"], line["role"]) for line in lines] == [
        ("CountyTree", "OK", "analyst"),
        ("Find", "OK", "anonymous"),
        ("-", "BAD_USER_INPUT", "anonymous"),
        ("-", "UNAUTHENTICATED", "anonymous"),  # refused before the body is read
    ]
    assert lines[0]["cost"] > 100
    assert lines[0]["duration_ms"] > 0
    assert {line["level"] for line in lines} == {"info"}
    assert PHONE not in log.getvalue()
    assert "stations" not in log.getvalue()  # nor the document's text


async def test_metrics_are_for_an_admin_key_and_count_by_operation_and_code(
    demo_engine: AsyncEngine,
) -> None:
    app = hub_app(demo_engine)
    await _post(app, {"query": README_DOCUMENTS["CountyTree"]})
    await _post(app, {"query": "{ nosuchfield }"})
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://hub"
    ) as c:
        assert (await c.get("/metrics")).status_code == 403
        refused = await c.get("/metrics", headers={"Authorization": "Bearer kaili-key"})
        assert refused.status_code == 403
        assert (
            await c.get("/metrics", headers={"Authorization": "Bearer nope"})
        ).status_code == 401
        assert (await c.get("/export/ranking.csv?within=999999")).status_code == 400
        metrics = await c.get("/metrics", headers={"Authorization": "Bearer admin-key"})
    assert metrics.status_code == 200
    text = metrics.text
    assert 'wenming_requests_total{code="OK",operation="CountyTree",route="graphql"} 1.0' in text
    assert 'code="BAD_USER_INPUT",operation="-",route="graphql"} 1.0' in text
    assert 'wenming_requests_total{code="HTTP_400",operation="-",route="export"} 1.0' in text
    assert 'wenming_request_duration_seconds_bucket{le="10.0",operation="CountyTree"' in text
    # The database's side: every demo source succeeded once and the rollup was refreshed.
    assert "wenming_source_last_success_age_seconds{source=" in text
    assert 'wenming_sync_rows_total{outcome="inserted",source=' in text
    assert "wenming_rollup_age_seconds " in text
    assert "wenming_quarantine_open" in text


def test_client_chosen_operation_names_cannot_grow_the_metrics_without_bound() -> None:
    telemetry = Telemetry()
    labels = {telemetry.operation_label(f"Op{n}") for n in range(MOST_OPERATIONS + 50)}
    assert len(labels) == MOST_OPERATIONS + 1
    assert "other" in labels
    assert telemetry.operation_label("Op1") == "Op1"
    assert telemetry.operation_label("x" * 65) == "other"
    assert telemetry.operation_label("a b") == "other"


async def test_opentelemetry_spans_when_switched_on(demo_engine: AsyncEngine) -> None:
    # The process has one tracer provider (OpenTelemetry refuses a second): each run of
    # this test adds its own exporter to it.
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        trace.set_tracer_provider(TracerProvider())
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    await _post(hub_app(demo_engine), {"query": README_DOCUMENTS["CountyTree"]})
    assert exporter.get_finished_spans() == ()
    tree = {"query": README_DOCUMENTS["CountyTree"]}
    await _post(hub_app(demo_engine, opentelemetry=True, compiled_reads=False), tree)
    names = {span.name for span in exporter.get_finished_spans()}
    assert "GraphQL Query: CountyTree" in names
    assert "GraphQL Resolving: center" in names
    exporter.clear()
    # Answered by one statement: the operation's span, marked, and no resolver under it.
    await _post(hub_app(demo_engine, opentelemetry=True), tree)
    [span] = exporter.get_finished_spans()
    assert span.name == "GraphQL Query: CountyTree"
    assert span.attributes is not None
    assert span.attributes["wenming.read_path"] == "compiled"
    exporter.shutdown()


def test_progress_is_logged_at_an_interval_off_a_terminal() -> None:
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep()
    logging.getLogger("wenming.sync").addHandler(handler)
    try:
        progress = SyncProgress(io.StringIO(), every=3600)
        progress.expect({("kaili-app", "volunteers"): 5000})
        for read in (1000, 2000, 3000):
            progress("kaili-app", "volunteers", read)
        progress("kaili-app", "teams", 10)
        progress.done()
    finally:
        logging.getLogger("wenming.sync").removeHandler(handler)
    shown = [(r.__dict__["stream"], r.__dict__["read"]) for r in records]
    assert shown == [("volunteers", 1000), ("teams", 10)]
    assert records[0].__dict__["last_run_read"] == 5000


def test_progress_is_a_live_display_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    progress = SyncProgress(screen)
    progress.expect({("kaili-app", "volunteers"): 4000})
    progress("kaili-app", "volunteers", 1000)
    progress("kaili-app", "teams", 12)
    progress.done()
    shown = screen.getvalue()
    assert "kaili-app/volunteers" in shown
    assert "1000/4000" in shown
    assert "kaili-app/teams" in shown


def test_a_misspelt_setting_is_named_with_the_likely_one() -> None:
    warnings = unknown_variables(
        {
            "WENMING_DATABSE_URL": "x",
            "WENMING_LOG_FORMAT": "json",
            "WENMING_COLOUR": "1",
            "WENMING_TEST_POSTGRES_URL": "y",
            "PATH": "/bin",
        }
    )
    assert warnings == [
        "WENMING_COLOUR is not a setting of the hub (docs/operations.md lists them)",
        "WENMING_DATABSE_URL is not a setting of the hub; did you mean WENMING_DATABASE_URL?",
    ]

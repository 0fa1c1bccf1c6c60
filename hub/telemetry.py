"""What the hub tells its operator: a log line per request and Prometheus metrics at
`/metrics` (for an admin key): requests and latency by operation and code, sync rows by
outcome, quarantine size and seconds since the last success per source, rollup age."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from db import models as m
from hub.auth import UnknownKeyError, presented_key
from hub.gate import Keys
from resolvers.viewer import Role

__all__ = ["RequestFacts", "Telemetry"]

logger = logging.getLogger("wenming.request")

# Operation names are chosen by clients: past this many distinct ones, or for a name
# that is not a GraphQL name, the label is "other", so that no client can grow the
# metrics without bound.
MOST_OPERATIONS = 200
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")
_OUTCOMES = ("inserted", "updated", "unchanged", "quarantined", "retired")


@dataclass(slots=True)
class RequestFacts:
    """What one request was, filled in as it is answered."""

    route: str
    operation: str | None = None
    role: str = Role.ANONYMOUS.value
    cost: int = 0
    code: str = "OK"


class Telemetry:
    """One app's request metrics, and the view of the database's state behind /metrics."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self._requests = Counter(
            "wenming_requests",
            "Requests answered, by route, operation and code (OK or the first error's)",
            ["route", "operation", "code"],
            registry=self.registry,
        )
        self._seconds = Histogram(
            "wenming_request_duration_seconds",
            "Time to answer a request, by route and operation",
            ["route", "operation"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
            registry=self.registry,
        )
        self._cost = Counter(
            "wenming_request_cost_points",
            "Cost points charged, by role",
            ["role"],
            registry=self.registry,
        )
        self._operations: set[str] = set()
        # Labelled children by their labels (bounded: the operation names are capped).
        self._children: dict[tuple[str, str, str, str], tuple[Any, Any, Any]] = {}

    def operation_label(self, name: str | None) -> str:
        if not name:
            return "-"
        if name in self._operations:
            return name
        if len(self._operations) >= MOST_OPERATIONS or not _NAME.fullmatch(name):
            return "other"
        self._operations.add(name)
        return name

    def observe(self, facts: RequestFacts, seconds: float, status: int) -> None:
        operation = self.operation_label(facts.operation)
        labels = (facts.route, operation, facts.code, facts.role)
        children = self._children.get(labels)
        if children is None:
            children = self._children[labels] = (
                self._requests.labels(facts.route, operation, facts.code),
                self._seconds.labels(facts.route, operation),
                self._cost.labels(facts.role),
            )
        requests, durations, cost = children
        requests.inc()
        durations.observe(seconds)
        cost.inc(facts.cost)
        logger.info(
            "request",
            extra={
                "route": facts.route,
                "operation": operation,
                "code": facts.code,
                "status": status,
                "duration_ms": round(seconds * 1000, 1),
                "cost": facts.cost,
                "role": facts.role,
            },
        )

    def timed(
        self, route: str, endpoint: Callable[[Request, RequestFacts], Awaitable[Response]]
    ) -> Callable[[Request], Awaitable[Response]]:
        """`endpoint`, observed: it fills in the facts, this times and records them."""

        async def handle(request: Request) -> Response:
            facts = RequestFacts(route)
            started = time.perf_counter()
            response = await endpoint(request, facts)
            if facts.code == "OK" and response.status_code >= 400:
                facts.code = f"HTTP_{response.status_code}"
            self.observe(facts, time.perf_counter() - started, response.status_code)
            return response

        return handle

    def endpoint(self, engine: AsyncEngine, keys: Keys) -> Callable[[Request], Awaitable[Response]]:
        """/metrics: for an admin key only (they name the county systems and their state)."""

        async def metrics(request: Request) -> Response:
            try:
                viewer = keys.viewer_for(presented_key(request))
            except UnknownKeyError as error:
                return PlainTextResponse(str(error), 401, {"WWW-Authenticate": "Bearer"})
            if viewer.role is not Role.ADMIN:
                return PlainTextResponse("the metrics are for an admin key", 403)
            snapshot = CollectorRegistry(auto_describe=False)
            # While the database is away the request metrics still answer.
            with suppress(SQLAlchemyError, OSError):
                snapshot.register(_Families(await database_families(engine)))
            body = generate_latest(self.registry) + generate_latest(snapshot)
            return Response(body, media_type=CONTENT_TYPE_LATEST)

        return metrics


class _Families:
    """Metric families computed once per scrape."""

    def __init__(self, families: list[Metric]) -> None:
        self._families = families

    def collect(self) -> Iterator[Metric]:
        return iter(self._families)


async def database_families(engine: AsyncEngine) -> list[Metric]:
    """What the database says of the sources and the rollup, read at each scrape (syncs
    run in other processes, so counters kept here would not see them)."""
    now = datetime.now(UTC)
    rows = CounterMetricFamily(
        "wenming_sync_rows",
        "Records written by every sync run, by source, stream and outcome",
        labels=["source", "stream", "outcome"],
    )
    held = GaugeMetricFamily(
        "wenming_quarantine_open", "Records held in quarantine, by source", labels=["source"]
    )
    since = GaugeMetricFamily(
        "wenming_source_last_success_age_seconds",
        "Seconds since the source's last successful sync run",
        labels=["source"],
    )
    rollup = GaugeMetricFamily(
        "wenming_rollup_age_seconds", "Seconds since the statistics rollup was refreshed"
    )
    run = m.SyncRun
    async with engine.connect() as connection:
        totals = await connection.execute(
            select(run.source, run.stream, *(func.sum(getattr(run, name)) for name in _OUTCOMES))
            .group_by(run.source, run.stream)
            .order_by(run.source, run.stream)
        )
        for source, stream, *counts in totals:
            for name, count in zip(_OUTCOMES, counts, strict=True):
                rows.add_metric([source, stream, name], float(count or 0))
        record = m.QuarantinedRecord
        waiting = await connection.execute(
            select(record.source, func.count())
            .where(record.resolved_at.is_(None))
            .group_by(record.source)
            .order_by(record.source)
        )
        for source, count in waiting:
            held.add_metric([source], float(count))
        succeeded = await connection.execute(
            select(run.source, func.max(run.finished_at))
            .where(run.status == m.SyncStatus.SUCCEEDED)
            .group_by(run.source)
            .order_by(run.source)
        )
        for source, finished in succeeded:
            if finished is not None:
                since.add_metric([source], _age(now, finished))
        refreshed = await connection.scalar(select(func.max(m.RollupState.refreshed_at)))
    if refreshed is not None:
        rollup.add_metric([], _age(now, refreshed))
    return [rows, held, since, rollup]


def _age(now: datetime, then: datetime) -> float:
    return (now - (then if then.tzinfo else then.replace(tzinfo=UTC))).total_seconds()

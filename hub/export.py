"""Comparisons and rankings as CSV, for the `wenming export` command and /export/*.csv;
and clean stories as Atom (/feeds/stories.atom), under the same keys and quotas."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import date

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from db import models as m
from db.faults import is_unavailable
from db.metrics import Metric, metric
from hub.atom import ATOM_TYPE, MAX_ENTRIES, stories_atom
from hub.auth import UnknownKeyError
from hub.gate import Gate, RequestTimeout, TooManyRequests
from hub.ratelimit import points_for
from hub.settings import HubError
from resolvers import comparison, news
from resolvers.common import no_division_named, shown, unknown_divisions
from resolvers.disclosure import PeriodRefused
from resolvers.periods import Period, PeriodError
from resolvers.stats import MetricValue, lies_below
from resolvers.viewer import Viewer
from schema.errors import OUTAGE, BadUserInput
from schema.inputs import StoryFilter
from schema.limits import comparison_cost, period_cost, ranking_cost, string_problem

__all__ = [
    "ExportError",
    "ExportRoutes",
    "compare_csv",
    "parse_period",
    "parse_weights",
    "ranking_csv",
]

Sessionmaker = async_sessionmaker[AsyncSession]


class ExportError(HubError):
    """An export request that cannot be answered; the message says what to change."""


def parse_period(
    name: str | None, first_day: str | None = None, last_day: str | None = None
) -> Period:
    try:
        if name and not first_day and not last_day:
            return Period.parse(name)
        if not name and first_day and last_day:
            return Period.between(date.fromisoformat(first_day), date.fromisoformat(last_day))
    except (PeriodError, ValueError) as error:
        raise ExportError(str(error)) from None
    raise ExportError("give a period (2026-03, 2026-Q1, 2026), or both a first and a last day")


def parse_weights(
    metric_code: str | None, index: str | None, index_name: str | None, saved: Mapping[str, str]
) -> list[comparison.Weighted]:
    """One metric, or `code:weight,code:weight`, or the name of a saved index."""
    if sum(bool(choice) for choice in (metric_code, index, index_name)) != 1:
        raise ExportError("rank by exactly one of a metric, an index or a saved index name")
    if metric_code:
        return [comparison.Weighted(_metric(metric_code), 1.0)]
    if index_name:
        if index_name not in saved:
            raise ExportError(f"no index is saved as {shown(index_name)}")
        pairs = json.loads(saved[index_name]).items()
    else:
        assert index is not None
        try:
            pairs = [
                (code, float(weight))
                for code, _, weight in (item.partition(":") for item in index.split(","))
            ]
        except ValueError:
            raise ExportError("write an index as metric:weight,metric:weight") from None
    weights = [comparison.Weighted(_metric(code), float(weight)) for code, weight in pairs]
    if len(weights) > comparison.MAX_METRICS:
        raise ExportError(f"an index holds at most {comparison.MAX_METRICS} metrics")
    if any(not 0 < item.weight <= comparison.MAX_WEIGHT for item in weights):
        raise ExportError(f"index weights lie above 0 and up to {comparison.MAX_WEIGHT:,}")
    return weights


def _metric(code: str) -> Metric:
    try:
        return metric(code.strip())
    except KeyError as error:
        raise ExportError(str(error.args[0])) from None


async def compare_csv(
    sessionmaker: Sessionmaker,
    viewer: Viewer,
    small_group: int,
    codes: Sequence[str],
    metric_codes: Sequence[str],
    period: Period,
) -> str:
    chosen = [_metric(code) for code in metric_codes]
    rows = await comparison.compare(sessionmaker, viewer, small_group, codes, chosen, period)
    names = await _division_names(sessionmaker, codes)
    table = _Table(
        [
            "division_code",
            "division",
            "period",
            "metric",
            "value",
            "numerator",
            "denominator",
            "previous_value",
            "change",
            "missing",
            "suppressed",
        ]
    )
    for row in rows:
        for value in row.values:
            table.add(
                [
                    row.division_code,
                    names.get(row.division_code, ""),
                    period.label,
                    value.metric.code,
                    *_value_cells(value),
                ]
            )
    return table.text()


async def ranking_csv(
    sessionmaker: Sessionmaker,
    viewer: Viewer,
    small_group: int,
    within: str,
    level: m.DivisionLevel,
    subject: str,
    weights: Sequence[comparison.Weighted],
    period: Period,
) -> str:
    if subject == "divisions":
        if not lies_below(level, within):
            raise ExportError(f"{level.value} divisions do not lie below {within}")
        entries = await comparison.rank_divisions(
            sessionmaker, viewer, small_group, within, level, weights, period
        )
        names = await _division_names(sessionmaker, [entry.key for entry in entries])
    elif subject in ("institutes", "teams"):
        if len(weights) != 1 or weights[0].metric.code not in comparison.SUBJECT_METRICS:
            allowed = ", ".join(comparison.SUBJECT_METRICS)
            raise ExportError(f"institutes and teams are ranked by one of: {allowed}")
        rank = comparison.rank_institutes if subject == "institutes" else comparison.rank_teams
        entries = await rank(sessionmaker, within, weights[0].metric, period)
        names = await _subject_names(sessionmaker, subject, [entry.key for entry in entries])
    else:
        raise ExportError("rank divisions, institutes or teams")
    label = weights[0].metric.code if len(weights) == 1 else "index"
    table = _Table(
        [
            "rank",
            "previous_rank",
            "key",
            "name",
            "period",
            "metric",
            "value",
            "numerator",
            "denominator",
            "previous_value",
            "change",
            "missing",
            "suppressed",
        ]
    )
    for entry in entries:
        table.add(
            [
                entry.rank,
                entry.previous_rank,
                entry.key,
                names.get(entry.key, ""),
                period.label,
                label,
                *_value_cells(entry.value),
            ]
        )
    return table.text()


def _value_cells(value: MetricValue) -> list[object]:
    hidden = value.suppressed
    return [
        value.value,
        None if hidden else value.numerator,
        None if hidden else value.denominator,
        None if hidden else value.previous,
        None if hidden else value.change,
        value.missing,
        value.suppressed,
    ]


class _Table:
    def __init__(self, header: list[str]) -> None:
        self._buffer = io.StringIO()
        # Excel opens UTF-8 with Chinese names correctly only when the file starts with a BOM.
        self._buffer.write("\ufeff")
        self._writer = csv.writer(self._buffer, lineterminator="\n")
        self._writer.writerow(header)

    def add(self, cells: list[object]) -> None:
        self._writer.writerow(["" if cell is None else _cell(cell) for cell in cells])

    def text(self) -> str:
        return self._buffer.getvalue()


def _cell(value: object) -> object:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6g}"
    return value


async def _division_names(sessionmaker: Sessionmaker, codes: Sequence[str]) -> dict[str, str]:
    async with sessionmaker() as session:
        rows = await session.execute(
            select(m.Division.code, m.Division.name).where(m.Division.code.in_(codes))
        )
    return {code: name for code, name in rows.all()}


async def _subject_names(
    sessionmaker: Sessionmaker, subject: str, keys: Sequence[str]
) -> dict[str, str]:
    model = m.Site if subject == "institutes" else m.Team
    async with sessionmaker() as session:
        rows = await session.execute(
            select(model.id, model.name).where(model.id.in_([int(key) for key in keys]))
        )
    return {str(key): name for key, name in rows.all()}


async def saved_index_weights(sessionmaker: Sessionmaker) -> dict[str, str]:
    async with sessionmaker() as session:
        rows = await session.execute(select(m.RankingIndex.name, m.RankingIndex.weights))
    return {name: weights for name, weights in rows.all()}


class ExportRoutes:
    """GET /export/compare.csv and /export/ranking.csv, under the same keys as /graphql."""

    def __init__(
        self, sessionmaker: Sessionmaker, gate: Gate, small_group: int, max_cost: int
    ) -> None:
        self._sessionmaker = sessionmaker
        self._gate = gate
        self._small_group = small_group
        self._max_cost = max_cost

    async def compare(self, request: Request) -> Response:
        return await self._answer(request, self._compare, export_cost)

    async def ranking(self, request: Request) -> Response:
        return await self._answer(request, self._ranking, export_cost)

    async def stories(self, request: Request) -> Response:
        return await self._answer(request, self._stories, story_feed_cost, ATOM_TYPE)

    async def _answer(
        self,
        request: Request,
        build: Callable[[Request, Viewer], Awaitable[str | bytes]],
        cost_of: Callable[[Mapping[str, str]], int],
        media_type: str = "text/csv; charset=utf-8",
    ) -> Response:
        try:
            admission = await self._gate.admit(request)
        except UnknownKeyError as error:
            return PlainTextResponse(str(error), 401, headers={"WWW-Authenticate": "Bearer"})
        except TooManyRequests as error:
            return PlainTextResponse(str(error), 429, headers=error.quota.headers())
        points = 1
        try:
            for name, value in request.query_params.multi_items():
                problem = string_problem(value)
                if problem:
                    raise ExportError(f"{shown(name)} {problem}")
            cost = cost_of(request.query_params)
            if cost > self._max_cost:
                raise ExportError(
                    f"this export would cost about {cost:,} objects' work; at most "
                    f"{self._max_cost:,} are allowed: fewer divisions, metrics or a named period"
                )
            points = points_for(cost)
            text = await self._gate.within_deadline(build(request, admission.viewer))
        except (ExportError, BadUserInput) as error:
            quota = await self._gate.settle(admission, points)
            return PlainTextResponse(str(error), 400, headers=quota.headers())
        except PeriodRefused as error:
            quota = await self._gate.settle(admission, points)
            return PlainTextResponse(str(error), 403, headers=quota.headers())
        except RequestTimeout as error:
            quota = await self._gate.settle(admission, points)
            return PlainTextResponse(str(error), 504, headers=quota.headers())
        except Exception as error:
            if not is_unavailable(error):
                raise
            OUTAGE.note(error)
            quota = await self._gate.settle(admission, points)
            return PlainTextResponse(
                "the database does not answer just now; try again in a moment",
                503,
                headers={"Retry-After": "5", **quota.headers()},
            )
        quota = await self._gate.settle(admission, points)
        if isinstance(text, bytes):
            return Response(text, media_type=media_type, headers=quota.headers())
        filename = request.url.path.rsplit("/", 1)[-1]
        return Response(
            text.encode(),
            media_type=media_type,
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                **quota.headers(),
            },
        )

    async def _compare(self, request: Request, viewer: Viewer) -> str:
        query = request.query_params
        codes = _list(query.get("divisions"))
        metrics = _list(query.get("metrics"))
        if not codes or not metrics:
            raise ExportError("give divisions=CODE,CODE and metrics=CODE,CODE")
        if any(not m.DIVISION_CODE.fullmatch(code) for code in codes):
            raise ExportError("division codes have 6 or 12 digits")
        if len(codes) > comparison.MAX_COMPARED or len(metrics) > comparison.MAX_METRICS:
            raise ExportError(
                f"compare at most {comparison.MAX_COMPARED} divisions on "
                f"{comparison.MAX_METRICS} metrics at once"
            )
        period = parse_period(query.get("period"), query.get("from"), query.get("to"))
        await _known(self._sessionmaker, codes)
        return await compare_csv(
            self._sessionmaker, viewer, self._small_group, codes, metrics, period
        )

    async def _ranking(self, request: Request, viewer: Viewer) -> str:
        query = request.query_params
        within = query.get("within", "")
        if not m.DIVISION_CODE.fullmatch(within):
            raise ExportError("give within=CODE, a division code of 6 or 12 digits")
        try:
            level = m.DivisionLevel(query.get("level", "county").lower())
        except ValueError:
            raise ExportError(
                "level is one of province, prefecture, county, township, village"
            ) from None
        period = parse_period(query.get("period"), query.get("from"), query.get("to"))
        await _known(self._sessionmaker, [within])
        saved = await saved_index_weights(self._sessionmaker)
        weights = parse_weights(
            query.get("metric"), query.get("index"), query.get("indexName"), saved
        )
        return await ranking_csv(
            self._sessionmaker,
            viewer,
            self._small_group,
            within,
            level,
            query.get("of", "divisions"),
            weights,
            period,
        )

    async def _stories(self, request: Request, _viewer: Viewer) -> bytes:
        """Stories are published text: every key may read them, as in `stories`."""
        query = request.query_params
        limit = _limit(query)
        division = query.get("division")
        story_filter = StoryFilter(
            search=query.get("search"),
            mentions=[strawberry.ID(query["project"])] if query.get("project") else None,
            division_code=division,
        )
        criteria = story_filter.criteria()
        if division:
            await _known(self._sessionmaker, [division])
        async with self._sessionmaker() as session:
            dialect = (await session.connection()).dialect.name
            statement, _ = news.story_statement(criteria, dialect)
            stories = (
                await session.scalars(
                    statement.order_by(
                        m.NewsStory.published_at.desc(), m.NewsStory.id.desc()
                    ).limit(limit)
                )
            ).all()
            pages = await session.execute(
                select(m.StorySource.story_id, m.StorySource.url)
                .where(m.StorySource.story_id.in_([story.id for story in stories]))
                .order_by(m.StorySource.published_at, m.StorySource.id)
            )
        republished: dict[int, list[str]] = {}
        own = {story.id: story.url for story in stories}
        for story_id, url in pages.all():
            if url != own[story_id]:
                republished.setdefault(story_id, []).append(url)
        said = [f"{name}={value}" for name, value in query.items() if name != "limit"]
        title = "文明实践新闻" + (f" ({', '.join(said)})" if said else "")
        return stories_atom(stories, republished, self_url=str(request.url), title=title)


def _limit(query: Mapping[str, str]) -> int:
    raw = query.get("limit", "50")
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_ENTRIES:
        raise ExportError(f"limit is a number from 1 to {MAX_ENTRIES}")
    return int(raw)


def story_feed_cost(query: Mapping[str, str]) -> int:
    """A feed costs what a `stories(first: limit)` list does: one object an entry."""
    raw = query.get("limit", "50")
    return int(raw) if raw.isdigit() and int(raw) <= MAX_ENTRIES else 1


async def _known(sessionmaker: Sessionmaker, codes: Sequence[str]) -> None:
    unknown = await unknown_divisions(sessionmaker, codes)
    if unknown:
        raise ExportError(no_division_named(unknown))


def export_cost(query: Mapping[str, str]) -> int:
    """What an export request costs, in the units and by the model of the GraphQL
    comparison and ranking it mirrors."""
    period = period_cost(query.get("period"), is_range=bool(query.get("from")))
    if "divisions" in query:
        return comparison_cost(
            len(_list(query.get("divisions"))), len(_list(query.get("metrics"))), period
        )
    metrics = len(_list(query.get("index"))) or (
        comparison.MAX_METRICS if query.get("indexName") else 1
    )
    return ranking_cost(query.get("within"), query.get("level", "county"), metrics, period)


def _list(raw: str | None) -> list[str]:
    return [item.strip() for item in (raw or "").split(",") if item.strip()]

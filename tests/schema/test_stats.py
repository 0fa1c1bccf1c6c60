"""compare, ranking and metrics through the API, on the demo data."""

from __future__ import annotations

import csv
import io

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.graphql import GraphQL, hub_app

COMPARE = """
query Compare($codes: [String!]!, $metrics: [String!]!, $period: PeriodInput!) {
  compare(divisionCodes: $codes, metrics: $metrics, period: $period) {
    period previousPeriod division { code name }
    values { metric { code isRatio } value numerator denominator missing suppressed previousValue change }
  }
}
"""

RANKING = """
query Rank($within: String!, $level: DivisionLevel, $metric: String, $index: [IndexWeight!], $of: RankingSubject, $period: PeriodInput!) {
  ranking(within: $within, level: $level, metric: $metric, index: $index, of: $of, period: $period) {
    period previousPeriod metric { code } index { metric weight }
    entries { rank previousRank rankChange value { value previousValue missing suppressed components { metric { code } value } }
              division { code name } institute { name } team { name } }
  }
}
"""


async def test_metrics_registry_is_published(graphql: GraphQL) -> None:
    metrics = (
        await graphql.data(
            "{ metrics { code nameZh nameEn unit isRatio rollsUpAs smallGroupsSuppressed } }"
        )
    )["metrics"]
    codes = {item["code"] for item in metrics}
    assert {
        "station_coverage",
        "volunteers_per_10k",
        "order_fulfilment_rate",
        "median_dispatch_hours",
        "yuan_redeemed",
        "honoured_households",
        "awards",
    } <= codes
    assert "passbook_households" not in codes
    coverage = next(item for item in metrics if item["code"] == "station_coverage")
    assert coverage["isRatio"] is True
    assert coverage["nameZh"] == "实践站覆盖率"


async def test_compare_counties_and_a_prefecture(graphql: GraphQL) -> None:
    rows = (
        await graphql.data(
            COMPARE,
            {
                "codes": ["522601", "620623", "520600"],
                "metrics": ["station_coverage", "yuan_redeemed", "brand_projects"],
                "period": {"name": "2025"},
            },
            key="admin-key",
        )
    )["compare"]
    by_code = {
        row["division"]["code"]: {v["metric"]["code"]: v for v in row["values"]} for row in rows
    }
    assert rows[0]["period"] == "2025"
    assert rows[0]["previousPeriod"] == "2024"
    assert by_code["620623"]["brand_projects"]["value"] == 25
    assert by_code["522601"]["yuan_redeemed"]["missing"] is True
    redeemed = by_code["520600"]["yuan_redeemed"]
    assert redeemed["value"] == pytest.approx(126_000 * 0.001)
    coverage = by_code["520600"]["station_coverage"]
    assert coverage["value"] == pytest.approx(coverage["numerator"] / coverage["denominator"])


async def test_rank_weifang_counties_with_previous_ranks(graphql: GraphQL) -> None:
    ranking = (
        await graphql.data(
            RANKING,
            {
                "within": "370700",
                "metric": "people_served",
                "period": {"name": "2026"},
            },
        )
    )["ranking"]
    entries = ranking["entries"]
    assert len(entries) == 13
    assert ranking["metric"] == {"code": "people_served"}
    values = [entry["value"]["value"] for entry in entries if entry["rank"] is not None]
    assert values == sorted(values, reverse=True)
    assert entries[0]["rank"] == 1
    assert all(entry["division"]["code"].startswith("3707") for entry in entries)
    for entry in entries:
        if entry["rank"] and entry["previousRank"]:
            assert entry["rankChange"] == entry["previousRank"] - entry["rank"]


async def test_index_ranking_of_townships(graphql: GraphQL) -> None:
    ranking = (
        await graphql.data(
            RANKING,
            {
                "within": "620623",
                "level": "TOWNSHIP",
                "period": {"name": "2026-Q3"},
                "index": [
                    {"metric": "activities", "weight": 2},
                    {"metric": "station_coverage", "weight": 1},
                ],
            },
        )
    )["ranking"]
    assert ranking["metric"] is None
    assert ranking["index"] == [
        {"metric": "activities", "weight": 2.0},
        {"metric": "station_coverage", "weight": 1.0},
    ]
    ranked = [entry for entry in ranking["entries"] if entry["rank"] is not None]
    # 21 townships, 20 institutes: the one without reports nothing and is missing, not last.
    assert len(ranking["entries"]) == 21
    assert len(ranked) == 20
    assert ranking["entries"][-1]["rank"] is None
    assert ranking["entries"][-1]["value"]["missing"] is True
    assert all(0 <= entry["value"]["value"] <= 100 for entry in ranked)
    assert [c["metric"]["code"] for c in ranked[0]["value"]["components"]] == [
        "activities",
        "station_coverage",
    ]


@pytest.mark.parametrize(("subject", "field"), [("INSTITUTES", "institute"), ("TEAMS", "team")])
async def test_rank_institutes_and_teams(graphql: GraphQL, subject: str, field: str) -> None:
    ranking = (
        await graphql.data(
            RANKING,
            {
                "within": "620623",
                "of": subject,
                "metric": "activities",
                "period": {"from": "2025-11-01", "to": "2026-10-31"},
            },
        )
    )["ranking"]
    assert ranking["period"] == "2025-11-01..2026-10-31"
    entries = ranking["entries"]
    assert entries[0]["rank"] == 1
    assert entries[0][field]["name"]
    assert entries[0]["value"]["value"] >= entries[-1]["value"]["value"]


async def test_small_groups_are_hidden_from_the_public(graphql: GraphQL) -> None:
    honoured = await graphql.data(
        "{ households(first: 1, filter: {honourLevels: [NATIONAL]}) { edges { node { division { code } } } } }"
    )
    village = honoured["households"]["edges"][0]["node"]["division"]["code"]
    variables = {
        "codes": [village],
        "metrics": ["honoured_households", "demonstration_sites"],
        "period": {"name": "2026"},
    }
    public = (await graphql.data(COMPARE, variables))["compare"][0]["values"]
    staff = (await graphql.data(COMPARE, variables, key="admin-key"))["compare"][0]["values"]
    assert public[0]["suppressed"] is True
    assert public[0]["value"] is None
    assert public[0]["numerator"] is None
    assert public[0]["previousValue"] is None
    assert staff[0]["suppressed"] is False
    assert 1 <= staff[0]["value"] < 5
    assert public[1]["suppressed"] is False  # sites are not people: never suppressed


@pytest.mark.parametrize(
    ("variables", "fragment"),
    [
        ({"within": "370700", "metric": "nope", "period": {"name": "2026"}}, "not a metric"),
        ({"within": "370700", "metric": "activities", "period": {"name": "2026-13"}}, "months run"),
        (
            {
                "within": "370700",
                "metric": "activities",
                "period": {"name": "2026", "from": "2026-01-01"},
            },
            "give a period",
        ),
        ({"within": "370700", "period": {"name": "2026"}}, "exactly one"),
        (
            {
                "within": "370700",
                "level": "PROVINCE",
                "metric": "activities",
                "period": {"name": "2026"},
            },
            "do not lie below",
        ),
        (
            {
                "within": "370700",
                "of": "TEAMS",
                "metric": "station_coverage",
                "period": {"name": "2026"},
            },
            "ranked by one of",
        ),
        (
            {"within": "37070", "metric": "activities", "period": {"name": "2026"}},
            "not a division code",
        ),
    ],
)
async def test_bad_ranking_requests_are_user_errors(
    graphql: GraphQL, variables: dict[str, object], fragment: str
) -> None:
    body = await graphql(RANKING, variables)
    assert body["data"] is None
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert fragment in error["message"]


@pytest.fixture
async def client(demo_engine: AsyncEngine) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=hub_app(demo_engine)), base_url="http://hub"
    )


async def test_ranking_csv_export(client: httpx.AsyncClient) -> None:
    async with client:
        response = await client.get(
            "/export/ranking.csv",
            params={"within": "370700", "metric": "activities", "period": "2026"},
        )
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.text.removeprefix("\ufeff"))))
    assert len(rows) == 13
    assert rows[0]["rank"] == "1"
    assert rows[0]["name"].endswith(("市", "区", "县")) or "开发区" in rows[0]["name"]


async def test_compare_csv_export_and_its_errors(client: httpx.AsyncClient) -> None:
    async with client:
        good = await client.get(
            "/export/compare.csv",
            params={
                "divisions": "522601,620623",
                "metrics": "activities,station_coverage",
                "period": "2026-Q1",
            },
        )
        bad = await client.get(
            "/export/compare.csv", params={"divisions": "522601", "metrics": "x", "period": "2026"}
        )
        unknown = await client.get("/export/compare.csv", headers={"authorization": "Bearer nope"})
        nowhere = await client.get(
            "/export/compare.csv",
            params={"divisions": "522601,999999", "metrics": "activities", "period": "2026"},
        )
    rows = list(csv.DictReader(io.StringIO(good.text.removeprefix("\ufeff"))))
    assert [(row["division_code"], row["metric"]) for row in rows] == [
        ("522601", "activities"),
        ("522601", "station_coverage"),
        ("620623", "activities"),
        ("620623", "station_coverage"),
    ]
    assert rows[0]["division"] == "凯里市"
    assert bad.status_code == 400
    assert "not a metric" in bad.text
    assert unknown.status_code == 401
    assert nowhere.status_code == 400
    assert "999999" in nowhere.text


@pytest.mark.parametrize(
    "query",
    [
        '{ compare(divisionCodes: ["522601", "999999"], metrics: ["activities"], '
        'period: {name: "2026"}) { period } }',
        '{ ranking(within: "999999", level: COUNTY, metric: "activities", '
        'period: {name: "2026"}) { period } }',
        '{ center(divisionCode: "999999") { name } }',
    ],
)
async def test_an_unknown_division_code_is_not_found_by_name(graphql: GraphQL, query: str) -> None:
    """Not an empty row or a null that looks like a division with nothing in it."""
    body = await graphql(query)
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert "999999" in error["message"]


async def test_a_known_division_without_a_center_is_null(graphql: GraphQL) -> None:
    data = await graphql.data('{ center(divisionCode: "522601001000") { name } }')
    assert data["center"] is None

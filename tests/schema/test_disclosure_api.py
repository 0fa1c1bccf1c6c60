"""Disclosure control at the API: GraphQL and the CSV export give an outsider the same
held-back figures, refuse day ranges alike, and no order's rating shows outside its
county (the average that hides small groups is the only way ratings reach outsiders)."""

from __future__ import annotations

import csv
import io
from datetime import date

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from db.metrics import METRICS
from resolvers.disclosure import WholeMonthsOnly
from resolvers.periods import Period
from tests.graphql import GraphQL, hub_app
from tests.ledger import MONTHS, Contribution, build_ledger

SMALL_GROUP = 3
COMPARE = """
query Compare($period: PeriodInput!) {
  compare(divisionCodes: ["522601"], metrics: ["points_deducted"], period: $period) {
    values { value previousValue suppressed missing }
  }
}
"""


@pytest.fixture
async def ledger(engine: AsyncEngine) -> dict[Contribution, int]:
    return await build_ledger(engine)


def _client(engine: AsyncEngine) -> httpx.AsyncClient:
    app = hub_app(engine, small_group=SMALL_GROUP)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub")


def _hidden_month(ledger: dict[Contribution, int]) -> date:
    """A month in which one or two Kaili households lost points."""
    for month in MONTHS:
        households = {
            item.household
            for item in ledger
            if item.division.startswith("522601") and item.month == month
        }
        if 0 < len(households) < SMALL_GROUP:
            return month
    raise AssertionError("the seed gives no small month")


async def test_graphql_and_csv_hold_back_the_same_month(
    engine: AsyncEngine, ledger: dict[Contribution, int]
) -> None:
    month = _hidden_month(ledger)
    label = Period.month(month.year, month.month).label
    async with _client(engine) as client:
        graphql = await client.post(
            "/graphql", json={"query": COMPARE, "variables": {"period": {"name": label}}}
        )
        exported = await client.get(
            "/export/compare.csv",
            params={"divisions": "522601", "metrics": "points_deducted", "period": label},
        )
        own = await client.get(
            "/export/compare.csv",
            params={"divisions": "522601", "metrics": "points_deducted", "period": label},
            headers={"authorization": "Bearer kaili-key"},
        )
    value = graphql.json()["data"]["compare"][0]["values"][0]
    assert value == {"value": None, "previousValue": None, "suppressed": True, "missing": False}
    (row,) = csv.DictReader(io.StringIO(exported.text))
    assert (row["value"], row["previous_value"], row["suppressed"]) == ("", "", "true")
    (staff_row,) = csv.DictReader(io.StringIO(own.text))
    lost = sum(
        points
        for item, points in ledger.items()
        if item.division.startswith("522601") and item.month == month
    )
    assert float(staff_row["value"]) == lost


async def test_day_ranges_are_forbidden_to_outsiders_in_graphql_and_csv(
    engine: AsyncEngine, ledger: dict[Contribution, int]
) -> None:
    days = {"from": "2025-03-01", "to": "2025-03-15"}
    async with _client(engine) as client:
        graphql = await client.post(
            "/graphql",
            json={
                "query": COMPARE,
                "variables": {"period": days},
            },
        )
        exported = await client.get(
            "/export/compare.csv",
            params={"divisions": "522601", "metrics": "points_deducted", **days},
        )
        staff = await client.post(
            "/graphql",
            json={
                "query": COMPARE,
                "variables": {"period": days},
            },
            headers={"authorization": "Bearer kaili-key"},
        )
    (error,) = graphql.json()["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["message"] == str(WholeMonthsOnly(METRICS["points_deducted"]))
    assert exported.status_code == 403
    assert "whole months" in exported.text
    assert "errors" not in staff.json()


ORDERS = """
query Orders($order: [OrderOrder!]) {
  orders(first: 20, filter: {divisionCode: "522601", statuses: [RATED]}, orderBy: $order) {
    edges { node { rating ratedAt } }
  }
}
"""


@pytest.mark.parametrize("key", [None, "media-key", "analyst-key", "tianzhu-key"])
async def test_no_order_rating_shows_outside_its_county(graphql: GraphQL, key: str | None) -> None:
    data = await graphql.data(ORDERS, key=key)
    nodes = [edge["node"] for edge in data["orders"]["edges"]]
    assert nodes
    assert {node["rating"] for node in nodes} == {None}
    assert all(node["ratedAt"] for node in nodes)
    ordered = await graphql(ORDERS, {"order": [{"field": "RATING"}]}, key=key)
    if key == "tianzhu-key":
        # Staff may order by rating, over the counties they cover only.
        assert ordered["data"]["orders"]["edges"] == []
    else:
        assert ordered["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_staff_see_their_countys_ratings_and_may_order_by_them(graphql: GraphQL) -> None:
    data = await graphql.data(ORDERS, {"order": [{"field": "RATING"}]}, key="kaili-key")
    ratings = [edge["node"]["rating"] for edge in data["orders"]["edges"]]
    assert ratings
    assert all(1 <= rating <= 5 for rating in ratings)
    assert ratings == sorted(ratings)

"""The README's example documents, registered as trusted documents by the demo so that
a hub held to registered documents still answers them (tests check they stay equal)."""

from __future__ import annotations

__all__ = ["README_DOCUMENTS", "README_VARIABLES"]

README_DOCUMENTS: dict[str, str] = {
    "CountyTree": """\
query CountyTree {
  center(divisionCode: "522601") {
    name isDemonstration division { code name }
    institutes(first: 50) {
      totalCount
      edges { node { name stations(first: 100) { totalCount edges { node { name isDemonstration } } } } }
    }
  }
}
""",
    "ProvincialOffice": """\
{
  tongren: sites(filter: {kinds: [STATION], isDemonstration: true, divisionCode: "520600"}) { totalCount }
  weifang: sites(filter: {kinds: [STATION], isDemonstration: true, divisionCode: "370700"}) { totalCount }
  teams(filter: {divisionCode: "620623", kinds: [PROFESSIONAL]}) { edges { node { name platform { name } memberCount } } }
}
""",
    "Stories": """\
query Stories($q: String!) {
  stories(filter: { search: $q }, first: 10) {
    edges { node { title publishedAt url feed { name } mentions { __typename ... on Project { name } } } }
  }
}
""",
    "RatedOrders": """\
{
  orders(filter: {divisionCode: "522601", statuses: [RATED]}, first: 20, orderBy: [{field: ORDERED_AT, direction: DESC}]) {
    totalCount
    edges { node { rating orderedAt deliveredAt menuItem { name } team { name } events { kind occurredAt actor } } }
  }
}
""",
    "Rankings": """\
{
  ranking(within: "370700", level: COUNTY, metric: "people_served", period: {name: "2026-Q3"}) {
    period previousPeriod
    entries { rank previousRank rankChange division { name } value { value previousValue missing suppressed } }
  }
  compare(divisionCodes: ["522601", "620623"], metrics: ["station_coverage", "order_fulfilment_rate"], period: {name: "2026"}) {
    division { name } values { metric { code nameZh } value numerator denominator missing }
  }
}
""",
    "StaffVolunteers": """\
{ volunteers(filter: {divisionCode: "522601", minStarLevel: 1}) { edges { node { realName phone serviceHours starLevel teams { name } } } } }
""",
}

# What the README says to give as variables, filled in where the examples open (GraphiQL).
README_VARIABLES: dict[str, dict[str, str]] = {"Stories": {"q": "文明实践"}}

"""The GraphQL documents api.md promises will work as written, and the place they are
measured on (used by tests and bench)."""

from __future__ import annotations

from demo.places import PlaceSpec

__all__ = ["COUNTY_TREE", "STORIES", "TONGREN_AS_ONE_COUNTY", "VOLUNTEERS"]

# One county holding Tongren's published tree: 182 institutes, 2,929 stations.
TONGREN_AS_ONE_COUNTY = PlaceSpec(
    key="tree",
    name="凯里市",
    division_code="522601",
    counties=("522601",),
    institutes=182,
    stations=2_929,
    volunteers=100,
    projects=10,
    activities=10,
    orders=10,
    stories=5,
)

COUNTY_TREE = """
query CountyTree {
  center(divisionCode: "522601") {
    id name isDemonstration
    division { code name }
    institutes(first: 50) {
      totalCount
      edges { node { id name stations(first: 100) { totalCount edges { node { id name isDemonstration } } } } }
    }
  }
}
"""

STORIES = """
query Stories($q: String!) {
  stories(filter: { search: $q }, first: 10) {
    edges { node { title publishedAt url feed { name } mentions { __typename ... on Project { name } } } }
  }
}
"""

VOLUNTEERS = """
query Volunteers {
  volunteers(first: 5) { edges { node { displayName serviceHours starLevel } } }
}
"""

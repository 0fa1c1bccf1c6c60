"""The GraphQL documents api.md promises will work as written (used by tests and bench)."""

from __future__ import annotations

__all__ = ["COUNTY_TREE", "STORIES", "VOLUNTEERS"]

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

"""Assembles the schema from its type families."""

from __future__ import annotations

import strawberry

from schema.query import Query

__all__ = ["build_schema", "print_sdl"]


def build_schema() -> strawberry.Schema:
    return strawberry.Schema(query=Query)


def print_sdl() -> str:
    """The SDL as committed in schema/schema.graphql."""
    return build_schema().as_str() + "\n"

"""Assembles the schema from its type families."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.extensions import AddValidationRules, MaxAliasesLimiter, MaxTokensLimiter
from strawberry.types import ExecutionContext

from schema.errors import ErrorCodes
from schema.limits import ComplexityLimit
from schema.query import Query
from schema.sites import Center, Institute, Point, PrefectureCenter, Station, SubCenter

__all__ = ["build_schema", "print_sdl"]


class _Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Expected errors (bad input, forbidden) are answers, not faults: ErrorCodes logs
        only the unexpected ones, so nothing is logged here."""


def build_schema() -> strawberry.Schema:
    return _Schema(
        query=Query,
        types=[PrefectureCenter, Center, SubCenter, Institute, Station, Point],
        # Classes, not instances: strawberry makes one per operation, so no state is
        # shared between concurrent requests.
        extensions=[
            ErrorCodes,
            lambda: AddValidationRules([ComplexityLimit]),
            lambda: MaxTokensLimiter(max_token_count=5_000),
            lambda: MaxAliasesLimiter(max_alias_count=30),
        ],
    )


def print_sdl() -> str:
    """The SDL as committed in schema/schema.graphql."""
    return build_schema().as_str() + "\n"

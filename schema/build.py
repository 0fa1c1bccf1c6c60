"""Assembles the schema from its type families."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.extensions import MaxTokensLimiter
from strawberry.extensions.tracing import OpenTelemetryExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from resolvers.shape import DataShape
from schema.audit import AuditReads
from schema.compiled import CompiledReads
from schema.errors import ErrorCodes
from schema.guard import Checker, guard_factory
from schema.limits import Limits
from schema.mutation import Mutation
from schema.query import Query
from schema.scalars import SCALARS
from schema.sites import Center, Institute, Point, PrefectureCenter, Station, SubCenter

__all__ = ["SCHEMA_TYPES", "build_schema", "compiled_reads", "print_sdl"]

# Types no root field names but that the schema must know: the sites behind `Site`.
SCHEMA_TYPES = [PrefectureCenter, Center, SubCenter, Institute, Station, Point]


class _Schema(strawberry.Schema):
    checker: Checker

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Expected errors (bad input, forbidden) are answers, not faults: ErrorCodes logs
        only the unexpected ones, so nothing is logged here."""


def build_schema(
    limits: Limits | None = None, *, tracing: bool = False, shape: DataShape | None = None
) -> strawberry.Schema:
    """The schema; with `tracing`, each operation and resolver is an OpenTelemetry span
    (sent wherever the process's tracer provider sends them); with `shape`, the cost
    estimate counts pages no longer than the data's longest lists."""
    limits = limits or Limits()
    built: list[strawberry.Schema] = []
    checker = Checker(lambda: built[0]._schema, limits, shape)
    schema = _Schema(
        query=Query,
        mutation=Mutation,
        config=StrawberryConfig(scalar_map=SCALARS),
        types=SCHEMA_TYPES,
        # Classes, not instances: strawberry makes one per operation, so no state is
        # shared between concurrent requests.
        extensions=[
            ErrorCodes,
            AuditReads,
            # Sets the parser's token limit for documents the guard leaves to strawberry.
            lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
            guard_factory(checker),
            *([OpenTelemetryExtension] if tracing else []),
        ],
    )
    schema.checker = checker
    built.append(schema)
    return schema


def compiled_reads(
    schema: strawberry.Schema, *, engine: AsyncEngine | None = None, tracing: bool = False
) -> CompiledReads:
    """The compiled read path over a schema `build_schema` made, sharing its caches of
    parsed and validated documents."""
    assert isinstance(schema, _Schema)
    return CompiledReads(schema._schema, schema.checker, engine=engine, tracing=tracing)


def print_sdl() -> str:
    """The SDL as committed in schema/schema.graphql."""
    return build_schema().as_str() + "\n"

"""Errors clients see: each carries `extensions.code`; anything unexpected is masked."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from db.faults import Outage, is_unavailable

__all__ = [
    "ApiError",
    "BadUserInput",
    "ErrorCodes",
    "Forbidden",
    "NotFound",
    "QueryTooComplex",
    "Refused",
]

logger = logging.getLogger("wenming.graphql")
# One message a minute while the database is down, not a traceback per request.
OUTAGE = Outage(logger)


class ApiError(Exception):
    """An error whose message is meant for the caller."""

    code = "BAD_USER_INPUT"


class BadUserInput(ApiError):
    code = "BAD_USER_INPUT"


class NotFound(ApiError):
    code = "NOT_FOUND"


class Forbidden(ApiError):
    code = "FORBIDDEN"

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} is visible only to staff of the owning county")


class Refused(ApiError):
    """FORBIDDEN, in a message that says itself why and what may be asked instead."""

    code = "FORBIDDEN"


class QueryTooComplex(ApiError):
    code = "QUERY_TOO_COMPLEX"


class ErrorCodes(SchemaExtension):
    """Gives every error a code and replaces unexpected ones by an opaque INTERNAL error,
    so that no internal detail (SQL, paths, stack frames) reaches a client."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [_coded(error) for error in result.errors]
        elif result is not None:
            OUTAGE.recovered()
        if self.execution_context.pre_execution_errors:
            self.execution_context.pre_execution_errors = [
                _coded(error) for error in self.execution_context.pre_execution_errors
            ]


def _coded(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if isinstance(original, ApiError):
        code = original.code
    elif original is None or isinstance(original, GraphQLError):
        # Syntax and validation errors, and errors graphql-core raises for bad variables.
        code = (error.extensions or {}).get("code", "BAD_USER_INPUT")
    elif is_unavailable(original):
        OUTAGE.note(original)
        return GraphQLError(
            "The database does not answer just now; try again in a moment.",
            nodes=error.nodes,
            path=error.path,
            extensions={"code": "UNAVAILABLE"},
        )
    else:
        logger.error("unexpected error at %s", error.path, exc_info=original)
        return GraphQLError(
            "Internal error; it has been logged.",
            nodes=error.nodes,
            path=error.path,
            extensions={"code": "INTERNAL"},
        )
    return GraphQLError(
        error.message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=original,
        extensions={**(error.extensions or {}), "code": code},
    )

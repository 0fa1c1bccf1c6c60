"""Parsing and validation, each done once per distinct document and policy: the rules
are built once per process (so the cache can hit), validation stops at a few errors,
and the limits of `schema.limits` are checked before graphql-core's own rules run."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    parse,
    specified_rules,
    validate,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from resolvers.context import Context, RequestPolicy
from resolvers.shape import DataShape
from schema.limits import Limits, Measure, measure

__all__ = ["Checker", "Guard", "guard_factory"]

_CACHED_DOCUMENTS = 1_024
_RULES = (*specified_rules, MaybeNullValidationRule, OneOfInputValidationRule)
_RULES_WITHOUT_INTROSPECTION = (*_RULES, NoSchemaIntrospectionCustomRule)


class Guard(SchemaExtension):
    """Parses from a cache and validates from a cache, under the caller's policy."""

    def __init__(self, checker: Checker) -> None:
        super().__init__()
        self._checker = checker

    def on_parse(self) -> Iterator[None]:
        query = self.execution_context.query
        if query is not None and self.execution_context.graphql_document is None:
            # A document that does not parse is left to strawberry, which raises the error.
            self.execution_context.graphql_document = self._checker.parse(query)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        viewer_context = context.context
        if document is not None:
            policy = (
                viewer_context.policy if isinstance(viewer_context, Context) else RequestPolicy()
            )
            checked = viewer_context.checked if isinstance(viewer_context, Context) else None
            errors, cost = checked or self._checker.validate(
                context.query or "",
                document,
                context.operation_name,
                context.variables,
                introspection=policy.introspection,
                suggestions=policy.suggestions,
            )
            if isinstance(viewer_context, Context) and not errors:
                # A refused document did no work: only one that runs is charged its cost.
                viewer_context.cost = cost
            # A list, even empty, tells strawberry that validation has been done.
            context.pre_execution_errors = list(errors)
        yield


class Checker:
    """Per-schema caches of parsed documents, their measures and their validation."""

    def __init__(
        self, schema: Callable[[], GraphQLSchema], limits: Limits, shape: DataShape | None = None
    ) -> None:
        self._schema = schema
        self.limits = limits
        self._shape = shape
        self.parse = lru_cache(maxsize=_CACHED_DOCUMENTS)(self._parse)
        self._measured = lru_cache(maxsize=_CACHED_DOCUMENTS)(self._measure_text)
        self._ruled = lru_cache(maxsize=_CACHED_DOCUMENTS)(self._rules_text)

    def _parse(self, query: str) -> DocumentNode | None:
        try:
            return parse(query, max_tokens=self.limits.max_tokens)
        except GraphQLError:
            return None

    def validate(
        self,
        query: str,
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
        *,
        introspection: bool,
        suggestions: bool,
    ) -> tuple[tuple[GraphQLError, ...], int]:
        """Errors that refuse the operation (none if it may run) and its cost."""
        cached = self.parse(query) is document
        if cached and not variables:
            version = self._shape.version if self._shape is not None else 0
            found = self._measured(query, operation_name, introspection, version)
        else:
            # Page sizes and lists given as variables make each request's measure its own.
            found = measure(
                self._schema(),
                document,
                operation_name,
                variables,
                introspection=introspection,
                shape=self._shape,
            )
        refusal = found.refusal(self.limits)
        if refusal is not None:
            code = "BAD_USER_INPUT" if found.problems else "QUERY_TOO_COMPLEX"
            return (GraphQLError(refusal, extensions={"code": code}),), found.cost
        if cached:
            return self._ruled(query, introspection, suggestions), found.cost
        return self._rules(document, introspection, suggestions), found.cost

    def _measure_text(
        self, query: str, operation_name: str | None, introspection: bool, _version: int
    ) -> Measure:
        """Cached by the data shape's version too: new bounds measure again."""
        document = self.parse(query)
        assert document is not None
        return measure(
            self._schema(), document, operation_name, introspection=introspection, shape=self._shape
        )

    def _rules_text(
        self, query: str, introspection: bool, suggestions: bool
    ) -> tuple[GraphQLError, ...]:
        document = self.parse(query)
        assert document is not None
        return self._rules(document, introspection, suggestions)

    def _rules(
        self, document: DocumentNode, introspection: bool, suggestions: bool
    ) -> tuple[GraphQLError, ...]:
        errors = validate(
            self._schema(),
            document,
            _RULES if introspection else _RULES_WITHOUT_INTROSPECTION,
            max_errors=self.limits.max_errors,
            hide_suggestions=not suggestions,
        )
        return tuple(errors)


def guard_factory(checker: Checker) -> Callable[[], Guard]:
    """A factory strawberry calls per operation; the caches behind it live as long as
    the schema."""
    return lambda: Guard(checker)

"""The compiled read path: a document whose every field `resolvers.compiled` can read
is planned once and answered by one statement, without graphql-core's execution.

Anything else falls back to the resolvers, and so does anything unusual at run time (a
variable that does not coerce, a page size past the cap, a center that is not there):
the resolvers then give the same answer or the same error they always did. Parsing,
validation, limits and cost are the guard's, unchanged; the differential tests hold
both paths to the same answers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import orjson
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    get_operation_ast,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from opentelemetry import trace
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from resolvers import compiled as sql
from resolvers.context import Context
from resolvers.relations import Relation
from schema.errors import BadUserInput
from schema.guard import Checker
from schema.inputs import checked_division_code
from schema.relay import page_request

__all__ = ["CompiledReads", "ReadPlan", "plan_document"]

_CACHED_PLANS = 1_024

_RootPart = sql.Root | sql.RootList | sql.Constant


class _NotCompiled(Exception):
    """The document needs the resolvers somewhere."""


@dataclass(frozen=True, slots=True)
class _Arguments:
    """A field's arguments as written, coerced per request."""

    definition: GraphQLField
    node: FieldNode
    key: str = ""  # a root field's one argument

    def values(self, variables: VariableValues) -> dict[str, Any]:
        return get_argument_values(self.definition, self.node, variables)


@dataclass(slots=True)
class ReadPlan:
    """A document's answer as root parts (statement roots and constants) and the
    arguments each bound value comes from."""

    operation: OperationDefinitionNode
    parts: tuple[_RootPart, ...]
    roots: tuple[sql.Root | sql.RootList, ...]
    root_arguments: dict[int, _Arguments]
    page_arguments: dict[int, _Arguments]
    # None: the database refused this plan's statement as too deep.
    _statements: dict[str, sql.CompiledStatement | None] = field(default_factory=dict)

    def bind(self, schema: GraphQLSchema, inputs: Mapping[str, Any] | None) -> dict[str, object]:
        """The statement's parameters for these variables; _NotCompiled when the
        resolvers must answer (they report whatever is wrong)."""
        definitions = self.operation.variable_definitions or ()
        coerced = get_variable_values(schema, definitions, dict(inputs or {}))
        if not isinstance(coerced, VariableValues):
            raise _NotCompiled
        values: dict[str, object] = {}
        try:
            for number, arguments in self.root_arguments.items():
                code = arguments.values(coerced).get(arguments.key)
                if not isinstance(checked_division_code(code), str):
                    raise _NotCompiled
                values[f"root_{number}"] = code
            for number, arguments in self.page_arguments.items():
                given = arguments.values(coerced)
                page = page_request(given.get("first"), given.get("after"))
                values[f"first_{number}"] = page.first
                values[f"offset_{number}"] = page.offset
        except (BadUserInput, GraphQLError):
            raise _NotCompiled from None
        return values

    async def answer(self, engine: AsyncEngine, values: Mapping[str, object]) -> bytes:
        texts = iter(await self._run(engine, values) if self.roots else ())
        members: list[bytes] = []
        for part in self.parts:
            if isinstance(part, sql.Constant):
                members.append(orjson.dumps(part.key) + b":" + orjson.dumps(part.value))
                continue
            text = next(texts)
            if text is None:
                # No such center: the resolvers tell an unknown division from an empty one.
                raise _NotCompiled
            members.append(orjson.dumps(part.key) + b":" + text.encode())
        return b'{"data":{' + b",".join(members) + b"}}"

    async def _run(self, engine: AsyncEngine, values: Mapping[str, object]) -> list[str | None]:
        dialect = engine.dialect
        if dialect.name not in self._statements:
            self._statements[dialect.name] = sql.CompiledStatement(self.roots, dialect)
        statement = self._statements[dialect.name]
        if statement is None:
            raise _NotCompiled
        try:
            return await statement.run(engine, values)
        except sql.TooDeep:
            self._statements[dialect.name] = None
            raise _NotCompiled from None


class _Planner:
    def __init__(self, schema: GraphQLSchema, fragments: Mapping[str, FragmentDefinitionNode]):
        self._schema = schema
        self._fragments = fragments
        self.root_arguments: dict[int, _Arguments] = {}
        self.page_arguments: dict[int, _Arguments] = {}
        self._numbers = 0

    def _number(self) -> int:
        self._numbers += 1
        return self._numbers

    def collect(
        self, type_: GraphQLObjectType, nodes: Sequence[FieldNode | SelectionSetNode]
    ) -> dict[str, list[FieldNode]]:
        """Fields by response key, fragments spread, in document order (as graphql-core
        collects them); a directive anywhere leaves the document to the resolvers."""
        collected: dict[str, list[FieldNode]] = {}
        pending: list[SelectionSetNode] = []
        for node in nodes:
            if isinstance(node, FieldNode):
                if node.selection_set is not None:
                    pending.append(node.selection_set)
            else:
                pending.append(node)
        self._collect(type_, pending, collected, set())
        return collected

    def _collect(
        self,
        type_: GraphQLObjectType,
        selection_sets: Sequence[SelectionSetNode],
        collected: dict[str, list[FieldNode]],
        spread: set[str],
    ) -> None:
        for selection_set in selection_sets:
            for selection in selection_set.selections:
                if selection.directives:
                    raise _NotCompiled
                if isinstance(selection, FieldNode):
                    key = selection.alias.value if selection.alias else selection.name.value
                    collected.setdefault(key, []).append(selection)
                elif isinstance(selection, InlineFragmentNode):
                    if self._applies(type_, selection.type_condition):
                        self._collect(type_, [selection.selection_set], collected, spread)
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    fragment = self._fragments.get(name)
                    if fragment is None:
                        raise _NotCompiled
                    if name not in spread and self._applies(type_, fragment.type_condition):
                        spread.add(name)
                        self._collect(type_, [fragment.selection_set], collected, spread)

    def _applies(self, type_: GraphQLObjectType, condition: Any) -> bool:
        if condition is None or condition.name.value == type_.name:
            return True
        return any(interface.name == condition.name.value for interface in type_.interfaces)

    def roots(
        self, operation: OperationDefinitionNode
    ) -> list[sql.Root | sql.RootList | sql.Constant]:
        query = self._schema.query_type
        assert query is not None
        parts: list[_RootPart] = []
        for key, nodes in self.collect(query, [operation.selection_set]).items():
            name = nodes[0].name.value
            if name == "__typename":
                parts.append(sql.Constant(key, query.name))
                continue
            if name in sql.ROOT_LISTS:
                connection = self._connection(key, sql.ROOT_LISTS[name], query.fields[name], nodes)
                parts.append(sql.RootList(key, connection))
                continue
            if name not in sql.ROOTS:
                raise _NotCompiled
            argument_name, type_name = sql.ROOTS[name]
            definition = query.fields[name]
            if {argument.name.value for argument in nodes[0].arguments or ()} != {argument_name}:
                raise _NotCompiled
            target = self._object_type(definition.type, type_name)
            number = self._number()
            self.root_arguments[number] = _Arguments(definition, nodes[0], argument_name)
            parts.append(sql.Root(key, name, type_name, number, self.fields(target, nodes)))
        return parts

    def _object_type(self, type_: Any, expected: str) -> GraphQLObjectType:
        named = get_named_type(type_)
        if not isinstance(named, GraphQLObjectType) or named.name != expected:
            raise _NotCompiled
        return named

    def fields(self, type_: GraphQLObjectType, nodes: Sequence[FieldNode]) -> tuple[sql.Field, ...]:
        entity = sql.ENTITIES.get(type_.name)
        if entity is None:
            raise _NotCompiled
        fields: list[sql.Field] = []
        for key, field_nodes in self.collect(type_, nodes).items():
            node = field_nodes[0]
            name = node.name.value
            if name == "__typename":
                fields.append(sql.Constant(key, type_.name))
                continue
            if name not in type_.fields:
                raise _NotCompiled
            definition = type_.fields[name]
            if (type_.name, name) in sql.PAGES:
                source = sql.PAGES[type_.name, name]
                fields.append(self._connection(key, source, definition, field_nodes))
                continue
            if node.arguments:
                raise _NotCompiled
            if name == "id":
                fields.append(sql.Plain(key, "id", type_.name))
            elif name in entity.columns:
                fields.append(sql.Plain(key, name))
            elif (type_.name, name) in sql.LINKS:
                link = sql.LINKS[type_.name, name]
                target = self._object_type(definition.type, link.target)
                fields.append(sql.Lookup(key, link, target.name, self.fields(target, field_nodes)))
            elif (type_.name, name) in sql.LISTS:
                relation, listed_type = sql.LISTS[type_.name, name]
                target = self._object_type(definition.type, listed_type)
                listing = sql.Listing(key, relation, target.name, self.fields(target, field_nodes))
                fields.append(listing)
            else:
                raise _NotCompiled
        if len(fields) > sql.MAX_KEYS:
            raise _NotCompiled
        return tuple(fields)

    def _connection(
        self,
        key: str,
        source: tuple[Relation | sql.Listed, str],
        definition: GraphQLField,
        nodes: Sequence[FieldNode],
    ) -> sql.Connection:
        relation, node_type = source
        # Only the page's own arguments: a filter or an order is the resolvers' to apply.
        given = {argument.name.value for argument in nodes[0].arguments or ()}
        if not given <= set(sql.PAGES_ARGUMENTS) or not set(sql.PAGES_ARGUMENTS) <= set(
            definition.args
        ):
            raise _NotCompiled
        connection = get_named_type(definition.type)
        assert isinstance(connection, GraphQLObjectType)
        number = self._number()
        self.page_arguments[number] = _Arguments(definition, nodes[0])
        parts: list[sql.ConnectionPart] = []
        for part_key, part_nodes in self.collect(connection, nodes).items():
            part = part_nodes[0].name.value
            if part == "__typename":
                parts.append(sql.Constant(part_key, connection.name))
            elif part == "totalCount":
                parts.append(sql.TotalCount(part_key))
            elif part == "nodes":
                target = self._object_type(connection.fields[part].type, node_type)
                parts.append(sql.Nodes(part_key, self.fields(target, part_nodes)))
            elif part == "edges":
                edge = get_named_type(connection.fields[part].type)
                assert isinstance(edge, GraphQLObjectType)
                parts.append(sql.Edges(part_key, self._edge(edge, node_type, part_nodes)))
            elif part == "pageInfo":
                info = get_named_type(connection.fields[part].type)
                assert isinstance(info, GraphQLObjectType)
                parts.append(sql.PageInfo(part_key, self._page_info(info, part_nodes)))
            else:
                raise _NotCompiled
        return sql.Connection(key, relation, node_type, number, tuple(parts))

    def _edge(
        self, edge: GraphQLObjectType, node_type: str, nodes: Sequence[FieldNode]
    ) -> tuple[sql.EdgePart, ...]:
        parts: list[sql.EdgePart] = []
        for key, part_nodes in self.collect(edge, nodes).items():
            part = part_nodes[0].name.value
            if part == "__typename":
                parts.append(sql.Constant(key, edge.name))
            elif part == "cursor":
                parts.append(sql.Cursor(key))
            elif part == "node":
                target = self._object_type(edge.fields[part].type, node_type)
                parts.append(sql.EdgeNode(key, self.fields(target, part_nodes)))
            else:
                raise _NotCompiled
        return tuple(parts)

    def _page_info(
        self, info: GraphQLObjectType, nodes: Sequence[FieldNode]
    ) -> tuple[sql.PageInfoPart | sql.Constant, ...]:
        parts: list[sql.PageInfoPart | sql.Constant] = []
        for key, part_nodes in self.collect(info, nodes).items():
            part = part_nodes[0].name.value
            if part == "__typename":
                parts.append(sql.Constant(key, info.name))
            elif part in sql.PAGE_INFO:
                parts.append(sql.PageInfoPart(key, part))
            else:
                raise _NotCompiled
        return tuple(parts)


def plan_document(
    schema: GraphQLSchema, document: Any, operation_name: str | None
) -> ReadPlan | None:
    """The plan of a (valid) document's operation, or None when it needs the resolvers."""
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation is not OperationType.QUERY or operation.directives:
        return None
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    planner = _Planner(schema, fragments)
    try:
        parts = planner.roots(operation)
    except _NotCompiled:
        return None
    roots = tuple(part for part in parts if not isinstance(part, sql.Constant))
    return ReadPlan(operation, tuple(parts), roots, planner.root_arguments, planner.page_arguments)


def _engine(context: Context) -> AsyncEngine:
    engine = context.sessionmaker.kw["bind"]
    assert isinstance(engine, AsyncEngine)
    return engine


class CompiledReads:
    """The compiled path of one schema: plans cached per document and operation."""

    def __init__(
        self,
        schema: GraphQLSchema,
        checker: Checker,
        *,
        engine: AsyncEngine | None = None,
        tracing: bool = False,
    ) -> None:
        """`engine`: where the statements go (by default the request's own)."""
        self._schema = schema
        self._checker = checker
        self._engine = engine
        self._tracer = trace.get_tracer("wenming.compiled") if tracing else None
        self._plan = lru_cache(maxsize=_CACHED_PLANS)(self._plan_text)

    def _plan_text(self, query: str, operation_name: str | None) -> ReadPlan | None:
        document = self._checker.parse(query)
        return None if document is None else plan_document(self._schema, document, operation_name)

    async def answer(
        self,
        query: str,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
        context: Context,
    ) -> bytes | None:
        """The response body, or None for the resolvers to answer."""
        document = self._checker.parse(query)
        if document is None:
            return None
        policy = context.policy
        context.checked = errors, cost = self._checker.validate(
            query,
            document,
            operation_name,
            variables,
            introspection=policy.introspection,
            suggestions=policy.suggestions,
        )
        plan = None if errors else self._plan(query, operation_name)
        if plan is None:
            return None
        try:
            values = plan.bind(self._schema, variables)
            with self._span(plan):
                body = await plan.answer(self._engine or _engine(context), values)
        except (_NotCompiled, SQLAlchemyError, OSError):
            # A database that fails is reported by the resolvers' path, as it always is
            # (UNAVAILABLE, TIMEOUT, logged once), from their own attempt.
            return None
        context.cost = cost
        return body

    def _span(self, plan: ReadPlan) -> AbstractContextManager[object]:
        """With tracing on, the operation's span as strawberry names it, marked as
        answered by one statement (there are no resolver spans under it)."""
        if self._tracer is None:
            return nullcontext()
        name = plan.operation.name
        span = self._tracer.start_as_current_span(
            f"GraphQL Query: {name.value}" if name else "GraphQL Query",
            attributes={"wenming.read_path": "compiled", "wenming.roots": len(plan.roots)},
        )
        return span

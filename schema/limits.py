"""What a document may ask for, measured before it runs: depth, the objects it can return
(its cost), aliases, directives and the strings written in it.

The measure visits each selection of the document once. A fragment is measured once,
for one object of its type, and every spread of it reuses that measure scaled by the
page sizes above the spread; so fragments that spread each other twice (a document of
900 bytes standing for 2²³ selections) cost no more to measure than to read.
Which fields are lists, and of what, is read off the schema, never listed by hand."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    Undefined,
    ValueNode,
    get_named_type,
    value_from_ast_untyped,
)

from resolvers.comparison import MAX_COMPARED, MAX_METRICS
from resolvers.shape import DataShape
from schema.inputs import MAX_SEARCH_WORDS
from schema.relay import DEFAULT_FIRST, MAX_FIRST

__all__ = [
    "MAX_STRING",
    "Limits",
    "Measure",
    "comparison_cost",
    "measure",
    "period_cost",
    "ranking_cost",
    "string_problem",
]

# Longest string a client may send in an argument or variable: a name, a code, a cursor
# or search words fit many times over; 50 KB `nameContains` does not.
MAX_STRING = 1_000
# Past this every figure is "too much" already; saturating keeps the arithmetic small.
_CEILING = 10**12
# Fields and fragment spreads nested deeper than this are refused before the measure
# goes on, so that measuring needs a bounded stack whatever the document.
MAX_NESTING = 100


@dataclass(frozen=True, slots=True)
class Limits:
    """The bounds a document must stay within (settings may change them)."""

    max_depth: int = 12
    max_cost: int = 50_000
    # Selections written in the document, and times one name may be asked for in one
    # selection set: graphql-core compares every pair of same-named fields, so a
    # document of 20 KB that repeats one field a thousand times held the event loop 1 s.
    max_selections: int = 1_000
    max_repeats: int = 10
    max_aliases: int = 30
    max_directives: int = 50
    max_tokens: int = 5_000
    max_errors: int = 20


@dataclass(slots=True)
class Measure:
    """A document's operation, measured: nesting depth, cost in objects it can return,
    aliases and directives as if its fragments were written out, and the selections
    visited to find out (which the tests hold to the document's size)."""

    depth: int = 0
    cost: int = 0
    aliases: int = 0
    directives: int = 0
    visits: int = 0
    repeats: int = 0
    problems: list[str] = field(default_factory=list)

    def refusal(self, limits: Limits) -> str | None:
        """Why the operation is refused, in the caller's terms, or None."""
        if self.problems:
            return self.problems[0]
        if self.visits > limits.max_selections:
            return (
                f"the query has {self.visits:,} selections; at most {limits.max_selections:,} "
                "are allowed"
            )
        if self.repeats > limits.max_repeats:
            return (
                f"the query asks for one field {self.repeats:,} times in one place; at most "
                f"{limits.max_repeats} are allowed (use aliases for different arguments)"
            )
        if self.depth > limits.max_depth:
            return (
                f"the query nests {self.depth} levels deep; at most {limits.max_depth} are allowed"
            )
        if self.aliases > limits.max_aliases:
            return (
                f"the query uses {_figure(self.aliases)} aliases (counting each fragment "
                f"spread); at most {limits.max_aliases} are allowed"
            )
        if self.directives > limits.max_directives:
            return (
                f"the query uses {_figure(self.directives)} directives; at most "
                f"{limits.max_directives} are allowed"
            )
        if self.cost > limits.max_cost:
            return (
                f"the query could cost about {_figure(self.cost)} objects' work; at most "
                f"{limits.max_cost:,} are allowed: ask for smaller pages (`first`), fewer "
                "nested lists, fewer divisions, metrics or aliases"
            )
        return None


def string_problem(value: str) -> str | None:
    """Why a string from a client is refused, or None."""
    if len(value) > MAX_STRING:
        return f"is {len(value):,} characters long; at most {MAX_STRING:,} are accepted"
    if any(ord(c) < 32 and c not in "\t\n\r" for c in value):
        return "holds a control character (such as NUL); remove it"
    return None


def measure(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None = None,
    *,
    introspection: bool,
    shape: DataShape | None = None,
) -> Measure:
    """Measure the operation `operation_name` (or the only one) of `document`, with the
    request's variables where page sizes, divisions or metrics are given by them; with
    `shape`, a page counts no more rows than the longest such list holds."""
    measurer = _Measurer(schema, document, variables, introspection=introspection, shape=shape)
    return measurer.operation(operation_name)


@dataclass(slots=True)
class _Shape:
    depth: int = 0
    cost: int = 0
    aliases: int = 0
    directives: int = 0
    # Response names of this selection set's own fields (fragments' included), counted.
    names: dict[str, int] = field(default_factory=dict)

    def add(self, other: _Shape) -> None:
        """Merge what lies beside this in one selection set (a fragment, or a field's
        measure without its name)."""
        self.cost = _cap(self.cost + other.cost)
        self.aliases = _cap(self.aliases + other.aliases)
        self.directives = _cap(self.directives + other.directives)
        self.depth = max(self.depth, other.depth)
        for name, count in other.names.items():
            self.names[name] = _cap(self.names.get(name, 0) + count)


class _Measurer:
    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        variables: Mapping[str, Any] | None,
        *,
        introspection: bool,
        shape: DataShape | None = None,
    ):
        self._schema = schema
        self._shape = shape
        self._variables = dict(variables or {})
        self._introspection = introspection
        self._fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self._operations = [
            d for d in document.definitions if isinstance(d, OperationDefinitionNode)
        ]
        self._memo: dict[str, _Shape] = {}
        self._open: set[str] = set()
        self._nesting = 0
        self._too_deep = False
        self._result = Measure()

    def operation(self, name: str | None) -> Measure:
        chosen = [
            op for op in self._operations if name is None or (op.name and op.name.value == name)
        ]
        if len(chosen) != 1:
            return self._result  # graphql-core's own rules name the problem
        operation = chosen[0]
        root = self._schema.get_root_type(operation.operation)
        for definition in operation.variable_definitions or ():
            if definition.default_value is not None:
                self._strings(definition.default_value)
        shape = self._selections(operation.selection_set, root)
        shape.directives += len(operation.directives or ())
        # Nesting past MAX_NESTING (fragments included) counts as that deep at least.
        self._result.depth = max(shape.depth, MAX_NESTING + 1 if self._too_deep else 0)
        self._result.cost = shape.cost
        self._result.aliases = shape.aliases
        self._result.directives = shape.directives
        return self._result

    def _selections(
        self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType | None
    ) -> _Shape:
        shape = _Shape()
        if selection_set is None:
            return shape
        if self._nesting >= MAX_NESTING:
            self._too_deep = True
            return shape
        self._nesting += 1
        try:
            self._selection_set(selection_set, parent, shape)
        finally:
            self._nesting -= 1
        if shape.names:
            self._result.repeats = max(self._result.repeats, *shape.names.values())
        return shape

    def _selection_set(
        self, selection_set: SelectionSetNode, parent: GraphQLNamedType | None, shape: _Shape
    ) -> None:
        for selection in selection_set.selections:
            self._result.visits += 1
            shape.directives += len(selection.directives or ())
            for directive in selection.directives or ():
                for argument in directive.arguments or ():
                    self._strings(argument.value)
            if isinstance(selection, FieldNode):
                shape.add(self._field(selection, parent))
                name = (selection.alias or selection.name).value
                shape.names[name] = shape.names.get(name, 0) + 1
            elif isinstance(selection, InlineFragmentNode):
                condition = (
                    self._schema.get_type(selection.type_condition.name.value)
                    if selection.type_condition
                    else parent
                )
                shape.add(self._selections(selection.selection_set, condition))
            elif isinstance(selection, FragmentSpreadNode):
                shape.add(self._fragment(selection.name.value))

    def _fragment(self, name: str) -> _Shape:
        if name in self._memo:
            return self._memo[name]
        definition = self._fragments.get(name)
        if definition is None or name in self._open:
            return _Shape()  # unknown or cyclic: graphql-core's rules refuse it
        self._open.add(name)
        shape = self._selections(
            definition.selection_set, self._schema.get_type(definition.type_condition.name.value)
        )
        shape.directives += len(definition.directives or ())
        self._open.discard(name)
        self._memo[name] = shape
        return shape

    def _field(self, node: FieldNode, parent: GraphQLNamedType | None) -> _Shape:
        for argument in node.arguments or ():
            self._strings(argument.value)
        name = node.name.value
        if name.startswith("__") and name != "__typename" and self._introspection:
            # The schema bounds what introspection can return; its depth is its own.
            return _Shape(aliases=1 if node.alias else 0)
        definition = (
            parent.fields.get(name)
            if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType)
            else None
        )
        returns = definition.type if definition else None
        target = get_named_type(returns) if returns else None
        below = self._selections(node.selection_set, target)
        # A variable the request leaves out is as if the argument were not written.
        given = {
            argument.name.value: value_from_ast_untyped(argument.value, self._variables)
            for argument in node.arguments or ()
        }
        arguments = {key: value for key, value in given.items() if value is not Undefined}
        factor = _page_size(arguments, returns)
        bound = (
            self._shape.bound(parent.name, name)
            if self._shape is not None and parent is not None
            else None
        )
        if bound is not None:
            factor = min(factor, bound)
        work = _work(name, arguments) if parent is self._schema.query_type else 0
        own = _cap(factor + work)
        return _Shape(
            depth=below.depth + 1,
            cost=_cap(own + _cap(factor * below.cost)),
            aliases=below.aliases + (1 if node.alias else 0),
            directives=below.directives,
        )

    def _strings(self, value: ValueNode) -> None:
        if isinstance(value, StringValueNode):
            problem = string_problem(value.value)
            if problem and not self._result.problems:
                self._result.problems.append(f"a string in the query {problem}")
        elif isinstance(value, ListValueNode):
            for item in value.values:
                self._strings(item)
        elif isinstance(value, ObjectValueNode):
            for object_field in value.fields:
                self._strings(object_field.value)


def _page_size(arguments: Mapping[str, Any], returns: GraphQLOutputType | None) -> int:
    """How many objects a field can return for each object above it."""
    if "ids" in arguments:
        return _count(arguments["ids"], MAX_FIRST)
    if returns is not None and get_named_type(returns).name.endswith("Connection"):
        first = arguments.get("first", DEFAULT_FIRST)
        return first if isinstance(first, int) and 0 <= first <= MAX_FIRST else MAX_FIRST
    return 1


# Work that some root fields do beyond the objects they return, in the same unit:
# a value read and compared is one object. Where a value is neither written in the
# document nor given as a variable, the dearest case the field accepts is assumed.
# Divisions below a division, by how many levels down one looks.
_DIVISIONS_BELOW = {0: 1, 1: 15, 2: 150, 3: 2_000, 4: 30_000}
_LEVEL_DEPTH = {"PROVINCE": 0, "PREFECTURE": 1, "COUNTY": 2, "TOWNSHIP": 3, "VILLAGE": 4}
_SEARCH_TERM_COST = 50


def comparison_cost(divisions: int, metrics: int, period: int) -> int:
    """The work of comparing divisions on metrics over a period of `period` units."""
    return _cap(divisions * metrics * period)


def ranking_cost(within: str | None, level: str, metrics: int, period: int) -> int:
    """The work of ranking the divisions of `level` (PROVINCE … VILLAGE) within a code
    (any province when unknown), each value and the previous period's."""
    within_depth = _code_depth(within) if within else 0
    ranked = _DIVISIONS_BELOW.get(max(_LEVEL_DEPTH.get(level.upper(), 2) - within_depth, 0), 1)
    return _cap(2 * ranked * metrics * period)


def period_cost(name: str | None, *, is_range: bool) -> int:
    """A named period reads the rollup (one row a month); a range of days reads events."""
    if is_range:
        return 100
    if name is None:
        return 12
    return 12 if len(name) == 4 else 3 if "Q" in name else 1


def _work(name: str, arguments: Mapping[str, Any]) -> int:
    if name == "compare":
        return comparison_cost(
            _count(arguments.get("divisionCodes"), MAX_COMPARED),
            _count(arguments.get("metrics"), MAX_METRICS),
            _period(arguments.get("period")),
        )
    if name == "ranking":
        if "index" in arguments:
            metrics = _count(arguments["index"], MAX_METRICS)
        else:
            metrics = MAX_METRICS if "indexName" in arguments else 1
        within, level = arguments.get("within"), arguments.get("level", "COUNTY")
        return ranking_cost(
            within if isinstance(within, str) else None,
            level if isinstance(level, str) else "VILLAGE",
            metrics,
            _period(arguments.get("period")),
        )
    if name == "stories":
        found = arguments.get("filter")
        search = found.get("search") if isinstance(found, dict) else None
        if isinstance(search, str):
            return _SEARCH_TERM_COST * max(len(set(search.split())), 1)
        return _SEARCH_TERM_COST * MAX_SEARCH_WORDS if search is not None else 0
    return 0


def _period(period: object) -> int:
    if not isinstance(period, dict):
        return period_cost(None, is_range=True)
    name = period.get("name")
    return period_cost(name if isinstance(name, str) else None, is_range="from" in period)


def _code_depth(code: str) -> int:
    """0 for a province's code, 1 a prefecture's, 2 a county's, 3 a township's …"""
    significant = len(code.rstrip("0"))
    return sum(significant > width for width in (2, 4, 6, 9))


def _count(value: object, if_unknown: int) -> int:
    if isinstance(value, list):
        return max(len(value), 1)
    return 1 if isinstance(value, str | dict) else if_unknown


def _cap(value: int) -> int:
    return min(value, _CEILING)


def _figure(value: int) -> str:
    return f"more than {_CEILING:,}" if value >= _CEILING else f"{value:,}"

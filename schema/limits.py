"""Refuse queries that would ask for too much before running them (QUERY_TOO_COMPLEX)."""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
)

from schema.relay import DEFAULT_FIRST, MAX_FIRST

__all__ = ["MAX_DEPTH", "MAX_NODES", "ComplexityLimit"]

MAX_DEPTH = 12
MAX_NODES = 50_000


class ComplexityLimit(ValidationRule):
    """Estimates how many objects an operation can return: each connection multiplies
    what is below it by its `first` (the cap when `first` is a variable)."""

    def enter_operation_definition(self, node: OperationDefinitionNode, *_args: Any) -> None:
        depth, nodes = self._measure(node.selection_set, multiplier=1, depth=1, seen=frozenset())
        if depth > MAX_DEPTH:
            self._refuse(
                node, f"the query nests {depth} levels deep; at most {MAX_DEPTH} are allowed"
            )
        elif nodes > MAX_NODES:
            self._refuse(
                node,
                f"the query could return about {nodes:,} objects; at most {MAX_NODES:,} are "
                "allowed: ask for smaller pages (`first`) or fewer nested lists",
            )

    def _measure(
        self,
        selection_set: SelectionSetNode | None,
        *,
        multiplier: int,
        depth: int,
        seen: frozenset[str],
    ) -> tuple[int, int]:
        if selection_set is None:
            return depth - 1, 0
        deepest, total = depth, 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                factor = _page_size(selection)
                below_depth, below = self._measure(
                    selection.selection_set,
                    multiplier=multiplier * factor,
                    depth=depth + 1,
                    seen=seen,
                )
                total += multiplier * factor + below
                deepest = max(deepest, below_depth)
            elif isinstance(selection, InlineFragmentNode):
                inner_depth, inner = self._measure(
                    selection.selection_set, multiplier=multiplier, depth=depth, seen=seen
                )
                total += inner
                deepest = max(deepest, inner_depth)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.context.get_fragment(name)
                if fragment is None or name in seen:
                    continue
                inner_depth, inner = self._measure(
                    fragment.selection_set, multiplier=multiplier, depth=depth, seen=seen | {name}
                )
                total += inner
                deepest = max(deepest, inner_depth)
        return deepest, total

    def _refuse(self, node: OperationDefinitionNode, message: str) -> None:
        self.report_error(GraphQLError(message, node, extensions={"code": "QUERY_TOO_COMPLEX"}))


def _page_size(field: FieldNode) -> int:
    for argument in field.arguments or ():
        if argument.name.value == "first":
            value = argument.value
            return int(value.value) if isinstance(value, IntValueNode) else MAX_FIRST
        if argument.name.value == "ids":
            return MAX_FIRST
    return DEFAULT_FIRST if field.name.value in _CONNECTION_FIELDS else 1


# Connection fields asked for without `first` still return a default page.
_CONNECTION_FIELDS = frozenset(
    {
        "children",
        "sites",
        "teams",
        "activities",
        "stories",
        "centers",
        "subCenters",
        "institutes",
        "stations",
        "points",
        "subTeams",
        "members",
        "projects",
        "records",
        "entries",
        "divisions",
        "volunteers",
        "orders",
        "households",
        "syncRuns",
        "quarantine",
    }
)

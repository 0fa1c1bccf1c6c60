"""Ordering records so that parents are written before the records that name them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from connectors.normalise import clean_text

__all__ = ["parents_first"]


def parents_first(
    rows: Sequence[tuple[int, Mapping[str, Any]]], key: str, parent_key: str
) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """Rows ordered so that each comes after the row it names as parent; rows whose
    parent is unknown (or that form a cycle) keep their place at the end."""
    by_key = {clean_text(row.get(key)): (position, row) for position, row in rows}
    done: set[str] = set()
    ordered: list[tuple[int, Mapping[str, Any]]] = []

    def visit(name: str, trail: frozenset[str]) -> None:
        if name in done or name in trail or name not in by_key:
            return
        position, row = by_key[name]
        visit(clean_text(row.get(parent_key)), trail | {name})
        done.add(name)
        ordered.append((position, row))

    for position, row in rows:
        name = clean_text(row.get(key))
        if name in by_key and by_key[name][0] == position:
            visit(name, frozenset())
        else:
            ordered.append((position, row))
    return iter(ordered)

"""Relay: the Node interface, opaque global ids, cursor connections."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import strawberry
from sqlalchemy.orm import InstrumentedAttribute
from strawberry.types.nodes import SelectedField, Selection

from resolvers.common import MAX_KEY, MAX_KEY_DIGITS, shown
from resolvers.paging import Page, PageRequest
from resolvers.relations import Relation
from schema.errors import BadUserInput
from schema.info import Info

__all__ = [
    "DEFAULT_FIRST",
    "MAX_FIRST",
    "Connection",
    "Edge",
    "Node",
    "PageInfo",
    "asks_total",
    "connection",
    "decode_global_id",
    "encode_global_id",
    "page_request",
    "related",
    "related_page",
    "row_key",
]

DEFAULT_FIRST = 20
MAX_FIRST = 100
# Far past any list's length, and small enough for every database's integers.
MAX_OFFSET = 1_000_000_000
_KEY = re.compile(rf"[0-9]{{1,{MAX_KEY_DIGITS}}}")
_OFFSET = re.compile(r"[0-9]{1,10}")

T = TypeVar("T")
R = TypeVar("R")


@strawberry.interface(description="An object with a global, opaque id (Relay).")
class Node:
    id: strawberry.ID


def encode_global_id(type_name: str, key: object) -> strawberry.ID:
    return strawberry.ID(
        base64.urlsafe_b64encode(f"{type_name}:{key}".encode()).decode().rstrip("=")
    )


def decode_global_id(global_id: str) -> tuple[str, str]:
    """(type name, key) from a global id; a malformed one is BAD_USER_INPUT. Every key
    the hub makes is ASCII digits that fit a 64-bit column (division codes included), so
    anything else (a 30-digit number, Arabic-Indic digits, a sign) is refused here."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, key = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadUserInput(f"{shown(global_id)} is not a valid id") from None
    if not type_name.isidentifier() or not _KEY.fullmatch(key):
        raise BadUserInput(f"{shown(global_id)} is not a valid id")
    return type_name, key


def row_key(global_id: str, key: str) -> int:
    """The row key of a global id's key part, refused if no row could have it."""
    value = int(key)
    if value > MAX_KEY:
        raise BadUserInput(f"{shown(global_id)} is not a valid id")
    return value


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _offset(cursor: str) -> int:
    try:
        kind, _, value = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadUserInput(f"{shown(cursor)} is not a cursor of this list") from None
    if kind != "offset" or not _OFFSET.fullmatch(value) or int(value) > MAX_OFFSET:
        raise BadUserInput(f"{shown(cursor)} is not a cursor of this list")
    return int(value)


def page_request(
    first: int | None, after: str | None, *, cap: int = MAX_FIRST, counted: bool = True
) -> PageRequest:
    """What `first`/`after` ask for; beyond the cap is an error, never a silent cut."""
    size = DEFAULT_FIRST if first is None else first
    if size < 0:
        raise BadUserInput("`first` must not be negative")
    if size > cap:
        raise BadUserInput(f"`first` is {size}; at most {cap} items can be asked for at once")
    return PageRequest(first=size, offset=_offset(after) + 1 if after else 0, counted=counted)


def asks_total(info: Info) -> bool:
    """Whether the connection being resolved selects `totalCount` (in fragments too):
    only then is its list counted."""
    pending: list[Selection] = list(info.selected_fields)
    while pending:
        selection = pending.pop()
        if isinstance(selection, SelectedField):
            if selection.name == "totalCount":
                return True
            # Only the connection's own fields: a nested list's totalCount is its own.
            if selection.name in {"edges", "nodes", "pageInfo"}:
                continue
        pending.extend(selection.selections)
    return False


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    total_count: int

    @strawberry.field(description="The nodes of the edges, for clients that need no cursors.")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


def connection(page: Page[R], adapt: Callable[[R], T]) -> Connection[T]:
    """The page as a connection. A page read without its total (`asks_total` said the
    document does not select it) answers 0 there, where nothing reads it."""
    edges = [
        Edge(cursor=_cursor(page.offset + index), node=adapt(row))
        for index, row in enumerate(page.rows)
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=page.total or 0,
    )


async def related_page(
    info: Info, relation: Relation, key: object, first: int | None, after: str | None
) -> Page[Any]:
    """A page of a parent's related rows, batched with its siblings' by the loader."""
    request = page_request(first, after, counted=asks_total(info))
    return await info.context.loaders.page(relation).load((key, request))


async def related(
    info: Info, column: InstrumentedAttribute[Any], key: object | None, adapt: Callable[[Any], T]
) -> T | None:
    """The object a foreign key points at (batched by the loader), or None."""
    if key is None:
        return None
    row = await info.context.loaders.row(column).load(key)
    return adapt(row) if row is not None else None

"""Every argument of every root field, given values a careless or hostile client sends
(numbers past any column, non-ASCII digits, NUL bytes, 50 KB strings, years 1 and 9999,
instants without a zone), answers a GraphQL error in the caller's words: never INTERNAL,
never a 500, never the value echoed back at length.

The cases are derived from the schema itself, so a field or argument added later is
probed without anyone remembering to list it."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    Undefined,
    get_named_type,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from schema import build_schema
from schema.limits import string_problem
from tests.graphql import hub_app


def _gid(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


HUGE = "9" * 30
_ID_TYPES = ("Volunteer", "Team", "Site", "Station", "PointsAccount", "Division", "NewsFeed")
HOSTILE: dict[str, list[Any]] = {
    "ID": [
        *(_gid(f"{name}:{HUGE}") for name in _ID_TYPES),
        *(_gid(f"{name}:{2**31}") for name in _ID_TYPES),
        _gid(f"Division:{10**12}"),
        _gid("Volunteer:١٢٣"),
        _gid("Team:-1"),
        _gid("Team:1\x00"),
        "x" * 50_000,
        "\x00",
    ],
    "String": [
        HUGE,
        "x" * 50_000,
        "a\x00b",
        "",
        "9999",
        "9999-Q4",
        "0001-01",
        "%_\\",
        base64.urlsafe_b64encode(f"offset:{HUGE}".encode()).decode(),
        "文明实践 " * 20_000,
    ],
    "Int": [2_147_483_647, -2_147_483_648],
    "Float": [1e308, -1e308],
    "Date": ["0001-01-01", "9999-12-31"],
    "DateTime": [
        "2026-01-01T00:00:00",
        "0001-01-01T00:00:00+00:00",
        "0001-01-01T00:00:00+08:00",
        "9999-12-31T23:59:59-12:00",
    ],
}

# Required arguments that are not probed get a value that works.
REQUIRED: dict[str, Any] = {
    "code": "522601",
    "within": "520000",
    "divisionCodes": ["522601"],
    "metrics": ["activities"],
    "period": {"name": "2026"},
    "id": _gid("Team:1"),
    "ids": [_gid("Team:1")],
}
EXTRA = {"ranking": {"metric": "activities"}}


@dataclass(frozen=True)
class Probe:
    field: str
    path: tuple[str, ...]
    type_name: str
    value: Any

    @property
    def label(self) -> str:
        shown = repr(self.value)
        return f"{self.field}({'.'.join(self.path)}={shown[:40]})"


def _leaves(
    type_: GraphQLInputType, path: tuple[str, ...]
) -> Iterator[tuple[tuple[str, ...], str]]:
    named = get_named_type(type_)
    if isinstance(named, GraphQLInputObjectType):
        for name, field in named.fields.items():
            yield from _leaves(field.type, (*path, name))
    elif isinstance(named, GraphQLScalarType) and named.name in HOSTILE:
        yield path, named.name


def _wrap(type_: GraphQLInputType, value: Any) -> Any:
    """`value` shaped for `type_`: in a list where the type is a list."""
    if isinstance(type_, GraphQLNonNull):
        return _wrap(type_.of_type, value)
    if isinstance(type_, GraphQLList):
        return [_wrap(type_.of_type, value)]
    return value


def _nested(
    arguments: dict[str, GraphQLArgument | GraphQLInputField], path: tuple[str, ...], value: Any
) -> dict[str, Any]:
    head, *rest = path
    type_ = arguments[head].type
    if not rest:
        return {head: _wrap(type_, value)}
    named = get_named_type(type_)
    assert isinstance(named, GraphQLInputObjectType)
    inner = _nested(dict(named.fields), tuple(rest), value)
    return {head: [inner] if _is_list(type_) else inner}


def _is_list(type_: GraphQLInputType) -> bool:
    if isinstance(type_, GraphQLNonNull):
        return _is_list(type_.of_type)
    return isinstance(type_, GraphQLList)


_QUERY = build_schema()._schema.query_type
assert _QUERY is not None
QUERY = _QUERY


def probes() -> list[Probe]:
    query_type = QUERY
    found: list[Probe] = []
    for field_name, field in query_type.fields.items():
        for arg_name, argument in field.args.items():
            for path, type_name in _leaves(argument.type, (arg_name,)):
                found.extend(
                    Probe(field_name, path, type_name, value) for value in HOSTILE[type_name]
                )
    return found


def _selection(probe: Probe, alias: str) -> tuple[str, str, dict[str, Any]]:
    """(variable declarations, the aliased field, variables) for one probe."""
    field = QUERY.fields[probe.field]
    values: dict[str, Any] = dict(EXTRA.get(probe.field, {}))
    for name, argument in field.args.items():
        required = isinstance(argument.type, GraphQLNonNull) and argument.default_value is Undefined
        if required and name not in values:
            values[name] = REQUIRED[name]
    values.update(_nested(dict(field.args), probe.path, probe.value))
    declared = ", ".join(f"${alias}_{name}: {field.args[name].type}" for name in values)
    passed = ", ".join(f"{name}: ${alias}_{name}" for name in values)
    named = get_named_type(field.type)
    selection = "" if isinstance(named, GraphQLScalarType | GraphQLEnumType) else "{ __typename }"
    variables = {f"{alias}_{name}": value for name, value in values.items()}
    return declared, f"{alias}: {probe.field}({passed}) {selection}", variables


def _batch(batch: list[Probe]) -> tuple[str, dict[str, Any]]:
    """One document asking for each probe under an alias of its own."""
    declarations, fields, variables = [], [], {}
    for index, probe in enumerate(batch):
        declared, selection, values = _selection(probe, f"p{index}")
        declarations.append(declared)
        fields.append(selection)
        variables.update(values)
    return f"query P({', '.join(declarations)}) {{ {' '.join(fields)} }}", variables


ALL_PROBES = probes()
# Strings past the bounds every variable obeys are refused before any field runs
# (tests/hub/test_limits.py); the rest reach the resolvers, many probes a request.
FIELD_PROBES = [
    probe
    for probe in ALL_PROBES
    if not (isinstance(probe.value, str) and string_problem(probe.value))
]
BATCH = 25


def test_every_kind_of_argument_is_probed() -> None:
    fields = {probe.field for probe in ALL_PROBES}
    assert {"node", "volunteers", "stories", "compare", "ranking", "orders"} <= fields
    assert {probe.type_name for probe in FIELD_PROBES} == set(HOSTILE)


@pytest.fixture
async def client(demo_engine: AsyncEngine) -> Any:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=hub_app(demo_engine, rate_limits={}, max_cost=10**9)),
        base_url="http://hub",
    ) as c:
        yield c


@pytest.mark.parametrize("key", [None, "admin-key"])
async def test_hostile_arguments_get_errors_in_the_callers_words(
    client: httpx.AsyncClient, key: str | None
) -> None:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    failures: list[str] = []
    refused = 0
    pending = [FIELD_PROBES[i : i + BATCH] for i in range(0, len(FIELD_PROBES), BATCH)]
    while pending:
        batch = pending.pop()
        query, variables = _batch(batch)
        response = await client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        if response.status_code != 200:
            failures.append(f"{batch[0].label}…: HTTP {response.status_code} {response.text[:200]}")
            continue
        errors = response.json().get("errors", [])
        if len(batch) > 1 and any("path" not in error for error in errors):
            # A variable refused before execution stops the whole document: one by one.
            pending.extend([probe] for probe in batch)
            continue
        for error in errors:
            label = batch[int(str(error.get("path", ["p0"])[0])[1:])].label
            code = error.get("extensions", {}).get("code")
            refused += code == "BAD_USER_INPUT"
            if code not in {"BAD_USER_INPUT", "NOT_FOUND", "FORBIDDEN"}:
                failures.append(f"{label}: {code} {error['message'][:120]}")
            elif len(error["message"]) > 600:
                failures.append(f"{label}: a message of {len(error['message'])} characters")
    assert not failures, "\n".join(failures)
    # The probes reach the resolvers: many hostile values are refused there, by name.
    assert refused > len(FIELD_PROBES) // 3

"""Read plans answered by one SQL statement that builds the JSON in the database.

A plan (made from a GraphQL document by `schema.compiled`) names the fields of each
object, the rows they come from and the pages of each connection. `CompiledStatement`
turns it, once per plan and database, into one statement: PostgreSQL's
`json_build_object`/`json_agg`, SQLite's `json_object`/`json_group_array`, each page a
correlated subquery with its LIMIT, as PostGraphile does. Per request only the page sizes,
offsets and keys are bound; the database returns the answer's text and Python touches no
object of it.

What a plan may hold is the tables below: the columns of each entity (`ENTITIES`), the
links to one row (`LINKS`), the lists and pages of the batched relations of
`resolvers.relations` (`LISTS`, `PAGES`) and the root fields (`ROOTS`, `ROOT_LISTS`).
Anything else (personal data, statistics, search) stays on the resolvers.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    SQLColumnExpression,
    String,
    Subquery,
    Text,
    case,
    cast,
    func,
    literal_column,
    null,
    select,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import InstrumentedAttribute

from db import models as m
from resolvers import relations
from resolvers.relations import Relation
from resolvers.sites import (
    DivisionCriteria,
    SiteCriteria,
    center_statement,
    division_statement,
    site_statement,
)
from resolvers.teams import TeamCriteria, VolunteerCriteria, team_statement, volunteer_statement

__all__ = [
    "ENTITIES",
    "LINKS",
    "LISTS",
    "PAGES",
    "PAGES_ARGUMENTS",
    "PAGE_INFO",
    "ROOTS",
    "ROOT_LISTS",
    "SITE_TYPES",
    "CompiledStatement",
    "Connection",
    "Constant",
    "Entity",
    "Link",
    "Listed",
    "Listing",
    "Lookup",
    "PageInfoPart",
    "Plain",
    "Root",
    "RootList",
    "TooDeep",
]


# What SQLite's parser and PostgreSQL's executor say of a statement nested too deep.
_TOO_DEEP = ("parser stack overflow", "stack depth limit exceeded")


class TooDeep(Exception):
    """The database refuses the statement for its depth: the resolvers answer instead."""


class Kind(enum.Enum):
    """How a column's value becomes JSON."""

    PLAIN = "plain"
    BOOLEAN = "boolean"
    ENUM = "enum"  # stored as its value, answered as its GraphQL name (the upper case)


@dataclass(frozen=True, slots=True)
class Column:
    attribute: InstrumentedAttribute[Any]
    kind: Kind = Kind.PLAIN


@dataclass(frozen=True, slots=True)
class Entity:
    """A table the plan reads objects from: its key (for global ids) and columns by field."""

    key: InstrumentedAttribute[Any]
    columns: Mapping[str, Column]


_SITE = Entity(
    m.Site.id,
    {
        "name": Column(m.Site.name),
        "kind": Column(m.Site.kind, Kind.ENUM),
        "isDemonstration": Column(m.Site.is_demonstration, Kind.BOOLEAN),
        "status": Column(m.Site.status, Kind.ENUM),
        "openedOn": Column(m.Site.opened_on),
    },
)
_DIVISION = Entity(
    m.Division.code,
    {
        "code": Column(m.Division.code),
        "name": Column(m.Division.name),
        "level": Column(m.Division.level, Kind.ENUM),
        "population": Column(m.Division.population),
    },
)
# A volunteer's public columns only: names (masked in Python) and hours (rounded as
# Python rounds) stay on the resolvers.
_VOLUNTEER = Entity(
    m.Volunteer.id,
    {
        "volunteerNumber": Column(m.Volunteer.volunteer_number),
        "gender": Column(m.Volunteer.gender, Kind.ENUM),
        "registeredOn": Column(m.Volunteer.registered_on),
    },
)
_TEAM = Entity(
    m.Team.id,
    {
        "name": Column(m.Team.name),
        "kind": Column(m.Team.kind, Kind.ENUM),
        "foundedOn": Column(m.Team.founded_on),
    },
)
SITE_TYPES = ("PrefectureCenter", "Center", "SubCenter", "Institute", "Station", "Point")
ENTITIES: Mapping[str, Entity] = {
    **dict.fromkeys(SITE_TYPES, _SITE),
    "Division": _DIVISION,
    "Volunteer": _VOLUNTEER,
    "Team": _TEAM,
}


@dataclass(frozen=True, slots=True)
class Link:
    """A field naming one row of another entity through a foreign key (null when the
    key is)."""

    target: str
    foreign: InstrumentedAttribute[Any]


LINKS: Mapping[tuple[str, str], Link] = {
    **{(name, "division"): Link("Division", m.Site.division_code) for name in SITE_TYPES},
    ("Division", "parent"): Link("Division", m.Division.parent_code),
    ("Volunteer", "county"): Link("Division", m.Volunteer.county_code),
    ("Team", "county"): Link("Division", m.Team.county_code),
    ("Team", "parent"): Link("Team", m.Team.parent_id),
}

# Fields listing every related row (no paging), as the resolvers' `all` loaders do.
LISTS: Mapping[tuple[str, str], tuple[Relation, str]] = {
    ("Volunteer", "teams"): (relations.TEAMS_OF_VOLUNTEER, "Team"),
}

PAGES: Mapping[tuple[str, str], tuple[Relation, str]] = {
    ("PrefectureCenter", "centers"): (relations.CENTERS_OF_PREFECTURE, "Center"),
    ("PrefectureCenter", "subCenters"): (relations.SUB_CENTERS_OF_PARENT, "SubCenter"),
    ("Center", "institutes"): (relations.INSTITUTES_OF_CENTER, "Institute"),
    ("Center", "subCenters"): (relations.SUB_CENTERS_OF_PARENT, "SubCenter"),
    ("SubCenter", "institutes"): (relations.INSTITUTES_OF_PARENT, "Institute"),
    ("Institute", "stations"): (relations.STATIONS_OF_INSTITUTE, "Station"),
    ("Station", "points"): (relations.POINTS_OF_SITE, "Point"),
    ("Division", "children"): (relations.CHILD_DIVISIONS, "Division"),
    ("Team", "subTeams"): (relations.SUB_TEAMS, "Team"),
}


# Root fields a plan may start from: (argument bound per request) → one row or none.
ROOTS: Mapping[str, tuple[str, str]] = {"center": ("divisionCode", "Center")}
_ROOT_STATEMENTS = {"center": center_statement}


@dataclass(frozen=True, slots=True)
class Listed:
    """A root list asked for without filter or order: its rows as the resolvers read
    them (`schema.query`), in the order they give it then, by key."""

    statement: Callable[[], Select[Any]]


ROOT_LISTS: Mapping[str, tuple[Listed, str]] = {
    "volunteers": (Listed(lambda: volunteer_statement(VolunteerCriteria())), "Volunteer"),
    "teams": (Listed(lambda: team_statement(TeamCriteria())), "Team"),
    "divisions": (Listed(lambda: division_statement(DivisionCriteria())), "Division"),
    "centers": (
        Listed(lambda: site_statement(SiteCriteria()).where(m.Site.kind == m.SiteKind.CENTER)),
        "Center",
    ),
}


@dataclass(frozen=True, slots=True)
class Plain:
    """A column of the object (`source` is a field of `Entity.columns`) or its global id."""

    key: str
    source: str
    type_name: str = ""  # set for "id": the global id's type


@dataclass(frozen=True, slots=True)
class Constant:
    """`__typename` and the like: the same text on every object."""

    key: str
    value: str


@dataclass(frozen=True, slots=True)
class Lookup:
    key: str
    link: Link
    type_name: str
    fields: tuple[Field, ...]


@dataclass(frozen=True, slots=True)
class PageInfoPart:
    key: str
    which: str  # hasNextPage, hasPreviousPage, startCursor, endCursor or a Constant


@dataclass(frozen=True, slots=True)
class Connection:
    """A page of related rows (or of a root list); `number` names its bound size and
    offset."""

    key: str
    relation: Relation | Listed
    type_name: str
    number: int
    parts: tuple[ConnectionPart, ...]


@dataclass(frozen=True, slots=True)
class Listing:
    """Every related row, in the relation's order."""

    key: str
    relation: Relation
    type_name: str
    fields: tuple[Field, ...]


@dataclass(frozen=True, slots=True)
class Edges:
    key: str
    parts: tuple[EdgePart, ...]


@dataclass(frozen=True, slots=True)
class Nodes:
    key: str
    fields: tuple[Field, ...]


@dataclass(frozen=True, slots=True)
class EdgeNode:
    key: str
    fields: tuple[Field, ...]


@dataclass(frozen=True, slots=True)
class Cursor:
    key: str


@dataclass(frozen=True, slots=True)
class TotalCount:
    key: str


@dataclass(frozen=True, slots=True)
class PageInfo:
    key: str
    parts: tuple[PageInfoPart | Constant, ...]


Field = Plain | Constant | Lookup | Connection | Listing
ConnectionPart = TotalCount | Edges | Nodes | PageInfo | Constant
EdgePart = Cursor | EdgeNode | Constant


@dataclass(frozen=True, slots=True)
class Root:
    """A root field: its statement's argument is bound as `root_<number>`."""

    key: str
    field: str
    type_name: str
    number: int
    fields: tuple[Field, ...]


@dataclass(frozen=True, slots=True)
class RootList:
    """A root connection (`Listed`)."""

    key: str
    connection: Connection


# The arguments a compiled connection takes, and the PageInfo fields it answers.
PAGES_ARGUMENTS = ("first", "after")
PAGE_INFO = ("hasNextPage", "hasPreviousPage", "startCursor", "endCursor")

_KEY = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")
_PLACEHOLDER = re.compile(r":((?:root|first|offset)_[0-9]+)\b")
# PostgreSQL's functions take at most 100 arguments: 50 keys and their values.
MAX_KEYS = 50


class _Json:
    """The JSON functions of one database."""

    def __init__(self, dialect: Dialect) -> None:
        self.postgres = dialect.name == "postgresql"
        self.types: dict[str, str] = {}

    def parameter(self, name: str, type_: type[Integer] | type[String]) -> ColumnElement[Any]:
        """A value bound per request. The statement is compiled with its constants
        written inline (the relations' kinds and states), so the placeholders the driver
        fills are written here, as sqlite3's `:name` (`placeholders` turns them into
        asyncpg's `$n`)."""
        self.types[name] = "INTEGER" if type_ is Integer else "VARCHAR"
        return literal_column(f":{name}", type_)

    def placeholders(self, sql: str) -> tuple[str, tuple[str, ...]]:
        """The SQL as the driver takes it, and the parameters' names in their order.
        PostgreSQL numbers only those the statement uses (a page asked for its total
        alone never uses its size): a number it cannot type is an error there."""
        if not self.postgres:
            return sql, tuple(self.types)
        names: list[str] = []

        def number(found: re.Match[str]) -> str:
            name = found.group(1)
            if name not in names:
                names.append(name)
            return f"${names.index(name) + 1}::{self.types[name]}"

        return _PLACEHOLDER.sub(number, sql), tuple(names)

    def key(self, name: str) -> ColumnElement[Any]:
        # Response keys are GraphQL names (checked by the planner): safe to write inline.
        assert _KEY.fullmatch(name)
        return literal_column(f"'{name}'", String)

    def text(self, value: str) -> ColumnElement[Any]:
        assert _KEY.fullmatch(value.removesuffix(":"))
        return literal_column(f"'{value}'", String)

    def object(self, pairs: Sequence[tuple[str, ColumnElement[Any]]]) -> ColumnElement[Any]:
        arguments: list[ColumnElement[Any]] = []
        for name, value in pairs:
            arguments += [self.key(name), value]
        function = func.json_build_object if self.postgres else func.json_object
        return function(*arguments)

    def nested(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        """JSON that came out of a subquery: SQLite sees text there unless told."""
        return value if self.postgres else func.json(value)

    def array(self, value: ColumnElement[Any], order: ColumnElement[Any]) -> ColumnElement[Any]:
        if self.postgres:
            return func.coalesce(
                func.json_agg(aggregate_order_by(value, order)), literal_column("'[]'::json")
            )
        # SQLite aggregates in the order its subquery hands the rows over (ordered), and
        # `value` comes straight from json_object: it is taken as JSON, not as text.
        return func.json_group_array(value)

    def boolean(self, value: ColumnElement[Any], *, nullable: bool = True) -> ColumnElement[Any]:
        """SQLite has no booleans: 1 and 0 become JSON's true and false (a test that is
        never null, such as EXISTS, is written once)."""
        if self.postgres:
            return value
        truth = case((value == 1, func.json("true")), else_=func.json("false"))
        return case((value.is_(None), null()), else_=truth) if nullable else truth

    def b64(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        if self.postgres:
            encoded = func.encode(func.convert_to(value, "UTF8"), "base64")
            return func.translate(encoded, "+/", "-_")
        return func.urlsafe_b64(value)

    def global_id(self, type_name: str, key: ColumnElement[Any]) -> ColumnElement[Any]:
        return func.rtrim(self.b64(self.text(type_name + ":") + cast(key, Text)), "=")

    def cursor(self, position: ColumnElement[Any]) -> ColumnElement[Any]:
        return self.b64(self.text("offset:") + cast(position, Text))


def _label(source: str) -> str:
    return f"c_{source}"


def _link_label(link: Link) -> str:
    return f"l_{link.foreign.key}"


def _node_fields(connection: Connection) -> tuple[Field, ...]:
    fields: list[Field] = []
    for part in connection.parts:
        if isinstance(part, Nodes):
            fields += part.fields
        elif isinstance(part, Edges):
            for edge_part in part.parts:
                if isinstance(edge_part, EdgeNode):
                    fields += edge_part.fields
    return tuple(fields)


def _row_columns(entity: Entity, fields: Sequence[Field]) -> list[ColumnElement[Any]]:
    """The columns an object's fields read: its key, its columns, its links' keys."""
    columns: dict[str, ColumnElement[Any]] = {"k": entity.key.label("k")}
    for field in fields:
        if isinstance(field, Plain) and field.source != "id":
            columns[_label(field.source)] = entity.columns[field.source].attribute.label(
                _label(field.source)
            )
        elif isinstance(field, Lookup):
            columns[_link_label(field.link)] = field.link.foreign.label(_link_label(field.link))
    return list(columns.values())


def _related(relation: Relation, parent: Subquery) -> Select[Any]:
    """The relation's rows of one parent row. Correlated by name: they sit in the FROM of
    a subquery two levels below that row, where SQLAlchemy would otherwise add the row
    to their FROM."""
    return relation.statement().where(relation.partition == parent.c.k).correlate(parent)


def _ranked(
    related: Select[Any], relation: Relation, columns: Sequence[ColumnElement[Any]]
) -> Select[Any]:
    """`related` in the relation's order with each row's rank (`rn`), taken before any
    LIMIT, over the parent's whole list: the row's position, which its cursor says."""
    rank = func.row_number().over(order_by=list(relation.order_by))
    return related.with_only_columns(
        *columns, rank.label("rn"), maintain_column_froms=True
    ).order_by(*relation.order_by)


class CompiledStatement:
    """One plan's statement on one database, compiled once; `run` binds and executes."""

    def __init__(self, roots: Sequence[Root | RootList], dialect: Dialect) -> None:
        self._json = _Json(dialect)
        statement = select(
            *(self._root(root).label(f"r{index}") for index, root in enumerate(roots))
        )
        self.sql, self._names = self._json.placeholders(
            statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}).string
        )

    async def run(self, engine: AsyncEngine, values: Mapping[str, object]) -> list[str | None]:
        """Each root field's answer as JSON text (None for null); TooDeep when the
        database cannot parse a statement nested this deep. One pooled connection, no
        ORM session: there is nothing to map (`engine` is best made with
        `db.engine.create_engine(…, single_reads=True)`)."""
        bound = tuple(values[name] for name in self._names) if self._json.postgres else dict(values)
        try:
            async with engine.connect() as connection:
                result = await connection.exec_driver_sql(self.sql, bound)
                return list(result.one())
        except DBAPIError as error:
            if any(sign in str(error.orig) for sign in _TOO_DEEP):
                raise TooDeep from None
            raise

    def _root(self, root: Root | RootList) -> ColumnElement[Any]:
        if isinstance(root, RootList):
            return cast(self._page(root.connection, None), Text)
        entity = ENTITIES[root.type_name]
        rows = _ROOT_STATEMENTS[root.field](self._json.parameter(f"root_{root.number}", String))
        found = rows.with_only_columns(
            *_row_columns(entity, root.fields), maintain_column_froms=True
        ).subquery(f"s{root.number}")
        body = self._object(entity, root.type_name, root.fields, found)
        return cast(select(body).select_from(found).scalar_subquery(), Text)

    def _object(
        self, entity: Entity, type_name: str, fields: Sequence[Field], row: Subquery
    ) -> ColumnElement[Any]:
        json = self._json
        pairs: list[tuple[str, ColumnElement[Any]]] = []
        for field in fields:
            if isinstance(field, Constant):
                pairs.append((field.key, json.text(field.value)))
            elif isinstance(field, Plain) and field.source == "id":
                pairs.append((field.key, json.global_id(field.type_name, row.c.k)))
            elif isinstance(field, Plain):
                pairs.append(
                    (field.key, self._value(field.source, entity.columns[field.source], row))
                )
            elif isinstance(field, Lookup):
                pairs.append((field.key, self._lookup(field, row)))
            elif isinstance(field, Listing):
                pairs.append((field.key, self._listing(field, row)))
            else:
                pairs.append((field.key, self._page(field, row)))
        return json.object(pairs)

    def _value(self, source: str, column: Column, row: Subquery) -> ColumnElement[Any]:
        value: ColumnElement[Any] = row.c[_label(source)]
        if column.kind is Kind.BOOLEAN:
            return self._json.boolean(value)
        if column.kind is Kind.ENUM:
            return func.upper(type_coerce(value, String))
        return value

    def _listing(self, listing: Listing, parent: Subquery) -> ColumnElement[Any]:
        entity, relation = ENTITIES[listing.type_name], listing.relation
        rows = _ranked(
            _related(relation, parent), relation, _row_columns(entity, listing.fields)
        ).subquery()
        node = self._object(entity, listing.type_name, listing.fields, rows)
        listed = select(self._json.array(node, rows.c.rn)).select_from(rows)
        return self._json.nested(listed.scalar_subquery())

    def _lookup(self, lookup: Lookup, row: Subquery) -> ColumnElement[Any]:
        entity = ENTITIES[lookup.link.target]
        target = (
            select(*_row_columns(entity, lookup.fields))
            .where(entity.key == row.c[_link_label(lookup.link)])
            .correlate(row)
            .subquery()
        )
        body = self._object(entity, lookup.type_name, lookup.fields, target)
        return self._json.nested(select(body).select_from(target).scalar_subquery())

    def _page(self, connection: Connection, parent: Subquery | None) -> ColumnElement[Any]:
        json, relation = self._json, connection.relation
        entity = ENTITIES[connection.type_name]
        first = json.parameter(f"first_{connection.number}", Integer)
        offset = json.parameter(f"offset_{connection.number}", Integer)
        columns = _row_columns(entity, _node_fields(connection))
        if isinstance(relation, Listed):
            related = relation.statement()
            order: list[SQLColumnExpression[Any]] = [entity.key.asc()]
            # A root list is long: the page is a LIMIT on its key order (which an index
            # serves), numbered after, never a rank of the whole table.
            limited = (
                related.with_only_columns(*columns, maintain_column_froms=True)
                .order_by(*order)
                .limit(first)
                .offset(offset)
                .subquery()
            )
            rank = offset + func.row_number().over(order_by=limited.c.k)
            rows = select(limited, rank.label("rn")).subquery()
        else:
            assert parent is not None
            related = _related(relation, parent)
            order = list(relation.order_by)
            rows = _ranked(related, relation, columns).limit(first).offset(offset).subquery()
        total = related.with_only_columns(
            func.count(), maintain_column_froms=True
        ).scalar_subquery()
        # Whether a row lies past the page: one row looked up, not the list counted.
        beyond = (
            related.with_only_columns(entity.key, maintain_column_froms=True)
            .order_by(*order)
            .limit(1)
            .offset(offset + first)
            .exists()
        )
        position = rows.c.rn - 1
        shown = func.count()
        reads_rows = False
        pairs: list[tuple[str, ColumnElement[Any]]] = []
        for part in connection.parts:
            if isinstance(part, Constant):
                pairs.append((part.key, json.text(part.value)))
            elif isinstance(part, TotalCount):
                pairs.append((part.key, total))
            elif isinstance(part, Nodes):
                reads_rows = True
                node = self._object(entity, connection.type_name, part.fields, rows)
                pairs.append((part.key, json.array(node, rows.c.rn)))
            elif isinstance(part, Edges):
                reads_rows = True
                edge: list[tuple[str, ColumnElement[Any]]] = []
                for edge_part in part.parts:
                    if isinstance(edge_part, Constant):
                        edge.append((edge_part.key, json.text(edge_part.value)))
                    elif isinstance(edge_part, Cursor):
                        edge.append((edge_part.key, json.cursor(position)))
                    else:
                        node = self._object(entity, connection.type_name, edge_part.fields, rows)
                        edge.append((edge_part.key, node))
                pairs.append((part.key, json.array(json.object(edge), rows.c.rn)))
            else:
                info: list[tuple[str, ColumnElement[Any]]] = []
                for info_part in part.parts:
                    if isinstance(info_part, Constant):
                        info.append((info_part.key, json.text(info_part.value)))
                    elif info_part.which == "hasNextPage":
                        info.append((info_part.key, json.boolean(beyond, nullable=False)))
                    elif info_part.which == "hasPreviousPage":
                        info.append((info_part.key, json.boolean(offset > 0, nullable=False)))
                    else:
                        reads_rows = True
                        last = offset + shown - 1 if info_part.which == "endCursor" else offset
                        info.append(
                            (info_part.key, case((shown > 0, json.cursor(last)), else_=null()))
                        )
                pairs.append((part.key, json.object(info)))
        body = json.object(pairs)
        answer = select(body).select_from(rows) if reads_rows else select(body)
        return json.nested(answer.scalar_subquery())

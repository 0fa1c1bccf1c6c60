"""Writes, once per request, which personal data the answer carried (resolvers.audit)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import strawberry
from graphql import DocumentNode, FieldNode, SelectionSetNode
from graphql.language import FragmentDefinitionNode, OperationDefinitionNode
from strawberry.extensions import SchemaExtension

from db import models as m
from resolvers.audit import ReadCriteria, record_reads
from resolvers.context import Context
from schema.inputs import checked_division_code
from schema.relay import encode_global_id

__all__ = ["AuditReads", "PersonalDataRead", "PersonalDataReadFilter", "selected_fields"]


class AuditReads(SchemaExtension):
    """After execution, one insert of what the resolvers noted as shown unmasked, for
    the personal fields the document selected."""

    async def on_execute(self) -> AsyncIterator[None]:
        yield
        context = self.execution_context.context
        document = self.execution_context.graphql_document
        if not isinstance(context, Context) or not context.reads or document is None:
            return
        await record_reads(
            context.sessionmaker,
            context.viewer,
            context.reads,
            selected_fields(document),
            self.execution_context.operation_name,
            datetime.now(UTC),
        )


def selected_fields(document: DocumentNode) -> set[str]:
    """The names of every field the document selects, in operations and fragments."""
    names: set[str] = set()
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode | FragmentDefinitionNode):
            names.update(_names(definition.selection_set))
    return names


def _names(selection_set: SelectionSetNode | None) -> Iterator[str]:
    pending = [selection_set] if selection_set else []
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FieldNode):
                yield selection.name.value
            inner = getattr(selection, "selection_set", None)
            if inner is not None:
                pending.append(inner)


@strawberry.type(
    description="One answer's unmasked personal fields of one kind of object in one county "
    "(个人信息访问记录): who read them, when, which objects, which fields."
)
class PersonalDataRead:
    read_at: datetime
    request_id: str = strawberry.field(description="Rows written for one request share it.")
    key_name: str = strawberry.field(description="The name of the API key that asked.")
    role: str
    operation: str | None = strawberry.field(description="The operation name, if it had one.")
    county_code: str
    object_type: str
    object_ids: list[strawberry.ID] = strawberry.field(
        description="The objects' global ids (as `node(id:)` takes them)."
    )
    fields: list[str]

    @classmethod
    def from_row(cls, row: m.PersonalDataRead) -> PersonalDataRead:
        return cls(
            read_at=row.read_at,
            request_id=row.request_id,
            key_name=row.key_name,
            role=row.role,
            operation=row.operation,
            county_code=row.county_code,
            object_type=row.object_type,
            object_ids=[
                encode_global_id(row.object_type, number) for number in json.loads(row.object_ids)
            ],
            fields=json.loads(row.fields),
        )


@strawberry.input
class PersonalDataReadFilter:
    since: datetime | None = None
    key_name: str | None = None
    county_code: str | None = None

    def criteria(self) -> ReadCriteria:
        return ReadCriteria(
            since=self.since,
            key_name=self.key_name,
            county_code=checked_division_code(self.county_code),
        )

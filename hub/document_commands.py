"""`wenming documents add FILE…` and `wenming documents list`: trusted documents."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from graphql import GraphQLError, GraphQLSchema, parse, validate

from db.documents import register_documents, registered_documents
from hub.database import Sessionmaker, with_database
from hub.documents import DocumentError
from hub.settings import Settings
from schema import build_schema

__all__ = ["add_documents", "list_documents"]


def add_documents(settings: Settings, arguments: argparse.Namespace) -> int:
    """Register each file as one document, after checking it against the schema, so
    that a client sending its hash gets an answer rather than a validation error."""
    schema = build_schema()._schema
    documents = [(path.name, _checked(path, schema)) for path in arguments.files]

    async def run(sessionmaker: Sessionmaker) -> str:
        registered = await register_documents(sessionmaker, documents)
        return "".join(
            f"{item.sha256}  {item.name}{'' if item.added else '  (registered before)'}\n"
            for item in registered
        )

    sys.stdout.write(with_database(settings, run))
    return 0


def list_documents(settings: Settings, _arguments: argparse.Namespace) -> int:
    async def run(sessionmaker: Sessionmaker) -> str:
        rows = await registered_documents(sessionmaker)
        return "".join(f"{row.sha256}  {row.added_at:%Y-%m-%d}  {row.name}\n" for row in rows)

    sys.stdout.write(with_database(settings, run))
    return 0


def _checked(path: Path, schema: GraphQLSchema) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DocumentError(f"{path}: cannot be read as UTF-8 text ({error})") from None
    try:
        errors = validate(schema, parse(text))
    except GraphQLError as error:
        raise DocumentError(f"{path}: not a GraphQL document: {error.message}") from None
    if errors:
        raise DocumentError(f"{path}: does not validate against the schema: {errors[0].message}")
    return text

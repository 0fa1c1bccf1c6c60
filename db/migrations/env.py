"""Alembic environment: runs on the connection `db.migrate` hands it."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from sqlalchemy.types import TypeDecorator

import db.models  # noqa: F401  (registers every table on the metadata)
from db.base import Base
from db.search import outside_models


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    # Migrations must not depend on our Python types, which may change; write the SQL type.
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


if context.is_offline_mode():
    # `wenming migrate --sql`: the script for a database administrator to review.
    dialect = context.config.attributes["dialect"]
    context.configure(
        dialect_name=dialect,
        literal_binds=True,
        target_metadata=Base.metadata,
        render_as_batch=dialect == "sqlite",
        render_item=_render_item,
        include_name=outside_models,
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations through `wenming migrate`: it supplies the connection")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        render_item=_render_item,
        compare_type=True,
        include_name=outside_models,
    )
    with context.begin_transaction():
        context.run_migrations()

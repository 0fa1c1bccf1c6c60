"""sync runs may end abandoned (their process died) or interrupted (stopped on request)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 23:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BEFORE = ('running', 'succeeded', 'failed')
_AFTER = (*_BEFORE, 'abandoned', 'interrupted')


def _status(values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name='sync_status', native_enum=False, create_constraint=True,
                   length=max(len(value) for value in values))


def upgrade() -> None:
    with op.batch_alter_table('sync_runs') as batch:
        batch.alter_column('status', type_=_status(_AFTER), existing_type=_status(_BEFORE),
                           existing_nullable=False)


def downgrade() -> None:
    op.execute("UPDATE sync_runs SET status = 'failed' WHERE status IN ('abandoned', 'interrupted')")
    with op.batch_alter_table('sync_runs') as batch:
        batch.alter_column('status', type_=_status(_BEFORE), existing_type=_status(_AFTER),
                           existing_nullable=False)

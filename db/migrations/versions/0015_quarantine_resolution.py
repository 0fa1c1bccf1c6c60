"""quarantine_resolution: how a quarantined record was resolved, by whom, with what note

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 14:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('quarantined_records') as batch:
        batch.add_column(sa.Column('resolution', sa.String(length=20), nullable=True))
        batch.add_column(sa.Column('resolved_by', sa.String(length=100), nullable=True))
        batch.add_column(sa.Column('note', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('quarantined_records') as batch:
        batch.drop_column('note')
        batch.drop_column('resolved_by')
        batch.drop_column('resolution')

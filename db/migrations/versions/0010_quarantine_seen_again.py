"""quarantine: the same refused record read again is one entry, seen again

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 00:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('quarantined_records') as batch:
        batch.add_column(sa.Column('payload_hash', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('times_seen', sa.Integer(), server_default='1', nullable=False))
        batch.add_column(sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True))
        batch.create_index('ix_quarantined_records_identity', ['source', 'stream', 'payload_hash'])


def downgrade() -> None:
    with op.batch_alter_table('quarantined_records') as batch:
        batch.drop_index('ix_quarantined_records_identity')
        batch.drop_column('last_seen_at')
        batch.drop_column('times_seen')
        batch.drop_column('payload_hash')

"""divisions: villages added from a site register keep which source named them

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 08:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE, not a batch: on SQLite a batch rebuilds the table, which every
# located table references, and the rebuild fails once any row points at a division.


def upgrade() -> None:
    op.add_column('divisions', sa.Column('named_by', sa.String(length=100), nullable=True))


def downgrade() -> None:
    op.execute('ALTER TABLE divisions DROP COLUMN named_by')

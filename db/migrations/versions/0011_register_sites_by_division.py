"""sites: a site register's rows are known by division and name, not by name alone

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 07:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A register's sites were stored with their name as source id; an org tree's nodes
# carry ids of their own, which are not their names.
_KEYED_BY_NAME = "source_id = name AND division_code IS NOT NULL"


def upgrade() -> None:
    # Without this, the next sync of a register would see every site vanish and a new
    # one appear: held back as a shrunken snapshot, or, accepted, every site renumbered.
    op.execute(f"UPDATE sites SET source_id = division_code || '|' || name WHERE {_KEYED_BY_NAME}")


def downgrade() -> None:
    op.execute(
        "UPDATE sites SET source_id = name "
        "WHERE source_id = division_code || '|' || name AND NOT EXISTS ("
        "SELECT 1 FROM sites AS other WHERE other.source_system = sites.source_system "
        "AND other.name = sites.name AND other.id <> sites.id)"
    )

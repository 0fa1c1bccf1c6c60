"""PostgreSQL keeps each story's search vector, so that phrase searches recheck it
instead of computing it again for every candidate row

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 20:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from db.search import SEARCH_INDEX, VECTOR, VECTOR_COLUMN

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_context().dialect.name != 'postgresql':
        return
    op.execute(f"DROP INDEX {SEARCH_INDEX}")
    op.execute(
        f"ALTER TABLE news_stories ADD COLUMN {VECTOR_COLUMN} tsvector "
        f"GENERATED ALWAYS AS ({VECTOR}) STORED"
    )
    op.execute(f"CREATE INDEX {SEARCH_INDEX} ON news_stories USING gin ({VECTOR_COLUMN})")


def downgrade() -> None:
    if op.get_context().dialect.name != 'postgresql':
        return
    op.execute(f"DROP INDEX {SEARCH_INDEX}")
    op.execute(f"ALTER TABLE news_stories DROP COLUMN {VECTOR_COLUMN}")
    op.execute(f"CREATE INDEX {SEARCH_INDEX} ON news_stories USING gin (({VECTOR}))")

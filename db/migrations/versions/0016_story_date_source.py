"""news_stories.published_at_source: whether the page, the feed, the HTTP Last-Modified
or the hub's first sight of the page gave the publication time

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 15:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE on purpose: a batch rebuild on SQLite would drop the search triggers.
    op.add_column(
        'news_stories',
        sa.Column('published_at_source', sa.String(length=20), server_default='page', nullable=False),
    )


def downgrade() -> None:
    op.drop_column('news_stories', 'published_at_source')

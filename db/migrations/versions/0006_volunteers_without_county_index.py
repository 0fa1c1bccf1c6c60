"""Volunteers lose their index on county_code alone: the unique (county_code, person_key)
index serves the same look-ups, and PostgreSQL, before it had statistics, chose the
county index to find person keys and scanned the whole county for each batch

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 23:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index('ix_volunteers_county_code', table_name='volunteers')


def downgrade() -> None:
    op.create_index('ix_volunteers_county_code', 'volunteers', ['county_code'])

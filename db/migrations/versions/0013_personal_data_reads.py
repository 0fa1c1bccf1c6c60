"""personal_data_reads: the append-only record of who read personal data

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 13:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REFUSAL = 'personal_data_reads is append-only: its rows are never changed'


def upgrade() -> None:
    op.create_table('personal_data_reads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('request_id', sa.String(length=32), nullable=False),
    sa.Column('key_name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=40), nullable=False),
    sa.Column('operation', sa.String(length=200), nullable=True),
    sa.Column('county_code', sa.String(length=6), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=False),
    sa.Column('object_ids', sa.Text(), nullable=False),
    sa.Column('fields', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_personal_data_reads'))
    )
    op.create_index('ix_personal_data_reads_read_at', 'personal_data_reads', ['read_at'])
    op.create_index(
        'ix_personal_data_reads_county_read_at', 'personal_data_reads', ['county_code', 'read_at']
    )
    op.create_index(
        'ix_personal_data_reads_key_read_at', 'personal_data_reads', ['key_name', 'read_at']
    )
    # Deleting old rows is what the retention setting does; changing one is never right.
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            'CREATE FUNCTION personal_data_reads_refuse_update() RETURNS trigger AS $$ '
            f"BEGIN RAISE EXCEPTION '{_REFUSAL}'; END $$ LANGUAGE plpgsql"
        )
        op.execute(
            'CREATE TRIGGER personal_data_reads_append_only BEFORE UPDATE ON personal_data_reads '
            'FOR EACH ROW EXECUTE FUNCTION personal_data_reads_refuse_update()'
        )
    else:
        op.execute(
            'CREATE TRIGGER personal_data_reads_append_only BEFORE UPDATE ON personal_data_reads '
            f"BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END"
        )


def downgrade() -> None:
    op.drop_table('personal_data_reads')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP FUNCTION personal_data_reads_refuse_update()')

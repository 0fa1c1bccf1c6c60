"""statistics rollup

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 17:29:31.644401
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('ranking_indexes',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('weights', sa.Text(), nullable=False),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_ranking_indexes'))
    )
    op.create_table('rollup_values',
    sa.Column('division_code', sa.String(length=12), nullable=False),
    sa.Column('period_kind', sa.Enum('base', 'month', 'quarter', 'year', name='period_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('metric', sa.String(length=40), nullable=False),
    sa.Column('numerator', sa.BigInteger(), nullable=False),
    sa.Column('denominator', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('denominator >= 0', name=op.f('ck_rollup_values_denominator_sign')),
    sa.PrimaryKeyConstraint('division_code', 'period_kind', 'period_start', 'metric', name=op.f('pk_rollup_values'))
    )
    with op.batch_alter_table('rollup_values', schema=None) as batch_op:
        batch_op.create_index('ix_rollup_values_metric_period', ['metric', 'period_kind', 'period_start'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('rollup_values', schema=None) as batch_op:
        batch_op.drop_index('ix_rollup_values_metric_period')

    op.drop_table('rollup_values')
    op.drop_table('ranking_indexes')

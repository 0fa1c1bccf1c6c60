"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-23 17:01:43.516368
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('divisions',
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('level', sa.Enum('province', 'prefecture', 'county', 'township', 'village', name='division_level', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('parent_code', sa.String(length=12), nullable=True),
    sa.Column('population', sa.Integer(), nullable=True),
    sa.CheckConstraint('length(code) IN (6, 12)', name=op.f('ck_divisions_code_length')),
    sa.CheckConstraint('population IS NULL OR population >= 0', name=op.f('ck_divisions_population_sign')),
    sa.ForeignKeyConstraint(['parent_code'], ['divisions.code'], name=op.f('fk_divisions_parent_code_divisions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_divisions'))
    )
    with op.batch_alter_table('divisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_divisions_parent_code'), ['parent_code'], unique=False)

    op.create_table('sync_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('stream', sa.String(length=100), nullable=False),
    sa.Column('county_code', sa.String(length=6), nullable=True),
    sa.Column('status', sa.Enum('running', 'succeeded', 'failed', name='sync_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cursor', sa.Text(), nullable=True),
    sa.Column('records_read', sa.Integer(), nullable=False),
    sa.Column('inserted', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('quarantined', sa.Integer(), nullable=False),
    sa.Column('retired', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.CheckConstraint("status <> 'succeeded' OR records_read = inserted + updated + unchanged + quarantined", name=op.f('ck_sync_runs_counts_add_up')),
    sa.CheckConstraint('records_read >= 0 AND inserted >= 0 AND updated >= 0 AND unchanged >= 0 AND quarantined >= 0 AND retired >= 0', name=op.f('ck_sync_runs_counts_sign')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_runs'))
    )
    with op.batch_alter_table('sync_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sync_runs_source'), ['source'], unique=False)

    op.create_table('households',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('county_code', sa.String(length=6), nullable=False),
    sa.Column('household_number', sa.String(length=64), nullable=False),
    sa.Column('division_code', sa.String(length=12), nullable=False),
    sa.Column('head_name', sa.String(length=100), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('source_system', sa.String(length=64), nullable=False),
    sa.Column('source_id', sa.String(length=128), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('last_seen_at >= first_seen_at', name=op.f('ck_households_seen_order')),
    sa.ForeignKeyConstraint(['county_code'], ['divisions.code'], name=op.f('fk_households_county_code_divisions')),
    sa.ForeignKeyConstraint(['division_code'], ['divisions.code'], name=op.f('fk_households_division_code_divisions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_households')),
    sa.UniqueConstraint('county_code', 'household_number', name=op.f('uq_households_county_code_household_number')),
    sa.UniqueConstraint('source_system', 'source_id', name=op.f('uq_households_source_system_source_id'))
    )
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_households_county_code'), ['county_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_households_division_code'), ['division_code'], unique=False)

    op.create_table('news_feeds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('format', sa.String(length=20), nullable=False),
    sa.Column('county_code', sa.String(length=12), nullable=True),
    sa.ForeignKeyConstraint(['county_code'], ['divisions.code'], name=op.f('fk_news_feeds_county_code_divisions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_news_feeds')),
    sa.UniqueConstraint('url', name=op.f('uq_news_feeds_url'))
    )
    with op.batch_alter_table('news_feeds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_news_feeds_county_code'), ['county_code'], unique=False)

    op.create_table('quarantined_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sync_run_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('stream', sa.String(length=100), nullable=False),
    sa.Column('county_code', sa.String(length=6), nullable=True),
    sa.Column('source_id', sa.String(length=128), nullable=True),
    sa.Column('row_number', sa.Integer(), nullable=True),
    sa.Column('column_name', sa.String(length=100), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('raw_payload', sa.Text(), nullable=False),
    sa.Column('quarantined_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['sync_run_id'], ['sync_runs.id'], name=op.f('fk_quarantined_records_sync_run_id_sync_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quarantined_records'))
    )
    with op.batch_alter_table('quarantined_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quarantined_records_source'), ['source'], unique=False)
        batch_op.create_index(batch_op.f('ix_quarantined_records_sync_run_id'), ['sync_run_id'], unique=False)

    op.create_table('sites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('prefecture_center', 'center', 'sub_center', 'institute', 'station', 'point', 'post', name='site_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('division_code', sa.String(length=12), nullable=False),
    sa.Column('is_demonstration', sa.Boolean(), nullable=False),
    sa.Column('status', sa.Enum('building', 'open', 'suspended', name='site_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=True),
    sa.Column('floor_area_m2', sa.Float(), nullable=True),
    sa.Column('source_system', sa.String(length=64), nullable=False),
    sa.Column('source_id', sa.String(length=128), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('floor_area_m2 IS NULL OR floor_area_m2 >= 0', name=op.f('ck_sites_floor_area_sign')),
    sa.CheckConstraint('last_seen_at >= first_seen_at', name=op.f('ck_sites_seen_order')),
    sa.CheckConstraint('parent_id IS NULL OR parent_id <> id', name=op.f('ck_sites_not_own_parent')),
    sa.ForeignKeyConstraint(['division_code'], ['divisions.code'], name=op.f('fk_sites_division_code_divisions'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['parent_id'], ['sites.id'], name=op.f('fk_sites_parent_id_sites'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sites')),
    sa.UniqueConstraint('source_system', 'source_id', name=op.f('uq_sites_source_system_source_id'))
    )
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sites_division_code'), ['division_code'], unique=False)
        batch_op.create_index('ix_sites_parent_kind', ['parent_id', 'kind'], unique=False)

    op.create_table('volunteers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('county_code', sa.String(length=6), nullable=False),
    sa.Column('volunteer_number', sa.String(length=32), nullable=False),
    sa.Column('person_key', sa.String(length=64), nullable=False),
    sa.Column('real_name', sa.String(length=100), nullable=False),
    sa.Column('id_number_sealed', sa.Text(), nullable=False),
    sa.Column('phone_sealed', sa.Text(), nullable=True),
    sa.Column('gender', sa.Enum('female', 'male', 'unknown', name='gender', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('political_status', sa.String(length=50), nullable=True),
    sa.Column('registered_on', sa.Date(), nullable=False),
    sa.Column('service_minutes', sa.Integer(), nullable=False),
    sa.Column('source_system', sa.String(length=64), nullable=False),
    sa.Column('source_id', sa.String(length=128), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('last_seen_at >= first_seen_at', name=op.f('ck_volunteers_seen_order')),
    sa.CheckConstraint('service_minutes >= 0', name=op.f('ck_volunteers_service_minutes_sign')),
    sa.ForeignKeyConstraint(['county_code'], ['divisions.code'], name=op.f('fk_volunteers_county_code_divisions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteers')),
    sa.UniqueConstraint('county_code', 'person_key', name=op.f('uq_volunteers_county_code_person_key')),
    sa.UniqueConstraint('source_system', 'source_id', name=op.f('uq_volunteers_source_system_source_id')),
    sa.UniqueConstraint('volunteer_number', name=op.f('uq_volunteers_volunteer_number'))
    )
    with op.batch_alter_table('volunteers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_volunteers_county_code'), ['county_code'], unique=False)

    op.create_table('credit_ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('grade', sa.String(length=8), nullable=False),
    sa.Column('credit_line_yuan', sa.BigInteger(), nullable=False),
    sa.Column('rated_on', sa.Date(), nullable=False),
    sa.Column('bank_name', sa.String(length=100), nullable=False),
    sa.Column('source_system', sa.String(length=64), nullable=False),
    sa.Column('source_id', sa.String(length=128), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('credit_line_yuan >= 0', name=op.f('ck_credit_ratings_credit_line_sign')),
    sa.CheckConstraint('last_seen_at >= first_seen_at', name=op.f('ck_credit_ratings_seen_order')),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_credit_ratings_household_id_households'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_ratings')),
    sa.UniqueConstraint('household_id', 'rated_on', 'bank_name', name=op.f('uq_credit_ratings_household_id_rated_on_bank_name')),
    sa.UniqueConstraint('source_system', 'source_id', name=op.f('uq_credit_ratings_source_system_source_id'))
    )
    with op.batch_alter_table('credit_ratings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_ratings_household_id'), ['household_id'], unique=False)

    op.create_table('household_honours',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=50), nullable=False),
    sa.Column('level', sa.Enum('national', 'provincial', 'city', 'county', name='honour_level', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('source_system', sa.String(length=64), nullable=False),
    sa.Column('source_id', sa.String(length=128), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('last_seen_at >= first_seen_at', name=op.f('ck_household_honours_seen_order')),
    sa.CheckConstraint('year BETWEEN 1990 AND 2100', name=op.f('ck_household_honours_year_range')),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_household_honours_household_id_households'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household_honours')),
    sa.UniqueConstraint('household_id', 'title', 'level', 'year', name=op.f('uq_household_honours_household_id_title_level_year')),
    sa.UniqueConstraint('source_system', 'source_id', name=op.f('uq_household_honours_source_system_source_id'))
    )
    with op.batch_alter_table('household_honours', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_household_honours_household_id'), ['household_id'], unique=False)

    op.create_table('news_stories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('feed_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('author', sa.String(length=200), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('encoding_seen', sa.String(length=30), nullable=True),
    sa.Column('source_system', sa.String(length=64), nullable=False),
    sa.Column('source_id', sa.String(length=128), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('last_seen_at >= first_seen_at', name=op.f('ck_news_stories_seen_order')),
    sa.ForeignKeyConstraint(['feed_id'], ['news_feeds.id'], name=op.f('fk_news_stories_feed_id_news_feeds'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_news_stories')),
    sa.UniqueConstraint('source_system', 'source_id', name=op.f('uq_news_stories_source_system_source_id')),
    sa.UniqueConstraint('url', name=op.f('uq_news_stories_url'))
    )
    with op.batch_alter_table('news_stories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_news_stories_published_at'), ['published_at'], unique=False)

    op.create_table('platforms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('center_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('source_system', sa.String(length=64), nullable=False),
    sa.Column('source_id', sa.String(length=128), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('last_seen_at >= first_seen_at', name=op.f('ck_platforms_seen_order')),
    sa.ForeignKeyConstraint(['center_id'], ['sites.id'], name=op.f('fk_platforms_center_id_sites'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_platforms')),
    sa.UniqueConstraint('center_id', 'name', name=op.f('uq_platforms_center_id_name')),
    sa.UniqueConstraint('source_system', 'source_id', name=op.f('uq_platforms_source_system_source_id'))
    )
    op.create_table('points_banks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('county_code', sa.String(length=6), nullable=False),
    sa.Column('division_code', sa.String(length=12), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=True),
    sa.Column('start_balance', sa.Integer(), nullable=False),
    sa.Column('fen_per_point', sa.Integer(), nullable=False),
    sa.Column('redemption_floor', sa.Integer(), nullable=False),
    sa.Column('source_system', sa.String(length=64), nullable=False),
    sa.Column('source_id', sa.String(length=128), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('fen_per_point >= 0', name=op.f('ck_points_banks_fen_per_point_sign')),
    sa.CheckConstraint('last_seen_at >= first_seen_at', name=op.f('ck_points_banks_seen_order')),
    sa.ForeignKeyConstraint(['county_code'], ['divisions.code'], name=op.f('fk_points_banks_county_code_divisions')),
    sa.ForeignKeyConstraint(['division_code'], ['divisions.code'], name=op.f('fk_points_banks_division_code_divisions')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_points_banks_site_id_sites'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_points_banks')),
    sa.UniqueConstraint('source_system', 'source_id', name=op.f('uq_points_banks_source_system_source_id'))
    )
    with op.batch_alter_table('points_banks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_points_banks_county_code'), ['county_code'], unique=False)

    op.create_table('volunteer_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('registered_on', sa.Date(), nullable=True),
    sa.Column('source_system', sa.String(length=64), nullable=False),
    sa.Column('source_id', sa.String(length=128), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('last_seen_at >= first_seen_at', name=op.f('ck_volunteer_registrations_seen_order')),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteers.id'], name=op.f('fk_volunteer_registrations_volunteer_id_volunteers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer_registrations')),
    sa.UniqueConstraint('source_system', 'source_id', name=op.f('uq_volunteer_registrations_source_system_source_id'))
    )
    with op.batch_alter_table('volunteer_registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_volunteer_registrations_volunteer_id'), ['volunteer_id'], unique=False)

    op.create_table('menu_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('center_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('platform_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('source_system', sa.String(length=64), nullable=False),
    sa.Column('source_id', sa.String(length=128), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('last_seen_at >= first_seen_at', name=op.f('ck_menu_items_seen_order')),
    sa.ForeignKeyConstraint(['center_id'], ['sites.id'], name=op.f('fk_menu_items_center_id_sites'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_menu_items_platform_id_platforms'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_menu_items')),
    sa.UniqueConstraint('source_system', 'source_id', name=op.f('uq_menu_items_source_system_source_id'))
    )
    with op.batch_alter_table('menu_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_menu_items_center_id'), ['center_id'], unique=False)

    op.create_table('points_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=True),
    sa.Column('source_system', sa.String(length=64), nullable=False),
    sa.Column('source_id', sa.String(length=128), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('last_seen_at >= first_seen_at', name=op.f('ck_points_accounts_seen_order')),
    sa.ForeignKeyConstraint(['bank_id'], ['points_banks.id'], name=op.f('fk_points_accounts_bank_id_points_banks'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_points_accounts_household_id_households'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_points_accounts')),
    sa.UniqueConstraint('bank_id', 'household_id', name=op.f('uq_points_accounts_bank_id_household_id')),
    sa.UniqueConstraint('source_system', 'source_id', name=op.f('uq_points_accounts_source_system_source_id'))
    )
    with op.batch_alter_table('points_accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_points_accounts_household_id'), ['household_id'], unique=False)

    op.create_table('projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('county_code', sa.String(length=6), nullable=False),
    sa.Column('is_brand', sa.Boolean(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('platform_id', sa.Integer(), nullable=True),
    sa.Column('started_on', sa.Date(), nullable=True),
    sa.Column('source_system', sa.String(length=64), nullable=False),
    sa.Column('source_id', sa.String(length=128), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('last_seen_at >= first_seen_at', name=op.f('ck_projects_seen_order')),
    sa.ForeignKeyConstraint(['county_code'], ['divisions.code'], name=op.f('fk_projects_county_code_divisions')),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_projects_platform_id_platforms'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_projects')),
    sa.UniqueConstraint('source_system', 'source_id', name=op.f('uq_projects_source_system_source_id'))
    )
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_projects_county_code'), ['county_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_projects_platform_id'), ['platform_id'], unique=False)

    op.create_table('site_platforms',
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_site_platforms_platform_id_platforms'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_site_platforms_site_id_sites'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('site_id', 'platform_id', name=op.f('pk_site_platforms'))
    )
    with op.batch_alter_table('site_platforms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_site_platforms_platform_id'), ['platform_id'], unique=False)

    op.create_table('teams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('general_brigade', 'professional', 'detachment', 'village', 'social_organization', 'other', name='team_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('county_code', sa.String(length=6), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('platform_id', sa.Integer(), nullable=True),
    sa.Column('home_site_id', sa.Integer(), nullable=True),
    sa.Column('founded_on', sa.Date(), nullable=True),
    sa.Column('source_system', sa.String(length=64), nullable=False),
    sa.Column('source_id', sa.String(length=128), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('last_seen_at >= first_seen_at', name=op.f('ck_teams_seen_order')),
    sa.CheckConstraint('parent_id IS NULL OR parent_id <> id', name=op.f('ck_teams_not_own_parent')),
    sa.ForeignKeyConstraint(['county_code'], ['divisions.code'], name=op.f('fk_teams_county_code_divisions')),
    sa.ForeignKeyConstraint(['home_site_id'], ['sites.id'], name=op.f('fk_teams_home_site_id_sites'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['parent_id'], ['teams.id'], name=op.f('fk_teams_parent_id_teams'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_teams_platform_id_platforms'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teams')),
    sa.UniqueConstraint('source_system', 'source_id', name=op.f('uq_teams_source_system_source_id'))
    )
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_teams_county_code'), ['county_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_teams_home_site_id'), ['home_site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_teams_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_teams_platform_id'), ['platform_id'], unique=False)

    op.create_table('activities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('county_code', sa.String(length=6), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('volunteer_count', sa.Integer(), nullable=False),
    sa.Column('volunteer_minutes', sa.Integer(), nullable=False),
    sa.Column('people_served', sa.Integer(), nullable=False),
    sa.Column('source_system', sa.String(length=64), nullable=False),
    sa.Column('source_id', sa.String(length=128), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('ends_at IS NULL OR ends_at >= starts_at', name=op.f('ck_activities_ends_after_start')),
    sa.CheckConstraint('last_seen_at >= first_seen_at', name=op.f('ck_activities_seen_order')),
    sa.CheckConstraint('volunteer_count >= 0 AND volunteer_minutes >= 0 AND people_served >= 0', name=op.f('ck_activities_counts_sign')),
    sa.ForeignKeyConstraint(['county_code'], ['divisions.code'], name=op.f('fk_activities_county_code_divisions')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_activities_project_id_projects'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_activities_site_id_sites'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activities')),
    sa.UniqueConstraint('source_system', 'source_id', name=op.f('uq_activities_source_system_source_id'))
    )
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activities_county_code'), ['county_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_activities_project_id'), ['project_id'], unique=False)
        batch_op.create_index('ix_activities_site_starts', ['site_id', 'starts_at'], unique=False)

    op.create_table('awards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('level', sa.Enum('national', 'provincial', 'city', 'county', name='award_level', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('source_system', sa.String(length=64), nullable=False),
    sa.Column('source_id', sa.String(length=128), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('last_seen_at >= first_seen_at', name=op.f('ck_awards_seen_order')),
    sa.CheckConstraint('year BETWEEN 1990 AND 2100', name=op.f('ck_awards_year_range')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_awards_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_awards')),
    sa.UniqueConstraint('project_id', 'name', 'year', name=op.f('uq_awards_project_id_name_year')),
    sa.UniqueConstraint('source_system', 'source_id', name=op.f('uq_awards_source_system_source_id'))
    )
    op.create_table('mentions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('story_id', sa.Integer(), nullable=False),
    sa.Column('target', sa.Enum('site', 'team', 'project', 'division', name='mention_target', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('division_code', sa.String(length=12), nullable=True),
    sa.Column('matched_text', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint("(target = 'site' AND site_id IS NOT NULL AND team_id IS NULL  AND project_id IS NULL AND division_code IS NULL) OR (target = 'team' AND team_id IS NOT NULL AND site_id IS NULL  AND project_id IS NULL AND division_code IS NULL) OR (target = 'project' AND project_id IS NOT NULL AND site_id IS NULL  AND team_id IS NULL AND division_code IS NULL) OR (target = 'division' AND division_code IS NOT NULL AND site_id IS NULL  AND team_id IS NULL AND project_id IS NULL)", name=op.f('ck_mentions_one_target')),
    sa.CheckConstraint('position >= 0', name=op.f('ck_mentions_position_sign')),
    sa.ForeignKeyConstraint(['division_code'], ['divisions.code'], name=op.f('fk_mentions_division_code_divisions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_mentions_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_mentions_site_id_sites'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['story_id'], ['news_stories.id'], name=op.f('fk_mentions_story_id_news_stories'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_mentions_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentions'))
    )
    with op.batch_alter_table('mentions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentions_division_code'), ['division_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_mentions_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mentions_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mentions_story_id'), ['story_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mentions_team_id'), ['team_id'], unique=False)

    op.create_table('points_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('earn', 'deduct', 'redeem', 'expire', 'adjust', name='points_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.Column('reason_code', sa.String(length=50), nullable=True),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('redeemed_item', sa.String(length=200), nullable=True),
    sa.Column('redeemed_value_fen', sa.BigInteger(), nullable=True),
    sa.Column('handled_by', sa.String(length=100), nullable=True),
    sa.Column('source_system', sa.String(length=64), nullable=False),
    sa.Column('source_id', sa.String(length=128), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(kind = 'earn' AND points > 0) OR (kind IN ('deduct', 'redeem', 'expire') AND points < 0) OR (kind = 'adjust' AND points <> 0)", name=op.f('ck_points_entries_sign_matches_kind')),
    sa.CheckConstraint("redeemed_value_fen IS NULL OR (kind = 'redeem' AND redeemed_value_fen >= 0)", name=op.f('ck_points_entries_redeemed_value_only_on_redeem')),
    sa.CheckConstraint('last_seen_at >= first_seen_at', name=op.f('ck_points_entries_seen_order')),
    sa.ForeignKeyConstraint(['account_id'], ['points_accounts.id'], name=op.f('fk_points_entries_account_id_points_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_points_entries')),
    sa.UniqueConstraint('source_system', 'source_id', name=op.f('uq_points_entries_source_system_source_id'))
    )
    with op.batch_alter_table('points_entries', schema=None) as batch_op:
        batch_op.create_index('ix_points_entries_account_occurred', ['account_id', 'occurred_on'], unique=False)

    op.create_table('project_teams',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_teams_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_project_teams_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'team_id', name=op.f('pk_project_teams'))
    )
    with op.batch_alter_table('project_teams', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_teams_team_id'), ['team_id'], unique=False)

    op.create_table('service_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('county_code', sa.String(length=6), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('menu_item_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('ordered', 'dispatched', 'accepted', 'delivered', 'rated', 'cancelled', name='order_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('ordered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('funded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('dispatched_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('funding_fen', sa.BigInteger(), nullable=True),
    sa.Column('funding_source', sa.String(length=200), nullable=True),
    sa.Column('source_system', sa.String(length=64), nullable=False),
    sa.Column('source_id', sa.String(length=128), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(status <> 'cancelled') OR cancelled_at IS NOT NULL", name=op.f('ck_service_orders_cancelled_has_instant')),
    sa.CheckConstraint("(status <> 'rated') OR (rating IS NOT NULL AND rated_at IS NOT NULL)", name=op.f('ck_service_orders_rated_has_rating')),
    sa.CheckConstraint("(status NOT IN ('accepted', 'delivered', 'rated')) OR accepted_at IS NOT NULL", name=op.f('ck_service_orders_accepted_has_instant')),
    sa.CheckConstraint("(status NOT IN ('delivered', 'rated')) OR delivered_at IS NOT NULL", name=op.f('ck_service_orders_delivered_has_instant')),
    sa.CheckConstraint("(status NOT IN ('dispatched', 'accepted', 'delivered', 'rated')) OR dispatched_at IS NOT NULL", name=op.f('ck_service_orders_dispatched_has_instant')),
    sa.CheckConstraint('dispatched_at IS NULL OR dispatched_at >= ordered_at', name=op.f('ck_service_orders_dispatch_after_order')),
    sa.CheckConstraint('funding_fen IS NULL OR funding_fen >= 0', name=op.f('ck_service_orders_funding_sign')),
    sa.CheckConstraint('last_seen_at >= first_seen_at', name=op.f('ck_service_orders_seen_order')),
    sa.CheckConstraint('rating IS NULL OR rating BETWEEN 1 AND 5', name=op.f('ck_service_orders_rating_range')),
    sa.ForeignKeyConstraint(['county_code'], ['divisions.code'], name=op.f('fk_service_orders_county_code_divisions')),
    sa.ForeignKeyConstraint(['menu_item_id'], ['menu_items.id'], name=op.f('fk_service_orders_menu_item_id_menu_items'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_service_orders_site_id_sites'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_service_orders_team_id_teams'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_orders')),
    sa.UniqueConstraint('source_system', 'source_id', name=op.f('uq_service_orders_source_system_source_id'))
    )
    with op.batch_alter_table('service_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_orders_county_code'), ['county_code'], unique=False)
        batch_op.create_index('ix_service_orders_county_status', ['county_code', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_orders_menu_item_id'), ['menu_item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_orders_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_orders_team_id'), ['team_id'], unique=False)

    op.create_table('team_memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('joined_on', sa.Date(), nullable=True),
    sa.Column('is_core', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_team_memberships_team_id_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteers.id'], name=op.f('fk_team_memberships_volunteer_id_volunteers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_team_memberships')),
    sa.UniqueConstraint('team_id', 'volunteer_id', name=op.f('uq_team_memberships_team_id_volunteer_id'))
    )
    with op.batch_alter_table('team_memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_memberships_volunteer_id'), ['volunteer_id'], unique=False)

    op.create_table('activity_teams',
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_activity_teams_activity_id_activities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_activity_teams_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('activity_id', 'team_id', name=op.f('pk_activity_teams'))
    )
    with op.batch_alter_table('activity_teams', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_teams_team_id'), ['team_id'], unique=False)

    op.create_table('order_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('ordered', 'funded', 'dispatched', 'accepted', 'delivered', 'rated', 'cancelled', 'urged', 'note', name='order_event_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['service_orders.id'], name=op.f('fk_order_events_order_id_service_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_events')),
    sa.UniqueConstraint('order_id', 'sequence', name=op.f('uq_order_events_order_id_sequence'))
    )
    op.create_table('service_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('served_on', sa.Date(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('is_confirmed', sa.Boolean(), nullable=False),
    sa.Column('source_system', sa.String(length=64), nullable=False),
    sa.Column('source_id', sa.String(length=128), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('last_seen_at >= first_seen_at', name=op.f('ck_service_records_seen_order')),
    sa.CheckConstraint('minutes > 0', name=op.f('ck_service_records_minutes_positive')),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_service_records_activity_id_activities'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_service_records_team_id_teams'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteers.id'], name=op.f('fk_service_records_volunteer_id_volunteers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_records')),
    sa.UniqueConstraint('source_system', 'source_id', name=op.f('uq_service_records_source_system_source_id'))
    )
    with op.batch_alter_table('service_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_records_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_records_volunteer_id'), ['volunteer_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('service_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_records_volunteer_id'))
        batch_op.drop_index(batch_op.f('ix_service_records_activity_id'))

    op.drop_table('service_records')
    op.drop_table('order_events')
    with op.batch_alter_table('activity_teams', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_teams_team_id'))

    op.drop_table('activity_teams')
    with op.batch_alter_table('team_memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_team_memberships_volunteer_id'))

    op.drop_table('team_memberships')
    with op.batch_alter_table('service_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_orders_team_id'))
        batch_op.drop_index(batch_op.f('ix_service_orders_site_id'))
        batch_op.drop_index(batch_op.f('ix_service_orders_menu_item_id'))
        batch_op.drop_index('ix_service_orders_county_status')
        batch_op.drop_index(batch_op.f('ix_service_orders_county_code'))

    op.drop_table('service_orders')
    with op.batch_alter_table('project_teams', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_teams_team_id'))

    op.drop_table('project_teams')
    with op.batch_alter_table('points_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_points_entries_account_occurred')

    op.drop_table('points_entries')
    with op.batch_alter_table('mentions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mentions_team_id'))
        batch_op.drop_index(batch_op.f('ix_mentions_story_id'))
        batch_op.drop_index(batch_op.f('ix_mentions_site_id'))
        batch_op.drop_index(batch_op.f('ix_mentions_project_id'))
        batch_op.drop_index(batch_op.f('ix_mentions_division_code'))

    op.drop_table('mentions')
    op.drop_table('awards')
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_index('ix_activities_site_starts')
        batch_op.drop_index(batch_op.f('ix_activities_project_id'))
        batch_op.drop_index(batch_op.f('ix_activities_county_code'))

    op.drop_table('activities')
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_teams_platform_id'))
        batch_op.drop_index(batch_op.f('ix_teams_parent_id'))
        batch_op.drop_index(batch_op.f('ix_teams_home_site_id'))
        batch_op.drop_index(batch_op.f('ix_teams_county_code'))

    op.drop_table('teams')
    with op.batch_alter_table('site_platforms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_site_platforms_platform_id'))

    op.drop_table('site_platforms')
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_projects_platform_id'))
        batch_op.drop_index(batch_op.f('ix_projects_county_code'))

    op.drop_table('projects')
    with op.batch_alter_table('points_accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_points_accounts_household_id'))

    op.drop_table('points_accounts')
    with op.batch_alter_table('menu_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_menu_items_center_id'))

    op.drop_table('menu_items')
    with op.batch_alter_table('volunteer_registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_volunteer_registrations_volunteer_id'))

    op.drop_table('volunteer_registrations')
    with op.batch_alter_table('points_banks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_points_banks_county_code'))

    op.drop_table('points_banks')
    op.drop_table('platforms')
    with op.batch_alter_table('news_stories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_news_stories_published_at'))

    op.drop_table('news_stories')
    with op.batch_alter_table('household_honours', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_household_honours_household_id'))

    op.drop_table('household_honours')
    with op.batch_alter_table('credit_ratings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_ratings_household_id'))

    op.drop_table('credit_ratings')
    with op.batch_alter_table('volunteers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_volunteers_county_code'))

    op.drop_table('volunteers')
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.drop_index('ix_sites_parent_kind')
        batch_op.drop_index(batch_op.f('ix_sites_division_code'))

    op.drop_table('sites')
    with op.batch_alter_table('quarantined_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quarantined_records_sync_run_id'))
        batch_op.drop_index(batch_op.f('ix_quarantined_records_source'))

    op.drop_table('quarantined_records')
    with op.batch_alter_table('news_feeds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_news_feeds_county_code'))

    op.drop_table('news_feeds')
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_households_division_code'))
        batch_op.drop_index(batch_op.f('ix_households_county_code'))

    op.drop_table('households')
    with op.batch_alter_table('sync_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sync_runs_source'))

    op.drop_table('sync_runs')
    with op.batch_alter_table('divisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_divisions_parent_code'))

    op.drop_table('divisions')

"""news: story sources, cleaned text, near-duplicate fingerprints and full-text search

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 19:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.search import SEARCH_INDEX, SEARCH_TABLE, VECTOR

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BANDS = ('band0', 'band1', 'band2', 'band3')
# SQLite keeps the search tokens in an FTS5 table that follows news_stories by triggers.
_SQLITE_SEARCH = (
    f"CREATE VIRTUAL TABLE {SEARCH_TABLE} USING fts5("
    "search_title, search_body, content='news_stories', content_rowid='id')",
    f"CREATE TRIGGER {SEARCH_TABLE}_ai AFTER INSERT ON news_stories BEGIN "
    f"INSERT INTO {SEARCH_TABLE}(rowid, search_title, search_body) "
    "VALUES (new.id, new.search_title, new.search_body); END",
    f"CREATE TRIGGER {SEARCH_TABLE}_ad AFTER DELETE ON news_stories BEGIN "
    f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}, rowid, search_title, search_body) "
    "VALUES ('delete', old.id, old.search_title, old.search_body); END",
    f"CREATE TRIGGER {SEARCH_TABLE}_au AFTER UPDATE ON news_stories BEGIN "
    f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}, rowid, search_title, search_body) "
    "VALUES ('delete', old.id, old.search_title, old.search_body); "
    f"INSERT INTO {SEARCH_TABLE}(rowid, search_title, search_body) "
    "VALUES (new.id, new.search_title, new.search_body); END",
    f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}) VALUES ('rebuild')",
)


def upgrade() -> None:
    with op.batch_alter_table('news_stories') as batch:
        batch.add_column(sa.Column('source_name', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('original_body', sa.Text(), nullable=True))
        batch.add_column(sa.Column('images', sa.Text(), nullable=True))
        batch.add_column(sa.Column('search_title', sa.Text(), nullable=False, server_default=''))
        batch.add_column(sa.Column('search_body', sa.Text(), nullable=False, server_default=''))
        batch.add_column(sa.Column('fingerprint', sa.BigInteger(), nullable=True))
        for band in _BANDS:
            batch.add_column(sa.Column(band, sa.Integer(), nullable=True))
    with op.batch_alter_table('news_stories') as batch:
        batch.alter_column('search_title', server_default=None)
        batch.alter_column('search_body', server_default=None)
    for band in _BANDS:
        op.create_index(op.f(f'ix_news_stories_{band}'), 'news_stories', [band], unique=False)
    op.create_table('story_sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('story_id', sa.Integer(), nullable=False),
    sa.Column('feed_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('encoding_seen', sa.String(length=30), nullable=True),
    sa.Column('source_system', sa.String(length=64), nullable=False),
    sa.Column('source_id', sa.String(length=128), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('last_seen_at >= first_seen_at', name=op.f('ck_story_sources_seen_order')),
    sa.ForeignKeyConstraint(['feed_id'], ['news_feeds.id'], name=op.f('fk_story_sources_feed_id_news_feeds'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['story_id'], ['news_stories.id'], name=op.f('fk_story_sources_story_id_news_stories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_story_sources')),
    sa.UniqueConstraint('source_system', 'source_id', name=op.f('uq_story_sources_source_system_source_id')),
    sa.UniqueConstraint('url', name=op.f('uq_story_sources_url'))
    )
    op.create_index(op.f('ix_story_sources_story_id'), 'story_sources', ['story_id'], unique=False)
    if op.get_context().dialect.name == 'postgresql':
        op.execute(f"CREATE INDEX {SEARCH_INDEX} ON news_stories USING gin (({VECTOR}))")
    else:
        for statement in _SQLITE_SEARCH:
            op.execute(statement)


def downgrade() -> None:
    if op.get_context().dialect.name == 'postgresql':
        op.execute(f"DROP INDEX {SEARCH_INDEX}")
    else:
        for trigger in ('ai', 'ad', 'au'):
            op.execute(f"DROP TRIGGER {SEARCH_TABLE}_{trigger}")
        op.execute(f"DROP TABLE {SEARCH_TABLE}")
    op.drop_index(op.f('ix_story_sources_story_id'), table_name='story_sources')
    op.drop_table('story_sources')
    for band in _BANDS:
        op.drop_index(op.f(f'ix_news_stories_{band}'), table_name='news_stories')
    with op.batch_alter_table('news_stories') as batch:
        for name in ('source_name', 'original_body', 'images', 'search_title', 'search_body',
                     'fingerprint', *_BANDS):
            batch.drop_column(name)

"""News feeds (宣传), their stories and what the stories mention."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, ProvenanceMixin, enum_column, intpk, provenance_constraints

__all__ = ["Mention", "MentionTarget", "NewsFeed", "NewsStory", "PublishedAtSource", "StorySource"]


class MentionTarget(enum.Enum):
    SITE = "site"
    TEAM = "team"
    PROJECT = "project"
    DIVISION = "division"


class PublishedAtSource(enum.Enum):
    """Where a story's publication time comes from, most trusted first."""

    PAGE = "page"
    FEED = "feed"
    LAST_MODIFIED = "last_modified"
    FIRST_SEEN = "first_seen"


class NewsFeed(Base):
    """A county or prefecture news source (文明网, news app): RSS, Atom or CMS pages."""

    __tablename__ = "news_feeds"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(500), unique=True)
    format: Mapped[str] = mapped_column(String(20))
    county_code: Mapped[str | None] = mapped_column(ForeignKey("divisions.code"), index=True)


class NewsStory(ProvenanceMixin, Base):
    """A clean story, as first found; republications of it are its StorySources.

    `body` is simplified Chinese, paragraphs separated by blank lines; a story
    published in traditional characters keeps that text in `original_body`.
    """

    __tablename__ = "news_stories"
    __table_args__ = provenance_constraints()

    id: Mapped[intpk]
    feed_id: Mapped[int] = mapped_column(ForeignKey("news_feeds.id", ondelete="RESTRICT"))
    url: Mapped[str] = mapped_column(String(500), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    published_at: Mapped[datetime] = mapped_column(index=True)
    # Who said when: the page itself, the feed, the HTTP Last-Modified, or the hub's
    # first sight of the page (a PublishedAtSource value).
    published_at_source: Mapped[str] = mapped_column(
        String(20), default="page", server_default="page"
    )
    author: Mapped[str | None] = mapped_column(String(200))
    source_name: Mapped[str | None] = mapped_column(String(200))
    summary: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    original_body: Mapped[str | None] = mapped_column(Text)
    # JSON: [{"url": …, "caption": …}]
    images: Mapped[str | None] = mapped_column(Text)
    encoding_seen: Mapped[str | None] = mapped_column(String(30))
    # Search tokens of the simplified title and body (db.search), indexed per database.
    search_title: Mapped[str] = mapped_column(Text, default="")
    search_body: Mapped[str] = mapped_column(Text, default="")
    # A 64-bit SimHash of the body and its four 16-bit bands: near-duplicates share a band.
    fingerprint: Mapped[int | None] = mapped_column(BigInteger)
    band0: Mapped[int | None] = mapped_column(Integer, index=True)
    band1: Mapped[int | None] = mapped_column(Integer, index=True)
    band2: Mapped[int | None] = mapped_column(Integer, index=True)
    band3: Mapped[int | None] = mapped_column(Integer, index=True)


class StorySource(ProvenanceMixin, Base):
    """Where a story was published: the feed and page of one (re)publication."""

    __tablename__ = "story_sources"
    __table_args__ = provenance_constraints()

    id: Mapped[intpk]
    story_id: Mapped[int] = mapped_column(
        ForeignKey("news_stories.id", ondelete="CASCADE"), index=True
    )
    feed_id: Mapped[int] = mapped_column(ForeignKey("news_feeds.id", ondelete="RESTRICT"))
    url: Mapped[str] = mapped_column(String(500), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    published_at: Mapped[datetime]
    encoding_seen: Mapped[str | None] = mapped_column(String(30))


class Mention(Base):
    """A place in a story's text that names a site, team, project or division."""

    __tablename__ = "mentions"
    __table_args__ = (
        CheckConstraint(
            "(target = 'site' AND site_id IS NOT NULL AND team_id IS NULL"
            "  AND project_id IS NULL AND division_code IS NULL)"
            " OR (target = 'team' AND team_id IS NOT NULL AND site_id IS NULL"
            "  AND project_id IS NULL AND division_code IS NULL)"
            " OR (target = 'project' AND project_id IS NOT NULL AND site_id IS NULL"
            "  AND team_id IS NULL AND division_code IS NULL)"
            " OR (target = 'division' AND division_code IS NOT NULL AND site_id IS NULL"
            "  AND team_id IS NULL AND project_id IS NULL)",
            name="one_target",
        ),
        CheckConstraint("position >= 0", name="position_sign"),
    )

    id: Mapped[intpk]
    story_id: Mapped[int] = mapped_column(
        ForeignKey("news_stories.id", ondelete="CASCADE"), index=True
    )
    target: Mapped[MentionTarget] = mapped_column(enum_column(MentionTarget, "mention_target"))
    site_id: Mapped[int | None] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), index=True
    )
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), index=True
    )
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    division_code: Mapped[str | None] = mapped_column(
        ForeignKey("divisions.code", ondelete="CASCADE"), index=True
    )
    matched_text: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer)

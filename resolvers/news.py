"""News stories (宣传): root list with search and mention filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, false, literal, or_, select

from db import models as m
from db.search import search_scores
from resolvers.common import in_division

__all__ = ["MentionRef", "StoryCriteria", "story_statement"]


@dataclass(frozen=True, slots=True)
class MentionRef:
    """A thing stories may mention: target kind and its key (id or division code)."""

    target: m.MentionTarget
    key: str


_MENTION_COLUMN = {
    m.MentionTarget.SITE: m.Mention.site_id,
    m.MentionTarget.TEAM: m.Mention.team_id,
    m.MentionTarget.PROJECT: m.Mention.project_id,
    m.MentionTarget.DIVISION: m.Mention.division_code,
}


@dataclass(frozen=True, slots=True)
class StoryCriteria:
    search: str | None = None
    mentions: tuple[MentionRef, ...] = ()
    division_code: str | None = None
    published_after: datetime | None = None
    published_before: datetime | None = None
    feed_id: int | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        for mention in self.mentions:
            column = _MENTION_COLUMN[mention.target]
            key: Any = (
                mention.key if mention.target is m.MentionTarget.DIVISION else int(mention.key)
            )
            found.append(m.NewsStory.id.in_(select(m.Mention.story_id).where(column == key)))
        if self.division_code:
            found.append(_in_place(self.division_code))
        if self.published_after:
            found.append(m.NewsStory.published_at >= self.published_after)
        if self.published_before:
            found.append(m.NewsStory.published_at < self.published_before)
        if self.feed_id is not None:
            found.append(m.NewsStory.feed_id == self.feed_id)
        found.append(m.NewsStory.retired_at.is_(None))
        return found


def _in_place(code: str) -> ColumnElement[bool]:
    """Stories about a division: published by one of its feeds, or mentioning it, a
    division below it, or a site, team or project in it."""
    mentioned = (
        select(m.Mention.story_id)
        .outerjoin(m.Site, m.Site.id == m.Mention.site_id)
        .outerjoin(m.Team, m.Team.id == m.Mention.team_id)
        .outerjoin(m.Project, m.Project.id == m.Mention.project_id)
        .where(
            or_(
                in_division(m.Mention.division_code, code),
                in_division(m.Site.division_code, code),
                in_division(m.Team.county_code, code),
                in_division(m.Project.county_code, code),
            )
        )
    )
    local_feeds = select(m.NewsFeed.id).where(in_division(m.NewsFeed.county_code, code))
    return or_(m.NewsStory.id.in_(mentioned), m.NewsStory.feed_id.in_(local_feeds))


def story_statement(
    criteria: StoryCriteria, dialect: str
) -> tuple[Select[Any], ColumnElement[Any] | None]:
    """The stories that meet `criteria`, and with a search, their relevance (higher is
    better; words in the title weigh more than in the body)."""
    statement = select(m.NewsStory).where(*criteria.conditions())
    if not criteria.search:
        return statement, None
    scored = search_scores(criteria.search, dialect)
    if scored is None:
        # Nothing searchable (only punctuation): nothing matches, equally well.
        return statement.where(false()), literal(0.0)
    return statement.join(scored, scored.c.story_id == m.NewsStory.id), scored.c.score

"""Every relation a GraphQL field follows, as data: which rows, keyed by what, in which order.

A relation is turned into one DataLoader per request (resolvers.loaders); its batch runs
one statement for all the parents in the batch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, SQLColumnExpression, case, select
from sqlalchemy.orm import aliased

from db import models as m

__all__ = ["Relation"]

_parent = aliased(m.Site, name="parent_site")


@dataclass(frozen=True, eq=False)
class Relation:
    """Rows of `model` that belong to a parent key through `partition`."""

    name: str
    model: type[Any]
    partition: SQLColumnExpression[Any]
    order_by: Sequence[SQLColumnExpression[Any]]
    base: Callable[[], Select[Any]]

    def statement(self) -> Select[Any]:
        """The relation's rows, without those retired from their source."""
        statement = self.base()
        retired = getattr(self.model, "retired_at", None)
        return statement if retired is None else statement.where(retired.is_(None))


def _sites_of_kind(*kinds: m.SiteKind) -> Callable[[], Select[Any]]:
    return lambda: select(m.Site).where(m.Site.kind.in_(kinds))


def _institutes_with_parent() -> Select[Any]:
    return (
        select(m.Site)
        .join(_parent, _parent.id == m.Site.parent_id)
        .where(m.Site.kind == m.SiteKind.INSTITUTE)
    )


SITE_ORDER = (m.Site.id,)

# Institutes hang under their center directly or through an area sub-center (Tianzhu):
# both belong to the center's `institutes`.
INSTITUTES_OF_CENTER = Relation(
    "institutes_of_center",
    m.Site,
    case((_parent.kind == m.SiteKind.SUB_CENTER, _parent.parent_id), else_=m.Site.parent_id),
    SITE_ORDER,
    _institutes_with_parent,
)
INSTITUTES_OF_PARENT = Relation(
    "institutes_of_parent",
    m.Site,
    m.Site.parent_id,
    SITE_ORDER,
    _sites_of_kind(m.SiteKind.INSTITUTE),
)
STATIONS_OF_INSTITUTE = Relation(
    "stations_of_institute",
    m.Site,
    m.Site.parent_id,
    SITE_ORDER,
    _sites_of_kind(m.SiteKind.STATION),
)
POINTS_OF_SITE = Relation(
    "points_of_site",
    m.Site,
    m.Site.parent_id,
    SITE_ORDER,
    _sites_of_kind(m.SiteKind.POINT, m.SiteKind.POST),
)
SUB_CENTERS_OF_PARENT = Relation(
    "sub_centers_of_parent",
    m.Site,
    m.Site.parent_id,
    SITE_ORDER,
    _sites_of_kind(m.SiteKind.SUB_CENTER),
)
CENTERS_OF_PREFECTURE = Relation(
    "centers_of_prefecture",
    m.Site,
    m.Site.parent_id,
    SITE_ORDER,
    _sites_of_kind(m.SiteKind.CENTER),
)
SITES_OF_DIVISION = Relation(
    "sites_of_division", m.Site, m.Site.division_code, SITE_ORDER, lambda: select(m.Site)
)
CHILD_DIVISIONS = Relation(
    "child_divisions",
    m.Division,
    m.Division.parent_code,
    (m.Division.code,),
    lambda: select(m.Division),
)
TEAMS_OF_SITE = Relation(
    "teams_of_site", m.Team, m.Team.home_site_id, (m.Team.id,), lambda: select(m.Team)
)
TEAMS_OF_PLATFORM = Relation(
    "teams_of_platform", m.Team, m.Team.platform_id, (m.Team.id,), lambda: select(m.Team)
)
SUB_TEAMS = Relation("sub_teams", m.Team, m.Team.parent_id, (m.Team.id,), lambda: select(m.Team))
MEMBERS_OF_TEAM = Relation(
    "members_of_team",
    m.Volunteer,
    m.TeamMembership.team_id,
    (m.Volunteer.id,),
    lambda: select(m.Volunteer).join(
        m.TeamMembership, m.TeamMembership.volunteer_id == m.Volunteer.id
    ),
)
PROJECTS_OF_TEAM = Relation(
    "projects_of_team",
    m.Project,
    m.project_teams.c.team_id,
    (m.Project.id,),
    lambda: select(m.Project).join(m.project_teams, m.project_teams.c.project_id == m.Project.id),
)
ACTIVITIES_OF_SITE = Relation(
    "activities_of_site",
    m.Activity,
    m.Activity.site_id,
    (m.Activity.starts_at.desc(), m.Activity.id.desc()),
    lambda: select(m.Activity),
)
ACTIVITIES_OF_PROJECT = Relation(
    "activities_of_project",
    m.Activity,
    m.Activity.project_id,
    (m.Activity.starts_at.desc(), m.Activity.id.desc()),
    lambda: select(m.Activity),
)
RECORDS_OF_VOLUNTEER = Relation(
    "records_of_volunteer",
    m.ServiceRecord,
    m.ServiceRecord.volunteer_id,
    (m.ServiceRecord.served_on.desc(), m.ServiceRecord.id.desc()),
    lambda: select(m.ServiceRecord),
)
ENTRIES_OF_ACCOUNT = Relation(
    "entries_of_account",
    m.PointsEntry,
    m.PointsEntry.account_id,
    (m.PointsEntry.occurred_on.desc(), m.PointsEntry.id.desc()),
    lambda: select(m.PointsEntry),
)


def _stories_mentioning(name: str, column: SQLColumnExpression[Any]) -> Relation:
    # One link per (story, target) however often the story names it.
    links = (
        select(m.Mention.story_id, column.label("target"))
        .where(column.is_not(None))
        .distinct()
        .subquery(f"{name}_links")
    )
    return Relation(
        name,
        m.NewsStory,
        links.c.target,
        (m.NewsStory.published_at.desc(), m.NewsStory.id.desc()),
        lambda: select(m.NewsStory).join(links, links.c.story_id == m.NewsStory.id),
    )


STORIES_OF_PROJECT = _stories_mentioning("stories_of_project", m.Mention.project_id)
STORIES_OF_SITE = _stories_mentioning("stories_of_site", m.Mention.site_id)
STORIES_OF_TEAM = _stories_mentioning("stories_of_team", m.Mention.team_id)

# Small lists a parent shows whole (no paging).
PLATFORMS_OF_SITE = Relation(
    "platforms_of_site",
    m.Platform,
    m.site_platforms.c.site_id,
    (m.Platform.id,),
    lambda: select(m.Platform).join(
        m.site_platforms, m.site_platforms.c.platform_id == m.Platform.id
    ),
)
PLATFORMS_OF_CENTER = Relation(
    "platforms_of_center",
    m.Platform,
    m.Platform.center_id,
    (m.Platform.id,),
    lambda: select(m.Platform),
)
TEAMS_OF_PROJECT = Relation(
    "teams_of_project",
    m.Team,
    m.project_teams.c.project_id,
    (m.Team.id,),
    lambda: select(m.Team).join(m.project_teams, m.project_teams.c.team_id == m.Team.id),
)
TEAMS_OF_ACTIVITY = Relation(
    "teams_of_activity",
    m.Team,
    m.activity_teams.c.activity_id,
    (m.Team.id,),
    lambda: select(m.Team).join(m.activity_teams, m.activity_teams.c.team_id == m.Team.id),
)
TEAMS_OF_VOLUNTEER = Relation(
    "teams_of_volunteer",
    m.Team,
    m.TeamMembership.volunteer_id,
    (m.Team.id,),
    lambda: select(m.Team).join(m.TeamMembership, m.TeamMembership.team_id == m.Team.id),
)
AWARDS_OF_PROJECT = Relation(
    "awards_of_project",
    m.Award,
    m.Award.project_id,
    (m.Award.year.desc(), m.Award.id),
    lambda: select(m.Award),
)
EVENTS_OF_ORDER = Relation(
    "events_of_order",
    m.OrderEvent,
    m.OrderEvent.order_id,
    (m.OrderEvent.sequence,),
    lambda: select(m.OrderEvent),
)
HONOURS_OF_HOUSEHOLD = Relation(
    "honours_of_household",
    m.HouseholdHonour,
    m.HouseholdHonour.household_id,
    (m.HouseholdHonour.year.desc(), m.HouseholdHonour.id),
    lambda: select(m.HouseholdHonour),
)
RATINGS_OF_HOUSEHOLD = Relation(
    "ratings_of_household",
    m.CreditRating,
    m.CreditRating.household_id,
    (m.CreditRating.rated_on.desc(), m.CreditRating.id.desc()),
    lambda: select(m.CreditRating),
)
ACCOUNTS_OF_HOUSEHOLD = Relation(
    "accounts_of_household",
    m.PointsAccount,
    m.PointsAccount.household_id,
    (m.PointsAccount.id,),
    lambda: select(m.PointsAccount),
)
SOURCES_OF_STORY = Relation(
    "sources_of_story",
    m.StorySource,
    m.StorySource.story_id,
    (m.StorySource.published_at, m.StorySource.id),
    lambda: select(m.StorySource),
)
MENTIONS_OF_STORY = Relation(
    "mentions_of_story",
    m.Mention,
    m.Mention.story_id,
    (m.Mention.position, m.Mention.id),
    lambda: select(m.Mention),
)

"""Every table of the hub, one module per aggregate; importing this registers them all."""

from db.models.audit import PersonalDataRead
from db.models.divisions import DIVISION_CODE, Division, DivisionLevel, significant_prefix
from db.models.documents import TrustedDocument
from db.models.households import CreditRating, HonourLevel, Household, HouseholdHonour
from db.models.news import (
    Mention,
    MentionTarget,
    NewsFeed,
    NewsStory,
    PublishedAtSource,
    StorySource,
)
from db.models.orders import MenuItem, OrderEvent, OrderEventKind, OrderStatus, ServiceOrder
from db.models.points import PointsAccount, PointsBank, PointsEntry, PointsEntryKind
from db.models.projects import (
    Activity,
    Award,
    AwardLevel,
    Project,
    activity_teams,
    project_teams,
)
from db.models.rollup import PeriodKind, RankingIndex, RollupState, RollupValue
from db.models.secret import SealingKey
from db.models.sites import Platform, Site, SiteKind, SiteStatus, site_platforms
from db.models.sync import (
    QuarantinedRecord,
    QuarantineResolution,
    SyncCursor,
    SyncLock,
    SyncRun,
    SyncStatus,
)
from db.models.teams import Team, TeamKind, TeamMembership
from db.models.volunteers import Gender, ServiceRecord, Volunteer, VolunteerRegistration

__all__ = [
    "DIVISION_CODE",
    "Activity",
    "Award",
    "AwardLevel",
    "CreditRating",
    "Division",
    "DivisionLevel",
    "Gender",
    "HonourLevel",
    "Household",
    "HouseholdHonour",
    "Mention",
    "MentionTarget",
    "MenuItem",
    "NewsFeed",
    "NewsStory",
    "OrderEvent",
    "OrderEventKind",
    "OrderStatus",
    "PeriodKind",
    "PersonalDataRead",
    "Platform",
    "PointsAccount",
    "PointsBank",
    "PointsEntry",
    "PointsEntryKind",
    "Project",
    "PublishedAtSource",
    "QuarantineResolution",
    "QuarantinedRecord",
    "RankingIndex",
    "RollupState",
    "RollupValue",
    "SealingKey",
    "ServiceOrder",
    "ServiceRecord",
    "Site",
    "SiteKind",
    "SiteStatus",
    "StorySource",
    "SyncCursor",
    "SyncLock",
    "SyncRun",
    "SyncStatus",
    "Team",
    "TeamKind",
    "TeamMembership",
    "TrustedDocument",
    "Volunteer",
    "VolunteerRegistration",
    "activity_teams",
    "project_teams",
    "significant_prefix",
    "site_platforms",
]

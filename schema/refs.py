"""Lazy references between type families, which refer to each other in cycles."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

if TYPE_CHECKING:
    from schema.divisions import Division
    from schema.households import Household, PointsAccount
    from schema.news import NewsStory
    from schema.orders import ServiceOrder
    from schema.projects import Activity, Project
    from schema.sites import Center, Institute, Platform, Site, Station, SubCenter
    from schema.teams import Team
    from schema.volunteers import ServiceRecord, Volunteer

__all__ = [
    "ActivityRef",
    "CenterRef",
    "DivisionRef",
    "HouseholdRef",
    "InstituteRef",
    "NewsStoryRef",
    "PlatformRef",
    "PointsAccountRef",
    "ProjectRef",
    "ServiceOrderRef",
    "ServiceRecordRef",
    "SiteRef",
    "StationRef",
    "SubCenterRef",
    "TeamRef",
    "VolunteerRef",
]

ActivityRef = Annotated["Activity", strawberry.lazy("schema.projects")]
CenterRef = Annotated["Center", strawberry.lazy("schema.sites")]
DivisionRef = Annotated["Division", strawberry.lazy("schema.divisions")]
HouseholdRef = Annotated["Household", strawberry.lazy("schema.households")]
InstituteRef = Annotated["Institute", strawberry.lazy("schema.sites")]
NewsStoryRef = Annotated["NewsStory", strawberry.lazy("schema.news")]
PlatformRef = Annotated["Platform", strawberry.lazy("schema.sites")]
PointsAccountRef = Annotated["PointsAccount", strawberry.lazy("schema.households")]
ProjectRef = Annotated["Project", strawberry.lazy("schema.projects")]
ServiceOrderRef = Annotated["ServiceOrder", strawberry.lazy("schema.orders")]
ServiceRecordRef = Annotated["ServiceRecord", strawberry.lazy("schema.volunteers")]
SiteRef = Annotated["Site", strawberry.lazy("schema.sites")]
StationRef = Annotated["Station", strawberry.lazy("schema.sites")]
SubCenterRef = Annotated["SubCenter", strawberry.lazy("schema.sites")]
TeamRef = Annotated["Team", strawberry.lazy("schema.teams")]
VolunteerRef = Annotated["Volunteer", strawberry.lazy("schema.volunteers")]

"""GraphQL enums, one per stored enumeration (values shown in UPPER_CASE)."""

from __future__ import annotations

import enum

import strawberry

from db import models as m
from resolvers.viewer import Role

__all__ = [
    "AwardLevel",
    "DivisionLevel",
    "Gender",
    "HonourLevel",
    "OrderDirection",
    "OrderEventKind",
    "OrderStatus",
    "PointsEntryKind",
    "PublishedAtSource",
    "QuarantineResolution",
    "Role",
    "SiteKind",
    "SiteStatus",
    "SyncStatus",
    "TeamKind",
]

DivisionLevel = strawberry.enum(m.DivisionLevel, name="DivisionLevel")
SiteKind = strawberry.enum(m.SiteKind, name="SiteKind")
SiteStatus = strawberry.enum(m.SiteStatus, name="SiteStatus", description="在建 / 运行 / 停用")
TeamKind = strawberry.enum(m.TeamKind, name="TeamKind")
Gender = strawberry.enum(m.Gender, name="Gender")
AwardLevel = strawberry.enum(m.AwardLevel, name="AwardLevel")
OrderStatus = strawberry.enum(m.OrderStatus, name="OrderStatus")
OrderEventKind = strawberry.enum(m.OrderEventKind, name="OrderEventKind")
HonourLevel = strawberry.enum(m.HonourLevel, name="HonourLevel")
PointsEntryKind = strawberry.enum(m.PointsEntryKind, name="PointsEntryKind")
SyncStatus = strawberry.enum(m.SyncStatus, name="SyncStatus")
PublishedAtSource = strawberry.enum(
    m.PublishedAtSource,
    name="PublishedAtSource",
    description="Where a story's publication time came from: the page itself, the feed's "
    "entry, the page's HTTP Last-Modified, or when the hub first read a page that gave none.",
)
QuarantineResolution = strawberry.enum(m.QuarantineResolution, name="QuarantineResolution")
strawberry.enum(Role, name="Role")


@strawberry.enum
class OrderDirection(enum.Enum):
    ASC = "asc"
    DESC = "desc"

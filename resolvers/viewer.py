"""Who is asking: the viewer a request acts for, and what its scope covers."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from db.models import significant_prefix

__all__ = ["Role", "Viewer"]


class Role(enum.Enum):
    ANONYMOUS = "anonymous"
    MEDIA = "media"
    ANALYST = "analyst"
    COUNTY_STAFF = "county_staff"
    PROVINCE_STAFF = "province_staff"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Viewer:
    """The caller of one request. `scope` holds division codes (county or province
    level) whose personal data this viewer may see; only staff roles have one."""

    role: Role = Role.ANONYMOUS
    scope: frozenset[str] = frozenset()
    name: str = "anonymous"

    @property
    def is_staff(self) -> bool:
        return self.role in {Role.COUNTY_STAFF, Role.PROVINCE_STAFF, Role.ADMIN}

    def covers_county(self, county_code: str) -> bool:
        """May this viewer see the personal data owned by `county_code`?"""
        if self.role is Role.ADMIN:
            return True
        if not self.is_staff:
            return False
        return any(county_code.startswith(significant_prefix(code)) for code in self.scope)

"""Row factories for tests: valid rows with provenance, overridable field by field."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from typing import Any

from db import models as m

__all__ = ["NOW", "add_division_tree", "provenance", "site_row"]

NOW = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
_serial = itertools.count(1)


def provenance(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "source_system": "test",
        "source_id": f"record/{next(_serial)}",
        "first_seen_at": NOW,
        "last_seen_at": NOW,
        "content_hash": "0" * 64,
        "retired_at": None,
    }
    values.update(overrides)
    return values


def add_division_tree() -> list[m.Division]:
    """Guizhou → Qiandongnan → Kaili → one township → one village."""
    return [
        m.Division(code="520000", name="贵州省", level=m.DivisionLevel.PROVINCE),
        m.Division(
            code="522600",
            name="黔东南苗族侗族自治州",
            level=m.DivisionLevel.PREFECTURE,
            parent_code="520000",
        ),
        m.Division(
            code="522601", name="凯里市", level=m.DivisionLevel.COUNTY, parent_code="522600"
        ),
        m.Division(
            code="522601001000",
            name="大十字街道",
            level=m.DivisionLevel.TOWNSHIP,
            parent_code="522601",
        ),
        m.Division(
            code="522601001001",
            name="北京东路社区",
            level=m.DivisionLevel.VILLAGE,
            parent_code="522601001000",
        ),
    ]


def site_row(**overrides: Any) -> m.Site:
    values: dict[str, Any] = {
        "kind": m.SiteKind.CENTER,
        "name": "凯里市新时代文明实践中心",
        "division_code": "522601",
        "status": m.SiteStatus.OPEN,
        "is_demonstration": False,
        "opened_on": date(2020, 5, 1),
        **provenance(),
    }
    values.update(overrides)
    return m.Site(**values)

"""The one place that decides who sees personal data.

Names, ID numbers, phones, addresses and points ledgers belong to a county; only staff
whose scope covers that county see them. Everyone else sees masked names and nothing
of the rest, on every path to the object.
"""

from __future__ import annotations

from dataclasses import dataclass

from db import models as m
from db.pii import PersonalDataCipher
from resolvers.viewer import Role, Viewer
from schema.errors import Forbidden
from schema.surnames import COMPOUND_SURNAMES, SURNAMES

__all__ = [
    "HouseholdPersonal",
    "VolunteerPersonal",
    "household_personal",
    "mask_name",
    "protected_filter_scope",
    "require_admin",
    "require_county",
    "require_found",
    "require_staff",
    "volunteer_personal",
]


def mask_name(name: str) -> str:
    """张** / 欧阳** / ***: the family name stays where there surely is one, and the
    rest is always two stars, so that the mask tells neither the name's length nor, for
    a name without a family name (措姆, 买买提·艾力), any part of it."""
    name = name.strip()
    if not name:
        return ""
    if "·" not in name and "•" not in name:
        if name[:2] in COMPOUND_SURNAMES and len(name) > 2:
            return f"{name[:2]}**"
        if name[0] in SURNAMES and len(name) > 1:
            return f"{name[0]}**"
    return "***"


@dataclass(frozen=True, slots=True)
class VolunteerPersonal:
    display_name: str
    real_name: str | None
    id_number: str | None
    phone: str | None


def volunteer_personal(
    viewer: Viewer, row: m.Volunteer, cipher: PersonalDataCipher
) -> VolunteerPersonal:
    if not viewer.covers_county(row.county_code):
        return VolunteerPersonal(mask_name(row.real_name), None, None, None)
    return VolunteerPersonal(
        display_name=row.real_name,
        real_name=row.real_name,
        id_number=cipher.open(row.id_number_sealed),
        phone=cipher.open(row.phone_sealed) if row.phone_sealed else None,
    )


@dataclass(frozen=True, slots=True)
class HouseholdPersonal:
    display_name: str
    head_name: str | None
    address: str | None
    may_see_ledger: bool


def household_personal(viewer: Viewer, row: m.Household) -> HouseholdPersonal:
    if not viewer.covers_county(row.county_code):
        return HouseholdPersonal(f"{mask_name(row.head_name)}家", None, None, False)
    return HouseholdPersonal(f"{row.head_name}家", row.head_name, row.address, True)


def require_county(viewer: Viewer, county_code: str, what: str) -> None:
    """Refuse (FORBIDDEN) unless the viewer's scope covers `county_code`."""
    if not viewer.covers_county(county_code):
        raise Forbidden(what)


def require_found(viewer: Viewer, found: bool, what: str) -> None:
    """An id of a restricted kind that names nothing is FORBIDDEN, as one of another
    county's is: otherwise the boundary between FORBIDDEN and null counts the passbooks
    and ledger entries of every county. Only a viewer who sees all (admin) learns that
    nothing is there."""
    if not found and viewer.role is not Role.ADMIN:
        raise Forbidden(what)


def protected_filter_scope(viewer: Viewer, what: str) -> frozenset[str] | None:
    """A filter on what only a county's staff may know (team membership, holding a
    credit rating) is FORBIDDEN to anyone else, whether or not anything would match;
    staff get its answer within the divisions they cover (None: all, for admin)."""
    require_staff(viewer, what)
    return None if viewer.role is Role.ADMIN else viewer.scope


def require_admin(viewer: Viewer, what: str) -> None:
    if viewer.role is not Role.ADMIN:
        raise Forbidden(what)


def require_staff(viewer: Viewer, what: str) -> None:
    if not viewer.is_staff:
        raise Forbidden(what)

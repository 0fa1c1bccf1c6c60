"""County volunteer app items → hub records. Pure: no I/O.

Order states are the app's numbers: below 30 not yet dispatched, 30 dispatched, 50 in
service, 60 completed and open for rating, 70 rated, negative cancelled or rejected.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from connectors.base import Mapped, Ref, Rejection
from connectors.normalise import clean_text, parse_date, parse_number
from connectors.sites.mapping import map_org_node
from connectors.volunteers.identity_mapping import identity, volunteer_record
from connectors.volunteers.settings import TEAM_KIND_WORDS
from db import models as m
from db.pii import PersonalDataCipher

__all__ = ["MAPPERS", "order_status", "parse_instant"]

SHANGHAI = ZoneInfo("Asia/Shanghai")
Item = Mapping[str, Any]


def parse_instant(value: Any, field: str, *, required: bool = True) -> datetime | None:
    """ISO 8601; an instant without an offset is county time (Asia/Shanghai)."""
    text = clean_text(value)
    if not text:
        if required:
            raise Rejection(f"{field} is empty; an instant is required", field)
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T"))
    except ValueError:
        raise Rejection(f"{field} {text!r} is not an ISO 8601 instant", field) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


def order_status(state: Any) -> m.OrderStatus:
    try:
        code = int(state)
    except (TypeError, ValueError):
        raise Rejection(f"state {state!r} is not an order state number", "state") from None
    if code < 0:
        return m.OrderStatus.CANCELLED
    for floor, status in (
        (70, m.OrderStatus.RATED),
        (60, m.OrderStatus.DELIVERED),
        (50, m.OrderStatus.ACCEPTED),
        (30, m.OrderStatus.DISPATCHED),
    ):
        if code >= floor:
            return status
    return m.OrderStatus.ORDERED


def _county_of(item: Item, default: str) -> str:
    """The item's own county (a prefecture's app serves several), else the source's."""
    code = clean_text(item.get("countyCode"))
    if not code:
        return default
    if len(code) != 6 or not code.isdigit():
        raise Rejection(f"countyCode {code!r} is not a 6-digit county code", "countyCode")
    return code


def _id(item: Item, field: str = "id") -> str:
    text = clean_text(item.get(field))
    if not text:
        raise Rejection(f"{field} is empty", field)
    return text


def _ref(column: str, model: type[Any], item: Item, field: str) -> list[Ref]:
    value = clean_text(item.get(field))
    return [Ref(column, model, value, label=field)] if value else []


def map_platform(item: Item, _county: str, _cipher: PersonalDataCipher) -> list[Mapped]:
    """A service platform of a center, and the sites that host it."""
    name = clean_text(item.get("name"))
    if not name:
        raise Rejection("name is empty", "name")
    refs = _ref("center_id", m.Site, item, "centerId")
    if not refs:
        raise Rejection("centerId is empty; a platform belongs to a center", "centerId")
    sites = [clean_text(site) for site in item.get("siteIds") or [] if clean_text(site)]
    return [
        Mapped(
            m.Platform,
            _id(item),
            {"name": name, "center_id": None},
            tuple(refs),
            extras={"sites": sites},
        )
    ]


def map_team(item: Item, county: str, _cipher: PersonalDataCipher) -> list[Mapped]:
    county = _county_of(item, county)
    kind_text = clean_text(item.get("type"))
    kind = next((kind for word, kind in TEAM_KIND_WORDS if word in kind_text), m.TeamKind.OTHER)
    for member in m.TeamKind:
        if kind_text == member.value:
            kind = member
    name = clean_text(item.get("name"))
    if not name:
        raise Rejection("name is empty", "name")
    values = {
        "name": name,
        "kind": kind,
        "county_code": county,
        "parent_id": None,
        "home_site_id": None,
        "platform_id": None,
        "founded_on": parse_date(item.get("foundedOn"), "foundedOn", required=False),
    }
    refs = [
        *_ref("parent_id", m.Team, item, "parentId"),
        *_ref("home_site_id", m.Site, item, "siteId"),
        *_ref("platform_id", m.Platform, item, "platformId"),
    ]
    return [Mapped(m.Team, _id(item), values, tuple(refs))]


def map_volunteer(item: Item, county: str, cipher: PersonalDataCipher) -> list[Mapped]:
    county = _county_of(item, county)
    hours = parse_number(item.get("serviceHours"), "serviceHours") or 0
    registered = parse_instant(item.get("registeredAt"), "registeredAt")
    assert registered is not None
    values = {
        "county_code": county,
        "volunteer_number": clean_text(item.get("number")) or f"app:{_id(item)}",
        **identity(
            cipher,
            name=item.get("name"),
            document_type=item.get("idType"),
            document=item.get("idNumber"),
            gender=item.get("gender"),
            phone=item.get("phone"),
            columns=("name", "idNumber", "gender", "phone"),
        ),
        "political_status": clean_text(item.get("politicalStatus")) or None,
        "registered_on": registered.astimezone(SHANGHAI).date(),
        "service_minutes": round(hours * 60),
    }
    teams = [clean_text(team) for team in item.get("teamIds") or [] if clean_text(team)]
    return [volunteer_record(_id(item), values, {"teams": teams})]


def map_project(item: Item, county: str, _cipher: PersonalDataCipher) -> list[Mapped]:
    county = _county_of(item, county)
    name = clean_text(item.get("name"))
    if not name:
        raise Rejection("name is empty", "name")
    values = {
        "name": name,
        "county_code": county,
        "is_brand": bool(item.get("isBrand")),
        "summary": clean_text(item.get("summary")) or None,
        "platform_id": None,
        "started_on": parse_date(item.get("startedOn"), "startedOn", required=False),
    }
    teams = [clean_text(team) for team in item.get("teamIds") or [] if clean_text(team)]
    refs = _ref("platform_id", m.Platform, item, "platformId")
    project = Mapped(m.Project, _id(item), values, tuple(refs), extras={"teams": teams})
    return [project, *(_award(project.source_id, award) for award in item.get("awards") or [])]


def _award(project: str, award: Item) -> Mapped:
    name = clean_text(award.get("name"))
    level = clean_text(award.get("level"))
    if level not in {member.value for member in m.AwardLevel}:
        raise Rejection(
            f"awards.level {level!r} should be national, provincial, city or county", "awards"
        )
    year = int(parse_number(award.get("year"), "awards.year", required=True) or 0)
    values = {"name": name, "level": m.AwardLevel(level), "year": year, "project_id": None}
    ref = Ref("project_id", m.Project, project, label="project")
    return Mapped(m.Award, f"{project}:{name}:{year}", values, (ref,))


def map_menu_item(item: Item, _county: str, _cipher: PersonalDataCipher) -> list[Mapped]:
    name = clean_text(item.get("name"))
    if not name:
        raise Rejection("name is empty", "name")
    values = {
        "name": name,
        "description": clean_text(item.get("description")) or None,
        "is_active": item.get("active", True) is not False,
        "center_id": None,
        "platform_id": None,
    }
    refs = _ref("center_id", m.Site, item, "centerId")
    if not refs:
        raise Rejection("centerId is empty; a menu item belongs to a center", "centerId")
    refs += _ref("platform_id", m.Platform, item, "platformId")
    return [Mapped(m.MenuItem, _id(item), values, tuple(refs))]


def map_activity(item: Item, county: str, _cipher: PersonalDataCipher) -> list[Mapped]:
    county = _county_of(item, county)
    starts = parse_instant(item.get("startsAt"), "startsAt")
    ends = parse_instant(item.get("endsAt"), "endsAt", required=False)
    if starts and ends and ends < starts:
        raise Rejection("endsAt is before startsAt", "endsAt")
    hours = parse_number(item.get("volunteerHours"), "volunteerHours") or 0
    values = {
        "title": clean_text(item.get("title")) or "（无标题活动）",
        "county_code": county,
        "project_id": None,
        "site_id": None,
        "starts_at": starts,
        "ends_at": ends,
        "volunteer_count": int(parse_number(item.get("volunteerCount"), "volunteerCount") or 0),
        "volunteer_minutes": round(hours * 60),
        "people_served": int(parse_number(item.get("peopleServed"), "peopleServed") or 0),
    }
    refs = _ref("site_id", m.Site, item, "siteId") + _ref(
        "project_id", m.Project, item, "projectId"
    )
    if not any(ref.column == "site_id" for ref in refs):
        raise Rejection("siteId is empty; an activity is held at a site", "siteId")
    teams = [clean_text(team) for team in item.get("teamIds") or [] if clean_text(team)]
    return [Mapped(m.Activity, _id(item), values, tuple(refs), extras={"teams": teams})]


def map_record(item: Item, _county: str, _cipher: PersonalDataCipher) -> list[Mapped]:
    hours = parse_number(item.get("hours"), "hours", required=True)
    assert hours is not None
    if hours <= 0:
        raise Rejection("hours must be more than 0", "hours")
    served = parse_date(item.get("date"), "date")
    values = {
        "volunteer_id": None,
        "activity_id": None,
        "team_id": None,
        "served_on": served,
        "minutes": round(hours * 60),
        "is_confirmed": bool(item.get("confirmed")),
    }
    refs = (
        _ref("volunteer_id", m.Volunteer, item, "volunteerId")
        + _ref("activity_id", m.Activity, item, "activityId")
        + _ref("team_id", m.Team, item, "teamId")
    )
    if not any(ref.column == "volunteer_id" for ref in refs):
        raise Rejection("volunteerId is empty", "volunteerId")
    return [Mapped(m.ServiceRecord, _id(item), values, tuple(refs))]


_STEPS = (
    (m.OrderStatus.DISPATCHED, "dispatchedAt", "dispatched_at"),
    (m.OrderStatus.ACCEPTED, "acceptedAt", "accepted_at"),
    (m.OrderStatus.DELIVERED, "completedAt", "delivered_at"),
    (m.OrderStatus.RATED, "ratedAt", "rated_at"),
)
_ORDER = [
    m.OrderStatus.ORDERED,
    m.OrderStatus.DISPATCHED,
    m.OrderStatus.ACCEPTED,
    m.OrderStatus.DELIVERED,
    m.OrderStatus.RATED,
]


def map_order(item: Item, county: str, _cipher: PersonalDataCipher) -> list[Mapped]:
    county = _county_of(item, county)
    status = order_status(item.get("state"))
    ordered = parse_instant(item.get("createdAt"), "createdAt")
    values: dict[str, Any] = {
        "county_code": county,
        "site_id": None,
        "menu_item_id": None,
        "team_id": None,
        "status": status,
        "ordered_at": ordered,
        "rating": None,
        "funding_fen": None,
        "funding_source": None,
        "funded_at": None,
        "cancelled_at": None,
    }
    events: list[dict[str, Any]] = [_event(m.OrderEventKind.ORDERED, ordered, "群众", None)]
    reached = _ORDER.index(status) if status in _ORDER else 0
    for step, field, column in _STEPS:
        moment = parse_instant(item.get(field), field, required=False)
        if moment is None and _ORDER.index(step) <= reached:
            raise Rejection(f"state {item.get('state')} ({step.value}) but {field} is empty", field)
        values[column] = moment if _ORDER.index(step) <= reached else None
        if values[column] is not None:
            events.append(_event(m.OrderEventKind(step.value), moment, None, None))
    if status is m.OrderStatus.RATED:
        rating = item.get("rating")
        if not isinstance(rating, int) or not 1 <= rating <= 5:
            raise Rejection(
                f"state {item.get('state')} (rated) needs a rating from 1 to 5, got {rating!r}",
                "rating",
            )
        values["rating"] = rating
    if status is m.OrderStatus.CANCELLED:
        values["cancelled_at"] = parse_instant(
            item.get("cancelledAt") or item.get("updated_at"), "cancelledAt"
        )
        events.append(
            _event(
                m.OrderEventKind.CANCELLED,
                values["cancelled_at"],
                None,
                "rejected" if int(item.get("state", -1)) < -1 else None,
            )
        )
    funding = item.get("funding") or {}
    if funding:
        amount = parse_number(funding.get("amount"), "funding.amount", required=True)
        assert amount is not None
        values["funding_fen"] = round(amount * 100)
        values["funding_source"] = clean_text(funding.get("source")) or None
        values["funded_at"] = parse_instant(funding.get("at"), "funding.at", required=False)
        if values["funded_at"]:
            events.append(
                _event(m.OrderEventKind.FUNDED, values["funded_at"], values["funding_source"], None)
            )
    for urge in item.get("urges") or []:
        events.append(
            _event(
                m.OrderEventKind.URGED,
                parse_instant(urge.get("time"), "urges.time"),
                clean_text(urge.get("actor")) or "群众",
                "催单",
            )
        )
    for remark in item.get("remarkList") or []:
        events.append(
            _event(
                m.OrderEventKind.NOTE,
                parse_instant(remark.get("time"), "remarkList.time"),
                clean_text(remark.get("actor")) or None,
                clean_text(remark.get("note")) or None,
            )
        )
    events.sort(key=lambda event: event["occurred_at"])
    refs = (
        _ref("site_id", m.Site, item, "siteId")
        + _ref("menu_item_id", m.MenuItem, item, "menuItemId")
        + _ref("team_id", m.Team, item, "teamId")
    )
    if not any(ref.column == "site_id" for ref in refs):
        raise Rejection("siteId is empty; an order is placed at a site", "siteId")
    return [Mapped(m.ServiceOrder, _id(item), values, tuple(refs), extras={"events": events})]


def _event(
    kind: m.OrderEventKind, moment: Any, actor: str | None, note: str | None
) -> dict[str, Any]:
    return {"kind": kind, "occurred_at": moment, "actor": actor, "note": note}


def map_org(item: Item, _county: str, _cipher: PersonalDataCipher) -> list[Mapped]:
    return [map_org_node(item)]


MAPPERS: dict[str, Callable[[Item, str, PersonalDataCipher], list[Mapped]]] = {
    "orgs": map_org,
    "platforms": map_platform,
    "teams": map_team,
    "volunteers": map_volunteer,
    "projects": map_project,
    "menu": map_menu_item,
    "activities": map_activity,
    "records": map_record,
    "orders": map_order,
}

"""Site register rows and org-tree nodes → sites. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.base import Findings, Mapped, Ref, Rejection
from connectors.divisions import canonical_code
from connectors.normalise import cell, clean_text, parse_bool, parse_date, parse_number, split_list
from connectors.sites.settings import KIND_WORDS, STATUS_WORDS
from db import models as m

__all__ = ["map_org_node", "map_register_row", "register_key", "site_kind"]


def register_key(division: str, name: str) -> str:
    """A register site's source id: its division and its name."""
    return f"{division}|{name}"


def site_kind(value: Any, column: str) -> m.SiteKind:
    text = clean_text(value)
    for word, kind in KIND_WORDS:
        if text == word or (len(word) > 2 and text.endswith(word)):
            return kind
    raise Rejection(
        f"{column} {text!r} is not a site type (中心, 分中心, 实践所, 实践站, 实践点, 实践岗)",
        column,
    )


def _division(value: Any, column: str) -> str:
    text = clean_text(value)
    try:
        return canonical_code(text)
    except ValueError:
        raise Rejection(
            f"{column} {text!r} is not a division code of 6, 9 or 12 digits", column
        ) from None


def _site(
    *,
    source_id: str,
    name: str,
    kind: m.SiteKind,
    division: str,
    parent: str,
    parent_column: str,
    values: dict[str, Any],
    platforms: list[str],
) -> Mapped:
    village = _village_named(name) if kind is m.SiteKind.STATION and _is_village(division) else None
    refs = [Ref("division_code", m.Division, division, label="区划代码", village=village)]
    if parent:
        if parent.isdigit():
            key = _division(parent, parent_column)
            refs.append(Ref("parent_id", m.Site, key, by_division=True, label=parent_column))
        else:
            refs.append(Ref("parent_id", m.Site, parent, by_name=True, label=parent_column))
    if not name:
        raise Rejection("阵地名称 is empty", "阵地名称")
    return Mapped(
        m.Site,
        source_id,
        {"kind": kind, "name": name, **values, "parent_id": None, "division_code": division},
        tuple(refs),
        extras={"platforms": platforms},
    )


def _is_village(code: str) -> bool:
    return len(code) == 12 and not code.endswith("000")


def _village_named(station: str) -> str | None:
    """The village a station is named after: 长山社区新时代文明实践站 → 长山社区."""
    for word, kind in KIND_WORDS:
        if kind is m.SiteKind.STATION and station.endswith(word) and len(station) > len(word):
            return station.removesuffix(word)
    return None


def map_register_row(row: Mapping[str, Any]) -> Mapped:
    """A register row (阵地名称, 阵地类型, 上级阵地, 区划代码, 是否示范, 建成时间, 面积(㎡),
    状态, 服务平台). A site is known by its division and name: two villages may each
    have a 长山社区新时代文明实践站."""
    findings = Findings()
    name = clean_text(cell(row, "阵地名称"))
    if not name:
        findings.add("阵地名称 is empty", "阵地名称")
    status_text = clean_text(cell(row, "状态"))
    if status_text not in STATUS_WORDS:
        findings.add(f"状态 {status_text!r} should be 在建, 运行 or 停用", "状态")
    area = findings.check(lambda: parse_number(cell(row, "面积(㎡)", "面积"), "面积(㎡)"))
    demonstration = findings.check(lambda: parse_bool(cell(row, "是否示范"), "是否示范"))
    opened = findings.check(lambda: parse_date(cell(row, "建成时间"), "建成时间", required=False))
    kind = findings.check(lambda: site_kind(cell(row, "阵地类型"), "阵地类型"))
    division = findings.check(lambda: _division(cell(row, "区划代码"), "区划代码"))
    findings.settle()
    # settle() refused the record otherwise
    assert kind is not None
    assert division is not None
    values = {
        "is_demonstration": demonstration,
        "status": STATUS_WORDS[status_text],
        "opened_on": opened,
        "floor_area_m2": float(area) if area is not None else None,
    }
    return _site(
        source_id=register_key(division, name),
        name=name,
        kind=kind,
        division=division,
        parent=clean_text(cell(row, "上级阵地")),
        parent_column="上级阵地",
        values=values,
        platforms=split_list(cell(row, "服务平台")),
    )


def map_org_node(node: Mapping[str, Any]) -> Mapped:
    """A node of a platform's org tree: {id, name, type, parentId, areaCode}, and where
    the platform has them: demonstration, status, openedOn, floorArea, platforms."""
    node_id = clean_text(node.get("id"))
    if not node_id:
        raise Rejection("the node has no id", "id")
    parent = clean_text(node.get("parentId"))
    mapped = _site(
        source_id=node_id,
        name=clean_text(node.get("name")),
        kind=site_kind(node.get("type"), "type"),
        division=_division(node.get("areaCode"), "areaCode"),
        parent="",
        parent_column="parentId",
        values=_node_values(node),
        platforms=[clean_text(name) for name in node.get("platforms", []) if clean_text(name)],
    )
    if parent and parent != "0":
        mapped.refs = (*mapped.refs, Ref("parent_id", m.Site, parent, label="parentId"))
    return mapped


def _node_values(node: Mapping[str, Any]) -> dict[str, Any]:
    status_text = clean_text(node.get("status")) or "open"
    statuses = {status.value: status for status in m.SiteStatus} | STATUS_WORDS
    if status_text not in statuses:
        raise Rejection(f"status {status_text!r} should be building, open or suspended", "status")
    area = parse_number(node.get("floorArea"), "floorArea")
    return {
        "is_demonstration": bool(node.get("demonstration", False)),
        "status": statuses[status_text],
        "opened_on": parse_date(node.get("openedOn"), "openedOn", required=False),
        "floor_area_m2": float(area) if area is not None else None,
    }

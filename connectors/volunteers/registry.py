"""The national registry's export (全国志愿服务信息系统): a teams file and a volunteers
file, CSV or XLSX, for one county."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path
from typing import Any

from connectors.base import Connector, Findings, Mapped, RawRecord, Ref, Rejection, Stream
from connectors.files import file_digest, read_table
from connectors.normalise import cell, clean_text, parse_date, parse_number, split_list
from connectors.ordering import parents_first
from connectors.volunteers.identity_mapping import identity, volunteer_record
from connectors.volunteers.settings import TEAM_COLUMNS, TEAM_KIND_WORDS, VOLUNTEER_COLUMNS
from db import models as m
from db.pii import PersonalDataCipher

__all__ = ["RegistryExportConnector", "map_team_row", "map_volunteer_row"]

TEAMS = Stream("teams", snapshot=True)
VOLUNTEERS = Stream("volunteers", snapshot=True)


def map_team_row(row: Mapping[str, Any], county_code: str) -> Mapped:
    """队伍编号, 队伍名称, 队伍类型, 上级队伍, 服务领域, 成立日期, 负责人, 所属阵地."""
    number = clean_text(cell(row, "队伍编号"))
    name = clean_text(cell(row, "队伍名称"))
    if not number:
        raise Rejection("队伍编号 is empty", "队伍编号")
    if not name:
        raise Rejection("队伍名称 is empty", "队伍名称")
    kind_text = clean_text(cell(row, "队伍类型"))
    kind = next((kind for word, kind in TEAM_KIND_WORDS if word in kind_text), m.TeamKind.OTHER)
    refs = []
    parent = clean_text(cell(row, "上级队伍"))
    if parent:
        refs.append(Ref("parent_id", m.Team, parent, label="上级队伍"))
    home = clean_text(cell(row, "所属阵地"))
    if home:
        refs.append(Ref("home_site_id", m.Site, home, by_name=True, label="所属阵地"))
    values = {
        "name": name,
        "kind": kind,
        "county_code": county_code,
        "founded_on": parse_date(cell(row, "成立日期"), "成立日期", required=False),
        "parent_id": None,
        "home_site_id": None,
        "platform_id": None,
    }
    return Mapped(m.Team, number, values, tuple(refs))


def map_volunteer_row(
    row: Mapping[str, Any],
    county_code: str,
    cipher: PersonalDataCipher,
    team_system: str | None = None,
) -> Mapped:
    """志愿者编号, 姓名, 证件类型, 证件号码, 性别, 出生日期, 手机号码, 政治面貌, 注册时间,
    所属队伍, 所在区划, 累计服务时长(小时)."""
    findings = Findings()
    number = clean_text(cell(row, "志愿者编号")).replace(" ", "")
    if not number:
        findings.add("志愿者编号 is empty", "志愿者编号")
    area = clean_text(cell(row, "所在区划"))
    if area and area.isdigit() and not area.startswith(county_code[:6]):
        findings.add(f"所在区划 {area} lies outside county {county_code}", "所在区划")
    hours = findings.check(
        lambda: parse_number(cell(row, "累计服务时长(小时)", "累计服务时长"), "累计服务时长(小时)")
    )
    person = findings.check(
        lambda: identity(
            cipher,
            name=cell(row, "姓名"),
            document_type=cell(row, "证件类型"),
            document=cell(row, "证件号码"),
            gender=cell(row, "性别"),
            phone=cell(row, "手机号码"),
        )
    )
    registered = findings.check(lambda: parse_date(cell(row, "注册时间"), "注册时间"))
    findings.settle()
    assert person is not None  # settle() refused the record otherwise
    values = {
        "county_code": county_code,
        "volunteer_number": number,
        **person,
        "political_status": clean_text(cell(row, "政治面貌")) or None,
        "registered_on": registered,
        "service_minutes": round((hours or 0) * 60),
    }
    extras: dict[str, Any] = {"teams": split_list(cell(row, "所属队伍"))}
    if team_system:
        extras["team_system"] = team_system
    return volunteer_record(number, values, extras)


class RegistryExportConnector(Connector):
    streams: tuple[Stream, ...] = (TEAMS, VOLUNTEERS)
    portable_mapping = True

    def __init__(
        self,
        system: str,
        county_code: str,
        teams: Path | None,
        volunteers: Path,
        cipher: PersonalDataCipher,
        *,
        team_system: str | None = None,
    ) -> None:
        """`team_system`: where the teams named in 所属队伍 are kept, when this export has
        no teams file of its own (the county app's, say)."""
        self.system = system
        self._team_system = team_system
        self._county = county_code
        self._files = {"teams": teams, "volunteers": volunteers}
        self._cipher = cipher
        self.streams = tuple(stream for stream in (TEAMS, VOLUNTEERS) if self._files[stream.name])

    def snapshot_key(self, stream: Stream) -> str | None:
        path = self._files[stream.name]
        return file_digest(path) if path else None

    async def read(self, stream: Stream, cursor: str | None) -> AsyncIterator[RawRecord]:
        path = self._files[stream.name]
        assert path is not None
        required = TEAM_COLUMNS if stream is TEAMS else VOLUNTEER_COLUMNS
        rows: Iterator[tuple[int, Mapping[str, Any]]] = read_table(path, required)
        if stream is TEAMS:
            rows = parents_first(list(rows), "队伍编号", "上级队伍")
        for position, row in rows:
            yield RawRecord(row, position)

    def map(self, stream: Stream, record: RawRecord) -> list[Mapped]:
        if stream is TEAMS:
            return [map_team_row(record.payload, self._county)]
        return [map_volunteer_row(record.payload, self._county, self._cipher, self._team_system)]

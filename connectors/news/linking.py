"""Finding the divisions, sites, teams and projects a story names.

Aliases are built from the database: each name as stored, and the ways papers shorten
it (凯里市新时代文明实践中心 is also 凯里市文明实践中心, 凯里文明实践中心, 凯里新时代文明实践中心).
Precision comes before recall: the longest alias wins where several start at one
place; an alias two targets share names neither; and a short alias (three characters or
fewer) counts only where it stands apart (not inside a longer word: 凯里市 in 凯里市民 is
not a mention of the city), though a name ending in its division's suffix may run on
into what follows (天祝县文明实践中心). An autonomous division is also named without its
peoples, as everyone writes it: 天祝藏族自治县 is 天祝县 and 天祝.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from ahocorasick_rs import AhoCorasick

from db.models import MentionTarget

__all__ = ["Alias", "Found", "Linker", "aliases_for"]

_DIVISION_SUFFIXES = ("街道", "社区", "市", "县", "区", "镇", "乡", "村")
# The peoples an autonomous division is named after (族 is added when written).
_PEOPLES = (
    "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白",
    "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡",
    "纳西", "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬",
    "锡伯", "阿昌", "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安",
    "裕固", "京", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺", "各",
)  # fmt: skip
# 族 may be left out only after a name of two or more characters (博尔塔拉蒙古自治州).
_PEOPLE = re.compile(
    "(?:"
    + "|".join(sorted((f"{people}族" for people in _PEOPLES), key=len, reverse=True))
    + "|"
    + "|".join(sorted((people for people in _PEOPLES if len(people) >= 2), key=len, reverse=True))
    + ")$"
)
_AUTONOMOUS = re.compile(r"^(?P<stem>.+?)自治(?P<level>区|州|县|旗)$")
_HAN = re.compile(r"[\u3400-\u9fff]")
# Characters that may stand right before or after a short name without joining it.
_APART = set(
    "的在和与及是为到从自赴至对于了将由向把被等两、，。；：！？“”‘’（）()《》【】「」 \n\t,.;:!?"
)
_SHORT = 3
_SUFFIX_CHARACTERS = frozenset("市县区州旗镇乡村")
# Words a division's suffix begins: 凯里市民 is about its people, not a mention of 凯里市.
_SUFFIX_WORDS = frozenset(
    {"市民", "市场", "市面", "市容", "市值", "市井", "市价", "区域", "区别", "区分", "区间",
    "区块", "镇定", "镇静", "镇压", "乡亲", "乡土", "乡愁", "乡音", "村民", "村庄", "村落",
    "旗帜", "旗袍", "旗舰"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Alias:
    text: str
    target: MentionTarget
    key: int | str


@dataclass(frozen=True, slots=True)
class Found:
    target: MentionTarget
    key: int | str
    matched: str
    position: int


def autonomous_names(name: str) -> list[str]:
    """How papers name an autonomous division: without its peoples (天祝藏族自治县 is
    天祝县 and 天祝; 黔东南苗族侗族自治州 is 黔东南州 and 黔东南; 鄂温克族自治旗 is
    鄂温克旗; 新疆维吾尔自治区 is 新疆)."""
    found = _AUTONOMOUS.match(name)
    if found is None:
        return []
    stem, level = found.group("stem"), found.group("level")
    while (people := _PEOPLE.search(stem)) is not None and people.start() >= 2:
        stem = stem[: people.start()]
    if _PEOPLE.fullmatch(stem):
        # Named after its people alone: 鄂温克族自治旗 is 鄂温克旗, never 鄂温克.
        return [stem.removesuffix("族") + level]
    if level == "区":
        return [stem]
    return [stem + level, stem]


def short_division_name(name: str) -> str | None:
    if "自治" in name:
        return None
    for suffix in _DIVISION_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


def aliases_for(
    divisions: Iterable[tuple[str, str]],
    sites: Iterable[tuple[int, str, str]],
    teams: Iterable[tuple[int, str]],
    projects: Iterable[tuple[int, str]],
) -> list[Alias]:
    """Aliases of divisions (code, name), sites (id, name, division name), teams
    (id, name) and projects (id, name)."""
    found: list[Alias] = []
    for code, name in divisions:
        found.append(Alias(name, MentionTarget.DIVISION, code))
        short = short_division_name(name)
        if short:
            found.append(Alias(short, MentionTarget.DIVISION, code))
        found += [Alias(other, MentionTarget.DIVISION, code) for other in autonomous_names(name)]
    for site_id, name, division in sites:
        for variant in _site_variants(name, division):
            found.append(Alias(variant, MentionTarget.SITE, site_id))
    for team_id, name in teams:
        found.append(Alias(name, MentionTarget.TEAM, team_id))
        if "新时代文明实践" in name:
            found.append(Alias(name.replace("新时代文明实践", ""), MentionTarget.TEAM, team_id))
    for project_id, name in projects:
        found.append(Alias(name.strip('“”"「」'), MentionTarget.PROJECT, project_id))
    return found


def _site_variants(name: str, division: str) -> set[str]:
    variants = {name}
    if "新时代文明实践" in name:
        variants.add(name.replace("新时代文明实践", "文明实践"))
    short = short_division_name(division)
    if short and name.startswith(division):
        variants |= {short + variant[len(division) :] for variant in set(variants)}
    return variants


class Linker:
    """All aliases in one Aho–Corasick automaton (ahocorasick-rs): a story is read once
    whatever the number of names, where trying each alias at each place grew with
    every division a province adds."""

    def __init__(self, aliases: Iterable[Alias]) -> None:
        targets: dict[str, set[tuple[MentionTarget, int | str]]] = defaultdict(set)
        for alias in aliases:
            if len(alias.text) >= 2:
                targets[alias.text].add((alias.target, alias.key))
        self._names = [
            (text, *next(iter(owners))) for text, owners in targets.items() if len(owners) == 1
        ]
        self._automaton = AhoCorasick([name for name, _, _ in self._names]) if self._names else None

    def find(self, text: str) -> list[Found]:
        """Mentions left to right; at each place the longest alias that stands right."""
        if self._automaton is None:
            return []
        starting: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for index, start, end in self._automaton.find_matches_as_indexes(text, overlapping=True):
            starting[start].append((end, index))
        found: list[Found] = []
        reached = 0
        for start in sorted(starting):
            if start < reached:
                continue
            for end, index in sorted(starting[start], reverse=True):
                alias, target, key = self._names[index]
                if _stands_apart(text, start, end):
                    found.append(Found(target, key, alias, start))
                    reached = end
                    break
        return found


def _stands_apart(text: str, start: int, end: int) -> bool:
    """A long alias stands anywhere; a short one (凯里市) not inside a longer word
    (凯里市民), though a division's suffix may run on into what it names (天祝县文明实践中心)."""
    if end - start > _SHORT:
        return True
    if not _apart(text, start - 1):
        return False
    if text[end - 1] in _SUFFIX_CHARACTERS:
        return text[end - 1 : end + 1] not in _SUFFIX_WORDS
    return _apart(text, end)


def _apart(text: str, index: int) -> bool:
    if index < 0 or index >= len(text):
        return True
    char = text[index]
    return char in _APART or not _HAN.match(char)

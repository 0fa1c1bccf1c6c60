"""Finding the divisions, sites, teams and projects a story names.

Aliases are built from the database: each name as stored, and the ways papers shorten
it (凯里市新时代文明实践中心 is also 凯里市文明实践中心, 凯里文明实践中心, 凯里新时代文明实践中心).
Precision comes before recall: the longest alias wins where several start at one
place; an alias two targets share names neither; and a short alias (three characters or
fewer) counts only where it stands apart (not inside a longer word: 凯里市 in 凯里市民 is
not a mention of the city).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from db.models import MentionTarget

__all__ = ["Alias", "Found", "Linker", "aliases_for"]

_DIVISION_SUFFIXES = ("自治县", "自治州", "街道", "社区", "市", "县", "区", "镇", "乡", "村")
_HAN = re.compile(r"[\u3400-\u9fff]")
# Characters that may stand right before or after a short name without joining it.
_APART = set("的在和与及是为到从对于了将由向把被等、，。；：！？“”‘’（）()《》【】「」 \n\t,.;:!?")
_SHORT = 3


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


def short_division_name(name: str) -> str | None:
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
    def __init__(self, aliases: Iterable[Alias]) -> None:
        targets: dict[str, set[tuple[MentionTarget, int | str]]] = defaultdict(set)
        for alias in aliases:
            if len(alias.text) >= 2:
                targets[alias.text].add((alias.target, alias.key))
        by_first: dict[str, list[tuple[str, MentionTarget, int | str]]] = defaultdict(list)
        for text, owners in targets.items():
            if len(owners) == 1:
                [(target, key)] = owners
                by_first[text[0]].append((text, target, key))
        self._by_first = {
            first: sorted(entries, key=lambda entry: -len(entry[0]))
            for first, entries in by_first.items()
        }

    def find(self, text: str) -> list[Found]:
        found: list[Found] = []
        position = 0
        while position < len(text):
            match = self._match_at(text, position)
            if match is None:
                position += 1
                continue
            found.append(match)
            position += len(match.matched)
        return found

    def _match_at(self, text: str, position: int) -> Found | None:
        for alias, target, key in self._by_first.get(text[position], ()):
            if not text.startswith(alias, position):
                continue
            end = position + len(alias)
            if len(alias) <= _SHORT and not (_apart(text, position - 1) and _apart(text, end)):
                continue
            return Found(target, key, alias, position)
        return None


def _apart(text: str, index: int) -> bool:
    if index < 0 or index >= len(text):
        return True
    char = text[index]
    return char in _APART or not _HAN.match(char)

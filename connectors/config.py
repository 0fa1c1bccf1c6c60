"""The sources a hub reads, configured in `wenming.toml`:

    [[source]]
    name = "kaili-app"           # also the source system recorded as provenance
    kind = "county_app"          # see KINDS
    county = "522601"
    url = "http://127.0.0.1:8100/api"
    token_env = "KAILI_APP_TOKEN"  # the credential itself stays in the environment

    [[source]]
    name = "bijiang-savings"
    kind = "points_ledger"       # a passbook ledger export
    county = "520602"
    path = "ledgers/bijiang-2025.xlsx"
    bank = "碧江区文明储蓄所"     # the bank of rows without a 储蓄所 column
    [source.rules]               # the bank's stated rules (all optional)
    start_balance = 0
    yuan_per_point = 1.0
    redemption_floor = 10
    max_entry_points = 100
    kinds = { "善行" = "earn" }  # the bank's own words for entry types
    [source.banks."某某村文明储蓄所".rules]  # a bank whose rules differ
    redemption_floor = 0

    [[source]]
    name = "kaili-news"
    kind = "news_feed"           # RSS, Atom, or a CMS list page of article links
    county = "522601"
    url = "https://www.kaili.gov.example/wmsj/rss.xml"   # or a local file
    format = "auto"              # rss | atom | cms | auto
    title = "凯里文明网"
    delay_seconds = 0.5          # between requests to one host (two at a time at most)

Paths are relative to the file's folder.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from connectors.base import Connector
from connectors.errors import FatalConnectorError
from connectors.news.connector import FeedSettings, NewsFeedConnector
from connectors.news.fetch import PageFetcher
from connectors.points.ledger import PassbookLedgerConnector
from connectors.points.lists import (
    CreditListConnector,
    HonourListConnector,
    HouseholdRosterConnector,
)
from connectors.points.settings import BankRules
from connectors.sites.register import OrgTreeConnector, SiteRegisterConnector
from connectors.volunteers.app import CountyAppConnector
from connectors.volunteers.registry import RegistryExportConnector
from db.models import DIVISION_CODE, PointsEntryKind
from db.pii import PersonalDataCipher

__all__ = [
    "KINDS",
    "SourceConfig",
    "SourceConfigError",
    "bank_rules",
    "build_connector",
    "load_sources",
]

KINDS = {
    "site_register": ("path",),
    "org_tree": ("path",),
    "registry_export": ("volunteers",),
    "county_app": ("url",),
    "points_ledger": ("path", "bank"),
    "household_roster": ("path",),
    "credit_list": ("path",),
    "honour_list": ("path",),
    "news_feed": ("url",),
}
_RULE_KEYS = {"start_balance", "yuan_per_point", "redemption_floor", "max_entry_points", "kinds"}


class SourceConfigError(FatalConnectorError):
    """The sources file is wrong; the message names the file, the source and the key."""


@dataclass(frozen=True, slots=True)
class SourceConfig:
    name: str
    kind: str
    county: str
    settings: Mapping[str, Any]
    folder: Path

    def path(self, key: str) -> Path | None:
        value = self.settings.get(key)
        return None if value is None else (self.folder / str(value)).resolve()


def load_sources(path: Path) -> list[SourceConfig]:
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SourceConfigError(f"{path}: cannot be read ({error.strerror})") from None
    except tomllib.TOMLDecodeError as error:
        raise SourceConfigError(f"{path}: not valid TOML ({error})") from None
    sources, names = [], set()
    for index, entry in enumerate(document.get("source", []), start=1):
        where = f"{path}, source #{index}"
        name = str(entry.get("name", "")).strip()
        if not name:
            raise SourceConfigError(f"{where}: give it a `name`")
        if name in names:
            raise SourceConfigError(f"{where}: the name {name!r} is used twice")
        names.add(name)
        kind = entry.get("kind")
        if kind not in KINDS:
            raise SourceConfigError(f"{where} ({name}): `kind` is one of {', '.join(KINDS)}")
        county = str(entry.get("county", ""))
        if not DIVISION_CODE.fullmatch(county) or len(county) != 6:
            raise SourceConfigError(
                f"{where} ({name}): `county` is the county's 6-digit division code"
            )
        for key in KINDS[kind]:
            if not entry.get(key):
                raise SourceConfigError(f"{where} ({name}): a {kind} source needs `{key}`")
        sources.append(SourceConfig(name, kind, county, entry, path.parent))
    return sources


def build_connector(source: SourceConfig, cipher: PersonalDataCipher) -> Connector:
    if source.kind in _FILE_KINDS:
        return _FILE_KINDS[source.kind](source, cipher)
    if source.kind == "site_register":
        return SiteRegisterConnector(source.name, _required(source, "path"))
    if source.kind == "org_tree":
        return OrgTreeConnector(source.name, _required(source, "path"))
    if source.kind == "registry_export":
        return RegistryExportConnector(
            source.name,
            source.county,
            source.path("teams"),
            _required(source, "volunteers"),
            cipher,
        )
    token = None
    variable = source.settings.get("token_env")
    if variable:
        token = os.environ.get(str(variable))
        if not token:
            raise SourceConfigError(
                f"source {source.name!r}: the environment variable {variable} is not set"
            )
    return CountyAppConnector(
        source.name,
        source.county,
        str(source.settings["url"]),
        cipher,
        token=token,
        page_size=int(source.settings.get("page_size", 200)),
    )


def _required(source: SourceConfig, key: str) -> Path:
    path = source.path(key)
    assert path is not None  # load_sources checked the key is there
    return path


def bank_rules(source: SourceConfig, table: Any, where: str = "rules") -> BankRules:
    """A bank's rules from a `rules` table; a wrong key or value names itself."""
    if table is None:
        return BankRules()
    if not isinstance(table, Mapping):
        raise SourceConfigError(f"source {source.name!r}: `{where}` is a table of rules")
    unknown = set(table) - _RULE_KEYS
    if unknown:
        raise SourceConfigError(
            f"source {source.name!r}: `{where}` has no rule {', '.join(sorted(unknown))} "
            f"(rules are {', '.join(sorted(_RULE_KEYS))})"
        )
    try:
        kinds = {
            str(word): PointsEntryKind(str(kind)) for word, kind in table.get("kinds", {}).items()
        }
        limit = table.get("max_entry_points")
        rules = BankRules(
            start_balance=int(table.get("start_balance", 0)),
            yuan_per_point=Decimal(str(table.get("yuan_per_point", 1))),
            redemption_floor=int(table.get("redemption_floor", 0)),
            max_entry_points=None if limit is None else int(limit),
            kind_words=kinds,
        )
    except (ValueError, TypeError, ArithmeticError, AttributeError) as error:
        raise SourceConfigError(
            f"source {source.name!r}: `{where}` holds a value that is not right ({error}); "
            "entry kinds are earn, deduct, redeem, expire or adjust"
        ) from None
    if rules.yuan_per_point < 0 or rules.start_balance < 0 or rules.redemption_floor < 0:
        raise SourceConfigError(f"source {source.name!r}: `{where}` values cannot be negative")
    return rules


def _ledger(source: SourceConfig, cipher: PersonalDataCipher) -> Connector:
    banks = source.settings.get("banks", {})
    return PassbookLedgerConnector(
        source.name,
        source.county,
        _required(source, "path"),
        str(source.settings["bank"]),
        bank_rules(source, source.settings.get("rules")),
        bank_rules={
            str(name): bank_rules(source, entry.get("rules"), f"banks.{name}.rules")
            for name, entry in banks.items()
        },
        division_code=source.settings.get("division"),
    )


def _news_feed(source: SourceConfig) -> Connector:
    """`url` is an http(s) address or a local file (relative to the sources file)."""
    url = str(source.settings["url"])
    if "://" not in url:
        url = (source.folder / url).resolve().as_uri()
    fmt = str(source.settings.get("format", "auto"))
    if fmt not in {"auto", "rss", "atom", "cms"}:
        raise SourceConfigError(f"source {source.name!r}: `format` is rss, atom, cms or auto")
    feed = FeedSettings(str(source.settings.get("title", source.name)), url, fmt, source.county)
    delay = float(source.settings.get("delay_seconds", 0.5))
    return NewsFeedConnector(source.name, feed, PageFetcher(delay=delay))


_FILE_KINDS: dict[str, Callable[[SourceConfig, PersonalDataCipher], Connector]] = {
    "points_ledger": _ledger,
    "household_roster": lambda source, _: HouseholdRosterConnector(
        source.name, source.county, _required(source, "path")
    ),
    "credit_list": lambda source, _: CreditListConnector(
        source.name, source.county, _required(source, "path")
    ),
    "honour_list": lambda source, cipher: HonourListConnector(
        source.name, source.county, _required(source, "path"), cipher
    ),
    "news_feed": lambda source, _: _news_feed(source),
}

"""The sources a hub reads, configured in `wenming.toml` (`wenming.example.toml` shows
every kind, commented). The file is checked against typed models before anything is
read: an unknown key is an error naming the key it was probably meant to be.

Paths are relative to the file's folder.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal, TypeAlias, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveInt,
    ValidationError,
)
from pydantic_core import ErrorDetails

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
from db.models import PointsEntryKind
from db.pii import PersonalDataCipher

__all__ = [
    "KINDS",
    "Rules",
    "SourceConfig",
    "SourceConfigError",
    "SourceSpec",
    "build_connector",
    "load_sources",
    "parse_sources",
]

_MOST_PROBLEMS_SHOWN = 5


class SourceConfigError(FatalConnectorError):
    """The sources file is wrong; the message names the file, the source and the key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Rules(_Strict):
    """A points bank's stated rules (all optional)."""

    start_balance: NonNegativeInt = 0
    yuan_per_point: Annotated[Decimal, Field(ge=0)] = Decimal(1)
    redemption_floor: NonNegativeInt = 0
    max_entry_points: PositiveInt | None = None
    kinds: dict[str, PointsEntryKind] = Field(default_factory=dict)

    def bank_rules(self) -> BankRules:
        return BankRules(
            start_balance=self.start_balance,
            yuan_per_point=self.yuan_per_point,
            redemption_floor=self.redemption_floor,
            max_entry_points=self.max_entry_points,
            kind_words=self.kinds,
        )


class Bank(_Strict):
    rules: Rules = Field(default_factory=Rules)


_Name = Annotated[str, Field(min_length=1, max_length=64)]
_County = Annotated[str, Field(pattern=r"^\d{6}$")]
_Text = Annotated[str, Field(min_length=1)]


class _Source(_Strict):
    name: _Name
    county: _County


class SiteRegisterSource(_Source):
    """A site register export (阵地台账)."""

    kind: Literal["site_register"]
    path: _Text


class OrgTreeSource(_Source):
    """An organisation tree export (组织架构)."""

    kind: Literal["org_tree"]
    path: _Text


class RegistryExportSource(_Source):
    """The national volunteer registry's export (志愿服务信息系统)."""

    kind: Literal["registry_export"]
    volunteers: _Text
    teams: _Text | None = None


class CountyAppSource(_Source):
    """A county's volunteer app, read over HTTP; the token stays in the environment."""

    kind: Literal["county_app"]
    url: Annotated[str, Field(pattern=r"^https?://\S+$")]
    token_env: Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")] | None = None
    page_size: Annotated[int, Field(ge=1, le=1000)] = 200


class PointsLedgerSource(_Source):
    """A points bank's passbook ledger (积分存折)."""

    kind: Literal["points_ledger"]
    path: _Text
    bank: _Text
    division: Annotated[str, Field(pattern=r"^\d{6}(\d{6})?$")] | None = None
    rules: Rules = Field(default_factory=Rules)
    banks: dict[str, Bank] = Field(default_factory=dict)


class HouseholdRosterSource(_Source):
    kind: Literal["household_roster"]
    path: _Text


class CreditListSource(_Source):
    kind: Literal["credit_list"]
    path: _Text


class HonourListSource(_Source):
    kind: Literal["honour_list"]
    path: _Text


class NewsFeedSource(_Source):
    """RSS, Atom, or a CMS list page of article links; a URL or a local file."""

    kind: Literal["news_feed"]
    url: _Text
    format: Literal["auto", "rss", "atom", "cms"] = "auto"
    title: _Text | None = None
    delay_seconds: NonNegativeFloat = 0.5


SourceSpec: TypeAlias = Annotated[
    SiteRegisterSource
    | OrgTreeSource
    | RegistryExportSource
    | CountyAppSource
    | PointsLedgerSource
    | HouseholdRosterSource
    | CreditListSource
    | HonourListSource
    | NewsFeedSource,
    Field(discriminator="kind"),
]


class SourcesFile(_Strict):
    source: list[SourceSpec] = Field(default_factory=list)


KINDS: dict[str, type[_Source]] = {
    get_args(model.model_fields["kind"].annotation)[0]: model
    for model in (
        SiteRegisterSource,
        OrgTreeSource,
        RegistryExportSource,
        CountyAppSource,
        PointsLedgerSource,
        HouseholdRosterSource,
        CreditListSource,
        HonourListSource,
        NewsFeedSource,
    )
}


@dataclass(frozen=True, slots=True)
class SourceConfig:
    """One configured source: its checked settings and the folder its paths start from."""

    spec: SourceSpec
    folder: Path

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def kind(self) -> str:
        return self.spec.kind

    @property
    def county(self) -> str:
        return self.spec.county

    def resolve(self, value: str) -> Path:
        return (self.folder / value).resolve()


def load_sources(path: Path) -> list[SourceConfig]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceConfigError(
            f"{path}: no such file; copy wenming.example.toml there and edit it, "
            "or name another with --sources or WENMING_SOURCES_FILE"
        ) from None
    except OSError as error:
        raise SourceConfigError(f"{path}: cannot be read ({error.strerror})") from None
    except UnicodeDecodeError:
        raise SourceConfigError(f"{path}: is not UTF-8 text; save it as UTF-8") from None
    return parse_sources(text, path)


def parse_sources(text: str, path: Path) -> list[SourceConfig]:
    """The sources a file's text configures, or one error naming every problem found."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SourceConfigError(f"{path}: not valid TOML ({error})") from None
    entries = document.get("source", [])
    if isinstance(entries, dict):
        raise SourceConfigError(f"{path}: write each source as a [[source]] table (two brackets)")
    try:
        checked = SourcesFile.model_validate(document)
    except ValidationError as invalid:
        problems = [_problem(error, entries) for error in invalid.errors()]
        shown = "; ".join(problems[:_MOST_PROBLEMS_SHOWN])
        more = len(problems) - _MOST_PROBLEMS_SHOWN
        raise SourceConfigError(
            f"{path}: {shown}" + (f" (and {more} more)" if more > 0 else "")
        ) from None
    names: dict[str, int] = {}
    for index, spec in enumerate(checked.source, start=1):
        if spec.name in names:
            raise SourceConfigError(
                f"{path}, source #{index}: the name {spec.name!r} is already used by "
                f"source #{names[spec.name]}; each source needs its own"
            )
        names[spec.name] = index
    return [SourceConfig(spec, path.parent) for spec in checked.source]


def _problem(error: ErrorDetails, entries: Any) -> str:
    """A validation error in a clerk's words: where, what, and the likely fix."""
    location = list(error["loc"])
    if not location or location[0] != "source":
        key = str(location[0]) if location else "?"
        return f"`{key}` is not a section of the file{_guess(key, ['source'], '[[{}]]')}"
    index = int(location[1]) if len(location) > 1 else 0
    entry = entries[index] if isinstance(entries, list) and index < len(entries) else {}
    name = entry.get("name") if isinstance(entry, dict) else None
    where = f"source #{index + 1}" + (f" ({name})" if name else "")
    kind = entry.get("kind") if isinstance(entry, dict) else None
    if error["type"] == "union_tag_not_found":
        return f"{where}: give it a `kind`, one of {', '.join(KINDS)}"
    if error["type"] == "union_tag_invalid":
        guess = _guess(str(kind), KINDS)
        return f"{where}: `kind = {kind!r}` is not a kind of source{guess} ({', '.join(KINDS)})"
    if error["type"] in {"model_type", "model_attributes_type"}:
        return f"{where}: a source is a table of settings under [[source]]"
    field_path = [str(part) for part in location[3:]]
    key = ".".join(field_path)
    if error["type"] == "missing":
        if key == "name":
            return f"{where}: give it a `name`"
        return f"{where}: a {kind} source needs `{key}`"
    if error["type"] == "extra_forbidden":
        allowed = _fields_at(KINDS[str(kind)], field_path[:-1])
        hint = _guess(field_path[-1], allowed) or f" (it takes {', '.join(allowed)})"
        return f"{where}: `{key}` is not a setting of a {kind} source{hint}"
    if key == "county":
        return f'{where}: `county` is the county\'s 6-digit division code, such as "522601"'
    return f"{where}: `{key}` {_reason(error)}"


def _reason(error: ErrorDetails) -> str:
    if error["type"] == "enum":
        return f"is one of {', '.join(kind.value for kind in PointsEntryKind)}"
    if error["type"] == "string_pattern_mismatch" and error["loc"][-1] == "url":
        return "is an http:// or https:// address"
    return str(error["msg"]).replace("Input should", "should").replace("String should", "should")


def _fields_at(model: type[BaseModel], path: Sequence[str]) -> list[str]:
    """The settings allowed at a nested key: `rules.floor` looks among the rules."""
    current = model
    parts = iter(path)
    for part in parts:
        if current is PointsLedgerSource and part == "banks":
            next(parts, None)  # the bank's own name
            current = Bank
            continue
        field = current.model_fields.get(part)
        annotation = field.annotation if field else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            break
        current = annotation
    return [name for name in current.model_fields if name != "kind"]


def _guess(word: str, choices: Any, shape: str = "`{}`") -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if not close and word.rstrip("s") in choices:
        close = [word.rstrip("s")]
    return f"; did you mean {shape.format(close[0])}?" if close else ""


def build_connector(source: SourceConfig, cipher: PersonalDataCipher) -> Connector:
    return _BUILDERS[source.kind](source, cipher)


def _site_register(source: SourceConfig, _: PersonalDataCipher) -> Connector:
    spec = source.spec
    assert isinstance(spec, SiteRegisterSource)
    return SiteRegisterConnector(spec.name, source.resolve(spec.path))


def _org_tree(source: SourceConfig, _: PersonalDataCipher) -> Connector:
    spec = source.spec
    assert isinstance(spec, OrgTreeSource)
    return OrgTreeConnector(spec.name, source.resolve(spec.path))


def _registry(source: SourceConfig, cipher: PersonalDataCipher) -> Connector:
    spec = source.spec
    assert isinstance(spec, RegistryExportSource)
    teams = None if spec.teams is None else source.resolve(spec.teams)
    return RegistryExportConnector(
        spec.name, spec.county, teams, source.resolve(spec.volunteers), cipher
    )


def app_token(spec: CountyAppSource) -> str | None:
    """The app's credential, from the environment variable the file names."""
    if spec.token_env is None:
        return None
    token = os.environ.get(spec.token_env)
    if not token:
        raise SourceConfigError(
            f"source {spec.name!r}: the environment variable {spec.token_env} is not set; "
            "set it to the token the county app issued"
        )
    return token


def _county_app(source: SourceConfig, cipher: PersonalDataCipher) -> Connector:
    spec = source.spec
    assert isinstance(spec, CountyAppSource)
    return CountyAppConnector(
        spec.name, spec.county, spec.url, cipher, token=app_token(spec), page_size=spec.page_size
    )


def _ledger(source: SourceConfig, _: PersonalDataCipher) -> Connector:
    spec = source.spec
    assert isinstance(spec, PointsLedgerSource)
    return PassbookLedgerConnector(
        spec.name,
        spec.county,
        source.resolve(spec.path),
        spec.bank,
        spec.rules.bank_rules(),
        bank_rules={name: bank.rules.bank_rules() for name, bank in spec.banks.items()},
        division_code=spec.division,
    )


def _listing(
    kind: type[HouseholdRosterSource | CreditListSource],
    connector: type[HouseholdRosterConnector | CreditListConnector],
) -> Callable[[SourceConfig, PersonalDataCipher], Connector]:
    def build(source: SourceConfig, _: PersonalDataCipher) -> Connector:
        spec = source.spec
        assert isinstance(spec, kind)
        return connector(spec.name, spec.county, source.resolve(spec.path))

    return build


def _honours(source: SourceConfig, cipher: PersonalDataCipher) -> Connector:
    spec = source.spec
    assert isinstance(spec, HonourListSource)
    return HonourListConnector(spec.name, spec.county, source.resolve(spec.path), cipher)


def feed_url(source: SourceConfig) -> str:
    """A feed's address: an http(s) URL as written, a local file as a file:// URL."""
    spec = source.spec
    assert isinstance(spec, NewsFeedSource)
    return spec.url if "://" in spec.url else source.resolve(spec.url).as_uri()


def _news_feed(source: SourceConfig, _: PersonalDataCipher) -> Connector:
    spec = source.spec
    assert isinstance(spec, NewsFeedSource)
    feed = FeedSettings(spec.title or spec.name, feed_url(source), spec.format, spec.county)
    return NewsFeedConnector(spec.name, feed, PageFetcher(delay=spec.delay_seconds))


_BUILDERS: dict[str, Callable[[SourceConfig, PersonalDataCipher], Connector]] = {
    "site_register": _site_register,
    "org_tree": _org_tree,
    "registry_export": _registry,
    "county_app": _county_app,
    "points_ledger": _ledger,
    "household_roster": _listing(HouseholdRosterSource, HouseholdRosterConnector),
    "credit_list": _listing(CreditListSource, CreditListConnector),
    "honour_list": _honours,
    "news_feed": _news_feed,
}

"""The sources a hub reads, configured in `wenming.toml`:

    [[source]]
    name = "kaili-app"           # also the source system recorded as provenance
    kind = "county_app"          # site_register | org_tree | registry_export | county_app
    county = "522601"
    url = "http://127.0.0.1:8100/api"
    token_env = "KAILI_APP_TOKEN"  # the credential itself stays in the environment

Paths are relative to the file's folder.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connectors.base import Connector
from connectors.errors import FatalConnectorError
from connectors.sites.register import OrgTreeConnector, SiteRegisterConnector
from connectors.volunteers.app import CountyAppConnector
from connectors.volunteers.registry import RegistryExportConnector
from db.models import DIVISION_CODE
from db.pii import PersonalDataCipher

__all__ = ["KINDS", "SourceConfig", "SourceConfigError", "build_connector", "load_sources"]

KINDS = {
    "site_register": ("path",),
    "org_tree": ("path",),
    "registry_export": ("volunteers",),
    "county_app": ("url",),
}


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

"""Reading a site register file (CSV or XLSX) or a JSON org tree, parents first."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path
from typing import Any

from connectors.base import Connector, Mapped, RawRecord, Stream
from connectors.errors import SourceFormatError
from connectors.files import file_digest, read_table
from connectors.ordering import parents_first
from connectors.sites.mapping import map_org_node, map_register_row
from connectors.sites.settings import REGISTER_COLUMNS

__all__ = ["OrgTreeConnector", "SiteRegisterConnector"]

SITES = Stream("sites", snapshot=True)


class SiteRegisterConnector(Connector):
    """A county's 阵地台账 as CSV or XLSX, one row per site."""

    streams = (SITES,)

    def __init__(self, system: str, path: Path) -> None:
        self.system = system
        self._path = path

    def snapshot_key(self, stream: Stream) -> str | None:
        return file_digest(self._path)

    async def read(self, stream: Stream, cursor: str | None) -> AsyncIterator[RawRecord]:
        rows = list(read_table(self._path, REGISTER_COLUMNS))
        for position, row in parents_first(rows, "阵地名称", "上级阵地"):
            yield RawRecord(row, position)

    def map(self, stream: Stream, record: RawRecord) -> list[Mapped]:
        return [map_register_row(record.payload)]


class OrgTreeConnector(Connector):
    """A volunteer platform's org tree as JSON: nested nodes, or a flat list."""

    streams = (SITES,)

    def __init__(self, system: str, path: Path) -> None:
        self.system = system
        self._path = path

    def snapshot_key(self, stream: Stream) -> str | None:
        return file_digest(self._path)

    async def read(self, stream: Stream, cursor: str | None) -> AsyncIterator[RawRecord]:
        try:
            document = json.loads(self._path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise SourceFormatError(str(self._path), f"is not a JSON org tree ({error})") from None
        roots = document if isinstance(document, list) else document.get("data", [document])
        if not isinstance(roots, list):
            raise SourceFormatError(str(self._path), "holds no list of nodes")
        nodes = list(_flatten(roots))
        for position, node in parents_first(list(enumerate(nodes, start=1)), "id", "parentId"):
            yield RawRecord(node, position)

    def map(self, stream: Stream, record: RawRecord) -> list[Mapped]:
        return [map_org_node(record.payload)]


def _flatten(nodes: list[Any], parent: Any = None) -> Iterator[dict[str, Any]]:
    for node in nodes:
        if not isinstance(node, Mapping):
            continue
        flat = {key: value for key, value in node.items() if key != "children"}
        if parent is not None and not flat.get("parentId"):
            flat["parentId"] = parent
        yield flat
        yield from _flatten(list(node.get("children") or []), node.get("id"))

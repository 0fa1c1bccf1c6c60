"""Writing sites: the platforms a site row names belong to its center, which hosts
them; a platform lists the sites that host it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select

from connectors.batch import Item, content_hash
from connectors.writing import BatchWriter, RecordWriter
from db import models as m
from db.base import table_of

__all__ = ["WRITERS"]

_CENTERS = {m.SiteKind.CENTER, m.SiteKind.PREFECTURE_CENTER}


class SiteWriter(RecordWriter):
    def __init__(self, batch: BatchWriter) -> None:
        super().__init__(batch)
        self._kinds: dict[int, tuple[m.SiteKind, int | None]] = {}
        self._platforms: dict[tuple[int, str], int] = {}

    async def after(self, items: list[Item]) -> None:
        """Platforms named on a site row belong to its center; the site hosts them."""
        links = m.site_platforms
        new_links = []
        for item in items:
            names: list[str] = item.mapped.extras.get("platforms", [])
            if not names or item.row_id is None:
                continue
            center_id = await self._center_of(item)
            if center_id is None:
                continue
            platform_ids = [await self._platform(center_id, name) for name in names]
            present: set[int] = set()
            if not item.inserted:
                hosted = await self.batch.session.scalars(
                    select(links.c.platform_id).where(links.c.site_id == item.row_id)
                )
                present = set(hosted.all())
            new_links += [
                {"site_id": item.row_id, "platform_id": platform_id}
                for platform_id in dict.fromkeys(platform_ids)
                if platform_id not in present
            ]
        if new_links:
            await self.batch.insert(links, new_links)

    async def _center_of(self, item: Item) -> int | None:
        """The center a site belongs to: itself, or the nearest center above it."""
        if item.mapped.values.get("kind") in _CENTERS:
            return item.row_id
        site_id: int | None = item.resolved.get("parent_id")
        for _ in range(8):  # the hierarchy is at most a handful of levels deep
            if site_id is None:
                return None
            if site_id not in self._kinds:
                row = (
                    await self.batch.session.execute(
                        select(m.Site.kind, m.Site.parent_id).where(m.Site.id == site_id)
                    )
                ).one_or_none()
                if row is None:
                    return None
                self._kinds[site_id] = (row[0], row[1])
            kind, parent = self._kinds[site_id]
            if kind in _CENTERS:
                return site_id
            site_id = parent
        return None

    async def _platform(self, center_id: int, name: str) -> int:
        cached = self._platforms.get((center_id, name))
        if cached is not None:
            return cached
        table = table_of(m.Platform)
        found = await self.batch.session.scalar(
            select(table.c.id).where(table.c.center_id == center_id, table.c.name == name)
        )
        if found is None:
            source_id = f"platform:{center_id}:{name}"
            digest = content_hash({"center": center_id, "name": name})
            await self.batch.session.execute(
                insert(table),
                [
                    {
                        "center_id": center_id,
                        "name": name,
                        **self.batch.provenance(source_id, digest),
                    }
                ],
            )
            found = await self.batch.session.scalar(
                select(table.c.id).where(table.c.center_id == center_id, table.c.name == name)
            )
        assert found is not None  # inserted just above
        self._platforms[(center_id, name)] = int(found)
        return int(found)


class PlatformWriter(RecordWriter):
    async def after(self, items: list[Item]) -> None:
        """The sites a platform lists as hosting it (by their source ids)."""
        links = m.site_platforms
        wanted = {site for item in items for site in item.mapped.extras.get("sites", [])}
        if not wanted:
            return
        await self.batch.load_known(
            m.Site, sorted(s for s in wanted if (m.Site, s) not in self.batch.known), "source"
        )
        platform_ids = [item.row_id for item in items if item.row_id is not None]
        stored = await self.batch.session.execute(
            select(links.c.site_id, links.c.platform_id).where(
                links.c.platform_id.in_(platform_ids)
            )
        )
        present: set[tuple[int, int]] = {(site, platform) for site, platform in stored.all()}
        new = []
        for item in items:
            for site in item.mapped.extras.get("sites", []):
                site_id = self.batch.known.get((m.Site, site))
                if item.row_id is None or site_id is None or (site_id, item.row_id) in present:
                    continue
                present.add((site_id, item.row_id))
                new.append({"site_id": site_id, "platform_id": item.row_id})
        if new:
            await self.batch.insert(links, new)


WRITERS: dict[type[Any], type[RecordWriter]] = {m.Site: SiteWriter, m.Platform: PlatformWriter}

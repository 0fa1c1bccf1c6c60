"""The county volunteer app's API: paged JSON over HTTP, each stream read from its
saved `updated_since` on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC
from typing import Any

import httpx

from connectors.base import Connector, Mapped, RawRecord, Rejection, Stream
from connectors.errors import SourceFormatError
from connectors.http import DEFAULT_POLICY, JsonClient, RetryPolicy
from connectors.volunteers.app_mapping import MAPPERS, parse_instant
from db.pii import PersonalDataCipher

__all__ = ["CountyAppConnector"]

STREAM_NAMES = (
    "orgs",
    "platforms",
    "teams",
    "volunteers",
    "projects",
    "menu",
    "activities",
    "records",
    "orders",
)


class CountyAppConnector(Connector):
    streams = tuple(
        Stream(name, snapshot=False, cursor_field="updated_at") for name in STREAM_NAMES
    )

    def __init__(
        self,
        system: str,
        county_code: str,
        base_url: str,
        cipher: PersonalDataCipher,
        *,
        token: str | None = None,
        page_size: int = 200,
        transport: httpx.AsyncBaseTransport | None = None,
        policy: RetryPolicy = DEFAULT_POLICY,
    ) -> None:
        self.system = system
        self._county = county_code
        self._cipher = cipher
        self._page_size = page_size
        self._client = JsonClient(base_url, token=token, transport=transport, policy=policy)

    async def close(self) -> None:
        await self._client.close()

    async def read(self, stream: Stream, cursor: str | None) -> AsyncIterator[RawRecord]:
        """Items from `cursor` on, oldest change first.

        Pages are asked for by `updated_since` = the newest change already read, not by
        page number: an item changed while we read moves to the end and is read there,
        and no item slides past us when the pages shift.
        """
        since = cursor
        seen: set[tuple[str, str]] = set()
        page, ordinal = 1, 0
        while True:
            params: dict[str, Any] = {"page": page, "page_size": self._page_size}
            if since:
                params["updated_since"] = since
            document = await self._client.get(stream.name, params)
            items = document.get("items") if isinstance(document, dict) else None
            if not isinstance(items, list):
                raise SourceFormatError(f"{stream.name} page {page}", "has no list of `items`")
            fresh = []
            for item in items:
                stamp = _stamp(item)
                key = (str(item.get("id")), stamp)
                if key not in seen:
                    seen.add(key)
                    fresh.append((stamp, item))
            for stamp, item in sorted(fresh, key=lambda pair: pair[0]):
                ordinal += 1
                yield RawRecord(item, ordinal, cursor=stamp or None)
            if len(items) < self._page_size:
                return
            if fresh:
                since, page = max(stamp for stamp, _ in fresh), 1
            else:
                page += 1  # a full page of changes all at one instant: step past it

    def map(self, stream: Stream, record: RawRecord) -> list[Mapped]:
        return MAPPERS[stream.name](record.payload, self._county, self._cipher)


def _stamp(item: Any) -> str:
    """`updated_at` as UTC ISO text, which sorts in time order."""
    try:
        moment = (
            parse_instant(item.get("updated_at"), "updated_at") if isinstance(item, dict) else None
        )
    except Rejection:
        return ""
    return moment.astimezone(UTC).isoformat() if moment else ""

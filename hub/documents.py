"""Trusted documents: operations registered ahead (`wenming documents add`), which
clients may send by hash — Apollo's `extensions.persistedQuery.sha256Hash` or a
`documentId` of the form `sha256:HEX` — and to which some roles can be held."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import models as m
from hub.settings import HubError

__all__ = [
    "DocumentError",
    "DocumentStore",
    "Registered",
    "document_hash",
    "requested_hash",
]

_HEX = re.compile(r"[0-9a-f]{64}")
# Known documents never change (the hash is the text); a bounded cache of them spares
# the database, and unknown hashes are never cached, so a registration shows at once.
_CACHED = 4_096


class DocumentError(HubError):
    """A document cannot be registered or a hash sent for one cannot be used."""


@dataclass(frozen=True, slots=True)
class Registered:
    sha256: str
    name: str
    added: bool


def document_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def requested_hash(document_id: object, extensions: dict[str, Any] | None) -> str | None:
    """The hash a request names its document by, if any; malformed ones are refused."""
    if document_id is not None:
        if not isinstance(document_id, str):
            raise DocumentError("`documentId` must be a string such as sha256:<64 hex digits>")
        digest = document_id.removeprefix("sha256:").lower()
    else:
        persisted = (extensions or {}).get("persistedQuery")
        if persisted is None:
            return None
        digest = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
        if not isinstance(digest, str):
            raise DocumentError("`extensions.persistedQuery.sha256Hash` must be a string")
        digest = digest.lower()
    if not _HEX.fullmatch(digest):
        raise DocumentError("a document hash is 64 hexadecimal digits (SHA-256)")
    return digest


class DocumentStore:
    """The registered documents in the hub's database."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker
        self._known: dict[str, str] = {}

    async def get(self, sha256: str) -> str | None:
        body = self._known.get(sha256)
        if body is not None:
            return body
        async with self._sessionmaker() as session:
            body = await session.scalar(
                select(m.TrustedDocument.body).where(m.TrustedDocument.sha256 == sha256)
            )
        if body is not None:
            if len(self._known) >= _CACHED:
                self._known.pop(next(iter(self._known)))
            self._known[sha256] = body
        return body

    async def add(self, documents: Iterable[tuple[str, str]]) -> list[Registered]:
        """Register (name, text) pairs; a text registered before is kept as it was."""
        registered = []
        async with self._sessionmaker() as session, session.begin():
            for name, text in documents:
                if not text.strip():
                    raise DocumentError(f"{name} holds no GraphQL document")
                digest = document_hash(text)
                known = await session.get(m.TrustedDocument, digest)
                if known is None:
                    session.add(
                        m.TrustedDocument(
                            sha256=digest, name=name[:200], body=text, added_at=datetime.now(UTC)
                        )
                    )
                registered.append(Registered(digest, name, known is None))
        return registered

    async def all(self) -> list[m.TrustedDocument]:
        async with self._sessionmaker() as session:
            rows = await session.scalars(
                select(m.TrustedDocument).order_by(m.TrustedDocument.added_at)
            )
            return list(rows)

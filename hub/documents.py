"""Trusted documents: operations registered ahead (`wenming documents add`), which
clients may send by hash — Apollo's `extensions.persistedQuery.sha256Hash` or a
`documentId` of the form `sha256:HEX` — and to which some roles can be held."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.documents import document_hash, find_document
from hub.settings import HubError

__all__ = ["DocumentError", "DocumentStore", "document_hash", "requested_hash"]

_HEX = re.compile(r"[0-9a-f]{64}")
# Known documents never change (the hash is the text); a bounded cache of them spares
# the database, and unknown hashes are never cached, so a registration shows at once.
_CACHED = 4_096


class DocumentError(HubError):
    """A document cannot be registered or a hash sent for one cannot be used."""


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
        sent = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
        if not isinstance(sent, str):
            raise DocumentError("`extensions.persistedQuery.sha256Hash` must be a string")
        digest = sent.lower()
    if not _HEX.fullmatch(digest):
        raise DocumentError("a document hash is 64 hexadecimal digits (SHA-256)")
    return digest


class DocumentStore:
    """The registered documents, with the ones found kept in memory."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker
        self._known: dict[str, str] = {}

    async def get(self, sha256: str) -> str | None:
        body = self._known.get(sha256)
        if body is not None:
            return body
        body = await find_document(self._sessionmaker, sha256)
        if body is not None:
            if len(self._known) >= _CACHED:
                self._known.pop(next(iter(self._known)))
            self._known[sha256] = body
        return body

"""Registering and finding trusted documents (`db.models.TrustedDocument`)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db import models as m

__all__ = [
    "Registered",
    "document_hash",
    "find_document",
    "register_documents",
    "registered_documents",
]

_NAME_LENGTH = 200


@dataclass(frozen=True, slots=True)
class Registered:
    sha256: str
    name: str
    added: bool


def document_hash(text: str) -> str:
    """The SHA-256 a client sends for a document: of its exact text, in UTF-8."""
    return hashlib.sha256(text.encode()).hexdigest()


async def register_documents(
    sessionmaker: async_sessionmaker[AsyncSession], documents: Iterable[tuple[str, str]]
) -> list[Registered]:
    """Register (name, text) pairs in one transaction; a text registered before is kept
    as it was (its hash is its identity)."""
    registered = []
    async with sessionmaker() as session, session.begin():
        for name, text in documents:
            digest = document_hash(text)
            known = await session.get(m.TrustedDocument, digest)
            if known is None:
                session.add(
                    m.TrustedDocument(
                        sha256=digest,
                        name=name[:_NAME_LENGTH],
                        body=text,
                        added_at=datetime.now(UTC),
                    )
                )
            registered.append(Registered(digest, name, known is None))
    return registered


async def registered_documents(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> list[m.TrustedDocument]:
    async with sessionmaker() as session:
        rows = await session.scalars(select(m.TrustedDocument).order_by(m.TrustedDocument.added_at))
        return list(rows)


async def find_document(sessionmaker: async_sessionmaker[AsyncSession], sha256: str) -> str | None:
    async with sessionmaker() as session:
        return await session.scalar(
            select(m.TrustedDocument.body).where(m.TrustedDocument.sha256 == sha256)
        )

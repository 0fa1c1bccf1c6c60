"""The typed per-request context every resolver receives."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.pii import PersonalDataCipher
from resolvers.audit import PersonalReads
from resolvers.loaders import Loaders
from resolvers.viewer import Viewer

if TYPE_CHECKING:
    from graphql import GraphQLError

__all__ = ["Context", "RequestPolicy"]


@dataclass(frozen=True, slots=True)
class RequestPolicy:
    """What the schema may tell this caller about itself: introspection, and the
    "did you mean" suggestions in errors (both give the schema away)."""

    introspection: bool = True
    suggestions: bool = True


@dataclass
class Context:
    """What one GraphQL request carries: how to open sessions, who asks, its loaders,
    and below how many people or households a statistic is suppressed."""

    sessionmaker: async_sessionmaker[AsyncSession]
    cipher: PersonalDataCipher
    viewer: Viewer = field(default_factory=Viewer)
    small_group: int = 5
    policy: RequestPolicy = field(default_factory=RequestPolicy)
    sources_file: Path | None = None
    """The hub's sources file: what a replay of quarantined records maps with."""
    cost: int = field(default=0, init=False)
    """The operation's measured cost, set by validation, charged to the caller's budget."""
    checked: tuple[tuple[GraphQLError, ...], int] | None = field(default=None, init=False)
    """The guard's verdict on this request's document (errors, cost), once reached: the
    compiled path reaches it first, and the resolvers' path, when it answers instead,
    takes it rather than measuring the document again."""
    loaders: Loaders = field(init=False)
    reads: PersonalReads = field(default_factory=PersonalReads, init=False)
    """The objects whose personal data the answer shows, written to the audit at the end."""

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.sessionmaker)

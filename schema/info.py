"""The resolver `info` type, bound to our per-request context."""

from __future__ import annotations

from typing import TypeAlias

from strawberry.types import Info as _Info

from resolvers.context import Context

__all__ = ["Info"]

Info: TypeAlias = _Info[Context, None]

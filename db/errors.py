"""The storage layer's exceptions, under one root."""

from __future__ import annotations

__all__ = ["StorageError"]


class StorageError(Exception):
    """Root of every failure the storage layer reports in its own words."""

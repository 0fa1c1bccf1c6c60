"""What a batch is made of on its way in, and what happened to each of its records."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import orjson

from connectors.base import Mapped, Rejection

__all__ = ["BatchResult", "Item", "Outcome", "content_hash", "per_county"]


class Outcome(Enum):
    INSERTED = "inserted"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


def content_hash(values: dict[str, Any]) -> str:
    """What a record says, hashed. Sealed values carry a random nonce and are left out;
    the mapping adds keyed hashes (keys starting with `_`) in their place."""
    content = {key: value for key, value in values.items() if not key.endswith("_sealed")}
    return hashlib.sha256(
        orjson.dumps(content, option=orjson.OPT_SORT_KEYS, default=str)
    ).hexdigest()


@dataclass
class Item:
    """One mapped record on its way into the database."""

    position: int
    mapped: Mapped
    resolved: dict[str, Any] = field(default_factory=dict)
    row_id: int | None = None
    inserted: bool = False


@dataclass
class BatchResult:
    outcomes: dict[int, list[Outcome]] = field(default_factory=lambda: defaultdict(list))
    unresolved: dict[int, str] = field(default_factory=dict)
    # Records that break a rule only the stored data can show (a redemption below the
    # bank's floor): quarantined at once, never deferred.
    refused: dict[int, Rejection] = field(default_factory=dict)


def per_county(keys: list[str]) -> dict[str, list[str]]:
    """Keys written "county/rest" (a household number, a village name) grouped by county,
    in the order given, without repeats."""
    grouped: dict[str, list[str]] = defaultdict(list)
    for key in dict.fromkeys(keys):
        county, rest = key.split("/", 1)
        grouped[county].append(rest)
    return grouped

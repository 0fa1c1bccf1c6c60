"""Near-duplicate stories: a 64-bit SimHash of a text's character shingles.

A republished story (another site's header, a changed sentence, different
punctuation) keeps most shingles, so its fingerprint differs in few bits. Split into
four 16-bit bands, two fingerprints within three bits of each other share at least one
band exactly, which an index can find.
"""

from __future__ import annotations

import hashlib
import re

__all__ = ["NEAR", "bands", "distance", "fingerprint", "shingles", "signed"]

NEAR = 3  # bits: at most this far apart is the same story
_KEPT = re.compile(r"[\u3400-\u9fff0-9A-Za-z]")
_SHINGLE = 4


def shingles(text: str, size: int = _SHINGLE) -> set[str]:
    """The runs of `size` characters of a text; punctuation and spacing do not count,
    only characters and their order."""
    kept = "".join(_KEPT.findall(text))
    return {kept[index : index + size] for index in range(max(1, len(kept) - size + 1))}


def fingerprint(text: str) -> int:
    weights = [0] * 64
    for shingle in shingles(text):
        value = int.from_bytes(hashlib.blake2b(shingle.encode(), digest_size=8).digest(), "big")
        for bit in range(64):
            weights[bit] += 1 if value >> bit & 1 else -1
    return sum(1 << bit for bit in range(64) if weights[bit] > 0)


def bands(value: int) -> tuple[int, int, int, int]:
    return (value & 0xFFFF, value >> 16 & 0xFFFF, value >> 32 & 0xFFFF, value >> 48 & 0xFFFF)


def distance(first: int, second: int) -> int:
    return (first ^ second).bit_count()


def signed(value: int) -> int:
    """A 64-bit fingerprint as the signed integer a BIGINT column holds."""
    return value - (1 << 64) if value >= 1 << 63 else value

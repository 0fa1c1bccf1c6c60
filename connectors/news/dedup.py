"""Near-duplicate stories: a 64-bit SimHash of a text's character shingles.

A republished story (another site's header, a changed sentence, different
punctuation) keeps most shingles, so its fingerprint differs in few bits. Split into
four 16-bit bands, two fingerprints within three bits of each other share at least one
band exactly, which an index can find.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

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
    """Bit b is set where more shingles' 64-bit BLAKE2b hashes (big-endian) have bit b
    set than not. The bits are counted in one array operation, not shingle by shingle."""
    found = shingles(text)
    digests = b"".join(hashlib.blake2b(item.encode(), digest_size=8).digest() for item in found)
    # Row per shingle, column per bit, most significant first (as the digest reads).
    bits = np.unpackbits(np.frombuffer(digests, dtype=np.uint8).reshape(-1, 8), axis=1)
    majority = bits.sum(axis=0, dtype=np.int64) * 2 > len(found)
    return int.from_bytes(np.packbits(majority).tobytes(), "big")


def bands(value: int) -> tuple[int, int, int, int]:
    return (value & 0xFFFF, value >> 16 & 0xFFFF, value >> 32 & 0xFFFF, value >> 48 & 0xFFFF)


def distance(first: int, second: int) -> int:
    return (first ^ second).bit_count()


def signed(value: int) -> int:
    """A 64-bit fingerprint as the signed integer a BIGINT column holds."""
    return value - (1 << 64) if value >= 1 << 63 else value

"""How personal data is kept at rest: sealed (encrypted) and keyed-hashed."""

from __future__ import annotations

import base64
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from db.errors import StorageError

__all__ = ["PersonalDataCipher", "SealBrokenError"]


class SealBrokenError(StorageError):
    """A sealed value cannot be opened: it was written with another secret key."""

    def __init__(self) -> None:
        super().__init__(
            "a sealed personal-data value cannot be decrypted; WENMING_SECRET_KEY differs "
            "from the key it was written with"
        )


class PersonalDataCipher:
    """Seals ID numbers and phones and derives the person key from one secret.

    Two keys are derived so that the hash key never doubles as the encryption key.
    """

    def __init__(self, secret: str) -> None:
        if len(secret) < 16:
            raise ValueError("the personal-data secret must be at least 16 characters")
        self._seal_key = _derive(secret, b"seal")
        self._aead = AESGCM(self._seal_key)
        self._hash_key = _derive(secret, b"person-key")
        self.fingerprint = _derive(secret, b"fingerprint").hex()
        """Names the key (in the database, in messages) without giving it away."""

    def __getstate__(self) -> dict[str, bytes | str]:
        # For a mapping process: the cipher object does not pickle, its key does.
        return {
            "seal_key": self._seal_key,
            "hash_key": self._hash_key,
            "fingerprint": self.fingerprint,
        }

    def __setstate__(self, state: dict[str, bytes | str]) -> None:
        seal_key, hash_key, fingerprint = state["seal_key"], state["hash_key"], state["fingerprint"]
        assert isinstance(seal_key, bytes)
        assert isinstance(hash_key, bytes)
        assert isinstance(fingerprint, str)
        self._seal_key, self._hash_key, self.fingerprint = seal_key, hash_key, fingerprint
        self._aead = AESGCM(self._seal_key)

    def seal(self, value: str) -> str:
        """AES-256-GCM with a fresh 96-bit nonce: confidential and tamper-evident."""
        nonce = os.urandom(12)
        sealed = nonce + self._aead.encrypt(nonce, value.encode(), None)
        return base64.urlsafe_b64encode(sealed).decode("ascii")

    def open(self, sealed: str) -> str:
        try:
            raw = base64.urlsafe_b64decode(sealed.encode("ascii"))
            return self._aead.decrypt(raw[:12], raw[12:], None).decode()
        except (InvalidTag, ValueError) as error:
            raise SealBrokenError() from error

    def person_key(self, id_number: str) -> str:
        """The same normalised ID number gives the same key in every registry."""
        return hmac.digest(self._hash_key, id_number.encode(), "sha256").hex()


def _derive(secret: str, purpose: bytes) -> bytes:
    return hmac.digest(secret.encode(), purpose, "sha256")

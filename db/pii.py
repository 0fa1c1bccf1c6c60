"""How personal data is kept at rest: sealed (encrypted) and keyed-hashed."""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken

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
        self._fernet = Fernet(base64.urlsafe_b64encode(_derive(secret, b"seal")))
        self._hash_key = _derive(secret, b"person-key")

    def seal(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode("ascii")

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode()
        except InvalidToken as error:
            raise SealBrokenError() from error

    def person_key(self, id_number: str) -> str:
        """The same normalised ID number gives the same key in every registry."""
        return hmac.new(self._hash_key, id_number.encode(), hashlib.sha256).hexdigest()


def _derive(secret: str, purpose: bytes) -> bytes:
    return hmac.new(secret.encode(), purpose, hashlib.sha256).digest()

"""API keys: who a request acts for. Keys are kept only as SHA-256 digests."""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request

from db.models import DIVISION_CODE
from hub.settings import HubError, SettingsError
from resolvers.viewer import Role, Viewer

__all__ = [
    "KeyFile",
    "Keyring",
    "UnknownKeyError",
    "key_digest",
    "new_key",
    "presented_key",
]

logger = logging.getLogger("wenming.auth")

_STAFF = {Role.COUNTY_STAFF, Role.PROVINCE_STAFF}


class UnknownKeyError(HubError):
    """The request presented a key the hub does not know."""

    def __init__(self, message: str = "the API key or token is not known to this hub") -> None:
        super().__init__(message)


def presented_key(request: Request) -> str | None:
    """The key a request carries: `Authorization: Bearer KEY` or `X-Api-Key: KEY`.

    Credentials in any other form (an empty Bearer, Basic, another scheme, an empty
    X-Api-Key) are refused rather than read as anonymous: a client that meant to
    authenticate must learn that it did not."""
    authorization = request.headers.get("authorization")
    if authorization is not None:
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer":
            raise UnknownKeyError("send the API key as `Authorization: Bearer KEY`")
        if not token.strip():
            raise UnknownKeyError("the Authorization header holds no key after `Bearer`")
        return token.strip()
    key = request.headers.get("x-api-key")
    if key is not None and not key.strip():
        raise UnknownKeyError("the X-Api-Key header is empty")
    return key.strip() if key else None


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    """A fresh random key (256 bits), shown once and stored only as its digest."""
    return "wmk_" + secrets.token_urlsafe(32)


@dataclass(frozen=True, slots=True)
class Keyring:
    """Known key digests and the viewer each stands for."""

    viewers: Mapping[str, Viewer]

    @classmethod
    def empty(cls) -> Keyring:
        return cls({})

    @classmethod
    def from_file(cls, path: Path) -> Keyring:
        """Read `[[keys]]` entries (name, sha256, role, scope) from a TOML file."""
        variable = "WENMING_API_KEYS_FILE"
        try:
            document = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise SettingsError(variable, f"cannot read {path}: {error.strerror}") from None
        except tomllib.TOMLDecodeError as error:
            raise SettingsError(variable, f"{path} is not valid TOML: {error}") from None
        viewers: dict[str, Viewer] = {}
        for index, entry in enumerate(document.get("keys", []), start=1):
            where = f"{path}, key #{index}"
            digest = str(entry.get("sha256", "")).lower()
            if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
                raise SettingsError(variable, f"{where}: sha256 must be 64 hex digits")
            try:
                role = Role(entry.get("role", ""))
            except ValueError:
                roles = ", ".join(r.value for r in Role if r is not Role.ANONYMOUS)
                raise SettingsError(variable, f"{where}: role must be one of {roles}") from None
            scope = frozenset(str(code) for code in entry.get("scope", []))
            if any(not DIVISION_CODE.fullmatch(code) for code in scope):
                raise SettingsError(variable, f"{where}: scope holds division codes of 6 digits")
            if role in _STAFF and not scope:
                raise SettingsError(variable, f"{where}: staff keys need a scope of division codes")
            viewers[digest] = Viewer(
                role=role, scope=scope, name=str(entry.get("name", f"key {index}"))
            )
        return cls(viewers)

    def viewer_for(self, presented: str | None) -> Viewer:
        """The viewer a presented key stands for; no key is the anonymous viewer."""
        if not presented:
            return Viewer()
        viewer = self.viewers.get(key_digest(presented))
        if viewer is None:
            raise UnknownKeyError()
        return viewer


class KeyFile:
    """The keys file, read again when it changes (checked at most once a second, and
    at once on `reload()`, which `wenming serve` calls on SIGHUP): a key removed from
    the file stops working within seconds on every worker, without a restart."""

    _CHECK_EVERY = 1.0

    def __init__(self, path: Path) -> None:
        self._path = path
        self._stamp = self._read_stamp()
        self._keyring = Keyring.from_file(path)
        self._checked = time.monotonic()

    def viewer_for(self, presented: str | None) -> Viewer:
        now = time.monotonic()
        if now - self._checked >= self._CHECK_EVERY:
            self._checked = now
            if self._read_stamp() != self._stamp:
                self.reload()
        return self._keyring.viewer_for(presented)

    def reload(self) -> None:
        """Read the file again. A file that became unreadable or invalid keeps no key
        working: every keyed request is refused until the file is fixed."""
        self._stamp = self._read_stamp()
        try:
            self._keyring = Keyring.from_file(self._path)
        except SettingsError as error:
            logger.error("keys file refused, no key is accepted until it is fixed: %s", error)
            self._keyring = Keyring.empty()

    def _read_stamp(self) -> tuple[int, int, int] | None:
        try:
            status = self._path.stat()
        except OSError:
            return None
        return (status.st_mtime_ns, status.st_size, status.st_ino)

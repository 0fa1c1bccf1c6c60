"""Configuration, read once from the environment and passed down explicitly."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["DEV_SECRET", "HubError", "Settings", "SettingsError"]

DEV_SECRET = "wenming-development-secret-do-not-use-in-production"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///wenming.sqlite3"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_SMALL_GROUP = 5


class HubError(Exception):
    """Root of the failures the hub shell reports in its own words."""


class SettingsError(HubError):
    """A setting is missing or malformed; the message names the variable to fix."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the hub reads from its environment (variables prefixed `WENMING_`)."""

    database_url: str = DEFAULT_DATABASE_URL
    secret_key: str = field(default=DEV_SECRET, repr=False)
    production: bool = False
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    cors_origins: tuple[str, ...] = ()
    echo_sql: bool = False
    api_keys_file: Path | None = None
    small_group: int = DEFAULT_SMALL_GROUP
    sources_file: Path = Path("wenming.toml")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        production = _bool(env, "WENMING_PRODUCTION", default=False)
        secret = env.get("WENMING_SECRET_KEY", "")
        if production and (not secret or secret == DEV_SECRET):
            raise SettingsError(
                "WENMING_SECRET_KEY", "must be set to a private value in production"
            )
        if secret and len(secret) < 16:
            raise SettingsError("WENMING_SECRET_KEY", "must be at least 16 characters")
        return cls(
            database_url=env.get("WENMING_DATABASE_URL", DEFAULT_DATABASE_URL),
            secret_key=secret or DEV_SECRET,
            production=production,
            host=env.get("WENMING_HOST", DEFAULT_HOST),
            port=_int(env, "WENMING_PORT", default=DEFAULT_PORT),
            cors_origins=tuple(
                origin.strip()
                for origin in env.get("WENMING_CORS_ORIGINS", "").split(",")
                if origin.strip()
            ),
            echo_sql=_bool(env, "WENMING_ECHO_SQL", default=False),
            api_keys_file=Path(env["WENMING_API_KEYS_FILE"])
            if env.get("WENMING_API_KEYS_FILE")
            else None,
            small_group=_int(env, "WENMING_SMALL_GROUP", default=DEFAULT_SMALL_GROUP),
            sources_file=Path(env.get("WENMING_SOURCES_FILE") or "wenming.toml"),
        )


def _bool(env: Mapping[str, str], variable: str, *, default: bool) -> bool:
    raw = env.get(variable)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(variable, f"expected true or false, got {raw!r}")


def _int(env: Mapping[str, str], variable: str, *, default: int) -> int:
    raw = env.get(variable)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(variable, f"expected a whole number, got {raw!r}") from None

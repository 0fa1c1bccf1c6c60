"""Configuration, read once from the environment and passed down explicitly."""

from __future__ import annotations

import difflib
import math
import os
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from limits import parse_many

__all__ = ["DEV_SECRET", "HubError", "Settings", "SettingsError"]

DEV_SECRET = "wenming-development-secret-do-not-use-in-production"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///wenming.sqlite3"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_SMALL_GROUP = 5
# How long the record of personal-data reads is kept (three years).
DEFAULT_AUDIT_RETENTION_DAYS = 1095
ROLES = ("anonymous", "media", "analyst", "county_staff", "province_staff", "admin")
# Cost points per window (GitHub's model: a request costs at least one point, one more
# per thousand objects it may return). Several windows are separated by ";".
DEFAULT_RATE_LIMITS: Mapping[str, str] = {
    "anonymous": "300/minute;5000/hour",
    "media": "600/minute;5000/hour",
    "analyst": "1200/minute;20000/hour",
    "county_staff": "1200/minute;20000/hour",
    "province_staff": "1200/minute;20000/hour",
    "admin": "6000/minute",
}
# Who may read the schema by introspection and get "did you mean" hints in production.
PRODUCTION_INTROSPECTION = frozenset({"analyst", "county_staff", "province_staff", "admin"})
# A production secret must be hard to guess: 16 characters drawn from few symbols
# (aaaaaaaaaaaaaaaa) are not.
MIN_SECRET_BITS = 64


class HubError(Exception):
    """Root of the failures the hub shell reports in its own words."""


class SettingsError(HubError):
    """A setting is missing or malformed; the message names the variable to fix."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable


LOG_LEVELS = ("debug", "info", "warning", "error")
LOG_FORMATS = ("text", "json")
# Every variable the hub reads, for the did-you-mean of a misspelt one.
KNOWN_VARIABLES = (
    "WENMING_DATABASE_URL",
    "WENMING_SECRET_KEY",
    "WENMING_NEW_SECRET_KEY",
    "WENMING_PRODUCTION",
    "WENMING_HOST",
    "WENMING_PORT",
    "WENMING_CORS_ORIGINS",
    "WENMING_ECHO_SQL",
    "WENMING_API_KEYS_FILE",
    "WENMING_SMALL_GROUP",
    "WENMING_SOURCES_FILE",
    "WENMING_MAX_BODY_BYTES",
    "WENMING_MAX_COST",
    "WENMING_REQUEST_TIMEOUT",
    *(f"WENMING_RATE_LIMIT_{role.upper()}" for role in ROLES),
    "WENMING_REDIS_URL",
    "WENMING_INTROSPECTION_ROLES",
    "WENMING_REGISTERED_DOCUMENTS_ONLY",
    "WENMING_AUDIT_RETENTION_DAYS",
    "WENMING_LOG_LEVEL",
    "WENMING_LOG_FORMAT",
    "WENMING_OPENTELEMETRY",
    "WENMING_COMPILED_READS",
)


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
    max_body_bytes: int = 1_000_000
    max_cost: int = 50_000
    request_timeout: float = 10.0
    rate_limits: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_RATE_LIMITS))
    redis_url: str | None = None
    introspection_roles: frozenset[str] = frozenset(ROLES)
    registered_only_roles: frozenset[str] = frozenset()
    audit_retention_days: int = DEFAULT_AUDIT_RETENTION_DAYS
    log_level: str = "INFO"
    log_format: str = "text"
    opentelemetry: bool = False
    # Documents the compiled read path can answer skip graphql-core's execution.
    compiled_reads: bool = True

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
        if production and _entropy_bits(secret) < MIN_SECRET_BITS:
            raise SettingsError(
                "WENMING_SECRET_KEY",
                "is too easy to guess for production; make one with "
                "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`",
            )
        rate_limits = dict(DEFAULT_RATE_LIMITS)
        for role in ROLES:
            variable = f"WENMING_RATE_LIMIT_{role.upper()}"
            if env.get(variable):
                rate_limits[role] = _rate(env, variable)
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
            max_body_bytes=_int(env, "WENMING_MAX_BODY_BYTES", default=1_000_000, minimum=1_000),
            max_cost=_int(env, "WENMING_MAX_COST", default=50_000, minimum=100),
            request_timeout=_seconds(env, "WENMING_REQUEST_TIMEOUT", default=10.0),
            rate_limits=rate_limits,
            redis_url=env.get("WENMING_REDIS_URL") or None,
            introspection_roles=_roles(
                env,
                "WENMING_INTROSPECTION_ROLES",
                default=PRODUCTION_INTROSPECTION if production else frozenset(ROLES),
            ),
            registered_only_roles=_roles(
                env, "WENMING_REGISTERED_DOCUMENTS_ONLY", default=frozenset()
            ),
            audit_retention_days=_int(
                env, "WENMING_AUDIT_RETENTION_DAYS", default=DEFAULT_AUDIT_RETENTION_DAYS, minimum=1
            ),
            log_level=_choice(env, "WENMING_LOG_LEVEL", LOG_LEVELS, default="INFO").upper(),
            log_format=_choice(env, "WENMING_LOG_FORMAT", LOG_FORMATS, default="text"),
            opentelemetry=_bool(env, "WENMING_OPENTELEMETRY", default=False),
            compiled_reads=_bool(env, "WENMING_COMPILED_READS", default=True),
        )


def unknown_variables(environ: Mapping[str, str] | None = None) -> list[str]:
    """A warning for each WENMING_ variable the hub does not read: a misspelt setting
    would otherwise leave its default in force without a word."""
    env = os.environ if environ is None else environ
    warnings = []
    for name in sorted(env):
        if not name.startswith("WENMING_") or name in KNOWN_VARIABLES:
            continue
        if name.startswith("WENMING_TEST_"):
            continue  # the test suite's own
        close = difflib.get_close_matches(name, KNOWN_VARIABLES, n=1, cutoff=0.8)
        hint = f"; did you mean {close[0]}?" if close else " (docs/operations.md lists them)"
        warnings.append(f"{name} is not a setting of the hub{hint}")
    return warnings


def _choice(
    env: Mapping[str, str], variable: str, choices: tuple[str, ...], *, default: str
) -> str:
    raw = env.get(variable, "").strip()
    if not raw:
        return default
    if raw.lower() not in choices:
        raise SettingsError(variable, f"one of {', '.join(choices)}, got {raw!r}")
    return raw.lower()


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


def _int(env: Mapping[str, str], variable: str, *, default: int, minimum: int = 0) -> int:
    raw = env.get(variable)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(variable, f"expected a whole number, got {raw!r}") from None
    if value < minimum:
        raise SettingsError(variable, f"must be at least {minimum}, got {value}")
    return value


def _seconds(env: Mapping[str, str], variable: str, *, default: float) -> float:
    raw = env.get(variable)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(variable, f"expected seconds, e.g. 10 or 2.5, got {raw!r}") from None
    if not 0.1 <= value <= 3600:
        raise SettingsError(variable, "must lie between 0.1 and 3600 seconds")
    return value


def _roles(env: Mapping[str, str], variable: str, *, default: frozenset[str]) -> frozenset[str]:
    raw = env.get(variable)
    if raw is None:
        return default
    roles = frozenset(part.strip() for part in raw.split(",") if part.strip())
    unknown = sorted(roles - set(ROLES))
    if unknown:
        raise SettingsError(
            variable, f"unknown role {unknown[0]!r}; roles are {', '.join(ROLES)} (or empty)"
        )
    return roles


def _rate(env: Mapping[str, str], variable: str) -> str:
    raw = env[variable].strip()
    if raw.lower() in {"none", "unlimited"}:
        return ""
    try:
        parse_many(raw)
    except ValueError:
        raise SettingsError(
            variable, f"expected points per window such as 300/minute;5000/hour, got {raw!r}"
        ) from None
    return raw


def _entropy_bits(secret: str) -> float:
    """Shannon entropy of the secret's characters times its length: a rough guard
    against keys typed by hand, not a proof of strength."""
    if not secret:
        return 0.0
    counts = Counter(secret)
    per_character = -sum(n / len(secret) * math.log2(n / len(secret)) for n in counts.values())
    return per_character * len(secret)

"""Settings are read once from the environment and fail loudly."""

from __future__ import annotations

import pytest

from hub.settings import DEV_SECRET, Settings, SettingsError


def test_defaults_run_on_an_embedded_sqlite_file() -> None:
    settings = Settings.from_env({})
    assert settings.database_url.startswith("sqlite+aiosqlite:///")
    assert settings.secret_key == DEV_SECRET
    assert settings.production is False


def test_values_are_cast() -> None:
    settings = Settings.from_env(
        {
            "WENMING_DATABASE_URL": "postgresql+asyncpg://hub@db/hub",
            "WENMING_PORT": "9000",
            "WENMING_PRODUCTION": "yes",
            "WENMING_SECRET_KEY": "a-private-secret-key",
            "WENMING_CORS_ORIGINS": "https://a.example, https://b.example",
        }
    )
    assert settings.port == 9000
    assert settings.production is True
    assert settings.cors_origins == ("https://a.example", "https://b.example")


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"WENMING_PRODUCTION": "true"}, "WENMING_SECRET_KEY"),
        ({"WENMING_PRODUCTION": "true", "WENMING_SECRET_KEY": DEV_SECRET}, "WENMING_SECRET_KEY"),
        ({"WENMING_SECRET_KEY": "short"}, "WENMING_SECRET_KEY"),
        ({"WENMING_PORT": "eighty"}, "WENMING_PORT"),
        ({"WENMING_PRODUCTION": "maybe"}, "WENMING_PRODUCTION"),
    ],
)
def test_bad_settings_name_the_variable(environ: dict[str, str], variable: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        Settings.from_env(environ)


def test_secret_is_not_shown_in_repr() -> None:
    assert "a-private-secret-key" not in repr(
        Settings.from_env({"WENMING_SECRET_KEY": "a-private-secret-key"})
    )


@pytest.mark.parametrize("secret", ["aaaaaaaaaaaaaaaa", "abababababababababab", "1234567812345678"])
def test_production_refuses_a_secret_that_is_easy_to_guess(secret: str) -> None:
    with pytest.raises(SettingsError, match="too easy to guess"):
        Settings.from_env({"WENMING_PRODUCTION": "true", "WENMING_SECRET_KEY": secret})
    assert Settings.from_env({"WENMING_SECRET_KEY": secret}).secret_key == secret


def test_production_hides_the_schema_from_anonymous_and_media_by_default() -> None:
    strong = {"WENMING_PRODUCTION": "true", "WENMING_SECRET_KEY": "Zq8-vT3n_Lw9xR2mKp7s"}
    production = Settings.from_env(strong)
    assert {"anonymous", "media"}.isdisjoint(production.introspection_roles)
    assert "analyst" in production.introspection_roles
    assert "anonymous" in Settings.from_env({}).introspection_roles
    chosen = Settings.from_env({**strong, "WENMING_INTROSPECTION_ROLES": "admin"})
    assert chosen.introspection_roles == frozenset({"admin"})


def test_limits_are_read_per_role() -> None:
    settings = Settings.from_env(
        {
            "WENMING_RATE_LIMIT_ANONYMOUS": "60/minute;600/hour",
            "WENMING_RATE_LIMIT_ADMIN": "unlimited",
            "WENMING_REQUEST_TIMEOUT": "2.5",
            "WENMING_REDIS_URL": "redis://127.0.0.1:6379/0",
            "WENMING_REGISTERED_DOCUMENTS_ONLY": "anonymous, media",
        }
    )
    assert settings.rate_limits["anonymous"] == "60/minute;600/hour"
    assert settings.rate_limits["admin"] == ""
    assert settings.rate_limits["media"] == "600/minute;5000/hour"
    assert settings.request_timeout == 2.5
    assert settings.redis_url == "redis://127.0.0.1:6379/0"
    assert settings.registered_only_roles == frozenset({"anonymous", "media"})


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"WENMING_RATE_LIMIT_MEDIA": "lots"}, "WENMING_RATE_LIMIT_MEDIA"),
        ({"WENMING_REQUEST_TIMEOUT": "0"}, "WENMING_REQUEST_TIMEOUT"),
        ({"WENMING_REQUEST_TIMEOUT": "soon"}, "WENMING_REQUEST_TIMEOUT"),
        ({"WENMING_MAX_BODY_BYTES": "10"}, "WENMING_MAX_BODY_BYTES"),
        ({"WENMING_INTROSPECTION_ROLES": "mayor"}, "WENMING_INTROSPECTION_ROLES"),
    ],
)
def test_bad_limits_name_the_variable(environ: dict[str, str], variable: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        Settings.from_env(environ)

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

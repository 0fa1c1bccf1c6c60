"""API keys: the keys file, the `wenming keys new` command, and viewers."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.auth import Keyring, UnknownKeyError, key_digest
from hub.cli import main
from hub.settings import SettingsError
from resolvers.viewer import Role, Viewer


def test_new_key_entry_reads_back_as_its_viewer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            ["keys", "new", "--name", "kaili-office", "--role", "county_staff", "--scope", "522601"]
        )
        == 0
    )
    captured = capsys.readouterr()
    key = captured.err.rsplit(" ", 1)[-1].strip()
    assert key not in captured.out
    keys_file = tmp_path / "keys.toml"
    keys_file.write_text(captured.out, encoding="utf-8")
    viewer = Keyring.from_file(keys_file).viewer_for(key)
    assert viewer == Viewer(Role.COUNTY_STAFF, frozenset({"522601"}), "kaili-office")
    assert viewer.covers_county("522601")
    assert not viewer.covers_county("620623")


def test_staff_keys_need_a_scope(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keys", "new", "--name", "x", "--role", "county_staff"]) == 2
    assert "--scope" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ('sha256 = "abc"\nrole = "admin"', "64 hex"),
        (f'sha256 = "{"a" * 64}"\nrole = "mayor"', "role must be one of"),
        (f'sha256 = "{"a" * 64}"\nrole = "county_staff"', "need a scope"),
        (f'sha256 = "{"a" * 64}"\nrole = "county_staff"\nscope = ["Kaili"]', "division codes"),
    ],
)
def test_bad_keys_files_say_what_is_wrong(tmp_path: Path, entry: str, problem: str) -> None:
    path = tmp_path / "keys.toml"
    path.write_text(f"[[keys]]\n{entry}\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=problem):
        Keyring.from_file(path)


def test_unreadable_keys_file(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="cannot read"):
        Keyring.from_file(tmp_path / "missing.toml")
    (tmp_path / "bad.toml").write_text("[[keys", encoding="utf-8")
    with pytest.raises(SettingsError, match="not valid TOML"):
        Keyring.from_file(tmp_path / "bad.toml")


def test_no_key_is_anonymous_and_unknown_keys_are_refused() -> None:
    keyring = Keyring({key_digest("k"): Viewer(Role.ADMIN)})
    assert keyring.viewer_for(None) == Viewer()
    assert keyring.viewer_for("k").role is Role.ADMIN
    with pytest.raises(UnknownKeyError):
        keyring.viewer_for("other")


@pytest.mark.parametrize(
    ("scope", "county", "covered"),
    [
        ("520000", "522601", True),
        ("520600", "520602", True),
        ("520600", "522601", False),
        ("522601", "522601", True),
        ("522601", "522602", False),
    ],
)
def test_staff_scope_covers_counties_below_it(scope: str, county: str, covered: bool) -> None:
    assert Viewer(Role.PROVINCE_STAFF, frozenset({scope})).covers_county(county) is covered


def test_non_staff_never_cover_a_county() -> None:
    for role in (Role.ANONYMOUS, Role.MEDIA, Role.ANALYST):
        assert not Viewer(role, frozenset({"522601"})).covers_county("522601")

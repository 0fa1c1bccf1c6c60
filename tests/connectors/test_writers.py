"""Each source kind's writers live beside its reading and mapping and are found by
model: a new kind is one folder, and no writer imports another kind's."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import connectors
from connectors.writing import RecordWriter, writers
from db import models as m

_KINDS = sorted(path.parent.name for path in Path(connectors.__path__[0]).glob("*/writing.py"))


def test_every_model_with_a_writer_of_its_own_finds_it() -> None:
    found = {model: writer.__module__ for model, writer in writers().items()}
    assert found[m.Volunteer] == "connectors.volunteers.writing"
    assert found[m.ServiceOrder] == "connectors.volunteers.writing"
    assert found[m.Site] == "connectors.sites.writing"
    assert found[m.Household] == "connectors.points.writing"
    assert found[m.PointsEntry] == "connectors.points.writing"
    assert found[m.NewsStory] == "connectors.news.writing"
    assert m.Team not in found  # a plain upsert by source id
    assert all(issubclass(writer, RecordWriter) for writer in writers().values())
    assert {module.rsplit(".", 2)[1] for module in found.values()} == set(_KINDS)


@pytest.mark.parametrize("kind", _KINDS)
def test_a_kinds_writer_imports_on_its_own(kind: str) -> None:
    """In a fresh interpreter, first of all: an import circle would fail here."""
    imported = subprocess.run(
        [sys.executable, "-c", f"import connectors.{kind}.writing"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert imported.returncode == 0, imported.stderr
    others = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys, connectors.{kind}.writing; "
            "print(sorted(n for n in sys.modules if n.endswith('.writing') and n.count('.') == 2))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert others.stdout.strip() == repr(sorted({f"connectors.{kind}.writing"}))

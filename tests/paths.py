"""Where the project lies, for tests that read its committed files."""

from __future__ import annotations

from pathlib import Path

__all__ = ["PROJECT_ROOT"]

PROJECT_ROOT = Path(__file__).resolve().parents[1]

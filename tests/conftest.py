"""Shared fixtures. Area-specific fixtures live in the conftest.py of each tests/ subfolder; shared row factories
in tests/factories.py."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DEMO_PARK_PATH = REPO / "geodata" / "samples" / "demo_park.gpkg"

# tests/factories.py (shared row factories) is imported as ``factories``: the suite runs in importlib mode
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(scope="session")
def demo_park_path() -> Path:
    """Path of the bundled demo park GeoPackage."""
    assert DEMO_PARK_PATH.exists(), f"demo park missing: {DEMO_PARK_PATH}"
    return DEMO_PARK_PATH


@pytest.fixture(scope="session")
def demo_park(demo_park_path):
    """The bundled demo park, loaded once per test session (treat as read-only)."""
    from geodata import load_park

    return load_park(demo_park_path)

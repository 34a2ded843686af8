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


@pytest.fixture(scope="session", autouse=True)
def _isolated_data_dir(tmp_path_factory):
    """Every test (and every app server a test starts) keeps its stores and stored results in a fresh folder,
    never in the user's ``~/.local/share/parkrisk``: a result kept there by an earlier run would show on the maps."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PARKRISK_DATA_DIR", str(tmp_path_factory.mktemp("parkrisk-data")))
        yield


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

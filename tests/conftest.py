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
def pg_server():
    """A private PostgreSQL + PostGIS server for the whole session, shared by every test that needs one
    (:class:`geodata.store.testing.TemporaryPostgres`: ``dsn`` is the owner's, ``app_store(schema)`` creates a store
    schema and returns the application role's DSN, ``app_dsn(role)``). PostgreSQL and PostGIS must be installed: the
    fixture fails — never skips — naming what is missing. Tests that share it use their own schema names."""
    from geodata.store.testing import TemporaryPostgres

    server = TemporaryPostgres(dbname="parkrisk_test", fsync=False)
    try:
        server.start()
    except Exception as exc:  # noqa: BLE001 - a clear failure, never a skip
        server.stop()
        pytest.fail(f"PostgreSQL/PostGIS 测试服务器无法启动：{exc}", pytrace=False)
    yield server
    server.stop()


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

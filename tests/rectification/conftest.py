"""Fixtures of the rectification tests: stores on both backends, a PostgreSQL+PostGIS server started once per
session (it must be installed: the fixture fails — never skips — with the Debian packages to install)."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # rectification_helpers (tests use importlib mode)

from rectification_helpers import ADMIN, make_record  # noqa: E402

from geodata.store import GpkgStore, PostgisStore  # noqa: E402
from geodata.store.testing import TemporaryPostgres  # noqa: E402

_schemas = itertools.count()


@pytest.fixture(scope="session")
def pg_server():
    """A private PostgreSQL 15 + PostGIS 3 server for the whole session (see geodata.store.testing)."""
    server = TemporaryPostgres(dbname="parkrisk_test", fsync=False)
    try:
        server.start()
    except Exception as exc:  # noqa: BLE001 - turned into a clear failure below
        server.stop()
        pytest.fail(f"PostgreSQL/PostGIS 测试服务器无法启动：{exc}", pytrace=False)
    yield server
    server.stop()


@pytest.fixture(params=["gpkg", pytest.param("postgis", marks=pytest.mark.postgis)])
def backend(request) -> str:
    return request.param


@pytest.fixture
def store_factory(backend, request, tmp_path):
    """``factory()`` -> a new connection-set on the SAME store (like a second user/process)."""
    if backend == "gpkg":
        path = tmp_path / "rect.gpkg"

        def factory():
            return GpkgStore(path)
    else:
        server = request.getfixturevalue("pg_server")
        schema = f"t{next(_schemas)}"
        # created by the owner; the stores connect as the application's role (owns nothing)
        app_dsn = server.app_store(schema)

        def factory():
            return PostgisStore(app_dsn, schema=schema)

    made = []

    def make():
        s = factory()
        made.append(s)
        return s

    yield make
    for s in made:
        s.close()


@pytest.fixture
def store(store_factory):
    """An empty store with 10 items (R001..R010)."""
    s = store_factory()
    s.create_items(ADMIN, [make_record(i) for i in range(1, 11)])
    return s


@pytest.fixture
def pg_server_or_path(backend, request):
    """``f(store) -> (target, schema)`` to open the same store from another process."""

    def f(store):
        if backend == "gpkg":
            return str(store.path), "parkrisk"
        return request.getfixturevalue("pg_server").app_dsn(), store.schema

    return f

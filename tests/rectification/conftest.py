"""Fixtures of the rectification tests: stores on both backends, a PostgreSQL+PostGIS server started once per
session (``pg_server`` in tests/conftest.py: it fails — never skips — when PostgreSQL or PostGIS is missing)."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # rectification_helpers (tests use importlib mode)

from rectification_helpers import ADMIN, make_record  # noqa: E402

from geodata.store import GpkgStore, PostgisStore  # noqa: E402

_schemas = itertools.count()


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

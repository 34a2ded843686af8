"""Fixtures of the app tests: a small, complete park built in code (independent of the demo park; its layers come
from :func:`factories.small_park_layers`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import small_park_layers

from geodata import Park


@pytest.fixture(scope="session")
def small_park() -> Park:
    """A small valid park (validated by :meth:`geodata.Park.from_layers`)."""
    return Park.from_layers(small_park_layers())


@pytest.fixture(scope="session")
def small_park_path(tmp_path_factory, small_park) -> Path:
    """The small park saved as a GeoPackage."""
    path = tmp_path_factory.mktemp("park") / "small_park.gpkg"
    small_park.save(path)
    return path

"""Fixtures of the app tests: a small, complete park built in code (independent of the demo park; its layers come
from :func:`factories.small_park_layers`)."""

from __future__ import annotations

import itertools
import os
import shutil
from pathlib import Path

import pytest
from factories import small_park_layers

from geodata import Park


@pytest.fixture(scope="session")
def small_park() -> Park:
    """A small valid park (validated by :meth:`geodata.Park.from_layers`) with a wind rose in its weather tables
    (the illustrative demo rose, so the risk pages and commands run on it; a park without one is refused)."""
    from analysis.weather import demo_wind_rose
    from geodata.weather import check_weather

    park = Park.from_layers(small_park_layers())
    lon, lat = park.center
    station = {"name": "测试站（示意）", "latitude": lat, "longitude": lon, "source": "示意风玫瑰（测试）"}
    park.weather = check_weather(demo_wind_rose().to_frame(), station)
    return park


#: The session's shared park files and their pristine copies (see :func:`_shared_park_files_unchanged`).
_PRISTINE: dict[Path, tuple[Path, tuple[int, int]]] = {}


def _stamp(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


@pytest.fixture(scope="session")
def small_park_path(tmp_path_factory, small_park) -> Path:
    """The small park saved as a GeoPackage, shared by the session: a test that writes into it (a page keeping its
    result with the park named by ``PARKRISK_PARK``, a weather or F-N save) gets it back as it was afterwards."""
    path = tmp_path_factory.mktemp("park") / "small_park.gpkg"
    small_park.save(path)
    pristine = tmp_path_factory.mktemp("park-pristine") / "small_park.gpkg"
    shutil.copyfile(path, pristine)
    _PRISTINE[path] = (pristine, _stamp(path))
    return path


@pytest.fixture(autouse=True)
def _shared_park_files_unchanged():
    """After each test, the shared park file as it was made: what a test stored in it (results, weather, F-N
    constants) never reaches a later test that opens or copies it, whatever the order the tests run in."""
    yield
    for path, (pristine, stamp) in list(_PRISTINE.items()):
        if path.exists() and _stamp(path) == stamp:
            continue
        tmp = path.with_name(f".{path.name}.restore")
        shutil.copyfile(pristine, tmp)
        os.replace(tmp, path)
        for extra in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            extra.unlink(missing_ok=True)
        _PRISTINE[path] = (pristine, _stamp(path))


@pytest.fixture
def finish_jobs():
    """``finish_jobs(at)``: wait until the background jobs the page started (:mod:`app.jobs`) have finished, then
    rerun the AppTest ``at`` so that the page takes their results; returns ``at``."""

    def finish(at, timeout: float = 600.0):
        from app.jobs import runner

        assert runner().wait_idle(timeout), f"background jobs still running after {timeout:g} s"
        at.run()
        return at

    return finish


_pg_schemas = itertools.count()  # one counter: the region modules share one PostgreSQL server


@pytest.fixture
def schema() -> str:
    """A schema of its own for each PostGIS region test."""
    return f"region{next(_pg_schemas)}"


@pytest.fixture
def loaded(pg_server, pg_region_folder, schema) -> str:
    """The parks of the module's ``pg_region_folder`` imported into ``schema`` with the CLI (``parkrisk region
    import``); the database's address."""
    from app.cli import main

    assert main(["region", "import", pg_server.dsn, str(pg_region_folder), "--schema", schema]) == 0
    return pg_server.dsn

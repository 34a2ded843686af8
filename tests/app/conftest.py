"""Fixtures of the app tests: a small, complete park built in code (independent of the demo park; its layers come
from :func:`factories.small_park_layers`)."""

from __future__ import annotations

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


@pytest.fixture(scope="session")
def small_park_path(tmp_path_factory, small_park) -> Path:
    """The small park saved as a GeoPackage."""
    path = tmp_path_factory.mktemp("park") / "small_park.gpkg"
    small_park.save(path)
    return path


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

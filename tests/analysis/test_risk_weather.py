"""The risk run takes its weather from the park: refused without one, generic only when picked, the grid turns with
the rose (issue 15: rotate the rose 180°, the IR field rotates with it, max IR unchanged within 1 %)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.errors import MissingWeatherError
from analysis.qra import individual as risk
from analysis.weather import WindRose, demo_wind_rose
from geodata import Park
from geodata.samples.one_unit import ammonia_outcome, ammonia_unit_park
from geodata.weather import ParkWeather


def _park() -> Park:
    return ammonia_unit_park(6_000.0)


def _outcome() -> pd.DataFrame:
    return ammonia_outcome(mass_kg=6_000.0)


# 16 sectors, strongly uneven (a prevailing NE wind), two weather classes
DIRS = tuple(22.5 * k for k in range(16))
WEIGHTS = np.array([4, 6, 14, 8, 5, 3, 2, 2, 3, 2, 1, 1, 1, 2, 3, 3], dtype=float)


def _rose(shift_sectors: int = 0) -> WindRose:
    w = np.roll(WEIGHTS / WEIGHTS.sum(), shift_sectors)
    p = np.stack([0.6 * w, 0.4 * w], axis=1).reshape(16, 2, 1)
    return WindRose(DIRS, (2.0, 5.0), ("D",), p)


def _run(park, **kw):
    g = park.metric("installations").geometry.iloc[0]
    ext = (g.x - 605.0, g.y - 605.0, g.x + 605.0, g.y + 605.0)  # the source at the centre of the middle cell
    return risk.individual_risk(park, outcomes=_outcome(), resolution=10.0, extent=ext, **kw)


def test_park_without_weather_is_refused_naming_the_fix():
    with pytest.raises(MissingWeatherError) as err:
        _run(_park())
    assert isinstance(err.value, ValueError)
    msg = str(err.value)
    assert "parkrisk weather import" in msg and "气象与人口" in msg and "generic" in msg


def test_generic_rose_only_when_picked_and_said():
    res = _run(_park(), weather="generic")
    assert "通用示意风玫瑰" in res.assumptions["weather_source"]
    ref = _run(_park(), weather=demo_wind_rose())
    np.testing.assert_array_equal(res.grid, ref.grid)


def test_park_rose_is_used_and_named():
    park = _park()
    park.weather = ParkWeather(
        _rose().to_frame(), {"name": "某站", "latitude": "29.9", "longitude": "113.7", "source": "风玫瑰表"}
    )
    res = _run(park)
    assert "某站" in res.assumptions["weather_source"]
    np.testing.assert_array_equal(res.grid, _run(_park(), weather=_rose()).grid)


def test_grid_turns_with_the_rose_180_degrees():
    a = _run(_park(), weather=_rose())
    b = _run(_park(), weather=_rose(8))  # every direction's probability moved to the opposite sector
    assert b.grid.max() == pytest.approx(a.grid.max(), rel=0.01)
    # the field rotated by 180° about the source (cell centre of the middle cell)
    turned = a.grid[::-1, ::-1]
    assert np.abs(b.grid - turned).max() <= 0.01 * a.grid.max()
    # and it did turn: the unrotated field differs (the rose is far from symmetric)
    assert np.abs(b.grid - a.grid).max() > 0.2 * a.grid.max()


def test_demo_park_reads_the_same_rose_from_its_file():
    # the demo's risk figures are unchanged: the rose stored in the park file is the demo rose, value for value
    from analysis.weather import rose_from_frame
    from geodata import load_park
    from geodata.samples.build_demo_park import DEFAULT_PATH

    park = load_park(DEFAULT_PATH)
    assert rose_from_frame(park.weather.rose) == demo_wind_rose()
    from analysis.qra.options import park_wind_rose

    assert "示意" in park_wind_rose(park)[1]

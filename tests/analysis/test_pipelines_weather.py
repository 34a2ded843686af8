"""Pipelines on the park's wind rose (issue 15, item 2): the same rose, refusal and generic choice as
analysis.qra.individual.individual_risk; the documented speed-per-stability reduction (CPR 18E §4.5.3 representative
weather classes) keeps every direction's and every stability's probability; the risk turns with the wind."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from analysis import pipelines as pp
from analysis.errors import MissingWeatherError
from analysis.pipelines.consequences import weather_groups
from analysis.pipelines.options import reduce_weather_classes, weather_classes_from_rose
from analysis.weather import Weather, WindRose

CRS = "EPSG:4547"


def _rose() -> WindRose:
    # two directions × two speeds × two stabilities, probabilities chosen by hand
    p = np.zeros((2, 2, 2))
    p[0, 0, 0], p[0, 1, 0] = 0.10, 0.30  # from N, D: 2 m/s 0.10, 5 m/s 0.30
    p[1, 0, 0], p[1, 1, 0] = 0.20, 0.00  # from E, D: 2 m/s 0.20
    p[0, 0, 1], p[1, 0, 1], p[1, 1, 1] = 0.15, 0.05, 0.20  # F
    return WindRose(directions_deg=(0.0, 90.0), speeds_m_s=(2.0, 5.0), stabilities=("D", "F"), probability=p)


def test_reduction_by_hand():
    full = weather_classes_from_rose(_rose())
    red = weather_classes_from_rose(_rose(), reduce="speed_per_stability")
    assert sum(p for _, p in full) == pytest.approx(1.0) and sum(p for _, p in red) == pytest.approx(1.0)
    got = {(w.wind_from_deg, w.stability): (w.wind_speed, p) for w, p in red}
    # D: ū = (0.10·2 + 0.30·5 + 0.20·2) / 0.60 = 2.1 / 0.6 = 3.5 m/s; F: (0.15·2 + 0.05·2 + 0.20·5) / 0.40 = 3.5
    assert got[(0.0, "D")] == pytest.approx((3.5, 0.40))
    assert got[(90.0, "D")] == pytest.approx((3.5, 0.20))
    assert got[(0.0, "F")] == pytest.approx((3.5, 0.15))
    assert got[(90.0, "F")] == pytest.approx((3.5, 0.25))
    assert len(red) == 4 and len(weather_groups(red)) == 2  # one footprint per stability


def test_reduction_keeps_direction_and_stability_probabilities_of_the_demo_rose():
    from analysis.weather import demo_wind_rose

    full = weather_classes_from_rose(demo_wind_rose())
    red = reduce_weather_classes(full)
    for key in (lambda w: w.wind_from_deg, lambda w: w.stability):
        a, b = {}, {}
        for w, p in full:
            a[key(w)] = a.get(key(w), 0.0) + p
        for w, p in red:
            b[key(w)] = b.get(key(w), 0.0) + p
        assert a.keys() == b.keys() and all(b[k] == pytest.approx(a[k], abs=1e-12) for k in a)
    assert len(red) == len({(w.wind_from_deg, w.stability) for w, _ in full}) < len(full)


def test_bad_reduction_named():
    with pytest.raises(ValueError, match="reduce"):
        weather_classes_from_rose(_rose(), reduce="fast")


def _ammonia_line() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "pipeline_id": ["NH3"],
            "name": ["氨管"],
            "substance": ["液氨"],
            "diameter_m": [0.1],
            "pressure_pa": [1.8e6],
            "kind": ["process"],
            "temperature_k": [293.15],
        },
        geometry=[shapely.LineString([(0, 0), (1000, 0)])],
        crs=CRS,
    )


def test_pipeline_risk_turns_with_the_wind():
    # a toxic line with the wind always from the north (0°): the risk lies to the south; turned 180°, to the north
    row = _ammonia_line().iloc[0]
    k = {}
    for d in (0.0, 180.0):
        opt = pp.RiskOptions(weather=((Weather(wind_speed=2.0, wind_from_deg=d, stability="F"), 1.0),))
        k[d] = pp.pipeline_consequences(row, length_m=1000.0, options=opt).kernel
    n = k[0.0].shape[0]
    south, north = k[0.0][: n // 2].sum(), k[0.0][n // 2 + 1 :].sum()  # rows: y increasing
    assert south > 10 * north
    np.testing.assert_allclose(k[180.0], k[0.0][::-1, ::-1], rtol=1e-6, atol=1e-12 * k[0.0].max())


@pytest.fixture(scope="module")
def park_without_weather(demo_park):
    import copy

    p = copy.copy(demo_park)
    p.weather = None
    return p


def test_assess_refuses_a_park_without_weather_naming_the_fix(park_without_weather):
    with pytest.raises(MissingWeatherError, match="parkrisk weather import"):
        pp.assess(park_without_weather, pipeline_ids=("PL-07",))


def test_assess_states_the_generic_rose(park_without_weather):
    from analysis.qra.options import GENERIC_WEATHER_SOURCE_ZH
    from analysis.qra.provenance import generic_weather_warning

    a = pp.assess(park_without_weather, pipeline_ids=("PL-07",), weather="generic")
    assert a.assumptions["weather_source"] == GENERIC_WEATHER_SOURCE_ZH
    assert generic_weather_warning(a.assumptions)


def test_assess_uses_the_parks_rose_like_individual_risk(demo_park):
    from analysis.qra.options import park_wind_rose

    rose, source = park_wind_rose(demo_park)
    a = pp.assess(demo_park, pipeline_ids=("PL-07",))
    assert a.assumptions["weather_source"] == source
    c = a.consequences["PL-07"]
    assert c.weather == weather_classes_from_rose(rose)  # every class by default
    r = pp.assess(demo_park, pipeline_ids=("PL-07",), weather_reduction="speed_per_stability")
    assert r.consequences["PL-07"].weather == weather_classes_from_rose(rose, reduce="speed_per_stability")
    assert "代表风速" in r.assumptions["weather_reduction"]
    with pytest.raises(ValueError, match="weather_reduction"):
        pp.assess(demo_park, pipeline_ids=("PL-07",), weather_reduction="fast")


def test_cli_refuses_then_runs_on_the_generic_rose(park_without_weather, tmp_path, capsys):
    from app.cli import main

    path = tmp_path / "n.gpkg"
    park_without_weather.save(path)
    assert main(["pipelines", str(path), "--pipeline", "PL-07"]) == 1
    assert "parkrisk weather import" in capsys.readouterr().err
    assert main(["pipelines", str(path), "--pipeline", "PL-07", "--generic-weather"]) == 0
    assert "使用通用风玫瑰（示意，仅供比较）" in capsys.readouterr().out

"""Wind roses: validation, marginals, day/night, CSV round trip, the illustrative demo rose."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import weather as w


def _rose(p=None):
    dirs = (0.0, 90.0, 180.0, 270.0)
    p = np.full((4, 2, 2), 1.0 / 16) if p is None else p
    return w.WindRose(dirs, (1.5, 5.0), ("D", "F"), p)


def test_marginals_by_hand():
    p = np.zeros((4, 2, 2))
    p[0, 0, 0] = 0.5  # N, 1.5 m/s, D
    p[1, 1, 1] = 0.3  # E, 5 m/s, F
    p[2, 1, 0] = 0.2  # S, 5 m/s, D
    r = _rose(p)
    np.testing.assert_allclose(r.direction_probability(), [0.5, 0.3, 0.2, 0.0])
    wp = r.weather_probability()
    assert wp.loc[5.0, "D"] == pytest.approx(0.2) and wp.loc[5.0, "F"] == pytest.approx(0.3)
    assert list(r.classes()) == [(0.0, 1.5, "D", 0.5), (90.0, 5.0, "F", 0.3), (180.0, 5.0, "D", 0.2)]
    assert r.sector_width_deg == 90.0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"probability": np.full((4, 2, 2), 0.05)}, "sums to 0.8"),
        ({"probability": np.full((4, 2, 1), 0.125)}, "shape"),
        ({"stabilities": ("D", "G")}, "stabilities"),
        ({"stabilities": ("D", "D")}, "stabilities"),
        ({"directions_deg": (0.0, 90.0, 90.0, 270.0)}, "directions_deg"),
        ({"directions_deg": (0.0, 90.0, 180.0, 360.0)}, "directions_deg"),
        ({"speeds_m_s": (0.0, 5.0)}, "speeds_m_s"),
    ],
)
def test_validation_errors(kwargs, match):
    args = {
        "directions_deg": (0.0, 90.0, 180.0, 270.0),
        "speeds_m_s": (1.5, 5.0),
        "stabilities": ("D", "F"),
        "probability": np.full((4, 2, 2), 1.0 / 16),
    }
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        w.WindRose(**args)


def test_negative_probability_rejected():
    p = np.full((4, 2, 2), 1.0 / 16)
    p[0, 0, 0] = -0.1
    p[0, 0, 1] += 0.1
    with pytest.raises(ValueError, match="negative"):
        _rose(p)


def test_rose_is_immutable():
    r = _rose()
    with pytest.raises(ValueError):
        r.probability[0, 0, 0] = 1.0


def test_day_night_combined_by_hand():
    day = _rose(_onehot(0))
    night = _rose(_onehot(2))
    dn = w.DayNightWindRose(day, night, day_fraction=0.6)
    c = dn.combined()
    np.testing.assert_allclose(c.direction_probability(), [0.6, 0.0, 0.4, 0.0])
    with pytest.raises(ValueError, match="day_fraction"):
        w.DayNightWindRose(day, night, day_fraction=1.5)


def _onehot(i):
    p = np.zeros((4, 2, 2))
    p[i, 1, 0] = 1.0
    return p


def test_csv_round_trip(tmp_path):
    dn = w.DayNightWindRose(_rose(), _rose(_onehot(3)), day_fraction=0.25)
    path = tmp_path / "rose.csv"
    w.save_csv(dn, path, header="test rose")
    back = w.load_csv(path)
    assert isinstance(back, w.DayNightWindRose)
    assert back.day_fraction == pytest.approx(0.25)
    np.testing.assert_allclose(back.day.probability, dn.day.probability, atol=1e-12)
    np.testing.assert_allclose(back.night.direction_probability(), [0, 0, 0, 1.0])
    single = tmp_path / "single.csv"
    w.save_csv(_rose(), single)
    assert isinstance(w.load_csv(single), w.WindRose)


def test_load_csv_rejects_bad_total(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("period,direction_deg,speed_m_s,stability,probability\nday,0,3,D,0.5\nnight,0,3,D,0.3\n")
    with pytest.raises(ValueError, match="sum to 0.8"):
        w.load_csv(path)


def test_demo_rose_is_valid_and_shaped_as_documented():
    dn = w.demo_wind_rose()
    assert dn.day.n_directions == 16 and dn.night.n_directions == 16
    assert dn.day_fraction == pytest.approx(0.5)
    assert dn.day.probability.sum() == pytest.approx(1.0) and dn.night.probability.sum() == pytest.approx(1.0)
    pdir = dn.combined().direction_probability()
    # documented shape: the prevailing sector is NE (45°); the southerly half (SE–S) holds a secondary maximum
    assert dn.day.directions_deg[int(np.argmax(pdir))] == 45.0
    assert pdir[8] > pdir[12]  # S more frequent than W
    assert set(dn.night.stabilities) == {"D", "E", "F"}
    # the stored CSV is what the documented builder produces
    built = w.build_demo_wind_rose()
    np.testing.assert_allclose(dn.day.probability, built.day.probability, atol=1e-9)
    np.testing.assert_allclose(dn.night.probability, built.night.probability, atol=1e-9)


def test_expand_weather_conserves_frequency():
    import pandas as pd

    outs = pd.DataFrame(
        {"unit_id": ["U1", "U2"], "outcome": ["vce", "toxic_cloud"], "frequency": [1e-5, 4e-6]}
    )
    dn = w.DayNightWindRose(_rose(), _rose(_onehot(2)), day_fraction=0.25)
    x = w.expand_weather(outs, dn)
    # day: 16 classes of 1/16 × 0.25; night: one class × 0.75 (zero-probability classes are left out)
    assert len(x) == 2 * (16 + 1)
    tot = x.groupby("unit_id")["frequency"].sum()
    assert tot["U1"] == pytest.approx(1e-5, rel=1e-12) and tot["U2"] == pytest.approx(4e-6, rel=1e-12)
    night_s = x[(x["unit_id"] == "U1") & (x["period"] == "night") & (x["direction_deg"] == 180.0)]
    assert night_s["frequency"].sum() == pytest.approx(1e-5 * 0.75, rel=1e-12)
    # min_probability 0.1 drops the day classes (0.25/16 = 0.0156 each)
    assert len(w.expand_weather(outs, dn, min_probability=0.1)) == 2
    with pytest.raises(ValueError, match="frequency"):
        w.expand_weather(outs.drop(columns="frequency"), dn)


# ------------------------------------------------------------------------------------------ weather class and case
def test_weather_carries_a_direction_on_top_of_its_class():
    cls = w.WeatherClass(wind_speed=3.0, stability="F", temperature_k=280.0, relative_humidity=0.4)
    case = w.Weather.from_class(cls, 135.0)
    assert case.wind_from_deg == 135.0 and case.downwind_bearing_deg == 315.0
    assert case.weather_class == cls
    assert w.as_weather_class(case) == cls and w.as_weather_class(cls) is cls
    assert case.describe_zh() == "风向 135°（来风方向，顺时针自正北），" + cls.describe_zh()
    assert w.WeatherClass(2.0, "D").temperature_k == 293.15  # constants.AMBIENT_TEMPERATURE


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        (dict(wind_speed=0.0), r"wind_speed.*0\.0.*> 0"),
        (dict(stability="G"), r"stability.*'G'.*\['A', 'B', 'C', 'D', 'E', 'F'\]"),
        (dict(temperature_k=400.0), r"temperature_k.*400"),
        (dict(terrain="desert"), r"terrain.*'desert'.*\['rural', 'urban'\]"),
    ],
)
def test_weather_class_rejects_bad_input(kwargs, pattern):
    from analysis.errors import AnalysisInputError

    with pytest.raises(AnalysisInputError, match=pattern):
        w.WeatherClass(**(dict(wind_speed=2.0, stability="D") | kwargs))


def test_as_weather_class_refuses_other_objects():
    with pytest.raises(ValueError, match="WeatherClass"):
        w.as_weather_class((2.0, "D"))
    with pytest.raises(ValueError, match="WeatherClass"):
        w.Weather.from_class(w.Weather(2.0, 0.0, "D"), 90.0)

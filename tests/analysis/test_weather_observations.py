"""Turner's stability key and the wind rose from hourly observations.

Turner's key is tested cell by cell against its published form: US EPA (2000), Meteorological Monitoring Guidance
for Regulatory Modeling Applications, EPA-454/R-99-005, §6.4.1, Table 6-4 (Turner's key, classes 1–7 by wind speed
in knots and net radiation index), Table 6-5 (insolation class from solar altitude) and Table 6-6 (procedure for
the net radiation index); after Turner, D. B. (1964), J. Appl. Meteor. 3, 83–91. Class 7 (G) is combined with F
as the same section prescribes for regulatory modelling.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.weather import DayNightWindRose, rose_from_observations, turner_stability
from analysis.weather.turner import net_radiation_index

KNOT = 0.514444  # m/s

# EPA-454/R-99-005 Table 6-4, as published: wind speed (knots) rows, NRI columns 4, 3, 2, 1, 0, -1, -2.
TABLE_6_4 = {
    0: (1, 1, 2, 3, 4, 6, 7),
    2: (1, 2, 2, 3, 4, 6, 7),
    4: (1, 2, 3, 4, 4, 5, 6),
    6: (2, 2, 3, 4, 4, 5, 6),
    7: (2, 2, 3, 4, 4, 4, 5),
    8: (2, 3, 3, 4, 4, 4, 5),
    10: (3, 3, 4, 4, 4, 4, 5),
    11: (3, 3, 4, 4, 4, 4, 4),
    12: (3, 4, 4, 4, 4, 4, 4),
}
# Inputs giving each net radiation index by Table 6-5/6-6: (solar elevation [°], cloud [okta], ceiling [m], night)
NRI_INPUTS = {
    4: (70.0, 0, None, False),  # > 60°: strong, clear sky
    3: (45.0, 0, None, False),  # 35–60°: moderate
    2: (25.0, 0, None, False),  # 15–35°: slight
    1: (10.0, 0, None, False),  # ≤ 15°: weak
    0: (45.0, 8, 1000.0, False),  # 10/10 below 7,000 ft
    -1: (-20.0, 6, 3000.0, True),  # night, > 4/10
    -2: (-20.0, 2, None, True),  # night, ≤ 4/10
}


@pytest.mark.parametrize("knots", sorted(TABLE_6_4))
@pytest.mark.parametrize("nri", [4, 3, 2, 1, 0, -1, -2])
def test_turner_key_table_6_4(knots, nri):
    el, cc, ceil, night = NRI_INPUTS[nri]
    assert (
        net_radiation_index(solar_elevation_deg=el, cloud_cover_oktas=cc, ceiling_m=ceil, night=night) == nri
    )
    expected = "ABCDEFF"[TABLE_6_4[knots][(4, 3, 2, 1, 0, -1, -2).index(nri)] - 1]
    got = turner_stability(
        wind_speed=knots * KNOT, solar_elevation_deg=el, cloud_cover_oktas=cc, ceiling_m=ceil, night=night
    )
    assert got == expected


# Table 6-4's m/s column: the edges of each row (A at NRI 4 row 0-1 kt ... C at >= 12 kt).
@pytest.mark.parametrize(
    ("speed", "knots_row"),
    [(0.7, 0), (0.8, 2), (1.8, 2), (1.9, 4), (2.8, 4), (2.9, 6), (3.3, 6), (3.4, 7), (3.8, 7), (3.9, 8),
     (4.8, 8), (4.9, 10), (5.4, 10), (5.5, 11), (5.9, 11), (6.0, 12)],
)  # fmt: skip
def test_turner_key_speed_column_m_s(speed, knots_row):
    for nri, (el, cc, ceil, night) in NRI_INPUTS.items():
        expected = "ABCDEFF"[TABLE_6_4[knots_row][(4, 3, 2, 1, 0, -1, -2).index(nri)] - 1]
        got = turner_stability(
            wind_speed=speed, solar_elevation_deg=el, cloud_cover_oktas=cc, ceiling_m=ceil, night=night
        )
        assert got == expected, (speed, nri)


@pytest.mark.parametrize(
    ("elevation", "oktas", "ceiling", "nri"),
    [
        (70.0, 6, 1000.0, 2),  # Table 6-6 3c(1): > 5/10 and ceiling < 7,000 ft: 4 - 2
        (70.0, 6, 3000.0, 3),  # 3c(2): 7,000–16,000 ft: 4 - 1
        (70.0, 6, 6000.0, 4),  # ceiling >= 16,000 ft, not overcast: unchanged
        (70.0, 8, 3000.0, 2),  # 3c(2) and 3c(3): overcast above 7,000 ft: 4 - 1 - 1
        (70.0, 8, 6000.0, 3),  # 3c(3) only
        (10.0, 6, 1000.0, 1),  # 3c(5): never below 1
        (45.0, 4, 1000.0, 3),  # 3b: <= 5/10, no change
        (-5.0, 8, 1000.0, 0),  # step 1 applies at night too
        (-5.0, 4, None, -1),  # step 2b: 4 oktas = 5/10 > 4/10
        (-5.0, 3, None, -2),  # step 2a: 3 oktas = 3.75/10 <= 4/10
    ],
)
def test_net_radiation_index_table_6_6(elevation, oktas, ceiling, nri):
    assert (
        net_radiation_index(solar_elevation_deg=elevation, cloud_cover_oktas=oktas, ceiling_m=ceiling) == nri
    )


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("cloud_cover_oktas", {"wind_speed": 2.0, "solar_elevation_deg": 30.0, "cloud_cover_oktas": 9}),
        ("wind_speed", {"wind_speed": -1.0, "solar_elevation_deg": 30.0, "cloud_cover_oktas": 2}),
        ("solar_elevation_deg", {"wind_speed": 2.0, "solar_elevation_deg": 95.0, "cloud_cover_oktas": 2}),
    ],
)
def test_turner_refuses_bad_input(field, kwargs):
    with pytest.raises(ValueError, match=field):
        turner_stability(**kwargs)


# A synthetic hourly file at Wuhan (30.6 N, 114.3 E) whose classes are known by hand: June noons (sun ~ 82° up,
# clear: NRI 4), June midnights (clear night: NRI -2).
LAT, LON = 30.6, 114.3


def _obs() -> pd.DataFrame:
    rows = []
    for day in range(1, 11):  # 10 noons: from 90°, 1.0 m/s (2 kt), clear -> A; speed class 1.5 m/s
        rows.append((f"2024-06-{day:02d} 12:00", 90.0, 1.0, 0))
    for day in range(1, 7):  # 6 midnights: from 180°, 5.0 m/s (10 kt), clear night -> E; class 5 m/s
        rows.append((f"2024-06-{day:02d} 00:00", 181.0, 5.0, 1))
    for day in range(1, 3):  # 2 nights: from 268°, 1.5 m/s (3 kt), clear night -> G = F; class 1.5 m/s
        rows.append((f"2024-06-{day:02d} 01:00", 268.0, 1.5, 0))
    for day in range(3, 7):  # 4 night calms (0.2 m/s, 0 kt, clear -> G = F), shared like the 2 hours above
        rows.append((f"2024-06-{day:02d} 01:00", 0.0, 0.2, 2))
    return pd.DataFrame(rows, columns=["time", "wind_from_deg", "wind_speed", "cloud_cover_oktas"])


def _p(rose, period, direction, speed, stab):
    r = getattr(rose, period)
    return r.probability[
        r.directions_deg.index(direction), r.speeds_m_s.index(speed), r.stabilities.index(stab)
    ]


def test_rose_from_synthetic_hours_counts():
    rose = rose_from_observations(_obs(), latitude=LAT, longitude=LON)
    assert isinstance(rose, DayNightWindRose)
    assert rose.day.n_directions == 16
    assert rose.day_fraction == pytest.approx(10 / 22)
    assert _p(rose, "day", 90.0, 1.5, "A") == pytest.approx(1.0)
    # night rose: 6 of 12 night hours from S at 5 m/s (E); 2 + 4 calms from W at 1.5 m/s (F)
    assert _p(rose, "night", 180.0, 5.0, "E") == pytest.approx(6 / 12)
    assert _p(rose, "night", 270.0, 1.5, "F") == pytest.approx(6 / 12)
    total = (
        rose.day_fraction * rose.day.probability.sum()
        + (1 - rose.day_fraction) * rose.night.probability.sum()
    )
    assert total == pytest.approx(1.0)


def test_rose_tz_aware_times_equal_naive_shanghai():
    obs = _obs()
    aware = obs.assign(time=pd.to_datetime(obs["time"]).dt.tz_localize("Asia/Shanghai").dt.tz_convert("UTC"))
    a = rose_from_observations(obs, latitude=LAT, longitude=LON)
    b = rose_from_observations(aware, latitude=LAT, longitude=LON)
    assert a == b


def test_rose_calms_without_low_wind_hours_spread_evenly():
    obs = _obs().iloc[[0, 18, 19]]  # one noon and two night calms: no non-calm 1.5 m/s hour at night
    rose = rose_from_observations(obs, latitude=LAT, longitude=LON, sectors=8)
    night = rose.night.probability[:, rose.night.speeds_m_s.index(1.5), rose.night.stabilities.index("F")]
    np.testing.assert_allclose(night, np.full(8, 1 / 8))


@pytest.mark.parametrize(
    ("column", "value"), [("cloud_cover_oktas", 9), ("wind_from_deg", -10.0), ("wind_speed", np.nan)]
)
def test_rose_refuses_bad_rows_naming_field_and_row(column, value):
    obs = _obs()
    obs.loc[3, column] = value
    with pytest.raises(ValueError, match=rf"{column}.*第 4 行"):
        rose_from_observations(obs, latitude=LAT, longitude=LON)

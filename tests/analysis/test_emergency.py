"""Tests of analysis.emergency.toxic_zones: direction, the dispersion models' own point values, the ERG tables,
and the Pasquill key of Turner (1970)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import brentq

from analysis import emergency as em
from analysis.physics import dispersion as disp
from analysis.physics import substances

_R = 8.314462618
T_AIR = 293.15


def _bearing(x, y):
    return math.degrees(math.atan2(x, y)) % 360.0


def _along(poly, bearing_deg, origin=(0.0, 0.0)):
    """Projections of the polygon's vertices on the direction ``bearing_deg`` (clockwise from north). [m]"""
    c = np.asarray(poly.exterior.coords) - np.asarray(origin)
    b = math.radians(bearing_deg)
    return c[:, 0] * math.sin(b) + c[:, 1] * math.cos(b)


# ---------------------------------------------------------------------------------------------------------------
# Direction: a north-east wind sends the cloud to the south-west
# ---------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("substance", ["chlorine", "ammonia"])
def test_north_east_wind_sends_cloud_south_west(substance):
    z = em.toxic_zones(substance, release_rate=1.0, wind_speed=2.0, stability="F", wind_direction=45.0)
    for poly in z.geometry:
        c = poly.centroid
        assert c.x < 0 and c.y < 0, "cloud must lie to the south-west of the source"
        assert _bearing(c.x, c.y) == pytest.approx(225.0, abs=1.0)
        s = _along(poly, 225.0)
        # the zone reaches far towards the south-west and hardly at all upwind (north-east)
        assert s.max() > 0.9 * float(np.hypot(*np.asarray(poly.exterior.coords).T).max())
        assert s.min() > -0.1 * s.max()
    assert z.attrs["downwind_bearing_deg"] == pytest.approx(225.0)


@pytest.mark.parametrize("wind_from, expected", [(0.0, 180.0), (90.0, 270.0), (180.0, 0.0), (270.0, 90.0)])
def test_turning_the_wind_turns_the_footprint(wind_from, expected):
    z = em.toxic_zones(
        "chlorine",
        release_rate=1.0,
        wind_speed=3.0,
        stability="D",
        wind_direction=wind_from,
        source_xy=(1000.0, 2000.0),
    )
    c = z.geometry.iloc[1].centroid
    b = _bearing(c.x - 1000.0, c.y - 2000.0)
    assert abs((b - expected + 180.0) % 360.0 - 180.0) < 1.0


def test_result_columns_and_nesting():
    z = em.toxic_zones("氯", release_rate=2.0, wind_speed=2.0, stability="F", wind_direction=45.0)
    assert list(z["level"]) == ["AEGL-3", "AEGL-2", "AEGL-1"]
    assert {"level", "threshold", "max_distance"} <= set(z.columns)
    # AEGL-3 < AEGL-2 < AEGL-1 reach, and nested polygons
    assert z["max_distance"].is_monotonic_increasing
    # nested to within the contouring grid of the larger zone
    assert z.geometry.iloc[1].buffer(2 * z["resolution_m"].iloc[1]).contains(z.geometry.iloc[0])
    # thresholds are the substance record's AEGL values (kg/m³); AEGL-2 chlorine = 2 ppm (US EPA AEGL, 60 min)
    cl2 = substances.get("chlorine")
    assert z["threshold"].iloc[1] == pytest.approx(cl2.aegl2)
    assert z["threshold"].iloc[1] == pytest.approx(2.0e-6 * 0.070906 * 101325 / (_R * 298.15), rel=0.01)


def test_dense_for_chlorine_gaussian_for_ammonia():
    a = em.toxic_zones("chlorine", release_rate=2.0, wind_speed=2.0, stability="F", wind_direction=0.0)
    b = em.toxic_zones("ammonia", release_rate=2.0, wind_speed=2.0, stability="F", wind_direction=0.0)
    assert a.attrs["dense_gas"] and a.attrs["model"] == "britter_mcquaid_1988_plume"
    assert not b.attrs["dense_gas"] and b.attrs["model"] == "gaussian_plume"
    p = em.toxic_zones("chlorine", release_mass=500.0, wind_speed=2.0, stability="F", wind_direction=0.0)
    assert p.attrs["model"] == "britter_mcquaid_1988_puff"


# ---------------------------------------------------------------------------------------------------------------
# The zone edge lies where the dispersion model's own point value equals the level
# ---------------------------------------------------------------------------------------------------------------
def test_chlorine_zone_reach_equals_britter_mcquaid_centreline():
    """AEGL reach of a 2 kg/s chlorine plume vs. dispersion.britter_mcquaid_plume solved for the level."""
    q, u = 2.0, 2.0
    z = em.toxic_zones("chlorine", release_rate=q, wind_speed=u, stability="F", wind_direction=45.0)
    cl2 = substances.get("chlorine")
    rho0 = 101325 * cl2.molar_mass / (_R * T_AIR)
    rho_a = 101325 * 0.028965 / (_R * T_AIR)
    kg_per_vol = rho0  # pure vapour at the air temperature: volume fraction 1 = rho0 kg/m³

    def c(x):
        return (
            float(
                disp.britter_mcquaid_plume(
                    x,
                    volume_rate=q / rho0,
                    wind_speed=u,
                    source_density=rho0,
                    air_density=rho_a,
                    source_temperature=T_AIR,
                    ambient_temperature=T_AIR,
                )
            )
            * kg_per_vol
        )

    for r in z.itertuples():
        x_star = brentq(lambda x, t=r.threshold: c(x) - t, 5.0, 50_000.0)
        # downwind extent of the footprint (the workbook's slumped half-width makes the far corners of the zone,
        # not the centre line, the farthest points from the source, so max_distance >= x*)
        reach = float(_along(r.geometry, 225.0).max())
        assert reach == pytest.approx(x_star, rel=0.01, abs=2 * r.resolution_m)
        assert r.max_distance >= reach - 1e-6


def test_ammonia_zone_reach_equals_gaussian_plume_centreline():
    """AEGL reach of a 1 kg/s ammonia plume vs. dispersion.gaussian_plume (ground level, centre-line)."""
    q, u = 1.0, 3.0
    z = em.toxic_zones(
        "ammonia",
        release_rate=q,
        wind_speed=u,
        stability="D",
        wind_direction=200.0,
        source_xy=(500.0, -300.0),
    )
    for r in z.itertuples():
        x_star = brentq(
            lambda x, t=r.threshold: float(disp.gaussian_plume(q, u, x, 0.0, 0.0, stability="D")) - t,
            1.0,
            50_000.0,
        )
        reach = float(_along(r.geometry, 20.0, origin=(500.0, -300.0)).max())
        assert reach == pytest.approx(x_star, rel=0.01, abs=2 * r.resolution_m)
        assert r.max_distance == pytest.approx(x_star, rel=0.01, abs=2 * r.resolution_m)


# ---------------------------------------------------------------------------------------------------------------
# Pasquill key (Turner 1970, Table 1)
# ---------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "u, day, insolation, cloud, expected",
    [
        (1.5, True, "strong", 0.0, "A"),  # < 2 m/s, strong: A
        (4.0, True, "strong", 0.0, "B"),  # 3-5 m/s, strong: B
        (2.5, True, "slight", 0.0, "C"),  # 2-3 m/s, slight: C
        (7.0, True, "moderate", 0.0, "D"),  # > 6 m/s, moderate: D
        (2.5, False, "moderate", 0.25, "F"),  # 2-3 m/s, night <= 3/8 cloud: F
        (2.5, False, "moderate", 0.75, "E"),  # 2-3 m/s, night >= 4/8 low cloud: E
        (4.0, False, "moderate", 0.25, "E"),  # 3-5 m/s, night clear: E
        (4.0, False, "moderate", 0.75, "D"),  # 3-5 m/s, night cloudy: D
        (5.5, False, "moderate", 0.0, "D"),  # 5-6 m/s, night: D
    ],
)
def test_pasquill_key_turner_1970(u, day, insolation, cloud, expected):
    assert em.pasquill_stability(u, daytime=day, insolation=insolation, cloud_cover=cloud) == expected


def test_pasquill_overcast_and_bad_input():
    assert em.pasquill_stability(1.0, daytime=False, overcast=True) == "D"
    with pytest.raises(ValueError, match="insolation"):
        em.pasquill_stability(3.0, daytime=True, insolation="bright")
    with pytest.raises(ValueError, match="wind_speed"):
        em.pasquill_stability(0.0, daytime=True)
    with pytest.raises(ValueError, match="cloud_cover"):
        em.pasquill_stability(3.0, daytime=False, cloud_cover=1.5)


def test_is_daytime():
    assert not em.is_daytime("22:00")
    assert em.is_daytime("10:30")
    with pytest.raises(ValueError, match="time"):
        em.is_daytime("late evening")


# ---------------------------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------------------------
def test_toxic_zones_bad_input():
    kw = dict(wind_speed=2.0, stability="F", wind_direction=45.0)
    with pytest.raises(ValueError, match="release_rate"):
        em.toxic_zones("chlorine", **kw)
    with pytest.raises(ValueError, match="release_rate"):
        em.toxic_zones("chlorine", release_rate=1.0, release_mass=1.0, **kw)
    with pytest.raises(ValueError, match="release_rate"):
        em.toxic_zones("chlorine", release_rate=-1.0, **kw)
    with pytest.raises(ValueError, match="stability"):
        em.toxic_zones("chlorine", release_rate=1.0, wind_speed=2.0, stability="G", wind_direction=45.0)
    with pytest.raises(ValueError, match="levels"):
        em.toxic_zones("chlorine", release_rate=1.0, levels=("ERPG-2",), **kw)
    with pytest.raises(ValueError, match="toxic"):
        em.toxic_zones("甲烷", release_rate=1.0, **kw)
    with pytest.raises(ValueError, match="wind_speed"):
        em.toxic_zones("chlorine", release_rate=1.0, wind_speed=0.0, stability="F", wind_direction=45.0)

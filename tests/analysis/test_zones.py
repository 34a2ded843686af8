"""Threat zones (analysis/zones.py): the zone edge is where the model's own point value equals the level.

The consequence models themselves are validated against published values in their own tests; here the zones are
checked against those models: the distance to a level found by root-finding on the model's point function must
equal the zone's reach within the grid spacing the zone reports.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from factories import METRIC, installation_row, small_park_layers
from scipy.optimize import brentq
from shapely.geometry import LineString

from analysis.scenarios import Scenario, Weather, effect_field
from analysis.scenarios.zones import (
    THERMAL_LEVELS,
    ZoneLevel,
    affected,
    affected_summary,
    region_above,
    threat_zones,
)
from geodata.errors import CRSError


def _distance_to_level(profile, level, r_hi=20_000.0):
    """Distance where a decreasing radial profile equals ``level`` (brentq on the model's own function)."""
    grid = np.geomspace(0.1, r_hi, 2000)
    q = np.asarray(profile(grid))
    above = np.flatnonzero(q >= level)
    assert above.size, "level never reached"
    i = above[-1]
    return brentq(lambda r: float(profile(np.array([r]))[0]) - level, grid[i], grid[i + 1], xtol=1e-6)


def _reach_along(geom, origin, bearing_deg, length=60_000.0):
    """Farthest distance from ``origin`` of the zone along a ray of the given bearing."""
    b = math.radians(bearing_deg)
    ray = LineString([origin, (origin[0] + length * math.sin(b), origin[1] + length * math.cos(b))])
    part = geom.intersection(ray)
    coords = shapely.get_coordinates(part)
    return float(np.hypot(coords[:, 0] - origin[0], coords[:, 1] - origin[1]).max())


# ---------------------------------------------------------------------------------------------- contouring engine
def test_region_above_matches_analytic_field():
    # q = P / r²: the level L is reached at r = sqrt(P / L) exactly; the area is π r².
    p, level = 1.0e6, 12_500.0
    with np.errstate(divide="ignore"):
        reg = region_above(lambda x, y: p / (x * x + y * y), level)
    r = math.sqrt(p / level)
    assert reg.max_distance == pytest.approx(r, abs=reg.resolution)
    assert reg.geometry.area == pytest.approx(math.pi * r * r, rel=0.01)
    assert not reg.truncated


def test_region_above_thin_plume_along_axis():
    # A narrow wedge pointing to bearing 225°: σ_y = 0.05 s, value 1/s² on the axis; level 1e-6 -> s = 1000 m.
    b = math.radians(225.0)

    def f(x, y):
        s = x * math.sin(b) + y * math.cos(b)
        c = -x * math.cos(b) + y * math.sin(b)
        sp = np.maximum(s, 1e-9)
        return np.where(s > 0, np.exp(-0.5 * (c / (0.05 * sp)) ** 2) / sp**2, 0.0)

    reg = region_above(f, 1e-6, axis_bearing_deg=225.0)
    assert reg.max_distance == pytest.approx(1000.0, abs=reg.resolution)
    minx, miny, maxx, maxy = reg.geometry.bounds
    assert maxx < 5.0 and maxy < 5.0  # all of it to the south-west
    assert minx == pytest.approx(-1000.0 / math.sqrt(2), rel=0.02)


def test_region_above_level_never_reached_is_empty():
    reg = region_above(lambda x, y: np.zeros(np.shape(x)), 1.0)
    assert reg.geometry.is_empty and reg.max_distance == 0.0


def test_region_above_truncated_at_r_max():
    reg = region_above(lambda x, y: np.ones(np.shape(x)), 0.5, r_max=1000.0)
    assert reg.truncated


# --------------------------------------------------------------------------------------- zones vs model values
WEATHER = Weather(wind_speed=3.0, wind_from_deg=45.0, stability="D")


@pytest.mark.parametrize("level", [12_500.0, 4_000.0])
def test_pool_fire_zone_edge_equals_model_flux_downwind_and_crosswind(level):
    row = installation_row()
    f = effect_field(row, Scenario("pool_fire"), WEATHER)
    pf = f.model
    lv = (ZoneLevel("heat_flux", level, "L", "L", "test"),)
    z = threat_zones(row, Scenario("pool_fire"), WEATHER, crs=METRIC, levels=lv, field=f)
    geom = z.geometry.iloc[0]
    res = z["resolution_m"].iloc[0]
    kw = dict(relative_humidity=WEATHER.relative_humidity, ambient_temperature=WEATHER.temperature_k)

    def profile(r, direction):
        return np.asarray(pf.heat_flux(r, direction=direction, **kw))

    for direction, bearing in (("downwind", 225.0), ("crosswind", 135.0), ("upwind", 45.0)):
        d_model = _distance_to_level(lambda r, d=direction: profile(r, d), level)
        d_zone = _reach_along(geom, f.origin, bearing)
        # within the grid spacing (+0.5 % for the model's own polar view-factor table vs its axis profiles)
        assert d_zone == pytest.approx(d_model, abs=res + 0.005 * d_model), direction
    d_dw = _distance_to_level(lambda r: profile(r, "downwind"), level)
    assert z["max_distance"].iloc[0] == pytest.approx(d_dw, abs=res + 0.005 * d_dw)


def test_fireball_zone_radii_equal_model_distances():
    row = installation_row(
        substance="丙烷", phase="liquefied_gas", pressure_pa=1.6e6, inventory_kg=5.0e4, bund_area_m2=None
    )
    f = effect_field(row, Scenario("fireball"), WEATHER)
    z = threat_zones(row, Scenario("fireball"), WEATHER, crs=METRIC, field=f)
    kw = dict(relative_humidity=WEATHER.relative_humidity, ambient_temperature=WEATHER.temperature_k)
    for lv, zr in zip(THERMAL_LEVELS, z.itertuples(), strict=True):
        d = _distance_to_level(lambda r: f.model.heat_flux(r, **kw), lv.threshold)
        assert zr.max_distance == pytest.approx(d, abs=zr.resolution_m + 1e-3 * d)
        # axisymmetric: the zone is a disc of that radius
        assert zr.area_m2 == pytest.approx(math.pi * d * d, rel=0.01)


def test_jet_fire_zone_radius_equals_model_distance():
    row = installation_row(
        substance="氢气",
        phase="gas",
        pressure_pa=1.0e7,
        temperature_k=300.0,
        inventory_kg=300.0,
        bund_area_m2=None,
    )
    sc = Scenario("jet_fire", hole_diameter=0.025)
    f = effect_field(row, sc, WEATHER)
    z = threat_zones(row, sc, WEATHER, crs=METRIC, field=f, levels=(THERMAL_LEVELS[2],))
    kw = dict(relative_humidity=WEATHER.relative_humidity, ambient_temperature=WEATHER.temperature_k)
    d = _distance_to_level(lambda r: f.model.heat_flux(r, **kw), 4000.0)
    assert z["max_distance"].iloc[0] == pytest.approx(d, abs=z["resolution_m"].iloc[0] + 1e-3 * d)


def test_pool_fire_zone_leans_downwind():
    # Wind from the north-east (45°): the tilted flame leans to the south-west.
    row = installation_row()
    z = threat_zones(row, Scenario("pool_fire"), WEATHER, crs=METRIC)
    c = z.geometry.iloc[-1].centroid
    x0, y0 = row.geometry.x, row.geometry.y
    assert c.x < x0 and c.y < y0


def test_zone_columns_and_assumptions():
    row = installation_row()
    z = threat_zones(row, Scenario("pool_fire"), WEATHER, crs=METRIC)
    assert list(z["level"]) == ["37.5 kW/m²", "12.5 kW/m²", "4 kW/m²"]
    assert z.crs.to_epsg() == 4547
    for col in ("threshold", "max_distance", "scenario", "assumptions", "source", "resolution_m"):
        assert col in z
    assert z["threshold"].tolist() == [37_500.0, 12_500.0, 4_000.0]
    assert any("池火" in a for a in z.attrs["assumptions"])
    assert any("风速 3 m/s" in a for a in z.attrs["assumptions"])
    # nested zones: each contains the more severe one
    g = z.geometry.tolist()
    for inner, outer in zip(g[:-1], g[1:], strict=False):
        if not inner.is_empty:
            assert outer.buffer(1.0).contains(inner)


def test_geographic_crs_is_refused():
    with pytest.raises(CRSError, match="投影"):
        threat_zones(installation_row(), Scenario("pool_fire"), WEATHER, crs="EPSG:4326")


def test_zone_level_validation():
    with pytest.raises(ValueError, match="quantity.*'dose'"):
        ZoneLevel("dose", 1.0, "x", "x", "x")
    with pytest.raises(ValueError, match="threshold"):
        ZoneLevel("heat_flux", -1.0, "x", "x", "x")


# ------------------------------------------------------------------------------------------------------ affected
@pytest.fixture(scope="module")
def small_park():
    from geodata import Park

    return Park.from_layers(small_park_layers())


def test_affected_lists_every_feature_inside_and_nothing_outside(small_park):
    from analysis.scenarios.zones import threat_zones_for_unit

    z = threat_zones_for_unit(small_park, "U2", Scenario("fireball"), WEATHER)
    table = affected(z, small_park)
    outer = z.geometry.iloc[-1]
    for layer, id_col in (
        ("sensitive_targets", "target_id"),
        ("buildings", "building_id"),
        ("installations", "unit_id"),
    ):
        g = small_park.metric(layer)
        inside = set(g.loc[g.intersects(outer), id_col].astype(str)) - {"U2"}
        listed = set(table.loc[table["layer"] == layer, "feature_id"])
        assert listed == inside, layer
    # each feature once, under its most severe zone
    assert not table["feature_id"].duplicated().any()
    summ = affected_summary(z, table)
    assert summ["population_day"].is_monotonic_increasing
    tg = small_park.metric("sensitive_targets")
    expected_day = int(tg.loc[tg.intersects(outer), "population_day"].sum())
    assert summ["population_day"].iloc[-1] == expected_day


def test_unknown_unit_id(small_park):
    from analysis.scenarios.zones import threat_zones_for_unit

    with pytest.raises(ValueError, match="unit_id.*'T-99'"):
        threat_zones_for_unit(small_park, "T-99", Scenario("fireball"), WEATHER)

"""Tests of analysis.emergency.plan: routes that leave the cloud, safe assembly points, a table that agrees with
itself (demo park, chlorine from T-3, every 45° sector), the evacuate/shelter decision on a synthetic road grid
against hand-computed times, the indoor box model against the solution of its ODE, and nested toxic zones."""

from __future__ import annotations

import math

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy.integrate import quad, solve_ivp
from shapely.geometry import LineString, Point, Polygon
from shapely.ops import substring

from analysis import emergency as em
from geodata import Park

SECTORS = [0.0, 45.0, 90.0, 135.0, 180.0, 225.0, 270.0, 315.0]


@pytest.fixture(scope="module")
def demo_plans(demo_park):
    return {w: em.plan(demo_park, unit_id="T-3", wind_from=w, wind_speed=2.0, time="22:00") for w in SECTORS}


# ---------------------------------------------------------------------------------------------------------------
# Demo park: routes, assembly points, the table
# ---------------------------------------------------------------------------------------------------------------
def _crosswind(p, xy):
    """Signed crosswind offset from the source axis. [m]"""
    b = math.radians(p.result.weather.downwind_bearing_deg)
    ox, oy = p.result.origin
    return -(xy[0] - ox) * math.cos(b) + (xy[1] - oy) * math.sin(b)


@pytest.mark.parametrize("wind_from", SECTORS)
def test_routes_never_enter_the_zone_unless_they_start_inside(demo_plans, wind_from):
    p = demo_plans[wind_from]
    zone = p.route_zone
    # the route zone is the AEGL-2 zone with its band, computed here from the plan's own layers
    z2 = p.zones.loc[p.zones["level"] == "AEGL-2"].geometry.iloc[0]
    b2 = p.band.loc[p.band["level"] == "AEGL-2"].geometry.iloc[0]
    assert zone.symmetric_difference(shapely.union(z2, b2)).area < 1.0
    leave = shapely.union_all([zone, p.result.isolation.geometry.iloc[0]])
    assert len(p.routes) > 0
    for r in p.routes.itertuples():
        line = r.geometry
        inside = shapely.intersection(line, zone).length
        assert r.length_in_zone_m == pytest.approx(inside, abs=1e-6)
        assert r.length_m == pytest.approx(line.length, rel=1e-9)
        start = Point(line.coords[0])
        if r.route_status == "clear":
            assert inside < 1e-6, f"{r.feature_id}: a clear route enters the zone"
            continue
        # a route that enters the zone starts inside the area to leave, and only its exit is inside
        assert r.route_status == "crosswind_exit"
        assert leave.buffer(1e-6).contains(start), f"{r.feature_id}: starts outside yet enters the zone"
        rest = substring(line, r.exit_length_m, line.length)
        assert shapely.intersection(rest, zone).length < 1e-6, f"{r.feature_id}: re-enters the zone"
        exit_pt = line.interpolate(r.exit_length_m)
        # crosswind first: the exit lies on the start's side of the source axis (never across the plume's axis)
        c0, c1 = _crosswind(p, start.coords[0]), _crosswind(p, exit_pt.coords[0])
        if abs(c0) > 1.0:
            assert np.sign(c1) == np.sign(c0), f"{r.feature_id}: leaves across the plume's axis"
            line_c = [_crosswind(p, xy) for xy in substring(line, 0.0, r.exit_length_m).coords]
            assert all(np.sign(c) == np.sign(c0) or abs(c) < 1.0 for c in line_c)


def test_crosswind_exits_only_when_no_way_round(demo_plans, demo_park):
    """A target routed through the zone has no clear way: from no road node within the access distance, joined by
    an access line clear of the blocked area, does a road path clear of it reach a safe point."""
    p = demo_plans[45.0]
    g = em.road_graph(demo_park.metric("roads"), max_edge_m=p.options.road_piece_m)
    blocked = p.hazard.blocked
    clear = nx.DiGraph()
    clear.add_edges_from((u, v) for u, v, d in g.edges(data=True) if not d["geometry"].intersects(blocked))
    ap = {tuple(np.round(xy, 6)) for xy in shapely.get_coordinates(p.assembly.geometry)}
    ap_nodes = {n for n in clear.nodes if tuple(np.round(n, 6)) in ap}
    targets = {
        **_features(demo_park, "sensitive_targets", "target_id"),
        **_features(demo_park, "buildings", "building_id"),
    }
    n_checked = 0
    for r in p.routes[p.routes["route_status"] == "crosswind_exit"].itertuples():
        geom = targets[r.feature_id]
        for n in clear.nodes:
            acc = shapely.shortest_line(geom, Point(n))
            if acc.length <= p.options.access_max_m and not acc.intersects(blocked):
                assert not ((nx.descendants(clear, n) | {n}) & ap_nodes), (
                    f"{r.feature_id}: a way round exists"
                )
        n_checked += 1
    assert n_checked > 0


def _features(park, layer, col):
    g = park.metric(layer)
    return dict(zip(g[col].astype(str), g.geometry, strict=True))


@pytest.mark.parametrize("wind_from", SECTORS)
def test_assembly_points_outside_every_zone_and_not_downwind(demo_plans, wind_from):
    p = demo_plans[wind_from]
    assert len(p.assembly) > 0
    every = shapely.union_all(
        list(p.zones.geometry) + list(p.band.geometry) + [p.result.isolation.geometry.iloc[0]]
    )
    margin = p.options.assembly_margin_m
    ox, oy = p.result.origin
    downwind = (wind_from + 180.0) % 360.0
    for a in p.assembly.itertuples():
        assert every.distance(a.geometry) >= margin - 1.0, f"{a.assembly_id} closer than the margin to a zone"
        bearing = math.degrees(math.atan2(a.geometry.x - ox, a.geometry.y - oy)) % 360.0
        off = abs((bearing - downwind + 180.0) % 360.0 - 180.0)
        assert off > 90.0 - p.options.uncertainty_half_angle_deg
    # every route ends at its assembly point
    by_id = dict(zip(p.assembly["assembly_id"], p.assembly.geometry, strict=True))
    for r in p.routes.itertuples():
        if pd.isna(r.assembly_id):
            # a crosswind exit with no safe point beyond on its side: it ends outside the blocked area
            assert r.route_status == "crosswind_exit"
            assert not p.hazard.blocked.contains(Point(r.geometry.coords[-1]))
            assert r.exit_length_m == pytest.approx(r.length_m)
            continue
        assert Point(r.geometry.coords[-1]).distance(by_id[r.assembly_id]) < 1e-6


@pytest.mark.parametrize("wind_from", SECTORS)
def test_level_matches_printed_concentration(demo_plans, wind_from):
    p = demo_plans[wind_from]
    thr = dict(zip(p.zones["level"], p.zones["threshold"] * 1e6, strict=True))  # mg/m³
    order = list(p.zones["level"])  # most severe first
    t = p.targets
    assert {"target_id", "level", "concentration_mg_m3", "arrival_s", "recommendation", "reason"} <= set(t)
    assert set(t["recommendation"]) <= {"evacuate", "shelter", "none"}
    for r in t.itertuples():
        c = r.concentration_mg_m3
        assert c == float(f"{c:.3g}")  # printed with 3 significant digits
        assert c >= thr[r.level], f"{r.target_id}: {c} mg/m³ below {r.level}"
        k = order.index(r.level)
        if k > 0:
            assert c < thr[order[k - 1]], f"{r.target_id}: {c} mg/m³ reaches {order[k - 1]}"
        # ppm from mg/m³ at 25 °C, 1 atm: ppm = mg/m³ × 24.465 / M[g/mol] (AEGL convention)
        assert r.concentration_ppm == pytest.approx(c * 24.465 / 70.906, rel=0.01)
        assert f"{r.arrival_s / 60:.1f} min" in r.reason


def test_jiangbin_village_case(demo_plans):
    """The issue's case: 江滨村 (S01) was listed under AEGL-3 at 54.5 mg/m³, below 58 mg/m³."""
    p = demo_plans[45.0]
    s01 = p.targets[p.targets["target_id"] == "S01"].iloc[0]
    assert s01["level"] == ("AEGL-3" if s01["concentration_mg_m3"] >= 58.0 else "AEGL-2")
    assert "mg/m³" in s01["reason"] and "min" in s01["reason"]


@pytest.mark.parametrize("wind_from", [45.0, 200.0])
def test_plan_zones_strictly_nested(demo_plans, demo_park, wind_from):
    p = (
        demo_plans[45.0]
        if wind_from == 45.0
        else em.plan(demo_park, unit_id="T-3", wind_from=200.0, wind_speed=3.0, time="10:00")
    )
    for gdf in (p.zones, p.band):
        g = list(gdf.geometry)
        assert g[1].contains(g[0]) and g[2].contains(g[1])
    assert p.zones.crs.is_projected


# ---------------------------------------------------------------------------------------------------------------
# Synthetic road grid: the decision against hand-computed arrival and exit times
# ---------------------------------------------------------------------------------------------------------------
X0, Y0 = 500_000.0, 3_380_000.0  # CGCS2000 3-degree GK, CM 114E (EPSG:4547): the park's own metric CRS
GRID_X = [-5000.0, -4000.0, -3000.0, -2000.0, -1000.0, 0.0, 1000.0]
GRID_Y = [-3000.0, -1900.0, -1000.0, -500.0, 0.0, 1000.0]
ASSEMBLY = (-5000.0, -1900.0)


def _gdf(rows):
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs="EPSG:4547")


def _grid_park(target_xy) -> Park:
    """A park with a road grid, a 0.5 kg/s ammonia source at (0, 0), one target and one assembly point (local
    metres east/north of (X0, Y0))."""

    def pt(x, y):
        return Point(X0 + x, Y0 + y)

    def box(x0, y0, x1, y1):
        return Polygon([(X0 + x0, Y0 + y0), (X0 + x1, Y0 + y0), (X0 + x1, Y0 + y1), (X0 + x0, Y0 + y1)])

    roads = []
    for y in GRID_Y:
        for xa, xb in zip(GRID_X[:-1], GRID_X[1:], strict=True):
            roads.append(
                dict(
                    road_id=f"H{y:g}_{xa:g}",
                    name=f"纬{y:g}",
                    kind="park",
                    one_way=False,
                    geometry=LineString([(X0 + xa, Y0 + y), (X0 + xb, Y0 + y)]),
                )
            )
    for x in GRID_X:
        for ya, yb in zip(GRID_Y[:-1], GRID_Y[1:], strict=True):
            roads.append(
                dict(
                    road_id=f"V{x:g}_{ya:g}",
                    name=f"经{x:g}",
                    kind="park",
                    one_way=False,
                    geometry=LineString([(X0 + x, Y0 + ya), (X0 + x, Y0 + yb)]),
                )
            )
    layers = {
        "parks": _gdf(
            [
                dict(
                    park_id="P1",
                    name="网格园区",
                    level="provincial",
                    risk_grade="C",
                    geometry=box(-300, -300, 300, 300),
                )
            ]
        ),
        "enterprises": _gdf(
            [
                dict(
                    enterprise_id="E1",
                    park_id="P1",
                    name="网格企业",
                    industry="化工",
                    risk_color="red",
                    major_hazard_grade=2,
                    employees=50,
                    geometry=box(-200, -200, 200, 200),
                )
            ]
        ),
        "installations": _gdf(
            [
                dict(
                    unit_id="U1",
                    enterprise_id="E1",
                    name="氨气缓冲罐",
                    kind="bullet_tank",
                    equipment_class="pressurized",
                    substance="氨",
                    inventory_kg=5000.0,
                    phase="gas",
                    pressure_pa=101325.0,
                    temperature_k=293.15,
                    volume_m3=50.0,
                    diameter_m=3.0,
                    height_m=3.0,
                    bund_area_m2=None,
                    hazardous_process=None,
                    geometry=pt(0.0, 0.0),
                )
            ]
        ),
        "sensitive_targets": _gdf(
            [
                dict(
                    target_id="T1",
                    name="网格村",
                    category="village",
                    protection_class="general_2",
                    population_day=100,
                    population_night=100,
                    geometry=pt(*target_xy),
                )
            ]
        ),
        "roads": _gdf(roads),
        "assembly_points": _gdf(
            [dict(point_id="AP1", name="西集合点", capacity=1000, geometry=pt(*ASSEMBLY))]
        ),
    }
    return Park.from_layers(layers)


def _plan(park, **kw):
    """Wind from the north (cloud to the south) at 2 m/s, class F; 0.5 kg/s for 1800 s."""
    return em.plan(
        park,
        unit_id="U1",
        wind_from=0.0,
        wind_speed=2.0,
        time="22:00",
        stability="F",
        release=em.Release(kind="continuous", rate=0.5, duration=1800.0),
        **kw,
    )


def _sigma_x_f(s):
    """Pasquill-Gifford puff σx = σy = 0.02 s^0.89 for class F (Crowl & Louvar 2011, Table 5-3). [m]"""
    return 0.02 * s**0.89


def test_grid_far_target_evacuates_by_bus_in_time():
    # Target at (-700, -1900): 20.2° off the downwind axis (south), inside the ±22.5° band, so the wind may blow
    # straight at it: downwind distance s = √(700² + 1900²) = 2024.85 m. It lies beyond the AEGL-2 reach of this
    # release (about 1.3 km) and inside the AEGL-1 zone; the straight road y = -1900 leads west to the assembly
    # point at (-5000, -1900), 4300 m, clear of the AEGL-2 zone (every point of it is > 1.9 km from the source).
    park = _grid_park((-700.0, -1900.0))
    p = _plan(park, travel_mode="bus", bus_speed_m_s=8.0, warning_time_s=300.0)
    t = p.targets.iloc[0]
    s = math.hypot(700.0, 1900.0)
    sx = _sigma_x_f(s)  # 17.54 m
    arrival = (s - sx) / 2.0  # (2024.85 - 17.54) / 2 = 1003.7 s
    exit_time = 300.0 + 4300.0 / 8.0  # 300 + 537.5 = 837.5 s < arrival: out before the cloud comes
    assert t["level"] == "AEGL-1"
    assert t["arrival_s"] == pytest.approx(arrival, rel=1e-3)
    assert t["duration_s"] == pytest.approx(1800.0 + 2 * sx / 2.0, rel=1e-3)
    assert t["exit_time_s"] == pytest.approx(exit_time, rel=1e-6)
    assert (t["recommendation"], t["priority"]) == ("evacuate", 2)
    r = p.routes.iloc[0]
    assert r["route_status"] == "clear" and r["length_in_zone_m"] == 0.0
    assert r["length_m"] == pytest.approx(4300.0, abs=0.01)
    assert f"{arrival / 60:.1f} min" in t["reason"] and f"{exit_time / 60:.1f} min" in t["reason"]


def test_grid_far_target_on_foot_shelters():
    # Same target on foot: 300 + 4300 / 1.2 = 3883.3 s > 1003.7 s arrival. Indoors (λ = 0.5 /h, k = 1.389e-4 /s)
    # over the passage T = 1817.5 s: dose = C [T - (1 - e^(-kT)) / k] = C × 206.6 s, far below the AEGL-2 dose
    # 111.4 mg/m³ × 3600 s = 4.01e5 mg·s/m³ since C < AEGL-2 here: shelter.
    p = _plan(_grid_park((-700.0, -1900.0)), warning_time_s=300.0)
    t = p.targets.iloc[0]
    assert t["exit_time_s"] == pytest.approx(300.0 + 4300.0 / 1.2, rel=1e-6)
    c = t["concentration_mg_m3"]
    big_t = 1800.0 + _sigma_x_f(math.hypot(700.0, 1900.0))  # T_rel + 2σx/u with u = 2 m/s
    k = 0.5 / 3600.0
    dose = c * (big_t - (1.0 - math.exp(-k * big_t)) / k)
    thr = 111.37 * 3600.0  # AEGL-2 ammonia 160 ppm = 111.4 mg/m³ (substance record, 25 °C)
    assert t["dose_threshold_mg_s_m3"] == pytest.approx(thr, rel=1e-3)
    assert t["indoor_dose_mg_s_m3"] == pytest.approx(dose, rel=0.01)  # c printed to 3 digits
    assert dose < thr
    assert (t["recommendation"], t["priority"]) == ("shelter", 3)


def test_grid_near_target_leaky_building_evacuates_first_crosswind():
    # Target at (-200, -500): 21.8° off the axis, s = √(200² + 500²) = 538.5 m, inside the AEGL-2 zone (reach
    # about 1.3 km, AEGL-3 about 0.43 km). σx = 0.02 × 538.5^0.89 = 5.39 m; arrival (538.5 - 5.39)/2 = 266.6 s.
    # On foot: it leaves west along y = -500 (crosswind, away from the axis) and reaches the assembly point by a
    # shortest grid path: |Δx| + |Δy| = 4800 + 1400 = 6200 m; exit 300 + 6200/1.2 = 5466.7 s > arrival. In a leaky
    # building (λ = 4 /h, k = 1/900 s) the indoor dose C [T - (1 - e^(-kT))/k] with T ≈ 1805 s is C × 1022 s,
    # above 4.01e5 mg·s/m³ once C > 392 mg/m³: evacuate at once, priority 1.
    p = _plan(_grid_park((-200.0, -500.0)), warning_time_s=300.0, air_changes_per_hour=4.0)
    t = p.targets.iloc[0]
    s = math.hypot(200.0, 500.0)
    sx = _sigma_x_f(s)
    assert t["level"] == "AEGL-2"
    assert t["arrival_s"] == pytest.approx((s - sx) / 2.0, rel=1e-3)
    assert t["exit_time_s"] == pytest.approx(300.0 + 6200.0 / 1.2, rel=1e-6)
    big_t, k = 1800.0 + sx, 4.0 / 3600.0
    dose = t["concentration_mg_m3"] * (big_t - (1.0 - math.exp(-k * big_t)) / k)
    assert t["indoor_dose_mg_s_m3"] == pytest.approx(dose, rel=0.01)
    assert dose > 111.37 * 3600.0
    assert (t["recommendation"], t["priority"]) == ("evacuate", 1)
    r = p.routes.iloc[0]
    assert r["route_status"] == "crosswind_exit" and r["length_m"] == pytest.approx(6200.0, abs=0.01)
    first = LineString(list(r.geometry.coords)[:2])  # the first road piece goes west (crosswind)
    assert first.coords[1][0] < first.coords[0][0] and first.coords[1][1] == pytest.approx(first.coords[0][1])
    assert 0.0 < r["length_in_zone_m"] <= r["exit_length_m"]


def test_grid_target_far_from_roads_is_flagged():
    # (-500, -2450): 11.5° off the axis, 2.5 km downwind (inside the AEGL-1 zone), 500 m from the roads x = 0 and
    # x = -1000 and 550 m from y = -1900 and y = -3000: farther than the 300 m access limit.
    p = _plan(_grid_park((-500.0, -2450.0)))
    t = p.targets.iloc[0]
    assert t["route_status"] == "no_road" and "无道路连接" in t["reason"]
    assert math.isinf(t["exit_time_s"]) and len(p.routes) == 0


def test_plan_bad_options():
    park = _grid_park((-700.0, -1900.0))
    with pytest.raises(ValueError, match="walking_speed_m_s"):
        _plan(park, walking_speed_m_s=0.0)
    with pytest.raises(ValueError, match="travel_mode"):
        _plan(park, travel_mode="boat")
    with pytest.raises(ValueError, match="未知选项"):
        _plan(park, speed=3.0)
    with pytest.raises(ValueError, match="time"):
        em.plan(park, unit_id="U1", wind_from=0.0, wind_speed=2.0, time="late")


# ---------------------------------------------------------------------------------------------------------------
# Indoor box model and cloud timing
# ---------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("ach, duration", [(0.5, 1800.0), (2.0, 600.0), (10.0, 3600.0)])
def test_indoor_model_against_ode(ach, duration):
    """dC_in/dt = λ (C_out - C_in) with a step C_out = 100 for 0 ≤ t ≤ T, integrated numerically (RK45)."""
    lam = ach / 3600.0

    def rhs(t, c):
        return [lam * ((100.0 if t <= duration else 0.0) - c[0])]

    ts = np.linspace(0.0, 2 * duration, 41)
    sol = solve_ivp(
        rhs, (0.0, 2 * duration), [0.0], t_eval=ts, rtol=1e-10, atol=1e-12, max_step=duration / 50
    )
    c = em.indoor_concentration(ts, 100.0, duration, ach)
    assert np.allclose(c, sol.y[0], rtol=1e-6, atol=1e-6)
    dose, _ = quad(lambda t: float(em.indoor_concentration(t, 100.0, duration, ach)), 0.0, duration)
    assert float(em.indoor_dose(100.0, duration, ach)) == pytest.approx(dose, rel=1e-8)
    assert float(em.indoor_peak(100.0, duration, ach)) == pytest.approx(sol.y[0][20], rel=1e-6)


def test_indoor_model_hand_values():
    # C_out = 100 mg/m³ for 1 h, λ = 0.5 /h: peak 100 (1 - e^-0.5) = 39.347; dose 100 [3600 - 0.393469/1.3889e-4]
    # = 100 × (3600 - 2832.98) = 76 702 mg·s/m³ (21 % of the outdoor 360 000).
    assert float(em.indoor_peak(100.0, 3600.0, 0.5)) == pytest.approx(39.347, rel=1e-4)
    assert float(em.indoor_dose(100.0, 3600.0, 0.5)) == pytest.approx(76_702.0, rel=1e-4)
    assert float(em.indoor_concentration(-1.0, 100.0, 3600.0, 0.5)) == 0.0
    with pytest.raises(ValueError, match="air_changes_per_hour"):
        em.indoor_dose(1.0, 10.0, 0.0)


def test_cloud_timing_hand_values():
    # s = 1000 m, class F: σx = 0.02 × 1000^0.89 = 9.343 m; u = 2 m/s, release 600 s
    a, d = em.cloud_timing(1000.0, 2.0, 600.0, "F")
    assert float(a) == pytest.approx((1000.0 - 9.343) / 2.0, rel=1e-4)
    assert float(d) == pytest.approx(600.0 + 9.343, rel=1e-4)


# ---------------------------------------------------------------------------------------------------------------
# toxic_zones: levels strictly nested
# ---------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("substance", ["chlorine", "ammonia"])
@pytest.mark.parametrize("stability", ["A", "D", "F"])
@pytest.mark.parametrize("wind_direction", [0.0, 45.0, 200.0, 317.5])
def test_toxic_zones_strictly_nested(substance, stability, wind_direction):
    z = em.toxic_zones(
        substance, release_rate=2.0, wind_speed=2.0, stability=stability, wind_direction=wind_direction
    )
    g = list(z.geometry)
    assert list(z["level"]) == ["AEGL-3", "AEGL-2", "AEGL-1"]
    assert g[1].contains(g[0]) and g[2].contains(g[1])
    assert g[0].difference(g[1]).area == 0.0 and g[1].difference(g[2]).area == 0.0
    assert z["max_distance"].is_monotonic_increasing


def test_plan_with_no_target_reached_lists_none():
    # Wind from the north: the target 900 m north of the source is upwind of every zone and its band, so the plan
    # lists no target and draws no route — with the table's columns, not an error (a park the cloud misses).
    p = _plan(_grid_park((0.0, 900.0)))
    assert p.targets.empty and p.routes.empty
    for col in ("target_id", "level", "concentration_mg_m3", "arrival_s", "recommendation", "reason"):
        assert col in p.targets.columns

"""The demo park's chlorine case at T-3 (NE wind 2 m/s, 22:00): zones, affected targets with arrival times, the road
graph and the GeoJSON/KML export of the plan's routes and assembly points."""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET

import pytest
import shapely

from analysis import emergency as em
from analysis.scenarios import Weather


@pytest.fixture(scope="module")
def case(demo_park):
    src = em.release_source(demo_park, unit_id="T-3")
    w = Weather(wind_speed=2.0, wind_from_deg=45.0, stability="F")
    res = em.emergency_zones(src, em.Release(), w, crs=demo_park.metric_crs, time_of_day="22:00")
    aff = em.affected_targets(res, demo_park, time_of_day="22:00")
    g = em.road_graph(demo_park.metric("roads"))
    # routes and assembly points of the one plan (tests/analysis/test_emergency_plan.py checks them in detail)
    p = em.plan(demo_park, unit_id="T-3", wind_from=45.0, wind_speed=2.0, time="22:00", stability="F")
    return demo_park, res, aff, g, p.assembly, p.routes


def test_source_prefilled_from_installation(case):
    park, res, *_ = case
    assert res.source.substance == "液氯"
    assert res.source.inventory_kg == pytest.approx(72292.0)
    assert res.dense_gas  # chlorine flashing at its boiling point is heavier than air


def test_zones_point_south_west_and_are_nested(case):
    _, res, *_ = case
    ox, oy = res.origin
    assert list(res.toxic["level"]) == ["AEGL-3", "AEGL-2", "AEGL-1"]
    for g in res.toxic.geometry:
        c = g.centroid
        b = math.degrees(math.atan2(c.x - ox, c.y - oy)) % 360
        assert b == pytest.approx(225.0, abs=2.0)
    for z, b in zip(res.toxic.geometry, res.band.geometry, strict=True):
        assert b.buffer(1.0).contains(z)  # the band contains the centre-line zone
        assert b.area > 1.5 * z.area
    # isolation circle of the ERG entry used: large spill, 72.3 t of chlorine -> ERG 2024 Table 3, rail tank car
    # row (the smallest container that holds the inventory), isolate 1000 m
    assert res.spill_size == "large"
    assert res.isolation["radius_m"].iloc[0] == pytest.approx(1000.0)
    assert res.fire.empty  # chlorine does not burn


def test_affected_targets_arrival_and_recommendations(case):
    park, res, aff, *_ = case
    ids = set(aff["feature_id"])
    # The demo park's design: the NE wind carries the cloud over 江滨村 S01 and its kindergarten S28, then the town.
    assert {"S01", "S28", "S03"} <= ids
    s01 = aff[aff["feature_id"] == "S01"].iloc[0]
    # night population (22:00): S01 population_night = 720
    assert s01["population"] == 720
    # arrival time = nearest distance / wind speed (the models' own transport at the 10 m wind speed)
    targets = park.metric("sensitive_targets")
    geom = targets[targets["target_id"] == "S01"].geometry.iloc[0]
    d = shapely.Point(res.origin).distance(geom)
    assert s01["arrival_time_s"] == pytest.approx(d / 2.0, rel=1e-6)
    assert set(aff["recommendation"]) <= {"evacuate", "shelter", "none"}
    # the kindergarten S28 is empty at night (population_night 0): nobody to move
    assert aff.loc[aff["feature_id"] == "S28", "recommendation"].iloc[0] == "none"
    assert aff["reason_zh"].str.len().gt(10).all()
    # sorted by arrival
    assert aff["arrival_time_s"].is_monotonic_increasing
    # concentration at the worst point is at least the level of the zone the feature is listed in (centre zone)
    lv = dict(zip(res.toxic["level"], res.toxic["threshold"], strict=True))
    inside = aff[aff["in_centre_zone"] & (aff["layer"] == "sensitive_targets")]
    assert (inside["concentration_kg_m3"] >= inside["level"].map(lv) * 0.9).all()


def test_recommendation_rules(case):
    _, res, aff, *_ = case
    aff = aff[aff["recommendation"] != "none"]
    early = aff[aff["arrival_time_s"] < em.DEFAULT_EVACUATION_TIME_S]
    assert (early["recommendation"] == "shelter").all()
    late_serious = aff[
        (aff["arrival_time_s"] >= em.DEFAULT_EVACUATION_TIME_S)
        & aff["level"].isin(["AEGL-3", "AEGL-2"])
        & ~aff["category_zh"].isin(["医院", "养老院", "幼儿园"])
        & (aff["layer"] != "installations")
    ]
    assert len(late_serious) > 0
    assert (late_serious["recommendation"] == "evacuate").all()


def test_road_graph_from_end_points(case):
    park, _, _, g, *_ = case
    roads = park.metric("roads")
    two_way = int((~roads["one_way"].astype(bool)).sum())
    assert g.number_of_edges() == 2 * two_way + (len(roads) - two_way)
    assert all(d["length"] > 0 for *_, d in g.edges(data=True))


def test_exports_geojson_and_kml(case, tmp_path):
    _, res, _, _, ap, routes = case
    layers = em.briefing_layers(res, routes, ap)
    assert layers.crs.to_epsg() == 4326
    assert {"toxic", "band", "isolation", "route", "assembly", "source"} <= set(layers["layer"])
    gj = em.to_geojson(layers, tmp_path / "brief.geojson")
    data = json.loads(gj.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection" and len(data["features"]) == len(layers)
    kml = em.to_kml(layers, tmp_path / "brief.kml")
    root = ET.parse(kml).getroot()
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    pms = root.findall(".//k:Placemark", ns)
    assert len(pms) == len(layers)
    coords = root.find(".//k:Polygon//k:coordinates", ns).text.split()
    lon, lat, _ = map(float, coords[0].split(","))
    assert 113.0 < lon < 114.5 and 29.0 < lat < 30.5  # the demo park is at 113.7 E, 29.9 N


def test_release_sources_point_and_pipeline(demo_park):
    p = em.release_source(
        demo_park,
        point=(472000.0, 3308000.0),
        substance="液氨",
        inventory_kg=5000.0,
        phase="liquefied_gas",
        pressure_pa=1.0e6,
        temperature_k=293.15,
    )
    assert p.geometry.x == 472000.0
    pl = em.release_source(demo_park, pipeline_id="PL-01", along=0.5)
    # PL-01 carries chlorine at 0.45 MPa abs, below its vapour pressure at 20 °C (about 0.68 MPa): a gas line
    assert pl.phase == "gas"
    pl3 = em.release_source(demo_park, pipeline_id="PL-03", along=0.2)  # liquid ammonia at 1.8 MPa abs
    assert pl3.phase == "liquefied_gas"
    pipes = demo_park.metric("pipelines")
    line = pipes[pipes["pipeline_id"] == "PL-01"].geometry.iloc[0]
    assert line.distance(pl.geometry) < 1e-6
    with pytest.raises(ValueError, match="unit_id"):
        em.release_source(demo_park, unit_id="NOPE")
    with pytest.raises(ValueError, match="pipeline_id"):
        em.release_source(demo_park, pipeline_id="NOPE")
    with pytest.raises(ValueError, match="exactly one"):
        em.release_source(demo_park)


def test_flammable_release_has_fire_zones(demo_park):
    src = em.release_source(demo_park, unit_id="E04-V101")
    w = Weather(wind_speed=2.0, wind_from_deg=45.0, stability="D")
    res = em.emergency_zones(src, em.Release(kind="hole", hole_diameter=0.05), w, crs=demo_park.metric_crs)
    assert res.toxic.empty
    assert {"flash_fire", "jet_fire"} <= set(res.fire["scenario"])
    assert res.isolation["radius_m"].iloc[0] == pytest.approx(em.DEFAULT_ISOLATION_M)


def test_release_bad_input():
    with pytest.raises(ValueError, match="kind"):
        em.Release(kind="leak")
    with pytest.raises(ValueError, match="rate"):
        em.Release(kind="continuous")
    with pytest.raises(ValueError, match="hole_diameter"):
        em.Release(kind="hole", hole_diameter=0.0)


def test_affected_level_agrees_with_printed_concentration(case):
    """Issue 14: 江滨村 was listed under AEGL-3 at 54.5 mg/m³ (below 58 mg/m³). A target's level is the most
    severe one its concentration, as printed to 3 significant digits, reaches."""
    _, res, aff, *_ = case
    thr = dict(zip(res.toxic["level"], res.toxic["threshold"] * 1e6, strict=True))
    order = list(res.toxic["level"])
    rows = aff[aff["layer"] != "installations"]
    assert len(rows) > 0
    for r in rows.itertuples():
        c = float(f"{r.concentration_kg_m3 * 1e6:.3g}")
        assert c >= thr[r.level]
        k = order.index(r.level)
        assert k == 0 or c < thr[order[k - 1]]


def test_point_release_defaults_to_the_saturation_pressure_of_a_liquefied_gas(demo_park):
    """A point release of liquid chlorine with no pressure given is a liquefied gas at its vapour pressure at 20 ℃:
    NIST SRD 134 (Index of Semiconductor Process Gases, chlorine) tabulates 621.30 kPa at 290 K and 820.54 kPa at
    300 K, log-interpolated 678.4 kPa at 293.15 K (checked to 1 %). Toluene (boils at 110.6 ℃) is a liquid at 1 atm,
    and a hole release of it is refused in Chinese."""
    cl = em.release_source(demo_park, point=(472000.0, 3308000.0), substance="液氯", inventory_kg=1000.0)
    assert cl.phase == "liquefied_gas"
    nist = math.exp(math.log(621.30e3) + (293.15 - 290.0) / 10.0 * math.log(820.54 / 621.30))
    assert cl.pressure_pa == pytest.approx(nist, rel=0.01)
    em.check_driving_pressure(cl, em.Release())  # flows: no refusal
    tol = em.release_source(demo_park, point=(472000.0, 3308000.0), substance="甲苯", inventory_kg=1000.0)
    assert (tol.phase, tol.pressure_pa) == ("liquid", 101325.0)
    with pytest.raises(ValueError, match="储存压力（MPa，绝压）") as err:
        em.check_driving_pressure(tol, em.Release(hole_diameter=0.025))
    assert "25 mm" in str(err.value) and "hole_diameter" not in str(err.value)
    em.check_driving_pressure(tol, em.Release(kind="continuous", rate=1.0))  # a given rate needs no pressure

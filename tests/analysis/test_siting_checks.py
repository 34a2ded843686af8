"""Tests of analysis.regulation.siting_checks: compliance/relocation, GB/T 37243 protection distances, 五室, new-unit trial.

Criteria checked against their sources: GB 36894-2018 individual-risk limits (via analysis.regulation.gb36894), GB 50779-2012
blast design loads 21 kPa / 6.9 kPa, 12.5 kW/m² heat flux (World Bank 1985 via CCPS 2000 Table 2.29).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from analysis.qra import individual as risk
from analysis.regulation import siting_checks as scx
from analysis.weather import WindRose
from geodata import Park

LON, LAT = 113.70, 29.88
DEG_M = 1.0 / 96_500.0  # ~1 m of longitude in degrees at 29.88° N (approximate, positions only)


def _layers(*, buildings=True):
    parks = gpd.GeoDataFrame(
        {"park_id": ["P"], "name": ["测试园区"]},
        geometry=[shapely.box(LON - 0.01, LAT - 0.01, LON + 0.01, LAT + 0.01)],
        crs=4326,
    )
    inst = gpd.GeoDataFrame(
        {
            "unit_id": ["V1"],
            "enterprise_id": ["E1"],
            "name": ["丙烷球罐"],
            "kind": ["spherical_tank"],
            "equipment_class": ["pressurized"],
            "substance": ["丙烷"],
            "inventory_kg": [200_000.0],
            "phase": ["liquefied_gas"],
            "pressure_pa": [9.0e5],
            "temperature_k": [293.15],
            "volume_m3": [400.0],
            "diameter_m": [9.0],
        },
        geometry=[shapely.Point(LON, LAT).buffer(4.5 * DEG_M)],
        crs=4326,
    )
    tg = gpd.GeoDataFrame(
        {
            "target_id": ["S1", "S2"],
            "name": ["近村", "远村"],
            "category": ["village", "village"],
            "protection_class": ["general_1", "general_3"],
            "population_day": [100, 10],
            "population_night": [200, 10],
        },
        geometry=[shapely.Point(LON + 300 * DEG_M, LAT), shapely.Point(LON - 0.009, LAT - 0.009)],
        crs=4326,
    )
    layers = {"parks": parks, "installations": inst, "sensitive_targets": tg}
    if buildings:
        layers["buildings"] = gpd.GeoDataFrame(
            {
                "building_id": ["B1", "B2", "B3"],
                "enterprise_id": ["E1", "E1", "E1"],
                "name": ["近控制室", "远办公楼", "抗爆控制室"],
                "use": ["control_room", "office", "control_room"],
                "occupants": [6, 30, 10],
                "blast_resistant": [False, False, True],
            },
            geometry=[
                shapely.box(LON + 30 * DEG_M, LAT - 5 * DEG_M, LON + 40 * DEG_M, LAT + 5 * DEG_M),
                shapely.box(LON + 0.0090, LAT + 0.0090, LON + 0.0092, LAT + 0.0092),
                shapely.box(LON - 400 * DEG_M, LAT - 5 * DEG_M, LON - 390 * DEG_M, LAT + 5 * DEG_M),
            ],
            crs=4326,
        )
    return layers


@pytest.fixture(scope="module")
def park():
    return Park.from_layers(_layers(), validate=False)


def test_five_rooms_thresholds_and_loads(park):
    from analysis import scenarios as sc
    from analysis.physics import explosion as ex

    df = scx.five_rooms_check(park, search_radius=1000.0)
    assert set(df["building_id"]) == {"B1", "B2", "B3"}
    far = df.set_index("building_id").loc["B2"]  # 1.3 km away: no installation within the search radius
    assert far["overpressure"] == 0.0 and far["heat_flux"] == 0.0 and far["verdict"] == "ok"
    near = df.set_index("building_id").loc["B1"]
    # the reported overpressure is the VCE blast of the model at the footprint distance, building downwind
    w = sc.Weather(wind_speed=5.0, wind_from_deg=270.0, stability="D")
    row = park.metric("installations").iloc[0]
    f = sc.effect_field(row, sc.Scenario("vce"), w)
    d = park.metric("buildings").set_index("building_id").geometry["B1"].distance(row.geometry.centroid)
    assert near["distance_m"] == pytest.approx(d, rel=1e-9)
    # the field's load: the curve outside the cloud, its edge value inside
    p_vce = float(f.overpressure(d, 0.0))
    assert near["overpressure"] >= p_vce * (1 - 1e-9)
    # 30 m from a 200 t propane sphere lies inside its exploding cloud: the load is the model's near-field value
    # (the Kingery-Bulmash curve itself would give far more there), flagged
    assert near["overpressure"] == pytest.approx(f.max_value("overpressure"), rel=1e-9)
    assert float(ex.tnt_overpressure(f.model["tnt_mass"], d)) > near["overpressure"]
    assert near["overpressure_inside_source"] and sc.INSIDE_SOURCE_ZH in near["reason_zh"]
    # 30 m from a 200 t propane sphere: far above the 21 kPa GB 50779 design load -> relocate
    assert near["overpressure"] > 21_000.0 and near["verdict"] == "relocate"
    assert "21 kPa" in near["reason_zh"]


def test_five_rooms_verdict_rule():
    assert scx.BLAST_DESIGN_LOADS_PA == ((21_000.0, 0.1), (6_900.0, 0.02))  # GB 50779-2012
    assert scx.HEAT_FLUX_LIMIT_W_M2 == 12_500.0  # World Bank (1985) via CCPS (2000) Table 2.29
    with pytest.raises(ValueError, match="search_radius"):
        scx.five_rooms_check(Park.from_layers(_layers(), validate=False), search_radius=-1.0)


def test_protection_distance_method_and_distances(park):
    rose = WindRose((270.0,), (5.0,), ("D",), np.ones((1, 1, 1)))
    res = risk.individual_risk(park, wind_rose=rose, resolution=20.0, margin=300.0)
    pdist = scx.protection_distances(res, park).set_index("unit_id")
    # liquefied flammable gas, 200 t propane ≥ Q = 50 t -> S ≥ 1 -> the risk method (GB/T 37243-2019)
    assert bool(pdist.at["V1", "toxic_or_flammable_gas"]) and bool(pdist.at["V1", "is_major"])
    assert pdist.at["V1", "method"] == "risk"
    # the stricter limit (new installation, high-sensitive: 3e-7) lies farther out than the looser one
    assert pdist.at["V1", "d_high_sensitive_new"] >= pdist.at["V1", "d_general_3_existing"]
    # the distance is where the unit's own risk falls to the limit: a cell just beyond it is below the limit
    d = pdist.at["V1", "d_general_1_existing"]  # 3e-6
    o = park.metric("installations").geometry.iloc[0]
    xs, ys = res.cell_centres()
    X, Y = np.meshgrid(xs, ys)
    outside = shapely.distance(o, shapely.points(X, Y)) > d + 1e-6
    assert res.grid[outside].max(initial=0.0) < 3e-6


def test_compliance_and_relocation(park):
    rose = WindRose((270.0,), (5.0,), ("D",), np.ones((1, 1, 1)))
    res = risk.individual_risk(park, wind_rose=rose, resolution=20.0, margin=300.0)
    comp = scx.compliance(res, park).set_index("target_id")
    tr = risk.target_risk(res, park).set_index("target_id")
    assert comp.at["S1", "individual_risk"] == tr.at["S1", "individual_risk"]
    assert comp.at["S1", "limit_existing"] == 3e-6 and comp.at["S2", "limit_existing"] == 3e-5
    rel = scx.relocation(res, park)
    assert list(rel["target_id"]) == list(comp.index[~comp["pass_existing"]])
    if len(rel):
        assert "V1" in rel["reason_zh"].iloc[0]


def test_new_unit_trial_flags_targets_and_maps_suitability():
    layers = _layers(buildings=False)
    inst = layers.pop("installations")
    empty = Park.from_layers({**layers, "installations": inst.iloc[0:0]}, validate=False)
    rose = WindRose((270.0,), (5.0,), ("D",), np.ones((1, 1, 1)))
    row = {k: inst.iloc[0][k] for k in inst.columns if k != "geometry"}
    row.update(unit_id="NEW", geometry=inst.geometry.iloc[0])
    out = scx.new_unit_trial(
        empty, row, wind_rose=rose, resolution=25.0, margin=300.0, candidate_spacing=400.0
    )
    t = out["table"].set_index("target_id")
    assert (t["ir_before"] == 0).all()
    np.testing.assert_allclose(t["ir_after"], t["ir_added"], rtol=1e-9)
    assert list(out["failing"]["target_id"]) == list(t.index[t["ir_after"] > t["limit_new"]])
    suit = out["suitability"]
    assert len(suit) > 0 and suit.crs == empty.metric_crs
    assert suit["suitable"].dtype == bool
    # suitable <=> the unit's own risk stays within every target's new-installation limit
    np.testing.assert_array_equal(suit["suitable"].to_numpy(), suit["own_exceedance"].to_numpy() <= 1.0)
    # with no existing risk the cumulative rule agrees wherever the unit matters
    assert (~suit["suitable_cumulative"] <= ~suit["suitable"]).all()
    with pytest.raises(ValueError, match="unit_id"):
        scx.with_installation(out["park"], row)


def test_protection_distances_with_an_unknown_substance_fail_closed(park):
    # a substance GB 18218 cannot classify no longer stops the table: the unit is treated as major and said so
    layers = _layers()
    layers["installations"].loc[0, "substance"] = "不存在的物质XYZ"
    p2 = Park.from_layers(layers, validate=False)
    rose = WindRose((270.0,), (5.0,), ("D",), np.ones((1, 1, 1)))
    res = risk.individual_risk(park, wind_rose=rose, resolution=50.0, margin=300.0)
    pdist = scx.protection_distances(res, p2).set_index("unit_id")
    assert bool(pdist.at["V1", "is_major"]) and bool(pdist.at["V1", "unknown_substance"])
    assert np.isnan(pdist.at["V1", "S"]) and "不存在的物质XYZ" in pdist.at["V1", "reason_zh"]

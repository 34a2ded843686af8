"""analyze(): escalation vectors between real footprints, propagation, graph, measures and frequencies."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from factories import LAT0, LON0, gasoline_tank, local_point
from shapely.geometry import box

from analysis import domino
from geodata import Park


@pytest.fixture(scope="module")
def small_park():
    """Three gasoline tanks (E1, one bund, 10 m apart) and an LPG sphere of a neighbour (E2) 19 m away."""
    crs = "EPSG:4326"
    parks = gpd.GeoDataFrame(
        {"park_id": ["P"], "name": ["测试园区"], "level": ["provincial"], "risk_grade": ["B"]},
        geometry=[box(LON0 - 0.01, LAT0 - 0.01, LON0 + 0.01, LAT0 + 0.01)],
        crs=crs,
    )
    ents = gpd.GeoDataFrame(
        {"enterprise_id": ["E1", "E2"], "park_id": ["P", "P"], "name": ["甲", "乙"]},
        geometry=[
            box(LON0 - 0.005, LAT0 - 0.005, LON0, LAT0 + 0.005),
            box(LON0, LAT0 - 0.005, LON0 + 0.005, LAT0 + 0.005),
        ],
        crs=crs,
    )
    rows = [
        gasoline_tank("T1", "E1", -80.0),
        gasoline_tank("T2", "E1", -50.0),
        gasoline_tank("T3", "E1", -20.0),
    ]
    rows.append(
        dict(
            unit_id="S1",
            enterprise_id="E2",
            name="液化石油气球罐",
            kind="spherical_tank",
            equipment_class="pressurized",
            substance="液化石油气",
            inventory_kg=5e5,
            phase="liquefied_gas",
            pressure_pa=8e5,
            temperature_k=293.15,
            volume_m3=1000.0,
            diameter_m=12.3,
            height_m=None,
            bund_area_m2=None,
            geometry=local_point(15.0, 0.0),
        )
    )
    inst = gpd.GeoDataFrame(rows, geometry="geometry", crs=crs)
    return Park.from_layers({"parks": parks, "enterprises": ents, "installations": inst}, validate=False)


@pytest.fixture(scope="module")
def small_result(small_park):
    return domino.analyze(small_park, scenarios=("pool_fire", "fireball"), n_samples=2000, max_level=3)


def test_result_contract(small_result):
    g, e = small_result.graph, small_result.edges
    assert isinstance(g, nx.DiGraph)
    assert set(g.nodes) == {"T1", "T2", "T3", "S1"}
    for _, _, d in g.edges(data=True):
        assert 0.0 < d["probability"] <= 1.0
    for col in ("source", "target", "vector", "load", "probability", "crosses_enterprise", "distance_m"):
        assert col in e.columns
    assert e.crs is not None and e.crs.is_projected
    assert set(e.geom_type) == {"LineString"}


def test_adjacent_tanks_in_one_bund_escalate(small_result):
    g = small_result.graph
    # the bund pool fire of a tank engulfs/irradiates its neighbour 10 m away (footprint gap)
    assert g.has_edge("T1", "T2") and g.has_edge("T2", "T1") and g.has_edge("T2", "T3")
    e = small_result.edges.set_index(["source", "target", "scenario"])
    assert e.loc[("T1", "T2", "pool_fire"), "distance_m"] == pytest.approx(10.0, abs=0.3)
    # the load is read at the nearest point of the target footprint: origin (tank centre) to T2's wall = 30 - 10 m
    assert e.loc[("T1", "T2", "pool_fire"), "load_distance_m"] == pytest.approx(20.0, abs=0.3)
    # second-level chain T1 -> T2 -> T3 exists and its probability is the product of the edges
    ch = small_result.chains
    row = ch[(ch.source == "T1") & (ch.target == "T3")].iloc[0]
    assert row["path"] == "T1 → T2 → T3"
    assert row["probability"] == pytest.approx(
        g["T1"]["T2"]["probability"] * g["T2"]["T3"]["probability"], rel=1e-9
    )


def test_sphere_fireball_crosses_the_fence(small_result):
    e = small_result.edges
    cross = e[e.crosses_enterprise]
    assert len(cross) >= 1
    assert set(cross["source"]) == {"S1"}
    assert (cross["scenario"] == "fireball").all()
    # fireball thresholds: pressurised vessels do not escalate, atmospheric at >= 100 kW/m²
    assert (cross["load"] >= 100e3).all()


def test_probabilities_match_the_model_functions(small_result):
    e = small_result.edges
    for rec in e.itertuples(index=False):
        p = domino.escalation_probability(
            equipment=rec.target_equipment, volume=2000.0, scenario=rec.scenario, **{rec.vector: rec.load}
        )
        assert rec.probability == pytest.approx(p, rel=1e-12)


def test_spacing_measure_removes_the_edge(small_result):
    e = small_result.edges
    rec = e[(e.source == "T1") & (e.target == "T2")].iloc[0]
    assert rec["extra_distance_m"] > 0
    assert rec["required_distance_m"] == pytest.approx(rec["distance_m"] + rec["extra_distance_m"])
    assert "间距" in rec["measure_zh"] and "m" in rec["measure_zh"]
    assert rec["load_reduction"] == pytest.approx(rec["threshold"] / rec["load"])


def test_first_level_expected_number_and_frequencies(small_result):
    pe = small_result.primary_events.set_index(["source", "scenario"])
    e = small_result.edges
    p1 = e[(e.source == "T2") & (e.scenario == "pool_fire")]["probability"]
    assert pe.loc[("T2", "pool_fire"), "expected_level1"] == pytest.approx(p1.sum(), rel=1e-12)
    # the Monte Carlo first-level marginal agrees with the exact one
    inv = small_result.involvement
    f = small_result.frequencies
    assert (f["f_secondary"] <= f["f_primary"] + 1e-30).all()
    ok = f["f_primary"].notna()
    np.testing.assert_allclose(f.loc[ok, "f_secondary"], f.loc[ok, "f_primary"] * f.loc[ok, "p_involved"])
    assert len(inv) > 0


def test_monte_carlo_is_seeded(small_park):
    a = domino.analyze(small_park, scenarios=("pool_fire",), n_samples=500, seed=7)
    b = domino.analyze(small_park, scenarios=("pool_fire",), n_samples=500, seed=7)
    np.testing.assert_array_equal(a.involvement["p_involved"], b.involvement["p_involved"])


@pytest.mark.parametrize("synergy", [True, False])
def test_monte_carlo_same_in_one_or_two_workers(small_park, monkeypatch, synergy):
    """Sample blocks with their own streams (SeedSequence(seed).spawn): 1 worker == 2 worker processes, bit for bit
    (2,500 samples: two full blocks of MC_BLOCK and a partial one)."""
    from analysis.qra import parallel

    runs = {}
    for n in ("1", "2"):
        monkeypatch.setenv(parallel.WORKERS_ENV, n)
        runs[n] = domino.analyze(small_park, n_samples=2500, seed=11, synergy=synergy)
    assert parallel.process_workers(len(runs["2"].primary_events), min_tasks=2) == 2  # two processes did run
    for table in ("involvement", "primary_events", "chains", "combinations"):
        pd.testing.assert_frame_equal(getattr(runs["1"], table), getattr(runs["2"], table), check_exact=True)
    assert 0.0 < runs["1"].involvement["p_involved"].max() <= 1.0


def test_unknown_option_is_a_value_error(small_park):
    with pytest.raises(ValueError, match="n_sample"):
        domino.analyze(small_park, n_sample=10)
    with pytest.raises(ValueError, match="direction"):
        domino.DominoOptions(direction="north")


def test_escalation_matrix_equals_the_pairwise_definition():
    import shapely

    rng = np.random.default_rng(3)
    n = 40
    xy = rng.uniform(0, 300, size=(n, 2))
    fps = shapely.buffer(shapely.points(xy), 8.0)
    r = np.concatenate([[0.0], np.geomspace(0.1, 2000, 300)])
    prof = (r, 60e3 * np.exp(-r / 40.0))
    eq = np.array(["atmospheric", "pressurized"] * (n // 2))
    vol = np.full(n, 500.0)
    p, q = domino.escalation_matrix(xy, fps, [prof] * n, ["heat_flux"] * n, eq, vol)
    for i in range(0, n, 7):
        for j in range(n):
            if i == j:
                assert p[i, j] == 0.0
                continue
            d = shapely.distance(shapely.Point(xy[i]), fps[j])
            load = np.interp(d, *prof)
            exp = domino.escalation_probability(equipment=eq[j], heat_flux=load, volume=500.0)
            assert p[i, j] == pytest.approx(exp, rel=1e-12, abs=1e-15)


def test_demo_park_chains_and_crossing_edges(demo_park):
    res = domino.analyze(demo_park, scenarios=("pool_fire", "fireball", "vce"), n_samples=300, max_level=2)
    e = res.edges
    inst = demo_park.installations.set_index("unit_id")
    # adjacent tanks in one bund (E05 methanol tanks) set each other off
    same = e[
        (e.source.str.startswith("E05-T")) & (e.target.str.startswith("E05-T")) & (e.scenario == "pool_fire")
    ]
    assert len(same) >= 2
    # LPG spheres near a fire / explosion source
    sph = e[(e.target.str.startswith("E04-V1"))]
    assert len(sph) >= 1
    # enterprise-crossing edges exist (E04 spheres -> E05 tanks across the shared fence)
    cross = e[e.crosses_enterprise]
    assert len(cross) >= 1
    assert ((cross.source.str[:3] == "E04") & (cross.target.str[:3] == "E05")).any()
    assert set(e.source) <= set(inst.index)
    # footprint-to-footprint distances across the shared fence, as laid out by the demo builder
    # (geodata/samples/README.md: E04-V102 -> E05-T101 80.4 m, E04-V104 -> E05-T103 81.2 m, E04-V202 -> E05-T103 90.0 m)
    gap = e.drop_duplicates(["source", "target"]).set_index(["source", "target"])["distance_m"]
    assert gap[("E04-V102", "E05-T101")] == pytest.approx(80.4, abs=0.1)
    assert gap[("E04-V104", "E05-T103")] == pytest.approx(81.2, abs=0.1)
    assert gap[("E04-V202", "E05-T103")] == pytest.approx(90.0, abs=0.1)


def test_weather_direction_loads_only_downwind_targets():
    from analysis.scenarios import Weather

    crs = "EPSG:4326"
    parks = gpd.GeoDataFrame(
        {"park_id": ["P"], "name": ["测试园区"], "level": ["provincial"], "risk_grade": ["B"]},
        geometry=[box(LON0 - 0.01, LAT0 - 0.01, LON0 + 0.01, LAT0 + 0.01)],
        crs=crs,
    )
    ents = gpd.GeoDataFrame(
        {"enterprise_id": ["E1"], "park_id": ["P"], "name": ["甲"]},
        geometry=[box(LON0 - 0.005, LAT0 - 0.005, LON0 + 0.005, LAT0 + 0.005)],
        crs=crs,
    )
    # two tanks 45 m apart east-west: the neighbour's wall (35 m from the pool centre) is outside the 31 m pool and
    # only the wind-tilted flame reaches 15 kW/m² there
    inst = gpd.GeoDataFrame(
        [gasoline_tank("T1", "E1", -30.0), gasoline_tank("T2", "E1", 15.0)], geometry="geometry", crs=crs
    )
    park = Park.from_layers({"parks": parks, "enterprises": ents, "installations": inst}, validate=False)
    west_wind = domino.analyze(
        park,
        scenarios=("pool_fire",),
        direction="weather",
        n_samples=100,
        weather=Weather(wind_speed=5.0, wind_from_deg=270.0, stability="D"),
    )
    assert list(zip(west_wind.edges.source, west_wind.edges.target, strict=True)) == [("T1", "T2")]
    worst = domino.analyze(
        park,
        scenarios=("pool_fire",),
        n_samples=100,
        weather=Weather(wind_speed=5.0, wind_from_deg=270.0, stability="D"),
    )
    assert set(zip(worst.edges.source, worst.edges.target, strict=True)) == {("T1", "T2"), ("T2", "T1")}
    # the worst-direction load is never below the directional one, within the accuracy of the numerically
    # integrated view factor of the tilted flame (~1e-3 relative, analysis/consequence/fire.py): the directional
    # load is taken at the polygon vertex nearest the source, a hair off the downwind axis
    assert worst.edges.set_index(["source", "target"]).loc[("T1", "T2"), "load"] >= (
        west_wind.edges.set_index(["source", "target"]).loc[("T1", "T2"), "load"] * (1 - 1e-3)
    )


def test_landucci_model_keeps_the_edges_and_lowers_fire_probabilities(small_park, small_result):
    """Same thresholds, so the same edges; the mitigation-time probit of Landucci et al. (2009) gives lower
    heat-radiation escalation probabilities than the Cozzani et al. (2005) probit read with ttf in minutes."""
    lnd = domino.analyze(
        small_park, scenarios=("pool_fire", "fireball"), n_samples=2000, max_level=3, model="landucci2009"
    )
    key = ["source", "target", "scenario"]
    a = small_result.edges.set_index(key).sort_index()
    b = lnd.edges.set_index(key).sort_index()
    assert list(a.index) == list(b.index)
    heat = a["vector"] == "heat_flux"
    assert heat.any()
    assert (b.loc[heat, "probability"] < a.loc[heat, "probability"]).all()
    np.testing.assert_allclose(b.loc[~heat, "probability"], a.loc[~heat, "probability"])


def test_cli_model_choices_are_the_registry():
    import argparse

    from app.commands import domino as cmd

    parser = argparse.ArgumentParser()
    cmd.register(parser.add_subparsers())
    sub = parser._subparsers._group_actions[0].choices["domino"]
    action = next(a for a in sub._actions if a.dest == "model")
    assert set(action.choices) == set(domino.ESCALATION_MODELS)


def test_edges_record_the_model(small_result):
    assert set(small_result.edges["model"]) == {"cozzani2005"}


def _triangle_park():
    """Three gasoline tanks (bunds of 400 m²): T1 and T2 24 m apart, T3 30 m off their midpoint — T3 receives about
    10 kW/m² from either pool fire alone (below the 15 kW/m² threshold) and about 20 kW/m² from both."""
    crs = "EPSG:4326"
    parks = gpd.GeoDataFrame(
        {"park_id": ["P"], "name": ["测试园区"], "level": ["provincial"], "risk_grade": ["B"]},
        geometry=[box(LON0 - 0.01, LAT0 - 0.01, LON0 + 0.01, LAT0 + 0.01)],
        crs=crs,
    )
    ents = gpd.GeoDataFrame(
        {"enterprise_id": ["E1"], "park_id": ["P"], "name": ["甲"]},
        geometry=[box(LON0 - 0.005, LAT0 - 0.005, LON0 + 0.005, LAT0 + 0.005)],
        crs=crs,
    )
    pts = {"T1": (0.0, 0.0), "T2": (24.0, 0.0), "T3": (12.0, 30.0)}
    rows = [
        gasoline_tank(u, "E1", 0.0, bund_area_m2=400.0, geometry=local_point(x, y))
        for u, (x, y) in pts.items()
    ]
    inst = gpd.GeoDataFrame(rows, geometry="geometry", crs=crs)
    return Park.from_layers({"parks": parks, "enterprises": ents, "installations": inst}, validate=False)


def test_synergy_sums_the_fires_burning_together():
    """Khakzad et al. (2013) synergistic effect: T3 is out of reach of each fire alone but fails once T1 (primary)
    and T2 (first level) burn together; P(T3 involved) = P(T2 at level 1) × P(q13 + q23), the probit of the summed
    flux (Landucci et al. 2009 probit, so that the probabilities are not all ≈ 1)."""
    park = _triangle_park()
    kw = dict(scenarios=("pool_fire",), n_samples=20000, max_level=3, model="landucci2009")
    on = domino.analyze(park, synergy=True, **kw)
    off = domino.analyze(park, synergy=False, **kw)
    # the edges do not depend on the synergy
    cols = ["source", "target", "scenario", "load", "probability"]
    pd_on = on.edges[cols].sort_values(cols[:3]).reset_index(drop=True)
    pd_off = off.edges[cols].sort_values(cols[:3]).reset_index(drop=True)
    assert pd_on.equals(pd_off)

    hl = on.heat_loads.set_index(["source", "target"])["heat_flux"]
    q13, q23 = hl[("T1", "T3")], hl[("T2", "T3")]
    thr = domino.threshold("atmospheric", "heat_flux")
    assert q13 < thr and q23 < thr <= q13 + q23
    p12 = on.edges.set_index(["source", "target"])["probability"][("T1", "T2")]
    expected = p12 * domino.escalation_probability(
        equipment="atmospheric", heat_flux=q13 + q23, volume=2000.0, model="landucci2009"
    )
    inv_on = on.involvement[on.involvement.source == "T1"].set_index("unit_id")["p_involved"]
    assert inv_on["T3"] == pytest.approx(expected, abs=0.01)  # 20 000 samples: σ ≈ 0.003
    inv_off = off.involvement[off.involvement.source == "T1"].set_index("unit_id")["p_involved"]
    assert inv_off.get("T3", 0.0) == 0.0
    assert off.heat_loads.empty


def test_heat_probability_matrix_equals_escalation_probability():
    """The synergy evaluates a samples × targets matrix of summed fluxes against one class/volume per target
    column in one call; it must equal the element-wise evaluation."""
    rng = np.random.default_rng(3)
    q = rng.uniform(0.0, 80e3, size=(50, 4))
    cls = np.array(["atmospheric", "pressurized", "small", "atmospheric"])
    vol = np.array([500.0, 100.0, 2.0, 8000.0])
    got = domino.escalation_probability(equipment=cls, heat_flux=q, volume=vol)
    want = np.array(
        [
            [
                domino.escalation_probability(equipment=cls[j], heat_flux=q[i, j], volume=vol[j])
                for j in range(4)
            ]
            for i in range(50)
        ]
    )
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0.0)


def test_synergy_option_is_validated(small_park):
    with pytest.raises(ValueError, match="synergy_min_heat_flux"):
        domino.analyze(small_park, synergy_min_heat_flux=0.0)

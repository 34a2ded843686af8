"""Generic LOC frequencies (Purple Book CPR 18E ch. 3) and event trees (ch. 4): values and hand-checked products."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.qra import frequencies as fq

PB = "CPR 18E (1999)"


def _row(**kw):
    base = {
        "unit_id": "U1",
        "enterprise_id": "E1",
        "kind": "spherical_tank",
        "equipment_class": "pressurized",
        "substance": "propane",
        "inventory_kg": 500e3,
        "phase": "liquefied_gas",
        "pressure_pa": 1.0e6,
        "temperature_k": 293.15,
        "diameter_m": 12.0,
    }
    base.update(kw)
    return base


def _locs(row, **kw):
    return {loc.loc: loc for loc in fq.loss_of_containment(row, **kw)}


# ---------------------------------------------------------------------------------------------------------------
# Chapter 3: LOC frequencies
# ---------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "cls", "pressure", "g1", "g2", "g3"),
    [
        ("spherical_tank", "pressurized", 1e6, 5e-7, 5e-7, 1e-5),  # §3.2.1 pressure vessel
        ("process_unit", "pressurized", 1e6, 5e-6, 5e-6, 1e-4),  # §3.2.1 process vessel
        ("reactor", "pressurized", 1e6, 5e-6, 5e-6, 1e-4),  # §3.2.1 reactor vessel
        ("storage_tank", "atmospheric", 1.013e5, 5e-6, 5e-6, 1e-4),  # §3.2.2 single-containment atmospheric
    ],
)
def test_vessel_frequencies_purple_book(kind, cls, pressure, g1, g2, g3):
    locs = _locs(_row(kind=kind, equipment_class=cls, pressure_pa=pressure))
    assert locs["G.1"].frequency == pytest.approx(g1, rel=1e-12)
    assert locs["G.2"].frequency == pytest.approx(g2, rel=1e-12)
    assert locs["G.3"].frequency == pytest.approx(g3, rel=1e-12)
    assert locs["G.1"].instantaneous and math.isnan(locs["G.1"].hole_diameter_m)
    assert locs["G.2"].duration_s == 600.0  # complete inventory in 10 min
    assert locs["G.3"].hole_diameter_m == 0.010  # 10 mm hole
    assert locs["G.1"].loc_class == "catastrophic_rupture"
    assert locs["G.3"].source.startswith(PB)


def test_storage_tank_with_high_pressure_is_a_pressure_vessel():
    assert fq.equipment_type(_row(kind="storage_tank", equipment_class="atmospheric", pressure_pa=8e5)) == (
        "pressure_vessel"
    )
    assert fq.equipment_type(_row(kind="storage_tank", equipment_class="atmospheric", pressure_pa=1.1e5)) == (
        "atmospheric_tank"
    )


@pytest.mark.parametrize(
    ("d", "rupture", "leak"),
    [(0.05, 1e-6, 5e-6), (0.075, 3e-7, 2e-6), (0.10, 3e-7, 2e-6), (0.15, 3e-7, 2e-6), (0.20, 1e-7, 5e-7)],
)
def test_pipe_frequencies_per_metre(d, rupture, leak):
    # CPR 18E §3.2.4: DN < 75 mm; 75 ≤ DN ≤ 150 mm; DN > 150 mm  [1/(m·a)]
    r, lk = fq.pipe_frequencies(d)
    assert r == pytest.approx(rupture, rel=1e-12)
    assert lk == pytest.approx(leak, rel=1e-12)


def test_pipe_frequencies_broadcast_and_bad_input():
    r, lk = fq.pipe_frequencies(np.array([0.05, 0.1, 0.3]))
    np.testing.assert_allclose(r, [1e-6, 3e-7, 1e-7], rtol=1e-12)
    with pytest.raises(ValueError, match="diameter_m"):
        fq.pipe_frequencies(-0.1)


def test_pipe_via_override_scales_with_length_and_leak_hole():
    ov = fq.FrequencyOverrides.from_dict(equipment={"P1": "pipe"})
    locs = _locs(
        _row(unit_id="P1", kind="process_unit", diameter_m=0.2),
        options=fq.FrequencyOptions(overrides=ov),
        pipe_length_m=250.0,
    )
    assert locs["rupture"].frequency == pytest.approx(1e-7 * 250.0, rel=1e-12)
    assert locs["leak"].frequency == pytest.approx(5e-7 * 250.0, rel=1e-12)
    assert locs["rupture"].hole_diameter_m == 0.2
    assert locs["leak"].hole_diameter_m == pytest.approx(0.02)  # 10 % of ND (max 50 mm)


def test_pump_and_loading_arm():
    # CPR 18E §3.2.5 pump: rupture 1e-4/a, leak 5e-4/a; §3.2.8 loading arm: 3e-8/h and 3e-7/h × hours of loading
    pump = _locs(_row(kind="pump_station"))
    assert pump["rupture"].frequency == pytest.approx(1e-4) and pump["leak"].frequency == pytest.approx(5e-4)
    assert pump["rupture"].hole_diameter_m == 0.1 and pump["leak"].hole_diameter_m == pytest.approx(0.01)
    arm = _locs(_row(kind="loading_bay"), options=fq.FrequencyOptions(loading_hours_per_year=500.0))
    assert arm["rupture"].frequency == pytest.approx(3e-8 * 500.0, rel=1e-12)
    assert arm["leak"].frequency == pytest.approx(3e-7 * 500.0, rel=1e-12)
    big = _locs(_row(kind="loading_bay"), options=fq.FrequencyOptions(connected_pipe_diameter_m=0.8))
    assert big["leak"].hole_diameter_m == 0.05  # leak capped at 50 mm


def test_uncovered_kinds_have_no_locs():
    assert fq.loss_of_containment(_row(kind="warehouse")) == []


def test_frequency_override():
    ov = fq.FrequencyOverrides.from_dict({("U1", "G.1"): 1e-8})
    locs = _locs(_row(), options=fq.FrequencyOptions(overrides=ov))
    assert locs["G.1"].frequency == 1e-8 and locs["G.1"].source == "user override"
    assert locs["G.2"].frequency == pytest.approx(5e-7)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"source": "api581_2016"}, "source='api581_2016'.*purple_book_1999"),
        ({"loading_hours_per_year": 9000.0}, "loading_hours_per_year"),
        ({"connected_pipe_diameter_m": 0.0}, "connected_pipe_diameter_m"),
    ],
)
def test_frequency_options_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        fq.FrequencyOptions(**kwargs)


def test_override_validation():
    with pytest.raises(ValueError, match="must be ≥ 0"):
        fq.FrequencyOverrides.from_dict({("U1", "G.1"): -1.0})
    with pytest.raises(ValueError, match="equipment override 'boiler'"):
        fq.FrequencyOverrides.from_dict(equipment={"U1": "boiler"})


# ---------------------------------------------------------------------------------------------------------------
# Chapter 4: direct ignition and event trees
# ---------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cat", "rate", "expected"),
    [
        ("k1_liquid", 5.0, 0.065),
        ("k1_liquid", 500.0, 0.065),
        ("gas_low_reactive", 5.0, 0.02),
        ("gas_low_reactive", 10.0, 0.04),
        ("gas_low_reactive", 100.0, 0.04),
        ("gas_low_reactive", 150.0, 0.09),
        ("gas_average_high_reactive", 9.9, 0.2),
        ("gas_average_high_reactive", 50.0, 0.5),
        ("gas_average_high_reactive", 101.0, 0.7),
    ],
)
def test_direct_ignition_continuous(cat, rate, expected):
    # CPR 18E ch. 4, direct ignition for stationary installations (< 10, 10–100, > 100 kg/s)
    assert fq.direct_ignition_probability(substance_category=cat, rate_kg_s=rate) == expected


def test_direct_ignition_instantaneous_and_errors():
    p = fq.direct_ignition_probability(
        substance_category="gas_average_high_reactive", mass_kg=np.array([500.0, 5000.0, 50000.0])
    )
    np.testing.assert_array_equal(p, [0.2, 0.5, 0.7])
    with pytest.raises(ValueError, match="exactly one"):
        fq.direct_ignition_probability(substance_category="k1_liquid")
    with pytest.raises(ValueError, match="substance_category='gas'"):
        fq.direct_ignition_probability(substance_category="gas", rate_kg_s=1.0)


def _by(outs):
    return {(o.loc, o.outcome): o for o in outs}


def test_event_tree_propane_sphere_by_hand():
    # Propane (average reactive, flammable gas) in a 500 t sphere (pressure vessel).
    # G.1 5e-7/a, instantaneous 500 t > 10 t -> P_direct 0.7: fireball 3.5e-7; delayed 0.3 × (0.6 flash fire,
    # 0.4 VCE): 9e-8 and 6e-8. G.2 5e-7/a at 500000/600 = 833 kg/s > 100 -> jet fire 3.5e-7. G.3 1e-5/a, 10 mm
    # hole (< 10 kg/s) -> P_direct 0.2: jet fire 2e-6, flash fire 1e-5 × 0.8 × 0.6 = 4.8e-6, VCE 3.2e-6.
    o = _by(fq.outcomes(_row()))
    assert o[("G.1", "fireball")].frequency == pytest.approx(3.5e-7, rel=1e-12)
    assert o[("G.1", "flash_fire")].frequency == pytest.approx(9e-8, rel=1e-12)
    assert o[("G.1", "vce")].frequency == pytest.approx(6e-8, rel=1e-12)
    assert o[("G.2", "jet_fire")].frequency == pytest.approx(3.5e-7, rel=1e-12)
    assert o[("G.3", "jet_fire")].frequency == pytest.approx(2e-6, rel=1e-12)
    assert o[("G.3", "flash_fire")].frequency == pytest.approx(4.8e-6, rel=1e-12)
    assert o[("G.3", "vce")].frequency == pytest.approx(3.2e-6, rel=1e-12)
    assert ("G.1", "toxic_cloud") not in o  # propane is not toxic


def test_event_tree_branches_sum_to_loc_frequency():
    outs = fq.outcomes(_row())
    for loc in fq.loss_of_containment(_row()):
        total = sum(o.frequency for o in outs if o.loc == loc.loc)
        assert total == pytest.approx(loc.frequency, rel=1e-12)


def test_event_tree_liquid_tank_pool_fire():
    # methanol (flammable liquid, treated as K1: P_direct 0.065) in an atmospheric tank, G.3 1e-4/a:
    # direct pool fire 6.5e-6; delayed (P = 1 for the location-specific risk) pool fire 9.35e-5
    row = _row(
        kind="storage_tank",
        equipment_class="atmospheric",
        pressure_pa=1.013e5,
        substance="甲醇",
        phase="liquid",
        inventory_kg=4e6,
    )
    outs = [o for o in fq.outcomes(row) if o.loc == "G.3"]
    direct = next(o for o in outs if o.branch == "direct")
    delayed = next(o for o in outs if o.branch == "delayed")
    assert direct.outcome == delayed.outcome == "pool_fire"
    assert direct.frequency == pytest.approx(6.5e-6, rel=1e-12)
    assert delayed.frequency == pytest.approx(9.35e-5, rel=1e-12)


def test_event_tree_toxic_only_and_delayed_option():
    # chlorine: toxic, not flammable -> toxic cloud with the full LOC frequency
    row = _row(substance="chlorine", inventory_kg=50e3, pressure_pa=7e5)
    o = _by(fq.outcomes(row))
    assert o[("G.3", "toxic_cloud")].frequency == pytest.approx(1e-5, rel=1e-12)
    assert len(o) == 3
    # a toxic and flammable gas (low reactive): direct ignition -> jet fire, otherwise toxic cloud (no delayed
    # ignition branch). G.2: 5000 kg / 600 s = 8.3 kg/s -> P_direct 0.02; toxic = 5e-7 × 0.98
    hz = fq.SubstanceHazard(flammable=True, toxic=True, reactivity="low")
    o = _by(fq.outcomes(_row(inventory_kg=5000.0), hazard=hz))
    assert o[("G.2", "toxic_cloud")].frequency == pytest.approx(5e-7 * 0.98, rel=1e-12)
    assert o[("G.2", "jet_fire")].frequency == pytest.approx(5e-7 * 0.02, rel=1e-12)
    assert ("G.2", "flash_fire") not in o
    # P(delayed) < 1 for a flammable, non-toxic gas leaves a harmless no-ignition branch out of the list
    et = fq.EventTreeOptions(p_delayed_ignition=0.5)
    o = _by(fq.outcomes(_row(), event_tree=et))
    assert o[("G.3", "vce")].frequency == pytest.approx(1e-5 * 0.8 * 0.5 * 0.4, rel=1e-12)


def test_loc_outcomes_is_the_tree_of_outcomes():
    # outcomes() is loc_outcomes() for each LOC: the same list for the propane sphere (G.3 needs no rate below
    # 140 bar; G.2 is inventory / 600 s)
    row = _row()
    hz = fq.substance_hazard("propane")
    by_loc = []
    for loc in fq.loss_of_containment(row):
        rate = None if loc.instantaneous else (loc.mass_kg / 600.0 if loc.loc == "G.2" else 0.0)
        by_loc += fq.loc_outcomes(loc, hazard=hz, phase="liquefied_gas", rate_kg_s=rate)
    assert by_loc == fq.outcomes(row)


def test_loc_outcomes_pipe_rupture_natural_gas_by_hand():
    # CPR 18E ch. 4, continuous release of a low-reactive gas (natural gas): 2000 kg/s > 100 kg/s -> P_direct
    # 0.09 (Table 4.5) -> jet fire 0.09 × 1e-7; delayed 0.91 × (0.6 flash fire, 0.4 VCE) (§4.8)
    row = {"unit_id": "L", "kind": "pipe", "inventory_kg": 1e6, "diameter_m": 0.61, "pressure_pa": 6.4e6}
    opt = fq.FrequencyOptions(overrides=fq.FrequencyOverrides.from_dict({}, {"L": "pipe"}))
    rupture = fq.loss_of_containment(row, options=opt, pipe_length_m=1.0)[0]
    hz = fq.substance_hazard("天然气")
    o = {x.outcome: x for x in fq.loc_outcomes(rupture, hazard=hz, phase="gas", rate_kg_s=2000.0)}
    assert set(o) == {"jet_fire", "flash_fire", "vce"}
    assert o["jet_fire"].frequency == pytest.approx(1e-7 * 0.09, rel=1e-12)
    assert o["flash_fire"].frequency == pytest.approx(1e-7 * 0.91 * 0.6, rel=1e-12)
    assert o["vce"].frequency == pytest.approx(1e-7 * 0.91 * 0.4, rel=1e-12)
    with pytest.raises(ValueError, match="rate_kg_s"):
        fq.loc_outcomes(rupture, hazard=hz, phase="gas")
    with pytest.raises(ValueError, match="phase"):
        fq.loc_outcomes(rupture, hazard=hz, phase="plasma", rate_kg_s=1.0)


def test_gas_pump_needs_release_rate():
    with pytest.raises(ValueError, match="release_rate"):
        fq.outcomes(_row(kind="pump_station"))
    o = _by(fq.outcomes(_row(kind="pump_station"), release_rate=lambda row, loc: 50.0))
    assert o[("rupture", "jet_fire")].frequency == pytest.approx(1e-4 * 0.5, rel=1e-12)


def test_unknown_substance_needs_hazard():
    with pytest.raises(ValueError, match="hazard=SubstanceHazard"):
        fq.outcomes(_row(substance="unobtainium"))
    with pytest.raises(ValueError, match="reactivity='medium'"):
        fq.SubstanceHazard(flammable=True, toxic=False, reactivity="medium")
    with pytest.raises(ValueError, match="p_delayed_ignition"):
        fq.EventTreeOptions(p_delayed_ignition=1.5)
    with pytest.raises(ValueError, match="ignition_model='cox1990'"):
        fq.EventTreeOptions(ignition_model="cox1990")


def test_outcomes_frame():
    df = fq.outcomes_frame(pd.DataFrame([_row(), _row(unit_id="U2", substance="chlorine")]))
    assert set(df["unit_id"]) == {"U1", "U2"}
    assert set(df["outcome"]) <= set(fq.OUTCOME_KINDS)
    assert df.loc[df["unit_id"] == "U2", "frequency"].sum() == pytest.approx(5e-7 + 5e-7 + 1e-5, rel=1e-12)


@pytest.mark.parametrize(
    ("substance", "flammable", "toxic", "reactivity"),
    [
        ("propane", True, False, "average"),  # table 1 LPG row, W2
        ("甲烷", True, False, "low"),  # W2, Purple Book low reactivity
        ("chlorine", False, True, "average"),  # table 3 only
        ("一氧化碳", True, True, "low"),  # table 1 row 13 (W2) + table 3
        ("苯", True, False, "average"),  # W5.3
    ],
)
def test_hazard_from_gb18218(substance, flammable, toxic, reactivity):
    hz = fq.hazard_from_gb18218(substance)
    assert (hz.flammable, hz.toxic, hz.reactivity) == (flammable, toxic, reactivity)
    assert fq.hazard_from_gb18218("unobtainium") is None


@pytest.mark.parametrize(
    ("substance", "flammable", "toxic"),
    [
        ("液氨", True, True),
        ("硫化氢", True, True),
        ("甲醇", True, False),
        ("氯乙烯", True, False),
        ("光气", False, True),
        ("柴油", True, False),
    ],
)
def test_substance_hazard_from_records(substance, flammable, toxic):
    # analysis.physics.substances flags, with "toxic" kept for flammables only when GB 18218 classes them as toxic
    hz = fq.substance_hazard(substance)
    assert (hz.flammable, hz.toxic) == (flammable, toxic)


def test_to_scenario_release_conventions():
    o = {(x.loc, x.outcome): x for x in fq.outcomes(_row())}
    g1 = fq.to_scenario(o[("G.1", "fireball")])
    assert (g1.kind, g1.hole_diameter, g1.release_duration) == ("fireball", None, None)
    g2 = fq.to_scenario(o[("G.2", "jet_fire")])
    assert (g2.kind, g2.hole_diameter, g2.release_duration) == ("jet_fire", None, 600.0)
    g3 = fq.to_scenario(o[("G.3", "vce")], explosion_model="multi_energy")
    assert (g3.kind, g3.hole_diameter, g3.explosion_model) == ("vce", 0.010, "multi_energy")
    tox = next(x for x in fq.outcomes(_row(substance="chlorine")) if x.loc == "G.3")
    assert fq.to_scenario(tox).kind == "toxic"

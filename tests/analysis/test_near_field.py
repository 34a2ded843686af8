"""Loads inside model validity: every effect field states its source region and its near-field value.

Published forms used:
- TNO multi-energy, MSB B06-105 (2017) Table 4.2: the scaled overpressure is constant (the blast strength's peak
  overpressure) up to the end of its first segment — strength 7: Ps' = 1.0 for r' ≤ 0.48, strength 5: 0.2 for
  r' ≤ 0.60, strength 3: 0.05 for r' ≤ 0.61; the charge is a hemisphere of stoichiometric fuel-air mixture of
  3.5 MJ/m³ (van den Berg 1985; TNO Yellow Book CPR 14E §5.5.3), whose edge lies at r' = (3/(2π·3.5e6/p0))^(1/3) ≈
  0.24, inside that plateau.
- BST, ALOHA 5.4.4 Technical Documentation (2013) Table 15: the largest scaled overpressure of the Mach 5.2 curve is
  D = 20 (below x0 = 0.16).
- Pool fire: the flame's surface emissive power bounds the received heat flux (view factor ≤ 1; CCPS 2000 Eq.
  2.2.31); fireball: its emissive power (CCPS 1994).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from factories import installation_row

from analysis.constants import P_ATM
from analysis.physics import explosion as ex
from analysis.scenarios import (
    INSIDE_SOURCE_ZH,
    SCENARIO_LABELS_ZH,
    Scenario,
    WeatherClass,
    effect_field,
)
from analysis.scenarios.zones import ZoneLevel, threat_zones

W = WeatherClass(wind_speed=3.0, stability="D")
PROPANE = installation_row(
    substance="丙烷",
    phase="liquefied_gas",
    pressure_pa=1.0e6,
    temperature_k=298.15,
    inventory_kg=2.0e4,
    bund_area_m2=None,
    kind="spherical_tank",
    equipment_class="pressurized",
)
HYDROGEN = installation_row(
    substance="氢气",
    phase="gas",
    pressure_pa=1.0e7,
    temperature_k=300.0,
    inventory_kg=300.0,
    bund_area_m2=None,
)
GASOLINE = installation_row()
R = np.concatenate([[0.0], np.geomspace(0.01, 3000.0, 400)])


def _cloud_radius(field) -> float:
    e = field.model["fuel_mass"] * field.substance.heat_of_combustion
    return (3.0 * e / (2.0 * math.pi * ex.STOICHIOMETRIC_HC_AIR_ENERGY_DENSITY)) ** (1.0 / 3.0)


@pytest.mark.parametrize(("strength", "plateau"), [(7, 1.0), (5, 0.2), (3, 0.05)])  # MSB B06-105 Table 4.2
def test_multi_energy_near_field_is_the_blast_strengths_peak_overpressure(strength, plateau):
    f = effect_field(PROPANE, Scenario("vce", explosion_model="multi_energy", me_strength=strength), W)
    r0 = _cloud_radius(f)
    assert f.max_value("overpressure") == pytest.approx(plateau * P_ATM, rel=1e-9)
    assert f.overpressure(0.0, 0.0) == pytest.approx(plateau * P_ATM, rel=1e-9)
    assert f.inside_source(0.99 * r0, 0.0) and not f.inside_source(1.01 * r0, 0.0)
    assert f.overpressure(R, 0 * R).max() <= f.max_value("overpressure") * (1 + 1e-12)


def test_tnt_vce_is_held_at_the_cloud_edge_not_the_charge_curve():
    f = effect_field(PROPANE, Scenario("vce"), W)  # TNT equivalence, Kingery-Bulmash
    r0 = _cloud_radius(f)
    p_edge = float(ex.tnt_overpressure(f.model["tnt_mass"], r0))
    assert f.max_value("overpressure") == pytest.approx(p_edge, rel=1e-9)
    # the curve itself is far above that inside the cloud (what the tables used to show)
    assert float(ex.tnt_overpressure(f.model["tnt_mass"], 1.9)) > 10 * p_edge
    p = f.overpressure(R, 0 * R)
    assert p.max() <= p_edge * (1 + 1e-12)
    np.testing.assert_allclose(p[R < r0], p_edge)
    np.testing.assert_array_equal(f.inside_source(R, 0 * R), R < r0)
    i = f.impulse(R, 0 * R)
    assert i.max() <= f.max_value("impulse") * (1 + 1e-12)


def test_bst_never_exceeds_its_curves_maximum():
    f = effect_field(
        PROPANE,
        Scenario(
            "vce", explosion_model="bst", bst_reactivity="high", bst_confinement="3D", bst_congestion="high"
        ),
        W,
    )
    assert f.model["flame_speed_mach"] == 5.2
    p = f.overpressure(R, 0 * R)
    assert f.max_value("overpressure") <= 20.0 * P_ATM  # ALOHA 2013 Table 15, Mach 5.2: D = 20
    assert p.max() <= f.max_value("overpressure") * (1 + 1e-12)
    assert f.overpressure(0.0, 0.0) == pytest.approx(f.max_value("overpressure"))
    assert "impulse" not in f.near_field  # BST gives no impulse: no value is stated


def test_vessel_burst_is_held_at_the_vessel_wall_and_its_burst_pressure():
    f = effect_field(HYDROGEN, Scenario("vessel_burst"), W)
    r_v = (3.0 * f.model["volume"] / (4.0 * math.pi)) ** (1.0 / 3.0)
    assert f.max_value("overpressure") <= 1.0e7 - P_ATM
    assert f.inside_source(0.99 * r_v, 0.0) and not f.inside_source(1.01 * r_v, 0.0)
    assert f.overpressure(R, 0 * R).max() <= f.max_value("overpressure") * (1 + 1e-12)


def test_fires_state_their_emissive_power_and_flame_region():
    pool = effect_field(GASOLINE, Scenario("pool_fire"), W)
    sep = pool.model.surface_emissive_power
    assert pool.max_value("heat_flux") == pytest.approx(sep)
    xs, ys = np.meshgrid(np.linspace(-200, 200, 81), np.linspace(-200, 200, 81))
    assert pool.heat_flux(xs, ys).max() <= sep * (1 + 1e-9)
    assert pool.inside_source(0.0, 0.0) and not pool.inside_source(2.0 * pool.model.radius, 0.0)
    assert pool.heat_flux(0.0, 0.0) == pytest.approx(sep)
    ball = effect_field(PROPANE, Scenario("fireball"), W)
    assert ball.heat_flux(R, 0 * R).max() <= ball.max_value("heat_flux") * (1 + 1e-9)
    assert ball.inside_source(0.0, 0.0) and not ball.inside_source(ball.model.diameter, 0.0)
    jet = effect_field(PROPANE, Scenario("jet_fire", hole_diameter=0.05), W)
    assert jet.heat_flux(R, 0 * R).max() <= jet.max_value("heat_flux") * (1 + 1e-9)


def test_clouds_are_never_richer_than_the_pure_vapour():
    for kind in ("flash_fire", "toxic"):
        row = (
            PROPANE
            if kind == "flash_fire"
            else installation_row(
                substance="液氯",
                phase="liquefied_gas",
                pressure_pa=8.0e5,
                temperature_k=298.15,
                inventory_kg=5.0e4,
                bund_area_m2=None,
            )
        )
        f = effect_field(row, Scenario(kind, hole_diameter=0.05), W)
        c = f.concentration(R, 0 * R)
        assert c.max() <= f.max_value("concentration") * (1 + 1e-12)
    ff = effect_field(PROPANE, Scenario("flash_fire", hole_diameter=0.05), W)
    inside = ff.inside_source(R, 0 * R)
    np.testing.assert_array_equal(inside, ff.concentration(R, 0 * R) >= ff.lfl_concentration)


def test_zone_above_the_models_maximum_is_empty():
    f = effect_field(PROPANE, Scenario("vce", explosion_model="multi_energy", me_strength=5), W)
    p_max = f.max_value("overpressure")
    over, below = (
        ZoneLevel(quantity="overpressure", threshold=k * p_max, name=n, label_zh=n, source="test")
        for k, n in ((1.01, "above"), (0.99, "below"))
    )
    zones = threat_zones(PROPANE, f.scenario, W, crs="EPSG:32650", levels=(over, below), field=f).set_index(
        "level"
    )
    assert zones.loc["above"].geometry.is_empty
    assert zones.loc["below"].geometry.area > 0


# ------------------------------------------------------------------------------------------ demo park tables
def test_demo_domino_edges_within_the_models_maximum(demo_park):
    from analysis import domino

    e = domino.analyze(demo_park, scenarios=("pool_fire", "fireball", "vce"), n_samples=50, max_level=1).edges
    assert {"inside_source", "near_field_load"} <= set(e.columns)
    assert (e["load"] <= e["near_field_load"] * (1 + 1e-9)).all()
    assert e["inside_source"].any()  # the demo's adjacent spheres stand inside each other's clouds
    flagged = e[e["inside_source"]]
    np.testing.assert_allclose(flagged["load"], flagged["near_field_load"])


def test_demo_five_rooms_within_the_models_maximum(demo_park):
    from analysis import scenarios as sc
    from analysis.regulation.siting_checks import five_rooms_check

    df = five_rooms_check(demo_park)
    inst = demo_park.metric("installations").set_index("unit_id")
    kind_of = {v: k for k, v in SCENARIO_LABELS_ZH.items()}
    w = sc.WeatherClass(wind_speed=5.0, stability="D")
    for _, r in df[df["overpressure"] > 0].iterrows():
        unit, label = r["overpressure_source"].split(" ", 1)
        kind = kind_of[label]
        row = inst.loc[unit].to_dict() | {"unit_id": unit}
        f = sc.effect_field(row, sc.Scenario(kind), w)
        assert r["overpressure"] <= f.max_value("overpressure") * (1 + 1e-9), r["building_id"]
    assert df["overpressure_inside_source"].any()
    inside = df[df["overpressure_inside_source"]]
    assert inside["reason_zh"].str.contains(INSIDE_SOURCE_ZH).all()

"""VCE blast models in the scenario glue: the field equals the multi-energy / BST model it calls.

The blast curves themselves are validated against published values in tests/analysis/test_vce.py; here the glue is
checked: the cloud's combustion energy drives the chosen method, the options are validated, and the BST method,
which has no impulse curves, never reports a made-up impulse.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from analysis.physics import vce
from analysis.scenarios import Scenario, Weather, effect_field

WEATHER = Weather(wind_speed=2.0, wind_from_deg=45.0, stability="D")
PROPANE = pd.Series(
    dict(
        unit_id="V1",
        enterprise_id="E1",
        name="丙烷球罐",
        kind="spherical_tank",
        equipment_class="pressurized",
        substance="丙烷",
        inventory_kg=2.0e5,
        phase="liquefied_gas",
        pressure_pa=9.0e5,
        temperature_k=293.15,
        volume_m3=400.0,
        diameter_m=9.2,
        height_m=9.2,
        bund_area_m2=None,
        hazardous_process=None,
        geometry=Point(500_000.0, 3_380_000.0),
    )
)
R = np.array([30.0, 100.0, 300.0, 1000.0])


@pytest.mark.parametrize("strength", [4, 7, 10])
def test_multi_energy_field_equals_the_model(strength):
    ef = effect_field(PROPANE, Scenario("vce", explosion_model="multi_energy", me_strength=strength), WEATHER)
    energy = ef.model["energy"]
    assert energy > 0
    # outside the exploding cloud the field is the model; inside it, the model's value at the cloud edge
    out = ~np.asarray(ef.inside_source(R, 0 * R))
    assert out[1:].all()
    np.testing.assert_allclose(
        ef.overpressure(R, 0 * R)[out],
        vce.multi_energy_overpressure(energy, R[out], strength=strength),
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        ef.impulse(0 * R, R)[out], vce.multi_energy_impulse(energy, R[out], strength=strength), rtol=1e-12
    )
    assert np.all(ef.overpressure(R, 0 * R) <= ef.max_value("overpressure") * (1 + 1e-12))


def test_bst_field_equals_the_model_and_has_no_impulse():
    sc = Scenario(
        "vce", explosion_model="bst", bst_reactivity="medium", bst_confinement="3D", bst_congestion="high"
    )
    ef = effect_field(PROPANE, sc, WEATHER)
    mach = vce.bst_flame_speed("medium", "3D", "high")
    np.testing.assert_allclose(
        ef.overpressure(R, 0 * R),
        vce.bst_overpressure(ef.model["energy"], R, flame_speed_mach=mach),
        rtol=1e-12,
    )
    assert np.all(np.isnan(ef.impulse(R, 0 * R)))


def test_multi_energy_and_tnt_use_the_same_cloud():
    tnt = effect_field(PROPANE, Scenario("vce"), WEATHER)
    me = effect_field(PROPANE, Scenario("vce", explosion_model="multi_energy"), WEATHER)
    assert me.model["fuel_mass"] == pytest.approx(tnt.model["fuel_mass"])


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        (dict(me_strength=11), r"me_strength.*11.*1–10"),
        (dict(me_strength=0), r"me_strength.*0"),
        (dict(bst_confinement="4D"), r"bst_confinement.*'4D'.*2\.5D"),
        (dict(bst_reactivity="extreme"), r"bst_reactivity.*'extreme'"),
        (
            dict(explosion_model="bst", overpressure_probit="tno_structural_collapse"),
            r"overpressure_probit.*tno_structural_collapse.*冲量",
        ),
    ],
)
def test_bad_blast_options_are_refused(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        Scenario("vce", **kwargs)


def test_chinese_practice_zones_are_the_radii_of_the_cloud_mass():
    # 国内安全评价常用方法: W = 1.8 α W_f Q_f / Q_TNT from the VCE field's flammable mass, then the four radii of
    # analysis.physics.explosion_cn (checked there against published Chinese worked examples) as circles
    from analysis.errors import ScenarioNotApplicableError
    from analysis.physics import explosion_cn as cn
    from analysis.scenarios.cn_practice import cn_practice_zones

    f = effect_field(PROPANE, Scenario("vce"), WEATHER)
    z = cn_practice_zones(PROPANE, Scenario("vce"), WEATHER, crs="EPSG:32650", field=f)
    w = 1.8 * 0.04 * f.model["fuel_mass"] * f.source.substance.heat_of_combustion / 4.52e6
    assert z.attrs["tnt_mass"] == pytest.approx(w, rel=1e-12)
    expected = [
        cn.death_radius_cn(w),
        cn.serious_injury_radius_cn(w),
        cn.light_injury_radius_cn(w),
        cn.property_damage_radius_cn(w),
    ]
    np.testing.assert_allclose(z["max_distance"], expected, rtol=1e-12)
    np.testing.assert_allclose(z["area_m2"], np.pi * np.square(expected), rtol=1e-4)  # 1024-gon
    assert list(z["level"]) == ["死亡区", "重伤区", "轻伤区", "财产损失区"]
    with pytest.raises(ScenarioNotApplicableError, match="vce"):
        cn_practice_zones(PROPANE, Scenario("fireball"), WEATHER, crs="EPSG:32650")

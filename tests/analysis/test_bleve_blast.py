"""BLEVE blast energy and the overpressure of a bursting vessel (analysis.physics.bleve_blast).

Published worked example: Planas-Cuchi, E., Salla, J. M. & Casal, J. (2004). Calculating overpressure from BLEVE
explosions. J. Loss Prev. Process Ind. 17, 431-436, §3.3 "Example of application", Tables 1 and 2: a 250 m³ tank
filled to 80 % with propane at 20 °C (100 956 kg), heated by a fire to 55 °C (1901 kPa) and bursting.
Printed: ΔU = 2490 MJ for the adiabatic irreversible expansion and 6410 MJ for the isentropic one (Table 2, three
significant figures); final vapour fraction 0.591 and total volume 24 752 m³ (irreversible) and 0.4898
(isentropic) (Table 1); with β = 0.4 (ductile failure) and 4680 J/g: 212 kg and 548 kg of TNT; at 180 m 4.0 and
5.3 kPa read on a printed TNT curve (two significant figures).

The paper's properties are those of the Tillner-Roth (1998) propane equation of state; ours are thermo's
correlations (liquid heat capacity integrated along saturation, cubic-EOS vapour density), hence the tolerances:
0.5 % on the irreversible work (the method's default), 5 % on the isentropic one, whose final state depends on the
entropy of the saturated liquid (∫cp/T dT: 0.902 vs the paper's 0.894 kJ/(kg·K) between −42 and 55 °C).
"""

from __future__ import annotations

import numpy as np
import pytest

import analysis.consequence as csq
from analysis.errors import AnalysisInputError, OutsideModelRangeError
from analysis.physics import bleve_blast as bb
from analysis.physics import substances

# Planas-Cuchi et al. (2004) §3.3, Table 1 "explosion state"
PROPANE_CASE = dict(mass=100_956.0, temperature=273.15 + 55.0, substance="propane", volume=250.0)
PUBLISHED_DU = {"planas_cuchi2004": 2490e6, "isentropic": 6410e6}  # [J], Table 2
PUBLISHED_TNT = {"planas_cuchi2004": 212.0, "isentropic": 548.0}  # [kg], §3.3
TOLERANCE = {"planas_cuchi2004": 0.005, "isentropic": 0.05}


@pytest.mark.parametrize("method", ["planas_cuchi2004", "isentropic"])
def test_expansion_work_planas_cuchi_2004_table_2(method):
    du = bb.bleve_expansion_work(**PROPANE_CASE, method=method)
    assert du == pytest.approx(PUBLISHED_DU[method], rel=TOLERANCE[method])


@pytest.mark.parametrize("method", ["planas_cuchi2004", "isentropic"])
def test_blast_energy_tnt_mass_planas_cuchi_2004(method):
    # β = 0.4 (ductile failure), 4680 J/g TNT; printed 212 kg and 548 kg (rounded to 1 kg)
    e = csq.bleve_blast_energy(**PROPANE_CASE, pressure=1901e3, method=method)
    assert e / 4.68e6 == pytest.approx(PUBLISHED_TNT[method], rel=TOLERANCE[method])
    assert e == pytest.approx(0.4 * bb.bleve_expansion_work(**PROPANE_CASE, method=method), rel=1e-12)


def test_irreversible_final_state_planas_cuchi_2004_table_1():
    # Table 1, fourth column: vapour fraction 0.591, total volume 24 752 m³ at 101.3 kPa; ΔU = P0 ΔV (Eq. 9)
    du = bb.bleve_expansion_work(**PROPANE_CASE)
    v_final = 250.0 + du / 101325.0
    assert v_final == pytest.approx(24_752.0, rel=0.005)


def test_issue_keyword_form_and_brittle_fraction():
    kw = dict(mass=100_956.0, temperature=328.15, pressure=1.901e6, substance="propane")
    ductile = csq.bleve_blast_energy(**kw, volume=250.0)
    brittle = csq.bleve_blast_energy(**kw, volume=250.0, blast_fraction=bb.BLEVE_BLAST_FRACTION_BRITTLE)
    assert brittle == pytest.approx(2.0 * ductile, rel=1e-12)  # [1] §3.1: 80 % vs 40 %
    # without the vessel volume the vapour space is left out: slightly less work, never more
    full = csq.bleve_blast_energy(**kw)
    assert 0.95 * ductile < full < ductile


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        ({"temperature": 220.0, "pressure": 6.0e4}, OutsideModelRangeError, "沸点"),
        ({"pressure": 1.0e6}, AnalysisInputError, "饱和蒸气压"),
        ({"volume": 100.0}, AnalysisInputError, "volume"),
        ({"method": "prugh"}, AnalysisInputError, "method"),
        ({"blast_fraction": 1.5}, AnalysisInputError, "blast_fraction"),
    ],
)
def test_bad_inputs_are_named(change, error, match):
    kw = dict(mass=100_956.0, temperature=328.15, pressure=1.901e6, substance="propane", volume=250.0)
    with pytest.raises(error, match=match):
        csq.bleve_blast_energy(**{**kw, **change})


@pytest.mark.parametrize(("tnt_kg", "printed_kpa", "rtol"), [(548.0, 5.3, 0.03), (212.0, 4.0, 0.15)])
def test_vessel_burst_overpressure_planas_cuchi_2004_section_3_3(tnt_kg, printed_kpa, rtol):
    # §3.3: "for the distance of 180 m, the plot of overpressure vs. scaled distance for TNT gives 5.3 and 4.0 kPa".
    # The paper reads a printed TNT curve (Van den Berg & Lannoy 1993); ours is Kingery-Bulmash (1984)
    # hemispherical: 5.38 kPa (+1.5 %) and 3.53 kPa (−12 %), the second within the spread between TNT curves at
    # Z = 30 m/kg^(1/3) (the paper's figure is not reproduced; the tolerance says so).
    p = csq.vessel_burst_overpressure(energy=tnt_kg * 4.68e6, distance=180.0)
    assert float(p) == pytest.approx(printed_kpa * 1e3, rel=rtol)


def test_vessel_burst_overpressure_near_field_refused_and_capped():
    e = 1.0e9
    with pytest.raises(OutsideModelRangeError, match="爆源范围内"):
        csq.vessel_burst_overpressure(energy=e, distance=[0.1, 50.0])
    p = csq.vessel_burst_overpressure(energy=e, distance=np.array([5.0, 50.0]), burst_pressure=2.0e5)
    assert p.max() <= 2.0e5 - 101325.0 + 1e-9
    assert float(csq.vessel_burst_overpressure(energy=0.0, distance=10.0)) == 0.0
    i = bb.vessel_burst_impulse_from_energy(energy=e, distance=50.0)
    assert float(i) == pytest.approx(float(csq.tnt_impulse(e / 4.68e6, 50.0)), rel=1e-12)


# ---------------------------------------------------------------------------------------------------------------
# Use in scenarios, domino and 五室 (wiring: the scenario's field is the physics above, at the installation's state)
# ---------------------------------------------------------------------------------------------------------------
def _propane_sphere(**changes):
    from factories import installation_row

    base = dict(
        substance="丙烷",
        phase="liquefied_gas",
        inventory_kg=100_956.0,
        pressure_pa=1.901e6,
        temperature_k=328.15,
        volume_m3=250.0,
        equipment_class="pressurised",
        diameter_m=None,
        height_m=None,
        bund_area_m2=None,
    )
    base.update(changes)
    return installation_row(**base)


def test_applicable_to_pressurised_liquefied_gas_only():
    from analysis import scenarios as sc

    kinds = [o.kind for o in sc.applicable_scenarios(_propane_sphere())]
    assert "bleve_blast" in kinds and "fireball" in kinds  # the blast beside the fireball
    chlorine = _propane_sphere(substance="液氯", pressure_pa=7.5e5, temperature_k=293.15)
    assert "bleve_blast" in [o.kind for o in sc.applicable_scenarios(chlorine)]  # non-flammable too
    for other in (
        _propane_sphere(substance="氢气", phase="gas", pressure_pa=2.0e7, temperature_k=293.15),
        _propane_sphere(substance="汽油", phase="liquid", pressure_pa=101325.0, temperature_k=293.15),
    ):
        assert "bleve_blast" not in [o.kind for o in sc.applicable_scenarios(other)]


def test_scenario_field_is_the_planas_cuchi_blast():
    from analysis import scenarios as sc

    ef = sc.effect_field(_propane_sphere(), sc.Scenario("bleve_blast"), sc.WeatherClass(5.0, "D"))
    assert ef.quantity == "overpressure"
    psat = float(substances.get("丙烷").vapour_pressure(328.15))
    e = csq.bleve_blast_energy(**PROPANE_CASE, pressure=psat)
    assert ef.model["energy"] == pytest.approx(e, rel=1e-9)
    assert ef.model["tnt_mass"] == pytest.approx(212.0, rel=0.01)  # [1] §3.3, irreversible, β = 0.4
    r = np.array([50.0, 180.0, 400.0])
    np.testing.assert_allclose(
        ef.overpressure(r, 0.0), csq.vessel_burst_overpressure(energy=e, distance=r), rtol=1e-9
    )
    # inside the vessel (sphere of 250 m³, r = 3.9 m) the load is the value at its wall, flagged
    r_v = (3 * 250.0 / (4 * np.pi)) ** (1 / 3)
    assert bool(ef.inside_source(1.0, 0.0)) and not bool(ef.inside_source(r_v + 0.1, 0.0))
    assert float(ef.overpressure(0.0, 0.0)) == pytest.approx(float(ef.overpressure(r_v, 0.0)), rel=1e-9)
    assert float(ef.overpressure(0.0, 0.0)) <= ef.model["pressure"] - 101325.0
    assert 0.0 < float(ef.probability_of_death(20.0, 0.0)) <= 1.0
    with pytest.raises(AnalysisInputError, match="瞬时释放"):
        sc.effect_field(
            _propane_sphere(), sc.Scenario("bleve_blast", hole_diameter=0.05), sc.WeatherClass(5.0, "D")
        )


def test_domino_and_five_rooms_use_the_bleve_blast():
    from analysis import domino
    from analysis.regulation import siting_checks

    assert domino.PRIMARY_KINDS["bleve_blast"] == "overpressure"
    assert "bleve_blast" in siting_checks._BLAST_SCENARIOS


def test_five_rooms_load_of_a_chlorine_tank_is_its_bleve_blast():
    # a liquefied toxic gas has no VCE: the only blast load on a control room 30 m away is the BLEVE blast
    import geopandas as gpd
    import shapely

    from analysis import scenarios as sc
    from analysis.regulation import siting_checks
    from geodata import Park

    lon, lat, deg_m = 113.70, 29.88, 1.0 / 96_500.0
    layers = {
        "parks": gpd.GeoDataFrame(
            {"park_id": ["P"], "name": ["测试园区"]},
            geometry=[shapely.box(lon - 0.01, lat - 0.01, lon + 0.01, lat + 0.01)],
            crs=4326,
        ),
        "installations": gpd.GeoDataFrame(
            {
                "unit_id": ["CL1"],
                "enterprise_id": ["E1"],
                "name": ["液氯储罐"],
                "kind": ["storage_tank"],
                "equipment_class": ["pressurized"],
                "substance": ["液氯"],
                "inventory_kg": [72_000.0],
                "phase": ["liquefied_gas"],
                "pressure_pa": [7.5e5],
                "temperature_k": [293.15],
                "volume_m3": [60.0],
            },
            geometry=[shapely.Point(lon, lat).buffer(2.0 * deg_m)],
            crs=4326,
        ),
        "buildings": gpd.GeoDataFrame(
            {
                "building_id": ["B1"],
                "enterprise_id": ["E1"],
                "name": ["控制室"],
                "use": ["control_room"],
                "occupants": [6],
                "blast_resistant": [False],
            },
            geometry=[shapely.box(lon + 30 * deg_m, lat - 5 * deg_m, lon + 40 * deg_m, lat + 5 * deg_m)],
            crs=4326,
        ),
    }
    park = Park.from_layers(layers, validate=False)
    row = siting_checks.five_rooms_check(park, search_radius=500.0).set_index("building_id").loc["B1"]
    assert "BLEVE" in row["overpressure_source"]
    unit = park.metric("installations").iloc[0]
    ef = sc.effect_field(unit, sc.Scenario("bleve_blast"), sc.WeatherClass(5.0, "D"))
    assert row["overpressure"] == pytest.approx(float(ef.overpressure(row["distance_m"], 0.0)), rel=1e-6)

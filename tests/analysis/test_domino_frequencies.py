"""Primary-event frequencies of the blast of a bursting vessel (bleve_blast, vessel_burst) in the domino analysis.

Rule (analysis/domino/frequencies.py): the blast follows every instantaneous catastrophic rupture of the vessel,
so its frequency is the unit's LOC G.1 ("instantaneous release of the complete inventory") of the Purple Book,
CPR 18E ch. 3, §3.2.1: 5×10⁻⁷ /a for a pressure vessel (storage), 5×10⁻⁶ /a for a process vessel — the values of
the project's table analysis/data/purple_book_cpr18e_loc_frequencies.csv, which cites §3.2.1 (its header says the
values are recalled from the book, not copied from it).
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
from factories import LAT0, LON0, gasoline_tank, installation_row, local_point
from shapely.geometry import box

from analysis import domino
from analysis.domino.frequencies import rupture_frequency
from analysis.qra import frequencies as fq
from geodata import Park

#: CPR 18E §3.2.1, LOC G.1 of a pressure vessel (storage). [1/a]
PB_G1_PRESSURE_VESSEL = 5e-7
#: CPR 18E §3.2.1, LOC G.1 of a process vessel. [1/a]
PB_G1_PROCESS_VESSEL = 5e-6


def _lpg_bullet(**changes):
    kw = dict(
        unit_id="B1",
        kind="bullet_tank",
        equipment_class="pressurized",
        substance="液化石油气",
        phase="liquefied_gas",
        inventory_kg=5.0e4,
        pressure_pa=8.0e5,
        volume_m3=100.0,
        diameter_m=3.0,
        bund_area_m2=None,
    )
    kw.update(changes)
    return installation_row(**kw)


def test_the_project_table_holds_the_purple_book_g1_values():
    t = fq._loc_table("purple_book_1999")
    g1 = t[t["loc"] == "G.1"].set_index("equipment")
    assert g1.loc["pressure_vessel", "frequency"] == PB_G1_PRESSURE_VESSEL
    assert g1.loc["pressure_vessel", "section"] == "3.2.1"
    assert g1.loc["process_vessel", "frequency"] == PB_G1_PROCESS_VESSEL


def test_bleve_blast_frequency_is_the_g1_of_a_pressure_vessel():
    assert rupture_frequency(dict(_lpg_bullet())) == pytest.approx(PB_G1_PRESSURE_VESSEL, rel=1e-12)
    # independent of ignition: a toxic, non-flammable liquefied gas (chlorine) has the same BLEVE-blast frequency
    chlorine = _lpg_bullet(substance="液氯", pressure_pa=7.5e5)
    assert rupture_frequency(dict(chlorine)) == pytest.approx(PB_G1_PRESSURE_VESSEL, rel=1e-12)
    assert rupture_frequency(dict(_lpg_bullet(kind="spherical_tank"))) == pytest.approx(PB_G1_PRESSURE_VESSEL)


def test_vessel_burst_frequency_is_the_g1_of_a_process_vessel():
    row = _lpg_bullet(
        kind="process_unit", substance="氢气", phase="gas", pressure_pa=2.8e6, equipment_class=None
    )
    assert rupture_frequency(dict(row)) == pytest.approx(PB_G1_PROCESS_VESSEL, rel=1e-12)


def test_no_burst_blast_for_atmospheric_or_uncovered_units():
    assert math.isnan(rupture_frequency(dict(installation_row())))  # atmospheric gasoline tank
    # a storage tank exactly at the pressurised limit is an atmospheric tank for the LOC table: none
    at_limit = installation_row(pressure_pa=1.5e5, phase="liquefied_gas", substance="液化石油气")
    assert math.isnan(rupture_frequency(dict(at_limit)))
    assert math.isnan(rupture_frequency(dict(_lpg_bullet(pressure_pa=None))))
    assert math.isnan(rupture_frequency(dict(_lpg_bullet(kind="cylinder_store"))))  # not in the LOC source


@pytest.fixture(scope="module")
def sphere_park():
    """An LPG sphere (E2) 15 m east of the park origin next to a gasoline tank of E1 20 m west of it."""
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
    sphere = dict(
        _lpg_bullet(
            unit_id="S1",
            enterprise_id="E2",
            kind="spherical_tank",
            inventory_kg=5e5,
            volume_m3=1000.0,
            diameter_m=12.3,
            height_m=None,
        )
    )
    sphere["geometry"] = local_point(15.0, 0.0)
    inst = gpd.GeoDataFrame([gasoline_tank("T1", "E1", -20.0), sphere], geometry="geometry", crs=crs)
    return Park.from_layers({"parks": parks, "enterprises": ents, "installations": inst}, validate=False)


@pytest.fixture(scope="module")
def blast_result(sphere_park):
    return domino.analyze(sphere_park, scenarios=("bleve_blast",), n_samples=500, max_level=1)


def test_bleve_blast_primary_and_its_secondary_frequency(blast_result):
    res = blast_result
    pe = res.primary_events.set_index(["source", "scenario"])
    assert pe.loc[("S1", "bleve_blast"), "frequency"] == pytest.approx(PB_G1_PRESSURE_VESSEL, rel=1e-12)
    f = res.frequencies
    blast = f[(f["primary_unit"] == "S1") & (f["primary_scenario"] == "bleve_blast")]
    assert len(blast) >= 1 and blast["f_secondary"].notna().all()
    np.testing.assert_allclose(blast["f_primary"], PB_G1_PRESSURE_VESSEL, rtol=1e-12)
    np.testing.assert_allclose(blast["f_secondary"], PB_G1_PRESSURE_VESSEL * blast["p_involved"], rtol=1e-12)
    assert (blast["f_secondary"] > 0).any()


def test_risk_engine_takes_the_bleve_blast_secondary_event_through_the_targets_own_tree(
    sphere_park, blast_result
):
    # the frequency a BLEVE blast of S1 adds to the tank T1 goes to T1's G.1 and through T1's own event tree
    from analysis.qra import individual as risk

    res = blast_result
    f = res.frequencies
    added = float(f.loc[f["target"] == "T1", "f_secondary"].sum())
    assert added > 0
    base = risk.outcome_table(sphere_park, units=["T1"])
    plus = risk.outcome_table(sphere_park, units=["T1"], domino_frequencies=res)
    g1 = base.loc[base["loc"] == "G.1", "frequency"].sum()
    assert plus.loc[plus["loc"] == "G.1", "frequency"].sum() - g1 == pytest.approx(added, rel=1e-9)
    assert set(plus["outcome"]) == set(base["outcome"])

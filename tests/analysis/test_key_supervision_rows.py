"""两重点一重大 and GB 18218 grades of a whole park without a table or a row Series per installation or enterprise
(issue 19: the overview's header numbers of a 1,500-installation park), a park without installations, and an
enterprise's grade over several major units.

Expected grades follow GB 18218-2018 formula (2) and tables 3, 5 and 6 as worked by hand in
tests/analysis/test_major_hazard.py (chlorine Q = 5 t, β = 4; α = 2 for 100 people; grade 2 for 50 ≤ R < 100,
grade 3 for 10 ≤ R < 50).
"""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from analysis.regulation import gb18218 as mh
from analysis.regulation.key_supervision import ENTERPRISE_COLUMNS, UNIT_COLUMNS, two_key_one_major
from geodata import Park
from tests.analysis.test_major_hazard import _FakePark
from tests.analysis.test_major_hazard import _park as _graded_park
from tests.factories import small_park_layers


def _no_iterrows(monkeypatch):
    def refuse(self):
        raise AssertionError("a row Series per installation")

    monkeypatch.setattr(pd.DataFrame, "iterrows", refuse)


def test_enterprise_grade_over_two_major_units_without_row_series(monkeypatch):
    park = _graded_park()
    inst = park.metric("installations")
    extra = gpd.GeoDataFrame(
        {
            "unit_id": ["W2"],
            "enterprise_id": ["E1"],
            "kind": ["warehouse"],
            "substance": ["chlorine"],
            "inventory_kg": [25e3],
        },
        geometry=[Point(120, 120)],
        crs=inst.crs,
    )
    layers = {n: park.metric(n) for n in ("enterprises", "sensitive_targets")}
    layers["installations"] = pd.concat([inst, extra], ignore_index=True)
    mh.enterprise_grades(park)  # the GB 18218 tables are read (once per process) before iterrows is refused
    _no_iterrows(monkeypatch)
    units, ents = mh.enterprise_grades(_FakePark(layers))
    u = units.set_index("unit")
    # tank farm: 50 t chlorine, S = 10, R = 2 × 4 × 10 = 80 (grade 2); warehouse W2: 25 t, S = 5, R = 40 (grade 3)
    assert u.at["E1/warehouse:W2", "R"] == pytest.approx(40.0) and u.at["E1/warehouse:W2", "grade"] == 3
    assert u.at["E1/tank_farm", "unit_ids"] == "T1,T2"
    e = ents.set_index("enterprise_id")
    assert e.at["E1", "n_major_units"] == 2 and e.at["E1", "major_hazard_grade"] == 2
    assert e.at["E1", "max_R"] == pytest.approx(80.0)
    assert e.at["E2", "n_major_units"] == 0 and pd.isna(e.at["E2", "major_hazard_grade"])
    assert math.isnan(e.at["E2", "max_R"]) and str(ents["major_hazard_grade"].dtype) == "Int64"


def test_a_callers_unit_key_still_reads_the_whole_row():
    park = _graded_park()
    units, _ = mh.enterprise_grades(park, unit_key=lambda r: f"{r['enterprise_id']}/{r.geometry.x > 100}")
    assert set(units["unit"]) == {"E1/False", "E1/True", "E2/True"}


def test_park_without_installations_has_no_legs():
    layers = small_park_layers()
    layers["installations"] = layers["installations"].iloc[:0]
    park = Park.from_layers(layers, validate=False)
    res = two_key_one_major(park)
    assert list(res.units.columns) == list(UNIT_COLUMNS) and len(res.units) == 0
    assert list(res.enterprises.columns) == list(ENTERPRISE_COLUMNS)
    assert list(res.enterprises["enterprise_id"]) == list(park.enterprises["enterprise_id"])
    assert not res.enterprises["two_key_one_major"].any()
    assert (res.enterprises[["n_key_chemical_units", "n_process_units", "n_major_units"]] == 0).all().all()
    assert res.counts["units"] == 0 and res.counts["two_key_one_major_enterprises"] == 0


def test_grades_read_the_installations_without_projecting_them():
    park = Park.from_layers(small_park_layers(), validate=False)
    projected: list[str] = []
    real = park.metric

    def metric(layer):
        projected.append(layer)
        return real(layer)

    park.metric = metric
    units, _ = mh.enterprise_grades(park)
    assert "installations" not in projected and {"enterprises", "sensitive_targets"} <= set(projected)
    assert len(units) and set(units["enterprise_id"]) <= set(park.enterprises["enterprise_id"])

"""GB 18218-2018 identification and grading: tables, formulas (1)–(2), a published worked example."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from analysis.regulation import gb18218 as mh


# ---------------------------------------------------------------------------------------------------------------
# Table 6: grade vs R (R ≥ 100 grade 1; 100 > R ≥ 50 grade 2; 50 > R ≥ 10 grade 3; R < 10 grade 4)
# ---------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("r", "expected"),
    [(0.0, 4), (9.999, 4), (10.0, 3), (49.99, 3), (50.0, 2), (99.99, 2), (100.0, 1), (1e4, 1)],
)
def test_grade_table6_bounds(r, expected):
    # GB 18218-2018 table 6 (same bounds in SAWS order 40 (2011) 附件1 表4): lower bounds inclusive
    g = mh.grade(r)
    assert g == expected
    assert isinstance(g, int)


def test_grade_broadcasts_to_int_array():
    g = mh.grade(np.array([[5.0, 10.0], [50.0, 100.0]]))
    assert g.dtype.kind == "i"
    np.testing.assert_array_equal(g, [[4, 3], [2, 1]])


@pytest.mark.parametrize("bad", [-1.0, float("nan")])
def test_grade_rejects_bad_r(bad):
    with pytest.raises(ValueError, match="r_value"):
        mh.grade(bad)


# ---------------------------------------------------------------------------------------------------------------
# Table 5: α by people within 500 m (≥100: 2.0; 50–99: 1.5; 30–49: 1.2; 1–29: 1.0; 0: 0.5)
# ---------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("people", "expected"),
    [(0, 0.5), (1, 1.0), (29, 1.0), (30, 1.2), (49, 1.2), (50, 1.5), (99, 1.5), (100, 2.0), (5000, 2.0)],
)
def test_alpha_table5(people, expected):
    # GB 18218-2018 table 5; SAWS order 40 (2011) 附件1 表3
    assert mh.alpha(people) == pytest.approx(expected, abs=0)


def test_alpha_broadcasts():
    a = mh.alpha([0, 10, 35, 75, 150])
    np.testing.assert_array_equal(a, [0.5, 1.0, 1.2, 1.5, 2.0])


@pytest.mark.parametrize("bad", [-1, float("nan"), [3, -2]])
def test_alpha_rejects_bad_counts(bad):
    with pytest.raises(ValueError, match="people"):
        mh.alpha(bad)


# ---------------------------------------------------------------------------------------------------------------
# Tables 1–4
# ---------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("substance", "q_t"),
    [
        ("chlorine", 5),
        ("7664-41-7", 10),
        ("液化石油气", 50),
        ("hydrogen", 5),
        ("光气", 0.3),
        ("甲醇", 500),
        ("gasoline", 200),
        ("苯", 50),
        ("乙炔", 1),
        ("异氰酸甲酯", 0.75),
        ("硝酸钾", 1000),
        ("propane", 50),
    ],
)
def test_critical_quantity_table1(substance, q_t):
    # GB 18218-2018 table 1 (published in t; API in kg)
    assert mh.critical_quantity(substance) == pytest.approx(q_t * 1000.0, rel=1e-12)


def test_table1_has_85_rows():
    # GB 18218-2018 table 1 lists 85 named substances
    t = mh.table1()
    assert len(t) == 85
    assert list(t["no"]) == list(range(1, 86))


@pytest.mark.parametrize(
    ("substance", "beta"),
    [
        ("一氧化碳", 2),
        ("二氧化硫", 2),
        ("氨", 2),
        ("环氧乙烷", 2),
        ("氯化氢", 3),
        ("溴甲烷", 3),
        ("氯", 4),
        ("硫化氢", 5),
        ("氟化氢", 5),
        ("二氧化氮", 10),
        ("氰化氢", 10),
        ("碳酰氯", 20),
        ("磷化氢", 20),
        ("异氰酸甲酯", 20),
    ],
)
def test_beta_table3_named_toxic_gases(substance, beta):
    # GB 18218-2018 table 3; identical in SAWS order 40 (2011) 附件1 表2
    cat = "W2" if substance == "一氧化碳" else None  # CO is not in table 1: Q needs its category
    assert mh.beta(substance, category=cat) == beta


@pytest.mark.parametrize(
    ("category", "q_t", "beta"),
    [
        ("J1", 5, 4),
        ("J3", 50, 2),
        ("W1.1", 1, 2),
        ("W2", 10, 1.5),
        ("W5.1", 10, 1.5),
        ("W5.3", 1000, 1),
        ("W5.4", 5000, 1),
        ("W9.2", 200, 1),
    ],
)
def test_tables_2_and_4_by_category(category, q_t, beta):
    # GB 18218-2018 table 2 (Q by category) and table 4 (β by category)
    c = mh.classify("some unlisted substance", category=category)
    assert c.q_kg == pytest.approx(q_t * 1000.0)
    assert c.beta == beta
    assert c.source == "table2"


def test_beta_of_table1_flammable_gas_from_table4():
    # hydrogen, LPG: table 1 but not table 3 -> table 4, flammable gas W2 -> 1.5
    assert mh.beta("hydrogen") == 1.5
    assert mh.beta("液化石油气") == 1.5


def test_unknown_substance_needs_category():
    with pytest.raises(ValueError, match="not named in GB 18218-2018 table 1"):
        mh.critical_quantity("unobtainium")


def test_bad_category_lists_valid():
    with pytest.raises(ValueError, match=r"category='W99'.*valid: \['J1'"):
        mh.classify("chlorine", category="W99")


# ---------------------------------------------------------------------------------------------------------------
# Formulas (1) and (2)
# ---------------------------------------------------------------------------------------------------------------
def test_identify_formula1_by_hand():
    # GB 18218-2018 formula (1): 3 t chlorine (Q 5 t) + 6 t ammonia (Q 10 t): S = 0.6 + 0.6 = 1.2 ≥ 1 -> major;
    # 100 t methanol (Q 500 t): S = 0.2 -> not major
    units = pd.DataFrame(
        {
            "unit": ["A", "A", "B"],
            "substance": ["chlorine", "ammonia", "methanol"],
            "quantity_kg": [3000.0, 6000.0, 100000.0],
        }
    )
    out = mh.identify(units)
    assert out.loc["A", "S"] == pytest.approx(1.2, rel=1e-12)
    assert bool(out.loc["A", "is_major"])
    assert out.loc["B", "S"] == pytest.approx(0.2, rel=1e-12)
    assert not bool(out.loc["B", "is_major"])


def test_identify_boundary_s_equal_1_is_major():
    # formula (1): S ≥ 1 identifies (equality included)
    out = mh.identify(pd.DataFrame({"unit": ["A"], "substance": ["chlorine"], "quantity_kg": [5000.0]}))
    assert bool(out.loc["A", "is_major"])


def test_published_example_sulfur_dioxide_grade_3():
    # 注册安全工程师考试 (《安全生产技术》) worked example based on the grading method of GB 18218 / SAWS order 40:
    # SO2 200 t, Q = 20 t, β = 2, 60 people exposed -> α = 1.5; R = 1.5 × (2 × 200/20) = 30 -> grade 3 (三级).
    units = pd.DataFrame({"unit": ["plant"], "substance": ["二氧化硫"], "quantity_kg": [200_000.0]})
    out = mh.grade_units(units, people=60)
    assert out.loc["plant", "alpha"] == 1.5
    assert out.loc["plant", "R"] == pytest.approx(30.0, rel=1e-12)
    assert out.loc["plant", "grade"] == 3


def test_grade_units_formula2_by_hand_and_non_major_has_no_grade():
    # formula (2): 50 t chlorine (β 4, Q 5 t) + 20 t ammonia (β 2, Q 10 t); 120 people -> α 2
    # R = 2 × (4 × 10 + 2 × 2) = 88 -> grade 2; unit B (S = 0.2) gets no grade
    units = pd.DataFrame(
        {
            "unit": ["A", "A", "B"],
            "substance": ["chlorine", "ammonia", "methanol"],
            "quantity_kg": [50e3, 20e3, 100e3],
        }
    )
    out = mh.grade_units(units, people={"A": 120, "B": 0})
    assert out.loc["A", "R"] == pytest.approx(88.0, rel=1e-12)
    assert out.loc["A", "grade"] == 2
    assert pd.isna(out.loc["B", "grade"])


def test_grade_units_rejects_negative_quantity():
    units = pd.DataFrame({"unit": ["A"], "substance": ["chlorine"], "quantity_kg": [-1.0]})
    with pytest.raises(ValueError, match="quantity_kg"):
        mh.identify(units)


def test_grade_units_missing_people_entry():
    units = pd.DataFrame({"unit": ["A"], "substance": ["chlorine"], "quantity_kg": [1e4]})
    with pytest.raises(ValueError, match="people has no entry"):
        mh.grade_units(units, people={"B": 3})


# ---------------------------------------------------------------------------------------------------------------
# Park level (synthetic park in a metric CRS)
# ---------------------------------------------------------------------------------------------------------------
class _FakePark:
    """Minimal stand-in for geodata.Park: ``metric(layer)`` returns the layer in a metric CRS."""

    def __init__(self, layers):
        self._layers = layers

    def metric(self, name):
        return self._layers[name]


def _park():
    crs = "EPSG:32650"
    ents = gpd.GeoDataFrame(
        {"enterprise_id": ["E1", "E2"]}, geometry=[box(0, 0, 200, 200), box(2000, 0, 2200, 200)], crs=crs
    )
    inst = gpd.GeoDataFrame(
        {
            "unit_id": ["T1", "T2", "R1", "W1"],
            "enterprise_id": ["E1", "E1", "E1", "E2"],
            "kind": ["storage_tank", "storage_tank", "reactor", "warehouse"],
            "substance": ["chlorine", "chlorine", "ammonia", "methanol"],
            "inventory_kg": [20e3, 30e3, 5e3, 50e3],
        },
        geometry=[Point(50, 50), Point(80, 50), Point(150, 150), Point(2100, 100)],
        crs=crs,
    )
    targets = gpd.GeoDataFrame(
        {
            "target_id": ["S1", "S2", "S3", "S4"],
            "population_day": [40, 30, 500, 20],
            "population_night": [10, 60, 0, 5],
        },
        # S1 and S2 within 500 m of E1; S3 1 km away; S4 inside E1 (its own staff: not counted)
        geometry=[Point(400, 100), Point(100, 600), Point(1300, 100), Point(20, 20)],
        crs=crs,
    )
    return _FakePark({"enterprises": ents, "installations": inst, "sensitive_targets": targets})


def test_people_within_500m_modes():
    park = _park()
    # max per target: S1 40 + S2 60 = 100 ; day 40 + 30 = 70 ; night 10 + 60 = 70
    assert mh.people_within_500m(park)["E1"] == 100
    assert mh.people_within_500m(park, population="day")["E1"] == 70
    assert mh.people_within_500m(park, population="night")["E1"] == 70
    assert mh.people_within_500m(park)["E2"] == 0  # S3 is 700 m from E2's boundary
    with pytest.raises(ValueError, match="population='noon'"):
        mh.people_within_500m(park, population="noon")


def test_enterprise_grades_on_synthetic_park():
    units, ents = mh.enterprise_grades(_park())
    tf = units.set_index("unit").loc["E1/tank_farm"]
    # tank farm: 50 t chlorine, S = 10; α(100 people) = 2; R = 2 × 4 × 10 = 80 -> grade 2
    assert tf["S"] == pytest.approx(10.0)
    assert tf["R"] == pytest.approx(80.0)
    assert tf["grade"] == 2
    prod = units.set_index("unit").loc["E1/production"]
    assert prod["S"] == pytest.approx(0.5) and not prod["is_major"]
    e = ents.set_index("enterprise_id")
    assert e.loc["E1", "major_hazard_grade"] == 2
    assert pd.isna(e.loc["E2", "major_hazard_grade"])  # 50 t methanol < 500 t
    assert e.loc["E2", "n_major_units"] == 0


def test_enterprise_grades_with_given_people():
    units, ents = mh.enterprise_grades(_park(), people_within_500m={"E1": 0, "E2": 0})
    tf = units.set_index("unit").loc["E1/tank_farm"]
    assert tf["alpha"] == 0.5 and tf["R"] == pytest.approx(20.0) and tf["grade"] == 3
    assert math.isnan(ents.set_index("enterprise_id").loc["E2", "max_R"])


def test_enterprise_grades_on_a_real_park_object():
    # the same layout as a geodata.Park (layers given in CGCS2000 / 3-degree GK CM 114E, EPSG:4547)
    from geodata import Park

    x0, y0 = 500_000.0, 3_320_000.0
    fake = _park()
    layers = {}
    for name in ("enterprises", "installations", "sensitive_targets"):
        g = fake.metric(name).copy()
        g["geometry"] = g.geometry.translate(x0, y0)
        layers[name] = g.set_crs("EPSG:4547", allow_override=True)
    layers["installations"]["phase"] = ["liquefied_gas", "liquefied_gas", "gas", "liquid"]
    park = Park.from_layers(layers, validate=False)
    assert mh.people_within_500m(park)["E1"] == 100
    _, ents = mh.enterprise_grades(park)
    assert ents.set_index("enterprise_id").loc["E1", "major_hazard_grade"] == 2


def test_substances_outside_table1_via_substance_records():
    # categories recorded in analysis/substances.csv: propylene flammable gas W2 -> table 2 Q 10 t, table 4 β 1.5;
    # diesel flammable liquid category 3 -> W5.4, 5000 t; nitrobenzene: not covered by GB 18218 (does not count).
    # CO is named in table 1 row 13 (煤气: CO and its mixtures, 20 t) and in table 3 (β 2).
    assert mh.critical_quantity("丙烯") == pytest.approx(10_000.0)
    assert mh.beta("propylene") == 1.5
    assert mh.critical_quantity("柴油") == pytest.approx(5_000_000.0)
    assert mh.critical_quantity("一氧化碳") == pytest.approx(20_000.0) and mh.beta("一氧化碳") == 2
    assert mh.critical_quantity("液氯") == pytest.approx(5_000.0)  # alias resolved through the records
    out = mh.identify(
        pd.DataFrame(
            {
                "unit": ["A", "B"],
                "substance": ["硝基苯", "sulfuric acid"],
                "quantity_kg": [1e7, 1e7],
                "category": [None, "none"],
            }
        )
    )
    assert out.loc["A", "S"] == 0.0 and not bool(out.loc["A", "is_major"])
    assert out.loc["B", "S"] == 0.0


def test_gb18218_values_agree_with_substance_records():
    # one truth: every Q and β recorded in analysis/substances.csv equals the value derived from the tables here
    from analysis.physics import substances

    for s in substances.all_substances():
        if not np.isfinite(s.gb18218_critical_quantity):
            continue
        c = mh.classify(s.cas) if s.cas else mh.classify(s.name_zh)
        assert c.q_kg == pytest.approx(s.gb18218_critical_quantity, rel=1e-12), s.name_zh
        if np.isfinite(s.gb18218_beta):
            assert c.beta == pytest.approx(s.gb18218_beta, rel=1e-12), s.name_zh


def test_unknown_substances_reported_together():
    units = pd.DataFrame(
        {"unit": ["A", "A", "B"], "substance": ["foo", "chlorine", "bar"], "quantity_kg": [1.0, 1.0, 1.0]}
    )
    with pytest.raises(ValueError, match=r"substances \['bar', 'foo'\] are not named"):
        mh.identify(units)
    # a category column resolves them
    units["category"] = ["W2", None, "none"]
    assert mh.identify(units).loc["A", "S"] == pytest.approx(1.0 / 10_000 + 1.0 / 5_000)


def test_table1_substance_without_beta_category_needs_one_for_grading():
    # 甲醛 (table 1 no. 8) is neither in table 3 nor given a table-4 category by parkrisk: S works, R asks
    units = pd.DataFrame({"unit": ["A"], "substance": ["甲醛"], "quantity_kg": [10_000.0]})
    assert mh.identify(units).loc["A", "S"] == pytest.approx(2.0)
    with pytest.raises(ValueError, match="no GB 18218-2018 β"):
        mh.grade_units(units, people=0)
    units["category"] = "J3"
    assert mh.grade_units(units, people=0).loc["A", "R"] == pytest.approx(0.5 * 2 * 2.0)


# ---------------------------------------------------------------------------------------------------------------
# unit_flags: the one major-hazard flag per installation (unknown substances fail closed)
# ---------------------------------------------------------------------------------------------------------------
def _installations(rows):
    cols = ["unit_id", "enterprise_id", "kind", "substance", "inventory_kg"]
    return pd.DataFrame(rows, columns=cols)


def test_unit_flags_known_major_known_not_major_and_unknown():
    inst = _installations(
        [
            # E1 tank farm: 2 × 150 t gasoline, Q = 200 t (GB 18218-2018 table 1 no. 66): S = 1.5 -> major
            ("T1", "E1", "storage_tank", "汽油", 150_000.0),
            ("T2", "E1", "storage_tank", "汽油", 150_000.0),
            # E2 tank farm: 100 t methanol, Q = 500 t (table 1 no. 65): S = 0.2 -> not major
            ("M1", "E2", "storage_tank", "甲醇", 100_000.0),
            # E3 production unit: 1 kg of a substance GB 18218 cannot classify -> treated as major, S unknown
            ("X1", "E3", "process_unit", "不存在的物质XYZ", 1.0),
            # E4 warehouse (its own unit) with 6 t liquid chlorine (Q 5 t, table 1 no. 12): S = 1.2 -> major; the
            # unknown substance in E4's production unit does not change the warehouse
            ("W1", "E4", "warehouse", "液氯", 6_000.0),
            ("X2", "E4", "reactor", "unobtainium", 1.0),
        ]
    )
    fl = mh.unit_flags(inst)
    assert list(fl.index) == ["T1", "T2", "M1", "X1", "W1", "X2"]
    assert fl.at["T1", "S"] == pytest.approx(2 * 150 / 200, rel=1e-12)
    assert fl.at["T1", "hazard_unit"] == "E1/tank_farm" and fl.at["T2", "S"] == fl.at["T1", "S"]
    assert bool(fl.at["T1", "is_major"]) and not bool(fl.at["T1", "unknown_substance"])
    assert fl.at["T1", "reason_zh"] == ""
    assert fl.at["M1", "S"] == pytest.approx(100 / 500, rel=1e-12)
    assert not bool(fl.at["M1", "is_major"]) and not bool(fl.at["M1", "two_key_one_major"])
    # unknown: fail closed, reported
    assert bool(fl.at["X1", "is_major"]) and bool(fl.at["X1", "unknown_substance"])
    assert bool(fl.at["X1", "two_key_one_major"]) and np.isnan(fl.at["X1", "S"])
    assert "不存在的物质XYZ" in fl.at["X1", "reason_zh"] and "GB 18218" in fl.at["X1", "reason_zh"]
    assert fl.at["W1", "S"] == pytest.approx(6 / 5, rel=1e-12) and fl.at["W1", "reason_zh"] == ""
    assert bool(fl.at["X2", "is_major"]) and "unobtainium" in fl.at["X2", "reason_zh"]
    assert fl["is_major"].dtype == bool and fl["unknown_substance"].dtype == bool


def test_unit_flags_unknown_substance_in_a_unit_already_major_keeps_s():
    # 300 t gasoline (Q 200 t: S ≥ 1.5 from the known substance alone) and an unknown tank in the same tank farm:
    # the unit is major whatever the unknown substance adds; S is kept as a lower bound, no reason needed
    inst = _installations(
        [("T1", "E1", "storage_tank", "汽油", 300_000.0), ("T9", "E1", "storage_tank", "unobtainium", 1.0)]
    )
    fl = mh.unit_flags(inst)
    assert fl.at["T1", "S"] == pytest.approx(1.5, rel=1e-12) and bool(fl.at["T1", "is_major"])
    assert bool(fl.at["T9", "unknown_substance"]) and not bool(fl.at["T1", "unknown_substance"])
    assert (fl["reason_zh"] == "").all()


def test_unit_flags_hazardous_process_and_missing_inventory():
    inst = _installations(
        [("M1", "E2", "storage_tank", "甲醇", np.nan), ("R1", "E2", "reactor", "甲醇", 1.0)]
    )
    inst["hazardous_process"] = [None, "hydrogenation"]
    fl = mh.unit_flags(inst)
    assert fl.at["M1", "S"] == 0.0 and not bool(fl.at["M1", "two_key_one_major"])  # missing inventory = 0 kg
    assert not bool(fl.at["R1", "is_major"]) and bool(fl.at["R1", "hazardous_process"])
    assert bool(fl.at["R1", "two_key_one_major"])


def test_unknown_substance_error_type():
    from analysis.errors import UnknownSubstanceError

    with pytest.raises(UnknownSubstanceError, match="unobtainium"):
        mh.classify("unobtainium")
    with pytest.raises(UnknownSubstanceError, match="unobtainium"):
        mh.identify(pd.DataFrame({"unit": ["A"], "substance": ["unobtainium"], "quantity_kg": [1.0]}))

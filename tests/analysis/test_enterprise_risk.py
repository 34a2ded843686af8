"""Enterprise safety-risk score and colour by 应急〔2018〕19号 (危险化学品生产储存企业安全风险评估诊断分级指南（试行）),
key supervised chemicals (安监总管三〔2011〕95号, 〔2013〕12号) and the 两重点一重大 table.

Expected points are the guide's own (read in its public text, see analysis/data/enterprise_risk_guide_2018.csv):
each test builds an enterprise whose facts trigger the items of one group and checks the deductions the guide
prescribes, including the group limits.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Polygon

from analysis import regulation
from analysis.errors import AnalysisInputError
from analysis.regulation import enterprise_risk as er
from analysis.regulation.key_chemicals import key_chemical, key_chemicals_table
from geodata import Park
from tests.factories import _ll, small_park_layers


# -- colour bands (guide, 分级标准: blue >= 90, yellow 75-90, orange 60-75, red < 60; lower bounds inclusive) ------
@pytest.mark.parametrize(
    ("score", "colour"),
    [
        (100.0, "blue"),
        (90.0, "blue"),
        (89.99, "yellow"),
        (75.0, "yellow"),
        (74.99, "orange"),
        (60.0, "orange"),
        (59.99, "red"),
        (0.0, "red"),
        (115, "blue"),
    ],
)
def test_band_edges(score, colour):
    assert regulation.enterprise_colour(score) == colour


def test_forced_red_overrides_the_score():
    assert regulation.enterprise_colour(100.0, forced_red=True) == "red"


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "90", None, True])
def test_bad_score_is_refused_with_the_value(bad):
    with pytest.raises(AnalysisInputError, match="score"):
        regulation.enterprise_colour(bad)


# -- key supervised chemicals (first batch, 安监总管三〔2011〕95号) -------------------------------------------------
@pytest.mark.parametrize(
    "name",
    ["7782-50-5", "7664-41-7", "67-56-1", "68476-85-7", "71-43-2", "75-44-5", "624-83-9", "503-38-8"],
)
def test_key_chemical_by_cas(name):
    assert regulation.key_chemical(name)


@pytest.mark.parametrize(
    "name",
    [
        "氯",
        "液氯",
        "氯气",
        "液氨",
        "甲醇",
        "液化石油气",
        "苯",
        "光气",
        "天然气",
        "汽油",
        "原油",
        "chlorine",
        "ammonia",
    ],
)
def test_key_chemical_by_name(name):
    assert key_chemical(name)


@pytest.mark.parametrize(
    "name", ["water", "水", "nitrogen", "氮气", "柴油", "7732-18-5", "7727-37-9", "不存在的物质"]
)
def test_not_a_key_chemical(name):
    assert not key_chemical(name)


def test_first_batch_has_60_entries_with_unique_cas():
    t = key_chemicals_table()
    first = t[t["batch"] == 1]
    assert len(first) == 60
    cas = [c for c in first["cas"] if c]
    assert len(cas) == 59 and len(set(cas)) == 59  # crude oil has no CAS in the list
    assert first["verified"].all()


# -- a hand-built park ------------------------------------------------------------------------------------------
def _rect(x0, y0, x1, y1):
    return Polygon([_ll(x0, y0), _ll(x1, y0), _ll(x1, y1), _ll(x0, y1)])


def _park(extra_installations=(), buildings=(), *, changes=None, outside_e4=False):
    layers = small_park_layers()
    inst = layers["installations"].copy()
    for uid, col, value in changes or ():
        inst.loc[inst["unit_id"] == uid, col] = value
    if extra_installations:
        base = inst[inst["unit_id"] == "U4"].iloc[0]
        rows = []
        for uid, substance, qty, process in extra_installations:
            r = base.copy()
            r["unit_id"], r["name"], r["substance"], r["inventory_kg"] = uid, f"测试{uid}", substance, qty
            r["hazardous_process"] = process
            r["geometry"] = _rect(400, 150, 420, 170)
            rows.append(r)
        inst = pd.concat([inst, gpd.GeoDataFrame(rows, crs=4326)], ignore_index=True)
    layers["installations"] = gpd.GeoDataFrame(inst, geometry="geometry", crs=4326)
    if buildings:
        b = layers["buildings"]
        layers["buildings"] = gpd.GeoDataFrame(
            pd.concat([b, gpd.GeoDataFrame(list(buildings), crs=4326)], ignore_index=True),
            geometry="geometry",
            crs=4326,
        )
    if outside_e4:
        e = layers["enterprises"]
        e.loc[e["enterprise_id"] == "E4", "geometry"] = _rect(1500, 100, 1700, 700)
    return Park.from_layers(layers, validate=False)


def _points(res, key):
    return float(res.items.set_index("item_key").at[key, "points"])


def test_major_hazard_grade_points():
    # 250 t chlorine: S = 50, beta 4 -> R >= 100 whatever alpha (>= 0.5): grade 1 -> -10 (GB 18218-2018; guide)
    park = _park(changes=[("U3", "inventory_kg", 250_000.0)])
    assert _points(regulation.enterprise_score(park, "E2"), "major_hazard_grade") == -10.0
    # 5.5 t chlorine: S = 1.1 (major), R <= 2 * 4 * 1.1 = 8.8 < 10: grade 4 -> -4
    park = _park(changes=[("U3", "inventory_kg", 5_500.0)])
    assert _points(regulation.enterprise_score(park, "E2"), "major_hazard_grade") == -4.0
    # E4: 100 t methanol, Q 500 t -> not a major hazard: no deduction
    res = regulation.enterprise_score(park, "E4")
    assert _points(res, "major_hazard_grade") == 0.0
    assert "无重大危险源" in res.items.set_index("item_key").at["major_hazard_grade", "evidence"]


def test_substance_points():
    # E2: chlorine (toxic gas, -2) + hydrogen sulfide (toxic gas, -2) + methanol, benzene (key chemicals, -0.1 each)
    park = _park([("X1", "硫化氢", 100.0, None), ("X2", "甲醇", 100.0, None), ("X3", "苯", 100.0, None)])
    res = regulation.enterprise_score(park, "E2")
    assert _points(res, "toxic_gases") == -4.0
    assert _points(res, "other_key_chemicals") == pytest.approx(-0.2, abs=1e-9)
    # ammonium nitrate (GB 18218 W1.1): an explosive (-2), not counted again as a key chemical
    park = _park([("X4", "硝酸铵", 100.0, None)])
    res = regulation.enterprise_score(park, "E2")
    assert _points(res, "explosives") == -2.0 and _points(res, "other_key_chemicals") == 0.0
    # phosgene and HCN too: four toxic gases (-8) stop at the group's 5 points
    park = _park([("X1", "硫化氢", 100.0, None), ("X5", "光气", 1.0, None), ("X6", "氰化氢", 1.0, None)])
    res = regulation.enterprise_score(park, "E2")
    assert _points(res, "toxic_gases") == -5.0 and _points(res, "other_key_chemicals") == 0.0


def test_toxic_gas_in_a_pipeline_the_enterprise_operates():
    # the guide counts inhalation-toxic gases "含管道": a hydrogen sulfide line operated by 测试企业4 (E4)
    layers = small_park_layers()
    pl = layers["pipelines"]
    pl.loc[pl.index[0], ["substance", "operator"]] = ["硫化氢", "测试企业4"]
    park = Park.from_layers(layers, validate=False)
    res = regulation.enterprise_score(park, "E4")
    assert _points(res, "toxic_gases") == -2.0
    assert "硫化氢" in res.items.set_index("item_key").at["toxic_gases", "evidence"]


def test_process_points():
    park = _park()
    assert _points(regulation.enterprise_score(park, "E2"), "key_processes") == -2.0  # electrolysis
    procs = ["chlorination", "hydrogenation", "nitration", "oxidation", "sulfonation"]
    park = _park([(f"P{i}", "氯", 1.0, p) for i, p in enumerate(procs)])
    assert _points(regulation.enterprise_score(park, "E2"), "key_processes") == -10.0  # 6 x -2, limit 10


def test_fire_points_from_fire_hazard_class():
    park = _park(changes=[("U3", "fire_hazard_class", "乙"), ("U4", "fire_hazard_class", "甲")])
    res = regulation.enterprise_score(park, "E2")
    assert _points(res, "class_a_units") == -1.0 and _points(res, "class_b_units") == -0.5
    res = regulation.enterprise_score(park, "E2", {"tanks_near_open_flame": True})
    assert _points(res, "tanks_near_open_flame") == -3.5  # -1 - 0.5 - 5 stops at the group's 5 points
    # without classes in the data the counts come from the checklist
    res = regulation.enterprise_score(_park(), "E2", {"class_a_units": 2})
    assert _points(res, "class_a_units") == -2.0
    assert res.items.set_index("item_key").at["class_a_units", "source"] == "checklist"


def test_surroundings_points():
    park = _park(outside_e4=True)
    assert _points(regulation.enterprise_score(park, "E4"), "outside_park") == -3.0
    assert _points(regulation.enterprise_score(park, "E2"), "outside_park") == 0.0
    comp = pd.DataFrame(
        {
            "target_id": ["S1", "S2"],
            "name": ["学校", "村庄"],
            "pass_existing": [False, True],
            "top_enterprises": [["E2"], ["E1"]],
        }
    )
    res = regulation.enterprise_score(park, "E2", compliance=comp)
    assert _points(res, "external_distance_fail") == -10.0
    assert "学校" in res.items.set_index("item_key").at["external_distance_fail", "evidence"]
    assert _points(regulation.enterprise_score(park, "E1", compliance=comp), "external_distance_fail") == 0.0


def test_control_points_rooms_inside_class_a_units():
    u4 = _rect(400, 300, 500, 400)
    rooms = [
        dict(
            building_id=f"R{i}",
            enterprise_id="E2",
            name=f"操作室{i}",
            use=use,
            occupants=4,
            blast_resistant=False,
            geometry=_rect(420 + 30 * i, 320, 440 + 30 * i, 340),
        )
        for i, use in enumerate(["control_room", "shift_room", "office"])
    ]
    park = _park(buildings=rooms, changes=[("U4", "fire_hazard_class", "甲"), ("U4", "geometry", u4)])
    res = regulation.enterprise_score(park, "E2")
    assert _points(res, "occupied_rooms_in_ab_units") == -10.0  # 3 x -5 stops at the group's 10 points
    assert "操作室0" in res.items.set_index("item_key").at["occupied_rooms_in_ab_units", "evidence"]
    res = regulation.enterprise_score(
        _park(), "E2", {"missing_remote_monitoring": 3, "major_tank_no_isolation": 1}
    )
    assert (
        _points(res, "major_tank_no_isolation") == -5.0 and _points(res, "missing_remote_monitoring") == -3.0
    )


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        (
            {"first_use_no_review": True, "fine_chem_no_reaction_assessment": True, "grade_a_design": True},
            -8.0,
        ),
        ({"phased_out": 2, "no_dual_power": True}, -5.0),
        (
            {"managers_uncertified": 1, "no_registered_safety_engineer": True, "chem_graduate_leaders": 2},
            -4.0,
        ),
        ({"posts_without_responsibility": 3, "no_operating_procedures": True}, -10.0),
        ({"own_fire_brigade": True}, 3.0),
        ({"standardisation_grade": 1}, 15.0),
        ({"standardisation_grade": 2}, 5.0),
        ({"standardisation_grade": 3}, 2.0),
        ({"larger_accident_3y": True, "fatal_accident_3y": True, "no_accident_5y": False}, -10.0),
        ({"social_impact_accident": "否", "no_accident_5y": "是"}, 5.0),
    ],
)
def test_checklist_groups(answers, expected):
    park = _park()
    base = regulation.enterprise_score(park, "E4")
    res = regulation.enterprise_score(park, "E4", answers)
    assert res.score - base.score == pytest.approx(expected, abs=1e-9)
    assert set(res.items.loc[res.items["item_key"].isin(answers), "source"]) == {"checklist"}


@pytest.mark.parametrize(
    "key",
    [
        "new_process_without_trials",
        "unit_without_formal_design",
        "special_work_operators_uncertified",
        "major_accident",
    ],
)
def test_forced_red_conditions(key):
    park = _park()
    res = regulation.enterprise_score(park, "E4", {key: True, "standardisation_grade": 1})
    assert res.colour == "red" and res.score >= 90 and len(res.forced_red) == 1
    assert regulation.enterprise_score(park, "E4", {key: False}).colour != "red"


def test_bad_checklist_answer_names_item_and_value():
    with pytest.raises(AnalysisInputError, match="phased_out.*'很多'"):
        regulation.enterprise_score(_park(), "E4", {"phased_out": "很多"})
    with pytest.raises(AnalysisInputError, match="E99"):
        regulation.enterprise_score(_park(), "E99")


def test_difference_with_the_data_colour_is_explained():
    # E1 is red in the data; unanswered checklist items deduct nothing, so its score is an upper bound
    res = regulation.enterprise_score(_park(), "E1")
    assert res.data_colour == "red" and res.differs and not res.complete
    assert "重大危险源" in res.explanation and "未填报" in res.explanation
    assert set(res.items.columns) >= {"item", "points", "evidence", "source"}
    assert set(res.items["source"]) <= {"data", "checklist"}


def test_two_key_one_major_table():
    res = regulation.two_key_one_major(_park())
    ents = res.enterprises.set_index("enterprise_id")
    assert ents.at["E2", "two_key_one_major"] and ents.at["E2", "hazardous_processes"] == "electrolysis"
    assert ents.at["E4", "key_chemicals"] == "甲醇" and ents.at["E4", "n_major_units"] == 0
    units = res.units.set_index("unit_id")
    assert units.at["U6", "key_chemical"] and not units.at["U6", "major_hazard"]
    assert res.counts["enterprises"] == 4 and res.counts["process_enterprises"] == 2


def test_every_demo_enterprise_has_a_score(demo_park):
    table = er.park_scores(demo_park)
    assert len(table) == len(demo_park.enterprises)
    assert table["colour"].isin(["red", "orange", "yellow", "blue"]).all()
    assert table["score"].between(0, 130).all()
    assert (table.loc[table["differs"], "explanation"] != "").all()

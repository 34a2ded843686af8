"""Park grade A–D by the bands of 化工园区安全风险排查治理导则（应急〔2023〕123号）: A < 60, 60 ≤ B < 70,
70 ≤ C < 85, D ≥ 85 (A the highest risk); the shipped "十有两禁" checklist (2022) and its data evidence."""

from __future__ import annotations

import math

import pytest
from shapely.geometry import Point

from analysis.regulation.park_evidence import prefill_evidence
from analysis.regulation.park_grading import (
    GRADE_MEANING_ZH,
    load_park_checklist,
    park_grade,
    score_park_checklist,
)
from geodata.park import Park
from tests.factories import _ll, small_park_layers


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        (0, "A"),
        (59.999, "A"),
        (60, "B"),  # 60 ≤ B
        (69.999, "B"),
        (70, "C"),  # 70 ≤ C
        (84.999, "C"),
        (85, "D"),  # D ≥ 85
        (100, "D"),
    ],
)
def test_band_edges_of_the_2023_guide(score, grade):
    assert park_grade(score) == grade


@pytest.mark.parametrize("bad", [-0.1, 100.1, math.nan, "高", None])
def test_a_score_outside_0_100_is_refused_in_chinese(bad):
    with pytest.raises(ValueError, match="园区评分"):
        park_grade(bad)


def test_grade_a_forbids_new_hazardous_chemical_projects():
    assert "不得新建、改建、扩建危险化学品建设项目" in GRADE_MEANING_ZH["A"]


def test_the_shipped_checklist_has_the_ten_and_two_items_with_their_source():
    c = load_park_checklist()
    assert (c["group_zh"] == "十有").sum() == 10
    assert c["points"].sum() == pytest.approx(100.0)
    assert c["source_doc"].str.contains("十有两禁").all()


def test_score_is_the_share_of_points_and_unscored_items_count_zero():
    c = load_park_checklist()
    full = dict(zip(c["item_id"], c["points"], strict=True))
    assert score_park_checklist(full).grade == "D"
    # the three 两禁 items (30 of 100 points) missing -> 70 -> C, and they are listed as unscored
    partial = {k: v for k, v in full.items() if k not in ("P11", "P12", "P13")}
    res = score_park_checklist(partial)
    assert res.score == pytest.approx(70.0) and res.grade == "C"
    assert res.unscored == ("P11", "P12", "P13")
    assert "3 项未评分" in res.summary_zh()


def test_bad_scores_name_the_item_and_range():
    with pytest.raises(ValueError, match="P01 得分 9 无效：请填写 0～7 分"):
        score_park_checklist({"P01": 9})
    with pytest.raises(ValueError, match="不在园区评分清单中"):
        score_park_checklist({"X99": 1})


def test_a_checklist_file_without_sources_is_refused(tmp_path):
    f = tmp_path / "c.csv"
    f.write_text(
        "item_id,group_zh,item_zh,source_doc,points,data_check\nQ1,省级,边界,,5,\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match="没有出处"):
        load_park_checklist(f)


def test_evidence_finds_residents_inside_the_park_boundary():
    layers = small_park_layers()
    t = layers["sensitive_targets"]
    t.loc[len(t)] = {
        "target_id": "T9",
        "name": "园内村",
        "category": "village",
        "protection_class": "general_2",
        "population_day": 50,
        "population_night": 80,
        "geometry": Point(_ll(600, 400)),
    }
    park = Park.from_layers(layers, validate=False)
    ev = prefill_evidence(park).set_index("item_id")
    assert ev.loc["P12", "suggestion"] == "不符合"
    assert "园内村（T9）" in ev.loc["P12", "evidence_zh"]
    assert ev.loc["P04", "suggestion"] == "需核实"  # no contours given


def test_evidence_without_residents_inside():
    park = Park.from_layers(small_park_layers(), validate=False)
    ev = prefill_evidence(park).set_index("item_id")
    assert ev.loc["P12", "suggestion"] == "符合"  # the small park's targets are all outside its boundary

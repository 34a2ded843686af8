"""Findings citing the items of 重大生产安全事故隐患判定标准（试行）(安监总管三〔2017〕121号): item 6 (no water
injection on a fully pressurised liquefied-hydrocarbon tank), item 7 (no loading arm for liquefied hydrocarbon,
ammonia or chlorine filling), item 8 (chlorine, phosgene or H₂S pipeline crossing a public area outside the plant and
park); the proposed items carry the number and are 重大隐患."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Point

from analysis.regulation.hazard_items import findings_from_data, item_label_zh, major_hazard_items
from analysis.regulation.rectification.items import Finding, propose_items
from geodata.park import Park
from tests.factories import _ll, small_park_layers


def _park(*, water_injection="no", loading_arm="no", pipe_out=True) -> Park:
    layers = small_park_layers()
    inst = layers["installations"]
    inst["water_injection"] = None
    inst["loading_arm"] = None
    inst.loc[inst["unit_id"] == "U2", "water_injection"] = (
        water_injection  # 丙烷 spherical tank, liquefied gas
    )
    bay = inst.iloc[[2]].copy()  # a loading bay of E2 (液氯)
    bay["unit_id"] = "U7"
    bay["name"] = "液氯装车台"
    bay["kind"] = "loading_bay"
    bay["loading_arm"] = loading_arm
    bay["geometry"] = [Point(_ll(400, 300))]
    layers["installations"] = gpd.GeoDataFrame(pd.concat([inst, bay], ignore_index=True), crs=inst.crs)
    pipes = layers["pipelines"]
    end = 1500 if pipe_out else 1100
    pipes.loc[len(pipes)] = {
        "pipeline_id": "L3",
        "name": "氯气管道",
        "substance": "氯气",
        "diameter_m": 0.1,
        "pressure_pa": 6e5,
        "buried": False,
        "operator": "测试企业2",
        "kind": "process",
        "geometry": LineString([_ll(400, 300), _ll(end, 300)]),
    }
    return Park.from_layers(layers, validate=False)


def test_the_data_file_has_the_twenty_items():
    items = major_hazard_items()
    assert list(items["item"]) == list(range(1, 21))
    assert "万向管道充装系统" in items.loc[6, "text_zh"]  # item 7
    assert item_label_zh(13).startswith("第13条 控制室或机柜间")
    with pytest.raises(ValueError, match="1～20"):
        item_label_zh(21)


def test_items_6_7_8_are_found_and_cited():
    found = {f.major_hazard_item: f for f in findings_from_data(_park())}
    assert set(found) == {6, 7, 8}
    assert found[6].subject_ids == ("U2",) and found[7].subject_ids == ("U7",)
    assert found[8].subject_ids == ("L3",)
    assert found[8].evidence[0].value == pytest.approx(300.0, abs=5.0)  # 1500 - 1200 m outside the park
    assert all(f.hazard_level == "major" for f in found.values())


def test_no_finding_when_the_fields_say_yes_or_the_pipe_stays_inside():
    assert findings_from_data(_park(water_injection="yes", loading_arm="yes", pipe_out=False)) == []
    assert (
        findings_from_data(_park(water_injection=None, loading_arm=None, pipe_out=False)) == []
    )  # not known


def test_proposed_items_carry_the_item_number():
    props = propose_items(findings_from_data(_park()), park_id="P1", today="2025-03-01")
    assert sorted(p.record["major_hazard_item"] for p in props) == [6, 7, 8]
    assert {p.record["hazard_level"] for p in props} == {"major"}


def test_a_finding_citing_an_item_must_be_major():
    with pytest.raises(ValueError, match="必须是重大隐患"):
        Finding("equipment", ("U1",), "x", "E1", "general", Point(114.3, 30.6), major_hazard_item=6)
    with pytest.raises(ValueError, match="1～20"):
        Finding("equipment", ("U1",), "x", "E1", "major", Point(114.3, 30.6), major_hazard_item=0)

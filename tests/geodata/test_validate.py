"""Validation: one test per problem kind, and a corrupted copy that gets ONE report naming every problem."""

from __future__ import annotations

import pandas as pd
import pytest
from shapely.geometry import Point, Polygon

from geodata import PROBLEM_KINDS, CRSError, Park, ParkDataError, Problem, ValidationReport, load_park
from geodata.validate import validate_layers


def _report(layers, **kw) -> ValidationReport:
    with pytest.raises(ParkDataError) as err:
        Park.from_layers(layers, **kw)
    assert err.value.report is not None and not err.value.report.ok
    return err.value.report


def _only(report: ValidationReport, kind: str) -> list[Problem]:
    got = [p for p in report.errors if p.kind == kind]
    assert got, report.to_text_zh()
    return got


def test_valid_layers_have_no_problem(layers):
    report = validate_layers(layers)
    assert report.ok and len(report) == 0


def test_misspelt_column_suggests_the_closest_name(layers):
    layers["installations"] = layers["installations"].rename(columns={"inventory_kg": "inventroy_kg"})
    with pytest.raises(ParkDataError, match="缺少必需列「inventory_kg」"):
        Park.from_layers(layers)
    p = _only(_report(layers), "missing_column")[0]
    assert (p.layer, p.column, p.value) == ("installations", "inventory_kg", "inventroy_kg")
    assert "「inventroy_kg」可能拼写错误，请改为「inventory_kg」" in p.fix_zh


def test_missing_column_without_lookalike(layers):
    layers["buildings"] = layers["buildings"].drop(columns=["blast_resistant"])
    p = _only(_report(layers), "missing_column")[0]
    assert p.value is None and "请添加列「blast_resistant」" in p.fix_zh


def test_case_and_space_variants_of_column_names_are_accepted(layers):
    layers["parks"] = layers["parks"].rename(columns={"name": " Name ", "level": "LEVEL"})
    assert Park.from_layers(layers).name == "测试化工园区"


def test_wrong_type(layers):
    inst = layers["installations"].astype({"pressure_pa": object})
    inst.loc[1, "pressure_pa"] = "1.6 MPa"
    layers["installations"] = inst
    with pytest.raises(ParkDataError, match="应为数值"):
        Park.from_layers(layers)
    p = _only(_report(layers), "bad_type")[0]
    assert (p.layer, p.row_id, p.column, p.value) == ("installations", "U2", "pressure_pa", "1.6 MPa")
    assert "1600000" in p.fix_zh  # the schema's hint


def test_fractional_int_and_bad_bool_and_bad_date(layers):
    layers["enterprises"] = layers["enterprises"].astype({"employees": float})
    layers["enterprises"].loc[0, "employees"] = 12.5
    layers["buildings"] = layers["buildings"].astype({"blast_resistant": object})
    layers["buildings"].loc[0, "blast_resistant"] = "maybe"
    layers["rectifications"].loc[0, "deadline"] = "下个月"
    got = {(p.layer, p.column) for p in _only(_report(layers), "bad_type")}
    assert got == {
        ("enterprises", "employees"),
        ("buildings", "blast_resistant"),
        ("rectifications", "deadline"),
    }


def test_missing_required_value(layers):
    layers["enterprises"].loc[2, "name"] = "  "
    p = _only(_report(layers), "missing_value")[0]
    assert (p.row_id, p.column) == ("E3", "name")


def test_empty_geometry(layers):
    layers["installations"].loc[2, "geometry"] = None
    p = _only(_report(layers), "empty_geometry")[0]
    assert (p.layer, p.row_id) == ("installations", "U3")


def test_self_intersecting_polygon(layers):
    bowtie = Polygon([(113.0, 30.0), (113.001, 30.001), (113.001, 30.0), (113.0, 30.001)])
    layers["enterprises"].loc[1, "geometry"] = bowtie
    with pytest.raises(ParkDataError, match="Self-intersection"):
        Park.from_layers(layers)
    p = _only(_report(layers), "invalid_geometry")[0]
    assert p.row_id == "E2" and "修复几何" in p.fix_zh


def test_wrong_geometry_type(layers):
    layers["buildings"].loc[0, "geometry"] = Point(113.004, 30.0)
    p = _only(_report(layers), "wrong_geometry_type")[0]
    assert (p.row_id, p.value) == ("B1", "Point") and "Polygon" in p.message_zh


def test_duplicate_ids(layers):
    layers["installations"].loc[3, "unit_id"] = "U1"
    with pytest.raises(ParkDataError, match="编号「U1」重复"):
        Park.from_layers(layers)


def test_missing_id_identified_by_row_number(layers):
    layers["installations"].loc[2, "unit_id"] = None
    p = _only(_report(layers), "missing_value")[0]
    assert (p.row_id, p.column) == ("第3行", "unit_id")


def test_dangling_reference(layers):
    layers["installations"].loc[0, "enterprise_id"] = "E9"
    with pytest.raises(ParkDataError, match="enterprise_id「E9」在企业\\(enterprises\\)中不存在"):
        Park.from_layers(layers)
    p = _only(_report(layers), "dangling_reference")[0]
    assert (p.layer, p.row_id, p.value) == ("installations", "U1", "E9")


def test_reference_to_an_absent_layer_dangles(layers):
    del layers["enterprises"]
    got = {(p.layer, p.value) for p in _only(_report(layers), "dangling_reference")}
    assert ("installations", "E1") in got and ("buildings", "E2") in got


def test_unknown_enum_lists_allowed_keys_and_labels(layers):
    layers["sensitive_targets"].loc[0, "protection_class"] = "very_sensitive"
    layers["sensitive_targets"].loc[1, "category"] = "学校"
    problems = _only(_report(layers), "unknown_enum")
    by_col = {p.column: p for p in problems}
    assert "high_sensitive（高敏感防护目标）" in by_col["protection_class"].fix_zh
    assert "请填写英文键「school」" in by_col["category"].fix_zh


def test_negative_and_zero_inventory(layers):
    layers["installations"].loc[0, "inventory_kg"] = -5.0
    layers["installations"].loc[1, "inventory_kg"] = 0.0
    with pytest.raises(ParkDataError, match="存量.*为负数或零"):
        Park.from_layers(layers)
    assert [p.row_id for p in _only(_report(layers), "nonpositive_inventory")] == ["U1", "U2"]


def test_implausible_pressure_in_mpa(layers):
    layers["installations"].loc[1, "pressure_pa"] = 2.5  # entered in MPa
    p = _only(_report(layers), "implausible")[0]
    assert (p.row_id, p.column, p.value) == ("U2", "pressure_pa", 2.5)
    assert p.fix_zh.startswith("压力单位应为 Pa")


def test_coordinates_outside_china(layers):
    layers["sensitive_targets"].loc[0, "geometry"] = Point(2.35, 48.85)  # Paris
    p = _only(_report(layers), "outside_china")[0]
    assert p.row_id == "T1"


def test_projected_coordinates_labelled_as_degrees(layers):
    layers["installations"].loc[0, "geometry"] = Point(403608.7, 3320644.5)
    p = _only(_report(layers), "outside_china")[0]
    assert "投影坐标" in p.fix_zh


def test_swapped_layer_reported_once(layers):
    inst = layers["installations"]
    inst["geometry"] = [Point(g.y, g.x) for g in inst.geometry]
    layers["installations"] = inst
    problems = _only(_report(layers), "swapped_lonlat")
    assert len(problems) == 1 and problems[0].row_id is None and "交换" in problems[0].fix_zh
    assert "outside_china" not in _report(layers).kinds


def test_single_swapped_feature(layers):
    layers["installations"].loc[2, "geometry"] = Point(30.002, 113.008)
    p = _only(_report(layers), "swapped_lonlat")[0]
    assert p.row_id == "U3"


def test_missing_crs(layers):
    layers["pipelines"] = layers["pipelines"].set_crs(None, allow_override=True)
    with pytest.raises(CRSError, match="没有坐标系"):
        Park.from_layers(layers)


def test_unknown_substance_with_callable(layers):
    known = {"gasoline", "propane", "chlorine", "methane"}.__contains__
    layers["installations"].loc[3, "substance"] = "unobtainium"
    with pytest.raises(ParkDataError, match="物质「unobtainium」不在物质库中"):
        Park.from_layers(layers, known_substance=known)
    # without a callable the name is not checked
    assert Park.from_layers(layers).installations["substance"].iloc[3] == "unobtainium"


def test_failing_substance_lookup_counts_as_unknown(layers):
    def lookup(name):
        raise RuntimeError("database down")

    problems = _only(_report(layers, known_substance=lookup), "unknown_substance")
    assert len(problems) == 5  # 4 installations + 1 pipeline


def test_misspelt_layer_is_an_error_with_suggestion(layers):
    layers["installation"] = layers.pop("installations")
    p = _only(_report(layers), "unknown_layer")[0]
    assert p.layer == "installation" and "请改为「installations」" in p.fix_zh


def test_unrelated_extra_layer_is_a_warning(layers):
    layers["metadata_table"] = layers["roads"].copy()
    park = Park.from_layers(layers)
    assert [p.kind for p in park.report.warnings] == ["unknown_layer"]


def test_no_park_is_an_error(layers):
    del layers["parks"]
    with pytest.raises(ParkDataError, match="没有园区边界"):
        Park.from_layers(layers)


def test_multiple_parks_warning(layers):
    two = pd.concat([layers["parks"], layers["parks"].assign(park_id="P2")], ignore_index=True)
    layers["parks"] = two
    park = Park.from_layers(layers)
    assert "multiple_parks" in park.report.kinds and park.report.ok


def test_report_frame_and_text(layers):
    layers["installations"].loc[1, "pressure_pa"] = 2.5
    layers["installations"].loc[2, "geometry"] = None
    report = _report(layers)
    frame = report.to_frame()
    assert list(frame.columns) == [
        "severity",
        "kind",
        "layer",
        "row_id",
        "column",
        "value",
        "message_zh",
        "fix_zh",
    ]
    assert set(frame["kind"]) == {"implausible", "empty_geometry"}
    text = report.to_text_zh()
    assert "共 2 个错误" in text and "装置设施(installations)" in text and "U2" in text


def test_text_truncates_long_groups():
    probs = tuple(Problem("installations", f"U{i}", "x", i, "m", "f", "error", "bad_type") for i in range(50))
    text = ValidationReport(probs).to_text_zh(max_per_group=5)
    assert "另有 45 处同类问题" in text


def test_problem_rejects_unknown_kind_and_severity():
    with pytest.raises(ValueError, match="severity='fatal'"):
        Problem(None, None, None, None, "m", "f", "fatal", "bad_type")
    with pytest.raises(ValueError, match="kind='oops'"):
        Problem(None, None, None, None, "m", "f", "error", "oops")
    assert "swapped_lonlat" in PROBLEM_KINDS


def test_corrupted_copy_gets_one_report_naming_every_problem(park_gpkg, tmp_path, small_park):
    """The issue's acceptance case: bad geometry + missing column + swapped lat/lon + unknown substance."""
    import geopandas as gpd

    bad = tmp_path / "corrupted.gpkg"
    layers = {n: gpd.read_file(park_gpkg, layer=n) for n in small_park.layers}
    layers["enterprises"].loc[0, "geometry"] = Polygon(
        [(113.0, 30.0), (113.005, 30.005), (113.005, 30.0), (113.0, 30.005)]
    )  # bow-tie
    layers["buildings"] = layers["buildings"].drop(columns=["use"])
    t = layers["sensitive_targets"]
    t["geometry"] = t.geometry.apply(lambda g: g if g.geom_type != "Point" else Point(g.y, g.x))
    layers["installations"].loc[2, "substance"] = "氯气X"
    for name, gdf in layers.items():
        gdf.to_file(bad, layer=name, driver="GPKG")
    known = {"gasoline", "propane", "chlorine", "methanol", "methane"}.__contains__
    with pytest.raises(ParkDataError) as err:
        load_park(bad, known_substance=known)
    report = err.value.report
    found = {(p.kind, p.layer) for p in report.errors}
    assert {
        ("invalid_geometry", "enterprises"),
        ("missing_column", "buildings"),
        ("swapped_lonlat", "sensitive_targets"),
        ("unknown_substance", "installations"),
    } <= found
    text = str(err.value)
    for needle in ("Self-intersection", "「use」", "经纬度颠倒", "氯气X"):
        assert needle in text

"""Issue 13, finding 10: failures that were silent or came late now come at load time, with layer, row, field,
value and fix.

Each test failed before its fix: an installation 48 km outside its enterprise passed without a word; an unknown
substance passed the app's loader and the analysis commands' loader (only ``validate``/``info``/``map`` checked);
rectification date rules the store enforces passed ``validate``; a park saved as Shapefiles lost both population
columns; an empty GeoJSON layer gave one "missing column" error per column; Excel error values read as empty.
"""

from __future__ import annotations

import json
import warnings

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from shapely.geometry import Point

from geodata import Park, ParkDataError, load_park, save_park
from geodata.io import save_shapefiles
from geodata.validate import SubstanceLookup, validate_layers

LON0, LAT0 = 113.0, 30.0
D = 0.001


def _kind(report, kind):
    return [p for p in report.problems if p.kind == kind]


# ------------------------------------------------------------------------------------------- outside enterprise
def test_installation_far_outside_its_enterprise_is_a_warning(layers):
    layers["installations"].loc[0, "geometry"] = Point(LON0 + 0.5, LAT0)  # ~48 km east of E1
    layers["buildings"].loc[1, "geometry"] = Point(LON0 + 14 * D, LAT0 + 2 * D).buffer(
        1e-4
    )  # ~280 m east of E2
    park = Park.from_layers(layers)  # a warning, not an error: the park still loads
    got = {(p.layer, p.row_id): p for p in _kind(park.report, "outside_enterprise")}
    assert set(got) == {("installations", "U1"), ("buildings", "B2")}
    p = got[("installations", "U1")]
    assert p.severity == "warning" and p.column == "geometry"
    assert "E1" in p.message_zh and p.value == "47.8 km"
    assert "enterprise_id" in p.fix_zh and "坐标" in p.fix_zh
    b = got[("buildings", "B2")]
    assert "B2" in b.to_text_zh() and b.value.endswith(" m") and "E2" in b.message_zh


def test_installation_just_outside_its_enterprise_is_within_tolerance(layers):
    layers["installations"].loc[0, "geometry"] = Point(LON0 - 0.0002, LAT0 + D)  # ~20 m west of E1's edge
    assert not _kind(validate_layers(layers), "outside_enterprise")


def test_installation_beyond_the_pole_is_reported_not_a_crash(layers):
    # latitude 91°: the enterprise-distance check must not project it (it would be infinite and GEOS raises); the
    # coordinate problem is reported by the geometry checks instead (found by tests/geodata/test_property.py)
    from shapely.geometry import LineString

    layers["installations"].loc[0, "geometry"] = LineString([(0.0, 91.0), (91.0, 0.0)])
    report = validate_layers(layers)
    assert not _kind(report, "outside_enterprise")
    assert any(p.layer == "installations" and p.row_id == "U1" for p in report.problems)


def test_demo_park_has_no_installation_outside_its_enterprise(demo_park):
    assert not _kind(demo_park.report, "outside_enterprise")


# ------------------------------------------------------------------------------------------- unknown substance
def _lookup():
    from analysis.physics import substances

    return SubstanceLookup(substances.known, substances.closest_names)


def test_unknown_substance_is_an_error_with_the_closest_names(layers):
    layers["installations"].loc[2, "substance"] = "液安"  # a typo of 液氨
    with pytest.raises(ParkDataError) as err:
        Park.from_layers(layers, known_substance=_lookup())
    (p,) = _kind(err.value.report, "unknown_substance")
    assert (p.layer, p.row_id, p.column, p.value, p.severity) == (
        "installations",
        "U3",
        "substance",
        "液安",
        "error",
    )
    assert "液氨" in p.fix_zh


def _park_file(tmp_path, layers, name="park.gpkg"):
    path = tmp_path / name
    park = Park.from_layers(layers)
    save_park(park, path)
    return path


def test_app_and_cli_loaders_refuse_an_unknown_substance_the_same_way(tmp_path, layers):
    from app.commands._common import CommandError, load_park_or_fail
    from app.state import load_park_cached

    layers["installations"].loc[2, "substance"] = "液安"
    path = _park_file(tmp_path, layers)
    with pytest.raises(ParkDataError) as app_err:
        load_park_cached(path)
    with pytest.raises(CommandError) as cli_err:
        load_park_or_fail(path)
    (p,) = _kind(app_err.value.report, "unknown_substance")
    assert p.to_text_zh() in str(cli_err.value)
    assert "液氨" in p.to_text_zh()


# ------------------------------------------------------------------------------------------- rectification dates
def test_rectification_date_rules_of_the_store_are_checked(layers):
    rect = layers["rectifications"]
    rect.loc[0, "deadline"] = "2025-01-01"  # before found_on 2025-03-01
    rect.loc[1, "closed_on"] = None  # closed without a closing date
    with pytest.raises(ParkDataError) as err:
        Park.from_layers(layers)
    probs = {(p.row_id, p.column): p for p in err.value.report.errors}
    p = probs[("R1", "deadline")]
    assert p.layer == "rectifications" and "整改期限早于发现日期 2025-03-01" in p.message_zh
    assert str(p.value) == "2025-01-01"
    q = probs[("R2", "closed_on")]
    assert "状态为「已销号」但没有销号日期" in q.message_zh


def test_rectification_closing_date_while_open_is_checked(layers):
    layers["rectifications"].loc[0, "closed_on"] = "2025-06-01"  # R1 is in_progress
    report = validate_layers(layers)
    assert any(p.row_id == "R1" and "事项未销号却填写了销号日期" in p.message_zh for p in report.errors)


# ------------------------------------------------------------------------------------------- Shapefiles
def _points_only(layers):
    """Layers whose sensitive targets are all points (a Shapefile holds one geometry type)."""
    targets = layers["sensitive_targets"]
    targets["geometry"] = targets.geometry.centroid
    return layers


def test_shapefiles_refuse_a_layer_mixing_points_and_polygons(tmp_path, small_park):
    with pytest.raises(ValueError, match=r"sensitive_targets.*Point（如 T1）.*Polygon（如 T2）.*GeoPackage"):
        save_shapefiles(small_park, tmp_path / "shp")
    assert not (tmp_path / "shp" / "sensitive_targets.shp").exists()


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_park_saved_as_shapefiles_round_trips(tmp_path, layers):
    small_park = Park.from_layers(_points_only(layers))
    folder = tmp_path / "shp"
    save_shapefiles(small_park, folder)
    dbf_names = set(gpd.read_file(folder / "sensitive_targets.shp").columns)
    assert all(len(c) <= 10 for c in dbf_names)
    back = load_park(folder)
    assert back.report.ok
    for name, gdf in small_park.layers.items():
        if name == "roads" or len(gdf) == 0:
            continue
        got = pd.DataFrame(back.layers[name]).drop(columns="geometry")
        want = pd.DataFrame(gdf).drop(columns="geometry")
        pd.testing.assert_frame_equal(got[want.columns], want, check_dtype=False)
    assert list(back.sensitive_targets["population_night"]) == [0, 350, 250]


def test_shapefile_written_by_gdal_with_laundered_population_names(tmp_path, layers):
    layers = _points_only(layers)
    folder = tmp_path / "qgis"
    folder.mkdir()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in ("parks", "sensitive_targets"):
            layers[name].to_file(folder / f"{name}.shp")  # GDAL: population, populati_1
    park = load_park(folder)
    assert list(park.sensitive_targets["population_day"]) == [600, 300, 400]
    assert list(park.sensitive_targets["population_night"]) == [0, 350, 250]
    (p,) = _kind(park.report, "truncated_column")
    assert p.severity == "warning" and p.layer == "sensitive_targets" and "populati_1" in str(p.value)


# ------------------------------------------------------------------------------------------- empty layer
def test_empty_geojson_layer_is_one_problem(tmp_path, layers):
    folder = tmp_path / "park"
    folder.mkdir()
    for name in ("parks", "enterprises"):
        layers[name].to_file(folder / f"{name}.geojson", driver="GeoJSON")
    (folder / "installations.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    park = load_park(folder)
    inst = [p for p in park.report.problems if p.layer == "installations"]
    assert [p.kind for p in inst] == ["empty_layer"]
    assert "图层为空" in inst[0].message_zh and inst[0].severity == "warning"
    assert len(park.installations) == 0


def test_empty_parks_layer_is_one_error(layers):
    layers["parks"] = layers["parks"].iloc[0:0][["geometry"]]
    report = validate_layers(layers)
    parks = [p for p in report.problems if p.layer == "parks"]
    assert [p.kind for p in parks] == ["no_park"]


# ------------------------------------------------------------------------------------------- Excel error values
@pytest.mark.parametrize("code", ["#DIV/0!", "#N/A", "#VALUE!", "#REF!"])
def test_excel_error_value_is_reported_as_such(layers, code):
    inst = layers["installations"].astype({"inventory_kg": object, "name": object})
    inst.loc[1, "inventory_kg"] = code
    inst.loc[2, "name"] = code
    layers["installations"] = inst
    report = validate_layers(layers)
    got = {(p.row_id, p.column): p for p in _kind(report, "excel_error")}
    assert set(got) == {("U2", "inventory_kg"), ("U3", "name")}
    p = got[("U2", "inventory_kg")]
    assert p.layer == "installations" and p.value == code and p.severity == "error"
    assert "Excel 错误值" in p.message_zh
    assert not [q for q in report.problems if q.row_id == "U2" and q.kind in ("missing_value", "bad_type")]


def test_excel_error_cells_in_a_workbook(tmp_path, layers):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "installations"
    inst = pd.DataFrame(layers["installations"].drop(columns="geometry"))
    inst["lon"] = layers["installations"].geometry.x
    inst["lat"] = layers["installations"].geometry.y
    ws.append(list(inst.columns))
    for row in inst.itertuples(index=False):
        ws.append([None if pd.isna(v) else v for v in row])
    ws.cell(row=3, column=list(inst.columns).index("inventory_kg") + 1).value = "#DIV/0!"  # U2
    for name in ("parks", "enterprises"):
        sheet = wb.create_sheet(name)
        df = pd.DataFrame(layers[name].drop(columns="geometry"))
        df["wkt"] = layers[name].geometry.to_wkt()
        sheet.append(list(df.columns))
        for row in df.itertuples(index=False):
            sheet.append([None if pd.isna(v) else v for v in row])
    wb.save(tmp_path / "park.xlsx")
    with pytest.raises(ParkDataError) as err:
        load_park(tmp_path / "park.xlsx")
    (p,) = _kind(err.value.report, "excel_error")
    assert (p.layer, p.row_id, p.column, p.value) == ("installations", "U2", "inventory_kg", "#DIV/0!")


def test_excel_error_text_in_a_csv(tmp_path, layers):
    from geodata.io import read_layers

    inst = pd.DataFrame(layers["installations"].drop(columns="geometry"))
    inst["inventory_kg"] = ["1", "#N/A", "2", "#DIV/0!"]  # what Excel writes into a CSV for failed formulas
    inst.to_csv(tmp_path / "installations.csv", index=False)
    raw, _ = read_layers(tmp_path / "installations.csv")
    got = {(p.row_id, p.value) for p in _kind(validate_layers(raw), "excel_error")}
    assert got == {("U2", "#N/A"), ("U4", "#DIV/0!")}

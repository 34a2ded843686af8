"""Reading and writing: GeoPackage round trip, folders, CSV/XLSX tables with GCJ-02/BD-09, atomic save."""

from __future__ import annotations

import os

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest

from geodata import Park, ParkDataError, load_park, schema


def _assert_same_park(a: Park, b: Park) -> None:
    assert set(a.layers) == set(b.layers)
    for name in a.layers:
        pd.testing.assert_frame_equal(
            pd.DataFrame(a.layers[name]).drop(columns="geometry"),
            pd.DataFrame(b.layers[name]).drop(columns="geometry"),
        )
        assert a.layers[name].geometry.geom_equals_exact(b.layers[name].geometry, tolerance=1e-9).all(), name
        assert b.layers[name].crs.to_epsg() == 4326


def test_geopackage_round_trip_keeps_dtypes_values_and_crs(small_park, park_gpkg):
    assert sorted(pyogrio.list_layers(park_gpkg)[:, 0]) == sorted(small_park.layers)
    loaded = load_park(park_gpkg)
    _assert_same_park(small_park, loaded)
    assert loaded.source == str(park_gpkg)


def test_round_trip_with_empty_layers_and_nullable_ints(layers, tmp_path):
    del layers["buildings"]
    park = Park.from_layers(layers)
    path = tmp_path / "p.gpkg"
    park.save(path)
    loaded = load_park(path)
    assert len(loaded.buildings) == 0 and str(loaded.buildings["occupants"].dtype) == "Int64"
    assert loaded.enterprises["major_hazard_grade"].isna().sum() == 1


def test_folder_of_geojson(tmp_path, small_park, make_layers):
    folder = tmp_path / "park"
    folder.mkdir()
    for name, gdf in make_layers().items():
        gdf.to_file(folder / f"{name}.geojson", driver="GeoJSON")
    _assert_same_park(small_park, load_park(folder))


@pytest.mark.filterwarnings("ignore:Column names longer than 10:UserWarning")
@pytest.mark.filterwarnings("ignore:Normalized/laundered field name:RuntimeWarning")
def test_folder_of_shapefiles_and_missing_prj_reported(tmp_path, make_layers, small_park):
    folder = tmp_path / "shp"
    folder.mkdir()
    raw = make_layers()
    for name in ("parks", "enterprises", "buildings"):
        raw[name].to_file(
            folder / f"{name}.shp"
        )  # Shapefile cuts names to 10 characters: enterprise_id -> enterprise
    park = load_park(folder)
    for name in ("parks", "enterprises", "buildings"):
        pd.testing.assert_frame_equal(
            pd.DataFrame(park.layers[name]).drop(columns="geometry"),
            pd.DataFrame(small_park.layers[name]).drop(columns="geometry"),
        )
    os.remove(folder / "parks.prj")
    with pytest.raises(ParkDataError, match="没有坐标系") as err:
        load_park(folder)
    assert "EPSG:4326" in err.value.report.errors[0].fix_zh  # values look like lon/lat: the fix says so


def _gcj(lon, lat):
    from coord_convert.transform import wgs2gcj

    return wgs2gcj(lon, lat)


def test_csv_tables_with_lonlat_in_gcj02(tmp_path, small_park, make_layers, layer_to_table):
    folder = tmp_path / "csv"
    folder.mkdir()
    for name, gdf in make_layers().items():
        table = layer_to_table(gdf)
        if "lon" in table:  # what a user copies from Gaode: GCJ-02 coordinates
            xy = [_gcj(x, y) for x, y in zip(table["lon"], table["lat"], strict=True)]
            table["lon"], table["lat"] = [p[0] for p in xy], [p[1] for p in xy]
        else:  # WKT in GCJ-02
            geoms = gdf.geometry.apply(
                lambda g: __import__("shapely").transform(g, lambda a: np.array([_gcj(x, y) for x, y in a]))
            )
            table["wkt"] = geoms.to_wkt()
        table.to_csv(folder / f"{name}.csv", index=False, encoding="utf-8-sig")
    loaded = load_park(folder, coords="GCJ-02")
    for name in small_park.layers:
        got = loaded.layers[name].geometry
        want = small_park.layers[name].geometry
        # iterative inverse of coord-convert: ~1e-6 deg
        assert got.geom_equals_exact(want, tolerance=2e-6).all(), name
    pd.testing.assert_frame_equal(
        pd.DataFrame(loaded.installations).drop(columns="geometry"),
        pd.DataFrame(small_park.installations).drop(columns="geometry"),
    )
    # the same files read as WGS84 land hundreds of metres away
    shifted = load_park(folder).installations.to_crs(4547).distance(small_park.installations.to_crs(4547))
    assert (shifted > 300).all()


def test_xlsx_workbook_sheet_per_layer_in_bd09(tmp_path, small_park, make_layers, layer_to_table):
    from coord_convert.transform import wgs2bd

    path = tmp_path / "park.xlsx"
    with pd.ExcelWriter(path) as xl:
        for name, gdf in make_layers().items():
            table = layer_to_table(gdf)
            if "lon" in table:
                xy = [wgs2bd(x, y) for x, y in zip(table["lon"], table["lat"], strict=True)]
                table["lon"], table["lat"] = [p[0] for p in xy], [p[1] for p in xy]
            else:
                import shapely

                table["wkt"] = gdf.geometry.apply(
                    lambda g: shapely.transform(g, lambda a: np.array([wgs2bd(x, y) for x, y in a]))
                ).to_wkt()
            table.to_excel(xl, sheet_name=name, index=False)
    loaded = load_park(path, coords="BD-09")
    assert loaded.installations.geometry.geom_equals_exact(
        small_park.installations.geometry, tolerance=2e-6
    ).all()
    assert loaded.rectifications["deadline"].tolist() == small_park.rectifications["deadline"].tolist()
    assert loaded.pipelines["buried"].tolist() == [True]


def test_single_csv_with_layer_column(tmp_path, small_park, make_layers, layer_to_table):
    tables = [layer_to_table(gdf).assign(layer=name) for name, gdf in make_layers().items()]
    path = tmp_path / "whole_park.csv"
    pd.concat(tables, ignore_index=True).to_csv(path, index=False)
    loaded = load_park(path)
    _assert_same_park(small_park, loaded)


def test_csv_with_bad_coordinates_reports_rows(tmp_path, make_layers, layer_to_table):
    folder = tmp_path / "csv"
    folder.mkdir()
    for name, gdf in make_layers().items():
        layer_to_table(gdf).to_csv(folder / f"{name}.csv", index=False)
    t = pd.read_csv(folder / "installations.csv", dtype=str)
    t.loc[1, "lon"] = "113°00'12\""
    t.to_csv(folder / "installations.csv", index=False)
    with pytest.raises(ParkDataError, match="坐标列「lon」不是有效数值") as err:
        load_park(folder)
    p = [p for p in err.value.report.errors if p.kind == "bad_type"][0]
    assert (p.layer, p.row_id, p.column) == ("installations", "U2", "lon")


def test_gbk_encoded_csv_is_read(tmp_path, make_layers, layer_to_table):
    folder = tmp_path / "csv"
    folder.mkdir()
    for name, gdf in make_layers().items():
        layer_to_table(gdf).to_csv(folder / f"{name}.csv", index=False, encoding="gb18030")
    assert load_park(folder).name == "测试化工园区"


def test_missing_path_is_oserror():
    with pytest.raises(FileNotFoundError, match="找不到文件"):
        load_park("/nonexistent/park.gpkg")


def test_unreadable_file_is_reported(tmp_path):
    bad = tmp_path / "park.gpkg"
    bad.write_bytes(b"this is not a geopackage")
    with pytest.raises(ParkDataError, match="文件无法读取"):
        load_park(bad)


def test_save_refuses_other_suffix(small_park, tmp_path):
    with pytest.raises(ValueError, match=r"\.gpkg"):
        small_park.save(tmp_path / "park.shp")


def test_atomic_save_crash_mid_write_keeps_original(small_park, park_gpkg, monkeypatch, layers):
    before = park_gpkg.read_bytes()
    layers["enterprises"].loc[0, "name"] = "改名后的企业"
    changed = Park.from_layers(layers)
    calls = {"n": 0}
    real_to_file = gpd.GeoDataFrame.to_file

    def crashing_to_file(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:  # crash after two layers went to the temporary file
            raise OSError(28, "No space left on device (simulated)")
        return real_to_file(self, *args, **kwargs)

    monkeypatch.setattr(gpd.GeoDataFrame, "to_file", crashing_to_file)
    with pytest.raises(OSError, match="simulated"):
        changed.save(park_gpkg)
    monkeypatch.undo()
    assert park_gpkg.read_bytes() == before
    assert sorted(p.name for p in park_gpkg.parent.iterdir()) == [park_gpkg.name]  # no temp file left
    assert load_park(park_gpkg).enterprises["name"].iloc[0] == "甲石化"
    changed.save(park_gpkg)
    assert load_park(park_gpkg).enterprises["name"].iloc[0] == "改名后的企业"


def test_atomic_save_crash_at_replace_keeps_original(small_park, park_gpkg, monkeypatch):
    before = park_gpkg.read_bytes()

    def boom(src, dst):
        raise OSError("power cut before rename (simulated)")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="simulated"):
        small_park.save(park_gpkg)
    monkeypatch.undo()
    assert park_gpkg.read_bytes() == before
    assert [p.name for p in park_gpkg.parent.iterdir()] == [park_gpkg.name]


def test_saved_file_has_every_layer_even_empty(tmp_path, make_layers):
    raw = make_layers()
    park = Park.from_layers({"parks": raw["parks"]})
    path = tmp_path / "only_park.gpkg"
    park.save(path)
    assert set(pyogrio.list_layers(path)[:, 0]) == set(schema.LAYER_ORDER)

"""``parkrisk validate | info | map``: Chinese output, exit codes, no traceback for bad data."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point, Polygon

from app.cli import main

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "geodata" / "samples" / "demo_park.gpkg"


def test_validate_clean_park_exits_0(park_gpkg, capsys):
    assert main(["validate", str(park_gpkg)]) == 0
    out = capsys.readouterr().out
    assert "未发现问题" in out


def test_validate_bad_park_exits_1_with_every_problem(park_gpkg, tmp_path, capsys, small_park):
    bad = tmp_path / "bad.gpkg"
    for name in small_park.layers:
        gdf = gpd.read_file(park_gpkg, layer=name)
        if name == "installations":
            gdf.loc[0, "pressure_pa"] = 2.5
            gdf.loc[1, "substance"] = "unobtainium"
        if name == "enterprises":
            gdf.loc[0, "geometry"] = Polygon([(113, 30), (113.01, 30.01), (113.01, 30), (113, 30.01)])
        if name == "sensitive_targets":
            gdf["geometry"] = [Point(g.y, g.x) if g.geom_type == "Point" else g for g in gdf.geometry]
        if name == "buildings":
            gdf = gdf.drop(columns=["occupants"])
        gdf.to_file(bad, layer=name, driver="GPKG")
    assert main(["validate", str(bad)]) == 1
    out = capsys.readouterr().out
    for needle in (
        "压力单位应为 Pa",
        "unobtainium",
        "Self-intersection",
        "经纬度颠倒",
        "缺少必需列「occupants」",
    ):
        assert needle in out, needle
    assert "Traceback" not in out


def test_validate_missing_file_exits_1_in_chinese(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nope.gpkg")]) == 1
    assert "找不到文件" in capsys.readouterr().out


def test_validate_garbage_file_no_traceback_in_subprocess(tmp_path):
    bad = tmp_path / "park.gpkg"
    bad.write_bytes(b"\x00garbage")
    proc = subprocess.run(
        [sys.executable, "-m", "app.cli", "validate", str(bad)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert proc.returncode == 1
    assert "文件无法读取" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


def test_validate_coords_option(tmp_path, make_layers, layer_to_table, capsys):
    from coord_convert.transform import wgs2gcj

    folder = tmp_path / "gcj"
    folder.mkdir()
    for name, gdf in make_layers().items():
        table = layer_to_table(gdf)
        if "lon" in table:
            xy = [wgs2gcj(x, y) for x, y in zip(table["lon"], table["lat"], strict=True)]
            table["lon"], table["lat"] = [p[0] for p in xy], [p[1] for p in xy]
        table.to_csv(folder / f"{name}.csv", index=False)
    assert main(["validate", str(folder), "--coords", "GCJ-02"]) == 0
    with pytest.raises(SystemExit):
        main(["validate", str(folder), "--coords", "UTM"])
    assert "GCJ-02" in capsys.readouterr().err


def test_info(park_gpkg, capsys):
    assert main(["info", str(park_gpkg)]) == 0
    out = capsys.readouterr().out
    assert "园区：测试化工园区" in out
    assert "EPSG:4547（CGCS2000 / 3-degree Gauss-Kruger CM 114E" in out
    assert "装置设施（installations）：4 个要素" in out
    assert "经度 112.985000°–113.028000°" in out


def test_info_bad_data_exits_1(tmp_path, capsys):
    assert main(["info", str(tmp_path / "missing.gpkg")]) == 1


def test_map_writes_standalone_offline_html(park_gpkg, tmp_path, capsys):
    import re

    out = tmp_path / "park.html"
    assert main(["map", str(park_gpkg), "-o", str(out)]) == 0
    assert "已生成地图" in capsys.readouterr().out
    html = out.read_text(encoding="utf-8")
    assert "L.map(" in html  # Leaflet inlined
    for name in (
        "甲石化",
        "中心控制室",
        "某小学",
    ):  # features of several layers drawn (GeoJSON escapes non-ASCII)
        assert name in html or json.dumps(name)[1:-1] in html, name
    # no script or stylesheet from the network (the attribution link to leafletjs.com is only an <a href>)
    external = re.findall(r"""<(?:script|link)[^>]+(?:src|href)\s*=\s*["'](https?://[^"']+)""", html)
    assert external == []


def test_map_bad_data_exits_1(tmp_path, capsys):
    assert main(["map", str(tmp_path / "none.gpkg"), "-o", str(tmp_path / "x.html")]) == 1
    assert not (tmp_path / "x.html").exists()


def test_demo_park_validates_clean(demo_park_path, capsys):
    """Acceptance: `parkrisk validate geodata/samples/demo_park.gpkg` reports no problems."""
    assert main(["validate", str(demo_park_path)]) == 0
    assert "未发现问题（0 个错误，0 个警告）" in capsys.readouterr().out


def test_analysis_command_coords_option_corrects_gcj02_tables(tmp_path, make_layers, layer_to_table, capsys):
    """Issue 13, finding 10: ``zones`` on GCJ-02 tables with ``--coords GCJ-02`` gives the zones of the WGS84 park
    (before: no ``--coords``, the tables were read as WGS84 and the zones came out about 500 m off)."""
    from coord_convert.transform import wgs2gcj
    from shapely.ops import transform

    folders = {"wgs": tmp_path / "wgs", "gcj": tmp_path / "gcj"}
    for folder in folders.values():
        folder.mkdir()
    for name, gdf in make_layers().items():
        layer_to_table(gdf).to_csv(folders["wgs"] / f"{name}.csv", index=False)
        shifted = gdf.copy()
        shifted["geometry"] = gdf.geometry.map(lambda g: transform(lambda x, y: wgs2gcj(x, y), g))
        layer_to_table(shifted).to_csv(folders["gcj"] / f"{name}.csv", index=False)
    args = ["--unit", "U3", "--scenario", "toxic", "--wind-from", "90"]
    out = {k: tmp_path / f"{k}.geojson" for k in ("wgs", "gcj", "gcj_as_wgs")}
    assert main(["zones", str(folders["wgs"]), *args, "-o", str(out["wgs"])]) == 0
    assert main(["zones", str(folders["gcj"]), *args, "--coords", "GCJ-02", "-o", str(out["gcj"])]) == 0
    assert main(["zones", str(folders["gcj"]), *args, "-o", str(out["gcj_as_wgs"])]) == 0
    capsys.readouterr()
    c = {k: gpd.read_file(p).to_crs(4547).geometry.union_all().centroid for k, p in out.items()}
    assert c["gcj"].distance(c["wgs"]) < 5.0  # metres (GCJ-02 inversion is exact to well under a metre)
    assert c["gcj_as_wgs"].distance(c["wgs"]) > 300.0

"""``parkrisk pipelines`` on the demo park."""

from __future__ import annotations

import geopandas as gpd

from app.cli import main


def test_cli_writes_hca_gpkg(demo_park_path, tmp_path, capsys):
    out = tmp_path / "hca.gpkg"
    rc = main(["pipelines", str(demo_park_path), "--segment", "50", "--pipeline", "GP-01", "-o", str(out)])
    assert rc == 0
    text = capsys.readouterr().out
    assert "潜在影响半径 151.6 m" in text and "HCA-001" in text
    hca = gpd.read_file(out, layer="hca")
    assert list(hca["hca_grade"]) == [2, 2]  # GB 32167 Table 1 gas b), e) (Ⅱ, REFERENCE.md)
    assert "S03" in hca["hca_targets"].iloc[1]


def test_cli_bad_input(tmp_path, capsys):
    assert main(["pipelines", str(tmp_path / "none.gpkg")]) == 1
    assert "找不到园区文件" in capsys.readouterr().err
    assert main(["pipelines", str(tmp_path / "none.gpkg"), "-o", "x.shp"]) == 1

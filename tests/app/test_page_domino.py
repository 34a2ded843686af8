"""The page 多米诺效应 (app/views/domino.py): map/table builders and an AppTest run on the small test park."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

PAGE = Path(__file__).resolve().parents[2] / "app" / "views" / "domino.py"


def _page_module():
    spec = importlib.util.spec_from_file_location("domino_page", PAGE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def result_and_park(small_park_path):
    from analysis import domino
    from geodata import load_park

    park = load_park(small_park_path)
    return park, domino.analyze(park, n_samples=300, max_level=2)


def test_page_constants():
    mod = _page_module()
    assert mod.TITLE == "多米诺效应" and mod.ORDER == 30


def test_map_is_offline_and_has_arrows(result_and_park):
    from app.mapping import external_asset_urls

    mod = _page_module()
    park, res = result_and_park
    m = mod.domino_map(park, res)
    assert external_asset_urls(m) == []
    html = m.get_root().render()
    assert "升级概率" in html
    # one layer switcher, created after the arrow layers it lists
    assert html.count("L.control.layers(") == 1
    assert html.index("L.control.layers(") > html.rindex("L.featureGroup(")

    def names(mp):
        return [getattr(c, "layer_name", "") for c in mp._children.values()]

    assert any(n.startswith("升级箭头") for n in names(m))
    assert any(n.startswith("跨企业升级") for n in names(m))
    if len(res.edges):
        src, kind = res.primary_events[["source", "scenario"]].iloc[0]
        m2 = mod.domino_map(park, res, primary=(src, kind))
        assert "升级链" in names(m2)
        html2 = m2.get_root().render()
        assert html2.count("L.control.layers(") == 1
        assert html2.index("L.control.layers(") > html2.rindex("L.featureGroup(")
        t = mod.chain_table(res, src, kind)
        assert list(t.columns)[:3] == ["设施编号", "一级升级概率（-）", "被卷入概率（各级，-）"]


def test_tables_have_units(result_and_park):
    mod = _page_module()
    _, res = result_and_park
    r = mod.ranking_table(res)
    assert "作为初始事件预计损失设施数（个）" in r.columns
    e = mod.edges_table(res)
    if len(e):
        assert e["荷载"].str.contains("kW/m²|kPa").all()
        assert "所需间距（m）" in e.columns
    f = mod.frequency_table(res)
    assert "附加次生事故频率（次/年）" in f.columns


def test_probability_colours_are_ordered():
    mod = _page_module()
    assert mod.probability_color(0.95) == mod.PROBABILITY_CLASSES[0][1]
    assert mod.probability_color(0.0) == mod.PROBABILITY_CLASSES[-1][1]


def test_page_runs_and_analyses(small_park_path, monkeypatch, finish_jobs):
    monkeypatch.setenv("PARKRISK_PARK", str(small_park_path))
    monkeypatch.setenv("PARKRISK_BASEMAP", "none")
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value.startswith("多米诺效应")
    at.number_input(key="dm_samples").set_value(300)
    at.button[0].click().run()
    assert not at.exception, at.exception
    finish_jobs(at)  # computed in a background job (app.jobs); the page shows its result on the next run
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    labels = [m.label for m in at.metric]
    assert "升级边" in labels and "跨企业升级边" in labels
    assert any("设施排名" in s.value for s in at.subheader)


def test_cli_writes_geojson_and_gpkg(small_park_path, tmp_path):
    import geopandas as gpd
    import pyogrio

    from app.cli import main

    out = tmp_path / "edges.geojson"
    assert main(["domino", str(small_park_path), "-o", str(out), "--samples", "200", "--levels", "2"]) == 0
    g = gpd.read_file(out)
    assert g.crs.to_epsg() == 4326
    out2 = tmp_path / "edges.gpkg"
    assert main(["domino", str(small_park_path), "-o", str(out2), "--samples", "200", "--levels", "2"]) == 0
    layers = {name for name, _ in pyogrio.list_layers(out2)}
    assert {"domino_edges", "domino_ranking", "domino_frequencies"} <= layers
    assert main(["domino", str(small_park_path), "-o", str(tmp_path / "x.txt")]) == 1

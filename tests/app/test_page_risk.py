"""The pages 风险分布, 选址与防护距离 and 重大危险源: map/table builders, the CLI, and AppTest runs on the small park."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

PAGES = Path(__file__).resolve().parents[2] / "app" / "views"


def _page(name: str):
    spec = importlib.util.spec_from_file_location(f"{name}_page", PAGES / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def park_and_result(small_park_path):
    from analysis.qra import individual as risk
    from geodata import load_park

    park = load_park(small_park_path)
    return park, risk.individual_risk(park, resolution=50.0, margin=500.0)


def test_proposed_row_uses_the_equipment_class_rule():
    # the rule lives in analysis.domino.units.equipment_class; the page only calls it
    proposed_row = _page("siting").proposed_row
    kw = dict(unit_id="N", enterprise_id="E1", substance="汽油", inventory_kg=1e6, temperature_k=293.15)
    tank = proposed_row(kind="storage_tank", phase="liquid", pressure_pa=101_325.0, lon=113.7, lat=29.9, **kw)
    ball = proposed_row(
        kind="spherical_tank", phase="liquefied_gas", pressure_pa=9e5, lon=113.7, lat=29.9, **kw
    )
    assert tank["equipment_class"] == "atmospheric" and ball["equipment_class"] == "pressurized"


def test_page_constants():
    assert (_page("risk").TITLE, _page("risk").ORDER) == ("风险分布", 40)
    assert (_page("siting").TITLE, _page("siting").ORDER) == ("选址与防护距离", 41)
    assert (_page("major_hazard").TITLE, _page("major_hazard").ORDER) == ("重大危险源", 42)


def test_maps_are_offline(park_and_result):
    from analysis.qra import individual as risk
    from analysis.regulation import gb18218 as mh
    from analysis.regulation import siting_checks as scx
    from app.mapping import external_asset_urls

    park, res = park_and_result

    def names(mp):
        return [getattr(c, "layer_name", "") or "" for c in mp._children.values()]

    cont = risk.risk_contours(res)
    assert (cont["area_m2"] > 0).any()
    m = _page("risk").contour_map(park, cont)
    assert external_asset_urls(m) == []
    assert any(n.startswith("个人风险等值线") for n in names(m))
    m2 = _page("siting").compliance_map(park, scx.compliance(res, park))
    assert external_asset_urls(m2) == [] and any("GB 36894" in n for n in names(m2))
    _, ent = mh.enterprise_grades(park)
    m3 = _page("major_hazard").grade_map(park, ent)
    assert external_asset_urls(m3) == [] and any(n.startswith("重大危险源级别") for n in names(m3))


def test_excel_export_has_chinese_sheets(park_and_result):
    import io

    import openpyxl

    from app.commands.risk import excel_bytes, siting_sheets

    park, res = park_and_result
    wb = openpyxl.load_workbook(io.BytesIO(excel_bytes(siting_sheets(res, park))))
    assert {"GB36894合规性", "外部安全防护距离", "F-N曲线"} <= set(wb.sheetnames)
    header = [c.value for c in wb["GB36894合规性"][1]]
    assert "个人风险（/年）" in header and "在役装置基准（/年）" in header


def test_cli_risk_siting_major(small_park_path, tmp_path):
    import rasterio

    from app.cli import main

    tif = tmp_path / "ir.tif"
    assert (
        main(
            [
                "risk",
                str(small_park_path),
                "--resolution",
                "50",
                "-o",
                str(tif),
                "--contours",
                str(tmp_path / "c.geojson"),
            ]
        )
        == 0
    )
    with rasterio.open(tif) as src:
        assert src.read(1).max() > 0
    assert main(["risk", str(small_park_path), "-o", str(tmp_path / "x.png")]) == 1
    xlsx = tmp_path / "siting.xlsx"
    assert main(["siting", str(small_park_path), "--resolution", "50", "-o", str(xlsx)]) == 0
    assert xlsx.stat().st_size > 0
    assert main(["major-hazards", str(small_park_path), "-o", str(tmp_path / "mh.xlsx")]) == 0


def test_major_hazard_page_runs(small_park_path, monkeypatch):
    monkeypatch.setenv("PARKRISK_PARK", str(small_park_path))
    monkeypatch.setenv("PARKRISK_BASEMAP", "none")
    at = AppTest.from_file(str(PAGES / "major_hazard.py"), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value.startswith("重大危险源")
    assert "重大危险源" in [m.label for m in at.metric]
    # the metrics and the unit table show the GB 18218 identification of the park
    from analysis.regulation import gb18218
    from geodata import load_park

    units, _ = gb18218.enterprise_grades(load_park(small_park_path))
    shown = {m.label: m.value for m in at.metric}
    assert shown["辨识单元"] == f"{len(units)} 个" and len(units) > 0
    assert shown["重大危险源"] == f"{int(units['is_major'].sum())} 个"
    assert len(at.dataframe[1].value) == len(units)


def test_risk_page_computes(small_park_path, monkeypatch, finish_jobs):
    monkeypatch.setenv("PARKRISK_PARK", str(small_park_path))
    monkeypatch.setenv("PARKRISK_BASEMAP", "none")
    at = AppTest.from_file(str(PAGES / "risk.py"), default_timeout=300)
    at.run()
    assert not at.exception, at.exception
    at.selectbox(key="risk_resolution").set_value(50.0)
    at.button[0].click().run()
    finish_jobs(at)  # computed in a background job (app.jobs); the result shows on the next run
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert "最大个人风险" in [m.label for m in at.metric]
    labels = [b.proto.label for b in at.get("download_button")]
    assert {"下载风险评价报告 Word", "下载风险评价报告 PDF"} <= set(labels), labels


def test_siting_page_runs_after_risk(small_park_path, monkeypatch, finish_jobs):
    monkeypatch.setenv("PARKRISK_PARK", str(small_park_path))
    monkeypatch.setenv("PARKRISK_BASEMAP", "none")
    at = AppTest.from_file(str(PAGES / "siting.py"), default_timeout=300)
    at.run()
    assert not at.exception, at.exception
    at.selectbox(key="siting_res").set_value(50.0)
    at.button[0].click().run()
    finish_jobs(at)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert "不满足在役基准" in [m.label for m in at.metric]
    assert any("外部安全防护距离" in s.value for s in at.subheader)


def test_siting_page_new_unit_trial(small_park_path, monkeypatch, finish_jobs):
    monkeypatch.setenv("PARKRISK_PARK", str(small_park_path))
    monkeypatch.setenv("PARKRISK_BASEMAP", "none")
    at = AppTest.from_file(str(PAGES / "siting.py"), default_timeout=300)
    at.run()
    at.selectbox(key="siting_res").set_value(50.0)
    at.button[0].click().run()
    finish_jobs(at)
    trial = next(b for b in at.button if b.label == "试算")
    trial.click().run()
    assert not at.exception, at.exception
    # the only error allowed is the verdict that targets would fail
    assert all("不满足新建装置基准" in str(e.value) for e in at.error), [e.value for e in at.error]
    assert any("新建装置试算" in s.value for s in at.subheader)
    assert len(at.success) + len(at.error) >= 1


# ---------------------------------------------------------------- a park without weather: the generic rose, chosen
@pytest.fixture(scope="module")
def no_weather_path(small_park_path, tmp_path_factory):
    from geodata import load_park

    park = load_park(small_park_path)
    park.weather = None
    path = tmp_path_factory.mktemp("noweather") / "n.gpkg"
    park.save(path)
    return path


def test_generic_rose_run_says_so_in_every_export(no_weather_path, tmp_path):
    import io

    import openpyxl
    import rasterio

    from analysis.qra import individual as risk
    from analysis.qra.options import GENERIC_WEATHER_WARNING_ZH
    from app.commands.risk import excel_bytes, siting_sheets
    from geodata import load_park

    park = load_park(no_weather_path)
    res = risk.individual_risk(park, resolution=50.0, margin=500.0, weather="generic")
    assert res.assumptions["weather_warning"] == GENERIC_WEATHER_WARNING_ZH
    tif = tmp_path / "g.tif"
    res.to_geotiff(tif)
    with rasterio.open(tif) as src:
        assert src.tags()["assumption_weather_warning"] == GENERIC_WEATHER_WARNING_ZH
    wb = openpyxl.load_workbook(io.BytesIO(excel_bytes(siting_sheets(res, park))))
    assert wb.sheetnames[0] == "假设与来源"  # first sheet, first row: the warning
    first = [c.value for c in wb["假设与来源"][2]]
    assert first == ["⚠ 气象资料警告", GENERIC_WEATHER_WARNING_ZH]
    summary = _page("risk").risk_summary(res, risk.societal_risk(res))
    assert summary["气象来源"] == "通用示意风玫瑰（仅供比较）" and "示意" in summary["最大个人风险"]


def test_generic_rose_absent_from_a_run_on_the_parks_rose(park_and_result):
    from analysis.qra import individual as risk

    _, res = park_and_result
    assert "weather_warning" not in res.assumptions
    assert _page("risk").risk_summary(res, risk.societal_risk(res))["气象来源"] == "本园区风玫瑰"


@pytest.mark.parametrize(
    ("page", "select", "tick"),
    [("risk", "risk_resolution", "risk_generic_weather"), ("siting", "siting_res", "siting_generic_weather")],
)
def test_pages_run_on_the_generic_rose_when_chosen(
    no_weather_path, monkeypatch, page, select, tick, finish_jobs
):
    from app.views.risk import GENERIC_ROSE_LABEL

    monkeypatch.setenv("PARKRISK_PARK", str(no_weather_path))
    monkeypatch.setenv("PARKRISK_BASEMAP", "none")
    at = AppTest.from_file(str(PAGES / f"{page}.py"), default_timeout=300)
    at.run()
    assert not at.exception, at.exception
    assert any("parkrisk weather import" in w.value for w in at.warning)  # the fix, before any run
    box = at.checkbox(key=tick)
    assert box.label == GENERIC_ROSE_LABEL and box.value is False
    at.selectbox(key=select).set_value(50.0)
    box.check()
    at.button[0].click().run()
    finish_jobs(at)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert any(GENERIC_ROSE_LABEL in w.value and "不能作为评价结论" in w.value for w in at.warning)
    if page == "risk":
        shown = {m.label: m.value for m in at.metric}
        assert shown["气象来源"] == "通用示意风玫瑰（仅供比较）"
        assert "通用风玫瑰" in shown["最大个人风险"]


def test_risk_map_draws_population_areas_escaped(park_and_result):
    import geopandas as gpd
    import shapely
    from factories import small_park_layers

    from analysis.qra import individual as risk
    from geodata import Park

    _, res = park_and_result
    layers = small_park_layers()
    x, y = layers["parks"].to_crs(4326).geometry.iloc[0].centroid.coords[0]
    layers["population_areas"] = gpd.GeoDataFrame(
        {
            "area_id": ["P1"],
            "name": ['<script>alert("x")</script>新村'],
            "population_day": [120],
            "population_night": [300],
        },
        geometry=[shapely.box(x - 0.002, y - 0.002, x + 0.002, y + 0.002)],
        crs=4326,
    )
    park = Park.from_layers(layers)
    m = _page("risk").contour_map(park, risk.risk_contours(res))
    names = [getattr(c, "layer_name", "") or "" for c in m._children.values()]
    assert any(n.startswith("居住区人口（计入社会风险）") for n in names)
    html = m.get_root().render()
    i = html.find('<script>alert("x")')
    assert i < 0, html[i - 600 : i + 100]
    import json

    # the name, escaped for HTML, and the night count are in the layer's GeoJSON (non-ASCII maybe as \\u escapes)
    assert "\\u0026lt;script\\u0026gt;alert" in html
    assert "300 人" in html or json.dumps("300 人")[1:-1] in html

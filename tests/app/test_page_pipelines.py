"""The page 管道 (app/views/pipelines.py): AppTest on the small test park, and its plain functions on the demo."""

from __future__ import annotations

import io
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analysis import pipelines as pp
from app.mapping import external_asset_urls, standalone_html
from app.views import pipelines as page

PAGE = Path(__file__).resolve().parents[2] / "app" / "views" / "pipelines.py"


def test_page_constants():
    assert page.TITLE == "管道" and page.ORDER == 45 and page.ICON.startswith(":material/")


@pytest.fixture()
def at(small_park_path, monkeypatch, finish_jobs):
    monkeypatch.setenv("PARKRISK_PARK", str(small_park_path))
    monkeypatch.setenv("PARKRISK_BASEMAP", "none")
    a = AppTest.from_file(str(PAGE), default_timeout=120)
    a.run()
    assert not a.exception, a.exception
    finish_jobs(
        a
    )  # the first visit computes in a background job (app.jobs); its result shows on the next run
    assert not a.exception, a.exception
    return a


def test_page_runs_and_summarises(at):
    assert at.title[0].value.startswith("管道")
    assert not at.error, [e.value for e in at.error]
    # the small park's targets are all ≥ 399 m from its transmission line L1: no HCA (GB 32167 corridor 200 m)
    assert any("未识别出高后果区" in i.value for i in at.info)
    tables = [d.value for d in at.dataframe]
    summ = [t for t in tables if "潜在影响半径（m）" in t.columns and "管道编号" in t.columns]
    assert summ
    l1 = summ[0].set_index("管道编号").loc["L1"]
    # 0.099 * 508 mm * sqrt(6.4 - 0.101325 MPa) = 126.2 m
    # shown as text when a line has no radius (— instead of None, issue 17 item 4)
    assert float(l1["潜在影响半径（m）"]) == pytest.approx(0.099 * 508 * np.sqrt(6.4 - 0.101325), abs=0.1)


def test_page_segment_selection(at):
    at.selectbox(key="pl_pipeline").select("L2").run()
    assert not at.exception, at.exception
    assert any("未进行高后果区识别" in i.value for i in at.info)


@pytest.fixture(scope="module")
def demo(demo_park):
    return demo_park, pp.assess(demo_park, pipeline_ids=("GP-01", "PL-07"))


def test_map_colours_hca_segments_offline(demo):
    park, a = demo
    z = page.segment_zones(a.segments, "GP-01-0-0070", a.consequences["GP-01"])
    m = page.hca_map(park, a.segments, zones=z, selected="GP-01-0-0070")
    html = standalone_html(m)
    assert external_asset_urls(m) == []
    assert page.HCA_COLORS[2] in html and page.HCA_COLORS[1] in html
    assert "GP-01-0-0070" in html
    legend = "管道高后果区等级"
    assert legend in html or legend.encode("unicode_escape").decode() in html


def test_segment_zones_and_targets(demo):
    park, a = demo
    z = page.segment_zones(a.segments, "GP-01-0-0070", a.consequences["GP-01"])
    assert list(z["level"]) == ["lethal", "pir", "corridor"]
    assert z.loc[z.level == "pir", "distance_m"].iloc[0] == pytest.approx(151.58, abs=0.01)
    seg = a.segments[a.segments.segment_id == "GP-01-0-0070"].geometry.iloc[0]
    t = page.targets_in_zones(park, z, seg)
    assert {"S02", "S27"} <= set(t["编号"])  # 柳林村 and its clinic within the PIR
    with pytest.raises(ValueError, match="segment_id"):
        page.segment_zones(a.segments, "NOPE")


def test_exports(demo, tmp_path):
    _, a = demo
    x = pd.read_excel(io.BytesIO(page.hca_excel_bytes(a.hca, a.summary)), sheet_name=None)
    assert list(x) == ["高后果区", "管道汇总"]
    # GB 32167 Table 1 gas b) and e) (e) Ⅱ by REFERENCE.md's two agreeing transcriptions)
    assert list(x["高后果区"]["等级"]) == ["Ⅱ级", "Ⅱ级"]
    p = tmp_path / "hca.gpkg"
    p.write_bytes(page.hca_gpkg_bytes(a.hca, a.segments))
    back = gpd.read_file(p, layer="hca")
    assert list(back["hca_grade"]) == [2, 2] and back.crs == a.hca.crs
    assert len(gpd.read_file(p, layer="segments")) == len(a.segments)


def test_transect_figure_png(demo, tmp_path):
    _, a = demo
    d = np.linspace(-400, 400, 81)
    fig = page.transect_figure(
        {"GP-01": (d, pp.risk_transect(a.consequences["GP-01"], d))},
        pir={"GP-01": a.consequences["GP-01"].pir_m},
    )
    out = tmp_path / "t.png"
    fig.savefig(out, dpi=60)
    assert out.stat().st_size > 10_000
    assert fig.axes[0].get_ylabel() == "个人风险（次/年）"


def test_page_refuses_a_park_without_weather_then_runs_on_the_generic_rose(
    small_park, tmp_path, monkeypatch, finish_jobs
):
    import copy

    from app.views.risk import GENERIC_ROSE_LABEL

    park = copy.copy(small_park)
    park.weather = None
    path = tmp_path / "n.gpkg"
    park.save(path)
    monkeypatch.setenv("PARKRISK_PARK", str(path))
    monkeypatch.setenv("PARKRISK_BASEMAP", "none")
    a = AppTest.from_file(str(PAGE), default_timeout=120)
    a.run()
    finish_jobs(a)  # the background job refuses the park
    assert not a.exception, a.exception
    assert any("parkrisk weather import" in e.value for e in a.error)  # refused, the fix named
    a.run()  # not started again with the same inputs: the refusal stays, with 重试
    assert any("parkrisk weather import" in e.value for e in a.error)
    assert any(b.key == "job_retry|hca" for b in a.button)
    a.checkbox(key="pl_generic_weather").check().run()
    finish_jobs(a)
    assert not a.exception, a.exception
    assert not a.error, [e.value for e in a.error]
    assert any(GENERIC_ROSE_LABEL in w.value for w in a.warning)


def test_page_states_the_parks_rose(at):
    assert any("气象：" in c.value and "测试站" in c.value for c in at.caption)

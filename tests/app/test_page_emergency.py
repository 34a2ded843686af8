"""AppTest of the page 应急疏散 (app/views/emergency.py) on the demo park: chlorine at T-3, NE wind 2 m/s, 22:00."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

PAGE = Path(__file__).resolve().parents[2] / "app" / "views" / "emergency.py"


@pytest.fixture(scope="module")
def page(demo_park_path):
    mp = pytest.MonkeyPatch()
    mp.setenv("PARKRISK_PARK", str(demo_park_path))
    mp.setenv("PARKRISK_BASEMAP", "none")
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    at.run()
    yield at
    mp.undo()


def test_page_defaults_chlorine_t3(page):
    at = page
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value.startswith("应急疏散")
    zones = at.dataframe[0].value
    assert list(zones["分区"])[:3] == ["AEGL-3", "AEGL-2", "AEGL-1"]
    d = list(zones["本模型最远距离（m）"])[:3]
    assert d[0] < d[1] < d[2]
    erg = at.dataframe[1].value
    assert "ERG 防护行动距离（m）" in erg.columns and len(erg) >= 1
    aff = at.dataframe[2].value
    assert "江滨村" in set(aff["名称"])
    assert (aff["烟云到达（min）"] >= 0).all()
    assert float(aff.loc[aff["名称"] == "江滨村", "烟云到达（min）"].iloc[0]) > 5.0
    routes = at.dataframe[3].value
    assert len(routes) > 0
    assert any("重气" in m.value for m in at.markdown)


def test_page_makes_pdf_on_request(page):
    at = page
    at.button(key="em_make_pdf").click().run()
    assert not at.exception, at.exception
    assert at.session_state["em_pdf"][1][:5] == b"%PDF-"


def _affected_names(at) -> set[str]:
    """Names in the page's affected-targets table (empty when the page says no target is inside a zone)."""
    tables = [d.value for d in at.dataframe if "烟云到达（min）" in d.value.columns]
    return set(tables[0]["名称"]) if tables else set()


def test_page_wind_change_recomputes(page):
    at = page
    at.number_input(key="em_wind_from").set_value(45.0).run()
    before = _affected_names(at)
    at.number_input(key="em_wind_from").set_value(0.0).run()
    assert not at.exception, at.exception
    assert any("烟云飘向 180°" in c.value for c in at.caption)
    after = _affected_names(at)
    # the NE wind carries the cloud over 江滨村 (south-west of T-3); a north wind sends it south instead
    assert "江滨村" in before
    assert after != before, "the affected targets did not change with the wind direction"
    at.number_input(key="em_wind_from").set_value(45.0).run()
    assert _affected_names(at) == before


def test_page_bad_wind_speed_gives_chinese_error(page):
    at = page
    at.number_input(key="em_wind_speed").set_value(0.0).run()
    assert not at.exception, at.exception
    assert at.error
    assert "风速" in at.error[0].value
    at.number_input(key="em_wind_speed").set_value(2.0).run()


def test_emergency_map_plain_function(demo_park):
    from analysis import emergency as em
    from analysis.scenarios import Weather
    from app.mapping import external_asset_urls
    from app.views.emergency import emergency_map

    src = em.release_source(demo_park, unit_id="T-3")
    res = em.emergency_zones(src, em.Release(), Weather(2.0, 45.0, "F"), crs=demo_park.metric_crs)
    aff = em.affected_targets(res, demo_park)
    routes, ap = em.evacuation_routes(res, demo_park, aff)
    m = emergency_map(demo_park, res, routes=routes, assembly=ap)
    names = {getattr(c, "layer_name", "") for c in m._children.values()}
    assert {"中毒区", "风向不确定带", "初始隔离区"} <= names
    assert any(n.startswith("集合点") for n in names) and any(n.startswith("疏散路线") for n in names)
    assert external_asset_urls(m) == []


def test_page_runs_on_another_park(small_park_path, monkeypatch):
    """A park without T-3: the page falls back to the first installation and shows results or a Chinese error."""
    monkeypatch.setenv("PARKRISK_PARK", str(small_park_path))
    monkeypatch.setenv("PARKRISK_BASEMAP", "none")
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value.startswith("应急疏散")
    # results (the zone table: the isolation circle and at least one hazard zone with a reach) or a Chinese error
    if at.error:
        assert "无法计算" in at.error[0].value
    else:
        zones = at.dataframe[0].value
        assert "初始隔离区" in set(zones["分区"]) and len(zones) >= 2
        assert (zones["本模型最远距离（m）"].dropna().astype(float) > 0).any()
    at.radio(key="em_source_kind").set_value("pipeline").run()
    assert not at.exception, at.exception
    assert at.dataframe or at.error or at.info or at.warning

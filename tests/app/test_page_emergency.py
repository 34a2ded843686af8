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
    # ERG 2024 Table 3: 72.3 t chlorine -> rail tank car; 2 m/s = 7.2 km/h, low wind; 22:00, night: 1000 m / 11 km
    r = erg.iloc[0]
    assert (r["ERG 版本"], r["容器（表 3）"], r["时段"]) == ("ERG 2024 表 3", "铁路罐车", "夜间")
    assert r["风速等级"].startswith("低风速")
    assert (r["ERG 初始隔离（m）"], r["ERG 防护行动距离（m）"]) == (1000.0, 11000.0)
    assert "铁路罐车" in r["选行依据"]
    t = at.dataframe[2].value
    assert "江滨村" in set(t["名称"])
    assert (t["烟云到达（min）"] >= 0).all()
    assert float(t.loc[t["名称"] == "江滨村", "烟云到达（min）"].iloc[0]) > 5.0
    assert set(t["建议"]) <= {"撤离", "就地避险", "无人员，禁止进入"} | set(t["建议"])  # Chinese labels
    assert t["理由"].str.len().gt(20).all()
    # the zone printed agrees with the concentration printed (AEGL-2 of chlorine: 5.8 mg/m³, AEGL-3: 58 mg/m³)
    for _, row in t.iterrows():
        c = float(row["浓度（mg/m³）"])
        assert {"AEGL-3": c >= 58.0, "AEGL-2": 5.8 <= c < 58.0, "AEGL-1": 1.45 <= c < 5.8}[row["所在区"]]
    routes = at.dataframe[3].value
    assert len(routes) > 0 and "区内出口段（m）" in routes.columns
    ap = at.dataframe[4].value
    assert set(ap["编号"]) <= {"AP01", "AP02", "AP03", "AP04", "AP05", "AP06"} and len(ap) >= 1
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
    from app.mapping import external_asset_urls
    from app.views.emergency import emergency_map

    p = em.plan(demo_park, unit_id="T-3", wind_from=45.0, wind_speed=2.0, time="22:00")
    m = emergency_map(demo_park, p.result, routes=p.routes, assembly=p.assembly, route_zone=p.route_zone)
    names = {getattr(c, "layer_name", "") for c in m._children.values()}
    assert {"中毒区", "风向不确定带", "初始隔离区"} <= names
    assert any(n.startswith("集合点") for n in names) and any(n.startswith("疏散路线") for n in names)
    assert external_asset_urls(m) == []


def _station(tmp_path, minutes_ago: float, direction=90.0, speed=3.0, oktas=8):
    import datetime as dt
    from zoneinfo import ZoneInfo

    t = dt.datetime.now(ZoneInfo("Asia/Shanghai")) - dt.timedelta(minutes=minutes_ago)
    f = tmp_path / "station.csv"
    f.write_text(f"time,direction,speed,cloud_cover\n{t:%Y-%m-%dT%H:%M:%S%z},{direction},{speed},{oktas}\n")
    return f


def test_page_observation_url_fills_the_form(demo_park_path, tmp_path, monkeypatch):
    """A station served on 127.0.0.1: the newest reading fills wind from, speed and cloud; a stale one is said and
    the form keeps its values; a malformed one gives a Chinese error."""
    import functools
    import http.server
    import threading

    monkeypatch.setenv("PARKRISK_PARK", str(demo_park_path))
    monkeypatch.setenv("PARKRISK_BASEMAP", "none")
    _station(tmp_path, minutes_ago=3)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *a, **k: None
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{srv.server_address[1]}/station.csv"
    try:
        at = AppTest.from_file(str(PAGE), default_timeout=120)
        at.run()
        at.text_input(key="em_obs_url").set_value(url)
        at.button(key="em_obs_load").click().run()
        assert not at.exception, at.exception
        assert at.number_input(key="em_wind_from").value == 90.0
        assert at.number_input(key="em_wind_speed").value == 3.0
        assert at.slider(key="em_cloud").value == 10  # 8 oktas = 10 成
        assert any("已采用最新观测" in s.value for s in at.success)
        assert any("烟云飘向 270°" in c.value for c in at.caption)
        # stale: 45 min old against the default 30 min
        _station(tmp_path, minutes_ago=45, direction=180.0, speed=5.0)
        at.button(key="em_obs_load").click().run()
        assert at.number_input(key="em_wind_from").value == 90.0  # not replaced
        assert any("超过设定时效 30 min" in w.value and "未采用" in w.value for w in at.warning)
        # malformed
        (tmp_path / "station.csv").write_text(
            "time,direction,speed\n2026-12-07T21:50,东北,2\n", encoding="utf-8"
        )
        at.button(key="em_obs_load").click().run()
        assert any("气象观测读取失败" in e.value and "风向" in e.value for e in at.error)
        assert at.number_input(key="em_wind_from").value == 90.0
    finally:
        srv.shutdown()
        srv.server_close()


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


def _point_page(demo_park_path, monkeypatch):
    monkeypatch.setenv("PARKRISK_PARK", str(demo_park_path))
    monkeypatch.setenv("PARKRISK_BASEMAP", "none")
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    at.run()
    at.radio(key="em_source_kind").set_value("point").run()
    return at


def test_page_point_release_with_defaults_works(demo_park_path, monkeypatch):
    """任意地点 with the page's defaults (液氯, 1000 kg, 25 mm hole): liquid chlorine is held at its vapour pressure
    at 20 ℃ (about 0.68 MPa abs), so the hole release flows and the zones are shown (it used to end in an error
    naming hole_diameter and diameter_m: the point was taken as a gas at 1 atm)."""
    at = _point_page(demo_park_path, monkeypatch)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    p = next(w for w in at.number_input if w.key == "em_pressure_液氯")
    assert 0.6 < p.value < 0.75
    assert any(c.value.startswith("物质 液氯") for c in at.caption)
    zones = at.dataframe[0].value
    assert list(zones["分区"])[:3] == ["AEGL-3", "AEGL-2", "AEGL-1"]


def test_page_point_release_without_driving_pressure_is_refused_in_chinese(demo_park_path, monkeypatch):
    at = _point_page(demo_park_path, monkeypatch)
    at.selectbox(key="em_sub").set_value("甲苯").run()  # a liquid at 1 atm, no vessel: nothing pushes it out
    assert not at.exception, at.exception
    msgs = [e.value for e in at.error]
    assert msgs and "储存压力（MPa，绝压）" in msgs[0] and "0.101 MPa" in msgs[0] and "连续泄漏" in msgs[0]
    assert not any(w in msgs[0] for w in ("hole_diameter", "diameter_m", "release_duration", "no driving"))
    # the fix the message names works: a pressure above ambient
    next(w for w in at.number_input if w.key == "em_pressure_甲苯").set_value(0.5).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]

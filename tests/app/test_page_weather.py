"""The 气象与人口 page: the park's rose and station, the chart, and the warning for a park without weather."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geodata import load_park

PAGES = Path(__file__).resolve().parents[2] / "app" / "views"


def _page():
    spec = importlib.util.spec_from_file_location("weather_page", PAGES / "weather.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_stability_table_sums_to_100(small_park):
    t = _page().stability_table_zh(small_park.weather.rose)
    assert list(t.columns) == ["稳定度", "白天（占全年 %）", "夜间（占全年 %）"]
    assert t.iloc[:, 1:].to_numpy().sum() == pytest.approx(100.0, abs=0.05)


def test_page_shows_the_rose(small_park_path, monkeypatch):
    monkeypatch.setenv("PARKRISK_PARK", str(small_park_path))
    at = AppTest.from_file(str(PAGES / "weather.py"), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    assert "当前气象资料" in [s.value for s in at.subheader]
    assert any("测试站" in m.value for m in at.markdown)
    assert not at.warning


def test_page_warns_without_weather(small_park_path, tmp_path, monkeypatch):
    park = load_park(small_park_path)
    park.weather = None
    park.save(tmp_path / "n.gpkg")
    monkeypatch.setenv("PARKRISK_PARK", str(tmp_path / "n.gpkg"))
    at = AppTest.from_file(str(PAGES / "weather.py"), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    assert any("parkrisk weather import" in w.value for w in at.warning)


@pytest.mark.parametrize(
    ("page", "select", "value"), [("risk", "risk_resolution", 50.0), ("siting", "siting_res", 50.0)]
)
def test_risk_pages_refuse_a_park_without_weather_naming_the_fix(
    small_park_path, tmp_path, monkeypatch, page, select, value, finish_jobs
):
    park = load_park(small_park_path)
    park.weather = None
    park.save(tmp_path / "n.gpkg")
    monkeypatch.setenv("PARKRISK_PARK", str(tmp_path / "n.gpkg"))
    monkeypatch.setenv("PARKRISK_BASEMAP", "none")
    at = AppTest.from_file(str(PAGES / f"{page}.py"), default_timeout=120)
    at.run()
    at.selectbox(key=select).set_value(value)
    at.button[0].click().run()
    finish_jobs(at)  # the background job (app.jobs) refuses the park; its error shows on the next run
    assert not at.exception, at.exception
    assert any("parkrisk weather import" in e.value and "气象与人口" in e.value for e in at.error)

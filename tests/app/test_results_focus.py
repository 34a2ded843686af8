"""The map of every page opens on what was just computed or chosen there (app.mapping.focus.focus_map), and the
session remembers it for the next maps (园区一张图 too): 风险分布 (the contours), 管道 (the chosen segment and its
accident reach), 重大危险源 (the enterprises with a major hazard), 企业风险 (the chosen enterprise), 选址 (the targets
failing their limit, else the contours), 应急疏散 (the zones of the plan computed). Streamlit AppTest; the map's script is read from its component."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app.mapping.focus import FOCUS_KEY, bounds_of
from geodata import load_park

VIEWS = Path(__file__).resolve().parents[2] / "app" / "views"


@pytest.fixture
def on_park(tmp_path, monkeypatch):
    def use(source: Path) -> None:
        monkeypatch.setenv("PARKRISK_PARK", str(source))
        monkeypatch.setenv("PARKRISK_DATA_DIR", str(tmp_path / "data"))
        monkeypatch.setenv("PARKRISK_BASEMAP", "none")
        monkeypatch.delenv("PARKRISK_STORE", raising=False)

    return use


def _page(name: str) -> AppTest:
    at = AppTest.from_file(str(VIEWS / f"{name}.py"), default_timeout=300)
    at.run()
    assert not at.exception, at.exception
    return at


def _fits(at: AppTest) -> list[list[float]]:
    """The last fitBounds of each map of the page: [south, west, north, east] [°]."""
    out = []
    scripts = [json.loads(c.proto.json_args).get("script", "") for c in at.get("component_instance")]
    scripts += [c.proto.srcdoc for c in at.get("iframe")]  # maps drawn as a page (app.mapping.component)
    for script in scripts:
        found = re.findall(
            r"fitBounds\(\s*\[\[([-\d.e]+),\s*([-\d.e]+)\],\s*\[([-\d.e]+),\s*([-\d.e]+)\]\]", script
        )
        if found:
            out.append([float(v) for v in found[-1]])
    return out


def _opens_on(at: AppTest, bounds, *, tol: float = 1e-6) -> bool:
    """Whether a map of the page opens on WGS84 ``bounds`` (minx, miny, maxx, maxy) [°] (a point or a small
    feature with about 200 m around it: app.mapping.focus.zoom_to)."""
    cx, cy = (bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2
    for s, w, n, e in _fits(at):
        centred = abs((s + n) / 2 - cy) < tol and abs((w + e) / 2 - cx) < tol
        if (
            centred
            and s <= bounds[1] + tol
            and n >= bounds[3] - tol
            and w <= bounds[0] + tol
            and e >= bounds[2] - tol
        ):
            return True
    return False


def test_the_pipelines_map_opens_on_the_chosen_segment(small_park_path, on_park, finish_jobs):
    on_park(small_park_path)
    at = finish_jobs(_page("pipelines"))
    at.selectbox(key="pl_pipeline").select("L1").run()
    box = at.selectbox(key="pl_segment")
    box.select_index(len(box.options) - 1).run()
    sid = at.selectbox(key="pl_segment").value
    assert not at.exception, at.exception
    focus = at.session_state[FOCUS_KEY]
    assert focus.label == f"管道分段 {sid}"
    assert _opens_on(at, focus.bounds)


def test_the_major_hazard_map_opens_on_the_enterprises_with_a_major_hazard(
    demo_park_path, demo_park, on_park
):
    from analysis.regulation import gb18218

    on_park(demo_park_path)
    at = _page("major_hazard")
    _, ent = gb18218.enterprise_grades(demo_park)
    major = set(ent.loc[ent["n_major_units"] > 0, "enterprise_id"].astype(str))
    assert major  # the demo park has major hazards
    ents = demo_park.enterprises
    expected = bounds_of(ents[ents["enterprise_id"].astype(str).isin(major)])
    focus = at.session_state[FOCUS_KEY]
    assert focus.label == "重大危险源企业" and focus.bounds == pytest.approx(expected)
    assert _opens_on(at, expected)


def test_the_enterprise_risk_map_opens_on_the_chosen_enterprise(demo_park_path, demo_park, on_park):
    on_park(demo_park_path)
    at = _page("enterprise_risk")
    assert FOCUS_KEY not in at.session_state or at.session_state[FOCUS_KEY].label.startswith("企业")
    at.selectbox(key="er_enterprise").select("E02").run()
    assert not at.exception, at.exception
    ents = demo_park.enterprises
    expected = bounds_of(ents[ents["enterprise_id"] == "E02"])
    assert at.session_state[FOCUS_KEY].label == "企业 E02"
    assert _opens_on(at, expected)


def test_the_risk_map_opens_on_the_computed_contours_and_remembers_them(
    small_park_path, small_park, on_park, finish_jobs
):
    from analysis.qra import individual as risk

    on_park(small_park_path)
    at = _page("risk")
    at.selectbox(key="risk_resolution").set_value(50.0)
    at.button[0].click().run()
    finish_jobs(at)
    assert not at.exception, at.exception
    expected = bounds_of(risk.risk_contours(risk.individual_risk(small_park, resolution=50.0, margin=1000.0)))
    focus = at.session_state[FOCUS_KEY]
    assert focus.label == "个人风险等值线" and focus.bounds == pytest.approx(expected, abs=1e-9)
    assert _opens_on(at, expected)


def test_the_chosen_domino_chain_is_remembered_for_the_next_maps(
    small_park_path, small_park, on_park, finish_jobs
):
    on_park(small_park_path)
    at = _page("domino")
    at.number_input(key="dm_samples").set_value(300)
    at.button[0].click().run()
    finish_jobs(at)
    box = at.selectbox(key="dm_primary")
    box.select_index(1).run()
    assert not at.exception, at.exception
    source = str(at.selectbox(key="dm_primary").value[0])
    inst = small_park.installations
    expected = bounds_of(inst[inst["unit_id"].astype(str) == source])
    focus = at.session_state[FOCUS_KEY]
    assert focus.label == "升级链初始设施" and focus.bounds == pytest.approx(expected)


def test_the_emergency_plan_computed_is_remembered_for_the_next_maps(demo_park_path, on_park):
    """应急疏散 computes a plan on every change of its inputs (chlorine at T-3 by default): the next maps open on its
    toxic zones with their wind-direction band, whether or not the plan is kept with the park."""
    on_park(demo_park_path)
    at = _page("emergency")
    assert not at.error, [e.value for e in at.error]
    focus = at.session_state[FOCUS_KEY]
    assert focus.label == "T-3 应急危险区"
    # the band of the widest toxic zone reaches kilometres downwind: far beyond the tank itself
    west, south, east, north = focus.bounds
    assert (east - west) > 0.01 and (north - south) > 0.01
    # ... and holds the source (T-3)
    t3 = load_park(demo_park_path).installations.to_crs(4326)
    x, y = t3.loc[t3["unit_id"] == "T-3"].geometry.iloc[0].centroid.coords[0]
    assert west <= x <= east and south <= y <= north

"""The pages keep their results with the park: computed on one visit, shown (time, user, 已过期) on the next, and
recomputed in the background with one click (streamlit AppTest on a copy of the small test park)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geodata import results as R

VIEWS = Path(__file__).resolve().parents[2] / "app" / "views"


@pytest.fixture
def park_file(tmp_path, small_park, monkeypatch):
    # written from the park itself, not copied from the shared small_park_path: other page tests open that file
    # with PARKRISK_PARK and keep their results in it, which a copy would carry over
    path = tmp_path / "park.gpkg"
    small_park.save(path)
    monkeypatch.setenv("PARKRISK_PARK", str(path))
    monkeypatch.setenv("PARKRISK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PARKRISK_BASEMAP", "none")
    monkeypatch.delenv("PARKRISK_STORE", raising=False)
    return path


def _page(name: str) -> AppTest:
    at = AppTest.from_file(str(VIEWS / f"{name}.py"), default_timeout=300)
    at.run()
    assert not at.exception, at.exception
    return at


def _finish(at: AppTest) -> AppTest:
    """Wait for the background jobs the page started (app.jobs), then rerun it: it takes their results."""
    from app.jobs import runner

    assert runner().wait_idle(600)
    at.run()
    assert not at.exception, at.exception
    return at


def _texts(at: AppTest) -> str:
    parts = [c.value for c in (*at.caption, *at.warning, *at.info, *at.error, *at.markdown)]
    return "\n".join(str(p) for p in parts)


def _on_a_map(at: AppTest, name: str) -> bool:
    """Whether a folium map of the page names ``name`` (written as is or as JSON \\u escapes): streamlit-folium's
    (a component's script) or a map page in an iframe (app.mapping.component, the kept result's map)."""
    import json

    forms = (name, json.dumps(name)[1:-1])
    texts = [json.loads(c.proto.json_args).get("script", "") for c in at.get("component_instance")]
    texts += [c.proto.srcdoc for c in at.get("iframe")]
    return any(f in t for t in texts for f in forms)


def _edit_installations(path: Path) -> None:
    from geodata import Park, load_park, save_park

    park = load_park(path)
    layers = park.layers
    inst = layers["installations"].copy()
    inst.loc[inst.index[0], "geometry"] = inst.geometry.iloc[0].buffer(2e-4)
    layers["installations"] = inst
    save_park(Park(layers, source=str(path), weather=park.weather), path)


def test_domino_is_kept_shown_on_the_next_visit_and_recomputed_when_stale(park_file):
    from app.jobs import runner

    at = _page("domino")
    assert any("开始分析" in i.value for i in at.info)  # nothing stored yet
    at.number_input(key="dm_samples").set_value(300)
    at.button[0].click().run()
    assert not at.exception, at.exception
    _finish(at)  # computed in a background job, kept with the park when done
    stored = R.load_result(park_file, "domino")
    assert (
        stored is not None and stored.computed_by == "匿名" and stored.summary["options"]["n_samples"] == 300
    )
    # a new visit (another session, or after a reload): the stored result instead of an empty page
    again = _page("domino")
    text = _texts(again)
    assert "北京时间由「匿名」计算" in text and "与当前园区数据一致" in text
    assert "升级边（设施对）" in [m.label for m in again.metric]
    assert _on_a_map(again, "多米诺升级边")  # the kept edges on the park map, as on 园区一张图
    assert not any("开始分析" in i.value for i in again.info)
    # the inputs change: 已过期, one click recomputes in the background with the stored options
    _edit_installations(park_file)
    stale = _page("domino")
    assert "已过期" in _texts(stale)
    stale.button(key="recompute|domino").click().run()
    assert not stale.exception, stale.exception
    job = runner().wait(park_file, "domino", timeout=300)
    assert job is not None and job.state == "done", job.error_zh
    fresh = R.load_result(park_file, "domino")
    assert fresh.computed_at > stored.computed_at and fresh.summary["options"]["n_samples"] == 300
    assert "与当前园区数据一致" in _texts(_page("domino"))


def test_risk_is_kept_with_the_park_and_shown_on_the_next_visit(park_file):
    at = _page("risk")
    at.selectbox(key="risk_resolution").set_value(50.0)
    at.button[0].click().run()
    assert not at.exception, at.exception
    _finish(at)
    stored = R.load_result(park_file, "risk")
    assert stored is not None and stored.grid is not None and len(stored.layers["contours"])
    again = _page("risk")
    assert "北京时间由「匿名」计算" in _texts(again)
    assert "最大个人风险" in [m.label for m in again.metric]
    assert _on_a_map(again, "个人风险等值线")
    assert any("社会风险总体评价" in m.value for m in again.markdown)
    images = [e for e in again.main if type(e).__name__ == "Image"]  # st.pyplot
    assert bool(images) == bool(stored.summary["fn_curve"]["n"])  # the kept F-N chart when there is a curve
    from geodata import load_park

    assert load_park(park_file).report.ok  # the park file with results is still a clean park


def test_a_running_job_shows_its_progress(park_file):
    import threading

    from app.jobs import runner
    from app.results import results_target

    gate = threading.Event()

    def slow(progress):
        progress(0.4, "第 2 步（共 5 步）")
        gate.wait(60)
        raise ValueError("测试中止")

    target = results_target(park_file, source_kind="env")
    runner().submit(target, "five_rooms", slow, computed_by="测试")
    try:
        at = _page("siting")
        bars = [p for p in at.get("progress")]
        assert any("后台计算" in str(b.proto.text) and "40%" in str(b.proto.text) for b in bars)
    finally:
        gate.set()
    job = runner().wait(target, "five_rooms", timeout=60)
    assert job.state == "failed" and "测试中止" in job.error_zh
    assert any("测试中止" in e.value for e in _page("siting").error)
    # a result kept after the failed job (computed on the page, or by the command line): the error is gone
    assert main_five_rooms(park_file) == 0
    assert not any("测试中止" in e.value for e in _page("siting").error)


def main_five_rooms(path: Path) -> int:
    from analysis.regulation import siting_checks
    from app.results import store
    from geodata import load_park

    park = load_park(path)
    store(path, "five_rooms", siting_checks.five_rooms_check(park), park, computed_by="测试")
    return 0


def test_pages_that_compute_on_every_visit_keep_their_result_once(park_file):
    at = _page("major_hazard")
    first = R.load_result(park_file, "major_hazards")
    assert first is not None and "北京时间由「匿名」计算" in _texts(at)
    _page("major_hazard")
    assert (
        R.load_result(park_file, "major_hazards").computed_at == first.computed_at
    )  # nothing changed: no write
    _finish(_page("pipelines"))  # the first visit computes in a background job
    hca = R.load_result(park_file, "hca")
    assert hca is not None and hca.summary["options"] == {"segment_length_m": 50.0, "kinds": ["transmission"]}


def test_the_emergency_plan_is_kept_on_request(park_file):
    at = _page("emergency")
    assert R.load_result(park_file, "emergency") is None  # opening the page stores nothing
    at.button(key="em_keep").click().run()
    assert not at.exception, at.exception
    kept = R.load_result(park_file, "emergency")
    assert kept is not None and len(kept.layers["zones"]) and kept.summary["options"]["source"]
    assert "北京时间由「匿名」计算" in _texts(at)


@pytest.mark.postgis
def test_with_a_postgis_store_the_page_keeps_its_result_in_the_database(park_file, pg_server, monkeypatch):
    from app.results import results_target
    from geodata.store import PostgisStore

    dsn = pg_server.app_store("parkrisk")
    monkeypatch.setenv("PARKRISK_STORE", dsn)
    at = _page("domino")
    at.number_input(key="dm_samples").set_value(200)
    at.button[0].click().run()
    assert not at.exception, at.exception
    _finish(at)
    assert R.list_results(park_file) == {}  # the park file is not written
    store = PostgisStore(dsn)
    try:
        kept = R.load_result(results_target(park_file, store=store), "domino")
        assert kept is not None and kept.summary["options"]["n_samples"] == 200
    finally:
        store.close()
    assert "北京时间由「匿名」计算" in _texts(_page("domino"))

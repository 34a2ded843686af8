"""园区一张图 with stored results (issue 17, item 2): an AppTest of the overview on a park whose results were
computed by the real analyses and stored with it (app.results.store): every result is a group of the map's layer
switcher with its legend, a stale one says 已过期, the GB 18218 R values never reach an anonymous visitor's map,
and choosing a result in "缩放至" frames the map on it."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

PAGE = Path(__file__).resolve().parents[2] / "app" / "views" / "park_map.py"


@pytest.fixture(scope="module")
def park_with_results(tmp_path_factory, small_park_path):
    """A copy of the small park with every kind computed (quick settings) and stored in its GeoPackage; the
    domino result stored with an old inputs hash (as if the park had changed since)."""
    from analysis import domino, emergency, pipelines
    from analysis.qra import individual as risk
    from analysis.regulation import gb18218, siting_checks
    from app import results as app_results
    from geodata import load_park
    from geodata.results import save_result

    path = tmp_path_factory.mktemp("one_map") / "park.gpkg"
    shutil.copyfile(small_park_path, path)
    park = load_park(path)
    unit = str(park.installations["unit_id"].iloc[0])
    computed = {
        "risk": risk.individual_risk(park, resolution=50.0, margin=300.0),
        "domino": domino.analyze(park, n_samples=200, max_level=2),
        "five_rooms": siting_checks.five_rooms_check(park),
        "major_hazards": gb18218.enterprise_grades(park),
        "hca": pipelines.assess(park),
        "emergency": emergency.plan(park, unit_id=unit, wind_from=90.0, wind_speed=2.0, time="14:00"),
    }
    target = app_results.results_target(path, source_kind="env")
    assert Path(target) == path
    stored = {k: app_results.store(target, k, r, park, computed_by="admin") for k, r in computed.items()}
    save_result(target, dataclasses.replace(stored["domino"], inputs_hash="0" * 64))
    return path, stored


def _overview(monkeypatch, tmp_path, park_path: Path, *, zoom: str | None = None):
    """Run the overview page; returns (AppTest, the folium map it drew: built by app.one_map.overview_map, whose
    shared maps are cleared first so that this run builds it)."""
    from app.cache import shared
    from app.mapping import component

    drawn: list = []
    monkeypatch.setenv("PARKRISK_PARK", str(park_path))
    monkeypatch.setenv("PARKRISK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PARKRISK_BASEMAP", "none")
    monkeypatch.delenv("PARKRISK_STORE", raising=False)
    real_args = component.component_args

    def component_args(m):
        drawn.append(m)
        return real_args(m)

    monkeypatch.setattr(component, "component_args", component_args)
    shared("overview_map").clear()
    at = AppTest.from_file(str(PAGE), default_timeout=180)
    at.run()
    assert not at.exception, at.exception
    if zoom is not None:
        at.sidebar.radio(key="park_map_zoom").set_value(zoom).run()
        assert not at.exception, at.exception
    return at, drawn[-1]


def _overlays(html: str) -> str:
    block = re.search(r"overlays :\s*\{(.*?)\},\s*\};", html, re.S).group(1)
    return "".join(json.loads(k) for k in re.findall(r'("(?:[^"\\]|\\.)*")\s*:', block))


def test_overview_lists_every_stored_result_with_its_legend(monkeypatch, tmp_path, park_with_results):
    from app.mapping.results import RESULT_TITLES

    path, stored = park_with_results
    at, m = _overview(monkeypatch, tmp_path, path)
    html = m.get_root().render()
    overlays = _overlays(html)
    drawn = [k for k, res in stored.items() if any(len(g) for g in res.layers.values())]
    assert {"risk", "domino"} <= set(drawn)
    for kind in drawn:
        assert RESULT_TITLES[kind] in overlays, kind
    levels = set(stored["risk"].layers["contours"]["label_zh"])
    assert levels and all(lv in overlays for lv in levels)  # e.g. 1×10⁻⁵/年
    assert "升级概率" in overlays
    # the stale domino result and only it
    assert overlays.count("已过期</span>") == 1
    assert re.search(r"多米诺升级边（\d+）（已过期）", overlays)
    # the legend beside the map lists the results too
    assert any("分析结果" in str(h.proto) for h in at.get("html"))


def test_anonymous_visitors_get_no_r_value(monkeypatch, tmp_path, park_with_results):
    import folium

    path, stored = park_with_results
    units = stored["major_hazards"].layers["units"]
    assert len(units) and units["r_value"].notna().any()  # stored for those who may read it
    _, m = _overview(monkeypatch, tmp_path, path)
    (group,) = [c for c in m._children.values() if getattr(c, "layer_name", "").startswith("重大危险源（")]
    props = [
        f["properties"]
        for c in group._children.values()
        if isinstance(c, folium.GeoJson)
        for f in c.data["features"]
    ]
    assert len(props) == len(units)
    assert all(not any("R" in key for key in p) for p in props)
    assert {p["级别"] for p in props} <= {"一级", "二级", "三级", "四级"}


def test_zoom_to_a_chosen_result(monkeypatch, tmp_path, park_with_results):
    path, stored = park_with_results
    _, m = _overview(monkeypatch, tmp_path, path, zoom="risk")
    fits = [c for c in m._children.values() if type(c).__name__ == "FitBounds"]
    (s, w), (n, e) = fits[-1].bounds
    minx, miny, maxx, maxy = stored["risk"].layers["contours"].total_bounds
    assert w == pytest.approx(minx, abs=2e-3) and e == pytest.approx(maxx, abs=2e-3)
    assert s == pytest.approx(miny, abs=2e-3) and n == pytest.approx(maxy, abs=2e-3)


def test_stored_results_are_read_once_per_version_and_warmed_up(park_with_results, tmp_path):
    from app import one_map
    from app.cache import file_version, shared
    from geodata import load_park
    from geodata.results import save_result

    path, stored = park_with_results
    copy = tmp_path / "park.gpkg"
    shutil.copyfile(path, copy)
    shared("stored_results").clear()
    first = one_map.stored_results(copy)
    assert set(first) == set(stored) and one_map.stored_results(copy) is first  # shared, read once
    recomputed = dataclasses.replace(stored["risk"], computed_by="inspector", computed_at=datetime.now(UTC))
    save_result(copy, recomputed)  # a new result of the kind
    again = one_map.stored_results(copy)
    assert again is not first and again["risk"].computed_by == "inspector"
    park = load_park(copy)
    flags = one_map.stale_flags(file_version(copy), park, again)
    assert flags == {k: k == "domino" for k in again}  # the domino result was stored with an old hash
    shared("stored_results").clear()
    shared("stored_results_stale").clear()
    one_map.warm_up(copy, source_kind="env", coords="WGS84", full_park=park)
    assert len(shared("stored_results")) == 1 and len(shared("stored_results_stale")) == len(again)


def test_visible_results_are_redacted_once_for_all_anonymous_visitors(park_with_results):
    from app import one_map

    _, stored = park_with_results
    first = one_map.visible_results(stored, None)
    assert one_map.visible_results(stored, None)["major_hazards"] is first["major_hazards"]
    assert "r_value" not in first["major_hazards"].layers["units"]
    assert "r_value" in stored["major_hazards"].layers["units"]  # the stored result itself is untouched


def test_warm_up_starts_when_streamlit_run_imports_the_app_and_only_once(monkeypatch):
    """`streamlit run app/main.py` imports the script (sys.argv[0] = the script) before its runtime starts: the
    warm-up starts then, and the server's lifespan does not start a second one."""
    import sys
    import threading

    from app import main

    assert not main._run_by_streamlit()  # pytest
    monkeypatch.setattr(sys, "argv", [main.__file__, "--flag"])
    assert main._run_by_streamlit()
    monkeypatch.setattr(sys, "argv", [str(main.APP_DIR / "views" / "park_map.py")])
    assert not main._run_by_streamlit()
    calls = []
    done = threading.Event()
    monkeypatch.setattr(main, "_warm_up", lambda: (calls.append(1), done.set()))
    monkeypatch.setattr(main, "_WARM_UP_STARTED", threading.Event())
    main._start_warm_up()
    main._start_warm_up()
    assert done.wait(5) and calls == [1]


def _run_by_streamlit_in_child(argv0: str, queue) -> None:
    import sys

    sys.argv = [argv0]
    from app import main

    queue.put(main._run_by_streamlit())


def test_no_warm_up_in_a_job_s_child_process():
    """A computation job's child (app.jobs, started by spawn) imports the server's script again with the server's
    argv: it must not start a warm-up, whose imports in a second thread made the job's unpickling fail on a
    half-imported geodata.park (the domino job of the one-map browser test never finished)."""
    import multiprocessing

    from app import main

    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=_run_by_streamlit_in_child, args=(main.__file__, queue))
    child.start()
    try:
        assert queue.get(timeout=120) is False
    finally:
        child.join(timeout=60)
    assert child.exitcode == 0


def test_no_warm_up_when_spawn_imports_the_server_script_as_mp_main(monkeypatch):
    """spawn's preparation imports the parent's main script (app/main.py under `streamlit run`) as ``__mp_main__``
    before ``parent_process()`` is set: the module must not start its warm-up then."""
    import importlib.util
    import sys

    from app import main

    monkeypatch.setattr(sys, "argv", [main.__file__])
    spec = importlib.util.spec_from_file_location("__mp_main__", main.__file__)
    mod = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "__mp_main__", mod)
    spec.loader.exec_module(mod)
    assert not mod._run_by_streamlit()
    assert not mod._WARM_UP_STARTED.is_set()


def test_the_warm_up_leaves_no_object_exempt_from_the_collector(monkeypatch, demo_park_path):
    """app.main._warm_up keeps what it built out of the cyclic collector's way while it runs (gc.freeze) and gives
    it back at the end, also when it fails (gc.unfreeze): nothing stays frozen, so nothing built then can leak."""
    import gc

    from app import main

    monkeypatch.setenv("PARKRISK_PARK", str(demo_park_path))
    monkeypatch.delenv("PARKRISK_STORE", raising=False)
    assert gc.get_freeze_count() == 0
    main._warm_up()
    assert gc.get_freeze_count() == 0
    frozen = []

    def fail(*_a, **_k):
        frozen.append(gc.get_freeze_count())
        raise OSError("磁盘已满")

    monkeypatch.setattr("app.one_map.overview_numbers", fail)
    main._warm_up()  # logged, not raised
    assert frozen and frozen[0] > 0 and gc.get_freeze_count() == 0

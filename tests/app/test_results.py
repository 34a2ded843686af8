"""Analysis results kept with the park (app/results.py, app/results_convert.py, app/jobs.py): conversion of every
kind, the inputs hash and 已过期, redaction for anonymous users, background jobs with progress and errors."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import geopandas as gpd
import numpy as np
import pytest

from app import jobs
from app import results as ar
from app.results_convert import level_label_zh, sci_zh
from geodata import results as R
from geodata.store.roles import User

ADMIN = User("admin", "admin")


@pytest.fixture(scope="module")
def park(small_park_path):
    from geodata import load_park

    return load_park(small_park_path)


@pytest.fixture(scope="module")
def computed(park):
    """Every kind computed on the small park (quick settings)."""
    from analysis import domino, emergency, pipelines
    from analysis.qra import individual as risk
    from analysis.regulation import gb18218, siting_checks

    unit = str(park.installations["unit_id"].iloc[0])
    return {
        "risk": risk.individual_risk(park, resolution=50.0, margin=300.0),
        "domino": domino.analyze(park, n_samples=200, max_level=2),
        "five_rooms": siting_checks.five_rooms_check(park),
        "major_hazards": gb18218.enterprise_grades(park),
        "hca": pipelines.assess(park),
        "emergency": emergency.plan(park, unit_id=unit, wind_from=90.0, wind_speed=2.0, time="14:00"),
    }


def test_sci_labels_are_superscripts():
    assert sci_zh(1e-5) == "1×10⁻⁵" and sci_zh(3e-7) == "3×10⁻⁷" and sci_zh(2.277e-6) == "2.3×10⁻⁶"
    assert level_label_zh(1e-6) == "1×10⁻⁶/年" and sci_zh(0.0) == "0" and sci_zh(float("nan")) == "—"


def test_every_kind_converts_to_the_schema_and_round_trips(tmp_path, park, computed):
    path = tmp_path / "r.results.gpkg"
    need = {
        "risk": {"contours": {"level", "label_zh"}},
        "domino": {
            "edges": {
                "source_id",
                "target_id",
                "probability",
                "load",
                "load_unit",
                "vector_zh",
                "across_fence",
                "rank",
            },
            "hubs": {"unit_id", "score", "name_zh"},
        },
        "five_rooms": {
            "buildings": {"building_id", "name", "verdict_zh", "verdict", "load", "load_unit", "reason_zh"}
        },
        "major_hazards": {"units": {"unit_id", "enterprise_id", "grade", "r_value"}},
        "hca": {"areas": {"pipeline_id", "segment_id", "class_zh"}},
        "emergency": {"zones": {"level_zh", "concentration_ppm", "distance_m"}},
    }
    for kind, result in computed.items():
        stored = ar.store(path, kind, result, park, computed_by="张三", options={"k": kind})
        got = R.load_result(path, kind)
        assert got.inputs_hash == stored.inputs_hash and got.computed_by == "张三"
        assert got.summary["options"] == {"k": kind} and got.summary["metrics_zh"]
        for layer, cols in need[kind].items():
            gdf = got.layers[layer]
            assert gdf.crs.to_epsg() == 4326 and cols <= set(gdf.columns), (kind, layer, set(gdf.columns))
        assert not ar.is_stale(park, got)
    risk = R.load_result(path, "risk")
    assert risk.grid.shape == tuple(risk.summary["grid_shape"]) and risk.grid.dtype == np.float32
    assert risk.summary["max_ir"] == pytest.approx(float(computed["risk"].grid.max()), rel=1e-6)
    assert set(risk.layers["contours"]["label_zh"]) <= {"1×10⁻⁵/年", "3×10⁻⁶/年", "1×10⁻⁶/年", "3×10⁻⁷/年"}
    edges = R.load_result(path, "domino").layers["edges"]
    assert list(edges["rank"]) == list(range(1, len(edges) + 1))
    assert edges["probability"].is_monotonic_decreasing
    five = R.load_result(path, "five_rooms").layers["buildings"]
    assert set(five["verdict"]) <= {"ok", "warn", "fail"}
    mh = R.load_result(path, "major_hazards").layers["units"]
    assert set(mh["grade"]) <= {"一级", "二级", "三级", "四级"}
    assert not mh["unit_zh"].str.contains("/").any()  # Chinese unit names, not the E01/tank_farm keys
    assert list(R.list_results(path)) == list(R.RESULT_KINDS)


def test_inputs_hash_covers_only_what_the_kind_depends_on(park):
    base = {k: ar.inputs_hash(park, k) for k in R.RESULT_KINDS}
    assert ar.inputs_hash(park, "risk", {"resolution_m": 25}) != base["risk"]
    inst = park.installations.copy()
    inst.loc[inst.index[0], "inventory_kg"] = float(inst["inventory_kg"].iloc[0]) * 2 + 1
    edited = _with(park, "installations", inst)
    after = {k: ar.inputs_hash(edited, k) for k in R.RESULT_KINDS}
    assert all(
        after[k] != base[k] for k in ("risk", "domino", "five_rooms", "major_hazards", "emergency", "hca")
    )
    rect = park.layers["rectifications"].copy()
    rect["title"] = rect["title"].astype(str) + "（改）"
    moved = _with(park, "rectifications", rect)
    assert {
        k: ar.inputs_hash(moved, k) for k in R.RESULT_KINDS
    } == base  # no kind reads the rectification items
    r = park.layers["roads"].copy()
    r["geometry"] = r.geometry.translate(1e-4, 0)
    roads = _with(park, "roads", r)
    changed = {k for k in R.RESULT_KINDS if ar.inputs_hash(roads, k) != base[k]}
    assert changed == {"hca", "emergency"}
    b = park.layers["buildings"].copy()
    b["occupants"] = b["occupants"].astype(float) + 1
    people = _with(park, "buildings", b)
    changed = {k for k in R.RESULT_KINDS if ar.inputs_hash(people, k) != base[k]}
    assert changed == {"risk", "five_rooms", "emergency"}


def test_a_result_goes_stale_after_an_input_edit_in_the_park_file(tmp_path, small_park_path, computed):
    import shutil

    from geodata import load_park, save_park

    path = tmp_path / "park.gpkg"
    shutil.copyfile(small_park_path, path)
    park = load_park(path)
    ar.store(path, "domino", computed["domino"], park, computed_by="张三", options={"n_samples": 200})
    ar.store(path, "hca", computed["hca"], park, computed_by="张三")
    assert not ar.is_stale(load_park(path), R.load_result(path, "domino"))
    edited = load_park(path)
    inst = edited.installations.copy()
    inst.loc[inst.index[0], "geometry"] = inst.geometry.iloc[0].buffer(1e-4)
    save_park(
        _with(edited, "installations", inst), path
    )  # the results stay in the file (geodata.io.save_park copies them)
    reloaded = load_park(path)
    assert ar.is_stale(reloaded, R.load_result(path, "domino"))
    assert ar.is_stale(reloaded, R.load_result(path, "hca"))  # HCAs count installations as targets
    line = ar.status_zh(R.load_result(path, "domino"), True)
    assert "已过期" in line and "北京时间" in line and "张三" in line


def test_targets_never_write_the_demo_park_or_an_upload(tmp_path, monkeypatch, small_park_path):
    from app.settings import DEMO_PARK_PATH

    monkeypatch.setenv("PARKRISK_DATA_DIR", str(tmp_path))
    assert ar.results_target(DEMO_PARK_PATH, source_kind="env").parent == tmp_path
    assert ar.results_target(small_park_path, source_kind="upload").parent == tmp_path
    assert ar.results_target(small_park_path, source_kind="env") == small_park_path
    folder = tmp_path / "layers"
    folder.mkdir()
    assert ar.results_target(folder, source_kind="env").suffix == ".gpkg"

    class PgStore:
        backend = "postgis"
        schema = "parkrisk"

    t = ar.results_target(small_park_path, store=PgStore())
    assert isinstance(t, R.PostgisResults) and t.park_key.startswith("small_park.gpkg#")


def test_anonymous_users_never_receive_the_major_hazard_figures(tmp_path, park, computed):
    path = tmp_path / "r.gpkg"
    ar.store(path, "major_hazards", computed["major_hazards"], park, computed_by="admin")
    ar.store(path, "emergency", computed["emergency"], park, computed_by="admin")
    full = ar.load_for_user(path, "major_hazards", ADMIN)
    assert full.layers["units"]["r_value"].notna().all()
    unit = computed["emergency"].result.source.source_id
    inv = f"{float(park.installations.set_index('unit_id').loc[unit, 'inventory_kg']):,.0f}"
    assert f"{inv} kg" in ar.load_for_user(path, "emergency", ADMIN).summary["source_term_zh"]
    for user in (None, User("viewer1", "viewer")):
        got = ar.load_for_user(path, "major_hazards", user)
        cols = set(got.layers["units"].columns)
        assert not cols & ar.SENSITIVE_STORED_COLUMNS and "grade" in cols
        em = ar.load_for_user(path, "emergency", user)
        text = repr(em.summary) + em.layers["zones"].to_json()
        assert f"{inv} kg" not in text and "（已隐藏）" in em.summary["source_term_zh"]
        listed = ar.list_for_user(path, user)
        assert "r_value" not in listed["major_hazards"].layers["units"].columns


def _with(park, name, gdf):
    from geodata import Park

    layers = park.layers
    layers[name] = gdf
    return Park(layers, source=park.source, weather=park.weather)


def _stored(kind="domino", h="new") -> R.StoredResult:
    g = gpd.GeoDataFrame({"x": [1.0]}, geometry=gpd.points_from_xy([113.0], [30.0]), crs=4326)
    return R.StoredResult(kind, {"hubs": g}, {}, datetime.now(UTC), "后台", h)


def test_background_job_reports_progress_and_saves(tmp_path):
    path = tmp_path / "j.gpkg"
    runner = jobs.JobRunner(max_workers=2)
    go, seen = threading.Event(), []

    def compute(progress):
        progress(0.25, "第一步")
        seen.append(1)
        go.wait(10)
        progress(0.75, "第二步")
        return _stored()

    job = runner.submit(path, "domino", compute, computed_by="后台")
    again = runner.submit(path, "domino", compute, computed_by="别人")
    assert again is job  # one job per park and kind
    for _ in range(200):
        if seen:
            break
        threading.Event().wait(0.01)
    assert job.state == "running" and job.fraction == 0.25 and job.message_zh == "第一步"
    assert R.load_result(path, "domino") is None  # nothing is written before the job has finished
    go.set()
    done = runner.wait(path, "domino", timeout=30)
    assert done.state == "done" and done.fraction == 1.0 and done.error_zh is None
    assert R.load_result(path, "domino").inputs_hash == "new"
    runner.shutdown()


def test_a_failed_job_is_reported_in_chinese_and_keeps_the_previous_result(tmp_path):
    path = tmp_path / "j.gpkg"
    R.save_result(path, _stored(h="old"))
    runner = jobs.JobRunner(max_workers=1)

    def fails(progress):
        progress(0.5, "计算中")
        raise ValueError("园区中没有装置设施（installations 图层为空）")

    runner.submit(path, "domino", fails, computed_by="张三")
    job = runner.wait(path, "domino", timeout=30)
    assert (
        job.state == "failed" and "重新计算失败" in job.error_zh and "installations 图层为空" in job.error_zh
    )
    assert "已保留上次保存的结果" in job.error_zh
    assert R.load_result(path, "domino").inputs_hash == "old"

    def bug(progress):
        raise ZeroDivisionError("division by zero")

    runner.submit(path, "domino", bug, computed_by="张三")
    assert "程序内部错误" in runner.wait(path, "domino", timeout=30).error_zh
    runner.shutdown()


def test_recompute_reruns_a_kind_from_its_stored_options(tmp_path, park, computed):
    path = tmp_path / "r.gpkg"
    opts = {"n_samples": 200, "max_level": 2, "wind_from_deg": 0.0, "wind_speed": 2.0}
    ar.store(path, "domino", computed["domino"], park, computed_by="张三", options=opts)
    stored = R.load_result(path, "domino")
    runner = jobs.JobRunner(max_workers=1)
    runner.submit(
        path,
        "domino",
        jobs.recompute("domino", park, stored.summary["options"], computed_by="李四"),
        computed_by="李四",
    )
    job = runner.wait(path, "domino", timeout=120)
    assert job.state == "done", job.error_zh
    again = R.load_result(path, "domino")
    assert (
        again.computed_by == "李四"
        and again.inputs_hash == stored.inputs_hash
        and not ar.is_stale(park, again)
    )
    runner.submit(
        path,
        "emergency",
        jobs.recompute("emergency", park, {"source": {"pipeline_id": "P1"}}, computed_by="x"),
        computed_by="x",
    )
    assert "以设施为泄漏源" in runner.wait(path, "emergency", timeout=30).error_zh
    runner.shutdown()


def test_the_population_grid_enters_the_risk_hash_by_its_values(park):
    import pyproj

    from geodata import Park
    from geodata.population import PopulationRaster

    def with_grid(value):
        p = Park(park.layers, source=park.source, weather=park.weather)
        night = np.full((3, 4), value, dtype=np.float32)
        p.population_raster = PopulationRaster(
            night=night,
            day=night.copy(),
            transform=(100.0, 0.0, 0.0, 0.0, -100.0, 0.0),
            crs=pyproj.CRS.from_epsg(32650),
            source="pop.tif",
        )
        return p

    a, b, c = with_grid(2.0), with_grid(2.0), with_grid(3.0)
    assert ar.inputs_hash(a, "risk") == ar.inputs_hash(b, "risk") != ar.inputs_hash(c, "risk")
    assert ar.inputs_hash(a, "risk") != ar.inputs_hash(park, "risk")
    assert ar.inputs_hash(a, "domino") == ar.inputs_hash(c, "domino")  # domino does not read people


def test_a_page_recompute_runs_in_a_child_process_with_progress(tmp_path, park, computed):
    import os

    path = tmp_path / "p.gpkg"
    opts = {"n_samples": 200, "max_level": 2}
    ar.store(path, "domino", computed["domino"], park, computed_by="张三", options=opts)
    before = R.load_result(path, "domino")
    runner = jobs.JobRunner(max_workers=2)
    seen = []
    real = jobs.JobRunner._progress

    def spy(job):
        inner = real(job)

        def progress(fraction, message=""):
            seen.append((fraction, message, os.getpid()))
            inner(fraction, message)

        return progress

    jobs.JobRunner._progress = staticmethod(spy)
    try:
        runner.submit_recompute(path, "domino", park, opts, computed_by="李四")
        job = runner.wait(path, "domino", timeout=300)
    finally:
        jobs.JobRunner._progress = staticmethod(real)
    assert job.state == "done", job.error_zh
    assert seen and any("整理结果" in m for _, m, _ in seen)  # progress from the child, relayed by the parent
    after = R.load_result(path, "domino")
    assert after.computed_by == "李四" and after.computed_at > before.computed_at
    assert after.inputs_hash == before.inputs_hash
    # a failure inside the child comes back in Chinese and keeps the stored result
    runner.submit_recompute(path, "emergency", park, {"source": {"pipeline_id": "P1"}}, computed_by="x")
    failed = runner.wait(path, "emergency", timeout=300)
    assert failed.state == "failed" and "以设施为泄漏源" in failed.error_zh
    assert R.load_result(path, "domino").computed_by == "李四"
    runner.shutdown()


class _DiesWhenUnpickled:
    """Unpickled in the child process, it ends the process at once (as a crash or a kill would)."""

    def __reduce__(self):
        import os

        return (os._exit, (3,))


def test_a_child_process_that_dies_is_reported_and_nothing_is_lost(tmp_path):
    path = tmp_path / "p.gpkg"
    R.save_result(path, _stored(h="kept"))
    runner = jobs.JobRunner(max_workers=1)
    runner.submit_recompute(path, "domino", _DiesWhenUnpickled(), {}, computed_by="x")
    job = runner.wait(path, "domino", timeout=120)
    assert job.state == "failed" and "计算进程意外退出（退出码 3，" in job.error_zh
    assert "已保留上次保存的结果" in job.error_zh and "请稍后重试" in job.error_zh
    assert R.load_result(path, "domino").inputs_hash == "kept"
    runner.shutdown()

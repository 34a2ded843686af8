"""Every long compute of a page runs in a background job (app.jobs, app.results_panel.compute_in_background): the
page's script run returns while the job is queued or running, with its progress bar; other pages and other users go
on; the result appears on the page and is kept with the park when the job has finished (streamlit AppTest on a copy
of the small test park)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app.jobs import MAX_WORKERS, runner
from app.results import results_target
from app.results_panel import PENDING_KEY
from geodata import results as R

VIEWS = Path(__file__).resolve().parents[2] / "app" / "views"


@pytest.fixture
def park_file(tmp_path, small_park, monkeypatch):
    path = tmp_path / "park.gpkg"
    small_park.save(path)  # this test's own park file: its stored results reach no other test
    monkeypatch.setenv("PARKRISK_PARK", str(path))
    monkeypatch.setenv("PARKRISK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PARKRISK_BASEMAP", "none")
    monkeypatch.delenv("PARKRISK_STORE", raising=False)
    return path


@pytest.fixture
def busy_workers(tmp_path):
    """Both workers of the shared runner busy until the test lets them go: a page's job waits in the queue, so the
    test sees it unfinished for certain (``release()`` lets the workers go)."""
    gate = threading.Event()

    def hold(progress):
        gate.wait(300)
        raise ValueError("测试占用的计算已结束")

    for i in range(MAX_WORKERS):
        runner().submit(tmp_path / f"other-{i}.gpkg", "five_rooms", hold, computed_by="测试")
    yield gate.set
    gate.set()
    assert runner().wait_idle(600)


def _page(name: str) -> AppTest:
    at = AppTest.from_file(str(VIEWS / f"{name}.py"), default_timeout=300)
    at.run()
    assert not at.exception, at.exception
    return at


def _bars(at: AppTest) -> list[str]:
    return [str(p.proto.text) for p in at.get("progress")]


def test_the_risk_page_returns_while_its_job_waits_and_shows_the_result_when_done(park_file, busy_workers):
    at = _page("risk")
    at.selectbox(key="risk_resolution").set_value(50.0)
    start = time.perf_counter()
    at.button[0].click().run()
    returned_after = time.perf_counter() - start
    assert not at.exception, at.exception
    job = runner().get(results_target(park_file, source_kind="env"), "risk")
    assert job is not None and job.active  # the script run ended, the computation has not
    assert job.options == {"resolution_m": 50.0, "margin_m": 1000.0}
    assert any("后台计算「个人风险与社会风险」" in b and "排队等待计算" in b for b in _bars(at)), _bars(at)
    assert "最大个人风险" not in [m.label for m in at.metric]  # nothing to show yet
    assert returned_after < 60, returned_after
    # meanwhile another user opens another page, and this page reruns: nobody waits for the job
    other = _page("major_hazard")
    assert other.title[0].value.startswith("重大危险源") and not other.error
    at.run()
    assert not at.exception and any("后台计算" in b for b in _bars(at))
    busy_workers()  # the queue moves on: the risk grid is computed in its child process
    assert runner().wait_idle(600)
    done = runner().by_id(job.job_id)
    assert done.state == "done", done.error_zh
    at.run()  # the page takes the job's result and shows it as if computed in the script run
    assert not at.exception, at.exception
    assert "最大个人风险" in [m.label for m in at.metric]
    assert any("社会风险" in s.value for s in at.subheader)
    assert PENDING_KEY + "risk" not in at.session_state
    kept = R.load_result(park_file, "risk")  # kept with the park, by the user who pressed the button
    assert kept is not None and kept.computed_by == "匿名" and kept.summary["options"]["resolution_m"] == 50.0
    assert kept.computed_at >= job.submitted_at


def test_sessions_share_a_job_of_the_same_options_and_queue_one_of_other_options(park_file, busy_workers):
    def ask(samples: int) -> AppTest:
        at = _page("domino")
        at.number_input(key="dm_samples").set_value(samples)
        at.number_input(key="dm_levels").set_value(2)
        at.button[0].click().run()
        assert not at.exception, at.exception
        return at

    a, b, c = ask(300), ask(300), ask(400)
    job_a = a.session_state[PENDING_KEY + "domino"]["job_id"]
    assert job_a and b.session_state[PENDING_KEY + "domino"]["job_id"] == job_a  # one job for both
    assert c.session_state[PENDING_KEY + "domino"]["job_id"] is None  # waits for the other options' job
    assert any("另一项「多米诺效应」计算（参数不同）正在进行" in i.value for i in c.info)
    busy_workers()
    assert runner().wait_idle(600)
    for at in (a, b):
        at.run()
        assert "升级边" in [m.label for m in at.metric]
    c.run()  # the other job has finished: c's own starts now
    assert not c.exception and c.session_state[PENDING_KEY + "domino"]["job_id"] not in (None, job_a)
    assert runner().wait_idle(600)
    c.run()
    assert "升级边" in [m.label for m in c.metric]
    opts = R.load_result(park_file, "domino").summary["options"]
    assert opts.get("n_samples") == 400, opts


class _Crashes:
    """Unpickled in the job's child process, it ends that process at once (as a crash or an out-of-memory kill)."""

    def __reduce__(self):
        import os

        return (os._exit, (3,))


def test_a_crashed_page_job_is_shown_in_chinese_and_keeps_the_stored_result(park_file, small_park):
    from analysis.regulation import siting_checks
    from app.results import store

    store(park_file, "five_rooms", siting_checks.five_rooms_check(small_park), small_park, computed_by="张三")
    kept = R.load_result(park_file, "five_rooms")
    at = _page("siting")
    # this session's 五室 job, whose child process dies
    job = runner().submit_recompute(
        results_target(park_file, source_kind="env"), "five_rooms", _Crashes(), {}, computed_by="匿名"
    )
    at.session_state[PENDING_KEY + "five_rooms"] = {"options": {}, "job_id": job.job_id}
    assert runner().wait_idle(600)
    at.run()
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    crashed = [e for e in errors if "计算进程意外退出（退出码 3，" in e]
    assert len(crashed) == 1, errors  # shown once (by the page's job, not again by the stored result's line)
    assert "已保留上次保存的结果" in crashed[0] and "请稍后重试" in crashed[0]
    assert R.load_result(park_file, "five_rooms").computed_at == kept.computed_at  # nothing lost
    assert any("「张三」" in c.value for c in at.caption)  # the kept result is still shown


def test_a_quick_run_for_one_page_is_not_kept_with_the_park(tmp_path, small_park):
    """一园一策's findings run the domino analysis with 200 samples and one level: that must not replace the
    park's stored domino result (save=False); the page gets the model's result all the same."""
    from app import jobs

    path = tmp_path / "p.gpkg"
    r = jobs.JobRunner(max_workers=1)
    try:
        job = r.submit_recompute(
            path, "domino", small_park, {"max_level": 1, "n_samples": 200}, computed_by="x", save=False
        )
        done = r.wait(path, "domino", timeout=300)
        assert done is job and job.state == "done", job.error_zh
        assert job.result is not None and len(job.result.edges) > 0  # the model's DominoResult came back
        assert R.list_results(path) == {}  # nothing stored
    finally:
        r.shutdown()

"""Recomputing stored results in the background, with progress, one job per park and kind.

:class:`JobRunner` runs jobs on a pool of two workers shared by every session of the server (the app has two cores).
A page's recompute (:meth:`JobRunner.submit_recompute`) runs the model in a child process, so it blocks neither the
page that started it, nor other pages, nor other users: the models hold the GIL much of the time (a risk grid in a
thread made another thread's Python work 12 times slower); the child sends its progress back through a queue. The
child is daemonic: it ends with the server, and the model's own parallel steps (:mod:`analysis.qra.parallel`) run
serially there, so one core stays free for the pages.
:meth:`JobRunner.submit` runs a callable in a worker thread (for work that releases the GIL). A job computes, converts (:func:`app.results.to_stored`) and saves
(:func:`geodata.results.save_result`, atomic): until the save the previous stored result stays as it was, so an
error (reported in Chinese) or a crash of the server loses nothing. A second request for a park and kind whose job
is still running gets that job back instead of a new one.

:data:`RECOMPUTE` reruns each kind from the options stored with its result (``summary["options"]``), as the page
or command that computed it ran it.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from app.present.messages import message_zh
from geodata.results import KIND_LABELS_ZH, PostgisResults, StoredResult, save_result

__all__ = [
    "Job",
    "JobRunner",
    "runner",
    "target_label",
    "RECOMPUTE",
    "recompute",
    "error_zh",
]

log = logging.getLogger(__name__)

#: Worker threads of the shared runner (the app's two cores).
MAX_WORKERS = 2
#: Finished jobs are forgotten after this long. [s]
KEEP_FINISHED_S = 3600.0

Progress = Callable[[float, str], None]


def target_label(target: Any) -> str:
    """A hashable name of a results target (file path or PostGIS schema and park key)."""
    if isinstance(target, PostgisResults):
        return f"postgis:{getattr(target.store, 'schema', '')}:{target.park_key}"
    return str(target)


def error_zh(exc: BaseException) -> str:
    """The Chinese message of a failed job (the models' input errors are Chinese already; their English gloss is
    left out, :func:`app.present.messages.message_zh`)."""
    text = message_zh(exc)
    if isinstance(exc, ValueError | KeyError | OSError):
        return text
    return f"程序内部错误（{type(exc).__name__}）：{text}；请检查园区数据后重试，如仍失败，请将此信息报告给系统管理员"


@dataclass
class Job:
    """One background recompute: its state (``queued``, ``running``, ``done``, ``failed``), progress [0–1] and
    message, the Chinese error of a failed job, the stored result of a finished one."""

    target: Any
    kind: str
    computed_by: str
    #: The options it runs with (as stored with the result, JSON types).
    options: dict = field(default_factory=dict)
    job_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    #: Whether the result is kept with the park (False: a quick run for one page only, e.g. the findings of 一园一策,
    #: which must not replace the park's stored result).
    save: bool = True
    state: str = "queued"
    fraction: float = 0.0
    message_zh: str = "排队等待计算……"
    error_zh: str | None = None
    stored: StoredResult | None = None
    #: The model's own result of a finished :meth:`JobRunner.submit_recompute` (full park, not redacted: a page
    #: shows it through :func:`app.auth.redact_result`), for the page that started it.
    result: Any = None
    submitted: float = field(default_factory=time.monotonic)
    submitted_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished: float | None = None

    @property
    def active(self) -> bool:
        return self.state in ("queued", "running")

    @property
    def title_zh(self) -> str:
        return KIND_LABELS_ZH.get(self.kind, self.kind)


class JobRunner:
    """A thread pool of :data:`MAX_WORKERS` workers and the jobs of every session, keyed by (target, kind)."""

    def __init__(self, max_workers: int = MAX_WORKERS) -> None:
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="parkrisk-job")
        self._jobs: dict[tuple[str, str], Job] = {}
        self._by_id: dict[str, Job] = {}
        self._lock = threading.Lock()

    def get(self, target: Any, kind: str) -> Job | None:
        """The latest job of this park and kind (running or finished within :data:`KEEP_FINISHED_S`), or None."""
        with self._lock:
            self._forget_old()
            return self._jobs.get((target_label(target), kind))

    def by_id(self, job_id: str) -> Job | None:
        """The job with this :attr:`Job.job_id` (running, or finished within :data:`KEEP_FINISHED_S`), or None."""
        with self._lock:
            self._forget_old()
            return self._by_id.get(job_id)

    def _claim(
        self, target: Any, kind: str, computed_by: str, options: Mapping | None = None, save: bool = True
    ) -> tuple[Job, bool]:
        """The running job of this park and kind, or a new one (``True``) registered to run."""
        key = (target_label(target), kind)
        with self._lock:
            job = self._jobs.get(key)
            if job is not None and job.active:
                return job, False
            job = Job(
                target=target, kind=kind, computed_by=computed_by, options=dict(options or {}), save=save
            )
            self._jobs[key] = job
            self._by_id[job.job_id] = job
        return job, True

    def submit(
        self, target: Any, kind: str, compute: Callable[[Progress], StoredResult], *, computed_by: str
    ) -> Job:
        """Start ``compute(progress) -> StoredResult`` and save what it returns to ``target``; the running job of
        the same park and kind when there is one (no second job)."""
        job, new = self._claim(target, kind, computed_by)
        if new:
            self._pool.submit(self._run, job, compute)
        return job

    def submit_recompute(
        self,
        target: Any,
        kind: str,
        park: Any,
        options: Mapping | None,
        *,
        computed_by: str,
        save: bool = True,
    ) -> Job:
        """Rerun ``kind`` on the full ``park`` with its stored ``options`` in a child process (a model holding the
        GIL for minutes would slow every other session's page in this process) and save the result to ``target``;
        progress comes back from the child. The running job of the same park and kind when there is one."""
        job, new = self._claim(target, kind, computed_by, options, save)
        if new:
            self._pool.submit(self._run_process, job, park, dict(options or {}))
        return job

    @staticmethod
    def _progress(job: Job) -> Progress:
        def progress(fraction: float, message: str = "") -> None:
            job.fraction = min(max(float(fraction), 0.0), 1.0)
            if message:
                job.message_zh = str(message)

        return progress

    def _run(self, job: Job, compute: Callable[[Progress], StoredResult]) -> None:
        job.state, job.message_zh = "running", "正在计算……"
        try:
            stored = compute(self._progress(job))
        except Exception as exc:  # noqa: BLE001 - every failure is reported to the user; the old result stays
            log.exception("background %s job failed", job.kind)
            self._finish(job, None, error_zh(exc))
        else:
            self._finish(job, stored, None)

    def _run_process(self, job: Job, park: Any, options: dict) -> None:
        import multiprocessing
        import queue

        ctx = multiprocessing.get_context("spawn")  # no fork of a process with threads
        q = ctx.Queue()
        child = ctx.Process(target=_child, args=(job.kind, park, options, job.computed_by, q), daemon=True)
        job.state, job.message_zh = "running", "正在启动计算进程……"
        stored, result, error = None, None, None
        try:
            child.start()
            progress = self._progress(job)
            while True:
                try:
                    msg = q.get(timeout=0.5)
                except queue.Empty:
                    if child.is_alive():
                        continue
                    try:  # a large result may still be on its way through the pipe when the child has ended
                        msg = q.get(timeout=5.0)
                    except queue.Empty:
                        msg = None
                if msg is None:
                    error = (
                        f"计算进程意外退出（退出码 {child.exitcode}，可能是内存不足或进程被终止）；"
                        "请稍后重试，园区较大时可改用较粗的网格或命令行 parkrisk 计算"
                    )
                    break
                if msg[0] == "progress":
                    progress(msg[1], msg[2])
                    continue
                if msg[0] == "done":
                    stored, result = msg[1], msg[2]
                else:
                    error = msg[1]
                break
        except Exception as exc:  # noqa: BLE001 - e.g. the process cannot be started
            log.exception("background %s process failed", job.kind)
            error = error_zh(exc)
        finally:
            child.join(timeout=30)
            if child.is_alive():
                child.kill()
        job.result = result
        self._finish(job, stored, error)

    def _finish(self, job: Job, stored: StoredResult | None, error: str | None) -> None:
        """Save a finished job's result (atomic: the previous one stays on any failure), or report its error."""
        try:
            if error is None and job.save:
                job.message_zh = "正在保存结果……"
                save_result(job.target, stored)
        except Exception as exc:  # noqa: BLE001 - reported like a failed computation
            log.exception("saving the %s result failed", job.kind)
            error = error_zh(exc)
        if error is None:
            job.stored, job.fraction, job.state = stored, 1.0, "done"
            job.message_zh = "计算完成，结果已保存"
        else:
            job.error_zh = f"「{job.title_zh}」重新计算失败：{error}。已保留上次保存的结果。"
            job.state = "failed"
        job.finished = time.monotonic()

    def _forget_old(self) -> None:
        now = time.monotonic()
        for key in [k for k, j in self._jobs.items() if j.finished and now - j.finished > KEEP_FINISHED_S]:
            del self._jobs[key]
        for job_id in [
            i for i, j in self._by_id.items() if j.finished and now - j.finished > KEEP_FINISHED_S
        ]:
            del self._by_id[job_id]

    def wait(self, target: Any, kind: str, timeout: float = 600.0) -> Job | None:
        """Block until the job of this park and kind has finished (for commands and tests)."""
        end = time.monotonic() + timeout
        job = self.get(target, kind)
        while job is not None and job.active and time.monotonic() < end:
            time.sleep(0.05)
        return job

    def wait_idle(self, timeout: float = 600.0) -> bool:
        """Block until no job is queued or running (for commands and tests); whether that happened in time."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self._lock:
                if not any(j.active for j in self._jobs.values()):
                    return True
            time.sleep(0.05)
        return False

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


_RUNNER: JobRunner | None = None
_RUNNER_LOCK = threading.Lock()


def runner() -> JobRunner:
    """The runner shared by every session of this server process."""
    global _RUNNER
    with _RUNNER_LOCK:
        if _RUNNER is None:
            _RUNNER = JobRunner()
        return _RUNNER


# -- rerunning each kind from its stored options ------------------------------------------------------------------
def _risk(park: Any, o: Mapping, progress: Progress) -> Any:
    from analysis.qra import individual as risk

    kw = {"weather": o["weather"]} if o.get("weather") else {}
    return risk.individual_risk(
        park,
        resolution=float(o.get("resolution_m", 25.0)),
        margin=float(o.get("margin_m", 1000.0)),
        progress=progress,
        **kw,
    )


def _domino(park: Any, o: Mapping, progress: Progress) -> Any:
    from analysis import domino
    from analysis import scenarios as sc

    defaults = domino.DominoOptions()
    weather = sc.Weather(
        wind_speed=float(o.get("wind_speed", 2.0)),
        wind_from_deg=float(o.get("wind_from_deg", 0.0)),
        stability=str(o.get("stability", "D")),
    )
    opts = domino.DominoOptions(
        model=str(o.get("model", defaults.model)),
        synergy=bool(o.get("synergy", defaults.synergy)),
        weather=weather,
        direction=str(o.get("direction", defaults.direction)),
        scenarios=tuple(o.get("scenarios", defaults.scenarios)),
        max_level=int(o.get("max_level", defaults.max_level)),
        n_samples=int(o.get("n_samples", defaults.n_samples)),
    )
    return domino.analyze(park, options=opts, progress=progress)


def _five_rooms(park: Any, o: Mapping, progress: Progress) -> Any:
    from analysis.regulation import siting_checks as scx

    return scx.five_rooms_check(park, progress=progress)


def _major_hazards(park: Any, o: Mapping, progress: Progress) -> Any:
    from analysis.regulation import gb18218 as mh

    progress(0.1, "正在辨识重大危险源……")
    return mh.enterprise_grades(park)


def _hca(park: Any, o: Mapping, progress: Progress) -> Any:
    from analysis import pipelines as pp

    progress(0.1, "正在分段并识别高后果区……")
    kinds = tuple(o.get("kinds", pp.HCAOptions().kinds))
    return pp.assess(
        park,
        segment_length=float(o.get("segment_length_m", 50.0)),
        hca_options=pp.HCAOptions(kinds=kinds),
        weather=o.get("weather"),  # "generic" when chosen for a park without a rose; None: the park's own
    )


def _emergency(park: Any, o: Mapping, progress: Progress) -> Any:
    import datetime as dt

    from analysis import emergency as em

    progress(0.1, "正在计算应急区域与疏散路线……")
    source = dict(o.get("source") or {})
    if set(source) != {"unit_id"}:
        raise ValueError(
            "只有以设施为泄漏源的应急方案可以一键重新计算；管道或任意地点的泄漏请在应急疏散页面重新设置计算"
        )
    plan_options = dict(o.get("plan_options") or {})
    if o.get("release"):
        plan_options["release"] = em.Release(**o["release"])
    when = str(o.get("time", "14:00"))
    time_arg: Any = dt.datetime.fromisoformat(when) if "T" in when or "-" in when else when
    return em.plan(
        park,
        unit_id=str(source["unit_id"]),
        wind_from=float(o.get("wind_from_deg", 0.0)),
        wind_speed=float(o.get("wind_speed", 2.0)),
        time=time_arg,
        **plan_options,
    )


RECOMPUTE: dict[str, Callable[[Any, Mapping, Progress], Any]] = {
    "risk": _risk,
    "domino": _domino,
    "five_rooms": _five_rooms,
    "major_hazards": _major_hazards,
    "hca": _hca,
    "emergency": _emergency,
}


def recompute(
    kind: str, park: Any, options: Mapping | None, *, computed_by: str
) -> Callable[[Progress], StoredResult]:
    """The job that reruns ``kind`` on the full ``park`` with ``options`` and converts the result for storage."""
    from app.results import to_stored

    opts = dict(options or {})

    def run(progress: Progress, keep: list | None = None) -> StoredResult:
        result = RECOMPUTE[kind](park, opts, progress)
        if keep is not None:
            keep.append(result)  # the model's own result, for the page that started the job
        progress(0.97, "正在整理结果……")
        return to_stored(kind, result, park, computed_by=computed_by, options=opts)

    return run


def _child(kind: str, park: Any, options: dict, computed_by: str, q: Any) -> None:
    """The child process of :meth:`JobRunner.submit_recompute`: progress, then the result or the Chinese error."""
    try:
        run = recompute(kind, park, options, computed_by=computed_by)
        result: list = []
        stored = run(
            lambda fraction, message="": q.put(("progress", float(fraction), str(message))), keep=result
        )
        q.put(("done", stored, _sendable(result[0] if result else None)))
    except Exception as exc:  # noqa: BLE001 - every failure goes back to the parent as a message
        q.put(("error", error_zh(exc)))


def _sendable(result: Any) -> Any:
    """``result`` as it can go back to the parent process: without the progress callback its options keep (a
    function of the child cannot be pickled); None (the page then shows the stored result) when it still cannot."""
    import dataclasses
    import pickle

    opts = getattr(result, "options", None)
    if dataclasses.is_dataclass(result) and dataclasses.is_dataclass(opts) and hasattr(opts, "progress"):
        result = dataclasses.replace(result, options=dataclasses.replace(opts, progress=None))
    try:
        pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - the stored result is saved all the same
        log.exception("the %s result cannot be sent back to the page", type(result).__name__)
        return None
    return result

"""The pages' side of stored results: save after computing, show the stored result with its time, user and 已过期
status, a one-click background recompute with a progress bar (:mod:`app.jobs`).

Every function here runs inside a Streamlit script (it reads the session's park, user and store from
:mod:`app.state`); the storage rules live in :mod:`app.results` and :mod:`geodata.results`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from app import results as ar
from app.jobs import error_zh, runner
from app.present.messages import message_zh
from geodata.results import StoredResult, list_results, load_result

__all__ = [
    "ResultsContext",
    "context",
    "saving",
    "keeping",
    "save_now",
    "save_if_changed",
    "stored_section",
    "keep_emergency_plan",
    "compute_in_background",
    "kept_or_hint",
    "risk_options",
    "show_stored_body",
    "LAYER_TITLES_ZH",
    "COLUMN_LABELS_ZH",
]

log = logging.getLogger(__name__)

#: Chinese titles of the stored layers.
LAYER_TITLES_ZH = {
    "contours": "个人风险等值线",
    "edges": "多米诺升级边",
    "hubs": "多米诺扩散枢纽设施",
    "buildings": "五室校核建筑",
    "units": "重大危险源单元",
    "areas": "管道高后果区",
    "zones": "应急危险区",
    "routes": "疏散路线",
    "assembly_points": "集合点",
}
#: Chinese column headers of the stored layers (columns not listed are not shown in the page tables).
COLUMN_LABELS_ZH = {
    "label_zh": "等值线",
    "area_km2": "面积（km²）",
    "source_id": "初始设施",
    "target_id": "目标设施",
    "scenario_zh": "初始事故",
    "probability": "升级概率（-）",
    "vector_zh": "升级矢量",
    "distance_m": "距离（m）",
    "across_fence": "跨企业",
    "rank": "排序",
    "unit_id": "设施/单元编号",
    "unit_zh": "单元",
    "name_zh": "名称",
    "score": "预计损失设施数（个）",
    "building_id": "建筑编号",
    "name": "名称",
    "verdict_zh": "结论",
    "overpressure_kpa": "最大超压（kPa）",
    "heat_flux_kw_m2": "最大热辐射（kW/m²）",
    "reason_zh": "依据",
    "enterprise_zh": "企业",
    "grade": "级别",
    "r_value": "R（-）",
    "pipeline_id": "管道编号",
    "segment_id": "高后果区编号",
    "class_zh": "等级",
    "length_m": "长度（m）",
    "pir_m": "潜在影响半径（m）",
    "level_zh": "区域",
    "concentration_ppm": "阈值浓度（ppm）",
    "target_name": "目标",
    "action_zh": "行动",
    "capacity": "容量（人）",
    "assigned": "分配人数（人）",
}


@dataclass(frozen=True)
class ResultsContext:
    """Where this session's park keeps its results, the full park, and who is signed in."""

    target: Any
    park: Any
    user: Any

    @property
    def computed_by(self) -> str:
        return getattr(self.user, "username", None) or "匿名"


def context() -> ResultsContext:
    """The session's :class:`ResultsContext` (the PostGIS store when the app's store is PostGIS)."""
    from app import state
    from geodata.store import is_postgres_target

    source = state.current_source()
    full = state._full_park()
    store = None
    import os

    if is_postgres_target(os.environ.get("PARKRISK_STORE", "")):
        store = state.park_store()
    target = ar.results_target(source.path, source_kind=source.kind, store=store)
    return ResultsContext(target, full, state.current_user())


def _warn_not_saved(exc: BaseException) -> None:
    import streamlit as st

    log.exception("saving a result failed")
    st.warning(f"计算结果未能保存到园区：{error_zh(exc)}。本次结果仍在本页显示。", icon=":material/warning:")


def save_now(
    kind: str, result: Any, *, options: Mapping | None = None, ctx: ResultsContext | None = None
) -> None:
    """Store ``result`` (computed on the full park) as the latest ``kind``; a failure is shown, never raised."""
    try:
        ctx = ctx or context()
        ar.store(ctx.target, kind, result, ctx.park, computed_by=ctx.computed_by, options=options)
    except Exception as exc:  # noqa: BLE001 - the page goes on with its result
        _warn_not_saved(exc)


def saving(kind: str, model: Callable[..., Any], *, options: Mapping | None = None) -> Callable[..., Any]:
    """``model`` wrapped for :meth:`app.state.ParkView.run`: it runs on the full park, stores the full result and
    returns it (the view then redacts it for the user)."""
    ctx = context()

    def run(full: Any, *args: Any, **kwargs: Any) -> Any:
        result = model(full, *args, **kwargs)
        save_now(kind, result, options=options, ctx=ctx)
        return result

    return run


def keeping(kind: str, model: Callable[..., Any], *, options: Mapping | None = None) -> Callable[..., Any]:
    """Like :func:`saving` for pages that compute on every visit: stored only when the inputs or options changed
    (:func:`save_if_changed`)."""

    def run(full: Any, *args: Any, **kwargs: Any) -> Any:
        result = model(full, *args, **kwargs)
        save_if_changed(kind, result, options=options)
        return result

    return run


def save_if_changed(kind: str, result: Any, *, options: Mapping | None = None) -> None:
    """Store ``result`` unless the stored one was computed from the same inputs and options (pages that compute
    on every visit: nothing is written when nothing changed)."""
    try:
        ctx = context()
        meta = list_results(ctx.target).get(kind)
        opts = ar.to_json_options(options)
        if meta is not None and meta.inputs_hash == ar.inputs_hash(ctx.park, kind, opts):
            return
        ar.store(ctx.target, kind, result, ctx.park, computed_by=ctx.computed_by, options=opts)
    except Exception as exc:  # noqa: BLE001 - the page goes on with its result
        _warn_not_saved(exc)


def keep_emergency_plan(view: Any, plan: Callable[..., Any], args: tuple) -> None:
    """The emergency page's plan kept with the park (shown on the one map): its time and user, and a button that
    keeps the plan of the inputs shown (``plan(full park, *args)``, args = source keywords, wind from [°], wind
    speed [m/s], Beijing time, plan options with ``release``)."""
    import dataclasses

    import streamlit as st

    from app.mapping.focus import remember_focus

    source_kw, wind_from, wind_speed, when, options = args
    release = options["release"]
    kept = {  # the inputs of this plan, stored with it for the one-click recompute
        "source": dict(source_kw),
        "wind_from_deg": float(wind_from),
        "wind_speed": float(wind_speed),
        "time": when.isoformat() if hasattr(when, "isoformat") else str(when),
        "plan_options": {k: v for k, v in options.items() if k != "release"},
        "release": dataclasses.asdict(release) if dataclasses.is_dataclass(release) else {},
    }
    keep = st.button("保存为园区当前应急方案（显示在园区一张图上）", key="em_keep")
    if keep:
        view.run(saving("emergency", plan, options=kept), *args)
        st.success("已保存：园区一张图显示此方案的危险区、疏散路线和集合点。", icon=":material/check_circle:")
    stored = stored_section("emergency")
    if keep and stored is not None and "zones" in stored.layers:  # 园区一张图 opens on the plan just kept
        remember_focus(st.session_state, stored.layers["zones"], label="园区当前应急方案")


def risk_options(resolution: float, margin: float, weather: Any = None) -> dict:
    """The options of a risk run as stored with it (grid resolution and margin [m], the generic rose if chosen)."""
    out: dict[str, Any] = {"resolution_m": float(resolution), "margin_m": float(margin)}
    if weather is not None:
        out["weather"] = weather
    return out


def kept_or_hint(kind: str, result: Any, hint_zh: str) -> bool:
    """The line of the result of ``kind`` kept with the park (:func:`stored_section`); without a ``result`` of
    this session, the kept result's figures and tables (:func:`show_stored_body`), else ``hint_zh``. True when the
    page has nothing more to show (no result in this session)."""
    import streamlit as st

    stored, stale = _section(kind)
    if result is not None:
        return False
    if stored is not None:
        show_stored_body(stored)
        if kind == "risk":
            _stored_fn_chart(stored)
        _stored_map(kind, stored, stale)
    else:
        st.info(hint_zh, icon=":material/info:")
    return True


def _job_progress(job_id: str) -> None:
    """The job's progress bar, refreshed every second in a fragment (the rest of the page stays usable); the page
    reruns once when the job has finished."""
    import streamlit as st

    @st.fragment(run_every=1.0)
    def bar() -> None:
        job = runner().by_id(job_id)
        if job is None:
            return
        if job.active:
            st.progress(
                job.fraction, text=f"后台计算「{job.title_zh}」：{job.message_zh}（{job.fraction:.0%}）"
            )
        elif st.session_state.get(f"job_seen|{job.kind}") != job.job_id:
            st.session_state[f"job_seen|{job.kind}"] = job.job_id
            st.rerun(scope="app")

    bar()


#: Session-state key (+ kind) of the background computation this session started and waits for.
PENDING_KEY = "_parkrisk_job_pending|"


def _mine(kind: str) -> str | None:
    import streamlit as st

    pending = st.session_state.get(PENDING_KEY + kind)
    return pending.get("job_id") if pending else None


def compute_in_background(
    kind: str,
    options: Mapping | None,
    *,
    start: bool,
    redact: bool = True,
    on_visit: bool = False,
    save: bool = True,
) -> tuple[Any, dict] | None:
    """Compute ``kind`` with ``options`` in a background job (:meth:`app.jobs.JobRunner.submit_recompute`: a
    child process, so neither this page, nor other pages, nor other users wait) and store it with the park.

    Call it on every run of the page, with ``start=True`` on the run whose button was pressed (pages that compute
    on every visit: whenever they have no result for the inputs shown). While the job runs, its progress bar is
    shown (refreshed every second; the page reruns once when it has finished); a second session asking for the
    same kind and options shares the job; with other options it waits for the running one, then starts its own.
    A failed job's Chinese error is shown once (the previous stored result stays); a page that computes on every
    visit (``on_visit``) shows it again, with a 重试 button, instead of starting the same failing job again.
    ``save=False``: the result is for this page only and not kept with the park (a quick run must not replace it).

    Returns
    -------
    (result, options) or None
        On the run in which this session's job has finished: the model's result (through
        :func:`app.auth.redact_result` for the user unless ``redact`` is False: the caller keeps the full result,
        e.g. in a cache shared by all sessions, and redacts it itself) and the options it ran with; else None.
    """
    import streamlit as st

    from app.auth import redact_result

    key = PENDING_KEY + kind
    opts = ar.to_json_options(options)
    pending = st.session_state.get(key)
    failed = st.session_state.get(f"job_failed|{kind}")
    if on_visit and pending is None and failed and failed["options"] == opts:
        st.error(failed["error_zh"], icon=":material/error:")
        if not st.button("重试", key=f"job_retry|{kind}"):
            return None
        start = True
    if start and (pending is None or pending["options"] != opts):
        pending = st.session_state[key] = {"options": opts, "job_id": None}
    if pending is None:
        return None
    opts = pending["options"]  # what this session asked for (a later run may pass no options)
    ctx = context()
    job = runner().by_id(pending["job_id"]) if pending["job_id"] else None
    if job is None and pending["job_id"]:
        del st.session_state[key]
        st.warning(
            "后台计算的结果已不在服务器上（服务器可能已重启）：请重新点击计算。", icon=":material/warning:"
        )
        return None
    if job is None:
        job = runner().submit_recompute(
            ctx.target, kind, ctx.park, opts, computed_by=ctx.computed_by, save=save
        )
        if job.options != opts or (save and not job.save):  # another computation of this kind (other options)
            st.info(
                f"另一项「{job.title_zh}」计算（参数不同）正在进行，完成后自动开始本次计算。",
                icon=":material/hourglass_top:",
            )
            _job_progress(job.job_id)
            return None
        pending["job_id"] = job.job_id
    if job.active:
        _job_progress(job.job_id)
        return None
    del st.session_state[key]
    if job.state == "failed":
        st.error(job.error_zh, icon=":material/error:")
        st.session_state[f"job_error_shown|{kind}"] = job.job_id
        st.session_state[f"job_failed|{kind}"] = {"options": opts, "error_zh": job.error_zh}
        return None
    st.session_state.pop(f"job_failed|{kind}", None)
    if job.result is None:  # only the stored result came back: the page shows it (kept_or_hint)
        return None
    return (redact_result(ctx.user, job.result) if redact else job.result), dict(job.options)


def stored_section(kind: str, *, ctx: ResultsContext | None = None) -> StoredResult | None:
    """The stored ``kind`` as the user may see it, under its status line (see :func:`_section`)."""
    return _section(kind, ctx)[0]


def _section(kind: str, ctx: ResultsContext | None = None) -> tuple[StoredResult | None, bool]:
    """The stored ``kind`` as the user may see it, under a line with its time, user and status (已过期 with a
    重新计算 button that starts a background job); the running job's progress; a failed job's Chinese error.
    Returns None (and shows nothing but a running job) when nothing is stored."""
    import streamlit as st

    try:
        ctx = ctx or context()
        raw = load_result(ctx.target, kind)
    except Exception as exc:  # noqa: BLE001 - a broken store must not take the page down
        log.exception("loading a stored result failed")
        st.warning(f"读取已保存的结果失败：{error_zh(exc)}", icon=":material/warning:")
        return None, False
    job = runner().get(ctx.target, kind)
    shown = st.session_state.get(f"job_error_shown|{kind}")  # by compute_in_background in this session
    failed = job is not None and job.state == "failed" and job.job_id != shown
    if failed and (raw is None or raw.computed_at < job.submitted_at):
        st.error(job.error_zh, icon=":material/error:")  # until a newer result is kept
    if job is not None and job.active and job.job_id != _mine(kind):  # this session's job has its bar already
        _job_progress(job.job_id)
    if raw is None:
        return None, False
    reasons = ar.stale_reasons(ctx.park, raw)  # 计算后气象数据已更改, 计算程序已更新 …
    stale = bool(reasons)
    line = ar.status_zh(raw, stale, reasons)
    if stale:
        c1, c2 = st.columns([5, 1])
        c1.warning(line, icon=":material/update:")
        busy = job is not None and job.active
        if c2.button("重新计算", key=f"recompute|{kind}", type="primary", disabled=busy):
            runner().submit_recompute(
                ctx.target, kind, ctx.park, raw.summary.get("options"), computed_by=ctx.computed_by
            )
            st.rerun()
    else:
        st.caption(line)
    return ar.for_user(ctx.user, raw), stale


def _table(gdf: Any) -> pd.DataFrame:
    cols = [c for c in gdf.columns if c in COLUMN_LABELS_ZH]
    out = pd.DataFrame(gdf[cols]).rename(columns=COLUMN_LABELS_ZH)
    for c in out.columns:
        if out[c].dtype == bool:
            out[c] = out[c].map({True: "是", False: "否"})
        elif pd.api.types.is_float_dtype(out[c]):
            out[c] = out[c].map(
                lambda v: "—" if pd.isna(v) else f"{v:,.3g}" if abs(v) < 0.01 else f"{v:,.2f}"
            )
    return out


def _stored_fn_chart(stored: StoredResult) -> None:
    """The kept F-N curves (whole year, day, night) against the park's GB 36894 lines, and the verdict."""
    import numpy as np
    import streamlit as st

    from analysis.qra.fn_settings import park_fn_criterion
    from analysis.qra.societal import FNCurve
    from app.charts import fn_figure
    from geodata.criteria import read_fn_criterion

    curves = {}
    for label, key in (("全年", "fn_curve"), ("白天", "fn_curve_day"), ("夜间", "fn_curve_night")):
        c = stored.summary.get(key) or {}
        if c.get("n"):
            curves[label] = FNCurve(n=np.asarray(c["n"], dtype=float), f=np.asarray(c["f"], dtype=float))
    st.markdown(f"社会风险总体评价：**{stored.summary.get('fn_verdict_zh', '—')}**（判据线 GB 36894-2018）")
    if not curves:
        return
    try:
        crit = park_fn_criterion(read_fn_criterion(context().park.source or None))
        st.pyplot(fn_figure(curves, criterion=crit))
    except (FileNotFoundError, ValueError) as exc:
        st.warning(f"无法绘制 F-N 图：{message_zh(exc)}", icon=":material/warning:")


def _stored_map(kind: str, stored: StoredResult, stale: bool) -> None:
    """The kept result on the park map, drawn as on 园区一张图 (:func:`app.mapping.results.add_result_layers`)."""
    import geopandas as gpd

    from app import state
    from app.mapping import finish_map, fit_to, park_map
    from app.mapping.component import component_args, draw
    from app.mapping.results import add_result_layers

    view = state.park_view()
    settings, _ = state.get_settings()
    m = park_map(view.park, basemap=settings.basemap, legends=False, layer_control_collapsed=True)
    add_result_layers(m, {kind: stored}, stale={kind: stale}, sensitive=not view.redacted)
    frames = [g.geometry for g in stored.layers.values() if len(g)]
    if frames:
        fit_to(m, gpd.GeoDataFrame(geometry=pd.concat(frames, ignore_index=True)))
    # drawn as 园区一张图 draws its map: the popups' links to other pages are relative to the app page
    draw(component_args(finish_map(m)), key=f"kept_map|{kind}", height=560)


def show_stored_body(stored: StoredResult, *, map_link: bool = True) -> None:
    """Key figures, one table per layer and the assumptions of a stored result (pages without a result computed
    in this session show this instead of an empty page)."""
    import streamlit as st

    metrics = stored.summary.get("metrics_zh") or []
    if metrics:
        cols = st.columns(min(len(metrics), 5))
        for c, (label, value) in zip(cols, metrics[:5], strict=False):
            c.metric(str(label), str(value))
    for name, gdf in stored.layers.items():
        if len(gdf):
            st.markdown(f"**{LAYER_TITLES_ZH.get(name, name)}**（{len(gdf)} 项）")
            st.dataframe(_table(gdf), hide_index=True, width="stretch", height=min(36 * (len(gdf) + 1), 320))
    rows = stored.summary.get("assumptions") or []
    if rows:
        with st.expander("假设与来源"):
            st.dataframe(pd.DataFrame(rows, columns=["项目", "内容"]), hide_index=True, width="stretch")
    if map_link:
        st.caption("已保存的结果同时显示在「园区一张图」的图层中。")

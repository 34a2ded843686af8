"""园区一张图: every layer of the open park on one map, with key figures and the attribute tables."""

from __future__ import annotations

import os
from datetime import date

import pandas as pd
import streamlit as st

from app import state
from app.mapping import legend_html, overdue_mask, park_legend_sections
from app.mapping.component import draw
from app.mapping.focus import bounds_of, recall_focus, remember_focus
from app.mapping.results import RESULT_ORDER, RESULT_TITLES, results_legend_html
from app.one_map import overview_map, overview_numbers
from app.park_overview import park_score_form, stored_park_scores
from app.present.messages import message_zh
from app.present.numbers import display_frame
from geodata import schema
from geodata.store import StoreError

TITLE = "园区一张图"
ICON = ":material/map:"
ORDER = 10

MAP_HEIGHT = 720  # [px]


def _metrics(park) -> None:
    layers = park.layers
    ent = layers["enterprises"]
    inst = layers["installations"]
    tgt = layers["sensitive_targets"]
    rect = layers["rectifications"]
    red = int((ent["risk_color"] == "red").sum()) if "risk_color" in ent else 0
    mh = int(ent["major_hazard_grade"].notna().sum()) if "major_hazard_grade" in ent else 0
    open_items = int((rect["status"] != "closed").sum()) if "status" in rect else 0
    overdue = int(overdue_mask(rect, date.today()).sum())
    people = int(tgt["population_day"].fillna(0).sum()) if "population_day" in tgt else 0
    cols = st.columns(5)
    off = {"delta_color": "off", "delta_arrow": "off"}
    cols[0].metric("企业", f"{len(ent)} 家", f"红色 {red} 家 · 重大危险源 {mh} 家", **off)
    cols[1].metric("装置设施", f"{len(inst)} 处")
    cols[2].metric("管道", f"{len(layers['pipelines'])} 条")
    cols[3].metric("防护目标", f"{len(tgt)} 个", f"白天 {people:,d} 人", **off)
    cols[4].metric(
        "整改事项",
        f"{len(rect)} 项",
        f"未销号 {open_items} 项 · 逾期 {overdue} 项",
        delta_color="red" if overdue else "off",
        delta_arrow="off",
    )


def _regulator_header(view) -> None:
    """The regulator's numbers; choosing one shows the table behind it."""
    park_id = str(view.park.parks["park_id"].iloc[0]) if len(view.park.parks) else ""
    store, scores = None, {}
    if view.user is not None and park_id:
        try:
            store = state.park_store()
            scores = stored_park_scores(store, view.user, park_id)
        except (StoreError, ValueError, OSError) as exc:
            st.warning(f"园区评分读取失败：{message_zh(exc)}")
    numbers = {n.key: n for n in overview_numbers(view, scores)}  # shared per park view, day and scores
    pick = st.radio(
        "监管统计（点选查看明细表）",
        list(numbers),
        index=None,
        horizontal=True,
        format_func=lambda k: f"{numbers[k].label}：{numbers[k].value}",
        key="park_reg_pick",
    )
    if pick is not None:
        n = numbers[pick]
        st.caption(n.note)
        st.dataframe(display_frame(n.table), hide_index=True, width="stretch")
        if pick == "park_grade" and store is not None and view.user.role == "admin":
            park_score_form(store, view.user, park_id, scores)


def _tables(park) -> None:
    # Off by default: the data grid is a large front-end bundle that the map view does not need.
    if not st.toggle("显示各图层属性表", key="park_map_tables"):
        return
    for name, gdf in park.layers.items():
        if name not in schema.LAYERS or gdf is None or gdf.empty:
            continue
        spec = schema.LAYERS[name]
        with st.expander(f"{spec.label_zh}（{len(gdf)}）属性表"):
            frame = gdf.drop(columns=gdf.geometry.name).copy()
            for col in spec.columns:
                if col.name in frame and col.enum:
                    frame[col.name] = [schema.label_zh(col.enum, v) for v in frame[col.name]]
            labels = {c.name: f"{c.label_zh}（{c.unit}）" if c.unit else c.label_zh for c in spec.columns}
            for col in spec.columns:  # MPa and ℃ for people; the park file keeps Pa and K
                if col.name in frame and col.name.endswith("pressure_pa"):
                    frame[col.name] = frame[col.name] / 1e6  # 1 MPa = 1e6 Pa
                    labels[col.name] = f"{col.label_zh}（MPa）"
                elif col.name in frame and col.name.endswith("temperature_k"):
                    frame[col.name] = frame[col.name] - 273.15  # ℃ = K - 273.15
                    labels[col.name] = f"{col.label_zh}（℃）"
            st.dataframe(display_frame(frame.rename(columns=labels)), hide_index=True, width="stretch")


def _stored_results(view) -> tuple[dict, dict[str, bool]]:
    """The park's stored results as this user may see them (:func:`app.results.for_user`), and whether each is out
    of date (its inputs hashed on the full park, not the user's redacted view)."""
    from app import results as app_results
    from app.one_map import stale_flags, stored_results, visible_results
    from geodata.results import ResultStoreError

    source = state.current_source()
    try:
        store = state.park_store() if os.environ.get("PARKRISK_STORE") else None
        target = app_results.results_target(source.path, source_kind=source.kind, store=store)
        raw = stored_results(target)
    except (ResultStoreError, StoreError, OSError, ValueError) as exc:  # the park map is still drawn
        st.warning(f"已保存的分析结果读取失败：{message_zh(exc)}", icon=":material/warning:")
        return {}, {}
    version = state.park_version()
    stale = view.run(lambda p: stale_flags(version, p, raw))
    shown = visible_results(raw, view.user)
    return shown, stale


def _focus(results: dict) -> tuple[float, float, float, float] | None:
    """What the map opens on [°]: what was just computed (a stored result newer than this session's last visit) or
    what a page remembered (:func:`app.mapping.focus.remember_focus`), else ``None`` (the whole park)."""
    seen = st.session_state.get("_park_map_results_seen")
    newest = max(results.values(), key=lambda r: r.computed_at, default=None)
    if newest is not None and (seen is None or newest.computed_at > seen):
        st.session_state["_park_map_results_seen"] = newest.computed_at
        if seen is not None:  # computed since the last visit: show it
            frames = [g for g in newest.layers.values() if g is not None and len(g)]
            if frames:
                remember_focus(
                    st.session_state,
                    pd.concat([f.geometry.to_crs(4326) for f in frames]),
                    label=RESULT_TITLES[newest.kind],
                )
    focus = recall_focus(st.session_state)
    return None if focus is None else focus.bounds


def render() -> None:
    view = state.park_view()
    park = view.park
    settings, _ = state.get_settings()
    st.title(f"{TITLE} · {park.name}")
    if view.redacted:
        st.caption("重大危险源设施的存量、容积、压力、温度仅对登录的管理、企业或检查人员显示。")
    if view.user is None or view.user.role == "enterprise":
        st.caption("整改事项按“一园一策”页面的权限显示：未登录不显示，企业用户只显示本企业的事项。")
    _metrics(park)
    # the regulator's numbers stand above the map but are filled after it: the map (the page's slowest part to
    # reach the browser and draw) is sent first and drawn while they are computed
    header = st.container()
    layer_names = [n for n in park.layers if n in schema.LAYERS and not park.layers[n].empty]
    # Plain checkboxes (not a multiselect): the combo-box widget alone adds ~190 KB to the page.
    st.sidebar.markdown("**图层**", help="选择绘制的图层；也可用地图右上角的图层按钮显示/隐藏。")
    chosen = [
        name
        for name in layer_names
        if st.sidebar.checkbox(
            f"{schema.LAYERS[name].label_zh}（{len(park.layers[name])}）",
            value=True,
            key=f"park_map_layer_{name}",
        )
    ]
    results, stale = _stored_results(view)
    all_edges = False
    if "domino" in results:
        all_edges = st.sidebar.toggle(
            "显示全部多米诺升级边",
            key="park_map_all_edges",
            help="默认只画升级概率最高的 20 条，避免箭头互相遮挡。",
        )
    # built once per park view, shown results and options, and shared (app.one_map.overview_map)
    groups, map_args = overview_map(
        park, results, stale=stale, sensitive=not view.redacted, all_edges=all_edges, layers=chosen,
        basemap=settings.basemap, bounds=_zoom_choice(results),
    )  # fmt: skip
    col_map, col_legend = st.columns([4.2, 1], gap="small")
    with col_map:
        draw(map_args, key="park_map", height=MAP_HEIGHT)
    with col_legend:
        if groups:
            st.html(results_legend_html(groups))
        st.html(legend_html("图例", park_legend_sections(park, layers=chosen), standalone=True))
    with header:
        _regulator_header(view)
    st.caption(
        "点击要素查看全部属性及说明页面；企业按安全风险等级着色（红/橙/黄/蓝），防护目标按 GB 36894-2018 防护类别着色，"
        "装置按物料相态着色，粗黑边为重点监管危险化工工艺；整改事项黑框为逾期未销号。"
        + (
            "分析结果取自各页面最近一次计算并随园区保存，“已过期”表示其输入数据已改变，请到对应页面重新计算。"
            if groups
            else ""
        )
    )
    _tables(park)


def _zoom_choice(results: dict) -> tuple[float, float, float, float] | None:
    """What the map opens on [°] by the sidebar's "缩放至" choice: one stored result, else what was just computed
    (:func:`_focus`); ``None``: the whole park."""
    kinds = [k for k in RESULT_ORDER if k in results]
    if not kinds:
        return _focus(results)
    pick = st.sidebar.radio(
        "缩放至",
        [None, *kinds],
        format_func=lambda k: "最近的计算或选择" if k is None else RESULT_TITLES[k],
        key="park_map_zoom",
    )
    if pick is None:
        return _focus(results)
    frames = [g.geometry.to_crs(4326) for g in results[pick].layers.values() if g is not None and len(g)]
    bounds = bounds_of(pd.concat(frames)) if frames else None
    if bounds is not None:
        remember_focus(st.session_state, bounds, label=RESULT_TITLES[pick])
    return bounds


render()

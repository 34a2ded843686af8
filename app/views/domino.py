"""多米诺效应: escalation arrows between installations coloured by probability, the chain from a chosen primary event,
enterprise-crossing edges, ranked hubs, measures and export (edges as GeoPackage / GeoJSON).

The plain functions (``domino_map``, ``ranking_table``, ``edges_table``, ``chain_table``, ``frequency_table``)
build the map and tables from an :class:`analysis.domino.DominoResult` and can be called without Streamlit.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from app.mapping import add_legend, finish_map, fit_to, html_text, park_map
from app.mapping.results import DEFAULT_TOP_EDGES
from app.present import CROSSING_COLOR, PROBABILITY_CLASSES, SOURCE_COLOR
from app.present.messages import message_zh
from app.present.numbers import num_zh, sci_zh

TITLE = "多米诺效应"
ICON = ":material/account_tree:"
ORDER = 30

MAP_HEIGHT = 660  # [px]

_VECTOR_DISPLAY = {"heat_flux": ("kW/m²", 1e-3), "overpressure": ("kPa", 1e-3)}


def probability_color(p: float) -> str:
    """Colour of an escalation probability (see :data:`PROBABILITY_CLASSES`)."""
    for low, color, _ in PROBABILITY_CLASSES:
        if p >= low:
            return color
    return PROBABILITY_CLASSES[-1][1]


def unit_edges(result) -> gpd.GeoDataFrame:
    """One edge per (source, target): the most probable primary scenario of the source (metric CRS)."""
    e = result.edges
    if e.empty:
        return e
    best = e.loc[e.groupby(["source", "target"])["probability"].idxmax()]
    return best.sort_values("probability").reset_index(drop=True)


def _arrow_head(line, size: float):
    """Triangle at the end of a metric line pointing along it (metric CRS)."""
    from shapely.geometry import Polygon

    (x0, y0), (x1, y1) = line.coords[0], line.coords[-1]
    dx, dy = x1 - x0, y1 - y0
    length = math.hypot(dx, dy)
    if length <= 0:
        return None
    ux, uy = dx / length, dy / length
    s = min(size, 0.45 * length)
    bx, by = x1 - ux * s, y1 - uy * s
    return Polygon([(x1, y1), (bx - uy * s * 0.5, by + ux * s * 0.5), (bx + uy * s * 0.5, by - ux * s * 0.5)])


def domino_map(
    park,
    result,
    *,
    primary: tuple[str, str] | None = None,
    min_probability: float = 0.0,
    basemap=None,
    top: int | None = DEFAULT_TOP_EDGES,
) -> folium.Map:
    """The park map with escalation arrows coloured by probability.

    Parameters
    ----------
    park : geodata.Park
    result : analysis.domino.DominoResult
    primary : (unit_id, scenario), optional
        Draw only the chain of this primary event: its first-level arrows, the graph arrows among the units it can
        involve, and each involved unit ringed and labelled with its involvement probability.
    min_probability : float
        Arrows below this probability are not drawn. [-]
    basemap : app.settings.Basemap or str, optional
    top : int or None
        Without ``primary``, draw only the ``top`` most probable edges (a readable subset; ``None`` draws all). [-]

    Returns
    -------
    folium.Map
        Layers: "升级箭头（N）", "跨企业升级（N）" (purple halo under the arrow) and, with ``primary``, "升级链".
    """
    m = park_map(
        park,
        basemap=basemap,
        layers=["parks", "enterprises", "installations"],
        layer_control=False,
        layer_control_collapsed=True,
        legend_folded=True,  # the arrows need the room; the probability legend stays open
    )
    crs = result.crs
    if primary is not None:
        src, kind = primary
        first = result.edges[(result.edges["source"] == src) & (result.edges["scenario"] == kind)]
        inv = result.involvement[
            (result.involvement["source"] == src) & (result.involvement["scenario"] == kind)
        ]
        involved = set(inv.loc[inv["p_involved"] > 0, "unit_id"]) | {src}
        others = unit_edges(result)
        others = others[others["source"].isin(involved - {src}) & others["target"].isin(involved)]
        edges = pd.concat([others, first], ignore_index=True)
    else:
        edges = unit_edges(result)
        inv = None
    edges = edges[edges["probability"] >= min_probability] if len(edges) else edges
    if primary is None and top is not None and len(edges) > top:
        edges = edges.nlargest(int(top), "probability").sort_values("probability")  # most probable drawn last
    arrows = folium.FeatureGroup(name=f"升级箭头（{len(edges)}）", show=True)
    crossing = folium.FeatureGroup(
        name=f"跨企业升级（{int(edges['crosses_enterprise'].sum()) if len(edges) else 0}）", show=True
    )
    if len(edges):
        g = gpd.GeoDataFrame(edges, geometry="geometry", crs=crs)
        heads = [_arrow_head(line, 9.0) for line in g.geometry]
        lines_ll = g.to_crs(4326).geometry
        heads_ll = gpd.GeoSeries(heads, crs=crs).to_crs(4326)
        for rec, line, head in zip(g.itertuples(index=False), lines_ll, heads_ll, strict=True):
            unit, k = _VECTOR_DISPLAY[rec.vector]
            color = probability_color(rec.probability)
            tip = html_text(
                f"{rec.source} → {rec.target}｜{rec.scenario_zh}｜{rec.vector_zh} {rec.load * k:,.1f} {unit}"
                f"（阈值 {rec.threshold * k:,.0f} {unit}）｜升级概率 {rec.probability:.3f}｜间距 {rec.distance_m:,.1f} m"
                + ("｜跨企业" if rec.crosses_enterprise else "")
            )
            pts = [(y, x) for x, y in line.coords]
            if rec.crosses_enterprise:
                folium.PolyLine(pts, color=CROSSING_COLOR, weight=9, opacity=0.45, tooltip=tip).add_to(
                    crossing
                )
            folium.PolyLine(pts, color=color, weight=3.5, opacity=0.95, tooltip=tip).add_to(arrows)
            if head is not None and not head.is_empty:
                folium.Polygon(
                    [(y, x) for x, y in head.exterior.coords],
                    color=color,
                    weight=1,
                    fill=True,
                    fill_color=color,
                    fill_opacity=1.0,
                    tooltip=tip,
                ).add_to(arrows)
    crossing.add_to(m)
    arrows.add_to(m)
    if inv is not None:
        chain = folium.FeatureGroup(name="升级链", show=True)
        inst = park.installations.set_index(park.installations["unit_id"].astype(str))
        for rec in inv.itertuples(index=False):
            if rec.p_involved <= 0 or rec.unit_id not in inst.index:
                continue
            c = inst.loc[rec.unit_id].geometry.centroid
            folium.CircleMarker(
                [c.y, c.x],
                radius=11,
                color=probability_color(rec.p_involved),
                weight=4,
                fill=False,
                tooltip=html_text(f"{rec.unit_id}：被卷入概率 {rec.p_involved:.3f}（各级合计）"),
            ).add_to(chain)
        if src in inst.index:
            c = inst.loc[src].geometry.centroid
            folium.CircleMarker(
                [c.y, c.x],
                radius=13,
                color=SOURCE_COLOR,
                weight=4,
                fill=False,
                tooltip=html_text(f"初始事件：{src}"),
            ).add_to(chain)
        chain.add_to(m)
    if primary is not None and len(edges):
        fit_to(m, gpd.GeoDataFrame(edges, geometry="geometry", crs=crs), padding_px=60)
    add_legend(
        m,
        "升级概率",
        [(f"{label}", color, "line") for _, color, label in PROBABILITY_CLASSES]
        + [("跨企业升级（紫色底）", CROSSING_COLOR, "line")],
        position="bottomleft",
    )
    return finish_map(m)  # the layer switcher after the arrows and chain it lists


def _enterprise_names(park) -> dict[str, str]:
    if park is None or "enterprises" not in park.layers:
        return {}
    ent = park.layers["enterprises"]
    return dict(zip(ent["enterprise_id"].astype(str), ent["name"].astype(str), strict=False))


def ranking_table(result, *, park=None) -> pd.DataFrame:
    """Units ranked by how much they spread (hubs) and how exposed they are, Chinese headers with units.

    With ``park`` the enterprise column shows the enterprise names instead of their ids."""
    r = result.ranking
    names = _enterprise_names(park)
    return pd.DataFrame(
        {
            "扩散排名": r["hub_rank"],
            "设施编号": r["unit_id"],
            "设施名称": r["name"],
            "企业": [names.get(str(e), str(e)) for e in r["enterprise_id"]],
            "作为初始事件预计损失设施数（个）": r["expected_units_lost"].round(2),
            "直接可引发设施数（个）": r["out_degree"],
            "一级升级期望数（个）": r["out_strength"].round(2),
            "跨企业升级边（条）": r["crossing_edges"],
            "受威胁排名": r["exposure_rank"],
            "被邻近设施引发的概率（-）": r["exposure"].round(3),
        }
    )


def edges_table(result, *, crossing_only: bool = False) -> pd.DataFrame:
    """Escalation edges with loads, thresholds, probabilities, spacing and measures (Chinese headers, units)."""
    e = result.edges
    if crossing_only:
        e = e[e["crosses_enterprise"]]
    rows = []
    for rec in e.itertuples(index=False):
        unit, k = _VECTOR_DISPLAY[rec.vector]
        rows.append(
            {
                "初始设施": rec.source,
                "目标设施": rec.target,
                "初始事故": rec.scenario_zh,
                "升级矢量": rec.vector_zh,
                "荷载": f"{rec.load * k:,.1f} {unit}",
                "阈值": f"{rec.threshold * k:,.0f} {unit}",
                "升级概率（-）": round(rec.probability, 4),
                # Cozzani 2005 gives a time to failure for fire exposure only; blast damage is immediate
                "失效时间（min）": f"{rec.ttf_s / 60.0:,.1f}"
                if np.isfinite(rec.ttf_s)
                else ("立即（冲击波）" if rec.vector == "overpressure" else "—"),
                "现状间距（m）": round(rec.distance_m, 1),
                "所需间距（m）": round(rec.required_distance_m, 1),
                "跨企业": "是" if rec.crosses_enterprise else "否",
                "消除措施": rec.measure_zh,
            }
        )
    return pd.DataFrame(rows)


def chain_table(result, source: str, scenario: str) -> pd.DataFrame:
    """Involvement of every unit in the chain of one primary event and its most probable paths."""
    inv = result.involvement
    inv = inv[(inv["source"] == source) & (inv["scenario"] == scenario)].sort_values(
        "p_involved", ascending=False
    )
    ch = result.chains
    ch = ch[(ch["source"] == source) & (ch["scenario"] == scenario)].set_index("target")
    return pd.DataFrame(
        {
            "设施编号": inv["unit_id"].to_numpy(),
            "一级升级概率（-）": inv["p_level1"].round(4).to_numpy(),
            "被卷入概率（各级，-）": inv["p_involved"].round(4).to_numpy(),
            "最可能路径": [ch.loc[u, "path"] if u in ch.index else "" for u in inv["unit_id"]],
            "路径概率（-）": [
                round(float(ch.loc[u, "probability"]), 4) if u in ch.index else None for u in inv["unit_id"]
            ],
            "跨企业": ["是" if c else "否" for c in inv["crosses_enterprise"]],
        }
    )


def frequency_table(result) -> pd.DataFrame:
    """Secondary-event frequencies added by escalation (for the risk calculation)."""
    from analysis.domino import PRIMARY_LABELS_ZH

    f = result.frequencies
    return pd.DataFrame(
        {
            "初始设施": f["primary_unit"],
            "初始事故": [PRIMARY_LABELS_ZH.get(str(k), str(k)) for k in f["primary_scenario"]],
            "初始事故频率（次/年）": f["f_primary"].map(lambda v: sci_zh(v, 3) if np.isfinite(v) else "未知"),
            "次生设施": f["target"],
            "一级升级概率（-）": f["p_escalation"].round(4),
            "被卷入概率（-）": f["p_involved"].round(4),
            "附加次生事故频率（次/年）": f["f_secondary"].map(
                lambda v: sci_zh(v, 3) if np.isfinite(v) else "未知"
            ),
        }
    )


def render() -> None:  # pragma: no cover - exercised by AppTest
    import streamlit as st

    from analysis import domino
    from analysis import scenarios as sc
    from app import state
    from app.results_panel import compute_in_background, kept_or_hint

    view = state.park_view()
    park = view.park  # as the user may see it; the model runs on the full park through view.run
    settings, _ = state.get_settings()
    st.title(f"{TITLE} · {park.name}")
    st.caption(
        "按 Cozzani 等（2005、2006）的升级阈值与概率模型，计算每个设施的初始事故（池火、喷射火、火球、蒸气云爆炸、"
        "容器物理爆炸）对其他设施的热辐射/超压荷载（按设施实际轮廓间距），得到升级概率、多级升级链、跨企业升级边和消除措施。"
    )
    if park.installations.empty:
        st.warning(
            "园区中没有装置设施（installations 图层为空），无法进行多米诺分析。", icon=":material/warning:"
        )
        st.stop()

    with st.form("dm_form"):
        c1, c2, c3 = st.columns(3)
        with c1:
            kinds = st.multiselect(
                "初始事故情景",
                list(domino.PRIMARY_KINDS),
                default=list(domino.PRIMARY_KINDS),
                format_func=lambda k: domino.PRIMARY_LABELS_ZH[k],
                placeholder="请选择…",
                key="dm_kinds",
            )
            levels = st.number_input(
                "最大升级层级（级）", min_value=1, max_value=10, value=3, step=1, key="dm_levels"
            )
        with c2:
            samples = st.number_input(
                "蒙特卡洛抽样次数（次/初始事件）",
                min_value=100,
                max_value=100_000,
                value=2000,
                step=500,
                key="dm_samples",
            )
            direction = st.selectbox(
                "目标方位",
                ["worst", "weather"],
                key="dm_direction",
                format_func=lambda d: {"worst": "最不利（目标按位于下风向计）", "weather": "按给定风向"}[d],
            )
        with c3:
            wind_from = st.number_input("风向（来风方向，°）", value=0.0, step=22.5, key="dm_wind_from")
            wind_speed = st.number_input("风速（m/s）", value=2.0, step=0.5, key="dm_wind_speed")
            model = st.selectbox(
                "热辐射升级概率模型",
                list(domino.ESCALATION_MODELS),
                format_func=lambda k: domino.ESCALATION_MODEL_LABELS_ZH.get(k, k),
                key="dm_model",
                help="两者的升级阈值、失效时间 ttf 关联式和超压概率单位相同，仅热辐射概率单位不同："
                "Cozzani 2005 为 Y = 12.54 − 1.847 ln ttf（ttf 以 min 计）；"
                "Landucci 2009 为 Y = 9.25 − 1.85 ln ttf（ttf 以 min 计，按应急处置时间中位 10 min），"
                "升级概率较低。",
            )
            synergy = st.checkbox(
                "叠加同时燃烧的火灾热辐射（协同效应）",
                value=True,
                key="dm_synergy",
                help="第二级起，目标受到的热辐射为所有正在燃烧的池火/喷射火之和（含各自低于阈值者），"
                "按总热辐射判断阈值与升级概率（Khakzad 等 2013）；不勾选则每个失效设施单独作用。",
            )
        submitted = st.form_submit_button("开始分析", type="primary")

    key = ("dm_result", state.current_source().path if hasattr(state, "current_source") else park.name)
    if submitted:
        try:
            weather = sc.Weather(wind_speed=float(wind_speed), wind_from_deg=float(wind_from), stability="D")
            domino.DominoOptions(  # the input checks, in Chinese, before the job starts
                model=model,
                synergy=bool(synergy),
                weather=weather,
                direction=direction,
                scenarios=tuple(kinds),
                max_level=int(levels),
                n_samples=int(samples),
            )
        except ValueError as exc:
            st.error(f"输入有误：{message_zh(exc)}", icon=":material/error:")
            st.stop()
        run_options = {  # stored with the result (app.results), for the one-click recompute
            "model": model,
            "synergy": bool(synergy),
            "direction": direction,
            "scenarios": list(kinds),
            "max_level": int(levels),
            "n_samples": int(samples),
            "wind_from_deg": float(wind_from),
            "wind_speed": float(wind_speed),
            "stability": "D",
        }
    # in a background job (app.jobs: the page, other pages and other users go on), kept with the park when done
    done = compute_in_background("domino", run_options if submitted else None, start=submitted)
    if done is not None:
        st.session_state[str(key)] = done[0]
    result = st.session_state.get(str(key))
    if kept_or_hint("domino", result, "设置参数后点击“开始分析”。示例园区约需数秒，设施较多时需要更久。"):
        return  # nothing computed in this session: the result kept with the park (time, user, 已过期), or the hint
    _show_result(st, park, settings, result)


def _show_result(st, park, settings, result) -> None:  # pragma: no cover - exercised by AppTest
    """Key figures, the map of the chosen chain, the tables and the downloads of one domino result."""

    from streamlit_folium import st_folium

    from analysis import domino
    from app.commands.domino import write_edges
    from app.mapping.focus import remember_focus

    e = result.edges
    cols = st.columns(4)
    cols[0].metric("升级边", f"{len(e)} 条")
    cols[1].metric("跨企业升级边", f"{int(e['crosses_enterprise'].sum()) if len(e) else 0} 条")
    cols[2].metric("可引发升级的初始事件", f"{len(result.primary_events)} 个")
    worst = result.primary_events["expected_total"].max() if len(result.primary_events) else 0.0
    cols[3].metric("单一初始事件最多预计损失", f"{worst:.1f} 个设施")
    st.caption(
        f"升级阈值：Cozzani 等 2006；升级概率模型：{domino.ESCALATION_MODEL_LABELS_ZH.get(result.options.model, result.options.model)}"
    )

    events = [(r.source, r.scenario) for r in result.primary_events.itertuples(index=False)]
    choice = st.selectbox(
        "显示某一初始事件的升级链（不选则显示全部升级边）",
        [None] + events,
        key="dm_primary",
        format_func=lambda ev: "全部升级边" if ev is None else f"{ev[0]} · {domino.PRIMARY_LABELS_ZH[ev[1]]}",
    )
    pmin = st.slider("只显示升级概率不低于（-）", 0.0, 1.0, 0.0, 0.01, key="dm_pmin")
    n_all = len(unit_edges(result))
    show_all = choice is not None or n_all <= DEFAULT_TOP_EDGES
    if not show_all:
        show_all = st.toggle(
            f"显示全部 {n_all} 条升级边（默认只画升级概率最高的 {DEFAULT_TOP_EDGES} 条）", key="dm_all_edges"
        )
    m = domino_map(
        park,
        result,
        primary=choice,
        min_probability=pmin,
        basemap=settings.basemap,
        top=None if show_all else DEFAULT_TOP_EDGES,
    )
    # the map frames the chosen chain (domino_map); the next maps (园区一张图 too) open on its source
    if choice is not None:
        inst = park.installations
        remember_focus(
            st.session_state, inst[inst["unit_id"].astype(str) == str(choice[0])], label="升级链初始设施"
        )
    st_folium(m, height=MAP_HEIGHT, use_container_width=True, returned_objects=[], key="dm_map")

    if choice is not None:
        st.subheader(f"初始事件 {choice[0]} · {domino.PRIMARY_LABELS_ZH[choice[1]]} 的升级链")
        pe = result.primary_events
        row = pe[(pe["source"] == choice[0]) & (pe["scenario"] == choice[1])].iloc[0]
        st.markdown(
            f"一级升级期望损失 **{row.expected_level1:.2f} 个设施**；各级合计期望损失 **{row.expected_total:.2f} 个"
            f"设施**；发生至少一个次生事故的概率 **{row.p_any_total:.3f}**。"
        )
        st.dataframe(chain_table(result, *choice), hide_index=True, width="stretch")
        comb = result.combinations
        comb = comb[(comb["source"] == choice[0]) & (comb["scenario"] == choice[1])]
        if len(comb):
            st.caption("一级次生事件组合（Cozzani 等 2005 组合法），概率最高的前几种：")
            st.dataframe(
                pd.DataFrame(
                    {
                        "同时失效的设施": [" + ".join(t) for t in comb["targets"]],
                        "数量（个）": comb["n"],
                        "概率（-）": comb["probability"].map(num_zh),
                    }
                ),
                hide_index=True,
                width="stretch",
            )

    st.subheader("设施排名：扩散能力与受威胁程度")
    st.dataframe(ranking_table(result, park=park), hide_index=True, width="stretch")
    st.subheader("间距不足的设施对与消除措施")
    only_cross = st.toggle("只看跨企业升级边", key="dm_cross_only")
    st.dataframe(edges_table(result, crossing_only=only_cross), hide_index=True, width="stretch")
    with st.expander("多米诺升级附加的次生事故频率（供风险计算）"):
        st.dataframe(frequency_table(result), hide_index=True, width="stretch")
    if len(result.skipped):
        with st.expander(f"未能计算的初始情景（{len(result.skipped)} 个）"):
            skipped = result.skipped.assign(
                scenario=[domino.PRIMARY_LABELS_ZH.get(str(k), str(k)) for k in result.skipped["scenario"]]
            )
            st.dataframe(
                skipped.rename(columns={"unit_id": "设施编号", "scenario": "情景", "reason_zh": "原因"}),
                hide_index=True,
                width="stretch",
            )

    c1, c2 = st.columns(2)
    with tempfile.TemporaryDirectory() as tmp:
        gj = write_edges(result, Path(tmp) / "domino_edges.geojson").read_bytes()
        gp = write_edges(result, Path(tmp) / "domino_edges.gpkg").read_bytes()
    c1.download_button(
        "下载升级边 GeoJSON（WGS84）",
        data=gj,
        file_name="domino_edges.geojson",
        mime="application/geo+json",
        key="dm_dl_geojson",
    )
    c2.download_button(
        "下载升级边 GeoPackage（米制坐标，含附表）",
        data=gp,
        file_name="domino_edges.gpkg",
        mime="application/geopackage+sqlite3",
        key="dm_dl_gpkg",
    )


if __name__ == "__main__":
    render()

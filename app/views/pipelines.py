"""管道: pipelines coloured by high-consequence-area grade (GB 32167), a segment's zones and the targets inside,
the HCA table (Excel, GeoPackage), the risk transect and the societal risk of each kilometre.

The plain functions (:func:`hca_map`, :func:`targets_in_zones`, :func:`hca_table_zh`, :func:`transect_figure`,
:func:`hca_excel_bytes`, :func:`hca_gpkg_bytes`) need no Streamlit; tests call them directly. Which zones and
targets are considered along a segment is the analysis layer's rule (:func:`analysis.pipelines.segment_zones`,
:func:`analysis.pipelines.targets_in_zones`). The Streamlit part runs only when Streamlit executes this file as a page.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from analysis.pipelines import segment_zones
from analysis.pipelines import targets_in_zones as analysis_targets_in_zones
from app.mapping import add_legend, add_zones, finish_map, fit_to, html_text, park_map
from app.present import HCA_COLORS, HCA_LEGEND_ZH, NOT_ASSESSED_COLOR, PIPELINE_ZONE_COLORS, SOURCE_COLOR
from app.present.messages import message_zh
from app.present.numbers import display_frame, sci_mathtext, sci_zh
from app.reports.figures import CJK_FONT_PATH

TITLE = "管道"
ICON = ":material/timeline:"
ORDER = 45

MAP_HEIGHT = 640  # [px]
_LAYERS_UNDER = ("parks", "enterprises", "installations", "sensitive_targets", "buildings", "roads")


def hca_map(
    park,
    segments: gpd.GeoDataFrame,
    *,
    basemap=None,
    zones: gpd.GeoDataFrame | None = None,
    selected: str | None = None,
    fit: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """The park map with the pipeline segments coloured by HCA grade; a selected segment's zones on top.

    Parameters
    ----------
    park : geodata.Park
    segments : geopandas.GeoDataFrame
        :attr:`analysis.pipelines.PipelineAssessment.segments` (metric CRS).
    basemap : app.settings.Basemap or str, optional
    zones : geopandas.GeoDataFrame, optional
        :func:`segment_zones` of the selected segment.
    selected : str, optional
        segment_id to outline in black.
    fit : geopandas.GeoDataFrame, optional
        Features to fit the view to (e.g. the chosen line's segments); the whole park otherwise.

    Returns
    -------
    folium.Map
    """
    layers = [n for n in _LAYERS_UNDER if n in park.layers and len(park.layers[n])]
    m = park_map(park, basemap=basemap, layers=layers, legends=False, layer_control_collapsed=True)
    seg = segments.to_crs(4326)
    seg = seg.assign(
        _grade=seg["hca_grade"].astype(int),
        _assessed=seg["hca_assessed"].astype(bool),
        等级=[
            g if a else "未识别（不适用）"
            for g, a in zip(seg["hca_grade_zh"], seg["hca_assessed"], strict=True)
        ],
        分段=seg["segment_id"].map(html_text),
        管道=seg["name"].map(html_text),
        里程=[f"{a:,.0f}–{b:,.0f} m" for a, b in zip(seg["s_start_m"], seg["s_end_m"], strict=True)],
        识别依据=seg["hca_rules"].map(html_text),
        触发目标=seg["hca_target_names"].map(html_text),
    )
    fg = folium.FeatureGroup(name=f"管道分段（按高后果区等级，{len(seg)} 段）", show=True)
    cols = ["分段", "管道", "里程", "等级", "识别依据", "触发目标", "_grade", "_assessed", "geometry"]

    def style(feat):
        p = feat["properties"]
        color = HCA_COLORS[int(p["_grade"])] if p["_assessed"] else NOT_ASSESSED_COLOR
        return {"color": color, "weight": 6 if p["_grade"] > 0 else 3, "opacity": 0.95}

    folium.GeoJson(
        seg[cols].to_json(drop_id=True),
        style_function=style,
        tooltip=folium.GeoJsonTooltip(fields=["分段", "管道", "里程", "等级", "识别依据", "触发目标"]),
    ).add_to(fg)
    fg.add_to(m)
    if zones is not None and len(zones):
        drawn = zones[~zones.geometry.is_empty]
        add_zones(
            m,
            drawn,
            level_column="level",
            name="所选分段的影响范围",
            colors={k: c for k, c in PIPELINE_ZONE_COLORS.items() if k in set(drawn["level"])},
            labels={r.level: r.label_zh for r in drawn.itertuples()},
            legend_title="所选分段的影响范围",
            tooltip_columns={"label_zh": "范围", "distance_m": "距离（m）"},
            legend_position="bottomleft",
        )
    if selected is not None:
        hit = seg[seg["segment_id"].astype(str) == str(selected)]
        if len(hit):
            folium.GeoJson(
                hit[["分段", "geometry"]].to_json(drop_id=True),
                style_function=lambda _f: {"color": SOURCE_COLOR, "weight": 10, "opacity": 0.6},
                tooltip=html_text(f"所选分段 {selected}"),
            ).add_to(m)
    if fit is not None and len(fit):
        fit_to(m, fit)
    add_legend(
        m,
        "管道高后果区等级（GB 32167-2015）",
        [(label, HCA_COLORS[g], "line") for g, label in HCA_LEGEND_ZH.items()]
        + [("未识别（非油气长输管道）", NOT_ASSESSED_COLOR, "line")],
    )
    return finish_map(m)


def targets_in_zones(park, zones: gpd.GeoDataFrame, segment: gpd.GeoSeries | None = None) -> pd.DataFrame:
    """Sensitive targets inside each zone, each once in its innermost zone, with the distance to the segment.

    The selection is :func:`analysis.pipelines.targets_in_zones`; this gives it Chinese columns and labels.
    """
    t = analysis_targets_in_zones(park.metric("sensitive_targets"), zones, segment)
    return pd.DataFrame(
        {
            "所在范围（最内层）": t["label_zh"],
            "编号": t["target_id"],
            "名称": t["name"],
            "类别": [_category_zh(c) for c in t["category"]],
            "白天人数（人）": t["population_day"],
            "夜间人数（人）": t["population_night"],
            "距分段（m）": t["distance_m"].round(0),
        }
    )


def _category_zh(key) -> str:
    from geodata import schema

    return schema.label_zh("target_category", key)


def hca_table_zh(hca: gpd.GeoDataFrame) -> pd.DataFrame:
    """The HCA stretches as a Chinese table with units (no geometry)."""
    return pd.DataFrame(
        {
            "高后果区编号": hca["hca_id"],
            "管道编号": hca["pipeline_id"],
            "管道名称": hca["name"],
            "等级": hca["hca_grade_zh"],
            "起点里程（m）": hca["s_start_m"].round(0),
            "终点里程（m）": hca["s_end_m"].round(0),
            "长度（m）": hca["length_m"].round(0),
            "地区等级": [("—" if pd.isna(v) else f"{int(v)} 级") for v in hca["location_class"]],
            "潜在影响半径（m）": hca["pir_m"].round(1),
            "识别依据": hca["hca_rules_zh"],
            "触发目标": hca["hca_target_names"],
        }
    )


def hca_excel_bytes(hca: gpd.GeoDataFrame, summary: pd.DataFrame | None = None) -> bytes:
    """The HCA table (and the line summary) as an .xlsx file."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        hca_table_zh(hca).to_excel(xw, sheet_name="高后果区", index=False)
        if summary is not None:
            display_frame(summary_zh(summary)).to_excel(xw, sheet_name="管道汇总", index=False)
    return buf.getvalue()


def hca_gpkg_bytes(hca: gpd.GeoDataFrame, segments: gpd.GeoDataFrame | None = None) -> bytes:
    """The HCA stretches (layer ``hca``) and the segments (layer ``segments``) as a GeoPackage, metric CRS."""
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "hca.gpkg"
        hca.to_file(path, layer="hca", driver="GPKG")
        if segments is not None:
            segments.to_file(path, layer="segments", driver="GPKG")
        return path.read_bytes()


def summary_zh(summary: pd.DataFrame) -> pd.DataFrame:
    """The per-line summary of :func:`analysis.pipelines.assess` with Chinese columns and units."""
    from analysis.pipelines import LINE_TYPE_ZH

    s = summary.copy()
    return pd.DataFrame(
        {
            "管道编号": s["pipeline_id"],
            "管道名称": s["name"],
            "介质": s.get("substance"),
            "相态": s.get("phase").map({"gas": "气相", "liquid": "液相", "liquefied_gas": "加压液化"}),
            "GB 32167 类型": s.get("line_type").map(LINE_TYPE_ZH),
            "长度（m）": s.get("length_m").round(0),
            "外径（mm）": (s.get("diameter_m") * 1e3).round(0),
            "最大允许操作压力（MPa，表压）": (s.get("maop_gauge_pa") / 1e6).round(2),
            "潜在影响半径（m）": s.get("pir_m").round(1),
            "有害后果频率（次/(km·年)）": (s.get("rupture_outcome_frequency_per_m_year") * 1e3).map(
                lambda v: sci_zh(v, 3)
            ),
            "1 % 死亡概率最远距离（m）": s.get("lethal_1pct_m").round(0),
        }
    )


def transect_figure(curves: dict, *, distances=None, pir: dict | None = None, font_path: str = CJK_FONT_PATH):
    """Individual risk against the distance from the line (matplotlib Figure, Chinese labels).

    Parameters
    ----------
    curves : dict
        label -> (distances [m], individual risk [1/a]).
    distances : array_like, optional
        Not used when ``curves`` carry their own distances.
    pir : dict, optional
        label -> potential impact radius [m], drawn as dashed vertical lines.
    font_path : str
        CJK font (Debian fonts-noto-cjk).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    from analysis.regulation.gb36894 import IR_CONTOUR_LEVELS

    if not os.path.exists(font_path):
        raise FileNotFoundError(f"找不到中文字体 {font_path}：请安装 Debian 软件包 fonts-noto-cjk")
    fp = FontProperties(fname=font_path)
    fig = Figure(figsize=(8.0, 6.2))
    ax = fig.add_subplot(1, 1, 1)
    ir_max = 1e-9
    for label, (d, ir) in curves.items():
        ir = np.asarray(ir, float)
        ax.semilogy(d, np.where(ir > 0, ir, np.nan), lw=2.0, label=str(label))
        ir_max = max(ir_max, float(np.nanmax(ir)) if np.any(ir > 0) else 0.0)
    for lv, ls in zip(IR_CONTOUR_LEVELS, ("-", "--", "-.", ":"), strict=False):
        ax.axhline(lv, color="#7f8c8d", lw=0.9, ls=ls)
        ax.text(
            0.01,
            lv,
            f"{sci_mathtext(lv)} /年",
            transform=ax.get_yaxis_transform(),
            ha="left",
            va="bottom",
            fontsize=8,
            color="#7f8c8d",
            fontproperties=fp,
        )
    for label, r in (pir or {}).items():
        if r and np.isfinite(r):
            ax.axvline(r, color="#8e44ad", ls="--", lw=1.2)
            ax.axvline(-r, color="#8e44ad", ls="--", lw=1.2)
            ax.text(
                r,
                ir_max * 2.0,
                f" {label} 潜在影响半径 {r:.0f} m",
                fontproperties=fp,
                fontsize=8,
                color="#8e44ad",
            )
    ax.set_ylim(1e-9, max(ir_max * 5, 1e-6))
    ax.set_xlabel("距管道中心线的距离（m，左负右正）", fontproperties=fp)
    ax.set_ylabel("个人风险（次/年）", fontproperties=fp)
    ax.set_title("管道个人风险横断面", fontproperties=fp)
    ax.grid(True, which="both", ls=":", lw=0.5)
    ax.legend(prop=fp, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=1, frameon=False)
    fig.subplots_adjust(bottom=0.3)
    fig.text(
        0.01,
        0.01,
        f"灰线：GB 36894-2018 个人风险等值线 {'、'.join(sci_mathtext(v) for v in IR_CONTOUR_LEVELS)} /年",
        fontproperties=fp,
        fontsize=8,
        color="#7f8c8d",
    )
    return fig


def _assessment(st, view, seg_len: float, kinds: tuple, weather) -> object:  # pragma: no cover - AppTest
    """The pipelines' assessment (:func:`analysis.pipelines.assess`) as the user may see it, kept with the park.

    Shared by all sessions, per park file version and inputs; computed in a background job (:mod:`app.jobs`) when
    missing: the page shows the HCAs kept with the park meanwhile (and stops), other pages and users go on."""
    from analysis import pipelines as pp
    from app import cache, state
    from app.results_panel import compute_in_background, keeping, show_stored_body, stored_section

    hca_options = {"segment_length_m": seg_len, "kinds": list(kinds)}  # stored with the HCAs
    if weather is not None:
        hca_options["weather"] = weather
    shared = cache.shared("pipelines.assess", max_entries=8)
    key = (state.park_version(), seg_len, kinds, weather)
    if key not in shared:
        # the job keeps the result with the park; the cache gets the full result, redacted below by view.run
        done = compute_in_background("hca", hca_options, start=True, redact=False, on_visit=True)
        if done is None:
            kept = stored_section("hca")  # the HCAs kept with the park meanwhile
            if kept is not None:
                show_stored_body(kept)
            st.stop()
        shared.get_or_compute(key, lambda: done[0])

    def _assess(full):  # on the full park (view.run): the cached result (computed here only if evicted since)
        def compute():
            return pp.assess(
                full,
                segment_length=seg_len,
                hca_options=pp.HCAOptions(kinds=kinds),
                weather=weather,
            )

        return shared.get_or_compute(key, compute)

    try:
        a = view.run(keeping("hca", _assess, options=hca_options))  # kept with the park when changed
    except (ValueError, OSError) as exc:
        st.error(f"管道分析失败：{message_zh(exc)}", icon=":material/error:")
        st.stop()
    return a


def render() -> None:  # pragma: no cover - exercised by AppTest
    import streamlit as st
    from streamlit_folium import st_folium

    from app import state
    from app.mapping.focus import focus_map
    from app.results_panel import stored_section
    from app.views.risk import generic_weather_banner, weather_choice

    view = state.park_view()
    park = view.park  # as the user may see it; the models run on the full park through view.run
    settings, _ = state.get_settings()
    st.title(f"{TITLE} · {park.name}")
    st.caption(
        "管道按设定长度分段，按 GB 32167-2015 识别高后果区（地区等级、特定场所、易燃易爆场所），计算潜在影响半径、"
        "断裂/泄漏事故后果与沿线个人风险、每公里社会风险。"
    )
    if park.pipelines.empty:
        st.info("园区中没有管道（pipelines 图层为空）。", icon=":material/info:")
        st.stop()
    c1, c2 = st.columns(2)
    with c1:
        seg_len = st.number_input(
            "分段长度（m）", min_value=5.0, max_value=1000.0, value=50.0, step=5.0, key="pl_seg_len"
        )
    kinds_all = {"transmission": "长输管道", "distribution": "城镇燃气管道", "process": "工业管道（管廊）"}
    with c2:
        kinds = st.multiselect(
            "参与高后果区识别的管道类别",
            list(kinds_all),
            default=["transmission"],
            format_func=kinds_all.get,
            placeholder="请选择…",
            key="pl_kinds",
        )

    weather = weather_choice(st, park, key="pl_generic_weather")  # a park without a rose: the fix, or generic

    a = _assessment(st, view, float(seg_len), tuple(kinds), weather)
    stored_section("hca")  # when and by whom the HCAs kept with the park were identified
    if not generic_weather_banner(st, a):
        st.caption(f"气象：{a.assumptions.get('weather_source', '')}")
    seg = a.segments
    names = dict(
        zip(park.pipelines["pipeline_id"].astype(str), park.pipelines["name"].astype(str), strict=False)
    )
    c3, c4 = st.columns(2)
    with c3:
        pid = st.selectbox("管道", list(names), format_func=lambda p: f"{p} · {names[p]}", key="pl_pipeline")
    own = seg[seg["pipeline_id"].astype(str) == pid].sort_values(["part", "segment_index"])
    ordered = list(own.sort_values("hca_grade", ascending=False, kind="stable")["segment_id"].astype(str))
    with c4:
        sid = st.selectbox(
            "分段（高后果区分段在前）",
            ordered,
            format_func=lambda s: f"{s} · {own.loc[own['segment_id'] == s, 'hca_grade_zh'].iloc[0]}",
            key="pl_segment",
        )
    cons = a.consequences.get(pid)
    zones = segment_zones(seg, sid, cons)
    m = hca_map(park, seg, basemap=settings.basemap, zones=zones, selected=sid, fit=own)
    chosen = seg[seg["segment_id"].astype(str) == sid]  # the chosen segment and the reach of its accidents
    focus_map(
        m, st.session_state, zones if zones is not None and len(zones) else chosen, label=f"管道分段 {sid}"
    )
    st_folium(m, height=MAP_HEIGHT, use_container_width=True, returned_objects=[], key="pl_map")

    srow = own[own["segment_id"].astype(str) == sid].iloc[0]
    st.subheader(f"分段 {sid}（里程 {srow.s_start_m:,.0f}–{srow.s_end_m:,.0f} m）")
    if not srow.hca_assessed:
        st.info(f"未进行高后果区识别：{srow.hca_note}", icon=":material/info:")
    elif srow.hca_grade > 0:
        st.markdown(
            f"**{srow.hca_grade_zh}高后果区**。识别依据：\n\n" + srow.hca_rules_zh.replace("\n", "\n\n")
        )
    else:
        st.markdown("非高后果区。")
    lc = srow.location_class
    st.caption(
        f"地区等级：{'—' if pd.isna(lc) else f'{int(lc)} 级'}；2 km 地段内 200 m 范围户数："
        f"{0 if pd.isna(srow.households_2km) else srow.households_2km:,.0f} 户（按户均 2.62 人折算）"
    )
    tt = targets_in_zones(park, zones, seg[seg["segment_id"].astype(str) == sid].geometry.iloc[0])
    if tt.empty:
        st.caption("所选分段的影响范围内没有防护目标。")
    else:
        st.dataframe(tt, hide_index=True, width="stretch")

    _show_lines(st, park, a, seg, cons, pid, names)


def _show_lines(
    st, park, a, seg, cons, pid: str, names: dict
) -> None:  # pragma: no cover - exercised by AppTest
    """The HCA table and downloads, the line summary and consequences, the risk transect and the societal risk
    per kilometre of the chosen line."""
    from analysis import pipelines as pp
    from app.charts import fn_figure

    st.subheader("高后果区一览")
    if a.hca.empty:
        st.info("未识别出高后果区。", icon=":material/info:")
    else:
        st.dataframe(hca_table_zh(a.hca), hide_index=True, width="stretch")
    d1, d2 = st.columns(2)
    with d1:
        st.download_button(
            "下载高后果区表（Excel）",
            data=hca_excel_bytes(a.hca, a.summary),
            file_name="高后果区.xlsx",
            key="pl_dl_xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    with d2:
        st.download_button(
            "下载高后果区与分段（GeoPackage）",
            data=hca_gpkg_bytes(a.hca, seg),
            file_name="高后果区.gpkg",
            key="pl_dl_gpkg",
            mime="application/geopackage+sqlite3",
        )

    st.subheader("管道汇总与事故后果")
    st.dataframe(
        display_frame(summary_zh(a.summary[a.summary["error"] == ""])), hide_index=True, width="stretch"
    )
    if cons is not None:
        z = cons.zones
        if len(z):
            st.dataframe(
                pd.DataFrame(
                    {
                        "事故": z["loc_zh"],
                        "后果": z["outcome_zh"],
                        "阈值": z["label_zh"],
                        "最远距离（m，下风向）": z["distance_m"].round(0),
                    }
                ),
                hide_index=True,
                width="stretch",
            )
        with st.expander("计算假设与模型", expanded=False):
            labels = {
                "weather_source": "气象来源",
                "weather_reduction": "气象类别",
                "weather_classes": "气象类别数",
            }
            weather = [f"{v}：{a.assumptions[k]}" for k, v in labels.items() if k in a.assumptions]
            st.markdown("\n".join(f"- {x}" for x in [*weather, *cons.assumptions]))
        d = np.linspace(-600, 600, 241)
        fig = transect_figure({f"{pid} {names[pid]}": (d, pp.risk_transect(cons, d))}, pir={pid: cons.pir_m})
        st.pyplot(fig)
        w, curves = pp.societal_risk_per_km(
            seg[seg["pipeline_id"].astype(str) == pid], {pid: cons}, targets=park.metric("sensitive_targets")
        )
        st.subheader("每公里社会风险（滑动 1 km）")
        if pid in curves and len(curves[pid].n):
            worst = w[w["worst"]].iloc[0]
            st.caption(
                f"最不利的 1 km：里程 {worst.km_start_m:,.0f}–{worst.km_end_m:,.0f} m，潜在生命损失 "
                f"{sci_zh(worst.pll, 3)} 人/年，最大死亡人数 {worst.n_max:,.1f} 人"
            )
            st.pyplot(fn_figure({f"{pid} 最不利 1 km": curves[pid]}))
        else:
            st.caption("该管道的事故影响范围内没有防护目标人员，社会风险为零。")


if __name__ == "__main__":
    render()

"""风险分布: individual-risk contours on the park map, F-N curve against the GB 36894 lines, PLL, GeoTIFF / Excel.

The plain functions (``contour_map``, ``risk_summary``, ``compute_key``) build the map and tables from an
:class:`analysis.qra.individual.IndividualRisk` and can be called without Streamlit.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import folium

from analysis.qra.event_tree import OUTCOME_LABELS_ZH
from app.mapping import add_zones, finish_map, park_map
from app.present import CONTOUR_COLORS, POPULATION_AREA_COLOR, contour_label_zh
from app.present.messages import message_zh
from app.present.numbers import display_frame, sci_zh

TITLE = "风险分布"
ICON = ":material/blur_on:"
ORDER = 40

MAP_HEIGHT = 660  # [px]
RESOLUTIONS_M: tuple[float, ...] = (10.0, 20.0, 25.0, 50.0)
SESSION_KEY = "risk_result"
#: The explicit choice of the generic rose for a park without weather (issue 15: refused unless chosen).
GENERIC_ROSE_LABEL = "使用通用风玫瑰（示意，仅供比较）"


def compute_key(source: str, resolution: float, margin: float, *, generic: bool = False) -> str:
    """Session-state key of a risk result (shared by the pages 风险分布 and 选址与防护距离); a run on the generic
    rose has its own key."""
    return f"{SESSION_KEY}|{source}|{float(resolution):g}|{float(margin):g}" + ("|generic" if generic else "")


def follow_risk_job(st: Any, source: str, options: dict | None) -> None:  # pragma: no cover - AppTest
    """Start the risk grid in the background (``options``: the button was pressed, see
    :func:`app.results_panel.risk_options`) or follow the running one (its progress bar); once it has finished, its
    result is the session's risk result of 风险分布 and 选址与防护距离 (:func:`compute_key`)."""
    from app.results_panel import compute_in_background

    done = compute_in_background("risk", options, start=options is not None)
    if done is not None:
        res, opts = done
        key = compute_key(source, opts["resolution_m"], opts["margin_m"], generic="weather" in opts)
        st.session_state[key] = res
        st.session_state[SESSION_KEY] = key


def add_population_areas(m: folium.Map, park: Any) -> None:
    """The residential polygons with counts (``population_areas``), whose people the societal risk counts."""
    areas = park.layers.get("population_areas") if hasattr(park, "layers") else None
    if areas is None or areas.empty:
        return
    shown = areas.assign(
        kind="居住区人口",
        day_text=[_people(v) for v in areas.get("population_day", [None] * len(areas))],
        night_text=[_people(v) for v in areas.get("population_night", [None] * len(areas))],
    )
    add_zones(
        m,
        shown,
        level_column="kind",
        name="居住区人口（计入社会风险）",
        colors={"居住区人口": POPULATION_AREA_COLOR},
        labels={"居住区人口": "居住区人口（白天/夜间人数）"},
        legend_title="人口",
        tooltip_columns={"name": "名称", "day_text": "白天人数", "night_text": "夜间人数"},
        fill_opacity=0.12,
        weight=1.0,
    )


def _people(v: Any) -> str:
    try:
        return f"{float(v):,.0f} 人"
    except (TypeError, ValueError):
        return "—"


def contour_map(park: Any, contours: Any, *, basemap: Any = None) -> folium.Map:
    """The park map with the individual-risk contours (polygons coloured by level, legend in /年) and the
    residential polygons whose people the societal risk counts."""
    m = park_map(park, basemap=basemap, legends=True, layer_control_collapsed=True)
    add_population_areas(m, park)
    shown = contours[~contours.geometry.is_empty]
    if len(shown):
        levels = [lv for lv in CONTOUR_COLORS if lv in set(shown["level"])]
        add_zones(
            m,
            shown,
            level_column="level",
            name="个人风险等值线",
            colors={lv: CONTOUR_COLORS[lv] for lv in levels},
            labels={lv: contour_label_zh(lv) for lv in levels},
            legend_title="个人风险（/年）",
            tooltip_columns={"label_zh": "等值线"},
            fill_opacity=0.25,
        )
    return finish_map(m)


def risk_summary(res: Any, soc: Any) -> dict[str, str]:
    """Headline figures with units; the first says which rose (a run on the generic rose says so in every figure)."""
    from analysis.qra.provenance import generic_weather_warning

    tag = "（通用风玫瑰，示意）" if generic_weather_warning(res.assumptions) else ""
    return {
        "气象来源": "通用示意风玫瑰（仅供比较）" if tag else "本园区风玫瑰",
        "最大个人风险": f"{sci_zh(res.grid.max(), 3)}/年{tag}",
        "潜在生命损失 PLL": f"{sci_zh(soc.pll, 3)} 人/年{tag}",
        "参与计算的事故场景": f"{int(res.outcomes['computed'].sum())} 个",
        "网格": f"{res.grid.shape[1]} × {res.grid.shape[0]}（{res.resolution:g} m）",
    }


def weather_choice(st: Any, park: Any, *, key: str) -> Any:  # pragma: no cover - exercised by AppTest
    """For a park without weather: the fix, and the explicit choice of the generic rose (inside the page's form).

    Returns ``"generic"`` when the user ticked :data:`GENERIC_ROSE_LABEL`, else None (the park's own rose; a park
    without one is then refused by the model with the fix).
    """
    from analysis.qra.options import GENERIC_WEATHER

    if getattr(park, "weather", None) is not None:
        return None
    st.warning(
        "本园区没有气象资料（风玫瑰），个人风险和社会风险需要园区气象站资料：请在「气象与人口」页面上传，或用命令行 "
        "`parkrisk weather import 园区.gpkg 逐时观测.csv` 导入。仅作示意和比较时，可勾选下面的通用风玫瑰，"
        "结果的每一项输出都会注明。",
        icon=":material/warning:",
    )
    return GENERIC_WEATHER if st.checkbox(GENERIC_ROSE_LABEL, key=key) else None


def generic_weather_banner(st: Any, res: Any) -> bool:  # pragma: no cover - exercised by AppTest
    """A warning at the head of the results of a run on the generic rose; whether it was shown."""
    from analysis.qra.provenance import generic_weather_warning

    text = generic_weather_warning(res.assumptions)
    if text:
        st.warning(f"**{GENERIC_ROSE_LABEL}**：{text}", icon=":material/warning:")
    return bool(text)


def fn_criterion_form(st: Any, path: Any) -> Any:  # pragma: no cover - exercised by AppTest
    """The park's F-N criterion, its status, and a form to enter the constants from the user's copy of GB 36894."""
    from analysis.errors import AnalysisInputError
    from analysis.qra.fn_settings import criterion_status_zh, user_fn_criterion
    from app.commands._common import CommandError
    from app.commands.risk import park_criterion
    from geodata.criteria import save_fn_criterion

    try:
        crit = park_criterion(path)
    except CommandError as exc:
        st.error(message_zh(exc), icon=":material/error:")
        crit = park_criterion(None)
    (st.caption if crit.confirmed else st.warning)(criterion_status_zh(crit))
    with st.expander("录入 GB 36894-2018 社会风险判据线常数（按所持标准文本，录入一次后随园区文件保存）"):
        with st.form("fn_criterion_form"):
            c = st.columns(5)
            vals = {
                "upper_c": c[0].number_input("上限线 C（/年）", value=crit.upper_c, format="%.1e"),
                "lower_c": c[1].number_input("下限线 C（/年）", value=crit.lower_c or 0.0, format="%.1e"),
                "slope": c[2].number_input("斜率 k", value=crit.slope),
                "n_min": c[3].number_input("起点 N（人）", value=crit.n_min),
                "n_max": c[4].number_input("终点 N（人）", value=crit.n_max),
            }
            vals["confirmed_by"] = st.text_input("核对人")
            vals["document"] = st.text_input("所据标准文本（版本、条款或图号）")
            if st.form_submit_button("确认并保存到园区文件"):
                try:
                    user_fn_criterion(**vals)
                    save_fn_criterion(path, vals)
                    crit = park_criterion(path)
                    st.success(criterion_status_zh(crit), icon=":material/check_circle:")
                except (AnalysisInputError, ValueError) as exc:
                    st.error(f"未保存：{message_zh(exc)}", icon=":material/error:")
    return crit


def show_assumptions(
    st: Any, res: Any, criterion: Any = None
) -> None:  # pragma: no cover - exercised by AppTest
    """The lowest contour's closure (a warning when cut) and the table "假设与来源" of a risk result."""
    from app.commands.risk import assumptions_zh

    check = res.contour_check
    if check["closed"]:
        st.caption(check["statement_zh"])
    else:
        st.warning(check["statement_zh"], icon=":material/warning:")
    with st.expander("假设与来源（气象、频率、点火、概率单位、人口、网格、未核对数值）"):
        st.dataframe(assumptions_zh(res, criterion), hide_index=True, width="stretch")


def report_buttons(st: Any, view: Any, res: Any, crit: Any, *, generic: bool) -> None:  # pragma: no cover
    """Download buttons of the risk report (Word, PDF), built on click from the park and result as the user may
    see them (:mod:`app.auth` redaction holds: ``view.park`` and ``view.run``)."""
    from analysis.regulation import siting_checks as scx
    from app.reports.risk_report import risk_report_data, risk_report_docx, risk_report_pdf

    def data() -> Any:
        comp = view.run(lambda p: scx.compliance(res, p))
        return risk_report_data(view.park, res, criterion=crit, compliance=comp)

    stem = "risk_report" + ("_generic_rose" if generic else "")
    c1, c2 = st.columns(2)
    c1.download_button(
        "下载风险评价报告 Word",
        data=lambda: risk_report_docx(data()),
        file_name=f"{stem}.docx",
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        key="risk_report_docx",
    )
    c2.download_button(
        "下载风险评价报告 PDF",
        data=lambda: risk_report_pdf(data()),
        file_name=f"{stem}.pdf",
        mime="application/pdf",
        key="risk_report_pdf",
    )


def _export_buttons(
    st: Any, view: Any, res: Any, contours: Any, soc: Any, crit: Any, *, generic: bool
) -> None:  # pragma: no cover - exercised by AppTest
    """The GeoTIFF of the grid, the Excel workbook of the tables and the risk report (Word, PDF)."""
    from app.commands.risk import (
        assumptions_first_if_generic,
        assumptions_zh,
        contours_zh,
        excel_bytes,
        fn_zh,
        units_zh,
    )

    with tempfile.TemporaryDirectory() as tmp:
        tif = Path(tmp) / "individual_risk.tif"
        res.to_geotiff(tif)
        data = tif.read_bytes()
    c1, c2 = st.columns(2)
    c1.download_button(
        "下载个人风险栅格 GeoTIFF（/年，米制坐标）",
        data=data,
        file_name=f"individual_risk{'_generic_rose' if generic else ''}.tif",
        mime="image/tiff",
    )
    c2.download_button(
        "下载风险表格 Excel",
        data=excel_bytes(
            assumptions_first_if_generic(
                {
                    "设施风险汇总": units_zh(res),
                    "风险等值线面积": contours_zh(contours),
                    "F-N曲线": fn_zh(soc.curve),
                    "假设与来源": assumptions_zh(res, crit),
                },
                res,
            )
        ),
        file_name=f"risk{'_generic_rose' if generic else ''}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    report_buttons(st, view, res, crit, generic=generic)


def render() -> None:  # pragma: no cover - exercised by AppTest
    import streamlit as st
    from streamlit_folium import st_folium

    from analysis.qra import individual as risk
    from app import state
    from app.charts import fn_figure
    from app.commands.risk import (
        _region_zh,
        contours_zh,
        fn_zh,
        units_zh,
    )
    from app.mapping.focus import focus_map
    from app.results_panel import kept_or_hint, risk_options

    view = state.park_view()
    park = view.park  # as the user may see it; the model runs on the full park through view.run
    settings, _ = state.get_settings()
    st.title(f"{TITLE} · {park.name}")
    st.caption(
        "个人风险 = Σ 事故场景频率 × 风向与气象类别概率 × 死亡概率（CPR 18E 紫皮书方法）：泄漏频率取 CPR 18E 通用值，"
        "经事件树得到池火、喷射火、火球、闪火、蒸气云爆炸、毒气扩散等场景，按风玫瑰（16 个风向）叠加。"
        "等值线对照 GB 36894-2018 个人风险基准；F-N 曲线对照社会风险基准线。"
    )
    if park.installations.empty:
        st.warning("园区中没有装置设施（installations 图层为空），无法计算风险。", icon=":material/warning:")
        st.stop()
    with st.form("risk_form"):
        c1, c2 = st.columns(2)
        resolution = c1.selectbox(
            "网格分辨率（m）", RESOLUTIONS_M, index=2, key="risk_resolution", format_func=lambda v: f"{v:g} m"
        )
        margin = c2.number_input(
            "园区边界外扩（m）",
            min_value=0.0,
            max_value=5000.0,
            value=1000.0,
            step=100.0,
            help="计算范围至少为园区边界外扩此距离；如最低等值线（3×10⁻⁷ /年）未闭合，程序自动继续扩展",
        )
        weather = weather_choice(st, park, key="risk_generic_weather")
        submitted = st.form_submit_button("计算个人风险", type="primary")
    source = str(state.current_source().path)
    key = compute_key(source, resolution, margin, generic=weather is not None)
    # in a background job (app.jobs: the page, other pages and other users go on); kept with the park when done
    follow_risk_job(st, source, risk_options(resolution, margin, weather) if submitted else None)
    pointer = st.session_state.get(SESSION_KEY)
    res = st.session_state.get(key)
    if res is None and pointer:
        res = st.session_state.get(pointer)
    if kept_or_hint("risk", res, "选择分辨率后点击“计算个人风险”。演示园区按 25 m 网格约需数分钟。"):
        return  # nothing computed in this session: the result kept with the park (time, user, 已过期), or the hint
    crit = fn_criterion_form(st, state.current_source().path)
    soc = risk.societal_risk(res, criterion=crit)
    contours = risk.risk_contours(res)
    generic = generic_weather_banner(st, res)
    summary = risk_summary(res, soc)
    cols = st.columns(len(summary))
    for c, (label, value) in zip(cols, summary.items(), strict=True):
        c.metric(label, value)
    show_assumptions(st, res, crit)
    m = contour_map(park, contours, basemap=settings.basemap)
    focus_map(m, st.session_state, contours, label="个人风险等值线")  # the map opens on what was computed
    st_folium(m, height=MAP_HEIGHT, use_container_width=True, returned_objects=[], key="risk_map")
    st.subheader("风险等值线面积")
    st.dataframe(contours_zh(contours), hide_index=True, width="stretch")

    st.subheader("社会风险 F-N 曲线")
    st.markdown(f"总体评价：**{_region_zh(soc.overall)}**（含园区内建筑人员；判据线 GB 36894-2018）")
    try:
        fig = fn_figure(
            {"全年": soc.curve, "白天": soc.curve_day, "夜间": soc.curve_night}, criterion=soc.criterion
        )
        st.pyplot(fig)
    except (FileNotFoundError, ValueError) as exc:
        st.warning(f"无法绘制 F-N 图：{message_zh(exc)}", icon=":material/warning:")
    st.dataframe(fn_zh(soc.curve), hide_index=True, width="stretch", height=240)

    st.subheader("各设施风险汇总")
    st.dataframe(units_zh(res), hide_index=True, width="stretch")
    skipped = res.outcomes[~res.outcomes["computed"]]
    if len(skipped):
        with st.expander(f"未计入的设施/场景（{len(skipped)} 条）"):
            st.dataframe(
                skipped[["unit_id", "outcome", "reason_zh"]]
                .assign(outcome=[OUTCOME_LABELS_ZH.get(o, o) for o in skipped["outcome"]])
                .rename(columns={"unit_id": "设施编号", "outcome": "场景", "reason_zh": "原因"})
                .pipe(display_frame),  # a unit skipped as a whole has no 场景: —
                hide_index=True,
                width="stretch",
            )
    _export_buttons(st, view, res, contours, soc, crit, generic=generic)


if __name__ == "__main__":
    render()

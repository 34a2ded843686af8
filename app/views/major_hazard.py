"""重大危险源: GB 18218-2018 identification (S = Σq/Q) and grading (R = α Σβq/Q) per unit, grade per enterprise on
the map, Excel export.

The plain function ``grade_map`` builds the map and can be called without Streamlit.
"""

from __future__ import annotations

from typing import Any

import folium

from app.mapping import add_zones, finish_map, park_map
from app.present import MAJOR_HAZARD_GRADE_COLORS, NOT_MAJOR_HAZARD_ZH, major_hazard_grade_zh
from app.present.messages import message_zh

TITLE = "重大危险源"
ICON = ":material/warning:"
ORDER = 42

MAP_HEIGHT = 600  # [px]
GRADE_COLORS = MAJOR_HAZARD_GRADE_COLORS  # the one table, app/present


def grade_map(park: Any, enterprises: Any, *, basemap: Any = None) -> folium.Map:
    """The park map with every enterprise coloured by its highest major-hazard grade."""
    m = park_map(park, basemap=basemap, legends=True, layer_control_collapsed=True)
    ent = park.metric("enterprises")
    g = dict(zip(enterprises["enterprise_id"], enterprises["major_hazard_grade"], strict=True))
    gdf = ent.assign(
        grade_zh=[major_hazard_grade_zh(g.get(e), missing=NOT_MAJOR_HAZARD_ZH) for e in ent["enterprise_id"]]
    )
    present = [k for k in GRADE_COLORS if k in set(gdf["grade_zh"])]
    if len(gdf):
        add_zones(
            m,
            gdf,
            level_column="grade_zh",
            name="重大危险源级别（企业）",
            colors={k: GRADE_COLORS[k] for k in present},
            labels={k: k for k in present},
            legend_title="重大危险源级别",
            tooltip_columns={"name": "企业", "grade_zh": "级别"},
            fill_opacity=0.35,
        )
    return finish_map(m)


def verdict_only(table: Any) -> Any:
    """A GB 18218 table (:func:`app.commands.risk.major_units_zh` / ``major_enterprises_zh``) without the columns
    of S = Σq/Q and R (from which the inventories follow): for viewers and anonymous users."""
    drop = [c for c in table.columns if str(c).startswith(("S = ", "S（", "R（", "最大 R"))]
    return table.drop(columns=drop)


def render() -> None:  # pragma: no cover - exercised by AppTest
    import streamlit as st
    from streamlit_folium import st_folium

    from analysis.regulation import gb18218 as mh
    from app import state
    from app.commands.risk import excel_bytes, major_enterprises_zh, major_units_zh
    from app.mapping.focus import focus_map
    from app.results_panel import keeping, stored_section

    view = state.park_view()
    park = view.park
    settings, _ = state.get_settings()
    st.title(f"{TITLE} · {park.name}")
    st.caption(
        "按 GB 18218-2018 辨识：单元内各危险化学品 S = Σ qᵢ/Qᵢ ≥ 1 为重大危险源；分级：R = α Σ βᵢ qᵢ/Qᵢ，"
        "R ≥ 100 一级，50–100 二级，10–50 三级，< 10 四级；α 按厂区边界外 500 m 内人数取值。"
    )
    if park.installations.empty:
        st.warning("园区中没有装置设施（installations 图层为空）。", icon=":material/warning:")
        st.stop()
    try:
        units, ent = view.run(keeping("major_hazards", mh.enterprise_grades))  # kept when changed
    except ValueError as exc:
        st.error(f"辨识失败：{message_zh(exc)}", icon=":material/error:")
        st.stop()
    stored_section("major_hazards")  # when and by whom the result kept with the park was computed
    major = units[units["is_major"]]
    c = st.columns(4)
    c[0].metric("辨识单元", f"{len(units)} 个")
    c[1].metric("重大危险源", f"{len(major)} 个")
    c[2].metric("一级重大危险源", f"{int((major['grade'] == 1).sum())} 个")
    c[3].metric("涉及企业", f"{int((ent['n_major_units'] > 0).sum())} 家")
    m = grade_map(park, ent, basemap=settings.basemap)
    with_major = set(ent.loc[ent["n_major_units"] > 0, "enterprise_id"].astype(str))
    focus_map(  # the map opens on the enterprises with a major hazard (what was identified)
        m,
        st.session_state,
        park.enterprises[park.enterprises["enterprise_id"].astype(str).isin(with_major)],
        label="重大危险源企业",
    )
    st_folium(
        m,
        height=MAP_HEIGHT,
        use_container_width=True,
        returned_objects=[],
        key="mh_map",
    )
    enterprises_zh, units_zh = major_enterprises_zh(ent, park), major_units_zh(units)
    if view.redacted:  # S, R and the largest R give the inventories back: only the verdict and the grade
        enterprises_zh, units_zh = verdict_only(enterprises_zh), verdict_only(units_zh)
        st.caption("S = Σq/Q 与 R 值可反推存量，仅对登录的管理、企业或检查人员显示；此处只列辨识结论与级别。")
    st.subheader("企业重大危险源级别")
    st.dataframe(enterprises_zh, hide_index=True, width="stretch")
    st.subheader("单元辨识与分级")
    st.dataframe(units_zh, hide_index=True, width="stretch")
    st.download_button(
        "下载重大危险源辨识分级 Excel",
        data=excel_bytes({"重大危险源单元": units_zh, "企业分级": enterprises_zh}),
        file_name="major_hazards.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


if __name__ == "__main__":
    render()

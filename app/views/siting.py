"""选址与防护距离: GB 36894 compliance of the sensitive targets, relocation candidates, GB/T 37243 protection
distances, the 五室 check and the new-unit trial (which targets would fail; where a unit of that kind may go).

The plain functions (``compliance_map``, ``suitability_map``, ``proposed_row``) can be called without Streamlit.
"""

from __future__ import annotations

from typing import Any

import folium

from analysis.domino.units import equipment_class
from app.mapping import add_zones, finish_map, html_text, park_map
from app.mapping.focus import zoom_to
from app.present import CONTOUR_COLORS, PROTECTION_COLORS, SITING_PASS_COLORS, SITING_SUITABILITY_COLORS
from app.present.messages import message_zh
from app.present.numbers import per_year_zh, sci_zh
from geodata import schema

TITLE = "选址与防护距离"
ICON = ":material/location_searching:"
ORDER = 41

MAP_HEIGHT = 600  # [px]
SESSION_KEY = "risk_result"  # shared with the page 风险分布
#: Kinds a planner can propose, with Chinese labels.
PROPOSED_KINDS: dict[str, str] = {
    "storage_tank": "储罐",
    "spherical_tank": "球罐",
    "bullet_tank": "卧式压力储罐",
    "process_unit": "生产装置",
    "reactor": "反应器",
}
PHASES: dict[str, str] = {"liquid": "液体", "liquefied_gas": "液化气体", "gas": "气体"}


def protection_lines(park: Any, distances: Any, *, new: bool = False) -> Any:
    """GB/T 37243 external safety protection-distance lines: for each protection class present among the park's
    sensitive targets, the outline of the installations' footprints each grown by its distance to that class
    (``d_<class>_new`` or ``d_<class>_existing`` of :func:`analysis.regulation.siting_checks.protection_distances`,
    [m]). GeoDataFrame in the park's metric CRS: protection_class, label_zh, geometry (lines)."""
    import geopandas as gpd
    import numpy as np
    import shapely

    from geodata import schema

    inst = park.metric("installations")
    crs = inst.crs
    targets = park.layers.get("sensitive_targets")
    present = (
        set() if targets is None or "protection_class" not in targets else set(targets["protection_class"])
    )
    foot = dict(zip(inst["unit_id"].astype(str), inst.geometry, strict=True))
    rows = []
    for cls in PROTECTION_COLORS:
        col = f"d_{cls}_{'new' if new else 'existing'}"
        if cls not in present or col not in distances:
            continue
        grown = [
            foot[str(u)].buffer(float(d))
            for u, d in zip(distances["unit_id"], distances[col], strict=True)
            if str(u) in foot and np.isfinite(d) and d > 0
        ]
        if not grown:
            continue
        rows.append(
            {
                "protection_class": cls,
                "label_zh": f"{schema.label_zh('protection_class', cls)}防护距离线",
                "geometry": shapely.union_all(grown).boundary,
            }
        )
    return gpd.GeoDataFrame(
        rows, columns=["protection_class", "label_zh", "geometry"], geometry="geometry", crs=crs
    )


def _add_protection_lines(m: folium.Map, lines: Any) -> None:
    """The protection-distance lines as one dashed layer, coloured by protection class, with a tooltip."""
    import geopandas as gpd

    from app.mapping.results import display_geometry

    if lines is None or lines.empty:
        return
    group = folium.FeatureGroup(name=f"外部安全防护距离线（{len(lines)}）", show=True)
    frame = gpd.GeoDataFrame(
        {"label_zh": [html_text(t) for t in lines["label_zh"]]},
        geometry=display_geometry(lines).to_numpy(),
        crs=4326,
    )
    colors = [PROTECTION_COLORS.get(c, "#555555") for c in lines["protection_class"]]
    folium.GeoJson(
        frame[["label_zh", "geometry"]].reset_index(drop=True).to_geo_dict(drop_id=False),
        style_function=lambda f: {
            "color": colors[int(f["id"])],
            "weight": 2.5,
            "dashArray": "8 5",
            "opacity": 0.95,
        },
        tooltip=folium.GeoJsonTooltip(fields=["label_zh"], labels=False),
        control=False,
    ).add_to(group)
    group.add_to(m)


def _add_contours(m: folium.Map, contours: Any) -> None:
    shown = contours[~(contours.geometry.isna() | contours.geometry.is_empty)]
    levels = [lv for lv in CONTOUR_COLORS if lv in set(shown["level"])]
    if not levels:
        return
    add_zones(
        m,
        shown,
        level_column="level",
        name="个人风险等值线",
        colors={lv: CONTOUR_COLORS[lv] for lv in levels},
        labels={lv: per_year_zh(lv) for lv in levels},
        legend_title="个人风险等值线",
        fill_opacity=0.12,
        legend_position="topleft",
    )


def compliance_map(
    park: Any,
    compliance: Any,
    *,
    new: bool = False,
    basemap: Any = None,
    contours: Any = None,
    distances: Any = None,
) -> folium.Map:
    """The park map with every sensitive target coloured by pass / fail of its GB 36894 limit; with ``contours``
    (:func:`analysis.qra.contours.risk_contours`) the individual-risk contours under them, with ``distances``
    (:func:`analysis.regulation.siting_checks.protection_distances`) the protection-distance lines
    (:func:`protection_lines`)."""
    m = park_map(park, basemap=basemap, legends=True, layer_control_collapsed=True, legend_folded=True)
    if contours is not None:
        _add_contours(m, contours)
    if distances is not None:
        _add_protection_lines(m, protection_lines(park, distances, new=new))
    tg = park.metric("sensitive_targets")
    col = "pass_new" if new else "pass_existing"
    status = dict(zip(compliance["target_id"], compliance[col], strict=True))
    gdf = tg.assign(
        check=["满足" if status.get(t, True) else "不满足" for t in tg["target_id"]],
        risk_text=[per_year_zh(v, 3) for v in compliance["individual_risk"]],
    )
    gdf["geometry"] = gdf.geometry.buffer(15.0)  # points become visible discs
    add_zones(
        m,
        gdf,
        level_column="check",
        name=f"GB 36894 {'新建' if new else '在役'}装置基准检查",
        colors=SITING_PASS_COLORS,
        labels={"不满足": "不满足个人风险基准", "满足": "满足个人风险基准"},
        legend_title="防护目标",
        tooltip_columns={"name": "名称", "risk_text": "个人风险"},
        fill_opacity=0.6,
    )
    return finish_map(m)


def suitability_map(park: Any, suitability: Any, proposed: Any = None, *, basemap: Any = None) -> folium.Map:
    """Candidate locations of a new unit: green where no target would exceed its new-installation limit."""
    m = park_map(park, basemap=basemap, legends=True, layer_control_collapsed=True)
    if len(suitability):
        spacing = float(suitability.attrs.get("spacing", 100.0))
        cells = suitability.assign(
            ok=["可布置" if s else "不宜布置" for s in suitability["suitable"]],
            text=[f"{v:.2f}" for v in suitability["own_exceedance"]],
        )
        cells["geometry"] = cells.geometry.buffer(spacing / 2.0, cap_style="square")
        add_zones(
            m,
            cells,
            level_column="ok",
            name="新建装置选址适宜性",
            colors=SITING_SUITABILITY_COLORS,
            labels={"不宜布置": "不宜布置（自身风险使防护目标超新建基准）", "可布置": "可布置"},
            legend_title="选址适宜性",
            tooltip_columns={"text": "自身风险/新建基准 最大值（-）"},
            fill_opacity=0.3,
            weight=0.5,
        )
        zoom_to(m, cells)  # the map opens on what was just computed
    if proposed is not None:
        folium.CircleMarker(
            location=(proposed.y, proposed.x),
            radius=8,
            color="#000000",
            fill=True,
            fill_color="#ffff00",
            tooltip="拟建装置",
        ).add_to(m)
    return finish_map(m)


def proposed_row(
    *,
    unit_id: str,
    enterprise_id: str,
    kind: str,
    substance: str,
    inventory_kg: float,
    phase: str,
    pressure_pa: float,
    temperature_k: float,
    lon: float,
    lat: float,
    diameter_m: float = 20.0,
    volume_m3: float | None = None,
) -> dict[str, Any]:
    """An installation row (schema columns, SI units) for the new-unit trial, at (lon, lat) WGS84 [°]."""
    import shapely

    if kind not in PROPOSED_KINDS:
        raise ValueError(f"kind={kind!r} 不支持，应为 {list(PROPOSED_KINDS)} 之一")
    if phase not in PHASES:
        raise ValueError(f"phase={phase!r} 不支持，应为 {list(PHASES)} 之一")
    return {
        "unit_id": unit_id,
        "enterprise_id": enterprise_id,
        "name": f"拟建{PROPOSED_KINDS[kind]}",
        "kind": kind,
        "equipment_class": equipment_class(kind, pressure_pa),
        "substance": substance,
        "inventory_kg": float(inventory_kg),
        "phase": phase,
        "pressure_pa": float(pressure_pa),
        "temperature_k": float(temperature_k),
        "volume_m3": volume_m3,
        "diameter_m": float(diameter_m),
        "geometry": shapely.Point(float(lon), float(lat)),
    }


def _risk_result(view: Any, source: str) -> Any:  # pragma: no cover - exercised by AppTest
    """The individual risk of the page 风险分布 (same park), or computed here on request; None until then."""
    import streamlit as st

    from app.views.risk import follow_risk_job, weather_choice

    pointer = st.session_state.get(SESSION_KEY)
    res = st.session_state.get(pointer) if pointer else None
    if res is not None and not str(pointer).startswith(f"{SESSION_KEY}|{source}|"):
        res = None
    with st.form("siting_form"):
        resolution = st.selectbox(
            "个人风险网格分辨率（m）", (10.0, 20.0, 25.0, 50.0), index=2, key="siting_res"
        )
        weather = weather_choice(st, view.park, key="siting_generic_weather")
        go = st.form_submit_button("计算个人风险" if res is None else "重新计算个人风险", type="primary")
    run_options = {"resolution_m": float(resolution), "margin_m": 1000.0}  # stored with the result
    if weather is not None:
        run_options["weather"] = weather
    # in a background job (app.jobs), shared with 风险分布; the result once it has finished, kept with the park
    follow_risk_job(st, source, run_options if go else None)
    pointer = st.session_state.get(SESSION_KEY)
    if pointer and str(pointer).startswith(f"{SESSION_KEY}|{source}|"):
        res = st.session_state.get(pointer, res)
    return res


def _compliance_section(view: Any, res: Any, basemap: Any) -> None:  # pragma: no cover - exercised by AppTest
    """GB 36894 compliance map and table, relocation candidates, GB/T 37243 protection distances."""
    import streamlit as st
    from streamlit_folium import st_folium

    from analysis.regulation import siting_checks as scx
    from app.commands.risk import compliance_zh, distances_zh, relocation_zh
    from app.mapping.focus import focus_map

    comp = view.run(lambda p: scx.compliance(res, p))
    new = st.toggle("按新建装置基准检查（默认按在役装置基准）", key="siting_new")
    from analysis.qra.provenance import generic_weather_warning

    tag = "（通用风玫瑰，示意）" if generic_weather_warning(res.assumptions) else ""
    c = st.columns(3)
    c[0].metric("防护目标", f"{len(comp)} 个")
    c[1].metric("不满足在役基准", f"{int((~comp['pass_existing']).sum())} 个{tag}")
    c[2].metric("不满足新建基准", f"{int((~comp['pass_new']).sum())} 个{tag}")
    from analysis.qra.contours import risk_contours

    dist = view.run(lambda p: scx.protection_distances(res, p))
    contours = risk_contours(res)
    m = compliance_map(
        view.park,
        comp,
        new=new,
        basemap=basemap,
        contours=contours,
        distances=dist[dist["method"] != "code"],
    )
    failing = set(comp.loc[~comp["pass_new" if new else "pass_existing"], "target_id"].astype(str))
    targets = view.park.sensitive_targets
    focus_map(  # the map opens on the targets that fail their limit, else on the computed contours
        m,
        st.session_state,
        targets[targets["target_id"].astype(str).isin(failing)] if failing else contours,
        label="不满足个人风险基准的防护目标" if failing else "个人风险等值线",
    )
    st_folium(
        m,
        height=MAP_HEIGHT,
        use_container_width=True,
        returned_objects=[],
        key="siting_map",
    )
    st.subheader("防护目标个人风险合规性（GB 36894-2018）")
    st.dataframe(compliance_zh(comp), hide_index=True, width="stretch")
    st.subheader("搬迁候选（不满足基准的防护目标）")
    rel = view.run(lambda p: scx.relocation(res, p, new=new))
    if rel.empty:
        st.success("所有防护目标均满足所选个人风险基准。", icon=":material/check_circle:")
    else:
        st.dataframe(relocation_zh(rel), hide_index=True, width="stretch")
    st.subheader("外部安全防护距离（GB/T 37243-2019）")
    st.dataframe(distances_zh(dist[dist["method"] != "code"]), hide_index=True, width="stretch")
    st.caption(
        "定量风险评价法：距离为设施外缘至其自身个人风险等于各类防护目标基准处的最远距离（m）。其余设施按相关设计规范的防火间距确定。"
    )


def _five_rooms_section(view: Any, source: str) -> Any:  # pragma: no cover - exercised by AppTest
    """The 五室 check on request (kept in the session per park file); its table, or None before it is run."""
    import streamlit as st

    from app.commands.risk import five_rooms_zh
    from app.mapping.focus import remember_focus
    from app.results_panel import compute_in_background, show_stored_body, stored_section

    st.subheader("五室校核（控制室、机柜间、化验室、办公室、交接班室）")
    go = st.button("开始五室校核", key="five_go")
    done = compute_in_background(
        "five_rooms", {}, start=go
    )  # a background job, kept with the park (app.jobs)
    if done is not None:
        st.session_state[f"five|{source}"] = done[0]
        bad = set(done[0].loc[done[0]["verdict"] != "ok", "building_id"].astype(str))
        b = view.park.buildings
        remember_focus(  # 园区一张图 and the next maps open on the rooms to relocate or harden
            st.session_state, b[b["building_id"].astype(str).isin(bad)], label="五室校核不满足的建筑"
        )
    five = st.session_state.get(f"five|{source}")
    stored = stored_section("five_rooms")  # time, user, 已过期 + 重新计算 of the kept result
    if five is None and stored is not None:
        show_stored_body(stored, map_link=False)
    if five is not None:
        bad = five[five["verdict"] != "ok"]
        st.markdown(
            f"需搬迁或抗爆改造：**{len(bad)} 栋**（共 {len(five)} 栋）。判据：GB 50779-2012 抗爆设计荷载 21 kPa / 6.9 kPa，热辐射 12.5 kW/m²。"
        )
        st.dataframe(five_rooms_zh(five), hide_index=True, width="stretch")
    return five


def placement_map(park: Any, lon: float, lat: float, *, basemap: Any = None) -> folium.Map:
    """The park map to place the new unit by clicking: the proposed location as a yellow disc."""
    layers = [n for n in ("parks", "enterprises", "installations", "sensitive_targets") if n in park.layers]
    m = park_map(park, basemap=basemap, layers=layers, legends=False, layer_control_collapsed=True)
    folium.CircleMarker(
        location=(float(lat), float(lon)),
        radius=9,
        color="#000000",
        weight=2,
        fill=True,
        fill_color="#ffff00",
        fill_opacity=1.0,
        tooltip=f"拟建装置位置：{float(lon):.6f}°E，{float(lat):.6f}°N",
    ).add_to(m)
    return finish_map(m)


def clicked_point(value: Any) -> tuple[float, float] | None:
    """(lon, lat) [°] of the last click returned by ``st_folium`` (``{"last_clicked": {"lat", "lng"}}``), or None."""
    click = (value or {}).get("last_clicked") if isinstance(value, dict) else None
    if not isinstance(click, dict) or click.get("lat") is None or click.get("lng") is None:
        return None
    return float(click["lng"]), float(click["lat"])


def _pick_location(park: Any, basemap: Any) -> None:  # pragma: no cover - exercised by AppTest
    """The placement map: a click moves the proposed location (the form's 经度/纬度 fields)."""
    import streamlit as st
    from streamlit_folium import st_folium

    lon0, lat0 = park.center
    st.session_state.setdefault("trial_lon", float(lon0))
    st.session_state.setdefault("trial_lat", float(lat0))
    st.caption("在地图上点击拟建位置（也可在下方直接填写经纬度）。")
    out = st_folium(
        placement_map(park, st.session_state["trial_lon"], st.session_state["trial_lat"], basemap=basemap),
        height=420,
        use_container_width=True,
        returned_objects=["last_clicked"],
        key="trial_pick_map",
    )
    point = clicked_point(out)
    if point is not None and st.session_state.get("_trial_click_applied") != point:
        st.session_state["_trial_click_applied"] = point
        st.session_state["trial_lon"], st.session_state["trial_lat"] = round(point[0], 6), round(point[1], 6)
        st.rerun()


def _trial_form(park: Any, basemap: Any = None) -> dict[str, Any] | None:  # pragma: no cover - AppTest
    """The new-unit form (location by clicking the map or typed); the proposed installation row when submitted
    (None otherwise)."""
    import streamlit as st

    _pick_location(park, basemap)
    with st.form("trial_form"):
        a, b, c3 = st.columns(3)
        kind = a.selectbox("设施类型", list(PROPOSED_KINDS), format_func=PROPOSED_KINDS.get)
        substance = b.text_input("物质", value="液化石油气")
        phase = c3.selectbox("相态", list(PHASES), index=1, format_func=PHASES.get)
        inv_t = a.number_input("存量（t）", min_value=0.1, value=200.0)
        p_mpa = b.number_input("绝对压力（MPa）", min_value=0.05, value=0.9)
        t_c = c3.number_input("温度（℃）", value=20.0)
        lon = a.number_input("经度（°）", format="%.6f", key="trial_lon")
        lat = b.number_input("纬度（°）", format="%.6f", key="trial_lat")
        ent = c3.text_input(
            "所属企业编号",
            value=str(park.enterprises["enterprise_id"].iloc[0]) if len(park.enterprises) else "",
        )
        trial = st.form_submit_button("试算")
    if not trial:
        return None
    return proposed_row(
        unit_id="NEW-01",
        enterprise_id=ent,
        kind=kind,
        substance=substance,
        inventory_kg=inv_t * 1000.0,  # t -> kg
        phase=phase,
        pressure_pa=p_mpa * 1e6,  # MPa -> Pa
        temperature_k=t_c + 273.15,  # ℃ -> K
        lon=lon,
        lat=lat,
    )


def _trial_section(view: Any, res: Any, basemap: Any) -> None:  # pragma: no cover - exercised by AppTest
    """New-unit trial: the targets it would make fail, and the suitability map."""
    import shapely
    import streamlit as st
    from streamlit_folium import st_folium

    from analysis.regulation import siting_checks as scx

    st.subheader("新建装置试算")
    try:
        row = _trial_form(view.park, basemap)
        if row is None:
            return
        with st.spinner("试算中…"):
            out = view.run(lambda p: scx.new_unit_trial(p, row, base=res, candidate_spacing=150.0))
    except ValueError as exc:
        st.error(f"试算失败：{message_zh(exc)}", icon=":material/error:")
        st.stop()
    out["suitability"].attrs["spacing"] = 150.0
    t = out["table"]
    newly = t[t["newly_failing"]]
    if newly.empty:
        st.success("拟建装置不会使任何原本满足新建基准的防护目标变为不满足。", icon=":material/check_circle:")
    else:
        st.error(
            f"拟建装置将使 {len(newly)} 个防护目标不满足新建装置基准：" + "、".join(newly["name"]),
            icon=":material/error:",
        )
    st.dataframe(
        t.assign(
            protection_class=[schema.label_zh("protection_class", c) for c in t["protection_class"]],
            ir_before=t["ir_before"].map(lambda v: sci_zh(v, 3)),
            ir_added=t["ir_added"].map(lambda v: sci_zh(v, 3)),
            ir_after=t["ir_after"].map(lambda v: sci_zh(v, 3)),
            limit_new=t["limit_new"].map(sci_zh),
        ).rename(columns=_TRIAL_COLUMNS_ZH),
        hide_index=True,
        width="stretch",
    )
    st_folium(
        suitability_map(
            view.park,
            out["suitability"],
            shapely.Point(row["geometry"].x, row["geometry"].y),
            basemap=basemap,
        ),
        height=MAP_HEIGHT,
        use_container_width=True,
        returned_objects=[],
        key="trial_map",
    )


_TRIAL_COLUMNS_ZH = {
    "target_id": "目标编号",
    "name": "名称",
    "protection_class": "类别",
    "ir_before": "现状风险（/年）",
    "ir_added": "新增风险（/年）",
    "ir_after": "建成后风险（/年）",
    "limit_new": "新建基准（/年）",
    "pass_before": "现状满足",
    "pass_after": "建成后满足",
    "newly_failing": "因新建而不满足",
}


def render() -> None:  # pragma: no cover - exercised by AppTest
    import streamlit as st

    from app import state
    from app.commands.risk import excel_bytes, park_criterion, siting_sheets
    from app.views.risk import generic_weather_banner, show_assumptions

    view = state.park_view()
    park = view.park  # as the user may see it; the models run on the full park through view.run
    settings, _ = state.get_settings()
    st.title(f"{TITLE} · {park.name}")
    st.caption(
        "对照 GB 36894-2018 个人风险基准检查每个防护目标，列出搬迁候选；按 GB/T 37243-2019 确定各设施外部安全防护距离；"
        "校核控制室、机柜间、化验室、办公室、交接班室（五室）所受超压与热辐射；试算新建装置的影响与可布置区域。"
    )
    if park.installations.empty:
        st.warning("园区中没有装置设施（installations 图层为空）。", icon=":material/warning:")
        st.stop()
    source = str(state.current_source().path)
    res = _risk_result(view, source)
    if res is None:
        st.info("先计算个人风险（或在“风险分布”页面计算后返回本页）。", icon=":material/info:")
        _five_rooms_section(view, source)  # needs no risk grid; shows its result kept with the park
        return
    crit = park_criterion(source)
    generic = generic_weather_banner(st, res)
    show_assumptions(st, res, crit)
    _compliance_section(view, res, settings.basemap)
    five = _five_rooms_section(view, source)
    st.download_button(
        "下载选址与防护距离 Excel",
        data=excel_bytes(view.run(lambda p: siting_sheets(res, p, five_rooms=five, criterion=crit))),
        file_name=f"siting{'_generic_rose' if generic else ''}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="siting_xlsx",
    )
    _trial_section(view, res, settings.basemap)


if __name__ == "__main__":
    render()

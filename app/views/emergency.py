"""应急疏散: zones of a release, who is inside and when the cloud arrives, assembly points and routes, briefing.

The user picks the source (an installation — its substance, inventory and conditions prefilled —, a point along a
pipeline, or any point), the release (hole, rate or instantaneous), the weather (wind from/speed and the stability
class, or day/night and cloud cover that give it) and the time; the page recomputes at once
(:mod:`analysis.emergency`), draws the zones, the wind-direction band, the isolation circle, routes and assembly
points over the park, compares the distances with the Emergency Response Guidebook and offers the briefing as
PDF, GeoJSON and KML.

:func:`emergency_map` and the table builders are plain functions (tests call them without Streamlit).
"""

from __future__ import annotations

import datetime as dt
import math

import folium
import geopandas as gpd
import pandas as pd

from app.mapping import add_legend, add_zones, finish_map, fit_to, html_text, park_map
from app.present import EMERGENCY_COLORS, FIRE_ZONE_PALETTE, TOXIC_FALLBACK_COLOR

TITLE = "应急疏散"
ICON = ":material/directions_run:"
ORDER = 50

MAP_HEIGHT = 660  # [px]
SOURCE_KINDS_ZH = {"unit": "装置设施", "pipeline": "管道上的点", "point": "任意地点（经纬度）"}


def emergency_map(park, result, *, routes=None, assembly=None, affected=None, basemap=None) -> folium.Map:
    """The park map with the band, toxic and fire zones, isolation circle, routes, assembly points and source.

    Parameters
    ----------
    park : geodata.Park
    result : analysis.emergency.EmergencyResult
    routes, assembly : geopandas.GeoDataFrame, optional
        :func:`analysis.emergency.evacuation_routes`.
    affected : pandas.DataFrame, optional
        Not drawn (targets are on the park map already); accepted for symmetry with the page.
    basemap : app.settings.Basemap or str, optional

    Returns
    -------
    folium.Map
    """
    # The park's own legend would cover the zones: layers stay switchable in the (collapsed) layer control.
    m = park_map(park, basemap=basemap, legends=False, layer_control_collapsed=True)
    band = result.band[~result.band.geometry.is_empty] if len(result.band) else result.band
    if len(band):
        add_zones(
            m,
            band.iloc[[-1]],
            level_column="level",
            name="风向不确定带",
            colors={band["level"].iloc[-1]: EMERGENCY_COLORS["band"]},
            labels={band["level"].iloc[-1]: f"风向 ±{result.uncertainty_half_angle_deg:g}° 范围"},
            legend_title="",
            fill_opacity=0.08,
        )
    tox = result.toxic[~result.toxic.geometry.is_empty] if len(result.toxic) else result.toxic
    if len(tox):
        levels = list(tox["level"])
        add_zones(
            m,
            tox,
            level_column="level",
            name="中毒区",
            colors={lv: EMERGENCY_COLORS.get(lv, TOXIC_FALLBACK_COLOR) for lv in levels},
            labels={
                r.level: f"{r.level}（{r.threshold * 1e6:.3g} mg/m³，最远 {r.max_distance:,.0f} m）"
                for r in tox.itertuples()
            },
            legend_title="中毒区（60 min）",
        )
    fire = result.fire[~result.fire.geometry.is_empty] if len(result.fire) else result.fire
    if len(fire):
        fire = fire.assign(key=fire["scenario_zh"] + " " + fire["level"])
        palette = FIRE_ZONE_PALETTE
        keys = list(dict.fromkeys(fire["key"]))
        add_zones(
            m,
            fire,
            level_column="key",
            name="火灾/爆炸/可燃区",
            colors={k: palette[i % len(palette)] for i, k in enumerate(keys)},
            labels={r.key: f"{r.key}（最远 {r.max_distance:,.0f} m）" for r in fire.itertuples()},
            legend_title="火灾/爆炸/可燃区",
            legend_position="bottomleft",
        )
    iso = result.isolation
    add_zones(
        m,
        iso,
        level_column="level",
        name="初始隔离区",
        colors={"isolation": EMERGENCY_COLORS["isolation"]},
        labels={"isolation": f"初始隔离区（半径 {iso['radius_m'].iloc[0]:g} m）"},
        legend_title="",
        fill_opacity=0.05,
        weight=2.5,
    )
    items = []
    if routes is not None and len(routes):
        fg = folium.FeatureGroup(name=f"疏散路线（{len(routes)}）")
        for r in routes.to_crs(4326).itertuples():
            folium.PolyLine(
                [(y, x) for x, y in r.geometry.coords],
                color=EMERGENCY_COLORS["route"],
                weight=3,
                opacity=0.85,
                tooltip=html_text(f"{r.name} → {r.assembly_id}，{r.length_m:,.0f} m（{r.roads}）"),
            ).add_to(fg)
        fg.add_to(m)
        items.append(("疏散路线", EMERGENCY_COLORS["route"], "line"))
    if assembly is not None and len(assembly):
        fg = folium.FeatureGroup(name=f"集合点（{len(assembly)}）")
        for r in assembly.to_crs(4326).itertuples():
            folium.CircleMarker(
                (r.geometry.y, r.geometry.x),
                radius=9,
                color="#ffffff",
                weight=2,
                fill=True,
                fill_color=EMERGENCY_COLORS["assembly"],
                fill_opacity=1.0,
                tooltip=html_text(f"{r.name}（{r.point_id}）：距泄漏源 {r.distance_m:,.0f} m"),
            ).add_to(fg)
        fg.add_to(m)
        items.append(("集合点（上风向）", EMERGENCY_COLORS["assembly"], "circle"))
    src = gpd.GeoSeries([result.source.geometry.centroid], crs=result.crs).to_crs(4326).iloc[0]
    folium.CircleMarker(
        (src.y, src.x),
        radius=8,
        color=EMERGENCY_COLORS["source"],
        weight=3,
        fill=True,
        fill_color=EMERGENCY_COLORS["source"],
        tooltip=html_text(f"泄漏源 {result.source.source_id}"),
    ).add_to(m)
    items.append(("泄漏源", EMERGENCY_COLORS["source"], "circle"))
    add_legend(m, "应急疏散", items, position="topright")
    # View: the park and the AEGL-2 band (the protective action zone), or whatever zone exists.
    view = [park.metric("parks")[["geometry"]], result.isolation[["geometry"]]]
    pick = band[band["level"].isin(["AEGL-2", "PAC-2"])] if len(band) else band
    view.append((pick if len(pick) else band)[["geometry"]] if len(band) else fire[["geometry"]])
    if assembly is not None and len(assembly):
        view.append(assembly[["geometry"]])
    fit_to(
        m,
        gpd.GeoDataFrame(
            pd.concat([v.to_crs(result.crs) for v in view], ignore_index=True),
            geometry="geometry",
            crs=result.crs,
        ),
    )
    return finish_map(m)


def zone_erg_table(result) -> pd.DataFrame:
    """Zone distances and the ERG distances side by side (Chinese headings, units in them)."""
    rows = []
    for r in result.toxic.itertuples():
        rows.append(
            {
                "分区": r.level,
                "阈值（mg/m³）": round(r.threshold * 1e6, 3),
                "本模型最远距离（m）": round(r.max_distance),
                "说明": r.label_zh,
            }
        )
    rows.append(
        {
            "分区": "初始隔离区",
            "阈值（mg/m³）": math.nan,
            "本模型最远距离（m）": float(result.isolation["radius_m"].iloc[0]),
            "说明": str(result.isolation["source"].iloc[0]),
        }
    )
    for r in result.fire.itertuples():
        rows.append(
            {
                "分区": f"{r.scenario_zh} {r.level}",
                "阈值（mg/m³）": math.nan,
                "本模型最远距离（m）": round(r.max_distance),
                "说明": r.label_zh,
            }
        )
    return pd.DataFrame(rows)


def erg_table(result) -> pd.DataFrame:
    """The ERG comparison in Chinese."""
    if result.erg.empty:
        return pd.DataFrame()
    e = result.erg
    return pd.DataFrame(
        {
            "ERG 版本": e["edition"].str.upper(),
            "泄漏规模": e["spill_size"].map({"small": "小量（< 208 L）", "large": "大量"}),
            "时段": e["period"].map({"day": "白天", "night": "夜间"}),
            "ERG 初始隔离（m）": e["isolation_m"],
            "ERG 防护行动距离（m）": e["protective_action_m"],
            "本模型 AEGL-3（m）": e["model_aegl3_m"].round(),
            "本模型 AEGL-2（m）": e["model_aegl2_m"].round(),
            "AEGL-2 / ERG": e["ratio_aegl2_to_erg"].round(2),
            "数值核实": e["verified"].map({True: "已核实", False: "未能核实"}),
            "来源": e["source"],
        }
    )


def affected_display(aff: pd.DataFrame) -> pd.DataFrame:
    """The affected-targets table in Chinese (units in the headings)."""
    if aff.empty:
        return pd.DataFrame()
    return pd.DataFrame(
        {
            "图层": aff["layer_zh"],
            "编号": aff["feature_id"],
            "名称": aff["name"],
            "类别": aff["category_zh"],
            "所在区": aff["level"],
            "中心线区内": aff["in_centre_zone"].map({True: "是", False: "仅风向不确定带"}),
            "人数（人）": aff["population"],
            "距离（m）": aff["nearest_m"].round(),
            "烟云到达（min）": (aff["arrival_time_s"] / 60).round(1),
            "浓度（mg/m³）": (aff["concentration_kg_m3"] * 1e6).round(3),
            "室外死亡概率": aff["probability_of_death"].round(4),
            "建议": aff["recommendation_zh"],
            "理由": aff["reason_zh"],
        }
    )


def routes_display(routes: gpd.GeoDataFrame) -> pd.DataFrame:
    if routes is None or routes.empty:
        return pd.DataFrame()
    return pd.DataFrame(
        {
            "目标": routes["name"],
            "集合点": routes["assembly_id"],
            "路线长度（m）": routes["length_m"].round(),
            "步行时间（min）": (routes["walk_time_s"] / 60).round(1),
            "最危险区内长度（m）": routes["length_in_worst_zone_m"].round(),
            "途经道路": routes["roads"],
        }
    )


def render() -> None:  # pragma: no cover - exercised by AppTest
    import streamlit as st

    from analysis import emergency as em
    from analysis import scenarios as sc
    from app import state

    view = state.park_view()
    park = view.park  # as the user may see it; the models run on the full park through view.run
    settings, _ = state.get_settings()
    st.title(f"{TITLE} · {park.name}")
    st.caption(
        "泄漏发生后一分钟内：危险区、区内人员与烟云到达时间、上风向集合点与疏散路线，以及可下发的一页简报。"
        "改变任一输入即重新计算。"
    )

    c1, c2, c3 = st.columns(3)
    with c1:
        source_kw, source = _source_inputs(st, view)
    with c2:
        rk, hole, rate, dur, t = _release_inputs(st)
    with c3:
        wind_from, wind_speed, stability, temp_c = _weather_inputs(st, t)
    with st.expander("更多选项"):
        o1, o2 = st.columns(2)
        evac = o1.number_input(
            "完成疏散所需时间（min）",
            value=20.0,
            step=5.0,
            key="em_evac",
            help="烟云到达早于此时间的目标建议就地避险。",
        )
        unc = o2.number_input("风向不确定带半角（°）", value=22.5, step=2.5, key="em_unc")
    try:
        weather = sc.Weather(
            wind_speed=wind_speed, wind_from_deg=wind_from, stability=stability, temperature_k=temp_c + 273.15
        )
        release = em.Release(
            kind=rk,
            hole_diameter=hole / 1000.0,
            rate=rate if rk == "continuous" else None,
            duration=dur * 60.0,
        )
        when = t.strftime("%H:%M")
        with st.spinner("正在计算……"):
            result, aff, routes, assembly = view.run(
                _emergency, source_kw, release, weather, when=when, unc=unc, evac_s=evac * 60.0
            )
    except ValueError as exc:
        st.error(f"无法计算：{exc}", icon=":material/error:")
        st.stop()

    _show_results(st, park, settings, result, aff, routes, assembly)
    sig = repr((source.source_id, release, weather, when, unc, evac))
    _downloads(st, park, source, result, aff, routes, assembly, sig=sig, when=when)


def _emergency(park, source_kw, release, weather, *, when, unc, evac_s):
    """Zones, affected targets, routes and assembly points of one release (run on the full park by
    ``ParkView.run``: the source term needs the real inventory)."""
    from analysis import emergency as em

    source = em.release_source(park, **source_kw)
    result = em.emergency_zones(
        source, release, weather, crs=park.metric_crs, time_of_day=when, uncertainty_half_angle_deg=unc
    )
    aff = em.affected_targets(result, park, time_of_day=when, evacuation_time_s=evac_s)
    routes, assembly = em.evacuation_routes(result, park, aff)
    return result, aff, routes, assembly


def _source_inputs(st, view):  # pragma: no cover - exercised by AppTest
    """The release source chosen by the user (an installation, a point on a pipeline or any point): the arguments
    of :func:`analysis.emergency.release_source` and the source as the user may see it."""
    park = view.park
    from analysis import emergency as em
    from analysis.physics import substances

    st.subheader("泄漏源")
    kind = st.radio(
        "泄漏源类型",
        list(SOURCE_KINDS_ZH),
        format_func=SOURCE_KINDS_ZH.get,
        horizontal=True,
        key="em_source_kind",
    )
    kw: dict = {}
    try:
        if kind == "unit":
            inst = park.installations
            ids = inst["unit_id"].astype(str).tolist()
            default = ids.index("T-3") if "T-3" in ids else 0
            uid = st.selectbox(
                "装置设施",
                ids,
                index=default,
                key="em_unit",
                format_func=lambda u: f"{u} · {inst.loc[inst['unit_id'].astype(str) == u, 'name'].iloc[0]}",
            )
            kw = {"unit_id": uid}
        elif kind == "pipeline":
            pipes = park.pipelines
            if pipes is None or pipes.empty:
                st.warning("园区没有管道图层数据。", icon=":material/warning:")
                st.stop()
            pid = st.selectbox("管道", pipes["pipeline_id"].astype(str).tolist(), key="em_pipeline")
            along = st.slider("泄漏位置（占管道全长比例）", 0.0, 1.0, 0.5, 0.05, key="em_along")
            kw = {"pipeline_id": pid, "along": along}
        else:
            lon0, lat0 = park.center
            lon = st.number_input("经度（°）", value=round(lon0, 5), format="%.5f", key="em_lon")
            lat = st.number_input("纬度（°）", value=round(lat0, 5), format="%.5f", key="em_lat")
            names = sorted({s.name_zh for s in substances.all_substances() if s.toxic or s.flammable})
            subn = st.selectbox(
                "物质", names, index=names.index("液氯") if "液氯" in names else 0, key="em_sub"
            )
            inv = st.number_input("可泄漏量（kg）", value=1000.0, min_value=0.0, step=100.0, key="em_inv")
            from pyproj import Transformer

            x, y = Transformer.from_crs(4326, park.metric_crs, always_xy=True).transform(lon, lat)
            kw = {"point": (x, y), "substance": subn, "inventory_kg": inv}
        source = view.run(lambda p: em.release_source(p, **kw))
    except ValueError as exc:
        st.error(f"泄漏源有误：{exc}", icon=":material/error:")
        st.stop()
    if view.redacted:
        st.caption(f"物质 {source.substance}（存量等参数仅对登录的管理、企业或检查人员显示）")
    else:
        st.caption(
            f"物质 {source.substance}，存量 {float(source.inventory_kg or 0):,.0f} kg，"
            f"相态 {source.phase}，压力 {float(source.pressure_pa or 0) / 1e6:.3g} MPa（绝压），"
            f"温度 {float(source.temperature_k or 0) - 273.15:.0f} ℃"
        )
    return kw, source


def _release_inputs(st):  # pragma: no cover - exercised by AppTest
    """Kind of release, hole [mm], rate [kg/s], longest duration [min] and the time of the accident."""
    from analysis import emergency as em

    st.subheader("泄漏方式")
    rk = st.radio("方式", list(em.RELEASE_KINDS), format_func=em.RELEASE_KINDS.get, key="em_release")
    hole = st.number_input("泄漏孔径（mm）", value=25.0, step=5.0, key="em_hole", disabled=rk != "hole")
    rate = st.number_input(
        "泄漏速率（kg/s）", value=5.0, step=1.0, key="em_rate", disabled=rk != "continuous"
    )
    dur = st.number_input("最长泄漏时间（min）", value=30.0, step=5.0, key="em_duration")
    t = st.time_input("事故时间", value=dt.time(22, 0), key="em_time", step=dt.timedelta(minutes=30))
    return rk, hole, rate, dur, t


def _weather_inputs(st, t):  # pragma: no cover - exercised by AppTest
    """Wind from [°], wind speed [m/s], stability class (chosen or from day/night and cloud cover), air [℃]."""
    from analysis import emergency as em
    from analysis import scenarios as sc
    from analysis.weather import DIRECTION_LABELS_ZH

    st.subheader("气象")
    wind_from = st.number_input(
        "风向（来风方向，°）",
        value=45.0,
        step=22.5,
        key="em_wind_from",
        help="风从哪个方向吹来，顺时针自正北：0 北风，45 东北风，90 东风。",
    )
    k = int(round((wind_from % 360) / 22.5)) % 16
    st.caption(f"{DIRECTION_LABELS_ZH[k]}风，烟云飘向 {(wind_from + 180) % 360:.0f}°")
    wind_speed = st.number_input("风速（m/s，10 m 高）", value=2.0, step=0.5, key="em_wind_speed")
    how = st.radio("稳定度", ["按昼夜与云量（Turner 1970）", "直接选择"], key="em_stab_how", horizontal=True)
    day = em.is_daytime(t)
    if how == "直接选择":
        stability = st.selectbox(
            "大气稳定度",
            list(sc.STABILITY_CLASSES),
            index=5,
            format_func=sc.STABILITY_LABELS_ZH.get,
            key="em_stability",
        )
    else:
        cloud = st.slider("云量（成）", 0, 10, 5, key="em_cloud") / 10.0
        ins = st.selectbox(
            "白天日照",
            list(em.INSOLATION_KINDS),
            index=1,
            format_func=em.INSOLATION_KINDS.get,
            key="em_insolation",
            disabled=not day,
        )
        try:
            stability = em.pasquill_stability(wind_speed, daytime=day, insolation=ins, cloud_cover=cloud)
        except ValueError as exc:
            st.error(f"输入有误：{exc}", icon=":material/error:")
            st.stop()
        st.caption(f"{'白天' if day else '夜间'} → 稳定度 {sc.STABILITY_LABELS_ZH[stability]}")
    temp_c = st.number_input("气温（℃）", value=20.0, step=1.0, key="em_temp")
    return wind_from, wind_speed, stability, temp_c


def _show_results(st, park, settings, result, aff, routes, assembly) -> None:  # pragma: no cover - AppTest
    """The map, the zone and ERG tables, the affected targets, the routes and the assumptions."""
    from streamlit_folium import st_folium

    m = emergency_map(park, result, routes=routes, assembly=assembly, basemap=settings.basemap)
    st_folium(m, height=MAP_HEIGHT, use_container_width=True, returned_objects=[], key="em_map")
    st.markdown(
        f"**扩散模型：** {'重气（Britter-McQuaid 1988）' if result.dense_gas else '高斯烟羽/烟团'}；"
        f"**ERG 泄漏规模：** {'小量' if result.spill_size == 'small' else '大量'}；"
        f"**时段：** {'白天' if result.daytime else '夜间'}"
    )
    for n in result.notes:
        st.caption(n)
    st.subheader("危险区与 ERG 对照")
    st.dataframe(zone_erg_table(result), hide_index=True, width="stretch")
    erg = erg_table(result)
    if erg.empty:
        st.caption("ERG 附表中没有该物质或该泄漏规模的条目。")
    else:
        st.dataframe(erg, hide_index=True, width="stretch")
        st.caption(
            "ERG 防护行动距离是大量假想泄漏与气象记录的第 90 百分位（AEGL-2/ERPG-2，前 30 min），"
            "本模型为给定泄漏与气象下的确定值，两者不必一致。"
        )
    st.subheader("受影响目标（按烟云到达时间）")
    if aff.empty:
        st.caption("各区内没有防护目标、建筑或设施。")
    else:
        st.dataframe(affected_display(aff), hide_index=True, width="stretch")
    st.subheader("集合点与疏散路线")
    if routes.empty:
        st.caption("没有道路图层，或区外没有可用的道路节点。")
    else:
        st.dataframe(routes_display(routes), hide_index=True, width="stretch")
    with st.expander("计算假设与模型"):
        st.markdown("\n".join(f"- {a}" for a in result.assumptions))


def _downloads(
    st, park, source, result, aff, routes, assembly, *, sig: str, when: str
) -> None:  # pragma: no cover
    """GeoJSON, KML and (on request) the one-page PDF briefing of the inputs shown (``sig``)."""
    import tempfile
    from pathlib import Path

    from analysis import emergency as em

    layers = em.briefing_layers(result, routes, assembly)
    uid = source.source_id
    d1, d2, d3 = st.columns(3)
    with tempfile.TemporaryDirectory() as tmp:
        kml = em.to_kml(layers, Path(tmp) / "brief.kml").read_bytes()
    d2.download_button(
        "下载 GeoJSON（WGS84）",
        data=layers.to_json(drop_id=True, ensure_ascii=False),
        file_name=f"briefing_{uid}.geojson",
        mime="application/geo+json",
        key="em_dl_geojson",
    )
    d3.download_button(
        "下载 KML（现场终端）",
        data=kml,
        file_name=f"briefing_{uid}.kml",
        mime="application/vnd.google-earth.kml+xml",
        key="em_dl_kml",
    )
    # The PDF (map image + page, a few seconds) is made on request, for the inputs shown.
    if d1.button("生成一页简报 PDF", key="em_make_pdf"):
        from app.reports.briefing import write_briefing_pdf

        with st.spinner("正在生成简报……"), tempfile.TemporaryDirectory() as tmp:
            pdf = write_briefing_pdf(
                Path(tmp) / "brief.pdf", result, park, aff, routes=routes, assembly=assembly, time_of_day=when
            )
            st.session_state["em_pdf"] = (sig, pdf.read_bytes())
    saved = st.session_state.get("em_pdf")
    if saved is not None and saved[0] == sig:
        d1.download_button(
            "下载一页简报 PDF",
            data=saved[1],
            file_name=f"briefing_{uid}.pdf",
            mime="application/pdf",
            key="em_dl_pdf",
        )


if __name__ == "__main__":
    render()

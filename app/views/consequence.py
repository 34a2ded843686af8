"""后果分析: threat zones of one accident scenario at one installation, over the park, with who is inside.

The user picks an enterprise and an installation, one of the scenarios that apply to it, the release and the
weather; the page draws the zones (:func:`analysis.scenarios.zones.threat_zones`) over the park map, lists the sensitive
targets, buildings and other installations inside each zone with their populations, shows every assumption and
offers the zones as GeoJSON (WGS84, RFC 7946).

:func:`zones_map` builds the folium map without Streamlit (tests call it directly); the Streamlit part runs only
when Streamlit executes this file as a page.
"""

from __future__ import annotations

import math

import folium
import geopandas as gpd
import pandas as pd

from app.mapping import add_zones, finish_map, fit_to, format_distance, html_text, park_map
from app.present import SOURCE_COLOR, threat_zone_colors
from app.present.messages import message_zh
from geodata import schema

TITLE = "后果分析"
ICON = ":material/local_fire_department:"
ORDER = 20

MAP_HEIGHT = 640  # [px]
RELEASE_MODES_ZH: dict[str, str] = {
    "instantaneous": "瞬时全部泄漏（灾难性破裂，CPR 18E G.1）",
    "ten_minutes": "10 分钟内泄完（CPR 18E G.2）",
    "hole": "孔口泄漏（给定孔径）",
}
_UNIT_DISPLAY = {"heat_flux": ("kW/m²", 1e-3), "overpressure": ("kPa", 1e-3), "concentration": ("mg/m³", 1e6)}
#: Methods of a vapour-cloud explosion's zones, each with its source (shown under the selector).
VCE_METHODS_ZH: dict[str, str] = {
    "probit": "超压概率函数法（Kingery-Bulmash 半球曲线 + 超压阈值/概率函数）",
    "cn_practice": "国内安全评价常用方法（TNT 当量法：死亡、重伤、轻伤、财产损失半径）",
}
VCE_METHOD_SOURCES_ZH: dict[str, str] = {
    "probit": "来源：TNT 当量 α·W_f·Q_f/Q_TNT（不乘 1.8，半球曲线已含地面反射）；超压按 Kingery & Bulmash (1984) "
    "半球形地面爆炸曲线；分区阈值及概率函数见各分区的“阈值来源”。",
    "cn_practice": "来源：安全评价常用的 TNT 当量法，W_TNT = 1.8·α·W_f·Q_f/Q_TNT（1.8 为地面爆炸系数），死亡半径 "
    "R₀.₅ = 13.6(W_TNT/1000)^0.37，重伤/轻伤半径按超压 44/17 kPa，财产损失半径 4.6W^{1/3}/[1+(3175/W)²]^{1/6}；"
    "公式经公开的国内算例核对（见 docs/validation），教材出处未核对。",
}


def zones_map(park, zones: gpd.GeoDataFrame, *, basemap=None, unit_id: str | None = None) -> folium.Map:
    """The park map with the threat zones drawn on top (most severe zone on top), and the source marked.

    Parameters
    ----------
    park : geodata.Park
    zones : geopandas.GeoDataFrame
        Output of :func:`analysis.scenarios.zones.threat_zones` (metric CRS).
    basemap : app.settings.Basemap or str, optional
    unit_id : str, optional
        The source installation, marked with a black ring.

    Returns
    -------
    folium.Map
    """
    # the park's own legend starts folded and the layer switcher collapsed: the zones need the room
    m = park_map(park, basemap=basemap, layer_control=False, layer_control_collapsed=True, legend_folded=True)
    drawn = zones[~zones.geometry.is_empty]
    if not drawn.empty:
        levels = list(zones["level"])
        colors = threat_zone_colors(levels)
        labels = {
            r.level: f"{r.level}（{'最远 ' + format_distance(r.max_distance) if reached else NOT_REACHED_ZH}）"
            for r, reached in zip(zones.itertuples(), _reached(zones), strict=True)
        }
        add_zones(
            m,
            drawn,
            level_column="level",
            name=f"伤害分区：{zones['scenario_zh'].iloc[0]}",
            colors={lv: colors[lv] for lv in levels if lv in set(drawn["level"])},
            labels=labels,
            legend_title=f"伤害分区（{zones['scenario_zh'].iloc[0]}）",
            tooltip_columns={"label_zh": "含义", "max_distance": "最远距离（m）", "source": "阈值来源"},
        )
        # show every zone and the park: a toxic cloud may reach tens of kilometres beyond the park
        park_area = park.layers.get("parks")
        frames = [drawn[["geometry"]].to_crs(4326)]
        if park_area is not None and not park_area.empty and park_area.crs is not None:
            frames.append(park_area[["geometry"]].to_crs(4326))
        fit_to(m, gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=4326))
    if unit_id is not None:
        inst = park.installations
        hit = inst[inst["unit_id"].astype(str) == str(unit_id)]
        if not hit.empty:
            c = hit.geometry.iloc[0].centroid
            folium.CircleMarker(
                location=[c.y, c.x],
                radius=9,
                color=SOURCE_COLOR,
                weight=3,
                fill=False,
                tooltip=html_text(f"事故源：{hit['name'].iloc[0]}（{unit_id}）"),
            ).add_to(m)
    return finish_map(m)  # the layer switcher after the zones it lists


#: What the tables and the legend say for a level the scenario does not reach (instead of a distance of 0 m).
NOT_REACHED_ZH = "未达到"


def _reached(zones: pd.DataFrame) -> list[bool]:
    """Whether each level is reached: a zone with an area (its ``max_distance`` is 0 when it is not)."""
    dist = pd.to_numeric(zones["max_distance"], errors="coerce").fillna(0.0).to_numpy()
    if "geometry" in zones:
        empty = zones.geometry.is_empty.to_numpy() | zones.geometry.isna().to_numpy()
        return [bool(d > 0 and not e) for d, e in zip(dist, empty, strict=True)]
    return [bool(d > 0) for d in dist]


def _distances(zones: pd.DataFrame) -> list[str]:
    """Largest distances as text for the tables (``1,234``: metres rounded to 1 m, the unit in the column name),
    :data:`NOT_REACHED_ZH` where the level is not reached (one type in the column: text)."""
    return [
        f"{float(d):,.0f}" if reached else NOT_REACHED_ZH
        for d, reached in zip(zones["max_distance"], _reached(zones), strict=True)
    ]


def zone_table(zones: gpd.GeoDataFrame) -> pd.DataFrame:
    """The zones as a Chinese table with units; "未达到" as the distance of a level the scenario does not reach."""
    rows = []
    for r, dist in zip(zones.itertuples(), _distances(zones), strict=True):
        unit, k = _UNIT_DISPLAY[r.quantity]
        rows.append(
            {
                "分区": r.level,
                "含义": r.label_zh,
                f"阈值（{unit}）": float(f"{r.threshold * k:.4g}"),
                "最远距离（m）": dist,
                "面积（公顷）": float(f"{r.area_m2 / 1e4:.3g}"),  # 1 ha = 10⁴ m²
                "边界精度（m）": float(f"{r.resolution_m:.2g}"),
                "阈值来源": r.source,
            }
        )
    return pd.DataFrame(rows)


def affected_table(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`analysis.scenarios.zones.affected` output with Chinese column names and units."""
    out = table.rename(
        columns={
            "level": "所在分区（最严重）",
            "layer_zh": "类别",
            "feature_id": "编号",
            "name": "名称",
            "category_zh": "类型/用途",
            "population_day": "白天人数（人）",
            "population_night": "夜间人数（人）",
            "occupants": "建筑内人数（人）",
            "distance_m": "距事故源（m）",
        }
    )
    out["距事故源（m）"] = out["距事故源（m）"].round(0)
    return out.drop(columns=["label_zh", "layer"])


#: Columns of :func:`affected_tables` per layer: only those that mean something for that kind of feature.
_AFFECTED_BY_LAYER: dict[str, tuple[str, ...]] = {
    "sensitive_targets": ("白天人数（人）", "夜间人数（人）"),
    "buildings": ("建筑内人数（人）",),
    "installations": (),
}


def affected_tables(table: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """:func:`affected_table` split by kind of feature (防护目标 / 建筑物 / 装置设施), each with only the columns
    that apply to it (no empty population columns); keys are the Chinese layer names, in that order."""
    out: dict[str, pd.DataFrame] = {}
    if table.empty:
        return out
    full = affected_table(table)
    common = ["所在分区（最严重）", "编号", "名称", "类型/用途"]
    for layer, extra in _AFFECTED_BY_LAYER.items():
        mask = (table["layer"] == layer).to_numpy()
        if not mask.any():
            continue
        name = str(table.loc[mask, "layer_zh"].iloc[0])
        frame = full.loc[mask, [*common, *extra, "距事故源（m）"]].copy()
        for col in extra:
            frame[col] = frame[col].round(0).astype("Int64")  # whole people
        out[name] = frame.reset_index(drop=True)
    return out


def summary_table(summary: pd.DataFrame) -> pd.DataFrame:
    """:func:`analysis.scenarios.zones.affected_summary` with Chinese column names and units ("未达到" as the
    distance of a level the scenario does not reach)."""
    summary = summary.assign(max_distance=_distances(summary))
    return summary.drop(columns=["label_zh"]).rename(
        columns={
            "level": "分区（含内层）",
            "max_distance": "最远距离（m）",
            "targets": "防护目标（个）",
            "buildings": "建筑（栋）",
            "installations": "其他设施（个）",
            "population_day": "防护目标白天人数（人）",
            "population_night": "防护目标夜间人数（人）",
            "occupants": "建筑内人数（人）",
        }
    )


def _installation_caption(row) -> str:
    def num(key, scale=1.0, unit="", digits=3):
        v = row.get(key)
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return "—"
        x = float(v) * scale
        text = f"{x:,.0f}" if abs(x) >= 10**digits else f"{x:.{digits}g}"  # never "2e+03"
        return f"{text} {unit}".strip()

    def text(value) -> str:
        return "—" if value is None or pd.isna(value) or not str(value).strip() else str(value)

    t = row.get("temperature_k")
    temp = "—" if t is None or pd.isna(t) else f"{float(t) - 273.15:.1f} ℃"  # 0 ℃ = 273.15 K
    return (
        f"物质：{text(row.get('substance'))}；存量 {num('inventory_kg', 1e-3, 't')}；相态 "
        f"{text(schema.label_zh('phase', row.get('phase')))}；压力（绝压）{num('pressure_pa', 1e-6, 'MPa')}；"
        f"温度 {temp}；围堰面积 {num('bund_area_m2', 1.0, 'm²')}"
    )


def _number_columns(st) -> dict[str, object]:
    """Column settings that show numbers with thousands separators (``10,582``); the largest distance is text
    already (``1,234`` or "未达到")."""
    fmt = st.column_config.NumberColumn(format="localized")
    return {
        c: fmt
        for c in (
            "面积（公顷）",
            "距事故源（m）",
            "白天人数（人）",
            "夜间人数（人）",
            "建筑内人数（人）",
            "防护目标白天人数（人）",
            "防护目标夜间人数（人）",
        )
    }


def render() -> None:  # pragma: no cover - exercised by AppTest
    import streamlit as st

    from analysis import scenarios as sc
    from app import state

    view = state.park_view()
    park = view.park  # as the user may see it; the models run on the full park through view.run
    settings, _ = state.get_settings()
    st.title(f"{TITLE} · {park.name}")
    st.caption(
        "选择设施与事故情景，设定气象条件，计算热辐射、冲击波超压或毒性伤害分区，并列出区内的防护目标、建筑和设施。"
    )

    inst = park.installations
    ent = park.enterprises
    if inst.empty:
        st.warning(
            "园区中没有装置设施（installations 图层为空），无法进行后果分析。", icon=":material/warning:"
        )
        st.stop()
    ent_names = dict(zip(ent["enterprise_id"].astype(str), ent["name"].astype(str), strict=False))
    ent_ids = [e for e in ent_names if (inst["enterprise_id"].astype(str) == e).any()]
    others = sorted(set(inst["enterprise_id"].astype(str)) - set(ent_ids))

    c1, c2 = st.columns(2)
    with c1:
        ent_id = st.selectbox(
            "企业",
            ent_ids + others,
            format_func=lambda e: ent_names.get(e, e),
            key="cq_enterprise",
        )
        units = inst[inst["enterprise_id"].astype(str) == str(ent_id)]
        unit_id = st.selectbox(
            "装置设施",
            units["unit_id"].astype(str).tolist(),
            format_func=lambda u: f"{u} · {units.loc[units['unit_id'].astype(str) == u, 'name'].iloc[0]}",
            key="cq_unit",
        )
        st.caption(_installation_caption(inst[inst["unit_id"].astype(str) == str(unit_id)].iloc[0]))
    try:
        options = view.run(lambda p: sc.applicable_scenarios(_unit_row(p, unit_id)))
    except ValueError as exc:
        st.error(f"无法确定该设施的事故情景：{message_zh(exc)}", icon=":material/error:")
        st.stop()
    if not options:
        st.info("该设施的物质为固体，或既不可燃也无毒，没有可计算的事故情景。", icon=":material/info:")
        st.stop()
    with c2:
        kind = st.selectbox(
            "事故情景",
            [o.kind for o in options],
            format_func=lambda k: sc.SCENARIO_LABELS_ZH[k],
            key="cq_kind",
        )
        st.caption("情景依据：" + next(o.reason_zh for o in options if o.kind == kind))
        modes = list(RELEASE_MODES_ZH)
        if kind == "jet_fire":  # a jet fire needs a release rate
            modes.remove("instantaneous")
        elif kind in (
            "fireball",
            "vessel_burst",
            "bleve_blast",
        ):  # a BLEVE / burst is the catastrophic rupture (G.1) by nature
            modes = ["instantaneous"]
        mode = st.radio("泄漏方式", modes, format_func=RELEASE_MODES_ZH.get, horizontal=True, key="cq_mode")
        hole_mm = None
        if mode == "hole":
            hole_mm = st.number_input(
                "泄漏孔径（mm）",
                value=50.0,
                step=5.0,
                format="%.1f",
                key="cq_hole",
                help="CPR 18E：小孔 10 mm；也可输入接管直径作为全管径断裂。",
            )

    method = "probit"
    if kind == "vce":
        method = st.radio(
            "评价方法", list(VCE_METHODS_ZH), format_func=VCE_METHODS_ZH.get, horizontal=True, key="cq_method"
        )
        st.caption(VCE_METHOD_SOURCES_ZH[method])

    wind_from, wind_speed, stability, temp_c, rh = _weather_inputs(st)

    try:
        weather = sc.Weather(
            wind_speed=wind_speed,
            wind_from_deg=wind_from,
            stability=stability,
            temperature_k=temp_c + 273.15,
            relative_humidity=rh / 100.0,
        )
        scenario = sc.Scenario(
            kind,
            hole_diameter=None if hole_mm is None else hole_mm / 1000.0,
            release_duration=sc.G2_DURATION_S if mode == "ten_minutes" else None,
        )
    except ValueError as exc:
        st.error(f"输入有误：{message_zh(exc)}", icon=":material/error:")
        st.stop()

    try:
        with st.spinner("正在计算源项与伤害分区……"):
            zones, table, summary = view.run(_zones_and_affected, unit_id, scenario, weather, method)
    except ValueError as exc:
        st.error(f"无法计算：{message_zh(exc)}", icon=":material/error:")
        st.stop()

    _show_zones(st, park, settings, zones, table, summary, unit_id=unit_id, kind=kind)


def _show_zones(
    st, park, settings, zones, table, summary, *, unit_id, kind
) -> None:  # pragma: no cover - AppTest
    """The map of the zones, the zone and affected tables, the assumptions and the GeoJSON download."""
    from streamlit_folium import st_folium

    from app.mapping.focus import remember_focus

    m = zones_map(park, zones, basemap=settings.basemap, unit_id=unit_id)  # framed on the zones and the park
    remember_focus(st.session_state, zones, label=f"{unit_id} 伤害分区")  # the next maps open on them too
    st_folium(m, height=MAP_HEIGHT, use_container_width=True, returned_objects=[], key="cq_map")
    if zones.geometry.is_empty.all():
        st.info("所有分区阈值均未达到：该情景的效应在任何距离上都低于最低阈值。", icon=":material/info:")
    if zones["truncated"].any():
        st.warning("部分分区延伸超过 50 km 的计算范围，实际范围更大。", icon=":material/warning:")

    numbers = _number_columns(st)
    st.subheader("伤害分区")
    st.dataframe(zone_table(zones), hide_index=True, width="stretch", column_config=numbers)
    st.subheader("区内人员与设施")
    st.dataframe(summary_table(summary), hide_index=True, width="stretch", column_config=numbers)
    if table.empty:
        st.caption("各分区内没有防护目标、建筑或其他设施。")
    for name, frame in affected_tables(table).items():
        st.markdown(f"**{name}（{len(frame)} 个）**")
        st.dataframe(frame, hide_index=True, width="stretch", column_config=numbers)
    with st.expander("计算假设与模型", expanded=False):
        st.markdown("\n".join(f"- {a}" for a in zones.attrs["assumptions"]))
    st.download_button(
        "下载伤害分区 GeoJSON（WGS84）",
        data=zones.to_crs(4326).to_json(drop_id=True),
        file_name=f"zones_{unit_id}_{kind}.geojson",
        mime="application/geo+json",
        key="cq_download",
    )


def _unit_row(park, unit_id):
    """The installation row of ``unit_id``."""
    inst = park.installations
    return inst[inst["unit_id"].astype(str) == str(unit_id)].iloc[0]


def _zones_and_affected(park, unit_id, scenario, weather, method="probit"):
    """Threat zones of one installation and what lies in them (run on the full park by ``ParkView.run``);
    ``method`` "cn_practice" takes the zones of :mod:`analysis.scenarios.cn_practice` (a VCE only)."""
    from analysis.scenarios import cn_practice
    from analysis.scenarios import zones as zn

    if method == "cn_practice":
        zones = cn_practice.cn_practice_zones_for_unit(park, unit_id, scenario, weather)
    else:
        zones = zn.threat_zones_for_unit(park, unit_id, scenario, weather)
    table = zn.affected(zones, park)
    return zones, table, zn.affected_summary(zones, table)


def _weather_inputs(st):  # pragma: no cover - exercised by AppTest
    """Wind from [°], wind speed [m/s], stability class, air temperature [℃] and relative humidity [%]."""
    from analysis import scenarios as sc
    from analysis.weather import DIRECTION_LABELS_ZH

    st.subheader("气象条件")
    w1, w2, w3, w4 = st.columns(4)
    with w1:
        wind_from = st.number_input(
            "风向（来风方向，°）",
            value=45.0,
            step=22.5,
            format="%.1f",
            key="cq_wind_from",
            help="风从哪个方向吹来，顺时针自正北计：0 北风，90 东风，45 东北风。",
        )
        k = int(round((wind_from % 360) / 22.5)) % 16
        st.caption(f"{DIRECTION_LABELS_ZH[k]}风，气云/火焰偏向下风向 {(wind_from + 180) % 360:.0f}°")
    with w2:
        wind_speed = st.number_input(
            "风速（m/s，10 m 高）", value=2.0, step=0.5, format="%.1f", key="cq_wind_speed"
        )
    with w3:
        stability = st.selectbox(
            "大气稳定度",
            list(sc.STABILITY_CLASSES),
            index=3,
            format_func=sc.STABILITY_LABELS_ZH.get,
            key="cq_stability",
        )
    with w4:
        temp_c = st.number_input("气温（℃）", value=20.0, step=1.0, format="%.1f", key="cq_temp")
        rh = st.number_input("相对湿度（%）", value=70.0, step=5.0, format="%.0f", key="cq_rh")
    with st.expander("如何选择大气稳定度（Pasquill 分类）"):
        guide = pd.DataFrame(sc.PASQUILL_GUIDANCE_ZH).T
        guide.index.name = "地面风速"
        st.dataframe(guide, width="stretch")
        st.caption(
            sc.PASQUILL_NOTE_ZH + " 来源：Turner (1970) Workbook of Atmospheric Dispersion Estimates 表 1"
            "（据 Pasquill 1961）。白天晴朗强日照取 A–B，阴天或大风取 D，夜间晴朗微风取 F。"
        )
    return wind_from, wind_speed, stability, temp_c, rh


if __name__ == "__main__":
    render()

"""应急疏散: zones of a release, the protective action of every target, routes out of the cloud, safe assembly
points and the briefing.

The user picks the source (an installation — its substance, inventory and conditions prefilled —, a point along a
pipeline, or any point), the release (hole, rate or instantaneous), the weather (wind from/speed — typed, or the
newest reading of a weather-station file or a local-network URL within an age limit the user sets — and the
stability class, or day/night and cloud cover that give it) and the date and time (Beijing time). For an
installation the page shows :func:`analysis.emergency.plan`: the zones, per target the level, concentration
(mg/m³ and ppm), cloud arrival, exit time, indoor dose and the recommendation with its reason, routes that do not
enter the AEGL-2 zone or its band, assembly points outside every zone; for a pipeline or a point, the zones and the
ERG comparison (said on the page). The ERG 2024 comparison names the Table 3 row used. The briefing is offered as
PDF, GeoJSON and KML. A stale or missing reading is said plainly and never fills the form.

:func:`emergency_map` and the table builders are plain functions (tests call them without Streamlit).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import folium
import geopandas as gpd
import pandas as pd

from analysis.emergency.export import _route_end
from app.mapping import add_legend, add_zones, finish_map, fit_to, html_text, park_map
from app.present import EMERGENCY_COLORS, FIRE_ZONE_PALETTE, TOXIC_FALLBACK_COLOR, message_zh
from app.present.emergency import IN_ZONE_ROUTE_COLOR
from app.present.emergency_tables import (
    assembly_display,
    erg_table,
    routes_display,
    targets_display,
    zone_erg_table,
)
from app.present.numbers import display_frame
from geodata import schema

TITLE = "应急疏散"
ICON = ":material/directions_run:"
ORDER = 50

MAP_HEIGHT = 660  # [px]
SOURCE_KINDS_ZH = {"unit": "装置设施", "pipeline": "管道上的点", "point": "任意地点（经纬度）"}
TRAVEL_MODES_ZH = {"walk": "步行", "bus": "大客车"}


def emergency_map(
    park, result, *, routes=None, assembly=None, route_zone=None, affected=None, basemap=None
) -> folium.Map:
    """The park map with the band, toxic and fire zones, isolation circle, routes, assembly points and source.

    Parameters
    ----------
    park : geodata.Park
    result : analysis.emergency.EmergencyResult
    routes, assembly : geopandas.GeoDataFrame, optional
        Routes and assembly points of :func:`analysis.emergency.plan`.
    route_zone : shapely geometry, optional
        The AEGL-2 zone with its band (``plan.route_zone``, metric CRS): the part of a route inside it (the crosswind
        exit of a target inside) is drawn in red.
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
    items = _add_routes(m, routes, route_zone) + _add_assembly(m, assembly)
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


def _line_parts(geom):
    for part in getattr(geom, "geoms", [geom]):
        if part is not None and part.geom_type == "LineString" and not part.is_empty:
            yield [(y, x) for x, y in part.coords]


def _add_routes(m, routes, route_zone) -> list:
    """The plan's routes on the map, the part inside ``route_zone`` (AEGL-2 zone and band) in red; legend items."""
    if routes is None or not len(routes):
        return []
    fg = folium.FeatureGroup(name=f"疏散路线（{len(routes)}）")
    for r in routes.to_crs(4326).itertuples():
        for coords in _line_parts(r.geometry):
            folium.PolyLine(
                coords,
                color=EMERGENCY_COLORS["route"],
                weight=3,
                opacity=0.85,
                tooltip=html_text(f"{r.name} → {_route_end(r)}，{r.length_m:,.0f} m（{r.roads}）"),
            ).add_to(fg)
    items = [("疏散路线", EMERGENCY_COLORS["route"], "line")]
    if route_zone is not None and not route_zone.is_empty:
        inside = gpd.GeoSeries(routes.geometry.intersection(route_zone), crs=routes.crs).to_crs(4326)
        for geom in inside:
            for coords in _line_parts(geom):
                folium.PolyLine(
                    coords, color=IN_ZONE_ROUTE_COLOR, weight=4, dash_array="6 4", tooltip="区内横风向出口段"
                ).add_to(fg)
        items.append(("区内横风向出口段", IN_ZONE_ROUTE_COLOR, "line"))
    fg.add_to(m)
    return items


def _add_assembly(m, assembly) -> list:
    """The assembly points with name, distance, capacity and people sent (tooltip); legend items."""
    if assembly is None or not len(assembly):
        return []
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
            tooltip=html_text(f"{r.name}（{r.point_id}）：距泄漏源 {r.distance_m:,.0f} m{_capacity_text(r)}"),
        ).add_to(fg)
    fg.add_to(m)
    return [("集合点（区外，上风或侧风向）", EMERGENCY_COLORS["assembly"], "circle")]


def _capacity_text(r) -> str:
    cap, got = getattr(r, "capacity", None), getattr(r, "assigned", None)
    out = f"，容纳 {float(cap):,.0f} 人" if cap is not None and pd.notna(cap) else ""
    return out + (f"，安排 {float(got):,.0f} 人" if got is not None and pd.notna(got) else "")


def render() -> None:  # pragma: no cover - exercised by AppTest
    import streamlit as st

    from analysis import emergency as em
    from app import state
    from app.results_panel import keep_emergency_plan

    view = state.park_view()
    park = view.park  # as the user may see it; the models run on the full park through view.run
    settings, _ = state.get_settings()
    st.title(f"{TITLE} · {park.name}")
    st.caption(
        "泄漏发生后一分钟内：危险区、每个目标的防护行动（撤离或就地避险）及其依据、避开烟云的疏散路线与安全集合点，"
        "以及可下发的一页简报。改变任一输入即重新计算。"
    )

    c1, c2, c3 = st.columns(3)
    with c1:
        source_kw, source = _source_inputs(st, view)
    with c2:
        rk, hole, rate, dur, when = _release_inputs(st)
    with c3:
        wind_from, wind_speed, stability = _weather_inputs(st, when)
    with st.expander("更多选项（撤离方式、预警时间、室内换气）"):
        o1, o2, o3 = st.columns(3)
        mode = o1.radio("撤离方式", list(TRAVEL_MODES_ZH), format_func=TRAVEL_MODES_ZH.get, key="em_mode")
        speed = o1.number_input(
            "步行速度（m/s）" if mode == "walk" else "车速（m/s）",
            value=1.2 if mode == "walk" else 8.0,
            step=0.1 if mode == "walk" else 1.0,
            key=f"em_speed_{mode}",
        )
        warn = o2.number_input(
            "预警与动员时间（min）", value=10.0, step=1.0, key="em_warn", help="人员开始撤离前所需的时间。"
        )
        ach = o2.number_input(
            "室内换气次数（次/h）",
            value=0.5,
            step=0.1,
            key="em_ach",
            help="门窗关闭、停止通风时建筑的换气次数（单区箱模型，ALOHA 室内渗入模型）。",
        )
        unc = o3.number_input("风向不确定带半角（°）", value=22.5, step=2.5, key="em_unc")
    options = dict(
        stability=stability,
        travel_mode=mode,
        warning_time_s=warn * 60.0,
        air_changes_per_hour=ach,
        uncertainty_half_angle_deg=unc,
        **({"walking_speed_m_s": speed} if mode == "walk" else {"bus_speed_m_s": speed}),
    )
    try:
        release = em.Release(
            kind=rk,
            hole_diameter=hole / 1000.0,
            rate=rate if rk == "continuous" else None,
            duration=dur * 60.0,
        )
        options["release"] = release
        with st.spinner("正在计算……"):
            plan = view.run(_plan, source_kw, wind_from, wind_speed, when, options)
    except ValueError as exc:
        st.error(f"无法计算：{message_zh(exc)}", icon=":material/error:")
        st.stop()

    _show_results(st, park, settings, plan)
    keep_emergency_plan(view, _plan, (source_kw, wind_from, wind_speed, when, options))  # app.results_panel
    sig = repr((source.source_id, sorted(options.items(), key=str), wind_from, wind_speed, when))
    _downloads(st, park, source, plan, sig=sig)


@dataclass(frozen=True)
class ZonesOnly:
    """The result of a release on a pipeline or at a point: zones and ERG, no protective-action plan
    (:func:`analysis.emergency.plan` takes an installation); the plan's attribute names where they exist (a
    dataclass, so that :func:`app.auth.redact_result` goes through its fields)."""

    result: object
    targets: pd.DataFrame = field(default_factory=pd.DataFrame)
    routes: object = None
    assembly: object = None
    route_zone: object = None

    @property
    def assumptions(self) -> tuple[str, ...]:
        return tuple(self.result.assumptions)


def _plan(park, source_kw, wind_from, wind_speed, when, options):
    """The plan of :func:`analysis.emergency.plan` for an installation, else the zones of the release (run on the
    full park by ``ParkView.run``: the source term needs the real inventory)."""
    from analysis import emergency as em
    from analysis import scenarios as sc

    if set(source_kw) == {"unit_id"}:
        return em.plan(
            park,
            unit_id=source_kw["unit_id"],
            wind_from=wind_from,
            wind_speed=wind_speed,
            time=when,
            **options,
        )
    source = em.release_source(park, **source_kw)
    em.check_driving_pressure(source, options["release"])  # a Chinese refusal instead of the source model's
    weather = sc.Weather(wind_speed=wind_speed, wind_from_deg=wind_from, stability=options["stability"])
    result = em.emergency_zones(
        source,
        options["release"],
        weather,
        crs=park.metric_crs,
        time_of_day=f"{when:%H:%M}",
        uncertainty_half_angle_deg=options["uncertainty_half_angle_deg"],
    )
    return ZonesOnly(result=result)


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
            inv = st.number_input("可泄漏量（kg）", value=1000.0, min_value=1.0, step=100.0, key="em_inv")
            _, p0 = em.point_conditions(substances.get(subn))  # liquefied gas: its vapour pressure
            pr = st.number_input(
                "储存压力（MPa，绝压）",
                value=p0 / 1e6,
                min_value=0.001,
                step=0.1,
                format="%.3f",
                key=f"em_pressure_{subn}",
                help="默认：沸点低于 20 ℃ 的液化气体取其 20 ℃ 饱和蒸气压，其他物质取大气压 0.101 MPa。",
            )
            from pyproj import Transformer

            x, y = Transformer.from_crs(4326, park.metric_crs, always_xy=True).transform(lon, lat)
            kw = {"point": (x, y), "substance": subn, "inventory_kg": inv, "pressure_pa": pr * 1e6}
        source = view.run(lambda p: em.release_source(p, **kw))
    except ValueError as exc:
        st.error(f"泄漏源有误：{message_zh(exc)}", icon=":material/error:")
        st.stop()
    if view.redacted:
        st.caption(f"物质 {source.substance}（存量等参数仅对登录的管理、企业或检查人员显示）")
    else:
        st.caption(
            f"物质 {source.substance}，存量 {float(source.inventory_kg or 0):,.0f} kg，"
            f"相态 {schema.label_zh('phase', source.phase)}，压力 {float(source.pressure_pa or 0) / 1e6:.3g} MPa（绝压），"
            f"温度 {float(source.temperature_k or 0) - 273.15:.0f} ℃"
        )
    return kw, source


#: Bounds of the hole as analysis.emergency.Release checks them (a typed value never reaches its refusal). [mm]
_HOLE_MM = {"min_value": 1.0, "max_value": 5000.0, "step": 5.0}


def _release_inputs(st):  # pragma: no cover - exercised by AppTest
    """Kind of release, hole [mm], rate [kg/s], longest duration [min] and the time of the accident (an aware
    Beijing time)."""
    from analysis import emergency as em
    from analysis.emergency.observations import BEIJING_TZ

    st.subheader("泄漏方式")
    rk = st.radio("方式", list(em.RELEASE_KINDS), format_func=em.RELEASE_KINDS.get, key="em_release")
    hole = st.number_input("泄漏孔径（mm）", value=25.0, key="em_hole", disabled=rk != "hole", **_HOLE_MM)
    rate = st.number_input(
        "泄漏速率（kg/s）", value=5.0, min_value=0.01, step=1.0, key="em_rate", disabled=rk != "continuous"
    )
    dur = st.number_input("最长泄漏时间（min）", value=30.0, min_value=1.0, step=5.0, key="em_duration")
    d1, d2 = st.columns(2)
    day = d1.date_input(
        "事故日期（北京时间）", value=dt.datetime.now(BEIJING_TZ).date(), format="YYYY-MM-DD", key="em_date"
    )
    t = d2.time_input(
        "事故时间（北京时间）", value=dt.time(22, 0), key="em_time", step=dt.timedelta(minutes=30)
    )
    return rk, hole, rate, dur, dt.datetime.combine(day, t, tzinfo=BEIJING_TZ)


#: Form values before any input or observation (wind from [°], wind speed [m/s], cloud cover [成, tenths]); the
#: cloud cover is plan()'s one default (analysis.emergency.DEFAULT_NIGHT_CLOUD_COVER: a clear night, class F/E).
_WEATHER_DEFAULTS = {"em_wind_from": 45.0, "em_wind_speed": 2.0, "em_cloud": 0}


def _observation_inputs(st) -> None:  # pragma: no cover - exercised by AppTest
    """The live-wind block: a station file or a local-network URL; "读取最新观测" fills the form with the newest
    reading when it is within the age limit, else says why it was not used (the form keeps its values)."""
    from analysis.emergency.observations import latest_observation
    from app.live_weather import load_observations, observations_from_bytes

    with st.expander("实时气象：气象站文件或局域网地址", expanded=bool(st.session_state.get("em_obs"))):
        up = st.file_uploader("气象站观测文件（CSV/JSON）", type=["csv", "json", "txt"], key="em_obs_file")
        url = st.text_input(
            "或局域网地址（http://…）",
            key="em_obs_url",
            help="列：time（ISO 8601，无时区按北京时间）、direction（来风方向，°）、speed（m/s）、可选 cloud_cover（oktas，0–8）",
        )
        max_age = st.number_input(
            "观测时效（min）", value=30.0, min_value=1.0, step=5.0, key="em_obs_max_age"
        )
        if st.button("读取最新观测", key="em_obs_load"):
            try:
                if up is not None:
                    obs, name = observations_from_bytes(up.getvalue(), up.name), up.name
                elif url.strip():
                    obs, name = load_observations(url.strip()), url.strip()
                else:
                    raise ValueError("请先上传气象站观测文件或填写局域网地址")
                chk = latest_observation(obs, max_age_s=max_age * 60.0)
            except ValueError as exc:
                st.session_state["em_obs"] = ("error", f"气象观测读取失败：{message_zh(exc)}", None)
            else:
                st.session_state["em_obs"] = (chk.status, f"{chk.message_zh}（{name}）", chk.observation)
                if chk.usable:
                    o = chk.observation
                    st.session_state["em_wind_from"] = float(o.wind_from_deg)
                    st.session_state["em_wind_speed"] = float(o.wind_speed)
                    if o.cloud_oktas is not None:
                        st.session_state["em_cloud"] = int(
                            round(o.cloud_oktas / 8.0 * 10.0)
                        )  # oktas -> tenths
    saved = st.session_state.get("em_obs")
    if not saved:
        return
    status, msg, o = saved
    if status == "ok":
        st.success(msg, icon=":material/sensors:")
        if (st.session_state["em_wind_from"], st.session_state["em_wind_speed"]) != (
            o.wind_from_deg,
            o.wind_speed,
        ):
            st.caption("注意：表单中的风向或风速已手动修改，与该观测不同。")
    elif status == "error":
        st.error(msg, icon=":material/error:")
    else:
        st.warning(msg, icon=":material/warning:")


def _weather_inputs(st, when):  # pragma: no cover - exercised by AppTest
    """Wind from [°], wind speed [m/s] and the stability class (chosen, or from day/night and cloud cover); the
    wind may come from a weather station (:func:`_observation_inputs`)."""
    from analysis import emergency as em
    from analysis import scenarios as sc
    from analysis.weather import DIRECTION_LABELS_ZH

    st.subheader("气象")
    for k, v in _WEATHER_DEFAULTS.items():
        st.session_state.setdefault(k, v)
    _observation_inputs(st)
    wind_from = st.number_input(
        "风向（来风方向，°）",
        step=22.5,
        key="em_wind_from",
        help="风从哪个方向吹来，顺时针自正北：0 北风，45 东北风，90 东风。",
    )
    k = int(round((wind_from % 360) / 22.5)) % 16
    st.caption(f"{DIRECTION_LABELS_ZH[k]}风，烟云飘向 {(wind_from + 180) % 360:.0f}°")
    wind_speed = st.number_input("风速（m/s，10 m 高）", step=0.5, key="em_wind_speed")
    how = st.radio("稳定度", ["按昼夜与云量（Turner 1970）", "直接选择"], key="em_stab_how", horizontal=True)
    day = em.is_daytime(when)
    if how == "直接选择":
        stability = st.selectbox(
            "大气稳定度",
            list(sc.STABILITY_CLASSES),
            index=5,
            format_func=sc.STABILITY_LABELS_ZH.get,
            key="em_stability",
        )
    else:
        cloud = st.slider("云量（成）", 0, 10, key="em_cloud") / 10.0
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
            st.error(f"输入有误：{message_zh(exc)}", icon=":material/error:")
            st.stop()
        st.caption(f"{'白天' if day else '夜间'} → 稳定度 {sc.STABILITY_LABELS_ZH[stability]}")
    return wind_from, wind_speed, stability


def _show_results(st, park, settings, plan) -> None:  # pragma: no cover - AppTest
    """The map, the zone and ERG tables, the protective action per target, the routes, the assembly points and
    the assumptions."""
    from streamlit_folium import st_folium

    from app.mapping.focus import remember_focus

    result = plan.result
    m = emergency_map(
        park,
        result,
        routes=plan.routes,
        assembly=plan.assembly,
        route_zone=plan.route_zone,
        basemap=settings.basemap,
    )
    # The next maps (园区一张图's too) open on the zones just computed: the toxic band, else fire, else isolation.
    zones = next((z for z in (result.band, result.fire) if len(z)), result.isolation)
    remember_focus(st.session_state, zones, label=f"{result.source.source_id} 应急危险区")
    st_folium(m, height=MAP_HEIGHT, use_container_width=True, returned_objects=[], key="em_map")
    st.markdown(
        f"**扩散模型：** {'重气（Britter-McQuaid 1988）' if result.dense_gas else '高斯烟羽/烟团'}；"
        f"**ERG 泄漏规模：** {'小量' if result.spill_size == 'small' else '大量'}；"
        f"**时段：** {'白天' if result.daytime else '夜间'}"
    )
    for n in result.notes:
        st.caption(n)
    st.subheader("危险区与 ERG 对照")
    st.dataframe(display_frame(zone_erg_table(result)), hide_index=True, width="stretch")
    erg = erg_table(result)
    if erg.empty:
        st.caption("ERG 附表中没有该物质或该泄漏规模的条目。")
    else:
        st.dataframe(erg, hide_index=True, width="stretch")
        beyond = bool(result.erg["beyond_table"].any()) if "beyond_table" in result.erg else False
        st.caption(
            "ERG 2024 大量泄漏按表 3 取值：容器按设施类型和存量选取（能装下该存量的最小容器；钢瓶库取钢瓶行），"
            "风速等级按 10 m 风速（低 < 10 km/h，中 10–20 km/h，高 > 20 km/h）。"
            "ERG 防护行动距离是大量假想泄漏与气象记录的第 90 百分位（AEGL-2/ERPG-2，前 30 min），"
            "本模型为给定泄漏与气象下的确定值，两者不必一致。"
        )
        if beyond:
            st.warning(
                "该固定设施的存量大于一节铁路罐车，超出 ERG 表 3 的范围：表中距离可能偏小，以本模型的危险区为准。",
                icon=":material/warning:",
            )
    if isinstance(plan, ZonesOnly):
        st.info(
            "管道或任意地点的泄漏目前只给出危险区与 ERG 对照；逐目标的防护行动建议、避开烟云的疏散路线和集合点"
            "只对装置设施泄漏计算（泄漏源类型选“装置设施”）。",
            icon=":material/info:",
        )
        _assumptions(st, plan)
        return
    st.subheader("防护行动（按紧急程度）")
    if plan.targets.empty:
        st.caption("各区内没有防护目标或建筑。")
    else:
        st.dataframe(display_frame(targets_display(plan.targets)), hide_index=True, width="stretch")
        st.caption(
            "浓度为目标处室外最大浓度（3 位有效数字），所在区按该浓度判定。撤离：能在烟云到达前撤到集合点；"
            "就地避险：来不及撤出且室内剂量低于阈值（AEGL-2 × 60 min）；立即撤离：室内也不安全。"
        )
    st.subheader("疏散路线（不进入 AEGL-2 区及其风向不确定带）")
    if plan.routes is None or plan.routes.empty:
        st.caption("没有可用的疏散路线：没有道路图层，或没有避开危险区的安全集合点。")
    else:
        st.dataframe(routes_display(plan.routes), hide_index=True, width="stretch")
        st.caption("区内出口段：起点在危险区内的目标先横风向离开的路段长度（地图上红色虚线）。")
    st.subheader("集合点（区外，上风或侧风向）")
    if plan.assembly is None or plan.assembly.empty:
        st.caption("没有安全的集合点：所有目标就地避险，或由指挥部另定。")
    else:
        st.dataframe(assembly_display(plan.assembly), hide_index=True, width="stretch")
    _assumptions(st, plan)


def _assumptions(st, plan) -> None:  # pragma: no cover - AppTest
    with st.expander("计算假设与模型"):
        st.markdown("\n".join(f"- {a}" for a in plan.assumptions))


def _downloads(st, park, source, plan, *, sig: str) -> None:  # pragma: no cover
    """GeoJSON, KML and (on request, for an installation's plan) the one-page PDF briefing of the inputs shown
    (``sig``)."""
    import tempfile
    from pathlib import Path

    from analysis import emergency as em

    layers = em.briefing_layers(plan.result, plan.routes, plan.assembly)
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
    if isinstance(plan, ZonesOnly):
        d1.caption("一页简报 PDF 只对装置设施泄漏生成。")
        return
    # The PDF (map image + page, a few seconds) is made on request, for the inputs shown.
    if d1.button("生成一页简报 PDF", key="em_make_pdf"):
        from app.reports.briefing import write_briefing_pdf

        saved = st.session_state.get("em_obs")
        note = ""
        if saved and saved[0] == "ok":
            o = saved[2]
            if (st.session_state.get("em_wind_from"), st.session_state.get("em_wind_speed")) == (
                o.wind_from_deg,
                o.wind_speed,
            ):
                note = f"风向风速取自气象站观测 {o.describe_zh()}"
        with st.spinner("正在生成简报……"), tempfile.TemporaryDirectory() as tmp:
            pdf = write_briefing_pdf(Path(tmp) / "brief.pdf", plan, park, weather_note=note)
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

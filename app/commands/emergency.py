"""``parkrisk evacuate``: emergency zones, affected targets, evacuation routes and the one-page briefing of a release.

Example::

    parkrisk evacuate park.gpkg --unit T-3 --wind-from 45 --wind-speed 2 --time 22:00 -o brief.pdf
    parkrisk evacuate park.gpkg --unit T-3 --observations http://192.168.1.20/station.csv --max-age-min 30

A release at an installation (``--unit``) gets the full protective-action plan of :func:`analysis.emergency.plan`:
per target the cloud's arrival, the indoor and outdoor dose and the recommendation with its reason, routes that
leave the cloud, and safe assembly points. A release on a pipeline or at a point gets the zones and the ERG
comparison only (said on screen). ``--observations`` takes the wind (and cloud cover) from the newest reading of a
weather-station file or a CSV/JSON URL on the local network (:mod:`app.live_weather`); a reading older than
``--max-age-min`` (or missing) ends the command with a Chinese message — it is never replaced by a default.

The output's extension chooses the format: ``.pdf`` (one-page briefing), ``.geojson`` / ``.json`` (zones, routes and
assembly points, WGS84) or ``.kml`` (same, for field devices). Several ``-o`` may be given. Without ``--stability``
the Pasquill class follows from the wind speed, day or night (``--time``) and ``--cloud-cover`` / ``--insolation``
(Turner 1970, Table 1). Bad input ends in a Chinese message and exit code 1, never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
from pathlib import Path

from app.commands._common import (
    add_coords_argument,
    check_outputs,
    fail,
    load_park_or_fail,
    park_path,
    reports_errors,
    safe_output,
)
from app.results_cli import add_store_argument

log = logging.getLogger(__name__)

_SUFFIXES = (".pdf", ".geojson", ".json", ".kml")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "evacuate",
        help="应急疏散：泄漏的中毒/火灾分区、受影响目标、疏散路线和一页简报（PDF/GeoJSON/KML）",
        description="计算一次泄漏的危险区（AEGL-3/2/1、风向不确定带、初始隔离区，与 ERG 对照）、受影响的敏感目标"
        "（人数、烟云到达时间、浓度、撤离/就地避险建议）、上风向集合点和疏散路线，并输出简报。",
    )
    p.add_argument("park", help="园区文件路径（GeoPackage、GeoJSON 文件夹等）")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--unit", help="泄漏设施编号 unit_id，例如 T-3（物质、存量、压力、温度取自设施属性）")
    src.add_argument("--pipeline", help="泄漏管道编号 pipeline_id，例如 PL-01（配合 --along）")
    src.add_argument(
        "--point",
        nargs=2,
        type=float,
        metavar=("LON", "LAT"),
        help="泄漏地点经纬度 [°]（WGS84；需 --substance 和 --inventory-kg）",
    )
    p.add_argument("--along", type=float, default=0.5, help="管道上的位置（占全长比例 0–1），默认 0.5")
    p.add_argument("--substance", help="物质（指定地点时必填；也可覆盖设施属性）")
    p.add_argument("--inventory-kg", type=float, help="可泄漏量 [kg]（指定地点时必填）")
    p.add_argument(
        "--release",
        choices=("hole", "continuous", "instantaneous"),
        default="hole",
        help="泄漏方式：hole 孔口泄漏（默认）、continuous 给定速率、instantaneous 瞬时全部泄漏",
    )
    p.add_argument("--hole-diameter", type=float, default=0.025, help="孔径 [m]，默认 0.025")
    p.add_argument("--rate", type=float, help="连续泄漏速率 [kg/s]（--release continuous）")
    p.add_argument("--duration", type=float, default=1800.0, help="最长泄漏时间 [s]，默认 1800")
    p.add_argument(
        "--wind-from",
        type=float,
        default=None,
        help="风向（来风方向，顺时针自正北）[°]，默认 45（或取自 --observations）",
    )
    p.add_argument(
        "--wind-speed", type=float, default=None, help="10 m 高处风速 [m/s]，默认 2（或取自 --observations）"
    )
    p.add_argument(
        "--observations",
        metavar="FILE_OR_URL",
        help="气象站观测文件或局域网内的 CSV/JSON 地址（列：time、direction [°，来向]、speed [m/s]、可选 cloud_cover [oktas]）；"
        "取最新一条观测作为风向、风速（和云量）",
    )
    p.add_argument(
        "--max-age-min",
        type=float,
        default=30.0,
        help="观测时效 [min]：最新观测早于此时长则报错而不采用，默认 30",
    )
    p.add_argument(
        "--stability",
        choices=("A", "B", "C", "D", "E", "F"),
        help="大气稳定度；省略时按风速、昼夜和云量/日照由 Turner (1970) 表 1 确定",
    )
    p.add_argument(
        "--cloud-cover",
        type=float,
        default=None,
        help="夜间云量（0–1），默认 0（晴夜，稳定度更高、毒害区更远的保守取值；或取自 --observations）",
    )
    p.add_argument(
        "--insolation",
        choices=("strong", "moderate", "slight"),
        default="moderate",
        help="白天日照强度，默认 moderate",
    )
    p.add_argument(
        "--time",
        default=None,
        help="事故时间（北京时间）HH:MM 或 YYYY-MM-DD HH:MM（决定昼夜和人口），默认当前时间",
    )
    p.add_argument(
        "--travel-mode",
        choices=("walk", "bus"),
        default="walk",
        help="撤离方式：walk 步行（默认）、bus 大客车",
    )
    p.add_argument("--warning-time", type=float, default=600.0, help="预警与动员时间 [s]，默认 600")
    p.add_argument("--uncertainty", type=float, default=22.5, help="风向不确定带半角 [°]，默认 22.5")
    p.add_argument(
        "-o",
        "--output",
        action="append",
        default=[],
        help="输出文件：.pdf 简报、.geojson/.json 或 .kml；可多次给出；不能是园区文件本身，已存在则整体替换",
    )
    add_coords_argument(p)
    add_store_argument(p)  # --store: the plan kept with the park (app.results_cli)
    p.set_defaults(func=run)


@reports_errors
def run(args: argparse.Namespace) -> int:
    from analysis import emergency as em

    path = park_path(args.park)
    for o in args.output:
        if Path(o).suffix.lower() not in _SUFFIXES:
            return fail(f"输出文件 {o} 的扩展名应为 {'、'.join(_SUFFIXES)} 之一。")
    check_outputs(args.output, inputs=[path])
    try:
        when = release_time(args.time)
        wind_from, wind_speed, cloud, obs_line = _wind(args)
    except ValueError as exc:
        return fail(str(exc))
    if obs_line:
        print(obs_line)
    park = load_park_or_fail(path, coords=args.coords)
    full_plan = bool(args.unit) and args.substance is None and args.inventory_kg is None
    if not full_plan and any(Path(o).suffix.lower() == ".pdf" for o in args.output):
        return fail(
            "一页简报 PDF 需要完整的防护行动计划，目前只对装置设施泄漏（--unit，不覆盖物质和存量）生成。"
        )
    try:
        release = em.Release(
            kind=args.release, hole_diameter=args.hole_diameter, rate=args.rate, duration=args.duration
        )
        opts = dict(
            release=release,
            stability=args.stability,
            insolation=args.insolation,
            cloud_cover=cloud,
            uncertainty_half_angle_deg=args.uncertainty,
            travel_mode=args.travel_mode,
            warning_time_s=args.warning_time,
        )
        if full_plan:
            p = em.plan(
                park, unit_id=args.unit, wind_from=wind_from, wind_speed=wind_speed, time=when, **opts
            )
            result, routes, assembly = p.result, p.routes, p.assembly
        else:
            p = None
            result = _zones_only(park, args, em, release, when, wind_from, wind_speed, cloud)
            routes = assembly = None
    except ValueError as exc:
        return fail(str(exc))
    _print_zones(result, when, args)
    if p is not None:
        _print_plan(p)
    else:
        print(
            "注意：管道或任意地点的泄漏目前只给出危险区与 ERG 对照；逐目标防护行动建议、避开烟云的疏散路线和集合点"
            "只对装置设施泄漏（--unit）计算。"
        )
    for o in args.output:
        out = Path(o)
        with safe_output(out, inputs=[path]) as tmp:
            if out.suffix.lower() == ".pdf":
                from app.reports.briefing import write_briefing_pdf

                write_briefing_pdf(tmp, p, park)
            else:
                layers = em.briefing_layers(result, routes, assembly)
                (em.to_kml if out.suffix.lower() == ".kml" else em.to_geojson)(layers, tmp)
        print(f"已写出：{out}")
    if args.store:  # the plan kept with the park (app.results_cli), as the page's 保存 button keeps it
        import dataclasses

        from app.results_cli import store_or_fail

        if p is None:
            return fail("--store 只保存装置设施泄漏（--unit）的完整应急方案")
        kept = {"source": {"unit_id": args.unit}, "wind_from_deg": wind_from, "wind_speed": wind_speed}
        kept |= {"time": when.isoformat(), "release": dataclasses.asdict(release)}
        kept |= {"plan_options": {k: v for k, v in opts.items() if k != "release"}}
        return store_or_fail("emergency", p, park, path, options=kept)
    return 0


def release_time(text: str | None) -> dt.datetime:
    """The release time as an aware Beijing time: "HH:MM" (today in Beijing), "YYYY-MM-DD HH:MM" or ISO 8601;
    None: now."""
    from analysis.emergency.observations import BEIJING_TZ

    now = dt.datetime.now(BEIJING_TZ)
    if text is None:
        return now.replace(second=0, microsecond=0)
    s = str(text).strip()
    try:
        if len(s) <= 5 and ":" in s:
            t = dt.time.fromisoformat(s.zfill(5))
            return dt.datetime.combine(now.date(), t, tzinfo=BEIJING_TZ)
        d = dt.datetime.fromisoformat(s)
    except ValueError:
        raise ValueError(
            f"--time 事故时间={text!r} 无效，应为 HH:MM（如 22:00）或 YYYY-MM-DD HH:MM（北京时间）"
        ) from None
    return d.astimezone(BEIJING_TZ) if d.tzinfo is not None else d.replace(tzinfo=BEIJING_TZ)


def em_default_cloud() -> float:
    """The night cloud cover when none is given: plan()'s one default (analysis.emergency.DEFAULT_NIGHT_CLOUD_COVER)."""
    from analysis.emergency import DEFAULT_NIGHT_CLOUD_COVER

    return DEFAULT_NIGHT_CLOUD_COVER


def _wind(args) -> tuple[float, float, float, str]:
    """Wind from [°], speed [m/s], night cloud cover [-] and the line that says where they come from."""
    if not args.observations:
        cloud = em_default_cloud() if args.cloud_cover is None else args.cloud_cover
        wf = 45.0 if args.wind_from is None else args.wind_from
        ws = 2.0 if args.wind_speed is None else args.wind_speed
        return wf, ws, cloud, ""
    if args.wind_from is not None or args.wind_speed is not None:
        raise ValueError("--observations 与 --wind-from/--wind-speed 不能同时给出：风向风速只取一个来源")
    from analysis.emergency.observations import latest_observation
    from app.live_weather import load_observations

    if not (args.max_age_min > 0):
        raise ValueError(f"--max-age-min 观测时效={args.max_age_min!r} min 无效，应为正数")
    check = latest_observation(load_observations(args.observations), max_age_s=args.max_age_min * 60.0)
    if not check.usable:
        raise ValueError(f"{check.message_zh}（{args.observations}）")
    o = check.observation
    cloud = args.cloud_cover
    if cloud is None:
        cloud = o.cloud_fraction if o.cloud_fraction is not None else em_default_cloud()
    return o.wind_from_deg, o.wind_speed, cloud, f"气象观测：{check.message_zh}（{args.observations}）"


def _zones_only(park, args, em, release, when, wind_from, wind_speed, cloud):
    """Zones and ERG of a release on a pipeline or at a point (or at a unit with its substance/inventory changed)."""
    from analysis import scenarios as sc

    hhmm = f"{when:%H:%M}"
    stability = args.stability or em.pasquill_stability(
        wind_speed, daytime=em.is_daytime(hhmm), insolation=args.insolation, cloud_cover=cloud
    )
    weather = sc.Weather(wind_speed=wind_speed, wind_from_deg=wind_from, stability=stability)
    point = None
    if args.point:
        from pyproj import Transformer

        tr = Transformer.from_crs(4326, park.metric_crs, always_xy=True)
        point = tr.transform(args.point[0], args.point[1])
    source = em.release_source(
        park,
        unit_id=args.unit,
        pipeline_id=args.pipeline,
        along=args.along,
        point=point,
        substance=args.substance,
        inventory_kg=args.inventory_kg,
    )
    return em.emergency_zones(
        source,
        release,
        weather,
        crs=park.metric_crs,
        time_of_day=hhmm,
        uncertainty_half_angle_deg=args.uncertainty,
    )


def _print_zones(result, when: dt.datetime, args) -> None:
    from analysis.emergency.observations import format_beijing
    from app.present.emergency import erg_label_zh

    src = result.source
    print(f"泄漏源：{src.source_id} {src.name}，物质 {src.substance}；{result.release.describe_zh()}")
    print(
        f"气象：{result.weather.describe_zh()}（{'白天' if result.daytime else '夜间'}，{format_beijing(when)}"
        f"{'' if args.stability else '，稳定度按 Turner 1970 表 1'}）"
    )
    print(f"扩散模型：{'重气 Britter-McQuaid (1988)' if result.dense_gas else '高斯烟羽/烟团'}")
    print("危险区（下风向最远距离）：")
    for r in result.toxic.itertuples():
        print(f"  {r.level:7s} {r.threshold * 1e6:8.3g} mg/m³  {r.max_distance:9,.0f} m")
    for r in result.fire.itertuples():
        print(f"  {r.scenario_zh} {r.level}  {r.max_distance:9,.0f} m")
    print(
        f"  初始隔离区 半径 {result.isolation['radius_m'].iloc[0]:g} m（{result.isolation['source'].iloc[0]}）"
    )
    for r in result.erg.itertuples():
        label = erg_label_zh(r._asdict())
        print(
            f"  ERG 对照（{label}，{'已核实' if r.verified else '未能核实'}）：隔离 {r.isolation_m:g} m，"
            f"{'白天' if r.period == 'day' else '夜间'}防护距离 {r.protective_action_m / 1e3:g} km；"
            f"本模型 AEGL-2 {r.model_aegl2_m / 1e3:.2f} km"
        )
        if r.note_zh:
            print(f"    {r.note_zh}")


def _print_plan(p) -> None:
    from app.present.emergency import conc_text

    t = p.targets
    print(f"防护行动（{len(t)} 处目标，按紧急程度）：")
    for r in t.itertuples():
        pop = "—" if r.population is None or str(r.population) in ("<NA>", "nan") else str(r.population)
        route = ""
        if r.recommendation == "evacuate" and isinstance(r.assembly_id, str) and r.assembly_id:
            route = f"，去 {r.assembly_id}（路线 {r.length_m:,.0f} m）"
        elif r.recommendation == "evacuate" and r.route_status == "crosswind_exit":
            route = f"，横风向撤出危险区（区内 {r.length_in_zone_m:,.0f} m）"
        print(
            f"  {r.name}（{r.target_id}，{r.level}，{conc_text(r.concentration_mg_m3, r.concentration_ppm)}，"
            f"{pop} 人，约 {r.arrival_s / 60:.0f} min 到达）→ {r.recommendation_zh}{route}"
        )
        print(f"      理由：{r.reason}")
    a = p.assembly
    print(f"集合点 {len(a)} 个：")
    for r in a.itertuples():
        cap = (
            ""
            if r.capacity is None or str(r.capacity) in ("<NA>", "nan")
            else f"，容纳 {float(r.capacity):,.0f} 人"
        )
        print(f"  {r.assembly_id} {r.name}：距泄漏源 {r.distance_m:,.0f} m，方位 {r.bearing_deg:.0f}°{cap}")
    inside = p.routes[p.routes["length_in_zone_m"] > 0] if len(p.routes) else p.routes
    longest = f"，区内出口段最长 {inside['length_in_zone_m'].max():,.0f} m" if len(inside) else ""
    print(
        f"疏散路线 {len(p.routes)} 条（不进入 AEGL-2 区及其风向不确定带）；其中 {len(inside)} 条起点在区内，"
        f"先横风向离开{longest}"
    )

"""``parkrisk evacuate``: emergency zones, affected targets, evacuation routes and the one-page briefing of a release.

Example::

    parkrisk evacuate park.gpkg --unit T-3 --wind-from 45 --wind-speed 2 --time 22:00 -o brief.pdf

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
    p.add_argument("--wind-from", type=float, default=45.0, help="风向（来风方向，顺时针自正北）[°]，默认 45")
    p.add_argument("--wind-speed", type=float, default=2.0, help="10 m 高处风速 [m/s]，默认 2")
    p.add_argument(
        "--stability",
        choices=("A", "B", "C", "D", "E", "F"),
        help="大气稳定度；省略时按风速、昼夜和云量/日照由 Turner (1970) 表 1 确定",
    )
    p.add_argument("--cloud-cover", type=float, default=0.5, help="夜间云量（0–1），默认 0.5")
    p.add_argument(
        "--insolation",
        choices=("strong", "moderate", "slight"),
        default="moderate",
        help="白天日照强度，默认 moderate",
    )
    p.add_argument("--temperature-k", type=float, default=293.15, help="气温 [K]，默认 293.15")
    p.add_argument("--time", default=None, help="事故时间 HH:MM（决定昼夜和人口），默认当前时间")
    p.add_argument("--evacuation-time", type=float, default=1200.0, help="完成疏散所需时间 [s]，默认 1200")
    p.add_argument("--uncertainty", type=float, default=22.5, help="风向不确定带半角 [°]，默认 22.5")
    p.add_argument(
        "-o",
        "--output",
        action="append",
        default=[],
        help="输出文件：.pdf 简报、.geojson/.json 或 .kml；可多次给出；不能是园区文件本身，已存在则整体替换",
    )
    add_coords_argument(p)
    p.set_defaults(func=run)


@reports_errors
def run(args: argparse.Namespace) -> int:
    from analysis import emergency as em
    from analysis import scenarios as sc

    path = park_path(args.park)
    for o in args.output:
        if Path(o).suffix.lower() not in _SUFFIXES:
            return fail(f"输出文件 {o} 的扩展名应为 {'、'.join(_SUFFIXES)} 之一。")
    check_outputs(args.output, inputs=[path])
    park = load_park_or_fail(path, coords=args.coords)
    when = args.time or dt.datetime.now().strftime("%H:%M")
    try:
        daytime = em.is_daytime(when)
        stability = args.stability or em.pasquill_stability(
            args.wind_speed, daytime=daytime, insolation=args.insolation, cloud_cover=args.cloud_cover
        )
        weather = sc.Weather(
            wind_speed=args.wind_speed,
            wind_from_deg=args.wind_from,
            stability=stability,
            temperature_k=args.temperature_k,
        )
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
        release = em.Release(
            kind=args.release, hole_diameter=args.hole_diameter, rate=args.rate, duration=args.duration
        )
        result = em.emergency_zones(
            source,
            release,
            weather,
            crs=park.metric_crs,
            time_of_day=when,
            uncertainty_half_angle_deg=args.uncertainty,
        )
        affected = em.affected_targets(result, park, time_of_day=when, evacuation_time_s=args.evacuation_time)
        routes, assembly = em.evacuation_routes(result, park, affected)
    except ValueError as exc:
        return fail(str(exc))

    print(f"泄漏源：{source.source_id} {source.name}，物质 {source.substance}；{release.describe_zh()}")
    print(
        f"气象：{weather.describe_zh()}（{'白天' if result.daytime else '夜间'} {when}"
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
        print(
            f"  ERG 对照（{r.edition}，{'已核实' if r.verified else '未能核实'}）：隔离 {r.isolation_m:g} m，"
            f"防护距离 {r.protective_action_m / 1e3:g} km；本模型 AEGL-2 {r.model_aegl2_m / 1e3:.2f} km"
        )
    tg = affected[affected["layer"] == "sensitive_targets"] if len(affected) else affected
    print(f"受影响敏感目标 {len(tg)} 处：")
    for r in tg.itertuples():
        pop = "—" if r.population is None or str(r.population) == "<NA>" else str(r.population)
        print(
            f"  {r.name}（{r.level}，{pop} 人，约 {r.arrival_time_s / 60:.0f} min 到达）→ {r.recommendation_zh}"
        )
    print(f"集合点 {len(assembly)} 个，疏散路线 {len(routes)} 条")
    for o in args.output:
        out = Path(o)
        with safe_output(out, inputs=[path]) as tmp:
            if out.suffix.lower() == ".pdf":
                from app.reports.briefing import write_briefing_pdf

                write_briefing_pdf(
                    tmp, result, park, affected, routes=routes, assembly=assembly, time_of_day=when
                )
            else:
                layers = em.briefing_layers(result, routes, assembly)
                (em.to_kml if out.suffix.lower() == ".kml" else em.to_geojson)(layers, tmp)
        print(f"已写出：{out}")
    return 0

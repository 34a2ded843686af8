"""``parkrisk zones``: threat zones of one accident scenario at one installation, written as GeoJSON.

Example::

    parkrisk zones park.gpkg --unit T-3 --scenario toxic --wind-from 45 --wind-speed 2 --stability D -o zones.geojson

GeoJSON is written in WGS84 longitude/latitude as RFC 7946 requires; a GeoPackage (``.gpkg``) keeps the park's
metric CRS. A summary (zone distances, people and features inside each zone) and the assumptions are printed in
Chinese. Bad input ends in a Chinese message and exit code 1, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
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

_KINDS = ("pool_fire", "jet_fire", "fireball", "flash_fire", "vce", "toxic", "vessel_burst", "bleve_blast")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "zones",
        help="后果分析：计算某设施某事故情景的伤害分区（热辐射/超压/毒性），输出 GeoJSON",
        description="计算一个设施在给定事故情景与气象条件下的伤害分区（威胁区），输出 GeoJSON（WGS84）或 GeoPackage。",
    )
    p.add_argument("park", help="园区文件路径（GeoPackage、GeoJSON 文件夹等）")
    p.add_argument("--unit", required=True, help="设施编号 unit_id，例如 T-3")
    p.add_argument("--scenario", choices=_KINDS, help="事故情景；省略时列出该设施适用的情景")
    p.add_argument("--wind-from", type=float, default=0.0, help="风向（来风方向，顺时针自正北）[°]，默认 0")
    p.add_argument("--wind-speed", type=float, default=2.0, help="10 m 高处风速 [m/s]，默认 2")
    p.add_argument("--stability", default="D", help="大气稳定度 A–F，默认 D")
    p.add_argument("--temperature-k", type=float, default=293.15, help="气温 [K]，默认 293.15")
    p.add_argument("--humidity", type=float, default=0.7, help="相对湿度 0–1，默认 0.7")
    p.add_argument("--terrain", default="rural", help="地表类型 rural（乡村）或 urban（城市），默认 rural")
    p.add_argument(
        "--hole-diameter", type=float, default=None, help="泄漏孔径 [m]；省略则按整体破裂/10 min 泄放"
    )
    p.add_argument("--release-duration", type=float, default=None, help="全部存量的泄放时间 [s]（如 600）")
    p.add_argument(
        "-o",
        "--output",
        help="输出文件（.geojson 为 WGS84；.gpkg 为园区米制坐标系）；不能是园区文件本身，已存在则整体替换",
    )
    add_coords_argument(p)
    p.set_defaults(func=run)


@reports_errors
def run(args: argparse.Namespace) -> int:
    from analysis import scenarios as sc
    from analysis.scenarios import zones as zn

    path = park_path(args.park)
    if args.output and Path(args.output).suffix.lower() not in (".geojson", ".json", ".gpkg"):
        return fail(f"输出文件 {args.output} 的扩展名应为 .geojson、.json 或 .gpkg。")
    check_outputs([args.output], inputs=[path])
    park = load_park_or_fail(path, coords=args.coords)
    try:
        inst = park.metric("installations")
        hit = inst[inst["unit_id"].astype(str) == str(args.unit)]
        if hit.empty:
            known = ", ".join(inst["unit_id"].astype(str).tolist()[:30])
            return fail(f"设施编号 --unit={args.unit!r} 不存在。园区中的设施编号有：{known}")
        row = hit.iloc[0]
        options = sc.applicable_scenarios(row)
        if args.scenario is None:
            print(f"设施 {args.unit}（{row['name']}）适用的事故情景：")
            for o in options:
                print(f"  {o.kind:13s} {o.label_zh}：{o.reason_zh}")
            if not options:
                print("  （无：固体或既不可燃也无毒的物质）")
            return 0
        weather = sc.Weather(
            wind_speed=args.wind_speed,
            wind_from_deg=args.wind_from,
            stability=args.stability,
            temperature_k=args.temperature_k,
            relative_humidity=args.humidity,
            terrain=args.terrain,
        )
        scenario = sc.Scenario(
            args.scenario, hole_diameter=args.hole_diameter, release_duration=args.release_duration
        )
        if args.scenario not in [o.kind for o in options]:
            print(
                f"提示：情景 {scenario.label_zh} 不在该设施的适用情景中（{', '.join(o.kind for o in options) or '无'}），"
                "仍按要求计算。",
                file=sys.stderr,
            )
        zones = zn.threat_zones(row, scenario, weather, crs=park.metric_crs)
        table = zn.affected(zones, park)
        summary = zn.affected_summary(zones, table)
    except ValueError as exc:
        return fail(str(exc))

    print(f"设施 {args.unit}（{row['name']}），情景：{scenario.label_zh}")
    print(f"气象：{weather.describe_zh()}")
    for s in summary.itertuples():
        print(
            f"  {s.label_zh}\n    最远距离 {s.max_distance:.0f} m；区内防护目标 {s.targets} 个"
            f"（白天 {s.population_day} 人 / 夜间 {s.population_night} 人），建筑 {s.buildings} 栋（{s.occupants} 人），"
            f"其他设施 {s.installations} 个"
        )
    print("假设与模型：")
    for a in zones.attrs["assumptions"]:
        print(f"  - {a}")
    if args.output:
        out = Path(args.output)
        with safe_output(out, inputs=[path]) as tmp:
            if out.suffix.lower() == ".gpkg":
                zones.to_file(tmp, driver="GPKG", layer="threat_zones")
            else:
                # RFC 7946 §4: GeoJSON coordinates are WGS84 longitude/latitude.
                zones.to_crs(4326).to_file(tmp, driver="GeoJSON", RFC7946="YES")
        print(f"已写出：{out}")
    return 0

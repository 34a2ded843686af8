"""``parkrisk validate | info | map``: check a park file, summarise it, draw it as a standalone HTML map.

Bad user data never produce a traceback: a :class:`~geodata.ParkDataError` prints the Chinese validation report and
a missing/unreadable file prints a Chinese message; both exit with code 1.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from app.commands._common import add_coords_argument, check_outputs, reports_errors, safe_output
from geodata import ParkDataError, load_park, schema

log = logging.getLogger(__name__)


def known_substance_checker() -> Callable[[str], bool] | None:
    """The substance check of every park loader (:func:`app.substance_check.substance_lookup`)."""
    from app.substance_check import substance_lookup

    return substance_lookup()


def _load(args: argparse.Namespace, out):
    """The park, or None after printing why it could not be loaded."""
    try:
        return load_park(args.path, coords=args.coords, known_substance=known_substance_checker())
    except ParkDataError as exc:
        print(exc.report.to_text_zh() if exc.report is not None else f"园区数据错误：{exc}", file=out)
    except OSError as exc:
        print(f"无法打开 {args.path}：{exc.strerror or exc}", file=out)
    return None


@reports_errors
def cmd_validate(args: argparse.Namespace) -> int:
    out = sys.stdout
    park = _load(args, out)
    if park is None:
        return 1
    print(park.report.to_text_zh(), file=out)
    return 0


@reports_errors
def cmd_info(args: argparse.Namespace) -> int:
    out = sys.stdout
    park = _load(args, out)
    if park is None:
        return 1
    lon0, lat0, lon1, lat1 = park.bounds
    mc = park.metric_crs
    lines = [
        f"园区：{park.name}",
        f"文件：{args.path}",
        "坐标系：EPSG:4326（WGS84 经纬度，用于显示）",
        f"分析用投影坐标系：EPSG:{mc.to_epsg()}（{mc.name}，单位 m）",
        f"范围：经度 {lon0:.6f}°–{lon1:.6f}°，纬度 {lat0:.6f}°–{lat1:.6f}°",
        "图层：",
    ]
    for name, gdf in park.layers.items():
        types = "、".join(sorted(set(gdf.geom_type.dropna()))) or "—"
        lines.append(f"  {schema.LAYERS[name].label_zh}（{name}）：{len(gdf)} 个要素，几何 {types}")
    if park.report.warnings:
        lines.append(f"警告 {len(park.report.warnings)} 个（运行 parkrisk validate 查看）")
    print("\n".join(lines), file=out)
    return 0


@reports_errors
def cmd_map(args: argparse.Namespace) -> int:
    out = sys.stdout
    check_outputs([args.output], inputs=[args.path])  # before loading: never overwrite the park
    park = _load(args, out)
    if park is None:
        return 1
    from app.mapping import park_map, save_html

    target = Path(args.output).expanduser()
    with safe_output(target, inputs=[args.path]) as tmp:
        save_html(park_map(park), tmp)  # Leaflet inlined: the file opens with no network
    print(f"已生成地图：{target}（{target.stat().st_size / 1024:.0f} KB）", file=out)
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("validate", help="校验园区数据，列出全部问题（有错误时退出码为 1）")
    p.add_argument("path", help="GeoPackage、图层文件夹或 CSV/XLSX 表格")
    add_coords_argument(p)
    p.set_defaults(func=cmd_validate)

    p = subparsers.add_parser("info", help="园区概况：图层、要素数、范围、坐标系")
    p.add_argument("path", help="GeoPackage、图层文件夹或 CSV/XLSX 表格")
    add_coords_argument(p)
    p.set_defaults(func=cmd_info)

    p = subparsers.add_parser("map", help="生成园区全部图层的离线 HTML 地图")
    p.add_argument("path", help="GeoPackage、图层文件夹或 CSV/XLSX 表格")
    p.add_argument(
        "-o", "--output", required=True, help="输出 HTML 文件（不能是园区文件本身；已存在则整体替换）"
    )
    add_coords_argument(p)
    p.set_defaults(func=cmd_map)

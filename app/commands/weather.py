"""``parkrisk weather``: import a park's meteorology into its GeoPackage, or show it.

``parkrisk weather import PARK FILE --station NAME [--lat --lon]``: FILE is a ready wind-rose table (CSV/XLSX with a
probability column) or hourly surface observations (time, wind_from_deg, wind_speed, cloud_cover_oktas, optional
ceiling_m), turned into a day/night rose by the Turner method. The tables are written INTO the park file: on a
temporary copy, in one SQLite transaction, then moved over the park file (:func:`geodata.weather.save_weather`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from app.commands._common import CommandError, load_park_or_fail, park_path, reports_errors

__all__ = ["register", "add_weather_argument", "weather_option"]


def add_weather_argument(parser: argparse.ArgumentParser) -> None:
    """``--generic-weather``: use the illustrative generic rose for a park without its own (said in every output)."""
    parser.add_argument(
        "--generic-weather",
        action="store_true",
        help="园区文件没有气象资料时，明确选用通用示意风玫瑰（结果仅作示意，所有输出均注明）；"
        "正式评估请先用 parkrisk weather import 导入园区气象站资料",
    )


def weather_option(args: argparse.Namespace) -> str | None:
    """The ``weather=`` of a risk run from ``--generic-weather`` (None: the park's own rose)."""
    from analysis.qra.options import GENERIC_WEATHER

    return GENERIC_WEATHER if getattr(args, "generic_weather", False) else None


def register(sub: argparse._SubParsersAction) -> None:
    w = sub.add_parser(
        "weather",
        help="气象条件：把风玫瑰表或逐时地面观测导入园区文件，或查看园区的气象资料",
        description="园区气象资料（风玫瑰与气象站信息）保存在园区 GeoPackage 中，个人风险与社会风险计算使用它。",
    )
    ws = w.add_subparsers(dest="weather_command", metavar="操作")
    i = ws.add_parser(
        "import",
        help="导入风玫瑰表（含 probability 列）或逐时观测（time, wind_from_deg, wind_speed, cloud_cover_oktas）",
        description="逐时观测按 Turner 法（EPA-454/R-99-005 表 6-4～6-6）确定稳定度，生成昼夜风玫瑰；结果写入园区文件。",
    )
    i.add_argument("park", help="园区 GeoPackage 文件（.gpkg），气象表写入其中")
    i.add_argument("file", help="风玫瑰表或逐时观测（.csv / .xlsx）")
    i.add_argument("--station", required=True, help="气象站名称")
    i.add_argument("--lat", type=float, help="气象站纬度 [°]，默认园区中心")
    i.add_argument("--lon", type=float, help="气象站经度 [°]，默认园区中心")
    i.add_argument("--anemometer-height", type=float, default=10.0, help="风速仪高度 [m]，默认 10")
    i.add_argument("--sectors", type=int, default=16, help="风向扇区数（逐时观测），默认 16")
    i.add_argument("--note", default="", help="说明（可选）")
    i.set_defaults(func=run_import)
    s = ws.add_parser("show", help="查看园区文件中的气象资料")
    s.add_argument("park", help="园区文件")
    s.set_defaults(func=run_show)
    w.set_defaults(func=lambda args: (w.print_help(), 2)[1])


@reports_errors
def run_import(args: argparse.Namespace) -> int:
    from app.weather_import import park_weather_from_table
    from geodata.weather import read_weather_file, save_weather

    path = park_path(args.park)
    if path.suffix.lower() != ".gpkg":
        raise CommandError(
            f"园区文件 {path} 不是 GeoPackage（.gpkg）：气象资料只能写入 .gpkg 园区文件，请先另存为 .gpkg。"
        )
    park = load_park_or_fail(path)
    src = Path(args.file).expanduser()
    if not src.is_file():
        raise CommandError(f"找不到气象文件 {src}，请检查路径。")
    lon, lat = park.center
    try:
        table = read_weather_file(src)
        got = park_weather_from_table(
            table,
            station=args.station,
            latitude=lat if args.lat is None else args.lat,
            longitude=lon if args.lon is None else args.lon,
            anemometer_height_m=args.anemometer_height,
            sectors=args.sectors,
            note=args.note,
            source_name=src.name,
        )
    except ValueError as exc:
        report = getattr(exc, "report", None)
        raise CommandError(report.to_text_zh() if report is not None else str(exc)) from None
    try:
        save_weather(path, got.weather)
    except OSError as exc:
        raise CommandError(f"无法写入园区文件 {path}：{exc.strerror or exc}（原文件未改动）。") from None
    print(got.summary_zh)
    print(f"已写入 {path}：{got.weather.describe_zh()}")
    return 0


@reports_errors
def run_show(args: argparse.Namespace) -> int:
    park = load_park_or_fail(park_path(args.park))
    if park.weather is None:
        raise CommandError(
            f"园区文件 {args.park} 没有气象资料。请用 parkrisk weather import {args.park} 观测或风玫瑰文件 --station 站名 导入。"
        )
    w = park.weather
    print(w.describe_zh())
    rose = w.rose
    if "period" in rose.columns:
        for per, zh in (("day", "白天"), ("night", "夜间")):
            print(f"{zh}：全年占 {rose.loc[rose['period'] == per, 'probability'].sum():.1%}")
    by = rose.groupby("stability")["probability"].sum()
    print("稳定度：" + "，".join(f"{k} {v:.1%}" for k, v in by.items()))
    return 0

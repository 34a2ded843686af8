"""``parkrisk pipelines``: segment the park's pipelines, identify high-consequence areas (GB 32167), write them out.

Example::

    parkrisk pipelines park.gpkg --segment 50 -o hca.gpkg [--xlsx hca.xlsx] [--transect transect.png]

The GeoPackage gets two layers in the park's metric CRS: ``hca`` (one row per high-consequence stretch: grade, rule,
targets) and ``segments`` (every segment with its HCA columns and outcome frequencies). A ``.geojson`` output holds
the HCA stretches in WGS84 (RFC 7946). A summary per line (potential impact radius, consequence distances) and the
HCA table are printed in Chinese. Bad input ends in a Chinese message and exit code 1, never a traceback.
"""

from __future__ import annotations

import argparse
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
from app.commands.weather import add_weather_argument, weather_option
from app.results_cli import add_store_argument

log = logging.getLogger(__name__)

_KINDS = ("transmission", "distribution", "process")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "pipelines",
        help="管道：分段、高后果区识别（GB 32167）、潜在影响半径与事故后果，输出 GeoPackage",
        description="将园区管道按设定长度分段，按 GB 32167-2015 识别高后果区并分级，计算潜在影响半径与事故后果，"
        "输出高后果区与分段图层（GeoPackage 为园区米制坐标系，GeoJSON 为 WGS84）。",
    )
    p.add_argument("park", help="园区文件路径（GeoPackage、GeoJSON 文件夹等）")
    p.add_argument("--segment", type=float, default=50.0, help="分段长度 [m]，默认 50")
    p.add_argument(
        "--kinds",
        default="transmission",
        help="参与高后果区识别的管道类别，逗号分隔（transmission, distribution, process），默认 transmission",
    )
    p.add_argument("--pipeline", action="append", default=None, help="只分析该管道编号（可重复）")
    p.add_argument(
        "-o",
        "--output",
        help="输出文件：.gpkg（图层 hca 与 segments）或 .geojson（高后果区，WGS84）；不能是园区文件本身，已存在则整体替换",
    )
    p.add_argument("--xlsx", help="另存高后果区表为 Excel 文件")
    p.add_argument("--transect", help="另存个人风险横断面图为 PNG 文件")
    p.add_argument(
        "--weather-reduction",
        choices=("none", "speed_per_stability"),
        default="none",
        help="风玫瑰气象类别：none 全部类别（默认）；speed_per_stability 同一稳定度的风速合并为概率加权代表风速（大风玫瑰提速）",
    )
    add_weather_argument(p)
    add_coords_argument(p)
    add_store_argument(p)  # --store: the HCAs kept with the park (app.results_cli)
    p.set_defaults(func=run)


@reports_errors
def run(args: argparse.Namespace) -> int:
    import numpy as np

    from analysis import pipelines as pp

    path = park_path(args.park)
    if args.output and Path(args.output).suffix.lower() not in (".gpkg", ".geojson", ".json"):
        return fail(f"输出文件 {args.output} 的扩展名应为 .gpkg、.geojson 或 .json。")
    if args.xlsx and Path(args.xlsx).suffix.lower() != ".xlsx":
        return fail(f"Excel 文件 {args.xlsx} 的扩展名应为 .xlsx。")
    if args.transect and Path(args.transect).suffix.lower() != ".png":
        return fail(f"横断面图 {args.transect} 的扩展名应为 .png。")
    kinds = tuple(k.strip() for k in str(args.kinds).split(",") if k.strip())
    bad = [k for k in kinds if k not in _KINDS]
    if bad:
        return fail(f"--kinds 中的 {bad} 无效，可选：{', '.join(_KINDS)}")
    outputs = [args.output, args.xlsx, args.transect]
    check_outputs(outputs, inputs=[path])
    park = load_park_or_fail(path, coords=args.coords)
    try:
        a = pp.assess(
            park,
            segment_length=float(args.segment),
            hca_options=pp.HCAOptions(kinds=kinds),
            pipeline_ids=tuple(args.pipeline) if args.pipeline else None,
            weather=weather_option(args),
            weather_reduction=args.weather_reduction,
        )
    except ValueError as exc:  # e.g. a park without weather (MissingWeatherError names the fix)
        return fail(str(exc))
    seg = a.segments
    print(
        f"园区：{park.name}；管道 {seg['pipeline_id'].nunique()} 条，分段 {len(seg)} 段（每段 ≤ {args.segment:g} m）"
    )
    _print_weather(a.assumptions)
    print("管道汇总：")
    for r in a.summary.itertuples():
        if getattr(r, "error", ""):
            print(f"  {r.pipeline_id} {r.name}：未计算后果（{r.error}）")
            continue
        pir = f"潜在影响半径 {r.pir_m:.1f} m；" if np.isfinite(r.pir_m) else ""
        print(
            f"  {r.pipeline_id} {r.name}：{r.substance}，外径 {r.diameter_m * 1e3:.0f} mm，"
            f"MAOP {r.maop_gauge_pa / 1e6:.2f} MPa（表压），长 {r.length_m:,.0f} m；{pir}"
            f"1 % 死亡概率最远 {r.lethal_1pct_m:,.0f} m"
        )
    if a.hca.empty:
        print("未识别出高后果区。")
    else:
        print(f"高后果区 {len(a.hca)} 段：")
        for r in a.hca.itertuples():
            print(
                f"  {r.hca_id} {r.pipeline_id} {r.hca_grade_zh} 里程 {r.s_start_m:,.0f}–{r.s_end_m:,.0f} m"
                f"（{r.length_m:,.0f} m），依据 {r.hca_rules}，目标：{r.hca_target_names or '—'}"
            )
    try:
        _write_outputs(args, path, a)
    except ValueError as exc:
        return fail(f"写出文件失败：{exc}")
    if args.store:  # the HCAs of all lines kept with the park (app.results_cli), as the page keeps them
        from app.results_cli import store_or_fail

        if args.pipeline:
            return fail("--store 只保存全部管道的高后果区：请去掉 --pipeline 后重新运行")
        kept = {"segment_length_m": float(args.segment), "kinds": list(kinds)}
        return store_or_fail("hca", a, park, path, options=kept)
    return 0


def _print_weather(notes: dict) -> None:
    """Which rose the risk used, how its classes were taken, and the generic rose's warning when chosen."""
    from analysis.qra.provenance import generic_weather_warning

    warning = generic_weather_warning(notes)
    if warning:
        print(f"⚠ 使用通用风玫瑰（示意，仅供比较）：{warning}")
    print(
        f"气象：{notes.get('weather_source', '')}；{notes.get('weather_classes', '')}；{notes.get('weather_reduction', '')}"
    )


def _write_outputs(args: argparse.Namespace, path: Path, a) -> None:
    """Write ``-o``, ``--xlsx`` and ``--transect`` of an assessment, each through :func:`safe_output`."""
    import numpy as np

    from analysis import pipelines as pp
    from app.views import pipelines as page

    seg = a.segments
    if args.output:
        out = Path(args.output)
        with safe_output(out, inputs=[path]) as tmp:
            if out.suffix.lower() == ".gpkg":
                a.hca.to_file(tmp, layer="hca", driver="GPKG")
                seg.to_file(tmp, layer="segments", driver="GPKG")
            else:
                tmp.write_text(a.hca.to_crs(4326).to_json(drop_id=True), encoding="utf-8")
        print(f"已写出：{out}")
    if args.xlsx:
        with safe_output(args.xlsx, inputs=[path]) as tmp:
            tmp.write_bytes(page.hca_excel_bytes(a.hca, a.summary))
        print(f"已写出：{args.xlsx}")
    if args.transect:
        d = np.linspace(-600.0, 600.0, 241)
        curves = {
            f"{pid} {c.name}": (d, pp.risk_transect(c, d))
            for pid, c in a.consequences.items()
            if np.any(c.kernel > 0)
        }
        pirs = {pid: c.pir_m for pid, c in a.consequences.items() if np.isfinite(c.pir_m)}
        with safe_output(args.transect, inputs=[path]) as tmp:
            page.transect_figure(curves, pir=pirs).savefig(tmp, dpi=120)
        print(f"已写出：{args.transect}")

"""``parkrisk domino``: domino-effect (escalation) analysis of a park; edges written as GeoPackage or GeoJSON.

Example::

    parkrisk domino park.gpkg -o edges.gpkg
    parkrisk domino park.gpkg -o edges.geojson --levels 3 --samples 2000 --scenarios pool_fire fireball vce

A GeoPackage keeps the park's metric CRS and gets extra tables (``domino_primary_events``, ``domino_ranking``,
``domino_frequencies``); GeoJSON is written in WGS84 longitude/latitude as RFC 7946 requires. A Chinese summary is
printed (hubs, enterprise-crossing edges, pairs closer than their thresholds). Bad input ends in a Chinese message
and exit code 1, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from app.commands._common import fail, load_park_or_fail, park_path, reports_errors

log = logging.getLogger(__name__)

_KINDS = ("pool_fire", "jet_fire", "fireball", "vce", "vessel_burst")
_SUFFIXES = (".gpkg", ".geojson", ".json")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "domino",
        help="多米诺效应：计算设施间的事故升级概率、跨企业升级链和整改措施，输出升级边 GeoPackage/GeoJSON",
        description="按 Cozzani 等的阈值与概率模型计算园区内设施间的多米诺（事故升级）效应，输出升级边。",
    )
    p.add_argument("park", help="园区文件路径（GeoPackage、GeoJSON 文件夹等）")
    p.add_argument(
        "-o", "--output", required=True, help="输出文件：.gpkg（园区米制坐标系，含附表）或 .geojson（WGS84）"
    )
    p.add_argument(
        "--scenarios", nargs="+", choices=_KINDS, default=list(_KINDS), help="初始事故情景，默认全部"
    )
    p.add_argument("--levels", type=int, default=4, help="最大升级层级，默认 4")
    p.add_argument("--samples", type=int, default=4000, help="每个初始事件的蒙特卡洛抽样次数，默认 4000")
    p.add_argument("--seed", type=int, default=20240601, help="随机数种子（结果可复现）")
    p.add_argument(
        "--direction",
        choices=("worst", "weather"),
        default="worst",
        help="worst：目标按位于下风向的最不利方向计（默认）；weather：按给定风向",
    )
    p.add_argument("--wind-from", type=float, default=0.0, help="风向（来风方向，顺时针自正北）[°]，默认 0")
    p.add_argument("--wind-speed", type=float, default=2.0, help="10 m 高处风速 [m/s]，默认 2")
    p.add_argument("--stability", default="D", help="大气稳定度 A–F，默认 D")
    p.add_argument(
        "--model",
        choices=("cozzani2005", "landucci2009"),
        default="cozzani2005",
        help="热辐射升级概率模型：cozzani2005（默认）或 landucci2009（考虑应急处置时间）",
    )
    p.add_argument(
        "--no-synergy",
        dest="synergy",
        action="store_false",
        help="不叠加同时燃烧火灾的热辐射（默认叠加：第二级起按所有燃烧中池火/喷射火的热辐射之和计算）",
    )
    p.set_defaults(func=run)


def write_edges(result, path: str | Path) -> Path:
    """Write the escalation edges of a :class:`analysis.domino.DominoResult`.

    ``.gpkg``: layer ``domino_edges`` in the park's metric CRS plus attribute tables ``domino_primary_events``,
    ``domino_ranking`` and ``domino_frequencies``; ``.geojson``/``.json``: the edges in WGS84 (RFC 7946).

    Parameters
    ----------
    result : analysis.domino.DominoResult
    path : str or Path

    Returns
    -------
    Path
    """
    import geopandas as gpd
    import pyogrio

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _SUFFIXES:
        raise ValueError(f"输出文件 {path} 的扩展名应为 {list(_SUFFIXES)} 之一 (unsupported output format)")
    edges = result.edges.copy()
    if path.exists():
        path.unlink()
    if suffix == ".gpkg":
        edges.to_file(path, layer="domino_edges", driver="GPKG")
        for name, frame in (
            ("domino_primary_events", result.primary_events),
            ("domino_ranking", result.ranking),
            ("domino_frequencies", result.frequencies),
        ):
            table = frame.copy()
            for col in table.columns:
                if table[col].dtype == object:
                    table[col] = table[col].map(lambda v: " ".join(v) if isinstance(v, tuple) else v)
            pyogrio.write_dataframe(table, path, layer=name, driver="GPKG", append=False)
    else:
        gpd.GeoDataFrame(edges, geometry="geometry", crs=result.crs).to_crs(4326).to_file(
            path, driver="GeoJSON"
        )
    return path


def summary_zh(result, *, top: int = 10) -> str:
    """A Chinese text summary of a domino result (counts, hubs, crossing edges, measures)."""
    e = result.edges
    lines = [
        f"升级边（荷载超过目标阈值的设施对 × 初始事故情景）：{len(e)} 条，其中跨企业 {int(e['crosses_enterprise'].sum())} 条；"
        f"网络图 {result.graph.number_of_nodes()} 个设施、{result.graph.number_of_edges()} 条有向边。",
    ]
    if len(result.skipped):
        lines.append(f"未能计算的初始情景 {len(result.skipped)} 个（见输出中的说明或页面）。")
    r = result.ranking[result.ranking["out_degree"] > 0].head(top)
    if len(r):
        lines.append("扩散能力最强的设施（初始事故后预计损失设施数）：")
        for rec in r.itertuples(index=False):
            lines.append(
                f"  {rec.hub_rank:>3d}. {rec.unit_id}（{rec.name}）：预计 {rec.expected_units_lost:.2f} 个设施，"
                f"直接可引发 {rec.out_degree} 个，跨企业边 {rec.crossing_edges} 条"
            )
    cross = e[e["crosses_enterprise"]].head(top)
    if len(cross):
        lines.append("跨企业升级边（概率最高者）：")
        for rec in cross.itertuples(index=False):
            unit = "kW/m²" if rec.vector == "heat_flux" else "kPa"
            lines.append(
                f"  {rec.source}（{rec.source_enterprise}）→ {rec.target}（{rec.target_enterprise}）："
                f"{rec.scenario_zh}，荷载 {rec.load / 1e3:,.1f} {unit}，概率 {rec.probability:.3f}，"
                f"间距 {rec.distance_m:,.1f} m，需 {rec.required_distance_m:,.1f} m"
            )
    return "\n".join(lines)


@reports_errors
def run(args: argparse.Namespace) -> int:
    from analysis import domino
    from analysis import scenarios as sc

    path = park_path(args.park)
    if Path(args.output).suffix.lower() not in _SUFFIXES:
        return fail(f"输出文件 {args.output} 的扩展名应为 .gpkg、.geojson 或 .json。")
    park = load_park_or_fail(path)
    try:
        weather = sc.Weather(
            wind_speed=args.wind_speed, wind_from_deg=args.wind_from, stability=args.stability
        )
        opts = domino.DominoOptions(
            model=args.model,
            synergy=args.synergy,
            weather=weather,
            direction=args.direction,
            scenarios=tuple(args.scenarios),
            max_level=args.levels,
            n_samples=args.samples,
            seed=args.seed,
        )

        def progress(frac: float, msg: str) -> None:
            print(f"\r[{frac * 100:5.1f} %] {msg[:60]:<60}", end="", file=sys.stderr, flush=True)

        result = domino.analyze(park, options=opts, progress=progress)
        print(file=sys.stderr)
        out = write_edges(result, args.output)
    except ValueError as exc:
        return fail(f"输入有误：{exc}")
    print(summary_zh(result))
    print(f"已写出升级边：{out}（{len(result.edges)} 条）")
    return 0

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
import os
import sys
from pathlib import Path

from app.commands._common import (
    CommandError,
    add_coords_argument,
    check_outputs,
    count_option,
    fail,
    load_park_or_fail,
    park_path,
    reports_errors,
    safe_output,
)

log = logging.getLogger(__name__)

_KINDS = ("pool_fire", "jet_fire", "fireball", "vce", "vessel_burst", "bleve_blast")
_SUFFIXES = (".gpkg", ".geojson", ".json")
MAX_SAMPLES = 100_000
"""Default upper limit of ``--samples`` (raise it with ``--max-samples``)."""
BYTES_PER_SAMPLE_AND_UNIT = 32
"""Peak memory of the Monte Carlo propagation per sample and installation (random draws, probabilities, masks:
``analysis.domino.propagation`` holds about four ``samples × installations`` arrays of 8 bytes at a time)."""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "domino",
        help="多米诺效应：计算设施间的事故升级概率、跨企业升级链和整改措施，输出升级边 GeoPackage/GeoJSON",
        description="按 Cozzani 等的阈值与概率模型计算园区内设施间的多米诺（事故升级）效应，输出升级边。",
    )
    p.add_argument("park", help="园区文件路径（GeoPackage、GeoJSON 文件夹等）")
    p.add_argument(
        "-o",
        "--output",
        required=True,
        help="输出文件：.gpkg（园区米制坐标系，含附表）或 .geojson（WGS84）；不能是园区文件本身，已存在则整体替换",
    )
    p.add_argument(
        "--scenarios", nargs="+", choices=_KINDS, default=list(_KINDS), help="初始事故情景，默认全部"
    )
    p.add_argument("--levels", default="4", help="最大升级层级，默认 4")
    p.add_argument(
        "--samples", default="4000", help=f"每个初始事件的蒙特卡洛抽样次数，默认 4000，上限 {MAX_SAMPLES}"
    )
    p.add_argument(
        "--max-samples",
        default=str(MAX_SAMPLES),
        help=f"--samples 的上限，默认 {MAX_SAMPLES}；内存约为 {BYTES_PER_SAMPLE_AND_UNIT} 字节 × 抽样次数 × 设施数",
    )
    p.add_argument("--seed", type=int, default=20240601, help="随机数种子（结果可复现）")
    from app.results_cli import add_store_argument

    add_store_argument(p)  # --store: the result kept with the park (app.results)
    add_coords_argument(p)
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


def available_memory() -> int | None:
    """Memory available to a new allocation [bytes] (``MemAvailable`` of /proc/meminfo), or None when unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):
        return None


def check_memory(samples: int, n_units: int) -> None:
    """Refuse a Monte Carlo run whose estimated peak memory exceeds half of the available memory.

    Raises
    ------
    CommandError
        The estimate, the available memory and how to reduce the run, in Chinese.
    """
    need = BYTES_PER_SAMPLE_AND_UNIT * samples * max(n_units, 1)
    avail = available_memory()
    if avail is None or need <= avail / 2:
        return
    raise CommandError(
        f"--samples={samples} 时多米诺蒙特卡洛模拟预计需要内存约 {need / 1e9:,.1f} GB（{n_units} 个设施 × {samples} 次抽样"
        f" × {BYTES_PER_SAMPLE_AND_UNIT} 字节），超过本机可用内存 {avail / 1e9:,.1f} GB 的一半。"
        "请减小 --samples（默认 4000），或用 --scenarios 只计算部分初始情景后分次运行。"
    )


@reports_errors
def run(args: argparse.Namespace) -> int:
    from analysis import domino
    from analysis import scenarios as sc

    path = park_path(args.park)
    if Path(args.output).suffix.lower() not in _SUFFIXES:
        return fail(f"输出文件 {args.output} 的扩展名应为 .gpkg、.geojson 或 .json。")
    levels = count_option(args.levels, "--levels", low=1)
    max_samples = count_option(args.max_samples, "--max-samples", low=1)
    samples = count_option(args.samples, "--samples", low=1, high=max_samples, raise_with="--max-samples")
    check_outputs([args.output], inputs=[path])
    park = load_park_or_fail(path, coords=args.coords)
    check_memory(samples, len(park.layers.get("installations", ())))
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
            max_level=levels,
            n_samples=samples,
            seed=args.seed,
        )

        def progress(frac: float, msg: str) -> None:
            print(f"\r[{frac * 100:5.1f} %] {msg[:60]:<60}", end="", file=sys.stderr, flush=True)

        result = domino.analyze(park, options=opts, progress=progress)
        print(file=sys.stderr)
    except ValueError as exc:
        return fail(f"输入有误：{exc}")
    out = Path(args.output)
    with safe_output(out, inputs=[path]) as tmp:
        write_edges(result, tmp)
    print(summary_zh(result))
    print(f"已写出升级边：{out}（{len(result.edges)} 条）")
    if args.store:  # kept with the park (app.results), as the page 多米诺效应 keeps it
        from app.results_cli import store_or_fail

        kept = {"model": args.model, "synergy": bool(args.synergy), "direction": args.direction}
        kept |= {"scenarios": list(args.scenarios), "max_level": levels, "n_samples": samples}
        kept |= {"wind_from_deg": args.wind_from, "wind_speed": args.wind_speed, "stability": args.stability}
        return store_or_fail("domino", result, park, path, options=kept)
    return 0

"""Time the threat zones of every applicable scenario of every installation of the demo park.

Run: ``python bench/bench_zones.py [PARK.gpkg] [--stability D --wind-speed 2 --wind-from 45]``

For each installation, every scenario of :func:`analysis.scenarios.applicable_scenarios` (default release
conventions: G.1 instantaneous, G.2 for jet fires) is turned into its zones with the default levels
(:func:`analysis.scenarios.zones.threat_zones`). Prints the total wall time, the time per scenario kind, the slowest
scenarios and any scenario that could not be computed (with its Chinese message). One process, one core.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("park", nargs="?", default=str(REPO / "geodata" / "samples" / "demo_park.gpkg"))
    ap.add_argument("--wind-from", type=float, default=45.0)
    ap.add_argument("--wind-speed", type=float, default=2.0)
    ap.add_argument("--stability", default="D")
    args = ap.parse_args()

    from analysis.physics import substances
    from analysis.scenarios import Weather, applicable_scenarios
    from analysis.scenarios.zones import threat_zones
    from geodata import load_park

    t0 = time.perf_counter()
    park = load_park(args.park)
    inst = park.metric("installations")
    for name in inst["substance"].unique():  # load the substance records (thermo start-up) outside the timing
        substances.get(str(name))
    t_load = time.perf_counter() - t0
    weather = Weather(wind_speed=args.wind_speed, wind_from_deg=args.wind_from, stability=args.stability)

    per_kind: dict[str, list[float]] = defaultdict(list)
    timings: list[tuple[float, str, str, float]] = []
    failures: list[tuple[str, str, str]] = []
    n_zones = 0
    t_start = time.perf_counter()
    for _, row in inst.iterrows():
        for opt in applicable_scenarios(row):
            t = time.perf_counter()
            try:
                z = threat_zones(row, opt.scenario, weather, crs=park.metric_crs)
            except ValueError as exc:
                failures.append((str(row["unit_id"]), opt.kind, str(exc)))
                continue
            dt = time.perf_counter() - t
            n_zones += len(z)
            per_kind[opt.kind].append(dt)
            timings.append((dt, str(row["unit_id"]), opt.kind, float(z["max_distance"].max())))
    total = time.perf_counter() - t_start

    n_sc = sum(len(v) for v in per_kind.values())
    print(f"园区：{park.name}（{len(inst)} 个设施），气象：{weather.describe_zh()}")
    print(f"载入园区与物质数据 {t_load:.2f} s（不计入）")
    print(
        f"全部伤害分区：{n_sc} 个情景、{n_zones} 个分区，用时 {total:.2f} s"
        f"（平均每情景 {1e3 * total / max(n_sc, 1):.0f} ms），未能计算 {len(failures)} 个"
    )
    print("按情景类型：")
    for kind, ts in sorted(per_kind.items()):
        print(
            f"  {kind:13s} {len(ts):4d} 个  合计 {sum(ts):7.2f} s  平均 {1e3 * sum(ts) / len(ts):6.0f} ms"
            f"  最长 {1e3 * max(ts):6.0f} ms"
        )
    print("最慢的 5 个情景：")
    for dt, uid, kind, d in sorted(timings, reverse=True)[:5]:
        print(f"  {uid:12s} {kind:13s} {1e3 * dt:7.0f} ms  最远 {d:,.0f} m")
    for uid, kind, msg in failures:
        print(f"  未计算 {uid} {kind}：{msg}")


if __name__ == "__main__":
    main()

"""Benchmark: one full recomputation of :func:`analysis.emergency.plan` on the demo park (issue 14: < 0.5 s).

One recomputation = zones (toxic, nested, with the wind-direction band; isolation; ERG), the listed targets with
their concentration, cloud timing, indoor dose and decision, assembly points and the routes out of the cloud. The
PDF briefing is excluded (written on demand). The case of the issue: chlorine from T-3, wind from 45° at 2 m/s,
22:00; then the same for every 45° sector.

Run: ``python bench/bench_emergency_plan.py``. Prints figures; not a test.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from analysis import emergency as em
from geodata import load_park

DEMO = Path(__file__).resolve().parents[1] / "geodata" / "samples" / "demo_park.gpkg"
TARGET_S = 0.5


def _time(park, wind_from: float, n: int = 5) -> tuple[float, float, float, em.EmergencyPlan]:
    wall, cpu = [], []
    for _ in range(n):
        t0, c0 = time.perf_counter(), time.process_time()
        p = em.plan(park, unit_id="T-3", wind_from=wind_from, wind_speed=2.0, time="22:00")
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), max(wall), statistics.median(cpu), p


def main() -> None:
    park = load_park(DEMO)
    em.plan(park, unit_id="T-3", wind_from=45.0, wind_speed=2.0, time="22:00")  # warm-up: tables, caches
    print("wall = elapsed time (includes waiting for a shared CPU); cpu = CPU time of this process")
    print(
        f"{'case':36s} {'wall median [s]':>15s} {'wall max [s]':>12s} {'cpu median [s]':>14s}  targets/routes/points"
    )
    for w in (45.0, 0.0, 90.0, 135.0, 180.0, 225.0, 270.0, 315.0):
        med, worst, cpu, p = _time(park, w)
        flag = "" if med < TARGET_S else f"  > {TARGET_S} s"
        print(
            f"{f'T-3 液氯 25 mm 孔, 风向 {w:g}° 2 m/s 22:00':36s} {med:15.3f} {worst:12.3f} {cpu:14.3f}  "
            f"{len(p.targets)} / {len(p.routes)} / {len(p.assembly)}{flag}"
        )


if __name__ == "__main__":
    main()

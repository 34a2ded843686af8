"""Benchmark: interactive recomputation of one release on the demo park (issue 6: < 1 s).

One recomputation = what the page 应急疏散 does when an input changes (:func:`analysis.emergency.plan`): zones (toxic with the wind-direction band,
fire where the substance burns, isolation, ERG), affected targets with arrival times and doses, assembly points and
routes. The PDF briefing (map image + page) is timed separately: it is written on demand, not on every change.

Run: ``python bench/bench_emergency.py``. Prints figures; not a test.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from analysis import emergency as em
from analysis.scenarios import Weather
from geodata import load_park

DEMO = Path(__file__).resolve().parents[1] / "geodata" / "samples" / "demo_park.gpkg"


def recompute(park, unit_id: str, release: em.Release, weather: Weather, when: str = "22:00"):
    """What the page recomputes when an input changes: :func:`analysis.emergency.plan` (zones, targets, routes)."""
    return em.plan(
        park,
        unit_id=unit_id,
        wind_from=weather.wind_from_deg,
        wind_speed=weather.wind_speed,
        time=when,
        stability=weather.stability,
        release=release,
    )


def main() -> None:
    park = load_park(DEMO)
    cases = [
        ("T-3 液氯 25 mm 孔, NE 2 m/s F", "T-3", em.Release(), Weather(2.0, 45.0, "F")),
        ("T-3 液氯 25 mm 孔, N 3 m/s D", "T-3", em.Release(), Weather(3.0, 0.0, "D")),
        (
            "E03-V401 液氨 50 mm 孔, NE 2 m/s E",
            "E03-V401",
            em.Release(hole_diameter=0.05),
            Weather(2.0, 45.0, "E"),
        ),
        (
            "T-3 液氯 5 kg/s 连续, E 4 m/s D",
            "T-3",
            em.Release(kind="continuous", rate=5.0),
            Weather(4.0, 90.0, "D"),
        ),
        (
            "E04-V101 液化石油气 50 mm 孔（火灾/可燃区）",
            "E04-V101",
            em.Release(hole_diameter=0.05),
            Weather(2.0, 45.0, "D"),
        ),
    ]
    recompute(park, *cases[0][1:])  # warm-up: substance tables, thermo, caches
    print("wall = elapsed time (includes waiting for a shared CPU); cpu = CPU time of this process")
    print(
        f"{'case':48s} {'wall median [s]':>15s} {'wall max [s]':>12s} {'cpu median [s]':>14s}  zones/targets/routes"
    )
    for label, uid, rel, w in cases:
        times, cpu = [], []
        for _ in range(5):
            t0, c0 = time.perf_counter(), time.process_time()
            p = recompute(park, uid, rel, w)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        print(
            f"{label:48s} {statistics.median(times):15.3f} {max(times):12.3f} {statistics.median(cpu):14.3f}  "
            f"{len(p.result.toxic) + len(p.result.fire)} / {len(p.targets)} / {len(p.routes)}"
        )
    from app.reports.briefing import write_briefing_pdf

    plan = em.plan(park, unit_id="T-3", wind_from=45.0, wind_speed=2.0, time="22:00", stability="F")
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        write_briefing_pdf(Path(tmp) / "b.pdf", plan, park)
        print(f"{'PDF briefing (map + page), on demand':48s} {time.perf_counter() - t0:10.3f}")


if __name__ == "__main__":
    main()

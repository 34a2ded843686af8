"""The large-park figures of issue 19 item 2 against their budgets, on a park generated into a temporary folder.

The park is :func:`geodata.samples.synthetic.generate_park` (seed 0: 60 enterprises, 1,500 installations, 300
sensitive targets, 3,000 buildings, 80 km of pipelines, 2,000 rectification items), written to a temporary folder
first (never committed). Each figure is measured in a **fresh process** (cold: imports, substance tables and caches
loaded by the run itself), ``--repeat`` times; the median wall time is printed with the CPU time of the process and
its children, and the budget:

1. individual risk at 10 m over the park plus its contour extent (the grid grown until the 3×10⁻⁷ /a contour
   closes), every installation and scenario, the park's 16-direction rose: ≤ 60 s; the demo park: ≤ 6 s;
2. domino analysis with synergy (``analysis.domino.analyze`` defaults): ≤ 30 s;
3. emergency recomputation (``analysis.emergency.plan`` for a chlorine tank, after a first call): ≤ 1 s; the first
   call of the fresh process is printed beside it (``first_call_s``, ``first_call_cpu_s``).

The substance property cache (:mod:`analysis.physics.property_cache`) decides whether a fresh process imports thermo
and CoolProp: ``--cache user`` (default) runs with the user's cache as it is (the line says whether it held this
version's records before the first run, which fills it), ``--cache empty`` gives every run a new empty cache (every
run pays for thermo), ``--cache off`` switches it off (``PARKRISK_CACHE_DIR=off``).

Both cores are used by the risk grid (worker processes to prepare the installations, threads to place them:
``analysis.qra.parallel``; ``PARKRISK_WORKERS=1`` for serial). The machine may be shared: the load average is printed
with every figure, and wall times taken under load are longer than the CPU time says.

Run: ``python bench/bench_large.py [--repeat N] [--only risk|demo|domino|emergency] [--park PATH]
[--cache user|empty|off]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUDGETS_S = {"risk": 60.0, "demo": 6.0, "domino": 30.0, "emergency": 1.0}
LABELS = {
    "risk": "个人风险 10 m 网格（大园区，含等值线范围）",
    "demo": "个人风险 10 m 网格（示例园区）",
    "domino": "多米诺分析（含协同效应，大园区）",
    "emergency": "应急重算（大园区，液氯储罐）",
}

_CHILD = r"""
import json, resource, sys, time, warnings
warnings.filterwarnings("ignore")
def cpu():
    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime
what, path = sys.argv[1], sys.argv[2]
from geodata import load_park
park = load_park(path)
out = {}
t0, c0 = time.perf_counter(), cpu()
if what in ("risk", "demo"):
    from analysis.qra.individual import individual_risk, risk_contours
    ir = individual_risk(park)
    out["max_ir"] = float(ir.grid.max())
    out["grid"] = list(ir.grid.shape)
    out["areas_km2"] = [round(r.area_m2 / 1e6, 4) for r in risk_contours(ir).itertuples()]
    out["closed"] = bool(ir.contour_closed)
elif what == "domino":
    from analysis import domino
    res = domino.analyze(park)
    out["edges"] = int(len(res.edges))
    out["sum_p"] = round(float(res.edges["probability"].sum()), 6)
elif what == "emergency":
    from analysis import emergency as em
    inst = park.installations
    unit = str(inst.loc[inst["substance"] == "液氯", "unit_id"].iloc[0])
    em.plan(park, unit_id=unit, wind_from=45.0, wind_speed=2.0, time="22:00")  # first call: tables, caches
    out["first_call_s"], out["first_call_cpu_s"] = round(time.perf_counter() - t0, 3), round(cpu() - c0, 3)
    t0, c0, times = time.perf_counter(), cpu(), []
    for wf in (0.0, 45.0, 90.0, 135.0, 180.0, 225.0, 270.0, 315.0):
        t = time.perf_counter()
        p = em.plan(park, unit_id=unit, wind_from=wf, wind_speed=2.0, time="22:00")
        times.append(time.perf_counter() - t)
    out["unit"] = unit
    out["per_call_s"] = sorted(times)[len(times) // 2]
    out["targets"] = len(p.targets)
out["wall_s"] = time.perf_counter() - t0
out["cpu_s"] = cpu() - c0
print("RESULT " + json.dumps(out))
"""


def _measure(what: str, park: Path, cache: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with tempfile.TemporaryDirectory(prefix="parkrisk-cache-") as empty:
        if cache != "user":
            env["PARKRISK_CACHE_DIR"] = "off" if cache == "off" else empty
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, what, str(park)], capture_output=True, text=True, env=env, cwd=ROOT
        )
    line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"{what} failed:\n{done.stderr[-3000:]}")
    return json.loads(line[len("RESULT ") :])


def _cache_state(mode: str) -> str:
    """The property cache the runs use, and whether it holds this version's records (user mode)."""
    if mode != "user":
        return {"off": "off (PARKRISK_CACHE_DIR=off)", "empty": "a new empty folder per run"}[mode]
    from analysis.physics import property_cache as pc

    folder = pc.cache_folder()
    if folder is None:
        return "off (PARKRISK_CACHE_DIR)"
    held = (
        "holds this version before the first run"
        if folder.is_dir()
        else "empty for this version: run 1 fills it"
    )
    return f"{folder} ({held})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs per figure (median reported)")
    ap.add_argument("--only", choices=sorted(BUDGETS_S), action="append", help="measure only these figures")
    ap.add_argument("--park", type=Path, help="an existing large park (default: generate one)")
    ap.add_argument(
        "--cache",
        choices=("user", "empty", "off"),
        default="user",
        help="substance property cache: the user's as it is, a new empty one per run, or off",
    )
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from geodata.samples.build_demo_park import DEFAULT_PATH as DEMO
    from geodata.samples.synthetic import generate_park

    with tempfile.TemporaryDirectory(prefix="parkrisk-large-") as tmp:
        park = args.park
        if park is None:
            t0 = time.perf_counter()
            park = generate_park(Path(tmp) / "large.gpkg", seed=0)
            print(f"生成大园区 / generated the large park: {time.perf_counter() - t0:.1f} s -> {park}")
        print(f"CPU 核数 {os.cpu_count()}；并行：风险网格 = 2 个进程（准备）+ 2 个线程（叠加）")
        print(
            f"{'figure':40s} {'median wall s':>13s} {'cpu s':>7s} {'budget s':>8s}  {'ok':3s} load  details"
        )
        print(f"物性缓存 / property cache: {_cache_state(args.cache)}")
        for what in args.only or ("risk", "demo", "domino", "emergency"):
            runs = []
            for _ in range(args.repeat):
                runs.append(_measure(what, DEMO if what == "demo" else park, args.cache))
            key = "per_call_s" if what == "emergency" else "wall_s"
            wall = statistics.median(r[key] for r in runs)
            cpu = statistics.median(r["cpu_s"] for r in runs) / (8 if what == "emergency" else 1)
            ok = "是" if wall <= BUDGETS_S[what] else "否"
            details = {k: v for k, v in runs[-1].items() if k not in ("wall_s", "cpu_s", "per_call_s")}
            load = os.getloadavg()[0]
            print(
                f"{LABELS[what]:40s} {wall:13.2f} {cpu:7.1f} {BUDGETS_S[what]:8.1f}  {ok:3s} {load:4.1f}  "
                f"runs {[round(r[key], 2) for r in runs]} {details}"
            )


if __name__ == "__main__":
    main()

"""Throughput of the closed-form effect models on 10⁶ receptor points, one thread, and the ratio to HyRAM+.

Usage::

    python bench/bench_effects.py [--points N] [--repeat R]

Prints, for each model, the best-of-R wall time and points per second (target ≥ 10⁷ points/s), and where
HyRAM+ 6.1 has the same model (TNT overpressure lookup, thermal and overpressure probits, probability), its
throughput on the same inputs and the ratio ours/HyRAM+. Peer figures measured on this kind of machine
(docs/PEERS): pyELDQM plume ≈ 2×10⁷/s, HyRAM+ TNT ≈ 2.7×10⁷/s, HyRAM+ Eisenberg probit ≈ 3.5-4×10⁷/s.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import time  # noqa: E402
from types import SimpleNamespace  # noqa: E402

import numpy as np  # noqa: E402

from analysis import consequence as csq  # noqa: E402
from analysis.physics import vulnerability as vul  # noqa: E402


def _best(fn, repeat: int) -> float:
    fn()  # warm-up (caches, first-call imports)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    n, rep = args.points, args.repeat
    rng = np.random.default_rng(1)
    x = rng.uniform(10.0, 5000.0, n)
    y = rng.uniform(-500.0, 500.0, n)
    z = rng.uniform(0.0, 10.0, n)
    r = rng.uniform(5.0, 2000.0, n)
    q = rng.uniform(1e3, 5e4, n)
    p = rng.uniform(5e3, 5e5, n)
    imp = rng.uniform(100.0, 5e3, n)
    yy = rng.uniform(0.0, 10.0, n)
    c = rng.uniform(1e-5, 1e-2, n)
    w = 500.0

    ours = {
        "gaussian_plume (Briggs D, H=5 m)": lambda: csq.gaussian_plume(
            1.0, 3.0, x, y, z, stability="D", release_height=5.0
        ),
        "briggs_sigmas": lambda: csq.briggs_sigmas(x, "D"),
        "gaussian_puff (t=600 s)": lambda: csq.gaussian_puff(100.0, 3.0, x, y, z, 600.0, stability="D"),
        "tnt_overpressure (KB 1984)": lambda: csq.tnt_overpressure(w, r),
        "tnt_impulse (Swisdak 1994)": lambda: csq.tnt_impulse(w, r),
        "probit_thermal eisenberg": lambda: vul.probit_thermal(q, 20.0, "eisenberg"),
        "probit_overpressure eisenberg_lung": lambda: vul.probit_overpressure(p, model="eisenberg_lung"),
        "probit_overpressure tno_head_impact": lambda: vul.probit_overpressure(
            p, imp, model="tno_head_impact"
        ),
        "probit_toxic chlorine": lambda: vul.probit_toxic(c, 600.0, "液氯"),
        "probability": lambda: vul.probability(yy),
    }
    theirs = {}
    try:
        import hyram.phys._overpressure_data as od
        import hyram.phys._unconfined_overpressure as uo
        import hyram.qra.probits as hp

        hy = SimpleNamespace(scaled_peak_overP_data=od.scaled_peak_overP_data)
        theirs = {
            # HyRAM+ TNT: scaled distance, table lookup, unscale (as TNT_method.calc_overpressure does)
            "tnt_overpressure (KB 1984)": lambda: (
                uo.TNT_method.get_scaled_overpressure(hy, r / w ** (1 / 3)) * 101325.0
            ),
            "probit_thermal eisenberg": lambda: hp.thermal_eisenberg(hp.calculate_thermal_dose(q, 20.0)),
            "probit_overpressure eisenberg_lung": lambda: hp.overp_eisenberg(p),
            "probit_overpressure tno_head_impact": lambda: hp.overp_tno_head(p, imp),
            "probability": lambda: hp.calculate_fatality_probability(yy),
        }
    except ImportError:  # HyRAM+ is a test extra; the bench still runs without it
        pass

    print(f"有效模型吞吐量 / effect-model throughput: {n:,} points, best of {rep}, one thread")
    print(f"{'model':40s} {'ours s':>9s} {'ours pts/s':>12s} {'HyRAM+ pts/s':>13s} {'ratio':>7s}")
    for name, fn in ours.items():
        t = _best(fn, rep)
        line = f"{name:40s} {t:9.4f} {n / t:12.3e}"
        if name in theirs:
            th = _best(theirs[name], rep)
            line += f" {n / th:13.3e} {th / t:7.2f}"
        print(line)
    print("目标 target: ≥ 1.0e+07 points/s; ratio > 1 means parkrisk is faster than HyRAM+")


if __name__ == "__main__":
    main()

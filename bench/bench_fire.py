"""Throughput of the closed-form fire and source-term models on 10⁶ receptor points (one core).

Run: python bench/bench_fire.py
"""

from __future__ import annotations

import time

import numpy as np

from analysis.physics import fire as fm
from analysis.physics import source as src

N = 1_000_000


def _rate(fn, repeat: int = 7) -> float:
    fn()  # warm-up (also loads thermo data once)
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return N / best


def main() -> None:
    rng = np.random.default_rng(0)
    d = rng.uniform(1.0, 2000.0, N)
    pf = fm.pool_fire(30.0, substance="汽油")
    pf_wind = fm.pool_fire(30.0, substance="汽油", wind_speed=5.0)
    fb = fm.fireball(50_000.0)
    jf = fm.jet_fire(5.0, substance="methane", exit_velocity=300.0)
    conc = rng.uniform(0.0, 0.1, N)
    p = rng.uniform(2e5, 5e6, N)
    cases = {
        "atmospheric_transmissivity": lambda: fm.atmospheric_transmissivity(d),
        "pool fire heat_flux (upright, tabulated closed form)": lambda: pf.heat_flux(d),
        "pool fire heat_flux (tilted, integrated table)": lambda: pf_wind.heat_flux(d),
        "fireball heat_flux": lambda: fb.heat_flux(d),
        "jet fire heat_flux": lambda: jf.heat_flux(d),
        "flash fire envelope": lambda: fm.flash_fire(conc, lfl=0.021, molar_mass=0.0441),
        "fireball_diameter (masses)": lambda: fm.fireball_diameter(d),
        "gas_discharge_rate (pressures)": lambda: src.gas_discharge_rate(
            0.05, pressure=p, temperature=300.0, molar_mass=0.016, heat_capacity_ratio=1.3
        ),
        "liquid_discharge_rate (pressures)": lambda: src.liquid_discharge_rate(
            0.05, liquid_density=800.0, pressure=p
        ),
    }
    print(f"parkrisk fire/source throughput, {N:,} points, one core")
    print(f"{'model':58s} {'points/s':>12s}")
    for name, fn in cases.items():
        print(f"{name:58s} {_rate(fn):12.3e}")


if __name__ == "__main__":
    main()

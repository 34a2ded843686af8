"""Benchmark of the individual-risk grid (analysis.qra.individual.individual_risk) on the demo park.

Prints:
1. the full run: 10 m cells over 6 km × 6 km centred on the park, the demo wind rose (16 directions, day and night
   classes), every installation and scenario; the wall time and where it goes (building the consequence fields and
   lethality tables vs rotating them onto the grid);
2. a straightforward per-cell implementation (for every cell, every outcome, weather class and direction: one call
   of ``EffectField.probability_of_death`` at that point) timed on a small sub-grid for a few installations,
   checked against the vectorised result there, and extrapolated to the full grid and scenario set;
3. how the time grows with the number of cells (resolution 40 / 20 / 10 m) and with the number of installations.

Run: ``python bench/bench_risk.py [--quick]`` (``--quick`` skips the full 10 m run). The full run uses both cores
(worker processes to prepare the installations, threads to place them: ``analysis.qra.parallel``;
``PARKRISK_WORKERS=1`` for one); it prints the wall time with the CPU time of the process and its children and the
load average (the machine may be shared: wall times under load are longer than the CPU time says).
"""

from __future__ import annotations

import argparse
import os
import resource
import time
import warnings

import numpy as np

warnings.filterwarnings("ignore")


def _cpu() -> float:
    """CPU time of this process and its finished children. [s]"""
    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


def _extent(park, half: float = 3000.0):
    b = park.metric("parks").total_bounds
    cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
    return (cx - half, cy - half, cx + half, cy + half)


def _per_cell(park, res, units, cells):
    """Straightforward reference: loop over cells × outcomes × weather classes × directions."""
    from analysis import scenarios as sc
    from analysis.qra import frequencies as fq
    from analysis.qra.options import weather_classes
    from analysis.weather import demo_wind_rose

    dirs, classes, p_day, p_night, df = weather_classes(demo_wind_rose())
    p = df * p_day + (1 - df) * p_night
    inst = park.metric("installations")
    table = res.outcomes
    table = table[table["unit_id"].isin(units) & table["computed"]]
    t0 = time.perf_counter()
    fields = []
    for _, o in table.iterrows():
        row = inst[inst["unit_id"] == o["unit_id"]].iloc[0]
        oc = fq.Outcome(**{k: o[k] for k in fq.Outcome.__dataclass_fields__})
        scen = fq.to_scenario(oc)
        org = row.geometry.centroid
        for ci, (spd, stab) in enumerate(classes):
            for di, d in enumerate(dirs):
                if p[di, ci] <= 0:
                    continue
                w = sc.Weather(wind_speed=spd, wind_from_deg=float(d), stability=stab)
                fields.append(
                    (float(o["frequency"]) * p[di, ci], sc.effect_field(row, scen, w), org.x, org.y)
                )
    t_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    out = np.zeros(len(cells))
    for k, (x, y) in enumerate(cells):
        s = 0.0
        for f, ef, ox, oy in fields:
            with np.errstate(all="ignore"):
                s += f * float(
                    np.nan_to_num(ef.probability_of_death(np.array([x - ox]), np.array([y - oy])))[0]
                )
        out[k] = s
    t_cells = time.perf_counter() - t0
    return out, t_build, t_cells, len(fields)


def main() -> None:
    from analysis.qra import individual as risk
    from geodata import load_park
    from geodata.samples import build_demo_park  # noqa: F401  (the demo park must exist)

    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="skip the full 10 m run")
    args = ap.parse_args()
    park = load_park("geodata/samples/demo_park.gpkg")
    from analysis.physics import substances

    substances.get("液氯")  # load the property tables before timing
    ext = _extent(park)

    # 1. full run (cold: first call in the process; warm: again, with the consequence models' caches filled)
    if not args.quick:
        times, cpus = [], []
        for _ in range(2):
            t0, c0 = time.perf_counter(), _cpu()
            full = risk.individual_risk(park, resolution=10.0, extent=ext)
            times.append(time.perf_counter() - t0)
            cpus.append(_cpu() - c0)
        t_full = times[1]
        ny, nx = full.grid.shape
        n_sc = int(full.outcomes["computed"].sum())
        from analysis.qra.options import weather_classes
        from analysis.weather import demo_wind_rose

        dirs, classes, p_day, p_night, _ = weather_classes(demo_wind_rose())
        n_cls = int(((p_day.sum(axis=0) + p_night.sum(axis=0)) > 0).sum())
        print(
            f"[1] 全量：{nx}×{ny} = {nx * ny:,} 个 10 m 网格，{n_sc} 个事故场景（结局），"
            f"{len(dirs)} 个风向 × {n_cls} 个气象类别（风速×稳定度，昼夜合计）"
        )
        print(
            f"    用时：首次 {times[0]:.1f} s（CPU {cpus[0]:.1f} s，含后果模型缓存的建立），"
            f"再次 {times[1]:.1f} s（CPU {cpus[1]:.1f} s；墙钟时间，双核）；负载 {os.getloadavg()[0]:.1f}；"
            f"最大个人风险 {full.grid.max():.2e} /年"
        )
    # 2. per-cell reference on a sub-grid around three installations
    units = ("E04-V101", "T-3")
    sub = risk.individual_risk(park, resolution=10.0, extent=ext, units=units)
    inst = park.metric("installations").set_index("unit_id")
    c = inst.loc["E04-V101"].geometry.centroid
    xs, ys = sub.cell_centres()
    j0 = int(np.argmin(np.abs(xs - c.x))) - 5
    i0 = int(np.argmin(np.abs(ys - c.y))) - 5
    cells = [(xs[j], ys[i]) for i in range(i0, i0 + 10, 3) for j in range(j0, j0 + 60, 6)]
    ref, t_build, t_cells, n_fields = _per_cell(park, sub, units, cells)
    vec = sub.value_at(np.array([p[0] for p in cells]), np.array([p[1] for p in cells]))
    rel = np.abs(vec - ref) / np.maximum(ref, 1e-12)
    err = float(np.max(rel)) if np.any(ref > 1e-9) else 0.0
    kk = int(np.argmax(rel))
    worst_cell = (cells[kk][0] - c.x, cells[kk][1] - c.y)
    print(
        f"[2] 逐网格直接实现（{len(units)} 个设施，{n_fields} 个 场景×气象×风向 组合，{len(cells)} 个网格）："
    )
    print(
        f"    构建后果场 {t_build:.1f} s，逐网格求和 {t_cells:.2f} s → 每网格 {t_cells / len(cells) * 1e3:.1f} ms"
    )
    print(
        f"    与矢量化结果的最大相对差 {err:.2%}（双线性插值查表误差；该网格距 E04-V101 形心 "
        f"({worst_cell[0]:.0f}, {worst_cell[1]:.0f}) m，中位相对差 {np.median(rel):.2%}）"
    )
    if not args.quick:
        per_cell_per_field = t_cells / len(cells) / n_fields
        n_fields_full = n_fields / len(sub.outcomes[sub.outcomes["computed"]]) * n_sc
        t_ref = per_cell_per_field * nx * ny * n_fields_full + t_build / n_fields * n_fields_full
        print(
            f"    外推至全量：{t_ref:,.0f} s ≈ {t_ref / 86400:.1f} 天；矢量化用时 {t_full:.1f} s，加速比 {t_ref / t_full:,.0f} 倍"
        )
    # 3. scaling (after a warm-up run, so that cached consequence tables do not distort the comparison)
    print("[3] 时间随网格数与场景数的增长（E01、E02、E04 三家企业的设施，缓存已建立）：")
    ids = [u for u in park.installations["unit_id"] if str(u).startswith(("E01", "E04", "T-"))]
    risk.individual_risk(park, resolution=40.0, extent=ext, units=tuple(ids))
    for res_m in (40.0, 20.0, 10.0):
        t0 = time.perf_counter()
        r = risk.individual_risk(park, resolution=res_m, extent=ext, units=tuple(ids))
        dt = time.perf_counter() - t0
        print(f"    分辨率 {res_m:>4.0f} m：{r.grid.size:>9,} 个网格，{dt:6.1f} s")
    for n in (len(ids) // 4, len(ids) // 2, len(ids)):
        t0 = time.perf_counter()
        r = risk.individual_risk(park, resolution=20.0, extent=ext, units=tuple(ids[:n]))
        dt = time.perf_counter() - t0
        k = int(r.outcomes["computed"].sum())
        print(f"    {n:>3} 个设施（{k:>4} 个场景）：{dt:6.1f} s，每场景 {dt / max(k, 1):.3f} s")
    print(
        "    说明：构建后果场与致死率查表的时间与网格数无关；网格数增加只增加查表旋转（每网格 × 风向数）的时间。"
    )


if __name__ == "__main__":
    main()

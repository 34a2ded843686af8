"""Time to segment and assess 100 km of pipeline (target < 10 s). Prints figures; not a test.

A 100 km natural-gas transmission line (OD 610 mm, 6.3 MPa gauge) zig-zags through a band of 200 villages and
40 schools; it is segmented at 50 m, its high-consequence areas identified (GB 32167) and its consequences and risk
kernel computed. The substance database is loaded before timing (a one-off start-up cost, also printed).
"""

from __future__ import annotations

import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from analysis import pipelines as pp
from analysis.physics import substances

CRS = "EPSG:4547"


def main() -> None:
    t0 = time.perf_counter()
    substances.get("天然气")
    t_load = time.perf_counter() - t0
    x = np.linspace(0, 100_000, 201)
    y = 300.0 * np.sin(x / 3000.0)
    line = gpd.GeoDataFrame(
        {
            "pipeline_id": ["BENCH"],
            "name": ["基准管道"],
            "substance": ["天然气"],
            "diameter_m": [0.61],
            "pressure_pa": [6.3e6 + 101_325.0],
            "buried": [True],
            "operator": ["-"],
            "kind": ["transmission"],
            "temperature_k": [288.15],
        },
        geometry=[shapely.LineString(np.column_stack([x, y]))],
        crs=CRS,
    )
    rng = np.random.default_rng(1)
    n_v, n_s = 200, 40
    vx = rng.uniform(0, 100_000, n_v + n_s)
    vy = 300.0 * np.sin(vx / 3000.0) + rng.uniform(-600, 600, n_v + n_s)
    cats = ["village"] * n_v + ["school"] * n_s
    targets = gpd.GeoDataFrame(
        {
            "target_id": [f"T{i}" for i in range(n_v + n_s)],
            "name": [f"目标{i}" for i in range(n_v + n_s)],
            "category": cats,
            "protection_class": ["general_1"] * (n_v + n_s),
            "population_day": rng.integers(50, 800, n_v + n_s),
            "population_night": rng.integers(50, 800, n_v + n_s),
        },
        geometry=[shapely.box(a - 60, b - 60, a + 60, b + 60) for a, b in zip(vx, vy, strict=True)],
        crs=CRS,
    )
    t1 = time.perf_counter()
    seg = pp.segment_pipelines(line, length=50.0)
    t2 = time.perf_counter()
    hca = pp.identify_hca(seg, targets=targets)
    t3 = time.perf_counter()
    pp.pipeline_consequences(line.iloc[0], length_m=float(line.geometry.length.iloc[0]))
    t4 = time.perf_counter()
    print(f"物质库首次加载 substance database load: {t_load:.2f} s")
    print(
        f"分段 segmentation: {len(seg)} segments of 50 m over {line.geometry.length.iloc[0] / 1e3:.1f} km: {t2 - t1:.3f} s"
    )
    print(
        f"高后果区识别 HCA identification (240 targets): {t3 - t2:.3f} s, HCA segments: {(hca.hca_grade > 0).sum()}"
    )
    print(f"后果与风险核 consequences + risk kernel: {t4 - t3:.3f} s")
    print(f"合计 total (segment + assess 100 km): {t4 - t1:.2f} s  (target < 10 s)")


def rose_comparison() -> None:
    """The demo park's pipelines on the old fixed weather (D, 2 m/s, 12 directions), on the park's full rose and
    on the reduced rose (one speed per stability): time of assess + risk raster (25 m) + societal risk per km, and
    the results that change."""
    from affine import Affine

    from geodata import load_park

    park = load_park(Path(__file__).resolve().parents[1] / "geodata" / "samples" / "demo_park.gpkg")
    targets = park.metric("sensitive_targets")
    variants = {
        "旧：D 类 2 m/s、12 风向（固定）": dict(
            risk_options=pp.RiskOptions(weather=pp.default_weather_classes())
        ),
        "园区风玫瑰，全部类别（默认）": dict(weather_reduction="none"),
        "园区风玫瑰，按稳定度合并风速": dict(weather_reduction="speed_per_stability"),
    }
    for label, kw in variants.items():
        c0, t0 = time.process_time(), time.perf_counter()
        a = pp.assess(park, **kw)
        t1 = time.perf_counter()
        xmin, ymin, xmax, ymax = a.segments.total_bounds
        h, pad = 25.0, 1500.0
        shape = (int((ymax - ymin + 2 * pad) // h), int((xmax - xmin + 2 * pad) // h))
        ir = a.risk_raster(Affine(h, 0, xmin - pad, 0, -h, ymax + pad), shape, a.segments.crs)
        t2 = time.perf_counter()
        win, _ = pp.societal_risk_per_km(a.segments, a.consequences, targets=targets)
        t3 = time.perf_counter()
        print(
            f"{label}：{a.assumptions['weather_classes']}；CPU 合计 {time.process_time() - c0:.1f} s；assess {t1 - t0:.1f} s，风险栅格 {t2 - t1:.1f} s，"
            f"每公里社会风险 {t3 - t2:.1f} s；最大个人风险 {ir.max():.3e} /年，"
            f"≥1e-6 面积 {(ir >= 1e-6).sum() * h * h / 1e6:.3f} km²，≥3e-7 面积 {(ir >= 3e-7).sum() * h * h / 1e6:.3f} km²，"
            f"最大每公里 PLL {win['pll'].max():.3e} 人/年"
        )


if __name__ == "__main__":
    main()
    rose_comparison()

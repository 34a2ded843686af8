"""The demo park's headline results, printed so that a refactoring can be checked before and after.

Prints, for the bundled demo park and its default options:
1. individual risk: maximum [1/a] and the area of each contour level (1e-5 … 3e-7 /a) [km²];
2. domino: number of escalation edges, of edges across enterprise fences, the sum of edge probabilities and the five
   most probable edges;
3. pipelines: number of GB 32167 high-consequence areas and their total length [m];
4. threat zones: the farthest reach of every zone level of a few installation/scenario cases [m];
5. emergency: the toxic zone reaches of chlorine from T-3, wind from 45° at 2 m/s, 22:00 [m].

Run: ``python bench/demo_figures.py [--skip-risk]`` (the risk grid takes the longest). The output is plain text, so
two runs can be compared with ``diff``.
"""

from __future__ import annotations

import argparse
import time
import warnings

warnings.filterwarnings("ignore")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skip-risk", action="store_true", help="skip the individual-risk grid")
    args = ap.parse_args()

    from analysis import domino, emergency, pipelines
    from analysis import scenarios as sc
    from analysis.scenarios import zones as zn
    from geodata import load_park
    from geodata.samples.build_demo_park import DEFAULT_PATH as DEMO_PARK

    park = load_park(DEMO_PARK)

    if not args.skip_risk:
        from analysis.qra.individual import individual_risk, risk_contours

        t0 = time.perf_counter()
        ir = individual_risk(park)
        print(f"[risk] {time.perf_counter() - t0:.1f} s (timing only, not compared)")
        print(f"risk.max_ir_per_a {float(ir.grid.max()):.4e}")
        for row in risk_contours(ir).itertuples():
            print(f"risk.contour_area_km2[{row.level:.0e}] {row.area_m2 / 1e6:.4f}")

    res = domino.analyze(park)
    e = res.edges
    print(f"domino.edges {len(e)}")
    print(f"domino.edges_across_fences {int(e['crosses_enterprise'].sum())}")
    print(f"domino.sum_probability {float(e['probability'].sum()):.6f}")
    for r in (
        e.sort_values(["probability", "source", "target"], ascending=[False, True, True]).head(5).itertuples()
    ):
        print(f"domino.top {r.source}->{r.target} {r.scenario} {r.vector} p={r.probability:.4f}")

    pa = pipelines.assess(park)
    print(f"pipelines.hca_count {len(pa.hca)}")
    print(f"pipelines.hca_length_m {float(pa.hca.geometry.length.sum()):.1f}")

    cases = [
        ("T-3", "toxic", 2.0, 45.0, "F"),
        ("T-3", "toxic", 5.0, 270.0, "D"),
    ]
    inst = park.metric("installations")
    for kind in ("pool_fire", "fireball", "vce", "jet_fire", "flash_fire"):
        for _, row in inst.iterrows():
            if kind in [o.kind for o in sc.applicable_scenarios(row)]:
                cases.append((str(row["unit_id"]), kind, 3.0, 90.0, "D"))
                break
    for unit, kind, speed, wfrom, stab in cases:
        w = sc.Weather(wind_speed=speed, wind_from_deg=wfrom, stability=stab)
        zones = zn.threat_zones_for_unit(park, unit, sc.Scenario(kind), w)
        table = zn.affected(zones, park)
        for s in zn.affected_summary(zones, table).itertuples():
            print(f"zones.reach_m[{unit},{kind},{speed},{wfrom},{stab},{s.label_zh}] {s.max_distance:.1f}")

    src = emergency.release_source(park, unit_id="T-3")
    w = sc.Weather(wind_speed=2.0, wind_from_deg=45.0, stability="F")
    er = emergency.emergency_zones(src, emergency.Release(), w, crs=park.metric_crs, time_of_day="22:00")
    origin = src.geometry.centroid
    for name in ("toxic", "band", "fire", "isolation"):
        layer = getattr(er, name)
        for i, r in enumerate(layer.itertuples()):
            label = getattr(r, "label_zh", None) or getattr(r, "level", None) or i
            reach = float(r.geometry.hausdorff_distance(origin)) if not r.geometry.is_empty else 0.0
            print(f"emergency.{name}_reach_m[{label}] {reach:.1f}")


if __name__ == "__main__":
    main()

"""Benchmark of a region of parks on dask.distributed (issue 19 item 3): run time with 1 and 2 worker processes (their
ratio), the cached re-run and the re-run after one park changed, on a synthetic province generated into a temporary
folder at bench time — as a folder of GeoPackages or, with ``--postgis``, imported into a throw-away PostgreSQL +
PostGIS server (:mod:`geodata.pg_parks`).

    python bench/bench_region.py                 # 100 parks of mixed sizes (geodata.samples.province)
    python bench/bench_region.py --parks 5       # a quick check (the output says how many parks)
    python bench/bench_region.py --scale 0.3     # smaller parks (counts of PARK_SIZES × 0.3)
    python bench/bench_region.py --postgis       # the same region in PostGIS

Workers are processes of a LocalCluster (one thread each; the models are numpy code, processes use both cores).
The same region is computed twice from an empty cache (1 worker, then 2), then once more with the cache filled, then
once after one park changed (only it is recomputed). CPU time is this process plus its reaped children (the worker
processes, counted when the cluster closes); the load average is read before and after each run. Nothing here is a
test; it prints figures.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from app.region.compute import RegionOptions
from app.region.runner import run_region
from app.region.sources import open_region
from geodata.samples.province import PARK_SIZES, generate_region, park_plan


def _cpu() -> float:
    """CPU seconds of this process and its reaped children (user + system). [s]"""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _clear_cache(region: str, opts: RegionOptions, schema: str) -> None:
    from app.region.cache import CACHE_DIR

    shutil.rmtree(open_region(region, options_key=opts.as_key(), schema=schema).cache_root / CACHE_DIR, True)


def _timed(label: str, region: str, opts: RegionOptions, workers: int, schema: str):
    load0 = os.getloadavg()[0]
    cpu0 = _cpu()
    run = run_region(region, options=opts, n_workers=workers, schema=schema)
    cpu = _cpu() - cpu0
    print(
        f"{label:<28} {run.seconds:8.2f} s wall  {cpu:8.2f} s CPU  ({len(run.computed)} parks computed, "
        f"{len(run.failed)} failed; load {load0:.1f} → {os.getloadavg()[0]:.1f}; {run.cluster_zh})"
    )
    return run


def _change_one_park(region: str, folder: Path, schema: str) -> str:
    """Re-grade the first park (its file, or its row in PostGIS): a real change of its inputs."""
    from geodata import load_park, save_park
    from geodata.store import is_postgres_target

    first = sorted(folder.glob("*.gpkg"))[0]
    park = load_park(first)
    grade = "A" if park.parks["risk_grade"].iloc[0] != "A" else "B"
    if is_postgres_target(region):
        import psycopg

        with psycopg.connect(region, autocommit=True) as conn:
            conn.execute(
                f"UPDATE {schema}.park_parks SET risk_grade = %s WHERE park_key = %s", (grade, first.stem)
            )
        return first.stem
    layers = park.layers
    layers["parks"] = layers["parks"].assign(risk_grade=grade)
    changed = type(park)(layers, report=park.report, source=park.source, weather=park.weather)
    save_park(changed, first)
    return first.name


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parks", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--scale", type=float, default=1.0, help="multiplies the counts of PARK_SIZES")
    ap.add_argument("--resolution", type=float, default=RegionOptions().resolution, help="IR grid [m]")
    ap.add_argument(
        "--postgis", action="store_true", help="import the parks into a temporary PostGIS and run there"
    )
    args = ap.parse_args()
    opts = RegionOptions(resolution=args.resolution)
    schema = "bench_region"
    folder = Path(tempfile.mkdtemp(prefix="parkrisk-province-"))
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, folder, True)
        os.environ.setdefault(
            "PARKRISK_DATA_DIR", str(folder / ".data")
        )  # the PostGIS cache: not in ~/.local
        sizes = park_plan(args.parks, args.seed)["size"].value_counts()
        mix = "，".join(f"{PARK_SIZES[k].label_zh} {int(sizes.get(k, 0))}" for k in PARK_SIZES)
        t0 = time.perf_counter()
        generate_region(folder, parks=args.parks, seed=args.seed, scale=args.scale)
        print(
            f"province: {args.parks} parks ({mix}), scale {args.scale:g}, built in {time.perf_counter() - t0:.1f} s"
        )
        region = str(folder)
        if args.postgis:
            from geodata import load_park
            from geodata.pg_parks import write_park
            from geodata.store.testing import TemporaryPostgres

            pg = stack.enter_context(TemporaryPostgres(dbname="bench_region", fsync=True))
            t0 = time.perf_counter()
            for p in sorted(folder.glob("*.gpkg")):
                write_park(pg.dsn, load_park(p), schema=schema, source=p.name)
            region = pg.dsn
            print(f"imported into PostGIS (schema {schema}) in {time.perf_counter() - t0:.1f} s")
        print(f"machine: {os.cpu_count()} CPUs; IR grid {opts.resolution:g} m; load {os.getloadavg()[0]:.1f}")
        times = {}
        for workers in (1, 2):
            _clear_cache(region, opts, schema)
            times[workers] = _timed(
                f"{workers} worker(s), empty cache", region, opts, workers, schema
            ).seconds
        print(f"ratio 1 worker / 2 workers: {times[1] / times[2]:.2f}×")
        _timed("cached re-run", region, opts, 2, schema)
        changed = _change_one_park(region, folder, schema)
        _timed(f"re-run, {changed} changed", region, opts, 2, schema)


if __name__ == "__main__":
    main()

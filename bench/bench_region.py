"""Benchmark of a region of parks on dask.distributed (issue 19 item 3): run time with 1 and 2 worker processes (their
ratio) and the cached re-run, on a synthetic province generated into a temporary folder at bench time.

    python bench/bench_region.py                 # 100 parks of mixed sizes (geodata.samples.province)
    python bench/bench_region.py --parks 20      # fewer parks when time is short (the output says how many)
    python bench/bench_region.py --scale 0.3     # smaller parks (counts of PARK_SIZES × 0.3)

Workers are processes of a LocalCluster (one thread each; the models are numpy code, processes use both cores).
The same folder is computed twice from an empty cache (1 worker, then 2), then once more with the cache filled.
Nothing here is a test; it prints figures.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from app.region.cache import CACHE_DIR
from app.region.compute import RegionOptions
from app.region.runner import run_region
from geodata.samples.province import PARK_SIZES, generate_region, park_plan


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parks", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--scale", type=float, default=1.0, help="multiplies the counts of PARK_SIZES")
    ap.add_argument("--resolution", type=float, default=RegionOptions().resolution, help="IR grid [m]")
    args = ap.parse_args()
    opts = RegionOptions(resolution=args.resolution)
    folder = Path(tempfile.mkdtemp(prefix="parkrisk-province-"))
    try:
        sizes = park_plan(args.parks, args.seed)["size"].value_counts()
        mix = "，".join(f"{PARK_SIZES[k].label_zh} {int(sizes.get(k, 0))}" for k in PARK_SIZES)
        t0 = time.perf_counter()
        generate_region(folder, parks=args.parks, seed=args.seed, scale=args.scale)
        print(
            f"province: {args.parks} parks ({mix}), scale {args.scale:g}, built in {time.perf_counter() - t0:.1f} s"
        )
        times = {}
        for workers in (1, 2):
            shutil.rmtree(folder / CACHE_DIR, ignore_errors=True)
            run = run_region(folder, options=opts, n_workers=workers)
            times[workers] = run.seconds
            failed = len(run.failed)
            print(
                f"{workers} worker(s): {run.seconds:7.1f} s  ({len(run.computed)} parks computed, {failed} failed)"
            )
        print(f"ratio 1 worker / 2 workers: {times[1] / times[2]:.2f}×")
        cached = run_region(folder, options=opts, n_workers=2)
        print(f"cached re-run: {cached.seconds:.2f} s ({len(cached.computed)} parks recomputed)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()

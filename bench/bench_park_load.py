"""Wall and CPU time of loading a park and of the visitor's redacted view (issue 19: the app's warm-up thread).

Usage::

    python bench/bench_park_load.py [PARK ...] [--runs N]

For each park (default: the demo park and the large synthetic park of :func:`geodata.samples.synthetic.generate_park`
with seed 0, written to a temporary folder) prints, in seconds:

- ``cold``: the first :func:`geodata.io.load_park` and :func:`app.auth.redact_park` for an anonymous visitor (what
  :func:`app.state.visitor_view` computes) in a fresh Python process — the first call also reads the GB 18218 tables
  and the substance table, as the app's warm-up does;
- ``warm``: the median of ``N`` (default 5) further runs in that process, each on a freshly loaded park (no cache:
  :func:`geodata.io.load_park` is called directly and the redaction of a new park is always computed).

Wall time is :func:`time.perf_counter`, CPU time :func:`time.process_time` (all threads of the process). The load
average of the machine is printed too: figures taken while it is above the number of cores are not comparable.
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
DEMO = ROOT / "geodata" / "samples" / "demo_park.gpkg"


def _timed(fn):
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w0, time.process_time() - c0


def _measure(path: str, runs: int) -> dict:
    """Cold then ``runs`` warm timings of load_park and the anonymous visitor's view, in this process."""
    from app.auth import redact_park
    from geodata.io import load_park

    rows = []
    for _ in range(runs + 1):
        park, lw, lc = _timed(lambda: load_park(path))
        _, vw, vc = _timed(lambda park=park: redact_park(None, park))
        rows.append((lw, lc, vw, vc))
    warm = rows[1:]
    med = [statistics.median(r[k] for r in warm) for k in range(4)]
    return {"cold": rows[0], "warm": med, "n_installations": len(park.installations)}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("parks", nargs="*", help="park files (default: demo and large synthetic park)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(_measure(args.child, args.runs)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        parks = list(args.parks)
        if not parks:
            from geodata.samples.synthetic import generate_park

            large = str(Path(tmp) / "large.gpkg")
            generate_park(large, seed=0)
            parks = [str(DEMO), large]
        print(f"load average before: {os.getloadavg()[0]:.2f}; {args.runs} warm runs (median)")
        print(
            f"{'park':<12}{'inst':>6}  {'':5}{'load wall':>10}{'load CPU':>10}{'view wall':>10}{'view CPU':>10}"
        )
        for path in parks:
            cmd = [sys.executable, __file__, "--child", path, "--runs", str(args.runs)]
            res = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT).stdout)
            name = "demo" if Path(path) == DEMO else Path(path).stem
            for label in ("cold", "warm"):
                lw, lc, vw, vc = res[label]
                print(
                    f"{name:<12}{res['n_installations']:>6}  {label:5}{lw:>10.3f}{lc:>10.3f}{vw:>10.3f}{vc:>10.3f}"
                )
        print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

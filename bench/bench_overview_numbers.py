"""CPU and wall time of the overview's header numbers (园区一张图, issue 19) and the models behind them.

Usage::

    python bench/bench_overview_numbers.py [--large PATH] [--runs N] [--before REV]

Times, on the demo park and on the synthetic large park (:func:`geodata.samples.synthetic.generate_park`, seed 0:
60 enterprises, 1,500 installations, 2,000 rectification items; built at ``--large`` when missing):

- ``regulator_numbers`` — :func:`app.park_overview.regulator_numbers` for an anonymous visitor, as the app's
  warm-up computes it (:func:`app.one_map.overview_numbers`),
- ``two_key_one_major`` — :func:`analysis.regulation.key_supervision.two_key_one_major`,
- ``enterprise_grades`` — :func:`analysis.regulation.gb18218.enterprise_grades`,

each the median of ``--runs`` calls (default 5) on a freshly loaded park (its metric layers not yet projected;
loading is not timed), as wall time and CPU time of this process [s], with the machine's load average.
``--before REV`` also runs the same measurements with the ``analysis`` package of the git revision ``REV``
(exported with ``git archive`` to a temporary folder put first on ``PYTHONPATH``) and prints both.
"""

from __future__ import annotations

import argparse
import datetime as dt
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
FUNCTIONS = ("regulator_numbers", "two_key_one_major", "enterprise_grades")


def _call(name: str, park):
    from analysis.regulation.gb18218 import enterprise_grades
    from analysis.regulation.key_supervision import two_key_one_major
    from app import state
    from app.park_overview import regulator_numbers

    if name == "regulator_numbers":
        view = state.ParkView(state.visitor_view(park), None, park)
        return regulator_numbers(view, today=dt.date(2026, 12, 8))
    if name == "two_key_one_major":
        return two_key_one_major(park)
    return enterprise_grades(park)


def measure(parks: dict[str, Path], runs: int) -> dict[str, dict[str, list[float]]]:
    """{park: {function: [median wall, median CPU]}} [s], each call on a freshly loaded park."""
    from geodata.io import load_park

    out: dict[str, dict[str, list[float]]] = {}
    for label, path in parks.items():
        _call("regulator_numbers", load_park(path))  # imports and the GB 18218 tables read once, untimed
        out[label] = {}
        for name in FUNCTIONS:
            wall, cpu = [], []
            for _ in range(runs):
                park = load_park(path)
                w, c = time.perf_counter(), time.process_time()
                _call(name, park)
                wall.append(time.perf_counter() - w)
                cpu.append(time.process_time() - c)
            out[label][name] = [statistics.median(wall), statistics.median(cpu)]
    return out


def _before(rev: str, parks: dict[str, Path], runs: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench_overview_") as tmp:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", rev, "analysis"], check=True, capture_output=True
        )
        subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([tmp, str(ROOT)])}
        args = [sys.executable, __file__, "--json", "--runs", str(runs), "--large", str(parks["large"])]
        res = subprocess.run(args, env=env, cwd=tmp, capture_output=True, text=True)
        if res.returncode:
            raise RuntimeError(f"--before {rev} failed:\n{res.stderr}")
        out = json.loads(res.stdout)
        if not out.pop("analysis").startswith(tmp):  # the revision's package, not the work tree's
            raise RuntimeError(f"--before {rev}: the analysis package of the work tree was imported")
        return out


def _print(title: str, res: dict) -> None:
    print(title)
    for label, rows in res.items():
        for name, (wall, cpu) in rows.items():
            print(f"  {label:6s} {name:18s} wall {wall:7.3f} s   CPU {cpu:7.3f} s")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--large", type=Path, default=Path(tempfile.gettempdir()) / "parkrisk_large_seed0.gpkg")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--before", help="git revision whose analysis package is measured too")
    ap.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if str(ROOT) not in sys.path:  # after PYTHONPATH: --before puts the older package first
        sys.path.append(str(ROOT))
    if not a.large.exists():
        from geodata.samples.synthetic import generate_park

        generate_park(a.large, seed=0)
    parks = {"demo": DEMO, "large": a.large}
    if a.json:
        import analysis

        print(json.dumps({"analysis": analysis.__file__, **measure(parks, a.runs)}))
        return
    if a.before:
        _print(
            f"before ({a.before}), median of {a.runs}, load average {os.getloadavg()}",
            _before(a.before, parks, a.runs),
        )
    _print(f"now, median of {a.runs}, load average {os.getloadavg()}", measure(parks, a.runs))
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()

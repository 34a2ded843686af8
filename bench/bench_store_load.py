"""Load test of the rectification store: many sessions updating the same few items at once, on both backends.

Each session (a process, or a thread with ``--threads``) loops for ``--duration`` seconds: read a random item, then
add a progress note guarded by the version it read (``ConcurrentEditError`` when someone else was faster). At the
end the script checks that no update was lost: for every item, the successful updates reported by all sessions equal
both the version increments and the number of progress records in the history. It prints throughput and conflicts.

    python bench/bench_store_load.py --duration 20 --sessions 8 --items 5

The PostGIS run starts a private PostgreSQL server (geodata.store.testing.TemporaryPostgres, fsync on).
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import shapely

from geodata.store import User, open_store
from geodata.store.testing import TemporaryPostgres, hammer

ADMIN = User("bench", "admin")


def _records(n: int) -> list[dict]:
    return [
        {
            "item_id": f"L{i:03d}",
            "park_id": "P",
            "enterprise_id": f"E{i % 3}",
            "title": f"负载测试事项 {i}",
            "category": "equipment",
            "hazard_level": "general",
            "source": "inspection",
            "found_on": "2026-01-01",
            "deadline": "2026-12-31",
            "responsible": "负载测试",
            "status": "open",
            "closed_on": None,
            "geometry": shapely.Point(113.7 + 1e-3 * i, 29.88),
        }
        for i in range(n)
    ]


def run(target: str, schema: str, *, sessions: int, duration: float, n_items: int, threads: bool) -> dict:
    store = open_store(target, schema=schema)
    store.create_items(ADMIN, _records(n_items))
    ids = [f"L{i:03d}" for i in range(n_items)]
    start = time.time() + (0.5 if threads else 2.0)
    if threads:
        results: list[dict] = [{}] * sessions

        def work(k: int) -> None:
            results[k] = hammer(
                target, schema=schema, item_ids=ids, duration_s=duration, seed=k, barrier_at=start
            )

        ts = [threading.Thread(target=work, args=(k,)) for k in range(sessions)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
    else:
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=sessions, mp_context=ctx) as ex:
            futs = [
                ex.submit(
                    hammer, target, schema=schema, item_ids=ids, duration_s=duration, seed=k, barrier_at=start
                )
                for k in range(sessions)
            ]
            results = [f.result() for f in futs]
    ok_total = sum(sum(r["ok"].values()) for r in results)
    conflicts = sum(r["conflicts"] for r in results)
    elapsed = max(r["elapsed_s"] for r in results)
    lost = 0
    for i in ids:
        ok = sum(r["ok"][i] for r in results)
        version_delta = store.get_item(ADMIN, i).version - 1
        notes = int((store.history(ADMIN, i)["action"] == "progress").sum())
        lost += abs(version_delta - ok) + abs(notes - ok)
    store.close()
    return {"ok": ok_total, "conflicts": conflicts, "elapsed": elapsed, "lost": lost}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=float, default=20.0, help="seconds of load per backend [s]")
    ap.add_argument("--sessions", type=int, default=8, help="concurrent sessions")
    ap.add_argument("--items", type=int, default=5, help="items being updated (fewer = more conflicts)")
    ap.add_argument("--threads", action="store_true", help="sessions as threads instead of processes")
    ap.add_argument("--backend", choices=["gpkg", "postgis", "both"], default="both")
    args = ap.parse_args(argv)
    kind = "线程" if args.threads else "进程"
    print(
        f"负载测试：{args.sessions} 个{kind}会话 × {args.duration:.0f} s，{args.items} 个事项（读取—带版本校验写入）"
    )
    failed = False
    backends = ["gpkg", "postgis"] if args.backend == "both" else [args.backend]
    for backend in backends:
        with tempfile.TemporaryDirectory() as tmp:
            if backend == "gpkg":
                res = run(
                    str(Path(tmp) / "load.gpkg"),
                    "parkrisk",
                    sessions=args.sessions,
                    duration=args.duration,
                    n_items=args.items,
                    threads=args.threads,
                )
            else:
                with TemporaryPostgres(dbname="parkrisk_bench", fsync=True) as pg:
                    res = run(
                        pg.app_store("bench"),  # the application's role, as deployed (owns nothing)
                        "bench",
                        sessions=args.sessions,
                        duration=args.duration,
                        n_items=args.items,
                        threads=args.threads,
                    )
        attempts = res["ok"] + res["conflicts"]
        print(
            f"{backend:8s} 成功更新 {res['ok']:6d} 次，{res['ok'] / res['elapsed']:8.1f} 次/s；"
            f"版本冲突 {res['conflicts']:6d} 次（{100 * res['conflicts'] / max(attempts, 1):.1f}%）；"
            f"丢失更新 {res['lost']} 次"
        )
        failed |= res["lost"] != 0
    if failed:
        print("错误：存在丢失的更新！")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

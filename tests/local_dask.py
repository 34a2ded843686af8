"""A real ``dask scheduler`` and ``dask worker`` processes on localhost for the region tests (issue 19: the region
reached through ``DASK_SCHEDULER_ADDRESS`` only, one code path with the LocalCluster).

Import as ``from local_dask import external_cluster`` (tests/conftest.py puts this folder on ``sys.path``).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def external_cluster(log_path: Path, *, workers: int = 2, timeout_s: float = 60.0) -> Iterator[str]:
    """Start a scheduler and ``workers`` single-thread workers (their output in ``log_path``), wait until every
    worker has joined and yield the scheduler's address; stop them all on leaving (terminate, then kill)."""
    from dask.distributed import Client

    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = str(Path(sys.executable).with_name("dask"))
    env = dict(os.environ, PYTHONPATH=str(REPO))
    args = [[dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"]]
    args += [[dask, "worker", address, "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1"]] * workers
    with open(log_path, "w") as log:
        procs = [subprocess.Popen(a, stdout=log, stderr=subprocess.STDOUT, env=env) for a in args]
        try:
            deadline = time.monotonic() + timeout_s
            while True:
                try:
                    with Client(address, timeout="2s") as c:
                        c.wait_for_workers(workers, timeout=timeout_s)
                        joined = len(c.scheduler_info(n_workers=-1)["workers"])
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.3)
            if joined != workers:
                raise RuntimeError(
                    f"{joined} of {workers} dask workers joined the scheduler (log: {log_path})"
                )
            yield address
        finally:
            for p in reversed(procs):
                p.terminate()
            for p in procs:
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait(timeout=10)

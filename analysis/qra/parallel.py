"""Both cores for the risk grid: worker processes for Python-bound steps, threads for numpy-bound ones.

- Preparing an installation's lethality tables (consequence models called on probe points and tables) is many small
  numpy calls with Python between them: the GIL would serialise threads, so it runs in **worker processes**
  (:func:`process_map`, ``fork`` start method: the run's state is inherited by the children, never pickled; only
  the results come back).
- Placing the tables on the grid (rotations, bilinear reads, sums over arrays of 10⁴–10⁶ cells) spends its time in
  numpy, which releases the GIL: it runs in **threads** (:func:`thread_map`), each on its own part of the grid.

How many: the CPUs this process may use (``os.sched_getaffinity``), or the environment variable
``PARKRISK_WORKERS`` (``1`` = serial: set it where parks are already run in parallel, e.g. one park per Dask
worker). A daemonic process (a Dask or multiprocessing worker) may not start children: there the steps run serially.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from typing import Any

from threadpoolctl import threadpool_limits

from analysis.physics._chunks import WORKERS_ENV, kernel_threads

__all__ = [
    "WORKERS_ENV",
    "cpu_workers",
    "process_workers",
    "process_map",
    "thread_map",
    "split",
    "interleave",
]

_STATE: Any = None  # the run's state in a worker process (set by _init in the child only)

#: Workers to use: ``PARKRISK_WORKERS`` (:data:`WORKERS_ENV`) when set, else the CPUs this process may run on — the
#: same count the closed-form kernels take for their threads (one definition, in :mod:`analysis.physics._chunks`).
cpu_workers = kernel_threads


def process_workers(n_tasks: int, *, min_tasks: int = 4) -> int:
    """Worker processes for ``n_tasks`` tasks: at most :func:`cpu_workers`, each with at least ``min_tasks``; 1 in
    a daemonic process or where ``fork`` is not available."""
    if mp.current_process().daemon or "fork" not in mp.get_all_start_methods():
        return 1
    return max(1, min(cpu_workers(), n_tasks // max(1, min_tasks)))


def _init(state: Any) -> None:
    global _STATE
    _STATE = state


def _call(fn: Callable[[Any, Any], Any], items: Sequence[Any]) -> list[Any]:
    return [fn(_STATE, it) for it in items]


def process_map(
    fn: Callable[[Any, Any], Any], items: Sequence[Any], state: Any, *, workers: int
) -> Iterator[Any]:
    """``fn(state, item)`` for every item, in ``workers`` forked processes (in this process when 1).

    ``fn`` must be a module-level function (it is sent by name); ``state`` reaches the children through ``fork``
    without pickling; each result is pickled back. Results come in the order they finish.
    """
    if workers <= 1:
        for it in items:
            yield fn(state, it)
        return
    size = max(1, len(items) // (workers * 24))  # small chunks: an uneven load still keeps every worker busy
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    ctx = mp.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init, initargs=(state,)) as ex:
        futures = [ex.submit(_call, fn, chunk) for chunk in chunks]
        for f in as_completed(futures):
            yield from f.result()


def split(n: int, parts: int) -> list[range]:
    """``range(n)`` cut into ``parts`` contiguous ranges (fewer when n is small)."""
    parts = max(1, min(parts, n))
    bounds = [round(i * n / parts) for i in range(parts + 1)]
    return [range(a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def interleave(n: int, parts: int) -> list[range]:
    """``range(n)`` dealt into ``parts`` interleaved ranges (every parts-th item; fewer when n is small)."""
    parts = max(1, min(parts, n))
    return [range(k, n, parts) for k in range(parts)]


def thread_map(fn: Callable[[Any], Any], parts: Iterable[Any], *, workers: int) -> list[Any]:
    """``fn(part)`` for every part, in ``workers`` threads (in this thread when 1); results in the parts' order.

    While the threads run, BLAS (matrix products) uses one thread: each of our threads already has a core, and
    OpenBLAS's own threads on top of them would only wait for a core."""
    parts = list(parts)
    if workers <= 1 or len(parts) <= 1:
        return [fn(p) for p in parts]
    with threadpool_limits(1, user_api="blas"), ThreadPoolExecutor(workers) as ex:
        return list(ex.map(fn, parts))

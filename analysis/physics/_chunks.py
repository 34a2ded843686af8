"""Elementwise kernels on large arrays: cache-sized chunks, spread over the CPUs by threads.

A closed-form kernel on 10⁶ points written as whole-array numpy expressions makes one 8 MB temporary per operation
and walks memory once per operation. Run by chunks of :data:`CHUNK` points instead, every intermediate stays in the
core's L2 cache, the result is written in place, and the chunks can be shared among threads: numpy (and
scipy.special) ufunc loops release the GIL, so on a 2-core machine two threads take about half the wall time.
The operations on each point are the same as in the whole-array form, in the same order, so the results are
bit-identical to it (tests/analysis/test_kernel_speed.py).

How many threads (:func:`default_threads`): ``PARKRISK_WORKERS`` when set (``1`` = one thread; the same variable as
the risk grid's :mod:`analysis.qra.parallel`, set it where kernels already run in parallel processes), else the CPUs
this process may run on while a core is idle, one thread on a busy machine. Below :data:`MIN_PARALLEL` points one
thread runs (a thread hand-off costs more than it saves).
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

__all__ = [
    "CHUNK",
    "MIN_PARALLEL",
    "WORKERS_ENV",
    "default_threads",
    "kernel_threads",
    "large",
    "log_affine",
    "run",
    "scratch",
]

#: Points per chunk: a handful of float64 scratch arrays of this length fit the L2 cache (1 MB a core here).
CHUNK = 1 << 15
#: Fewer points than this run in one thread.
MIN_PARALLEL = 1 << 17
#: Environment variable: the number of threads (a positive integer; 1 = one thread).
WORKERS_ENV = "PARKRISK_WORKERS"

_LOCAL = threading.local()
_POOL: dict[str, Any] = {"pool": None, "pid": None, "size": 0}
_POOL_LOCK = threading.Lock()


def _after_fork_in_child() -> None:
    """A forked child has none of the parent's threads (and maybe a lock held by one): start afresh."""
    global _POOL_LOCK
    _POOL_LOCK = threading.Lock()
    _POOL.update(pool=None, pid=None, size=0)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def kernel_threads() -> int:
    """Threads a large kernel uses: ``PARKRISK_WORKERS`` when set, else the CPUs this process may run on. [-]

    Raises
    ------
    ValueError
        ``PARKRISK_WORKERS`` is not a positive integer (the message names the value).
    """
    env = os.environ.get(WORKERS_ENV, "").strip()
    if env:
        if not env.isdigit() or int(env) < 1:
            raise ValueError(
                f"{WORKERS_ENV}={env!r}: 应为正整数（1 表示不并行） / must be a positive integer"
            )
        return int(env)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - platforms without affinity
        return os.cpu_count() or 1


def default_threads() -> int:
    """Threads for a large kernel now: ``PARKRISK_WORKERS`` when set; else the CPUs of this process while a core is
    idle (1-minute load average below CPUs − ½), and 1 on a busy machine — there a second thread waits for a core
    and for the GIL between its numpy calls, and two threads take longer than one (measured at load 8 on 2 cores:
    0.4 CPU-seconds per wall second). [-]"""
    if os.environ.get(WORKERS_ENV, "").strip():
        return kernel_threads()
    cpus = kernel_threads()
    try:
        busy = os.getloadavg()[0] > cpus - 0.5
    except OSError:  # pragma: no cover - no load average on this platform
        busy = False
    return 1 if busy else cpus


def _pool(size: int) -> ThreadPoolExecutor:
    """The shared pool of ``size`` helper threads; a new one after ``fork`` (a child inherits no threads)."""
    with _POOL_LOCK:
        if _POOL["pool"] is None or _POOL["pid"] != os.getpid() or _POOL["size"] < size:
            _POOL.update(
                pool=ThreadPoolExecutor(size, thread_name_prefix="parkrisk-kernel"),
                pid=os.getpid(),
                size=size,
            )
        return _POOL["pool"]


def scratch(slot: int, n: int, dtype=np.float64) -> np.ndarray:
    """A scratch array of ``n`` elements of this thread, one per ``slot`` and dtype (reused: no allocation, no page
    faults per chunk). Only the calling thread may use it, only until it asks for it again."""
    cache = getattr(_LOCAL, "cache", None)
    if cache is None:
        cache = _LOCAL.cache = {}
    key = (slot, np.dtype(dtype).str)
    arr = cache.get(key)
    if arr is None or arr.size < n:
        arr = cache[key] = np.empty(max(n, CHUNK), dtype=dtype)
    return arr[:n]


def run(
    n: int, body: Callable[[int, int], Any], *, threads: int | None = None, chunk: int = CHUNK
) -> list[Any]:
    """Call ``body(lo, hi)`` on the chunks ``[lo, hi)`` of ``range(n)``, in threads when ``n`` is large.

    Parameters
    ----------
    n : int
        Number of points.
    body : callable
        Works on points ``lo`` to ``hi`` (at most ``chunk``), writing into its own part of the output; it
        must touch nothing shared but its output slice (its scratch arrays come from :func:`scratch`).
    threads : int, optional
        Threads to use; :func:`default_threads` when not given (and 1 below :data:`MIN_PARALLEL` points).
    chunk : int
        Points per chunk: larger chunks mean fewer Python calls per point, smaller ones keep the scratch arrays in
        the L2 cache (the best size is measured per kernel).

    Returns
    -------
    results : list
        What ``body`` returned for each chunk, in the order of the chunks.
    """
    bounds = [(a, min(a + chunk, n)) for a in range(0, n, chunk)]
    if threads is None:
        threads = default_threads() if n >= MIN_PARALLEL else 1
    threads = max(1, min(threads, len(bounds)))
    if threads == 1:
        return [body(a, b) for a, b in bounds]
    results: list[Any] = [None] * len(bounds)
    ticket = itertools.count()  # next() is atomic under the GIL: each chunk is taken by exactly one thread
    left, lock, done, errors = [len(bounds)], threading.Lock(), threading.Event(), []

    def worker() -> None:
        for k in iter(ticket.__next__, None):
            if k >= len(bounds):
                return
            try:
                results[k] = body(*bounds[k])
            except BaseException as exc:  # noqa: BLE001 - handed to the caller below
                errors.append(exc)
            with lock:
                left[0] -= 1
                if not left[0]:
                    done.set()

    pool = _pool(threads - 1)
    for _ in range(threads - 1):
        pool.submit(worker)
    worker()  # the calling thread works too, and does everything if the helpers are slow to start (a busy machine)
    done.wait()  # only the chunks still in a helper's hands: a helper that starts later finds no ticket left
    if errors:
        raise errors[0]
    return results


def large(value: Any) -> bool:
    """``value`` is a float64 array of at least :data:`CHUNK` points (worth the chunked path)."""
    return isinstance(value, np.ndarray) and value.dtype == np.float64 and value.size >= CHUNK


def log_affine(x: np.ndarray, scale: float, offset: float) -> tuple[np.ndarray, bool]:
    """``offset + scale · ln x`` by chunks (per point ``y = ln x; y *= scale; y += offset``: the rounding of the
    whole-array form), and whether every point is sane.

    Parameters
    ----------
    x : ndarray
        float64, any shape. [unit of the caller]
    scale, offset : float
        ``scale`` > 0. [-]

    Returns
    -------
    y : ndarray
        Shape of ``x``; −inf where x = 0 (and nothing is warned).
    ok : bool
        False when some x is negative, NaN or +inf (then some y is NaN or +inf: the largest y, taken per chunk
        while it is in the cache, shows it); the caller then runs its input check for the message.
    """
    x1 = np.ravel(x)
    y = np.empty(x1.size)

    def body(a: int, b: int) -> float:
        ya = y[a:b]
        with np.errstate(divide="ignore", invalid="ignore"):
            np.log(x1[a:b], out=ya)
            ya *= scale
            ya += offset
        return float(ya.max())

    top = np.array(run(x1.size, body, chunk=4 * CHUNK) or [-np.inf])  # 3 ufuncs a chunk: larger chunks
    return y.reshape(x.shape), not (np.isnan(top).any() or np.isposinf(top).any())

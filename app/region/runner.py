"""Run a region of parks as ``dask.distributed`` tasks, one task per park, with results cached per park.

A region is a folder of park GeoPackages or a PostGIS database with many parks (:mod:`app.region.sources`); the
tasks are the same (:func:`app.region.compute.park_result` loads its park from the file or from PostGIS). One code
path for every cluster: ``Client(address) if address else Client(LocalCluster(...))`` — an existing
scheduler when an address is given (argument, or the ``DASK_SCHEDULER_ADDRESS`` environment variable), otherwise a
``LocalCluster`` of worker *processes* sized to the machine (one per CPU core, one thread each: the models are numpy
code that holds the GIL between array operations, so processes use the cores where threads would not). The workers
read the park files by path: on a multi-machine cluster the region folder must be on a file system every worker sees
(a PostGIS region needs only the database to be reachable from every worker).

Parks whose inputs did not change (:mod:`app.region.cache`) are not sent to the cluster. A park task that raises (a
worker lost, an unforeseen error) is reported with its error in Chinese and does not stop the others; such results
are not cached, so the next run tries again.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.region.cache import CACHE_DIR, read_entry, write_entry
from app.region.compute import RegionOptions, failed_result, park_result
from app.region.sources import Region, RegionPark, discover_parks, open_region
from geodata.pg_parks import DEFAULT_SCHEMA

__all__ = [
    "SCHEDULER_ENV",
    "RegionRun",
    "discover_parks",
    "run_region",
    "cached_results",
    "cluster_client",
    "close_client",
]

log = logging.getLogger(__name__)

SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"


@dataclass
class RegionRun:
    """The outcome of :func:`run_region`.

    Attributes
    ----------
    folder : Path or str
        The region folder, or the PostGIS connection's description (no password).
    results : list of dict
        One :func:`app.region.compute.park_result` per park, in file-name (or park id) order.
    computed : list of str
        Parks computed in this run (file names, or park ids in PostGIS; the others came from the cache).
    seconds : float
        Wall time of the run. [s]
    cluster_zh : str
        Where the parks were computed (scheduler address or local cluster and its workers).
    options : RegionOptions
    """

    folder: Path | str
    results: list[dict[str, Any]]
    computed: list[str]
    seconds: float
    cluster_zh: str
    options: RegionOptions = field(default_factory=RegionOptions)
    title: str = ""

    @property
    def failed(self) -> list[dict[str, Any]]:
        """Results with at least one error."""
        return [r for r in self.results if r.get("errors")]


def cluster_client(address: str | None = None, *, n_workers: int | None = None) -> Any:
    """A ``dask.distributed.Client``: to the scheduler at ``address`` (default ``$DASK_SCHEDULER_ADDRESS``) when
    one is given, else to a new ``LocalCluster`` of ``n_workers`` single-threaded worker processes (default: one per
    CPU core). Close it (and its cluster) with :func:`close_client`."""
    from dask.distributed import Client, LocalCluster

    address = address or os.environ.get(SCHEDULER_ENV) or None
    if n_workers is not None and (
        isinstance(n_workers, bool) or not isinstance(n_workers, int) or n_workers < 1
    ):
        raise ValueError(f"n_workers={n_workers!r} 无效：工作进程数应为 ≥ 1 的整数")
    if address:
        return Client(address, timeout="20s")
    cluster = LocalCluster(
        n_workers=n_workers or max(1, os.cpu_count() or 1),
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.WARNING,
    )
    return Client(cluster)


def close_client(client: Any) -> None:
    """Close a client of :func:`cluster_client` and the local cluster it started (an external one stays)."""
    cluster = getattr(client, "cluster", None)
    client.close()
    if cluster is not None:
        cluster.close()


def _describe(client: Any, address: str | None) -> str:
    n = len(client.scheduler_info(n_workers=-1).get("workers", {}))
    where = f"已有 dask 集群（调度器 {address}）" if address else "本机 dask LocalCluster"
    return f"{where}，{n} 个工作进程"


def _task_failed(park: RegionPark, exc: BaseException) -> dict[str, Any]:
    return failed_result(
        park.target,
        f"园区 {park.name} 的计算任务异常终止：{type(exc).__name__}: {exc}。其他园区不受影响；"
        "请检查该园区数据后重新运行 parkrisk region run（本园区未写入缓存，将重新计算）。",
    )


def _with_store_note(region: Region, park: RegionPark, res: dict[str, Any]) -> dict[str, Any]:
    note = region.store_errors.get(park.name)
    if note and note not in res.get("errors", []):
        res = {**res, "errors": [*res.get("errors", []), note]}
    return res


def _compute(
    region: Region,
    todo: list[RegionPark],
    opts: RegionOptions,
    client: Any,
    results: dict[str, dict[str, Any]],
    report: Callable[[float, str], None],
) -> None:
    from dask.distributed import as_completed

    n, done = len(region.parks), len(results)
    futures = {
        client.submit(
            park_result,
            p.target,
            opts,
            items=region.live_items.get(p.name),
            key=f"park-{region.keys[p.name]}",
            pure=False,
        ): p
        for p in todo
    }
    for fut in as_completed(futures):
        p = futures[fut]
        try:
            res = fut.result()
        except Exception as exc:  # a lost worker or an unforeseen error ends this park only
            log.warning("region: park %s failed: %r", p.name, exc)
            results[p.name] = _task_failed(p, exc)
        else:
            results[p.name] = _with_store_note(region, p, res)
            write_entry(region.cache_root, p.name, region.keys[p.name], results[p.name])
        done += 1
        report(done / n, f"已完成 {done}/{n}：{results[p.name].get('name') or p.name}")


def run_region(
    region: str | os.PathLike,
    *,
    options: RegionOptions | None = None,
    address: str | None = None,
    n_workers: int | None = None,
    progress: Callable[[float, str], None] | None = None,
    schema: str = DEFAULT_SCHEMA,
) -> RegionRun:
    """Compute every park of a region on a dask cluster; cached parks are not recomputed.

    Parameters
    ----------
    region : path-like or str
        A folder of park GeoPackages (the cache goes into its ``.parkrisk_region_cache`` subfolder), or a
        ``postgresql://`` connection string of a PostGIS region (:mod:`geodata.pg_parks`; the cache goes under
        the data folder).
    options : RegionOptions, optional
    address : str, optional
        Scheduler address (``tcp://host:port``); default ``$DASK_SCHEDULER_ADDRESS``; none: a LocalCluster.
    n_workers : int, optional
        Workers of the LocalCluster (default: one per CPU core); ignored with an address.
    progress : callable, optional
        ``progress(fraction [0–1], message_zh)`` after each park.
    schema : str
        Schema of the park tables of a PostGIS region.

    Returns
    -------
    RegionRun

    Raises
    ------
    FileNotFoundError, ValueError
        No such folder, no parks, database unreachable or without park tables (Chinese messages).
    """
    opts = options or RegionOptions()
    t0 = time.perf_counter()
    reg = open_region(region, options_key=opts.as_key(), schema=schema)
    report = progress or (lambda frac, msg: None)
    results: dict[str, dict[str, Any]] = {}
    todo = []
    for p in reg.parks:
        hit = read_entry(reg.cache_root, p.name, reg.keys[p.name])
        if hit is not None:
            results[p.name] = hit
        else:
            todo.append(p)
    n = len(reg.parks)
    report(len(results) / n, f"缓存命中 {len(results)} 个园区，需计算 {len(todo)} 个")
    cluster_zh = "全部来自缓存，未启动计算集群"
    if todo:
        address = address or os.environ.get(SCHEDULER_ENV) or None
        client = cluster_client(address, n_workers=n_workers)
        try:
            cluster_zh = _describe(client, address)
            _compute(reg, todo, opts, client, results, report)
        finally:
            close_client(client)
    return RegionRun(
        folder=Path(region) if not reg.is_postgis else reg.label,
        results=[results[p.name] for p in reg.parks],
        computed=[p.name for p in todo],
        seconds=time.perf_counter() - t0,
        cluster_zh=cluster_zh,
        options=opts,
        title=reg.title,
    )


def cached_results(
    region: str | os.PathLike, *, options: RegionOptions | None = None, schema: str = DEFAULT_SCHEMA
) -> tuple[list[dict[str, Any]], list[str]]:
    """The cached results of a region's parks whose inputs did not change (no computing), and the parks
    (file names, or park ids in PostGIS) that need computing.

    Raises
    ------
    FileNotFoundError, ValueError
        See :func:`run_region`.
    """
    opts = options or RegionOptions()
    reg = open_region(region, options_key=opts.as_key(), schema=schema)
    found, missing = [], []
    for p in reg.parks:
        hit = read_entry(reg.cache_root, p.name, reg.keys[p.name])
        if hit is None:
            missing.append(p.name)
        else:
            found.append(hit)
    return found, missing


def cache_folder(folder: str | os.PathLike) -> Path:
    """Where the cache of a region folder lives."""
    return Path(folder) / CACHE_DIR

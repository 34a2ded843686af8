"""Where a region's parks come from: a folder of park GeoPackages or a PostGIS database with many parks.

:func:`open_region` turns the ``REGION`` argument of ``parkrisk region run|report`` (and ``PARKRISK_REGION`` of the
区域监管 page) into a :class:`Region`: its parks as :class:`RegionPark` (what one dask task loads), the cache key of
each park, and where the cache lives. The runner (:mod:`app.region.runner`) is the same for both.

Cache key of a park (hex SHA-256, :mod:`app.region.cache`):

- folder: the park file's bytes (its layers, wind rose and confirmed F-N constants) and its population raster
  (:func:`app.region.cache.park_key`);
- PostGIS: the hash of the park's rows computed by the database (:func:`geodata.pg_parks.park_hashes`: its layers,
  wind rose, population grid and F-N constants);
- both: the run's options and, when the park's rectification items live in a store (the 一园一策 ledger the app
  writes when someone closes an item, :func:`live_store_target`), the items as that store holds them now — so a
  closed item changes the key and the park's 整改率, 按期整改率, overdue items and 重大隐患 are recounted from the
  store, not from the snapshot in the park file.

The live items are read here, in the client, and sent with the task: a worker on another machine needs no access
to the stores.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.region.cache import CACHE_FORMAT, park_key
from geodata.pg_parks import DEFAULT_SCHEMA, PgPark, describe_dsn, list_parks, park_hashes
from geodata.store import is_postgres_target

__all__ = [
    "RegionPark",
    "Region",
    "open_region",
    "discover_parks",
    "live_store_target",
    "store_items",
    "pg_local_path",
    "pg_local_copy",
    "region_results_key",
    "region_results_target",
]


@dataclass(frozen=True)
class RegionPark:
    """One park of a region.

    Attributes
    ----------
    name : str
        The park file's name (``P001.gpkg``) or, in PostGIS, the park id: its cache entry and the result's ``file``.
    target : str or PgPark
        What the task loads: the park file's absolute path or the park in PostGIS.
    store : str or None
        The live rectification store of the park (a ``.rect.gpkg`` path), or None when the park file's
        ``rectifications`` layer is all there is.
    """

    name: str
    target: str | PgPark
    store: str | None = None


def discover_parks(folder: str | os.PathLike) -> list[Path]:
    """The park GeoPackages of a region folder (``*.gpkg`` directly in it, by name; hidden and temporary files and
    rectification stores ``*.rect.gpkg`` excluded).

    Raises
    ------
    FileNotFoundError
        The folder does not exist (Chinese message with the fix).
    ValueError
        It holds no park file.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(
            f"区域文件夹不存在：{folder}。区域是存放各园区 GeoPackage（.gpkg）文件的文件夹，"
            "或 postgresql:// 连接串指定的 PostGIS 数据库，请检查路径。"
        )
    parks = sorted(
        p
        for p in folder.glob("*.gpkg")
        if p.is_file() and not p.name.startswith(".") and not p.name.endswith(".rect.gpkg")
    )
    if not parks:
        raise ValueError(
            f"区域文件夹 {folder} 中没有园区文件（.gpkg）。请把各园区的 GeoPackage 放入该文件夹"
            "（可用 parkrisk park export 或 QGIS 导出）。"
        )
    return parks


def live_store_target(park_path: str | os.PathLike, *, create: bool = False) -> str | None:
    """The rectification store that holds a region park's items: ``PARKRISK_STORE`` when the park is the app's own
    park (``PARKRISK_PARK``, whose ledger that store is), else ``<园区>.rect.gpkg`` beside the park file when it
    exists, else the park's default store (:func:`geodata.store.default_store_path`, where the app keeps the
    ledger of a park opened from the 区域监管 page) when it exists; None when there is none (``create=True``: the
    default store's path, for the app to create it)."""
    from geodata.store import default_store_path

    p = Path(park_path)
    home, shared = os.environ.get("PARKRISK_PARK", "").strip(), os.environ.get("PARKRISK_STORE", "").strip()
    if home and shared and Path(home).resolve() == p.resolve():
        return shared
    beside = p.with_name(f"{p.stem}.rect.gpkg")
    if beside.is_file():
        return str(beside)
    default = default_store_path(p)
    if default.is_file() or create:
        return str(default)
    return None


def store_items(target: str) -> list[dict[str, Any]]:
    """The items of a rectification store as the region needs them (:data:`app.region.compute.ITEM_FIELDS` plus
    ``version``), ordered by item id; read as the system (every item).

    Raises
    ------
    StoreError, ValueError, OSError, sqlite3.Error
        The store cannot be opened or read.
    """
    from app.region.compute import items_records
    from geodata.store import SYSTEM_USER, open_store

    store = open_store(target)
    try:
        frame = store.items_frame(SYSTEM_USER)
    finally:
        store.close()
    return items_records(frame, with_version=True)


def _store_digest(items: list[dict[str, Any]] | None) -> str:
    if items is None:
        return ""
    return hashlib.sha256(json.dumps(items, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@dataclass
class Region:
    """A region: its label, its parks, the cache key of each and where the cache lives.

    Attributes
    ----------
    label : str
        The folder, or the database and schema (no password), for messages.
    title : str
        A short name for the bulletin's title (folder name or database name).
    cache_root : Path
        The folder whose ``.parkrisk_region_cache`` holds the cache (the region folder; for PostGIS a folder under
        the data folder named after the database, schema and user).
    parks : list of RegionPark
    keys : dict
        Park name → cache key (hex SHA-256).
    live_items : dict
        Park name → the items of its live store (only parks that have one).
    store_errors : dict
        Park name → why its live store could not be read (Chinese; the park's own layer is used and the result
        says so).
    """

    label: str
    title: str
    cache_root: Path
    parks: list[RegionPark]
    keys: dict[str, str]
    live_items: dict[str, list[dict[str, Any]]]
    store_errors: dict[str, str]

    @property
    def is_postgis(self) -> bool:
        return bool(self.parks) and isinstance(self.parks[0].target, PgPark)


def _with_store(base: str, items: list[dict[str, Any]] | None) -> str:
    if items is None:  # no live store: the key of the park's inputs alone
        return base
    return hashlib.sha256(f"{base}\0store\0{_store_digest(items)}".encode()).hexdigest()


def _read_live(
    name: str, store: str | None, errors: dict[str, str]
) -> tuple[str | None, list[dict[str, Any]] | None]:
    import sqlite3

    from geodata.store import StoreError

    if not store:
        return None, None
    try:
        return store, store_items(store)
    except (StoreError, ValueError, OSError, sqlite3.Error) as exc:  # sqlite3: a file that is no GeoPackage
        where = describe_dsn(store) if is_postgres_target(store) else Path(store).name
        errors[name] = (
            f"园区 {name} 的整改台账 {where} 无法读取（{exc}），整改统计改用园区数据中的整改图层"
            "（可能不是最新）。请检查台账文件后重新运行。"
        )
        return None, None


def _folder_region(folder: Path, options_key: str) -> Region:
    parks, keys, live, errors = [], {}, {}, {}
    for p in discover_parks(folder):
        store, items = _read_live(p.name, live_store_target(p), errors)
        parks.append(RegionPark(p.name, str(p.resolve()), store))
        keys[p.name] = _with_store(park_key(p, options_key), items)
        if items is not None:
            live[p.name] = items
    return Region(str(folder), folder.resolve().name, folder, parks, keys, live, errors)


def _pg_cache_root(dsn: str, schema: str) -> Path:
    from psycopg.conninfo import conninfo_to_dict

    from geodata.store import data_dir

    try:
        info = conninfo_to_dict(dsn)
    except Exception:  # noqa: BLE001 - an unparsable DSN fails later with its own message
        info = {"dsn": dsn}
    info.pop("password", None)
    tag = hashlib.sha256(json.dumps([info, schema], sort_keys=True).encode()).hexdigest()[:16]
    return data_dir() / "region-cache" / tag


def pg_local_path(park: PgPark) -> Path:
    """Where the app keeps its copy of a PostGIS park opened from the 区域监管 page (a GeoPackage under the data
    folder, one path per database, schema and park id, so that the park's rectification store
    (:func:`live_store_target`) stays the same when the park's rows change)."""
    import re

    safe = re.sub(r"[^0-9A-Za-z_.-]", "_", park.park_id)[:60]
    tag = hashlib.sha256(park.park_id.encode()).hexdigest()[:8]
    return _pg_cache_root(park.dsn, park.schema) / "parks" / f"{safe}-{tag}.gpkg"


def pg_local_copy(park: PgPark) -> Path:
    """The park written from PostGIS to :func:`pg_local_path` (rewritten when its rows changed since the last
    copy: the content hash is kept beside it), with what the park file keeps beside its layers: its confirmed F-N
    constants (the ``fn_criterion`` table, :mod:`geodata.criteria`) and its population grid
    (``<copy>.population.tif``, :mod:`geodata.population`), so that the park's pages compute with the same inputs
    as the region run. Which database, schema and park it is goes beside it too (:func:`region_results_key`).

    Raises
    ------
    ValueError
        The database or the park cannot be read (:class:`geodata.pg_parks.ParkDatabaseError`, or
        :class:`geodata.ParkDataError` for rows that do not pass validation).
    OSError
        The copy cannot be written.
    """
    import uuid

    from geodata import save_park
    from geodata.criteria import save_fn_criterion
    from geodata.pg_park_extras import population_geotiff
    from geodata.pg_parks import read_park
    from geodata.population import population_raster_path, save_population_raster

    path = pg_local_path(park)
    digest = park_hashes(park.dsn, schema=park.schema).get(park.park_id, "")
    mark = path.with_name(path.name + ".hash")
    if path.is_file() and mark.is_file() and digest and mark.read_text(encoding="ascii").strip() == digest:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    pg = read_park(park.dsn, park.park_id, schema=park.schema)
    tmp = path.with_name(f".{path.stem}.{uuid.uuid4().hex}.gpkg")  # a new file: no old F-N table carried over
    try:
        save_park(pg, tmp)
        if pg.fn_criterion:
            save_fn_criterion(tmp, pg.fn_criterion)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    if pg.population_raster is not None:
        save_population_raster(path, population_geotiff(pg.population_raster))
    else:
        population_raster_path(path).unlink(missing_ok=True)
    ident = {"database": describe_dsn(park.dsn), "schema": park.schema, "park_id": park.park_id}
    path.with_name(path.name + ".park.json").write_text(
        json.dumps(ident, ensure_ascii=False), encoding="utf-8"
    )
    mark.write_text(digest, encoding="ascii")
    return path


def region_results_key(park_path: str | os.PathLike, default: str) -> str:
    """The key of a region park's results in a shared PostGIS store: for the app's copy of a PostGIS park
    (:func:`pg_local_copy`) its database, schema and park id — the same on every app server, whatever its data
    folder — else ``default`` (the park file's key, :func:`app.results.park_key`)."""
    p = Path(park_path)
    try:
        ident = json.loads(p.with_name(p.name + ".park.json").read_text(encoding="utf-8"))
        return f"{ident['park_id']}@{ident['database']}/{ident['schema']}"
    except (OSError, ValueError, KeyError, TypeError):
        return default


_RESULT_STORES: dict[str, Any] = {}
_RESULT_LOCK = threading.Lock()


def region_results_target(park_path: str | os.PathLike, default_key: str) -> Any:
    """Where a park opened from the 区域监管 page keeps its analysis results when the app's store
    (``PARKRISK_STORE``) is PostGIS: that store's result tables (``results_meta``/``results_features``), keyed by
    :func:`region_results_key` (``default_key`` for a park file of a folder region) — as the app's own park
    keeps them; None otherwise (the caller keeps them in the sidecar file, :func:`app.results.sidecar_path`).
    The park's rectification items stay in its own ledger (:func:`live_store_target`).

    Raises
    ------
    StoreSetupError, ValueError
        The PostGIS store cannot be opened (Chinese message, as for the app's own park).
    """
    from geodata.results import PostgisResults
    from geodata.store import open_store

    target = os.environ.get("PARKRISK_STORE", "").strip()
    if not is_postgres_target(target):
        return None
    with _RESULT_LOCK:  # one store per target for the app's life (a store is thread-safe)
        store = _RESULT_STORES.get(target)
        if store is None:
            store = _RESULT_STORES[target] = open_store(target)
    return PostgisResults(store, region_results_key(park_path, default_key))


def _pg_region(dsn: str, schema: str, options_key: str) -> Region:
    from psycopg.conninfo import conninfo_to_dict

    index = list_parks(dsn, schema=schema)
    where = f"{describe_dsn(dsn)} 模式 {schema}"
    if index.empty:
        raise ValueError(f"{where} 中没有园区。请先用 parkrisk region import <连接串> 园区.gpkg 导入各园区。")
    hashes = park_hashes(dsn, schema=schema)
    parks, keys, live, errors = [], {}, {}, {}
    for pid in index["park_id"]:
        park = PgPark(dsn, str(pid), schema)
        h = hashlib.sha256(CACHE_FORMAT.encode())
        h.update(f"\0pg-park\0{hashes.get(pid, '')}\0options\0{options_key}".encode())
        # the ledger of a PostGIS park opened in the app lives beside the app's copy of it (pg_local_copy)
        store, items = _read_live(park.park_id, live_store_target(pg_local_path(park)), errors)
        parks.append(RegionPark(park.park_id, park, store))
        keys[park.park_id] = _with_store(h.hexdigest(), items)
        if items is not None:
            live[park.park_id] = items
    try:
        title = conninfo_to_dict(dsn).get("dbname") or schema
    except Exception:  # noqa: BLE001 - list_parks has already connected with it
        title = schema
    return Region(where, str(title), _pg_cache_root(dsn, schema), parks, keys, live, errors)


def open_region(region: str | os.PathLike, *, options_key: str, schema: str = DEFAULT_SCHEMA) -> Region:
    """The region named by ``region``: a ``postgresql://`` connection string (parks in PostGIS,
    :mod:`geodata.pg_parks`, tables in ``schema``) or a folder of park GeoPackages.

    Raises
    ------
    FileNotFoundError
        No such folder.
    ValueError
        No park in the folder or database; the database unreachable or without park tables
        (:class:`geodata.pg_parks.ParkDatabaseError`, a ValueError). Messages in Chinese.
    """
    if is_postgres_target(str(region)):
        return _pg_region(str(region), schema, options_key)
    return _folder_region(Path(region), options_key)

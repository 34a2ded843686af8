"""The latest result of each analysis, stored with the park: in its GeoPackage, or in PostGIS.

A stored result (:class:`StoredResult`) is a few GeoDataFrames in EPSG:4326 (contours, edges, buildings, zones …),
a JSON-able summary, optionally a float32 grid (the individual-risk grid), when it was computed (UTC), by whom and
the hash of the inputs it was computed from (the app decides what the hash covers; geodata stores it).

GeoPackage (the park file, or a results file beside a park that cannot be written): one layer per result layer,
named ``result_<kind>_<layer>`` (:func:`layer_table`), and one non-spatial table ``result_meta`` (GeoPackage
``attributes``) with a row per kind. Every write goes to a copy of the file that replaces it in one rename
(:func:`geodata._atomic.write_into_gpkg`), under the exclusive lock of its folder (:func:`geodata._atomic.gpkg_lock`,
also held by the weather and F-N writers): a process that dies mid-write leaves the previous file, and two writers
never lose each other's change. The park readers
(:mod:`geodata.io`) skip every table whose name starts with ``result_`` (:func:`is_result_table`).

PostGIS (:class:`PostgisResults`): two tables in the store's schema, ``results_meta`` (one row per park and kind)
and ``results_features`` (one row per feature, attributes as JSON, ``geometry(Geometry, 4326)``), created by the
schema's owner with the rectification store (:data:`RESULTS_PG_DDL`); a result is replaced in one transaction.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import sqlite3
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata._atomic import gpkg_lock, write_into_gpkg
from geodata.crs import WGS84

__all__ = [
    "RESULT_KINDS",
    "KIND_LABELS_ZH",
    "META_TABLE",
    "RESULTS_PG_DDL",
    "StoredResult",
    "ResultMeta",
    "PostgisResults",
    "ResultStoreError",
    "layer_table",
    "is_result_table",
    "save_result",
    "load_result",
    "list_results",
    "copy_results",
]

RESULT_KINDS = ("risk", "domino", "five_rooms", "major_hazards", "hca", "emergency")
KIND_LABELS_ZH = {
    "risk": "个人风险与社会风险",
    "domino": "多米诺效应",
    "five_rooms": "五室（人员集中场所）选址",
    "major_hazards": "重大危险源",
    "hca": "管道高后果区",
    "emergency": "应急疏散方案",
}
META_TABLE = "result_meta"
_PREFIX = "result_"
_LAYER_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_")

RESULTS_PG_DDL = (
    """CREATE TABLE IF NOT EXISTS results_meta (
    park_key TEXT NOT NULL, kind TEXT NOT NULL, computed_at TIMESTAMPTZ NOT NULL, computed_by TEXT NOT NULL,
    inputs_hash TEXT NOT NULL, summary TEXT NOT NULL, layers TEXT NOT NULL, grid BYTEA,
    PRIMARY KEY (park_key, kind))""",
    """CREATE TABLE IF NOT EXISTS results_features (
    park_key TEXT NOT NULL, kind TEXT NOT NULL, layer TEXT NOT NULL, seq INTEGER NOT NULL, props TEXT NOT NULL,
    geom geometry(Geometry, 4326), PRIMARY KEY (park_key, kind, layer, seq))""",
)


class ResultStoreError(RuntimeError):
    """A stored result cannot be written or read (the message says which, where and what to do)."""


@dataclass(frozen=True)
class ResultMeta:
    """When, by whom and from which inputs a stored result was computed."""

    kind: str
    computed_at: datetime
    computed_by: str
    inputs_hash: str


@dataclass(frozen=True)
class StoredResult:
    """The latest result of one analysis ``kind`` (one of :data:`RESULT_KINDS`).

    Attributes
    ----------
    kind : str
    layers : dict of str to GeoDataFrame
        Layer name (lower-case letters, digits, ``_``) -> features in EPSG:4326.
    summary : dict
        JSON-able figures and texts (``assumptions`` and labels in Chinese).
    computed_at : datetime
        Time zone aware; stored in UTC.
    computed_by : str
        User name, ``匿名`` or ``命令行``.
    inputs_hash : str
        Hash of the inputs the result was computed from.
    grid : ndarray or None
        A 2-D float32 grid (the individual-risk grid [1/a]); its transform and CRS are in ``summary``.
    """

    kind: str
    layers: dict[str, gpd.GeoDataFrame]
    summary: dict
    computed_at: datetime
    computed_by: str
    inputs_hash: str
    grid: np.ndarray | None = field(default=None, compare=False)

    @property
    def meta(self) -> ResultMeta:
        return ResultMeta(self.kind, self.computed_at, self.computed_by, self.inputs_hash)


@dataclass(frozen=True)
class PostgisResults:
    """Results of one park in a PostGIS store.

    Parameters
    ----------
    store : PostgisStore
        The park's store (:class:`geodata.store.PostgisStore`; its connections and transactions are used).
    park_key : str
        Identifies the park among the parks of the store (the app uses the park's name and file).
    """

    store: Any
    park_key: str


def layer_table(kind: str, layer: str) -> str:
    """The GeoPackage table of a result layer: ``result_<kind>_<layer>``."""
    return f"{_PREFIX}{kind}_{layer}"


def is_result_table(name: str) -> bool:
    """True for the tables of stored results (park readers skip them)."""
    return str(name).startswith(_PREFIX)


def _check(result: StoredResult) -> None:
    if result.kind not in RESULT_KINDS:
        raise ValueError(f"结果类型 kind={result.kind!r} 未知：应为 {list(RESULT_KINDS)} 之一")
    if result.computed_at.tzinfo is None:
        raise ValueError(f"计算时间 computed_at={result.computed_at!r} 缺少时区：请给出带时区（UTC）的时间")
    for name, gdf in result.layers.items():
        if not name or not set(name) <= _LAYER_NAME_CHARS:
            raise ValueError(f"结果图层名 {name!r} 无效：只能用小写字母、数字和下划线")
        if not isinstance(gdf, gpd.GeoDataFrame) or gdf.crs is None or not gdf.crs.equals(WGS84):
            raise ValueError(
                f"结果图层「{result.kind}/{name}」应为 EPSG:4326 的 GeoDataFrame（当前 {getattr(gdf, 'crs', None)}）"
            )
    if result.grid is not None and np.asarray(result.grid).ndim != 2:
        raise ValueError(f"结果网格应为二维数组（当前形状 {np.shape(result.grid)}）")
    try:
        _summary_text(result.summary)
    except TypeError as exc:
        raise ValueError(f"结果「{result.kind}」的摘要无法保存：{exc}") from exc


def _json_default(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, datetime):
        return v.isoformat()
    raise TypeError(f"摘要中的值 {v!r}（{type(v).__name__}）不能保存为 JSON")


def _clean(obj: Any) -> Any:
    """Non-finite floats become None (JSON has no NaN)."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if isinstance(obj, float | np.floating) and not math.isfinite(float(obj)):
        return None
    return obj


def _summary_text(summary: Mapping) -> str:
    return json.dumps(_clean(dict(summary)), ensure_ascii=False, default=_json_default, allow_nan=False)


def _grid_bytes(grid: np.ndarray | None) -> bytes | None:
    if grid is None:
        return None
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(grid, dtype=np.float32), allow_pickle=False)
    return zlib.compress(buf.getvalue(), 6)


def _grid_array(raw: bytes | None) -> np.ndarray | None:
    if raw is None:
        return None
    return np.load(io.BytesIO(zlib.decompress(bytes(raw))), allow_pickle=False)


def _utc_text(t: datetime) -> str:
    return t.astimezone(UTC).isoformat(timespec="microseconds")


def _columns_spec(gdf: gpd.GeoDataFrame) -> list[list[str]]:
    return [[str(c), str(gdf[c].dtype)] for c in gdf.columns if c != gdf.geometry.name]


def _storable(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Columns GDAL and JSON can hold: times as ISO text, nullable numbers as floats, others as text."""
    out = (
        gpd.GeoDataFrame(gdf.copy()).rename_geometry("geometry")
        if gdf.geometry.name != "geometry"
        else gdf.copy()
    )
    for c in out.columns:
        if c == "geometry":
            continue
        s = out[c]
        if pd.api.types.is_datetime64_any_dtype(s):
            out[c] = s.map(lambda v: None if pd.isna(v) else pd.Timestamp(v).isoformat())
        elif pd.api.types.is_bool_dtype(s) and s.isna().any():
            out[c] = s.astype(object).where(s.notna(), None)
        elif pd.api.types.is_integer_dtype(s) and s.isna().any():
            out[c] = s.astype(float)
        elif s.dtype == object or isinstance(s.dtype, pd.CategoricalDtype):
            out[c] = s.map(
                lambda v: None if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)
            )
    return out.reset_index(drop=True)


def _restore(gdf: gpd.GeoDataFrame, spec: list[list[str]]) -> gpd.GeoDataFrame:
    """Columns in the stored order and, where they survived storage, their dtypes."""
    cols = [c for c, _ in spec if c in gdf.columns]
    out = gdf[[*cols, gdf.geometry.name]]
    for c, dtype in spec:
        if c in out.columns and str(out[c].dtype) != dtype:
            with contextlib.suppress(TypeError, ValueError):
                out[c] = out[c].astype(dtype)
    return gpd.GeoDataFrame(out, geometry=out.geometry.name, crs=WGS84)


# -- GeoPackage ------------------------------------------------------------------------------------------------
def _locked(path: Path, exclusive: bool) -> Any:
    """The GeoPackage's lock (:func:`geodata._atomic.gpkg_lock`, shared with the weather and F-N writers)."""
    return gpkg_lock(path, exclusive=exclusive)


def _tables(con: sqlite3.Connection) -> set[str]:
    return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}


def _drop_gpkg_table(con: sqlite3.Connection, name: str) -> None:
    """Remove a feature table, its R-tree index and its registration from a GeoPackage."""
    geoms = [
        r[0]
        for r in con.execute("SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (name,))
    ]
    for g in geoms:
        con.execute(f'DROP TABLE IF EXISTS "rtree_{name}_{g}"')
    con.execute(f'DROP TABLE IF EXISTS "{name}"')
    for meta in ("gpkg_geometry_columns", "gpkg_extensions", "gpkg_ogr_contents", "gpkg_contents"):
        if meta in _tables(con):
            con.execute(f"DELETE FROM {meta} WHERE table_name = ?", (name,))


def _ensure_meta(con: sqlite3.Connection) -> None:
    if META_TABLE in _tables(con):
        return
    con.execute(
        f"CREATE TABLE {META_TABLE} (kind TEXT PRIMARY KEY, computed_at TEXT NOT NULL, computed_by TEXT NOT NULL, "
        "inputs_hash TEXT NOT NULL, summary TEXT NOT NULL, layers TEXT NOT NULL, grid BLOB)"
    )
    con.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change) "
        "VALUES (?, 'attributes', ?, ?, ?)",
        (
            META_TABLE,
            META_TABLE,
            "保存的分析结果（时间、计算人、输入版本） stored analysis results",
            _now_gpkg(),
        ),
    )


def _now_gpkg() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _write_kind(path: Path, result: StoredResult) -> None:
    """Replace ``result.kind`` in the GeoPackage ``path`` (a copy that is about to replace the real file)."""
    con = sqlite3.connect(path)
    try:
        with con:
            old = [t for t in _tables(con) if t.startswith(f"{_PREFIX}{result.kind}_")]
            for t in old:
                _drop_gpkg_table(con, t)
            if META_TABLE in _tables(con):
                con.execute(f"DELETE FROM {META_TABLE} WHERE kind = ?", (result.kind,))
    finally:
        con.close()
    specs = {}
    for name, gdf in result.layers.items():
        specs[name] = _columns_spec(gdf)
        _storable(gdf).to_file(path, layer=layer_table(result.kind, name), driver="GPKG", engine="pyogrio")
    con = sqlite3.connect(path)
    try:
        with con:
            _ensure_meta(con)
            con.execute(
                f"INSERT INTO {META_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    result.kind,
                    _utc_text(result.computed_at),
                    result.computed_by,
                    result.inputs_hash,
                    _summary_text(result.summary),
                    json.dumps(specs, ensure_ascii=False),
                    _grid_bytes(result.grid),
                ),
            )
            con.execute(
                "UPDATE gpkg_contents SET last_change = ? WHERE table_name = ?", (_now_gpkg(), META_TABLE)
            )
    finally:
        con.close()


def _new_gpkg(path: Path) -> None:
    """Create an empty GeoPackage at ``path`` (atomically) to hold results."""
    tmp = path.with_name(f".{path.stem}.new.{os.getpid()}.tmp.gpkg")
    try:
        empty = gpd.GeoDataFrame({"x": pd.Series([], dtype="int64")}, geometry=gpd.GeoSeries([], crs=WGS84))
        empty.to_file(tmp, layer="result_init", driver="GPKG", engine="pyogrio")
        con = sqlite3.connect(tmp)
        try:
            with con:
                _drop_gpkg_table(con, "result_init")
                _ensure_meta(con)
        finally:
            con.close()
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _save_gpkg(path: Path, result: StoredResult) -> None:
    if path.suffix.lower() != ".gpkg":
        raise ValueError(f"结果只能保存到 GeoPackage（.gpkg）文件：{path}")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"保存结果的文件夹不存在：{path.parent}")
    with _locked(path, exclusive=True):
        if not path.exists():
            _new_gpkg(path)
        write_into_gpkg(
            path, lambda tmp: _write_kind(tmp, result), what_zh=f"分析结果「{KIND_LABELS_ZH[result.kind]}」"
        )


def _meta_rows(con: sqlite3.Connection, kind: str | None = None) -> list[tuple]:
    if META_TABLE not in _tables(con):
        return []
    cols = "kind, computed_at, computed_by, inputs_hash, summary, layers, grid"
    if kind is None:
        return con.execute(f"SELECT {cols} FROM {META_TABLE}").fetchall()
    return con.execute(f"SELECT {cols} FROM {META_TABLE} WHERE kind = ?", (kind,)).fetchall()


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def _load_gpkg(path: Path, kind: str) -> StoredResult | None:
    if not path.is_file():
        return None
    with _locked(path, exclusive=False):
        con = _read_only(path)
        try:
            rows = _meta_rows(con, kind)
        finally:
            con.close()
        if not rows:
            return None
        _, at, by, h, summary, specs, grid = rows[0]
        layers = {}
        for name, spec in json.loads(specs).items():
            gdf = gpd.read_file(path, layer=layer_table(kind, name), engine="pyogrio")
            layers[name] = _restore(gdf.set_crs(WGS84, allow_override=True), spec)
    return StoredResult(
        kind, layers, json.loads(summary), datetime.fromisoformat(at), by, h, _grid_array(grid)
    )


def _list_gpkg(path: Path) -> dict[str, ResultMeta]:
    if not path.is_file():
        return {}
    con = _read_only(path)
    try:
        rows = _meta_rows(con)
    finally:
        con.close()
    out = {r[0]: ResultMeta(r[0], datetime.fromisoformat(r[1]), r[2], r[3]) for r in rows}
    return {k: out[k] for k in RESULT_KINDS if k in out}


# -- PostGIS ---------------------------------------------------------------------------------------------------
def _pg_missing(exc: BaseException) -> ResultStoreError:
    return ResultStoreError(
        "PostGIS 台账中没有保存分析结果的表（results_meta、results_features）：请由数据库所有者执行 "
        f"parkrisk rect init 园区.gpkg --store <所有者连接串> --app-role <应用角色> 升级模式 / results tables missing ({exc})"
    )


def _save_pg(target: PostgisResults, result: StoredResult) -> None:
    import psycopg

    specs = {name: _columns_spec(gdf) for name, gdf in result.layers.items()}
    rows = []
    for name, gdf in result.layers.items():
        data = _storable(gdf)
        attrs = data.drop(columns="geometry")
        records = json.loads(attrs.to_json(orient="records", force_ascii=False)) if len(attrs.columns) else []
        for i, geom in enumerate(data.geometry.to_numpy()):
            wkb = None if geom is None or shapely.is_missing(geom) else shapely.to_wkb(geom, flavor="iso")
            props = json.dumps(records[i] if records else {}, ensure_ascii=False)
            rows.append((target.park_key, result.kind, name, i, props, wkb))
    key = (target.park_key, result.kind)
    try:
        with target.store._write() as conn:
            conn.execute("DELETE FROM results_features WHERE park_key = %s AND kind = %s", key)
            conn.execute("DELETE FROM results_meta WHERE park_key = %s AND kind = %s", key)
            conn.execute(
                "INSERT INTO results_meta VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                (
                    *key,
                    result.computed_at.astimezone(UTC),
                    result.computed_by,
                    result.inputs_hash,
                    _summary_text(result.summary),
                    json.dumps(specs, ensure_ascii=False),
                    _grid_bytes(result.grid),
                ),
            )
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO results_features VALUES (%s, %s, %s, %s, %s, ST_GeomFromWKB(%s, 4326))", rows
                )
    except psycopg.errors.UndefinedTable as exc:
        raise _pg_missing(exc) from exc


def _load_pg(target: PostgisResults, kind: str) -> StoredResult | None:
    import psycopg

    key = (target.park_key, kind)
    try:
        with target.store._read() as conn, conn.transaction():  # one snapshot of meta and features
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            row = conn.execute(
                "SELECT computed_at, computed_by, inputs_hash, summary, layers, grid FROM results_meta "
                "WHERE park_key = %s AND kind = %s",
                key,
            ).fetchone()
            feats = conn.execute(
                "SELECT layer, props, ST_AsBinary(geom) FROM results_features WHERE park_key = %s AND kind = %s "
                "ORDER BY layer, seq",
                key,
            ).fetchall()
    except psycopg.errors.UndefinedTable as exc:
        raise _pg_missing(exc) from exc
    if row is None:
        return None
    at, by, h, summary, specs, grid = row
    layers = {}
    for name, spec in json.loads(specs).items():
        mine = [f for f in feats if f[0] == name]
        attrs = pd.DataFrame([json.loads(f[1]) for f in mine], columns=[c for c, _ in spec])
        geoms = [None if f[2] is None else shapely.from_wkb(bytes(f[2])) for f in mine]
        gdf = gpd.GeoDataFrame(attrs, geometry=gpd.GeoSeries(geoms, crs=WGS84), crs=WGS84)
        layers[name] = _restore(gdf, spec)
    return StoredResult(kind, layers, json.loads(summary), at.astimezone(UTC), by, h, _grid_array(grid))


def _list_pg(target: PostgisResults) -> dict[str, ResultMeta]:
    import psycopg

    try:
        with target.store._read() as conn:
            rows = conn.execute(
                "SELECT kind, computed_at, computed_by, inputs_hash FROM results_meta WHERE park_key = %s",
                (target.park_key,),
            ).fetchall()
    except psycopg.errors.UndefinedTable as exc:
        raise _pg_missing(exc) from exc
    out = {r[0]: ResultMeta(r[0], r[1].astimezone(UTC), r[2], r[3]) for r in rows}
    return {k: out[k] for k in RESULT_KINDS if k in out}


# -- public ----------------------------------------------------------------------------------------------------
def _is_pg(target: Any) -> bool:
    return isinstance(target, PostgisResults)


def save_result(target: str | os.PathLike | PostgisResults, result: StoredResult) -> None:
    """Store ``result`` as the latest of its kind (replacing the previous one in one atomic step).

    Parameters
    ----------
    target : path or PostgisResults
        The park GeoPackage (or a results GeoPackage, created when missing), or a park in a PostGIS store.
    result : StoredResult

    Raises
    ------
    ValueError
        Unknown kind, a layer not in EPSG:4326, a naive time, a summary that is not JSON, a path that is not .gpkg.
    ResultStoreError
        The PostGIS schema has no results tables.
    OSError
        The file cannot be written (the previous file is untouched).
    """
    _check(result)
    if _is_pg(target):
        _save_pg(target, result)
    else:
        _save_gpkg(Path(target), result)


def load_result(target: str | os.PathLike | PostgisResults, kind: str) -> StoredResult | None:
    """The stored result of ``kind``, or None when there is none (or the file does not exist)."""
    if kind not in RESULT_KINDS:
        raise ValueError(f"结果类型 kind={kind!r} 未知：应为 {list(RESULT_KINDS)} 之一")
    if _is_pg(target):
        return _load_pg(target, kind)
    return _load_gpkg(Path(target), kind)


def list_results(target: str | os.PathLike | PostgisResults) -> dict[str, ResultMeta]:
    """Kind -> :class:`ResultMeta` of every stored result (in the order of :data:`RESULT_KINDS`)."""
    if _is_pg(target):
        return _list_pg(target)
    return _list_gpkg(Path(target))


def copy_results(src: str | os.PathLike, dst: str | os.PathLike) -> None:
    """Copy every stored result of the GeoPackage ``src`` into the GeoPackage ``dst`` (written in place: ``dst``
    is the temporary file :func:`geodata.io.save_park` is about to move over ``src``). Nothing when ``src`` has
    none or does not exist."""
    src, dst = Path(src), Path(dst)
    if src.resolve() == dst.resolve() or not src.is_file():
        return
    for kind in list_results(src):
        stored = load_result(src, kind)
        if stored is not None:
            _write_kind(dst, stored)

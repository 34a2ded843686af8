"""Parks in PostGIS: a region as one database with many parks, each keyed by its park id.

A region is a folder of park GeoPackages or a PostGIS database holding many parks (issue 19). This module writes a
:class:`~geodata.park.Park` into PostGIS, reads it back into the same ``Park`` (validated by
:meth:`Park.from_layers`, exactly as :func:`geodata.load_park` validates a GeoPackage), lists the parks of a database
and hashes each park's rows, so that a region run recomputes only the parks whose rows changed.

Tables (in ``schema``, default ``parkrisk``; :func:`ensure_tables` creates them):

``park_index``
    one row per park: ``park_key`` (the park id), ``name``, ``layers`` (JSON list of the layers the park has — an
    optional layer absent from a GeoPackage stays absent), ``source`` (where it was imported from), ``written_at``.
``park_<layer>``
    one table per layer of :data:`geodata.schema.LAYERS` (``park_installations``, ``park_roads`` …): ``park_key``,
    ``fid`` (row order), the layer's schema columns with SQL types (``str`` TEXT, ``int`` BIGINT, ``float`` DOUBLE
    PRECISION, ``bool`` BOOLEAN, ``date`` TIMESTAMP), ``extra`` (JSON of columns outside the schema) and
    ``geom geometry(Geometry, 4326)`` — the same layer schema as the GeoPackage, WGS84 (EPSG:4326) as every park
    layer is held.
``park_weather_rose`` / ``park_weather_station``
    the station's wind rose and metadata (:mod:`geodata.weather`), per park.
``park_population`` / ``park_fn_criterion``
    the park's population grid (a PostGIS raster, extension ``postgis_raster``) and its confirmed GB 36894 F-N
    constants (:mod:`geodata.pg_park_extras`): what the park file keeps as ``<park>.population.tif`` and as its
    ``fn_criterion`` table. :func:`read_park` puts them on ``park.population_raster`` and ``park.fn_criterion``.

A park is written in one transaction (its old rows deleted first), so a reader sees the old park or the new one.
:func:`park_hashes` is computed by the database from the rows themselves (``md5`` of each row's text, in ``fid``
order), so an edit made in QGIS or SQL changes the hash as an import does.

Bad inputs raise :class:`ParkDatabaseError` (a ``ValueError``) with a Chinese message naming the database, table or
park id and the fix: unreachable database, tables missing, unknown park id, a bad population raster or F-N row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import math
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata import schema as _schema
from geodata.crs import WGS84
from geodata.errors import ParkDataError
from geodata.park import Park
from geodata.pg_park_extras import (
    FN_TABLE,
    POPULATION_TABLE,
    extras_ddl,
    read_fn_setting,
    read_population,
    write_extras,
)
from geodata.weather import ROSE_COLUMNS, ParkWeather, check_weather

__all__ = [
    "DEFAULT_SCHEMA",
    "PARK_TABLES",
    "ParkDatabaseError",
    "PgPark",
    "describe_dsn",
    "ensure_tables",
    "write_park",
    "read_park",
    "list_parks",
    "park_hashes",
]

log = logging.getLogger(__name__)

#: Schema of the park tables (the rectification store's default schema: one database, one schema).
DEFAULT_SCHEMA = "parkrisk"
_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_LAYERS: tuple[str, ...] = (*_schema.LAYER_ORDER, *_schema.OPTIONAL_LAYERS)
_SQL_TYPES = {
    "str": "TEXT",
    "int": "BIGINT",
    "float": "DOUBLE PRECISION",
    "bool": "BOOLEAN",
    "date": "TIMESTAMP",
}
_ROSE_TYPES = {"period": "TEXT", "direction_deg": "DOUBLE PRECISION", "speed_m_s": "DOUBLE PRECISION",
               "stability": "TEXT", "probability": "DOUBLE PRECISION"}  # fmt: skip
#: Every table of a PostGIS region, index first.
PARK_TABLES: tuple[str, ...] = (
    "park_index",
    *(f"park_{n}" for n in _LAYERS),
    "park_weather_rose",
    "park_weather_station",
    POPULATION_TABLE,
    FN_TABLE,
)
_IMPORT_HINT = "请先用 parkrisk region import <连接串> 园区.gpkg 导入园区（会创建这些表）"


class ParkDatabaseError(ValueError):
    """A park database that cannot be used: unreachable, tables missing, unknown park id (Chinese message)."""


@dataclass(frozen=True)
class PgPark:
    """One park of a PostGIS region: where it is and its id (picklable: a dask task carries it to a worker)."""

    dsn: str
    park_id: str
    schema: str = DEFAULT_SCHEMA

    def __str__(self) -> str:
        return f"{describe_dsn(self.dsn)} 模式 {self.schema} 园区 {self.park_id}"


def describe_dsn(dsn: str) -> str:
    """``host:port/dbname`` of a connection string, without user or password (for messages)."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        info = conninfo_to_dict(dsn)
    except Exception:  # noqa: BLE001 - a description must not fail
        return "PostGIS 数据库（连接串无法解析）"
    return "PostGIS " + f"{info.get('host', '')}:{info.get('port', '')}/{info.get('dbname', '')}".strip(":/")


def _check_schema(name: str) -> str:
    if not isinstance(name, str) or not _IDENT.match(name):
        raise ParkDatabaseError(
            f"模式名 {name!r} 无效：只能用小写字母、数字和下划线，且不以数字开头（如 parkrisk）"
        )
    return name


def _connect(dsn: str, schema_: str) -> Any:
    import psycopg

    try:
        conn = psycopg.connect(dsn, autocommit=True, connect_timeout=10)
    except psycopg.Error as exc:
        raise ParkDatabaseError(
            f"无法连接 {describe_dsn(dsn)}：{' '.join(str(exc).split())}。请检查连接串（postgresql://用户@主机:端口/数据库）、"
            "数据库服务是否运行、网络与密码。"
        ) from exc
    conn.execute(f"SET search_path TO {schema_}, public")
    return conn


def _layer_ddl(name: str) -> list[str]:
    spec = _schema.LAYERS[name]
    cols = ", ".join(f'"{c.name}" {_SQL_TYPES[c.dtype]}' for c in spec.columns)
    t = f"park_{name}"
    return [
        f"""CREATE TABLE IF NOT EXISTS {t} (park_key TEXT NOT NULL REFERENCES park_index (park_key)
        ON DELETE CASCADE, fid INTEGER NOT NULL, {cols}, extra TEXT, geom geometry(Geometry, 4326),
        PRIMARY KEY (park_key, fid))""",
        f"CREATE INDEX IF NOT EXISTS {t}_geom ON {t} USING GIST (geom)",
    ]


def _ddl() -> list[str]:
    rose = ", ".join(f"{c} {_ROSE_TYPES[c]}" for c in ROSE_COLUMNS)
    return [
        """CREATE TABLE IF NOT EXISTS park_index (park_key TEXT PRIMARY KEY, name TEXT, layers TEXT NOT NULL,
        source TEXT, written_at TIMESTAMPTZ NOT NULL)""",
        *(s for n in _LAYERS for s in _layer_ddl(n)),
        f"""CREATE TABLE IF NOT EXISTS park_weather_rose (park_key TEXT NOT NULL REFERENCES park_index (park_key)
        ON DELETE CASCADE, fid INTEGER NOT NULL, {rose}, PRIMARY KEY (park_key, fid))""",
        """CREATE TABLE IF NOT EXISTS park_weather_station (park_key TEXT NOT NULL REFERENCES park_index
        (park_key) ON DELETE CASCADE, fid INTEGER NOT NULL, field TEXT NOT NULL, value TEXT,
        PRIMARY KEY (park_key, fid))""",
    ]


def ensure_tables(dsn: str, *, schema: str = DEFAULT_SCHEMA) -> None:
    """Create the schema and the park tables when missing (idempotent; needs the right to create them).

    Raises
    ------
    ParkDatabaseError
        Unreachable database, no PostGIS extension, or no right to create the tables.
    """
    import psycopg

    schema_ = _check_schema(schema)
    with _connect(dsn, schema_) as conn:
        try:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"parkrisk_parks_{schema_}",))
                if conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").fetchone() is None:
                    conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
                if (
                    conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis_raster'").fetchone()
                    is None
                ):
                    conn.execute("CREATE EXTENSION IF NOT EXISTS postgis_raster")  # the population grids
                conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema_}")
                conn.execute(f"SET LOCAL search_path TO {schema_}, public")
                for stmt in (*_ddl(), *extras_ddl()):
                    conn.execute(stmt)
        except psycopg.errors.InsufficientPrivilege as exc:
            raise ParkDatabaseError(
                f"{describe_dsn(dsn)}：当前角色无权在模式 {schema_} 中建表或安装 PostGIS（{str(exc).strip()}）。"
                "请用数据库所有者的连接串导入园区，或由管理员执行 CREATE EXTENSION postgis; CREATE EXTENSION "
                "postgis_raster;（人口栅格所需）并授予建表权限。"
            ) from exc
        except psycopg.Error as exc:
            raise ParkDatabaseError(
                f"{describe_dsn(dsn)}：无法创建园区表（{str(exc).strip()}）。请确认数据库已安装 PostGIS 及其栅格扩展 "
                "postgis_raster（Debian 软件包 postgresql-15-postgis-3 含二者）。"
            ) from exc


def _missing_tables(conn: Any, schema_: str, tables: Iterable[str]) -> list[str]:
    return [
        t for t in tables if conn.execute("SELECT to_regclass(%s)", (f"{schema_}.{t}",)).fetchone()[0] is None
    ]


def _require_tables(conn: Any, dsn: str, schema_: str, tables: Iterable[str]) -> None:
    missing = _missing_tables(conn, schema_, tables)
    if missing and set(missing) <= {POPULATION_TABLE, FN_TABLE}:
        raise ParkDatabaseError(
            f"{describe_dsn(dsn)} 的模式 {schema_} 中缺少表 {'、'.join(missing)}（园区的人口栅格与 GB 36894 社会风险"
            "判据常数）：该区域由较早版本导入。请由数据库所有者再运行一次 parkrisk region import <连接串> 园区.gpkg"
            "（补建缺少的表，已有园区不变；有人口栅格或判据常数的园区请重新导入）。"
        )
    if missing:
        raise ParkDatabaseError(
            f"{describe_dsn(dsn)} 的模式 {schema_} 中缺少园区表 {'、'.join(missing)}：该数据库还不是园区区域，"
            f"或表被删除。{_IMPORT_HINT}。"
        )


@contextmanager
def _reading(dsn: str, schema_: str) -> Iterator[Any]:
    """A connection for reading the park tables; a database error becomes a Chinese :class:`ParkDatabaseError`."""
    import psycopg

    with _connect(dsn, schema_) as conn:
        try:
            yield conn
        except psycopg.errors.InsufficientPrivilege as exc:
            role = conn.info.user
            raise ParkDatabaseError(
                f"{describe_dsn(dsn)}：角色 {role} 无权读取模式 {schema_} 中的园区表（{' '.join(str(exc).split())}）。"
                f"请由所有者执行 parkrisk rect init 园区.gpkg --store <所有者连接串> --app-role {role}（导入园区之后执行，"
                f"授予园区表的查询权限），或 GRANT SELECT ON ALL TABLES IN SCHEMA {schema_} TO {role};"
            ) from exc
        except psycopg.Error as exc:
            raise ParkDatabaseError(
                f"{describe_dsn(dsn)} 模式 {schema_}：读取园区表失败（{' '.join(str(exc).split())}）。请检查数据库状态后重试。"
            ) from exc


# -- writing ---------------------------------------------------------------------------------------------------
def _cell(v: Any, dtype: str | None) -> Any:
    """A value as the database takes it (missing → NULL; dates as datetime; numpy scalars as Python)."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float | np.floating) and math.isnan(v):
        return None
    if dtype == "date" or isinstance(v, pd.Timestamp | np.datetime64):
        return pd.Timestamp(v).to_pydatetime()
    if isinstance(v, np.generic):
        return v.item()
    return v


def _extra_json(row: dict[str, Any]) -> str | None:
    if not row:
        return None
    out = {}
    for k, v in row.items():
        v = _cell(v, None)
        out[k] = v.isoformat() if isinstance(v, dt.datetime | dt.date) else v
    return json.dumps(out, ensure_ascii=False, sort_keys=True, default=str)


def _ewkb(geoms: np.ndarray) -> list[str | None]:
    withsrid = shapely.set_srid(geoms, 4326)
    return [None if g is None else shapely.to_wkb(g, hex=True, include_srid=True) for g in withsrid]


def _copy_layer(cur: Any, name: str, key: str, gdf: gpd.GeoDataFrame) -> None:
    spec = _schema.LAYERS[name]
    cols = [c.name for c in spec.columns]
    types = {c.name: c.dtype for c in spec.columns}
    geom_col = gdf.geometry.name
    extras = [c for c in gdf.columns if c != geom_col and c not in types]
    data = pd.DataFrame(gdf.drop(columns=geom_col))
    geoms = _ewkb(np.asarray(gdf.geometry.to_numpy(), dtype=object))
    names = ", ".join(["park_key", "fid", *(f'"{c}"' for c in cols), "extra", "geom"])
    with cur.copy(f"COPY park_{name} ({names}) FROM STDIN") as cp:
        for i, rec in enumerate(data.to_dict("records")):
            vals = [_cell(rec.get(c), types[c]) for c in cols]
            extra = _extra_json({c: rec[c] for c in extras})
            cp.write_row([key, i, *vals, extra, geoms[i]])


def _park_id_of(park: Park) -> str:
    ids = park.parks["park_id"] if "park_id" in park.parks else pd.Series(dtype=object)
    return "" if not len(ids) or pd.isna(ids.iloc[0]) else str(ids.iloc[0]).strip()


def _fn_record_of(park: Park) -> dict[str, object] | None:
    """The park's confirmed F-N constants: ``park.fn_criterion`` (a park read from PostGIS), else the
    ``fn_criterion`` table of the GeoPackage it was loaded from (:func:`geodata.criteria.read_fn_criterion`)."""
    from geodata.criteria import read_fn_criterion

    if hasattr(park, "fn_criterion"):
        return park.fn_criterion
    try:
        return read_fn_criterion(park.source or None)
    except ParkDataError as exc:
        raise ParkDatabaseError(
            f"园区文件 {park.source} 的社会风险判据常数表 fn_criterion 有误，未导入：{' '.join(str(exc).split())}。"
            "请在「风险分布」页重新录入这些常数（或用 SQLite 工具改正该表）后重新导入。"
        ) from None


def write_park(
    dsn: str,
    park: Park,
    *,
    park_id: str | None = None,
    schema: str = DEFAULT_SCHEMA,
    source: str = "",
) -> str:
    """Write ``park`` into the PostGIS region at ``dsn`` (replacing a park with the same id) in one transaction.

    The park's confirmed GB 36894 F-N constants are ``park.fn_criterion``, else the ``fn_criterion`` table of the
    GeoPackage the park was loaded from; its population grid is ``park.population_raster``
    (:func:`geodata.load_park` reads it beside the file).

    Parameters
    ----------
    dsn : str
        ``postgresql://user@host:port/db``.
    park : Park
        A validated park (layers in EPSG:4326).
    park_id : str, optional
        Key of the park; default the ``park_id`` of its ``parks`` layer.
    schema : str
        Schema of the park tables (created when missing, :func:`ensure_tables`).
    source : str
        Where the park came from (kept in ``park_index``).

    Returns
    -------
    str
        The park id written.

    Raises
    ------
    ParkDatabaseError
        No park id, unreachable database, tables cannot be created or written, F-N constants that do not pass
        :func:`geodata.criteria.check_fn_record`.
    """
    import psycopg

    key = (park_id if park_id is not None else _park_id_of(park)).strip()
    if not key:
        raise ParkDatabaseError(
            "园区没有编号：parks 图层的 park_id 为空。请在 parks 图层填写 park_id，或用 --park-id 指定园区编号。"
        )
    schema_ = _check_schema(schema)
    fn_record = _fn_record_of(park)
    ensure_tables(dsn, schema=schema_)
    layers = park.layers
    now = dt.datetime.now(dt.UTC)
    with _connect(dsn, schema_) as conn:
        try:
            with conn.transaction(), conn.cursor() as cur:
                cur.execute("DELETE FROM park_index WHERE park_key = %s", (key,))  # cascades to every layer
                cur.execute(
                    "INSERT INTO park_index (park_key, name, layers, source, written_at) VALUES (%s, %s, %s, %s, %s)",
                    (key, park.name, json.dumps(list(layers)), source or park.source, now),
                )
                for name, gdf in layers.items():
                    _copy_layer(cur, name, key, gdf)
                weather = getattr(park, "weather", None)
                if weather is not None:
                    cols = [c for c in ROSE_COLUMNS if c in weather.rose.columns]
                    with cur.copy(
                        f"COPY park_weather_rose (park_key, fid, {', '.join(cols)}) FROM STDIN"
                    ) as cp:
                        for i, rec in enumerate(weather.rose[cols].to_dict("records")):
                            cp.write_row([key, i, *(_cell(rec[c], None) for c in cols)])
                    cur.executemany(
                        "INSERT INTO park_weather_station (park_key, fid, field, value) VALUES (%s, %s, %s, %s)",
                        [
                            (key, i, k, None if v is None else str(v))
                            for i, (k, v) in enumerate(weather.station.items())
                        ],
                    )
                write_extras(cur, key, getattr(park, "population_raster", None), fn_record)
        except psycopg.Error as exc:
            raise ParkDatabaseError(
                f"园区 {key} 写入 {describe_dsn(dsn)} 模式 {schema_} 失败（已回滚，数据库中原有数据不变）：{str(exc).strip()}"
            ) from exc
    log.info("park %s written to %s schema %s", key, describe_dsn(dsn), schema_)
    return key


# -- reading ---------------------------------------------------------------------------------------------------
def list_parks(dsn: str, *, schema: str = DEFAULT_SCHEMA) -> pd.DataFrame:
    """The parks of a PostGIS region: ``park_id``, ``name``, ``source``, ``written_at`` (UTC), ``population_grid``
    and ``fn_criterion`` (whether the park has a population grid and confirmed F-N constants; None in a region
    imported before those tables existed), by park id.

    Raises
    ------
    ParkDatabaseError
        Unreachable database or no park tables.
    """
    schema_ = _check_schema(schema)
    with _reading(dsn, schema_) as conn:
        _require_tables(conn, dsn, schema_, ("park_index",))
        missing = _missing_tables(conn, schema_, (POPULATION_TABLE, FN_TABLE))
        has = [
            "NULL" if t in missing else f"EXISTS (SELECT 1 FROM {t} x WHERE x.park_key = i.park_key)"
            for t in (POPULATION_TABLE, FN_TABLE)
        ]
        rows = conn.execute(
            f"SELECT park_key, name, source, written_at, {has[0]}, {has[1]} FROM park_index i ORDER BY park_key"
        ).fetchall()
    return pd.DataFrame(
        rows, columns=["park_id", "name", "source", "written_at", "population_grid", "fn_criterion"]
    )


def _read_layer(conn: Any, name: str, key: str) -> gpd.GeoDataFrame:
    spec = _schema.LAYERS[name]
    cols = [c.name for c in spec.columns]
    sel = ", ".join([*(f'"{c}"' for c in cols), "extra", "ST_AsBinary(geom)"])
    rows = conn.execute(f"SELECT {sel} FROM park_{name} WHERE park_key = %s ORDER BY fid", (key,)).fetchall()
    df = pd.DataFrame([r[: len(cols)] for r in rows], columns=cols, dtype=object)
    extras = [json.loads(r[len(cols)]) if r[len(cols)] else {} for r in rows]
    for col in dict.fromkeys(k for e in extras for k in e):
        df[col] = pd.Series([e.get(col) for e in extras], dtype=object)
    geoms = [None if r[-1] is None else shapely.from_wkb(bytes(r[-1])) for r in rows]
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, crs=WGS84), crs=WGS84)


def _read_weather(conn: Any, key: str, source: str) -> ParkWeather | None:
    cols = list(ROSE_COLUMNS)
    rows = conn.execute(
        f"SELECT {', '.join(cols)} FROM park_weather_rose WHERE park_key = %s ORDER BY fid", (key,)
    ).fetchall()
    if not rows:
        return None
    rose = pd.DataFrame(rows, columns=cols)
    if rose["period"].isna().all():
        rose = rose.drop(columns="period")
    station = dict(
        conn.execute(
            "SELECT field, value FROM park_weather_station WHERE park_key = %s ORDER BY fid", (key,)
        ).fetchall()
    )
    return check_weather(rose, station, source=source)


def read_park(dsn: str, park_id: str, *, schema: str = DEFAULT_SCHEMA) -> Park:
    """The park ``park_id`` of the PostGIS region at ``dsn``, validated as :func:`geodata.load_park` validates a
    GeoPackage (the same layers, dtypes, weather and population grid as the GeoPackage the park was imported from;
    its confirmed F-N constants on ``park.fn_criterion``, None when it has none).

    Raises
    ------
    ParkDatabaseError
        Unreachable database, park tables missing, no park with that id (the message lists the ids there are), a
        bad population raster or F-N constants row (table, park, field, value and fix named).
    ParkDataError
        The park's rows do not pass validation (``err.report`` lists every problem).
    """
    schema_ = _check_schema(schema)
    source = f"{describe_dsn(dsn)} 模式 {schema_} 园区 {park_id}"
    with _reading(dsn, schema_) as conn:
        _require_tables(conn, dsn, schema_, PARK_TABLES)
        row = conn.execute("SELECT layers FROM park_index WHERE park_key = %s", (park_id,)).fetchone()
        if row is None:
            ids = [r[0] for r in conn.execute("SELECT park_key FROM park_index ORDER BY park_key LIMIT 20")]
            there = "、".join(ids) if ids else "（没有园区）"
            raise ParkDatabaseError(
                f"{describe_dsn(dsn)} 模式 {schema_} 中没有园区编号 {park_id!r}。现有园区编号：{there}。"
                "请核对编号，或先用 parkrisk region import <连接串> 园区.gpkg 导入该园区。"
            )
        present = [n for n in json.loads(row[0]) if n in _schema.LAYERS]
        layers = {n: _read_layer(conn, n, park_id) for n in present}
        weather = _read_weather(conn, park_id, source)
        label = describe_dsn(dsn)
        raster = read_population(conn, park_id, schema=schema_, label=label)
        fn_record = read_fn_setting(conn, park_id, schema=schema_, label=label)
    park = Park.from_layers(layers, source=source)
    park.weather = weather
    park.population_raster = raster  # geodata.population.PopulationRaster or None
    park.fn_criterion = fn_record  # checked F-N constants (geodata.criteria) or None
    return park


def park_hashes(dsn: str, *, schema: str = DEFAULT_SCHEMA) -> dict[str, str]:
    """The content hash (hex SHA-256) of each park's rows, computed from the rows the database holds now.

    Each table of :data:`PARK_TABLES` (layers, wind rose, population grid, F-N constants) gives ``md5`` of its rows'
    text in ``fid`` order per park; the park's hash is the SHA-256 of those, table by table (the ``written_at`` time of an import is left out: re-importing the same park keeps its hash).

    Raises
    ------
    ParkDatabaseError
        Unreachable database or park tables missing.
    """
    schema_ = _check_schema(schema)
    parts: dict[str, dict[str, str]] = {}
    with _reading(dsn, schema_) as conn:
        _require_tables(conn, dsn, schema_, PARK_TABLES)
        for key, name, layers in conn.execute("SELECT park_key, name, layers FROM park_index").fetchall():
            parts[key] = {"park_index": f"{name}\0{layers}"}
        for t in PARK_TABLES[1:]:
            q = f"SELECT park_key, md5(string_agg(md5(t::text), '' ORDER BY fid)) FROM {t} t GROUP BY park_key"
            for key, digest in conn.execute(q).fetchall():
                if key in parts:
                    parts[key][t] = digest
    out = {}
    for key, tables in sorted(parts.items()):
        h = hashlib.sha256(b"parkrisk-pg-park-1")
        for t in PARK_TABLES:
            h.update(f"\0{t}\0{tables.get(t, '')}".encode())
        out[key] = h.hexdigest()
    return out

"""GeoPackage backend of the rectification store (the embedded default).

A GeoPackage is an SQLite database [1]_, so the store talks to it with :mod:`sqlite3` directly: each write is one
``BEGIN IMMEDIATE`` … ``COMMIT`` transaction (rolled back on any error, so a failed write leaves the file as it was),
the journal is WAL (readers do not block the writer) and a busy timeout makes concurrent writers queue instead of
failing. The feature table ``rectifications`` holds standard GeoPackage geometry blobs ([1]_, clause 2.1.3:
``GP`` header, SRS id 4326, envelope, then ISO WKB) and is registered in ``gpkg_contents`` /
``gpkg_geometry_columns``, so QGIS, GDAL and :func:`geodata.load_park` read it. The auxiliary tables (history, users,
sessions, login_attempts, findings_links, meta) are registered as ``attributes`` tables. No R-tree index is created:
GDAL's index triggers call SQL functions that plain SQLite lacks.

Written by hand rather than through pyogrio/fiona because those cannot make a feature write and the auxiliary
writes one transaction.

References
----------
.. [1] Open Geospatial Consortium (2021). OGC GeoPackage Encoding Standard, version 1.3.1, OGC 12-128r18.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from geodata.store.audit import CHAIN_COLUMNS
from geodata.store.base import RectificationStore
from geodata.store.checklists import CHECKLIST_SQLITE_DDL
from geodata.store.errors import StoreWriteError
from geodata.store.records import ITEM_COLUMNS, SPEC

__all__ = ["GpkgStore", "gpkg_blob", "parse_gpkg_blob"]

log = logging.getLogger(__name__)

_APPLICATION_ID = 0x47504B47  # "GPKG", [1] clause 1.1.1.1.1
_USER_VERSION = 10300  # GeoPackage 1.3
_SRS_ID = 4326
_BUSY_TIMEOUT_MS = 60_000

_WGS84_WKT = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],'
    'AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,'
    'AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]'
)


def gpkg_blob(geom: BaseGeometry, *, srs_id: int = _SRS_ID) -> bytes:
    """A GeoPackage geometry blob ([1]_, clause 2.1.3.1.1): little-endian header with an XY envelope + ISO WKB."""
    if geom.is_empty:
        flags = 0b0001_0001  # empty, no envelope, little endian
        return b"GP" + bytes([0, flags]) + struct.pack("<i", srs_id) + shapely.to_wkb(geom, byte_order=1)
    flags = 0b0000_0011  # envelope indicator 1 ([minx, maxx, miny, maxy]) | little endian
    minx, miny, maxx, maxy = geom.bounds
    header = b"GP" + bytes([0, flags]) + struct.pack("<i4d", srs_id, minx, maxx, miny, maxy)
    return header + shapely.to_wkb(geom, byte_order=1, flavor="iso")


_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def parse_gpkg_blob(blob: bytes | None) -> BaseGeometry | None:
    """Geometry of a GeoPackage blob (None for NULL).

    Raises
    ------
    ValueError
        If the blob does not start with the ``GP`` magic or has an invalid envelope indicator.
    """
    if blob is None:
        return None
    b = bytes(blob)
    if b[:2] != b"GP":
        raise ValueError(f"不是 GeoPackage 几何（开头为 {b[:2]!r}） / not a GeoPackage geometry blob")
    flags = b[3]
    env = (flags >> 1) & 0x07
    if env not in _ENVELOPE_BYTES:
        raise ValueError(f"GeoPackage 几何包络指示符 {env} 无效 / invalid envelope indicator")
    return shapely.from_wkb(b[8 + _ENVELOPE_BYTES[env] :])


_HISTORY_DDL = (
    """CREATE TABLE IF NOT EXISTS history (
        hist_id INTEGER PRIMARY KEY AUTOINCREMENT, item_id TEXT NOT NULL, at TEXT NOT NULL, username TEXT NOT NULL,
        role TEXT NOT NULL, action TEXT NOT NULL, from_state TEXT, to_state TEXT, comment TEXT,
        old_deadline DATE, new_deadline DATE, reason TEXT, approved_by TEXT, version INTEGER NOT NULL, changes TEXT,
        item_hash TEXT, prev_hash TEXT, row_hash TEXT)""",
    "CREATE INDEX IF NOT EXISTS history_item ON history (item_id)",
)
_HISTORY_TRIGGERS = (
    """CREATE TRIGGER IF NOT EXISTS history_no_update BEFORE UPDATE ON history
        BEGIN SELECT RAISE(ABORT, 'history is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS history_no_delete BEFORE DELETE ON history
        BEGIN SELECT RAISE(ABORT, 'history is append-only'); END""",
)
_AUX_DDL = (
    """CREATE TABLE IF NOT EXISTS users (
        username TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL, enterprise_id TEXT,
        display_name TEXT, created_at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS sessions (
        token_hash TEXT PRIMARY KEY, username TEXT NOT NULL, client TEXT, created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS login_attempts (
        attempt_id INTEGER PRIMARY KEY AUTOINCREMENT, username TEXT NOT NULL, client TEXT NOT NULL,
        at TEXT NOT NULL, success INTEGER NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS login_attempts_user ON login_attempts (username, client, at)",
    """CREATE TABLE IF NOT EXISTS findings_links (
        link_id INTEGER PRIMARY KEY AUTOINCREMENT, item_id TEXT NOT NULL REFERENCES rectifications (item_id),
        finding_key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, subject_ids TEXT, description_zh TEXT,
        created_at TEXT NOT NULL, created_by TEXT NOT NULL)""",
    "CREATE TABLE IF NOT EXISTS store_meta (key TEXT PRIMARY KEY, value TEXT)",
)
_AUX_TABLES = (
    "history",
    "users",
    "sessions",
    "login_attempts",
    "findings_links",
    "store_meta",
    "checklist_history",
)
#: SQLite result codes (https://sqlite.org/rescode.html) of a write that cannot happen -> StoreWriteError reason.
_SQLITE_REASON = {
    13: "full",
    8: "read_only",
    14: "read_only",
    3: "read_only",
    23: "read_only",
    10: "io",
    11: "io",
}


def _sqlite_type(dtype: str) -> str:
    return {"str": "TEXT", "date": "DATE", "int": "INTEGER", "float": "REAL", "bool": "BOOLEAN"}[dtype]


class GpkgStore(RectificationStore):
    """Rectification store in a GeoPackage file.

    Parameters
    ----------
    path : path-like
        The GeoPackage; created (with the GeoPackage metadata tables) when it does not exist.
    """

    backend = "gpkg"

    def __init__(self, path: str | os.PathLike) -> None:
        super().__init__()
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._boot()
        except sqlite3.Error as exc:
            raise self._write_error(exc) or exc from exc
        self.initialise()

    def __str__(self) -> str:
        return str(self.path)

    def _write_error(self, exc: BaseException) -> StoreWriteError | None:
        if isinstance(exc, sqlite3.Error):
            code = getattr(exc, "sqlite_errorcode", None)
            reason = _SQLITE_REASON.get((code or 0) & 0xFF)
            if reason is not None:
                return StoreWriteError(str(self.path), reason, str(exc))
            return None
        return super()._write_error(exc)

    def _boot(self) -> None:
        # GDAL reads application_id from the first bytes of the file itself, so the header is written through a
        # rollback-journal connection (not the WAL) before the store's own WAL connections open.
        boot = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            boot.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            if boot.execute("PRAGMA application_id").fetchone()[0] != _APPLICATION_ID:
                has_tables = boot.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0]
                if (
                    has_tables
                    and not boot.execute(
                        "SELECT 1 FROM sqlite_master WHERE name = 'gpkg_contents'"
                    ).fetchone()
                ):
                    raise ValueError(
                        f"{self.path} 不是 GeoPackage 文件 / not a GeoPackage: refusing to write into it"
                    )
                boot.execute(f"PRAGMA application_id = {_APPLICATION_ID}")
                boot.execute(f"PRAGMA user_version = {_USER_VERSION}")
        finally:
            boot.close()

    def __repr__(self) -> str:
        return f"GpkgStore({str(self.path)!r})"

    def _new_connection(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
        conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        return conn

    def _begin_write(self, conn: sqlite3.Connection) -> Callable[[bool], None]:
        conn.execute("BEGIN IMMEDIATE")

        def end(commit: bool) -> None:
            conn.execute("COMMIT" if commit else "ROLLBACK")

        return end

    def _geom_param(self, geom: BaseGeometry) -> bytes:
        return gpkg_blob(geom)

    def _geom_value(self, raw: Any) -> BaseGeometry | None:
        return parse_gpkg_blob(raw)

    def _create_schema(self, conn: sqlite3.Connection) -> None:
        # [1] clause 1.1.2 / 1.1.3: the mandatory metadata tables and SRS rows.
        conn.execute(
            """CREATE TABLE IF NOT EXISTS gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY,
            organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL,
            description TEXT)"""
        )
        srs = (
            (
                "Undefined cartesian SRS",
                -1,
                "NONE",
                -1,
                "undefined",
                "undefined cartesian coordinate reference system",
            ),
            (
                "Undefined geographic SRS",
                0,
                "NONE",
                0,
                "undefined",
                "undefined geographic coordinate reference system",
            ),
            (
                "WGS 84 geodetic",
                4326,
                "EPSG",
                4326,
                _WGS84_WKT,
                "longitude/latitude coordinates in decimal degrees",
            ),
        )
        conn.executemany("INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)", srs)
        conn.execute(
            """CREATE TABLE IF NOT EXISTS gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY,
            data_type TEXT NOT NULL, identifier TEXT UNIQUE, description TEXT DEFAULT '',
            last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
            min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
            CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))"""
        )
        conn.execute(
            """CREATE TABLE IF NOT EXISTS gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
            geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
            CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
            CONSTRAINT uk_gc_table_name UNIQUE (table_name),
            CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
            CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))"""
        )
        cols = ",\n".join(
            f"{c.name} {_sqlite_type(c.dtype)}{'' if c.nullable else ' NOT NULL'}" for c in SPEC.columns
        )
        conn.execute(
            f"""CREATE TABLE IF NOT EXISTS rectifications (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom GEOMETRY,
            {cols}, version INTEGER NOT NULL DEFAULT 1, UNIQUE (item_id))"""
        )
        conn.execute(
            "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) "
            "VALUES ('rectifications', 'features', 'rectifications', ?, 4326)",
            (SPEC.label_zh,),
        )
        conn.execute(
            "INSERT OR IGNORE INTO gpkg_geometry_columns VALUES ('rectifications', 'geom', 'GEOMETRY', 4326, 0, 0)"
        )
        for ddl in (*_HISTORY_DDL, *_AUX_DDL, *CHECKLIST_SQLITE_DDL):
            conn.execute(ddl)
        have_items = {r[1] for r in conn.execute("PRAGMA table_info(rectifications)")}
        for c in SPEC.columns:  # optional columns added after a store was made (e.g. major_hazard_item)
            if not c.required and c.name not in have_items:
                conn.execute(f"ALTER TABLE rectifications ADD COLUMN {c.name} {_sqlite_type(c.dtype)}")
        have = {r[1] for r in conn.execute("PRAGMA table_info(history)")}
        for c in CHAIN_COLUMNS:  # a store from before the audit chain: add the columns, then seal its rows
            if c not in have:
                conn.execute(f"ALTER TABLE history ADD COLUMN {c} TEXT")
        conn.execute("DROP TRIGGER IF EXISTS history_no_update")
        self._seal_legacy_history(conn)
        for ddl in _HISTORY_TRIGGERS:
            conn.execute(ddl)
        for t in _AUX_TABLES:
            conn.execute(
                "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier) VALUES (?, 'attributes', ?)",
                (t, t),
            )
        missing = set(ITEM_COLUMNS) - {r[1] for r in conn.execute("PRAGMA table_info(rectifications)")}
        if missing:
            raise ValueError(
                f"{self.path} 中的 rectifications 表缺少字段 {sorted(missing)}：它不是本系统的整改台账文件 / "
                "existing table lacks schema columns"
            )

    def _schema_current(self, conn: sqlite3.Connection) -> bool:
        names = {
            r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        }
        need = {
            "rectifications",
            "gpkg_contents",
            "history_no_update",
            "history_no_delete",
            "checklist_history_no_update",
            "checklist_history_no_delete",
            *_AUX_TABLES,
        }
        if not need <= names:
            return False
        item_cols = {r[1] for r in conn.execute("PRAGMA table_info(rectifications)")}
        hist_cols = {r[1] for r in conn.execute("PRAGMA table_info(history)")}
        return set(ITEM_COLUMNS) <= item_cols and set(CHAIN_COLUMNS) <= hist_cols

    def close(self) -> None:
        """Close all connections after folding the WAL back into the file (other tools then see every change)."""
        try:
            conn = self._conn()
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error:
            log.debug("WAL checkpoint failed", exc_info=True)
        super().close()

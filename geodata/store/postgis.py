"""PostGIS backend of the rectification store (many users at once), on psycopg 3.

Each thread has its own connection in autocommit mode; every write is one explicit transaction
(``with conn.transaction()``), which psycopg rolls back on any exception. Item writes lock the row with
``SELECT … FOR UPDATE`` and the UPDATE repeats the version check, so under READ COMMITTED a second writer waits for
the first and then finds the version changed (:class:`~geodata.store.errors.ConcurrentEditError`) — no lost update.
Tables live in their own schema (default ``parkrisk``); geometries are ``geometry(Geometry, 4326)``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from geodata.store.base import RectificationStore
from geodata.store.records import SPEC

__all__ = ["PostgisStore"]

log = logging.getLogger(__name__)

_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _pg_type(dtype: str) -> str:
    return {"str": "TEXT", "date": "DATE", "int": "BIGINT", "float": "DOUBLE PRECISION", "bool": "BOOLEAN"}[
        dtype
    ]


class PostgisStore(RectificationStore):
    """Rectification store in a PostgreSQL database with PostGIS.

    Parameters
    ----------
    dsn : str
        libpq connection string or URL, e.g. ``postgresql://user@host:5432/parkrisk``.
    schema : str
        Schema holding the tables (created when missing); lower-case letters, digits and ``_``.

    Raises
    ------
    ValueError
        If ``schema`` is not a plain identifier, or PostGIS is not installed in the database (the message says how
        to install it).
    """

    backend = "postgis"
    _geom_in = "ST_GeomFromWKB(?, 4326)"
    _geom_out = "ST_AsBinary(geom)"
    _for_update = " FOR UPDATE"

    def __init__(self, dsn: str, *, schema: str = "parkrisk") -> None:
        import psycopg  # noqa: F401 - fail early with ImportError when psycopg is missing

        if not _IDENT.match(schema):
            raise ValueError(
                f"schema={schema!r} 不是合法的模式名（小写字母、数字、下划线） / invalid schema name"
            )
        super().__init__()
        self.dsn = dsn
        self.schema = schema
        self.initialise()

    def __repr__(self) -> str:
        return f"PostgisStore(schema={self.schema!r})"

    def _sql(self, sql: str) -> str:
        return sql.replace("%", "%%").replace("?", "%s")

    def _new_connection(self) -> Any:
        import psycopg

        conn = psycopg.connect(self.dsn, autocommit=True)
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {self.schema}")
        conn.execute(f"SET search_path TO {self.schema}, public")
        return conn

    def _begin_write(self, conn: Any) -> Callable[[bool], None]:
        tx = conn.transaction()
        tx.__enter__()

        def end(commit: bool) -> None:
            if commit:
                tx.__exit__(None, None, None)
            else:
                err = RuntimeError("rollback")
                tx.__exit__(type(err), err, None)

        return end

    def _geom_param(self, geom: BaseGeometry) -> bytes:
        return shapely.to_wkb(geom, byte_order=1, flavor="iso")

    def _geom_value(self, raw: Any) -> BaseGeometry | None:
        return None if raw is None else shapely.from_wkb(bytes(raw))

    def _create_schema(self, conn: Any) -> None:
        has_postgis = conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").fetchone()
        if not has_postgis:
            raise ValueError(
                "数据库未安装 PostGIS 扩展：请以超级用户执行 CREATE EXTENSION postgis;（Debian 软件包 "
                "postgresql-15-postgis-3） / the database lacks the postgis extension"
            )
        cols = ",\n".join(
            f"{c.name} {_pg_type(c.dtype)}{'' if c.nullable else ' NOT NULL'}" for c in SPEC.columns
        )
        ddl = (
            f"""CREATE TABLE IF NOT EXISTS rectifications (fid BIGSERIAL PRIMARY KEY, {cols},
            version INTEGER NOT NULL DEFAULT 1, geom geometry(Geometry, 4326), UNIQUE (item_id))""",
            "CREATE INDEX IF NOT EXISTS rectifications_geom ON rectifications USING GIST (geom)",
            """CREATE TABLE IF NOT EXISTS history (
            hist_id BIGSERIAL PRIMARY KEY, item_id TEXT NOT NULL, at TEXT NOT NULL, username TEXT NOT NULL,
            role TEXT NOT NULL, action TEXT NOT NULL, from_state TEXT, to_state TEXT, comment TEXT,
            old_deadline DATE, new_deadline DATE, reason TEXT, approved_by TEXT, version INTEGER NOT NULL,
            changes TEXT)""",
            "CREATE INDEX IF NOT EXISTS history_item ON history (item_id)",
            """CREATE OR REPLACE FUNCTION history_append_only() RETURNS trigger LANGUAGE plpgsql AS
            $$ BEGIN RAISE EXCEPTION 'history is append-only'; END $$""",
            "DROP TRIGGER IF EXISTS history_no_change ON history",
            """CREATE TRIGGER history_no_change BEFORE UPDATE OR DELETE ON history
            FOR EACH ROW EXECUTE FUNCTION history_append_only()""",
            """CREATE TABLE IF NOT EXISTS users (
            username TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL, enterprise_id TEXT,
            display_name TEXT, created_at TEXT NOT NULL)""",
            """CREATE TABLE IF NOT EXISTS sessions (
            token_hash TEXT PRIMARY KEY, username TEXT NOT NULL, client TEXT, created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL)""",
            """CREATE TABLE IF NOT EXISTS login_attempts (
            attempt_id BIGSERIAL PRIMARY KEY, username TEXT NOT NULL, client TEXT NOT NULL, at TEXT NOT NULL,
            success INTEGER NOT NULL)""",
            "CREATE INDEX IF NOT EXISTS login_attempts_user ON login_attempts (username, client, at)",
            """CREATE TABLE IF NOT EXISTS findings_links (
            link_id BIGSERIAL PRIMARY KEY, item_id TEXT NOT NULL REFERENCES rectifications (item_id),
            finding_key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, subject_ids TEXT, description_zh TEXT,
            created_at TEXT NOT NULL, created_by TEXT NOT NULL)""",
        )
        # Concurrent first connections may race on CREATE ... IF NOT EXISTS; serialise with an advisory lock.
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"parkrisk_schema_{self.schema}",))
        for stmt in ddl:
            conn.execute(stmt)

"""PostGIS backend of the rectification store (many users at once), on psycopg 3.

Each thread has its own connection in autocommit mode; every write is one explicit transaction
(``with conn.transaction()``), which psycopg rolls back on any exception. Item writes lock the row with
``SELECT … FOR UPDATE`` and the UPDATE repeats the version check, so under READ COMMITTED a second writer waits for
the first and then finds the version changed (:class:`~geodata.store.errors.ConcurrentEditError`) — no lost update.
Tables live in their own schema (default ``parkrisk``); geometries are ``geometry(Geometry, 4326)``.

Two database roles (the audit trail cannot be rewritten with the application's credentials):

* the **owner** creates and upgrades the schema (``parkrisk rect init --store <owner URL> --app-role <role>``,
  :meth:`PostgisStore.grant_app_role`); it owns every table, function and trigger;
* the **application role** (``PARKRISK_STORE`` of the app and of the other ``rect`` commands) owns nothing and may
  only SELECT and INSERT history, SELECT, INSERT and UPDATE items (no DELETE), and use the user, session and sign-in
  tables. Without ownership it cannot TRUNCATE, DROP or ALTER (``DISABLE TRIGGER``) anything, and the triggers
  below hold for it: history rows cannot be updated or deleted; a new history row must continue the hash chain
  (``prev_hash`` = the last ``row_hash``) and carry the current time (±15 min); every item insert or update must
  raise the version by one and have the history row of that version in the same transaction (a deferred
  constraint trigger, checked at commit). :class:`PostgisStore` refuses to run for the application as the owner,
  a superuser or any role that could truncate or rewrite the history.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from geodata.pg_parks import PARK_TABLES
from geodata.results import RESULTS_PG_DDL
from geodata.store.audit import CHAIN_COLUMNS, GENESIS
from geodata.store.base import RectificationStore
from geodata.store.checklists import CHECKLIST_PG_DDL
from geodata.store.errors import StoreSetupError, StoreWriteError
from geodata.store.records import SPEC

__all__ = ["PostgisStore"]

log = logging.getLogger(__name__)

_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
#: Largest difference between a new history row's time and the database clock [s].
MAX_CLOCK_SKEW_S = 900
_TRIGGERS = (
    "history_no_change",
    "history_no_truncate",
    "history_append_check",
    "rectifications_version",
    "rectifications_need_history",
    "checklist_history_no_change",
    "checklist_history_no_truncate",
)

_GUARD_DDL = (
    """CREATE OR REPLACE FUNCTION history_append_only() RETURNS trigger LANGUAGE plpgsql AS
    $$ BEGIN RAISE EXCEPTION 'history is append-only'; END $$""",
    "DROP TRIGGER IF EXISTS history_no_change ON history",
    """CREATE TRIGGER history_no_change BEFORE UPDATE OR DELETE ON history
    FOR EACH ROW EXECUTE FUNCTION history_append_only()""",
    "DROP TRIGGER IF EXISTS history_no_truncate ON history",
    """CREATE TRIGGER history_no_truncate BEFORE TRUNCATE ON history
    FOR EACH STATEMENT EXECUTE FUNCTION history_append_only()""",
    f"""CREATE OR REPLACE FUNCTION history_append_check() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE last_hash TEXT;
    BEGIN
      SELECT row_hash INTO last_hash FROM history ORDER BY hist_id DESC LIMIT 1;
      IF NEW.prev_hash IS DISTINCT FROM COALESCE(last_hash, '{GENESIS}') THEN
        RAISE EXCEPTION 'history: prev_hash % does not continue the audit chain', NEW.prev_hash;
      END IF;
      IF abs(extract(epoch FROM (NEW.at::timestamptz - clock_timestamp()))) > {MAX_CLOCK_SKEW_S} THEN
        RAISE EXCEPTION 'history: at % is not the current time (back- or forward-dated record)', NEW.at;
      END IF;
      RETURN NEW;
    END $$""",
    "DROP TRIGGER IF EXISTS history_append_check ON history",
    """CREATE TRIGGER history_append_check BEFORE INSERT ON history
    FOR EACH ROW EXECUTE FUNCTION history_append_check()""",
    """CREATE OR REPLACE FUNCTION rectifications_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' THEN
        IF NEW.item_id IS DISTINCT FROM OLD.item_id OR NEW.fid IS DISTINCT FROM OLD.fid THEN
          RAISE EXCEPTION 'rectifications %: item_id and fid cannot change', OLD.item_id;
        END IF;
        IF NEW.version IS DISTINCT FROM OLD.version + 1 THEN
          RAISE EXCEPTION 'rectifications %: a change must raise the version by one', OLD.item_id;
        END IF;
      ELSIF NEW.version IS DISTINCT FROM 1 THEN
        RAISE EXCEPTION 'rectifications %: a new item starts at version 1', NEW.item_id;
      END IF;
      RETURN NEW;
    END $$""",
    "DROP TRIGGER IF EXISTS rectifications_version ON rectifications",
    """CREATE TRIGGER rectifications_version BEFORE INSERT OR UPDATE ON rectifications
    FOR EACH ROW EXECUTE FUNCTION rectifications_version()""",
    """CREATE OR REPLACE FUNCTION rectifications_need_history() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM history h WHERE h.item_id = NEW.item_id AND h.version = NEW.version) THEN
        RAISE EXCEPTION 'rectifications %: version % has no history record', NEW.item_id, NEW.version;
      END IF;
      RETURN NULL;
    END $$""",
    "DROP TRIGGER IF EXISTS rectifications_need_history ON rectifications",
    """CREATE CONSTRAINT TRIGGER rectifications_need_history AFTER INSERT OR UPDATE ON rectifications
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION rectifications_need_history()""",
)


def _pg_type(dtype: str) -> str:
    return {"str": "TEXT", "date": "DATE", "int": "BIGINT", "float": "DOUBLE PRECISION", "bool": "BOOLEAN"}[
        dtype
    ]


class PostgisStore(RectificationStore):
    """Rectification store in a PostgreSQL database with PostGIS.

    Parameters
    ----------
    dsn : str
        libpq connection string or URL, e.g. ``postgresql://parkrisk_app@host:5432/parkrisk``.
    schema : str
        Schema holding the tables; lower-case letters, digits and ``_``.
    owner : bool
        True only for ``parkrisk rect init``: connect as the role that creates, owns and upgrades the schema.
        False (the application): the schema must exist and be current, and the role must own nothing.

    Raises
    ------
    ValueError
        If ``schema`` is not a plain identifier, or PostGIS is not installed in the database (the message says how
        to install it).
    StoreSetupError
        For the application: the schema is missing or needs an upgrade, or the role could rewrite the audit trail
        (owner, superuser, UPDATE/DELETE/TRUNCATE on history). The message says what to run.
    """

    backend = "postgis"
    _geom_in = "ST_GeomFromWKB(?, 4326)"
    _geom_out = "ST_AsBinary(geom)"
    _for_update = " FOR UPDATE"

    def __init__(self, dsn: str, *, schema: str = "parkrisk", owner: bool = False) -> None:
        import psycopg  # noqa: F401 - fail early with ImportError when psycopg is missing

        if not _IDENT.match(schema):
            raise ValueError(
                f"schema={schema!r} 不是合法的模式名（小写字母、数字、下划线） / invalid schema name"
            )
        super().__init__()
        self.dsn = dsn
        self.schema = schema
        self.owner = owner
        self.role = ""
        self.initialise()

    def __repr__(self) -> str:
        return f"PostgisStore(schema={self.schema!r})"

    def __str__(self) -> str:
        from psycopg.conninfo import conninfo_to_dict

        try:
            info = conninfo_to_dict(self.dsn)
        except Exception:  # noqa: BLE001 - a description must not fail
            info = {}
        where = f"{info.get('host', '')}:{info.get('port', '')}/{info.get('dbname', '')}".strip(":/")
        return f"PostGIS {where} 模式 {self.schema}（角色 {info.get('user', '') or self.role}）"

    def _sql(self, sql: str) -> str:
        return sql.replace("%", "%%").replace("?", "%s")

    def _new_connection(self) -> Any:
        import psycopg

        try:
            conn = psycopg.connect(self.dsn, autocommit=True)
        except psycopg.OperationalError as exc:
            raise StoreSetupError(
                f"无法连接 PostGIS 数据库（{self}）：{str(exc).strip()}。请检查连接串（--store 或 PARKRISK_STORE）、"
                "数据库服务和密码 / cannot connect to the database"
            ) from exc
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

    def _lock_chain(self, conn: Any) -> None:
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"parkrisk_chain_{self.schema}",))

    def _write_error(self, exc: BaseException) -> StoreWriteError | None:
        import psycopg

        reason = None
        if isinstance(exc, psycopg.errors.DiskFull):
            reason = "full"
        elif isinstance(exc, psycopg.errors.ReadOnlySqlTransaction):
            reason = "read_only"
        elif isinstance(exc, psycopg.errors.InsufficientPrivilege):
            reason = "permission"
        elif isinstance(exc, psycopg.OperationalError):
            reason = "io"
        if reason is None:
            return super()._write_error(exc)
        return StoreWriteError(str(self), reason, str(exc).strip())

    def _geom_param(self, geom: BaseGeometry) -> bytes:
        return shapely.to_wkb(geom, byte_order=1, flavor="iso")

    def _geom_value(self, raw: Any) -> BaseGeometry | None:
        return None if raw is None else shapely.from_wkb(bytes(raw))

    # -- schema state, roles -----------------------------------------------------------------------------------
    def _state(self, conn: Any) -> dict[str, Any]:
        """The connected role and what it may do to this schema."""
        s = self.schema
        role, sup = conn.execute(
            "SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
        hist = conn.execute("SELECT to_regclass(%s)::oid", (f"{s}.history",)).fetchone()[0]
        state = {
            "role": role,
            "superuser": bool(sup),
            "exists": hist is not None,
            "current": False,
            "privileged": bool(sup),
        }
        if hist is None:
            return state
        state["privileged"] = bool(sup) or bool(
            conn.execute(
                """SELECT pg_has_role(current_user, c.relowner, 'MEMBER')
                      OR pg_has_role(current_user, n.nspowner, 'MEMBER')
                      OR has_table_privilege(c.oid, 'TRUNCATE') OR has_table_privilege(c.oid, 'UPDATE')
                      OR has_table_privilege(c.oid, 'DELETE')
                   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = %s""",
                (hist,),
            ).fetchone()[0]
        )
        cols = conn.execute(
            "SELECT count(*) FROM pg_attribute WHERE attrelid = %s AND attname = ANY(%s) AND NOT attisdropped",
            (hist, list(CHAIN_COLUMNS)),
        ).fetchone()[0]
        trig = conn.execute(
            "SELECT count(DISTINCT tgname) FROM pg_trigger WHERE tgname = ANY(%s) AND tgrelid IN (%s, "
            "to_regclass(%s)::oid, to_regclass(%s)::oid)",
            (list(_TRIGGERS), hist, f"{s}.rectifications", f"{s}.checklist_history"),
        ).fetchone()[0]
        meta = conn.execute("SELECT to_regclass(%s)", (f"{s}.store_meta",)).fetchone()[0]
        results = conn.execute("SELECT to_regclass(%s)", (f"{s}.results_features",)).fetchone()[0]
        added = [c.name for c in SPEC.columns if not c.required]  # item columns added after stores were made
        item_cols = conn.execute(
            "SELECT count(*) FROM pg_attribute WHERE attrelid = to_regclass(%s) AND attname = ANY(%s) "
            "AND NOT attisdropped",
            (f"{s}.rectifications", added),
        ).fetchone()[0]
        state["current"] = (
            cols == len(CHAIN_COLUMNS)
            and trig == len(_TRIGGERS)
            and meta is not None
            and results is not None
            and item_cols == len(added)
        )
        return state

    def initialise(self) -> None:
        """Owner: create or upgrade the schema (idempotent). Application: check that the schema is current and
        that the role cannot rewrite the audit trail."""
        with self._read() as conn:
            st = self._state(conn)
        self.role = st["role"]
        init = (
            f"parkrisk rect init 园区.gpkg --store <所有者连接串> --app-role {st['role']}"
            if not st["superuser"]
            else "parkrisk rect init 园区.gpkg --store <所有者连接串> --app-role <应用角色>"
        )
        if self.owner:
            if not st["current"]:
                with self._write() as conn:
                    self._create_schema(conn)
            return
        if not st["exists"]:
            raise StoreSetupError(
                f"PostGIS 台账（{self}）尚未初始化：模式 {self.schema} 中没有台账表。请由数据库所有者执行 {init}，"
                "再以应用角色连接 / the schema is not initialised; run rect init as its owner"
            )
        if st["privileged"]:
            raise StoreSetupError(
                f"应用以角色 {st['role']} 连接 PostGIS 台账（{self}），该角色是台账表的所有者或超级用户，"
                "或能修改、删除、清空历史记录，审计记录因此得不到保护。请让应用改用只有查询和追加权限的角色："
                f"由所有者执行 {init}，并把 PARKRISK_STORE 改为该角色的连接串 / the application must not connect "
                "as the owner, a superuser or a role that can rewrite the history"
            )
        if not st["current"]:
            raise StoreSetupError(
                f"PostGIS 台账（{self}）需要升级（审计链字段、整改事项新字段、分析结果表或保护触发器缺失）。请由所有者执行 {init} / "
                "the schema needs an upgrade by its owner"
            )

    def grant_app_role(self, role: str, *, password: str | None = None) -> bool:
        """Owner only: give the application's login ``role`` exactly the rights it needs (creating the role when
        missing and the owner may create roles). Returns True when the role was created.

        Raises
        ------
        ValueError
            If ``role`` is not a plain identifier.
        StoreSetupError
            Not the owner; the role is a superuser or owns the schema; it does not exist and cannot be created.
        """
        import psycopg
        from psycopg import sql

        if not self.owner:
            raise StoreSetupError("只有以所有者身份打开的台账才能授权应用角色 / owner only")
        if not _IDENT.match(role):
            raise ValueError(
                f"--app-role {role!r} 不是合法的角色名（小写字母、数字、下划线） / invalid role name"
            )
        created = False
        with self._write() as conn:
            row = conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
            if row is None:
                stmt = sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role))
                if password:
                    stmt = sql.SQL("{} PASSWORD {}").format(stmt, sql.Literal(password))
                try:
                    conn.execute(stmt)
                except psycopg.errors.InsufficientPrivilege as exc:
                    raise StoreSetupError(
                        f"角色 {self.role} 无权创建登录角色 {role}。请由数据库管理员执行 "
                        f"CREATE ROLE {role} LOGIN PASSWORD '…'; 然后重新执行 parkrisk rect init / cannot create role"
                    ) from exc
                created = True
            elif (
                row[0]
                or conn.execute(
                    "SELECT pg_has_role(%s, nspowner, 'MEMBER') FROM pg_namespace WHERE nspname = %s",
                    (role, self.schema),
                ).fetchone()[0]
            ):
                raise StoreSetupError(
                    f"角色 {role} 是超级用户或台账所有者，不能作为应用角色；请另建一个只用于应用的登录角色 / "
                    "the application role must own nothing"
                )
            r, sch = sql.Identifier(role), sql.Identifier(self.schema)
            tables = [
                t
                for (t,) in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = %s", (self.schema,)
                ).fetchall()
            ]
            rights = {
                "history": "SELECT, INSERT",
                "rectifications": "SELECT, INSERT, UPDATE",
                "findings_links": "SELECT, INSERT",
                "store_meta": "SELECT",
                "checklist_history": "SELECT, INSERT",
                # parks of a PostGIS region (geodata.pg_parks): the owner imports them, the application reads
                **dict.fromkeys(PARK_TABLES, "SELECT"),
            }
            conn.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sch, r))
            conn.execute(sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}").format(sch, r))
            for t in tables:
                conn.execute(
                    sql.SQL(
                        "GRANT " + rights.get(t, "SELECT, INSERT, UPDATE, DELETE") + " ON {}.{} TO {}"
                    ).format(sch, sql.Identifier(t), r)
                )
            conn.execute(sql.SQL("GRANT USAGE ON ALL SEQUENCES IN SCHEMA {} TO {}").format(sch, r))
        return created

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
            *(  # optional columns added after a store was made (e.g. major_hazard_item)
                f"ALTER TABLE rectifications ADD COLUMN IF NOT EXISTS {c.name} {_pg_type(c.dtype)}"
                for c in SPEC.columns
                if not c.required
            ),
            "CREATE INDEX IF NOT EXISTS rectifications_geom ON rectifications USING GIST (geom)",
            """CREATE TABLE IF NOT EXISTS history (
            hist_id BIGSERIAL PRIMARY KEY, item_id TEXT NOT NULL, at TEXT NOT NULL, username TEXT NOT NULL,
            role TEXT NOT NULL, action TEXT NOT NULL, from_state TEXT, to_state TEXT, comment TEXT,
            old_deadline DATE, new_deadline DATE, reason TEXT, approved_by TEXT, version INTEGER NOT NULL,
            changes TEXT)""",
            *(f"ALTER TABLE history ADD COLUMN IF NOT EXISTS {c} TEXT" for c in CHAIN_COLUMNS),
            "CREATE INDEX IF NOT EXISTS history_item ON history (item_id, version)",
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
            "CREATE TABLE IF NOT EXISTS store_meta (key TEXT PRIMARY KEY, value TEXT)",
        )
        # Concurrent first connections may race on CREATE ... IF NOT EXISTS; serialise with an advisory lock.
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"parkrisk_schema_{self.schema}",))
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {self.schema}")
        conn.execute(f"SET search_path TO {self.schema}, public")
        for stmt in (*ddl, *RESULTS_PG_DDL):  # RESULTS_PG_DDL: the stored analysis results (geodata.results)
            conn.execute(stmt)
        # A store from before the audit chain: its rows are sealed once, with the append-only trigger off.
        conn.execute("DROP TRIGGER IF EXISTS history_no_change ON history")
        self._seal_legacy_history(conn)
        for stmt in (*_GUARD_DDL, *CHECKLIST_PG_DDL):
            conn.execute(stmt)

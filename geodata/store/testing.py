"""A throw-away PostgreSQL + PostGIS server for tests and benchmarks of the PostGIS store.

:class:`TemporaryPostgres` runs ``initdb`` into a temporary directory, starts the server with ``pg_ctl`` on a free
port of 127.0.0.1 (unix socket in the same directory), creates a database with the ``postgis`` extension and
removes everything on :meth:`TemporaryPostgres.stop`. PostgreSQL refuses to run as root, so when this process is
root the server commands run as the ``postgres`` system user (``runuser -u postgres --``) in a directory owned by it.

The server's ``dsn`` is the superuser (the owner of every store schema it creates); the application connects as a
role that owns nothing: :meth:`TemporaryPostgres.app_store` creates a schema as the owner, grants the application
role and returns the application's connection string, as ``parkrisk rect init --app-role`` does.

:func:`use_clock` is the one way to date history records in tests: the store's public calls take no time argument.
"""

from __future__ import annotations

import datetime as dt
import glob
import logging
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = [
    "TemporaryPostgres",
    "PostgresUnavailableError",
    "find_pg_bindir",
    "DEBIAN_PACKAGES",
    "hammer",
    "use_clock",
    "APP_ROLE",
]

log = logging.getLogger(__name__)

#: The login role the application uses on a test server (owns nothing; see geodata.store.postgis).
APP_ROLE = "parkrisk_app"

#: The Debian packages that provide the server binaries and the PostGIS extension.
DEBIAN_PACKAGES = "postgresql-15 postgresql-15-postgis-3"


class PostgresUnavailableError(RuntimeError):
    """The PostgreSQL/PostGIS binaries are not installed or the server could not start."""


def find_pg_bindir() -> Path:
    """Directory of ``initdb`` / ``pg_ctl``: ``$PARKRISK_PG_BINDIR``, else the newest ``/usr/lib/postgresql/*/bin``,
    else ``pg_config --bindir``.

    Raises
    ------
    PostgresUnavailableError
        Naming the Debian packages to install.
    """
    env = os.environ.get("PARKRISK_PG_BINDIR")
    cands = [Path(env)] if env else []
    cands += sorted(
        (Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin")), key=lambda p: p.parent.name, reverse=True
    )
    if shutil.which("pg_config"):
        out = subprocess.run(
            ["pg_config", "--bindir"], capture_output=True, text=True, check=False
        ).stdout.strip()
        if out:
            cands.append(Path(out))
    for c in cands:
        if (c / "initdb").exists() and (c / "pg_ctl").exists():
            return c
    raise PostgresUnavailableError(
        "找不到 PostgreSQL 服务器程序（initdb、pg_ctl）。请安装 Debian 软件包：apt-get install -y "
        f"{DEBIAN_PACKAGES}（或设置环境变量 PARKRISK_PG_BINDIR） / PostgreSQL server binaries not found; "
        f"install the Debian packages {DEBIAN_PACKAGES}"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class TemporaryPostgres:
    """A private PostgreSQL server with a PostGIS database.

    Parameters
    ----------
    dbname : str
        Database to create (with ``CREATE EXTENSION postgis``).
    fsync : bool
        False (tests) trades durability of the throw-away server for speed; True (benchmarks) keeps the default.

    Attributes
    ----------
    dsn : str
        ``postgresql://postgres@127.0.0.1:<port>/<dbname>`` once started.
    """

    def __init__(self, *, dbname: str = "parkrisk_test", fsync: bool = False) -> None:
        self.dbname = dbname
        self.fsync = fsync
        self.bindir = find_pg_bindir()
        self.root: Path | None = None
        self.port: int | None = None
        self.dsn = ""
        self._as_root = hasattr(os, "geteuid") and os.geteuid() == 0

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        cmd = list(args)
        if self._as_root:
            runuser = shutil.which("runuser")
            if runuser:
                cmd = [runuser, "-u", "postgres", "--", *cmd]
            else:
                cmd = ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(f"'{a}'" for a in cmd)]
        res = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if res.returncode != 0:
            raise PostgresUnavailableError(
                f"命令失败（返回码 {res.returncode}）：{' '.join(cmd)}\n{res.stdout}\n{res.stderr} / command failed"
            )
        return res

    def start(self) -> TemporaryPostgres:
        """initdb, start, create the database and the postgis extension."""
        import psycopg

        if self._as_root:
            try:
                import pwd

                pw = pwd.getpwnam("postgres")
            except KeyError as exc:
                raise PostgresUnavailableError(
                    "以 root 运行时需要系统用户 postgres（由 Debian 软件包 postgresql-15 创建）；请安装 "
                    f"{DEBIAN_PACKAGES} / running as root needs the postgres system user"
                ) from exc
        self.root = Path(tempfile.mkdtemp(prefix="parkrisk-pg-"))
        data, sock = self.root / "data", self.root / "sock"
        sock.mkdir()
        if self._as_root:
            for p in (self.root, sock):
                os.chown(p, pw.pw_uid, pw.pw_gid)
        os.chmod(self.root, 0o700)
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-locale",
        )
        self.port = _free_port()
        opts = f"-p {self.port} -k {sock} -c listen_addresses=127.0.0.1 -c max_connections=200"
        if not self.fsync:
            opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(self.root / "server.log"),
            "-w",
            "-t",
            "60",
            "-o",
            opts,
            "start",
        )
        admin = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(admin, autocommit=True) as conn:
                    conn.execute(f'CREATE DATABASE "{self.dbname}"')
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        self.dsn = f"postgresql://postgres@127.0.0.1:{self.port}/{self.dbname}"
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            try:
                conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            except psycopg.Error as exc:
                raise PostgresUnavailableError(
                    f"无法创建 PostGIS 扩展（{exc}），请安装 Debian 软件包 {DEBIAN_PACKAGES} / CREATE EXTENSION "
                    "postgis failed"
                ) from exc
        log.info("temporary PostgreSQL on port %s in %s", self.port, self.root)
        return self

    def app_dsn(self, role: str = APP_ROLE) -> str:
        """The connection string of the application's login role (trust authentication on the test server)."""
        if self.port is None:
            raise PostgresUnavailableError("服务器尚未启动 / the server is not running")
        return f"postgresql://{role}@127.0.0.1:{self.port}/{self.dbname}"

    def app_store(self, schema: str, role: str = APP_ROLE) -> str:
        """Create (or upgrade) store ``schema`` as the owner, grant ``role`` and return :meth:`app_dsn`."""
        from geodata.store.postgis import PostgisStore

        owner = PostgisStore(self.dsn, schema=schema, owner=True)
        try:
            owner.grant_app_role(role)
        finally:
            owner.close()
        return self.app_dsn(role)

    def stop(self) -> None:
        """Stop the server and delete its directory."""
        if self.root is None:
            return
        try:
            self._run(
                str(self.bindir / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop"
            )
        except PostgresUnavailableError:
            log.warning("pg_ctl stop failed", exc_info=True)
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    def __enter__(self) -> TemporaryPostgres:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def hammer(
    target: str,
    *,
    schema: str = "parkrisk",
    item_ids: list[str],
    duration_s: float,
    username: str = "admin",
    seed: int = 0,
    barrier_at: float | None = None,
) -> dict:
    """Load generator: for ``duration_s`` seconds, read a random item and add a progress note guarded by the
    version read (a read-modify-write, as a person editing would do). Runs in a thread or a separate process.

    Parameters
    ----------
    target : str
        Store target (GeoPackage path or PostgreSQL URL), opened afresh here.
    barrier_at : float, optional
        ``time.time()`` at which to start (so that processes start together).

    Returns
    -------
    dict
        ``{"ok": {item_id: successful updates}, "conflicts": n, "elapsed_s": s}``.
    """
    import random

    from geodata.store import ConcurrentEditError, User, open_store

    rng = random.Random(seed)
    user = User(username, "admin")
    store = open_store(target, schema=schema)
    ok = dict.fromkeys(item_ids, 0)
    conflicts = 0
    try:
        if barrier_at is not None:
            time.sleep(max(0.0, barrier_at - time.time()))
        t0 = time.perf_counter()
        n = 0
        while time.perf_counter() - t0 < duration_s:
            iid = rng.choice(item_ids)
            item = store.get_item(user, iid)
            try:
                store.add_progress(user, iid, expected_version=item.version, comment=f"load {seed}-{n}")
                ok[iid] += 1
            except ConcurrentEditError:
                conflicts += 1
            n += 1
        elapsed = time.perf_counter() - t0
    finally:
        store.close()
    return {"ok": ok, "conflicts": conflicts, "elapsed_s": elapsed}


@contextmanager
def use_clock(store, clock: Callable[[], dt.datetime]) -> Iterator[None]:
    """Within the block, ``store`` dates what it records with ``clock()`` (a timezone-aware datetime) instead of
    the current UTC time. For tests only; the application cannot choose the time of a history record.
    On PostGIS the database still refuses a record more than
    :data:`geodata.store.postgis.MAX_CLOCK_SKEW_S` away from its own clock."""
    saved = store._clock
    store._clock = clock
    try:
        yield
    finally:
        store._clock = saved

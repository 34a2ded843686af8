"""Issue 13, finding 7: the audit trail. History rows are hash-chained and ``verify`` finds every partial change made
behind the store's back (both backends); on PostGIS the application's role cannot truncate, delete, update or
disable the triggers of the history, nor change an item without a history record; ``now=`` is not part of the API
the application uses; text with a NUL character and a full or read-only store give clear messages and change
nothing."""

from __future__ import annotations

import ast
import datetime as dt
import errno
import inspect
import sqlite3
from pathlib import Path

import pytest
from rectification_helpers import ADMIN, ENT1, VIEWER, make_record

from geodata.store import (
    HISTORY_COLUMNS,
    GpkgStore,
    ImportValidationError,
    PermissionDeniedError,
    PostgisStore,
    RectificationStore,
    StoreError,
    StoreWriteError,
    store_for_park,
)
from geodata.store.audit import history_row_hash
from geodata.store.testing import use_clock

ROOT = Path(__file__).resolve().parents[2]


def _busy(store) -> None:
    it = store.get_item(ADMIN, "R001")
    it = store.transition(ENT1, "R001", "in_progress", expected_version=it.version, comment="开始")
    store.add_progress(ENT1, "R001", expected_version=it.version, comment="已采购阀门")
    it = store.get_item(ADMIN, "R003")
    store.update_fields(ADMIN, "R003", expected_version=it.version, changes={"title": "改过的标题"})


def _tamper(store, backend, request, *sql: str) -> None:
    """Run ``sql`` past every guard of the store: straight into the GeoPackage file (its triggers dropped), or as
    the PostgreSQL superuser with triggers off (session_replication_role = replica)."""
    if backend == "gpkg":
        con = sqlite3.connect(store.path, isolation_level=None)
        try:
            con.execute("DROP TRIGGER IF EXISTS history_no_update")
            con.execute("DROP TRIGGER IF EXISTS history_no_delete")
            for s in sql:
                con.execute(s)
        finally:
            con.close()
        return
    import psycopg

    with psycopg.connect(request.getfixturevalue("pg_server").dsn, autocommit=True) as con:
        con.execute(f"SET search_path TO {store.schema}, public")
        con.execute("SET session_replication_role = replica")
        for s in sql:
            con.execute(s)


def _row(store, hist_id: int) -> dict:
    with store._read() as conn:
        cur = store._x(conn, "SELECT * FROM history WHERE hist_id = ?", (hist_id,))
        names = [d[0] for d in cur.description]
        return dict(zip(names, cur.fetchone(), strict=True))


def test_a_clean_store_verifies(store):
    _busy(store)
    rep = store.verify(ADMIN)
    assert rep.ok, rep.to_text_zh()
    assert rep.rows == 13 and rep.items == 10
    assert "审计链完整" in rep.to_text_zh()
    with pytest.raises(PermissionDeniedError):
        store.verify(VIEWER)


def test_verify_detects_an_edited_history_row(store, backend, request):
    _busy(store)
    _tamper(store, backend, request, "UPDATE history SET comment = '已完成（改）' WHERE hist_id = 12")
    rep = store.verify(ADMIN)
    assert not rep.ok
    assert [(p.kind, p.hist_id) for p in rep.problems] == [("edited", 12)]
    assert "第 12 条历史记录" in rep.to_text_zh() and "R001" in rep.to_text_zh()


def test_verify_detects_a_rehashed_row(store, backend, request):
    """Editing a row AND recomputing its own hash still breaks the link of the next row."""
    _busy(store)
    row = _row(store, 11)
    row["comment"] = "伪造"
    forged = history_row_hash(row, HISTORY_COLUMNS[1:])
    _tamper(
        store,
        backend,
        request,
        f"UPDATE history SET comment = '伪造', row_hash = '{forged}' WHERE hist_id = 11",
    )
    kinds = [(p.kind, p.hist_id) for p in store.verify(ADMIN).problems]
    assert kinds == [("link", 12)]


def test_verify_detects_a_deleted_row(store, backend, request):
    _busy(store)
    _tamper(store, backend, request, "DELETE FROM history WHERE hist_id = 5")
    kinds = [(p.kind, p.hist_id, p.item_id) for p in store.verify(ADMIN).problems]
    assert kinds == [("link", 6, "R006"), ("no_history", None, "R005")]


def test_verify_detects_the_last_row_deleted(store, backend, request):
    _busy(store)
    _tamper(store, backend, request, "DELETE FROM history WHERE hist_id = 13")
    probs = store.verify(ADMIN).problems
    assert [(p.kind, p.item_id) for p in probs] == [("item", "R003")]


def test_verify_detects_reordered_rows(store, backend, request):
    _busy(store)
    _tamper(
        store,
        backend,
        request,
        "UPDATE history SET hist_id = 1000 WHERE hist_id = 11",
        "UPDATE history SET hist_id = 11 WHERE hist_id = 12",
        "UPDATE history SET hist_id = 12 WHERE hist_id = 1000",
    )
    kinds = {p.kind for p in store.verify(ADMIN).problems}
    assert "link" in kinds


def test_verify_detects_an_item_changed_without_history(store, backend, request):
    _busy(store)
    _tamper(
        store,
        backend,
        request,
        "UPDATE rectifications SET status = 'closed', closed_on = '2025-02-01' WHERE item_id = 'R005'",
    )
    probs = store.verify(ADMIN).problems
    assert [(p.kind, p.item_id) for p in probs] == [("item", "R005")]
    assert "R005" in store.verify(ADMIN).to_text_zh()


def test_history_keeps_its_public_columns(store):
    _busy(store)
    h = store.history(ADMIN)
    assert "row_hash" not in h.columns and list(h.columns)[:3] == ["hist_id", "item_id", "at"]


# -- now= is for tests only ---------------------------------------------------------------------------------------
_WRITE_CALLS = (
    "create_items",
    "import_items",
    "transition",
    "add_progress",
    "update_fields",
    "extend_deadline",
    "create_from_findings",
)


def test_the_write_api_takes_no_time_from_the_caller():
    for name in _WRITE_CALLS:
        params = inspect.signature(getattr(RectificationStore, name)).parameters
        assert "now" not in params, f"RectificationStore.{name} accepts now="
    assert "now" not in inspect.signature(store_for_park).parameters


def test_app_code_passes_no_now_to_the_store():
    offenders = []
    for path in (ROOT / "app").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr in (*_WRITE_CALLS, "store_for_park") and any(
                    k.arg in ("now", "clock") for k in node.keywords
                ):
                    offenders.append(f"{path}:{node.lineno}")
    assert offenders == []


def test_a_test_clock_dates_history(store):
    """The test-only clock (PostGIS refuses records far from its own clock, so it stays within minutes)."""
    t = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=3)).replace(microsecond=123456)
    with use_clock(store, lambda: t):
        it = store.get_item(ADMIN, "R002")
        store.add_progress(ADMIN, "R002", expected_version=it.version, comment="测试时钟")
    assert store.history(ADMIN, "R002")["at"].iloc[-1] == t.isoformat(timespec="microseconds")
    it = store.get_item(ADMIN, "R002")
    store.add_progress(ADMIN, "R002", expected_version=it.version, comment="真实时钟")
    assert store.history(ADMIN, "R002")["at"].iloc[-1] > t.isoformat()
    assert store.verify(ADMIN).ok


# -- NUL characters, full disk, read-only store --------------------------------------------------------------------
def test_a_nul_in_a_title_is_refused_on_both_backends(store):
    with pytest.raises(ImportValidationError) as exc:
        store.import_items(ADMIN, [make_record(70, title="储罐\x00区")], source="清单.xlsx")
    msg = str(exc.value)
    assert "隐患/问题描述" in msg and "\\x00" in msg and "\x00" not in msg and "未导入任何事项" in msg
    it = store.get_item(ADMIN, "R001")
    with pytest.raises(ValueError, match="NUL"):
        store.add_progress(ADMIN, "R001", expected_version=it.version, comment="进展\x00")
    with pytest.raises(ValueError, match="隐患/问题描述"):
        store.update_fields(ADMIN, "R001", expected_version=it.version, changes={"title": "a\x00"})
    assert store.get_item(ADMIN, "R001").version == it.version
    assert len(store.list_items(ADMIN)) == 10 and store.verify(ADMIN).ok


def test_a_full_disk_gives_a_message_and_changes_nothing(store, monkeypatch):
    before = [(i.item_id, i.version) for i in store.list_items(ADMIN)]
    n_hist = len(store.history(ADMIN))
    original = type(store)._insert_item
    calls = {"n": 0}

    def full(self, conn, rec, **kw):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return original(self, conn, rec, **kw)

    monkeypatch.setattr(type(store), "_insert_item", full)
    with pytest.raises(StoreWriteError, match="磁盘空间已满") as exc:
        store.import_items(ADMIN, [make_record(i) for i in range(100, 105)], source="检查表.xlsx")
    assert "未修改" in str(exc.value)
    monkeypatch.undo()
    assert [(i.item_id, i.version) for i in store.list_items(ADMIN)] == before
    assert len(store.history(ADMIN)) == n_hist and store.verify(ADMIN).ok


def _read_only(monkeypatch):
    real = sqlite3.connect

    def ro(path, *a, **kw):
        kw.pop("uri", None)
        return real(f"file:{path}?mode=ro", *a, uri=True, **kw)

    monkeypatch.setattr("geodata.store.gpkg.sqlite3.connect", ro)


def test_a_read_only_gpkg_store_reads_and_refuses_writes_clearly(tmp_path, monkeypatch):
    path = tmp_path / "ro.gpkg"
    s = GpkgStore(path)
    s.create_items(ADMIN, [make_record(i) for i in range(1, 4)])
    s.close()
    before = path.read_bytes()
    _read_only(monkeypatch)
    ro = GpkgStore(path)  # opening and reading work
    assert [i.item_id for i in ro.list_items(ADMIN)] == ["R001", "R002", "R003"]
    with pytest.raises(StoreWriteError, match="只读") as exc:
        ro.import_items(ADMIN, [make_record(9)])
    assert str(path) in str(exc.value)
    ro.close()
    assert path.read_bytes() == before


# -- PostGIS: the application's role owns nothing ------------------------------------------------------------------
@pytest.mark.postgis
@pytest.mark.parametrize("backend", ["postgis"])
def test_the_app_role_cannot_touch_the_audit_trail(pg_server, store_factory):
    import psycopg

    store = store_factory()
    store.create_items(ADMIN, [make_record(1)])
    assert store.role == "parkrisk_app"
    app = pg_server.app_dsn()
    forbidden = [
        "TRUNCATE history",
        "ALTER TABLE history DISABLE TRIGGER ALL",
        "ALTER TABLE history DISABLE TRIGGER history_no_change",
        "DELETE FROM history",
        "UPDATE history SET comment = 'x'",
        "DROP TABLE history",
        "DELETE FROM rectifications",
        "SET session_replication_role = replica",
        # an item change without its history record (refused at commit)
        "UPDATE rectifications SET title = 'x', version = version + 1",
        "UPDATE rectifications SET title = 'x'",
        # a back-dated record
        "INSERT INTO history (item_id, at, username, role, action, version, prev_hash, item_hash, row_hash) "
        "SELECT 'R001', '2020-01-01T00:00:00+00:00', 'x', 'admin', 'progress', 1, "
        "(SELECT row_hash FROM history ORDER BY hist_id DESC LIMIT 1), 'h', 'h'",
        # a record that does not continue the chain
        "INSERT INTO history (item_id, at, username, role, action, version, prev_hash, item_hash, row_hash) "
        "VALUES ('R001', now()::text, 'x', 'admin', 'progress', 1, 'bad', 'h', 'h')",
    ]
    for sql in forbidden:
        with psycopg.connect(app, autocommit=True) as con:
            con.execute(f"SET search_path TO {store.schema}, public")
            with pytest.raises(psycopg.Error):
                with con.transaction():
                    con.execute(sql)
    assert len(store.history(ADMIN)) == 1
    assert store.get_item(ADMIN, "R001").title == "测试隐患 1"
    assert store.verify(ADMIN).ok


@pytest.mark.postgis
@pytest.mark.parametrize("backend", ["postgis"])
def test_the_app_refuses_an_owner_or_superuser_connection(pg_server, store_factory):
    store = store_factory()
    with pytest.raises(StoreError, match="所有者或超级用户"):
        PostgisStore(pg_server.dsn, schema=store.schema)
    with pytest.raises(StoreError, match="rect init"):
        PostgisStore(pg_server.app_dsn(), schema="never_initialised")


def test_a_store_from_before_the_chain_is_sealed_once_on_open(store, backend, request):
    """Migration: a store without the chain columns gets them, its rows are hashed in order and every item's last
    record is sealed with the item's state; the report says so; later tampering is detected."""
    _busy(store)
    legacy = [
        "DROP TABLE store_meta",
        *(f"ALTER TABLE history DROP COLUMN {c}" for c in ("item_hash", "prev_hash", "row_hash")),
    ]
    if backend == "postgis":
        legacy += [
            "DROP TRIGGER history_no_truncate ON history",
            "DROP TRIGGER history_append_check ON history",
            "DROP TRIGGER rectifications_version ON rectifications",
            "DROP TRIGGER rectifications_need_history ON rectifications",
        ]
    _tamper(store, backend, request, *legacy)
    store.close()
    if backend == "gpkg":
        again = GpkgStore(store.path)
    else:
        server = request.getfixturevalue("pg_server")
        with pytest.raises(StoreError, match="需要升级"):
            PostgisStore(server.app_dsn(), schema=store.schema)
        again = PostgisStore(server.app_store(store.schema), schema=store.schema)
    rep = again.verify(ADMIN)
    assert rep.ok and rep.sealed_rows == 13, rep.to_text_zh()
    assert "13 条记录写于审计链启用之前" in rep.to_text_zh()
    it = again.get_item(ADMIN, "R004")
    again.add_progress(ADMIN, "R004", expected_version=it.version, comment="升级后")
    assert again.verify(ADMIN).ok
    _tamper(again, backend, request, "UPDATE history SET username = 'someone' WHERE hist_id = 2")
    assert [(p.kind, p.hist_id) for p in again.verify(ADMIN).problems] == [("edited", 2)]
    again.close()

"""The rectification store on both backends (GeoPackage and a real PostGIS started by the session): transactions,
lifecycle enforcement, history, extensions, concurrent edits, all-or-nothing imports and role checks."""

from __future__ import annotations

import sqlite3
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import pyogrio
import pytest
import shapely
from rectification_helpers import ADMIN, ENT1, ENT2, INSPECTOR, VIEWER, make_record

from geodata.store import (
    ConcurrentEditError,
    DuplicateItemError,
    IllegalTransitionError,
    ImportValidationError,
    ItemNotFoundError,
    PermissionDeniedError,
)
from geodata.store.testing import hammer


def _walk_to_closed(store, item_id, *, now=None):
    it = store.get_item(ADMIN, item_id)
    it = store.transition(ENT1, item_id, "in_progress", expected_version=it.version, comment="开始")
    it = store.transition(ENT1, item_id, "awaiting_acceptance", expected_version=it.version, comment="已完成")
    return store.transition(
        INSPECTOR, item_id, "closed", expected_version=it.version, comment="验收合格", closed_on="2025-03-01"
    )


def test_full_lifecycle_and_history(store):
    it = _walk_to_closed(store, "R001")
    assert (it.status, it.closed_on, it.version) == ("closed", "2025-03-01", 4)
    it = store.transition(ADMIN, "R001", "open", expected_version=it.version, comment="复查发现仍存在问题")
    assert it.status == "open" and it.closed_on is None
    h = store.history(ADMIN, "R001")
    assert list(h["action"]) == ["create", "start", "submit", "accept", "reopen"]
    assert list(h["from_state"].fillna("-")) == ["-", "open", "in_progress", "awaiting_acceptance", "closed"]
    assert list(h["to_state"]) == ["open", "in_progress", "awaiting_acceptance", "closed", "open"]
    assert list(h["username"]) == ["admin", "e1", "e1", "insp", "admin"]
    assert list(h["version"]) == [1, 2, 3, 4, 5]
    assert h["reason"].iloc[-1] == "复查发现仍存在问题"
    assert h["at"].is_monotonic_increasing


def test_reject_returns_to_in_progress_and_needs_reason(store):
    it = store.get_item(ADMIN, "R001")
    it = store.transition(ENT1, "R001", "in_progress", expected_version=it.version)
    it = store.transition(ENT1, "R001", "awaiting_acceptance", expected_version=it.version)
    with pytest.raises(ValueError, match="必须填写原因"):
        store.transition(INSPECTOR, "R001", "in_progress", expected_version=it.version)
    it = store.transition(
        INSPECTOR, "R001", "in_progress", expected_version=it.version, comment="防火堤未修复"
    )
    assert it.status == "in_progress"
    assert store.history(ADMIN, "R001")["action"].iloc[-1] == "reject"


@pytest.mark.parametrize("target", ["awaiting_acceptance", "closed", "open"])
def test_illegal_transition_through_the_store_changes_nothing(store, target):
    it = store.get_item(ADMIN, "R003")
    with pytest.raises(IllegalTransitionError, match="R003"):
        store.transition(ADMIN, "R003", target, expected_version=it.version)
    again = store.get_item(ADMIN, "R003")
    assert (again.status, again.version) == ("open", it.version)
    assert len(store.history(ADMIN, "R003")) == 1


def test_deadline_extensions_are_recorded_not_overwritten(store):
    it = store.get_item(ADMIN, "R002")
    it = store.extend_deadline(
        ADMIN,
        "R002",
        expected_version=it.version,
        new_deadline="2025-05-31",
        reason="设备到货延迟",
        approved_by="园区安监局 王局长",
    )
    it = store.extend_deadline(
        ADMIN, "R002", expected_version=it.version, new_deadline="2025-06-30", reason="施工窗口调整"
    )
    assert it.deadline == "2025-06-30"
    ext = store.extensions(ADMIN, "R002")
    assert list(ext["old_deadline"]) == ["2025-03-31", "2025-05-31"]
    assert list(ext["new_deadline"]) == ["2025-05-31", "2025-06-30"]
    assert list(ext["approved_by"]) == ["园区安监局 王局长", "admin"]
    with pytest.raises(ValueError, match="不晚于当前整改期限"):
        store.extend_deadline(
            ADMIN, "R002", expected_version=it.version, new_deadline="2025-06-01", reason="x"
        )
    with pytest.raises(PermissionDeniedError, match="批准延期"):
        store.extend_deadline(
            ENT2, "R002", expected_version=it.version, new_deadline="2025-08-01", reason="x"
        )


def test_stale_version_raises_concurrent_edit_error(store):
    it = store.get_item(ADMIN, "R001")
    store.add_progress(ENT1, "R001", expected_version=it.version, comment="已采购阀门")
    with pytest.raises(ConcurrentEditError, match="已被他人修改") as exc:
        store.add_progress(ADMIN, "R001", expected_version=it.version, comment="覆盖？")
    assert (exc.value.expected_version, exc.value.current_version) == (1, 2)
    assert list(store.history(ADMIN, "R001")["comment"])[-1] == "已采购阀门"


def test_two_threads_edit_the_same_item_exactly_one_wins(store_factory, store):
    """Two sessions (own connections) read version v, then both write at the same instant."""
    for round_ in range(5):
        a, b = store_factory(), store_factory()
        v = a.get_item(ADMIN, "R005").version
        gate = threading.Barrier(2)
        results: list[object] = []

        def edit(s, who, v=v, gate=gate, results=results, round_=round_):
            gate.wait()
            try:
                s.update_fields(ADMIN, "R005", expected_version=v, changes={"responsible": f"{who}-{round_}"})
                results.append(who)
            except ConcurrentEditError as exc:
                results.append(exc)

        threads = [threading.Thread(target=edit, args=(s, w)) for s, w in ((a, "甲"), (b, "乙"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        winners = [r for r in results if isinstance(r, str)]
        losers = [r for r in results if isinstance(r, ConcurrentEditError)]
        assert len(winners) == 1 and len(losers) == 1
        final = store.get_item(ADMIN, "R005")
        assert final.responsible == f"{winners[0]}-{round_}" and final.version == v + 1


def test_processes_hammering_lose_no_update(store, backend, pg_server_or_path):
    """Three processes update 3 items for 1.5 s: successful updates == version increments == history rows.

    Forked children open their own connections (nothing of the parent's is used in them)."""
    target, schema = pg_server_or_path(store)
    ids = ["R001", "R002", "R003"]
    before = {i: store.get_item(ADMIN, i).version for i in ids}
    start = time.time() + 0.5
    with ProcessPoolExecutor(max_workers=3, mp_context=get_context("fork")) as ex:
        futs = [
            ex.submit(hammer, target, schema=schema, item_ids=ids, duration_s=1.5, seed=k, barrier_at=start)
            for k in range(3)
        ]
        res = [f.result(timeout=120) for f in futs]
    for i in ids:
        ok = sum(r["ok"][i] for r in res)
        assert store.get_item(ADMIN, i).version - before[i] == ok
        assert (store.history(ADMIN, i)["action"] == "progress").sum() == ok
    assert sum(sum(r["ok"].values()) for r in res) > 0


def test_import_is_all_or_nothing_on_a_crash(store, monkeypatch):
    """A failure after some rows were inserted (injected) rolls the whole import back."""
    before = [(it.item_id, it.version) for it in store.list_items(ADMIN)]
    n_hist = len(store.history(ADMIN))
    calls = {"n": 0}
    original = type(store)._insert_item

    def crashing(self, conn, rec, **kw):
        calls["n"] += 1
        if calls["n"] == 4:
            raise OSError("磁盘已满（注入的故障）")
        return original(self, conn, rec, **kw)

    monkeypatch.setattr(type(store), "_insert_item", crashing)
    with pytest.raises(OSError, match="注入的故障"):
        store.import_items(ADMIN, [make_record(i) for i in range(100, 110)], source="检查表.xlsx")
    monkeypatch.undo()
    assert calls["n"] == 4
    assert [(it.item_id, it.version) for it in store.list_items(ADMIN)] == before
    assert len(store.history(ADMIN)) == n_hist
    # and the store still works afterwards
    assert store.import_items(ADMIN, [make_record(200)]) == ["R200"]


def test_import_with_bad_rows_reports_every_row_and_imports_nothing(store):
    recs = [
        make_record(300),
        make_record(301, category="管道"),
        make_record(302, deadline="2024-01-01"),
        make_record(303, status="closed"),
        make_record(304, geometry=None),
        make_record(300),
    ]
    with pytest.raises(ImportValidationError) as exc:
        store.import_items(ADMIN, recs)
    rows = sorted((p.row, p.column) for p in exc.value.problems)
    assert rows == [(3, "类别"), (4, "整改期限"), (5, "销号日期"), (6, "geometry"), (7, "事项编号")]
    assert "未导入任何事项" in str(exc.value)
    assert len(store.list_items(ADMIN)) == 10


def test_duplicate_ids_are_refused(store):
    with pytest.raises(DuplicateItemError, match="R001"):
        store.create_items(ADMIN, [make_record(50), make_record(1)])
    with pytest.raises(ItemNotFoundError):
        store.get_item(ADMIN, "R050")


def test_enterprise_user_sees_and_changes_only_its_own_items(store):
    assert {it.enterprise_id for it in store.list_items(ENT1)} == {"E1"}
    assert len(store.list_items(ENT1)) == 5
    assert set(store.items_frame(ENT2)["enterprise_id"]) == {"E2"}
    with pytest.raises(PermissionDeniedError, match="只能查看和处理本企业"):
        store.get_item(ENT1, "R002")
    with pytest.raises(PermissionDeniedError):
        store.history(ENT1, "R002")
    assert set(store.history(ENT1)["item_id"]) == {f"R{i:03d}" for i in (1, 3, 5, 7, 9)}
    v = store.get_item(ADMIN, "R002").version
    with pytest.raises(PermissionDeniedError):
        store.transition(ENT1, "R002", "in_progress", expected_version=v)
    with pytest.raises(PermissionDeniedError):
        store.add_progress(ENT1, "R002", expected_version=v, comment="越权")
    assert store.get_item(ADMIN, "R002").version == v
    # own item: may start and submit, but not accept
    it = store.transition(ENT1, "R001", "in_progress", expected_version=1)
    it = store.transition(ENT1, "R001", "awaiting_acceptance", expected_version=it.version)
    with pytest.raises(PermissionDeniedError, match="验收通过"):
        store.transition(ENT1, "R001", "closed", expected_version=it.version)


@pytest.mark.parametrize(
    ("user", "call"),
    [
        (VIEWER, lambda s, v: s.add_progress(VIEWER, "R001", expected_version=v, comment="x")),
        (VIEWER, lambda s, v: s.create_items(VIEWER, [make_record(60)])),
        (
            INSPECTOR,
            lambda s, v: s.update_fields(INSPECTOR, "R001", expected_version=v, changes={"title": "改"}),
        ),
        (ENT1, lambda s, v: s.create_items(ENT1, [make_record(61)])),
        (ENT1, lambda s, v: s.import_items(ENT1, [make_record(61)])),
        (INSPECTOR, lambda s, v: s.transition(INSPECTOR, "R001", "in_progress", expected_version=v)),
    ],
)
def test_role_permissions(store, user, call):
    v = store.get_item(ADMIN, "R001").version
    with pytest.raises(PermissionDeniedError, match=user.username):
        call(store, v)
    assert store.get_item(ADMIN, "R001").version == v
    assert len(store.list_items(ADMIN)) == 10


def test_edit_records_old_and_new_values(store):
    it = store.update_fields(
        ADMIN,
        "R004",
        expected_version=1,
        changes={"title": "储罐区可燃气体报警器失效", "geometry": shapely.Point(113.71, 29.89)},
    )
    assert it.title == "储罐区可燃气体报警器失效" and it.geometry.equals(shapely.Point(113.71, 29.89))
    h = store.history(ADMIN, "R004").iloc[-1]
    assert (
        h["action"] == "edit" and "储罐区可燃气体报警器失效" in h["changes"] and "测试隐患 4" in h["changes"]
    )
    with pytest.raises(ValueError, match="状态请用状态流转"):
        store.update_fields(ADMIN, "R004", expected_version=it.version, changes={"status": "closed"})
    with pytest.raises(ValueError, match="不是允许的取值"):
        store.update_fields(ADMIN, "R004", expected_version=it.version, changes={"category": "管道"})


def test_history_is_append_only(store, backend, request):
    """The triggers refuse UPDATE and DELETE even to the owner of the tables (on PostGIS also TRUNCATE); the
    application's role is refused before that, by its missing privileges."""
    import psycopg

    from geodata.store import PostgisStore

    errors = (sqlite3.DatabaseError,) if backend == "gpkg" else (psycopg.Error,)
    owner = store
    if backend == "postgis":
        owner = PostgisStore(request.getfixturevalue("pg_server").dsn, schema=store.schema, owner=True)
        for sql in ("UPDATE history SET comment = 'tampered'", "DELETE FROM history", "TRUNCATE history"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege), store._conn().transaction():
                store._conn().execute(sql)
    with pytest.raises(errors, match="append-only"), owner._write() as conn:
        owner._x(conn, "UPDATE history SET comment = 'tampered'")
    with pytest.raises(errors, match="append-only"), owner._write() as conn:
        owner._x(conn, "DELETE FROM history")
    if backend == "postgis":
        with pytest.raises(errors, match="append-only"), owner._write() as conn:
            owner._x(conn, "TRUNCATE history")
        owner.close()
    assert (store.history(ADMIN)["comment"] != "tampered").all()
    assert len(store.history(ADMIN)) == 10


def test_findings_links_are_created_once(store):
    from analysis.regulation.rectification import Finding, propose_items

    f = Finding(
        "five_rooms",
        ("B-07", "U-03"),
        "控制室位于 U-03 爆炸影响区内且未抗爆",
        "E1",
        "major",
        shapely.Point(113.702, 29.881),
    )
    props = propose_items([f, f], park_id="P1", today="2025-06-01")
    assert len(props) == 1
    pairs = [(p.record, p.link) for p in props]
    ids = store.create_from_findings(ADMIN, pairs)
    assert len(ids) == 1 and ids[0].startswith("P1-AN-")
    assert store.create_from_findings(ADMIN, pairs) == []  # same finding: not proposed twice
    links = store.finding_links(ENT1)
    assert list(links["item_id"]) == ids and links["subject_ids"].iloc[0] == ["B-07", "U-03"]
    assert store.finding_links(ENT2).empty
    it = store.get_item(ADMIN, ids[0])
    assert (it.source, it.category, it.hazard_level, it.deadline) == (
        "analysis",
        "five_rooms",
        "major",
        "2025-08-30",
    )


def test_gpkg_store_is_a_valid_geopackage_readable_by_gdal(tmp_path):
    from geodata.store import GpkgStore

    path = tmp_path / "s.gpkg"
    s = GpkgStore(path)
    s.create_items(
        ADMIN,
        [make_record(i) for i in range(1, 4)]
        + [make_record(4, geometry=shapely.box(113.70, 29.88, 113.701, 29.881))],
    )
    s.close()
    with open(path, "rb") as fh:
        head = fh.read(72)
    assert head[68:72] == b"GPKG"  # application_id, OGC 12-128r18 clause 1.1.1.1.1
    layers = dict(pyogrio.list_layers(path))
    assert "rectifications" in layers and "history" in layers
    gdf = pyogrio.read_dataframe(path, layer="rectifications")
    assert list(gdf["item_id"]) == ["R001", "R002", "R003", "R004"]
    assert gdf.crs.to_epsg() == 4326
    assert gdf.geometry.iloc[3].equals(shapely.box(113.70, 29.88, 113.701, 29.881))

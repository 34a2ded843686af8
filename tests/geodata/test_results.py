"""Stored analysis results (geodata.results): GeoPackage and PostGIS round trips, atomic writes, park readers."""

from __future__ import annotations

import multiprocessing
import shutil
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import LineString, Point, box

from geodata import results as R
from geodata.io import load_park, read_layers, save_park

DEMO = Path(__file__).resolve().parents[2] / "geodata" / "samples" / "demo_park.gpkg"
T0 = datetime(2026, 12, 7, 8, 30, tzinfo=UTC)


def _result(kind: str = "domino", by: str = "张三", h: str = "h1", n: int = 3) -> R.StoredResult:
    edges = gpd.GeoDataFrame(
        {
            "source_id": [f"U{i}" for i in range(n)],
            "probability": np.linspace(0.1, 0.9, n),
            "rank": np.arange(1, n + 1, dtype="int64"),
            "across_fence": [i % 2 == 0 for i in range(n)],
            "vector_zh": ["热辐射"] * n,
        },
        geometry=[LineString([(113 + i * 1e-3, 30), (113.01, 30.01)]) for i in range(n)],
        crs="EPSG:4326",
    )
    hubs = gpd.GeoDataFrame(
        {"unit_id": ["U1"], "score": [2.5], "name_zh": ["罐区<b>"]},
        geometry=[Point(113, 30)],
        crs="EPSG:4326",
    )
    return R.StoredResult(
        kind,
        {"edges": edges, "hubs": hubs},
        {"n_edges": n, "assumptions": [["阈值", "15 kW/m²"]], "nan": float("nan")},
        T0,
        by,
        h,
    )


def _park_copy(tmp_path: Path) -> Path:
    p = tmp_path / "park.gpkg"
    shutil.copyfile(DEMO, p)
    return p


def _same(a: R.StoredResult, b: R.StoredResult) -> None:
    assert (a.kind, a.computed_at, a.computed_by, a.inputs_hash) == (
        b.kind,
        b.computed_at,
        b.computed_by,
        b.inputs_hash,
    )
    assert set(a.layers) == set(b.layers)
    for name, gdf in a.layers.items():
        got = b.layers[name]
        assert got.crs.to_epsg() == 4326
        pd.testing.assert_frame_equal(
            pd.DataFrame(gdf.drop(columns="geometry")).reset_index(drop=True),
            pd.DataFrame(got.drop(columns="geometry")).reset_index(drop=True),
            check_dtype=False,
        )
        assert list(got.dtypes.astype(str)) == list(gdf.dtypes.astype(str))
        assert all(x.equals_exact(y, 1e-12) for x, y in zip(gdf.geometry, got.geometry, strict=True))


def test_gpkg_round_trip_in_the_park_file_keeps_the_park_valid(tmp_path):
    park = _park_copy(tmp_path)
    before = load_park(park)
    res = _result()
    grid = np.arange(12, dtype=np.float32).reshape(3, 4) * 1e-6
    risk = R.StoredResult(
        "risk",
        {"contours": gpd.GeoDataFrame({"level": [1e-5]}, geometry=[box(113, 30, 113.01, 30.01)], crs=4326)},
        {"max_ir": 1e-4, "grid_transform": [25.0, 0, 0, 0, -25.0, 0]},
        T0 + timedelta(minutes=1),
        "命令行",
        "h2",
        grid,
    )
    R.save_result(park, res)
    R.save_result(park, risk)
    got = R.load_result(park, "domino")
    _same(res, got)
    assert got.summary["nan"] is None and got.summary["assumptions"] == [["阈值", "15 kW/m²"]]
    assert got.grid is None
    g = R.load_result(park, "risk")
    assert g.grid.dtype == np.float32 and np.array_equal(g.grid, grid)
    assert R.load_result(park, "hca") is None
    meta = R.list_results(park)
    assert list(meta) == ["risk", "domino"]
    assert meta["domino"].computed_by == "张三" and meta["risk"].computed_at.tzinfo is not None
    # the park readers see the same park, and validation stays clean
    layers, problems = read_layers(park)
    assert not any(R.is_result_table(n) for n in layers) and problems == []
    after = load_park(park)
    assert list(after.layers) == list(before.layers)
    assert after.report.to_text_zh() == before.report.to_text_zh()
    assert not [p for p in after.report.problems if p.kind == "unknown_layer"]


def test_a_new_result_replaces_the_old_one_and_drops_its_layers(tmp_path):
    park = _park_copy(tmp_path)
    R.save_result(park, _result(n=5))
    only_edges = R.StoredResult("domino", {"edges": _result(n=2).layers["edges"]}, {}, T0, "李四", "h9")
    R.save_result(park, only_edges)
    names = set(pyogrio.list_layers(park)[:, 0])
    assert "result_domino_hubs" not in names and "result_domino_edges" in names
    got = R.load_result(park, "domino")
    assert len(got.layers["edges"]) == 2 and got.inputs_hash == "h9" and set(got.layers) == {"edges"}
    con = sqlite3.connect(park)
    assert con.execute(
        "SELECT count(*) FROM gpkg_contents WHERE table_name = 'result_domino_hubs'"
    ).fetchone() == (0,)
    con.close()


def test_results_file_is_created_when_missing_and_empty_layers_survive(tmp_path):
    path = tmp_path / "sub.results.gpkg"
    empty = _result().layers["edges"].iloc[:0]
    R.save_result(path, R.StoredResult("hca", {"areas": empty}, {}, T0, "匿名", "x"))
    got = R.load_result(path, "hca")
    assert len(got.layers["areas"]) == 0 and list(got.layers["areas"].columns) == list(empty.columns)
    assert R.list_results(tmp_path / "none.gpkg") == {}
    assert R.load_result(tmp_path / "none.gpkg", "risk") is None


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"kind": "wind"}, "未知"),
        ({"computed_at": datetime(2026, 1, 1)}, "时区"),
        ({"summary": {"x": object()}}, "摘要"),
        ({"layers": {"Bad-Name": gpd.GeoDataFrame(geometry=[], crs=4326)}}, "图层名"),
        ({"layers": {"a": gpd.GeoDataFrame(geometry=[Point(0, 0)], crs=3857)}}, "EPSG:4326"),
    ],
)
def test_bad_results_are_refused_in_chinese(tmp_path, change, words):
    base = _result()
    bad = R.StoredResult(
        **{
            "kind": base.kind,
            "layers": base.layers,
            "summary": base.summary,
            "computed_at": base.computed_at,
            "computed_by": base.computed_by,
            "inputs_hash": base.inputs_hash,
        }
        | change
    )
    with pytest.raises(ValueError, match=words):
        R.save_result(tmp_path / "p.gpkg", bad)
    assert not (tmp_path / "p.gpkg").exists()


def test_a_failure_mid_write_leaves_the_previous_file(tmp_path, monkeypatch):
    park = _park_copy(tmp_path)
    R.save_result(park, _result(h="old"))
    before = park.read_bytes()
    real = R._storable
    calls = []

    def dies(gdf):
        calls.append(1)
        if len(calls) == 2:  # the first layer is written, the second never is
            raise OSError("磁盘已满（模拟）")
        return real(gdf)

    monkeypatch.setattr(R, "_storable", dies)
    with pytest.raises(OSError, match="模拟"):
        R.save_result(park, _result(h="new", n=7))
    assert park.read_bytes() == before
    assert R.load_result(park, "domino").inputs_hash == "old"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp.gpkg")]


def _die_mid_write(path: str) -> None:  # in a child process: killed while the copy is half written
    import os

    from geodata import results

    real = results._storable

    def die(gdf):
        out = real(gdf)
        os._exit(9)  # the process dies as with SIGKILL: no cleanup, no exception handlers
        return out

    results._storable = die
    results.save_result(path, _result(h="never"))


def test_a_process_killed_mid_write_never_corrupts_the_park(tmp_path):
    park = _park_copy(tmp_path)
    R.save_result(park, _result(h="kept"))
    before = park.read_bytes()
    proc = multiprocessing.get_context("spawn").Process(target=_die_mid_write, args=(str(park),))
    proc.start()
    proc.join(120)
    assert proc.exitcode == 9
    assert park.read_bytes() == before
    assert R.load_result(park, "domino").inputs_hash == "kept"
    assert load_park(park).report.ok
    R.save_result(park, _result(h="after"))  # the lock was released by the dead process
    assert R.load_result(park, "domino").inputs_hash == "after"


def test_concurrent_writers_of_different_kinds_lose_nothing(tmp_path):
    park = _park_copy(tmp_path)
    kinds = ("domino", "hca", "five_rooms", "emergency")
    errors = []

    def write(kind):
        try:
            R.save_result(park, _result(kind=kind, h=kind))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(k,)) for k in kinds]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert {k: m.inputs_hash for k, m in R.list_results(park).items()} == {k: k for k in kinds}


def test_save_park_keeps_the_stored_results(tmp_path):
    park = _park_copy(tmp_path)
    R.save_result(park, _result(h="kept"))
    save_park(load_park(park), park)
    assert R.load_result(park, "domino").inputs_hash == "kept"
    other = tmp_path / "other.gpkg"
    save_park(load_park(park), other)
    assert R.list_results(other) == {}  # results belong to the file they were computed for


@pytest.mark.postgis
def test_postgis_round_trip_per_park_with_the_application_role(pg_server):
    from geodata.store import PostgisStore

    store = PostgisStore(pg_server.app_store("res1"), schema="res1")
    try:
        a, b = R.PostgisResults(store, "园区A"), R.PostgisResults(store, "园区B")
        res = _result()
        grid = np.eye(3, dtype=np.float32)
        risk = R.StoredResult("risk", {}, {"max_ir": 1e-5}, T0, "王五", "r", grid)
        R.save_result(a, res)
        R.save_result(a, risk)
        _same(res, R.load_result(a, "domino"))
        assert np.array_equal(R.load_result(a, "risk").grid, grid)
        assert R.load_result(b, "domino") is None and R.list_results(b) == {}
        assert list(R.list_results(a)) == ["risk", "domino"]
        R.save_result(a, _result(h="v2", n=1))
        got = R.load_result(a, "domino")
        assert got.inputs_hash == "v2" and len(got.layers["edges"]) == 1
    finally:
        store.close()


@pytest.mark.postgis
def test_postgis_failed_write_keeps_the_previous_result(pg_server, monkeypatch):
    from geodata.store import PostgisStore

    store = PostgisStore(pg_server.app_store("res2"), schema="res2")
    try:
        t = R.PostgisResults(store, "园区A")
        R.save_result(t, _result(h="old"))
        bad = _result(h="new")

        def boom(*a, **k):
            raise RuntimeError("连接中断（模拟）")

        monkeypatch.setattr(R, "_grid_bytes", boom)
        with pytest.raises(RuntimeError, match="模拟"):
            R.save_result(t, bad)
        assert R.load_result(t, "domino").inputs_hash == "old"
    finally:
        store.close()


@pytest.mark.postgis
def test_a_store_from_before_the_results_tables_is_upgraded_by_its_owner(pg_server):
    import psycopg

    from geodata.store import PostgisStore
    from geodata.store.errors import StoreSetupError

    dsn = pg_server.app_store("res3")
    with psycopg.connect(pg_server.dsn, autocommit=True) as owner:  # as a store made before results were kept
        owner.execute("DROP TABLE res3.results_features, res3.results_meta")
    with pytest.raises(StoreSetupError, match="分析结果表"):
        PostgisStore(dsn, schema="res3")
    pg_server.app_store(
        "res3"
    )  # parkrisk rect init by the owner: creates the tables and grants the application role
    store = PostgisStore(dsn, schema="res3")
    try:
        R.save_result(R.PostgisResults(store, "园区A"), _result(h="after-upgrade"))
        assert R.load_result(R.PostgisResults(store, "园区A"), "domino").inputs_hash == "after-upgrade"
    finally:
        store.close()


def test_a_weather_save_and_a_result_save_at_once_lose_nothing(tmp_path):
    from geodata.weather import read_weather, save_weather

    park = _park_copy(tmp_path)
    weather = read_weather(park)
    errors = []

    def weather_writer():
        try:
            for _ in range(4):
                save_weather(park, weather)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    t = threading.Thread(target=weather_writer)
    t.start()
    for i in range(4):
        R.save_result(park, _result(h=f"v{i}"))
    t.join()
    assert errors == []
    assert (
        R.load_result(park, "domino").inputs_hash == "v3"
    )  # no weather write replaced the file with an old copy
    assert read_weather(park) is not None


def test_saving_the_park_waits_for_a_result_writer_and_keeps_its_result(tmp_path):
    """save_park copies the stored results and replaces the file under the park file's lock: a result writer
    that holds the lock (working on its own copy) finishes first, and its result is in the saved park."""
    from geodata._atomic import gpkg_lock

    path = _park_copy(tmp_path)
    park = load_park(path)
    started, release = threading.Event(), threading.Event()

    def writer() -> None:
        with gpkg_lock(path):  # another thread: a separate flock, as a writer in another process would hold
            started.set()
            release.wait(5)
            R.save_result(path, _result("domino", by="李四"))

    t = threading.Thread(target=writer)
    t.start()
    assert started.wait(5)
    saver = threading.Thread(target=save_park, args=(park, path))
    saver.start()
    saver.join(0.5)
    assert saver.is_alive()  # the save waits for the writer's lock
    release.set()
    t.join(10)
    saver.join(30)
    assert not saver.is_alive()
    kept = R.load_result(path, "domino")
    assert kept is not None and kept.computed_by == "李四"  # neither the result nor the save was lost
    assert len(load_park(path).installations) == len(park.installations)

"""A region in PostGIS (issue 19: "a folder of park GeoPackages or a PostGIS database with many parks") and the
rectification figures of a region counted from the parks' live stores.

A real PostgreSQL + PostGIS server (the shared ``pg_server`` fixture, :class:`geodata.store.testing.
TemporaryPostgres`). Parks are five small parks cut from the demo park (:func:`geodata.samples.province.
shifted_demo_park`), as in ``test_region.py``. "Equal" means: the park read back from PostGIS equals the park loaded
from the GeoPackage it was imported from, layer by layer (values, dtypes, order) and its wind rose; and the region
run on PostGIS gives, park by park, the same figures as the run on the folder.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import psycopg
import pytest

from app.region.compute import RegionOptions, park_result
from app.region.runner import SCHEDULER_ENV, cached_results, run_region
from geodata import load_park
from geodata.pg_parks import (
    PARK_TABLES,
    ParkDatabaseError,
    PgPark,
    list_parks,
    park_hashes,
    read_park,
    write_park,
)
from geodata.samples.province import generate_region, shifted_demo_park

pytestmark = pytest.mark.postgis

OPTS = RegionOptions()


def _json(x):
    return json.loads(json.dumps(x, sort_keys=True))


@pytest.fixture(scope="module")
def region5(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("region5pg")
    generate_region(folder, parks=5, seed=1, builder=shifted_demo_park, scale=0.1)
    return folder


@pytest.fixture
def pg_region_folder(region5) -> Path:
    """The parks that ``loaded`` (tests/app/conftest.py) imports: the five of ``region5``."""
    return region5


def _same_park(a, b) -> None:
    assert list(a.layers) == list(b.layers)
    for name in a.layers:
        pd.testing.assert_frame_equal(pd.DataFrame(a.layers[name]), pd.DataFrame(b.layers[name]), obj=name)
    pd.testing.assert_frame_equal(a.weather.rose, b.weather.rose)
    assert dict(a.weather.station) == dict(b.weather.station)


def test_demo_park_round_trip_through_postgis_equals_the_geopackage_load(pg_server, demo_park, schema):
    pid = write_park(pg_server.dsn, demo_park, schema=schema)
    assert pid == demo_park.parks["park_id"].iloc[0]
    back = read_park(pg_server.dsn, pid, schema=schema)
    _same_park(demo_park, back)
    assert back.roads is not None and "population_areas" not in back.layers  # optional layers as in the file
    with psycopg.connect(pg_server.dsn) as conn:  # geometries carry their SRID
        srid = conn.execute(f"SELECT DISTINCT ST_SRID(geom) FROM {schema}.park_installations").fetchall()
    assert srid == [(4326,)]


def test_cli_import_list_export_and_hashes_of_rows(loaded, pg_server, region5, schema, tmp_path, capsys):
    from app.cli import main

    ids = list(list_parks(loaded, schema=schema)["park_id"])
    assert ids == ["P001", "P002", "P003", "P004", "P005"]
    for pid in ids:
        _same_park(load_park(region5 / f"{pid}.gpkg"), read_park(loaded, pid, schema=schema))
    capsys.readouterr()
    assert main(["region", "list", loaded, "--schema", schema]) == 0
    out = capsys.readouterr().out
    assert "P005" in out and "合成园区005" in out and "导入时间（北京时间）" in out
    dst = tmp_path / "P003.gpkg"
    assert main(["region", "export", loaded, "P003", "-o", str(dst), "--schema", schema]) == 0
    _same_park(load_park(region5 / "P003.gpkg"), load_park(dst))
    before = park_hashes(loaded, schema=schema)
    assert main(["region", "import", loaded, str(region5 / "P002.gpkg"), "--schema", schema]) == 0
    assert park_hashes(loaded, schema=schema) == before  # re-importing the same rows keeps the hash
    with psycopg.connect(
        loaded, autocommit=True
    ) as conn:  # an edit made in SQL (or QGIS) changes one park only
        conn.execute(
            f"UPDATE {schema}.park_installations SET inventory_kg = inventory_kg + 1 "
            "WHERE park_key = 'P004' AND fid = 0"
        )
    after = park_hashes(loaded, schema=schema)
    assert [k for k in after if after[k] != before[k]] == ["P004"]


def test_region_run_on_postgis_matches_the_folder_and_recomputes_only_a_changed_park(
    loaded, region5, schema, monkeypatch
):
    monkeypatch.delenv(SCHEDULER_ENV, raising=False)
    folder = {
        p.stem: {k: v for k, v in _json(park_result(p, OPTS)).items() if k != "file"}
        for p in sorted(region5.glob("*.gpkg"))
    }
    seen = []
    first = run_region(loaded, options=OPTS, n_workers=2, schema=schema, progress=lambda f, m: seen.append(f))
    assert first.computed == ["P001", "P002", "P003", "P004", "P005"] and "LocalCluster" in first.cluster_zh
    assert seen[-1] == pytest.approx(1.0)
    for r in first.results:
        assert r["file"] == r["park_id"] and not r["errors"]
        assert {k: v for k, v in _json(r).items() if k != "file"} == folder[r["park_id"]]
    with psycopg.connect(loaded, autocommit=True) as conn:  # the regulator re-grades one park in the database
        conn.execute(f"UPDATE {schema}.park_parks SET risk_grade = 'A' WHERE park_key = 'P002'")
        conn.execute(f"UPDATE {schema}.park_parks SET risk_grade = 'D' WHERE park_key = 'P005'")
    second = run_region(loaded, options=OPTS, n_workers=1, schema=schema)
    assert second.computed == ["P002", "P005"]
    by_id = {r["park_id"]: r for r in second.results}
    assert by_id["P002"]["grade"] == "A" and by_id["P005"]["grade"] == "D"
    assert _json(by_id["P001"]) == _json(first.results[0])
    third = run_region(loaded, options=OPTS, schema=schema)
    assert third.computed == [] and "未启动计算集群" in third.cluster_zh
    found, missing = cached_results(loaded, options=OPTS, schema=schema)
    assert len(found) == 5 and missing == []


def test_cli_region_report_from_postgis_reads_back_from_word(loaded, schema, tmp_path, monkeypatch):
    import docx

    from app.cli import main

    monkeypatch.delenv(SCHEDULER_ENV, raising=False)
    out = tmp_path / "月报.docx"
    args = ["region", "report", loaded, "--schema", schema, "--month", "2026-11", "--out", str(out)]
    assert main([*args, "--workers", "2", "--title", "测试省"]) == 0
    text = "\n".join(p.text for p in docx.Document(out).paragraphs)
    assert "测试省化工园区安全风险监管月报（2026年11月）" in text and "纳入监管的化工园区共 5 个" in text


def test_bad_databases_and_park_ids_are_reported_in_chinese(pg_server, loaded, schema, tmp_path, capsys):
    from app.cli import main

    with pytest.raises(ParkDatabaseError, match="没有园区编号 'P999'.*现有园区编号：P001、P002"):
        read_park(loaded, "P999", schema=schema)
    dead = "postgresql://postgres@127.0.0.1:1/nowhere"
    with pytest.raises(ParkDatabaseError, match="无法连接 PostGIS 127.0.0.1:1/nowhere.*请检查连接串"):
        list_parks(dead)
    with psycopg.connect(pg_server.dsn, autocommit=True) as conn:
        conn.execute(f"DROP TABLE {schema}.park_roads")
    with pytest.raises(ParkDatabaseError, match="缺少园区表 park_roads.*parkrisk region import"):
        read_park(loaded, "P001", schema=schema)
    capsys.readouterr()
    assert main(["region", "run", loaded, "--schema", schema]) == 1
    assert "缺少园区表 park_roads" in capsys.readouterr().err
    assert main(["region", "run", dead]) == 1
    assert "无法连接 PostGIS 127.0.0.1:1/nowhere" in capsys.readouterr().err
    assert (
        main(["region", "export", loaded, "P001", "-o", str(tmp_path / "x.gpkg"), "--schema", "Bad-Name"])
        == 1
    )
    assert "模式名 'Bad-Name' 无效" in capsys.readouterr().err
    assert main(["region", "import", "/tmp/not-a-database", str(tmp_path)]) == 1
    assert "不是 PostgreSQL 连接串" in capsys.readouterr().err
    res = park_result(
        PgPark(loaded, "P001", schema), OPTS
    )  # a task whose table went missing: the park fails alone
    assert res["loaded"] is False and "缺少园区表 park_roads" in res["errors"][0]


def test_closed_item_in_the_parks_store_changes_the_bulletin_and_only_that_park(
    region5, tmp_path, monkeypatch
):
    """Item 2: the figures of a park whose items live in a store come from the store, not from the file."""
    import shutil

    from app.region.sources import live_store_target
    from app.region.stats import ranking
    from geodata.store import SYSTEM_USER, store_for_park

    monkeypatch.delenv(SCHEDULER_ENV, raising=False)
    folder = tmp_path / "region"
    shutil.copytree(region5, folder, ignore=shutil.ignore_patterns(".parkrisk_region_cache"))
    park = folder / "P003.gpkg"
    store_path = folder / "P003.rect.gpkg"  # the ledger beside the park file
    first = run_region(folder, options=OPTS, n_workers=1)
    layer_items = {r["park_id"]: r for r in first.results}["P003"]
    assert layer_items["items_source"] == "layer"
    store = store_for_park(park, load_park(park).rectifications, store=store_path)
    assert live_store_target(park) == str(store_path)
    second = run_region(folder, options=OPTS, n_workers=1)
    assert second.computed == ["P003.gpkg"]  # the ledger appeared: its items are read from now on
    open_items = [it for it in store.list_items(SYSTEM_USER) if it.status != "closed"]
    assert open_items, "the small park needs an open item"
    it = open_items[0]
    for target in ("in_progress", "awaiting_acceptance", "closed")[
        ("open", "in_progress", "awaiting_acceptance").index(it.status) :
    ]:
        it = store.transition(SYSTEM_USER, it.item_id, target, expected_version=it.version, comment="测试")
    store.close()
    day = dt.date.today() + dt.timedelta(days=1)  # the day after: an item closed today (any time zone) counts
    third = run_region(folder, options=OPTS, n_workers=1)
    assert third.computed == ["P003.gpkg"]  # only the park whose ledger changed
    res = {r["park_id"]: r for r in third.results}["P003"]
    assert res["items_source"] == "store"
    assert {i["item_id"]: i["status"] for i in res["items"]}[it.item_id] == "closed"
    before = ranking(second.results, day=day).set_index("park_id").loc["P003"]
    after = ranking(third.results, day=day).set_index("park_id").loc["P003"]
    assert after["closed"] == before["closed"] + 1
    assert after["closure_rate"] > before["closure_rate"]


def test_all_park_tables_are_named_after_the_layer_schema():
    from geodata import schema as layer_schema

    layers = {t.removeprefix("park_") for t in PARK_TABLES}
    assert set(layer_schema.LAYER_ORDER) | set(layer_schema.OPTIONAL_LAYERS) <= layers


def test_the_apps_own_park_is_counted_from_parkrisk_store(region5, tmp_path, monkeypatch):
    from app.region.sources import live_store_target, open_region

    shared = tmp_path / "shared.rect.gpkg"
    monkeypatch.setenv("PARKRISK_PARK", str(region5 / "P002.gpkg"))
    monkeypatch.setenv("PARKRISK_STORE", str(shared))
    monkeypatch.setenv("PARKRISK_DATA_DIR", str(tmp_path / "data"))
    assert live_store_target(region5 / "P002.gpkg") == str(shared)
    assert live_store_target(region5 / "P001.gpkg") is None  # another park: no ledger yet
    shared.write_bytes(b"not a store")  # an unreadable ledger: the park says so, the region still opens
    reg = open_region(region5, options_key=OPTS.as_key())
    assert set(reg.store_errors) == {"P002.gpkg"}
    assert "整改台账 shared.rect.gpkg 无法读取" in reg.store_errors["P002.gpkg"]


def test_drill_down_into_a_postgis_park_opens_a_local_copy_refreshed_when_its_rows_change(
    loaded, region5, schema, tmp_path, monkeypatch
):
    from app.region.sources import pg_local_path
    from app.views.region import drill_down_path

    monkeypatch.setenv("PARKRISK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PARKRISK_REGION_SCHEMA", schema)  # as the app is started for this region
    ref = PgPark(loaded, "P001", schema)
    path = drill_down_path(loaded, "P001")  # PARKRISK_REGION=postgresql://… and the park id of the table row
    assert path == pg_local_path(ref) and path.is_file()
    _same_park(load_park(region5 / "P001.gpkg"), load_park(path))
    stamp = path.stat().st_mtime_ns
    assert drill_down_path(loaded, "P001").stat().st_mtime_ns == stamp  # unchanged rows: the copy is reused
    with psycopg.connect(loaded, autocommit=True) as conn:
        conn.execute(f"UPDATE {schema}.park_parks SET name = '改名园区' WHERE park_key = 'P001'")
    assert load_park(drill_down_path(loaded, "P001")).name == "改名园区"  # rows changed: copied again
    with pytest.raises(ParkDatabaseError, match="没有园区编号 'P404'"):
        drill_down_path(loaded, "P404")


@pytest.mark.browser
@pytest.mark.timeout(180)
def test_region_page_on_a_postgis_region_in_chromium(
    loaded, region5, schema, tmp_path, monkeypatch, demo_park_path, demo_park
):
    """PARKRISK_REGION=postgresql://…: the page ranks the database's parks (from the cache of an earlier run) and
    opens one of them on its own pages, still signed in."""
    from playwright.sync_api import sync_playwright

    from app.auth import open_park_store
    from app.region.cache import write_entry
    from app.region.sources import open_region
    from geodata.store import default_store_path
    from tests.app.test_browser import _bench

    b = _bench()
    monkeypatch.setenv("PARKRISK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("PARKRISK_STORE", raising=False)
    monkeypatch.setenv("PARKRISK_REGION", loaded)
    monkeypatch.setenv("PARKRISK_REGION_SCHEMA", schema)
    reg = open_region(loaded, options_key=OPTS.as_key(), schema=schema)
    for p in reg.parks:  # the results of an earlier run, as parkrisk region run would have cached them
        res = _json(park_result(region5 / f"{p.name}.gpkg", OPTS))
        write_entry(reg.cache_root, p.name, reg.keys[p.name], {**res, "file": p.name})
    open_park_store(str(demo_park_path), str(default_store_path(demo_park_path)), True, demo_park).close()
    names = {p.name: read_park(loaded, p.name, schema=schema).name for p in reg.parks}
    with sync_playwright() as pw:
        browser = b.launch_browser(pw)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1100})
            log = REPO / "test-artifacts" / "streamlit_region_pg.log"
            with b.running_app(demo_park_path, log_path=log) as (base, _):
                b.wait_healthy(base, timeout=30)
                page.goto(f"{base}/rectification", wait_until="commit")
                page.get_by_label("用户名").fill("admin", timeout=30000)
                page.get_by_label("密码", exact=True).fill("admin-demo")
                page.get_by_role("button", name="登录", exact=True).click()
                page.get_by_text("退出登录").first.wait_for(timeout=30000)
                page.get_by_role("link", name="区域监管").click()
                page.get_by_text("园区排名").first.wait_for(timeout=30000)
                page.get_by_text("显示本区域全部园区。").wait_for(timeout=10000)
                frame = page.frame_locator("iframe[title='streamlit_folium.st_folium']").first
                frame.locator("path.leaflet-interactive").first.wait_for(timeout=30000)
                assert frame.locator("path.leaflet-interactive").count() == 2 * len(
                    names
                )  # boundary + marker
                assert "尚未计算" not in page.locator("body").inner_text()
                page.get_by_role("button", name="打开该园区的页面").click()
                page.get_by_role("heading", name="园区一张图 · 合成园区").wait_for(timeout=30000)
                heading = page.get_by_role("heading", name="园区一张图 · 合成园区").inner_text()
                assert any(
                    n in heading for n in names.values()
                )  # a park of the database, from its local copy
                page.get_by_role("link", name="一园一策").click()
                page.get_by_text("退出登录").first.wait_for(timeout=30000)
        finally:
            browser.close()


REPO = Path(__file__).resolve().parents[2]


def test_the_application_role_reads_the_parks_after_rect_init_and_is_told_how_otherwise(
    pg_server, region5, schema
):
    """The owner imports the parks; the application's role (owns nothing, geodata.store.postgis) only reads them."""
    write_park(pg_server.dsn, load_park(region5 / "P001.gpkg"), schema=schema)
    with psycopg.connect(pg_server.dsn, autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS region_reader")
        conn.execute("CREATE ROLE region_reader LOGIN")
        conn.execute(f"GRANT USAGE ON SCHEMA {schema} TO region_reader")
    with pytest.raises(ParkDatabaseError, match="角色 region_reader 无权读取.*--app-role region_reader"):
        list_parks(pg_server.app_dsn("region_reader"), schema=schema)
    app = pg_server.app_store(
        schema
    )  # parkrisk rect init --app-role: the store and SELECT on the park tables
    assert list(list_parks(app, schema=schema)["park_id"]) == ["P001"]
    _same_park(load_park(region5 / "P001.gpkg"), read_park(app, "P001", schema=schema))
    with pytest.raises(ParkDatabaseError, match="无权在模式 .* 中建表.*所有者的连接串"):
        write_park(app, load_park(region5 / "P002.gpkg"), schema=schema)  # the application cannot write parks

"""A PostGIS region is the same as a folder region (issue 19, item 3): a park's population grid and its confirmed
GB 36894 F-N constants travel with it into PostGIS and back (:mod:`geodata.pg_park_extras`), the region computed
by an external ``dask scheduler`` and two ``dask worker`` processes reading the parks from PostGIS equals the
serial run on the folder, and a park opened from 区域监管 keeps its analysis results in the app's PostGIS store.

A real PostgreSQL + PostGIS (+ postgis_raster) server: the shared ``pg_server`` fixture. The raster codec is checked
against rasters PostGIS itself builds (``ST_MakeEmptyRaster``/``ST_AddBand``/``ST_SetValues``) and reads
(``ST_DumpValues``, ``ST_SummaryStats``), i.e. against PostGIS's own implementation of the WKB format (PostGIS
RFC2), not against numbers this code produced.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import psycopg
import pyproj
import pytest
from local_dask import external_cluster

from app.region.compute import RegionOptions, park_result
from app.region.runner import SCHEDULER_ENV, run_region
from geodata import load_park
from geodata.criteria import read_fn_criterion, save_fn_criterion
from geodata.pg_park_extras import raster_from_wkb, raster_to_wkb
from geodata.pg_parks import ParkDatabaseError, PgPark, park_hashes, read_park, write_park
from geodata.population import population_raster_path, read_population_raster
from geodata.samples.province import generate_region, shifted_demo_park

pytestmark = pytest.mark.postgis

OPTS = RegionOptions()
REPO = Path(__file__).resolve().parents[2]
#: Non-default F-N constants (GB 36894's unconfirmed registry entry is upper 1e-3, lower 1e-5 /a).
FN_P001 = {
    "upper_c": 2e-4,
    "lower_c": 3e-6,
    "slope": 1.0,
    "n_min": 1.0,
    "n_max": 1000.0,
    "confirmed_by": "测试核对人",
    "document": "测试用常数（非标准值）",
    "confirmed_on": "2026-12-01",
}
FN_P003 = {**FN_P001, "upper_c": 1e-10, "lower_c": 1e-12, "slope": 2.0}


def _json(x):
    return json.loads(json.dumps(x, sort_keys=True))


def _write_raster(park_path: Path, *, two_bands: bool, crs: str, seed: int) -> None:
    """A population grid over the park and around it (20–60 m cells, persons per cell, a NoData corner)."""
    import rasterio
    from rasterio.transform import from_origin

    park = load_park(park_path)
    x0, y0, x1, y1 = park.parks.total_bounds
    t = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    (ax, bx), (ay, by) = t.transform([x0 - 0.004, x1 + 0.004], [y0 - 0.004, y1 + 0.004])
    h = 40.0 if crs != "EPSG:4326" else 0.0004
    nx, ny = int((bx - ax) / h) + 1, int((by - ay) / h) + 1
    rng = np.random.default_rng(seed)
    night = rng.integers(0, 40, (ny, nx)).astype("float32")
    night[0, :3] = -9999.0  # declared NoData: no one
    bands = [night, (night * 1.7).astype("float32")] if two_bands else [night]
    with rasterio.open(
        population_raster_path(park_path),
        "w",
        driver="GTiff",
        width=nx,
        height=ny,
        count=len(bands),
        dtype="float32",
        crs=crs,
        transform=from_origin(ax, by, h, h),
        nodata=-9999.0,
    ) as dst:
        for i, b in enumerate(bands, 1):
            dst.write(b, i)


@pytest.fixture(scope="module")
def region3(tmp_path_factory) -> Path:
    """Three parks: P001 a one-band grid in WGS84 and non-default F-N constants; P002 a two-band grid (night,
    day) in UTM 49N; P003 no grid and other constants."""
    folder = tmp_path_factory.mktemp("region3pgx")
    generate_region(folder, parks=3, seed=4, builder=shifted_demo_park, scale=0.1)
    _write_raster(folder / "P001.gpkg", two_bands=False, crs="EPSG:4326", seed=1)
    _write_raster(folder / "P002.gpkg", two_bands=True, crs="EPSG:32649", seed=2)
    save_fn_criterion(folder / "P001.gpkg", FN_P001)
    save_fn_criterion(folder / "P003.gpkg", FN_P003)
    return folder


@pytest.fixture(scope="module")
def serial(region3) -> dict[str, dict]:
    """The reference: every park of the folder computed in this process, no dask."""
    return {p.stem: _json(park_result(p, OPTS)) for p in sorted(region3.glob("*.gpkg"))}


@pytest.fixture
def pg_region_folder(region3) -> Path:
    """The parks that ``loaded`` (tests/app/conftest.py) imports: the three of ``region3``."""
    return region3


def _same_raster(a, b) -> None:
    assert np.array_equal(a.night, b.night) and np.array_equal(a.day, b.day)
    assert tuple(a.transform) == tuple(b.transform)
    assert pyproj.CRS.from_user_input(a.crs) == pyproj.CRS.from_user_input(b.crs)


def test_population_grid_and_fn_constants_round_trip_and_postgis_reads_the_raster(
    loaded, region3, schema, capsys
):
    from app.cli import main

    capsys.readouterr()
    files = [str(region3 / "P001.gpkg"), str(region3 / "P003.gpkg")]
    assert main(["region", "import", loaded, *files, "--schema", schema]) == 0  # again: the same rows
    out = capsys.readouterr().out
    assert "园区 P001（合成园区001（虚构），含人口栅格、已核对的 F-N 判据常数）" in out
    assert "园区 P003（合成园区003（虚构），含已核对的 F-N 判据常数）" in out
    for pid in ("P001", "P002", "P003"):
        file, db = load_park(region3 / f"{pid}.gpkg"), read_park(loaded, pid, schema=schema)
        assert db.fn_criterion == read_fn_criterion(region3 / f"{pid}.gpkg")
        if pid == "P003":
            assert file.population_raster is None and db.population_raster is None
            continue
        _same_raster(file.population_raster, db.population_raster)
    assert read_park(loaded, "P001", schema=schema).fn_criterion["upper_c"] == 2e-4
    assert read_park(loaded, "P002", schema=schema).fn_criterion is None
    grid = read_population_raster(population_raster_path(region3 / "P002.gpkg"))
    with psycopg.connect(loaded) as conn:  # PostGIS's own reading of what was written
        rows = dict(
            conn.execute(
                f"SELECT park_key, ARRAY[ST_NumBands(rast), ST_SRID(rast), ST_Width(rast), ST_Height(rast)] "
                f"FROM {schema}.park_population"
            ).fetchall()
        )
        day_sum = conn.execute(
            f"SELECT (ST_SummaryStats(rast, 2)).sum FROM {schema}.park_population WHERE park_key = 'P002'"
        ).fetchone()[0]
        value = conn.execute(
            f"SELECT ST_Value(rast, 2, 3, 4) FROM {schema}.park_population WHERE park_key = 'P002'"
        ).fetchone()[0]
    assert sorted(rows) == ["P001", "P002"]
    assert rows["P001"][:2] == [1, 4326] and rows["P002"][:2] == [2, 32649]  # one band: day = night
    assert rows["P002"][2:] == [grid.night.shape[1], grid.night.shape[0]]
    assert day_sum == pytest.approx(grid.day.sum(), rel=1e-12)
    assert value == grid.day[3, 2]  # ST_Value(rast, band, column x, row y), 1-based


def test_raster_codec_reads_rasters_postgis_builds(pg_server):
    """16BUI with NoData and 32BF with a negative cell, built by PostGIS; our reading equals ST_DumpValues with
    NoData and negative cells as 0 (as a GeoTIFF is read, geodata.population)."""
    sql = """SELECT ST_AsBinary(r), ST_DumpValues(r, 1), ST_UpperLeftX(r), ST_ScaleX(r), ST_ScaleY(r)
    FROM (SELECT ST_SetValues(ST_SetValues(ST_AddBand(ST_AddBand(ST_MakeEmptyRaster(3, 2, 500000.0, 3300000.0,
    25.0, -25.0, 0, 0, 32650), '16BUI'::text, 0, 65535), '32BF'::text, 1.5, NULL), 1, 1, 1,
    ARRAY[[1, 2, 65535], [4, 5, 6]]::double precision[][]), 2, 2, 2, ARRAY[[-3.0]]::double precision[][]) AS r) s"""
    with psycopg.connect(pg_server.dsn) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis_raster")
        wkb, dumped, ulx, sx, sy = conn.execute(sql).fetchone()
    r = raster_from_wkb(bytes(wkb), crs=pyproj.CRS.from_epsg(32650))
    assert dumped == [[1.0, 2.0, None], [4.0, 5.0, 6.0]]  # PostGIS: the NoData cell is NULL
    assert r.night.tolist() == [[1.0, 2.0, 0.0], [4.0, 5.0, 6.0]]
    assert r.day.tolist() == [[1.5, 1.5, 1.5], [1.5, 0.0, 1.5]]
    assert r.transform == (sx, 0.0, ulx, 0.0, sy, 3300000.0) == (25.0, 0.0, 500000.0, 0.0, -25.0, 3300000.0)
    again = raster_from_wkb(raster_to_wkb(r, srid=32650), crs=r.crs)
    _same_raster(r, again)
    for cut in (0, 30, 61, len(bytes(wkb)) - 1):  # truncated WKB: named, never an IndexError
        with pytest.raises(ParkDatabaseError, match="不是 PostGIS 栅格|缺失|数据不完整"):
            raster_from_wkb(bytes(wkb)[:cut], crs=r.crs, where="表 park_population 园区 X")


def test_export_carries_the_grid_and_constants_and_the_hash_sees_them(
    loaded, region3, schema, tmp_path, capsys
):
    from app.cli import main

    capsys.readouterr()
    assert main(["region", "list", loaded, "--schema", schema]) == 0
    lines = {ln.split()[0]: ln for ln in capsys.readouterr().out.splitlines()[1:]}
    assert "有" in lines["P001"].split() and "已核对" in lines["P001"].split()
    assert "无" in lines["P003"].split() and "已核对" in lines["P003"].split()
    assert "有" in lines["P002"].split() and "标准缺省（未核对）" in lines["P002"].split()

    out = tmp_path / "P001.gpkg"
    assert main(["region", "export", loaded, "P001", "-o", str(out), "--schema", schema]) == 0
    assert read_fn_criterion(out) == read_fn_criterion(region3 / "P001.gpkg")
    _same_raster(load_park(out).population_raster, load_park(region3 / "P001.gpkg").population_raster)
    assert (
        main(["region", "export", loaded, "P001", "-o", str(out), "--schema", schema]) == 1
    )  # never overwrites
    before = park_hashes(loaded, schema=schema)
    with psycopg.connect(loaded, autocommit=True) as conn:
        conn.execute(f"UPDATE {schema}.park_fn_criterion SET value = '0.0005' WHERE park_key = 'P001' AND field = "
                     "'upper_c'")  # fmt: skip
        conn.execute(
            f"UPDATE {schema}.park_population SET rast = ST_SetValue(rast, 1, 2, 2, 99.0) WHERE park_key = 'P002'"
        )
    after = park_hashes(loaded, schema=schema)
    assert [k for k in after if after[k] != before[k]] == ["P001", "P002"]
    assert read_park(loaded, "P001", schema=schema).fn_criterion["upper_c"] == 5e-4
    assert read_park(loaded, "P002", schema=schema).population_raster.night[1, 1] == 99.0


def test_bad_grid_and_constant_rows_are_named_with_their_fix(loaded, region3, schema, tmp_path, capsys):
    def fails(pattern: str) -> None:
        with pytest.raises(ParkDatabaseError, match=pattern):
            read_park(loaded, "P001", schema=schema)
        res = park_result(
            PgPark(loaded, "P001", schema), OPTS
        )  # the region reports the park, computes nothing
        assert not res["loaded"] and "无法从数据库读取" in res["errors"][0]

    with psycopg.connect(loaded, autocommit=True) as conn:
        q = conn.execute
        q(
            f"UPDATE {schema}.park_fn_criterion SET value = 'abc' WHERE park_key = 'P001' AND field = 'upper_c'"
        )
        fails(
            r"park_fn_criterion 园区 P001.*字段 upper_c='abc'.*大于 0 的有限数.*UPDATE .*park_fn_criterion SET value"
        )
        q(
            f"UPDATE {schema}.park_fn_criterion SET value = '1e-8' WHERE park_key = 'P001' AND field = 'upper_c'"
        )
        fails(r"park_fn_criterion 园区 P001.*字段 lower_c=3e-06.*不小于上限线")
        q(
            f"UPDATE {schema}.park_fn_criterion SET value = '2e-4' WHERE park_key = 'P001' AND field = 'upper_c'"
        )
        q(f"INSERT INTO {schema}.park_fn_criterion VALUES ('P001', 99, 'uper_c', '1')")
        fails(r"park_fn_criterion 园区 P001 有未知字段 'uper_c'（应为 upper_c、")
        q(f"DELETE FROM {schema}.park_fn_criterion WHERE field = 'uper_c'")
        q(
            f"UPDATE {schema}.park_population SET rast = ST_SetSRID(rast, 0), crs_wkt = NULL WHERE park_key = 'P001'"
        )
        fails(r"park_population 园区 P001 的栅格没有坐标系（rast 的 SRID=0，crs_wkt 为空）.*ST_SetSRID")
        q(f"UPDATE {schema}.park_population SET crs_wkt = 'GEOGCS[nonsense' WHERE park_key = 'P001'")
        fails(r"park_population 园区 P001 的 crs_wkt='GEOGCS\[nonsense' 不是可识别的坐标系")
        q(f"INSERT INTO {schema}.park_population SELECT park_key, 1, rast, crs_wkt FROM {schema}.park_population "
          "WHERE park_key = 'P001'")  # fmt: skip
        fails(r"park_population 园区 P001 有 2 行（fid 0, 1）.*ST_Union")
        q(f"DROP TABLE {schema}.park_population")
        fails(r"缺少表 park_population.*再运行一次 parkrisk region import")
    from app.cli import main

    capsys.readouterr()
    assert main(["region", "list", loaded, "--schema", schema]) == 0  # the list still works, and says so
    assert "（表缺失，请重新导入）" in capsys.readouterr().out
    # the owner's import re-creates the table; the park's grid comes back with it

    assert main(["region", "import", loaded, str(region3 / "P001.gpkg"), "--schema", schema]) == 0
    _same_raster(read_park(loaded, "P001", schema=schema).population_raster,
                 load_park(region3 / "P001.gpkg").population_raster)  # fmt: skip
    # a folder park whose own fn_criterion table is malformed: reported with the table, field and value
    bad = tmp_path / "P009.gpkg"
    shutil.copy(region3 / "P003.gpkg", bad)
    import sqlite3

    with sqlite3.connect(bad) as con:
        con.execute("UPDATE fn_criterion SET value = '-1' WHERE field = 'slope'")
    res = park_result(bad, OPTS)
    assert not res["loaded"]
    assert "社会风险判据常数表 fn_criterion" in res["errors"][0] and "字段 slope='-1'" in res["errors"][0]
    with pytest.raises(ParkDatabaseError, match="fn_criterion 有误，未导入"):
        write_park(loaded, load_park(bad), schema=schema)


def test_external_scheduler_and_two_workers_on_a_postgis_region_match_the_serial_folder_run(
    loaded, region3, serial, schema, tmp_path, monkeypatch
):
    """A real ``dask scheduler`` and two ``dask worker`` processes, reached through DASK_SCHEDULER_ADDRESS; the
    workers read the parks from PostGIS themselves (this process cannot read a park: read_park is broken here)."""
    import geodata.pg_parks as pg

    monkeypatch.setenv("PARKRISK_DATA_DIR", str(tmp_path / "data"))
    with external_cluster(tmp_path / "dask.log", workers=2) as address:
        monkeypatch.setenv(SCHEDULER_ENV, address)

        def no_read(*a, **k):
            raise AssertionError("the client read a park: the workers must read them from PostGIS")

        monkeypatch.setattr(pg, "read_park", no_read)
        run = run_region(loaded, options=OPTS, schema=schema)
    assert address in run.cluster_zh and "2 个工作进程" in run.cluster_zh
    assert run.computed == ["P001", "P002", "P003"]
    got = {r["park_id"]: {k: v for k, v in _json(r).items() if k != "file"} for r in run.results}
    assert got == {k: {f: v for f, v in r.items() if f != "file"} for k, r in serial.items()}
    assert all(not r["errors"] for r in run.results)
    # the grid and the constants were used: the people of the grid, the park's own F-N lines
    assert got["P001"]["fn_criterion_confirmed"] and got["P001"]["fn_upper_c"] == 2e-4
    assert got["P003"]["fn_upper_c"] == 1e-10 and got["P003"]["fn_lower_c"] == 1e-12
    assert (
        not got["P002"]["fn_criterion_confirmed"] and got["P002"]["fn_upper_c"] == 1e-3
    )  # GB 36894 registry
    grid = read_population_raster(population_raster_path(region3 / "P002.gpkg"))
    assert got["P002"]["population_raster_persons"] == pytest.approx(grid.total_night, rel=1e-9)
    assert got["P003"]["population_raster_persons"] is None
    assert got["P001"]["pll"] > 0 and got["P002"]["pll"] > 0  # the grids' people are within reach
    from app.present.numbers import beijing_today
    from app.region.stats import ranking, ranking_zh

    table = ranking_zh(ranking(run.results, day=beijing_today())).set_index("园区编号")
    fn = table["社会风险（GB 36894 F-N）"]
    assert fn["P001"].endswith("（园区核对的判据常数）") and fn["P003"].endswith("（园区核对的判据常数）")
    assert fn["P002"].endswith("（判据常数未核对）")
    assert "×10" in table.loc["P001", "潜在生命损失 PLL（人/年）"]


def test_a_park_opened_from_the_region_keeps_its_results_in_the_apps_postgis_store(
    loaded, pg_server, schema, tmp_path, monkeypatch
):
    """区域监管 → a PostGIS park: the app's copy carries the park's grid and F-N constants, and with a PostGIS
    ``PARKRISK_STORE`` the result a page computes goes to that store (results_meta/results_features), keyed by
    database, schema and park id — not to a sidecar file under the data folder."""
    from streamlit.testing.v1 import AppTest

    from app import results as ar
    from app.jobs import runner
    from app.region.sources import pg_local_copy
    from geodata import results as R
    from geodata.pg_parks import describe_dsn
    from geodata.store import PostgisStore

    monkeypatch.setenv("PARKRISK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PARKRISK_BASEMAP", "none")
    monkeypatch.delenv("PARKRISK_PARK", raising=False)
    dsn = pg_server.app_store("parkrisk")
    monkeypatch.setenv("PARKRISK_STORE", dsn)
    local = pg_local_copy(PgPark(loaded, "P001", schema))
    assert read_fn_criterion(local) == read_park(loaded, "P001", schema=schema).fn_criterion
    _same_raster(
        load_park(local).population_raster, read_park(loaded, "P001", schema=schema).population_raster
    )

    at = AppTest.from_file(str(REPO / "app" / "views" / "domino.py"), default_timeout=300)
    at.session_state["parkrisk_region_park"] = {"path": str(local), "name": "合成园区001"}
    at.run()
    assert not at.exception, at.exception
    at.number_input(key="dm_samples").set_value(200)
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert runner().wait_idle(600)
    at.run()
    assert not at.exception, at.exception

    assert not ar.sidecar_path(local).exists() and R.list_results(local) == {}  # no file written
    key = f"P001@{describe_dsn(loaded)}/{schema}"
    target = ar.results_target(local, source_kind="region")
    assert isinstance(target, R.PostgisResults) and target.park_key == key
    store = PostgisStore(dsn)
    try:
        kept = R.load_result(R.PostgisResults(store, key), "domino")
    finally:
        store.close()
    assert kept is not None and kept.summary["options"]["n_samples"] == 200
    folder_park = tmp_path / "P009.gpkg"  # a park of a folder region: keyed as the app's own park file
    assert ar.results_target(folder_park, source_kind="region") == R.PostgisResults(
        target.store, ar.park_key(folder_park)
    )
    monkeypatch.delenv("PARKRISK_STORE")  # without a PostGIS store: the sidecar file, as before
    assert ar.results_target(local, source_kind="region") == ar.sidecar_path(local)

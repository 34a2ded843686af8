"""A region of parks on dask.distributed (issue 19 items 3–5): a real scheduler and two workers started as processes,
the default LocalCluster, the content-hash cache, failures that do not stop the others, the region scope of users,
the bulletin read back from Word, and the 区域监管 page in headless Chromium.

The region is five small parks cut from the demo park (:func:`geodata.samples.province.shifted_demo_park`) so that
every test stays within about a minute on two cores. "Identical to a serial run" compares the results of the
cluster with :func:`app.region.compute.park_result` called in this process, field by field.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
from pathlib import Path

import pytest
from local_dask import external_cluster

from app.region.cache import CACHE_DIR, park_key, write_entry
from app.region.compute import RegionOptions, park_result
from app.region.runner import SCHEDULER_ENV, cached_results, run_region
from geodata.samples.province import generate_region, park_plan, shifted_demo_park

OPTS = RegionOptions()
REPO = Path(__file__).resolve().parents[2]


def _json(x):
    return json.loads(json.dumps(x, sort_keys=True))


@pytest.fixture(scope="module")
def region5(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("region5")
    generate_region(folder, parks=5, seed=1, builder=shifted_demo_park, scale=0.1)
    return folder


@pytest.fixture(scope="module")
def serial(region5) -> dict[str, dict]:
    """The reference: every park computed in this process, no dask."""
    return {p.name: _json(park_result(p, OPTS)) for p in sorted(region5.glob("*.gpkg"))}


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(CACHE_DIR))
    return dst


def test_generated_province_plan_mixes_sizes_and_is_deterministic():
    plan = park_plan(100, seed=0)
    share = plan["size"].value_counts(normalize=True)
    assert set(share.index) == {"small", "medium", "large"}
    assert 0.45 < share["small"] < 0.75 and share["large"] < 0.2  # the shares of PARK_SIZES (0.6/0.3/0.1)
    assert plan.equals(park_plan(100, seed=0))
    assert plan["park_id"].is_unique
    with pytest.raises(ValueError, match="园区数"):
        park_plan(0)


def test_external_scheduler_and_two_worker_processes_match_serial(region5, serial, tmp_path, monkeypatch):
    """A real ``dask scheduler`` and two ``dask worker`` processes on localhost, reached through
    DASK_SCHEDULER_ADDRESS only (one code path with the LocalCluster)."""
    folder = _copy(region5, tmp_path / "region")
    with external_cluster(tmp_path / "dask.log", workers=2) as address:
        monkeypatch.setenv(SCHEDULER_ENV, address)
        run = run_region(folder, options=OPTS)
    assert address in run.cluster_zh and "2 个工作进程" in run.cluster_zh
    assert sorted(run.computed) == sorted(serial)
    got = {r["file"]: _json(r) for r in run.results}
    assert got == serial
    assert all(not r["errors"] for r in run.results)


def test_default_local_cluster_matches_serial_and_recomputes_only_a_changed_park(
    region5, serial, tmp_path, monkeypatch
):
    monkeypatch.delenv(SCHEDULER_ENV, raising=False)
    folder = _copy(region5, tmp_path / "region")
    seen = []
    first = run_region(folder, options=OPTS, progress=lambda f, msg: seen.append(f))
    assert "LocalCluster" in first.cluster_zh
    assert {r["file"]: _json(r) for r in first.results} == serial
    assert seen[-1] == pytest.approx(1.0) and len(seen) == 6  # the cache line, then one per park
    # one park changes (another draw of enterprises); only it is recomputed, the rest come from the cache
    changed = folder / "P002.gpkg"
    shifted_demo_park(
        changed,
        seed=777,
        enterprises=2,
        installations=10,
        targets=3,
        buildings=5,
        pipeline_km=0,
        rectifications=6,
        center=(115.0, 30.7),
        name="合成园区002（已修改）",
    )
    second = run_region(folder, options=OPTS)
    assert second.computed == ["P002.gpkg"]
    by_file = {r["file"]: _json(r) for r in second.results}
    assert by_file["P002.gpkg"]["name"] == "合成园区002（已修改）"
    assert {k: v for k, v in by_file.items() if k != "P002.gpkg"} == {
        k: v for k, v in serial.items() if k != "P002.gpkg"
    }
    third = run_region(folder, options=OPTS)
    assert third.computed == [] and "未启动计算集群" in third.cluster_zh
    # other options are another key: nothing cached for them
    _, missing = cached_results(folder, options=RegionOptions(resolution=40.0))
    assert len(missing) == 5


def test_park_without_weather_fails_alone_unless_generic_weather(tmp_path, demo_park, serial, region5):
    from geodata import load_park, save_park

    park = load_park(region5 / "P004.gpkg")
    park.weather = None
    folder = tmp_path / "region"
    folder.mkdir()
    save_park(park, folder / "P004.gpkg")
    res = park_result(folder / "P004.gpkg", OPTS)
    assert len(res["errors"]) == 1
    msg = res["errors"][0]
    assert "合成园区004" in msg and "没有气象资料" in msg and "--generic-weather" in msg
    assert "ir_max_outside" not in res and res["major_hazards"] == serial["P004.gpkg"]["major_hazards"]
    generic = park_result(folder / "P004.gpkg", RegionOptions(generic_weather=True))
    assert generic["errors"] == [] and generic["generic_weather"] is True
    assert "通用示意风玫瑰" in generic["weather_source"]


def test_a_broken_park_file_is_reported_and_the_others_are_computed(region5, tmp_path):
    folder = _copy(region5, tmp_path / "region")
    for p in list(folder.glob("*.gpkg"))[2:]:
        p.unlink()
    (folder / "P009.gpkg").write_bytes(b"not a geopackage")
    cached = list(folder.glob("*.gpkg"))
    for p in cached:
        if p.name != "P009.gpkg":
            write_entry(folder, p.name, park_key(p, OPTS.as_key()), _json(park_result(p, OPTS)))
    run = run_region(folder, options=OPTS)
    assert run.computed == ["P009.gpkg"]
    bad = [r for r in run.results if r["file"] == "P009.gpkg"][0]
    assert "P009.gpkg" in bad["errors"][0] and "GeoPackage" in bad["errors"][0]
    assert len(run.failed) == 1 and len(run.results) == 3


def test_region_scope_hides_other_parks_from_table_map_and_bulletin(
    serial, tmp_path, demo_park_path, demo_park
):
    import docx

    from app.auth import open_park_store
    from app.region.bulletin import bulletin_docx, bulletin_xlsx, make_bulletin
    from app.region.scope import user_parks
    from app.region.stats import ranking, ranking_zh, visible_results
    from app.views.region import region_map
    from geodata.store import User

    store = open_park_store(str(demo_park_path), str(tmp_path / "s.rect.gpkg"), True, demo_park)
    admin = User("admin", "admin")
    store.set_region_scope(admin, "viewer", ["P001", "P002"])
    viewer = User("viewer", "viewer")
    parks = user_parks(store, viewer)
    assert parks == frozenset({"P001", "P002"})
    assert user_parks(store, admin) is None  # the bureau's administrator sees every park
    assert user_parks(store, None) == frozenset()
    assert user_parks(store, User("e02", "enterprise", enterprise_id="E02")) == frozenset()
    with pytest.raises(ValueError, match="不存在"):
        store.set_region_scope(admin, "nobody", ["P001"])
    with pytest.raises(ValueError, match="至少一个园区编号"):
        store.set_region_scope(admin, "viewer", [])

    results = visible_results(serial.values(), parks)
    hidden = [r["name"] for r in serial.values() if r["park_id"] not in parks]
    assert len(results) == 2 and len(hidden) == 3
    table = ranking(results, day=dt.date(2026, 11, 30))
    html = region_map(table, results).get_root().render()
    b = make_bulletin(results, month="2026-11", region_zh="测试区域")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(bulletin_docx(b))).paragraphs)
    tables = docx.Document(io.BytesIO(bulletin_docx(b))).tables
    cells = " ".join(c.text for t in tables for row in t.rows for c in row.cells)
    xlsx = bulletin_xlsx(b)
    import pandas as pd

    sheets = pd.read_excel(io.BytesIO(xlsx), sheet_name=None)
    flat = " ".join(str(v) for df in sheets.values() for v in df.to_numpy().ravel())
    shown_names = [r["name"] for r in results]
    for name in shown_names:
        assert name in cells and name in flat and name in " ".join(ranking_zh(table)["园区"])
    for name in hidden:
        for where, content in (("table", " ".join(ranking_zh(table)["园区"])), ("word", text + cells)):
            assert name not in content, f"{name} shown in the {where}"
        assert name not in flat and json.dumps(name)[1:-1] not in html and name not in html


def test_bulletin_word_file_reads_back_with_the_region_figures(region5, serial, tmp_path):
    """``parkrisk region report`` from the cache; the figures of the Word file are recounted from the park files."""
    import docx

    from app.cli import main
    from geodata import load_park

    folder = _copy(region5, tmp_path / "region")
    for name, res in serial.items():
        write_entry(folder, name, park_key(folder / name, OPTS.as_key()), res)
    out = tmp_path / "月报.docx"
    assert (
        main(["region", "report", str(folder), "--month", "2026-11", "--out", str(out), "--title", "测试市"])
        == 0
    )
    d = docx.Document(out)
    text = "\n".join(p.text for p in d.paragraphs)
    assert "测试市化工园区安全风险监管月报（2026年11月）" in text
    parks = [load_park(p) for p in sorted(folder.glob("*.gpkg"))]
    red = sum(int((p.enterprises["risk_color"] == "red").sum()) for p in parks)
    orange = sum(int((p.enterprises["risk_color"] == "orange").sum()) for p in parks)
    assert f"纳入监管的化工园区共 {len(parks)} 个" in text
    assert f"红色（重大风险）企业 {red} 家、橙色（较大风险）企业 {orange} 家" in text
    n_items = sum(int((p.rectifications["found_on"] <= "2026-11-30").sum()) for p in parks)
    assert f"累计登记隐患 {n_items} 项" in text
    ranked = d.tables[-1]
    assert ranked.rows[0].cells[0].text == "排名" and len(ranked.rows) == len(parks) + 1
    assert main(["region", "report", str(folder), "--month", "2026-13", "--out", str(out)]) == 1
    assert (
        main(["region", "report", str(folder), "--month", "2026-11", "--out", str(tmp_path / "x.pdf")]) == 1
    )


def test_options_and_month_are_checked_in_chinese():
    from app.region.stats import month_end

    assert month_end("2026-02") == dt.date(2026, 2, 28)
    with pytest.raises(ValueError, match="年-月"):
        month_end("2026/11")
    with pytest.raises(ValueError, match="分辨率"):
        RegionOptions(resolution=1.0)
    with pytest.raises(ValueError, match="domino_samples"):
        RegionOptions(domino_samples=0)


@pytest.mark.browser
@pytest.mark.timeout(150)
def test_region_page_in_chromium_shows_only_the_users_parks(
    serial, region5, tmp_path, monkeypatch, demo_park_path, demo_park
):
    import docx
    from playwright.sync_api import sync_playwright

    from app.auth import open_park_store
    from geodata.store import User
    from tests.app.test_browser import _bench

    b = _bench()
    folder = _copy(region5, tmp_path / "region")
    for name, res in serial.items():
        write_entry(folder, name, park_key(folder / name, OPTS.as_key()), res)
    store_path = tmp_path / "region.rect.gpkg"
    store = open_park_store(str(demo_park_path), str(store_path), True, demo_park)
    store.set_region_scope(User("admin", "admin"), "viewer", ["P001", "P002"])
    store.close()
    monkeypatch.setenv("PARKRISK_REGION", str(folder))
    monkeypatch.setenv("PARKRISK_STORE", str(store_path))
    shown = {serial[f"{p}.gpkg"]["name"] for p in ("P001", "P002")}
    hidden = {r["name"] for r in serial.values()} - shown
    with sync_playwright() as pw:
        browser = b.launch_browser(pw)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1100}, accept_downloads=True)
            with b.running_app(demo_park_path, log_path=REPO / "test-artifacts" / "streamlit_region.log") as (
                base,
                _,
            ):
                b.wait_healthy(base, timeout=30)
                page.goto(f"{base}/rectification", wait_until="commit")
                page.get_by_label("用户名").fill("viewer", timeout=30000)
                page.get_by_label("密码", exact=True).fill("viewer-demo")
                page.get_by_role("button", name="登录", exact=True).click()
                page.get_by_text("退出登录").first.wait_for(timeout=30000)
                page.get_by_role("link", name="区域监管").click()
                page.get_by_text("园区排名").first.wait_for(timeout=30000)
                page.get_by_text("当前用户的区域范围：2 个园区").wait_for(timeout=10000)
                frame = page.frame_locator("iframe[title='streamlit_folium.st_folium']").first
                frame.locator("path.leaflet-interactive").first.wait_for(timeout=30000)
                assert frame.locator("path.leaflet-interactive").count() == 4  # 2 boundaries + 2 markers
                body = page.locator("body").inner_text()
                table_csv = page.locator("[data-testid='stDataFrame']").first.inner_text()
                for name in hidden:
                    assert name not in body and name not in table_csv
                page.get_by_role("button", name="下载月报（Excel）").wait_for(timeout=30000)
                with page.expect_download(timeout=30000) as dl:
                    page.get_by_role("button", name="下载月报（Word）").click()
                path = tmp_path / "bulletin.docx"
                dl.value.save_as(path)
                word = docx.Document(path)
                text = " ".join(
                    [p.text for p in word.paragraphs]
                    + [c.text for t in word.tables for r in t.rows for c in r.cells]
                )
                assert "化工园区安全风险监管月报" in text
                assert all(n in text for n in shown) and not any(n in text for n in hidden)
                page.screenshot(path=str(REPO / "test-artifacts" / "region_page.png"), full_page=True)
                # drill-down: the park's own pages open on the chosen park
                page.get_by_role("button", name="打开该园区的页面").click()
                page.get_by_role("heading", name="园区一张图 · 合成园区").wait_for(timeout=30000)
                heading = page.get_by_role("heading", name="园区一张图 · 合成园区").inner_text()
                assert any(n in heading for n in shown)
        finally:
            browser.close()


def test_province_from_the_large_park_generator_and_a_broken_park_off_the_map(tmp_path):
    """The default builder is geodata.samples.synthetic.generate_park (issue 19 item 1); tiny parks here."""
    from app.region.stats import ranking
    from app.views.region import region_map
    from geodata import load_park

    paths = generate_region(tmp_path / "prov", parks=3, seed=5, scale=0.05)
    parks = [load_park(p) for p in paths]
    assert [p.parks["park_id"].iloc[0] for p in parks] == ["P001", "P002", "P003"]
    assert all(p.weather is not None and len(p.installations) >= 2 for p in parks)
    plan = park_plan(3, seed=5)
    for park, row in zip(parks, plan.itertuples(), strict=True):
        lon, lat = park.center
        assert abs(lon - row.lon) < 0.05 and abs(lat - row.lat) < 0.05  # placed where the plan says
    broken = {"file": "P009.gpkg", "park_id": "P009", "name": "", "errors": ["无法读取"], "loaded": False}
    table = ranking([broken], day=dt.date(2026, 11, 30))
    assert len(table) == 1 and "无法读取" in table["errors"].iloc[0]
    html = region_map(table, [broken]).get_root().render()
    assert "NaN" not in html and "circle_marker" not in html


def test_cli_region_run_lists_the_failed_park_and_exits_1(region5, serial, tmp_path, capsys, monkeypatch):
    from app.cli import main

    monkeypatch.delenv(SCHEDULER_ENV, raising=False)
    folder = _copy(region5, tmp_path / "region")
    for name, res in serial.items():
        write_entry(folder, name, park_key(folder / name, OPTS.as_key()), res)
    (folder / "P009.gpkg").write_bytes(b"not a geopackage")
    out = tmp_path / "排名.xlsx"
    assert main(["region", "run", str(folder), "--workers", "1", "-o", str(out)]) == 1
    cap = capsys.readouterr()
    assert "本次计算 1 个、来自缓存 5 个" in cap.out and "1 个工作进程" in cap.out
    assert "失败：园区文件 P009.gpkg" in cap.err and "[100.0 %]" in cap.err
    import pandas as pd

    table = pd.read_excel(out)
    assert len(table) == 6 and set(table["园区编号"]) >= {"P001", "P009"}
    assert main(["region", "run", str(folder), "--resolution", "abc"]) == 1
    assert "--resolution" in capsys.readouterr().err


def test_cli_region_scope_sets_and_clears_a_users_parks(tmp_path, demo_park_path, demo_park, capsys):
    from app.auth import open_park_store
    from app.cli import main

    store_path = tmp_path / "s.rect.gpkg"
    open_park_store(str(demo_park_path), str(store_path), True, demo_park).close()
    args = ["region", "scope", str(demo_park_path), "--store", str(store_path), "--user", "viewer"]
    assert main([*args, "--parks", "P001", "P002"]) == 0
    assert "只可查看 2 个园区（P001、P002）" in capsys.readouterr().out
    assert main([*args, "--all"]) == 0
    assert "可查看区域内全部园区" in capsys.readouterr().out
    assert (
        main(
            ["region", "scope", str(demo_park_path), "--store", str(store_path), "--user", "nobody", "--all"]
        )
        == 1
    )
    assert "用户 'nobody' 不存在" in capsys.readouterr().err


@pytest.mark.browser
@pytest.mark.timeout(180)
def test_drill_down_from_the_region_keeps_the_sign_in_in_chromium(
    serial, region5, tmp_path, monkeypatch, demo_park_path, demo_park
):
    """Without one PARKRISK_STORE for the region: the user signs in on the app's own park (its default store holds
    the accounts), opens a park from 区域监管 and stays signed in on that park's pages, also after a reload; the
    park's items come from its own ledger (the one the region run counts from)."""
    from playwright.sync_api import sync_playwright

    from app.auth import open_park_store
    from app.region.sources import live_store_target
    from geodata.store import User, default_store_path
    from tests.app.test_browser import _bench

    b = _bench()
    monkeypatch.setenv("PARKRISK_DATA_DIR", str(tmp_path / "data"))  # the app server's data folder
    monkeypatch.delenv("PARKRISK_STORE", raising=False)
    folder = _copy(region5, tmp_path / "region")
    for name, res in serial.items():
        write_entry(folder, name, park_key(folder / name, OPTS.as_key()), res)
    accounts = default_store_path(demo_park_path)  # the store of the app's own park: users and sessions
    store = open_park_store(str(demo_park_path), str(accounts), True, demo_park)
    store.set_region_scope(User("admin", "admin"), "inspector", ["P001", "P002"])
    store.close()
    monkeypatch.setenv("PARKRISK_REGION", str(folder))
    with sync_playwright() as pw:
        browser = b.launch_browser(pw)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1100})
            log = REPO / "test-artifacts" / "streamlit_region_drill.log"
            with b.running_app(demo_park_path, log_path=log) as (base, _):
                b.wait_healthy(base, timeout=30)
                page.goto(f"{base}/rectification", wait_until="commit")
                page.get_by_label("用户名").fill("inspector", timeout=30000)
                page.get_by_label("密码", exact=True).fill("inspector-demo")
                page.get_by_role("button", name="登录", exact=True).click()
                page.get_by_text("退出登录").first.wait_for(timeout=30000)
                page.get_by_role("link", name="区域监管").click()
                page.get_by_text("当前用户的区域范围：2 个园区").wait_for(timeout=30000)
                page.get_by_role("button", name="打开该园区的页面").click()
                page.get_by_role("heading", name="园区一张图 · 合成园区").wait_for(timeout=30000)
                heading = page.get_by_role("heading", name="园区一张图 · 合成园区").inner_text()
                opened = next(r for r in serial.values() if r["name"] in heading)
                page.get_by_role("link", name="一园一策").click()
                page.get_by_text("退出登录").first.wait_for(
                    timeout=30000
                )  # still signed in on the park's pages
                assert page.get_by_text("请登录后查看和办理整改事项").count() == 0
                page.reload()
                page.get_by_text("退出登录").first.wait_for(timeout=30000)  # and after a reload
                assert page.get_by_text("请登录后查看和办理整改事项").count() == 0
                page.screenshot(
                    path=str(REPO / "test-artifacts" / "region_drill_signed_in.png"), full_page=True
                )
        finally:
            browser.close()
    # the drilled-down park's items went to its own ledger, which the region run now reads
    park_file = folder / opened["file"]
    ledger = live_store_target(park_file)
    assert ledger is not None and Path(ledger) != accounts
    from app.region.sources import store_items

    assert sorted(i["item_id"] for i in store_items(ledger)) == sorted(i["item_id"] for i in opened["items"])

"""Issue 17, "Done when": in real headless Chromium (Debian's, as in test_browser.py), compute the risk grid on
风险分布 and the domino analysis on 多米诺效应, reload 园区一张图, and find both results in the map's layer switcher
with their legends; a sign-in survives the reload (app/session_cookie.py)."""

from __future__ import annotations

import importlib.util
import shutil
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _bench():
    spec = importlib.util.spec_from_file_location(
        "parkrisk_bench_app_startup_one_map", REPO / "bench" / "app_startup.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


#: In the map's frame: fire a click on the first feature of the result group of the given kind (the groups carry
#: their kind in ``options.prKind``), as a user's click would, which opens its popup.
_OPEN_FIRST_POPUP = """kind => {
    for (const name of Object.keys(window)) {
        const g = window[name];
        if (g && g instanceof L.FeatureGroup && g.options && g.options.prKind === kind) {
            for (const child of g.getLayers()) {
                const layers = child.getLayers ? child.getLayers() : [child];
                if (layers.length) {
                    const f = layers[0];
                    f.fire("click", {latlng: f.getBounds ? f.getBounds().getCenter() : f.getLatLng()}, true);
                    return true;
                }
            }
        }
    }
    throw new Error("no result group " + kind);
}"""


#: In the map's frame: text and screen box of every visible label (enterprise names, contour levels).
_VISIBLE_LABELS = """() => Array.from(document.querySelectorAll(".pr-label div, .pr-clabel div"))
    .filter(el => getComputedStyle(el).visibility !== "hidden" && el.getBoundingClientRect().width > 0)
    .map(el => { const r = el.getBoundingClientRect(); return [el.textContent, r.left, r.top, r.right, r.bottom]; })"""


def _wait_stored(park_path: Path, kind: str, *, timeout: float) -> None:
    """Wait until the page has stored its result with the park (geodata.results)."""
    from geodata.results import list_results

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if kind in list_results(park_path):
            return
        time.sleep(0.5)
    raise AssertionError(f"no {kind} result stored in {park_path} within {timeout} s")


def _overlays_text(b, page) -> str:
    frame, _ = b.wait_map_drawn(page, 1, timeout=60)
    return frame.locator(".leaflet-control-layers-overlays").inner_text()


@pytest.mark.browser
@pytest.mark.timeout(420)
def test_risk_and_domino_results_are_on_the_overview_after_a_reload(
    small_park_path, small_park, tmp_path, monkeypatch
):
    b = _bench()
    from playwright.sync_api import sync_playwright

    from app.auth import AuthConfig, create_demo_users
    from geodata.store import store_for_park

    park_path = tmp_path / "park.gpkg"  # a park named by PARKRISK_PARK keeps its results in its own file
    shutil.copyfile(small_park_path, park_path)
    monkeypatch.setenv("PARKRISK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PARKRISK_STORE", raising=False)
    monkeypatch.delenv("PARKRISK_SESSION_KEY", raising=False)
    monkeypatch.setenv("PARKRISK_BCRYPT_ROUNDS", "4")
    store = store_for_park(park_path, small_park.rectifications)
    create_demo_users(store, [], config=AuthConfig(bcrypt_rounds=4))
    store.close()
    with sync_playwright() as pw:
        browser = b.launch_browser(pw)
        try:
            with b.running_app(park_path, log_path=REPO / "test-artifacts" / "streamlit-one-map.log") as (
                base,
                _,
            ):
                b.wait_healthy(base, timeout=30)
                context = browser.new_context(viewport={"width": 1440, "height": 1100})
                page = context.new_page()
                # sign in (the results are stored with the user's name)
                page.goto(f"{base}/rectification", wait_until="commit")
                page.get_by_label("用户名").fill("admin", timeout=60000)
                page.get_by_label("密码").fill("admin-demo")
                page.get_by_role("button", name="登录", exact=True).click()
                page.get_by_role("button", name="退出登录").wait_for(timeout=30000)

                # the risk grid on 风险分布
                page.goto(f"{base}/risk", wait_until="commit")
                page.get_by_role("button", name="计算个人风险").click(timeout=60000)
                _wait_stored(park_path, "risk", timeout=240)
                # the domino analysis on 多米诺效应
                page.goto(f"{base}/domino", wait_until="commit")
                page.get_by_role("button", name="开始分析").click(timeout=60000)
                _wait_stored(park_path, "domino", timeout=180)

                # reload the overview: both results are in its layer switcher with their legends
                # (the page must have loaded before the reload: a reload during the navigation's commit
                # finds no attached page)
                page.goto(f"{base}/park_map", wait_until="load")
                page.reload(wait_until="commit")
                text = _overlays_text(b, page)
                assert "个人风险等值线" in text and "多米诺升级边" in text, text
                assert "/年" in text and "×10" in text  # contour levels, e.g. 1×10⁻⁵/年
                assert "升级概率" in text
                assert "北京时间 计算" in text and "计算人：admin" in text
                assert "已过期" not in text
                # the contour levels are written on the map, and no two visible labels overlap
                frame = b.map_frame(page)
                boxes = frame.evaluate(_VISIBLE_LABELS)
                assert any("/年" in t for t, *_ in boxes), boxes
                for i, (_, l1, t1, r1, b1) in enumerate(boxes):
                    for _, l2, t2, r2, b2 in boxes[i + 1 :]:
                        assert r1 <= l2 or r2 <= l1 or b1 <= t2 or b2 <= t1, boxes
                # a click on a contour opens its details with a link to 风险分布
                frame.evaluate(_OPEN_FIRST_POPUP, "risk")
                popup = frame.locator(".leaflet-popup-content")
                popup.wait_for(timeout=10000)
                assert "个人风险等值线" in popup.inner_text() and "北京时间" in popup.inner_text()
                link = popup.get_by_role("link", name="在“风险分布”页面查看 →")
                assert link.evaluate("a => a.href") == f"{base}/risk"
                # and a click opens that page (in a new tab: the map's iframe may not navigate the whole window)
                with context.expect_page(timeout=30000) as opened:
                    link.evaluate(
                        "a => a.click()"
                    )  # the element's own click: a dialog of the page may cover it
                risk_page = opened.value
                risk_page.wait_for_load_state("domcontentloaded")
                assert risk_page.url == f"{base}/risk"
                risk_page.get_by_text("风险分布").first.wait_for(timeout=60000)
                risk_page.close()
                # the sign-in survived the reload (H5's session cookie)
                assert page.get_by_text("登录已过期").count() == 0
                page.goto(f"{base}/rectification", wait_until="commit")
                page.get_by_role("button", name="退出登录").wait_for(timeout=30000)
                context.close()
        finally:
            browser.close()

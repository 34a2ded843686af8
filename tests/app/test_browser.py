"""The app in real headless Chromium (Debian's /usr/bin/chromium driven by Playwright), with no network.

Starts ``streamlit run app/main.py`` on the demo park, waits for the Leaflet map inside the streamlit-folium iframe,
checks that every feature of the demo park is drawn, and fails if any request (any frame, any WebSocket) leaves
localhost. The screenshot is saved to ``test-artifacts/park_map.png`` and its path printed.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCREENSHOT = REPO / "test-artifacts" / "park_map.png"


#: In the map's frame: fire a click (as a user's) on the feature whose first property is the given id, which opens
#: its popup.
_OPEN_POPUP_OF = """id => {
    const k = Object.keys(window).find((k) => k.startsWith("map_") && window[k] instanceof L.Map);
    let done = false;
    window[k].eachLayer((l) => {
        if (done || !l.feature || Object.values(l.feature.properties)[0] !== id) return;
        l.fire("click", {latlng: l.getLatLng ? l.getLatLng() : l.getBounds().getCenter()}, true);
        done = true;
    });
    if (!done) throw new Error("no feature " + id);
}"""


def _bench():
    spec = importlib.util.spec_from_file_location(
        "parkrisk_bench_app_startup", REPO / "bench" / "app_startup.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses need their module registered
    spec.loader.exec_module(module)
    return module


@pytest.mark.browser
@pytest.mark.timeout(120)
def test_park_map_in_headless_chromium_stays_on_localhost(
    demo_park_path, demo_park, small_park_path, small_park, tmp_path
):
    b = _bench()
    assert b.CHROMIUM.exists(), (
        f"{b.CHROMIUM} is missing: the browser test drives Debian's Chromium; install it with "
        "`apt-get install chromium` (never a downloaded browser)"
    )
    from playwright.sync_api import sync_playwright

    # an anonymous visitor sees every layer but the rectification items (as on the 一园一策 page)
    def _visible(park):
        return sum(len(g) for name, g in park.layers.items() if g is not None and name != "rectifications")

    n_features = _visible(demo_park)
    t_start = time.monotonic()
    with sync_playwright() as pw:
        browser = b.launch_browser(pw)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1100})
            rec = b.attach_recorder(page)
            with b.running_app(demo_park_path, log_path=REPO / "test-artifacts" / "streamlit.log") as (
                base,
                _,
            ):
                b.wait_healthy(base, timeout=30)
                page.goto(base, wait_until="commit")
                frame, drawn = b.wait_map_drawn(page, n_features, timeout=40)

                # the map shows what the demo park holds, with Chinese layer names and legend
                assert drawn == n_features
                assert frame.locator("path.leaflet-interactive").count() > 0
                assert len(demo_park.rectifications) > 0
                assert frame.locator(".leaflet-marker-icon.pr-rect").count() == 0
                # enterprise names are written on the map (non-interactive labels)
                assert frame.locator(".leaflet-marker-icon.pr-label").count() == len(demo_park.enterprises)
                assert frame.locator(".pr-labels-off").count() == 0  # readable at the opening zoom
                control = frame.locator(".leaflet-control-layers").text_content()
                for label in ("企业", "装置设施", "防护目标", "建筑物", "管道"):
                    assert label in control
                assert "整改事项（一园一策）" not in control
                assert "企业安全风险等级" in page.locator(".pr-legend").inner_text()  # beside the map
                page.mouse.move(0, 0)  # no hover tooltip in the picture
                page.wait_for_timeout(300)
                SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SCREENSHOT))
                print(f"\nscreenshot: {SCREENSHOT}")
                # a popup with Chinese attributes opens on click
                frame.locator("path.leaflet-interactive").first.dispatch_event("click")
                frame.locator(".leaflet-popup-content").wait_for(timeout=5000)
                assert "编号" in frame.locator(".leaflet-popup-content").inner_text()
                frame.locator(".leaflet-popup-close-button").dispatch_event("click")
                # an enterprise's popup ends with the link to its page (written once per layer, app.mapping.links)
                first = demo_park.enterprises["enterprise_id"].iloc[0]
                frame.evaluate(_OPEN_POPUP_OF, first)
                link = frame.locator(".leaflet-popup-content .pr-page-link a")
                link.wait_for(timeout=5000)
                assert (
                    first
                    in frame.locator(
                        ".leaflet-popup-content", has=frame.locator(".pr-page-link")
                    ).inner_text()
                )
                assert link.inner_text() == "在“企业安全风险分级”页面查看 →"
                assert link.evaluate("a => [a.href, a.target]") == [f"{base}/enterprise_risk", "_blank"]

                # the user uploads another park in the sidebar, then a broken file
                page.get_by_text("更换园区数据").click()
                page.locator('input[type="file"]').set_input_files(str(small_park_path))
                page.get_by_role("heading", name="园区一张图 · 测试化工园区").wait_for(timeout=20000)
                b.wait_map_drawn(page, _visible(small_park), timeout=20)
                broken = tmp_path / "损坏的园区.gpkg"
                broken.write_bytes(b"not a geopackage")
                page.locator('input[type="file"]').set_input_files(str(broken))
                page.get_by_text("园区数据未通过校验").first.wait_for(timeout=20000)
                assert "园区数据校验报告" in page.locator("pre").first.inner_text()

                page.close()
        finally:
            browser.close()

    assert rec.urls, "no request was recorded"
    assert any("/app/static/vendor/leaflet/leaflet.js" in u for u in rec.urls), (
        "Leaflet was not served locally"
    )
    assert rec.external == [], f"requests left localhost: {rec.external}"
    assert time.monotonic() - t_start < 60


@pytest.mark.browser
@pytest.mark.timeout(120)
def test_deep_link_first_after_start_keeps_the_navigation(demo_park_path, small_park):
    """A bookmarked page (/risk, /domino) opened first after the server starts runs inside the app's navigation
    (Chinese page titles, the park in the sidebar), not as a stand-alone legacy "pages/" script."""
    b = _bench()
    from playwright.sync_api import sync_playwright

    titles = [p.title for p in _main_pages()]
    with sync_playwright() as pw:
        browser = b.launch_browser(pw)
        try:
            with b.running_app(
                demo_park_path, log_path=REPO / "test-artifacts" / "streamlit-deeplink.log"
            ) as (
                base,
                _,
            ):
                b.wait_healthy(base, timeout=30)
                page = browser.new_page(viewport={"width": 1440, "height": 1000})
                page.goto(f"{base}/domino", wait_until="commit")
                page.get_by_role("heading", name="多米诺效应 · 江滨化工园区（虚构示例）").wait_for(
                    timeout=40000
                )
                nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
                for title in titles:
                    assert title in nav
                assert "main" not in nav.split()
                assert "江滨化工园区" in page.locator('[data-testid="stSidebar"]').inner_text()
                page.close()
        finally:
            browser.close()


def _main_pages():
    sys.path.insert(0, str(REPO))
    from app.main import discover_pages

    return discover_pages()

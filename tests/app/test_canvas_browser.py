"""Issue 19 (first map drawn on a large park): a park map drawn on one Leaflet canvas (``park_map(canvas=True)``, the
default from :data:`app.mapping.park.CANVAS_MIN_FEATURES` features on) still shows every feature, opens the tooltip
on hover and the popup on a real mouse click on the feature's pixels, writes text from the data as text, and the
bench's "map drawn" (``bench/app_startup.py``: :data:`DRAWN_FEATURES_JS`) counts canvas features as it counts SVG ones.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[2]
HOSTILE = '<img src=x onerror="window.__pwned=1">楼'


def _bench():
    spec = importlib.util.spec_from_file_location(
        "parkrisk_bench_app_startup_canvas", REPO / "bench" / "app_startup.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _layers(demo_park) -> dict[str, gpd.GeoDataFrame]:
    layers = {k: v for k, v in demo_park.layers.items() if v is not None}
    buildings = layers["buildings"].copy()
    buildings["name"] = buildings["name"].astype("object")
    buildings.loc[buildings.index[0], "name"] = HOSTILE
    layers["buildings"] = buildings
    return layers


def test_canvas_from_the_threshold_on(demo_park):
    from app.mapping import park_map
    from app.mapping.park import CANVAS_MIN_FEATURES

    layers = {k: v for k, v in demo_park.layers.items() if v is not None}
    assert sum(len(g) for g in layers.values()) < CANVAS_MIN_FEATURES
    assert '"preferCanvas": false' in park_map(layers).get_root().render()
    b = layers["buildings"]
    copies = -(-CANVAS_MIN_FEATURES // len(b))
    many = gpd.GeoDataFrame(pd.concat([b] * copies, ignore_index=True), crs=b.crs)
    html = park_map({"buildings": many}).get_root().render()
    assert '"preferCanvas": true' in html
    assert '"preferCanvas": true' not in park_map({"buildings": many}, canvas=False).get_root().render()


_BUILDING_POINT_JS = """
([lon, lat]) => {
  const k = Object.keys(window).find((k) => k.startsWith("map_") && window[k] instanceof L.Map);
  const p = window[k].latLngToContainerPoint([lat, lon]);
  const r = window[k].getContainer().getBoundingClientRect();
  return [r.left + p.x, r.top + p.y];
}
"""


@pytest.mark.browser
@pytest.mark.timeout(180)
def test_canvas_map_tooltip_popup_and_drawn_count(demo_park, tmp_path):
    from playwright.sync_api import sync_playwright

    from app.mapping import park_map, save_html

    b = _bench()
    layers = _layers(demo_park)
    shown = ["enterprises", "buildings"]
    n = sum(len(layers[k]) for k in shown)
    page_path = save_html(
        park_map(layers, layers=shown, canvas=True, legends=False), tmp_path / "canvas.html"
    )
    building = layers["buildings"].to_crs(4326).iloc[0]
    at = building.geometry.representative_point()
    with sync_playwright() as pw:
        browser = b.launch_browser(pw)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(page_path.as_uri(), wait_until="load")
            frame, drawn = b.wait_map_drawn(page, n, timeout=30)
            assert drawn == n
            assert frame.locator("path.leaflet-interactive").count() == 0  # no SVG features
            assert frame.locator(".leaflet-overlay-pane canvas").count() == 1  # one canvas for every layer
            x, y = page.evaluate(_BUILDING_POINT_JS, [at.x, at.y])
            for d in range(4):  # Leaflet's canvas reads the mouse every 32 ms at most
                page.mouse.move(x + d, y + d)
                page.wait_for_timeout(60)
            page.locator(".leaflet-tooltip").wait_for(timeout=5000)
            assert HOSTILE in page.locator(".leaflet-tooltip").inner_text()
            page.mouse.click(x, y)
            page.locator(".leaflet-popup-content").wait_for(timeout=5000)
            popup = page.locator(".leaflet-popup-content")
            assert HOSTILE in popup.inner_text()  # the building's popup (drawn above its enterprise), as text
            assert page.locator("img[src='x']").count() == 0
            assert page.evaluate("() => window.__pwned === undefined")
            assert errors == []
        finally:
            browser.close()

"""No script from the data runs in a browser: every map of a park whose every text field holds markup, in Chromium.

A small park gets, in every free-text and id field of every layer (park, enterprise, installation, pipeline, target,
building, rectification and road names and ids, industry, operator, rectification title and responsible person),
markup that would run if any map put it into the page unescaped: an ``<img onerror>``, a ``</script>`` that would
end the map's script, a ``${…}`` that a JavaScript template literal would evaluate, a quote that would end an HTML
attribute, a backtick and a trailing backslash that would end a template literal, and an ``&`` (that must show as
``&``, not ``&amp;``). Every map is built from it — the park map (``app.mapping``), the ``parkrisk map`` HTML file,
the 一园一策 overlay (items, enterprise rates and history popups) and the page maps that can be built without
Streamlit (consequence zones, domino arrows and chain, emergency zones/routes/assembly points, pipeline HCA
segments, risk contours, GB 36894 compliance, siting suitability, major-hazard grades) — written as stand-alone
HTML, and opened in headless Chromium (Debian's, through Playwright) with a ``dialog`` handler that fails the test
if any ``alert`` ever fires. Every tooltip and popup is opened (real mouse hovers and clicks on the drawn features,
then a ``mouseover``/``click`` on every Leaflet layer); none may contain markup from the data, each shows the data
as plain text, and the HTML files hold no raw payload.

Fails before the fix of issue 13 (findings 1 and 2): the 一园一策 tooltip and the page maps' tooltips went into
folium's JavaScript template literal, where ``${alert(3)}`` ran on page load.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from factories import small_park_layers

from geodata import Park, schema

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
]

#: Appended to every text field: each part breaks one context if it is not escaped for it.
PAYLOAD = (
    "&<img src=x onerror=alert(1)></script><script>alert(2)</script>${alert(3)}"
    '"onmouseover="alert(4)\'`+alert(5)+`\\'
)
#: Parts of the payload that must never be in a page as written (escaped forms are fine).
RAW_PARTS = (
    "<img src=x onerror",
    "</script><script>alert(2)",
    "${alert(3)}",
    '"onmouseover="',
    "`+alert(5)+`",
)
#: Free-text columns that get the payload (ids and references get it too).
TEXT_COLUMNS = ("name", "industry", "operator", "title", "responsible")
TODAY = dt.date(2024, 6, 1)


def hostile_layers() -> dict:
    """The small test park with :data:`PAYLOAD` appended to every text field and id (references stay valid)."""
    layers = small_park_layers()
    for name, gdf in layers.items():
        spec = schema.LAYERS[name]
        columns = set(TEXT_COLUMNS) | {spec.id_column, *spec.references}
        for col in gdf.columns:
            if col in columns:
                gdf[col] = [v if v is None or v != v else f"{v}{PAYLOAD}" for v in gdf[col]]
    return layers


def _history(items) -> pd.DataFrame:
    rows = []
    for i, item_id in enumerate(items["item_id"]):
        rows.append(
            dict(
                item_id=item_id,
                at=f"2024-0{i + 1}-15 10:00:00",
                username=f"user{PAYLOAD}",
                action="comment",
                comment=f"说明{PAYLOAD}",
                old_deadline=None,
                new_deadline=None,
            )
        )
        rows.append(
            dict(
                item_id=item_id,
                at=f"2024-0{i + 1}-20 10:00:00",
                username=f"admin{PAYLOAD}",
                action="extend",
                comment=f"延期{PAYLOAD}",
                old_deadline=f"2024-01-01{PAYLOAD}",
                new_deadline=f"2024-12-31{PAYLOAD}",
            )
        )
    return pd.DataFrame(rows)


def _page_maps(park) -> dict:
    """Every page map that can be built without Streamlit, on ``park``."""
    import shapely

    from analysis import domino
    from analysis import emergency as em
    from analysis import pipelines as pp
    from analysis.qra import individual as risk
    from analysis.regulation import gb18218 as mh
    from analysis.regulation import siting_checks as scx
    from analysis.scenarios import Scenario, Weather
    from analysis.scenarios.zones import threat_zones_for_unit
    from app.views import consequence, emergency, major_hazard, pipelines, siting
    from app.views import domino as domino_page
    from app.views import risk as risk_page

    u2, u3, e1 = f"U2{PAYLOAD}", f"U3{PAYLOAD}", f"E1{PAYLOAD}"
    maps = {}
    zones = threat_zones_for_unit(park, u2, Scenario("fireball"), Weather(2.0, 45.0, "D"))
    maps["consequence"] = consequence.zones_map(park, zones, unit_id=u2)

    result = domino.analyze(park, n_samples=300, max_level=2)
    maps["domino"] = domino_page.domino_map(park, result)
    src, kind = result.primary_events[["source", "scenario"]].iloc[0]
    maps["domino_chain"] = domino_page.domino_map(park, result, primary=(src, kind))

    plan = em.plan(park, unit_id=u3, wind_from=45.0, wind_speed=2.0, time="22:00", stability="F")
    # the tiny park has one road and no safe assembly point, so its plan draws none: the route and point below
    # carry the payload in every text column the map shows (routing itself: tests/analysis/test_emergency_plan.py)
    ox, oy = plan.result.origin
    routes = gpd.GeoDataFrame(
        {
            "feature_id": [f"T1{PAYLOAD}"],
            "name": [f"目标{PAYLOAD}"],
            "layer": ["sensitive_targets"],
            "assembly_id": [f"AP1{PAYLOAD}"],
            "length_m": [800.0],
            "length_in_zone_m": [0.0],
            "exit_length_m": [0.0],
            "route_status": ["clear"],
            "recommendation": ["evacuate"],
            "priority": [2],
            "roads": [f"园区路{PAYLOAD}"],
            "travel_time_s": [667.0],
            "walk_time_s": [667.0],
        },
        geometry=[shapely.LineString([(ox - 500, oy + 500), (ox - 900, oy + 900)])],
        crs=park.metric_crs,
    )
    assembly = gpd.GeoDataFrame(
        {
            "assembly_id": [f"AP1{PAYLOAD}"],
            "point_id": [f"AP1{PAYLOAD}"],
            "name": [f"集合点{PAYLOAD}"],
            "capacity": [500],
            "assigned": [120],
            "n_targets": [1],
            "distance_m": [1272.8],
        },
        geometry=[shapely.Point(ox - 900, oy + 900)],
        crs=park.metric_crs,
    )
    maps["emergency"] = emergency.emergency_map(
        park, plan.result, routes=routes, assembly=assembly, route_zone=plan.route_zone
    )

    a = pp.assess(park, weather="generic")
    seg = a.segments.sort_values("hca_grade", ascending=False).iloc[0]
    seg_zones = pipelines.segment_zones(a.segments, seg["segment_id"], a.consequences[seg["pipeline_id"]])
    maps["pipelines"] = pipelines.hca_map(park, a.segments, zones=seg_zones, selected=seg["segment_id"])

    ir = risk.individual_risk(park, resolution=50.0, margin=500.0, weather="generic")
    maps["risk"] = risk_page.contour_map(park, risk.risk_contours(ir))
    maps["compliance"] = siting.compliance_map(park, scx.compliance(ir, park))
    c = park.installations.geometry.iloc[0]
    row = siting.proposed_row(
        unit_id=f"N{PAYLOAD}",
        enterprise_id=e1,
        kind="storage_tank",
        substance="汽油",
        inventory_kg=1e6,
        phase="liquid",
        pressure_pa=101_325.0,
        temperature_k=293.15,
        lon=c.x + 0.001,
        lat=c.y,
    )
    trial = scx.new_unit_trial(park, row, base=ir, candidate_spacing=150.0)
    trial["suitability"].attrs["spacing"] = 150.0
    maps["suitability"] = siting.suitability_map(
        park, trial["suitability"], proposed=shapely.Point(row["geometry"].x, row["geometry"].y)
    )
    grades = mh.enterprise_grades(park)
    maps["major_hazard"] = major_hazard.grade_map(park, grades[1])
    # 园区一张图 with stored results whose texts come from the hostile park (names, ids)
    from app import mapping
    from app.mapping.results import add_result_layers
    from app.results import to_stored

    stored = {
        "risk": to_stored("risk", ir, park, computed_by=PAYLOAD),
        "major_hazards": to_stored("major_hazards", grades, park, computed_by=PAYLOAD),
        "hca": to_stored("hca", a, park, computed_by=PAYLOAD),
    }
    one_map = mapping.park_map(park, layer_control=False, page_links=True)
    add_result_layers(one_map, stored, sensitive=True)
    maps["one_map"] = mapping.finish_map(one_map)
    maps["compliance_lines"] = siting.compliance_map(
        park,
        scx.compliance(ir, park),
        contours=risk.risk_contours(ir),
        distances=scx.protection_distances(ir, park),
    )
    return maps


@pytest.fixture(scope="module")
def hostile_pages(tmp_path_factory) -> dict[str, Path]:
    """Name -> stand-alone HTML file of every map of the hostile park."""
    from app.cli import main
    from app.mapping import park_map, save_html
    from app.rectification_map import rectification_map

    out = tmp_path_factory.mktemp("xss")
    park = Park.from_layers(hostile_layers())
    gpkg = out / "hostile.gpkg"
    park.save(gpkg)
    pages = {"cli_map": out / "cli_map.html"}
    assert main(["map", str(gpkg), "-o", str(pages["cli_map"])]) == 0
    items = park.rectifications
    maps = {
        "park_map": park_map(park, today=TODAY),
        "rectification": rectification_map(
            items,
            enterprises=park.enterprises,
            parks=park.parks,
            history=_history(items),
            enterprise_names=dict(
                zip(park.enterprises["enterprise_id"], park.enterprises["name"], strict=True)
            ),
            today=TODAY,
        ),
        **_page_maps(park),
    }
    for name, m in maps.items():
        pages[name] = save_html(m, out / f"{name}.html")
    return pages


#: Opens the tooltip and the popup of every Leaflet layer of the page (events propagate to the GeoJSON groups
#: that bind folium's GeoJsonTooltip/GeoJsonPopup) and returns what they showed.
_OPEN_ALL_JS = """
() => {
  const maps = Object.keys(window)
    .filter((k) => k.startsWith("map_") && window[k] instanceof L.Map)
    .map((k) => window[k]);
  const shown = { tooltips: [], popups: [], layers: 0 };
  const grab = (sel, into) =>
    document.querySelectorAll(sel).forEach((el) => into.push({ html: el.innerHTML, text: el.textContent }));
  for (const map of maps) {
    const leaves = [];
    map.eachLayer((l) => { if (!(l instanceof L.LayerGroup)) leaves.push(l); });
    for (const l of leaves) {
      let at = null;
      if (l.getLatLng) at = l.getLatLng();
      else if (l.getBounds && l.getBounds().isValid && l.getBounds().isValid()) at = l.getBounds().getCenter();
      if (!at) continue;
      shown.layers += 1;
      l.fire("mouseover", { latlng: at }, true);
      grab(".leaflet-tooltip", shown.tooltips);
      l.fire("mouseout", { latlng: at }, true);
      l.fire("click", { latlng: at }, true);
      grab(".leaflet-popup-content", shown.popups);
      map.closePopup();
    }
  }
  return shown;
}
"""

#: Keeps the page on the map: a click on a link (a popup's 详情 link) does not navigate.
_NO_LINK_NAVIGATION_JS = """
document.addEventListener("click", (e) => {
  const a = e.target && e.target.closest ? e.target.closest("a[href]") : null;
  if (a) e.preventDefault();
}, true);
"""

#: Elements that only markup from the data could have made.
_INJECTED_JS = """
() => [...document.querySelectorAll("img[src='x'], [onerror], [onmouseover], [onclick]")].map((e) => e.outerHTML)
"""


def _real_mouse(page, limit: int = 12) -> None:
    """Hover and click the first ``limit`` drawn features of each kind with the real mouse."""
    for selector in ("path.leaflet-interactive", ".leaflet-marker-icon.leaflet-interactive"):
        loc = page.locator(selector)
        for i in range(min(loc.count(), limit)):
            box = loc.nth(i).bounding_box()
            if not box or box["width"] <= 0 or box["height"] <= 0:
                continue
            x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
            if not (0 <= x < 1280 and 0 <= y < 900):
                continue
            page.mouse.move(x, y)
            page.wait_for_timeout(30)
            page.mouse.move(x + 1, y + 1)  # over the tooltip that follows the mouse
            page.mouse.click(x, y)
            page.wait_for_timeout(30)
            page.keyboard.press("Escape")


def test_static_html_holds_no_raw_payload(hostile_pages):
    for name, path in hostile_pages.items():
        html = path.read_text(encoding="utf-8")
        for part in RAW_PARTS:
            assert part not in html, f"{name}: the raw payload {part!r} is in the page"


@pytest.mark.browser
@pytest.mark.timeout(300)
def test_no_script_from_the_data_runs_in_chromium(hostile_pages):
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: install Debian's Chromium (`apt-get install chromium`)"
    from playwright.sync_api import sync_playwright

    dialogs: list[str] = []
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            for name, path in hostile_pages.items():
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                # the one map's popups link to the explaining page: a real click that lands on such a link would
                # leave the map (file:///risk) and find no layers; links are not what this test is about
                page.add_init_script(_NO_LINK_NAVIGATION_JS)
                page.on("dialog", lambda d, n=name: (dialogs.append(f"{n}: {d.message}"), d.dismiss()))
                page.on("pageerror", lambda e, n=name: problems.append(f"{n}: script error {e}"))
                page.goto(path.as_uri(), wait_until="load")
                page.wait_for_selector(".leaflet-container .leaflet-interactive", timeout=15000)
                page.wait_for_timeout(200)  # an <img onerror> fires once the broken image fails
                _real_mouse(page)
                shown = page.evaluate(_OPEN_ALL_JS)
                for _ in range(50):  # a loaded machine may still be adding the map's layers: wait up to 10 s
                    if shown["layers"]:
                        break
                    page.wait_for_timeout(200)
                    shown = page.evaluate(_OPEN_ALL_JS)
                page.wait_for_timeout(200)
                injected = page.evaluate(_INJECTED_JS)
                if injected:
                    problems.append(f"{name}: elements made from the data: {injected[:3]}")
                texts = [t["text"] for t in shown["tooltips"] + shown["popups"]]
                if not shown["tooltips"]:
                    problems.append(f"{name}: no tooltip opened ({shown['layers']} layers)")
                for kind in ("tooltips", "popups"):
                    for t in shown[kind]:
                        if "<img" in t["html"] or "<script" in t["html"]:
                            problems.append(
                                f"{name}: markup from the data in a {kind[:-1]}: {t['html'][:200]}"
                            )
                        if "&amp;" in t["text"] or "&lt;" in t["text"] or "&#" in t["text"]:
                            problems.append(f"{name}: escaped twice in a {kind[:-1]}: {t['text'][:200]}")
                if not any("<img src=x onerror=alert(1)>" in t for t in texts):
                    problems.append(f"{name}: no tooltip or popup shows the data as written")
                page.close()
        finally:
            browser.close()
    assert not dialogs, f"scripts from the data ran: {dialogs}"
    assert not problems, "\n".join(problems)


if __name__ == "__main__":  # pragma: no cover - run by hand: python tests/app/test_xss_browser.py
    sys.exit(pytest.main([__file__, "-q"]))

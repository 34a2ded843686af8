"""Demo-park store initialisation, Excel round trip through the store, the Word plan, the overlay map."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from rectification_helpers import ADMIN

from analysis.regulation.rectification import parse_inspection_table, plan_report
from app.reports.rectification_docx import static_map_png, trend_chart_png, write_plan_docx
from app.reports.rectification_xlsx import ITEMS_SHEET, read_inspection_xlsx, write_plan_xlsx
from geodata.store import GpkgStore, User, store_for_park

TODAY = dt.date(2026, 6, 30)


@pytest.fixture(scope="module")
def demo_store(demo_park, demo_park_path, tmp_path_factory):
    before = hashlib.sha256(demo_park_path.read_bytes()).hexdigest()
    s = store_for_park(
        demo_park_path, demo_park.rectifications, store=tmp_path_factory.mktemp("d") / "s.gpkg"
    )
    assert (
        hashlib.sha256(demo_park_path.read_bytes()).hexdigest() == before
    )  # the bundled sample is untouched
    yield s
    s.close()


def _names(park):
    return dict(zip(park.enterprises["enterprise_id"], park.enterprises["name"], strict=True))


def test_demo_store_holds_the_parks_items(demo_store, demo_park):
    items = demo_store.items_frame(ADMIN)
    assert len(items) >= 40 and len(items) == len(demo_park.rectifications)
    assert set(items["item_id"]) == set(demo_park.rectifications["item_id"])
    assert (items["version"] == 1).all()
    assert (demo_store.history(ADMIN)["action"] == "create").sum() == len(items)


def test_default_store_path_uses_the_data_dir(monkeypatch, tmp_path, demo_park, demo_park_path):
    monkeypatch.setenv("PARKRISK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("PARKRISK_STORE", raising=False)
    s = store_for_park(demo_park_path, demo_park.rectifications)
    assert str(s.path).startswith(str(tmp_path / "data")) and s.path.name.endswith(".rect.gpkg")
    s2 = store_for_park(demo_park_path, demo_park.rectifications)  # second open: no re-import
    assert s2.count_items() == len(demo_park.rectifications)
    s.close()
    s2.close()


def test_excel_round_trip_through_the_store(demo_store, demo_park, tmp_path):
    items = demo_store.items_frame(ADMIN)
    path = write_plan_xlsx(
        items,
        tmp_path / "plan.xlsx",
        park_name=demo_park.name,
        history=demo_store.history(ADMIN),
        enterprise_names=_names(demo_park),
        today=TODAY,
    )
    table = read_inspection_xlsx(path, sheet=ITEMS_SHEET)
    recs, problems = parse_inspection_table(table)
    assert problems == []
    fresh = GpkgStore(tmp_path / "fresh.gpkg")
    fresh.import_items(ADMIN, recs, source="plan.xlsx")
    back = fresh.items_frame(ADMIN)
    cols = [c for c in items.columns if c not in ("version", "geometry")]
    assert back[cols].equals(items[cols])
    assert all(a.equals_exact(b, 1e-6) for a, b in zip(back.geometry, items.geometry, strict=True))
    fresh.close()


def test_word_plan_opens_with_headings_tables_and_map(demo_store, demo_park, tmp_path):
    import docx

    items = demo_store.items_frame(ADMIN)
    rep = plan_report(items, park_name=demo_park.name, today=TODAY, enterprise_names=_names(demo_park))
    png = static_map_png(items, parks=demo_park.parks, enterprises=demo_park.enterprises, today=TODAY, dpi=60)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    path = write_plan_docx(
        rep, tmp_path / "plan.docx", map_png=png, trend_png=trend_chart_png(rep.trend, dpi=60)
    )
    doc = docx.Document(str(path))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == f"{demo_park.name} 安全风险隐患整改方案（一园一策）"
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [
        "一、总体情况",
        "二、各企业整改情况",
        "三、按类别统计",
        "四、整改事项分布图",
        "五、重大隐患",
        "六、逾期未销号事项",
        "七、月度整改趋势",
        "八、整改事项清单",
    ]
    assert len(doc.inline_shapes) == 2
    tables = doc.tables
    assert [c.text for c in tables[0].rows[0].cells] == ["指标", "数值"]
    all_items = tables[-1]
    assert len(all_items.rows) == len(items) + 1 and all_items.rows[0].cells[0].text == "编号"
    major_n = int((items["hazard_level"] == "major").sum())
    assert len(tables[3].rows) == major_n + 1


def test_report_figures_leave_pyplot_and_rcparams_alone(demo_store, demo_park):
    """Reports are drawn for several sessions at once: no pyplot figure, no change to matplotlib's rcParams, and two
    maps drawn at the same time come out as each drawn alone."""
    import sys
    import threading

    import matplotlib

    items = demo_store.items_frame(ADMIN)
    before = dict(matplotlib.rcParams)
    alone = static_map_png(
        items, parks=demo_park.parks, enterprises=demo_park.enterprises, today=TODAY, dpi=50
    )
    trend = plan_report(items, park_name=demo_park.name, today=TODAY).trend
    trend_alone = trend_chart_png(trend, dpi=50)
    results: dict[str, bytes] = {}

    def draw(name):
        if name == "map":
            results[name] = static_map_png(
                items, parks=demo_park.parks, enterprises=demo_park.enterprises, today=TODAY, dpi=50
            )
        else:
            results[name] = trend_chart_png(trend, dpi=50)

    threads = [threading.Thread(target=draw, args=(n,)) for n in ("map", "trend")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {"map": alone, "trend": trend_alone}
    assert dict(matplotlib.rcParams) == before
    if "matplotlib.pyplot" in sys.modules:
        import matplotlib.pyplot as plt

        assert plt.get_fignums() == []


def test_enterprise_plan_contains_only_that_enterprise(demo_store, demo_park, tmp_path):
    import docx

    e02 = User("e02", "enterprise", "E02")
    items = demo_store.items_frame(e02)
    assert set(items["enterprise_id"]) == {"E02"}
    rep = plan_report(
        items, park_name=demo_park.name, today=TODAY, enterprise_names=_names(demo_park), enterprise_id="E02"
    )
    path = write_plan_docx(rep, tmp_path / "e02.docx")
    doc = docx.Document(str(path))
    listed = [r.cells[0].text for r in doc.tables[-1].rows[1:]]
    assert sorted(listed) == sorted(items["item_id"])


def test_overlay_map_is_offline_and_has_history_popups(demo_store, demo_park):
    from app.mapping import external_asset_urls, standalone_html
    from app.rectification_map import rectification_map

    items = demo_store.items_frame(ADMIN)
    m = rectification_map(
        items,
        enterprises=demo_park.enterprises,
        parks=demo_park.parks,
        history=demo_store.history(ADMIN),
        enterprise_names=_names(demo_park),
        today=TODAY,
    )
    assert external_asset_urls(m) == []
    assert "L.circleMarker(" in standalone_html(m)  # renders offline (Leaflet inlined)
    html = m.get_root().render()
    assert "$(" not in html  # no jQuery-dependent popups
    assert "处理记录" in html or json.dumps("处理记录")[1:-1] in html
    assert "企业整改率" in html or json.dumps("企业整改率")[1:-1] in html
    assert html.count("L.circleMarker(") == len(items)
    assert html.count(".setContent(") == len(items)


def test_enterprise_map_only_draws_own_items(demo_store, demo_park):
    from app.rectification_map import rectification_map

    items = demo_store.items_frame(User("e03", "enterprise", "E03"))
    m = rectification_map(
        items, enterprises=demo_park.enterprises[demo_park.enterprises.enterprise_id == "E03"], today=TODAY
    )
    html = m.get_root().render()
    others = set(demo_store.items_frame(ADMIN)["item_id"]) - set(items["item_id"])
    assert html.count("L.circleMarker(") == len(items) == 5
    assert not any(i in html for i in others)
    assert all(i in html for i in items["item_id"])

"""Stored results on the one map (issue 17, items 2 and 5): one layer group per result kind with its legend in the
layer switcher, its time in Beijing time, 已过期 when stale, popups with a link to the explaining page, escaped
text, the R value only for users who may read it, the readable subset of escalation edges with arrow heads, small
payload (simplified, rounded coordinates), the zoom helper, label decluttering and the F-N colours."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import folium
import geopandas as gpd
import pytest
import shapely

from app import mapping
from app.main import discover_pages
from app.mapping import focus
from app.mapping.results import (
    COORD_DECIMALS,
    DEFAULT_TOP_EDGES,
    RESULT_PAGES,
    add_result_layers,
    display_geometry,
    page_link_html,
    results_legend_html,
)
from geodata.results import StoredResult

WHEN = datetime(2026, 12, 7, 8, 30, tzinfo=UTC)  # 16:30 Beijing time
LON, LAT = 114.30, 30.60


def _stored(kind: str, layers: dict, summary: dict | None = None) -> StoredResult:
    return StoredResult(kind, layers, summary or {}, WHEN, "admin", "0" * 64)


def _ring(r_deg: float, n: int = 720) -> shapely.Polygon:
    return shapely.Point(LON, LAT).buffer(r_deg, quad_segs=n // 4)


def _risk() -> StoredResult:
    levels = [1e-5, 3e-6, 1e-6, 3e-7]
    contours = gpd.GeoDataFrame(
        {"level": levels, "label_zh": ["1×10⁻⁵/年", "3×10⁻⁶/年", "1×10⁻⁶/年", "3×10⁻⁷/年"]},
        geometry=[_ring(0.001 * (i + 1)) for i in range(4)],
        crs=4326,
    )
    return _stored(
        "risk", {"contours": contours}, {"max_ir": 2.4e-5, "max_ir_outside": 4e-7, "contour_closed": True}
    )


def _domino(n: int = 30) -> StoredResult:
    probs = [0.95 - 0.03 * i for i in range(n)]
    edges = gpd.GeoDataFrame(
        {
            "source_id": [f"U{i}" for i in range(n)],
            "target_id": [f"U{i + 1}" for i in range(n - 1)] + ["<b>T</b>"],
            "probability": probs,
            "load": [25_000.0] * n,
            "load_unit": ["Pa"] * n,
            "vector_zh": ["超压"] * n,
            "across_fence": [i % 2 == 0 for i in range(n)],
            "rank": list(range(1, n + 1)),
        },
        geometry=[
            shapely.LineString([(LON + 0.001 * i, LAT), (LON + 0.001 * i + 0.0005, LAT + 0.0004)])
            for i in range(n)
        ],
        crs=4326,
    )
    hubs = gpd.GeoDataFrame(
        {"unit_id": ["U0"], "score": [3.2], "name_zh": ["1号液化烃球罐"]},
        geometry=[shapely.Point(LON, LAT)],
        crs=4326,
    )
    return _stored("domino", {"edges": edges, "hubs": hubs})


def _others() -> dict[str, StoredResult]:
    box = shapely.box(LON, LAT, LON + 0.0003, LAT + 0.0002)
    return {
        "five_rooms": _stored(
            "five_rooms",
            {
                "buildings": gpd.GeoDataFrame(
                    {
                        "building_id": ["B1", "B2"],
                        "name": ["中控室", "化验室"],
                        "verdict": ["fail", "ok"],
                        "verdict_zh": ["需搬迁", "满足"],
                        "load": [30_000.0, 2_000.0],
                        "load_unit": ["Pa", "Pa"],
                        "reason_zh": ["超压 30 kPa ≥ 21 kPa", "—"],
                    },
                    geometry=[box, shapely.affinity.translate(box, 0.001)],
                    crs=4326,
                )
            },
        ),
        "major_hazards": _stored(
            "major_hazards",
            {
                "units": gpd.GeoDataFrame(
                    {"unit_id": ["MH-1"], "enterprise_id": ["E1"], "grade": ["一级"], "r_value": [123.4]},
                    geometry=[shapely.Point(LON, LAT)],
                    crs=4326,
                )
            },
        ),
        "hca": _stored(
            "hca",
            {
                "areas": gpd.GeoDataFrame(
                    {"pipeline_id": ["GP-01"], "segment_id": ["S3"], "class_zh": ["Ⅱ级高后果区"]},
                    geometry=[_ring(0.002, 64)],
                    crs=4326,
                )
            },
        ),
        "emergency": _stored(
            "emergency",
            {
                "zones": gpd.GeoDataFrame(
                    {
                        "level_zh": ["AEGL-3（10 min）", "AEGL-2（10 min）"],
                        "concentration_ppm": [50.0, 20.0],
                        "distance_m": [800.0, 1500.0],
                    },
                    geometry=[_ring(0.004, 64), _ring(0.008, 64)],
                    crs=4326,
                ),
                "routes": gpd.GeoDataFrame(
                    {"target_name": ["第一小学"], "action_zh": ["疏散"], "length_m": [1234.0]},
                    geometry=[shapely.LineString([(LON, LAT), (LON + 0.01, LAT + 0.01)])],
                    crs=4326,
                ),
                "assembly_points": gpd.GeoDataFrame(
                    {"name": ["东集合点"], "capacity": [500]},
                    geometry=[shapely.Point(LON + 0.01, LAT + 0.01)],
                    crs=4326,
                ),
            },
            {"substance_zh": "氯", "computed_for": "2026-12-07 22:00 北京时间"},
        ),
    }


def _groups(m: folium.Map) -> dict[str, folium.FeatureGroup]:
    return {c.layer_name: c for c in m._children.values() if isinstance(c, folium.FeatureGroup)}


def _features(group: folium.FeatureGroup) -> list[dict]:
    out = []
    for child in group._children.values():
        if isinstance(child, folium.GeoJson):
            out += child.data["features"]
    return out


def _overlays(html: str) -> str:
    """The overlays object of the rendered layer switcher, decoded (its keys are JSON strings)."""
    block = re.search(r"overlays :\s*\{(.*?)\},\s*\};", html, re.S).group(1)
    return "".join(json.loads(k) for k in re.findall(r'("(?:[^"\\]|\\.)*")\s*:', block))


def _all_results() -> dict[str, StoredResult]:
    return {"risk": _risk(), "domino": _domino(), **_others()}


def test_every_result_kind_is_one_group_in_the_switcher_with_its_legend_time_and_stale_mark(small_park):
    m = mapping.park_map(small_park, layer_control=False)
    drawn = add_result_layers(m, _all_results(), stale={"domino": True}, sensitive=True)
    mapping.finish_map(m)
    assert [g.kind for g in drawn] == ["risk", "hca", "emergency", "major_hazards", "five_rooms", "domino"]
    names = set(_groups(m))
    assert "个人风险等值线（4）" in names
    assert f"多米诺升级边（{DEFAULT_TOP_EDGES + 1}）（已过期）" in names  # 20 edges + 1 hub
    overlays = _overlays(m.get_root().render())
    for text in (
        "1×10⁻⁵/年",
        "3×10⁻⁷/年",
        "升级概率 ≥ 0.9",
        "升级枢纽设施",
        "需搬迁",
        "一级重大危险源",
        "Ⅱ级高后果区",
        "疏散路线（箭头指向集合点）",
        "应急集合点",
        "2026-12-07 16:30 北京时间 计算",
        "计算人：admin",
        '<span class="pr-lc-stale">已过期</span>',
        f"显示升级概率最高的 {DEFAULT_TOP_EDGES} 条（共 30 条）",
    ):
        assert text in overlays, text
    assert overlays.count("已过期</span>") == 1  # only the stale group


def test_each_group_is_one_geojson_layer_and_points_a_second(small_park):
    m = mapping.new_map()
    add_result_layers(m, _all_results())
    for name, group in _groups(m).items():
        layers = [c for c in group._children.values() if isinstance(c, folium.GeoJson)]
        assert 1 <= len(layers) <= 4, (
            name
        )  # areas/lines, arrow heads, points; emergency: zones, routes, heads, points
    risk = _groups(m)["个人风险等值线（4）"]
    assert len([c for c in risk._children.values() if isinstance(c, folium.GeoJson)]) == 1


def test_popups_show_details_with_a_link_to_the_page_and_beijing_time():
    m = mapping.new_map()
    add_result_layers(m, _all_results(), stale={"risk": True})
    props = [f["properties"] for f in _features(_groups(m)["个人风险等值线（4）（已过期）"])]
    assert [p["个人风险等值线"] for p in props] == ["3×10⁻⁷/年", "1×10⁻⁶/年", "3×10⁻⁶/年", "1×10⁻⁵/年"]
    assert props[0]["最大个人风险"] == "2.4×10⁻⁵/年"
    assert props[0]["计算时间"] == "2026-12-07 16:30 北京时间（已过期，请重新计算）"
    assert props[0]["详情"] == page_link_html("risk")
    assert 'href="risk"' in props[0]["详情"] and 'target="_blank"' in props[0]["详情"]
    edges = [f["properties"] for f in _features(_groups(m)[f"多米诺升级边（{DEFAULT_TOP_EDGES + 1}）"])]
    first = next(p for p in edges if p.get("概率排名") == "第 1 位")
    assert first["荷载"] == "25 kPa" and first["升级概率"] == "0.950" and first["跨企业（越过厂界）"] == "是"


def test_result_and_layer_pages_exist_with_their_titles():
    from app.mapping.links import LAYER_PAGES

    titles = {p.path.stem: p.title for p in discover_pages()}
    for kind, (stem, title) in {**RESULT_PAGES, **LAYER_PAGES}.items():
        assert titles.get(stem) == title, kind


def test_park_layer_popups_link_to_their_page_only_when_asked(small_park):
    from app.mapping.links import page_link_html as link

    def popup_props(m: folium.Map, name: str) -> list[dict]:
        group = next(g for n, g in _groups(m).items() if n.startswith(name))
        return [f["properties"] for f in _features(group)]

    from app.mapping.links import PopupFooter

    def footers(m: folium.Map, name: str) -> list[str]:
        group = next(g for n, g in _groups(m).items() if n.startswith(name))
        (gj,) = [c for c in group._children.values() if isinstance(c, folium.GeoJson)]
        return [c.html for c in gj._children.values() if isinstance(c, PopupFooter)]

    # the link is written once under the layer's popups, not as a property of every feature
    with_links = mapping.park_map(small_park, page_links=True)
    assert footers(with_links, "企业（") == [link("enterprise_risk", "企业安全风险分级")]
    assert all("页面查看" not in json.dumps(p, ensure_ascii=False) for p in popup_props(with_links, "企业（"))
    script = with_links.get_root().render()
    assert script.count("enterprise_risk") == 1 and 'target=\\"_blank\\"' in script
    assert footers(mapping.park_map(small_park), "企业（") == []


def test_text_from_data_is_escaped_in_popups_and_legend():
    m = mapping.new_map()
    add_result_layers(m, {"domino": _domino()}, all_edges=True)
    html = m.get_root().render()
    assert "<b>T</b>" not in html
    props = [f["properties"] for f in _features(next(iter(_groups(m).values())))]
    assert any(p.get("升级边") == "U29 → &lt;b&gt;T&lt;/b&gt;" for p in props)


def test_r_value_only_for_users_who_may_read_it():
    res = {"major_hazards": _others()["major_hazards"]}
    for sensitive, shown in ((True, True), (False, False)):
        m = mapping.new_map()
        add_result_layers(m, res, sensitive=sensitive)
        (props,) = [f["properties"] for f in _features(next(iter(_groups(m).values())))]
        assert props.get("R 值（-）") == ("123" if shown else None)
        assert props["级别"] == "一级"


def test_top_edges_by_default_all_on_demand_with_an_arrow_head_each():
    for all_edges, n in ((False, DEFAULT_TOP_EDGES), (True, 30)):
        m = mapping.new_map()
        add_result_layers(m, {"domino": _domino()}, all_edges=all_edges)
        feats = _features(next(iter(_groups(m).values())))
        lines = [f for f in feats if f["geometry"]["type"] == "LineString"]
        heads = [f for f in feats if f["geometry"]["type"] == "Polygon"]
        assert len(lines) == n and len(heads) == n
        ranks = sorted(int(re.search(r"\d+", f["properties"]["概率排名"]).group()) for f in lines)
        assert ranks == list(range(1, n + 1))  # the most probable ones
        # each head's tip is its line's end
        for line, head in zip(lines, heads, strict=True):
            assert head["geometry"]["coordinates"][0][0] == line["geometry"]["coordinates"][-1]


def test_geometry_is_simplified_and_rounded():
    contours = _risk().layers["contours"]
    geoms = display_geometry(contours)
    before = sum(len(shapely.get_coordinates(g)) for g in contours.geometry)
    after = sum(len(shapely.get_coordinates(g)) for g in geoms)
    assert after < before / 3  # a 720-gon ring of 110-660 m radius needs far fewer vertices at 1 m
    coords = shapely.get_coordinates(geoms.to_numpy())
    assert (abs(coords * 10**COORD_DECIMALS - (coords * 10**COORD_DECIMALS).round()) < 1e-6).all()
    # the drawn area stays within a 1 m band of the original
    assert geoms.iloc[3].symmetric_difference(contours.geometry.iloc[3]).area < 0.004 * 2 * 3.1416 * 1e-5


def test_side_legend_lists_each_group_with_time():
    m = mapping.new_map()
    groups = add_result_layers(m, {"risk": _risk()})
    html = results_legend_html(groups)
    assert "分析结果" in html and "个人风险等值线（4）" in html and "1×10⁻⁶/年" in html
    assert "2026-12-07 16:30 北京时间" in html
    assert results_legend_html([]) == ""


def test_missing_or_empty_results_draw_nothing():
    m = mapping.new_map()
    empty = _stored("risk", {"contours": _risk().layers["contours"].iloc[0:0]})
    assert add_result_layers(m, {"risk": empty, "domino": None}) == []
    assert _groups(m) == {}


def test_zoom_helper_fits_and_remembers(small_park):
    session: dict = {}
    m = mapping.new_map()
    assert focus.zoom_to_focus(m, session) is None
    f = focus.remember_focus(session, small_park.installations.iloc[:1], label="U1")
    assert f is not None and focus.recall_focus(session) == f
    assert focus.zoom_to_focus(m, session) == f
    fb = [c for c in m._children.values() if type(c).__name__ == "FitBounds"][-1]
    (s, w), (n, e) = fb.bounds
    assert n - s >= 0.002 - 1e-12 and e - w >= 0.002 - 1e-12  # a point is shown with ~200 m around it
    x, y = small_park.installations.to_crs(4326).geometry.iloc[0].centroid.coords[0]
    assert w < x < e and s < y < n
    with pytest.raises(ValueError, match="crs"):
        focus.bounds_of(gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)]))
    assert focus.remember_focus(session, shapely.Point()) is None and focus.recall_focus(session) == f


def test_enterprise_labels_declutter_largest_first(small_park):
    m = mapping.park_map(small_park)
    html = m.get_root().render()
    assert "function declutter(map)" in html and 'style.visibility = "hidden"' in html


def test_add_zones_legend_is_collapsible(small_park):
    m = mapping.new_map()
    zones = gpd.GeoDataFrame({"lv": ["a"]}, geometry=[_ring(0.001, 16)], crs=4326)
    mapping.add_zones(m, zones, level_column="lv", name="区", colors={"a": "#ff0000"})
    assert "<details open><summary" in m.get_root().render().replace("\\u003c", "<").replace("\\u003e", ">")


def test_fn_chart_curves_never_share_a_colour_with_the_criterion_lines():
    import numpy as np

    from analysis.qra.societal import FNCurve
    from app.charts import FN_CRITERION_COLORS, FN_CURVE_COLORS, fn_figure

    curve = FNCurve(n=np.array([1.0, 10.0]), f=np.array([1e-4, 1e-6]))
    fig = fn_figure({"白天": curve, "夜间": curve, "全年": curve})
    ax = fig.axes[0]
    crit = {line.get_color() for line in ax.lines if line.get_linestyle() == "--"}
    curves = [line.get_color() for line in ax.lines if line.get_linestyle() == "-"]
    assert crit == set(FN_CRITERION_COLORS.values())
    assert len(curves) == 3 and len(set(curves)) == 3
    assert not set(curves) & crit
    assert set(curves) <= set(FN_CURVE_COLORS)


def test_domino_page_map_draws_the_top_edges_by_default_and_all_on_demand(small_park_path):
    from analysis import domino
    from app.views.domino import domino_map, unit_edges
    from geodata import load_park

    park = load_park(small_park_path)
    res = domino.analyze(park, n_samples=300, max_level=2)
    n = len(unit_edges(res))
    assert n >= 2, "the small park needs several escalation edges for this test"
    top = max(n // 2, 1)

    def arrows(m: folium.Map) -> str:
        return next(name for name in _groups(m) if name.startswith("升级箭头"))

    assert arrows(domino_map(park, res, top=top)) == f"升级箭头（{top}）"
    assert arrows(domino_map(park, res, top=None)) == f"升级箭头（{n}）"
    best = unit_edges(res).nlargest(top, "probability")["probability"].min()
    m = domino_map(park, res, top=top)
    tips = [c for g in _groups(m).values() for c in g._children.values() if isinstance(c, folium.PolyLine)]
    shown = [
        float(re.search(r"升级概率 ([0-9.]+)", c._children[next(iter(c._children))].text).group(1))
        for c in tips
        if c._children
    ]
    assert shown and min(shown) >= round(best, 3) - 1e-3


def test_prepared_layers_are_shared_between_maps_of_the_same_results():
    results = _all_results()
    maps = [mapping.new_map(), mapping.new_map()]
    for m in maps:
        add_result_layers(m, results, sensitive=True)
    first, second = (
        [c.data for g in _groups(m).values() for c in g._children.values() if isinstance(c, folium.GeoJson)]
        for m in maps
    )
    assert len(first) == len(second) > 6 and all(a is b for a, b in zip(first, second, strict=True))
    assert maps[0].get_root().render().count('"type":"Feature"') == maps[1].get_root().render().count(
        '"type":"Feature"'
    )
    other = mapping.new_map()  # other options: prepared anew
    add_result_layers(other, results, sensitive=True, all_edges=True)
    edges = next(g for n, g in _groups(other).items() if n.startswith("多米诺"))
    assert len([f for f in _features(edges) if f["geometry"]["type"] == "LineString"]) == 30


def test_contour_levels_are_written_at_the_top_of_each_contour_and_decluttered():
    m = mapping.new_map()
    add_result_layers(m, {"risk": _risk()})
    group = next(iter(_groups(m).values()))
    markers = [c for c in group._children.values() if isinstance(c, folium.Marker)]
    texts = [mk.icon.options["html"] for mk in markers]
    assert sorted(texts) == sorted(
        f"<div>{t}</div>" for t in ("1×10⁻⁵/年", "3×10⁻⁶/年", "1×10⁻⁶/年", "3×10⁻⁷/年")
    )
    assert all(mk.icon.options["class_name"] == "pr-clabel" for mk in markers)
    tops = sorted(mk.location[0] for mk in markers)
    expected = sorted(LAT + 0.001 * (i + 1) for i in range(4))  # the rings' northernmost points
    assert tops == pytest.approx(expected, abs=2e-6)
    html = m.get_root().render()
    assert "function declutter(map)" in html and ".pr-label div, .pr-clabel div" in html


def test_hca_colour_by_its_stored_grade():
    from app.present import HCA_COLORS

    areas = gpd.GeoDataFrame(
        {"pipeline_id": ["GP-01"], "segment_id": ["H1"], "class_zh": ["Ⅱ级"], "grade": [2]},
        geometry=[_ring(0.002, 64)],
        crs=4326,
    )
    m = mapping.new_map()
    (group,) = add_result_layers(m, {"hca": _stored("hca", {"areas": areas})})
    assert [(i.label, i.color) for i in group.legend] == [("Ⅱ级高后果区", HCA_COLORS[2])]
    assert HCA_COLORS[2] in m.get_root().render()

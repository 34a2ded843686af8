"""Unit tests of app.mapping: layers, legends, Chinese tooltips, offline assets (no Streamlit, no browser)."""

from __future__ import annotations

import html
import json
import re
from datetime import date
from pathlib import Path

import folium
import folium.plugins
import geopandas as gpd
import pytest
from shapely.geometry import Point

from app import mapping
from app.settings import Basemap
from geodata import schema

TODAY = date(2026, 11, 23)


def _has(html: str, text: str) -> bool:
    """Text in the page, either raw or as escaped inside a JSON string (legend bodies are JSON-encoded)."""
    return text in html or json.dumps(text)[1:-1] in html


def _groups(m: folium.Map) -> dict[str, folium.FeatureGroup]:
    return {c.layer_name: c for c in m._children.values() if isinstance(c, folium.FeatureGroup)}


def _geojson(group: folium.FeatureGroup) -> folium.GeoJson:
    (gj,) = [c for c in group._children.values() if isinstance(c, folium.GeoJson)]
    return gj


def _properties(group: folium.FeatureGroup) -> list[dict]:
    """Each feature's properties by the name its tooltip or popup shows (a park layer's features carry short keys,
    ``p0``…, labelled in the tooltip and popup)."""
    gj = _geojson(group)
    data = json.loads(gj.data) if isinstance(gj.data, str) else gj.data
    names = {}
    for c in gj._children.values():
        if isinstance(c, folium.GeoJsonTooltip | folium.GeoJsonPopup):
            names.update(
                {
                    f: html.unescape(a).removesuffix("：")
                    for f, a in zip(c.fields, c.aliases or c.fields, strict=True)
                }
            )
    return [{names.get(k, k): v for k, v in f["properties"].items()} for f in data["features"]]


def test_park_map_has_one_group_per_layer_with_chinese_names_and_counts(small_park):
    m = mapping.park_map(small_park, today=TODAY)
    names = set(_groups(m))
    expected = {f"{schema.LAYERS[n].label_zh}（{len(g)}）" for n, g in small_park.layers.items()}
    assert names == expected
    assert "企业（4）" in names and "防护目标（5）" in names and "整改事项（一园一策）（4）" in names
    assert any(isinstance(c, folium.LayerControl) for c in m._children.values())


def test_park_map_layers_argument_limits_groups_and_rejects_unknown(small_park):
    m = mapping.park_map(small_park, layers=["enterprises", "sensitive_targets"], today=TODAY)
    assert set(_groups(m)) == {"企业（4）", "防护目标（5）"}
    with pytest.raises(ValueError, match="factories"):
        mapping.park_map(small_park, layers=["factories"])


def test_legend_text_in_chinese(small_park):
    html = mapping.park_map(small_park, today=TODAY).get_root().render()
    for text in (
        "图例",
        "企业安全风险等级",
        "红色（重大风险）",
        "蓝色（低风险）",
        "防护目标（GB 36894）",
        "高敏感防护目标",
        "五室（控制室、机柜间、化验室等）",
        "长输管道",
        "逾期未销号（黑框）",
        "重点监管危险工艺（粗黑边）",
    ):
        assert _has(html, text), text


def test_tooltips_use_chinese_labels_and_units(small_park):
    groups = _groups(mapping.park_map(small_park, today=TODAY))
    inst = groups["装置设施（6）"]
    (tip,) = [c for c in _geojson(inst)._children.values() if isinstance(c, folium.GeoJsonTooltip)]
    labels = [a.removesuffix("：") for a in tip.aliases]  # the fields are short keys, labelled in Chinese
    assert labels[0] == "设施名称"
    assert "存量" in labels and "所属企业" in labels
    props = {p["设施编号"]: p for p in _properties(inst)}
    assert props["U1"]["存量"] == "2,000,000 kg（2,000 t）"  # never 1.598e+04 t (issue 17, item 4)
    assert props["U2"]["压力（绝压）"] == "1,600,000 Pa（1.6 MPa）"
    assert props["U5"]["温度"] == "573.1 K（300.0 ℃）"
    assert props["U2"]["相态"] == "液化气体"
    assert props["U4"]["重点监管危险化工工艺"] == "电解工艺（氯碱）"
    assert props["U1"]["所属企业"] == "测试企业1（E1）"
    assert props["U1"]["重点监管危险化工工艺"] == "—"

    targets = {p["目标编号"]: p for p in _properties(groups["防护目标（5）"])}
    assert targets["T1"]["防护目标类别（GB 36894）"] == "高敏感防护目标"
    assert targets["T1"]["白天人数"] == "800 人"

    rect = {p["事项编号"]: p for p in _properties(groups["整改事项（一园一策）（4）"])}
    assert rect["R1"]["是否逾期"] == "是（截至 2026-11-23）"
    assert rect["R4"]["是否逾期"] == "否"  # closed items are never overdue
    assert rect["R1"]["状态"] == "待整改"
    assert rect["R1"]["整改期限"] == "2020-01-31"

    bldg = {p["建筑编号"]: p for p in _properties(groups["建筑物（4）"])}
    assert bldg["B1"]["五室"].startswith("是")
    assert bldg["B3"]["五室"] == "否"
    assert bldg["B1"]["是否抗爆"] == "否"


def test_enterprise_and_target_colours(small_park):
    groups = _groups(mapping.park_map(small_park, today=TODAY))
    html = mapping.park_map(small_park, today=TODAY).get_root().render()
    for color in mapping.RISK_COLORS.values():
        assert color in html
    assert mapping.PROTECTION_COLORS["high_sensitive"] in html
    assert "企业（4）" in groups


def test_no_cdn_or_internet_urls_when_basemap_none(small_park):
    m = mapping.park_map(small_park, today=TODAY)
    assert mapping.external_asset_urls(m) == []
    html = m.get_root().render()
    assert re.findall(r"https?://", html) == []
    assert '<script src="/app/static/vendor/leaflet/leaflet.js"></script>' in html


def test_standalone_html_inlines_leaflet_and_loads_nothing(small_park, tmp_path):
    path = mapping.save_html(mapping.park_map(small_park, today=TODAY), tmp_path / "map.html")
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", text)
    assert "/app/static" not in text
    assert "L.version" in text or 't.version="1.9.3"' in text
    assert "data:image/png;base64," in text  # leaflet.css images inlined


def test_map_with_a_cdn_plugin_is_refused_for_standalone_html(small_park):
    m = mapping.park_map(small_park, today=TODAY)
    folium.plugins.MiniMap().add_to(m)
    assert any(u.startswith("https://") for u in mapping.external_asset_urls(m))
    with pytest.raises(ValueError, match="联网"):
        mapping.standalone_html(m)


def test_osm_basemap_adds_tiles_and_tianditu_needs_token(small_park):
    m = mapping.park_map(small_park, basemap="osm", today=TODAY)
    tiles = [c for c in m._children.values() if isinstance(c, folium.TileLayer)]
    assert len(tiles) == 1 and "tile.openstreetmap.org" in tiles[0].tiles
    m = mapping.park_map(small_park, basemap=Basemap("tianditu", token="abc123"), today=TODAY)
    urls = [c.tiles for c in m._children.values() if isinstance(c, folium.TileLayer)]
    assert len(urls) == 2 and all("tianditu.gov.cn" in u and "tk=abc123" in u for u in urls)
    with pytest.raises(ValueError, match="天地图 Key"):
        Basemap("tianditu")
    with pytest.raises(ValueError, match="google"):
        Basemap("google")


def test_add_zones_reprojects_colours_by_level_and_adds_legend(small_park):
    inst = small_park.metric("installations")
    zones = gpd.GeoDataFrame(
        {"level": ["high", "low"], "radius_m": [50.0, 150.0]},
        geometry=[inst.geometry.iloc[0].buffer(50.0), inst.geometry.iloc[0].buffer(150.0)],
        crs=small_park.metric_crs,
    )
    m = mapping.new_map()
    fg = mapping.add_zones(
        m,
        zones,
        level_column="level",
        name="热辐射区",
        colors={"high": "#ff0000", "low": "#ffff00"},
        labels={"high": "37.5 kW/m²", "low": "4 kW/m²"},
        tooltip_columns={"radius_m": "半径（m）"},
    )
    assert fg.layer_name == "热辐射区"
    layers = [c for c in fg._children.values() if isinstance(c, folium.GeoJson)]
    assert len(layers) == 2
    first = json.loads(layers[0].data) if isinstance(layers[0].data, str) else layers[0].data
    # the last level is drawn first (underneath); coordinates are now degrees
    assert first["features"][0]["properties"] == {"等级": "4 kW/m²", "半径（m）": "150"}
    lon, lat = first["features"][0]["geometry"]["coordinates"][0][0]
    assert 114.0 < lon < 114.6 and 30.4 < lat < 30.8
    html = m.get_root().render()
    assert _has(html, "37.5 kW/m²") and "#ff0000" in html
    assert mapping.external_asset_urls(m) == []


def test_add_zones_rejects_bad_input(small_park):
    zones = gpd.GeoDataFrame({"level": ["x"]}, geometry=[Point(0, 0).buffer(1)])
    with pytest.raises(ValueError, match="坐标参考系"):
        mapping.add_zones(mapping.new_map(), zones, level_column="level", name="z")
    zones = zones.set_crs(small_park.metric_crs)
    with pytest.raises(ValueError, match="level_column='grade'"):
        mapping.add_zones(mapping.new_map(), zones, level_column="grade", name="z")
    with pytest.raises(ValueError, match="未配色"):
        mapping.add_zones(mapping.new_map(), zones, level_column="level", name="z", colors={"y": "#000"})


def test_add_legend_rows_sections_and_bad_shape():
    m = mapping.new_map()
    mapping.add_legend(
        m, "个人风险", [("3×10⁻⁷ /年", "#00ff00", "line"), mapping.LegendItem("1×10⁻⁵ /年", "#f00")]
    )
    mapping.add_legend(m, "分节", {"甲": [("a", "#111")], "乙": [("b", "#222", "circle")]}, columns=2)
    html = m.get_root().render()
    assert _has(html, "个人风险") and "pr-sym-line" in html and "column-count:2" in html
    with pytest.raises(ValueError, match="shape='star'"):
        mapping.add_legend(m, "x", [("a", "#000", "star")])
    with pytest.raises(ValueError, match="position='middle'"):
        mapping.add_legend(m, "x", [("a", "#000")], position="middle")


def test_fit_to_uses_wgs84_bounds(small_park):
    m = mapping.new_map()
    mapping.fit_to(m, small_park.metric("parks"))
    (fit,) = [c for c in m._children.values() if type(c).__name__ == "FitBounds"]
    (lat0, lon0), (lat1, lon1) = fit.bounds
    minx, miny, maxx, maxy = small_park.parks.total_bounds
    assert (lat0, lon0, lat1, lon1) == pytest.approx((miny, minx, maxy, maxx), abs=1e-7)


def test_format_value_units_and_nulls():
    inst = schema.LAYERS["installations"]
    assert mapping.format_value(inst.column("inventory_kg"), 350.0) == "350 kg"
    assert mapping.format_value(inst.column("volume_m3"), 2000.0) == "2,000 m³"
    assert mapping.format_value(inst.column("diameter_m"), 12.5) == "12.5 m"
    assert mapping.format_value(inst.column("volume_m3"), None) == "—"
    assert mapping.format_value(inst.column("kind"), "spherical_tank") == "球罐"
    ent = schema.LAYERS["enterprises"]
    assert mapping.format_value(ent.column("major_hazard_grade"), 2) == "2 级"
    assert mapping.format_value(ent.column("employees"), 1234) == "1,234 人"


def test_ensure_static_assets_copies_leaflet(tmp_path: Path):
    import xstatic.pkg.leaflet as xl

    out = mapping.ensure_static_assets(tmp_path / "leaflet")
    assert (out / "leaflet.js").read_bytes() == (Path(xl.BASE_DIR) / "leaflet.js").read_bytes()
    assert (out / "leaflet.css").exists() and (out / "images" / "layers.png").exists()
    assert xl.VERSION == "1.9.3"  # the Leaflet version folium 0.20 is written for


def test_legend_beside_the_map_matches_the_park(small_park):
    sections = mapping.park_legend_sections(small_park, layers=["enterprises", "rectifications"])
    assert list(sections) == ["企业安全风险等级", "整改事项"]
    assert [i.label for i in sections["企业安全风险等级"]] == [
        "红色（重大风险）",
        "橙色（较大风险）",
        "黄色（一般风险）",
        "蓝色（低风险）",
    ]
    text = mapping.legend_html("图例", sections, standalone=True)
    assert text.startswith("<style>") and '<div class="pr-legend"' in text and "待整改" in text
    m = mapping.park_map(small_park, legends=False, layer_control_collapsed=True, today=TODAY)
    assert not [c for c in m._children.values() if type(c).__name__ == "_Legend"]


def _control_after_last_group(html: str) -> None:
    """Exactly one layer control, created after the last FeatureGroup it may list (else Leaflet throws)."""
    assert html.count("L.control.layers(") == 1
    last_group = max(m.start() for m in re.finditer(r"L\.featureGroup\(", html))
    assert html.index("L.control.layers(") > last_group


def _overlay_names(html: str) -> list[str]:
    block = re.search(r"overlays\s*:\s*\{(.*?)\}", html, flags=re.S).group(1)
    return [json.loads(k) for k in re.findall(r'("(?:[^"\\]|\\.)*")\s*:', block)]


def test_finish_map_moves_the_single_layer_control_after_added_layers(small_park):
    m = mapping.park_map(small_park, today=TODAY, layer_control_collapsed=True)
    zones = gpd.GeoDataFrame(
        {"level": ["a"]},
        geometry=[Point(small_park.installations.to_crs(4326).geometry.iloc[0].centroid.coords[0])],
        crs=4326,
    ).to_crs(small_park.metric_crs)
    zones["geometry"] = zones.buffer(100.0)
    mapping.add_zones(m, zones, level_column="level", name="伤害分区", colors={"a": "#ff0000"})
    assert mapping.finish_map(m) is m
    mapping.finish_map(m)  # idempotent
    controls = [c for c in m._children.values() if isinstance(c, folium.LayerControl)]
    assert len(controls) == 1 and list(m._children.values())[-1] is controls[0]
    assert controls[0].options["collapsed"] is True  # kept from park_map(layer_control_collapsed=True)
    html = m.get_root().render()
    _control_after_last_group(html)
    assert "伤害分区" in _overlay_names(html) and "企业（4）" in _overlay_names(html)
    # streamlit-folium renders the children in order too
    from streamlit_folium import generate_leaflet_string

    _control_after_last_group(generate_leaflet_string(m))


def test_layer_control_never_lists_a_layer_defined_after_it(small_park):
    # a page that forgets finish_map: the map still works, the late layer is just not in the switcher
    m = mapping.park_map(small_park, layers=["enterprises"], today=TODAY)
    folium.FeatureGroup(name="后加图层").add_to(m)
    names = _overlay_names(m.get_root().render())
    assert names == ["企业（4）"]


def test_park_map_without_layer_control_and_add_layer_control_options(small_park):
    m = mapping.park_map(small_park, today=TODAY, layer_control=False)
    assert not any(isinstance(c, folium.LayerControl) for c in m._children.values())
    control = mapping.add_layer_control(m, collapsed=False, position="topleft")
    assert control.options == {"position": "topleft", "collapsed": False, "autoZIndex": True}
    _control_after_last_group(m.get_root().render())
    with pytest.raises(ValueError, match="position='middle'"):
        mapping.add_layer_control(m, position="middle")


def test_enterprise_names_are_written_on_the_map_and_hidden_when_zoomed_out(small_park):
    m = mapping.park_map(small_park, today=TODAY)
    html = m.get_root().render()
    assert html.count('"pr-label"') == len(small_park.enterprises)
    assert "pr-labels-off" in html and "getZoom()" in html
    names = [mapping.short_name(n, place="测试") for n in small_park.enterprises["name"]]
    assert all(_has(html, n) for n in names)
    assert not any(c.isspace() for c in names[0])
    m2 = mapping.park_map(small_park, today=TODAY, labels=False)
    assert '"pr-label"' not in m2.get_root().render()


def test_short_name_and_park_place_name(small_park):
    assert mapping.short_name("江滨氯碱化工有限公司", place="江滨") == "氯碱化工"
    assert mapping.short_name("楚江合成氨有限公司", place="江滨") == "楚江合成氨"
    assert mapping.short_name("江滨股份有限公司", place="江滨") == "江滨"  # nothing left to show otherwise
    assert mapping.park_place_name(small_park.layers) == "测试"
    assert mapping.park_place_name({}) == ""


def test_format_distance_switches_to_km():
    assert mapping.format_distance(416.4) == "416 m"
    assert mapping.format_distance(1493.3) == "1.49 km"
    assert mapping.format_distance(10582.2) == "10.6 km"
    assert mapping.format_distance(152_918.0) == "153 km"
    assert mapping.format_distance(float("nan")) == "—"


def test_scale_bar_is_metric_only_and_legend_can_start_folded(small_park):
    html = mapping.park_map(small_park, today=TODAY, legend_folded=True).get_root().render()
    assert "L.control.scale({imperial: false" in html
    assert "L.control.scale()" not in html
    assert "<details>" in html or "\\u003cdetails\\u003e" in html  # folded: no "open" attribute
    assert "details open" not in html


# --- escaping of text from the data (issue 13, findings 1 and 2): one function per context, in app.mapping.text

_HOSTILE = "A&B <img src=x onerror=alert(1)></script>${alert(3)}\"q'`b`\\ \u2028"


def test_html_text_leaves_no_markup_or_template_character_and_shows_the_text_as_written():
    import html

    out = mapping.html_text(_HOSTILE)
    for ch in "<>\"'`$\\":
        assert ch not in out
    assert html.unescape(out) == _HOSTILE  # the browser shows it as written: escaped once, not twice
    assert mapping.html_text("A&B") == "A&amp;B" and mapping.html_text(3.5) == "3.5"


def test_html_attr_keeps_the_value_inside_its_quotes():
    from html.parser import HTMLParser

    seen: list[tuple[str, list]] = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            seen.append((tag, attrs))

    for quote in "\"'":
        seen.clear()
        Parser().feed(f"<span title={quote}{mapping.html_attr(_HOSTILE)}{quote}>x</span>")
        assert seen == [("span", [("title", _HOSTILE)])]


def test_js_string_is_one_string_literal_that_cannot_end_the_script():
    out = mapping.js_string(_HOSTILE)
    assert json.loads(out) == _HOSTILE  # a JSON string is a JavaScript string literal with the same value
    for bad in ("<", ">", "'", "\u2028"):
        assert bad not in out
    assert mapping.js_string(None) == '"None"'


def test_css_color_accepts_colours_and_refuses_anything_else():
    for ok in ("#d7191c", "#fff", "red", "rgba(0, 0, 0, 0.5)", "hsl(120, 50%, 40%)"):
        assert mapping.css_color(ok) == ok
    for bad in ("red;background:url(x)", '#fff"><script>alert(1)</script>', "expression(alert(1))", ""):
        with pytest.raises(ValueError, match="颜色"):
            mapping.css_color(bad)


def test_no_tooltip_or_popup_text_goes_into_a_javascript_template_literal():
    m = mapping.new_map()
    folium.CircleMarker([30.6, 114.3], tooltip="a ${alert(3)} `b` \\").add_to(m)  # folium makes a Tooltip
    folium.PolyLine([[30.6, 114.3], [30.7, 114.4]], popup="p ${alert(5)} `c`").add_to(m)
    folium.Marker([30.6, 114.3], tooltip=mapping.TextTooltip.from_text("<b>x</b>")).add_to(m)
    html = m.get_root().render()
    assert "bindTooltip(\n" not in html and "bindTooltip(`" not in html.replace(" ", "")
    assert "$(`" not in html  # no folium template-literal popup
    assert html.count(".bindTooltip(") == 2 and html.count(".bindPopup(") == 1
    contents = [json.loads(s) for s in re.findall(r'\.bindTooltip\(("(?:[^"\\]|\\.)*")', html)]
    assert contents == ["<div>a ${alert(3)} `b` \\</div>", "<div>&lt;b&gt;x&lt;/b&gt;</div>"]
    popup = json.loads(re.search(r'\.setContent\(("(?:[^"\\]|\\.)*")\)', html).group(1))
    assert "p ${alert(5)} `c`" in popup
    assert m.get_root().render() == html  # sealing again changes nothing (st_folium renders twice)


def test_layer_names_and_legend_labels_are_escaped_once(small_park):
    m = mapping.park_map(small_park, layers=["enterprises"], today=TODAY, layer_control=False)
    folium.FeatureGroup(name="区<img src=x onerror=alert(1)>&").add_to(m)
    mapping.add_legend(m, "图例<b>", [("A&B<script>", "#ff0000")])
    mapping.finish_map(m)
    html = m.get_root().render()
    assert "<img src=x" not in html and "<script>" not in html.replace("<script>\n", "").replace(
        "<script>var", ""
    )
    assert _overlay_names(html)[-1] == "区&lt;img src=x onerror=alert(1)&gt;&amp;"  # Leaflet: innerHTML
    body = mapping.legend_html("图例<b>", [("A&B<script>", "#ff0000")])
    assert "A&amp;B&lt;script&gt;" in body and "&amp;amp;" not in body and "图例&lt;b&gt;" in body
    with pytest.raises(ValueError, match="颜色"):
        mapping.legend_html("t", [("a", 'red"><img src=x onerror=alert(1)>')])


def test_park_map_escapes_every_text_field_of_every_layer(small_park):
    from geodata import Park

    layers = {k: v.copy() for k, v in small_park.layers.items() if v is not None}
    for gdf in layers.values():
        for col in ("name", "title", "responsible", "item_id"):
            if col in gdf:
                gdf[col] = [f"{v}{_HOSTILE}" for v in gdf[col]]
    park = Park.from_layers(layers)  # (trims the trailing whitespace of the texts)
    m = mapping.park_map(park, today=TODAY)
    html = m.get_root().render()
    for raw in ("<img src=x", "${alert(3)}", "`b`", "</script>$"):
        assert raw not in html
    # tooltips and popups show every name escaped once (folium's GeoJSON tooltips use innerHTML)
    names = [p["企业名称"] for p in _properties(_groups(m)["企业（4）"])]
    assert names == [mapping.html_text(n) for n in park.enterprises["name"]]
    assert "&lt;img src=x onerror=alert(1)&gt;" in names[0] and "&amp;amp;" not in names[0]
    titles = [p["隐患/问题描述"] for p in _properties(_groups(m)["整改事项（一园一策）（4）"])]
    assert titles == [mapping.html_text(t) for t in park.rectifications["title"]]


@pytest.mark.parametrize("which", ["demo", "large"])
def test_feature_collection_is_what_to_geo_dict_gives(which, demo_park, tmp_path):
    """app.mapping.geojson.feature_collection (by columns, GEOS' GeoJSON writer) writes the same document as
    geopandas' GeoDataFrame.to_geo_dict(drop_id=False) (row by row), on every layer as the map shows it (Chinese
    text columns) and as the park holds it (numbers, missing values, dates), and on an empty, a missing and a
    MultiPolygon geometry."""
    import json
    from datetime import date

    import geopandas as gpd
    import numpy as np
    import shapely

    from app.mapping.geojson import feature_collection
    from app.mapping.text import _display_frame
    from geodata import schema

    if which == "demo":
        park = demo_park
    else:
        from geodata.io import load_park
        from geodata.samples.synthetic import generate_park

        path = tmp_path / "large.gpkg"
        generate_park(path, seed=0)
        park = load_park(path)

    def same(frame):
        want = json.dumps(frame.to_geo_dict(drop_id=False), sort_keys=True, default=str)
        assert json.dumps(feature_collection(frame), sort_keys=True, default=str) == want

    checked = 0
    for layer, gdf in park.layers.items():
        if layer not in schema.LAYERS or gdf.empty:
            continue
        frame, _, _ = _display_frame(layer, gdf, park.layers, today=date(2026, 12, 8))
        frame = frame.set_geometry(shapely.transform(frame.geometry.to_numpy(), lambda xy: np.round(xy, 6)))
        same(frame)
        same(gdf.to_crs(4326))
        checked += 1
    assert checked >= 8
    odd = gpd.GeoDataFrame(
        {"名称": ["甲", None, "丙", "丁"], "数值": [1.5, float("nan"), 3, None]},
        geometry=[
            shapely.from_wkt("POLYGON EMPTY"),
            None,
            shapely.from_wkt("MULTIPOLYGON(((0 0,1 0,1 1,0 0)),((2 2,3 2,3 3,2 2)))"),
            shapely.Point(113.5, 29.8),
        ],
        crs=4326,
        index=[3, 5, 7, 9],
    )
    same(odd)

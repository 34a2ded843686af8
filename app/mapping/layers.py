"""One park layer on the map: its symbols (colours from :mod:`app.present`), tooltip, popup and name labels."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

import branca.element
import folium
import geopandas as gpd
import numpy as np
import shapely

from app.mapping.geojson import feature_collection
from app.mapping.links import LAYER_PAGES, PopupFooter, page_link_html
from app.mapping.text import (
    FIVE_ROOMS,
    _display_frame,
    _is_null,
    _popup,
    _tooltip,
    css_color,
    html_text,
    overdue_mask,
    park_place_name,
    short_name,
)
from app.present import (
    BUILDING_COLOR,
    EMERGENCY_COLORS,
    FIVE_ROOMS_COLOR,
    OVERDUE_COLOR,
    PARK_BOUNDARY_COLOR,
    PHASE_COLORS,
    PIPELINE_COLORS,
    PROTECTION_COLORS,
    RISK_COLORS,
    ROAD_COLORS,
    STATUS_COLORS,
    UNKNOWN_COLOR,
)
from geodata import schema

__all__ = ["add_layer", "add_declutter"]

#: Tolerance of the drawn outlines [°]: 2e-6° is about 0.2 m (0.22 m of latitude), under one pixel at zoom 18
#: (0.6 m/px at 30°N).
_SIMPLIFY_DEG = 2e-6

_INSTALLATION_RADIUS: dict[str, int] = {
    "spherical_tank": 7,
    "storage_tank": 6,
    "bullet_tank": 6,
    "process_unit": 7,
    "reactor": 7,
    "column": 6,
    "electrolyser": 7,
}


def add_layer(
    m: folium.Map | folium.FeatureGroup,
    park_layers: Mapping[str, gpd.GeoDataFrame],
    layer: str,
    *,
    today: date | None = None,
    show: bool = True,
    labels: bool = True,
    page_links: bool = False,
) -> folium.FeatureGroup | None:
    """Draw one park layer (schema name) with its styling, tooltip and popup; ``None`` when it is empty.

    Parameters
    ----------
    m : folium.Map or FeatureGroup
    park_layers : mapping layer -> GeoDataFrame
        All layers of the park (used to show enterprise/park names for reference columns).
    layer : str
        One of :data:`geodata.schema.LAYERS`.
    today : date, optional
        Reference date for "overdue" rectifications (default: today).
    show : bool
        Whether the layer is on when the map opens.
    labels : bool
        Write the short enterprise names on the map (enterprises layer only; the labels switch with the layer).
    page_links : bool
        End each popup with a link to the page that explains the layer (:data:`app.mapping.links.LAYER_PAGES`;
        for maps inside the app, not for saved HTML files).
    """
    if layer not in schema.LAYERS:
        raise ValueError(f"图层 layer={layer!r} 未定义；可选：{', '.join(schema.LAYERS)}")
    gdf = park_layers.get(layer)
    if gdf is None or gdf.empty:
        return None
    today = today or date.today()
    frame, tip, pop = _display_frame(layer, gdf, park_layers, today=today)
    # 1e-6° (about 0.1 m) is finer than any park drawing: fewer digits, a smaller page; outlines simplified within
    # _SIMPLIFY_DEG (about 0.2 m, under a pixel at the maps' deepest zoom 18): a tank's 33-point circle keeps ~12
    # points, the large park's installations 49,500 -> 18,000 vertices (issue 19)
    geoms = shapely.simplify(frame.geometry.to_numpy(), _SIMPLIFY_DEG, preserve_topology=True)
    frame = frame.set_geometry(shapely.transform(geoms, lambda xy: np.round(xy, 6)), crs=4326)
    # short property keys ("p0", "p1", …): the Chinese names are the tooltip's and popup's labels; written as keys
    # of every feature they were a third of the large park's overview page
    names = [c for c in frame.columns if c != frame.geometry.name]
    keys = {n: f"p{i}" for i, n in enumerate(names)}
    style, marker = _layer_style(layer, gdf, today=today)
    # frame has a RangeIndex, so GeoJSON feature ids are "0".."n-1": styles are looked up by id, not shipped
    # as a property of every feature
    spec = schema.LAYERS[layer]
    group = folium.FeatureGroup(name=f"{spec.label_zh}（{len(gdf)}）", show=show)
    geojson = folium.GeoJson(
        feature_collection(frame.rename(columns=keys)),  # frame.to_geo_dict(drop_id=False), by columns
        name=spec.label_zh,
        style_function=lambda f: style[int(f["id"])],
        highlight_function=(lambda _f: {"weight": 3, "fillOpacity": 0.6})
        if marker is None or isinstance(marker, folium.CircleMarker)
        else None,
        tooltip=_tooltip([keys[f] for f in tip], names=tip),
        popup=_popup([keys[f] for f in pop], names=pop),
        marker=marker,
        control=False,
    ).add_to(group)
    if page_links and layer in LAYER_PAGES:  # a constant link under every popup, no text from the data
        PopupFooter(page_link_html(*LAYER_PAGES[layer])).add_to(geojson)
    if labels and layer == "enterprises" and "name" in gdf:
        _add_name_labels(group, gdf, place=park_place_name(park_layers))
    group.add_to(m)
    return group


#: Smallest on-screen width of a typical enterprise at which its name is written on the map. [px]
_LABEL_MIN_WIDTH_PX = 40
_WEB_MERCATOR_M_PER_PX_Z0 = 156_543.03392  # metres per pixel at zoom 0 on the equator (256 px tiles)
_M_PER_DEG_LAT = 111_320.0  # [m/°], spherical approximation; only sizes a label threshold


class _LabelZoom(branca.element.MacroElement):
    """Hide the name labels of a group when zoomed out so far that they would pile up (CSS class on the map), and
    at every zoom hide a label that would overlap one drawn before it (the labels are added largest feature first,
    so the larger enterprises keep theirs)."""

    _template = branca.element.Template(
        """
        {% macro script(this, kwargs) %}
        (function (group) {
            function declutter(map) {
                var kept = [];
                var labels = map.getContainer().querySelectorAll(".pr-label div, .pr-clabel div");
                for (var i = 0; i < labels.length; i++) {
                    var el = labels[i];
                    el.style.visibility = "";
                    var r = el.getBoundingClientRect();
                    if (r.width === 0 && r.height === 0) { continue; }
                    var hit = kept.some(function (k) {
                        return r.left < k.right && r.right > k.left && r.top < k.bottom && r.bottom > k.top;
                    });
                    if (hit) { el.style.visibility = "hidden"; } else { kept.push(r); }
                }
            }
            function hook(map) {
                function update() {
                    {%- if this.min_zoom is not none %}
                    map.getContainer().classList.toggle("pr-labels-off", map.getZoom() < {{ this.min_zoom }});
                    {%- endif %}
                    declutter(map);
                }
                map.on("zoomend", update);
                group.on("add", update);
                update();
            }
            if (group._map) { hook(group._map); } else { group.once("add", function () { hook(group._map); }); }
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, min_zoom: float | None) -> None:
        super().__init__()
        self._name = "LabelZoom"
        self.min_zoom = None if min_zoom is None else round(float(min_zoom), 2)


def add_declutter(group: folium.FeatureGroup) -> None:
    """Hide, at every zoom, the labels of the map (enterprise names, contour levels: ``.pr-label``/``.pr-clabel``)
    that would overlap one drawn before them; for a group that adds labels of its own."""
    _LabelZoom(None).add_to(group)


def _label_min_zoom(ll: gpd.GeoDataFrame) -> float:
    """Zoom at which the median enterprise (WGS84 bounds) is :data:`_LABEL_MIN_WIDTH_PX` wide on screen."""
    b = ll.geometry.bounds
    lat = np.deg2rad(float(((b["miny"] + b["maxy"]) / 2).median()))
    width_m = float((b["maxx"] - b["minx"]).median()) * _M_PER_DEG_LAT * np.cos(lat)
    if not np.isfinite(width_m) or width_m <= 0:
        return 0.0
    # Web Mercator: metres per pixel = C·cos(lat) / 2**zoom
    return float(np.log2(_LABEL_MIN_WIDTH_PX * _WEB_MERCATOR_M_PER_PX_Z0 * np.cos(lat) / width_m))


def _add_name_labels(group: folium.FeatureGroup, gdf: gpd.GeoDataFrame, *, place: str = "") -> None:
    """Non-interactive text labels just inside the top edge of each polygon (centred on its bounding box), hidden
    when zoomed out too far to read them."""
    ll = gdf.to_crs(4326) if gdf.crs is not None else gdf
    _LabelZoom(_label_min_zoom(ll)).add_to(group)
    # largest first: where two labels would overlap, the larger feature keeps its label
    b = ll.geometry.bounds  # bounding-box size in degrees: an order, not an area (no geographic-CRS warning)
    ll = ll.iloc[np.argsort(-((b["maxx"] - b["minx"]) * (b["maxy"] - b["miny"])).to_numpy(), kind="stable")]
    for name, geom in zip(ll["name"], ll.geometry, strict=True):
        if _is_null(name) or geom is None or geom.is_empty:
            continue
        minx, _, maxx, maxy = geom.bounds
        folium.Marker(
            location=[maxy, (minx + maxx) / 2],
            icon=folium.DivIcon(
                html=f"<div>{html_text(short_name(name, place=place))}</div>",
                icon_size=(0, 0),
                icon_anchor=(0, 0),
                class_name="pr-label",
            ),
            interactive=False,
            keyboard=False,
            z_index_offset=1000,  # above the point markers (rectification diamonds)
        ).add_to(group)


def _parks_style(gdf: gpd.GeoDataFrame, today: date) -> tuple[list[dict[str, Any]], Any]:
    return [{"color": PARK_BOUNDARY_COLOR, "weight": 2.5, "dashArray": "8 5", "fill": False}] * len(gdf), None


def _enterprises_style(gdf: gpd.GeoDataFrame, today: date) -> tuple[list[dict[str, Any]], Any]:
    risk = _strings(gdf, "risk_color", "blue")
    return [
        {
            "color": RISK_COLORS.get(r, "#777777"),
            "weight": 1.5,
            "fillColor": RISK_COLORS.get(r, "#777777"),
            "fillOpacity": 0.28,
        }
        for r in risk
    ], None


def _installations_style(gdf: gpd.GeoDataFrame, today: date) -> tuple[list[dict[str, Any]], Any]:
    phase = _strings(gdf, "phase", "")
    kind = _strings(gdf, "kind", "")
    proc = gdf["hazardous_process"].notna().tolist() if "hazardous_process" in gdf else [False] * len(gdf)
    styles = []
    for ph, k, hp, gt in zip(phase, kind, proc, gdf.geom_type, strict=True):
        fill = PHASE_COLORS.get(ph, UNKNOWN_COLOR)
        point = gt == "Point"
        styles.append(
            {
                "radius": _INSTALLATION_RADIUS.get(k, 5),
                # footprints are a few pixels at park scale: a wide outline keeps them visible
                "color": "#000000" if hp else ("#333333" if point else fill),
                "weight": (2.5 if point else 3.5) if hp else (1 if point else 4),
                "fillColor": fill,
                "fillOpacity": 0.9,
            }
        )
    return styles, folium.CircleMarker(radius=5, fill=True)


def _pipelines_style(gdf: gpd.GeoDataFrame, today: date) -> tuple[list[dict[str, Any]], Any]:
    return [
        {
            "color": PIPELINE_COLORS.get(k, PIPELINE_COLORS["process"]),
            "weight": 4 if k == "transmission" else 3,
            "dashArray": "10 6" if k == "transmission" else None,
            "opacity": 0.9,
        }
        for k in _strings(gdf, "kind", "process")
    ], None


def _sensitive_targets_style(gdf: gpd.GeoDataFrame, today: date) -> tuple[list[dict[str, Any]], Any]:
    cls = _strings(gdf, "protection_class", "")
    return [
        {
            "radius": 7,
            "color": "#ffffff",
            "weight": 2,
            "fillColor": PROTECTION_COLORS.get(c, UNKNOWN_COLOR),
            "fillOpacity": 0.95,
        }
        if gt == "Point"
        else {
            "color": PROTECTION_COLORS.get(c, UNKNOWN_COLOR),
            "weight": 1.5,
            "fillColor": PROTECTION_COLORS.get(c, UNKNOWN_COLOR),
            "fillOpacity": 0.35,
        }
        for c, gt in zip(cls, gdf.geom_type, strict=True)
    ], folium.CircleMarker(radius=7, fill=True)


def _buildings_style(gdf: gpd.GeoDataFrame, today: date) -> tuple[list[dict[str, Any]], Any]:
    return [
        {"color": FIVE_ROOMS_COLOR, "weight": 2, "fillColor": FIVE_ROOMS_COLOR, "fillOpacity": 0.75}
        if u in FIVE_ROOMS
        else {"color": "#5a5a5a", "weight": 1, "fillColor": BUILDING_COLOR, "fillOpacity": 0.55}
        for u in _strings(gdf, "use", "")
    ], None


def _rectifications_style(gdf: gpd.GeoDataFrame, today: date) -> tuple[list[dict[str, Any]], Any]:
    status = _strings(gdf, "status", "open")
    overdue = overdue_mask(gdf, today)
    styles = []
    for s, od, gt in zip(status, overdue, gdf.geom_type, strict=True):
        c = STATUS_COLORS.get(s, UNKNOWN_COLOR)
        if gt == "Point":
            cls = "pr-diamond pr-diamond-overdue" if od else "pr-diamond"
            styles.append({"html": f'<div class="{cls}" style="background:{css_color(c)}"></div>'})
        else:
            styles.append(
                {
                    "color": OVERDUE_COLOR if od else c,
                    "weight": 2.5 if od else 1.5,
                    "fillColor": c,
                    "fillOpacity": 0.3,
                    "dashArray": "4 3",
                }
            )
    icon = folium.DivIcon(html="", icon_size=(8, 8), icon_anchor=(4, 4), class_name="pr-rect")
    return styles, folium.Marker(icon=icon)


def _roads_style(gdf: gpd.GeoDataFrame, today: date) -> tuple[list[dict[str, Any]], Any]:
    return [
        {
            "color": ROAD_COLORS.get(k, ROAD_COLORS["park"]),
            "weight": 6 if k == "highway" else 4,
            "opacity": 0.9,
        }
        for k in _strings(gdf, "kind", "park")
    ], None


def _assembly_points_style(gdf: gpd.GeoDataFrame, today: date) -> tuple[list[dict[str, Any]], Any]:
    color = EMERGENCY_COLORS["assembly"]
    return [{"color": "#ffffff", "weight": 2, "fillColor": color, "fillOpacity": 0.95}] * len(gdf), (
        folium.CircleMarker(radius=6, fill=True)
    )


#: Style of each layer: layer -> f(gdf, today) -> (per-feature style dicts, point marker template or None).
_STYLES: dict[str, Callable[[gpd.GeoDataFrame, date], tuple[list[dict[str, Any]], Any]]] = {
    "parks": _parks_style,
    "enterprises": _enterprises_style,
    "installations": _installations_style,
    "pipelines": _pipelines_style,
    "sensitive_targets": _sensitive_targets_style,
    "buildings": _buildings_style,
    "rectifications": _rectifications_style,
    "roads": _roads_style,
    "assembly_points": _assembly_points_style,
}


def _strings(gdf: gpd.GeoDataFrame, column: str, default: str) -> list[str]:
    """A column as strings ("" for null), or ``default`` for every feature when the column is missing."""
    if column not in gdf:
        return [default] * len(gdf)
    return gdf[column].astype("string").fillna("").tolist()


def _layer_style(layer: str, gdf: gpd.GeoDataFrame, *, today: date) -> tuple[list[dict[str, Any]], Any]:
    """Per-feature style dicts and the point marker template of one layer."""
    if layer not in _STYLES:
        raise ValueError(f"图层 layer={layer!r} 没有绘图样式；可选：{', '.join(schema.LAYERS)}")
    return _STYLES[layer](gdf, today)

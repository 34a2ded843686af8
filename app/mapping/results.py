"""Stored analysis results on the one map (园区一张图): one layer group per result kind.

Each group of :func:`add_result_layers` is one Leaflet ``FeatureGroup`` holding one GeoJSON layer (a second one
only for the points of a kind that also has areas or lines), listed in the layer switcher with its legend, the time
it was computed (Beijing time) and ``已过期`` when its inputs changed since (:func:`app.results.is_stale`). Every
feature opens a popup with its details (text from the data escaped with :func:`~app.mapping.text.html_text`) and a
link to the page that explains it (:data:`RESULT_PAGES`).

The stored layers are read through the contract of ``geodata.results.StoredResult`` (EPSG:4326 GeoDataFrames with
Chinese ``*_zh`` columns; see ``/work/wave4_results_schema.md`` in the project notes): this module only draws them.

Payload: geometries are simplified to :data:`SIMPLIFY_M` and rounded to :data:`COORD_DECIMALS` decimals of a
degree (about 0.1 m) before they are written; styles are looked up by feature id, not repeated per feature.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import branca.element
import folium
import geopandas as gpd
import numpy as np
import shapely

from app.mapping import links
from app.mapping.geojson import feature_collection
from app.mapping.layers import add_declutter
from app.mapping.legend import LEGEND_CSS, LegendItem, legend_html
from app.mapping.results_style import (
    RESULT_STYLES,
    KindStyle,
    result_legend,
)
from app.mapping.text import _popup, _tooltip, html_text
from app.present.emergency import beijing_text

__all__ = [
    "RESULT_PAGES",
    "RESULT_TITLES",
    "RESULT_ORDER",
    "DEFAULT_TOP_EDGES",
    "SIMPLIFY_M",
    "COORD_DECIMALS",
    "ResultGroup",
    "add_result_layers",
    "results_legend_html",
    "page_link_html",
    "display_geometry",
]

#: The page that explains each result kind: (file stem in ``app/views`` = the page's URL path, the page's TITLE).
RESULT_PAGES: dict[str, tuple[str, str]] = {
    "risk": ("risk", "风险分布"),
    "domino": ("domino", "多米诺效应"),
    "five_rooms": ("siting", "选址与防护距离"),
    "major_hazards": ("major_hazard", "重大危险源"),
    "hca": ("pipelines", "管道"),
    "emergency": ("emergency", "应急疏散"),
}
#: Name of each result group in the layer switcher and the legend.
RESULT_TITLES: dict[str, str] = {
    "risk": "个人风险等值线",
    "domino": "多米诺升级边",
    "five_rooms": "五室校核",
    "major_hazards": "重大危险源",
    "hca": "管道高后果区",
    "emergency": "应急疏散（最近一次）",
}
#: Drawing order, bottom first: wide areas under small ones under lines.
RESULT_ORDER: tuple[str, ...] = ("risk", "hca", "emergency", "major_hazards", "five_rooms", "domino")
#: Escalation edges drawn by default (the most probable ones); all on demand.
DEFAULT_TOP_EDGES = 20
#: Simplification tolerance of the drawn geometries. [m]
SIMPLIFY_M = 1.0
#: Decimals of a degree kept in the drawn coordinates (1e-6° ≈ 0.1 m).
COORD_DECIMALS = 6
# Leaflet panes: areas under the park layers (overlayPane is 400: enterprises and installations stay clickable),
# escalation edges and result points above them.
_PANE_UNDER = "pr-results-under"
_PANE_OVER = "pr-results-over"
_M_PER_DEG = 111_320.0  # [m/°] of latitude, spherical approximation: sizes tolerances and arrow heads only


@dataclass(frozen=True)
class ResultGroup:
    """A result group drawn on the map.

    Attributes
    ----------
    kind : str
        Result kind (``risk``, ``domino`` …).
    name : str
        Its name in the layer switcher (with the number of features drawn).
    meta : str
        When it was computed (Beijing time) and by whom, ``已过期`` when stale, what was left out.
    legend : list of LegendItem
        Its legend rows (also written into the layer switcher).
    count : int
        Features drawn. [-]
    stale : bool
        Whether its inputs changed since it was computed.
    """

    kind: str
    name: str
    meta: str
    legend: list[LegendItem]
    count: int
    stale: bool


def page_link_html(kind: str) -> str:
    """A link (HTML) from a popup to the page that explains results of ``kind``; opens in the whole window."""
    return links.page_link_html(*RESULT_PAGES[kind])


def _round_coords(geoms: np.ndarray) -> np.ndarray:
    return shapely.transform(geoms, lambda xy: np.round(xy, COORD_DECIMALS))


def display_geometry(gdf: gpd.GeoDataFrame, *, simplify_m: float = SIMPLIFY_M) -> gpd.GeoSeries:
    """The geometries of ``gdf`` as drawn: WGS84, simplified to ``simplify_m`` [m] (topology kept), coordinates
    rounded to :data:`COORD_DECIMALS` decimals."""
    if gdf.crs is None:
        raise ValueError("结果图层缺少坐标参考系（crs 为 None）：应为 EPSG:4326，请先用 set_crs 指定")
    geoms = gdf.geometry.to_crs(4326)
    if simplify_m > 0:
        geoms = geoms.simplify(simplify_m / _M_PER_DEG, preserve_topology=True)
    return gpd.GeoSeries(_round_coords(geoms.to_numpy()), index=gdf.index, crs=4326)


def _arrow_heads(lines: gpd.GeoSeries, *, size_m: float = 15.0) -> list[Any]:
    """A triangle at the end of each WGS84 line, pointing along it (sized in metres, at most 40 % of the line)."""
    heads = []
    for line in lines:
        if line is None or line.is_empty:
            heads.append(None)
            continue
        (x0, y0), (x1, y1) = line.coords[-2], line.coords[-1]
        k = math.cos(math.radians(y1))  # metres per degree of longitude / of latitude
        dx, dy = (x1 - x0) * k * _M_PER_DEG, (y1 - y0) * _M_PER_DEG
        length = math.hypot(dx, dy)
        if length <= 0:
            heads.append(None)
            continue
        ux, uy = dx / length, dy / length
        s = min(size_m, 0.4 * length)
        bx, by = -ux * s, -uy * s  # base centre relative to the tip [m]
        pts = [(0.0, 0.0), (bx - uy * s * 0.45, by + ux * s * 0.45), (bx + uy * s * 0.45, by - ux * s * 0.45)]
        heads.append(shapely.Polygon([(x1 + px / (k * _M_PER_DEG), y1 + py / _M_PER_DEG) for px, py in pts]))
    return heads


def _ensure_panes(m: folium.Map) -> None:
    if getattr(m, "_parkrisk_result_panes", False):
        return
    folium.map.CustomPane(_PANE_UNDER, z_index=390, pointer_events=True).add_to(m)
    folium.map.CustomPane(_PANE_OVER, z_index=450, pointer_events=True).add_to(m)
    m._parkrisk_result_panes = True


@dataclass(frozen=True)
class _Layer:
    """One GeoJSON layer of a group, ready to draw: its FeatureCollection (ids "0".."n-1"), one style per feature,
    its popup fields (none: not interactive)."""

    data: dict
    styles: tuple[dict[str, Any], ...]
    fields: tuple[str, ...]
    pane: str
    points: bool = False


def _draw(group: folium.FeatureGroup, layer: _Layer) -> None:
    """One GeoJSON layer with its styles by feature id; a tooltip of the first two fields and a popup of all, or
    neither (arrow heads: not interactive)."""
    styles = layer.styles
    opts: dict[str, Any] = {} if layer.points else {"pane": layer.pane}
    if layer.fields:
        tip = [f for f in layer.fields if f != "详情"][:2]
        opts.update(tooltip=_tooltip(tip), popup=_popup(list(layer.fields)))
    else:
        opts["interactive"] = False
    folium.GeoJson(
        layer.data,
        style_function=lambda f: styles[int(f["id"])],
        marker=folium.CircleMarker(radius=6, fill=True) if layer.points else None,
        control=False,
        **opts,
    ).add_to(group)


def _heads_layer(lines: gpd.GeoSeries, styles: Sequence[dict[str, Any]], *, pane: str) -> _Layer | None:
    """The arrow heads of ``lines`` (WGS84) in their lines' colours, without properties (the line under the head
    carries the popup); ``None`` when no line has a length."""
    heads = _round_coords(np.array(_arrow_heads(lines), dtype=object))
    keep = [h is not None and not h.is_empty for h in heads]
    frame = gpd.GeoDataFrame(geometry=[h for h, k in zip(heads, keep, strict=True) if k], crs=4326)
    if frame.empty:
        return None
    head_styles = tuple(
        {"color": s["color"], "fillColor": s["color"], "fill": True, "fillOpacity": 1.0, "weight": 1}
        for s, k in zip(styles, keep, strict=True)
        if k
    )
    return _Layer(feature_collection(frame), head_styles, (), pane)


class _GroupMeta(branca.element.MacroElement):
    """Nothing drawn: keeps the kind of a result group in the page (``data-kind`` of its switcher row is not
    available in Leaflet), for tests and scripts that look for a group by kind."""

    _template = branca.element.Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.options.prKind = {{ this.kind|tojson }};
        {% endmacro %}
        """
    )

    def __init__(self, kind: str) -> None:
        super().__init__()
        self._name = "ResultKind"
        self.kind = kind


def _control_legend(meta: str, stale: bool, items: Sequence[LegendItem]) -> str:
    stale_html = '<span class="pr-lc-stale">已过期</span> · ' if stale else ""
    rows = legend_html("", items).replace('<div class="pr-legend-title"></div>', "")
    return (
        f'<div class="pr-legend pr-lc-legend"><div class="pr-lc-meta">{stale_html}{html_text(meta)}</div>'
        f"{rows}</div>"
    )


def _meta_text(stored: Any, extra: str = "") -> str:
    when = getattr(stored, "computed_at", None)
    by = str(getattr(stored, "computed_by", "") or "").strip()
    parts = [f"{beijing_text(when)} 计算" if when is not None else "计算时间不明"]
    if by:
        parts.append(f"计算人：{by}")
    if extra:
        parts.append(extra)
    return " · ".join(parts)


def add_result_layers(
    m: folium.Map,
    results: Mapping[str, Any],
    *,
    stale: Mapping[str, bool] | None = None,
    sensitive: bool = False,
    all_edges: bool = False,
    top_edges: int = DEFAULT_TOP_EDGES,
    show: bool | Callable[[str], bool] = True,
) -> list[ResultGroup]:
    """Draw each stored result as one layer group with its legend in the layer switcher.

    Parameters
    ----------
    m : folium.Map
        Call :func:`app.mapping.finish_map` afterwards (the switcher must come after the groups it lists).
    results : mapping kind -> StoredResult
        Stored results (``geodata.results.load_result``); a kind that is missing or ``None`` is skipped.
        Results must already be redacted for the user (:func:`app.auth.redact_result`).
    stale : mapping kind -> bool, optional
        Whether each result is out of date (``app.results.is_stale``).
    sensitive : bool
        Whether the user may read sensitive figures (:func:`app.auth.may_read_sensitive`): without it the GB 18218
        R value of major hazards is not written into the map.
    all_edges : bool
        Draw every escalation edge instead of the ``top_edges`` most probable ones.
    top_edges : int
        Escalation edges drawn by default (by ``rank``, 1 = most probable). [-]
    show : bool or callable kind -> bool
        Whether each group is on when the map opens.

    Returns
    -------
    list of ResultGroup
        The groups drawn, in drawing order (for a legend beside the map).
    """
    stale = dict(stale or {})
    drawn: list[ResultGroup] = []
    for kind in RESULT_ORDER:
        stored = results.get(kind)
        if stored is None:
            continue
        args = (bool(stale.get(kind, False)), bool(sensitive), bool(all_edges), int(top_edges))
        prepared = _prepared(kind, stored, *args)
        if prepared is None:
            continue
        info, layers, labels = prepared
        _ensure_panes(m)
        group = folium.FeatureGroup(name=info.name, show=show(kind) if callable(show) else bool(show))
        for layer in layers:
            _draw(group, layer)
        _draw_labels(group, labels)
        group.control_legend_html = _control_legend(
            info.meta.removeprefix("已过期 · "), info.stale, info.legend
        )
        _GroupMeta(kind).add_to(group)
        group.add_to(m)
        drawn.append(info)
    return drawn


#: A text written on the map: (lat, lon) [°] of its anchor and its HTML (escaped).
_Label = tuple[float, float, str]


def _prepared(
    kind: str, stored: Any, *args: Any
) -> tuple[ResultGroup, tuple[_Layer, ...], tuple[_Label, ...]] | None:
    """:func:`_prepare`, kept for the same stored object and options (shared by the sessions: the overview draws
    the same stored results for every visitor; the layers are read-only)."""
    from app.cache import shared

    cache = shared("result_layers", max_entries=32)
    key = (kind, id(stored), *args)
    hit = cache.get_or_compute(key, lambda: (stored, _prepare(kind, stored, *args)))
    if hit[0] is not stored:  # the id of a dropped object was reused: compute, do not keep
        return _prepare(kind, stored, *args)
    return hit[1]


def _prepare(
    kind: str, stored: Any, is_stale: bool, sensitive: bool, all_edges: bool, top: int
) -> tuple[ResultGroup, tuple[_Layer, ...], tuple[_Label, ...]] | None:
    """The group of one stored result, ready to draw: its name, meta line, legend and GeoJSON layers."""
    style: KindStyle = RESULT_STYLES[kind]
    layers = {k: v for k, v in (getattr(stored, "layers", None) or {}).items() if v is not None and len(v)}
    summary = getattr(stored, "summary", {}) or {}
    parts = [
        p
        for p in style.parts(layers, summary, sensitive=sensitive, all_edges=all_edges, top=top)
        if len(p.frame)
    ]
    if not parts:
        return None
    count = sum(p.count for p in parts)
    name = f"{RESULT_TITLES[kind]}（{count}）" + ("（已过期）" if is_stale else "")
    meta = _meta_text(stored, style.note(layers, all_edges=all_edges, top=top))
    when = beijing_text(stored.computed_at) if getattr(stored, "computed_at", None) else "—"
    out: list[_Layer] = []
    labels: list[_Label] = []
    for part in parts:
        frame = part.frame.copy()
        frame["计算时间"] = html_text(when + ("（已过期，请重新计算）" if is_stale else ""))
        frame["详情"] = page_link_html(kind)
        geom = display_geometry(part.frame, simplify_m=part.simplify_m)
        frame = gpd.GeoDataFrame(
            frame.drop(columns=part.frame.geometry.name), geometry=geom.to_numpy(), crs=4326
        )
        pane = _PANE_OVER if (part.points or part.arrows) else _PANE_UNDER
        fields = tuple(c for c in frame.columns if c != frame.geometry.name)
        styles = tuple(dict(s, pane=pane) for s in part.styles) if part.points else tuple(part.styles)
        out.append(
            _Layer(feature_collection(frame.reset_index(drop=True)), styles, fields, pane, part.points)
        )
        if part.arrows and (heads := _heads_layer(geom, part.styles, pane=pane)) is not None:
            out.append(heads)
        if part.label_column:
            labels += _top_labels(geom, part.frame[part.label_column])
    info = ResultGroup(
        kind,
        name,
        ("已过期 · " if is_stale else "") + meta,
        result_legend(kind, layers, sensitive=sensitive),
        count,
        is_stale,
    )
    return info, tuple(out), tuple(labels)


def _top_labels(geoms: gpd.GeoSeries, texts: Sequence[str]) -> list[_Label]:
    """A label at the northernmost vertex of each area's largest polygon (the contour's top edge), text already
    escaped."""
    out = []
    for geom, text in zip(geoms, texts, strict=True):
        if geom is None or geom.is_empty:
            continue
        polys = list(getattr(geom, "geoms", [geom]))
        biggest = max(polys, key=lambda g: g.area)
        xy = np.asarray(getattr(biggest, "exterior", biggest).coords)
        x, y = xy[int(np.argmax(xy[:, 1]))]
        out.append((float(y), float(x), str(text)))
    return out


def _draw_labels(group: folium.FeatureGroup, labels: Sequence[_Label]) -> None:
    """The labels as non-interactive text markers, decluttered at every zoom."""
    if not labels:
        return
    for lat, lon, text in labels:
        folium.Marker(
            location=[lat, lon],
            icon=folium.DivIcon(
                html=f"<div>{text}</div>", icon_size=(0, 0), icon_anchor=(0, 0), class_name="pr-clabel"
            ),
            interactive=False,
            keyboard=False,
        ).add_to(group)
    add_declutter(group)


def results_legend_html(groups: Sequence[ResultGroup]) -> str:
    """The legends of the drawn result groups as one standalone HTML box (beside the map): each group's name, its
    time and state, its rows."""
    if not groups:
        return ""
    sections = "".join(
        f'<div class="pr-legend-section"><div class="pr-legend-subtitle">{html_text(g.name)}</div>'
        f'<div style="color:#666">{html_text(g.meta)}</div>'
        + legend_html("", g.legend).replace('<div class="pr-legend-title"></div>', "")
        + "</div>"
        for g in groups
    )
    return (
        f'<style>{LEGEND_CSS}</style><div class="pr-legend" style="max-width:none;box-shadow:none">'
        f'<div class="pr-legend-title">分析结果</div>{sections}</div>'
    )

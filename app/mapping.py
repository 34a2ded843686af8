"""Folium maps of a park and of analysis results, drawn with no network at all.

Plain functions (no Streamlit) shared by the app pages, the ``parkrisk map`` command and the tests:

- :func:`park_map` draws every layer of a park with Chinese layer names, legends, tooltips and popups.
- :func:`new_map` makes an empty map wired to the local Leaflet assets, for pages that draw their own results.
- :func:`add_zones`, :func:`add_legend`, :func:`fit_to` are the building blocks other pages reuse (consequence
  zones, risk contours, domino arrows, rectification markers).
- :func:`standalone_html` / :func:`save_html` write a single HTML file with Leaflet inlined, which opens offline.

Offline assets
--------------
folium pulls Leaflet, jQuery, Bootstrap and Font Awesome from CDNs by default. The maps made here use only Leaflet
(vector layers, ``CircleMarker`` and ``DivIcon`` markers, no Bootstrap/awesome-marker icons), whose files are copied
from the ``xstatic-leaflet`` package (Leaflet 1.9.3, the version folium 0.20 pins) into ``app/static/vendor/leaflet``
by :func:`ensure_static_assets`; Streamlit serves that folder at ``/app/static/...`` (``server.enableStaticServing``).
Each map instance gets local ``default_js``/``default_css`` (folium's class attributes are left alone). Do not add
``folium.Icon`` markers or plugins to these maps: they would bring CDN links back (:func:`external_asset_urls` lists
any that slipped in).
"""

from __future__ import annotations

import base64
import html
import logging
import re
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import branca.element
import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from app.settings import Basemap
from geodata import schema

__all__ = [
    "STATIC_DIR",
    "LEAFLET_DIR",
    "LOCAL_JS",
    "LOCAL_CSS",
    "RISK_COLORS",
    "PROTECTION_COLORS",
    "PHASE_COLORS",
    "STATUS_COLORS",
    "FIVE_ROOMS",
    "LegendItem",
    "ensure_static_assets",
    "new_map",
    "use_local_assets",
    "park_map",
    "add_zones",
    "add_legend",
    "legend_html",
    "park_legend_sections",
    "add_layer",
    "fit_to",
    "add_layer_control",
    "finish_map",
    "external_asset_urls",
    "standalone_html",
    "save_html",
    "format_value",
    "format_distance",
    "short_name",
    "park_place_name",
    "overdue_mask",
]

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
LEAFLET_DIR = STATIC_DIR / "vendor" / "leaflet"
#: URL prefix under which Streamlit serves ``app/static`` (``server.enableStaticServing = true``).
STATIC_URL = "/app/static"
LOCAL_JS: tuple[tuple[str, str], ...] = (("leaflet", f"{STATIC_URL}/vendor/leaflet/leaflet.js"),)
LOCAL_CSS: tuple[tuple[str, str], ...] = (("leaflet_css", f"{STATIC_URL}/vendor/leaflet/leaflet.css"),)
_LEAFLET_FILES = (
    "leaflet.js",
    "leaflet.css",
    "images/layers.png",
    "images/layers-2x.png",
    "images/marker-icon.png",
    "images/marker-icon-2x.png",
    "images/marker-shadow.png",
)

# ------------------------------------------------------------------------------------------------------------
# Colours and symbols
# ------------------------------------------------------------------------------------------------------------
#: Enterprise safety-risk colours (红/橙/黄/蓝, 2018 grading guide).
RISK_COLORS: dict[str, str] = {"red": "#e02020", "orange": "#f7931e", "yellow": "#f2d024", "blue": "#1f6fd1"}
#: GB 36894-2018 protection classes, most to least sensitive.
PROTECTION_COLORS: dict[str, str] = {
    "high_sensitive": "#7a0177",
    "important": "#c51b8a",
    "general_1": "#2c7fb8",
    "general_2": "#41b6c4",
    "general_3": "#a1dab4",
}
#: Installation fill colour by phase.
PHASE_COLORS: dict[str, str] = {
    "liquid": "#3182bd",
    "gas": "#31a354",
    "liquefied_gas": "#de2d26",
    "solid": "#756bb1",
}
#: Rectification status colours.
STATUS_COLORS: dict[str, str] = {
    "open": "#e41a1c",
    "in_progress": "#ff7f00",
    "awaiting_acceptance": "#377eb8",
    "closed": "#4daf4a",
}
PIPELINE_COLORS: dict[str, str] = {"transmission": "#8c510a", "process": "#01665e", "distribution": "#bf812d"}
ROAD_COLORS: dict[str, str] = {"highway": "#9e9e9e", "public": "#b0b0b0", "park": "#c8c8c8"}
#: Building uses that are "五室" (control, cabinet, lab, office, shift/rest rooms).
FIVE_ROOMS: tuple[str, ...] = ("control_room", "cabinet_room", "lab", "office", "shift_room")
FIVE_ROOMS_COLOR = "#6a00d6"
BUILDING_COLOR = "#8d8d8d"
_INSTALLATION_RADIUS: dict[str, int] = {
    "spherical_tank": 7,
    "storage_tank": 6,
    "bullet_tank": 6,
    "process_unit": 7,
    "reactor": 7,
    "column": 6,
    "electrolyser": 7,
}
_BACKGROUND = "#eef1f4"

#: Column labels of the extra display fields.
_OVERDUE_ZH = "是否逾期"
_FIVE_ROOMS_ZH = "五室"

# Fields shown in the hover tooltip, per layer (the popup shows every column).
_TOOLTIP_COLUMNS: dict[str, tuple[str, ...]] = {
    "parks": ("name", "level", "risk_grade"),
    "enterprises": ("name", "industry", "risk_color", "major_hazard_grade"),
    "installations": ("name", "enterprise_id", "kind", "substance", "inventory_kg", "hazardous_process"),
    "pipelines": ("name", "substance", "diameter_m", "pressure_pa"),
    "sensitive_targets": ("name", "category", "protection_class", "population_day", "population_night"),
    "buildings": ("name", "enterprise_id", "use", "occupants", "blast_resistant"),
    "rectifications": ("title", "enterprise_id", "hazard_level", "status", "deadline"),
    "roads": ("name", "kind"),
}


@dataclass(frozen=True)
class LegendItem:
    """One legend row: a symbol of ``color`` and ``shape`` followed by ``label``.

    ``shape`` is one of ``square`` (filled area), ``circle`` (point), ``line``, ``dashed`` (dashed line),
    ``diamond`` (marker) or ``outline`` (unfilled area).
    """

    label: str
    color: str
    shape: str = "square"


_SHAPES = ("square", "circle", "line", "dashed", "diamond", "outline")


# ------------------------------------------------------------------------------------------------------------
# Offline assets
# ------------------------------------------------------------------------------------------------------------
def _leaflet_source_dir() -> Path:
    try:
        import xstatic.pkg.leaflet as xleaflet
    except ImportError as exc:  # pragma: no cover - dependency declared in pyproject
        raise RuntimeError(
            "缺少依赖 xstatic-leaflet（离线地图所需的 Leaflet 文件）：请运行 pip install -e . 重新安装 "
            "(missing dependency xstatic-leaflet)"
        ) from exc
    return Path(xleaflet.BASE_DIR)


def ensure_static_assets(target: Path | None = None) -> Path:
    """Copy the Leaflet files into ``app/static/vendor/leaflet`` (or ``target``) when missing or outdated.

    Parameters
    ----------
    target : Path, optional
        Destination folder (default :data:`LEAFLET_DIR`).

    Returns
    -------
    Path
        The folder holding ``leaflet.js``, ``leaflet.css`` and ``images/``.
    """
    target = LEAFLET_DIR if target is None else Path(target)
    source = _leaflet_source_dir()
    for rel in _LEAFLET_FILES:
        src, dst = source / rel, target / rel
        if dst.exists() and dst.stat().st_size == src.stat().st_size:
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        tmp = dst.with_name(dst.name + ".tmp")
        shutil.copyfile(src, tmp)
        tmp.replace(dst)  # atomic: a concurrent reader never sees half a file
        log.info("copied %s -> %s", src, dst)
    return target


def use_local_assets(m: folium.Map) -> folium.Map:
    """Point this map instance's Leaflet JS/CSS at the local copies (no jQuery/Bootstrap/Font Awesome)."""
    m.default_js = list(LOCAL_JS)
    m.default_css = list(LOCAL_CSS)
    return m


_LEGEND_CSS = """
.pr-legend { background: rgba(255,255,255,0.92); padding: 6px 9px; border-radius: 5px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.3); line-height: 18px; font-size: 12px; color: #222; max-width: 480px; }
.pr-legend .pr-legend-title { font-weight: 600; margin-bottom: 3px; cursor: default; }
.pr-legend summary.pr-legend-title { cursor: pointer; }
.pr-legend .pr-legend-body { column-gap: 14px; }
.pr-legend .pr-legend-section { break-inside: avoid; margin-bottom: 4px; }
.pr-legend .pr-legend-subtitle { font-weight: 600; color: #444; }
.pr-legend .pr-sym { display: inline-block; width: 14px; height: 12px; margin-right: 6px;
  vertical-align: -1px; box-sizing: border-box; }
.pr-legend .pr-sym-square { opacity: 0.85; border: 1px solid rgba(0,0,0,0.45); }
.pr-legend .pr-sym-outline { background: transparent !important; border: 2px solid; }
.pr-legend .pr-sym-circle { width: 12px; border-radius: 50%; border: 1.5px solid #fff;
  box-shadow: 0 0 0 1px rgba(0,0,0,0.5); }
.pr-legend .pr-sym-line { height: 0; border-top: 3px solid; vertical-align: 3px; }
.pr-legend .pr-sym-dashed { height: 0; border-top: 3px dashed; vertical-align: 3px; }
.pr-legend .pr-sym-diamond { width: 10px; height: 10px; transform: rotate(45deg); margin: 0 8px 0 2px;
  border: 1px solid #fff; box-shadow: 0 0 0 1px rgba(0,0,0,0.6); }
"""


def _map_style_css() -> str:
    return f"""
<style>
.leaflet-container {{ background: {_BACKGROUND}; font-family: "Noto Sans CJK SC", "Source Han Sans SC",
  "Microsoft YaHei", "PingFang SC", sans-serif; font-size: 13px; }}
{_LEGEND_CSS}
.pr-diamond {{ width: 8px; height: 8px; transform: rotate(45deg); border: 1.5px solid #fff;
  box-shadow: 0 0 0 1px rgba(0,0,0,0.7); box-sizing: border-box; }}
.pr-diamond-overdue {{ box-shadow: 0 0 0 1.5px #000; }}
.leaflet-control-layers {{ font-size: 12px; }}
.pr-label {{ background: none; border: none; }}
.pr-labels-off .pr-label {{ display: none; }}
.pr-label div {{ position: absolute; left: 0; top: 2px; transform: translateX(-50%); width: 5.3em;
  text-align: center; font-size: 11px; font-weight: 600; line-height: 13px; color: #1d1d1f;
  text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff; pointer-events: none; }}
</style>
"""


def new_map(
    *,
    location: Sequence[float] = (30.0, 114.0),
    zoom_start: int = 14,
    basemap: Basemap | str | None = None,
    **kwargs: Any,
) -> folium.Map:
    """An empty map that draws with the local Leaflet files and the chosen basemap.

    Parameters
    ----------
    location : (lat, lon)
        Initial centre. [°]
    zoom_start : int
        Initial zoom level. [-]
    basemap : Basemap or str, optional
        ``None``/``"none"`` draws no tiles (offline); ``"osm"`` or a :class:`~app.settings.Basemap`.
    **kwargs
        Passed to :class:`folium.Map`.

    Returns
    -------
    folium.Map
    """
    bm = _as_basemap(basemap)
    scale = bool(kwargs.pop("control_scale", True))
    kwargs.setdefault("zoom_snap", 0.25)  # fractional zoom: fit the park tightly
    m = folium.Map(location=list(location), zoom_start=zoom_start, tiles=None, control_scale=False, **kwargs)
    use_local_assets(m)
    if scale:  # folium's scale bar also shows feet/miles; metres/kilometres only here
        _MetricScale().add_to(m)
    m.get_root().header.add_child(branca.element.Element(_map_style_css()), name="parkrisk_css")
    for i, src in enumerate(bm.tile_sources()):
        folium.TileLayer(
            tiles=src.url,
            attr=src.attribution,
            name=src.name,
            subdomains=src.subdomains,
            max_zoom=src.max_zoom,
            overlay=src.overlay,
            control=True,
            show=True,
        ).add_to(m)
        log.debug("basemap layer %d: %s", i, src.name)
    return m


class _MetricScale(branca.element.MacroElement):
    """Leaflet scale bar in metres/kilometres only."""

    _template = branca.element.Template(
        """
        {% macro script(this, kwargs) %}
        L.control.scale({imperial: false, maxWidth: 160}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "MetricScale"


def _as_basemap(basemap: Basemap | str | None) -> Basemap:
    if basemap is None:
        return Basemap("none")
    if isinstance(basemap, Basemap):
        return basemap
    if isinstance(basemap, str):
        return Basemap(basemap)
    raise ValueError(f"basemap={basemap!r} 无效：应为 None、'none'、'osm' 或 app.settings.Basemap 对象")


# ------------------------------------------------------------------------------------------------------------
# Display formatting
# ------------------------------------------------------------------------------------------------------------
def _is_null(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _num(value: float, digits: int = 3) -> str:
    """A readable number: thousands separators for large values, ``digits`` significant figures otherwise."""
    value = float(value)
    if value == 0:
        return "0"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}g}"


def format_distance(metres: float) -> str:
    """A distance for people: ``850 m`` below 1 km, ``1.49 km`` / ``10.6 km`` / ``52 km`` above (3 significant
    figures at most); ``—`` for NaN. [m] in."""
    if _is_null(metres):
        return "—"
    v = float(metres)
    if abs(v) < 1000:
        return f"{v:,.0f} m"
    km = v / 1000.0  # 1 km = 1000 m
    return f"{km:.3g} km" if abs(km) < 100 else f"{km:,.0f} km"


def format_value(column: schema.Column, value: Any) -> str:
    """Chinese display text of one attribute value, with its unit.

    Enumerations show their Chinese label, booleans 是/否, dates ``YYYY-MM-DD``, numbers their unit (pressures also
    in MPa, temperatures also in ℃, inventories also in t). Null is shown as ``—``.
    """
    if _is_null(value):
        return "—"
    if column.enum:
        return schema.label_zh(column.enum, value)
    if column.dtype == "bool":
        return "是" if bool(value) else "否"
    if column.dtype == "date":
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    if column.dtype in ("int", "float"):
        v = float(value)
        name = column.name
        if name == "major_hazard_grade":
            return f"{int(v)} 级"
        if name.endswith("pressure_pa"):
            return f"{_num(v)} Pa（{v / 1e6:.3g} MPa）"  # 1 MPa = 1e6 Pa
        if name.endswith("temperature_k"):
            return f"{v:.1f} K（{v - 273.15:.1f} ℃）"  # ℃ = K - 273.15
        if name == "inventory_kg":
            return f"{_num(v)} kg（{v / 1000:.4g} t）" if v >= 1000 else f"{_num(v)} kg"
        if column.dtype == "int" or (column.unit == "人"):
            return f"{int(round(v)):,d} {column.unit}" if column.unit else f"{int(round(v)):,d}"
        return f"{_num(v)} {column.unit}" if column.unit else _num(v)
    return str(value)


def _names_by_id(layers: Mapping[str, gpd.GeoDataFrame], layer: str) -> dict[str, str]:
    gdf = layers.get(layer)
    if gdf is None or gdf.empty:
        return {}
    spec = schema.LAYERS[layer]
    if spec.id_column not in gdf or "name" not in gdf:
        return {}
    return {str(k): str(v) for k, v in zip(gdf[spec.id_column], gdf["name"], strict=False)}


def overdue_mask(gdf: gpd.GeoDataFrame, today: date) -> np.ndarray:
    """Boolean mask of rectification items past their deadline on ``today`` and not closed (销号)."""
    if "deadline" not in gdf or "status" not in gdf:
        return np.zeros(len(gdf), dtype=bool)
    deadline = pd.to_datetime(gdf["deadline"], errors="coerce")
    open_ = gdf["status"].astype("string").fillna("") != "closed"
    return (open_ & (deadline < pd.Timestamp(today))).fillna(False).to_numpy(dtype=bool)


def _display_frame(
    layer: str, gdf: gpd.GeoDataFrame, layers: Mapping[str, gpd.GeoDataFrame], *, today: date
) -> tuple[gpd.GeoDataFrame, list[str], list[str]]:
    """Geometry plus Chinese-labelled text columns; returns (frame, tooltip fields, popup fields)."""
    spec = schema.LAYERS[layer]
    refs = {
        "enterprise_id": _names_by_id(layers, "enterprises"),
        "park_id": _names_by_id(layers, "parks"),
    }
    out: dict[str, Any] = {}
    popup: list[str] = []
    for col in spec.columns:
        if col.name not in gdf:
            continue
        values = gdf[col.name].tolist()
        if col.name in refs and col.name != spec.id_column:  # a reference: show the name it points to
            names = refs[col.name]
            text = [
                "—" if _is_null(v) else (f"{names[str(v)]}（{v}）" if str(v) in names else str(v))
                for v in values
            ]
        else:
            text = [format_value(col, v) for v in values]
        out[col.label_zh] = text
        popup.append(col.label_zh)
    tooltip = [schema.LAYERS[layer].column(c).label_zh for c in _TOOLTIP_COLUMNS.get(layer, ()) if c in gdf]
    if layer == "rectifications":
        overdue = overdue_mask(gdf, today)
        out[_OVERDUE_ZH] = np.where(overdue, f"是（截至 {today:%Y-%m-%d}）", "否").tolist()
        popup.append(_OVERDUE_ZH)
        tooltip.append(_OVERDUE_ZH)
    if layer == "buildings" and "use" in gdf:
        five = gdf["use"].isin(FIVE_ROOMS).to_numpy()
        out[_FIVE_ROOMS_ZH] = np.where(five, "是（控制室/机柜间/化验室/办公室/交接班室）", "否").tolist()
        popup.append(_FIVE_ROOMS_ZH)
        tooltip.append(_FIVE_ROOMS_ZH)
    frame = gpd.GeoDataFrame(out, geometry=gdf.geometry.to_crs(4326).to_numpy(), crs=4326)
    return frame, tooltip, popup


def _tooltip(fields: Sequence[str]) -> folium.GeoJsonTooltip:
    return folium.GeoJsonTooltip(fields=list(fields), aliases=[f"{f}：" for f in fields], sticky=True)


def _popup(fields: Sequence[str]) -> folium.GeoJsonPopup:
    return folium.GeoJsonPopup(
        fields=list(fields),
        aliases=[f"{f}：" for f in fields],
        class_name="pr-popup",
        max_width=420,
    )


# ------------------------------------------------------------------------------------------------------------
# Generic building blocks
# ------------------------------------------------------------------------------------------------------------
def _legend_rows(items: Iterable[LegendItem | tuple[str, str] | tuple[str, str, str]]) -> str:
    rows = []
    for item in items:
        it = item if isinstance(item, LegendItem) else LegendItem(*item)
        if it.shape not in _SHAPES:
            raise ValueError(f"图例符号 shape={it.shape!r} 无效；可选：{', '.join(_SHAPES)}")
        color = html.escape(it.color, quote=True)
        style = (
            f"border-color:{color}" if it.shape in ("line", "dashed", "outline") else f"background:{color}"
        )
        rows.append(
            f'<div><span class="pr-sym pr-sym-{it.shape}" style="{style}"></span>{html.escape(it.label)}</div>'
        )
    return "".join(rows)


def add_legend(
    m: folium.Map,
    title: str,
    items: Iterable[LegendItem | tuple[str, str] | tuple[str, str, str]]
    | Mapping[str, Iterable[LegendItem | tuple[str, str] | tuple[str, str, str]]],
    *,
    position: str = "bottomright",
    columns: int = 1,
    collapsible: bool = False,
    folded: bool = False,
) -> branca.element.MacroElement:
    """Add an HTML legend box (a Leaflet control) to the map.

    Parameters
    ----------
    m : folium.Map
    title : str
        Legend title (Chinese).
    items : iterable of LegendItem / (label, color) / (label, color, shape), or mapping section -> such rows
        Rows, top first; ``shape`` as in :class:`LegendItem`. A mapping draws one titled section per key.
    position : str
        ``topleft``, ``topright``, ``bottomleft`` or ``bottomright``.
    columns : int
        Number of columns the sections flow into.
    collapsible : bool
        Let the user fold the legend by clicking its title.
    folded : bool
        Start folded (implies ``collapsible``).

    Returns
    -------
    branca.element.MacroElement
        The legend element (already added to ``m``).
    """
    if position not in ("topleft", "topright", "bottomleft", "bottomright"):
        raise ValueError(f"position={position!r} 无效；可选 topleft/topright/bottomleft/bottomright")
    body = legend_html(title, items, columns=columns, collapsible=collapsible, folded=folded)
    legend = _Legend(body, position=position)
    legend.add_to(m)
    return legend


def legend_html(
    title: str,
    items: Iterable[LegendItem | tuple[str, str] | tuple[str, str, str]]
    | Mapping[str, Iterable[LegendItem | tuple[str, str] | tuple[str, str, str]]],
    *,
    columns: int = 1,
    collapsible: bool = False,
    standalone: bool = False,
    folded: bool = False,
) -> str:
    """HTML of a legend (the markup :func:`add_legend` puts on the map).

    With ``standalone=True`` the markup is wrapped in its box with its CSS, to show it outside a map
    (e.g. ``st.html`` beside the map in the app). ``folded=True`` starts a collapsible legend closed.
    """
    if isinstance(items, Mapping):
        inner = "".join(
            f'<div class="pr-legend-section"><div class="pr-legend-subtitle">{html.escape(str(sec))}</div>'
            f"{_legend_rows(rows)}</div>"
            for sec, rows in items.items()
        )
    else:
        inner = _legend_rows(items)
    cols = f' style="column-count:{int(columns)}"' if columns > 1 else ""
    inner = f'<div class="pr-legend-body"{cols}>{inner}</div>'
    if collapsible or folded:
        state = "" if folded else " open"
        body = f'<details{state}><summary class="pr-legend-title">{html.escape(title)}</summary>{inner}</details>'
    else:
        body = f'<div class="pr-legend-title">{html.escape(title)}</div>{inner}'
    if standalone:
        return f'<style>{_LEGEND_CSS}</style><div class="pr-legend" style="max-width:none;box-shadow:none">{body}</div>'
    return body


def park_legend_sections(park: Any, *, layers: Iterable[str] | None = None) -> dict[str, list[LegendItem]]:
    """Legend sections (title -> rows) of :func:`park_map` for the given layers (default: all non-empty)."""
    all_layers = _park_layers(park)
    wanted = [
        n for n in (all_layers if layers is None else layers) if n in all_layers and not all_layers[n].empty
    ]
    return {title: items for title, items in _legends_for(all_layers, wanted) if items}


class _Legend(branca.element.MacroElement):
    """A Leaflet control holding an HTML legend (works in standalone HTML and inside streamlit-folium)."""

    _template = branca.element.Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
        {{ this.get_name() }}.onAdd = function (map) {
            var div = L.DomUtil.create('div', 'pr-legend leaflet-control');
            div.innerHTML = {{ this.body|tojson }};
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            return div;
        };
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, body: str, *, position: str) -> None:
        super().__init__()
        self._name = "Legend"
        self.body = body
        self.position = position


def fit_to(
    m: folium.Map,
    gdf: gpd.GeoDataFrame,
    *,
    padding_px: int = 20,
    padding_bottom_right: tuple[int, int] | None = None,
) -> folium.Map:
    """Fit the map view to the extent of ``gdf`` (any CRS; reprojected to WGS84).

    Parameters
    ----------
    m : folium.Map
    gdf : GeoDataFrame
        Features to show; must carry a CRS.
    padding_px : int
        Padding around the extent. [px]
    padding_bottom_right : (int, int), optional
        Larger padding at the right and bottom edges (e.g. to keep features clear of a legend). [px]
    """
    if gdf.crs is None:
        raise ValueError(
            "fit_to：图层缺少坐标参考系（gdf.crs 为 None），请先用 set_crs 指定 (gdf has no CRS)"
        )
    geoms = gdf.geometry[~(gdf.geometry.is_empty | gdf.geometry.isna())]
    if geoms.empty:
        return m
    minx, miny, maxx, maxy = geoms.to_crs(4326).total_bounds
    m.fit_bounds(
        [[float(miny), float(minx)], [float(maxy), float(maxx)]],
        padding_top_left=(padding_px, padding_px),
        padding_bottom_right=padding_bottom_right or (padding_px, padding_px),
    )
    m.location = [float((miny + maxy) / 2), float((minx + maxx) / 2)]
    return m


def add_zones(
    m: folium.Map,
    gdf: gpd.GeoDataFrame,
    *,
    level_column: str,
    name: str,
    colors: Mapping[Any, str] | None = None,
    labels: Mapping[Any, str] | None = None,
    legend_title: str | None = None,
    tooltip_columns: Mapping[str, str] | None = None,
    fill_opacity: float = 0.35,
    weight: float = 1.5,
    show: bool = True,
    legend_position: str = "bottomright",
) -> folium.FeatureGroup:
    """Draw polygons (e.g. consequence zones, risk contours) coloured by a level column, with a legend.

    Parameters
    ----------
    m : folium.Map
    gdf : GeoDataFrame
        Polygons in any CRS (typically the park's metric CRS); reprojected to WGS84 for display.
    level_column : str
        Column whose value selects colour and legend row.
    name : str
        Chinese name of the layer in the layer control.
    colors : mapping level -> colour, optional
        Colour of each level; its order is the legend order (most severe first). Default: the levels in
        sorted order on a red→yellow→blue ramp.
    labels : mapping level -> str, optional
        Chinese legend/tooltip text of each level (default ``str(level)``); put units in it
        (e.g. ``"37.5 kW/m²"``).
    legend_title : str, optional
        Legend title (default ``name``); ``""`` draws no legend.
    tooltip_columns : mapping column -> Chinese label, optional
        Extra attributes in the tooltip; numbers are shown as they are, so give labels with units.
    fill_opacity : float
        Polygon fill opacity. [-]
    weight : float
        Outline width. [px]
    show : bool
        Whether the layer is on when the map opens.

    Returns
    -------
    folium.FeatureGroup
        The layer (already added to ``m``). Levels are drawn last-first, so the first level is on top.
    """
    if gdf.crs is None:
        raise ValueError(f"add_zones（{name}）：图层缺少坐标参考系（gdf.crs 为 None），请先用 set_crs 指定")
    if level_column not in gdf:
        raise ValueError(
            f"add_zones（{name}）：level_column={level_column!r} 不在图层列中；现有列：{list(gdf.columns)}"
        )
    levels = list(colors) if colors else sorted(pd.unique(gdf[level_column].dropna()))
    if colors is None:
        ramp = ["#d7191c", "#fdae61", "#ffffbf", "#abd9e9", "#2c7bb6"]
        colors = {
            lv: ramp[min(int(i * len(ramp) / max(len(levels), 1)), len(ramp) - 1)]
            for i, lv in enumerate(levels)
        }
    unknown = set(pd.unique(gdf[level_column].dropna())) - set(colors)
    if unknown:
        raise ValueError(
            f"add_zones（{name}）：{level_column} 含有未配色的取值 {sorted(map(str, unknown))}；"
            f"colors 已有：{[str(k) for k in colors]}"
        )
    labels = dict(labels or {})
    tooltip_columns = dict(tooltip_columns or {})
    group = folium.FeatureGroup(name=name, show=show)
    level_zh = "等级"
    for level in reversed(levels):
        part = gdf[gdf[level_column] == level]
        if part.empty:
            continue
        props = {level_zh: [labels.get(level, str(level))] * len(part)}
        for col, label in tooltip_columns.items():
            if col not in part:
                raise ValueError(f"add_zones（{name}）：tooltip_columns 中的列 {col!r} 不存在")
            props[label] = [
                ("—" if _is_null(v) else (_num(v) if isinstance(v, float) else str(v))) for v in part[col]
            ]
        frame = gpd.GeoDataFrame(props, geometry=part.geometry.to_crs(4326).to_numpy(), crs=4326)
        color = colors[level]
        folium.GeoJson(
            frame.to_json(),
            name=f"{name}：{labels.get(level, level)}",
            style_function=lambda _f, c=color: {
                "color": c,
                "weight": weight,
                "fillColor": c,
                "fillOpacity": fill_opacity,
            },
            tooltip=_tooltip(list(props)),
            control=False,
        ).add_to(group)
    group.add_to(m)
    title = name if legend_title is None else legend_title
    if title:
        add_legend(
            m,
            title,
            [LegendItem(labels.get(lv, str(lv)), colors[lv]) for lv in levels],
            position=legend_position,
        )
    return group


def add_layer(
    m: folium.Map | folium.FeatureGroup,
    park_layers: Mapping[str, gpd.GeoDataFrame],
    layer: str,
    *,
    today: date | None = None,
    show: bool = True,
    labels: bool = True,
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
    """
    if layer not in schema.LAYERS:
        raise ValueError(f"图层 layer={layer!r} 未定义；可选：{', '.join(schema.LAYERS)}")
    gdf = park_layers.get(layer)
    if gdf is None or gdf.empty:
        return None
    today = today or date.today()
    frame, tip, pop = _display_frame(layer, gdf, park_layers, today=today)
    style, marker = _layer_style(layer, gdf, today=today)
    # frame has a RangeIndex, so GeoJSON feature ids are "0".."n-1": styles are looked up by id, not shipped
    # as a property of every feature
    spec = schema.LAYERS[layer]
    group = folium.FeatureGroup(name=f"{spec.label_zh}（{len(gdf)}）", show=show)
    folium.GeoJson(
        frame.to_geo_dict(drop_id=False),  # a dict: no JSON text round trip
        name=spec.label_zh,
        style_function=lambda f: style[int(f["id"])],
        highlight_function=(lambda _f: {"weight": 3, "fillOpacity": 0.6})
        if marker is None or isinstance(marker, folium.CircleMarker)
        else None,
        tooltip=_tooltip(tip),
        popup=_popup(pop),
        marker=marker,
        control=False,
    ).add_to(group)
    if labels and layer == "enterprises" and "name" in gdf:
        _add_name_labels(group, gdf, place=park_place_name(park_layers))
    group.add_to(m)
    return group


#: Legal-form suffixes left out of the names written on the map (the popup shows the full name).
_NAME_SUFFIXES: tuple[str, ...] = ("股份有限公司", "有限责任公司", "有限公司", "集团公司", "公司")


_PARK_KINDS = re.compile(
    r"^(.{2,}?)(?:化学工业园区|化工园区|化工集中区|工业园区|经济技术开发区|经济开发区|高新区|开发区|园区)"
)


def park_place_name(park_layers: Mapping[str, gpd.GeoDataFrame]) -> str:
    """The place name leading the park's name (``江滨化工园区`` -> ``江滨``), or ``""`` when there is none."""
    parks = park_layers.get("parks")
    if parks is None or parks.empty or "name" not in parks:
        return ""
    match = _PARK_KINDS.match(str(parks["name"].iloc[0]).strip())
    return match.group(1) if match else ""


def short_name(name: str, *, place: str = "") -> str:
    """An enterprise name for a map label: without its legal form and without the park's place name, which most
    enterprises of a park repeat (``江滨氯碱化工有限公司`` with ``place="江滨"`` -> ``氯碱化工``)."""
    text = str(name).strip()
    for suffix in _NAME_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix) + 1:
            text = text[: -len(suffix)]
            break
    if place and text.startswith(place) and len(text) >= len(place) + 2:
        text = text[len(place) :]
    return text


#: Smallest on-screen width of a typical enterprise at which its name is written on the map. [px]
_LABEL_MIN_WIDTH_PX = 40
_WEB_MERCATOR_M_PER_PX_Z0 = 156_543.03392  # metres per pixel at zoom 0 on the equator (256 px tiles)
_M_PER_DEG_LAT = 111_320.0  # [m/°], spherical approximation; only sizes a label threshold


class _LabelZoom(branca.element.MacroElement):
    """Hide the name labels of a group when zoomed out so far that they would pile up (CSS class on the map)."""

    _template = branca.element.Template(
        """
        {% macro script(this, kwargs) %}
        (function (group) {
            function hook(map) {
                function update() {
                    map.getContainer().classList.toggle("pr-labels-off", map.getZoom() < {{ this.min_zoom }});
                }
                map.on("zoomend", update);
                update();
            }
            if (group._map) { hook(group._map); } else { group.once("add", function () { hook(group._map); }); }
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, min_zoom: float) -> None:
        super().__init__()
        self._name = "LabelZoom"
        self.min_zoom = round(float(min_zoom), 2)


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
    for name, geom in zip(ll["name"], ll.geometry, strict=True):
        if _is_null(name) or geom is None or geom.is_empty:
            continue
        minx, _, maxx, maxy = geom.bounds
        folium.Marker(
            location=[maxy, (minx + maxx) / 2],
            icon=folium.DivIcon(
                html=f"<div>{html.escape(short_name(name, place=place))}</div>",
                icon_size=(0, 0),
                icon_anchor=(0, 0),
                class_name="pr-label",
            ),
            interactive=False,
            keyboard=False,
            z_index_offset=1000,  # above the point markers (rectification diamonds)
        ).add_to(group)


def _layer_style(layer: str, gdf: gpd.GeoDataFrame, *, today: date) -> tuple[list[dict[str, Any]], Any]:
    """Per-feature style dicts and the point marker template of one layer."""
    n = len(gdf)

    def col(name: str) -> list[str]:
        return gdf[name].astype("string").fillna("").tolist()

    if layer == "parks":
        return [{"color": "#333333", "weight": 2.5, "dashArray": "8 5", "fill": False}] * n, None
    if layer == "enterprises":
        risk = col("risk_color") if "risk_color" in gdf else ["blue"] * n
        return [
            {
                "color": RISK_COLORS.get(r, "#777777"),
                "weight": 1.5,
                "fillColor": RISK_COLORS.get(r, "#777777"),
                "fillOpacity": 0.28,
            }
            for r in risk
        ], None
    if layer == "installations":
        phase = col("phase") if "phase" in gdf else [""] * n
        kind = col("kind") if "kind" in gdf else [""] * n
        proc = gdf["hazardous_process"].notna().tolist() if "hazardous_process" in gdf else [False] * n
        styles = []
        for ph, k, hp, gt in zip(phase, kind, proc, gdf.geom_type, strict=True):
            fill = PHASE_COLORS.get(ph, "#999999")
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
    if layer == "pipelines":
        kind = col("kind") if "kind" in gdf else ["process"] * n
        return [
            {
                "color": PIPELINE_COLORS.get(k, "#01665e"),
                "weight": 4 if k == "transmission" else 3,
                "dashArray": "10 6" if k == "transmission" else None,
                "opacity": 0.9,
            }
            for k in kind
        ], None
    if layer == "sensitive_targets":
        cls = col("protection_class") if "protection_class" in gdf else [""] * n
        return [
            {
                "radius": 7,
                "color": "#ffffff",
                "weight": 2,
                "fillColor": PROTECTION_COLORS.get(c, "#999999"),
                "fillOpacity": 0.95,
            }
            if gt == "Point"
            else {
                "color": PROTECTION_COLORS.get(c, "#999999"),
                "weight": 1.5,
                "fillColor": PROTECTION_COLORS.get(c, "#999999"),
                "fillOpacity": 0.35,
            }
            for c, gt in zip(cls, gdf.geom_type, strict=True)
        ], folium.CircleMarker(radius=7, fill=True)
    if layer == "buildings":
        use = col("use") if "use" in gdf else [""] * n
        return [
            {"color": FIVE_ROOMS_COLOR, "weight": 2, "fillColor": FIVE_ROOMS_COLOR, "fillOpacity": 0.75}
            if u in FIVE_ROOMS
            else {"color": "#5a5a5a", "weight": 1, "fillColor": BUILDING_COLOR, "fillOpacity": 0.55}
            for u in use
        ], None
    if layer == "rectifications":
        status = col("status") if "status" in gdf else ["open"] * n
        overdue = overdue_mask(gdf, today)
        styles = []
        for s, od, gt in zip(status, overdue, gdf.geom_type, strict=True):
            c = STATUS_COLORS.get(s, "#999999")
            if gt == "Point":
                cls = "pr-diamond pr-diamond-overdue" if od else "pr-diamond"
                styles.append({"html": f'<div class="{cls}" style="background:{c}"></div>'})
            else:
                styles.append(
                    {
                        "color": "#000000" if od else c,
                        "weight": 2.5 if od else 1.5,
                        "fillColor": c,
                        "fillOpacity": 0.3,
                        "dashArray": "4 3",
                    }
                )
        icon = folium.DivIcon(html="", icon_size=(8, 8), icon_anchor=(4, 4), class_name="pr-rect")
        return styles, folium.Marker(icon=icon)
    if layer == "roads":
        kind = col("kind") if "kind" in gdf else ["park"] * n
        return [
            {"color": ROAD_COLORS.get(k, "#c8c8c8"), "weight": 6 if k == "highway" else 4, "opacity": 0.9}
            for k in kind
        ], None
    raise ValueError(f"图层 layer={layer!r} 没有绘图样式；可选：{', '.join(schema.LAYERS)}")


# Drawing order, bottom first: areas under lines under points.
_DRAW_ORDER: tuple[str, ...] = (
    "parks",
    "roads",
    "enterprises",
    "buildings",
    "pipelines",
    "installations",
    "sensitive_targets",
    "rectifications",
)


def _legends_for(layers: Mapping[str, gpd.GeoDataFrame], drawn: Sequence[str]) -> list[tuple[str, list]]:
    def present(layer: str, column: str, keys: Iterable[str]) -> list[str]:
        gdf = layers[layer]
        have = set(gdf[column].dropna().astype(str)) if column in gdf else set()
        return [k for k in keys if k in have]

    out: list[tuple[str, list]] = []
    if "enterprises" in drawn:
        keys = present("enterprises", "risk_color", RISK_COLORS)
        out.append(
            ("企业安全风险等级", [LegendItem(schema.label_zh("risk_color", k), RISK_COLORS[k]) for k in keys])
        )
    if "sensitive_targets" in drawn:
        keys = present("sensitive_targets", "protection_class", PROTECTION_COLORS)
        out.append(
            (
                "防护目标（GB 36894）",
                [
                    LegendItem(schema.label_zh("protection_class", k), PROTECTION_COLORS[k], "circle")
                    for k in keys
                ],
            )
        )
    if "installations" in drawn:
        keys = present("installations", "phase", PHASE_COLORS)
        items = [LegendItem(f"{schema.label_zh('phase', k)}物料", PHASE_COLORS[k], "circle") for k in keys]
        if (
            "hazardous_process" in layers["installations"]
            and layers["installations"]["hazardous_process"].notna().any()
        ):
            items.append(LegendItem("重点监管危险工艺（粗黑边）", "#000000", "outline"))
        out.append(("装置设施（按相态）", items))
    if "buildings" in drawn:
        out.append(
            (
                "建筑物",
                [
                    LegendItem("五室（控制室、机柜间、化验室等）", FIVE_ROOMS_COLOR),
                    LegendItem("其他建筑", BUILDING_COLOR),
                ],
            )
        )
    if "pipelines" in drawn:
        keys = present("pipelines", "kind", PIPELINE_COLORS) or ["process"]
        out.append(
            (
                "管道",
                [
                    LegendItem(
                        schema.label_zh("pipeline_kind", k),
                        PIPELINE_COLORS[k],
                        "dashed" if k == "transmission" else "line",
                    )
                    for k in keys
                ],
            )
        )
    if "rectifications" in drawn:
        keys = present("rectifications", "status", STATUS_COLORS)
        items = [
            LegendItem(schema.label_zh("rectification_status", k), STATUS_COLORS[k], "diamond") for k in keys
        ]
        items.append(LegendItem("逾期未销号（黑框）", "#000000", "outline"))
        out.append(("整改事项", items))
    return out


def _park_layers(park: Any) -> dict[str, gpd.GeoDataFrame]:
    layers = getattr(park, "layers", park)
    if not isinstance(layers, Mapping):
        raise ValueError(f"park 应为 geodata.Park 或 图层名→GeoDataFrame 的映射，收到 {type(park).__name__}")
    return {k: v for k, v in layers.items() if v is not None}


def park_map(
    park: Any,
    *,
    basemap: Basemap | str | None = None,
    layers: Iterable[str] | None = None,
    today: date | None = None,
    legends: bool = True,
    layer_control_collapsed: bool = False,
    layer_control: bool = True,
    legend_folded: bool = False,
    labels: bool = True,
) -> folium.Map:
    """A folium map of every layer of a park, offline-ready.

    Parameters
    ----------
    park : geodata.Park or mapping layer -> GeoDataFrame
        The park (layers in any CRS; drawn in WGS84).
    basemap : Basemap or str, optional
        Default none (no tiles, no network).
    layers : iterable of str, optional
        Layer names to draw (default: every non-empty layer, roads included).
    today : date, optional
        Reference date for overdue rectifications (default: today).
    legends : bool
        Draw the legend on the map (the app shows it beside the map instead: :func:`park_legend_sections`).
    layer_control_collapsed : bool
        Show the layer switcher as a button that opens on hover (keeps the map clear).
    legend_folded : bool
        Draw the on-map legend folded (only its title shows until clicked): for pages whose own results need the
        room (zones, arrows).
    labels : bool
        Write the short enterprise names on the map.
    layer_control : bool
        Add the layer switcher now. Pages that draw more layers on top (zones, arrows) either pass ``False`` or
        keep it, and call :func:`finish_map` after their last layer: the switcher must come after every layer it
        lists, and :func:`finish_map` moves it there (keeping ``layer_control_collapsed``).

    Returns
    -------
    folium.Map
        With one FeatureGroup per layer (Chinese names with feature counts), a layer control (unless
        ``layer_control=False``), legends, and the view fitted to all features.
    """
    all_layers = _park_layers(park)
    wanted = list(all_layers) if layers is None else list(layers)
    for name in wanted:
        if name not in schema.LAYERS:
            raise ValueError(f"图层 layers 中的 {name!r} 未定义；可选：{', '.join(schema.LAYERS)}")
    drawn: list[str] = []
    m = new_map(basemap=basemap)
    for name in _DRAW_ORDER:
        if name in wanted and add_layer(m, all_layers, name, today=today, labels=labels) is not None:
            drawn.append(name)
    # Frame the park and what sits around it; roads and long-distance pipelines may run far beyond it.
    framing = [n for n in drawn if n not in ("roads", "pipelines")] or drawn
    extent = [all_layers[n].to_crs(4326) for n in framing if all_layers[n].crs is not None]
    if extent:
        everything = gpd.GeoDataFrame(
            geometry=pd.concat([g.geometry for g in extent], ignore_index=True), crs=4326
        )
        # keep the features above the legend box (bottom-left, about 200 px tall)
        fit_to(m, everything, padding_bottom_right=(20, 200) if legends and not legend_folded else None)
    if legends:
        sections = park_legend_sections(all_layers, layers=drawn)
        if sections:
            add_legend(
                m, "图例", sections, position="bottomleft", columns=3, collapsible=True, folded=legend_folded
            )
    if layer_control:
        add_layer_control(m, collapsed=layer_control_collapsed)
    else:
        m._parkrisk_layer_control_collapsed = layer_control_collapsed  # remembered by finish_map
    return m


class _LayerControl(folium.LayerControl):
    """folium's layer switcher, listing only the layers added to the map BEFORE it.

    folium's own control lists every layer of its parent, also those added after it; their JavaScript variables
    are then still undefined when the control is created and Leaflet throws, leaving a blank map in the browser.
    Listing only earlier layers makes a forgotten :func:`finish_map` cost a switcher entry, not the map.
    """

    def render(self, **kwargs: Any) -> None:
        self.reset()
        for item in self._parent._children.values():
            if item is self:
                break
            if not isinstance(item, folium.map.Layer) or not item.control:
                continue
            if item.overlay:
                self.overlays[item.layer_name] = item.get_name()
            else:
                self.base_layers[item.layer_name] = item.get_name()
        branca.element.MacroElement.render(self, **kwargs)


def add_layer_control(
    m: folium.Map, *, collapsed: bool | None = None, position: str | None = None
) -> folium.LayerControl:
    """Put the layer switcher at the end of the map, replacing any earlier one (idempotent).

    Leaflet creates the switcher from the layers defined before it, so it must be the map's last layer element:
    call this (or :func:`finish_map`) after the last ``FeatureGroup``/``TileLayer`` was added.

    Parameters
    ----------
    m : folium.Map
    collapsed : bool, optional
        Show the switcher as a button that opens on hover. Default: as the control it replaces (or as
        ``park_map(..., layer_control_collapsed=...)`` asked), else expanded.
    position : str, optional
        ``topleft``, ``topright``, ``bottomleft`` or ``bottomright``. Default: as the control it replaces, else
        ``topright``.

    Returns
    -------
    folium.LayerControl
        The one control of the map.
    """
    earlier = [(k, c) for k, c in m._children.items() if isinstance(c, folium.LayerControl)]
    if position is None:
        position = str(earlier[-1][1].options.get("position", "topright")) if earlier else "topright"
    if position not in ("topleft", "topright", "bottomleft", "bottomright"):
        raise ValueError(f"position={position!r} 无效；可选 topleft/topright/bottomleft/bottomright")
    if collapsed is None:
        if earlier:
            collapsed = bool(earlier[-1][1].options.get("collapsed", True))
        else:
            collapsed = bool(getattr(m, "_parkrisk_layer_control_collapsed", False))
    for key, _ in earlier:
        del m._children[key]
    control = _LayerControl(collapsed=collapsed, position=position)
    control.add_to(m)
    return control


def finish_map(m: folium.Map, *, collapsed: bool | None = None) -> folium.Map:
    """Finish a map after the last layer was drawn: the layer switcher moves to the end (see
    :func:`add_layer_control`). Safe to call more than once; returns ``m``."""
    add_layer_control(m, collapsed=collapsed)
    return m


# ------------------------------------------------------------------------------------------------------------
# Offline checks and standalone HTML
# ------------------------------------------------------------------------------------------------------------
def _walk(element: Any) -> Iterable[Any]:
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def external_asset_urls(m: folium.Map) -> list[str]:
    """JS/CSS URLs of the map (and its children) that point off this machine (CDN links). Empty = offline-ready."""
    urls: list[str] = []
    for el in _walk(m):
        urls += [u for _, u in getattr(el, "default_js", [])] + [u for _, u in getattr(el, "default_css", [])]
    return [u for u in dict.fromkeys(urls) if re.match(r"^(https?:)?//", u)]


_CSS_URL = re.compile(r"url\((['\"]?)(images/[^'\")]+)\1\)")


def _inline_css(css: str, base: Path) -> str:
    def repl(match: re.Match[str]) -> str:
        data = base64.b64encode((base / match.group(2)).read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    return _CSS_URL.sub(repl, css)


def standalone_html(m: folium.Map) -> str:
    """The map as one self-contained HTML page: Leaflet JS and CSS (with its images) inlined, no network needed.

    Raises
    ------
    ValueError
        If the map holds elements that load assets from the internet (see :func:`external_asset_urls`).
    """
    external = external_asset_urls(m)
    if external:
        raise ValueError(f"地图含有需要联网加载的脚本/样式，无法离线：{external}")
    source = _leaflet_source_dir()
    page = m.get_root().render()
    js = source.joinpath("leaflet.js").read_text(encoding="utf-8").replace("</script", "<\\/script")
    css = _inline_css(source.joinpath("leaflet.css").read_text(encoding="utf-8"), source)
    for _, url in LOCAL_JS:
        page = page.replace(f'<script src="{url}"></script>', f"<script>{js}</script>")
    for _, url in LOCAL_CSS:
        page = page.replace(f'<link rel="stylesheet" href="{url}"/>', f"<style>{css}</style>")
    if STATIC_URL in page:
        raise RuntimeError(f"standalone_html: a local asset link was left in the page ({STATIC_URL})")
    return page


def save_html(m: folium.Map, path: str | Path) -> Path:
    """Write :func:`standalone_html` to ``path`` atomically (temporary file, then replace); returns the path."""
    path = Path(path)
    text = standalone_html(m)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path

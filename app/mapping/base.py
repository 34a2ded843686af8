"""An empty map wired to the local Leaflet files and the chosen basemap, fitting the view, and the layer switcher
that must come after the last layer."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import branca.element
import folium
import geopandas as gpd

from app.mapping.assets import use_local_assets
from app.mapping.legend import LEGEND_CSS
from app.mapping.literal import make_literal
from app.mapping.text import html_text, seal
from app.settings import Basemap

__all__ = ["new_map", "fit_to", "add_layer_control", "finish_map"]

log = logging.getLogger(__name__)

_BACKGROUND = "#eef1f4"


def _compact_json() -> None:
    """folium writes the GeoJSON of every layer with Jinja's ``tojson``: make it UTF-8 and without spaces
    (``ensure_ascii=False``; Chinese text takes 3 bytes instead of a 6-byte ``\\uXXXX`` escape), which roughly halves
    the map's popup text. Jinja still replaces ``< > & '`` by ``\\u003c`` … after dumping, so no text can end the
    script; U+2028/U+2029 are valid in JavaScript string literals (ES2019). Applies to folium's own templates,
    which only this app renders in its process."""
    folium.GeoJson._template.environment.policies["json.dumps_kwargs"] = {
        "sort_keys": True,
        "ensure_ascii": False,
        "separators": (",", ":"),
    }


_compact_json()


def _map_style_css() -> str:
    return f"""
<style>
.leaflet-container {{ background: {_BACKGROUND}; font-family: "Noto Sans CJK SC", "Source Han Sans SC",
  "Microsoft YaHei", "PingFang SC", sans-serif; font-size: 13px; }}
{LEGEND_CSS}
.pr-diamond {{ width: 8px; height: 8px; transform: rotate(45deg); border: 1.5px solid #fff;
  box-shadow: 0 0 0 1px rgba(0,0,0,0.7); box-sizing: border-box; }}
.pr-diamond-overdue {{ box-shadow: 0 0 0 1.5px #000; }}
.leaflet-control-layers {{ font-size: 12px; }}
.leaflet-control-layers-expanded {{ max-height: 70vh; overflow-y: auto; }}
.leaflet-control-layers .pr-lc-legend {{ background: none; box-shadow: none; padding: 0 0 3px 20px; margin: 0;
  font-size: 11px; line-height: 15px; color: #333; max-width: 260px; }}
.leaflet-control-layers .pr-lc-meta {{ color: #666; }}
.leaflet-control-layers .pr-lc-stale {{ color: #c0392b; font-weight: 600; }}
.pr-label {{ background: none; border: none; }}
.pr-labels-off .pr-label {{ display: none; }}
.pr-label div {{ position: absolute; left: 0; top: 2px; transform: translateX(-50%); width: 5.3em;
  text-align: center; font-size: 11px; font-weight: 600; line-height: 13px; color: #1d1d1f;
  text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff; pointer-events: none; }}
.pr-clabel {{ background: none; border: none; }}
.pr-clabel div {{ position: absolute; left: 0; bottom: 1px; transform: translateX(-50%); white-space: nowrap;
  font-size: 11px; font-weight: 600; line-height: 13px; color: #5a0016;
  text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff; pointer-events: none; }}
</style>
"""


class _Map(folium.Map):
    """folium's map, sealed when rendered (:func:`app.mapping.text.seal`): any folium ``Tooltip``/``Popup`` added
    to it — also those folium makes from ``tooltip="…"`` — is written as a JavaScript string, never into a
    template literal where ``${…}`` from the data would run; and every element's rendered text is written as it is
    (:func:`app.mapping.literal.make_literal`), never rendered again as a Jinja template."""

    def render(self, **kwargs: Any) -> None:
        seal(self)
        make_literal(self)  # rendered text written as it is, never compiled again (app.mapping.literal)
        super().render(**kwargs)


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
    m = _Map(location=list(location), zoom_start=zoom_start, tiles=None, control_scale=False, **kwargs)
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


class _LayerControl(folium.LayerControl):
    """folium's layer switcher, listing only the layers added to the map BEFORE it.

    folium's own control lists every layer of its parent, also those added after it; their JavaScript variables
    are then still undefined when the control is created and Leaflet throws, leaving a blank map in the browser.
    Listing only earlier layers makes a forgotten :func:`finish_map` cost a switcher entry, not the map.
    Leaflet writes the layer names into ``innerHTML``: they are plain text (a name may come from the data) and are
    escaped here with :func:`~app.mapping.text.html_text`. A group with a ``control_legend_html`` attribute (the
    result groups of :mod:`app.mapping.results`) shows that legend under its name, so the switcher lists each
    group with its legend.
    """

    def render(self, **kwargs: Any) -> None:
        self.reset()
        for item in self._parent._children.values():
            if item is self:
                break
            if not isinstance(item, folium.map.Layer) or not item.control:
                continue
            if item.overlay:
                # a result group carries its legend (markup built by app.mapping.legend, data escaped there)
                label = html_text(item.layer_name) + str(getattr(item, "control_legend_html", ""))
                self.overlays[label] = item.get_name()
            else:
                self.base_layers[html_text(item.layer_name)] = item.get_name()
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

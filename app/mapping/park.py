"""The map of a whole park: every layer in drawing order, the legend of what was drawn, the view fitted."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import folium
import geopandas as gpd
import pandas as pd

from app.mapping.base import add_layer_control, fit_to, new_map
from app.mapping.layers import add_layer
from app.mapping.legend import LegendItem, add_legend
from app.present import (
    BUILDING_COLOR,
    EMERGENCY_COLORS,
    FIVE_ROOMS_COLOR,
    OVERDUE_COLOR,
    PHASE_COLORS,
    PIPELINE_COLORS,
    PROTECTION_COLORS,
    RISK_COLORS,
    STATUS_COLORS,
)
from app.settings import Basemap
from geodata import schema

__all__ = ["park_map", "park_legend_sections", "CANVAS_MIN_FEATURES"]

#: A park map draws its vector features on one canvas, not as SVG elements, from this many features on
#: (:func:`park_map`, ``canvas=None``). Every SVG feature is a DOM element the browser lays out and paints: the
#: synthetic large park's 5,031 (issue 19) took it about 1 s to draw; one canvas draws them in a fraction of that
#: (bench/app_startup.py --large). Below it, SVG (the demo park's 245 features): crisp and each feature an element.
CANVAS_MIN_FEATURES = 1000

# Drawing order, bottom first: areas under lines under points.
_DRAW_ORDER: tuple[str, ...] = (
    "parks",
    "roads",
    "enterprises",
    "buildings",
    "pipelines",
    "installations",
    "sensitive_targets",
    "assembly_points",
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
    if "assembly_points" in drawn:
        out.append(("应急", [LegendItem("应急集合点", EMERGENCY_COLORS["assembly"], "circle")]))
    if "rectifications" in drawn:
        keys = present("rectifications", "status", STATUS_COLORS)
        items = [
            LegendItem(schema.label_zh("rectification_status", k), STATUS_COLORS[k], "diamond") for k in keys
        ]
        items.append(LegendItem("逾期未销号（黑框）", OVERDUE_COLOR, "outline"))
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
    page_links: bool = False,
    canvas: bool | None = None,
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
    page_links : bool
        End each popup with a link to the page that explains the layer (maps inside the app only).
    layer_control : bool
        Add the layer switcher now. Pages that draw more layers on top (zones, arrows) either pass ``False`` or
        keep it, and call :func:`finish_map` after their last layer: the switcher must come after every layer it
        lists, and :func:`finish_map` moves it there (keeping ``layer_control_collapsed``).
    canvas : bool, optional
        Draw the vector features (park layers and anything drawn on the map later) on one Leaflet canvas instead
        of SVG elements; default: when the drawn layers hold at least :data:`CANVAS_MIN_FEATURES` features.
        Tooltips, popups and highlighting work the same (Leaflet finds the feature under the mouse). One canvas
        for the whole map, not one per layer: a canvas above other layers would take their clicks.

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
    if canvas is None:
        canvas = sum(len(all_layers[n]) for n in wanted if n in all_layers) >= CANVAS_MIN_FEATURES
    m = new_map(basemap=basemap, prefer_canvas=bool(canvas))
    for name in _DRAW_ORDER:
        if (
            name in wanted
            and add_layer(m, all_layers, name, today=today, labels=labels, page_links=page_links) is not None
        ):
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


def park_legend_sections(park: Any, *, layers: Iterable[str] | None = None) -> dict[str, list[LegendItem]]:
    """Legend sections (title -> rows) of :func:`park_map` for the given layers (default: all non-empty)."""
    all_layers = _park_layers(park)
    wanted = [
        n for n in (all_layers if layers is None else layers) if n in all_layers and not all_layers[n].empty
    ]
    return {title: items for title, items in _legends_for(all_layers, wanted) if items}

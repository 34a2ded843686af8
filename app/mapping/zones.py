"""Polygons coloured by a level column (consequence zones, risk contours, closure rates …) with their legend."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import folium
import geopandas as gpd
import pandas as pd

from app.mapping.legend import LegendItem, add_legend
from app.mapping.text import _is_null, _num, _tooltip, html_text

__all__ = ["add_zones"]


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
        props = {level_zh: [html_text(labels.get(level, str(level)))] * len(part)}
        for col, label in tooltip_columns.items():
            if col not in part:
                raise ValueError(f"add_zones（{name}）：tooltip_columns 中的列 {col!r} 不存在")
            props[label] = [
                html_text("—" if _is_null(v) else (_num(v) if isinstance(v, float) else v)) for v in part[col]
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
            collapsible=True,  # the user can fold it away from the data
        )
    return group

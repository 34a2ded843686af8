"""What a map says in words: attribute values with units, names for labels, and the tooltip/popup tables.

Text that came from the data reaches the browser through Leaflet's ``innerHTML`` (folium's GeoJSON tooltips and
popups, name labels), so :func:`html_text` escapes it here, in one place, before it is put on a map.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from analysis.regulation.rectification import overdue_mask as _overdue_mask
from analysis.regulation.siting_checks import FIVE_ROOM_USES
from geodata import schema

__all__ = [
    "FIVE_ROOMS",
    "html_text",
    "format_value",
    "format_distance",
    "short_name",
    "park_place_name",
    "overdue_mask",
]

#: Building uses that are "五室" (control, cabinet, lab, office, shift/rest rooms).
FIVE_ROOMS: tuple[str, ...] = FIVE_ROOM_USES

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


def html_text(value: Any) -> str:
    """``value`` as text for Leaflet's ``innerHTML``: ``&``, ``<``, ``>`` and quotes escaped, so data show as
    written and never as markup."""
    return html.escape(str(value), quote=True)


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
    """Boolean mask of rectification items past their deadline on ``today`` and not closed (销号), by the rule of
    :func:`analysis.regulation.rectification.overdue_mask`; all False for a layer without deadline or status."""
    if "deadline" not in gdf or "status" not in gdf:
        return np.zeros(len(gdf), dtype=bool)
    return _overdue_mask(gdf, today=today)


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
        out[col.label_zh] = [html_text(t) for t in text]
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

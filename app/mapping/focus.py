"""Zoom a map to what was just selected or computed.

Pages call :func:`remember_focus` with what they just computed or selected (a GeoDataFrame, a geometry or WGS84
bounds) and the session state; every map drawn afterwards — the same page's, or 园区一张图's — calls
:func:`zoom_to_focus` to open on it. :func:`zoom_to` frames a map on anything with a location.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import folium
import geopandas as gpd
import shapely

log = logging.getLogger(__name__)

__all__ = [
    "FOCUS_KEY",
    "Focus",
    "bounds_of",
    "zoom_to",
    "remember_focus",
    "recall_focus",
    "zoom_to_focus",
    "focus_map",
]

#: Session-state key of the remembered focus.
FOCUS_KEY = "_parkrisk_map_focus"
_MIN_SPAN_DEG = 0.002  # [°] about 200 m: a point or a single building is shown with its surroundings


@dataclass(frozen=True)
class Focus:
    """What the maps should open on: WGS84 bounds (minx, miny, maxx, maxy) [°], a Chinese label and when it was
    set (UTC)."""

    bounds: tuple[float, float, float, float]
    label: str
    at: datetime


def bounds_of(what: Any) -> tuple[float, float, float, float] | None:
    """WGS84 bounds [°] of a GeoDataFrame/GeoSeries (any CRS), a shapely geometry (WGS84) or a 4-tuple of bounds;
    ``None`` when there is nothing to frame."""
    if what is None:
        return None
    if isinstance(what, gpd.GeoDataFrame | gpd.GeoSeries):
        if what.crs is None:
            raise ValueError("zoom_to：图层缺少坐标参考系（crs 为 None），请先用 set_crs 指定")
        geoms = what.geometry if isinstance(what, gpd.GeoDataFrame) else what
        geoms = geoms[~(geoms.isna() | geoms.is_empty)]
        if geoms.empty:
            return None
        b = tuple(float(v) for v in geoms.to_crs(4326).total_bounds)
    elif isinstance(what, shapely.Geometry):
        if what.is_empty:
            return None
        b = tuple(float(v) for v in what.bounds)
    elif isinstance(what, Sequence) and len(what) == 4:
        b = tuple(float(v) for v in what)
    else:
        raise ValueError(
            f"zoom_to：无法确定 {type(what).__name__} 的范围；应为 GeoDataFrame、GeoSeries、shapely 几何或 "
            "(minx, miny, maxx, maxy) 经纬度范围"
        )
    if not all(math.isfinite(v) for v in b) or b[0] > b[2] or b[1] > b[3]:
        return None
    return b  # type: ignore[return-value]


def zoom_to(m: folium.Map, what: Any, *, padding_px: int = 40) -> bool:
    """Fit the view of ``m`` to ``what`` (see :func:`bounds_of`); a point is shown with about 200 m around it.
    Returns whether the view was set."""
    b = bounds_of(what)
    if b is None:
        return False
    minx, miny, maxx, maxy = b
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    hx, hy = max((maxx - minx) / 2, _MIN_SPAN_DEG / 2), max((maxy - miny) / 2, _MIN_SPAN_DEG / 2)
    # fit_bounds appends a FitBounds element: the last one added wins in the browser
    m.fit_bounds([[cy - hy, cx - hx], [cy + hy, cx + hx]], padding=(padding_px, padding_px))
    m.location = [cy, cx]
    return True


def remember_focus(session: MutableMapping[str, Any], what: Any, *, label: str = "") -> Focus | None:
    """Remember ``what`` (see :func:`bounds_of`) in ``session`` (``st.session_state``) as what the next maps
    open on; returns the focus (``None`` when ``what`` has no extent: the previous focus is kept)."""
    b = bounds_of(what)
    if b is None:
        return None
    focus = Focus(b, str(label), datetime.now(UTC))
    session[FOCUS_KEY] = focus
    return focus


def recall_focus(session: Mapping[str, Any]) -> Focus | None:
    """The remembered focus of this session, if any."""
    focus = session.get(FOCUS_KEY)
    return focus if isinstance(focus, Focus) else None


def zoom_to_focus(m: folium.Map, session: Mapping[str, Any], *, padding_px: int = 40) -> Focus | None:
    """Fit ``m`` to the remembered focus of the session; returns it (``None`` when there is none)."""
    focus = recall_focus(session)
    if focus is None or not zoom_to(m, focus.bounds, padding_px=padding_px):
        return None
    return focus


def focus_map(m: folium.Map, session: MutableMapping[str, Any], what: Any, *, label: str) -> bool:
    """A page's map opens on ``what`` it has just computed or the user has just chosen (see :func:`bounds_of`),
    which is also remembered in ``session`` as what the next maps — 园区一张图's too — open on. Returns whether
    there was anything to frame (nothing: the map and the remembered focus stay as they were)."""
    try:
        focus = remember_focus(session, what, label=label)
    except ValueError:  # a layer without a CRS: the map opens as it would have (never a broken page)
        log.exception("no focus for %s", label)
        return False
    return focus is not None and zoom_to(m, focus.bounds)

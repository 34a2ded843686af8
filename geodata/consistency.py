"""Checks across columns and layers that need more than one value: features outside their enterprise, and the
date rules of rectification items (the store's own rules, :func:`geodata.store.lifecycle.date_problems`).

Each check returns :class:`~geodata.validate.Problem`-like tuples through the collector passed in by
:func:`geodata.validate.validate_layers`; nothing here raises on bad data (rows that cannot be checked are skipped:
their own problems are reported by the per-column checks).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from geodata import schema
from geodata._dtypes import coerce_series
from geodata.crs import metric_crs_for

__all__ = ["OUTSIDE_ENTERPRISE_TOLERANCE_M", "outside_enterprise", "rectification_dates"]

#: How far [m] an installation or building may lie outside its enterprise's polygon before a warning: pipe racks,
#: loading bays and gate houses often sit on the fence line, and a polygon drawn on a web map is off by metres.
OUTSIDE_ENTERPRISE_TOLERANCE_M = 50.0

#: add(layer, row_id, column, value, message_zh, fix_zh, kind=..., severity=...)
Add = Callable[..., None]


def _usable(df: pd.DataFrame) -> gpd.GeoSeries | None:
    """The geometry column in EPSG:4326 lon/lat, or None when the layer has no usable geometry or CRS."""
    if not isinstance(df, gpd.GeoDataFrame) or df._geometry_column_name not in df.columns:
        return None
    geom = df.geometry
    if not isinstance(geom, gpd.GeoSeries) or geom.crs is None:
        return None
    try:
        return geom if pyproj.CRS.from_user_input(geom.crs).equals(pyproj.CRS(4326)) else geom.to_crs(4326)
    except Exception:  # noqa: BLE001 - a CRS that cannot be transformed is reported elsewhere (bad_crs)
        return None


def _distance_text(d: float) -> str:
    return f"{d / 1000:.1f} km" if d >= 1000 else f"{d:.0f} m"


def outside_enterprise(
    add: Add,
    layers: Mapping[str, pd.DataFrame],
    labels: Mapping[str, list[str]],
    *,
    tolerance_m: float = OUTSIDE_ENTERPRISE_TOLERANCE_M,
) -> None:
    """Warn for installations and buildings farther than ``tolerance_m`` outside their enterprise's polygon."""
    ents = layers.get("enterprises")
    eg = _usable(ents) if ents is not None else None
    if eg is None or "enterprise_id" not in ents.columns or isinstance(ents["enterprise_id"], pd.DataFrame):
        return
    ent_ids, _ = coerce_series(ents["enterprise_id"], "str")
    counts = ent_ids.value_counts()
    polys: dict[str, shapely.Geometry] = {}
    for eid, g in zip(ent_ids, eg.to_numpy(), strict=True):
        if isinstance(eid, str) and counts[eid] == 1 and _checkable(g) and g.geom_type.endswith("Polygon"):
            polys[eid] = g
    if not polys:
        return
    lon, lat = shapely.get_coordinates(shapely.centroid(shapely.union_all(list(polys.values()))))[0]
    try:
        crs = metric_crs_for(float(lon), float(lat))
    except ValueError:  # outside the CGCS2000 zones: reported as outside_china
        return
    to_m = pyproj.Transformer.from_crs(4326, crs, always_xy=True)
    metric = {k: shapely.transform(v, to_m.transform, interleaved=False) for k, v in polys.items()}
    for name in ("installations", "buildings"):
        df = layers.get(name)
        geom = _usable(df) if df is not None else None
        if geom is None or "enterprise_id" not in df.columns or isinstance(df["enterprise_id"], pd.DataFrame):
            continue
        eids, _ = coerce_series(df["enterprise_id"], "str")
        for i, (eid, g) in enumerate(zip(eids, geom.to_numpy(), strict=True)):
            if not (isinstance(eid, str) and eid in metric and _checkable(g)):
                continue
            d = float(shapely.distance(shapely.transform(g, to_m.transform, interleaved=False), metric[eid]))
            if not np.isfinite(d) or d <= tolerance_m:
                continue
            add(
                name,
                labels[name][i],
                "geometry",
                _distance_text(d),
                f"位于所属企业「{eid}」的厂区范围之外（与厂区边界的距离见值；容差 {tolerance_m:.0f} m）",
                "请核对该要素的坐标（经纬度是否颠倒、坐标系是否为 GCJ-02/BD-09 而未选择）、所属企业编号 "
                "enterprise_id，或企业厂区边界是否完整",
                kind="outside_enterprise",
                severity="warning",
            )


def _checkable(g) -> bool:
    """A valid geometry with finite longitude/latitude inside their ranges (others are reported elsewhere, and a
    latitude beyond ±90° would project to infinity)."""
    if g is None or shapely.is_missing(g) or shapely.is_empty(g) or not shapely.is_valid(g):
        return False
    x0, y0, x1, y1 = shapely.bounds(g)
    return bool(np.all(np.isfinite([x0, y0, x1, y1])) and -180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90)


def rectification_dates(add: Add, df: pd.DataFrame, labels: list[str]) -> None:
    """The store's date rules (:func:`geodata.store.lifecycle.date_problems`) on every rectification row."""
    from geodata.store.lifecycle import date_problems

    cols = ("found_on", "deadline", "status", "closed_on")
    if any(c not in df.columns or isinstance(df[c], pd.DataFrame) for c in cols):
        return
    found, bad_f = coerce_series(df["found_on"], "date")
    deadline, bad_d = coerce_series(df["deadline"], "date")
    closed, bad_c = coerce_series(df["closed_on"], "date")
    status, _ = coerce_series(df["status"], "str")
    checkable = ~(bad_f | bad_d | bad_c) & status.isin(schema.ENUMS["rectification_status"]).to_numpy()

    def iso(v) -> str | None:
        return None if pd.isna(v) else pd.Timestamp(v).date().isoformat()

    for i in np.flatnonzero(checkable):  # unreadable dates and unknown states have their own problems
        for col, value, msg, fix in date_problems(
            iso(found.iloc[i]), iso(deadline.iloc[i]), str(status.iloc[i]), iso(closed.iloc[i])
        ):
            add("rectifications", labels[i], col, value, msg, fix, kind="inconsistent_dates")

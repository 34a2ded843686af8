"""Checks across columns and layers that need more than one value: references to other layers, features outside
their enterprise, and the date rules of rectification items (the store's own rules, :func:`geodata.store.lifecycle.date_problems`).

Each check returns :class:`~geodata.validate.Problem`-like tuples through the collector passed in by
:func:`geodata.validate.validate_layers`; nothing here raises on bad data (rows that cannot be checked are skipped:
their own problems are reported by the per-column checks).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from geodata import schema
from geodata._dtypes import ColumnCache
from geodata.crs import metric_crs_for

__all__ = [
    "OUTSIDE_ENTERPRISE_TOLERANCE_M",
    "dangling_references",
    "outside_enterprise",
    "rectification_dates",
]

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


def dangling_references(
    add: Add,
    name: str,
    cols: ColumnCache,
    references: Mapping[str, tuple[str, str]],
    labels: list[str],
    ids: Mapping[str, set[str] | None],
) -> None:
    """Report the values of the reference columns of layer ``name`` (``references``: column -> (target layer, its id
    column), :attr:`geodata.schema.LayerSpec.references`) that are not ids of the target layer (``ids``: layer -> its
    ids, None when the layer is unusable)."""
    from geodata.validate import _closest, _layer_label  # validate imports this module

    for col, (target, target_id) in references.items():
        if col not in cols.df.columns or isinstance(cols.df[col], pd.DataFrame):
            continue
        known = ids.get(target)
        if known is None:
            continue  # target layer unusable: its own problems are reported
        vals = cols.coerce(col, "str")[0]
        texts = vals.to_numpy(dtype=object)
        for i in np.flatnonzero((vals.notna() & ~vals.isin(known)).to_numpy(dtype=bool)):
            v = texts[i]
            fix = f"请填写{_layer_label(target)}中已有的{target_id}"
            guess = _closest(v, known, cutoff=0.8)
            if guess:
                fix += f"（是否为「{guess}」？）"
            add(
                name,
                labels[i],
                col,
                v,
                f"{col}「{v}」在{_layer_label(target)}中不存在",
                fix,
                kind="dangling_reference",
            )


@lru_cache(maxsize=32)
def _to_metric(srs: str) -> pyproj.Transformer:
    """The transformer from EPSG:4326 lon/lat to the metric CRS ``srs``, built once (pyproj >= 3.1 transformers are
    thread-safe)."""
    return pyproj.Transformer.from_crs(4326, pyproj.CRS.from_user_input(srs), always_xy=True)


def _cached(columns: Mapping[str, ColumnCache] | None, name: str, df: pd.DataFrame) -> ColumnCache:
    """The caller's coerced columns of layer ``name``, or a new cache of ``df``."""
    got = columns.get(name) if columns is not None else None
    return got if got is not None and got.df is df else ColumnCache(df)


def outside_enterprise(
    add: Add,
    layers: Mapping[str, pd.DataFrame],
    labels: Mapping[str, list[str]],
    *,
    tolerance_m: float = OUTSIDE_ENTERPRISE_TOLERANCE_M,
    columns: Mapping[str, ColumnCache] | None = None,
) -> None:
    """Warn for installations and buildings farther than ``tolerance_m`` outside their enterprise's polygon
    (``columns``: the layers' coerced columns when the caller has them, see :func:`geodata.validate.validate_layers`).
    """
    ents = layers.get("enterprises")
    eg = _usable(ents) if ents is not None else None
    if eg is None or "enterprise_id" not in ents.columns or isinstance(ents["enterprise_id"], pd.DataFrame):
        return
    ent_ids = _cached(columns, "enterprises", ents).coerce("enterprise_id", "str")[0]
    counts = ent_ids.value_counts()
    polys: dict[str, shapely.Geometry] = {}
    for eid, g, ok in zip(ent_ids, eg.to_numpy(), _checkable(eg.to_numpy()), strict=True):
        if isinstance(eid, str) and counts[eid] == 1 and ok and g.geom_type.endswith("Polygon"):
            polys[eid] = g
    if not polys:
        return
    lon, lat = shapely.get_coordinates(shapely.centroid(shapely.union_all(list(polys.values()))))[0]
    try:
        crs = metric_crs_for(float(lon), float(lat))
    except ValueError:  # outside the CGCS2000 zones: reported as outside_china
        return
    to_m = _to_metric(crs.srs)
    poly_m = shapely.transform(
        np.array(list(polys.values()), dtype=object), to_m.transform, interleaved=False
    )
    metric = dict(zip(polys, poly_m, strict=True))
    for name in ("installations", "buildings"):
        df = layers.get(name)
        geom = _usable(df) if df is not None else None
        if geom is None or "enterprise_id" not in df.columns or isinstance(df["enterprise_id"], pd.DataFrame):
            continue
        eids = _cached(columns, name, df).coerce("enterprise_id", "str")[0].to_numpy(dtype=object)
        arr = geom.to_numpy()
        own_known = np.array([isinstance(e, str) and e in metric for e in eids], dtype=bool)
        idx = np.flatnonzero(own_known & _checkable(arr))
        if idx.size == 0:
            continue
        own = np.array([metric[e] for e in eids[idx]], dtype=object)
        dist = shapely.distance(shapely.transform(arr[idx], to_m.transform, interleaved=False), own)
        for i, eid, d in zip(idx, eids[idx], dist, strict=True):
            if not np.isfinite(d) or d <= tolerance_m:
                continue
            add(
                name,
                labels[name][i],
                "geometry",
                _distance_text(float(d)),
                f"位于所属企业「{eid}」的厂区范围之外（与厂区边界的距离见值；容差 {tolerance_m:.0f} m）",
                "请核对该要素的坐标（经纬度是否颠倒、坐标系是否为 GCJ-02/BD-09 而未选择）、所属企业编号 "
                "enterprise_id，或企业厂区边界是否完整",
                kind="outside_enterprise",
                severity="warning",
            )


def _checkable(arr: np.ndarray) -> np.ndarray:
    """Per geometry: valid, with finite longitude/latitude inside their ranges (others are reported elsewhere, and
    a latitude beyond ±90° would project to infinity)."""
    ok = ~(shapely.is_missing(arr) | shapely.is_empty(arr))
    ok[ok] = shapely.is_valid(arr[ok])
    x0, y0, x1, y1 = shapely.bounds(arr).T  # NaN for a missing or empty geometry
    with np.errstate(invalid="ignore"):
        inside = (-180 <= x0) & (x0 <= x1) & (x1 <= 180) & (-90 <= y0) & (y0 <= y1) & (y1 <= 90)
    return ok & inside & np.isfinite(x0) & np.isfinite(y0) & np.isfinite(x1) & np.isfinite(y1)


def rectification_dates(
    add: Add, df: pd.DataFrame, labels: list[str], *, columns: ColumnCache | None = None
) -> None:
    """The store's date rules (:func:`geodata.store.lifecycle.date_problems`) on every rectification row
    (``columns``: the layer's coerced columns when the caller has them)."""
    from geodata.store.lifecycle import date_problems

    needed = ("found_on", "deadline", "status", "closed_on")
    if any(c not in df.columns or isinstance(df[c], pd.DataFrame) for c in needed):
        return
    cols = columns if columns is not None and columns.df is df else ColumnCache(df)
    found, bad_f = cols.coerce("found_on", "date")
    deadline, bad_d = cols.coerce("deadline", "date")
    closed, bad_c = cols.coerce("closed_on", "date")
    status = cols.coerce("status", "str")[0]
    checkable = ~(bad_f | bad_d | bad_c) & status.isin(schema.ENUMS["rectification_status"]).to_numpy()
    found_t, deadline_t, closed_t = (_iso_dates(s) for s in (found, deadline, closed))
    states = status.to_numpy(dtype=object)
    for i in np.flatnonzero(checkable):  # unreadable dates and unknown states have their own problems
        for col, value, msg, fix in date_problems(found_t[i], deadline_t[i], str(states[i]), closed_t[i]):
            add("rectifications", labels[i], col, value, msg, fix, kind="inconsistent_dates")


def _iso_dates(dates: pd.Series) -> list[str | None]:
    """``YYYY-MM-DD`` of each date of a coerced date column (years 1000-9999), None where missing."""
    arr = dates.to_numpy(dtype="datetime64[ms]")
    text = np.datetime_as_string(arr, unit="D").tolist()
    return [None if nat else t for t, nat in zip(text, np.isnat(arr).tolist(), strict=True)]

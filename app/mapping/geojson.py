"""A GeoDataFrame as a GeoJSON FeatureCollection (a dict for folium), built by columns instead of row by row.

``GeoDataFrame.to_geo_dict`` walks the frame row by row (``iterfeatures``): each value of a text column is taken
out of its Arrow array one at a time (pandas' ``str`` dtype) and each geometry goes through shapely's Python
``__geo_interface__``. On the synthetic large park's overview (5,031 features) that was 0.28 of the map's 0.65
CPU-s. :func:`feature_collection` takes each column out at once (``Series.tolist``) and writes the geometries with
GEOS' GeoJSON writer (``shapely.to_geojson``, read back with the C JSON parser). The result is the same document:
``tests/app/test_mapping.py`` compares it with ``to_geo_dict(drop_id=False)`` on every layer of the demo and large
parks.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import shapely

from app.present.numbers import is_null

__all__ = ["feature_collection"]


def _value(v: Any) -> Any:
    """A property value as ``to_geo_dict(na="null")`` writes it: missing (:func:`app.present.numbers.is_null`) ->
    None, numpy scalars -> Python scalars."""
    if is_null(v):
        return None
    return v.item() if isinstance(v, np.generic) else v


def _geometries(geoms: np.ndarray) -> list[Any]:
    """GeoJSON geometry dicts, None for a missing or empty geometry (as ``to_geo_dict`` writes them)."""
    out: list[Any] = [None] * len(geoms)
    idx = np.flatnonzero(~shapely.is_missing(geoms) & ~shapely.is_empty(geoms))
    if len(idx):
        text = "[" + ",".join(shapely.to_geojson(geoms[idx]).tolist()) + "]"
        for i, g in zip(idx.tolist(), json.loads(text), strict=True):
            out[i] = g
    return out


def feature_collection(frame: Any) -> dict[str, Any]:
    """``frame`` (a GeoDataFrame) as ``frame.to_geo_dict(drop_id=False)`` gives it: feature ids are the index as
    text, properties every column but the geometry, in column order."""
    geom_col = frame.geometry.name
    columns = [c for c in frame.columns if c != geom_col]
    # each column taken out at once; text values kept as they are, anything else as to_geo_dict writes it
    values = [[v if type(v) is str else _value(v) for v in frame[c].tolist()] for c in columns]
    rows = zip(*values, strict=True) if values else ([()] * len(frame))
    geometries = _geometries(np.asarray(frame.geometry.array, dtype=object))
    ids = [str(i) for i in frame.index.tolist()]
    features = [
        {
            "id": fid,
            "type": "Feature",
            "properties": dict(zip(columns, row, strict=True)),
            "geometry": geometry,
        }
        for fid, row, geometry in zip(ids, rows, geometries, strict=True)
    ]
    return {"type": "FeatureCollection", "features": features}

"""Cases of docs/validation/geodata.md: Chinese map coordinate systems and the CGCS2000 Gauss-Krüger zones.

Same inputs as tests/geodata/test_crs.py.
"""

from __future__ import annotations

import numpy as np
import pyproj

from geodata.crs import metric_crs_for, to_wgs84

from ._table import CALC, Row, Table, e, pct

HAND = "bound over many points or a set of registry entries, asserted in tests/geodata/test_crs.py"


def _gcj02():
    lon, lat = to_wgs84(120.00567568355486, 40.0013047896019, coords="GCJ-02")
    dlon, dlat = abs(float(lon) - 120.0), abs(float(lat) - 40.0)
    err = f"{e(dlon)}° both" if e(dlon) == e(dlat) else f"{e(dlon)}°, {e(dlat)}°"
    return f"({float(lon):.10f}, {float(lat):.10f})", err


def _bd09():
    lon, lat = to_wgs84([116.41661560068297], [39.92196580126834], coords="BD-09")
    lon, lat = float(lon[0]), float(lat[0])
    dlon, dlat = abs(lon - 116.403988), abs(lat - 39.914266)
    metres = max(dlon, dlat) * 111_000.0
    return f"({lon:.7f}, {lat:.7f})", f"{e(dlon)}°, {e(dlat)}° (≈{metres:.1f} m)"


def _gk_scale():
    crs = metric_crs_for(115.4, 30.0)
    k1 = pyproj.Proj(crs).get_factors(115.5, 30.0).meridional_scale - 1.0
    published = (np.radians(1.5) * np.cos(np.radians(30.0))) ** 2 / 2
    return f"{e(k1, 3)} (PROJ)", f"{pct(abs(k1 / published - 1.0), 1)} of (k − 1)"


TABLE = Table(
    header=("case", "source", "inputs", "published value", "ours", "error", "tolerance"),
    rows=(
        Row(
            (
                "GCJ-02 → WGS84",
                "coord-convert README (github.com/sshuair/coord-convert): `wgs2gcj(120, 40)`",
                "GCJ-02 (120.00567568355486, 40.0013047896019)",
                "WGS84 (120, 40)",
                CALC,
                CALC,
                "1e-6°",
            ),
            _gcj02,
        ),
        Row(
            (
                "BD-09 → WGS84",
                "gcoord README (github.com/hujiulong/gcoord, independent JS implementation): WGS84 → BD09 example",
                "BD-09 (116.41661560068297, 39.92196580126834)",
                "WGS84 (116.403988, 39.914266)",
                CALC,
                CALC,
                "1e-5°",
            ),
            _bd09,
        ),
        Row(
            (
                "GCJ-02/BD-09 round trip",
                "self-consistency, 50 random points 110–116°E, 27–33°N",
                "wgs2gcj / wgs2bd then ours",
                "the original WGS84 points",
                "—",
                "< 2e-6°",
                "2e-6°",
            ),
            why=HAND,
        ),
        Row(
            (
                "EPSG:4534–4554",
                "EPSG registry via pyproj",
                "21 zones",
                'name "CGCS2000 / 3-degree Gauss-Kruger CM {75..135}E", k0 = 1, FE = 500 000 m, datum CGCS2000',
                "all match",
                "exact",
                "exact",
            ),
            why=HAND,
        ),
        Row(
            (
                "GK scale factor at zone edge",
                "Snyder (1987) USGS PP 1395 ch. 8, k ≈ 1 + (Δλ cos φ)²/2",
                "Δλ = 1.5°, φ = 30°",
                "k − 1 = 2.570e-4",
                CALC,
                CALC,
                "1 %",
            ),
            _gk_scale,
        ),
    ),
)

TABLES = {"geodata": TABLE}

"""Coordinate systems: the metric CRS of a park, CRS discipline for measuring code, Chinese web-map offsets.

Display coordinates are WGS84 (EPSG:4326); CGCS2000 (EPSG:4490) is treated as equal to it at map scale (the two
frames differ by a few centimetres [1]_). Every distance, area and buffer is computed in a projected metric CRS
chosen from the park centroid by :func:`metric_crs_for`.

Coordinates copied from Chinese web maps are offset: GCJ-02 (Gaode/AMap, Tencent, Google China) and BD-09 (Baidu).
They are converted to WGS84 with the maintained ``coord-convert`` package [2]_ (its ``gcj2wgs`` is an iterative
inverse accurate to about 1e-6 degree, i.e. ~0.1 m).

References
----------
.. [1] 国家测绘局 (2008). 关于启用2000国家大地坐标系的公告. CGCS2000 and WGS84 (G1150) realise the same ITRF-based
       frame and agree to a few centimetres, negligible at map scale.
.. [2] sshuair, coord-convert 0.2.1, https://github.com/sshuair/coord-convert (MIT), module
       ``coord_convert.transform``.
.. [3] EPSG Geodetic Parameter Dataset, codes 4534-4554 "CGCS2000 / 3-degree Gauss-Kruger CM 75E" ... "CM 135E"
       (checked with pyproj in tests/geodata/test_crs.py).
.. [4] Snyder, J. P. (1987). Map Projections - A Working Manual. USGS Professional Paper 1395, ch. 8, scale
       factor of the transverse Mercator projection, k ≈ k0 (1 + A²/2), A = Δλ cos φ.
"""

from __future__ import annotations

import logging
import math

import numpy as np
import pyproj
import shapely
from coord_convert import transform as _cc

from geodata.errors import CRSError

__all__ = [
    "COORD_SYSTEMS",
    "WGS84",
    "metric_crs_for",
    "require_metric",
    "require_same_crs",
    "to_wgs84",
    "geometries_to_wgs84",
]

log = logging.getLogger(__name__)

WGS84 = pyproj.CRS.from_epsg(4326)

#: Coordinate systems a user may name for a file, with their Chinese description.
COORD_SYSTEMS: dict[str, str] = {
    "WGS84": "WGS84 经纬度（GPS、天地图、OpenStreetMap）",
    "CGCS2000": "2000国家大地坐标系经纬度（与 WGS84 在地图尺度上视为相同）",
    "GCJ-02": "国测局火星坐标（高德、腾讯、谷歌中国）",
    "BD-09": "百度坐标",
}

# EPSG:4534 is CGCS2000 / 3-degree Gauss-Kruger CM 75E; codes follow in steps of 3 degrees up to 4554 (CM 135E) [3].
_GK3_FIRST_EPSG = 4534
_GK3_FIRST_CM = 75
_GK3_LAST_CM = 135


def metric_crs_for(lon: float, lat: float) -> pyproj.CRS:
    """Projected metric CRS for a site: CGCS2000 3-degree Gauss-Krüger zone whose central meridian is nearest.

    Why this CRS: Gauss-Krüger (transverse Mercator) on CGCS2000 is China's national mapping projection, so results
    line up with the surveys, planning drawings and 安全评价 reports a park already has [3]_. In a 3-degree zone a
    point is at most 1.5° from the central meridian, where the scale error is k − 1 ≈ (Δλ·cos φ)²/2 ≤ 3.4e-4 [4]_
    (≤ 0.034 % of a distance), better than a 6-degree UTM zone (k₀ = 0.9996, up to ~1e-3 at the zone edge). The
    "CM" variants (EPSG:4534-4554) are used, whose false easting is 500 km without a zone prefix.

    Parameters
    ----------
    lon : float
        Longitude of the site (e.g. the park centroid), WGS84/CGCS2000. [°]
    lat : float
        Latitude of the site. [°]

    Returns
    -------
    crs : pyproj.CRS
        One of EPSG:4534-4554.

    Raises
    ------
    CRSError
        If the coordinates are not finite or the longitude is outside the CGCS2000 zones (73.5°E-136.5°E).
    """
    lon = float(lon)
    lat = float(lat)
    if not (math.isfinite(lon) and math.isfinite(lat)) or not -90.0 <= lat <= 90.0:
        raise CRSError(
            f"无法为坐标 lon={lon!r}, lat={lat!r} 选择投影坐标系：坐标无效 / invalid coordinates; "
            "lon must be finite degrees, lat within [-90, 90]"
        )
    lo = _GK3_FIRST_CM - 1.5
    hi = _GK3_LAST_CM + 1.5
    if not lo <= lon <= hi:
        raise CRSError(
            f"经度 lon={lon} 超出 CGCS2000 三度带范围 [{lo}, {hi}]° / longitude outside the CGCS2000 3-degree zones; "
            "请确认坐标为中国境内的经纬度 (WGS84/CGCS2000)"
        )
    cm = int(round(lon / 3.0)) * 3
    cm = min(max(cm, _GK3_FIRST_CM), _GK3_LAST_CM)
    code = _GK3_FIRST_EPSG + (cm - _GK3_FIRST_CM) // 3
    return pyproj.CRS.from_epsg(code)


def _crs_text(crs) -> str:
    if crs is None:
        return "无坐标系 (None)"
    crs = pyproj.CRS.from_user_input(crs)
    epsg = crs.to_epsg()
    return f"{crs.name} (EPSG:{epsg})" if epsg else crs.name


def require_metric(gdf, *, what: str = "该图层") -> pyproj.CRS:
    """Refuse a GeoDataFrame/GeoSeries whose CRS is missing or geographic; return its projected CRS.

    Parameters
    ----------
    gdf : GeoDataFrame or GeoSeries
        Data about to be measured (distances, areas, buffers).
    what : str
        What the data are, for the message (e.g. ``"装置图层"``).

    Returns
    -------
    crs : pyproj.CRS
        The projected CRS of ``gdf`` (units of metres).

    Raises
    ------
    CRSError
        If the CRS is missing, geographic, or not in metres; the message names the CRS and the fix.
    """
    crs = gdf.crs
    fix = "请先投影到米制坐标系：park.metric(图层名)，或 gdf.to_crs(geodata.crs.metric_crs_for(lon, lat))"
    fix_en = "project first with park.metric(layer) or gdf.to_crs(metric_crs_for(lon, lat))"
    if crs is None:
        raise CRSError(
            f"{what} 没有坐标系，无法量算距离/面积。{fix} / {what} has no CRS, cannot measure; {fix_en}"
        )
    crs = pyproj.CRS.from_user_input(crs)
    if crs.is_geographic:
        raise CRSError(
            f"{what} 的坐标系 {_crs_text(crs)} 是经纬度（单位：度），不能直接量算距离/面积。{fix} / "
            f"{what} is in geographic CRS {_crs_text(crs)} (degrees), cannot measure in metres; {fix_en}"
        )
    units = {ax.unit_name for ax in crs.axis_info}
    if not units <= {"metre", "meter"}:
        raise CRSError(
            f"{what} 的坐标系 {_crs_text(crs)} 单位不是米（{sorted(units)}）。{fix} / CRS units are not metres; "
            f"{fix_en}"
        )
    return crs


def require_same_crs(a, b, *, what: str = "两个图层") -> pyproj.CRS:
    """Refuse two geo objects whose CRSs differ; return the common CRS.

    Parameters
    ----------
    a, b : GeoDataFrame or GeoSeries
        Data about to be combined (overlay, distance, join).
    what : str
        What is being combined, for the message.

    Raises
    ------
    CRSError
        If the CRSs differ or one is missing; the message names both CRSs and the fix.
    """
    ca, cb = a.crs, b.crs
    same = (
        ca is not None and cb is not None and pyproj.CRS.from_user_input(ca) == pyproj.CRS.from_user_input(cb)
    )
    if not same:
        raise CRSError(
            f"{what} 坐标系不一致：{_crs_text(ca)} 与 {_crs_text(cb)} / CRS mismatch: {_crs_text(ca)} vs "
            f"{_crs_text(cb)}. 请先把其中一个转换到另一个的坐标系：b = b.to_crs(a.crs) / reproject one to the other "
            "with b.to_crs(a.crs)"
        )
    return pyproj.CRS.from_user_input(ca)


_OFFSET_TO_WGS84 = {
    # The library's scalar functions, wrapped as numpy ufuncs (element-wise over arrays) [2]. coord-convert has no
    # array API; re-writing its offset polynomials in numpy would be a hand copy of the maintained code, so we loop
    # in C over its Python functions instead (measured ~0.2-0.4 s per 10 000 vertices).
    "GCJ-02": np.frompyfunc(_cc.gcj2wgs, 2, 2),
    "BD-09": np.frompyfunc(_cc.bd2wgs, 2, 2),
}


def _check_coords(coords: str) -> None:
    if coords not in COORD_SYSTEMS:
        raise ValueError(
            f"coords={coords!r} 不是支持的坐标系 / unknown coordinate system; 可选 / allowed: "
            f"{list(COORD_SYSTEMS)}"
        )


def to_wgs84(lon, lat, *, coords: str):
    """Convert longitudes/latitudes given in ``coords`` to WGS84.

    Parameters
    ----------
    lon, lat : array_like
        Coordinates in the system named by ``coords``. [°]
    coords : str
        One of :data:`COORD_SYSTEMS`: ``"WGS84"``, ``"CGCS2000"`` (returned unchanged, see module notes), ``"GCJ-02"``
        or ``"BD-09"`` (converted with coord-convert [2]_; points outside China are returned unchanged by it).

    Returns
    -------
    lon, lat : numpy.ndarray of float
        WGS84 coordinates. [°]
    """
    _check_coords(coords)
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    lon, lat = np.broadcast_arrays(lon, lat)
    if coords in ("WGS84", "CGCS2000"):
        return lon.copy(), lat.copy()
    with np.errstate(invalid="ignore"):  # NaN coordinates pass through as NaN
        out_lon, out_lat = _OFFSET_TO_WGS84[coords](lon, lat)
    return np.asarray(out_lon, dtype=float), np.asarray(out_lat, dtype=float)


def geometries_to_wgs84(geoms, *, coords: str):
    """Convert every vertex of an array of shapely geometries from ``coords`` to WGS84 (see :func:`to_wgs84`).

    Parameters
    ----------
    geoms : array_like of shapely geometries (None allowed)
        Geometries whose coordinates are lon/lat in ``coords``. [°]
    coords : str
        One of :data:`COORD_SYSTEMS`.

    Returns
    -------
    numpy.ndarray of shapely geometries
    """
    _check_coords(coords)
    geoms = np.asarray(geoms, dtype=object)
    if coords in ("WGS84", "CGCS2000"):
        return geoms

    def _convert(xy: np.ndarray) -> np.ndarray:
        x, y = to_wgs84(xy[:, 0], xy[:, 1], coords=coords)
        return np.column_stack([x, y])

    return shapely.transform(geoms, _convert)

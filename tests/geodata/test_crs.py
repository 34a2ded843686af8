"""Coordinate systems: metric CRS choice, CRS discipline, GCJ-02/BD-09 conversion against published pairs."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from shapely.geometry import Point, Polygon

from geodata import CRSError, ParkDataError
from geodata.crs import geometries_to_wgs84, metric_crs_for, require_metric, require_same_crs, to_wgs84


@pytest.mark.parametrize("cm", range(75, 136, 3))
def test_gk3_epsg_codes_match_the_registry(cm):
    # EPSG registry: 4534 = "CGCS2000 / 3-degree Gauss-Kruger CM 75E", ..., 4554 = "CM 135E" (checked via pyproj).
    crs = metric_crs_for(cm + 0.4, 30.0)
    assert crs.to_epsg() == 4534 + (cm - 75) // 3
    assert crs.name == f"CGCS2000 / 3-degree Gauss-Kruger CM {cm}E"
    params = {p.name: p.value for p in crs.coordinate_operation.params}
    assert params["Longitude of natural origin"] == cm
    assert params["Scale factor at natural origin"] == 1.0
    assert params["False easting"] == 500000.0
    assert crs.geodetic_crs.to_epsg() == 4490  # CGCS2000
    assert crs.is_projected


@pytest.mark.parametrize(
    ("lon", "epsg"),
    [
        (113.0, 4547),
        (112.4, 4546),
        (112.6, 4547),
        (114.49, 4547),
        (121.47, 4549),
        (73.6, 4534),
        (135.05, 4554),
    ],
)
def test_metric_crs_picks_nearest_central_meridian(lon, epsg):
    assert metric_crs_for(lon, 30.0).to_epsg() == epsg


def test_metric_crs_scale_error_inside_zone_is_small():
    # Snyder (1987) ch. 8: k ≈ 1 + (Δλ cos φ)²/2; at the zone edge Δλ = 1.5°, φ = 30° -> k - 1 ≈ 2.57e-4.
    crs = metric_crs_for(115.4, 30.0)
    factors = pyproj.Proj(crs).get_factors(115.5, 30.0)
    expected = (np.radians(1.5) * np.cos(np.radians(30.0))) ** 2 / 2
    assert factors.meridional_scale - 1 == pytest.approx(expected, rel=0.01)


@pytest.mark.parametrize(("lon", "lat"), [(10.0, 30.0), (140.0, 30.0), (float("nan"), 30.0), (113.0, 95.0)])
def test_metric_crs_refuses_bad_coordinates(lon, lat):
    with pytest.raises(CRSError, match="lon="):
        metric_crs_for(lon, lat)


def test_require_metric_refuses_geographic_and_missing():
    gdf = gpd.GeoDataFrame(geometry=[Point(113, 30)], crs=4326)
    with pytest.raises(CRSError, match=r"WGS 84 \(EPSG:4326\).*metric") as err:
        require_metric(gdf, what="装置图层")
    assert "装置图层" in str(err.value) and "park.metric" in str(err.value)
    assert isinstance(err.value, ParkDataError) and isinstance(err.value, ValueError)
    with pytest.raises(CRSError, match="没有坐标系"):
        require_metric(gdf.set_crs(None, allow_override=True))
    assert require_metric(gdf.to_crs(4547)).to_epsg() == 4547


def test_require_same_crs_names_both():
    a = gpd.GeoDataFrame(geometry=[Point(113, 30)], crs=4326)
    b = a.to_crs(4547)
    with pytest.raises(CRSError, match=r"EPSG:4326.*EPSG:4547"):
        require_same_crs(a, b, what="装置与防护目标")
    assert require_same_crs(b, b.copy()).to_epsg() == 4547


def test_gcj02_reference_pair_from_coord_convert_readme():
    # coord-convert README (github.com/sshuair/coord-convert): wgs2gcj(120, 40) = (120.00567568355486, 40.0013047896019).
    lon, lat = to_wgs84(120.00567568355486, 40.0013047896019, coords="GCJ-02")
    assert float(lon) == pytest.approx(120.0, abs=1e-6)
    assert float(lat) == pytest.approx(40.0, abs=1e-6)


def test_bd09_reference_pair_from_gcoord_readme():
    # gcoord README (github.com/hujiulong/gcoord, an independent JavaScript implementation):
    # transform([116.403988, 39.914266], WGS84, BD09) -> [116.41661560068297, 39.92196580126834].
    lon, lat = to_wgs84([116.41661560068297], [39.92196580126834], coords="BD-09")
    # 1e-5 deg ~ 1 m: the inverse is iterative (coord-convert stops at 1e-6 deg steps)
    np.testing.assert_allclose(lon, [116.403988], atol=1e-5)
    np.testing.assert_allclose(lat, [39.914266], atol=1e-5)


def test_round_trip_over_an_array_near_the_demo_area():
    from coord_convert.transform import wgs2bd, wgs2gcj

    rng = np.random.default_rng(7)
    lon = rng.uniform(110, 116, 50)
    lat = rng.uniform(27, 33, 50)
    gcj = np.array([wgs2gcj(x, y) for x, y in zip(lon, lat, strict=True)])
    bd = np.array([wgs2bd(x, y) for x, y in zip(lon, lat, strict=True)])
    for coords, xy in (("GCJ-02", gcj), ("BD-09", bd)):
        back_lon, back_lat = to_wgs84(xy[:, 0], xy[:, 1], coords=coords)
        np.testing.assert_allclose(back_lon, lon, atol=2e-6)
        np.testing.assert_allclose(back_lat, lat, atol=2e-6)
    # offsets are real: GCJ-02 differs from WGS84 by hundreds of metres here
    assert np.all(np.abs(gcj[:, 0] - lon) > 1e-3)


def test_wgs84_and_cgcs2000_pass_unchanged_and_unknown_system_refused():
    lon, lat = to_wgs84([113.1, 113.2], [30.1, 30.2], coords="CGCS2000")
    np.testing.assert_array_equal(lon, [113.1, 113.2])
    with pytest.raises(ValueError, match=r"coords='UTM'.*WGS84.*GCJ-02"):
        to_wgs84(1, 2, coords="UTM")


def test_geometry_conversion_keeps_nulls_and_all_vertices():
    from coord_convert.transform import gcj2wgs

    poly = Polygon([(113.0, 30.0), (113.01, 30.0), (113.01, 30.01), (113.0, 30.0)])
    out = geometries_to_wgs84([poly, None, Point(113.5, 30.5)], coords="GCJ-02")
    assert out[1] is None
    got = shapely.get_coordinates(out[0])
    want = np.array([gcj2wgs(x, y) for x, y in poly.exterior.coords])
    np.testing.assert_allclose(got, want, atol=1e-12)

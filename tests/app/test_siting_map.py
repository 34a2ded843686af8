"""The map part of 选址与防护距离 (issue 17, item 5): IR contours and GB/T 37243 protection-distance lines on the
compliance map, and the new unit placed by clicking the map."""

from __future__ import annotations

import json

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from app.views import siting


def _distances(park, d_high: float, d_important: float) -> pd.DataFrame:
    ids = park.installations["unit_id"].astype(str).tolist()
    frame = pd.DataFrame({"unit_id": ids, "method": ["risk"] * len(ids)})
    frame["d_high_sensitive_existing"] = [d_high] + [np.nan] * (len(ids) - 1)
    frame["d_important_existing"] = [d_important, d_important / 2] + [np.nan] * (len(ids) - 2)
    frame["d_general_3_existing"] = [500.0] * len(ids)  # no general_3 target in the park: not drawn
    return frame


def test_protection_line_lies_at_the_distance_from_the_footprint(small_park):
    lines = siting.protection_lines(small_park, _distances(small_park, 300.0, 120.0))
    assert list(lines["protection_class"]) == ["high_sensitive", "important"]
    assert lines["label_zh"].iloc[0] == "高敏感防护目标防护距离线"
    assert lines.crs == small_park.metric("installations").crs
    u1 = small_park.metric("installations").geometry.iloc[0]
    high = lines.geometry.iloc[0]
    pts = shapely.get_coordinates(high)
    dist = shapely.distance(shapely.points(pts), u1)
    np.testing.assert_allclose(dist, 300.0, rtol=0.01)  # buffer polygon vertices sit on the 300 m circle
    # the important-class line is the outline of both units grown by their own distances (U1 120 m, U2 60 m)
    u2 = small_park.metric("installations").geometry.iloc[1]
    v = shapely.points(shapely.get_coordinates(lines.geometry.iloc[1]))
    gap = np.minimum(shapely.distance(v, u1) - 120.0, shapely.distance(v, u2) - 60.0)
    np.testing.assert_allclose(gap, 0.0, atol=1.0)


def test_compliance_map_draws_contours_and_protection_lines(small_park):
    comp = pd.DataFrame(
        {
            "target_id": small_park.sensitive_targets["target_id"],
            "pass_existing": [True, False, True, True, True],
            "pass_new": [False, False, True, True, True],
            "individual_risk": [1e-7, 5e-6, 1e-8, 1e-8, 1e-8],
        }
    )
    inst = small_park.metric("installations")
    contours = gpd.GeoDataFrame(
        {"level": [1e-5, 3e-7], "label_zh": ["1×10⁻⁵/年", "3×10⁻⁷/年"]},
        geometry=[inst.geometry.iloc[0].buffer(80.0), inst.geometry.iloc[0].buffer(400.0)],
        crs=inst.crs,
    )
    m = siting.compliance_map(
        small_park, comp, contours=contours, distances=_distances(small_park, 300.0, 120.0)
    )
    names = {c.layer_name for c in m._children.values() if isinstance(c, folium.FeatureGroup)}
    assert "个人风险等值线" in names and "外部安全防护距离线（2）" in names
    html = m.get_root().render()
    for text in ("1×10⁻⁵/年", "3×10⁻⁷/年", "高敏感防护目标防护距离线", "重要防护目标防护距离线"):
        assert text in html or json.dumps(text)[1:-1] in html, text
    # the control comes after every layer it lists
    keys = list(m._children)
    assert isinstance(m._children[keys[-1]], folium.LayerControl)


def test_clicked_point_reads_st_folium_last_clicked():
    assert siting.clicked_point({"last_clicked": {"lat": 30.6, "lng": 114.3}}) == (114.3, 30.6)
    assert siting.clicked_point({"last_clicked": None}) is None
    assert siting.clicked_point(None) is None
    assert siting.clicked_point({"last_clicked": {"lat": None, "lng": 1.0}}) is None


def test_placement_map_marks_the_proposed_location(small_park):
    lon, lat = small_park.center
    m = siting.placement_map(small_park, lon + 0.001, lat, basemap=None)
    markers = [c for c in m._children.values() if isinstance(c, folium.CircleMarker)]
    assert len(markers) == 1 and markers[0].location == pytest.approx([lat, lon + 0.001])
    assert "拟建装置位置" in m.get_root().render() or "\\u62df\\u5efa" in m.get_root().render()

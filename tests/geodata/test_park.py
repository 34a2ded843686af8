"""The Park object: layers, dtypes, metric CRS, caching."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from geodata import CRSError, Park, ParkDataError, schema
from geodata._dtypes import PANDAS_DTYPES


def test_all_layers_present_with_schema_dtypes(small_park):
    assert set(small_park.layers) == {*schema.LAYER_ORDER, "roads"}
    for name, gdf in small_park.layers.items():
        spec = schema.LAYERS[name]
        assert gdf.crs.to_epsg() == 4326
        assert list(gdf.columns[: len(spec.columns)]) == list(spec.column_names)
        assert gdf.columns[-1] == "geometry"
        for col in spec.columns:
            assert str(gdf[col.name].dtype) == PANDAS_DTYPES[col.dtype], (name, col.name)
    assert small_park.name == "测试化工园区"
    assert small_park.installations is small_park.layers["installations"]
    assert small_park.roads is not None and len(small_park.roads) == 1


def test_values_coerced(small_park):
    e = small_park.enterprises
    assert e["major_hazard_grade"].isna().tolist() == [False, True, False]
    assert e["employees"].tolist() == [800, 300, 50]
    r = small_park.rectifications
    assert r["found_on"].iloc[0] == pd.Timestamp("2025-03-01")
    assert pd.isna(r["closed_on"].iloc[0])
    assert r["enterprise_id"].isna().tolist() == [False, True]


def test_absent_layers_are_empty_with_schema_columns(layers):
    del layers["buildings"], layers["roads"]
    park = Park.from_layers(layers)
    assert len(park.buildings) == 0
    assert list(park.buildings.columns) == [*schema.LAYERS["buildings"].column_names, "geometry"]
    assert str(park.buildings["occupants"].dtype) == "Int64"
    assert park.roads is None and "roads" not in park.layers
    assert park.report.ok and "missing_layer" in park.report.kinds  # a warning, not an error


def test_metric_crs_and_metric_layers(small_park):
    assert small_park.metric_crs.to_epsg() == 4547  # centre ~113.0°E -> CM 114E zone
    m = small_park.metric("installations")
    assert m.crs.to_epsg() == 4547
    # U1 and U2 are 0.002° apart in lon and lat near 30°N: ~193 m east, ~222 m north -> ~294 m
    d = m.geometry.iloc[0].distance(m.geometry.iloc[1])
    geod = gpd.GeoSeries([Point(113.001, 30.001), Point(113.003, 30.003)], crs=4326).to_crs(4547)
    assert d == pytest.approx(geod.iloc[0].distance(geod.iloc[1]), rel=1e-9)
    assert 285 < d < 300


def test_metric_returns_copies_that_cannot_mutate_the_cache(small_park):
    m = small_park.metric("installations")
    m.loc[0, "inventory_kg"] = -1.0
    m["extra"] = 1
    again = small_park.metric("installations")
    assert again.loc[0, "inventory_kg"] == 3.5e6
    assert "extra" not in again.columns
    with pytest.raises(ValueError, match=r"layer='tanks'.*installations"):
        small_park.metric("tanks")


def test_reprojects_input_in_other_crs(layers):
    layers["installations"] = layers["installations"].to_crs(4547)
    park = Park.from_layers(layers)
    assert park.installations.crs.to_epsg() == 4326
    assert park.installations.geometry.iloc[0].x == pytest.approx(113.001, abs=1e-9)


def test_cgcs2000_geographic_is_taken_as_wgs84(layers):
    layers["parks"] = layers["parks"].set_crs(4490, allow_override=True)
    park = Park.from_layers(layers)
    assert park.parks.crs.to_epsg() == 4326
    assert park.parks.geometry.iloc[0].equals(layers["parks"].geometry.iloc[0])


def test_missing_crs_refused_with_clear_error(layers):
    layers["buildings"] = layers["buildings"].set_crs(None, allow_override=True)
    with pytest.raises(CRSError, match="没有坐标系") as err:
        Park.from_layers(layers)
    assert err.value.report.errors[0].layer == "buildings"
    with pytest.raises(CRSError, match=r"buildings.*set_crs"):
        Park.from_layers(layers, validate=False)


def test_from_layers_without_validation_fills_missing_columns(layers):
    layers["installations"] = layers["installations"].drop(columns=["pressure_pa"])
    with pytest.raises(ParkDataError, match="pressure_pa"):
        Park.from_layers(layers)
    park = Park.from_layers(layers, validate=False)
    assert park.installations["pressure_pa"].isna().all()
    assert str(park.installations["pressure_pa"].dtype) == "float64"


def test_extra_user_columns_are_kept(layers):
    layers["enterprises"]["contact"] = ["a", "b", "c"]
    park = Park.from_layers(layers)
    assert park.enterprises["contact"].tolist() == ["a", "b", "c"]


def test_park_validate_on_loaded_park_is_clean(small_park):
    report = small_park.validate()
    assert report.ok and len(report) == 0
    assert "未发现问题" in report.to_text_zh()

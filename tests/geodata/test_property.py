"""Property-based tests: malformed layers thrown at the loader end in the report or load correctly, nothing else."""

from __future__ import annotations

import datetime as dt
import math

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, MultiPolygon, Point, Polygon

from geodata import Park, ParkDataError, load_park, schema
from geodata._dtypes import PANDAS_DTYPES

LAYER_NAMES = [*schema.LAYER_ORDER, "roads"]

cell_values = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(min_value=dt.date(1, 1, 1)),
    st.sampled_from(
        ["", " ", "nan", "1e400", "2.5 MPa", "是", "2025-02-30", "school", "E1", "U1", "P1", "学校"]
    ),
)
coord = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-200, max_value=200),
    st.floats(min_value=112.9, max_value=113.1),
    st.floats(min_value=29.9, max_value=30.1),
)
# rings must close, which NaN coordinates never do: polygons get finite corners
finite = st.one_of(
    st.floats(min_value=-1e7, max_value=1e7),
    st.floats(min_value=112.9, max_value=113.1),
    st.floats(min_value=29.9, max_value=30.1),
)
geometries = st.one_of(
    st.none(),
    st.just(Point()),
    st.builds(Point, coord, coord),
    st.builds(lambda a, b: LineString([(a, b), (b, a)]), coord, coord),
    st.builds(
        lambda a, b: Polygon([(a, b), (a + 0.001, b + 0.001), (a + 0.001, b), (a, b + 0.001)]), finite, finite
    ),
    st.builds(lambda a, b: Polygon([(a, b), (a + 0.001, b), (a, b + 0.001)]), finite, finite),
    st.builds(lambda a, b: MultiPolygon([Polygon([(a, b), (a + 1e-3, b), (a, b + 1e-3)])]), finite, finite),
)


@st.composite
def mutation(draw):
    kind = draw(
        st.sampled_from(
            [
                "drop_col",
                "rename_col",
                "cell",
                "cell",
                "geom",
                "geom",
                "crs",
                "dup_row",
                "drop_layer",
                "rename_layer",
                "empty_layer",
                "add_col",
                "swap",
                "not_a_frame",
            ]
        )
    )
    return (
        kind,
        draw(st.sampled_from(LAYER_NAMES)),
        draw(st.integers(0, 10)),
        draw(cell_values),
        draw(geometries),
        draw(st.text(max_size=15)),
    )


def apply(layers: dict, mut) -> dict:
    kind, name, k, value, geom, text = mut
    if name not in layers or not isinstance(layers[name], gpd.GeoDataFrame):
        return layers
    gdf = layers[name].copy()
    cols = [c for c in gdf.columns if c != "geometry"]
    if not cols:
        return layers
    col = cols[k % len(cols)]
    i = k % max(len(gdf), 1)
    if kind == "drop_col":
        gdf = gdf.drop(columns=[col])
    elif kind == "rename_col":
        gdf = gdf.rename(columns={col: text})
    elif kind == "cell" and len(gdf):
        gdf[col] = gdf[col].astype(object)
        gdf.loc[i, col] = (
            value if not isinstance(value, dt.date) else pd.Timestamp(value) if value.year > 1677 else value
        )
    elif kind == "geom" and len(gdf):
        g = gdf.geometry.to_numpy().copy()
        g[i] = geom
        gdf = gdf.set_geometry(gpd.GeoSeries(g, crs=gdf.crs))
    elif kind == "crs":
        gdf = gdf.set_crs([None, 3857, 4547, 4490][k % 4], allow_override=True)
    elif kind == "dup_row":
        gdf = pd.concat([gdf, gdf.iloc[[i]]], ignore_index=True) if len(gdf) else gdf
    elif kind == "drop_layer":
        del layers[name]
        return layers
    elif kind == "rename_layer":
        layers[text] = layers.pop(name)
        return layers
    elif kind == "empty_layer":
        gdf = gdf.iloc[:0]
    elif kind == "add_col":
        gdf[text or "x"] = value if not isinstance(value, dt.date) else str(value)
    elif kind == "swap":
        gdf = gdf.set_geometry(
            gpd.GeoSeries(shapely.transform(gdf.geometry.to_numpy(), lambda a: a[:, ::-1]), crs=gdf.crs)
        )
    elif kind == "not_a_frame":
        layers[name] = [1, 2, 3]
        return layers
    layers[name] = gdf
    return layers


def check_outcome(build) -> None:
    """Either a ParkDataError whose report has errors, or a park whose layers honour the contract."""
    try:
        park = build()
    except ParkDataError as exc:
        assert exc.report is not None and not exc.report.ok
        assert exc.report.to_text_zh() and len(exc.report.to_frame()) == len(exc.report)
        return
    for name, gdf in park.layers.items():
        spec = schema.LAYERS[name]
        assert gdf.crs.to_epsg() == 4326
        for c in spec.columns:
            assert str(gdf[c.name].dtype) == PANDAS_DTYPES[c.dtype], (name, c.name, gdf[c.name].dtype)
            if not c.nullable:
                assert not gdf[c.name].isna().any(), (name, c.name)
        assert gdf.geometry.notna().all() and not gdf.geometry.is_empty.any()
        assert gdf.geometry.is_valid.all()
        assert set(gdf.geom_type) <= set(spec.geometry_types)
        assert gdf[spec.id_column].is_unique
    assert park.validate().ok  # what loaded re-validates clean
    if len(park.parks):
        assert park.metric("installations").crs.is_projected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(mutation(), min_size=1, max_size=4))
def test_from_layers_report_or_valid_park(make_layers, muts):
    layers = make_layers()
    for m in muts:
        layers = apply(layers, m)
    check_outcome(lambda: Park.from_layers(layers))


@pytest.mark.filterwarnings("ignore:'crs' was not provided:UserWarning")
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(mutation(), min_size=1, max_size=3))
def test_load_gpkg_report_or_valid_park(make_layers, tmp_path_factory, muts):
    layers = make_layers()
    for m in muts:
        layers = apply(layers, m)
    path = tmp_path_factory.mktemp("prop") / "park.gpkg"
    try:  # the writer (GDAL) may refuse what we throw at it; only files that exist are loader input
        for name, gdf in layers.items():
            if isinstance(gdf, gpd.GeoDataFrame) and name.strip() and gdf.geometry.name in gdf.columns:
                gdf.to_file(path, layer=name, driver="GPKG")
    except Exception:  # noqa: BLE001 - harness, not the code under test
        assume(False)
    assume(path.exists())
    check_outcome(lambda: load_park(path))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    layer=st.sampled_from(LAYER_NAMES),
    row=st.integers(0, 3),
    col=st.integers(0, 20),
    text=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20),
)
def test_csv_cells_report_or_valid_park(make_layers, layer_to_table, tmp_path_factory, layer, row, col, text):
    folder = tmp_path_factory.mktemp("csv")
    for name, gdf in make_layers().items():
        table = layer_to_table(gdf).astype(object)
        if name == layer:
            c = table.columns[col % len(table.columns)]
            table.loc[row % len(table), c] = text
        table.to_csv(folder / f"{name}.csv", index=False)
    check_outcome(lambda: load_park(folder))


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_coordinates_are_reported(make_layers, value):
    layers = make_layers()
    layers["installations"].loc[0, "geometry"] = Point(value, 30.0)
    with pytest.raises(ParkDataError, match="U1"):
        Park.from_layers(layers)

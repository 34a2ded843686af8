"""A small, valid, fictional park near 113°E 30°N, built in code (independent of the demo park)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, box

LON0, LAT0 = 113.0, 30.0
D = 0.001  # ~100 m


def _b(i: float, j: float, w: float = 1.0, h: float = 1.0):
    return box(LON0 + i * D, LAT0 + j * D, LON0 + (i + w) * D, LAT0 + (j + h) * D)


def make_layers() -> dict[str, gpd.GeoDataFrame]:
    """Raw layers of a tiny valid park (values as a user would enter them, CRS EPSG:4326)."""
    crs = "EPSG:4326"
    parks = gpd.GeoDataFrame(
        {"park_id": ["P1"], "name": ["测试化工园区"], "level": ["provincial"], "risk_grade": ["C"]},
        geometry=[_b(-10, -10, 30, 30)],
        crs=crs,
    )
    enterprises = gpd.GeoDataFrame(
        {
            "enterprise_id": ["E1", "E2", "E3"],
            "park_id": ["P1", "P1", "P1"],
            "name": ["甲石化", "乙氯碱", "丙化工"],
            "industry": ["石油炼制", "氯碱", "精细化工"],
            "risk_color": ["red", "orange", "blue"],
            "major_hazard_grade": [1, None, 4],
            "employees": [800, 300, 50],
        },
        geometry=[_b(0, 0, 5, 5), _b(6, 0, 5, 5), _b(0, 6, 5, 5)],
        crs=crs,
    )
    installations = gpd.GeoDataFrame(
        {
            "unit_id": ["U1", "U2", "U3", "U4"],
            "enterprise_id": ["E1", "E1", "E2", "E3"],
            "name": ["汽油储罐", "液化石油气球罐", "液氯储罐", "甲醇储罐"],
            "kind": ["storage_tank", "spherical_tank", "bullet_tank", "storage_tank"],
            "equipment_class": ["atmospheric", "pressurized", "pressurized", "atmospheric"],
            "substance": ["gasoline", "propane", "chlorine", "methanol"],
            "inventory_kg": [3.5e6, 4.0e5, 5.0e4, 1.2e6],
            "phase": ["liquid", "liquefied_gas", "liquefied_gas", "liquid"],
            "pressure_pa": [101325.0, 1.6e6, 7.8e5, 101325.0],
            "temperature_k": [293.15, 293.15, 293.15, 293.15],
            "volume_m3": [5000.0, 1000.0, 50.0, 2000.0],
            "diameter_m": [21.0, 12.3, 2.4, 15.0],
            "height_m": [15.0, 12.3, 2.4, 12.0],
            "bund_area_m2": [2500.0, None, None, 1200.0],
            "hazardous_process": [None, None, "electrolysis", None],
        },
        geometry=[
            Point(LON0 + 1 * D, LAT0 + 1 * D),
            Point(LON0 + 3 * D, LAT0 + 3 * D),
            Point(LON0 + 8 * D, LAT0 + 2 * D),
            Point(LON0 + 2 * D, LAT0 + 8 * D),
        ],
        crs=crs,
    )
    pipelines = gpd.GeoDataFrame(
        {
            "pipeline_id": ["L1"],
            "name": ["西气东输支线"],
            "substance": ["methane"],
            "diameter_m": [0.406],
            "pressure_pa": [4.0e6],
            "buried": [True],
            "operator": ["某燃气公司"],
            "kind": ["transmission"],
            "temperature_k": [288.15],
        },
        geometry=[LineString([(LON0 - 8 * D, LAT0 - 5 * D), (LON0 + 18 * D, LAT0 - 5 * D)])],
        crs=crs,
    )
    targets = gpd.GeoDataFrame(
        {
            "target_id": ["T1", "T2", "T3"],
            "name": ["某小学", "某村", "某医院"],
            "category": ["school", "village", "hospital"],
            "protection_class": ["high_sensitive", "general_2", "high_sensitive"],
            "population_day": [600, 300, 400],
            "population_night": [0, 350, 250],
        },
        geometry=[Point(LON0 - 15 * D, LAT0), _b(25, 25, 3, 3), Point(LON0, LAT0 + 25 * D)],
        crs=crs,
    )
    buildings = gpd.GeoDataFrame(
        {
            "building_id": ["B1", "B2"],
            "enterprise_id": ["E1", "E2"],
            "name": ["中心控制室", "办公楼"],
            "use": ["control_room", "office"],
            "occupants": [12, 40],
            "blast_resistant": [True, False],
        },
        geometry=[_b(4, 0, 0.3, 0.3), _b(10, 4, 0.5, 0.5)],
        crs=crs,
    )
    rectifications = gpd.GeoDataFrame(
        {
            "item_id": ["R1", "R2"],
            "park_id": ["P1", "P1"],
            "enterprise_id": ["E1", None],
            "title": ["控制室未抗爆设计", "园区应急池容积不足"],
            "category": ["five_rooms", "emergency"],
            "hazard_level": ["major", "general"],
            "source": ["expert_review", "inspection"],
            "found_on": ["2025-03-01", "2025-05-10"],
            "deadline": ["2025-12-31", "2026-06-30"],
            "responsible": ["张三", "李四"],
            "status": ["in_progress", "closed"],
            "closed_on": [None, "2026-01-15"],
        },
        geometry=[Point(LON0 + 4 * D, LAT0), Point(LON0 + 15 * D, LAT0 + 15 * D)],
        crs=crs,
    )
    roads = gpd.GeoDataFrame(
        {"road_id": ["RD1"], "name": ["园区一路"], "kind": ["park"], "one_way": [False]},
        geometry=[LineString([(LON0 - 5 * D, LAT0 + 5.5 * D), (LON0 + 15 * D, LAT0 + 5.5 * D)])],
        crs=crs,
    )
    return {
        "parks": parks,
        "enterprises": enterprises,
        "installations": installations,
        "pipelines": pipelines,
        "sensitive_targets": targets,
        "buildings": buildings,
        "rectifications": rectifications,
        "roads": roads,
    }


@pytest.fixture
def layers() -> dict[str, gpd.GeoDataFrame]:
    """Fresh raw layers of the small valid park (safe to modify)."""
    return make_layers()


@pytest.fixture
def small_park(layers):
    from geodata import Park

    return Park.from_layers(layers, source="test")


@pytest.fixture
def park_gpkg(tmp_path, small_park):
    path = tmp_path / "small_park.gpkg"
    small_park.save(path)
    return path


def layer_to_table(gdf: gpd.GeoDataFrame) -> pd.DataFrame:
    """A point layer as a table with lon/lat columns, other geometries as WKT."""
    df = pd.DataFrame(gdf.drop(columns="geometry"))
    if (gdf.geom_type == "Point").all():
        df["lon"] = gdf.geometry.x
        df["lat"] = gdf.geometry.y
    else:
        df["wkt"] = gdf.geometry.to_wkt()
    return df


@pytest.fixture(scope="session", name="make_layers")
def _make_layers_fixture():
    """The factory :func:`make_layers` (tests import nothing from conftest under importlib mode)."""
    return make_layers


@pytest.fixture(scope="session", name="layer_to_table")
def _layer_to_table_fixture():
    return layer_to_table

"""Population beyond the park's targets: residential areas and a population raster, each person counted once.

The expected fatalities use the published closed forms of tests/analysis/test_risk.py (Gaussian plume with Briggs
rural σ for class D, Crowl & Louvar 2011 Eq. 5-49 and Table 5-2; ammonia probit, Crowl & Louvar 2011 Table 2-5):
PLL = Σ f × P_death(point) × people, with day and night each half the year.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely

from analysis.qra import individual as risk
from analysis.qra import receptors as rc
from analysis.qra import societal as so
from geodata import Park
from geodata.population import PopulationRaster, population_raster_path, read_population_raster
from geodata.samples.one_unit import ammonia_outcome
from tests.analysis.test_risk import LAT, LON, F, _hand_plume_death, _park, _rose

CELL = 0.002  # [°] raster cell
WEST = LON + 0.0094  # the raster's west edge: cell (0, 0) is centred on the village target (LON + 0.0104)


def _raster(values) -> PopulationRaster:
    v = np.asarray(values, dtype=float)
    return PopulationRaster(v, v, (CELL, 0.0, WEST, 0.0, -CELL, LAT + CELL / 2), pyproj.CRS.from_epsg(4326))


def _with(park: Park, raster=None, areas=None) -> Park:
    layers = dict(park.layers)
    if areas is not None:
        layers["population_areas"] = areas
    out = Park.from_layers(layers, validate=False)
    out.population_raster = raster
    return out


def _polygon_village() -> Park:
    """The test park with its village as a polygon (±0.0005° around LON + 0.0104) of 100 by day, 300 by night."""
    p = _park(targets=True)
    layers = dict(p.layers)
    tg = layers["sensitive_targets"].copy()
    tg["geometry"] = [shapely.box(LON + 0.0099, LAT - 0.0005, LON + 0.0109, LAT + 0.0005)]
    layers["sensitive_targets"] = gpd.GeoDataFrame(tg, geometry="geometry", crs=4326)
    return Park.from_layers(layers, validate=False)


def _run(park: Park):
    ox, oy = park.metric("installations").geometry.iloc[0].coords[0]
    return risk.individual_risk(
        park,
        outcomes=ammonia_outcome(),
        wind_rose=_rose(),
        resolution=10.0,
        extent=(ox - 300, oy - 200, ox + 2100, oy + 200),
    )


@pytest.fixture(scope="module")
def village():
    return _polygon_village()


def test_raster_over_a_target_counts_each_person_once(village):
    # cell (0, 0): 500 people centred on the village polygon (its people are the target's 100/300: masked);
    # cell (0, 1): 200 people ~1.2 km downwind, counted by the raster alone
    with_raster = _with(village, _raster([[500.0, 200.0]]))
    rec = rc.receptor_points(with_raster, 10.0)
    assert rec["w_night"].sum() == pytest.approx(300.0 + 200.0)
    assert rec["w_day"].sum() == pytest.approx(100.0 + 200.0)
    cells = rec[rec["layer"] == "population_raster"]
    assert list(cells["feature_id"]) == ["0,1"]

    res_t = _run(village)
    res_tr = _run(with_raster)
    no_target = Park.from_layers(
        {k: v for k, v in village.layers.items() if k != "sensitive_targets"}, validate=False
    )
    no_target.population_raster = _raster([[0.0, 200.0]])
    res_r = _run(no_target)
    pll = [so.societal_risk(r, indoor=False).pll for r in (res_t, res_tr, res_r)]
    assert pll[1] == pytest.approx(
        pll[0] + pll[2], rel=1e-9
    )  # target + the raster's own people, nobody twice

    # the raster's 200 people at their cell centre: F × P_death × 200 (day and night alike), published closed forms
    ox, oy = no_target.metric("installations").geometry.iloc[0].coords[0]
    x, y = cells["x"].iloc[0], cells["y"].iloc[0]
    assert pll[2] == pytest.approx(F * _hand_plume_death(x - ox, y - oy) * 200.0, rel=0.01)


def test_point_target_is_subtracted_from_its_cell():
    park = _park(targets=True)  # the village as a point (100 by day, 300 by night) inside cell (0, 0)
    rec = rc.receptor_points(_with(park, _raster([[450.0, 0.0]])), 10.0)
    cell = rec[rec["layer"] == "population_raster"]
    assert cell["w_night"].sum() == pytest.approx(450.0 - 300.0)
    assert cell["w_day"].sum() == pytest.approx(450.0 - 100.0)
    rec = rc.receptor_points(_with(park, _raster([[80.0, 0.0]])), 10.0)
    assert (rec["layer"] != "population_raster").all()  # 80 - 300 < 0: the cell is all the target's people


def test_residential_area_without_target_record(village):
    areas = gpd.GeoDataFrame(
        {"area_id": ["A1"], "name": ["东村新区"], "population_day": [40], "population_night": [120]},
        geometry=[shapely.box(LON + 0.0116, LAT - 0.0008, LON + 0.0132, LAT + 0.0008)],
        crs=4326,
    )
    park = _with(village, _raster([[500.0, 200.0]]), areas)
    rec = rc.receptor_points(park, 10.0)
    by_layer = rec.groupby("layer")["w_night"].sum()
    assert by_layer["population_areas"] == pytest.approx(120.0)
    # cell (0, 1) is centred inside the area: its people are the area's 120, the raster adds nobody there
    assert "population_raster" not in by_layer
    assert rec["w_night"].sum() == pytest.approx(300.0 + 120.0)
    # the area's people are the public (n_targets), not the park's workers
    soc = so.societal_risk(_run(park), include_buildings=False, indoor=False)
    assert soc.pll > so.societal_risk(_run(village), include_buildings=False, indoor=False).pll


def test_indoor_factor_table():
    # CPR 18E §5.3 (see analysis.qra.societal [5]): 93 % indoors by day, 99 % by night; toxic 0.1, flash fire 0
    np.testing.assert_allclose(
        so.indoor_factor(["toxic", "toxic", "flash_fire", "vce"], ["day", "night", "night", "day"]),
        [0.07 + 0.093, 0.01 + 0.099, 0.01, 1.0],
    )
    with pytest.raises(ValueError, match="period"):
        so.indoor_factor(["toxic"], ["evening"])


def test_population_raster_file_round_trip(tmp_path):
    import rasterio
    from rasterio.transform import from_origin

    path = population_raster_path(tmp_path / "园区.gpkg")
    assert path.name == "园区.population.tif"
    data = np.array([[[5.0, -9999.0], [0.0, 12.0]], [[7.0, 1.0], [2.0, 3.0]]])
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=2,
        width=2,
        count=2,
        dtype="float64",
        crs="EPSG:4326",
        transform=from_origin(LON, LAT, CELL, CELL),
        nodata=-9999.0,
    ) as dst:
        dst.write(data)
    r = read_population_raster(path)
    np.testing.assert_array_equal(r.night, [[5.0, 0.0], [0.0, 12.0]])  # NoData -> 0
    np.testing.assert_array_equal(r.day, [[7.0, 1.0], [2.0, 3.0]])
    xs, ys = r.cell_centres()
    assert xs[0, 0] == pytest.approx(LON + CELL / 2) and ys[0, 0] == pytest.approx(LAT - CELL / 2)
    with pytest.raises(ValueError, match="人口栅格"):
        read_population_raster(tmp_path / "missing.tif")

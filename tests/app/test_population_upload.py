"""The population raster upload of the 气象与人口 page: every bad file is refused with a Chinese message naming the
fix (all problems at once), a good one is stored as ``<park>.population.tif`` beside the park file and read by
load_park, and the page shows the people it holds."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from geodata import population as gp

PAGES = Path(__file__).resolve().parents[2] / "app" / "views"


def _tif(values, *, crs="EPSG:4326", nodata=None, lon=113.7, lat=29.9, cell=0.001, driver="GTiff") -> bytes:
    import rasterio
    from rasterio.transform import from_origin

    a = np.asarray(values, dtype="float32")
    if a.ndim == 2:
        a = a[None]
    buf = io.BytesIO()
    with rasterio.MemoryFile() as mem:
        with mem.open(
            driver=driver,
            height=a.shape[1],
            width=a.shape[2],
            count=a.shape[0],
            dtype="float32",
            crs=crs,
            transform=from_origin(lon, lat, cell, cell),
            nodata=nodata,
        ) as dst:
            dst.write(a)
        buf.write(mem.read())
    return buf.getvalue()


NEAR = (113.5, 29.7, 113.9, 30.1)  # lon/lat bounds of a park and its surroundings [°]


def test_good_raster_is_read():
    r = gp.check_population_raster(_tif([[10, 20], [0, 5]]), name="pop.tif", bounds_wgs84=NEAR)
    assert r.total_night == pytest.approx(35.0) and r.source == "pop.tif"
    two = gp.check_population_raster(_tif([[[1, 2]], [[3, 4]]]), bounds_wgs84=NEAR)  # night, day
    assert two.total_night == pytest.approx(3.0) and float(two.day.sum()) == pytest.approx(7.0)


def test_declared_nodata_is_not_a_negative_count():
    r = gp.check_population_raster(_tif([[-9999, 4], [6, -9999]], nodata=-9999), bounds_wgs84=NEAR)
    assert r.total_night == pytest.approx(10.0)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            lambda: _tif([[3, -2], [-5, 1]]),
            ["第 1 波段有 2 个像元为负值", "最小 -5", "未声明 NoData", "声明为 NoData"],
        ),
        (lambda: _tif(np.ones((3, 2, 2))), ["有 3 个波段", "删去多余波段"]),
        (lambda: _tif([[1, 2]], crs=None), ["没有坐标系", "指定坐标系"]),
        (lambda: _tif([[0, 0]]), ["没有人数大于 0 的像元", "NoData 设置"]),
        (lambda: _tif([[1, 2]], lon=10.0, lat=50.0), ["不重叠", "检查其坐标系"]),
        (lambda: b"not a tiff at all", ["不是可读取的 GeoTIFF", "另存为 GeoTIFF"]),
    ],
)
def test_bad_rasters_refused_naming_the_fix(data, expected):
    with pytest.raises(ValueError) as exc:
        gp.check_population_raster(data(), name="人口.tif", bounds_wgs84=NEAR)
    for text in expected:
        assert text in str(exc.value), (text, str(exc.value))
    assert "人口.tif" in str(exc.value)


def test_all_problems_at_once():
    with pytest.raises(ValueError) as exc:
        gp.check_population_raster(_tif(np.ones((3, 2, 2)), crs=None), bounds_wgs84=NEAR)
    assert "有 3 个波段" in str(exc.value) and "没有坐标系" in str(exc.value)


def test_size_limits(monkeypatch):
    monkeypatch.setattr(gp, "MAX_POPULATION_CELLS", 3)
    with pytest.raises(ValueError, match="超过上限 3：请裁剪"):
        gp.check_population_raster(_tif([[1, 2], [3, 4]]), bounds_wgs84=NEAR)
    monkeypatch.setattr(gp, "MAX_POPULATION_BYTES", 10)
    with pytest.raises(ValueError, match="MB：请在 GIS 软件中裁剪"):
        gp.check_population_raster(_tif([[1, 2], [3, 4]]), bounds_wgs84=NEAR)


def test_saved_beside_the_park_read_by_load_park_and_in_the_cache_version(small_park, tmp_path):
    from app.cache import file_version
    from geodata import load_park

    park_path = tmp_path / "园区.gpkg"
    small_park.save(park_path)
    before = file_version(park_path)
    lon, lat = small_park.center
    data = _tif([[100, 200], [0, 50]], lon=lon - 0.001, lat=lat + 0.001)
    gp.check_population_raster(data, bounds_wgs84=(lon - 0.1, lat - 0.1, lon + 0.1, lat + 0.1))
    saved = gp.save_population_raster(park_path, data)
    assert saved == tmp_path / "园区.population.tif"
    assert load_park(park_path).population_raster.total_night == pytest.approx(350.0)
    assert file_version(park_path) != before  # the page's cached park is read again


def test_page_shows_the_people(small_park, tmp_path, monkeypatch):
    park_path = tmp_path / "p.gpkg"
    small_park.save(park_path)
    lon, lat = small_park.center
    gp.save_population_raster(park_path, _tif([[100, 200], [0, 50]], lon=lon, lat=lat))
    monkeypatch.setenv("PARKRISK_PARK", str(park_path))
    at = AppTest.from_file(str(PAGES / "weather.py"), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value.startswith("气象与人口")
    shown = [m.value for m in at.markdown]
    assert any("人口栅格 p.population.tif" in v and "夜间 350 人" in v for v in shown), shown

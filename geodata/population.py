"""An optional population raster beside the park: persons per cell, read from ``<park>.population.tif``.

A park's people are, first, those it lists itself — sensitive targets (``population_day``/``population_night``),
buildings (``occupants``) and residential areas (the optional ``population_areas`` layer). Everyone else can come
from a population grid (a national gridded population product or a local census grid) stored as a GeoTIFF next to
the park file: ``园区.gpkg`` → ``园区.population.tif`` (:func:`population_raster_path`). :func:`geodata.load_park`
reads it when it exists and puts it on ``park.population_raster``; :func:`read_population_raster` reads any path.

Band 1 is the night-time (resident) population per cell; an optional band 2 is the day-time population. With one
band the same count is used day and night. Cells are persons per cell (not per km²); NoData and negative cells are
0. The raster may be in any projected or geographic CRS; :mod:`analysis.qra.receptors` places each cell centre in
the park's metric CRS and counts everyone once (cells already counted by a target, building or area are masked).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyproj

__all__ = [
    "MAX_POPULATION_BYTES",
    "MAX_POPULATION_CELLS",
    "PopulationRaster",
    "check_population_raster",
    "population_raster_path",
    "read_population_raster",
    "save_population_raster",
]

#: Suffix of the population raster beside a park file.
POPULATION_SUFFIX = ".population.tif"
#: Largest upload accepted (file size [bytes] and cells per band): a park and its surroundings at 100 m is about
#: 10⁴–10⁵ cells; a national product must be clipped to the park's surroundings first.
MAX_POPULATION_BYTES = 200 * 1024 * 1024
MAX_POPULATION_CELLS = 25_000_000


@dataclass(frozen=True)
class PopulationRaster:
    """Persons per cell of a population grid.

    Attributes
    ----------
    night, day : numpy.ndarray, shape (ny, nx)
        Persons per cell at night and by day (the same array when the file has one band). [persons]
    transform : tuple of float
        Affine (a, b, c, d, e, f): x = a·col + b·row + c, y = d·col + e·row + f of a cell's corner.
    crs : pyproj.CRS
    source : str
        The file it was read from.
    """

    night: np.ndarray
    day: np.ndarray
    transform: tuple[float, float, float, float, float, float]
    crs: pyproj.CRS
    source: str = ""

    def cell_centres(self) -> tuple[np.ndarray, np.ndarray]:
        """x, y of every cell centre in the raster's CRS, shape (ny, nx)."""
        a, b, c, d, e, f = self.transform
        ny, nx = self.night.shape
        col, row = np.meshgrid(np.arange(nx) + 0.5, np.arange(ny) + 0.5)
        return a * col + b * row + c, d * col + e * row + f

    @property
    def total_night(self) -> float:
        """Persons in the raster at night. [persons]"""
        return float(self.night.sum())


def population_raster_path(park_path: str | os.PathLike) -> Path:
    """``<park>.population.tif`` beside a park file (``园区.gpkg`` → ``园区.population.tif``)."""
    p = Path(park_path)
    return p.with_name(p.stem + POPULATION_SUFFIX)


def read_population_raster(path: str | os.PathLike) -> PopulationRaster:
    """Read a population GeoTIFF (band 1 night/residents, optional band 2 day; persons per cell).

    Raises
    ------
    ValueError
        The file cannot be read, has no CRS, or holds no finite cell; the message names the file and the fix.
    """
    import rasterio

    path = Path(path)
    try:
        with rasterio.open(path) as src:
            if src.crs is None:
                raise ValueError(
                    f"人口栅格 {path.name} 没有坐标系：请在 GIS 软件中为其指定坐标系（如 EPSG:4326）后另存为 GeoTIFF"
                )
            bands = [
                src.read(i, masked=True).astype(float).filled(0.0) for i in range(1, min(src.count, 2) + 1)
            ]
            t = src.transform
            crs = pyproj.CRS.from_user_input(src.crs.to_wkt())
    except rasterio.errors.RasterioIOError as exc:
        raise ValueError(
            f"人口栅格 {path.name} 无法读取（{exc}）：请提供 GeoTIFF 文件（每个像元的人数）"
        ) from exc
    night = np.where(np.isfinite(bands[0]) & (bands[0] > 0), bands[0], 0.0)
    day = night if len(bands) == 1 else np.where(np.isfinite(bands[1]) & (bands[1] > 0), bands[1], 0.0)
    return PopulationRaster(night, day, (t.a, t.b, t.c, t.d, t.e, t.f), crs, str(path))


def check_population_raster(
    data: bytes, *, name: str = "人口栅格.tif", bounds_wgs84: tuple[float, float, float, float] | None = None
) -> PopulationRaster:
    """Check an uploaded population GeoTIFF and read it; every problem is named with its fix, all at once.

    Checks: a GeoTIFF that opens; at most :data:`MAX_POPULATION_BYTES` and :data:`MAX_POPULATION_CELLS`; one band
    (residents) or two (night, day); a numeric band type; a CRS; no negative value that is not declared NoData;
    at least one cell with people; and, with ``bounds_wgs84`` (lon_min, lat_min, lon_max, lat_max of the park and
    its surroundings [°]), that the raster covers part of it (a wrong CRS shows as a raster far away).

    Parameters
    ----------
    data : bytes
        The file's content.
    name : str
        The file's name, for the messages.

    Raises
    ------
    ValueError
        All problems found, one per line (Chinese, each with its fix).
    """
    import tempfile

    if len(data) > MAX_POPULATION_BYTES:
        raise ValueError(
            f"人口栅格 {name} 为 {len(data) / 2**20:,.0f} MB，超过上限 {MAX_POPULATION_BYTES / 2**20:,.0f} MB："
            "请在 GIS 软件中裁剪到园区及周边（如园区外 5 km）后再上传"
        )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "upload.tif"
        path.write_bytes(data)
        problems = _raster_problems(path, name, bounds_wgs84)
        if problems:
            raise ValueError("；\n".join(problems))
        raster = read_population_raster(path)
    return PopulationRaster(raster.night, raster.day, raster.transform, raster.crs, name)


def _raster_problems(path: Path, name: str, bounds_wgs84: tuple | None) -> list[str]:
    """The problems of a population GeoTIFF (empty when it can be used)."""
    import rasterio

    try:
        src = rasterio.open(path)
    except rasterio.errors.RasterioIOError:
        return [
            f"人口栅格 {name} 不是可读取的 GeoTIFF：请在 GIS 软件中另存为 GeoTIFF（.tif，每个像元为人数）"
        ]
    with src:
        out = []
        if src.driver != "GTiff":
            out.append(f"人口栅格 {name} 的格式为 {src.driver}，不是 GeoTIFF：请另存为 GeoTIFF（.tif）")
        if src.count not in (1, 2):
            out.append(
                f"人口栅格 {name} 有 {src.count} 个波段：应为 1 个（常住人口）或 2 个（第 1 波段夜间、第 2 波段白天），"
                "请删去多余波段后另存"
            )
        if src.width * src.height > MAX_POPULATION_CELLS:
            out.append(
                f"人口栅格 {name} 有 {src.width} × {src.height} = {src.width * src.height:,} 个像元，超过上限 "
                f"{MAX_POPULATION_CELLS:,}：请裁剪到园区及周边或重采样到更粗的分辨率（人数求和）后再上传"
            )
        if not all(np.issubdtype(np.dtype(d), np.number) for d in src.dtypes):
            out.append(f"人口栅格 {name} 的像元类型为 {src.dtypes}，不是数值：请另存为整数或浮点 GeoTIFF")
        if src.crs is None:
            out.append(
                f"人口栅格 {name} 没有坐标系：请在 GIS 软件中为其指定坐标系（如 EPSG:4326）后另存为 GeoTIFF"
            )
        if out:
            return out
        out += _value_problems(src, name)
        if bounds_wgs84 is not None and not _overlaps(src, bounds_wgs84):
            out.append(
                f"人口栅格 {name} 的范围与园区及周边不重叠：请检查其坐标系是否正确（如把经纬度栅格误标为投影坐标）"
            )
    return out


def _value_problems(src, name: str) -> list[str]:
    out = []
    people = 0.0
    for i in range(1, src.count + 1):
        band = src.read(i, masked=True).astype(float)
        vals = band.compressed()
        neg = vals[np.isfinite(vals) & (vals < 0)]
        if len(neg):
            nodata = "未声明 NoData" if src.nodata is None else f"NoData 为 {src.nodata:g}"
            out.append(
                f"人口栅格 {name} 第 {i} 波段有 {len(neg):,} 个像元为负值（最小 {neg.min():g}，{nodata}）："
                "人数不能为负；如为无数据像元，请在文件中把该值声明为 NoData（如 -9999），否则改为 0"
            )
        people += float(vals[np.isfinite(vals) & (vals > 0)].sum())
    if not out and people <= 0:
        out.append(f"人口栅格 {name} 没有人数大于 0 的像元（全部为 0 或 NoData）：请检查文件与 NoData 设置")
    return out


def _overlaps(src, bounds_wgs84: tuple) -> bool:
    import rasterio
    from rasterio.warp import transform_bounds

    try:
        lo0, la0, lo1, la1 = transform_bounds(src.crs, "EPSG:4326", *src.bounds)
    except (ValueError, rasterio.errors.RasterioError):  # a CRS that cannot be transformed is a wrong CRS
        return False
    b = bounds_wgs84
    return not (lo1 < b[0] or lo0 > b[2] or la1 < b[1] or la0 > b[3])


def save_population_raster(park_path: str | os.PathLike, data: bytes) -> Path:
    """Write a checked population GeoTIFF as ``<park>.population.tif`` beside the park file, atomically (a
    temporary file in the same folder moved over the old one). Returns the path."""
    import uuid

    target = population_raster_path(park_path)
    tmp = target.with_name(f".{target.stem}.{uuid.uuid4().hex}.tmp.tif")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    return target

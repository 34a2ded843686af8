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

__all__ = ["PopulationRaster", "population_raster_path", "read_population_raster"]

#: Suffix of the population raster beside a park file.
POPULATION_SUFFIX = ".population.tif"


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

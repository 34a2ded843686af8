"""The :class:`Park`: seven layers (plus optional roads) in WGS84 for display and a local metric CRS for analysis."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Mapping
from functools import cached_property

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj

from geodata import schema
from geodata._dtypes import ColumnCache, empty_series
from geodata.crs import COORD_SYSTEMS, WGS84, geometries_to_wgs84, metric_crs_for
from geodata.errors import CRSError, ParkDataError
from geodata.validate import Problem, ValidationReport, validate_layers
from geodata.weather import ParkWeather

__all__ = ["Park", "prepare_layers", "coerce_layer", "empty_layer"]

log = logging.getLogger(__name__)

_SAME_AS_WGS84 = {4326, 4490}  # CGCS2000 is treated as WGS84 at map scale (see geodata.crs)
_CRS84 = pyproj.CRS.from_user_input("OGC:CRS84")


def _normalise_columns(df: pd.DataFrame, spec: schema.LayerSpec | None) -> pd.DataFrame:
    """Column names as stripped strings; a case/whitespace variant of a schema column gets the schema name."""
    geom_name = getattr(df, "_geometry_column_name", None) if isinstance(df, gpd.GeoDataFrame) else None
    rename: dict = {}
    present = {str(c) for c in df.columns}
    wanted = {c.lower(): c for c in spec.column_names} if spec else {}
    for col in df.columns:
        if col == geom_name:
            continue
        new = str(col).strip()
        target = wanted.get(new.lower())
        if target and target not in present:
            new = target
        if new != col:
            rename[col] = new
    if rename:
        df = df.rename(columns=rename)
    return df


def prepare_layers(
    layers: Mapping[str, pd.DataFrame], *, coords: str = "WGS84"
) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Bring raw layers to EPSG:4326 without coercing values: reproject, remove Chinese web-map offsets.

    Layers without a CRS are left as they are (validation reports them). A CRS that cannot be transformed is
    reported as a ``bad_crs`` problem and its layer dropped.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        Raw layers.
    coords : str
        The coordinate system the coordinates are in (one of :data:`geodata.crs.COORD_SYSTEMS`); GCJ-02 and BD-09
        coordinates are converted to WGS84 after reprojection to geographic coordinates.

    Returns
    -------
    layers : dict of str to GeoDataFrame
    problems : list of Problem
    """
    if coords not in COORD_SYSTEMS:
        raise ValueError(
            f"coords={coords!r} 不是支持的坐标系 / unknown coordinate system; 可选 / allowed: "
            f"{list(COORD_SYSTEMS)}"
        )
    out: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    for key, df in layers.items():
        name = str(key)
        if not isinstance(df, pd.DataFrame):
            out[name] = df
            continue
        df = _normalise_columns(df.reset_index(drop=True), schema.LAYERS.get(name))
        if isinstance(df, gpd.GeoDataFrame) and df._geometry_column_name in df.columns and df.crs is not None:
            crs = pyproj.CRS.from_user_input(df.crs)
            try:
                if crs.to_epsg() in _SAME_AS_WGS84 or crs == _CRS84:
                    df = df.set_crs(WGS84, allow_override=True)
                else:
                    df = df.to_crs(WGS84)
            except Exception as exc:  # noqa: BLE001 - any PROJ failure on user data becomes a report entry
                log.debug("reprojection of %s failed", name, exc_info=True)
                problems.append(
                    Problem(
                        name,
                        None,
                        "geometry",
                        crs.name,
                        f"坐标系 {crs.name} 无法转换到 WGS84：{exc}",
                        "请在 GIS 软件中将图层转换为 EPSG:4326 后重新导出",
                        "error",
                        "bad_crs",
                    )
                )
                continue
            if coords in ("GCJ-02", "BD-09"):
                df = df.copy()
                df[df._geometry_column_name] = gpd.GeoSeries(
                    geometries_to_wgs84(df.geometry.to_numpy(), coords=coords), index=df.index, crs=WGS84
                )
        out[name] = df
    return out, problems


def empty_layer(name: str) -> gpd.GeoDataFrame:
    """An empty layer with the schema columns and dtypes, in EPSG:4326."""
    spec = schema.LAYERS[name]
    data = {c.name: empty_series(c.dtype) for c in spec.columns}
    for c in spec.columns:
        if c.dtype == "bool":
            data[c.name] = pd.Series([], dtype="bool")
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84)


def coerce_layer(name: str, df: gpd.GeoDataFrame, *, columns: ColumnCache | None = None) -> gpd.GeoDataFrame:
    """Schema columns in schema order with schema dtypes (uncoercible values become missing), extra columns after,
    geometry last as ``geometry``, EPSG:4326, a fresh RangeIndex (``columns``: the layer's columns as validation
    coerced them, reused, see :func:`geodata.validate.validate_layers`)."""
    spec = schema.LAYERS[name]
    df = df.reset_index(drop=True)
    cols = columns if columns is not None else ColumnCache(df)
    geom = df.geometry
    n = len(df)
    data: dict[str, pd.Series] = {}
    for c in spec.columns:
        if c.name in df.columns and not isinstance(df[c.name], pd.DataFrame):
            values, bad = cols.coerce(c.name, c.dtype)
            if bad.any():
                log.info(
                    "%s.%s: %d values not readable as %s set to missing", name, c.name, bad.sum(), c.dtype
                )
        else:
            values = empty_series(c.dtype, n)
        data[c.name] = values.reset_index(drop=True)
    for col in df.columns:
        key = str(col)
        if col == df._geometry_column_name or key in data or key == "geometry":
            continue
        extra = df[col]
        if isinstance(extra, pd.DataFrame):
            continue
        data[key] = extra.reset_index(drop=True)
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(geom.to_numpy(), crs=WGS84), crs=WGS84)


class Park:
    """A chemical park as layers: the seven of :data:`geodata.schema.LAYER_ORDER` plus ``roads`` when present.

    Build one with :func:`geodata.load_park` or :meth:`Park.from_layers`; both validate first, so a ``Park`` holds
    clean data with the schema dtypes (``str``, ``Int64``, ``float64``, ``bool``, ``datetime64[ms]``) in EPSG:4326.
    Treat the layers as read-only: :meth:`metric` caches the projected copies.

    Attributes
    ----------
    report : ValidationReport
        The validation report the park was built with (warnings only, or empty).
    source : str
        Where the park was loaded from.
    weather : ParkWeather or None
        The station's wind rose and metadata stored with the park (:mod:`geodata.weather`), or None.
    """

    def __init__(
        self,
        layers: Mapping[str, gpd.GeoDataFrame],
        *,
        report: ValidationReport | None = None,
        source: str = "",
        weather: ParkWeather | None = None,
    ) -> None:
        self._layers: dict[str, gpd.GeoDataFrame] = {}
        for name in schema.LAYER_ORDER:
            self._layers[name] = layers[name] if name in layers else empty_layer(name)
        for name in schema.OPTIONAL_LAYERS:
            if name in layers:
                self._layers[name] = layers[name]
        self.report = report if report is not None else ValidationReport(source=source)
        self.source = source
        self.weather = weather
        self._metric_cache: dict[str, gpd.GeoDataFrame] = {}

    # -- construction ---------------------------------------------------------------------------------------------
    @classmethod
    def from_layers(
        cls,
        layers: Mapping[str, pd.DataFrame],
        *,
        coords: str = "WGS84",
        validate: bool = True,
        known_substance: Callable[[str], bool] | None = None,
        source: str = "",
        extra_problems: Iterable[Problem] = (),
    ) -> Park:
        """Build a park from GeoDataFrames keyed by layer name.

        Parameters
        ----------
        layers : mapping of str to GeoDataFrame
            Layers by name (see :data:`geodata.schema.LAYERS`); absent layers become empty. Each needs a CRS; it is
            reprojected to EPSG:4326.
        coords : str
            Coordinate system of geographic coordinates: ``"WGS84"``, ``"CGCS2000"``, ``"GCJ-02"`` or ``"BD-09"``.
        validate : bool
            When True (default) the layers are validated and any error raises; when False values are only coerced
            (unreadable values become missing, missing columns empty) — for tests and tools that build partial parks.
        known_substance : callable, optional
            ``known_substance(name) -> bool`` used to report unknown substances.
        source : str
            Where the data came from (shown in reports).
        extra_problems : iterable of Problem
            Problems found before (e.g. by a file reader), merged into the report.

        Raises
        ------
        CRSError
            If a layer has no CRS (the report is attached).
        ParkDataError
            If validation finds any error; ``err.report`` holds every problem.
        """
        prepared, problems = prepare_layers(layers, coords=coords)
        problems = [*extra_problems, *problems]
        columns: dict[str, ColumnCache] = {}  # each column coerced once, by validation, reused below
        report = validate_layers(
            prepared, known_substance=known_substance, source=source, extra=problems, columns=columns
        )
        if validate and not report.ok:
            exc = CRSError if "missing_crs" in {p.kind for p in report.errors} else ParkDataError
            raise exc(report.to_text_zh(max_per_group=10), report=report)
        coerced: dict[str, gpd.GeoDataFrame] = {}
        for name, df in prepared.items():
            if name not in schema.LAYERS or not isinstance(df, pd.DataFrame):
                continue
            if not isinstance(df, gpd.GeoDataFrame) or df._geometry_column_name not in df.columns:
                raise ParkDataError(
                    f"图层「{name}」没有几何列 / layer {name!r} has no geometry column", report=report
                )
            if df.crs is None:
                raise CRSError(
                    f"图层「{name}」没有坐标系（CRS），请为其定义坐标系（如 EPSG:4326） / layer {name!r} "
                    "has no CRS; set one, e.g. gdf.set_crs(4326)",
                    report=report,
                )
            coerced[name] = coerce_layer(name, df, columns=columns.get(name))
        return cls(coerced, report=report, source=source)

    # -- layers ---------------------------------------------------------------------------------------------------
    @property
    def layers(self) -> dict[str, gpd.GeoDataFrame]:
        """Layers by name (a new dict each call; the GeoDataFrames are the park's own — do not modify them)."""
        return dict(self._layers)

    @property
    def parks(self) -> gpd.GeoDataFrame:
        return self._layers["parks"]

    @property
    def enterprises(self) -> gpd.GeoDataFrame:
        return self._layers["enterprises"]

    @property
    def installations(self) -> gpd.GeoDataFrame:
        return self._layers["installations"]

    @property
    def pipelines(self) -> gpd.GeoDataFrame:
        return self._layers["pipelines"]

    @property
    def sensitive_targets(self) -> gpd.GeoDataFrame:
        return self._layers["sensitive_targets"]

    @property
    def buildings(self) -> gpd.GeoDataFrame:
        return self._layers["buildings"]

    @property
    def rectifications(self) -> gpd.GeoDataFrame:
        return self._layers["rectifications"]

    @property
    def roads(self) -> gpd.GeoDataFrame | None:
        """The optional roads layer, or None when the park has none."""
        return self._layers.get("roads")

    @property
    def name(self) -> str:
        """Park name (first record of the parks layer; empty string when there is none)."""
        if len(self.parks) == 0 or pd.isna(self.parks["name"].iloc[0]):
            return ""
        return str(self.parks["name"].iloc[0])

    # -- coordinates ------------------------------------------------------------------------------------------------
    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(lon_min, lat_min, lon_max, lat_max) over all non-empty layers. [°]"""
        boxes = [gdf.total_bounds for gdf in self._layers.values() if len(gdf) and gdf.geometry.notna().any()]
        boxes = [b for b in boxes if np.all(np.isfinite(b))]
        if not boxes:
            return (float("nan"),) * 4
        arr = np.vstack(boxes)
        return (
            float(arr[:, 0].min()),
            float(arr[:, 1].min()),
            float(arr[:, 2].max()),
            float(arr[:, 3].max()),
        )

    @property
    def center(self) -> tuple[float, float]:
        """(lon, lat) of the centre of the park boundary's bounding box (all layers when there is none). [°]"""
        b = self.parks.total_bounds if len(self.parks) else np.asarray(self.bounds)
        if not np.all(np.isfinite(b)):
            b = np.asarray(self.bounds)
        return (float((b[0] + b[2]) / 2.0), float((b[1] + b[3]) / 2.0))

    @cached_property
    def metric_crs(self) -> pyproj.CRS:
        """Local metric CRS for analysis: the CGCS2000 3-degree Gauss-Krüger zone of the park centre (see
        :func:`geodata.crs.metric_crs_for` for why)."""
        lon, lat = self.center
        if not (np.isfinite(lon) and np.isfinite(lat)):
            raise CRSError(
                "园区没有任何要素，无法确定投影坐标系 / the park has no features to choose a metric CRS from"
            )
        return metric_crs_for(lon, lat)

    def metric(self, layer: str) -> gpd.GeoDataFrame:
        """The layer projected to :attr:`metric_crs` (metres); a fresh copy each call, computed once.

        Raises
        ------
        ValueError
            If ``layer`` is not one of the park's layers.
        """
        if layer not in self._layers:
            raise ValueError(
                f"layer={layer!r} 不是该园区的图层 / not a layer of this park; 可选 / allowed: "
                f"{list(self._layers)}"
            )
        if layer not in self._metric_cache:
            self._metric_cache[layer] = self._layers[layer].to_crs(self.metric_crs)
        return self._metric_cache[layer].copy(deep=True)

    # -- checks and storage -----------------------------------------------------------------------------------------
    def validate(self, *, known_substance: Callable[[str], bool] | None = None) -> ValidationReport:
        """Validate the park's current layers; returns the full :class:`ValidationReport`."""
        return validate_layers(self._layers, known_substance=known_substance, source=self.source)

    def save(self, path: str | os.PathLike) -> None:
        """Write the park to a GeoPackage atomically (see :func:`geodata.io.save_park`)."""
        from geodata.io import save_park  # io imports this module

        save_park(self, path)

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={len(v)}" for k, v in self._layers.items())
        return f"Park(name={self.name!r}, {counts})"

"""Line properties and segments: potential impact radius, MAOP as gauge pressure, phase, GB 32167 line type.

The pipelines layer stores ``pressure_pa`` as ABSOLUTE pressure (MAOP); the formulas of GB 32167 / ASME B31.8S use
the MAOP as a GAUGE pressure: :func:`maop_gauge` subtracts the atmospheric pressure before
:func:`potential_impact_radius`, which takes gauge pressure.

References
----------
.. [1] GB 32167-2015 油气输送管道完整性管理规范, clause 6.1, Eq. (1) r = 0.099 √(d² p) (r in m, d outside diameter in
   mm, p MAOP in MPa), from public transcriptions of the standard.
.. [2] ASME B31.8S-2004, Managing System Integrity of Gas Pipelines, §3.2 (r = 0.69 √(p d²), r in ft, p in psig,
   d in in.), from C-FER Technologies, M. J. Stephens (2000), A Model for Sizing High Consequence Areas Associated
   with Natural Gas Pipelines, GRI-00/0189.
.. [3] 49 CFR 192.903 (US DOT PHMSA), definition "Potential impact radius": PIR = 0.69 √(p d²), p = MAOP [psig],
   d = nominal diameter [in].
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from analysis import _checks
from analysis.constants import P_ATM
from analysis.physics import substances
from geodata.crs import require_metric

__all__ = [
    "ATMOSPHERIC_PRESSURE",
    "GAS_LINE_SUBSTANCES",
    "LINE_TYPE_ZH",
    "OIL_LINE_SUBSTANCES",
    "PIR_COEFFICIENT_GB32167",
    "line_type",
    "maop_gauge",
    "pipeline_phase",
    "potential_impact_radius",
    "segment_pipelines",
]

#: Atmospheric pressure used to turn the layer's absolute pressure into MAOP (gauge); the name kept for callers of
#: the pipelines layer, the value is :data:`analysis.constants.P_ATM`. [Pa]
ATMOSPHERIC_PRESSURE = P_ATM
#: GB 32167-2015 Eq. (1) coefficient (r [m], d [mm], p [MPa]). [1]
PIR_COEFFICIENT_GB32167 = 0.099
#: Line types of GB 32167 Table 1.
LINE_TYPE_ZH: dict[str, str] = {"gas": "输气管道", "oil": "输油管道", "": "不适用（非油气管道）"}
#: Substance keys (analysis.physics.substances) that make a line a GB 32167 gas line / oil line.
GAS_LINE_SUBSTANCES = frozenset({"natural_gas", "methane"})
OIL_LINE_SUBSTANCES = frozenset({"crude_oil", "gasoline", "diesel", "naphtha"})


def potential_impact_radius(diameter: Any, pressure: Any) -> Any:
    """Potential impact radius of a natural-gas pipeline (GB 32167-2015 Eq. (1); ASME B31.8S §3.2).

    r = 0.099 √(d² p) with d the outside diameter in mm and p the maximum allowable operating pressure (MAOP) in
    MPa [1]_; the same formula as ASME B31.8S / 49 CFR 192.903, r = 0.69 √(p d²) with r in ft, p in psig and d in
    inches [2]_ [3]_ (0.69 ft·psi^-½·in^-1 = 0.0997 m·MPa^-½·mm^-1, rounded to 0.099 by GB 32167).

    Parameters
    ----------
    diameter : numeric or array_like
        Outside diameter of the pipe, > 0. [m]
    pressure : numeric or array_like
        Maximum allowable operating pressure as a GAUGE pressure (MAOP above atmospheric), ≥ 0. The pipelines
        layer stores absolute pressure: subtract 101 325 Pa first (see :func:`maop_gauge`). [Pa]

    Returns
    -------
    radius : float or ndarray
        Potential impact radius (broadcast shape of the inputs). [m]

    Raises
    ------
    analysis.errors.AnalysisInputError
        A diameter that is not finite and positive, or a pressure that is not finite and ≥ 0 (a ValueError).

    References
    ----------
    .. [1] GB 32167-2015, clause 6.1, Eq. (1).
    .. [2] ASME B31.8S-2004, §3.2; C-FER / Stephens (2000), GRI-00/0189.
    .. [3] 49 CFR 192.903, "Potential impact radius".
    """
    d = _checks.positive("diameter", diameter)
    p = _checks.nonneg("pressure", pressure)
    d_mm = d * 1e3  # [1] Eq. (1): d in mm
    p_mpa = p * 1e-6  # [1] Eq. (1): p in MPa
    return _checks.out(PIR_COEFFICIENT_GB32167 * np.sqrt(d_mm**2 * p_mpa))  # [1] Eq. (1)


def maop_gauge(pressure_abs: Any, *, ambient_pressure: float = ATMOSPHERIC_PRESSURE) -> Any:
    """MAOP as gauge pressure from the layer's absolute ``pressure_pa``, clipped at 0.

    Parameters
    ----------
    pressure_abs : numeric or array_like
        Absolute pressure. [Pa]
    ambient_pressure : float
        [Pa]

    Returns
    -------
    float or ndarray
        [Pa]
    """
    p = np.asarray(pressure_abs, dtype=float)
    return _checks.out(np.clip(p - ambient_pressure, 0.0, None))


def substance_record(name: Any) -> substances.Substance:
    """The :class:`analysis.physics.substances.Substance` of a line's ``substance`` (a record or a name)."""
    return name if isinstance(name, substances.Substance) else substances.get(str(name))


def pipeline_phase(substance: Any, *, temperature: float, pressure: float) -> str:
    """Phase of the contents of a line: ``"gas"``, ``"liquid"`` or ``"liquefied_gas"``.

    Gas above the critical temperature or below the vapour pressure; a liquid above its normal boiling point kept
    liquid by pressure is a liquefied gas; otherwise a liquid.

    Parameters
    ----------
    substance : str or Substance
    temperature : float
        [K]
    pressure : float
        Absolute pressure. [Pa]

    Returns
    -------
    str
    """
    sub = substance_record(substance)
    t = _checks.finite_number("temperature", temperature, low=0.0, low_open=True, unit="K")
    p = _checks.finite_number("pressure", pressure, low=0.0, low_open=True, unit="Pa")
    if t >= sub.critical_temperature:
        return "gas"
    if p < float(sub.vapour_pressure(t)):
        return "gas"
    return "liquefied_gas" if t > sub.boiling_point else "liquid"


def line_type(substance: Any) -> str:
    """GB 32167 line type: ``"gas"`` (natural gas), ``"oil"`` (crude oil and products) or ``""`` (neither)."""
    try:
        key = substance_record(substance).key
    except substances.UnknownSubstanceError:
        return ""
    if key in GAS_LINE_SUBSTANCES:
        return "gas"
    if key in OIL_LINE_SUBSTANCES:
        return "oil"
    return ""


def segment_pipelines(pipelines: gpd.GeoDataFrame, *, length: float = 50.0) -> gpd.GeoDataFrame:
    """Cut every line into segments of ``length`` metres (the last one of a line shorter), keeping its attributes.

    Vectorised: segment end points with :func:`shapely.line_interpolate_point`, the line's vertices in between taken
    by a sorted search on the cumulative distance, the segments built at once with :func:`shapely.linestrings`.
    MultiLineStrings are cut part by part.

    Parameters
    ----------
    pipelines : geopandas.GeoDataFrame
        Pipelines layer in a projected metric CRS.
    length : float
        Segment length, > 0. [m]

    Returns
    -------
    geopandas.GeoDataFrame
        One row per segment, in the input's CRS: the line's columns, then ``segment_id`` ("<pipeline_id>-<part>-
        <index>"), ``part``, ``segment_index``, ``s_start_m`` / ``s_end_m`` (distance along the part) [m],
        ``length_m`` [m], and the segment geometry.

    Raises
    ------
    ValueError
        Non-positive length; CRSError (a ValueError) for a missing or geographic CRS.
    """
    length = _checks.finite_number("length", length, low=0.0, low_open=True, unit="m")
    crs = require_metric(pipelines, what="管道图层 pipelines")
    src = pipelines[~pipelines.geometry.isna() & ~pipelines.geometry.is_empty]
    parts = src.explode(index_parts=True)
    part_no = parts.index.get_level_values(-1).to_numpy()
    parts = parts.reset_index(drop=True)
    geoms = np.asarray(parts.geometry.values, dtype=object)
    if len(geoms) == 0:
        cols = [c for c in pipelines.columns if c != "geometry"]
        extra = ["segment_id", "part", "segment_index", "s_start_m", "s_end_m", "length_m"]
        return gpd.GeoDataFrame(columns=cols + extra, geometry=[], crs=crs)
    geoms = shapely.force_2d(geoms)
    lengths = shapely.length(geoms)
    n_seg = np.maximum(1, np.ceil(lengths / length - 1e-9)).astype(int)
    line_idx = np.repeat(np.arange(len(geoms)), n_seg)
    first = np.repeat(np.cumsum(n_seg) - n_seg, n_seg)
    k = np.arange(n_seg.sum()) - first
    s0 = k * float(length)
    s1 = np.minimum(s0 + length, lengths[line_idx])
    seg_geoms = _cut(geoms, lengths, line_idx, s0, s1)
    attrs = parts.drop(columns="geometry").iloc[line_idx].reset_index(drop=True)
    pid = (
        attrs["pipeline_id"].astype(str).to_numpy()
        if "pipeline_id" in attrs
        else np.arange(len(attrs)).astype(str)
    )
    attrs["segment_id"] = [f"{a}-{b}-{c:04d}" for a, b, c in zip(pid, part_no[line_idx], k, strict=True)]
    attrs["part"] = part_no[line_idx]
    attrs["segment_index"] = k
    attrs["s_start_m"] = s0
    attrs["s_end_m"] = s1
    attrs["length_m"] = s1 - s0
    return gpd.GeoDataFrame(attrs, geometry=seg_geoms, crs=crs)


def _cut(
    geoms: np.ndarray, lengths: np.ndarray, line_idx: np.ndarray, s0: np.ndarray, s1: np.ndarray
) -> np.ndarray:
    """The pieces [s0, s1] of the lines ``geoms[line_idx]``: end points interpolated, the vertices between kept."""
    p0 = shapely.get_coordinates(shapely.line_interpolate_point(geoms[line_idx], s0))
    p1 = shapely.get_coordinates(shapely.line_interpolate_point(geoms[line_idx], s1))
    # vertices and their distance along their line
    coords, vidx = shapely.get_coordinates(geoms, return_index=True)
    step = np.r_[0.0, np.hypot(*np.diff(coords, axis=0).T)]
    step[np.r_[True, vidx[1:] != vidx[:-1]]] = 0.0
    cum = np.cumsum(step)
    line_start_cum = cum[np.searchsorted(vidx, np.arange(len(geoms)))]
    s_vertex = cum - line_start_cum[vidx]
    big = float(lengths.max()) * 2.0 + 10.0
    key = vidx * big + s_vertex  # sorted: vertices ordered by line, then by distance along it
    lo = np.searchsorted(key, line_idx * big + s0, side="right")
    hi = np.searchsorted(key, line_idx * big + s1, side="left")
    m = np.maximum(hi - lo, 0)
    n_pts = m + 2
    off = np.cumsum(n_pts) - n_pts
    out = np.empty((int(n_pts.sum()), 2))
    out[off] = p0
    out[off + n_pts - 1] = p1
    total_mid = int(m.sum())
    if total_mid:
        seg_of_mid = np.repeat(np.arange(len(m)), m)
        rank = np.arange(total_mid) - np.repeat(np.cumsum(m) - m, m)
        out[off[seg_of_mid] + 1 + rank] = coords[lo[seg_of_mid] + rank]
    return shapely.linestrings(out, indices=np.repeat(np.arange(len(n_pts)), n_pts))

"""Risk along a line: individual-risk transect, the lines' contribution to a park raster, societal risk per km.

All three use the risk kernel of :class:`analysis.pipelines.PipelineConsequences` (frequency per metre × probability
of death, summed over outcomes and weather classes) or its per-outcome footprints.

References
----------
.. [1] CPR 18E (1999), Guidelines for quantitative risk assessment ("Purple Book"), transport part: the individual
   risk of a route against the distance from it, and its societal risk expressed per kilometre of route.
.. [2] Besluit externe veiligheid buisleidingen (Bevb, NL, 2011) and its Regeling (Revb): group risk of a pipeline
   assessed for the kilometre with the highest group risk, found by sliding a 1 km window along the route
   (recalled, not confirmed against the text).
"""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from analysis import _checks
from analysis.errors import AnalysisInputError
from analysis.pipelines.consequences import PipelineConsequences, grid_sample, weather_groups
from analysis.pipelines.options import RiskOptions
from analysis.pipelines.targets import sample_targets
from analysis.qra.societal import fn_curve

__all__ = ["individual_risk_grid", "risk_transect", "societal_risk_per_km"]

_POPULATION_SPACING_M = 20.0  # sample-point spacing of the targets' population [m]


def risk_transect(
    consequences: PipelineConsequences, distances: Any, *, line_bearing_deg: float = 90.0
) -> np.ndarray:
    """Individual risk against the perpendicular distance from a long straight line.

    IR(y) = ∫ K(y·n − s·t) ds over the line (t its direction, n the normal to its left), with K the line's risk
    kernel [1/(m·a)] (frequency per metre × probability of death, summed over outcomes and weather classes) — the
    risk transect of a pipeline, as for a transport route in CPR 18E [1]_.

    Parameters
    ----------
    consequences : PipelineConsequences
    distances : array_like
        Signed distance from the centre line (positive to the left of the line direction). [m]
    line_bearing_deg : float
        Direction of the line, clockwise from north (matters only with a non-uniform wind rose). [°]

    Returns
    -------
    ndarray
        Individual risk. [1/a]
    """
    y = _checks.finite("distances", distances)
    half = consequences.kernel_half_width
    ds = consequences.kernel_spacing / 2.0
    s = np.arange(-half, half + ds, ds)
    b = math.radians(line_bearing_deg)
    t = np.array([math.sin(b), math.cos(b)])  # east, north
    nrm = np.array([-t[1], t[0]])  # left normal
    px = y[..., None] * nrm[0] - s * t[0]
    py = y[..., None] * nrm[1] - s * t[1]
    return consequences.kernel_at(px, py).sum(axis=-1) * ds


def individual_risk_grid(
    segments: gpd.GeoDataFrame,
    consequences: dict[str, PipelineConsequences],
    *,
    transform: Any,
    shape: tuple[int, int],
    crs: Any,
    release_spacing_m: float | None = None,
) -> np.ndarray:
    """The pipelines' contribution to an individual-risk raster (to be added to the installations' risk).

    Every segment is divided into release points at most ``release_spacing_m`` apart (default: the raster cell
    size), each standing for its length of line; each adds the line's risk kernel × that length to the cells
    within the kernel's reach.

    Parameters
    ----------
    segments : geopandas.GeoDataFrame
        From :func:`analysis.pipelines.segment_pipelines` (metric CRS), with ``pipeline_id``.
    consequences : dict
        pipeline_id -> :class:`PipelineConsequences`; lines without an entry add nothing.
    transform : affine.Affine
        Raster transform (north-up, no rotation), in ``crs``. [m]
    shape : (int, int)
        (rows, columns).
    crs : pyproj.CRS or str
        The raster's CRS; must equal the segments' CRS.
    release_spacing_m : float, optional
        [m]

    Returns
    -------
    ndarray of shape ``shape``
        Individual risk. [1/a]
    """
    if transform.b != 0 or transform.d != 0:
        raise AnalysisInputError(
            f"transform 栅格仿射变换={transform!r} 含旋转，仅支持正北朝上的栅格 (north-up only)"
        )
    if pyproj.CRS.from_user_input(crs) != pyproj.CRS.from_user_input(segments.crs):
        raise AnalysisInputError(
            f"crs 栅格坐标系 {pyproj.CRS.from_user_input(crs).to_string()} 与管道分段坐标系 "
            f"{pyproj.CRS.from_user_input(segments.crs).to_string()} 不同，请先投影到同一坐标系"
        )
    rows, cols = int(shape[0]), int(shape[1])
    out = np.zeros((rows, cols))
    cell = min(abs(transform.a), abs(transform.e))
    spacing = float(release_spacing_m or cell)
    xc = transform.c + (np.arange(cols) + 0.5) * transform.a
    yc = transform.f + (np.arange(rows) + 0.5) * transform.e
    for pid, grp in segments.groupby("pipeline_id", sort=False):
        c = consequences.get(str(pid))
        if c is None or not np.any(c.kernel > 0):
            continue
        pts, w = _release_points(grp, spacing)
        r = c.kernel_half_width
        for (px, py), wt in zip(pts, w, strict=True):
            c0, c1 = np.searchsorted(xc, [px - r, px + r]) if transform.a > 0 else (0, cols)
            r0, r1 = np.sort(np.searchsorted(-yc, [-(py + r), -(py - r)])) if transform.e < 0 else (0, rows)
            if c1 <= c0 or r1 <= r0:
                continue
            gx, gy = np.meshgrid(xc[c0:c1] - px, yc[r0:r1] - py)
            out[r0:r1, c0:c1] += c.kernel_at(gx, gy) * wt
    return out


def _release_points(grp: gpd.GeoDataFrame, spacing: float) -> tuple[np.ndarray, np.ndarray]:
    geoms = np.asarray(grp.geometry.values, dtype=object)
    lengths = shapely.length(geoms)
    n = np.maximum(1, np.ceil(lengths / spacing)).astype(int)
    gi = np.repeat(np.arange(len(geoms)), n)
    k = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    frac = (k + 0.5) / n[gi]
    pts = shapely.get_coordinates(shapely.line_interpolate_point(geoms[gi], frac, normalized=True))
    return pts, lengths[gi] / n[gi]


def _population(targets: gpd.GeoDataFrame, how: str) -> np.ndarray:
    day = pd.to_numeric(targets.get("population_day"), errors="coerce").fillna(0).to_numpy(float)
    night = pd.to_numeric(targets.get("population_night"), errors="coerce").fillna(0).to_numpy(float)
    return {"day": day, "night": night, "max": np.maximum(day, night)}[how]


def societal_risk_per_km(
    segments: gpd.GeoDataFrame,
    consequences: dict[str, PipelineConsequences],
    *,
    targets: gpd.GeoDataFrame,
    window_m: float = 1000.0,
    options: RiskOptions | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Societal risk of each kilometre of line: F-N curves of a sliding 1 km window [1]_ [2]_.

    Release points are the segment midpoints (frequency = per-metre frequency × segment length); for each outcome,
    weather class and direction the number of fatalities N is the population of the sensitive targets (spread
    over sample points of each polygon) times the probability of death at each point. The window slides along each
    line by one segment; the F-N curve of each window is :func:`analysis.qra.societal.fn_curve` of its outcomes.

    Parameters
    ----------
    segments : geopandas.GeoDataFrame
    consequences : dict
        pipeline_id -> :class:`PipelineConsequences`.
    targets : geopandas.GeoDataFrame
        Sensitive targets (``population_day`` / ``population_night``), same CRS.
    window_m : float
        Window length. [m]
    options : RiskOptions, optional
        ``population`` chooses day / night / max.

    Returns
    -------
    windows : pandas.DataFrame
        pipeline_id, km_start_m, km_end_m [m], pll [人/a], n_max [人], max_fn (max over the curve of F·N, the
        distance to a slope −1 criterion line) [人/a], worst (bool: the window with the highest max_fn of its line).
    curves : dict
        pipeline_id -> FNCurve of its worst window.
    """
    opt = options or RiskOptions()
    window_m = _checks.finite_number("window_m", window_m, low=0.0, low_open=True, unit="m")
    tg = targets.reset_index(drop=True)
    pts, prow, pw = (
        sample_targets(tg, _POPULATION_SPACING_M)
        if len(tg)
        else (np.empty((0, 2)), np.empty(0, int), np.empty(0))
    )
    ppop = _population(tg, opt.population)[prow] * pw if len(prow) else np.empty(0)
    recs, curves = [], {}
    for pid, grp in segments.groupby("pipeline_id", sort=False):
        c = consequences.get(str(pid))
        if c is None or not c.footprints or len(pts) == 0:
            continue
        grp = grp.sort_values(["part", "s_start_m"]) if "part" in grp else grp.sort_values("s_start_m")
        f_arr, n_arr, seg_arr = _fatalities(grp, c, pts, ppop)
        best, best_val = None, -1.0
        s_mid = (grp["s_start_m"].to_numpy() + grp["s_end_m"].to_numpy()) / 2.0
        total = float(grp["s_end_m"].max())
        for a in grp["s_start_m"].to_numpy():
            if a > max(total - window_m, 0.0) + 1e-9:
                break
            in_w = (s_mid >= a) & (s_mid < a + window_m)
            sel = np.isin(seg_arr, np.nonzero(in_w)[0]) if len(seg_arr) else np.zeros(0, bool)
            f, nn = f_arr[sel], n_arr[sel]
            curve = fn_curve(f, nn) if len(f) else None
            max_fn = float(np.max(curve.n * curve.f)) if curve is not None and len(curve.n) else 0.0
            recs.append(
                {
                    "pipeline_id": str(pid),
                    "km_start_m": float(a),
                    "km_end_m": float(min(a + window_m, total)),
                    "pll": float((f * nn).sum()),
                    "n_max": float(nn.max()) if len(nn) else 0.0,
                    "max_fn": max_fn,
                    "worst": False,
                }
            )
            if max_fn > best_val:
                best_val, best = max_fn, (len(recs) - 1, curve)
        if best is not None:
            recs[best[0]]["worst"] = True
            if best[1] is not None:
                curves[str(pid)] = best[1]
    cols = ["pipeline_id", "km_start_m", "km_end_m", "pll", "n_max", "max_fn", "worst"]
    return pd.DataFrame(recs, columns=cols), curves


def _fatalities(
    grp: gpd.GeoDataFrame, c: PipelineConsequences, pts: np.ndarray, ppop: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Frequency [1/a], fatalities N [人] and segment (position in ``grp``) of every release × outcome × weather."""
    mid = shapely.get_coordinates(
        shapely.line_interpolate_point(np.asarray(grp.geometry.values), 0.5, normalized=True)
    )
    seg_len = grp["length_m"].to_numpy()
    half = c.kernel_half_width
    weather = c.weather
    groups = weather_groups(weather)
    # per group: the downwind bearings' sin/cos and the probabilities of its classes (all directions at once)
    trig = {}
    for key, js in groups.items():
        beta = np.radians([weather[j][0].downwind_bearing_deg for j in js])
        trig[key] = (np.sin(beta)[:, None], np.cos(beta)[:, None], np.array([weather[j][1] for j in js]))
    f_list, n_list, seg_of = [], [], []
    for k, (mx, my) in enumerate(mid):
        dx, dy = pts[:, 0] - mx, pts[:, 1] - my
        near = (np.abs(dx) <= half) & (np.abs(dy) <= half)
        if not near.any():
            continue
        dx, dy, pop = dx[near][None, :], dy[near][None, :], ppop[near]
        for i, key, fp in c.footprints:
            fo = float(c.outcomes.loc[i, "frequency_per_m_year"]) * seg_len[k]
            sin_b, cos_b, pw = trig[key]
            along = dx * sin_b + dy * cos_b  # (classes, points): offset (east, north) -> wind frame
            across = -dx * cos_b + dy * sin_b
            f_list.append(fo * pw)
            n_list.append(grid_sample(fp, half, along, across) @ pop)
            seg_of.append(np.full(len(pw), k))
    if not f_list:
        return np.empty(0), np.empty(0), np.empty(0, dtype=int)
    return np.concatenate(f_list), np.concatenate(n_list), np.concatenate(seg_of).astype(int)

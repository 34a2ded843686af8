"""The targets along a line: sample points of target polygons, the zones around a segment and the targets inside.

- :func:`sample_targets` spreads each target over points of its polygon (households for the location class,
  population for the societal risk).
- :func:`segment_zones` draws the zones around one segment that decide which targets are considered: the farthest
  reach of a 1 % probability of death (consequence models), the potential impact radius (GB 32167-2015 Eq. (1)
  [1]_) and the 200 m identification corridor each side of the line (GB 32167-2015 Table 1 [1]_).
- :func:`targets_in_zones` lists the targets inside those zones, each once in its innermost zone.

References
----------
.. [1] GB 32167-2015 油气输送管道完整性管理规范, clause 6.1 高后果区识别, Table 1 (corridor 200 m each side of the
   line) and Eq. (1) (potential impact radius).
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

__all__ = ["HCA_CORRIDOR_M", "sample_targets", "segment_zones", "targets_in_zones"]

#: Identification corridor each side of the centre line, GB 32167-2015 Table 1 [1]. [m]
HCA_CORRIDOR_M = 200.0
_MAX_POINTS_PER_TARGET = 400


def sample_targets(targets: gpd.GeoDataFrame, spacing: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sample points of the targets: a grid of ``spacing`` inside each polygon, the point itself for a point.

    At most about 400 points a target (the spacing grows for large polygons); a polygon too thin for any grid point
    gets its representative point.

    Parameters
    ----------
    targets : geopandas.GeoDataFrame
        Metric CRS.
    spacing : float
        Grid spacing. [m]

    Returns
    -------
    points : ndarray of shape (n, 2)
        x, y. [m]
    rows : ndarray of int
        Positional row of the target of each point.
    weights : ndarray
        1 / number of points of that target (a target's quantity times the weight, summed over its points, is the
        quantity).
    """
    xs, ys, rows = [], [], []
    for i, g in enumerate(targets.geometry.values):
        if g is None or g.is_empty:
            continue
        if g.geom_type == "Point":
            xs.append(np.array([g.x]))
            ys.append(np.array([g.y]))
            rows.append(np.array([i]))
            continue
        x0, y0, x1, y1 = g.bounds
        sp = max(spacing, math.sqrt(max(g.area, 1.0) / _MAX_POINTS_PER_TARGET))
        gx, gy = np.meshgrid(np.arange(x0 + sp / 2, x1, sp), np.arange(y0 + sp / 2, y1, sp))
        gx, gy = gx.ravel(), gy.ravel()
        inside = shapely.contains_xy(g, gx, gy)
        if not inside.any():
            rp = g.representative_point()
            gx, gy, inside = np.array([rp.x]), np.array([rp.y]), np.array([True])
        xs.append(gx[inside])
        ys.append(gy[inside])
        rows.append(np.full(int(inside.sum()), i))
    if not xs:
        return np.empty((0, 2)), np.empty(0, int), np.empty(0)
    x, y, r = np.concatenate(xs), np.concatenate(ys), np.concatenate(rows)
    counts = np.bincount(r, minlength=len(targets))
    return np.column_stack([x, y]), r, 1.0 / counts[r]


def segment_zones(segments: gpd.GeoDataFrame, segment_id: str, consequences=None) -> gpd.GeoDataFrame:
    """Zones around one segment (metric CRS): 1 % lethality reach, potential impact radius, 200 m HCA corridor.

    These zones are the rule for which targets are considered along a segment: the farthest distance at which the
    line's outcomes give a probability of death of 1 % or more (``lethal``, when ``consequences`` are given and
    that distance is > 0), the potential impact radius of a natural-gas line (``pir``, GB 32167-2015 Eq. (1) [1]_,
    when the segment has a finite ``pir_m`` > 0) and the identification corridor of 200 m each side of the line
    (``corridor``, GB 32167-2015 Table 1 [1]_), in that order.

    Parameters
    ----------
    segments : geopandas.GeoDataFrame
        Segments of :func:`analysis.pipelines.segment_pipelines` (with ``pir_m`` from
        :func:`analysis.pipelines.identify_hca`), metric CRS.
    segment_id : str
    consequences : analysis.pipelines.PipelineConsequences, optional
        For the 1 % lethality reach (largest over the outcomes).

    Returns
    -------
    geopandas.GeoDataFrame
        level ("lethal", "pir", "corridor"), label_zh, distance_m [m], geometry (buffers of the segment).

    Raises
    ------
    ValueError
        An unknown ``segment_id``.
    """
    hit = segments[segments["segment_id"].astype(str) == str(segment_id)]
    if hit.empty:
        raise ValueError(f"分段编号 segment_id={segment_id!r} 不存在 (no such segment)")
    g = hit.geometry.iloc[0]
    recs = []
    if consequences is not None and len(consequences.outcomes):
        d = float(consequences.outcomes["lethal_1pct_m"].max())
        if d > 0:
            recs.append(("lethal", f"1 % 死亡概率最远距离 {d:,.0f} m（事故后果模型）", d))
    pir = float(hit["pir_m"].iloc[0]) if "pir_m" in hit else float("nan")
    if np.isfinite(pir) and pir > 0:
        recs.append(("pir", f"潜在影响半径 {pir:,.1f} m（GB 32167 式 1）", pir))
    recs.append(("corridor", f"管道两侧各 {HCA_CORRIDOR_M:.0f} m（GB 32167 表1 识别范围）", HCA_CORRIDOR_M))
    return gpd.GeoDataFrame(
        {"level": [r[0] for r in recs], "label_zh": [r[1] for r in recs], "distance_m": [r[2] for r in recs]},
        geometry=[g.buffer(r[2]) for r in recs],
        crs=segments.crs,
    )


def targets_in_zones(
    targets: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, segment: shapely.Geometry | None = None
) -> pd.DataFrame:
    """The targets inside the zones of a segment, each once, in its innermost zone, with its distance to the segment.

    A target is inside a zone when its geometry intersects the zone; zones are taken from the smallest
    ``distance_m`` up, so a target inside several zones is listed with the innermost one.

    Parameters
    ----------
    targets : geopandas.GeoDataFrame
        Sensitive targets (``target_id``, ``name``, ``category``, ``population_day``, ``population_night``), same
        CRS as ``zones``.
    zones : geopandas.GeoDataFrame
        From :func:`segment_zones`.
    segment : shapely geometry, optional
        The segment, for the distance column (NaN without it).

    Returns
    -------
    pandas.DataFrame
        One row per target: ``level``, ``label_zh`` (of the innermost zone), ``target_id``, ``name``, ``category``,
        ``population_day``, ``population_night`` [人], ``distance_m`` (target to segment) [m].
    """
    cols = [
        "level",
        "label_zh",
        "target_id",
        "name",
        "category",
        "population_day",
        "population_night",
        "distance_m",
    ]
    rows = []
    seen: set[str] = set()
    for z in zones.sort_values("distance_m").itertuples():
        inside = targets[targets.intersects(z.geometry)]
        for t in inside.itertuples():
            if str(t.target_id) in seen:
                continue
            seen.add(str(t.target_id))
            rows.append(
                {
                    "level": z.level,
                    "label_zh": z.label_zh,
                    "target_id": t.target_id,
                    "name": t.name,
                    "category": t.category,
                    "population_day": int(t.population_day),
                    "population_night": int(t.population_night),
                    "distance_m": float(segment.distance(t.geometry)) if segment is not None else math.nan,
                }
            )
    return pd.DataFrame(rows, columns=cols)

"""Contours of the individual risk and the risk-method distances of each installation.

The levels are the GB 36894-2018 individual-risk limits [1]_: :func:`risk_contours` draws the filled contours of
:data:`analysis.regulation.gb36894.IR_CONTOUR_LEVELS`; :func:`distance_levels` are the distinct limits (new and
existing installations) at which :func:`unit_distances` measures the farthest reach of an installation's own risk
from its footprint (the risk-method external safety protection distance, GB/T 37243-2019 [2]_).

References
----------
.. [1] GB 36894-2018 危险化学品生产装置和储存设施风险基准: individual-risk criteria (个人风险基准).
.. [2] GB/T 37243-2019 危险化学品生产装置和储存设施外部安全防护距离确定方法: risk method (定量风险评价法).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from analysis._text import per_year_zh

__all__ = ["risk_contours", "distance_levels", "unit_distances", "contour_closure"]


def risk_contours(result: Any, *, levels: Any = None) -> Any:
    """Polygons where the individual risk is at least each level (filled contours, contourpy).

    Parameters
    ----------
    result : analysis.qra.individual.IndividualRisk
    levels : sequence of float, optional
        [1/a]; default :data:`analysis.regulation.gb36894.IR_CONTOUR_LEVELS` (1×10⁻⁵, 3×10⁻⁶, 1×10⁻⁶, 3×10⁻⁷).

    Returns
    -------
    GeoDataFrame
        One row per level, highest first: level [1/a], label_zh, area_m2 [m²], geometry (metric CRS; empty when
        the level is not reached). Edges are interpolated linearly in log10(risk) between cell centres.
    """
    import contourpy
    import geopandas as gpd
    import shapely

    from analysis.regulation.gb36894 import IR_CONTOUR_LEVELS

    lv = sorted((float(v) for v in (levels if levels is not None else IR_CONTOUR_LEVELS)), reverse=True)
    if any(not (v > 0 and math.isfinite(v)) for v in lv):
        raise ValueError(f"levels={levels!r} must be risks > 0 [1/a]")
    xs, ys = result.cell_centres()
    z = np.log10(np.maximum(result.grid[::-1], 1e-300))  # rows south -> north
    # pad with a ring of very low values so that contours close at the grid edge
    zp = np.pad(z, 1, constant_values=-300.0)
    h = result.resolution
    xp = np.concatenate([[xs[0] - h / 2], xs, [xs[-1] + h / 2]])
    yr = ys[::-1]
    yp = np.concatenate([[yr[0] - h / 2], yr, [yr[-1] + h / 2]])
    gen = contourpy.contour_generator(xp, yp, zp, fill_type=contourpy.FillType.OuterOffset)
    geoms = []
    for v in lv:
        polys = []
        pts_list, offs_list = gen.filled(math.log10(v), 1e300)
        for pts, offs in zip(pts_list, offs_list, strict=True):
            rings = [pts[offs[i] : offs[i + 1]] for i in range(len(offs) - 1)]
            if len(rings[0]) >= 4:
                polys.append(shapely.Polygon(rings[0], [r for r in rings[1:] if len(r) >= 4]))
        geoms.append(shapely.make_valid(shapely.union_all(polys)) if polys else shapely.Polygon())
    return gpd.GeoDataFrame(
        {
            "level": lv,
            "label_zh": [f"个人风险 ≥ {per_year_zh(v)}" for v in lv],
            "area_m2": [float(g.area) for g in geoms],
        },
        geometry=geoms,
        crs=result.crs,
    )


def distance_levels() -> tuple[float, ...]:
    """Distinct GB 36894-2018 individual-risk limits (new and existing) [1/a], highest first."""
    from analysis.regulation.gb36894 import INDIVIDUAL_RISK_LIMITS

    return tuple(sorted({v for pair in INDIVIDUAL_RISK_LIMITS.values() for v in pair}, reverse=True))


def unit_distances(
    geom: Any, xs: np.ndarray, ys: np.ndarray, win: np.ndarray, levels: tuple
) -> dict[str, float]:
    """Farthest distance from the footprint of a cell whose risk from this unit is ≥ each level. [m]

    Only the cells that can be the farthest are measured against the footprint: with q a point of the footprint
    and ρ the farthest distance of the footprint from q, d(p, footprint) lies in [|pq| - ρ, |pq|], so a cell
    nearer to q than the largest |pq| - ρ is not the farthest (the same maximum as measuring every cell).
    """
    import shapely

    out: dict[str, float] = {}
    q = None if geom is None or geom.is_empty else geom.point_on_surface()
    rho = float(shapely.hausdorff_distance(q, geom)) if q is not None else 0.0
    # the cells of the lowest level, once; each level's cells are those of them with a value at or above it
    i_all, j_all = np.nonzero(win >= min(levels)) if len(levels) else (np.zeros(0, int), np.zeros(0, int))
    v_all = win[i_all, j_all]
    for lv in levels:
        at = v_all >= lv
        ii, jj = i_all[at], j_all[at]
        if ii.size == 0:
            out[f"ir_distance_{lv:.0e}"] = 0.0
            continue
        if q is not None:
            dq = np.hypot(xs[jj] - q.x, ys[ii] - q.y)
            far = dq >= dq.max() - rho - 1e-6 * (1.0 + dq.max())  # a rounding margin: never drop a candidate
            ii, jj = ii[far], jj[far]
        d = shapely.distance(geom, shapely.points(xs[jj], ys[ii]))
        out[f"ir_distance_{lv:.0e}"] = float(np.max(d))
    return out


_SIDES_ZH = {"north": "北", "south": "南", "west": "西", "east": "东"}


def contour_closure(grid: Any, level: float) -> dict[str, Any]:
    """Whether the contour of ``level`` closes inside the grid: the risk on the grid's border cells.

    A filled contour drawn on a grid whose border cells reach the level is cut by the grid's edge: the area
    inside it is too small and its outline follows the edge. This reports, per side, the largest border risk and
    the fraction of the side's cells at or above the level.

    Parameters
    ----------
    grid : ndarray, shape (ny, nx)
        Individual risk per cell, row 0 the northernmost. [1/a]
    level : float
        The lowest contour level requested. [1/a]

    Returns
    -------
    dict
        ``level`` [1/a], ``closed`` (bool: no border cell ≥ level), ``border_max`` [1/a], ``sides``
        ({"north"|"south"|"west"|"east": {"max": [1/a], "fraction": [-], "cells": int}} for the sides that are
        cut) and ``statement_zh`` (the sentence every output shows).
    """
    g = np.asarray(grid, dtype=float)
    level = float(level)
    if not (level > 0 and math.isfinite(level)):
        raise ValueError(f"level={level!r} must be a risk > 0 [1/a]")
    edges = {"north": g[0, :], "south": g[-1, :], "west": g[:, 0], "east": g[:, -1]}
    border_max = float(max(float(e.max()) for e in edges.values()))
    sides = {
        k: {"max": float(e.max()), "fraction": float(np.mean(e >= level)), "cells": int(np.sum(e >= level))}
        for k, e in edges.items()
        if float(e.max()) >= level
    }
    if not sides:
        text = (
            f"最低等值线 {per_year_zh(level)}在计算范围内闭合（边界网格个人风险最大 {per_year_zh(border_max, 3)}，"
            f"低于 {per_year_zh(level)}）"
        )
    else:
        parts = "；".join(
            f"{_SIDES_ZH[k]}边界最大 {per_year_zh(v['max'], 3)}，{v['fraction']:.0%} 的边界网格（{v['cells']} 个）"
            f"≥ {per_year_zh(level)}"
            for k, v in sides.items()
        )
        text = (
            f"警告：最低等值线 {per_year_zh(level)}被计算范围截断（{parts}）；该等值线的面积和距离偏小。"
            "请扩大计算范围，或不指定范围由程序自动扩展至等值线闭合"
        )
    return {
        "level": level,
        "closed": not sides,
        "border_max": border_max,
        "sides": sides,
        "statement_zh": text,
    }

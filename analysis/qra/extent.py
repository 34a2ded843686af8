"""How far the risk grid reaches: grown until the lowest contour closes inside it.

A contour drawn on a grid whose border reaches the contour's level is cut by the grid's edge (its area and the
distances measured on it are too small). When the caller does not fix the extent, the grid therefore covers, around
the park boundary plus ``margin``, every installation's reach of the lowest contour level, and
:func:`analysis.qra.individual.individual_risk` checks the border afterwards
(:func:`analysis.qra.contours.contour_closure`) and grows the sides that are cut.

The reach of an installation is bounded from its lethality tables: its risk at a place is
IR_u = Σ_t f_t Σ_d p(d, w_t) P_t ≤ W_u · max_t P_t with W_u = Σ_t f_t p(w_t) [1/a], so beyond the distance at
which every table's lethality falls below level / W_u, the installation alone cannot reach the level ([1]_ ch. 6,
the summation of the location-specific risk). Several installations add up, which the border check catches.

The growth stops at :data:`MAX_GROWTH_M` beyond the park boundary (a parkrisk choice that keeps the grid within
the 25,000,000-cell limit at 10 m); a contour still cut there is reported as cut.

References
----------
.. [1] Committee for the Prevention of Disasters (1999). Guidelines for quantitative risk assessment, CPR 18E
       ("Purple Book"), Sdu, The Hague: ch. 6 (calculation of the location-specific risk).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

__all__ = [
    "MAX_GROWTH_M",
    "LOWEST_LEVEL",
    "park_bounds",
    "level_reach",
    "auto_bounds",
    "coarse_bounds",
    "grow_bounds",
]

MAX_GROWTH_M = 10_000.0  # [m] farthest the grid grows beyond the park boundary (parkrisk choice)


def _lowest() -> float:
    from analysis.regulation.gb36894 import IR_CONTOUR_LEVELS

    return float(min(IR_CONTOUR_LEVELS))


#: The lowest contour level the grid must close (GB 36894-2018's lowest individual-risk limit). [1/a]
LOWEST_LEVEL: float = _lowest()


def park_bounds(park: Any) -> tuple[float, float, float, float]:
    """(xmin, ymin, xmax, ymax) of the park boundary and its installations in the metric CRS. [m]"""
    parks = park.metric("parks")
    inst = park.metric("installations")
    b = np.vstack([parks.total_bounds, inst.total_bounds]) if len(inst) else parks.total_bounds[None, :]
    return (
        float(np.nanmin(b[:, 0])),
        float(np.nanmin(b[:, 1])),
        float(np.nanmax(b[:, 2])),
        float(np.nanmax(b[:, 3])),
    )


def level_reach(tables: Iterable[Any], weights: Iterable[float], thr: float, level: float) -> float:
    """Distance from the source beyond which one installation's risk stays below ``level``. [m]

    Parameters
    ----------
    tables : iterable of analysis.qra.lethality.LethalityTable
        The installation's live tables (``fn``, ``radial``, ``reach`` set by :func:`~analysis.qra.lethality.probe`).
    weights : iterable of float
        f_t p(w_t) of each table: its frequency times the probability of its weather key. [1/a]
    thr : float
        The lethality cut-off of the run (``min_lethality``). [-]
    level : float
        [1/a]
    """
    from analysis.qra.lethality import probe

    tables, weights = list(tables), [float(w) for w in weights]
    total = sum(weights)
    if not tables or total <= 0:
        return 0.0
    p_needed = level / total
    if p_needed <= thr:  # the tables' own cut-off is the farthest the computed field reaches
        return max(t.reach for t in tables)
    reach = 0.0
    for t in tables:
        with np.errstate(all="ignore"):
            r, _box = probe(t.fn, p_needed, t.radial)
        reach = max(reach, r)
    return reach


def auto_bounds(
    park_box: tuple[float, float, float, float],
    margin: float,
    sources: Iterable[tuple[float, float, float]],
    h: float,
) -> tuple[tuple[float, float, float, float], bool]:
    """The grid's bounds: the park plus ``margin``, grown to each source's reach (x, y, reach [m]), capped.

    Returns
    -------
    bounds : (xmin, ymin, xmax, ymax) [m]
    capped : bool
        True when a source's reach went beyond :data:`MAX_GROWTH_M` and the bounds were cut there.
    """
    px0, py0, px1, py1 = park_box
    x0, y0, x1, y1 = px0 - margin, py0 - margin, px1 + margin, py1 + margin
    for sx, sy, r in sources:
        pad = r + 2.0 * h
        x0, y0, x1, y1 = min(x0, sx - pad), min(y0, sy - pad), max(x1, sx + pad), max(y1, sy + pad)
    cap = MAX_GROWTH_M + margin if margin > MAX_GROWTH_M else MAX_GROWTH_M
    capped = (x0 < px0 - cap) or (y0 < py0 - cap) or (x1 > px1 + cap) or (y1 > py1 + cap)
    bounds = (max(x0, px0 - cap), max(y0, py0 - cap), min(x1, px1 + cap), min(y1, py1 + cap))
    return bounds, capped


def grow_bounds(
    bounds: tuple[float, float, float, float],
    sides: Iterable[str],
    park_box: tuple[float, float, float, float],
    margin: float,
) -> tuple[tuple[float, float, float, float], bool]:
    """Grow the cut sides ("north", "south", "west", "east") by half the grid's size (at least 1,000 m), capped.

    Returns the new bounds and whether any cut side could still grow (False: every cut side is at the cap).
    """
    x0, y0, x1, y1 = bounds
    px0, py0, px1, py1 = park_box
    step = max(1000.0, 0.5 * max(x1 - x0, y1 - y0))
    cap = max(MAX_GROWTH_M, margin)
    new = {"west": x0, "south": y0, "east": x1, "north": y1}
    lim = {"west": px0 - cap, "south": py0 - cap, "east": px1 + cap, "north": py1 + cap}
    grew = False
    for s in sides:
        if s in ("west", "south"):
            v = max(new[s] - step, lim[s])
            grew |= v < new[s]
        else:
            v = min(new[s] + step, lim[s])
            grew |= v > new[s]
        new[s] = v
    return (new["west"], new["south"], new["east"], new["north"]), grew


def coarse_bounds(
    values: np.ndarray,
    xc: np.ndarray,
    yc: np.ndarray,
    h: float,
    park_box: tuple[float, float, float, float],
    margin: float,
    limit: tuple[float, float, float, float],
) -> tuple[float, float, float, float]:
    """Bounds of the cells of a coarse grid at or above half the lowest level, padded by two coarse cells.

    The half is a safety factor for the coarse grid's interpolation; the fine grid's border is checked afterwards.
    The result covers at least the park plus ``margin`` and at most ``limit``. [m]
    """
    ii, jj = np.nonzero(values >= 0.5 * LOWEST_LEVEL)
    px0, py0, px1, py1 = park_box
    x0, y0, x1, y1 = px0 - margin, py0 - margin, px1 + margin, py1 + margin
    if ii.size:
        pad = 2.0 * h
        x0, x1 = min(x0, float(xc[jj].min()) - pad), max(x1, float(xc[jj].max()) + pad)
        y0, y1 = min(y0, float(yc[ii].min()) - pad), max(y1, float(yc[ii].max()) + pad)
    return (max(x0, limit[0]), max(y0, limit[1]), min(x1, limit[2]), min(y1, limit[3]))

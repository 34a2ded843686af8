"""The part of the risk grid and the receptor points within reach of one installation, as offsets from it.

Used by :func:`analysis.qra.individual.individual_risk`: an installation's lethality tables are read only on the
cells (:class:`Window`) and receptor points (:class:`Near`) within its reach [m].
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Near", "Window"]


@dataclass
class Near:
    """Receptor points within reach of one installation, as offsets from it. [m]"""

    dx: np.ndarray
    dy: np.ndarray
    r: np.ndarray
    near: np.ndarray
    wd: np.ndarray
    wn: np.ndarray
    is_target: np.ndarray

    @classmethod
    def of(cls, rec: pd.DataFrame, ox: float, oy: float, reach: float) -> Near:
        pdx = rec["x"].to_numpy(float) - ox
        pdy = rec["y"].to_numpy(float) - oy
        pr = np.hypot(pdx, pdy)
        wd, wn = rec["w_day"].to_numpy(float), rec["w_night"].to_numpy(float)
        # the public (targets, residential areas, the population raster) vs the park's workers (buildings)
        is_target = (rec["layer"] != "buildings").to_numpy()
        return cls(pdx, pdy, pr, pr <= reach, wd, wn, is_target)


@dataclass
class Window:
    """The part of the grid within reach of one installation: offsets DX, DY [m] and its risk [1/a].

    From :meth:`of`, ``DX`` and ``DY`` are read-only broadcast views of the column and row offsets (no copy of the
    window's size); the readers take the distance of the cells they read, ``np.hypot(DX, DY)`` at those cells.
    """

    i0: int
    i1: int
    j0: int
    j1: int
    DX: np.ndarray
    DY: np.ndarray
    values: np.ndarray

    @classmethod
    def of(cls, g: Any, ox: float, oy: float, reach: float) -> Window | None:
        j0 = max(0, int(math.floor((ox - reach - g.x0) / g.h)))
        j1 = min(g.nx, int(math.ceil((ox + reach - g.x0) / g.h)) + 1)
        i0 = max(0, int(math.floor((g.y1 - (oy + reach)) / g.h)))
        i1 = min(g.ny, int(math.ceil((g.y1 - (oy - reach)) / g.h)) + 1)
        if not (j1 > j0 and i1 > i0):
            return None
        dx, dy = g.xc[j0:j1] - ox, g.yc[i0:i1] - oy
        shape = (dy.size, dx.size)
        DX, DY = np.broadcast_to(dx[None, :], shape), np.broadcast_to(dy[:, None], shape)
        return cls(i0, i1, j0, j1, DX, DY, np.zeros(shape))

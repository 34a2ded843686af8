"""A closed-form curve y(Z) tabulated on a uniform grid of ln Z and read by linear interpolation in (ln Z, ln y).

Used for the Swisdak (1994) impulse fit of :mod:`analysis.physics.explosion`: the fit is tabulated once on a fine
grid (4097 nodes, ΔlnZ ≈ 0.0016) and interpolated linearly in (ln Z, ln y), about 4× faster on 10⁶ points than
re-evaluating the polynomials, with a relative error below 1e-5 against them (tests/analysis/test_explosion.py).
The peak overpressure, the kernel on 10⁶ distances, uses :mod:`analysis.physics._octave_table` (no log or exp).
"""

from __future__ import annotations

import numpy as np

__all__ = ["TAB_N", "LogTable"]

#: Nodes of a table.
TAB_N = 4097


class LogTable:
    """ln y on a uniform grid of ln Z; one extra node past the end carries the far-field power-law slope.

    Lookup: held at the first node below the grid, linear inside, extrapolated with the far-field slope
    above (exact for a power law). Index arithmetic on the uniform grid avoids a binary search per point.
    """

    def __init__(self, lnz0: float, lnz1: float, fn, far_slope: float, n: int = TAB_N):
        x = np.linspace(lnz0, lnz1, n)
        y = np.log(fn(np.exp(x)))
        h = x[1] - x[0]
        self.x0 = float(x[0])
        self.inv_h = 1.0 / h
        self.ys = np.append(y, y[-1] + far_slope * h)
        self.dys = np.diff(self.ys)
        self.n_seg = len(self.dys)
        self.ys.flags.writeable = False
        self.dys.flags.writeable = False

    def __call__(self, lnz: np.ndarray) -> np.ndarray:
        t = np.subtract(np.atleast_1d(lnz), self.x0)
        t *= self.inv_h
        np.maximum(t, 0.0, out=t)  # held below the grid (−inf -> 0)
        idx = np.minimum(t, self.n_seg - 1).astype(np.intp)  # +inf -> last segment
        t -= idx  # fraction (> 1 beyond the grid: power-law extrapolation; +inf stays +inf)
        y = self.dys.take(idx)
        with np.errstate(invalid="ignore"):
            y *= t
        y += self.ys.take(idx)
        return y.reshape(np.shape(lnz))

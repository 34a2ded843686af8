"""A closed-form curve y(Z) tabulated on a uniform grid of ln Z and read by linear interpolation in (ln Z, ln y).

Used for the Kingery-Bulmash / Swisdak blast curves of :mod:`analysis.physics.explosion`: the fits are tabulated
once on a fine grid (4097 nodes, ΔlnZ ≈ 0.0016) and interpolated linearly in (ln Z, ln y), about 4× faster on 10⁶
points than re-evaluating the polynomials, with a relative error below 1e-5 against them
(tests/analysis/test_explosion.py); the chunked reading equals the whole-array one (test_kernel_speed.py).
"""

from __future__ import annotations

import numpy as np

from analysis.physics import _chunks

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

    def exp_at_distance(self, r: np.ndarray, ln_w3: float) -> np.ndarray:
        """y at distances ``r`` (checked) of one charge, ln W / 3 = ``ln_w3``: ``exp(self(ln r − ln_w3))`` by chunks
        in per-thread scratch arrays, the chunks shared among threads (:mod:`analysis.physics._chunks`; whole arrays
        spent half the time on page faults of their temporaries). Per point the same values as :meth:`__call__`:
        t = max(t, 0), i = ⌊min(t, n − 1)⌋ and t − i, with float clip and floor (faster than np.maximum with a
        scalar and a float−int subtraction), and the gather without its bounds check (0 ≤ i < n by the clip)."""
        r1 = np.ravel(r)
        out = np.empty(r1.size)
        shift = ln_w3 + self.x0
        last = float(self.n_seg - 1)
        inv_h, ys, dys = self.inv_h, self.ys, self.dys

        def body(a: int, b: int) -> None:
            k = b - a
            tt, fl, tm = _chunks.scratch(0, k), _chunks.scratch(1, k), _chunks.scratch(2, k)
            ii, y = _chunks.scratch(3, k, np.intp), out[a:b]
            with np.errstate(divide="ignore"):
                np.log(r1[a:b], out=tt)  # −inf at r = 0: held at the first node below
            tt -= shift
            tt *= inv_h
            np.clip(tt, 0.0, np.inf, out=tt)
            np.clip(tt, 0.0, last, out=fl)
            np.floor(fl, out=fl)
            tt -= fl  # fraction (> 1 beyond the grid: power-law extrapolation)
            np.copyto(ii, fl, casting="unsafe")  # exact: fl is a whole number in [0, n − 1]
            dys.take(ii, out=y, mode="wrap")
            y *= tt
            ys.take(ii, out=tm, mode="wrap")
            y += tm
            np.exp(y, out=y)

        _chunks.run(r1.size, body, chunk=2 * _chunks.CHUNK)  # 5 % faster than CHUNK here (12 ufuncs a chunk)
        return out.reshape(np.shape(r))

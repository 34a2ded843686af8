"""A curve y(Z) read by linear interpolation between nodes 2^e (1 + j/2^k): the node is found from the bits of Z.

Used for the Kingery-Bulmash peak overpressure of :mod:`analysis.physics.explosion` on 10⁶ distances. The nodes
split every binary octave [2^e, 2^(e+1)) into 2^k equal parts, so for a positive float64 Z its segment is the top
k mantissa bits with the exponent — ``(bits of Z) >> (52 − k)`` minus the index of the first octave — and no log,
exp, floor or float → int conversion is needed per point (a log-space table needs one log, one exp and four more
passes). With k = 11 the chord error of the KB polynomial and of its far-field power law is below 3×10⁻⁷ relative
(the previous (ln Z, ln y) table: 3.9×10⁻⁷; tests/analysis/test_explosion.py checks 1×10⁻⁶ against the published
formulas). Each segment keeps its line as one complex number A + iB (y = A + B·Z): one gather a point.

Per point: Z clipped to [z_lo, 2^e_hi] (held at y(z_lo) below z_lo, as the curve is); beyond 2^e_hi the caller's
far-field formula, evaluated on those points only. The chunked reading (:meth:`OctaveTable.at_scale`) gives the
same values as the whole-array one (:meth:`OctaveTable.__call__`), which equals ``numpy.interp`` on the nodes
within rounding (tests/analysis/test_kernel_speed.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from analysis.physics import _chunks

__all__ = ["BITS", "OctaveTable"]

#: Mantissa bits that index a segment: 2^BITS segments per octave.
BITS = 11
_MANTISSA = 52


class OctaveTable:
    """y linear in Z between the nodes 2^e (1 + j/2^k), e_lo ≤ e < e_hi, 0 ≤ j < 2^k, and 2^e_hi.

    Parameters
    ----------
    z_lo : float
        Smallest Z of the curve (> 0): below it y is held at y(z_lo). [unit of Z]
    e_hi : int
        The last node is 2^e_hi; above it ``far`` gives y.
    curve : callable
        y at the nodes (array in, array out) from the node at or below z_lo up to 2^e_hi — that node with the
        curve's own formula, so that the segment holding z_lo is the chord of the curve. [unit of y]
    far : callable
        y for Z > 2^e_hi (equal to ``curve`` at 2^e_hi, so y stays continuous); ``far(inf)`` is the limit.
    bits : int
        k: segments per octave 2^k.
    """

    def __init__(
        self,
        z_lo: float,
        e_hi: int,
        curve: Callable[[np.ndarray], np.ndarray],
        far: Callable[[np.ndarray], np.ndarray],
        bits: int = BITS,
    ):
        e_lo = math.floor(math.log2(z_lo))
        per = 1 << bits
        frac = 1.0 + np.arange(per) / per
        nodes = np.concatenate([np.ldexp(frac, e) for e in range(e_lo, e_hi)] + [[math.ldexp(1.0, e_hi)]])
        first = int(np.searchsorted(nodes, z_lo, side="right")) - 1  # the node at or below z_lo
        y = np.empty(nodes.size)
        y[first:] = curve(nodes[first:])
        y[:first] = y[first]  # segments below z_lo's: never read (Z is clipped to z_lo)
        slope = np.diff(y) / np.diff(nodes)
        slope = np.append(slope, slope[-1])  # Z = 2^e_hi exactly: the last segment's line, y(2^e_hi)
        self.nodes = nodes
        self.values = y
        self.lines = (y - slope * nodes) + 1j * slope  # A + iB: y = A + B Z on the segment
        self.z_lo = float(z_lo)
        self.z_hi = math.ldexp(1.0, e_hi)
        self.shift = _MANTISSA - bits
        self.base = int(np.float64(math.ldexp(1.0, e_lo)).view(np.int64)) >> self.shift
        self.far = far
        for arr in (self.nodes, self.values, self.lines):
            arr.flags.writeable = False

    def _into(self, z: np.ndarray, y: np.ndarray, ii: np.ndarray, ab: np.ndarray, clip: bool = True) -> None:
        """y at z (finite or +inf, ≥ 0), z clipped in place (``clip=False``: z is known to lie in [z_lo, z_hi]);
        ``ii``, ``ab`` scratch of z's length."""
        if clip:
            np.clip(z, self.z_lo, self.z_hi, out=z)
        np.right_shift(z.view(np.int64), self.shift, out=ii)
        ii -= self.base  # 0 ≤ ii < number of lines by the clip
        self.lines.take(ii, out=ab, mode="wrap")  # wrap: no bounds check (none is out of bounds)
        np.multiply(ab.imag, z, out=y)
        y += ab.real

    def __call__(self, z) -> np.ndarray:
        """y at z (≥ 0, +inf allowed: ``far(inf)``), whole arrays."""
        z = np.asarray(z, dtype=float)
        zc = np.array(z, dtype=float, ndmin=1)
        y = np.empty(zc.shape)
        self._into(zc, y, np.empty(zc.shape, np.int64), np.empty(zc.shape, complex))
        far = z.reshape(zc.shape) > self.z_hi
        if far.any():
            y[far] = self.far(z.reshape(zc.shape)[far])
        return y.reshape(z.shape)

    def at_scale(self, x: np.ndarray, scale: float) -> tuple[np.ndarray, bool]:
        """y at Z = ``scale`` · x by chunks shared among threads (:mod:`analysis.physics._chunks`), and whether every
        x is finite and ≥ 0 (checked per chunk while it is in the cache; when not, the caller runs its input check
        for the message and the result is not to be used).

        Parameters
        ----------
        x : ndarray
            float64, any shape (e.g. distances R [m]).
        scale : float
            > 0 and finite (e.g. W^(−1/3) [kg^(−1/3)]).

        Notes
        -----
        The smallest and largest x of a chunk (the input check) also tell, since rounding is monotonic, whether
        any Z of the chunk lies outside [z_lo, z_hi]: when none does the clip is skipped, when some Z > z_hi those
        points get ``far``. The values are those of ``self(scale * x)``.
        """
        x1 = np.ravel(x)
        out = np.empty(x1.size)

        def body(a: int, b: int) -> bool:
            xa, k = x1[a:b], b - a
            lo, hi = xa.min(), xa.max()
            if not (lo >= 0.0 and hi < np.inf):  # negative, NaN or inf: the caller's check names it
                return False
            z, y = _chunks.scratch(0, k), out[a:b]
            np.multiply(xa, scale, out=z)
            inside = lo * scale >= self.z_lo and hi * scale <= self.z_hi
            self._into(
                z, y, _chunks.scratch(1, k, np.int64), _chunks.scratch(2, k, np.complex128), not inside
            )
            if hi * scale > self.z_hi:
                far = np.flatnonzero(xa * scale > self.z_hi)
                y[far] = self.far(xa[far] * scale)
            return True

        # 64 K points a chunk: measured best (32 K: 15 % slower)
        ok = all(_chunks.run(x1.size, body, chunk=2 * _chunks.CHUNK))
        return out.reshape(np.shape(x)), ok

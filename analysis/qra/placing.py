"""Placing an installation's lethality tables on the risk grid and at the receptor points, for every wind direction.

Used by :func:`analysis.qra.individual.individual_risk` (see its module docstring for the method). ``wx`` is the
run's weather (directions, the weather classes' day and night probabilities per direction, the day fraction and
``members(table)``: the weather classes a table stands for).

How the reads are made fast (the results are those of reading every table at every cell with
``scipy.ndimage.map_coordinates(order=1, mode="constant")``, up to the order of floating-point sums):

- tables standing for the same weather classes are summed once, weighted by their frequencies: their direction
  weights are in the same proportion;
- per direction, only the cells inside the rotated table box are read (a read outside a table is 0): they are
  found row by row (:func:`box_cells`, the interval of columns each row crosses the rotated box in, widened by a
  slack and then tested cell by cell exactly as before), so a long thin cloud costs the cells of its box, not of
  the disk of its reach, in each direction;
- a radial table is read only on the square of rows and columns within its own reach (``np.interp`` with
  ``right=0`` reads 0 beyond it);
- one set of bilinear weights per point serves every table (:class:`TableReader`), so the cost is proportional to
  the cells read, not to the size of the tables times the number of directions.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from analysis.qra.lethality import DirGroup, LethalityTable, rotate
from analysis.qra.windows import Near, Window

__all__ = ["TableReader", "add_radial", "add_directional", "box_cells"]


def add_radial(
    t: LethalityTable,
    wx: Any,
    uid: str,
    win: Window | None,
    pts: Near,
    u_contrib: np.ndarray,
    events: list,
) -> None:
    """Add a radial table (direction-independent, weighted over its weather classes) to the window and receptors."""
    members = wx.members(t)
    pk_day = wx.p_day[:, members].sum(axis=1)  # per direction
    pk_night = wx.p_night[:, members].sum(axis=1)
    pk = float(wx.p_ann[:, members].sum())
    near, is_target = pts.near, pts.is_target
    if win is not None:  # the rows and columns within the table's reach: np.interp reads 0 beyond it
        rmax = float(t.r[-1])
        rows = np.flatnonzero(np.abs(win.DY[:, 0]) <= rmax)
        cols = np.flatnonzero(np.abs(win.DX[0]) <= rmax)
        if rows.size and cols.size:
            sub = (slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1))
            win.values[sub] += t.frequency * pk * np.interp(win.R[sub], t.r, t.values, right=0.0)
    lp = np.interp(pts.r[near], t.r, t.values, right=0.0)
    u_contrib[near] += t.frequency * pk * lp
    nd_t = float(np.sum((pts.wd[near] * lp)[is_target[near]]))
    nd_b = float(np.sum((pts.wd[near] * lp)[~is_target[near]]))
    nn_t = float(np.sum((pts.wn[near] * lp)[is_target[near]]))
    nn_b = float(np.sum((pts.wn[near] * lp)[~is_target[near]]))
    if nd_t + nd_b + nn_t + nn_b > 0:
        for di, dd in enumerate(wx.dirs):
            for period, pk_p, frac, nt, nb in (
                ("day", pk_day[di], wx.dfrac, nd_t, nd_b),
                ("night", pk_night[di], 1.0 - wx.dfrac, nn_t, nn_b),
            ):
                f_e = t.frequency * pk_p * frac
                if f_e > 0 and nt + nb > 0:
                    events.append((uid, t.kind, period, dd, t.key, f_e, nt, nb))


class TableReader:
    """Tables of one wind-aligned box stacked for bilinear reads at many points, exactly as
    ``scipy.ndimage.map_coordinates(order=1, mode="constant", cval=0)`` reads each of them (0 outside the table).

    The tables (K of them, shape (nc, ns) each: rows crosswind c, columns downwind s) are padded with one zero row
    and column on every side (a point on the last row or column reads the padding with weight 0) and stored as one
    (N, K) array, so one set of bilinear weights per point serves every
    table, and a weighted sum of the tables is read as four matrix-vector products (the read is linear). The cost
    is proportional to the points read, not to the table size.
    """

    def __init__(self, tables: list[np.ndarray], grp: DirGroup) -> None:
        nc, ns = tables[0].shape
        padded = np.zeros((nc + 2, ns + 2, len(tables)))
        for k, v in enumerate(tables):
            padded[1:-1, 1:-1, k] = v
        self.flat = padded.reshape(-1, len(tables))
        self.nc, self.ns, self.grp = nc, ns, grp

    def weights(self, s: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Points inside the table (map_coordinates reads 0 outside [0, n - 1]), flat corner index, fractions."""
        g = self.grp
        x = (c + g.c_max) / g.ht  # fractional row
        y = (s - g.s_min) / g.ht  # fractional column
        keep = (x >= 0.0) & (x <= self.nc - 1.0) & (y >= 0.0) & (y <= self.ns - 1.0)
        x, y = x[keep], y[keep]
        i0, j0 = x.astype(np.intp), y.astype(np.intp)
        return keep, (i0 + 1) * (self.ns + 2) + (j0 + 1), x - i0, y - j0

    def sums(self, w: np.ndarray) -> np.ndarray:
        """The padded tables summed with each column of weights ``w`` (K, M): shape (M, padded size), each row a
        table for :meth:`read_sum` (one matrix product for all M sums)."""
        return w.T @ self.flat.T  # (M, size), C-ordered: no transposed copy

    def read_sum(self, comb: np.ndarray, idx: np.ndarray, fx: np.ndarray, fy: np.ndarray) -> np.ndarray:
        """One row of :meth:`sums` read at the points (what :meth:`read` gives with that column of weights)."""
        row = self.ns + 2
        v00, v01, v10, v11 = (np.take(comb, idx + o) for o in (0, 1, row, row + 1))
        return (v00 * (1.0 - fy) + v01 * fy) * (1.0 - fx) + (v10 * (1.0 - fy) + v11 * fy) * fx

    def read(self, w: np.ndarray | None, idx: np.ndarray, fx: np.ndarray, fy: np.ndarray) -> np.ndarray:
        """sum_k w_k T_k at the points (``w``: (K,) weights, or (K, M) for M sums at once; None: each table,
        shape (points, K))."""
        row = self.ns + 2
        if w is None:
            v00, v01, v10, v11 = (np.take(self.flat, idx + o, axis=0) for o in (0, 1, row, row + 1))
        elif w.ndim == 1 and 4 * idx.size >= self.flat.shape[0]:  # many points: sum the tables, then read
            comb = self.flat @ w
            v00, v01, v10, v11 = (np.take(comb, idx + o) for o in (0, 1, row, row + 1))
        else:
            v00, v01, v10, v11 = (np.take(self.flat, idx + o, axis=0) @ w for o in (0, 1, row, row + 1))
        if w is None or w.ndim == 2:
            fx, fy = fx[:, None], fy[:, None]
        return (v00 * (1.0 - fy) + v01 * fy) * (1.0 - fx) + (v10 * (1.0 - fy) + v11 * fy) * fx


def box_cells(win: Window, grp: DirGroup, shape: tuple[int, int], wind_from_deg: float) -> np.ndarray:
    """Flat indices of the window's cells that may lie inside a group's table box rotated to one wind direction.

    Row by row, the columns crossing the rotated box: each of the box's four sides bounds the east offset dx of a
    row (s = dx sin b + dy cos b, c = -dx cos b + dy sin b, b the downwind bearing); the box is widened by two grid
    cells so that rounding never drops a cell. A superset of the cells inside the box: the caller tests each cell
    exactly (:meth:`TableReader.weights`). [-]
    """
    nc, ns = shape
    h = float(abs(win.DX[0, 1] - win.DX[0, 0])) if win.DX.shape[1] > 1 else 1.0
    pad = 2.0 * max(h, grp.ht)
    s_lo, s_hi = grp.s_min - pad, grp.s_min + (ns - 1) * grp.ht + pad
    c_lo, c_hi = -grp.c_max - pad, -grp.c_max + (nc - 1) * grp.ht + pad
    b = math.radians(wind_from_deg + 180.0)
    sb, cb = math.sin(b), math.cos(b)
    dx, dy = win.DX[0], win.DY[:, 0]
    lo = np.full(dy.shape, -np.inf)
    hi = np.full(dy.shape, np.inf)
    # s in [s_lo, s_hi]: dx * sb in [s_lo - dy cb, s_hi - dy cb]; c in [c_lo, c_hi]: dx * (-cb) in [c_lo - dy sb, ...]
    for k, (a_lo, a_hi) in ((sb, (s_lo - dy * cb, s_hi - dy * cb)), (-cb, (c_lo - dy * sb, c_hi - dy * sb))):
        if abs(k) < 1e-9:  # the side is parallel to the rows: a row is inside or outside whole
            out = (a_lo > 0.0) | (a_hi < 0.0)
            lo[out], hi[out] = np.inf, -np.inf
            continue
        e1, e2 = a_lo / k, a_hi / k
        lo, hi = np.maximum(lo, np.minimum(e1, e2)), np.minimum(hi, np.maximum(e1, e2))
    j_lo = np.searchsorted(dx, lo, side="left")
    j_hi = np.searchsorted(dx, hi, side="right")
    n = np.maximum(j_hi - j_lo, 0)
    total = int(n.sum())
    if not total:
        return np.zeros(0, dtype=np.intp)
    rows = np.flatnonzero(n)
    n, starts = n[rows], rows * dx.size + j_lo[rows]
    # concatenated ranges starts[r] .. starts[r] + n[r]
    offs = np.repeat(starts - np.concatenate([[0], np.cumsum(n)[:-1]]), n)
    return offs + np.arange(total)


def add_directional(
    grp: DirGroup,
    wx: Any,
    uid: str,
    win: Window | None,
    pts: Near,
    u_contrib: np.ndarray,
    events: list,
) -> None:
    """Add a group of wind-aligned tables: per direction their weighted sum, rotated onto the window.

    Tables standing for the same weather classes have direction weights in the same proportion, so they are summed
    once (weighted by their frequencies); each direction then reads that handful of tables, with one set of
    bilinear weights, only at the cells inside the rotated box (:class:`TableReader`).
    """
    members = grp.tables
    by_cols: dict[tuple[int, ...], list[int]] = {}
    for k, t in enumerate(members):
        by_cols.setdefault(tuple(wx.members(t)), []).append(k)
    coef_day = np.zeros((len(members), len(wx.dirs)))
    coef_night = np.zeros((len(members), len(wx.dirs)))
    for k, t in enumerate(members):
        cols = wx.members(t)
        coef_day[k] = t.frequency * wx.p_day[:, cols].sum(axis=1)
        coef_night[k] = t.frequency * wx.p_night[:, cols].sum(axis=1)
    dfrac = wx.dfrac
    coef = dfrac * coef_day + (1.0 - dfrac) * coef_night
    g_reach = math.hypot(max(abs(grp.s_min), abs(grp.s_max)), grp.c_max)
    if win is not None:
        dxs, dys = win.DX[0], win.DY[:, 0]  # the window's offsets east (per column) and north (per row)
        acc = win.values.reshape(-1)  # a view: the directions are added to the window in place
        # one table per set of weather classes: sum_k f_k T_k, with that set's direction weights
        summed = TableReader(
            [sum(members[k].frequency * members[k].values for k in ks) for ks in by_cols.values()], grp
        )
        w_cols = np.stack(
            [
                dfrac * wx.p_day[:, list(c)].sum(axis=1) + (1.0 - dfrac) * wx.p_night[:, list(c)].sum(axis=1)
                for c in by_cols
            ]
        )  # (K', n_dirs)
        combs = summed.sums(w_cols)  # per direction: the tables summed with its weights
    near_g = pts.near & (pts.r <= g_reach)
    each = TableReader([t.values for t in members], grp) if near_g.any() else None
    for di, dd in enumerate(wx.dirs):
        if not np.any(coef[:, di] > 0):
            continue
        if win is not None:
            cells = box_cells(win, grp, (summed.nc, summed.ns), dd)
            r_, c_ = np.divmod(cells, dxs.size)
            inside = win.R[r_, c_] <= g_reach
            cells, r_, c_ = cells[inside], r_[inside], c_[inside]
            S, C = rotate(dxs[c_], dys[r_], dd)
            keep, idx, fx, fy = summed.weights(S, C)
            if idx.size:
                acc[cells[keep]] += summed.read_sum(combs[di], idx, fx, fy)
        if each is None:
            continue
        ps, pc = rotate(pts.dx[near_g], pts.dy[near_g], dd)
        keep, idx, fx, fy = each.weights(ps, pc)
        if not idx.size:
            continue
        sel = np.flatnonzero(near_g)[keep]
        lp = each.read(None, idx, fx, fy)  # (points, K): each table's lethality
        u_contrib[sel] += lp @ coef[:, di]
        wdn, wnn, tg = pts.wd[sel], pts.wn[sel], pts.is_target[sel]
        # people killed per table: day targets, day buildings, night targets, night buildings (4, K)
        killed = np.stack([wdn * tg, wdn * ~tg, wnn * tg, wnn * ~tg]) @ lp
        for k, t in enumerate(members):
            if coef[k, di] <= 0:
                continue
            for period, cf, nt, nb in (
                ("day", coef_day[k, di] * dfrac, killed[0, k], killed[1, k]),
                ("night", coef_night[k, di] * (1 - dfrac), killed[2, k], killed[3, k]),
            ):
                if cf > 0 and nt + nb > 0:
                    events.append((uid, t.kind, period, dd, t.key, cf, float(nt), float(nb)))

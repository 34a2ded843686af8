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
  the cells read, not to the size of the tables times the number of directions;
- the directions of a group are read together (:func:`box_cells_multi`, up to :data:`CHUNK_CELLS` cells at once,
  each cell's directions summed with ``np.bincount``), and so are the receptor points: a small flame costs a few
  numpy calls for all 16 directions, not 16 times as many.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from analysis.qra.lethality import DirGroup, LethalityTable, downwind_sin_cos, rotate_by
from analysis.qra.windows import Near, Window

__all__ = ["TableReader", "add_radial", "add_directional", "box_cells", "box_cells_multi", "read_grid"]


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
            r_sub = np.hypot(win.DX[sub], win.DY[sub])
            win.values[sub] += t.frequency * pk * np.interp(r_sub, t.r, t.values, right=0.0)
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
        x, y, keep = self.fractions(s, c)
        return (keep, *self.corners(x[keep], y[keep]))

    def fractions(self, s: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Fractional row and column of each point in the table, and whether it is inside the table."""
        g = self.grp
        x = (c + g.c_max) / g.ht  # fractional row
        y = (s - g.s_min) / g.ht  # fractional column
        return x, y, (x >= 0.0) & (x <= self.nc - 1.0) & (y >= 0.0) & (y <= self.ns - 1.0)

    def corners(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Flat index of the padded corner below each point inside the table, and its fractions."""
        i0, j0 = x.astype(np.intp), y.astype(np.intp)
        return (i0 + 1) * (self.ns + 2) + (j0 + 1), x - i0, y - j0

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
    return box_cells_multi(win, grp, shape, [wind_from_deg])[0]


def box_cells_multi(
    win: Window, grp: DirGroup, shape: tuple[int, int], dirs_deg: Any
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`box_cells` for several wind directions at once: the cells of each direction, concatenated in the
    order of ``dirs_deg``, and the position in ``dirs_deg`` of each cell's direction. [-]"""
    nc, ns = shape
    h = float(abs(win.DX[0, 1] - win.DX[0, 0])) if win.DX.shape[1] > 1 else 1.0
    pad = 2.0 * max(h, grp.ht)
    s_lo, s_hi = grp.s_min - pad, grp.s_min + (ns - 1) * grp.ht + pad
    c_lo, c_hi = -grp.c_max - pad, -grp.c_max + (nc - 1) * grp.ht + pad
    sb, cb = downwind_sin_cos(dirs_deg)
    sb, cb = sb[:, None], cb[:, None]
    dx, dy = win.DX[0], win.DY[:, 0][None, :]
    lo = np.full((sb.shape[0], dy.size), -np.inf)
    hi = np.full(lo.shape, np.inf)
    # s in [s_lo, s_hi]: dx * sb in [s_lo - dy cb, s_hi - dy cb]; c in [c_lo, c_hi]: dx * (-cb) in [c_lo - dy sb, ...]
    for k, (a_lo, a_hi) in ((sb, (s_lo - dy * cb, s_hi - dy * cb)), (-cb, (c_lo - dy * sb, c_hi - dy * sb))):
        par = np.abs(k) < 1e-9  # the side is parallel to the rows: a row is inside or outside whole
        with np.errstate(divide="ignore", invalid="ignore"):
            e1, e2 = a_lo / k, a_hi / k
        lo = np.where(par, lo, np.maximum(lo, np.minimum(e1, e2)))
        hi = np.where(par, hi, np.minimum(hi, np.maximum(e1, e2)))
        out = par & ((a_lo > 0.0) | (a_hi < 0.0))
        lo, hi = np.where(out, np.inf, lo), np.where(out, -np.inf, hi)
    j_lo = np.searchsorted(dx, lo.ravel(), side="left")
    j_hi = np.searchsorted(dx, hi.ravel(), side="right")
    n = np.maximum(j_hi - j_lo, 0)
    total = int(n.sum())
    if not total:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    entries = np.flatnonzero(n)  # (direction, row) pairs with cells, direction-major
    which, rows = np.divmod(entries, dy.size)
    n, starts = n[entries], rows * dx.size + j_lo[entries]
    # concatenated ranges starts[r] .. starts[r] + n[r]
    offs = np.repeat(starts - np.concatenate([[0], np.cumsum(n)[:-1]]), n)
    return offs + np.arange(total), np.repeat(which, n)


#: Cells read together when several directions are read at once (about 150 bytes a cell while reading). [-]
CHUNK_CELLS = 300_000


def read_grid(
    reader: TableReader, w_dirs: np.ndarray, win: Window, g_reach: float, dirs_deg: np.ndarray
) -> None:
    """Add sum_d sum_k w_dirs[k, d] T_k(rotated to direction d) to the window's values, T_k the reader's tables.

    Directions whose boxes are small are read together (one set of numpy calls for up to :data:`CHUNK_CELLS`
    cells, summed per cell with ``np.bincount``); a large box is read one direction at a time. The tables are
    read at each cell and weighted there (no per-direction sum of the tables: that costs the table's size per
    direction, more than the cells read in most groups), except when the cells outnumber the table's points.
    """
    dxs, dys = win.DX[0], win.DY[:, 0]
    acc = win.values.reshape(-1)
    grp, nc, ns = reader.grp, reader.nc, reader.ns
    h = float(abs(dxs[1] - dxs[0])) if dxs.size > 1 else 1.0
    per_dir = min(acc.size, ((ns + 4) * grp.ht + 4 * h) * ((nc + 4) * grp.ht + 4 * h) / (h * h) + 1)
    step = max(1, int(CHUNK_CELLS // per_dir))
    n_tab = reader.flat.shape[1]
    sb_all, cb_all = downwind_sin_cos(dirs_deg)
    for d0 in range(0, len(dirs_deg), step):
        sel = slice(d0, d0 + step)
        w = w_dirs[:, sel]
        one = w.shape[1] == 1
        cells, which = box_cells_multi(win, grp, (nc, ns), dirs_deg[sel])
        r_, c_ = np.divmod(cells, dxs.size)
        x, y = dxs[c_], dys[r_]
        sb, cb = (sb_all[d0], cb_all[d0]) if one else (sb_all[sel][which], cb_all[sel][which])
        fr, fc, keep = reader.fractions(*rotate_by(x, y, sb, cb))
        keep = np.flatnonzero(keep & (np.hypot(x, y) <= g_reach))  # within the group's reach and the table
        if not keep.size:
            continue
        cells, which = cells[keep], (None if one else which[keep])
        idx, fx, fy = reader.corners(fr[keep], fc[keep])
        if n_tab == 1:
            vals = reader.read_sum(reader.flat[:, 0], idx, fx, fy) * (w[0, 0] if one else w[0, which])
        elif one:
            vals = reader.read(w[:, 0], idx, fx, fy)
        elif idx.size * (n_tab - 1) > w.shape[1] * reader.flat.shape[0]:  # many cells: sum the tables first
            combs = reader.sums(w)
            vals = reader.read_sum(combs.reshape(-1), idx + which * combs.shape[1], fx, fy)
        else:
            vals = np.einsum("ik,ki->i", reader.read(None, idx, fx, fy), w[:, which])
        if one:  # one direction: every cell once
            acc[cells] += vals
        else:
            lo, hi = int(cells.min()), int(cells.max()) + 1
            acc[lo:hi] += np.bincount(cells - lo, weights=vals, minlength=hi - lo)


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
    active = [di for di in range(len(wx.dirs)) if np.any(coef[:, di] > 0)]
    if win is not None and active:
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
        read_grid(summed, w_cols[:, active], win, g_reach, np.asarray(wx.dirs, dtype=float)[active])
    near_g = pts.near & (pts.r <= g_reach)
    each = TableReader([t.values for t in members], grp) if near_g.any() else None
    if each is None:
        return
    _read_points(each, grp, wx, uid, pts, near_g, coef, coef_day, coef_night, active, u_contrib, events)


def _read_points(
    each: TableReader,
    grp: DirGroup,
    wx: Any,
    uid: str,
    pts: Near,
    near_g: np.ndarray,
    coef: np.ndarray,
    coef_day: np.ndarray,
    coef_night: np.ndarray,
    active: list[int],
    u_contrib: np.ndarray,
    events: list,
) -> None:
    """Each table of a group at the receptor points within its reach, for every active direction: the risk at the
    points and the people killed per direction, table and period (the societal-risk events). Several directions
    are read together (up to :data:`CHUNK_CELLS` point reads), in the order of the directions."""
    members, dfrac = grp.tables, wx.dfrac
    near = np.flatnonzero(near_g)
    px, py = pts.dx[near], pts.dy[near]
    n_pts = near.size
    dirs = np.asarray(wx.dirs, dtype=float)[active]
    sb_all, cb_all = downwind_sin_cos(dirs)
    step = max(1, CHUNK_CELLS // max(n_pts, 1))
    for d0 in range(0, len(active), step):
        sb, cb = sb_all[d0 : d0 + step, None], cb_all[d0 : d0 + step, None]
        s, c = rotate_by(px, py, sb, cb)  # every point in each direction of the chunk, direction-major
        keep, idx, fx, fy = each.weights(s.ravel(), c.ravel())
        if not idx.size:
            continue
        flat = np.flatnonzero(keep)
        which, sel = np.divmod(flat, n_pts)
        sel = near[sel]
        lp = each.read(None, idx, fx, fy)  # (point reads, K): each table's lethality
        chunk = np.asarray(active[d0 : d0 + step])
        u_contrib += np.bincount(
            sel, weights=np.einsum("ik,ki->i", lp, coef[:, chunk[which]]), minlength=u_contrib.size
        )
        wd, wn, tg = pts.wd[sel], pts.wn[sel], pts.is_target[sel]
        # people killed: day targets, day buildings, night targets, night buildings
        q = np.stack([wd * tg, wd * ~tg, wn * tg, wn * ~tg])
        bounds = np.searchsorted(which, np.arange(chunk.size + 1))
        for j, di in enumerate(chunk):
            a, b = bounds[j], bounds[j + 1]
            if a == b:
                continue
            killed = q[:, a:b] @ lp[a:b]  # (4, K)
            dd = wx.dirs[di]
            for k, t in enumerate(members):
                if coef[k, di] <= 0:
                    continue
                for period, cf, nt, nb in (
                    ("day", coef_day[k, di] * dfrac, killed[0, k], killed[1, k]),
                    ("night", coef_night[k, di] * (1 - dfrac), killed[2, k], killed[3, k]),
                ):
                    if cf > 0 and nt + nb > 0:
                        events.append((uid, t.kind, period, dd, t.key, cf, float(nt), float(nb)))

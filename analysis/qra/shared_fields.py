"""Placing one prepared installation on the risk grid, with the long reaches rasterised once per run and shared.

Used by :func:`analysis.qra.individual.individual_risk` (:func:`place_unit`). Installations with identical
consequence inputs (the tanks of one tank group: same substance, inventory, conditions and outcome rows) share
their lethality tables (:func:`analysis.qra.individual._prepare_all`). The grid field of a table group summed over
the rose's directions is then the same for each of them up to its position. For the groups that reach far
(a box spanning at least :data:`LONG_CELLS` grid cells: toxic and flammable clouds kilometres long, which are
nearly all of the time on a large park), that field is rasterised **once** per set of identical installations on
a window centred on a grid cell (:class:`FieldCache`) and added at each installation's cell by an integer shift.
An installation without a twin is read exactly at the cell centres, as before.

Accuracy (a stated approximation): an installation's long-reach field is placed as if the installation stood at
the centre of the grid cell that contains its centroid, i.e. displaced by at most h/2 east and h/2 north (at most
h/√2 = 7.1 m on a 10 m grid), for fields at least :data:`LONG_CELLS` × h (500 m) across. Everything else is read
exactly at the cell centres as before: installations without a twin, the short-reach and radial tables of every
installation, and all receptor points (risk at sensitive targets and buildings, the societal-risk events). On the
demo park the fast path gives the exact path's maximum individual risk and its 1×10⁻⁶ and 3×10⁻⁷ /a contour areas
within 1 % (tests/analysis/test_risk_speed.py); on the large park (bench/bench_large.py) within 0.01 %.

A field is rasterised only where it can fall on the grid: on the offsets from the centre cell that some
installation of its set, shifted to its own cell, brings onto the grid (:meth:`FieldCache.plan`), not on the whole
disk of its reach (a chlorine or ammonia cloud reaching 20 km would otherwise be rasterised on 41 km × 41 km around
a park 10 km across). The cache lives for one pass over the grid: a field is dropped once every installation of
its set has been placed (so a run holds a few fields at a time, not one per set), and each pass (the coarse pass
that sizes the grid, the full pass, a grown grid) rasterises its own. The receptors' risk and events, which do not
depend on the grid, are computed in the first full pass only (:func:`place_unit` with ``receptors=False``
afterwards).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from analysis.qra.contours import unit_distances
from analysis.qra.lethality import DirGroup
from analysis.qra.placing import add_directional, add_radial
from analysis.qra.windows import Near, Window

__all__ = ["LONG_CELLS", "CACHE_CELLS", "FieldCache", "is_long", "place_unit"]

#: A table group whose box spans at least this many grid cells is placed by translation when shared. [-]
LONG_CELLS = 50.0
#: Cells the cache of one run may hold (float64: 8 bytes each; 1.5×10⁸ = 1.2 GB); beyond, fields are not kept. [-]
CACHE_CELLS = 150_000_000


def is_long(grp: DirGroup, h: float) -> bool:
    """True when the group's box spans at least :data:`LONG_CELLS` cells of size ``h`` [m]."""
    return max(grp.s_max - grp.s_min, 2.0 * grp.c_max) >= LONG_CELLS * h


def _no_points() -> Near:
    e = np.zeros(0)
    return Near(e, e, e, np.zeros(0, dtype=bool), e, e, np.zeros(0, dtype=bool))


@dataclass
class FieldCache:
    """Long-reach fields of sets of identical installations, each on a window centred on a grid cell.

    A field is stored cropped to its non-zero cells: ``(values, row0, col0)`` with ``values[0, 0]`` at
    (row0, col0) cells from the centre cell (rows southwards, columns eastwards). :meth:`plan` must be called
    with each grid before its installations are placed.
    """

    fields: dict[tuple, tuple[np.ndarray, int, int]] = field(default_factory=dict)
    cells: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    pending: dict[tuple, threading.Event] = field(default_factory=dict)  # fields being computed by a thread
    spans: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)  # per set: cells on the grid
    left: dict[str, int] = field(default_factory=dict)  # per set: installations still to place in this pass

    def plan(self, g: Any, preps: list[Any]) -> None:
        """A new pass over grid ``g``: forget the fields of the last pass and note, per set of identical
        installations (``prep.rep``), the range of grid cells their centroids fall in and how many there are."""
        cells: dict[str, list[tuple[int, int]]] = {}
        for p in preps:
            if p.shared > 1 and p.live:
                ic = int(math.floor((g.y1 - p.oy) / g.h))
                jc = int(math.floor((p.ox - g.x0) / g.h))
                cells.setdefault(p.rep, []).append((ic, jc))
        with self.lock:
            self.fields.clear()
            self.cells = 0
            self.spans = {}
            for rep, ij in cells.items():
                ii, jj = [c[0] for c in ij], [c[1] for c in ij]
                self.spans[rep] = (min(ii), max(ii), min(jj), max(jj))
            self.left = {rep: len(ij) for rep, ij in cells.items()}

    def done(self, key: tuple) -> None:
        """One installation of the set ``key[0]`` is placed; the set's field is dropped after the last one."""
        with self.lock:
            self.left[key[0]] = self.left.get(key[0], 1) - 1
            if self.left[key[0]] <= 0:
                hit = self.fields.pop(key, None)
                if hit is not None:
                    self.cells -= hit[0].size

    def busy(self, key: tuple) -> bool:
        """True while another thread computes the field of ``key``."""
        with self.lock:
            return key in self.pending

    def field(self, key: tuple, groups: list[DirGroup], wx: Any, g: Any, reach: float) -> tuple:
        """The summed field of ``groups`` [1/a] within ``reach`` [m] of the centre of a cell of grid ``g``, where
        the set ``key[0]`` brings it onto the grid."""
        with self.lock:
            hit = self.fields.get(key)
            busy = self.pending.get(key) if hit is None else None
            if hit is None and busy is None:
                self.pending[key] = threading.Event()  # this thread computes it; others wait for it
        if hit is not None:
            return hit
        if busy is not None:  # another thread is computing it
            busy.wait()
            with self.lock:
                hit = self.fields.get(key)
            return hit if hit is not None else self._compute(key, groups, wx, g, reach, store=False)
        try:
            return self._compute(key, groups, wx, g, reach, store=True)
        finally:
            with self.lock:
                self.pending.pop(key).set()

    def _compute(
        self, key: tuple, groups: list[DirGroup], wx: Any, g: Any, reach: float, *, store: bool
    ) -> tuple:
        n = int(math.ceil(reach / g.h)) + 1
        i_lo, i_hi, j_lo, j_hi = self.spans.get(key[0], (0, g.ny - 1, 0, g.nx - 1))
        # offsets (rows southwards, columns eastwards) that some installation of the set brings onto the grid
        r_lo, r_hi = max(-n, -i_hi), min(n, g.ny - 1 - i_lo)
        c_lo, c_hi = max(-n, -j_hi), min(n, g.nx - 1 - j_lo)
        if r_hi < r_lo or c_hi < c_lo:
            return (np.zeros((0, 0)), 0, 0)
        dx = np.arange(c_lo, c_hi + 1) * g.h
        dy = -(np.arange(r_lo, r_hi + 1) * g.h)
        shape = (dy.size, dx.size)
        DX, DY = np.broadcast_to(dx[None, :], shape), np.broadcast_to(dy[:, None], shape)
        win = Window(0, shape[0], 0, shape[1], DX, DY, np.zeros(shape))
        pts = _no_points()
        for grp in groups:
            add_directional(grp, wx, "", win, pts, np.zeros(0), [])
        rows = np.flatnonzero(win.values.any(axis=1))
        cols = np.flatnonzero(win.values.any(axis=0))
        if rows.size:
            vals = win.values[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1].copy()
            hit = (vals, int(rows[0]) + r_lo, int(cols[0]) + c_lo)
        else:
            hit = (np.zeros((0, 0)), 0, 0)
        with self.lock:
            if store and self.cells + hit[0].size <= CACHE_CELLS and key not in self.fields:
                self.fields[key] = hit
                self.cells += hit[0].size
        return hit


def _translate(win: Window, g: Any, ox: float, oy: float, fld: tuple) -> None:
    """Add a cached field at the grid cell containing (ox, oy) [m] to the window's values (clipped to it)."""
    vals, r0, c0 = fld
    if not vals.size:
        return
    ic = int(math.floor((g.y1 - oy) / g.h))
    jc = int(math.floor((ox - g.x0) / g.h))
    top, left = ic + r0 - win.i0, jc + c0 - win.j0  # the field's first cell in window rows/columns
    ny, nx = win.values.shape
    a0, a1 = max(0, top), min(ny, top + vals.shape[0])
    b0, b1 = max(0, left), min(nx, left + vals.shape[1])
    if a1 > a0 and b1 > b0:
        win.values[a0:a1, b0:b1] += vals[a0 - top : a1 - top, b0 - left : b1 - left]


def place_unit(
    run: Any,
    ui: int,
    prep: Any,
    wx: Any,
    g: Any,
    out: Any,
    cache: FieldCache | None,
    *,
    coarse: bool = False,
    receptors: bool = True,
    wait: bool = True,
) -> bool:
    """One prepared installation: its risk on the grid and at the receptors, added to ``out`` (and to column ``ui``
    of ``run.contrib``).

    ``coarse``: only the grid within the installation's reach of the lowest level, no receptors (the pass that
    sizes the grid). ``receptors=False``: the grid only (the receptors were done in an earlier pass). ``cache``:
    the run's :class:`FieldCache`; None places every group exactly. ``wait=False``: when another thread is
    computing the shared field this installation needs, add nothing and return False (place it later).
    """
    uid, row, live, dgroups, ox, oy = prep.uid, prep.row, prep.live, prep.dgroups, prep.ox, prep.oy
    reach = min(prep.reach, prep.level_reach + 2.0 * g.h) if coarse else prep.reach
    key = (prep.rep, g.h, reach, g.x0, g.y1, g.nx, g.ny)
    if not wait and cache is not None and prep.shared > 1 and cache.busy(key):
        return False
    rec_unit = dict(prep.rec_unit)
    if not live:
        rec_unit.update({f"ir_distance_{lv:.0e}": 0.0 for lv in run.levels})
        out.unit_recs.append(rec_unit)
        return True
    win = Window.of(g, ox, oy, reach)
    with_points = receptors and not coarse
    pts = Near.of(run.rec, ox, oy, reach) if with_points else _no_points()
    u_contrib = np.zeros(len(run.rec)) if with_points else np.zeros(0)
    events = out.events if with_points else []
    for t in (t for t in live if t.radial):
        add_radial(t, wx, uid, win, pts, u_contrib, events)
    shift = cache is not None and win is not None and prep.shared > 1
    long = [grp for grp in dgroups if shift and is_long(grp, g.h)]
    shifted = {id(grp) for grp in long}
    for grp in dgroups:
        add_directional(grp, wx, uid, None if id(grp) in shifted else win, pts, u_contrib, events)
    if long:
        fld = cache.field(key, long, wx, g, reach)
        _translate(win, g, ox, oy, fld)
        cache.done(key)
    if with_points:
        run.contrib[:, ui] = u_contrib
    if win is not None:
        out.values[win.i0 : win.i1, win.j0 : win.j1] += win.values
        rec_unit.update(
            unit_distances(row.geometry, g.xc[win.j0 : win.j1], g.yc[win.i0 : win.i1], win.values, run.levels)
        )
    else:
        rec_unit.update({f"ir_distance_{lv:.0e}": 0.0 for lv in run.levels})
    out.unit_recs.append(rec_unit)
    return True

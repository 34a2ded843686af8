"""Lethality tables of one outcome in one weather: where it kills, tabulated once and read for every wind direction.

The lethality of an outcome in one weather class does not depend on where the wind blows: only its orientation
does. It is therefore evaluated ONCE on a table in wind-aligned coordinates (s downwind, c crosswind; wind blowing
towards +s), over a box found by probing where P_death ≥ ``min_lethality`` (:func:`probe`). Tables of similar size
(a factor 2) share one box (:func:`size_groups`, :func:`dir_group`), tabulated at half a grid cell at most (coarser
only for boxes above 4×10⁵ points). Outcomes whose lethality is axisymmetric in the consequence models
(:data:`RADIAL_KINDS`) use a radial table (:func:`tabulate_radial`) and no rotation. Which part of the weather an
outcome kind depends on is :data:`WEATHER_DEPENDENCE` (:func:`weather_key`).

The cut-off ``min_lethality`` at the edge of a box is a numerical choice of parkrisk, not a rule of a source.
"""

from __future__ import annotations

import math
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "RADIAL_KINDS",
    "WEATHER_DEPENDENCE",
    "LethalityTable",
    "DirGroup",
    "weather_key",
    "probe",
    "probe_values",
    "grid_table",
    "tabulate_radial",
    "dir_group",
    "size_groups",
    "rotate",
    "rotate_by",
    "downwind_sin_cos",
]

#: Outcome kinds whose lethality is axisymmetric about the source in :mod:`analysis.scenarios` (fireball and
#: vertical jet fire: point-source radiation; VCE and vessel burst: TNT blast centred on the source).
RADIAL_KINDS: frozenset[str] = frozenset({"fireball", "jet_fire", "vce", "vessel_burst"})
# What the lethality of an outcome kind depends on: () nothing of the weather, ("speed",) the wind speed only
# (wind-tilted pool flame), ("speed", "stability") both (dispersion; VCE cloud size).
WEATHER_DEPENDENCE: dict[str, tuple[str, ...]] = {
    "fireball": (),
    "jet_fire": (),
    "vessel_burst": (),
    "pool_fire": ("speed",),
    "vce": ("speed", "stability"),
    "flash_fire": ("speed", "stability"),
    "toxic": ("speed", "stability"),
}
R_PROBE_MAX = 20_000.0  # [m] farthest distance probed for lethality
TABLE_MAX_POINTS = 400_000  # largest wind-aligned table evaluated per outcome and weather class


def weather_key(kind: str, cls: tuple[float, str]) -> tuple:
    """The part of a weather class (speed [m/s], stability) the lethality of an outcome kind depends on."""
    dep = WEATHER_DEPENDENCE[kind]
    return tuple(cls[0] if d == "speed" else cls[1] for d in dep)


@dataclass
class LethalityTable:
    """Lethality of one outcome group in one weather key: radial (r) or wind-aligned (s, c)."""

    kind: str
    frequency: float
    key: tuple
    radial: bool
    fn: Callable[[np.ndarray, np.ndarray], np.ndarray]
    reach: float = 0.0  # [m] farthest probed distance with lethality >= cut-off
    box: tuple[float, float, float] | None = None  # (s_min, s_max, c_max) [m]
    r: np.ndarray | None = None
    values: np.ndarray | None = None


# The probe points (computed once, read-only): r = 0 and 240 radii from 0.25 m to R_PROBE_MAX, every 3°.
_R = np.concatenate([[0.0], np.geomspace(0.25, R_PROBE_MAX, 240)])
_PHI = np.radians(np.arange(0.0, 360.0, 3.0))
_S = _R[:, None] * np.cos(_PHI)[None, :]
_C = _R[:, None] * np.sin(_PHI)[None, :]
_ZEROS = np.zeros_like(_R)
for _a in (_R, _S, _C, _ZEROS):
    _a.flags.writeable = False
# Lethality on the probe points of each function still alive: probing the same table again at another threshold
# (the reach of the lowest risk level, analysis.qra.extent.level_reach) reads them instead of evaluating again. Keyed
# weakly by the function object: an entry goes with its function, and a new function is never taken for an old one.
_PROBED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_PROBED_LOCK = threading.Lock()


def probe_values(fn: Callable, radial: bool) -> np.ndarray:
    """Lethality of ``fn`` on the probe points (radial: along r; else the polar grid), evaluated once per function
    (:func:`probe` reads them again at any threshold). [-]"""
    try:
        weakref.ref(fn)
    except TypeError:  # a callable without weak references (a builtin or ufunc): evaluated on every probe
        return np.asarray(fn(_R, _ZEROS) if radial else fn(_S, _C), dtype=float)
    with _PROBED_LOCK:
        got = _PROBED.get(fn)
    if got is not None and got[0] == radial:
        return got[1]
    p = np.asarray(fn(_R, _ZEROS) if radial else fn(_S, _C), dtype=float)
    with _PROBED_LOCK:
        _PROBED[fn] = (radial, p)
    return p


def probe(fn: Callable, thr: float, radial: bool) -> tuple[float, tuple[float, float, float] | None]:
    """Where the lethality exceeds thr: reach [m] and (s_min, s_max, c_max) box [m] (None when nowhere).

    ``fn`` is evaluated once on the probe points (0 and 240 radii from 0.25 m to :data:`R_PROBE_MAX`, every 3° for
    a directional table); probing the same function at another threshold reads those values again.
    """
    r = _R
    p = probe_values(fn, radial)
    if radial:
        hit = np.flatnonzero(p >= thr)
        if not hit.size:
            return 0.0, None
        i = hit[-1]
        reach = float(r[min(i + 1, r.size - 1)])
        return reach, (-reach, reach, reach)
    s, c = _S, _C
    hit = p >= thr
    if not hit.any():
        return 0.0, None
    rr = np.broadcast_to(r[:, None], hit.shape)[hit]
    reach = float(rr.max())
    step = 1.04  # radial ratio between probes
    sh, ch = s[hit], c[hit]
    pad_c = reach * math.sin(math.radians(3.0))
    return reach * step, (
        float(sh.min()) * step - 2.0,
        float(sh.max()) * step + 2.0,
        float(np.abs(ch).max()) * step + pad_c + 2.0,
    )


def grid_table(fn: Callable, box: tuple[float, float, float], h: float) -> tuple[np.ndarray, np.ndarray, Any]:
    s = np.arange(box[0], box[1] + h, h)
    c = np.arange(-box[2], box[2] + h, h)
    vals = np.asarray(fn(s[None, :], c[:, None]), dtype=float)
    vals = np.broadcast_to(vals, (c.size, s.size))
    return s, c, np.nan_to_num(vals, nan=0.0)


def tabulate_radial(t: LethalityTable, h: float) -> None:
    """Tabulate a radial table from r = 0 to its reach at ≤ h/4 (≤ 1 m). [m]"""
    step = min(h / 4.0, 1.0)
    t.r = np.arange(0.0, t.reach + step, step)
    with np.errstate(all="ignore"):
        t.values = np.nan_to_num(np.asarray(t.fn(t.r, np.zeros_like(t.r)), dtype=float))


@dataclass
class DirGroup:
    """Directional tables sharing one wind-aligned box: s in [s_min, s_max], c in [-c_max, c_max], step ht [m]."""

    tables: list[LethalityTable]
    s_min: float
    s_max: float
    c_max: float
    ht: float


def dir_group(members: list[LethalityTable], h: float, thr: float) -> DirGroup:
    """Tabulate the members on their common box, growing it while the border still has lethality ≥ thr."""
    s_min = min(t.box[0] for t in members)
    s_max = max(t.box[1] for t in members)
    c_max = max(t.box[2] for t in members)
    ht = h / 2.0
    for _ in range(4):
        area = (s_max - s_min) * 2 * c_max
        size = max(s_max - s_min, 2 * c_max)
        # half a grid cell, finer for small boxes (≥ 100 steps across, ≥ 0.5 m), coarser when the box is huge
        ht = max(min(h / 2.0, max(size / 100.0, 0.5)), math.sqrt(area / TABLE_MAX_POINTS))
        box = (s_min, s_max, c_max)
        grow = False
        for t in members:
            with np.errstate(all="ignore"):
                _, _, t.values = grid_table(t.fn, box, ht)
            v = t.values
            if v[:, 0].max() >= thr and s_min > -R_PROBE_MAX:
                s_min, grow = s_min - 0.5 * (s_max - s_min), True
            if v[:, -1].max() >= thr and s_max < R_PROBE_MAX:
                s_max, grow = s_max + 0.5 * (s_max - s_min), True
            if max(v[0].max(), v[-1].max()) >= thr and c_max < R_PROBE_MAX:
                c_max, grow = c_max * 1.5, True
        if not grow:
            break
    return DirGroup(members, s_min, s_max, c_max, ht)


def size_groups(directional: list[LethalityTable], h: float, thr: float) -> list[DirGroup]:
    """Directional tables grouped by size (classes of a factor 2), each group tabulated on one shared box.

    A small flame or cloud is thus tabulated finely even when the same unit also has a cloud kilometres long.
    """
    size_class: dict[int, list[LethalityTable]] = {}
    for t in directional:
        size = max(t.box[1] - t.box[0], 2.0 * t.box[2], 1.0)
        size_class.setdefault(int(math.ceil(math.log2(size))), []).append(t)
    return [dir_group(members, h, thr) for members in size_class.values()]


def downwind_sin_cos(winds_from_deg: Any) -> tuple[np.ndarray, np.ndarray]:
    """sin and cos of the downwind bearing of each wind blowing FROM ``winds_from_deg`` [°] (``math`` per value)."""
    b = [math.radians(float(d) + 180.0) for d in winds_from_deg]  # downwind bearings
    return np.array([math.sin(x) for x in b]), np.array([math.cos(x) for x in b])


def rotate_by(dx: Any, dy: Any, sb: Any, cb: Any) -> tuple[np.ndarray, np.ndarray]:
    """(downwind s, crosswind c) of offsets east/north [m] for a downwind bearing of sine ``sb`` and cosine ``cb``
    (numbers or arrays that broadcast with the offsets). [m]"""
    return dx * sb + dy * cb, -dx * cb + dy * sb


def rotate(dx: np.ndarray, dy: np.ndarray, wind_from_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """(downwind s, crosswind c) of offsets east/north for a wind blowing FROM wind_from_deg. [m]"""
    sb, cb = downwind_sin_cos([wind_from_deg])
    return rotate_by(dx, dy, float(sb[0]), float(cb[0]))

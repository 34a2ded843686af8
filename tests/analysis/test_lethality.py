"""analysis.qra.lethality.probe evaluates a lethality function once and gives what the plain probe gives.

The reference is the plain probe written out below (fresh probe points on every call, the function evaluated on
each): the same reach and box, bit for bit, at every threshold, for radial and directional tables; the function is
called once however many thresholds are probed (extent.level_reach probes each table again at the lowest level).
"""

from __future__ import annotations

import gc
import math

import numpy as np
import pytest

from analysis.qra import lethality
from analysis.qra.lethality import R_PROBE_MAX, probe


def _plain_probe(fn, thr, radial):
    r = np.concatenate([[0.0], np.geomspace(0.25, R_PROBE_MAX, 240)])
    if radial:
        p = np.asarray(fn(r, np.zeros_like(r)), dtype=float)
        hit = np.flatnonzero(p >= thr)
        if not hit.size:
            return 0.0, None
        reach = float(r[min(hit[-1] + 1, r.size - 1)])
        return reach, (-reach, reach, reach)
    phi = np.radians(np.arange(0.0, 360.0, 3.0))
    s = r[:, None] * np.cos(phi)[None, :]
    c = r[:, None] * np.sin(phi)[None, :]
    hit = np.asarray(fn(s, c), dtype=float) >= thr
    if not hit.any():
        return 0.0, None
    reach = float(np.broadcast_to(r[:, None], hit.shape)[hit].max())
    sh, ch = s[hit], c[hit]
    pad_c = reach * math.sin(math.radians(3.0))
    return reach * 1.04, (
        float(sh.min()) * 1.04 - 2.0,
        float(sh.max()) * 1.04 + 2.0,
        float(np.abs(ch).max()) * 1.04 + pad_c + 2.0,
    )


def _plume(s, c):
    """A plume-like lethality: long downwind, narrow crosswind, some upwind spill."""
    s, c = np.broadcast_arrays(np.asarray(s, float), np.asarray(c, float))
    sig = 0.1 * np.abs(s) + 3.0
    return np.where(s > -30.0, np.exp(-np.maximum(s, 0.0) / 800.0) * np.exp(-0.5 * (c / sig) ** 2), 0.0)


def _disc(s, c):
    return np.exp(-np.hypot(s, c) / 120.0)


@pytest.mark.parametrize(("fn", "radial"), [(_plume, False), (_disc, True), (_disc, False)])
def test_probe_at_several_thresholds_is_the_plain_probe_with_one_evaluation(fn, radial):
    calls = []

    def counted(s, c):
        calls.append(np.shape(s))
        return fn(s, c)

    for thr in (1e-2, 0.3, 1e-4, 0.99, 2.0):
        assert probe(counted, thr, radial) == _plain_probe(fn, thr, radial)
    assert len(calls) == 1
    assert probe(lambda s, c: fn(s, c), 1e-2, radial) == _plain_probe(fn, 1e-2, radial)  # a new function


def test_probed_values_go_with_their_function():
    def fn(s, c):
        return _disc(s, c)

    probe(fn, 0.5, False)
    assert fn in lethality._PROBED
    n = len(lethality._PROBED)
    del fn
    gc.collect()
    assert len(lethality._PROBED) == n - 1


def test_a_function_without_weak_references_is_probed_every_time():
    assert probe(np.hypot, 100.0, True) == _plain_probe(np.hypot, 100.0, True)
    assert probe(np.hypot, 1e9, True) == (0.0, None)

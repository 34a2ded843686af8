"""The wind-aligned frame of an effect field: downwind distance s and crosswind offset c.

Positions in the park are metres east (x) and north (y) of the source; the models of wind-borne effects (plumes,
puffs, wind-tilted flames) are written in the wind frame: s along the downwind bearing, c to the left of it. An
effect field built for a :class:`analysis.weather.Weather` takes the downwind bearing of that weather case; one
built for a :class:`analysis.weather.WeatherClass` (a weather class of a wind rose, without a direction) takes the
conventional bearing :data:`WIND_CLASS_AXIS_BEARING_DEG` (east), and its callers read it in the wind frame with
:meth:`analysis.scenarios.EffectField.along_wind`.
"""

from __future__ import annotations

import math

import numpy as np

from analysis.weather import Weather, WeatherClass

__all__ = [
    "WIND_CLASS_AXIS_BEARING_DEG",
    "axis_bearing_deg",
    "along_across",
    "to_xy",
    "radial_field",
]

#: Downwind bearing of an effect field built for a weather class without a direction: east (as for a wind from
#: 270°), so that x = s (downwind) and y = c (crosswind, to the left). [°]
WIND_CLASS_AXIS_BEARING_DEG = 90.0

# Exact (sin, cos) of the cardinal bearings, so that the wind frame of a field on a cardinal axis is exact.
_CARDINAL_SIN_COS: dict[float, tuple[float, float]] = {
    0.0: (0.0, 1.0),
    90.0: (1.0, 0.0),
    180.0: (0.0, -1.0),
    270.0: (-1.0, 0.0),
}


def axis_bearing_deg(weather: Weather | WeatherClass) -> float:
    """Downwind bearing of the effect field of ``weather``, clockwise from north. [°]"""
    if isinstance(weather, Weather):
        return weather.downwind_bearing_deg
    return WIND_CLASS_AXIS_BEARING_DEG


def along_across(x, y, bearing_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """Downwind distance s and crosswind offset c (to the left of downwind) of offsets east x / north y. [m]"""
    b = math.radians(bearing_deg)
    sb, cb = math.sin(b), math.cos(b)
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    return x * sb + y * cb, -x * cb + y * sb


def to_xy(s, c, bearing_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """Offsets east x and north y of downwind distance s and crosswind offset c (the inverse of
    :func:`along_across`). [m]

    On a cardinal bearing the rotation is exact: on the conventional axis of a weather class (east) x = s and
    y = c, unchanged.
    """
    s = np.asarray(s, dtype=float)
    c = np.asarray(c, dtype=float)
    b = math.radians(bearing_deg)
    sb, cb = _CARDINAL_SIN_COS.get(float(bearing_deg) % 360.0) or (math.sin(b), math.cos(b))
    if (sb, cb) == (1.0, 0.0):  # east: the identity (every bit kept, signed zeros included)
        return s, c
    return s * sb - c * cb, s * cb + c * sb


def radial_field(fn, *, r_max: float = 20_000.0, n: int = 800):
    """Tabulate an axisymmetric profile fn(r) once and return a fast (x, y) -> value interpolator (0 beyond r_max)."""
    r = np.concatenate([[0.0], np.geomspace(0.01, r_max, n)])
    q = np.asarray(fn(r), dtype=float)

    def field(x, y):
        return np.interp(np.hypot(x, y), r, q, right=0.0)

    return field

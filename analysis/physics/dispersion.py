"""Atmospheric dispersion: Gaussian plume and puff (neutral gases), Britter-McQuaid dense gas, wind profile.

The Britter-McQuaid dense-gas functions live in :mod:`analysis.physics.dense_gas` and are re-exported here, so
``analysis.physics.dispersion.britter_mcquaid_*`` keeps working.

All inputs and outputs are SI (kg, kg/s, m, m/s, s, kg/m³); arrays broadcast. Stability classes are the
Pasquill-Gifford letters ``"A"`` (very unstable) to ``"F"`` (moderately stable).

Coordinates: ``x`` downwind from the source, ``y`` crosswind, ``z`` height above ground [m].

References
----------
.. [1] Briggs, G. A. (1973). *Diffusion Estimation for Small Emissions*. ATDL Contribution File No. 79,
   Atmospheric Turbulence and Diffusion Laboratory, NOAA, Oak Ridge; formulas as tabulated in
   Griffiths, R. F. (1994). Errors in the use of the Briggs parameterization for atmospheric dispersion
   coefficients. *Atmos. Environ.* 28(17), 2861-2865, Table 1; Hanna, S. R., Briggs, G. A., Hosker, R. P.
   (1982). *Handbook on Atmospheric Diffusion*, DOE/TIC-11223, Table 4.5; and Crowl, D. A., Louvar, J. F.
   (2011). *Chemical Process Safety*, 3rd ed., Prentice Hall, Table 5-2.
.. [2] Crowl & Louvar (2011) [1], Eq. 5-49 (continuous plume with ground reflection, source at height Hr)
   and Eq. 5-38 (instantaneous puff with ground reflection).
.. [3] Pasquill-Gifford puff dispersion coefficients: Crowl & Louvar (2011) [1], Table 5-3 (after
   Slade, D. H. (1968). *Meteorology and Atomic Energy*, TID-24190, USAEC, and CCPS (2000) Table 2.14);
   σx = σy.
.. [4] US EPA (1995). *User's Guide for the Industrial Source Complex (ISC3) Dispersion Models*,
   EPA-454/B-95-003b, Vol. II, §1.1.5.1: wind-profile exponents p for rural and urban terrain,
   u(z) = u_ref (z/z_ref)^p.
.. [5] Britter, R. E., McQuaid, J. (1988). *Workbook on the Dispersion of Dense Gases*. HSE Contract
   Research Report No. 17/1988: the dense-gas model of :mod:`analysis.physics.dense_gas` (equations and
   references there), whose public functions this module re-exports.
"""

from __future__ import annotations

import numpy as np

from analysis import _checks, constants

# Britter-McQuaid dense gas lives in its own module; its public names are part of this module's interface.
from analysis.physics.dense_gas import (
    britter_mcquaid_buoyancy_length,
    britter_mcquaid_plume,
    britter_mcquaid_plume_alpha,
    britter_mcquaid_plume_half_width,
    britter_mcquaid_plume_is_dense,
    britter_mcquaid_plume_last_curve_distance,
    britter_mcquaid_plume_upwind_extent,
    britter_mcquaid_puff,
    britter_mcquaid_puff_alpha,
    britter_mcquaid_puff_half_width,
    britter_mcquaid_puff_is_dense,
    britter_mcquaid_puff_last_curve_distance,
    britter_mcquaid_puff_radius,
)

__all__ = [
    "STABILITY_CLASSES",
    "TERRAINS",
    "BRIGGS_1973",
    "PG_PUFF_1968",
    "WIND_PROFILE_EXPONENTS",
    "briggs_sigmas",
    "puff_sigmas",
    "wind_speed_at_height",
    "gaussian_plume",
    "gaussian_puff",
    "puff_ground_dose",
    "plume_grid",
    "puff_grid",
    "britter_mcquaid_plume",
    "britter_mcquaid_puff",
    "britter_mcquaid_plume_last_curve_distance",
    "britter_mcquaid_puff_last_curve_distance",
    "britter_mcquaid_plume_is_dense",
    "britter_mcquaid_puff_is_dense",
    "britter_mcquaid_plume_alpha",
    "britter_mcquaid_puff_alpha",
    "britter_mcquaid_buoyancy_length",
    "britter_mcquaid_plume_upwind_extent",
    "britter_mcquaid_plume_half_width",
    "britter_mcquaid_puff_radius",
    "britter_mcquaid_puff_half_width",
]

GRAVITY = constants.G  # [m/s²] (module-level name kept for callers of ``dispersion.GRAVITY``)

STABILITY_CLASSES: tuple[str, ...] = ("A", "B", "C", "D", "E", "F")
TERRAINS: tuple[str, ...] = ("rural", "urban")

# [1] Briggs (1973) as tabulated by Griffiths (1994) Table 1 / Crowl & Louvar (2011) Table 5-2 / CCPS (1999), the
# urban sigma_z also as in US EPA ISC3 (1995) Vol. II: A-B 0.24x(1+0.001x)^0.5, E-F 0.08x(1+0.0015x)^-0.5.
# sigma = a·x·(1 + b·x)^c  for (sigma_y, sigma_z); valid 100 m < x < 10 km.
BRIGGS_1973: dict[str, dict[str, tuple[tuple[float, float, float], tuple[float, float, float]]]] = {
    "rural": {
        "A": ((0.22, 1e-4, -0.5), (0.20, 0.0, 1.0)),
        "B": ((0.16, 1e-4, -0.5), (0.12, 0.0, 1.0)),
        "C": ((0.11, 1e-4, -0.5), (0.08, 2e-4, -0.5)),
        "D": ((0.08, 1e-4, -0.5), (0.06, 1.5e-3, -0.5)),
        "E": ((0.06, 1e-4, -0.5), (0.03, 3e-4, -1.0)),
        "F": ((0.04, 1e-4, -0.5), (0.016, 3e-4, -1.0)),
    },
    "urban": {
        "A": ((0.32, 4e-4, -0.5), (0.24, 1e-3, 0.5)),
        "B": ((0.32, 4e-4, -0.5), (0.24, 1e-3, 0.5)),
        "C": ((0.22, 4e-4, -0.5), (0.20, 0.0, 1.0)),
        "D": ((0.16, 4e-4, -0.5), (0.14, 3e-4, -0.5)),
        "E": ((0.11, 4e-4, -0.5), (0.08, 1.5e-3, -0.5)),
        "F": ((0.11, 4e-4, -0.5), (0.08, 1.5e-3, -0.5)),
    },
}

# [3] Pasquill-Gifford puff coefficients: sigma = a·x^b  (sigma_y = sigma_x, sigma_z), x in m.
PG_PUFF_1968: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {
    "A": ((0.18, 0.92), (0.60, 0.75)),
    "B": ((0.14, 0.92), (0.53, 0.73)),
    "C": ((0.10, 0.92), (0.34, 0.71)),
    "D": ((0.06, 0.92), (0.15, 0.70)),
    "E": ((0.04, 0.92), (0.10, 0.65)),
    "F": ((0.02, 0.89), (0.05, 0.61)),
}

# [4] ISC3 wind-profile exponents p.
WIND_PROFILE_EXPONENTS: dict[str, dict[str, float]] = {
    "rural": {"A": 0.07, "B": 0.07, "C": 0.10, "D": 0.15, "E": 0.35, "F": 0.55},
    "urban": {"A": 0.15, "B": 0.15, "C": 0.20, "D": 0.25, "E": 0.30, "F": 0.30},
}


# --------------------------------------------------------------------------------------------------
# validation helpers
# --------------------------------------------------------------------------------------------------


def _check_stability(stability) -> str:
    return _checks.choice("stability", stability, STABILITY_CLASSES)


def _check_terrain(terrain) -> str:
    return _checks.choice("terrain", terrain, TERRAINS)


# --------------------------------------------------------------------------------------------------
# sigmas and wind profile
# --------------------------------------------------------------------------------------------------


def briggs_sigmas(x, stability: str, terrain: str = "rural"):
    """Briggs (1973) plume dispersion coefficients for continuous releases.

    Parameters
    ----------
    x : numeric
        Downwind distance. Published range 100 m - 10 km; outside it the formulas are extrapolated
        (x ≤ 0 gives 0). [m]
    stability : str
        Pasquill-Gifford class ``"A"`` .. ``"F"``.
    terrain : str
        ``"rural"`` (open country) or ``"urban"``.

    Returns
    -------
    sigma_y, sigma_z : numeric
        Crosswind and vertical standard deviations. [m]

    References
    ----------
    .. [1] Briggs (1973) as tabulated by Griffiths (1994) Table 1, Hanna et al. (1982) Table 4.5 and
       Crowl & Louvar (2011) Table 5-2.
    """
    _check_stability(stability)
    _check_terrain(terrain)
    sy, sz = _briggs(np.maximum(_checks.finite("x", x), 0.0), stability, terrain)
    return _checks.out(sy), _checks.out(sz)


def _sigma_inplace(xp: np.ndarray, a: float, b: float, c: float, out: np.ndarray) -> np.ndarray:
    """σ = a x (1 + b x)^c written into ``out`` with in-place ufuncs (no 8 MB temporaries per step)."""
    if b == 0.0:  # σ = a x
        return np.multiply(xp, a, out=out)
    np.multiply(xp, b, out=out)
    out += 1.0
    if c == -0.5:
        np.sqrt(out, out=out)
        np.divide(xp, out, out=out)
    elif c == -1.0:
        np.divide(xp, out, out=out)
    elif c == 0.5:
        np.sqrt(out, out=out)
        out *= xp
    else:  # pragma: no cover - every tabulated exponent is handled above
        np.power(out, c, out=out)
        out *= xp
    out *= a
    return out


def _briggs(xp: np.ndarray, stability: str, terrain: str) -> tuple[np.ndarray, np.ndarray]:
    (ay, by, cy), (az, bz, cz) = BRIGGS_1973[terrain][stability]
    # [1], Table 5-2: σ = a x (1 + b x)^c
    sy = _sigma_inplace(xp, ay, by, cy, np.empty(np.shape(xp)))
    sz = _sigma_inplace(xp, az, bz, cz, np.empty(np.shape(xp)))
    return sy, sz


def puff_sigmas(x, stability: str):
    """Pasquill-Gifford dispersion coefficients for instantaneous puffs.

    Parameters
    ----------
    x : numeric
        Distance travelled by the puff centre. [m]
    stability : str
        ``"A"`` .. ``"F"``.

    Returns
    -------
    sigma_x, sigma_y, sigma_z : numeric
        [m]; σx = σy.

    References
    ----------
    .. [3] Crowl & Louvar (2011), Table 5-3 (puff), after Slade (1968).
    """
    _check_stability(stability)
    xp = np.maximum(_checks.finite("x", x), 0.0)
    (ay, by), (az, bz) = PG_PUFF_1968[stability]
    sy = ay * xp**by  # [3]: σy = a x^b
    sz = az * xp**bz
    return _checks.out(sy), _checks.out(sy), _checks.out(sz)


def wind_speed_at_height(
    wind_speed, height, *, stability: str, reference_height=10.0, terrain: str = "rural"
):
    """Power-law wind profile ``u(z) = u_ref (z / z_ref)^p``.

    Parameters
    ----------
    wind_speed : numeric
        Wind speed at the reference height. [m/s]
    height : numeric
        Height where the speed is wanted; heights below 1 m use 1 m. [m]
    stability : str
        ``"A"`` .. ``"F"``.
    reference_height : float
        Measurement height (10 m for synoptic stations). [m]
    terrain : str
        ``"rural"`` or ``"urban"``.

    Returns
    -------
    speed : numeric
        [m/s]

    References
    ----------
    .. [4] US EPA (1995) ISC3 user's guide Vol. II, §1.1.5.1 (exponents p).
    """
    _check_stability(stability)
    _check_terrain(terrain)
    u = _checks.positive("wind_speed", wind_speed)
    z = np.maximum(_checks.nonneg("height", height), 1.0)
    zr = _checks.positive("reference_height", reference_height)
    p = WIND_PROFILE_EXPONENTS[terrain][stability]
    return _checks.out(u * (z / zr) ** p)  # [4]


# --------------------------------------------------------------------------------------------------
# Gaussian plume and puff
# --------------------------------------------------------------------------------------------------


def gaussian_plume(rate, wind_speed, x, y, z, *, stability: str, release_height=0.0, terrain: str = "rural"):
    """Concentration downwind of a continuous point release (Gaussian plume with ground reflection).

    ``C = Q / (2π u σy σz) · exp(−y²/2σy²) · [exp(−(z−H)²/2σz²) + exp(−(z+H)²/2σz²)]`` with Briggs σ.

    Parameters
    ----------
    rate : numeric
        Release rate Q. [kg/s]
    wind_speed : numeric
        Wind speed u (taken as uniform with height; see :func:`wind_speed_at_height`). [m/s]
    x, y, z : numeric
        Receptor: downwind, crosswind, height above ground. [m]; x ≤ 0 gives 0.
    stability : str
        ``"A"`` .. ``"F"``.
    release_height : numeric
        Effective release height H. [m]
    terrain : str
        ``"rural"`` or ``"urban"`` Briggs coefficients.

    Returns
    -------
    concentration : numeric
        [kg/m³]

    References
    ----------
    .. [1] Briggs (1973), Crowl & Louvar (2011) Table 5-2 (σ).
    .. [2] Crowl & Louvar (2011), Eq. 5-49.
    """
    q = _checks.nonneg("rate", rate)
    u = _checks.positive("wind_speed", wind_speed)
    xa = _checks.finite("x", x)
    ya = _checks.finite("y", y)
    za = _checks.nonneg("z", z)
    h = _checks.nonneg("release_height", release_height)
    _check_stability(stability)
    _check_terrain(terrain)
    shape = np.broadcast_shapes(q.shape, u.shape, xa.shape, ya.shape, za.shape, h.shape)
    # In-place ufuncs on preallocated buffers: each fresh 8 MB temporary costs a page-faulting allocation. What
    # depends on x only (σy, σz; the vertical term and the prefactor when z, H, Q and u do not vary across y) is
    # computed on its own shape and broadcast: on a grid (x a row, y a column) that is one row, not 10⁶ points.
    # Every element goes through the same operations in the same order as on the full shape.
    xp = np.maximum(xa, 1e-9)
    (ay, by, cy), (az, bz, cz) = BRIGGS_1973[terrain][stability]
    sy = _sigma_inplace(xp, ay, by, cy, np.empty(xp.shape))  # [1], Table 5-2
    sz = _sigma_inplace(xp, az, bz, cz, np.empty(xp.shape))
    # [2], Eq. 5-49: C = Q/(2π u σy σz) exp(−y²/2σy²) [exp(−(z−H)²/2σz²) + exp(−(z+H)²/2σz²)]
    c = np.empty(shape)
    np.divide(ya, sy, out=c)
    np.square(c, out=c)
    c *= -0.5
    np.exp(c, out=c)
    v = np.empty(np.broadcast_shapes(xp.shape, za.shape, h.shape))
    if h.ndim == 0 and h == 0.0:  # source on the ground: both vertical terms are equal
        np.divide(za, sz, out=v)
        np.square(v, out=v)
        v *= -0.5
        np.exp(v, out=v)
        v *= 2.0
    else:
        w = np.empty(v.shape)
        np.subtract(za, h, out=v)
        v /= sz
        np.square(v, out=v)
        v *= -0.5
        np.exp(v, out=v)
        np.add(za, h, out=w)
        w /= sz
        np.square(w, out=w)
        w *= -0.5
        np.exp(w, out=w)
        v += w
    c *= v
    pre = np.multiply(sy, sz) * u  # shape of x (with Q's and u's when they are arrays)
    pre *= 2.0 * np.pi
    c *= np.divide(q, pre)
    upwind = xa <= 0.0
    if upwind.any():
        c[np.broadcast_to(upwind, shape)] = 0.0
    return _checks.out(c)


def gaussian_puff(mass, wind_speed, x, y, z, t, *, stability: str, release_height=0.0):
    """Concentration from an instantaneous point release (Gaussian puff with ground reflection).

    The puff centre is at ``x = u t``; σ are the Pasquill-Gifford puff values at that distance [3]_.

    Parameters
    ----------
    mass : numeric
        Released mass. [kg]
    wind_speed : numeric
        [m/s]
    x, y, z : numeric
        Receptor (downwind, crosswind, height). [m]
    t : numeric
        Time since release; t ≤ 0 gives 0. [s]
    stability : str
        ``"A"`` .. ``"F"``.
    release_height : numeric
        [m]

    Returns
    -------
    concentration : numeric
        [kg/m³]

    References
    ----------
    .. [2] Crowl & Louvar (2011), Eq. 5-38.
    .. [3] Crowl & Louvar (2011), Table 5-3 (puff σ).
    """
    m = _checks.nonneg("mass", mass)
    u = _checks.positive("wind_speed", wind_speed)
    xa, ya = _checks.finite("x", x), _checks.finite("y", y)
    za = _checks.nonneg("z", z)
    ta = _checks.finite("t", t)
    h = _checks.nonneg("release_height", release_height)
    xc = u * np.maximum(ta, 0.0)
    sx, sy, sz = (np.asarray(s) for s in puff_sigmas(np.maximum(xc, 1e-9), stability))
    # [2], Eq. 5-38
    c = (
        m
        / (np.sqrt(2.0) * np.pi**1.5 * sx * sy * sz)
        * np.exp(-0.5 * ((xa - xc) / sx) ** 2 - 0.5 * (ya / sy) ** 2)
        * 0.5
        * (np.exp(-0.5 * ((za - h) / sz) ** 2) + np.exp(-0.5 * ((za + h) / sz) ** 2))
    )
    return _checks.out(np.where(ta > 0.0, c, 0.0))


def puff_ground_dose(mass, wind_speed, x, y, *, stability: str, release_height=0.0):
    """Time-integrated ground-level concentration ``∫C dt`` as the puff passes a receptor.

    Integrating Eq. 5-38 over time with σ frozen at the receptor distance gives
    ``∫C dt = M / (π u σy σz) · exp(−y²/2σy²) · exp(−H²/2σz²)`` [2]_.

    Parameters
    ----------
    mass : numeric
        [kg]
    wind_speed : numeric
        [m/s]
    x, y : numeric
        Receptor downwind and crosswind; x ≤ 0 gives 0. [m]
    stability : str
        ``"A"`` .. ``"F"``.
    release_height : numeric
        [m]

    Returns
    -------
    dose : numeric
        [kg·s/m³]

    References
    ----------
    .. [2] Crowl & Louvar (2011), Eq. 5-41 (total integrated dose at ground level).
    """
    m = _checks.nonneg("mass", mass)
    u = _checks.positive("wind_speed", wind_speed)
    xa, ya = _checks.finite("x", x), _checks.finite("y", y)
    h = _checks.nonneg("release_height", release_height)
    _, sy, sz = (np.asarray(s) for s in puff_sigmas(np.maximum(xa, 1e-9), stability))
    d = m / (np.pi * u * sy * sz) * np.exp(-0.5 * (ya / sy) ** 2 - 0.5 * (h / sz) ** 2)
    return _checks.out(np.where(xa > 0.0, d, 0.0))


def plume_grid(
    rate,
    wind_speed,
    x,
    y,
    *,
    stability: str,
    z=0.0,
    release_height=0.0,
    terrain: str = "rural",
    wind_to_deg=90.0,
):
    """Plume concentration footprint on a map grid (2-D array for contouring).

    Parameters
    ----------
    rate : float
        [kg/s]
    wind_speed : float
        [m/s]
    x, y : array_like
        1-D grid axes, metres east (x) and north (y) of the source. [m]
    stability : str
        ``"A"`` .. ``"F"``.
    z : float
        Receptor height. [m]
    release_height : float
        [m]
    terrain : str
        ``"rural"`` or ``"urban"``.
    wind_to_deg : float
        Bearing the wind blows TO, clockwise from north (90 = towards east). [°]

    Returns
    -------
    concentration : ndarray, shape (len(y), len(x))
        [kg/m³]
    """
    xs = _checks.finite("x", x).ravel()
    ys = _checks.finite("y", y).ravel()
    gx, gy = np.meshgrid(xs, ys)
    theta = np.deg2rad(float(wind_to_deg))
    ex, ey = np.sin(theta), np.cos(theta)  # unit vector towards which the wind blows (east, north)
    down = gx * ex + gy * ey
    cross = -gx * ey + gy * ex
    return gaussian_plume(
        rate, wind_speed, down, cross, z, stability=stability, release_height=release_height, terrain=terrain
    )


def puff_grid(mass, wind_speed, x, y, t, *, stability: str, z=0.0, release_height=0.0, wind_to_deg=90.0):
    """Puff concentration at time ``t`` on a map grid (see :func:`plume_grid` for the axes).

    Returns
    -------
    concentration : ndarray, shape (len(y), len(x))
        [kg/m³]
    """
    xs = _checks.finite("x", x).ravel()
    ys = _checks.finite("y", y).ravel()
    gx, gy = np.meshgrid(xs, ys)
    theta = np.deg2rad(float(wind_to_deg))
    ex, ey = np.sin(theta), np.cos(theta)
    down = gx * ex + gy * ey
    cross = -gx * ey + gy * ex
    return gaussian_puff(
        mass, wind_speed, down, cross, z, t, stability=stability, release_height=release_height
    )

"""Atmospheric dispersion: Gaussian plume and puff (neutral gases), Britter-McQuaid dense gas, wind profile.

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
   Research Report No. 17/1988, Health and Safety Executive, Sheffield: Figures 31 (continuous) and 34
   (instantaneous), with the piecewise-linear approximations of Crowl & Louvar (2011) [1], Tables 5-3/5-4
   (file ``data/britter_mcquaid_1988_workbook_curves.csv``), criteria Eqs. 5-53/5-55 and the
   non-isothermal correction Eq. 5-56. Plume extents of a continuous release (§4.3 of the workbook): buoyancy
   length scale l_b = g0' q0 / u³, upwind extent L_U = D/2 + 2 l_b, crosswind half-width at the source
   L_H0 = D + 8 l_b and downwind L_H = L_H0 + 2.5 l_b^(1/3) x^(2/3); also given in CCPS (1996) *Guidelines for
   Use of Vapor Cloud Dispersion Models*, 2nd ed., §3 (Britter-McQuaid model), and used with the same
   coefficients by the open-source GasDispersion.jl (A. Farrell, ``britter_mcquaid_plume.jl``). Instantaneous
   release (§4.4): slumping cloud radius R² = R0² + 1.2 (g0' V0)^{1/2} t with the cloud centre advected at
   0.4 u10 t (as also given in CCPS (1999) *Guidelines for Consequence Analysis of Chemical Releases* and used by
   GasDispersion.jl ``britter_mcquaid_puff.jl``).
"""

from __future__ import annotations

import logging
from functools import cache

import numpy as np
import pandas as pd

from analysis._data import DATA_DIR

logger = logging.getLogger(__name__)

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

_DATA = DATA_DIR
GRAVITY = 9.80665  # [m/s²]

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
    if not isinstance(stability, str) or stability not in STABILITY_CLASSES:
        raise ValueError(
            f"stability 大气稳定度={stability!r} 无效，应为 {list(STABILITY_CLASSES)} 之一（Pasquill-Gifford class）"
        )
    return stability


def _check_terrain(terrain) -> str:
    if terrain not in TERRAINS:
        raise ValueError(f"terrain 地表类型={terrain!r} 无效，应为 {list(TERRAINS)} 之一")
    return terrain


def _bad_value(arr: np.ndarray, ok: np.ndarray):
    return arr[~ok].flat[0] if arr.ndim else float(arr)


def _finite(name: str, value) -> np.ndarray:
    arr = np.asarray(value, dtype=float)
    # min/max reductions propagate NaN and are cheaper than building boolean masks on 10⁶ points
    if arr.size and not (np.isfinite(arr.min()) and np.isfinite(arr.max())):
        raise ValueError(
            f"参数 {name} 须为有限数，实际为 {_bad_value(arr, np.isfinite(arr))!r}（{name} must be finite）"
        )
    return arr


def _nonneg(name: str, value) -> np.ndarray:
    arr = _finite(name, value)
    if arr.size and arr.min() < 0:
        raise ValueError(f"参数 {name} 须 ≥ 0，实际为 {_bad_value(arr, arr >= 0)!r}（{name} must be ≥ 0）")
    return arr


def _positive(name: str, value) -> np.ndarray:
    arr = _finite(name, value)
    if arr.size and arr.min() <= 0:
        raise ValueError(f"参数 {name} 须 > 0，实际为 {_bad_value(arr, arr > 0)!r}（{name} must be > 0）")
    return arr


def _out(a: np.ndarray):
    return a if np.ndim(a) else float(a)


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
    sy, sz = _briggs(np.maximum(_finite("x", x), 0.0), stability, terrain)
    return _out(sy), _out(sz)


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
    xp = np.maximum(_finite("x", x), 0.0)
    (ay, by), (az, bz) = PG_PUFF_1968[stability]
    sy = ay * xp**by  # [3]: σy = a x^b
    sz = az * xp**bz
    return _out(sy), _out(sy), _out(sz)


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
    u = _positive("wind_speed", wind_speed)
    z = np.maximum(_nonneg("height", height), 1.0)
    zr = _positive("reference_height", reference_height)
    p = WIND_PROFILE_EXPONENTS[terrain][stability]
    return _out(u * (z / zr) ** p)  # [4]


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
    q = _nonneg("rate", rate)
    u = _positive("wind_speed", wind_speed)
    xa = _finite("x", x)
    ya = _finite("y", y)
    za = _nonneg("z", z)
    h = _nonneg("release_height", release_height)
    _check_stability(stability)
    _check_terrain(terrain)
    shape = np.broadcast_shapes(q.shape, u.shape, xa.shape, ya.shape, za.shape, h.shape)
    # In-place ufuncs on preallocated buffers: each fresh 8 MB temporary costs a page-faulting allocation.
    xp = np.empty(shape)
    np.maximum(xa, 1e-9, out=xp)
    (ay, by, cy), (az, bz, cz) = BRIGGS_1973[terrain][stability]
    sy = _sigma_inplace(xp, ay, by, cy, np.empty(shape))  # [1], Table 5-2
    sz = _sigma_inplace(xp, az, bz, cz, np.empty(shape))
    # [2], Eq. 5-49: C = Q/(2π u σy σz) exp(−y²/2σy²) [exp(−(z−H)²/2σz²) + exp(−(z+H)²/2σz²)]
    c = np.empty(shape)
    np.divide(ya, sy, out=c)
    np.square(c, out=c)
    c *= -0.5
    np.exp(c, out=c)
    v = xp  # reuse the buffer
    if h.ndim == 0 and h == 0.0:  # source on the ground: both vertical terms are equal
        np.divide(za, sz, out=v)
        np.square(v, out=v)
        v *= -0.5
        np.exp(v, out=v)
        v *= 2.0
    else:
        w = np.empty(shape)
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
    sy *= sz
    np.multiply(sy, u, out=sy)
    sy *= 2.0 * np.pi
    np.divide(q, sy, out=sy)
    c *= sy
    upwind = xa <= 0.0
    if upwind.any():
        c[np.broadcast_to(upwind, shape)] = 0.0
    return _out(c)


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
    m = _nonneg("mass", mass)
    u = _positive("wind_speed", wind_speed)
    xa, ya = _finite("x", x), _finite("y", y)
    za = _nonneg("z", z)
    ta = _finite("t", t)
    h = _nonneg("release_height", release_height)
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
    return _out(np.where(ta > 0.0, c, 0.0))


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
    m = _nonneg("mass", mass)
    u = _positive("wind_speed", wind_speed)
    xa, ya = _finite("x", x), _finite("y", y)
    h = _nonneg("release_height", release_height)
    _, sy, sz = (np.asarray(s) for s in puff_sigmas(np.maximum(xa, 1e-9), stability))
    d = m / (np.pi * u * sy * sz) * np.exp(-0.5 * (ya / sy) ** 2 - 0.5 * (h / sz) ** 2)
    return _out(np.where(xa > 0.0, d, 0.0))


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
    xs = _finite("x", x).ravel()
    ys = _finite("y", y).ravel()
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
    xs = _finite("x", x).ravel()
    ys = _finite("y", y).ravel()
    gx, gy = np.meshgrid(xs, ys)
    theta = np.deg2rad(float(wind_to_deg))
    ex, ey = np.sin(theta), np.cos(theta)
    down = gx * ex + gy * ey
    cross = -gx * ey + gy * ex
    return gaussian_puff(
        mass, wind_speed, down, cross, z, t, stability=stability, release_height=release_height
    )


# --------------------------------------------------------------------------------------------------
# Britter-McQuaid dense gas
# --------------------------------------------------------------------------------------------------


@cache
def _bm_curves(release: str) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
    """Load the workbook curves; check that alpha increases along each curve before interpolating."""
    df = pd.read_csv(_DATA / "britter_mcquaid_1988_workbook_curves.csv", comment="#")
    df = df[df["release"] == release]
    ratios = np.sort(df["concentration_ratio"].unique())[::-1]  # 0.1, 0.05, ... (beta increases)
    curves = []
    for r in ratios:
        sub = df[df["concentration_ratio"] == r]
        a = sub["alpha"].to_numpy(float)
        b = sub["beta"].to_numpy(float)
        if np.any(np.diff(a) <= 0):
            raise ValueError(f"Britter-McQuaid curve {release} C/C0={r}: alpha must increase; got {a}")
        curves.append((a, b))
    return ratios, curves


def _bm_interp(release: str, alpha, beta):
    ratios, curves = _bm_curves(release)
    alpha = np.asarray(alpha, dtype=float)
    beta = np.asarray(beta, dtype=float)
    a_c = np.clip(alpha, -np.inf, 1.0)
    # beta of each concentration curve at this alpha (flat left of the first knot, as published)
    bk = np.stack([np.interp(a_c, a, b) for a, b in curves])  # (n_curves, ...)
    logr = np.log10(ratios)
    # For each point, interpolate log10(C/C0) linearly in beta between the bracketing curves;
    # extrapolate linearly beyond the first/last curves (assumption, see docstring).
    shape = np.broadcast(a_c, beta).shape
    pad = (1,) * (len(shape) - a_c.ndim)
    bk = np.broadcast_to(bk.reshape(bk.shape[0], *pad, *a_c.shape), (bk.shape[0], *shape))
    bb = np.broadcast_to(beta, shape)
    idx = np.clip(np.sum(bk <= bb[None, ...], axis=0) - 1, 0, len(ratios) - 2)
    b0 = np.take_along_axis(bk, idx[None, ...], axis=0)[0]
    b1 = np.take_along_axis(bk, (idx + 1)[None, ...], axis=0)[0]
    frac = (bb - b0) / (b1 - b0)
    lr = logr[idx] + frac * (logr[idx + 1] - logr[idx])
    return np.minimum(10.0**lr, 1.0)


def _bm_non_isothermal(c_star, source_temperature, ambient_temperature):
    if source_temperature is None:
        return c_star
    t0 = _positive("source_temperature", source_temperature)
    ta = _positive("ambient_temperature", ambient_temperature)
    # [5], Crowl & Louvar (2011) Eq. 5-56: C = C* / (C* + (1 − C*)(Ta/T0))
    return c_star / (c_star + (1.0 - c_star) * (ta / t0))


def britter_mcquaid_plume_is_dense(*, volume_rate, wind_speed, source_density, air_density=1.2):
    """Dense-gas criterion of Britter & McQuaid for a continuous release.

    ``(g0' q0 / (u³ D))^{1/3} ≥ 0.15`` with ``D = (q0/u)^{1/2}``, ``g0' = g (ρ0 − ρa)/ρa``.

    Parameters
    ----------
    volume_rate : numeric
        Gas volume release rate q0 at source density. [m³/s]
    wind_speed : numeric
        At 10 m. [m/s]
    source_density : numeric
        ρ0. [kg/m³]
    air_density : numeric
        ρa. [kg/m³]

    Returns
    -------
    dense : bool or ndarray of bool

    References
    ----------
    .. [5] Britter & McQuaid (1988); Crowl & Louvar (2011) Eq. 5-53.
    """
    q0 = _positive("volume_rate", volume_rate)
    u = _positive("wind_speed", wind_speed)
    rho0 = _positive("source_density", source_density)
    rhoa = _positive("air_density", air_density)
    g0 = GRAVITY * (rho0 - rhoa) / rhoa
    d = np.sqrt(q0 / u)
    crit = np.cbrt(np.maximum(g0, 0.0) * q0 / (u**3 * d))
    return _out(crit >= 0.15)


def britter_mcquaid_puff_is_dense(*, volume, wind_speed, source_density, air_density=1.2):
    """Dense-gas criterion for an instantaneous release: ``(g0' V0)^{1/2} / (u V0^{1/3}) ≥ 0.20``.

    Parameters
    ----------
    volume : numeric
        Initial cloud volume V0 at source density. [m³]
    wind_speed : numeric
        At 10 m. [m/s]
    source_density, air_density : numeric
        [kg/m³]

    Returns
    -------
    dense : bool or ndarray of bool

    References
    ----------
    .. [5] Britter & McQuaid (1988); Crowl & Louvar (2011) Eq. 5-55.
    """
    v0 = _positive("volume", volume)
    u = _positive("wind_speed", wind_speed)
    rho0 = _positive("source_density", source_density)
    rhoa = _positive("air_density", air_density)
    g0 = GRAVITY * (rho0 - rhoa) / rhoa
    crit = np.sqrt(np.maximum(g0, 0.0) * v0) / (u * np.cbrt(v0))
    return _out(crit >= 0.20)


def _bm_plume_inputs(volume_rate, wind_speed, source_density, air_density):
    q0 = float(_positive("volume_rate", volume_rate))
    u = float(_positive("wind_speed", wind_speed))
    rho0 = float(_positive("source_density", source_density))
    rhoa = float(_positive("air_density", air_density))
    if rho0 <= rhoa:
        raise ValueError(
            f"source_density 源密度须大于 air_density 空气密度（重气），实际为 {rho0!r} ≤ {rhoa!r}（dense gas only）"
        )
    g0 = GRAVITY * (rho0 - rhoa) / rhoa  # [5], Eq. 5-51
    return q0, u, g0


def britter_mcquaid_plume_alpha(*, volume_rate, wind_speed, source_density, air_density=1.2) -> float:
    """Correlation parameter α = 0.2 log10(g0'² q0 / u⁵) of the continuous workbook curves (valid α ≤ 1).

    Parameters
    ----------
    volume_rate : float
        q0 at the source density. [m³/s]
    wind_speed : float
        At 10 m. [m/s]
    source_density, air_density : float
        [kg/m³]

    Returns
    -------
    alpha : float
        [-]; above 1 the workbook curves are extrapolated (clamped, see :func:`britter_mcquaid_plume`).

    References
    ----------
    .. [5] Britter & McQuaid (1988) Figure 31; Crowl & Louvar (2011) Table 5-3.
    """
    q0, u, g0 = _bm_plume_inputs(volume_rate, wind_speed, source_density, air_density)
    return float(0.2 * np.log10(g0**2 * q0 / u**5))  # [5], Table 5-3


def britter_mcquaid_puff_alpha(*, volume, wind_speed, source_density, air_density=1.2) -> float:
    """Correlation parameter α = 0.5 log10(g0' V0^⅓ / u²) of the instantaneous workbook curves (valid α ≤ 1).

    Parameters
    ----------
    volume : float
        V0 at the source density. [m³]
    wind_speed : float
        At 10 m. [m/s]
    source_density, air_density : float
        [kg/m³]

    Returns
    -------
    alpha : float
        [-]

    References
    ----------
    .. [5] Britter & McQuaid (1988) Figure 34; Crowl & Louvar (2011) Table 5-4.
    """
    v0, u, g0 = _bm_plume_inputs(volume, wind_speed, source_density, air_density)
    return float(0.5 * np.log10(g0 * np.cbrt(v0) / u**2))  # [5], Table 5-4


def britter_mcquaid_buoyancy_length(*, volume_rate, wind_speed, source_density, air_density=1.2) -> float:
    """Buoyancy length scale of a continuous dense-gas release, l_b = g0' q0 / u³ ([5], §4.3).

    Parameters
    ----------
    volume_rate : float
        q0 at the source density. [m³/s]
    wind_speed : float
        At 10 m. [m/s]
    source_density, air_density : float
        [kg/m³]

    Returns
    -------
    l_b : float
        [m]
    """
    q0, u, g0 = _bm_plume_inputs(volume_rate, wind_speed, source_density, air_density)
    return g0 * q0 / u**3  # [5], §4.3: l_b = g0' q0 / U³


def britter_mcquaid_plume_upwind_extent(*, volume_rate, wind_speed, source_density, air_density=1.2) -> float:
    """Upwind extent of a continuous dense-gas plume (gravity spreading against the wind).

    L_U = D/2 + 2 l_b with D = (q0/u)^{1/2} and l_b = g0' q0 / u³ ([5], §4.3).

    Parameters
    ----------
    volume_rate : float
        q0 at the source density. [m³/s]
    wind_speed : float
        At 10 m. [m/s]
    source_density, air_density : float
        [kg/m³]

    Returns
    -------
    upwind_extent : float
        Distance upwind of the source reached by the dense gas. [m]
    """
    q0, u, g0 = _bm_plume_inputs(volume_rate, wind_speed, source_density, air_density)
    d = np.sqrt(q0 / u)  # [5], Eq. 5-52
    lb = g0 * q0 / u**3  # [5], §4.3
    return float(0.5 * d + 2.0 * lb)  # [5], §4.3: L_U = D/2 + 2 l_b


def britter_mcquaid_plume_half_width(x, *, volume_rate, wind_speed, source_density, air_density=1.2):
    """Crosswind half-width of a continuous dense-gas plume including gravity slumping.

    Downwind (x ≥ 0): L_H = L_H0 + 2.5 l_b^{1/3} x^{2/3}, L_H0 = D + 8 l_b ([5], §4.3), with D = (q0/u)^{1/2} and
    l_b = g0' q0 / u³. Upwind (−L_U ≤ x < 0, L_U from :func:`britter_mcquaid_plume_upwind_extent`): the workbook
    gives only the two end points L_H0 at x = 0 and 0 at x = −L_U; they are joined here by an elliptical arc
    L_H0 √(1 − (x/L_U)²) (an assumption of parkrisk). Further upwind the half-width is 0.

    Parameters
    ----------
    x : numeric
        Downwind distance from the source (negative upwind). [m]
    volume_rate : float
        q0 at the source density. [m³/s]
    wind_speed : float
        At 10 m. [m/s]
    source_density, air_density : float
        [kg/m³]

    Returns
    -------
    half_width : numeric
        [m]
    """
    xa = _finite("x", x)
    q0, u, g0 = _bm_plume_inputs(volume_rate, wind_speed, source_density, air_density)
    d = np.sqrt(q0 / u)  # [5], Eq. 5-52
    lb = g0 * q0 / u**3  # [5], §4.3
    lh0 = d + 8.0 * lb  # [5], §4.3: crosswind extent at the source
    lu = 0.5 * d + 2.0 * lb  # [5], §4.3: upwind extent
    down = lh0 + 2.5 * np.cbrt(lb) * np.cbrt(np.maximum(xa, 0.0)) ** 2  # [5], §4.3
    up = lh0 * np.sqrt(np.clip(1.0 - (xa / lu) ** 2, 0.0, None))  # parkrisk: elliptical arc to x = −L_U
    return _out(np.where(xa >= 0.0, down, up))


def _bm_puff_scales(volume, wind_speed, source_density, air_density):
    v0, u, g0 = _bm_plume_inputs(volume, wind_speed, source_density, air_density)
    r0 = np.cbrt(3.0 * v0 / (4.0 * np.pi))  # radius of the sphere of volume V0 (parkrisk's initial size)
    k = 1.2 * np.sqrt(g0 * v0)  # [5], §4.4: d(R²)/dt [m²/s]
    vc = 0.4 * u  # [5], §4.4: advection speed of the cloud centre [m/s]
    return float(r0), float(k), float(vc)


def britter_mcquaid_puff_radius(t, *, volume, wind_speed, source_density, air_density=1.2):
    """Radius of a slumping instantaneous dense-gas cloud, R² = R0² + 1.2 (g0' V0)^{1/2} t ([5], §4.4).

    Parameters
    ----------
    t : numeric
        Time since release (≥ 0). [s]
    volume : float
        V0 at the source density. [m³]
    wind_speed : float
        At 10 m. [m/s]
    source_density, air_density : float
        [kg/m³]

    Returns
    -------
    radius : numeric
        [m]; R0 = (3 V0 / 4π)^{1/3} (the radius of a sphere of the initial volume — an assumption of parkrisk; the
        workbook leaves the initial aspect ratio open). The centre is at 0.4 u10 t downwind ([5], §4.4).
    """
    ta = _finite("t", t)
    if np.any(ta < 0):
        raise ValueError(f"t 时间须 ≥ 0，实际为 {t!r}（t must be ≥ 0 s）")
    r0, k, _ = _bm_puff_scales(volume, wind_speed, source_density, air_density)
    return _out(np.sqrt(r0 * r0 + k * ta))  # [5], §4.4


def britter_mcquaid_puff_half_width(x, *, volume, wind_speed, source_density, air_density=1.2):
    """Crosswind half-width of the ground area swept by a slumping instantaneous dense-gas cloud.

    The envelope over time of the circles of radius R(t) (:func:`britter_mcquaid_puff_radius`) centred at
    x_c = 0.4 u10 t ([5], §4.4): with k = 1.2 (g0' V0)^{1/2} and v = 0.4 u10, maximising R² − (x − v t)² over t ≥ 0
    gives w² = R0² + k x / v + (k / 2v)² for x ≥ −k/(2v), and w² = R0² − x² (the initial cloud) further upwind.

    Parameters
    ----------
    x : numeric
        Downwind distance from the release point (negative upwind). [m]
    volume : float
        V0 at the source density. [m³]
    wind_speed : float
        At 10 m. [m/s]
    source_density, air_density : float
        [kg/m³]

    Returns
    -------
    half_width : numeric
        [m]; 0 outside the swept area.
    """
    xa = _finite("x", x)
    r0, k, v = _bm_puff_scales(volume, wind_speed, source_density, air_density)
    c = k / (2.0 * v)
    w2 = np.where(xa >= -c, r0 * r0 + k * xa / v + c * c, r0 * r0 - xa * xa)  # envelope (t* ≥ 0) or t = 0
    return _out(np.sqrt(np.maximum(w2, 0.0)))


def britter_mcquaid_plume(
    x,
    *,
    volume_rate,
    wind_speed,
    source_density,
    air_density=1.2,
    source_temperature=None,
    ambient_temperature=288.15,
):
    """Centre-line volume fraction downwind of a continuous dense-gas release (Britter-McQuaid workbook).

    ``α = 0.2 log10(g0'² q0 / u⁵)``, ``β = log10(x / D)``, ``D = (q0/u)^{1/2}``; the ratio Cm/C0 is
    interpolated in log space between the workbook curves (Cm/C0 = 0.1 ... 0.002) at the given α.

    Parameters
    ----------
    x : numeric
        Downwind distance from the source. [m]
    volume_rate : float
        Gas volume release rate q0 at the source density. [m³/s]
    wind_speed : float
        Wind speed at 10 m. [m/s]
    source_density : float
        Initial gas density ρ0. [kg/m³]
    air_density : float
        ρa. [kg/m³]
    source_temperature : float, optional
        Source gas temperature T0; when given, the non-isothermal correction
        ``C = C*/(C* + (1 − C*)(Ta/T0))`` is applied [5]_. [K]
    ambient_temperature : float
        Ta. [K]

    Returns
    -------
    volume_fraction : numeric
        Centre-line concentration Cm as a fraction of the source concentration C0 (C0 = 1 for a pure gas). [-]

    Notes
    -----
    Assumptions (state with results): α above 1 is clamped to 1 (the workbook's range; logged at DEBUG only —
    callers report it with :func:`britter_mcquaid_plume_alpha`); nearer than the
    Cm/C0 = 0.1 curve or beyond the last curve (0.002) log10(C) is extrapolated linearly in β, capped at 1;
    the workbook is for ground-level releases over flat terrain, without obstacles. Distances x ≤ 0 give 1.

    References
    ----------
    .. [5] Britter & McQuaid (1988) Figure 31; Crowl & Louvar (2011) Table 5-3, Eqs. 5-50 to 5-56.
    """
    xa = _finite("x", x)
    q0 = float(_positive("volume_rate", volume_rate))
    u = float(_positive("wind_speed", wind_speed))
    rho0 = float(_positive("source_density", source_density))
    rhoa = float(_positive("air_density", air_density))
    if rho0 <= rhoa:
        raise ValueError(
            f"source_density 源密度须大于 air_density 空气密度（重气），实际为 {rho0!r} ≤ {rhoa!r}（dense gas only）"
        )
    g0 = GRAVITY * (rho0 - rhoa) / rhoa  # [5], Eq. 5-51
    d = np.sqrt(q0 / u)  # [5], Eq. 5-52
    alpha = 0.2 * np.log10(g0**2 * q0 / u**5)  # [5], Table 5-3
    if alpha > 1.0:
        # Outside the correlation range; callers report it via britter_mcquaid_plume_alpha (no log flood).
        logger.debug("Britter-McQuaid plume: alpha=%.3f > 1 clamped to the workbook range", alpha)
    beta = np.log10(np.maximum(xa, 1e-9) / d)
    c_star = _bm_interp("continuous", alpha, beta)
    c = _bm_non_isothermal(c_star, source_temperature, ambient_temperature)
    return _out(np.where(xa > 0.0, c, 1.0))


def britter_mcquaid_puff(
    x,
    *,
    volume,
    wind_speed,
    source_density,
    air_density=1.2,
    source_temperature=None,
    ambient_temperature=288.15,
):
    """Peak volume fraction downwind of an instantaneous dense-gas release (Britter-McQuaid workbook).

    ``α = 0.5 log10(g0' V0^{1/3} / u²)``, ``β = log10(x / V0^{1/3})``; curves Cm/C0 = 0.1 ... 0.001.

    Parameters
    ----------
    x : numeric
        Downwind distance. [m]
    volume : float
        Initial cloud volume V0 at the source density. [m³]
    wind_speed : float
        At 10 m. [m/s]
    source_density, air_density : float
        [kg/m³]
    source_temperature : float, optional
        For the non-isothermal correction. [K]
    ambient_temperature : float
        [K]

    Returns
    -------
    volume_fraction : numeric
        Cm/C0. [-]

    Notes
    -----
    Same assumptions as :func:`britter_mcquaid_plume`.

    References
    ----------
    .. [5] Britter & McQuaid (1988) Figure 34; Crowl & Louvar (2011) Table 5-4, Eq. 5-54.
    """
    xa = _finite("x", x)
    v0 = float(_positive("volume", volume))
    u = float(_positive("wind_speed", wind_speed))
    rho0 = float(_positive("source_density", source_density))
    rhoa = float(_positive("air_density", air_density))
    if rho0 <= rhoa:
        raise ValueError(
            f"source_density 源密度须大于 air_density 空气密度（重气），实际为 {rho0!r} ≤ {rhoa!r}（dense gas only）"
        )
    g0 = GRAVITY * (rho0 - rhoa) / rhoa
    alpha = 0.5 * np.log10(g0 * np.cbrt(v0) / u**2)  # [5], Table 5-4
    if alpha > 1.0:
        # Outside the correlation range; callers report it via britter_mcquaid_puff_alpha (no log flood).
        logger.debug("Britter-McQuaid puff: alpha=%.3f > 1 clamped to the workbook range", alpha)
    beta = np.log10(np.maximum(xa, 1e-9) / np.cbrt(v0))
    c_star = _bm_interp("instantaneous", alpha, beta)
    c = _bm_non_isothermal(c_star, source_temperature, ambient_temperature)
    return _out(np.where(xa > 0.0, c, 1.0))

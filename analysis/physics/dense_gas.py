"""Britter-McQuaid dense-gas dispersion: workbook curves, dense-gas criteria and cloud extents.

A gas denser than air slumps and spreads before the atmosphere dilutes it; the workbook correlates the centre-line
concentration with two dimensionless groups α and β. All inputs and outputs are SI (m, m/s, m³, m³/s, kg/m³, K, s);
arrays broadcast in the downwind distance ``x`` [m] (or the time ``t`` [s]). Re-exported by
:mod:`analysis.physics.dispersion`, whose reference numbers this module keeps.

References
----------
.. [1] Crowl, D. A., Louvar, J. F. (2011). *Chemical Process Safety*, 3rd ed., Prentice Hall, §5-7: Eq. 5-51
   (g0' = g (ρ0 − ρa)/ρa), Eq. 5-52 (D = (q0/u)^{1/2}), Eqs. 5-53/5-55 (dense-gas criteria), Tables 5-3/5-4
   (piecewise-linear workbook curves), Eq. 5-54 (instantaneous β) and Eq. 5-56 (non-isothermal correction).
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

from analysis import _checks, constants
from analysis._data import DATA_DIR
from analysis.errors import OutsideModelRangeError

logger = logging.getLogger(__name__)

__all__ = [
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
    "britter_mcquaid_plume_last_curve_distance",
    "britter_mcquaid_puff_last_curve_distance",
    "BEYOND_LAST_CURVE",
]

#: What the dense-gas functions do downwind of the workbook's last curve (Cm/C0 = 0.002 continuous, 0.001
#: instantaneous): ``"extrapolate"`` (default; log10 C linear in β, and callers flag the distances beyond
#: :func:`britter_mcquaid_plume_last_curve_distance` in their notes) or ``"raise"``
#: (:class:`analysis.errors.OutsideModelRangeError`).
BEYOND_LAST_CURVE = ("extrapolate", "raise")

GRAVITY = constants.G  # [m/s²]


@cache
def _bm_curves(release: str) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
    """Load the workbook curves; check that alpha increases along each curve before interpolating."""
    df = pd.read_csv(DATA_DIR / "britter_mcquaid_1988_workbook_curves.csv", comment="#")
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


def _last_curve_beta(release: str, alpha: float) -> float:
    """β of the workbook's last (most dilute) curve at ``alpha`` (α clamped to ≤ 1, flat left of the first knot)."""
    _, curves = _bm_curves(release)
    a, b = curves[-1]
    return float(np.interp(min(alpha, 1.0), a, b))


def _guard_last_curve(release: str, beyond_last_curve: str, xa, x_last: float) -> None:
    _checks.choice("beyond_last_curve", beyond_last_curve, BEYOND_LAST_CURVE)
    if beyond_last_curve == "raise" and np.any(xa > x_last):
        ratio = _bm_curves(release)[0][-1]
        raise OutsideModelRangeError(
            f"x 下风向距离最大 {float(np.max(xa)):.1f} m 超出 Britter-McQuaid 工作手册最后一条曲线"
            f"（Cm/C0 = {ratio:g}，此处 x = {x_last:.1f} m）：请改用被动扩散模型或取 x ≤ {x_last:.1f} m"
        )


def britter_mcquaid_plume_last_curve_distance(
    *, volume_rate, wind_speed, source_density, air_density=1.2
) -> float:
    """Downwind distance of the continuous workbook's last curve (Cm/C0 = 0.002); beyond it the model extrapolates.

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
    distance : float
        x = D · 10^β_last(α), D = (q0/u)^½. [m]

    References
    ----------
    .. [5] Britter & McQuaid (1988) Figure 31; Crowl & Louvar (2011) Table 5-3, Eq. 5-52.
    """
    q0, u, g0 = _bm_inputs("volume_rate", volume_rate, wind_speed, source_density, air_density)
    alpha = _plume_alpha(q0, u, g0)
    return float(np.sqrt(q0 / u) * 10.0 ** _last_curve_beta("continuous", alpha))  # [5], Eq. 5-52


def britter_mcquaid_puff_last_curve_distance(*, volume, wind_speed, source_density, air_density=1.2) -> float:
    """Downwind distance of the instantaneous workbook's last curve (Cm/C0 = 0.001); beyond it the model extrapolates.

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
    distance : float
        x = V0^⅓ · 10^β_last(α). [m]

    References
    ----------
    .. [5] Britter & McQuaid (1988) Figure 34; Crowl & Louvar (2011) Table 5-4.
    """
    v0, u, g0 = _bm_inputs("volume", volume, wind_speed, source_density, air_density)
    alpha = _puff_alpha(v0, u, g0)
    return float(np.cbrt(v0) * 10.0 ** _last_curve_beta("instantaneous", alpha))


def _bm_non_isothermal(c_star, source_temperature, ambient_temperature):
    if source_temperature is None:
        return c_star
    t0 = _checks.positive("source_temperature", source_temperature)
    ta = _checks.positive("ambient_temperature", ambient_temperature)
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
    q0 = _checks.positive("volume_rate", volume_rate)
    u = _checks.positive("wind_speed", wind_speed)
    rho0 = _checks.positive("source_density", source_density)
    rhoa = _checks.positive("air_density", air_density)
    g0 = GRAVITY * (rho0 - rhoa) / rhoa
    d = np.sqrt(q0 / u)
    crit = np.cbrt(np.maximum(g0, 0.0) * q0 / (u**3 * d))
    dense = crit >= 0.15
    return dense if dense.ndim else bool(dense)


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
    v0 = _checks.positive("volume", volume)
    u = _checks.positive("wind_speed", wind_speed)
    rho0 = _checks.positive("source_density", source_density)
    rhoa = _checks.positive("air_density", air_density)
    g0 = GRAVITY * (rho0 - rhoa) / rhoa
    crit = np.sqrt(np.maximum(g0, 0.0) * v0) / (u * np.cbrt(v0))
    dense = crit >= 0.20
    return dense if dense.ndim else bool(dense)


def _bm_inputs(amount_name, amount, wind_speed, source_density, air_density):
    """Checked release amount (q0 [m³/s] or V0 [m³]), wind speed [m/s] and reduced gravity g0' [m/s²].

    The workbook correlations are fitted to clouds denser than air only: a lighter or neutral gas is outside the
    model's range (:class:`analysis.errors.OutsideModelRangeError`).
    """
    q0 = float(_checks.positive(amount_name, amount))
    u = float(_checks.positive("wind_speed", wind_speed))
    rho0 = float(_checks.positive("source_density", source_density))
    rhoa = float(_checks.positive("air_density", air_density))
    if rho0 <= rhoa:
        raise OutsideModelRangeError(
            f"source_density 源密度须大于 air_density 空气密度（重气），实际为 {rho0!r} ≤ {rhoa!r}（dense gas only）"
        )
    g0 = GRAVITY * (rho0 - rhoa) / rhoa  # [5], Eq. 5-51
    return q0, u, g0


def _plume_alpha(q0: float, u: float, g0: float) -> float:
    """α = 0.2 log10(g0'² q0 / u⁵) of the continuous workbook curves (Britter & McQuaid 1988; Crowl & Louvar 2011
    Table 5-3)."""
    return float(0.2 * np.log10(g0**2 * q0 / u**5))


def _puff_alpha(v0: float, u: float, g0: float) -> float:
    """α = 0.5 log10(g0' V0^⅓ / u²) of the instantaneous workbook curves (Britter & McQuaid 1988; Crowl & Louvar
    2011 Table 5-4)."""
    return float(0.5 * np.log10(g0 * np.cbrt(v0) / u**2))


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
    q0, u, g0 = _bm_inputs("volume_rate", volume_rate, wind_speed, source_density, air_density)
    return _plume_alpha(q0, u, g0)


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
    v0, u, g0 = _bm_inputs("volume", volume, wind_speed, source_density, air_density)
    return _puff_alpha(v0, u, g0)


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
    q0, u, g0 = _bm_inputs("volume_rate", volume_rate, wind_speed, source_density, air_density)
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
    q0, u, g0 = _bm_inputs("volume_rate", volume_rate, wind_speed, source_density, air_density)
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
    xa = _checks.finite("x", x)
    q0, u, g0 = _bm_inputs("volume_rate", volume_rate, wind_speed, source_density, air_density)
    d = np.sqrt(q0 / u)  # [5], Eq. 5-52
    lb = g0 * q0 / u**3  # [5], §4.3
    lh0 = d + 8.0 * lb  # [5], §4.3: crosswind extent at the source
    lu = 0.5 * d + 2.0 * lb  # [5], §4.3: upwind extent
    down = lh0 + 2.5 * np.cbrt(lb) * np.cbrt(np.maximum(xa, 0.0)) ** 2  # [5], §4.3
    up = lh0 * np.sqrt(np.clip(1.0 - (xa / lu) ** 2, 0.0, None))  # parkrisk: elliptical arc to x = −L_U
    return _checks.out(np.where(xa >= 0.0, down, up))


def _bm_puff_scales(volume, wind_speed, source_density, air_density):
    v0, u, g0 = _bm_inputs("volume", volume, wind_speed, source_density, air_density)
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
    ta = _checks.nonneg("t", t)
    r0, k, _ = _bm_puff_scales(volume, wind_speed, source_density, air_density)
    return _checks.out(np.sqrt(r0 * r0 + k * ta))  # [5], §4.4


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
    xa = _checks.finite("x", x)
    r0, k, v = _bm_puff_scales(volume, wind_speed, source_density, air_density)
    c = k / (2.0 * v)
    w2 = np.where(xa >= -c, r0 * r0 + k * xa / v + c * c, r0 * r0 - xa * xa)  # envelope (t* ≥ 0) or t = 0
    return _checks.out(np.sqrt(np.maximum(w2, 0.0)))


def britter_mcquaid_plume(
    x,
    *,
    volume_rate,
    wind_speed,
    source_density,
    air_density=1.2,
    source_temperature=None,
    ambient_temperature=constants.AMBIENT_TEMPERATURE,
    beyond_last_curve="extrapolate",
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
        Ta [K]; used only with ``source_temperature``. Default: the ambient air temperature
        (``analysis.constants.AMBIENT_TEMPERATURE``).
    beyond_last_curve : str
        One of BEYOND_LAST_CURVE: ``"extrapolate"`` (default) or ``"raise"`` an
        :class:`~analysis.errors.OutsideModelRangeError` when any ``x`` lies beyond the last workbook curve.

    Returns
    -------
    volume_fraction : numeric
        Centre-line concentration Cm as a fraction of the source concentration C0 (C0 = 1 for a pure gas). [-]

    Notes
    -----
    Assumptions (state with results): α above 1 is clamped to 1 (the workbook's range; logged at DEBUG only —
    callers report it with :func:`britter_mcquaid_plume_alpha`); nearer than the
    Cm/C0 = 0.1 curve or beyond the last curve (0.002) log10(C) is extrapolated linearly in β, capped at 1
    (beyond the last curve only with ``beyond_last_curve="extrapolate"``; its distance is
    :func:`britter_mcquaid_plume_last_curve_distance`, which callers state with their results);
    the workbook is for ground-level releases over flat terrain, without obstacles. Distances x ≤ 0 give 1.

    References
    ----------
    .. [5] Britter & McQuaid (1988) Figure 31; Crowl & Louvar (2011) Table 5-3, Eqs. 5-50 to 5-56.
    """
    xa = _checks.finite("x", x)
    q0, u, g0 = _bm_inputs("volume_rate", volume_rate, wind_speed, source_density, air_density)
    d = np.sqrt(q0 / u)  # [5], Eq. 5-52
    alpha = _plume_alpha(q0, u, g0)
    if alpha > 1.0:
        # Outside the correlation range; callers report it via britter_mcquaid_plume_alpha (no log flood).
        logger.debug("Britter-McQuaid plume: alpha=%.3f > 1 clamped to the workbook range", alpha)
    _guard_last_curve(
        "continuous", beyond_last_curve, xa, float(d * 10.0 ** _last_curve_beta("continuous", alpha))
    )
    beta = np.log10(np.maximum(xa, 1e-9) / d)
    c_star = _bm_interp("continuous", alpha, beta)
    c = _bm_non_isothermal(c_star, source_temperature, ambient_temperature)
    return _checks.out(np.where(xa > 0.0, c, 1.0))


def britter_mcquaid_puff(
    x,
    *,
    volume,
    wind_speed,
    source_density,
    air_density=1.2,
    source_temperature=None,
    ambient_temperature=constants.AMBIENT_TEMPERATURE,
    beyond_last_curve="extrapolate",
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
        [K]; as in :func:`britter_mcquaid_plume`.
    beyond_last_curve : str
        One of BEYOND_LAST_CURVE: ``"extrapolate"`` (default) or ``"raise"`` an
        :class:`~analysis.errors.OutsideModelRangeError` when any ``x`` lies beyond the last workbook curve.

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
    xa = _checks.finite("x", x)
    v0, u, g0 = _bm_inputs("volume", volume, wind_speed, source_density, air_density)
    alpha = _puff_alpha(v0, u, g0)
    if alpha > 1.0:
        # Outside the correlation range; callers report it via britter_mcquaid_puff_alpha (no log flood).
        logger.debug("Britter-McQuaid puff: alpha=%.3f > 1 clamped to the workbook range", alpha)
    x_last = float(np.cbrt(v0) * 10.0 ** _last_curve_beta("instantaneous", alpha))
    _guard_last_curve("instantaneous", beyond_last_curve, xa, x_last)
    beta = np.log10(np.maximum(xa, 1e-9) / np.cbrt(v0))
    c_star = _bm_interp("instantaneous", alpha, beta)
    c = _bm_non_isothermal(c_star, source_temperature, ambient_temperature)
    return _checks.out(np.where(xa > 0.0, c, 1.0))

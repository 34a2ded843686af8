"""Fires: pool fire, jet fire, BLEVE fireball, flash fire and atmospheric transmissivity.

Every fire returns a frozen result object whose ``heat_flux(distance, *, target_height=0.0, relative_humidity=0.7,
ambient_temperature=288.15)`` gives the thermal radiation received [W/m²] at ground distances [m] (arrays broadcast),
and whose ``assumptions`` lists every model choice and default used.

    q = τ · E · F                                                                            ([1], Eq. 2.2.31)

with E the surface emissive power of the solid flame [W/m²], F the view factor [-] and τ the atmospheric
transmissivity [-] over the path from the flame surface to the target.

References
----------
.. [1] CCPS (2000). Guidelines for Chemical Process Quantitative Risk Analysis, 2nd ed. AIChE, New York.
       §2.2.4–2.2.6: Eq. 2.2.31 (solid-flame flux), 2.2.33–2.2.34 (transmissivity), 2.2.35 (Burgess burning rate),
       2.2.37 (Thomas flame height), 2.2.47–2.2.53 (BLEVE fireball).
.. [2] Babrauskas, V. (1983). Estimating large pool fire burning rates. Fire Technology 19:251–261; tabulated in the
       SFPE Handbook, 3rd ed. (2002), Table 3-1.13 (``analysis/data/babrauskas_2002_burning_rates.csv``).
.. [3] Burgess, D. & Hertzberg, M. (1974). Radiation from pool flames. In Heat Transfer in Flames, Wiley, 413–430.
.. [4] Thomas, P. H. (1963). The size of flames from natural fires. 9th Symp. (Int.) on Combustion, 844–859.
.. [5] Moorhouse, J. (1982). Scaling criteria for pool fires derived from large scale experiments. IChemE Symp.
       Ser. 71, 165–179.
.. [6] American Gas Association (1974). LNG Safety Program, Interim Report on Phase II Work, Project IS-3-1 (flame
       tilt: cos θ = 1 for u* ≤ 1, cos θ = 1/√u* for u* > 1); as quoted in [7] and [1].
.. [7] Mudan, K. S. & Croce, P. A. (1988). Fire hazard calculations for large open hydrocarbon fires. SFPE Handbook
       of Fire Protection Engineering, 1st ed., §2-4: surface emissive power E = E_max e^(−sD) + E_s (1 − e^(−sD)),
       E_max = 140 kW/m², E_s = 20 kW/m², s = 0.12 m⁻¹; view factors of a vertical cylinder to a vertical and a
       horizontal target (after Mudan 1984, Prog. Energy Combust. Sci. 10:59–80).
.. [8] API Standard 521 (2014), Pressure-relieving and Depressuring Systems, Annex C: point-source radiation
       K = τ F Q / (4π D²) (its point-source formula; equation number not checked) and flame length vs heat release (Figure C.1), fitted by Beychok, M. R. (2005),
       Fundamentals of Stack Gas Dispersion, 4th ed.: L = 0.0059 Q^0.478 [ft, Btu/h].
.. [9] Chamberlain, G. A. (1987). Developments in design methods for predicting thermal radiation from flares.
       Chem. Eng. Res. Des. 65:299–309: fraction of heat radiated F_s = 0.21 e^(−0.00323 u_j) + 0.11.
.. [10] CCPS (1994). Guidelines for Evaluating the Characteristics of Vapor Cloud Explosions, Flash Fires, and
        BLEVEs. AIChE: D = 5.8 M^(1/3); t = 0.45 M^(1/3) (M < 30 000 kg), t = 2.6 M^(1/6) (M ≥ 30 000 kg).
.. [11] Roberts, A. F. (1981/82). Thermal radiation hazards from releases of LPG from pressurised storage. Fire
        Safety Journal 4:197–212: D = 5.8 M^(1/3), t = 0.45 M^(1/3); radiative fraction 0.27 P^0.32 (P in MPa).
.. [12] TNO (1997). Methods for the calculation of physical effects (Yellow Book), CPR 14E, 3rd ed., ch. 6:
        fireball D = 6.48 M^0.325, t = 0.852 M^0.26; radiative fraction F_s = 0.00325 P_sv^0.32 (P_sv in Pa, i.e.
        0.27 P^0.32 with P in MPa); fireball SEP of hydrocarbons in the range 200-350 kW/m².
.. [14] Scandpower (2004). Guidelines for the protection of pressurised systems exposed to fire, v2.0, Table 2:
        heat load on an object engulfed by a pool fire 150 kW/m² local peak, 100 kW/m² global average (the
        smoke-averaged SEP of [7] applies only to targets outside the flame).
.. [13] Hymes, I. (1983). The physiological and pathological effects of thermal radiation. UKAEA SRD R 275:
        radiative fraction R = 0.3 for a vessel failing below its relief-valve set pressure, 0.4 at or above it
        (the upper end of the 0.25-0.4 range adopted by [10]).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from analysis._data import DATA_DIR

# one input validator for the consequence models (the message names the parameter, the value and what is allowed)
from analysis.physics.source import _arr, _check_model

logger = logging.getLogger(__name__)

__all__ = [
    "BURNING_RATE_MODELS",
    "FIREBALL_MODELS",
    "FLAME_LENGTH_MODELS",
    "JET_FIRE_MODELS",
    "SEP_MODELS",
    "FIREBALL_MAX_EMISSIVE_POWER",
    "POOL_FIRE_ENGULFMENT_EMISSIVE_POWER",
    "FIREBALL_MAX_RADIATIVE_FRACTION",
    "TRANSMISSIVITY_MODELS",
    "Fireball",
    "FlashFire",
    "JetFire",
    "PoolFire",
    "atmospheric_transmissivity",
    "burning_rate",
    "equivalent_diameter",
    "fireball",
    "fireball_diameter",
    "fireball_duration",
    "flame_tilt",
    "flash_fire",
    "jet_fire",
    "pool_fire",
    "pool_flame_length",
    "surface_emissive_power",
    "view_factor_cylinder",
    "view_factor_vertical_cylinder",
    "water_vapour_pressure",
]

G = 9.80665  # standard gravity [m/s²]
R_GAS = 8.314462618  # [J/(mol·K)]
AIR_DENSITY = 1.2  # air at 20 °C, 1 atm [kg/m³] (default, overridable)
_DATA = DATA_DIR

TRANSMISSIVITY_MODELS = ("ccps2000",)
BURNING_RATE_MODELS = ("babrauskas1983", "burgess1974")
FLAME_LENGTH_MODELS = ("thomas1963", "moorhouse1982")
SEP_MODELS = ("mudan_croce1988", "radiative_fraction")
JET_FIRE_MODELS = ("api521",)
FIREBALL_MODELS = ("ccps1994", "roberts1982", "tno1997", "cpqra2000")


def _scalar(name: str, value, **kw) -> float:
    a = _arr(name, value, **kw)
    if a.ndim:
        raise ValueError(f"{name}={value!r} must be a single number (one fire per call)")
    return float(a)


def _out(a):
    a = np.asarray(a, dtype=float)
    return a if a.ndim else float(a)


# --------------------------------------------------------------------------------------------------- atmosphere
def water_vapour_pressure(relative_humidity, ambient_temperature=288.15):
    """Partial pressure of water vapour in air.

    Parameters
    ----------
    relative_humidity : numeric
        [-], 0–1.
    ambient_temperature : numeric
        [K]

    Returns
    -------
    p_w : numeric
        [Pa]: p_w = 101325 · RH · exp(14.4114 − 5328 / T_a)                               ([1], Eq. 2.2.34)
    """
    rh = _arr("relative_humidity", relative_humidity, nonnegative=True, upper=1.0)
    ta = _arr("ambient_temperature", ambient_temperature, positive=True)
    return _out(101325.0 * rh * np.exp(14.4114 - 5328.0 / ta))  # [1], Eq. 2.2.34


def atmospheric_transmissivity(
    path_length, *, relative_humidity=0.7, ambient_temperature=288.15, model="ccps2000"
):
    """Fraction of thermal radiation transmitted through humid air.

    Parameters
    ----------
    path_length : numeric
        Distance from the flame surface to the target. [m]
    relative_humidity : numeric
        [-], 0–1.
    ambient_temperature : numeric
        [K]
    model : str
        ``"ccps2000"``: τ = 2.02 (p_w · x)^(−0.09), p_w [Pa], x [m] ([1], Eq. 2.2.33, after Pietersen & Huerta
        1985), capped at 1 (the correlation exceeds 1 for p_w·x < 2.5·10³ Pa·m).

    Returns
    -------
    tau : numeric
        [-]
    """
    _check_model("model", model, TRANSMISSIVITY_MODELS)
    x = _arr("path_length", path_length, nonnegative=True)
    pw = np.asarray(water_vapour_pressure(relative_humidity, ambient_temperature))
    with np.errstate(divide="ignore"):
        tau = 2.02 * (pw * x) ** -0.09  # [1], Eq. 2.2.33
    return _out(np.minimum(tau, 1.0))


# --------------------------------------------------------------------------------------------------- view factors
def view_factor_vertical_cylinder(distance, radius, height):
    """View factors of a vertical cylinder from a target at the level of its base.

    Parameters
    ----------
    distance : numeric
        Horizontal distance from the cylinder axis to the target, > radius. [m]
    radius : numeric
        [m]
    height : numeric
        Cylinder height above the target level (≥ 0). [m]

    Returns
    -------
    f_vertical, f_horizontal : numeric
        View factors to a vertical target facing the axis and to a horizontal upward-facing target [-]; 1 and 0
        inside the cylinder (distance ≤ radius). ([7]; S = d/R, h = H/R)
    """
    d = np.asarray(distance, dtype=float)
    r = np.asarray(radius, dtype=float)
    h = np.asarray(height, dtype=float) / r
    inside = d <= r * (1.0 + 1e-9)
    s = np.where(inside, 2.0, d / r)
    with np.errstate(divide="ignore", invalid="ignore"):
        aa = (h**2 + s**2 + 1.0) / (2.0 * s)
        bb = (1.0 + s**2) / (2.0 * s)
        # [7]: vertical target facing the axis
        fv = (
            np.arctan(h / np.sqrt(s**2 - 1.0)) / (np.pi * s)
            - h / (np.pi * s) * np.arctan(np.sqrt((s - 1.0) / (s + 1.0)))
            + aa
            * h
            / (np.pi * s * np.sqrt(aa**2 - 1.0))
            * np.arctan(np.sqrt((aa + 1.0) * (s - 1.0) / ((aa - 1.0) * (s + 1.0))))
        )
        # [7]: horizontal target facing up
        fh = (bb - 1.0 / s) / (np.pi * np.sqrt(bb**2 - 1.0)) * np.arctan(
            np.sqrt((bb + 1.0) * (s - 1.0) / ((bb - 1.0) * (s + 1.0)))
        ) - (aa - 1.0 / s) / (np.pi * np.sqrt(aa**2 - 1.0)) * np.arctan(
            np.sqrt((aa + 1.0) * (s - 1.0) / ((aa - 1.0) * (s + 1.0)))
        )
    zero_h = h <= 0
    fv = np.where(zero_h, 0.0, fv)
    fh = np.where(zero_h, 0.0, fh)
    fv = np.where(inside, 1.0, fv)
    fh = np.where(inside, 0.0, fh)
    return _out(fv), _out(fh)


def _vertical_cylinder_fmax(d, radius, height, z):
    """Maximum view factor of a vertical cylinder (base at ground, top at ``height``) for a target at height z.

    The flame is split at the target level into a part above and a part below ([7], superposition); vertical
    components add, horizontal components of the two parts point in opposite directions. F_max = √(F_v² + F_h²).
    """
    if z == 0.0:  # target at the flame base level: one band only (half the work)
        fv, fh = (np.asarray(v) for v in view_factor_vertical_cylinder(d, radius, height))
        return np.where(np.asarray(d) <= radius, 1.0, np.minimum(np.sqrt(fv * fv + fh * fh), 1.0))
    up = height - z  # extent above the target (negative: target above the flame top)
    down = z  # extent below the target (≥ 0)
    fv_up, fh_up = view_factor_vertical_cylinder(d, radius, np.abs(up))
    fv_dn, fh_dn = view_factor_vertical_cylinder(d, radius, np.abs(down))
    fv_up, fh_up, fv_dn, fh_dn = (np.asarray(v) for v in (fv_up, fh_up, fv_dn, fh_dn))
    # odd/even superposition over the band [−z, H − z] relative to the target
    fv = np.sign(up) * fv_up + fv_dn
    fh = fh_up - fh_dn
    f = np.sqrt(fv**2 + fh**2)
    inside = (np.asarray(d) <= radius) & (z <= height)
    return np.where(inside, 1.0, np.minimum(f, 1.0))


_UPRIGHT_S = np.linspace(math.log(1e-6), math.log(1e6), 4001)  # s = ln(d/R − 1) nodes for upright flames


@lru_cache(maxsize=512)
def _upright_ground_table(radius: float, height: float) -> np.ndarray:
    """ln F_max of an upright cylinder for ground-level targets at d = R (1 + e^s), from the closed form."""
    d = radius * (1.0 + np.exp(_UPRIGHT_S))
    lnf = np.log(np.maximum(_vertical_cylinder_fmax(d, radius, height, 0.0), 1e-300))
    lnf.setflags(write=False)
    return lnf


def _upright_view_factor(d, radius, height, z):
    """F_max of an upright flame. Ground-level targets: the closed form tabulated once per flame on 4001 nodes in
    ln(d/R − 1) and interpolated linearly on ln F (relative deviation from the closed form < 1e-5, about 5× faster
    on 10⁶ points); elevated targets: the closed form directly. Beyond the table F falls off as 1/d²."""
    d = np.asarray(d, dtype=float)
    if z != 0.0:
        return _vertical_cylinder_fmax(d, radius, height, z)
    table = _upright_ground_table(float(radius), float(height))
    s0, ds = _UPRIGHT_S[0], _UPRIGHT_S[1] - _UPRIGHT_S[0]
    x = np.clip((np.log(np.maximum(d / radius - 1.0, 1e-300)) - s0) / ds, 0.0, table.size - 1.000001)
    i = x.astype(np.intp)
    a = x - i
    f = np.exp(table[i] * (1.0 - a) + table[i + 1] * a)
    dmax = radius * (1.0 + math.exp(_UPRIGHT_S[-1]))
    f = np.where(d > dmax, f * (dmax / np.maximum(d, dmax)) ** 2, f)
    return np.where(d <= radius, 1.0, f)


def view_factor_cylinder(
    x, y, *, radius, length, tilt=0.0, target_height=0.0, method="contour", n_azimuth=72, n_axial=48
):
    """Maximum view factor of a (sheared) tilted cylinder from a point target.

    The flame is a cylinder whose base is the pool circle (centre at the origin, radius R) and whose horizontal
    cross-sections are circles of radius R centred on an axis tilted by ``tilt`` towards +x (downwind), of axial
    length ``length`` — the tilted solid-flame shape of [1] §2.2.6 and [7]. The view factor to the best-oriented
    target is |V|, V the vector of the surface integral Σ (n·r) (−r) dA / (π |r|⁴) over the part of the side
    surface the target sees (n·r > 0).

    ``method="contour"`` (default) turns that surface integral into a line integral round the boundary of the seen
    part by Stokes' theorem — V = (1/2π) ∮ dρ × ρ / |ρ|², ρ from the target to the contour (Sparrow, E. M. (1963).
    A new and simpler formulation for radiative angle factors. J. Heat Transfer 85:81–88; Siegel & Howell, Thermal
    Radiation Heat Transfer, contour-integral form of the differential-area-to-finite-area factor). On this surface
    n·r does not depend on the height along the axis (derivation in the code), so the seen part is the strip of
    azimuths A cos φ + B sin φ > C between two straight generators, and its boundary is two arcs and two straight
    lines whose integrals have closed forms: the result is exact up to rounding, also next to the flame, and costs
    a few dozen operations per target. ``method="quadrature"`` integrates the surface directly (midpoint rule,
    ``n_azimuth`` × ``n_axial`` points); it is kept as the independent reference the tests compare with (it
    converges slowly within ~0.05 R of the flame).

    Parameters
    ----------
    x, y : numeric
        Target position: x downwind, y crosswind, from the pool centre. [m]
    radius : float
        [m]
    length : float
        Flame length along the tilted axis. [m]
    tilt : float
        Angle of the axis from the vertical, towards +x; below 90°. [rad]
    target_height : float
        [m]
    method : {"contour", "quadrature"}
    n_azimuth, n_axial : int
        Quadrature points around and along the flame (``method="quadrature"`` only).

    Returns
    -------
    f : numeric
        [-]; 1 inside the flame.
    """
    _check_model("method", method, ("contour", "quadrature"))
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    x, y = np.broadcast_arrays(x, y)
    flat_x, flat_y = x.ravel(), y.ravel()
    if method == "contour":
        out = _view_factor_contour(
            flat_x, flat_y, float(radius), float(length), float(tilt), float(target_height)
        )
    else:
        out = _view_factor_quadrature(
            flat_x,
            flat_y,
            float(radius),
            float(length),
            float(tilt),
            float(target_height),
            n_azimuth,
            n_axial,
        )
    # inside the flame: the horizontal section at the target height is a circle centred at x = z·tan(tilt)
    within_height = 0.0 <= target_height <= length * math.cos(tilt)
    inside = within_height & (np.hypot(flat_x - target_height * math.tan(tilt), flat_y) <= radius)
    out = np.where(inside, 1.0, np.minimum(out, 1.0))
    return _out(out.reshape(x.shape))


def _view_factor_contour(tx, ty, radius, length, tilt, tz):
    """|V| of :func:`view_factor_cylinder` by the contour integral (targets as flat arrays). [-]

    Surface P(φ, s) = s a + R (cos φ, sin φ, 0), a = (sin t, 0, cos t), 0 ≤ s ≤ L; outward normal
    N = ∂P/∂φ × ∂P/∂s = R (cos φ cos t, sin φ cos t, −cos φ sin t). For a target T, N·(T − P) / R
    = cos t (Tx cos φ + Ty sin φ − R) − sin t Tz cos φ: the s terms cancel, so the seen part is
    A cos φ + B sin φ > C with A = Tx cos t − Tz sin t, B = Ty cos t, C = R cos t, i.e. |φ − φ0| < α with
    φ0 = atan2(B, A), α = arccos(C / √(A² + B²)). Its boundary: bottom arc (s = 0, φ0 − α → φ0 + α), generator
    φ0 + α (s: 0 → L), top arc (s = L, back), generator φ0 − α (s: L → 0).
    """
    r_, l_ = radius, length
    st, ct = math.sin(tilt), math.cos(tilt)
    a_ = ct * tx - st * tz
    b_ = ct * ty
    c_ = ct * r_
    rho0 = np.hypot(a_, b_)
    seen = (
        rho0 > c_
    )  # otherwise the target is inside the flame (handled by the caller) or sees no side surface
    phi0 = np.arctan2(b_, a_)
    alpha = np.arccos(np.clip(c_ / np.where(seen, rho0, 1.0), -1.0, 1.0))
    p1, p2 = phi0 - alpha, phi0 + alpha

    def arc(s, pa, pb):
        # ∫ dρ × ρ / |ρ|² along ρ(φ) = s a + R (cos φ, sin φ, 0) − T, φ: pa → pb. With (X, Y, Z) = s a − T,
        # dρ × ρ = R (Z cos φ, Z sin φ, −(X cos φ + Y sin φ + R)) dφ and |ρ|² = p + q cos(φ − ψ),
        # p = X² + Y² + Z² + R², q = 2R √(X² + Y²), ψ = atan2(Y, X); with θ = φ − ψ the three integrals are
        # I0 = ∫ dθ/(p + q cos θ) = [θ − 2 atan(q sin θ / (p + k + q cos θ))]/k, k = √(p² − q²) (continuous form),
        # Ic = ∫ cos θ dθ/(…) = (Δθ − p I0)/q, Is = ∫ sin θ dθ/(…) = −Δln(p + q cos θ)/q.
        xx = s * st - tx
        yy = -ty
        zz = s * ct - tz
        h = np.hypot(xx, yy)
        p = xx * xx + yy * yy + zz * zz + r_ * r_
        q = 2.0 * r_ * h
        psi = np.arctan2(yy, xx)
        k = np.maximum(np.sqrt(np.maximum(p * p - q * q, 0.0)), 1e-12 * p)  # k = 0 only on the rim itself

        def prim0(th):
            return (th - 2.0 * np.arctan2(q * np.sin(th), p + k + q * np.cos(th))) / k

        ta, tb = pa - psi, pb - psi
        i0 = prim0(tb) - prim0(ta)
        has_q = q > 0.0
        qq = np.where(has_q, q, 1.0)
        ic = np.where(has_q, ((tb - ta) - p * i0) / qq, 0.0)
        is_ = np.where(has_q, -(np.log(p + q * np.cos(tb)) - np.log(p + q * np.cos(ta))) / qq, 0.0)
        cps, sps = np.cos(psi), np.sin(psi)
        icos = ic * cps - is_ * sps  # ∫ cos φ dφ/(…)
        isin = is_ * cps + ic * sps  # ∫ sin φ dφ/(…)
        return r_ * zz * icos, r_ * zz * isin, -r_ * (h * ic + r_ * i0)  # X cos φ + Y sin φ = h cos θ

    def generator(phi, s_from, s_to):
        # ρ(s) = ρ0 + s a, dρ × ρ = (a × ρ0) ds; ∫ ds/|ρ0 + s a|² = [atan((s + b)/h)]/h, b = a·ρ0, h² = |ρ0|² − b²
        r0x = r_ * np.cos(phi) - tx
        r0y = r_ * np.sin(phi) - ty
        r0z = -tz
        b = st * r0x + ct * r0z
        n2 = r0x * r0x + r0y * r0y + r0z * r0z
        h = np.sqrt(np.maximum(n2 - b * b, 1e-24 * n2 + 1e-300))  # h = 0 only on the generator itself
        j = (np.arctan((s_to + b) / h) - np.arctan((s_from + b) / h)) / h
        return -ct * r0y * j, (ct * r0x - st * r0z) * j, st * r0y * j

    parts = (arc(0.0, p1, p2), generator(p2, 0.0, l_), arc(l_, p2, p1), generator(p1, l_, 0.0))
    vx, vy, vz = (sum(c[i] for c in parts) / (2.0 * np.pi) for i in range(3))
    return np.where(seen, np.sqrt(vx * vx + vy * vy + vz * vz), 0.0)


def _view_factor_quadrature(flat_x, flat_y, radius, length, tilt, target_height, n_azimuth, n_axial):
    """|V| of :func:`view_factor_cylinder` by the midpoint rule over the side surface (reference method). [-]"""
    phi = (np.arange(n_azimuth) + 0.5) * (2 * np.pi / n_azimuth)
    s = (np.arange(n_axial) + 0.5) * (length / n_axial)
    ph, ss = np.meshgrid(phi, s, indexing="ij")
    st, ct = math.sin(tilt), math.cos(tilt)
    px = ss * st + radius * np.cos(ph)
    py = radius * np.sin(ph)
    pz = ss * ct
    # area-weighted normal: ∂P/∂φ × ∂P/∂s
    nx = radius * np.cos(ph) * ct
    ny = radius * np.sin(ph) * ct
    nz = -radius * np.cos(ph) * st
    da = (2 * np.pi / n_azimuth) * (length / n_axial)
    px, py, pz, nx, ny, nz = (a.ravel() for a in (px, py, pz, nx, ny, nz))
    out = np.empty(flat_x.shape)
    chunk = max(1, 200_000 // px.size)
    for i in range(0, flat_x.size, chunk):
        rx = flat_x[i : i + chunk, None] - px
        ry = flat_y[i : i + chunk, None] - py
        rz = target_height - pz
        ndotr = nx * rx + ny * ry + nz * rz
        r2 = rx * rx + ry * ry + rz * rz
        w = np.where(ndotr > 0, ndotr / (np.pi * r2 * r2), 0.0) * da
        vx = -(w * rx).sum(axis=1)
        vy = -(w * ry).sum(axis=1)
        vz = -(w * rz).sum(axis=1)
        out[i : i + chunk] = np.sqrt(vx * vx + vy * vy + vz * vz)
    return out


# --------------------------------------------------------------------------------------------------- pool fire
_TABLE_R = np.geomspace(1.0, 1e3, 200)  # table radii as multiples of the near-field radius [-]
_TABLE_THETA = np.linspace(0.0, np.pi, 37)  # angle from the downwind axis [rad]


def _near_field_radius(radius: float, length: float, tilt: float) -> float:
    # beyond this horizontal distance from the pool centre no point is inside or next to the flame
    return 2.0 * radius + length * math.sin(tilt)


# A park-wide risk run meets ~130 distinct flame shapes; each table is ~60-100 kB, so 512 entries stay < 50 MB.
@lru_cache(maxsize=512)
def _tilted_table(radius: float, length: float, tilt: float, z: float) -> np.ndarray:
    """ln of the view factors of a tilted flame on a fixed polar grid (_TABLE_R × near-field radius, _TABLE_THETA)."""
    rr, tt = np.meshgrid(_TABLE_R * _near_field_radius(radius, length, tilt), _TABLE_THETA, indexing="ij")
    f = np.asarray(
        view_factor_cylinder(
            rr * np.cos(tt), rr * np.sin(tt), radius=radius, length=length, tilt=tilt, target_height=z
        )
    )
    lnf = np.log(np.maximum(f, 1e-300))
    lnf.setflags(write=False)
    return lnf


@lru_cache(maxsize=512)
def _tilted_ground_table(radius: float, length: float, tilt: float) -> tuple[np.ndarray, np.ndarray]:
    """ln F of a tilted flame for ground-level targets on a polar grid in (ln(r/R − 1), θ), computed once.

    At ground level the flame's footprint is the pool circle r ≤ R (F = 1), so the grid starts just outside it and
    F is continuous over the whole table.
    """
    rn = _near_field_radius(radius, length, tilt)
    s = np.linspace(math.log(1e-4), math.log(1e3 * rn / radius), 300)  # s = ln(r/R − 1)
    rr, tt = np.meshgrid(radius * (1.0 + np.exp(s)), _TABLE_THETA, indexing="ij")
    f = np.asarray(
        view_factor_cylinder(rr * np.cos(tt), rr * np.sin(tt), radius=radius, length=length, tilt=tilt)
    )
    lnf = np.log(np.maximum(f, 1e-300))
    s.setflags(write=False)
    lnf.setflags(write=False)
    return s, lnf


def _bilinear_uniform(table, u, v, u0, du, v0, dv):
    """Bilinear interpolation on a uniform grid (table[i, j] at u0 + i·du, v0 + j·dv); u, v clipped to the grid."""
    nu, nv = table.shape
    fu = np.clip((u - u0) / du, 0.0, nu - 1.000001)
    fv = np.clip((v - v0) / dv, 0.0, nv - 1.000001)
    i = fu.astype(np.intp)
    j = fv.astype(np.intp)
    a = fu - i
    b = fv - j
    flat = table.ravel()
    k = i * nv + j
    t00 = flat.take(k)
    t01 = flat.take(k + 1)
    t10 = flat.take(k + nv)
    t11 = flat.take(k + nv + 1)
    top = t00 + b * (t01 - t00)  # along v at row i
    return top + a * (t10 + b * (t11 - t10) - top)  # then along u


def _tilted_view_factor(r, theta, radius, length, tilt, z):
    """View factor of a tilted flame at polar positions (r from the pool centre, θ from the downwind axis).

    Ground-level targets (z = 0): a table in (ln(r/R − 1), θ) computed once per flame geometry, interpolated
    bilinearly on ln F; F = 1 on the pool. Elevated targets: direct integration (:func:`view_factor_cylinder`) near
    the flame (r < 2R + L sin θ_tilt), a table in (ln r, θ) farther out. The tables do not depend on the query, so the
    result is a pure function of the position; beyond the tables F falls off as 1/r² (distant emitter).
    """
    from scipy.interpolate import RegularGridInterpolator

    r = np.asarray(r, dtype=float)
    theta = np.broadcast_to(np.asarray(theta, dtype=float), r.shape)
    out = np.ones(r.shape)
    if z == 0.0:
        s_nodes, table = _tilted_ground_table(float(radius), float(length), float(tilt))
        outside = r > radius
        ro = r[outside]
        rmax = radius * (1.0 + math.exp(s_nodes[-1]))
        sq = np.log(np.maximum(ro / radius - 1.0, 1e-300))
        ds = s_nodes[1] - s_nodes[0]
        dth = _TABLE_THETA[1] - _TABLE_THETA[0]
        f = np.exp(_bilinear_uniform(table, sq, theta[outside], s_nodes[0], ds, 0.0, dth))
        out[outside] = np.where(ro > rmax, f * (rmax / ro) ** 2, f)
        return out
    rn = _near_field_radius(float(radius), float(length), float(tilt))
    near = r < rn
    if np.any(near):
        out[near] = view_factor_cylinder(
            r[near] * np.cos(theta[near]),
            r[near] * np.sin(theta[near]),
            radius=radius,
            length=length,
            tilt=tilt,
            target_height=z,
        )
    far = ~near
    if np.any(far):
        table = _tilted_table(float(radius), float(length), float(tilt), float(z))
        interp = RegularGridInterpolator((np.log(_TABLE_R * rn), _TABLE_THETA), table)
        rmax = _TABLE_R[-1] * rn
        rf = r[far]
        f = np.exp(interp(np.stack([np.log(np.minimum(rf, rmax)), theta[far]], axis=-1)))
        out[far] = np.where(rf > rmax, f * (rmax / rf) ** 2, f)
    return out


@lru_cache(maxsize=256)
def _ground_profile(
    radius: float, length: float, tilt: float, theta: float
) -> tuple[np.ndarray, np.ndarray, float]:
    """ln F for ground-level targets along one direction θ, on the s = ln(r/R − 1) nodes of the flame's table.

    Upright flame: the closed-form table of :func:`_upright_ground_table`. Tilted flame: the column of
    :func:`_tilted_ground_table` interpolated linearly in θ, so that linear interpolation in s afterwards equals
    the bilinear interpolation of :func:`_tilted_view_factor` (same nodes, same weights).
    Returns (s nodes, ln F nodes, r_max of the table [m]).
    """
    if tilt < 1e-9:
        s_nodes, col = _UPRIGHT_S, _upright_ground_table(radius, length)
    else:
        s_nodes, table = _tilted_ground_table(radius, length, tilt)
        dth = _TABLE_THETA[1] - _TABLE_THETA[0]
        fv = min(max(theta / dth, 0.0), table.shape[1] - 1.000001)
        j = int(fv)
        b = fv - j
        col = table[:, j] * (1.0 - b) + table[:, j + 1] * b
        col.setflags(write=False)
    return s_nodes, col, radius * (1.0 + math.exp(s_nodes[-1]))


def _ln_tau_from_s(s, radius, relative_humidity, ambient_temperature):
    """ln τ of CCPS (2000) Eq. 2.2.33 with the path x = d − R = R e^s (s = ln(d/R − 1)): one log fewer. [-]"""
    pw = float(water_vapour_pressure(relative_humidity, ambient_temperature))  # [1], Eq. 2.2.34
    with np.errstate(divide="ignore"):
        ln_pw_r = math.log(pw * radius) if pw > 0.0 else -math.inf
    # [1], Eq. 2.2.33: τ = 2.02 (p_w x)^(−0.09), capped at 1
    return np.minimum(math.log(2.02) - 0.09 * (ln_pw_r + s), 0.0)


def _ground_heat_flux(pf, r, theta, relative_humidity, ambient_temperature):
    """q = τ E F for ground-level targets from the per-flame tables, fused into one pass (see PoolFire.heat_flux).

    r [m] from the pool centre; theta [rad] from the downwind axis, a float (one direction) or an array.
    Same tables and interpolation weights as :func:`_upright_view_factor` / :func:`_tilted_view_factor`, with ln F
    and ln τ added before a single exp.
    """
    radius = pf.radius
    with np.errstate(divide="ignore"):
        s = np.log(np.maximum(r / radius - 1.0, 1e-300))
    if pf.tilt < 1e-9 or np.ndim(theta) == 0:
        s_nodes, col, rmax = _ground_profile(
            float(radius),
            float(pf.flame_length),
            float(pf.tilt),
            float(theta) if np.ndim(theta) == 0 else 0.0,
        )
        lnf = np.interp(s, s_nodes, col)
    else:
        s_nodes, table = _tilted_ground_table(float(radius), float(pf.flame_length), float(pf.tilt))
        rmax = radius * (1.0 + math.exp(s_nodes[-1]))
        ds = s_nodes[1] - s_nodes[0]
        dth = _TABLE_THETA[1] - _TABLE_THETA[0]
        lnf = _bilinear_uniform(table, s, theta, s_nodes[0], ds, 0.0, dth)
    lnf = np.where(r > rmax, lnf + 2.0 * np.log(rmax / np.maximum(r, rmax)), lnf)  # 1/r² beyond the table
    ln_q = lnf + _ln_tau_from_s(s, radius, relative_humidity, ambient_temperature)
    return np.where(r <= radius, pf.surface_emissive_power, pf.surface_emissive_power * np.exp(ln_q))


def equivalent_diameter(area):
    """Diameter of the circle of the same area. [m] from area [m²]."""
    a = _arr("area", area, positive=True)
    return _out(np.sqrt(4.0 * a / np.pi))


@lru_cache(maxsize=1)
def _babrauskas_table() -> Mapping[str, tuple[float, float, str]]:
    import csv

    path = _DATA / "babrauskas_2002_burning_rates.csv"
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(ln for ln in fh if not ln.startswith("#")))
    return {
        r["key"]: (
            float(r["m_inf_kg_m2s"]),
            float(r["k_beta_per_m"]) if r["k_beta_per_m"].strip() else math.inf,
            r["fuel"],
        )
        for r in rows
    }


def burning_rate(
    diameter,
    *,
    substance=None,
    heat_of_combustion=None,
    boiling_point=None,
    heat_of_vaporisation=None,
    liquid_heat_capacity=None,
    ambient_temperature=293.15,
    model="babrauskas1983",
):
    """Mass burning rate per unit pool area.

    Parameters
    ----------
    diameter : numeric
        Pool diameter. [m]
    substance : str or Substance, optional
        Fuel (``analysis.physics.substances.get`` name); supplies the properties below when they are not given.
    heat_of_combustion : float, optional
        Lower heat of combustion. [J/kg]
    boiling_point : float, optional
        [K]
    heat_of_vaporisation : float, optional
        At the boiling point. [J/kg]
    liquid_heat_capacity : float, optional
        [J/(kg·K)]
    ambient_temperature : float
        Initial liquid temperature. [K]
    model : str
        ``"babrauskas1983"``: m'' = m∞ (1 − e^(−kβ D)) with m∞ and kβ of the fuel from [2] (fuels in
        ``analysis/data/babrauskas_2002_burning_rates.csv``); ``"burgess1974"``: m'' = 10⁻³ ΔH_c / ΔH* with
        ΔH* = ΔH_v + c_p (T_b − T_a) for liquids above their boiling point ΔH* = ΔH_v ([1], Eq. 2.2.35; [3]).

    Returns
    -------
    m : numeric
        [kg/(m²·s)]
    """
    _check_model("model", model, BURNING_RATE_MODELS)
    d = _arr("diameter", diameter, positive=True)
    if model == "babrauskas1983":
        from analysis.physics.substances import get

        if substance is None:
            raise ValueError("substance=None: model='babrauskas1983' needs the fuel to look up m∞ and kβ")
        s = get(substance)
        table = _babrauskas_table()
        if s.key not in table:
            raise ValueError(
                f"substance={s.name_zh}/{s.name_en!r} has no entry in Babrauskas' table (model='babrauskas1983'); "
                f"fuels in the table: {', '.join(sorted(table))}; use model='burgess1974' for others"
            )
        m_inf, kb, _ = table[s.key]
        return _out(m_inf * (1.0 - np.exp(-kb * d)))  # [2], Eq. (1)
    hc, tb, hv, cp = _fuel_props(
        substance, heat_of_combustion, boiling_point, heat_of_vaporisation, liquid_heat_capacity
    )
    ta = _scalar("ambient_temperature", ambient_temperature, positive=True)
    dh = hv + cp * max(tb - ta, 0.0)  # [1], Eq. 2.2.36: ΔH* (no sensible heat for a boiling liquid)
    return _out(np.broadcast_to(1e-3 * hc / dh, d.shape).copy())  # [1], Eq. 2.2.35


def _fuel_props(substance, hc, tb, hv, cp):
    s = None
    if substance is not None:
        from analysis.physics.substances import get

        s = get(substance)
    vals = {
        "heat_of_combustion": hc if hc is not None else (s.heat_of_combustion if s else None),
        "boiling_point": tb if tb is not None else (s.boiling_point if s else None),
        "heat_of_vaporisation": hv if hv is not None else (s.heat_of_vaporisation if s else None),
        "liquid_heat_capacity": cp if cp is not None else (s.liquid_heat_capacity if s else None),
    }
    for k, v in vals.items():
        if v is None:
            raise ValueError(f"{k}=None: give {k} or a substance")
        _scalar(k, v, positive=True)
    return (
        float(vals["heat_of_combustion"]),
        float(vals["boiling_point"]),
        float(vals["heat_of_vaporisation"]),
        float(vals["liquid_heat_capacity"]),
    )


def _u_star(wind_speed, burning_rate, diameter, vapour_density):
    # [1], Eq. 2.2.38 / [6]: u* = u_w / (g m'' D / ρ_v)^(1/3)
    return wind_speed / np.cbrt(G * burning_rate * diameter / vapour_density)


def pool_flame_length(
    diameter,
    burning_rate,
    *,
    wind_speed=0.0,
    air_density=AIR_DENSITY,
    vapour_density=None,
    model="thomas1963",
):
    """Visible flame length of a pool fire.

    Parameters
    ----------
    diameter : numeric
        [m]
    burning_rate : numeric
        [kg/(m²·s)]
    wind_speed : numeric
        At 10 m (Moorhouse) or flame height (Thomas). [m/s]
    air_density : float
        [kg/m³]
    vapour_density : float, optional
        Fuel vapour density at its boiling point [kg/m³]; needed when wind_speed > 0.
    model : str
        ``"thomas1963"``: L/D = 42 (m''/(ρ_a √(gD)))^0.61 in still air ([4]; [1], Eq. 2.2.37) and
        L/D = 55 (m''/(ρ_a √(gD)))^0.67 (u*)^−0.21 in wind ([4]) with u* floored at 1;
        ``"moorhouse1982"``: L/D = 6.2 (m''/(ρ_a √(gD)))^0.254 (u*)^−0.044 ([5]), u* floored at 1.

    Returns
    -------
    length : numeric
        [m]
    """
    _check_model("model", model, FLAME_LENGTH_MODELS)
    d = _arr("diameter", diameter, positive=True)
    m = _arr("burning_rate", burning_rate, positive=True)
    u = _arr("wind_speed", wind_speed, nonnegative=True)
    rho_a = _scalar("air_density", air_density, positive=True)
    x = m / (rho_a * np.sqrt(G * d))
    if np.any(u > 0) or model == "moorhouse1982":
        if vapour_density is None:
            raise ValueError(
                "vapour_density=None: the wind correlations need the fuel vapour density [kg/m³]"
            )
        rho_v = _scalar("vapour_density", vapour_density, positive=True)
        us = np.maximum(_u_star(u, m, d, rho_v), 1.0)
    else:
        us = np.ones_like(x)
    if model == "thomas1963":
        still = 42.0 * x**0.61  # [4]; [1], Eq. 2.2.37
        windy = 55.0 * x**0.67 * us**-0.21  # [4], wind correlation
        return _out(d * np.where(u > 0, windy, still))
    return _out(d * 6.2 * x**0.254 * us**-0.044)  # [5]


def flame_tilt(wind_speed, burning_rate, diameter, vapour_density):
    """Flame tilt from the vertical (AGA 1974).

    Parameters
    ----------
    wind_speed : numeric
        [m/s]
    burning_rate : numeric
        [kg/(m²·s)]
    diameter : numeric
        [m]
    vapour_density : float
        [kg/m³]

    Returns
    -------
    theta : numeric
        [rad]; cos θ = 1 for u* ≤ 1, cos θ = 1/√u* for u* > 1 ([6]; [1], Eq. 2.2.39)
    """
    u = _arr("wind_speed", wind_speed, nonnegative=True)
    m = _arr("burning_rate", burning_rate, positive=True)
    d = _arr("diameter", diameter, positive=True)
    rho_v = _scalar("vapour_density", vapour_density, positive=True)
    us = _u_star(u, m, d, rho_v)
    cos_t = np.where(us <= 1.0, 1.0, 1.0 / np.sqrt(np.maximum(us, 1.0)))  # [6]
    return _out(np.arccos(cos_t))


def surface_emissive_power(
    diameter,
    *,
    model="mudan_croce1988",
    burning_rate=None,
    heat_of_combustion=None,
    flame_length=None,
    radiative_fraction=0.35,
):
    """Average surface emissive power of a pool-fire flame.

    Parameters
    ----------
    diameter : numeric
        [m]
    model : str
        ``"mudan_croce1988"``: E = 140 e^(−0.12 D) + 20 (1 − e^(−0.12 D)) [kW/m²] (smoky hydrocarbon flames, [7]);
        ``"radiative_fraction"``: E = f m'' ΔH_c / (1 + 4 L/D) ([1], Eq. 2.2.40).
    burning_rate, heat_of_combustion, flame_length, radiative_fraction :
        Needed by ``"radiative_fraction"``: [kg/(m²·s)], [J/kg], [m], [-].

    Returns
    -------
    E : numeric
        [W/m²]
    """
    _check_model("model", model, SEP_MODELS)
    d = _arr("diameter", diameter, positive=True)
    if model == "mudan_croce1988":
        e = np.exp(-0.12 * d)
        return _out(140e3 * e + 20e3 * (1.0 - e))  # [7], kW/m² -> W/m²
    for k, v in (
        ("burning_rate", burning_rate),
        ("heat_of_combustion", heat_of_combustion),
        ("flame_length", flame_length),
    ):
        if v is None:
            raise ValueError(f"{k}=None: model='radiative_fraction' needs {k}")
    m = _arr("burning_rate", burning_rate, positive=True)
    hc = _arr("heat_of_combustion", heat_of_combustion, positive=True)
    length = _arr("flame_length", flame_length, positive=True)
    f = _arr("radiative_fraction", radiative_fraction, positive=True, upper=1.0)
    return _out(f * m * hc / (1.0 + 4.0 * length / d))  # [1], Eq. 2.2.40


#: Emissive power of the luminous (unobscured) part of a hydrocarbon pool flame, E_max = 140 kW/m² of Mudan & Croce
#: ([7]); what a target inside the flame receives (between the 100 kW/m² average and 150 kW/m² peak engulfment loads
#: of [14]), unlike the smoke-averaged SEP (→ 20 kW/m² for large pools) that applies outside it. [W/m²]
POOL_FIRE_ENGULFMENT_EMISSIVE_POWER = 140.0e3


@dataclass(frozen=True)
class PoolFire:
    """A pool fire as a solid-flame cylinder (base = pool, tilted downwind by the wind).

    Attributes
    ----------
    diameter : float
        [m]
    burning_rate : float
        [kg/(m²·s)]
    flame_length : float
        Along the flame axis. [m]
    tilt : float
        From the vertical, towards downwind. [rad]
    surface_emissive_power : float
        [W/m²]
    heat_release_rate : float
        m'' A ΔH_c. [W]
    duration : float
        Burn-out time of ``mass`` (inf when no mass was given). [s]
    assumptions : tuple of (str, str)
        Model choices and defaults used.
    """

    diameter: float
    burning_rate: float
    flame_length: float
    tilt: float
    surface_emissive_power: float
    heat_release_rate: float
    duration: float
    assumptions: tuple[tuple[str, str], ...] = field(default=())

    @property
    def radius(self) -> float:
        """[m]"""
        return 0.5 * self.diameter

    @property
    def flame_height(self) -> float:
        """Vertical extent of the flame. [m]"""
        return self.flame_length * math.cos(self.tilt)

    @property
    def engulfment_heat_flux(self) -> float:
        """Heat flux to a target inside the flame. [W/m²]

        max(SEP, 140 kW/m²): the luminous-flame emissive power E_max of Mudan & Croce ([7]), since the smoke
        shielding that lowers the average SEP of large pools ([7]) does not screen a target engulfed by the flame;
        within the 100-150 kW/m² engulfment loads of [14]. Applies wherever :meth:`engulfed` is true; the
        :meth:`heat_flux` methods give the radiation from the flame surface and do not substitute it.
        """
        return max(self.surface_emissive_power, POOL_FIRE_ENGULFMENT_EMISSIVE_POWER)

    def engulfed(self, x, y, *, target_height=0.0):
        """Whether a target at (x, y) reaching up to ``target_height`` is inside the flame. [-] (bool array)

        The flame is the sheared cylinder of the view-factor model ([7]): horizontal circles of the pool radius R
        whose centres move downwind by z tan θ with height z, up to the flame height. A target is engulfed when
        (x − z tan θ)² + y² ≤ R² for some z between 0 and min(target_height, flame height).

        Parameters
        ----------
        x : numeric
            Downwind coordinate from the pool centre. [m]
        y : numeric
            Crosswind coordinate. [m]
        target_height : float
            Top of the target above the ground. [m]
        """
        xa = _arr("x", x)
        ya = _arr("y", y)
        xa, ya = np.broadcast_arrays(xa, ya)
        z = _scalar("target_height", target_height, nonnegative=True)
        shift = min(z, self.flame_height) * math.tan(self.tilt)  # downwind offset of the highest section
        half = np.sqrt(np.maximum(self.radius**2 - ya * ya, 0.0))
        return _out((np.abs(ya) <= self.radius) & (xa >= -half) & (xa <= shift + half))

    def view_factor(self, distance, *, target_height=0.0, direction="downwind"):
        """Maximum view factor at ground distances from the pool centre. [-]

        ``direction``: where the target lies relative to the wind (``"downwind"``, the worst case, ``"upwind"`` or
        ``"crosswind"``); irrelevant for an upright flame.
        """
        d = _arr("distance", distance, nonnegative=True)
        z = _scalar("target_height", target_height, nonnegative=True)
        dirs = ("downwind", "upwind", "crosswind")
        if direction not in dirs:
            raise ValueError(f"direction={direction!r} is not allowed; use one of {dirs}")
        if self.tilt < 1e-9:
            return _out(_upright_view_factor(d, self.radius, self.flame_length, z))
        theta = {"downwind": 0.0, "upwind": np.pi, "crosswind": 0.5 * np.pi}[direction]
        f = _tilted_view_factor(d, np.full(d.shape, theta), self.radius, self.flame_length, self.tilt, z)
        return _out(f)

    def heat_flux(
        self,
        distance,
        *,
        target_height=0.0,
        relative_humidity=0.7,
        ambient_temperature=288.15,
        direction="downwind",
    ):
        """Thermal radiation received at ground distances from the pool centre.

        Parameters
        ----------
        distance : numeric
            From the pool centre. [m]
        target_height : float
            [m]
        relative_humidity : float
            [-]
        ambient_temperature : float
            [K]
        direction : str
            ``"downwind"`` (default, worst case), ``"upwind"`` or ``"crosswind"``.

        Returns
        -------
        q : numeric
            [W/m²]; q = τ E F ([1], Eq. 2.2.31), path length from the flame surface x = d − R. This is the
            radiation from the flame surface; a target inside the flame (:meth:`engulfed`) receives
            :attr:`engulfment_heat_flux` instead (not substituted here).
        """
        d = _arr("distance", distance, nonnegative=True)
        z = _scalar("target_height", target_height, nonnegative=True)
        if z == 0.0 and direction in ("downwind", "upwind", "crosswind"):
            _arr("relative_humidity", relative_humidity, nonnegative=True, upper=1.0)
            _arr("ambient_temperature", ambient_temperature, positive=True)
            theta = {"downwind": 0.0, "upwind": np.pi, "crosswind": 0.5 * np.pi}[direction]
            return _out(_ground_heat_flux(self, d, theta, relative_humidity, ambient_temperature))
        f = np.asarray(self.view_factor(d, target_height=target_height, direction=direction))
        tau = np.asarray(
            atmospheric_transmissivity(
                np.maximum(d - self.radius, 0.0),
                relative_humidity=relative_humidity,
                ambient_temperature=ambient_temperature,
            )
        )
        return _out(tau * self.surface_emissive_power * f)

    def heat_flux_xy(self, x, y, *, target_height=0.0, relative_humidity=0.7, ambient_temperature=288.15):
        """Thermal radiation at ground points around the pool, for maps of a wind-tilted flame.

        Parameters
        ----------
        x : numeric
            Downwind coordinate from the pool centre. [m]
        y : numeric
            Crosswind coordinate. [m]
        target_height : float
            [m]
        relative_humidity : float
            [-]
        ambient_temperature : float
            [K]

        Returns
        -------
        q : numeric
            [W/m²], broadcast shape of x and y. For a tilted flame the view factor comes from a fixed polar table
            (see ``_tilted_view_factor``). Radiation from the flame surface; inside the flame (:meth:`engulfed`)
            use :attr:`engulfment_heat_flux`.
        """
        xa = _arr("x", x)
        ya = _arr("y", y)
        xa, ya = np.broadcast_arrays(xa, ya)
        z = _scalar("target_height", target_height, nonnegative=True)
        r = np.hypot(xa, ya)
        if z == 0.0:
            _arr("relative_humidity", relative_humidity, nonnegative=True, upper=1.0)
            _arr("ambient_temperature", ambient_temperature, positive=True)
            theta = 0.0 if self.tilt < 1e-9 else np.abs(np.arctan2(ya, xa))
            return _out(_ground_heat_flux(self, r, theta, relative_humidity, ambient_temperature))
        if self.tilt < 1e-9:
            f = _upright_view_factor(r, self.radius, self.flame_length, z)
        else:
            f = _tilted_view_factor(
                r, np.abs(np.arctan2(ya, xa)), self.radius, self.flame_length, self.tilt, z
            )
        tau = np.asarray(
            atmospheric_transmissivity(
                np.maximum(r - self.radius, 0.0),
                relative_humidity=relative_humidity,
                ambient_temperature=ambient_temperature,
            )
        )
        return _out(tau * self.surface_emissive_power * f)


def pool_fire(
    diameter,
    *,
    substance=None,
    burning_rate_value=None,
    heat_of_combustion=None,
    wind_speed=0.0,
    ambient_temperature=293.15,
    air_density=AIR_DENSITY,
    mass=None,
    burning_rate_model=None,
    flame_length_model="thomas1963",
    sep_model="mudan_croce1988",
    radiative_fraction=0.35,
) -> PoolFire:
    """Pool fire on a circular pool (use :func:`equivalent_diameter` for a bund of area A).

    Parameters
    ----------
    diameter : float
        Pool (or bund-equivalent) diameter. [m]
    substance : str or Substance, optional
        Fuel; gives the heat of combustion, boiling properties and vapour density.
    burning_rate_value : float, optional
        Mass burning rate overriding the burning-rate model. [kg/(m²·s)]
    heat_of_combustion : float, optional
        Overrides the substance's lower heat of combustion. [J/kg]
    wind_speed : float
        [m/s]
    ambient_temperature : float
        [K]
    air_density : float
        [kg/m³]
    mass : float, optional
        Fuel available, for the burn-out time. [kg]
    burning_rate_model : str, optional
        One of BURNING_RATE_MODELS; default: ``"babrauskas1983"`` when the fuel is in Babrauskas' table, else
        ``"burgess1974"``.
    flame_length_model : str
        One of FLAME_LENGTH_MODELS.
    sep_model : str
        One of SEP_MODELS.
    radiative_fraction : float
        Used by ``sep_model="radiative_fraction"``. [-]

    Returns
    -------
    PoolFire
    """
    d = _scalar("diameter", diameter, positive=True)
    u = _scalar("wind_speed", wind_speed, nonnegative=True)
    ta = _scalar("ambient_temperature", ambient_temperature, positive=True)
    assumptions: list[tuple[str, str]] = []
    s = None
    if substance is not None:
        from analysis.physics.substances import get

        s = get(substance)
        if not s.flammable:
            raise ValueError(
                f"substance={s.name_zh}/{s.name_en!r} is not flammable; a pool fire needs a fuel"
            )
        assumptions.append(
            ("substance", f"物质 {s.name_zh} ({s.name_en}, CAS {s.cas}) {s.surrogate_note}".strip())
        )
    hc = heat_of_combustion if heat_of_combustion is not None else (s.heat_of_combustion if s else None)
    if hc is None:
        raise ValueError("heat_of_combustion=None: give heat_of_combustion [J/kg] or a substance")
    hc = _scalar("heat_of_combustion", hc, positive=True)
    if burning_rate_value is not None:
        m = _scalar("burning_rate_value", burning_rate_value, positive=True)
        assumptions.append(("burning_rate", f"燃烧速率(给定) given: {m:.4g} kg/(m²·s)"))
    else:
        if s is None:
            raise ValueError("burning_rate_value=None and substance=None: give one of them")
        model = burning_rate_model
        if model is None:
            model = "babrauskas1983" if s.key in _babrauskas_table() else "burgess1974"
        _check_model("burning_rate_model", model, BURNING_RATE_MODELS)
        m = float(burning_rate(d, substance=s, ambient_temperature=ta, model=model))
        assumptions.append(("burning_rate", f"燃烧速率 burning rate {model}: {m:.4g} kg/(m²·s)"))
    rho_v = None
    if s is not None:
        rho_v = 101325.0 * s.molar_mass / (R_GAS * s.boiling_point)  # vapour at Tb, 1 atm (ideal gas)
    elif u > 0 or flame_length_model == "moorhouse1982":
        raise ValueError(
            "substance=None: the wind correlations need the fuel vapour density; give a substance"
        )
    length = float(
        pool_flame_length(
            d, m, wind_speed=u, air_density=air_density, vapour_density=rho_v, model=flame_length_model
        )
    )
    tilt = float(flame_tilt(u, m, d, rho_v)) if u > 0 else 0.0
    sep = float(
        surface_emissive_power(
            d,
            model=sep_model,
            burning_rate=m,
            heat_of_combustion=hc,
            flame_length=length,
            radiative_fraction=radiative_fraction,
        )
    )
    area = math.pi * d * d / 4.0
    duration = math.inf
    if mass is not None:
        duration = _scalar("mass", mass, positive=True) / (m * area)
    assumptions += [
        ("flame_length", f"火焰长度 flame length {flame_length_model}: {length:.3g} m"),
        ("tilt", f"火焰倾角 tilt (AGA 1974): {math.degrees(tilt):.1f}°, 风速 wind {u} m/s"),
        ("surface_emissive_power", f"表面辐射功率 SEP {sep_model}: {sep / 1e3:.1f} kW/m²"),
        ("heat_of_combustion", f"燃烧热(低位) lower heat of combustion: {hc / 1e6:.2f} MJ/kg"),
        (
            "view_factor",
            "视角系数: 固体火焰圆柱, 取目标最不利朝向 solid cylinder, max over target orientation (Mudan & Croce 1988; numerical if tilted)",
        ),
        (
            "transmissivity",
            "大气透射率 transmissivity: CCPS 2000 Eq. 2.2.33, 自火焰表面起算 from the flame surface",
        ),
    ]
    return PoolFire(
        diameter=d,
        burning_rate=m,
        flame_length=length,
        tilt=tilt,
        surface_emissive_power=sep,
        heat_release_rate=m * area * hc,
        duration=duration,
        assumptions=tuple(assumptions),
    )


# --------------------------------------------------------------------------------------------------- jet fire
@dataclass(frozen=True)
class JetFire:
    """A vertical jet flame represented by a point source at mid-flame (API 521).

    Attributes
    ----------
    mass_rate : float
        [kg/s]
    heat_release_rate : float
        Q = ṁ ΔH_c. [W]
    flame_length : float
        [m]
    radiative_fraction : float
        [-]
    source_height : float
        Height of the point source (release height + L/2). [m]
    assumptions : tuple of (str, str)
    """

    mass_rate: float
    heat_release_rate: float
    flame_length: float
    radiative_fraction: float
    source_height: float
    assumptions: tuple[tuple[str, str], ...] = field(default=())

    def heat_flux(self, distance, *, target_height=0.0, relative_humidity=0.7, ambient_temperature=288.15):
        """Thermal radiation at ground distances from the release point.

        Parameters
        ----------
        distance : numeric
            [m]
        target_height : float
            [m]
        relative_humidity : float
            [-]
        ambient_temperature : float
            [K]

        Returns
        -------
        q : numeric
            [W/m²]; q = τ F Q / (4π r²), r from the flame centre, τ over r ([8], Annex C point source; [1], Eq. 2.2.31 with a
            point source). Capped at the flux at r = L/2 near the flame.
        """
        d = _arr("distance", distance, nonnegative=True)
        z = _scalar("target_height", target_height, nonnegative=True)
        r = np.sqrt(d * d + (self.source_height - z) ** 2)
        r = np.maximum(r, 0.5 * self.flame_length)
        tau = np.asarray(
            atmospheric_transmissivity(
                r, relative_humidity=relative_humidity, ambient_temperature=ambient_temperature
            )
        )
        return _out(tau * self.radiative_fraction * self.heat_release_rate / (4.0 * np.pi * r * r))


def jet_fire(
    mass_rate,
    *,
    heat_of_combustion=None,
    substance=None,
    exit_velocity=None,
    radiative_fraction=None,
    release_height=0.0,
    model="api521",
) -> JetFire:
    """Vertical jet fire (point-source model).

    Parameters
    ----------
    mass_rate : float
        Release rate burning in the jet. [kg/s]
    heat_of_combustion : float, optional
        Lower heat of combustion [J/kg]; taken from ``substance`` when not given.
    substance : str or Substance, optional
    exit_velocity : float, optional
        Jet velocity at the exit [m/s]; gives the radiative fraction by Chamberlain (1987) [9] when
        ``radiative_fraction`` is not given.
    radiative_fraction : float, optional
        Fraction of the heat release radiated [-]; one of radiative_fraction or exit_velocity is required.
    release_height : float
        [m]
    model : str
        ``"api521"``: flame length L = 0.0059 Q^0.478 [ft, Q in Btu/h] ([8], Beychok's fit of API 521 Fig. C.1),
        point source at mid-flame.

    Returns
    -------
    JetFire
    """
    _check_model("model", model, JET_FIRE_MODELS)
    mr = _scalar("mass_rate", mass_rate, positive=True)
    h0 = _scalar("release_height", release_height, nonnegative=True)
    if heat_of_combustion is None:
        if substance is None:
            raise ValueError("heat_of_combustion=None and substance=None: give one of them")
        from analysis.physics.substances import get

        s = get(substance)
        if not s.flammable:
            raise ValueError(f"substance={s.name_zh}/{s.name_en!r} is not flammable; a jet fire needs a fuel")
        heat_of_combustion = s.heat_of_combustion
    hc = _scalar("heat_of_combustion", heat_of_combustion, positive=True)
    assumptions: list[tuple[str, str]] = []
    if radiative_fraction is not None:
        f = _scalar("radiative_fraction", radiative_fraction, positive=True, upper=1.0)
        assumptions.append(("radiative_fraction", f"辐射分数(给定) radiative fraction given: {f}"))
    elif exit_velocity is not None:
        uj = _scalar("exit_velocity", exit_velocity, positive=True)
        f = 0.21 * math.exp(-0.00323 * uj) + 0.11  # [9]
        assumptions.append(
            (
                "radiative_fraction",
                f"辐射分数 radiative fraction (Chamberlain 1987, u_j = {uj:.4g} m/s): {f:.3f}",
            )
        )
    else:
        raise ValueError("radiative_fraction=None and exit_velocity=None: give one of them")
    q = mr * hc
    q_btu_h = q * 3.412141633  # W -> Btu/h
    length = 0.0059 * q_btu_h**0.478 * 0.3048  # [8]: ft -> m
    assumptions += [
        ("flame_length", f"火焰长度 flame length (API 521 Fig. C.1, Beychok fit): {length:.3g} m"),
        (
            "geometry",
            "竖直射流, 点源位于释放高度 + L/2, 不计风致倾斜 vertical jet, point source at release height + L/2, no wind tilt",
        ),
        (
            "transmissivity",
            "大气透射率 transmissivity: CCPS 2000 Eq. 2.2.33, 至火焰中心距离 over the distance to the flame centre",
        ),
    ]
    return JetFire(
        mass_rate=mr,
        heat_release_rate=q,
        flame_length=length,
        radiative_fraction=f,
        source_height=h0 + 0.5 * length,
        assumptions=tuple(assumptions),
    )


# --------------------------------------------------------------------------------------------------- fireball
_FB = {
    # model: (D coefficient, D exponent, duration rule, lift-off height / D)
    "ccps1994": (5.8, 1.0 / 3.0, "ccps1994", 0.75),
    "roberts1982": (5.8, 1.0 / 3.0, "roberts1982", 0.75),
    "tno1997": (6.48, 0.325, "tno1997", 0.75),
    "cpqra2000": (6.48, 0.325, "cpqra2000", 0.75),
}


#: Upper end of the fireball radiative-fraction range 0.25-0.4 ([10]); Hymes' value for a vessel failing at or
#: above its relief set pressure ([13]). Roberts' 0.27 P^0.32 ([11]) was fitted to LPG vessels at about 0.3-2 MPa
#: and exceeds 0.4 above 4.2 MPa (0.56 at 10 MPa), which is outside its data; it is therefore capped here.
FIREBALL_MAX_RADIATIVE_FRACTION = 0.4
#: Surface emissive power recommended by CCPS (1994) for large-scale hydrocarbon fireballs ([10]; [12] gives
#: 200-350 kW/m² for hydrocarbon fireballs): the default cap on E = f M ΔH_c / (π D² t). [W/m²]
FIREBALL_MAX_EMISSIVE_POWER = 350.0e3


def fireball_diameter(mass, *, model="ccps1994"):
    """Maximum diameter of a BLEVE fireball.

    Parameters
    ----------
    mass : numeric
        Fuel mass in the fireball. [kg]
    model : str
        One of FIREBALL_MODELS: ``"ccps1994"`` and ``"roberts1982"`` D = 5.8 M^(1/3) ([10], [11]);
        ``"tno1997"`` and ``"cpqra2000"`` D = 6.48 M^0.325 ([12]; [1], Eq. 2.2.47).

    Returns
    -------
    diameter : numeric
        [m]
    """
    _check_model("model", model, FIREBALL_MODELS)
    m = _arr("mass", mass, positive=True)
    a, b, _, _ = _FB[model]
    return _out(a * (np.cbrt(m) if b == 1.0 / 3.0 else m**b))  # cbrt: exact for cubes (58 m at 1000 kg)


def fireball_duration(mass, *, model="ccps1994"):
    """Duration of a BLEVE fireball.

    Parameters
    ----------
    mass : numeric
        [kg]
    model : str
        ``"ccps1994"``: t = 0.45 M^(1/3) for M < 30 000 kg, 2.6 M^(1/6) above ([10]); ``"roberts1982"``:
        t = 0.45 M^(1/3) ([11]); ``"tno1997"``: t = 0.852 M^0.26 ([12]); ``"cpqra2000"``: t = 0.825 M^0.26
        ([1], Eq. 2.2.48).

    Returns
    -------
    duration : numeric
        [s]
    """
    _check_model("model", model, FIREBALL_MODELS)
    m = _arr("mass", mass, positive=True)
    if model == "ccps1994":
        t = np.where(m < 30000.0, 0.45 * np.cbrt(m), 2.6 * m ** (1.0 / 6.0))  # [10]
    elif model == "roberts1982":
        t = 0.45 * np.cbrt(m)  # [11]
    elif model == "tno1997":
        t = 0.852 * m**0.26  # [12]
    else:
        t = 0.825 * m**0.26  # [1], Eq. 2.2.48
    return _out(t)


@dataclass(frozen=True)
class Fireball:
    """A BLEVE fireball as a sphere of constant diameter at its lift-off height.

    Attributes
    ----------
    mass : float or numpy.ndarray
        [kg] (an array when :func:`fireball` was given an array of masses; every attribute then broadcasts)
    diameter : float or numpy.ndarray
        [m]
    duration : float or numpy.ndarray
        [s]
    lift_off_height : float or numpy.ndarray
        Height of the fireball centre. [m]
    emissive_power : float or numpy.ndarray
        Surface emissive power. [W/m²]
    radiative_fraction : float
        [-]
    model : str
    assumptions : tuple of (str, str)
    """

    mass: float | np.ndarray
    diameter: float | np.ndarray
    duration: float | np.ndarray
    lift_off_height: float | np.ndarray
    emissive_power: float | np.ndarray
    radiative_fraction: float
    model: str
    assumptions: tuple[tuple[str, str], ...] = field(default=())

    def view_factor(self, distance, *, target_height=0.0):
        """View factor of the sphere to a target facing its centre: F = (D/2)² / r² ([1], Eq. 2.2.52). [-]"""
        d = _arr("distance", distance, nonnegative=True)
        z = _scalar("target_height", target_height, nonnegative=True)
        r2 = d * d + (self.lift_off_height - z) ** 2
        rad = 0.5 * self.diameter
        return _out(np.minimum(rad * rad / np.maximum(r2, 1e-300), 1.0))

    def heat_flux(self, distance, *, target_height=0.0, relative_humidity=0.7, ambient_temperature=288.15):
        """Thermal radiation at ground distances from the point below the fireball centre.

        Parameters
        ----------
        distance : numeric
            [m]
        target_height : float
            [m]
        relative_humidity : float
            [-]
        ambient_temperature : float
            [K]

        Returns
        -------
        q : numeric
            [W/m²]; q = τ E F, path length = distance to the centre − D/2 ([1], Eqs. 2.2.31, 2.2.52).
        """
        d = _arr("distance", distance, nonnegative=True)
        z = _scalar("target_height", target_height, nonnegative=True)
        r = np.sqrt(d * d + (self.lift_off_height - z) ** 2)
        f = np.asarray(self.view_factor(d, target_height=z))
        tau = np.asarray(
            atmospheric_transmissivity(
                np.maximum(r - 0.5 * self.diameter, 0.0),
                relative_humidity=relative_humidity,
                ambient_temperature=ambient_temperature,
            )
        )
        return _out(tau * self.emissive_power * f)


def fireball(
    mass,
    *,
    model="ccps1994",
    substance=None,
    heat_of_combustion=None,
    radiative_fraction=None,
    vessel_pressure=None,
    max_emissive_power=FIREBALL_MAX_EMISSIVE_POWER,
) -> Fireball:
    """BLEVE fireball: size, duration, lift-off height and surface emissive power.

    Parameters
    ----------
    mass : numeric
        Flammable mass in the fireball [kg]; an array gives array attributes.
    model : str
        One of FIREBALL_MODELS (see :func:`fireball_diameter`, :func:`fireball_duration`); lift-off height
        H = 0.75 D ([1], Eq. 2.2.50).
    substance : str or Substance, optional
        Fuel for the heat of combustion (default: propane, the usual BLEVE fuel; recorded in ``assumptions``).
    heat_of_combustion : float, optional
        Lower heat of combustion. [J/kg]
    radiative_fraction : float, optional
        Fraction of the combustion energy radiated [-]. Default: 0.27 P^0.32 with the vessel pressure P in MPa
        ([11]; [12]; [1], Eq. 2.2.51), capped at FIREBALL_MAX_RADIATIVE_FRACTION = 0.4 ([10], [13]), when
        ``vessel_pressure`` is given, else 0.3 (middle of the 0.25–0.4 range of [10]). A value given here is used
        as is.
    vessel_pressure : float, optional
        Absolute vessel pressure at failure. [Pa]
    max_emissive_power : float or None
        Cap on the surface emissive power [W/m²]; default FIREBALL_MAX_EMISSIVE_POWER = 350 kW/m² ([10], [12]).
        The energy balance E = f M ΔH_c / (π D² t) exceeds it for fuels of very high heat of combustion per kg
        (hydrogen: 120 MJ/kg with diameter/duration correlations fitted to hydrocarbons) or high pressures; the
        cap and the uncapped value are recorded in ``assumptions``. None disables the cap.

    Returns
    -------
    Fireball
        E = min(f M ΔH_c / (π D² t), max_emissive_power) ([1], Eq. 2.2.51; [10]).
    """
    _check_model("model", model, FIREBALL_MODELS)
    m = _out(_arr("mass", mass, positive=True))  # a number, or an array of masses (results broadcast)
    assumptions: list[tuple[str, str]] = [("model", f"火球模型 fireball model {model}")]
    if heat_of_combustion is None:
        from analysis.physics.substances import get

        s = get(substance if substance is not None else "propane")
        heat_of_combustion = s.heat_of_combustion
        assumptions.append(
            (
                "fuel",
                f"燃料 fuel {s.name_zh} ({s.name_en})" + ("" if substance is not None else " (默认 default)"),
            )
        )
    hc = _scalar("heat_of_combustion", heat_of_combustion, positive=True)
    if radiative_fraction is not None:
        f = _scalar("radiative_fraction", radiative_fraction, positive=True, upper=1.0)
        assumptions.append(("radiative_fraction", f"辐射分数(给定) radiative fraction given: {f}"))
    elif vessel_pressure is not None:
        p = _scalar("vessel_pressure", vessel_pressure, positive=True)
        f_roberts = (
            0.27 * (p / 1e6) ** 0.32
        )  # [11]; [12]: 0.00325 P^0.32 with P in Pa, i.e. P converted to MPa
        f = min(f_roberts, FIREBALL_MAX_RADIATIVE_FRACTION)  # [10], [13]: range 0.25-0.4
        text = f"辐射分数 radiative fraction 0.27 P^0.32, P = {p / 1e6:.3g} MPa: {f_roberts:.3f}"
        if f < f_roberts:
            text += f" → 取上限 capped at {f:.2f} (CCPS 1994 范围 range 0.25-0.4)"
        assumptions.append(("radiative_fraction", text))
    else:
        f = 0.3
        assumptions.append(
            (
                "radiative_fraction",
                "辐射分数 radiative fraction 0.3 (默认 default; CCPS 1994 范围 range 0.25-0.4)",
            )
        )
    d = fireball_diameter(m, model=model)
    t = fireball_duration(m, model=model)
    h = _FB[model][3] * d
    e = f * m * hc / (math.pi * d * d * t)  # [1], Eq. 2.2.51
    if max_emissive_power is not None:
        e_max = _scalar("max_emissive_power", max_emissive_power, positive=True)
        if np.any(np.asarray(e) > e_max):
            e_hi = float(np.max(e))
            assumptions.append(
                (
                    "emissive_power_cap",
                    f"表面辐射功率取上限 SEP capped at {e_max / 1e3:.0f} kW/m² (CCPS 1994 大型烃类火球 large "
                    f"hydrocarbon fireballs; 能量平衡值 energy-balance value up to {e_hi / 1e3:.0f} kW/m²)",
                )
            )
        e = _out(np.minimum(e, e_max))  # [10]
    assumptions += [
        ("lift_off_height", "火球中心高度 lift-off height 0.75 D (CCPS 2000 Eq. 2.2.50)"),
        ("heat_of_combustion", f"燃烧热(低位) lower heat of combustion: {hc / 1e6:.2f} MJ/kg"),
        ("view_factor", "视角系数: 球体, 目标正对球心 sphere facing the target: (D/2)²/r²"),
    ]
    return Fireball(
        mass=m,
        diameter=d,
        duration=t,
        lift_off_height=h,
        emissive_power=e,
        radiative_fraction=f,
        model=model,
        assumptions=tuple(assumptions),
    )


# --------------------------------------------------------------------------------------------------- flash fire
@dataclass(frozen=True)
class FlashFire:
    """The flash-fire envelope of a flammable cloud.

    Attributes
    ----------
    inside : numpy.ndarray of bool
        True where the concentration reaches the threshold (people inside are assumed to be killed, outside
        unharmed — [1] §2.2.6 / Purple Book convention).
    threshold : float
        Concentration threshold used: fraction × LFL converted to kg/m³. [kg/m³]
    fraction : float
        Fraction of the LFL used (1.0 for the LFL, 0.5 for the ½ LFL envelope). [-]
    assumptions : tuple of (str, str)
    """

    inside: np.ndarray
    threshold: float
    fraction: float
    assumptions: tuple[tuple[str, str], ...] = field(default=())

    @property
    def area_fraction(self) -> float:
        """Share of the field's cells inside the envelope. [-]"""
        return float(np.mean(self.inside)) if self.inside.size else 0.0


def flash_fire(
    concentration, *, lfl, molar_mass, fraction=1.0, temperature=298.15, pressure=101325.0
) -> FlashFire:
    """Flash-fire envelope: where a concentration field reaches (a fraction of) the lower flammability limit.

    Parameters
    ----------
    concentration : array_like
        Concentration field from a dispersion model. [kg/m³]
    lfl : float
        Lower flammability limit. [volume fraction]
    molar_mass : float
        [kg/mol]
    fraction : float
        Multiple of the LFL defining the envelope (1.0 = LFL, 0.5 = ½ LFL for cloud inhomogeneity). [-]
    temperature, pressure : float
        State at which the LFL volume fraction is converted to kg/m³ (ideal gas). [K], [Pa]

    Returns
    -------
    FlashFire
    """
    c = _arr("concentration", concentration, nonnegative=True)
    x = _scalar("lfl", lfl, positive=True, upper=1.0)
    mm = _scalar("molar_mass", molar_mass, positive=True)
    fr = _scalar("fraction", fraction, positive=True, upper=1.0)
    t = _scalar("temperature", temperature, positive=True)
    p = _scalar("pressure", pressure, positive=True)
    thr = fr * x * p * mm / (R_GAS * t)  # volume fraction -> kg/m³ (ideal gas)
    return FlashFire(
        inside=np.asarray(c >= thr),
        threshold=thr,
        fraction=fr,
        assumptions=(("envelope", f"闪火范围 flash-fire envelope {fr:g} × LFL = {thr:.4g} kg/m³ ({t} K)"),),
    )

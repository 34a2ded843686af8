"""View factors of solid-flame cylinders (upright and wind-tilted) from point targets, and their per-flame tables.

The maximum view factor F [-] of a flame surface seen from a target, over the target's orientation, enters the
solid-flame heat flux q = τ E F ([1], Eq. 2.2.31). Upright flames use the closed form of a vertical cylinder
([7]); tilted flames the contour integral of :func:`view_factor_cylinder` (Sparrow 1963). For park-wide maps the
values are tabulated once per flame geometry and interpolated (functions with a leading underscore, used by
:mod:`analysis.physics.pool_fire`). Re-exported by :mod:`analysis.physics.fire`. Reference numbers are those of :mod:`analysis.physics.fire`, which lists every fire reference.

References
----------
.. [1] CCPS (2000). Guidelines for Chemical Process Quantitative Risk Analysis, 2nd ed. AIChE, New York.
       §2.2.6: Eq. 2.2.31 (solid-flame flux), the tilted solid-flame cylinder.
.. [7] Mudan, K. S. & Croce, P. A. (1988). Fire hazard calculations for large open hydrocarbon fires. SFPE Handbook
       of Fire Protection Engineering, 1st ed., §2-4: view factors of a vertical cylinder to a vertical and a
       horizontal target (after Mudan 1984, Prog. Energy Combust. Sci. 10:59–80).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from analysis import _checks

__all__ = ["view_factor_cylinder", "view_factor_vertical_cylinder"]


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
    return _checks.out(fv), _checks.out(fh)


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
    _checks.choice("method", method, ("contour", "quadrature"))
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
    return _checks.out(out.reshape(x.shape))


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

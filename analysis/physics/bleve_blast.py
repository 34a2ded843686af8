"""BLEVE blast: the mechanical energy of a bursting vessel of liquefied gas and the part of it that makes the blast.

When a vessel of pressurised liquefied gas bursts, the superheated liquid flashes and, with the vapour already in
the vessel, expands to atmospheric pressure. The work of that expansion is the energy of the pressure wave and of
the fragments. Planas-Cuchi, Salla & Casal (2004) [1]_ bracket it between two adiabatic expansions of the whole
content (liquid + vapour, in thermodynamic equilibrium before and after) from the state at failure to saturation at
the ambient pressure P0:

- ``"planas_cuchi2004"`` (default): adiabatic and irreversible expansion against the atmosphere, the only work being
  P0 ΔV, so that ΔU = P0 ΔV ([1] Eq. 9); the final vapour fraction x follows from the mass and energy balances in
  closed form ([1] Eqs. 10-12). [1] argues that this is the realistic case (a sudden burst is highly irreversible).
- ``"isentropic"``: reversible adiabatic expansion (the final state has the entropy of the content at failure),
  the maximum work an adiabatic expansion can give ([1] §3.1 and Table 1, third column): an upper bound.

The blast energy is the fraction β of the expansion work that goes into the pressure wave; the rest becomes kinetic
energy of the fragments. [1] (§3.1, after Casal et al. 1999) takes β = 0.8 for a brittle failure and β = 0.4 for a
ductile one, and notes that vessels are in practice ductile at their operating conditions and that BLEVEs usually
involve ductile failure: β = 0.4 is the default here. The blast of that energy is computed with
:func:`analysis.physics.explosion.vessel_burst_overpressure` (TNT equivalent at 4680 J/g, as in [1] §3.3).

Thermodynamic properties come from :mod:`analysis.physics.substances` (thermo's recommended correlations): the
saturated liquid's enthalpy and entropy are integrated from its heat capacity from the ambient boiling point, the
vapour's add the heat of vaporisation; the specific volumes are those of the saturated liquid and of the saturated
vapour (cubic equation of state); internal energy u = h − P v. For the worked example of [1] (250 m³ of propane at
55 °C) this reproduces the published irreversible work within 0.5 % and the isentropic one within 5 %
(tests/analysis/test_bleve_blast.py).

References
----------
.. [1] Planas-Cuchi, E., Salla, J. M., Casal, J. (2004). Calculating overpressure from BLEVE explosions. *J. Loss
   Prev. Process Ind.* 17, 431-436, doi:10.1016/j.jlp.2004.08.002: Eqs. 9-13, §3.1 (β), §3.3 example (Tables 1-2).
.. [3] Prugh, R. W. (1991). Quantify BLEVE hazards. *Chem. Eng. Prog.* 87(2), 66-72: the expansion energy of a
   bursting vessel as a TNT-equivalent mass (E / 4680 J/g) read on the TNT blast curve ([1] Eqs. 4-5, 13).
.. [4] Kingery, C. N., Bulmash, G. (1984). ARBRL-TR-02555: hemispherical TNT surface-burst curves
   (:func:`analysis.physics.explosion.tnt_overpressure`).
.. [2] Casal, J. (2018). *Evaluation of the Effects and Consequences of Major Accidents in Industrial Plants*, 2nd
   ed., Elsevier, ch. 7 (BLEVE: the same irreversible-expansion method and β). Not re-checked page by page here;
   the equations used are those of [1].
"""

from __future__ import annotations

import math

import numpy as np
from scipy.integrate import quad
from scipy.optimize import brentq

from analysis import _checks
from analysis.constants import P_ATM
from analysis.errors import AnalysisInputError, OutsideModelRangeError
from analysis.physics import explosion as ex
from analysis.physics import substances

__all__ = [
    "BLEVE_ENERGY_METHODS",
    "BLEVE_BLAST_FRACTION_DUCTILE",
    "BLEVE_BLAST_FRACTION_BRITTLE",
    "bleve_expansion_work",
    "bleve_blast_energy",
    "vessel_burst_overpressure",
    "vessel_burst_impulse_from_energy",
]

#: Expansion assumptions: key -> description.
BLEVE_ENERGY_METHODS: dict[str, str] = {
    "planas_cuchi2004": "绝热不可逆膨胀 ΔU = P0·ΔV（Planas-Cuchi et al. 2004）",
    "isentropic": "等熵膨胀（可逆绝热，最大功，上限）",
}
BLEVE_BLAST_FRACTION_DUCTILE = 0.4  # [-], [1] §3.1: ductile failure (the usual case)
BLEVE_BLAST_FRACTION_BRITTLE = 0.8  # [-], [1] §3.1: brittle (fragile) failure
_PSAT_TOLERANCE = 0.10  # allowed relative difference of `pressure` from the vapour pressure


def _boiling_point_at(sub, pressure: float) -> float:
    """Saturation temperature at ``pressure`` [Pa] from the substance's vapour-pressure correlation. [K]"""
    tc = sub.critical_temperature
    grid = np.linspace(max(sub.boiling_point - 120.0, 20.0), tc, 241)
    f = np.asarray(sub.vapour_pressure(grid), dtype=float) - pressure
    ok = np.isfinite(f)
    change = np.flatnonzero(ok[:-1] & ok[1:] & (f[:-1] < 0) & (f[1:] >= 0))
    if change.size == 0:
        raise OutsideModelRangeError(
            f"{sub.name_zh} 在 {pressure:g} Pa 下的沸点不在其蒸气压关联式的范围内（{grid[0]:.0f}–{tc:.0f} K）"
            f"(no saturation temperature of {sub.name_en} at {pressure:g} Pa)"
        )
    k = int(change[0])
    return brentq(lambda t: float(sub.vapour_pressure(t)) - pressure, grid[k], grid[k + 1], xtol=1e-6)


def _saturation_state(sub, t: float, t_ref: float) -> dict[str, float]:
    """Saturated liquid and vapour at t [K]: p [Pa], v [m³/kg], u [J/kg], s [J/(kg·K)] relative to the liquid at t_ref."""
    p = float(sub.vapour_pressure(t))
    v_l = 1.0 / float(sub.liquid_density_at(t))
    v_g = 1.0 / float(sub.vapour_density_at(t))
    h_vap = float(sub.heat_of_vaporisation_at(t))
    h_l = quad(lambda x: float(sub.liquid_heat_capacity_at(x)), t_ref, t)[0]  # h = ∫ cp dT along saturation
    s_l = quad(lambda x: float(sub.liquid_heat_capacity_at(x)) / x, t_ref, t)[0]  # s = ∫ cp/T dT
    values = (p, v_l, v_g, h_vap, h_l, s_l)
    if not all(math.isfinite(x) for x in values) or v_g <= v_l:
        raise OutsideModelRangeError(
            f"{sub.name_zh} 在 {t:.1f} K 的饱和性质无法由物性关联式得到（接近临界点或超出关联式范围）"
            f"(saturation properties of {sub.name_en} unavailable at {t:.1f} K)"
        )
    return {
        "p": p,
        "v_l": v_l,
        "v_g": v_g,
        "u_l": h_l - p * v_l,
        "u_g": h_l + h_vap - p * v_g,
        "s_l": s_l,
        "s_g": s_l + h_vap / t,
    }


def bleve_expansion_work(
    *, mass, temperature, substance, volume=None, method="planas_cuchi2004", ambient_pressure=P_ATM
) -> float:
    """Mechanical energy released by the expansion of a bursting vessel's liquefied-gas content (BLEVE).

    The content (saturated liquid and vapour at ``temperature``) expands adiabatically to liquid-vapour equilibrium
    at ``ambient_pressure``; the energy is the fall of its internal energy ΔU = U_i − U_f, with the final vapour
    fraction from the chosen assumption ([1]_ Eqs. 9-12 or the isentropic state of [1] Table 1).

    Parameters
    ----------
    mass : float
        Total mass of liquid and vapour in the vessel m_T. [kg]
    temperature : float
        Temperature of the content at the moment of failure; above the boiling point at ``ambient_pressure`` and
        below the critical temperature. [K]
    substance : str or Substance
        The liquefied gas (a name known to :mod:`analysis.physics.substances`).
    volume : float, optional
        Inner volume of the vessel V_i [m³]; the vapour space is V_i − m_L v_L. None: the vessel is taken as full
        of liquid (no vapour space; the vapour's own expansion, a few % of the work for a vessel filled to 80 %,
        is then left out).
    method : str
        A key of :data:`BLEVE_ENERGY_METHODS`: ``"planas_cuchi2004"`` (irreversible, default) or ``"isentropic"``.
    ambient_pressure : float
        P0. [Pa]

    Returns
    -------
    energy : float
        ΔU, the mechanical energy of the expansion (pressure wave + fragments). [J]

    References
    ----------
    .. [1] Planas-Cuchi, Salla & Casal (2004), J. Loss Prev. Process Ind. 17:431-436, Eqs. 9-12, Table 1.
    """
    _checks.choice("method", method, BLEVE_ENERGY_METHODS)
    sub = substances.get(substance)
    m_t = _checks.scalar("mass", mass, positive_only=True)
    t = _checks.scalar("temperature", temperature, positive_only=True)
    p0 = _checks.scalar("ambient_pressure", ambient_pressure, positive_only=True)
    t_b = _boiling_point_at(sub, p0)
    if not t_b < t < sub.critical_temperature:
        raise OutsideModelRangeError(
            f"temperature 温度 {t:.2f} K 须高于 {sub.name_zh} 在 {p0:g} Pa 下的沸点 {t_b:.2f} K（过热液体才会发生 "
            f"BLEVE）且低于临界温度 {sub.critical_temperature:.2f} K (temperature must lie between the boiling point "
            "and the critical temperature)"
        )
    i = _saturation_state(sub, t, t_b)
    f = _saturation_state(sub, t_b, t_b)
    v_i = m_t * i["v_l"] if volume is None else _checks.scalar("volume", volume, positive_only=True)
    x_i = (v_i / m_t - i["v_l"]) / (i["v_g"] - i["v_l"])  # vapour mass fraction at failure
    if x_i < -1e-9 or x_i >= 1.0:
        raise AnalysisInputError(
            f"volume 容积 {v_i:g} m³ 与 mass 质量 {m_t:g} kg 不符：{t:.1f} K 下的饱和液体需 ≥ {m_t * i['v_l']:.3g} m³，"
            f"全部为蒸气时为 {m_t * i['v_g']:.3g} m³；请核对容积或存量 (volume inconsistent with the mass)"
        )
    x_i = max(x_i, 0.0)
    u_i = m_t * ((1.0 - x_i) * i["u_l"] + x_i * i["u_g"])
    if method == "isentropic":
        s_i = (1.0 - x_i) * i["s_l"] + x_i * i["s_g"]
        x_f = (s_i - f["s_l"]) / (f["s_g"] - f["s_l"])  # [1] Table 1, note c: s_f = s_i at P0
    else:
        # [1] Eqs. 10-12: U_i − m_T[(1−x)u_L + x u_G] = P0 (m_T[(1−x)v_L + x v_G] − V_i), solved for x
        num = u_i - m_t * f["u_l"] - p0 * (m_t * f["v_l"] - v_i)
        den = m_t * ((f["u_g"] - f["u_l"]) + p0 * (f["v_g"] - f["v_l"]))
        x_f = num / den
    u_f = m_t * ((1.0 - x_f) * f["u_l"] + x_f * f["u_g"])
    return max(u_i - u_f, 0.0)


def bleve_blast_energy(
    *,
    mass,
    temperature,
    pressure,
    substance,
    volume=None,
    method="planas_cuchi2004",
    blast_fraction=BLEVE_BLAST_FRACTION_DUCTILE,
    ambient_pressure=P_ATM,
) -> float:
    """Blast energy of a BLEVE: the part β of the content's expansion work that goes into the pressure wave.

    E_blast = β ΔU with ΔU from :func:`bleve_expansion_work` (adiabatic irreversible expansion by default, [1]_
    Eqs. 9-12) and β = 0.4 for the usual ductile failure ([1] §3.1). Use with
    :func:`analysis.physics.explosion.vessel_burst_overpressure` for the overpressure.

    Parameters
    ----------
    mass : float
        Total mass of liquid and vapour in the vessel. [kg]
    temperature : float
        Temperature of the content at failure (saturated). [K]
    pressure : float
        Absolute pressure in the vessel at failure; must be the vapour pressure at ``temperature`` within 10 %
        (the model assumes a saturated liquefied gas: no inert padding gas). [Pa]
    substance : str or Substance
    volume : float, optional
        Inner volume of the vessel [m³]; None: full of liquid (see :func:`bleve_expansion_work`).
    method : str
        ``"planas_cuchi2004"`` (default) or ``"isentropic"`` (upper bound).
    blast_fraction : float
        β, 0 < β ≤ 1: 0.4 ductile failure (default), 0.8 brittle failure ([1] §3.1). [-]
    ambient_pressure : float
        [Pa]

    Returns
    -------
    energy : float
        [J]

    Examples
    --------
    [1] §3.3: 250 m³ filled to 80 % with propane at 20 °C (100 956 kg), heated to 55 °C (1.901 MPa):
    ΔU = 2490 MJ (irreversible), 0.4 × ΔU / 4.68 MJ/kg = 212 kg TNT.

    References
    ----------
    .. [1] Planas-Cuchi, Salla & Casal (2004), J. Loss Prev. Process Ind. 17:431-436.
    """
    sub = substances.get(substance)
    beta = _checks.scalar("blast_fraction", blast_fraction, positive_only=True, upper=1.0)
    p = _checks.scalar("pressure", pressure, positive_only=True)
    t = _checks.scalar("temperature", temperature, positive_only=True)
    psat = float(sub.vapour_pressure(t)) if t < sub.critical_temperature else math.nan
    if not abs(p - psat) <= _PSAT_TOLERANCE * psat:
        raise AnalysisInputError(
            f"pressure 压力 {p:g} Pa 与 {sub.name_zh} 在 temperature={t:.2f} K 下的饱和蒸气压 {psat:g} Pa 相差超过 10 %："
            "BLEVE 模型假定容器内为饱和液化气体，请给出失效时的温度及其饱和压力 "
            "(pressure must be the vapour pressure at the temperature within 10 %)"
        )
    work = bleve_expansion_work(
        mass=mass,
        temperature=t,
        substance=sub,
        volume=volume,
        method=method,
        ambient_pressure=ambient_pressure,
    )
    return beta * work


def _tnt_mass_of(energy, tnt_energy):
    e = _checks.nonneg("energy", energy)
    return e / _checks.scalar("tnt_energy", tnt_energy, positive_only=True)


def _check_scaled_distance(w, r) -> None:
    """Refuse points inside the charge: Z below the lower end of the Kingery-Bulmash polynomial [4]_."""
    z = np.asarray(ex.tnt_scaled_distance(w, r))
    zmin = ex.KB_PRESSURE_Z_RANGE[0]
    if z.size and z.min() < zmin:
        raise OutsideModelRangeError(
            f"distance 距离过近：比例距离 Z = R/W^(1/3) 最小为 {z.min():.4f} m/kg^(1/3)，低于爆炸曲线下限 {zmin} "
            "（位于爆源范围内，曲线不适用；请取容器外壁处的值作为近场值）"
            f"(scaled distance below {zmin}: inside the source)"
        )


def vessel_burst_overpressure(*, energy, distance, tnt_energy=ex.TNT_ENERGY_CCPS, burst_pressure=None):
    """Side-on peak overpressure of a bursting vessel from its blast energy (TNT equivalence, Prugh / Planas-Cuchi).

    The blast energy (a compressed gas's expansion energy, e.g. Brode's (P − P0) V/(γ − 1); or a BLEVE's
    :func:`bleve_blast_energy`) is turned into a TNT-equivalent mass W = E / E_TNT with E_TNT = 4680 J/g ([3]_;
    [1]_ §3.3), whose side-on overpressure is read on the hemispherical Kingery-Bulmash surface-burst curve [4]_
    (which contains the ground reflection: the energy is not doubled). Far field, as the method is meant: near a
    bursting vessel a gas burst gives a lower peak and a longer pulse than TNT.

    Parameters
    ----------
    energy : numeric
        Blast energy E. [J]
    distance : numeric
        Distance from the centre of the vessel R. [m]
    tnt_energy : float
        E_TNT, default 4.68e6. [J/kg]
    burst_pressure : float, optional
        Absolute pressure in the vessel at failure [Pa]: when given, no overpressure exceeds P − P0 (a blast from an
        expanding gas cannot exceed its driving pressure).

    Returns
    -------
    overpressure : numeric
        [Pa]

    Raises
    ------
    OutsideModelRangeError
        A point whose scaled distance R/W^(1/3) is below 0.0531 m/kg^(1/3), the lower end of the curve [4]_ (inside
        the source: scenarios hold the value at the vessel's wall there and flag the region).

    Notes
    -----
    Beyond Z = 40 m/kg^(1/3) the curve continues with Swisdak's far-field power law, see
    :func:`analysis.physics.explosion.kb_scaled_overpressure`. The Baker (1983) / Tang-Baker-Strehlow (CCPS 2010)
    curves of the near field of a vessel burst, which depend on the vessel's pressure ratio, are not used: no
    tabulated values were found to check a digitisation against.

    Examples
    --------
    [1] §3.3: W = 548 kg TNT (isentropic BLEVE of 250 m³ propane, β = 0.4) gives 5.3 kPa at 180 m; W = 212 kg
    (irreversible) gives 4.0 kPa (read on a printed TNT curve).

    References
    ----------
    .. [1] Planas-Cuchi, Salla & Casal (2004), §3.3.
    .. [3] Prugh (1991).
    .. [4] Kingery & Bulmash (1984).
    """
    w = _tnt_mass_of(energy, tnt_energy)
    r = _checks.nonneg("distance", distance)
    _check_scaled_distance(w, r)
    p = ex.tnt_overpressure(w, r)
    if burst_pressure is not None:
        cap = _checks.scalar("burst_pressure", burst_pressure, positive_only=True) - P_ATM
        p = _checks.out(np.minimum(p, max(cap, 0.0)))
    return p


def vessel_burst_impulse_from_energy(*, energy, distance, tnt_energy=ex.TNT_ENERGY_CCPS):
    """Side-on positive impulse of a bursting vessel from its blast energy (TNT equivalent, as
    :func:`vessel_burst_overpressure`).

    Parameters
    ----------
    energy : numeric
        [J]
    distance : numeric
        [m]
    tnt_energy : float
        [J/kg]

    Returns
    -------
    impulse : numeric
        [Pa·s]
    """
    return ex.tnt_impulse(_tnt_mass_of(energy, tnt_energy), _checks.nonneg("distance", distance))

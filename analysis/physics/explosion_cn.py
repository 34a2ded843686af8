"""Blast radii of Chinese safety-assessment practice (国内安全评价常用方法) for a TNT-equivalent mass.

Chinese safety-assessment (安全评价) reports turn the TNT mass of a vapour-cloud explosion,
``W_TNT = 1.8 α W_f Q_f / Q_TNT`` (:func:`analysis.physics.explosion.tnt_equivalent_mass_cn`), into four radii:

- death radius (死亡半径) R₀.₅ = 13.6 (W_TNT / 1000)^0.37 [m] — 50 % lethality, taken as "everyone inside dies,
  nobody outside" [1]_ [2]_;
- serious-injury radius (重伤半径) R = Z (E / P₀)^{1/3} with E = W_TNT Q_TNT and Z the root of
  ΔP/P₀ = 0.137 Z⁻³ + 0.119 Z⁻² + 0.269 Z⁻¹ − 0.019 at ΔP = 44 000 Pa [1]_ [3]_;
- light-injury (eardrum) radius (轻伤半径) the same at ΔP = 17 000 Pa [1]_ [3]_;
- property-damage radius (财产损失半径) R = K W_TNT^{1/3} / [1 + (3175 / W_TNT)²]^{1/6}, K = 4.6 [2]_.

These are the formulas as printed in the public worked examples below; the textbooks they come from
(国家安全生产监督管理总局《安全评价》第 3 版, 2005; 吴宗之、高进东《重大危险源辨识与控制》, 2001) could not be read
for this code: their attribution is 未核对, the formulas and constants are checked against the worked examples.
Some reports write K = 5.6 (二级破坏系数 K_Ⅱ) for the property radius: 未核对, offered as the ``k`` option.

References
----------
.. [1] CSDN blog psxhh (2021). 蒸汽云爆炸模型 (https://blog.csdn.net/psxhh/article/details/119276881):
   W_TNT = 1.8 α W Q / Q_TNT (α = 4 %, Q_TNT = 4520 kJ/kg), R₁ = 13.6 (W_TNT/1000)^0.37, the serious- and
   light-injury equations with ΔP = 44 000 / 17 000 Pa, P₀ = 101 300 Pa, E = W_TNT Q_TNT (printed roots
   Z = 1.099 and 1.96).
.. [2] 液化石油气蒸气云爆炸伤害模型 (worked example, http://m.517ttc.cn/wenku/rsgca/ZMZnr7m5Mj): LPG 116 t,
   Q_f = 45.636 MJ/kg: W_TNT = 84 325 kg, R₀.₅ = 70.17 m, serious-injury radius 169.7 m (P₀ = 101 000 Pa),
   property-damage radius 4.6 W^{1/3} / [1 + (3175/W)²]^{1/6} = 201.71 m.
.. [3] 4 t 苯泄漏模拟蒸气云爆炸(VCE)计算 (worked example, http://zzretl.com/NewsOpen.aspx?nid=23&type=4):
   benzene 4 t, Q_f = 3264.4 kJ/mol: W_TNT = 2663.2 kg, R₁ = 19.5 m; ΔP = 44 000 / 17 000 Pa with P₀ = 101 300 Pa.
.. [4] Hydrogen store (worked example transcribed at https://chinadigitaltimes.net, 2010-08, "例 一次氢气爆炸"):
   V_f = 2000 Nm³, Q_f = 12 770 kJ/m³, α = 0.04, 1.8, Q_TNT = 4520 kJ/kg: W_TNT = 407 kg, R = 10 m.
"""

from __future__ import annotations

import logging

import numpy as np

from analysis import _checks
from analysis.physics.explosion import CN_PRACTICE_TNT_ENERGY

logger = logging.getLogger(__name__)

__all__ = [
    "CN_SERIOUS_INJURY_OVERPRESSURE",
    "CN_LIGHT_INJURY_OVERPRESSURE",
    "CN_AMBIENT_PRESSURE",
    "CN_PROPERTY_DAMAGE_K",
    "cn_scaled_distance_at",
    "death_radius_cn",
    "serious_injury_radius_cn",
    "light_injury_radius_cn",
    "property_damage_radius_cn",
    "cn_practice_radii",
]

CN_SERIOUS_INJURY_OVERPRESSURE = 44_000.0  # [Pa], [1] [3]
CN_LIGHT_INJURY_OVERPRESSURE = 17_000.0  # [Pa], [1] [3]
CN_AMBIENT_PRESSURE = 101_300.0  # [Pa], P₀ of [1] [3]
CN_PROPERTY_DAMAGE_K = 4.6  # [m/kg^(1/3)], [2]
_CN_P_COEF = (0.137, 0.119, 0.269, -0.019)  # ΔP/P₀ = 0.137 Z⁻³ + 0.119 Z⁻² + 0.269 Z⁻¹ − 0.019, [1] [3]


def cn_scaled_distance_at(overpressure, *, ambient_pressure=CN_AMBIENT_PRESSURE) -> float:
    """Scaled distance Z at which the overpressure equation of Chinese practice gives ``overpressure``.

    Parameters
    ----------
    overpressure : float
        Side-on overpressure ΔP. [Pa]
    ambient_pressure : float
        P₀. [Pa]

    Returns
    -------
    z : float
        Z = R / (E/P₀)^{1/3}, the single positive root of (−0.019 − p) Z³ + 0.269 Z² + 0.119 Z + 0.137 = 0 with
        p = ΔP/P₀ (the equation decreases monotonically in Z > 0). [-]

    References
    ----------
    .. [1] See the module references [1] and [3].
    """
    dp = _checks.finite_number("overpressure", overpressure, low=0.0, low_open=True, unit="Pa")
    p0 = _checks.finite_number("ambient_pressure", ambient_pressure, low=0.0, low_open=True, unit="Pa")
    a3, a2, a1, a0 = _CN_P_COEF
    p = dp / p0
    # multiply ΔP/P₀ = a3 Z⁻³ + a2 Z⁻² + a1 Z⁻¹ + a0 by Z³: (a0 − p) Z³ + a1 Z² + a2 Z + a3 = 0
    roots = np.roots((a0 - p, a1, a2, a3))
    real = roots[(np.abs(roots.imag) < 1e-9) & (roots.real > 0)].real
    return float(real.min())


def death_radius_cn(tnt_mass):
    """Death radius of Chinese practice, R₀.₅ = 13.6 (W_TNT / 1000)^0.37.

    Parameters
    ----------
    tnt_mass : numeric
        TNT-equivalent mass W_TNT, with the ground-burst factor 1.8 of
        :func:`analysis.physics.explosion.tnt_equivalent_mass_cn`. [kg]

    Returns
    -------
    radius : numeric
        [m]

    References
    ----------
    .. [1] Module references [1]-[4] (e.g. 407 kg -> 10 m; 84 325 kg -> 70.17 m; 2663.2 kg -> 19.5 m).
    """
    w = _checks.nonneg("tnt_mass", tnt_mass)
    return _checks.out(13.6 * (w / 1000.0) ** 0.37)  # [1]


def _overpressure_radius(tnt_mass, overpressure, tnt_energy, ambient_pressure):
    w = _checks.nonneg("tnt_mass", tnt_mass)
    q = _checks.positive("tnt_energy", tnt_energy)
    z = cn_scaled_distance_at(overpressure, ambient_pressure=ambient_pressure)
    return _checks.out(z * np.cbrt(w * q / ambient_pressure))  # R = Z (E/P₀)^{1/3}, E = W_TNT Q_TNT


def serious_injury_radius_cn(
    tnt_mass, *, tnt_energy=CN_PRACTICE_TNT_ENERGY, ambient_pressure=CN_AMBIENT_PRESSURE
):
    """Serious-injury radius of Chinese practice: where ΔP = 44 000 Pa by the 0.137/0.119/0.269/−0.019 equation.

    Parameters
    ----------
    tnt_mass : numeric
        W_TNT (with the factor 1.8). [kg]
    tnt_energy : numeric
        Q_TNT, E = W_TNT Q_TNT. [J/kg]
    ambient_pressure : float
        P₀. [Pa]

    Returns
    -------
    radius : numeric
        [m]

    References
    ----------
    .. [1] Module references [1]-[3] (LPG 84 325 kg, P₀ = 101 000 Pa -> 169.7 m).
    """
    return _overpressure_radius(tnt_mass, CN_SERIOUS_INJURY_OVERPRESSURE, tnt_energy, ambient_pressure)


def light_injury_radius_cn(
    tnt_mass, *, tnt_energy=CN_PRACTICE_TNT_ENERGY, ambient_pressure=CN_AMBIENT_PRESSURE
):
    """Light-injury (eardrum) radius of Chinese practice: where ΔP = 17 000 Pa.

    Parameters
    ----------
    tnt_mass : numeric
        W_TNT (with the factor 1.8). [kg]
    tnt_energy : numeric
        [J/kg]
    ambient_pressure : float
        [Pa]

    Returns
    -------
    radius : numeric
        [m]

    References
    ----------
    .. [1] Module references [1], [3] (Z = 1.96 at 17 000 / 101 300).
    """
    return _overpressure_radius(tnt_mass, CN_LIGHT_INJURY_OVERPRESSURE, tnt_energy, ambient_pressure)


def property_damage_radius_cn(tnt_mass, *, k=CN_PROPERTY_DAMAGE_K):
    """Property-damage radius of Chinese practice, R = K W^{1/3} / [1 + (3175 / W)²]^{1/6}.

    Parameters
    ----------
    tnt_mass : numeric
        W_TNT (with the factor 1.8). [kg]
    k : float
        K, default 4.6 [2]_; 5.6 (K_Ⅱ) appears in some reports (未核对). [m/kg^{1/3}]

    Returns
    -------
    radius : numeric
        [m]; 0 where the mass is 0.

    References
    ----------
    .. [2] Module reference [2] (84 325 kg -> 201.71 m).
    """
    w = _checks.nonneg("tnt_mass", tnt_mass)
    kk = _checks.positive("k", k)
    with np.errstate(divide="ignore"):
        r = kk * np.cbrt(w) / (1.0 + (3175.0 / w) ** 2) ** (1.0 / 6.0)  # [2]
    return _checks.out(np.where(w > 0, r, 0.0))


def cn_practice_radii(tnt_mass, *, tnt_energy=CN_PRACTICE_TNT_ENERGY, ambient_pressure=CN_AMBIENT_PRESSURE):
    """The four radii of Chinese practice for one TNT mass, innermost first.

    Parameters
    ----------
    tnt_mass : float
        W_TNT (with the factor 1.8). [kg]
    tnt_energy : float
        [J/kg]
    ambient_pressure : float
        [Pa]

    Returns
    -------
    radii : dict
        ``{"death": R₀.₅, "serious_injury": …, "light_injury": …, "property_damage": …}`` [m].
    """
    kw = dict(tnt_energy=tnt_energy, ambient_pressure=ambient_pressure)
    return {
        "death": float(death_radius_cn(tnt_mass)),
        "serious_injury": float(serious_injury_radius_cn(tnt_mass, **kw)),
        "light_injury": float(light_injury_radius_cn(tnt_mass, **kw)),
        "property_damage": float(property_damage_radius_cn(tnt_mass)),
    }

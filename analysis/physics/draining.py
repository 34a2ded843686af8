"""Draining tanks: liquid outflow through a hole with a falling liquid head, and its time average.

Closed-form solution for a vertical cylindrical tank whose vapour space is held at a constant pressure (padded or
vented). SI at the boundary. Re-exported by :mod:`analysis.physics.source`.

References
----------
.. [1] Crowl, D. A. & Louvar, J. F. (2002). Chemical Process Safety: Fundamentals with Applications, 2nd ed.
       Prentice Hall. §4-2 (liquid flow through a hole in a tank): falling liquid level in a vertical cylinder of
       constant cross-section A_t, Eqs. 4-13 to 4-19: h_L(t) from the linear fall of
       w = √(2 g_c P_g/ρ + 2 g h_L), Q_m(t) = ρ C_o A w₀ − ρ g C_o² A² t / A_t (Eq. 4-18) and the time to empty
       down to the hole t_e = (A_t/(C_o g A)) (w₀ − √(2 g_c P_g/ρ)) (Eq. 4-19); the same derivation is §4-3 of
       the 3rd ed. (2011) [2]. The vapour space is held at a constant pressure (padded tank).
.. [2] Crowl, D. A. & Louvar, J. F. (2011). Chemical Process Safety, 3rd ed., §4-2: C_o = 0.61 for a sharp-edged
       orifice at high Reynolds number.
.. [3] TNO (2005). Guidelines for quantitative risk assessment (Purple Book), CPR 18E, ch. 4: a time-varying
       outflow is represented in the consequence calculation by an averaged constant rate (the averaging rule
       used here, mass within the window over the window, is this module's choice; the section was not
       re-checked against the book).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from analysis import _checks, constants
from analysis.errors import AnalysisInputError

__all__ = ["TankDrain", "tank_drain", "tank_drain_mean_rate"]

G = constants.G  # [m/s²]
P_ATM = constants.P_ATM  # [Pa]


class TankDrain(NamedTuple):
    """Result of :func:`tank_drain`: ``rate, time_to_empty = tank_drain(...)``."""

    rate: np.ndarray | float  #: mass flow through the hole at ``times`` (0 after the tank has drained) [kg/s]
    time_to_empty: float  #: time for the level to fall to the hole [s]


def _drain_terms(hole_diameter, liquid_height, tank_diameter, density, pressure, discharge_coefficient):
    """w₀, w_e, dw/dt and the areas of the falling-head solution ([1], Eqs. 4-13 to 4-19)."""
    a = math.pi * _checks.scalar("hole_diameter", hole_diameter, positive_only=True) ** 2 / 4.0
    h0 = _checks.scalar("liquid_height", liquid_height, nonneg_only=True)
    dt = _checks.scalar("tank_diameter", tank_diameter, positive_only=True)
    rho = _checks.scalar("density", density, positive_only=True)
    p = _checks.scalar("pressure", pressure, positive_only=True)
    c0 = _checks.scalar("discharge_coefficient", discharge_coefficient, positive_only=True, upper=1.0)
    a_t = math.pi * dt * dt / 4.0
    if a >= a_t:
        raise AnalysisInputError(
            f"hole_diameter 孔径 {hole_diameter!r} m 须小于 tank_diameter 罐径 {tank_diameter!r} m"
            "（请按罐体破裂的瞬时释放计算）(hole must be smaller than the tank)"
        )
    if p < P_ATM:
        raise AnalysisInputError(
            f"pressure 罐内气相绝对压力 {pressure!r} Pa 须 ≥ 大气压 {P_ATM} Pa（负压罐不适用本模型）"
            "(pressure must be ≥ atmospheric)"
        )
    pg = p - P_ATM  # gauge pressure of the padded vapour space [Pa]
    w_e = math.sqrt(2.0 * pg / rho)  # [1], Eq. 4-19 (g_c = 1 in SI)
    w0 = math.sqrt(2.0 * pg / rho + 2.0 * G * h0)  # [1], Eq. 4-13
    dwdt = G * c0 * a / a_t  # w falls linearly: dw/dt = −g C_o A / A_t, [1] Eqs. 4-15 to 4-17
    return w0, w_e, dwdt, a, a_t, rho, c0, pg


def tank_drain(
    *,
    hole_diameter,
    liquid_height,
    tank_diameter,
    density,
    pressure=101325.0,
    discharge_coefficient=0.61,
    times,
) -> TankDrain:
    """Liquid draining through a hole in the wall of a vertical cylindrical tank, with a falling liquid head.

    Torricelli's outflow with the liquid level falling as the tank drains, solved in closed form ([1], Eqs. 4-13
    to 4-19): Q_m(t) = ρ C_o A (w₀ − g C_o A t / A_t), w₀ = √(2 P_g/ρ + 2 g h_L0), until the level reaches the
    hole at t_e = A_t (w₀ − √(2 P_g/ρ)) / (g C_o A); after t_e the rate is 0.

    Parameters
    ----------
    hole_diameter : float
        [m]
    liquid_height : float
        Initial liquid height above the hole h_L0. [m]
    tank_diameter : float
        Inner diameter of the vertical cylinder. [m]
    density : float
        Liquid density ρ. [kg/m³]
    pressure : float
        Absolute pressure of the vapour space, held constant (padded or vented tank); ≥ 101 325 Pa. [Pa]
    discharge_coefficient : float
        C_o [-]; 0.61 for a sharp-edged hole ([2] §4-2).
    times : numeric
        Times since the hole opened, ≥ 0. [s]

    Returns
    -------
    TankDrain
        ``rate`` at ``times`` [kg/s] and ``time_to_empty`` [s] (level down to the hole; the liquid below the hole
        stays in the tank).

    References
    ----------
    .. [1] Crowl & Louvar (2002), 2nd ed., §4-2, Eqs. 4-13 to 4-19.
    """
    w0, w_e, dwdt, a, _, rho, c0, _ = _drain_terms(
        hole_diameter, liquid_height, tank_diameter, density, pressure, discharge_coefficient
    )
    t = _checks.nonneg("times", times)
    t_e = (w0 - w_e) / dwdt  # [1], Eq. 4-19
    w = np.where(t < t_e, w0 - dwdt * t, 0.0)  # after t_e the level is at the hole: no more outflow
    return TankDrain(_checks.out(rho * c0 * a * w), float(t_e))  # [1], Eq. 4-18


def tank_drain_mean_rate(
    *,
    hole_diameter,
    liquid_height,
    tank_diameter,
    density,
    pressure=101325.0,
    discharge_coefficient=0.61,
    window,
) -> float:
    """Mass drained within the first ``window`` seconds divided by ``window`` (falling head, :func:`tank_drain`).

    A time-varying release represented by an averaged constant rate, as in CPR 18E [3]_; the rule used here is
    the mass released within the window divided by the window, with the closed-form drained mass
    ρ A_t (h_L0 − h_L(t)), h_L(t) = (w(t)² − 2 P_g/ρ) / (2 g) ([1], Eq. 4-16).

    Parameters
    ----------
    hole_diameter, liquid_height, tank_diameter, density, pressure, discharge_coefficient :
        As in :func:`tank_drain`. [m], [m], [m], [kg/m³], [Pa], [-]
    window : float
        Averaging period from the opening of the hole, > 0. [s]

    Returns
    -------
    mean_rate : float
        [kg/s]
    """
    w0, w_e, dwdt, _, a_t, rho, _, pg = _drain_terms(
        hole_diameter, liquid_height, tank_diameter, density, pressure, discharge_coefficient
    )
    tw = _checks.scalar("window", window, positive_only=True)
    w = max(w0 - dwdt * tw, w_e)
    h0 = (w0 * w0 - 2.0 * pg / rho) / (2.0 * G)
    h = (w * w - 2.0 * pg / rho) / (2.0 * G)  # [1], Eq. 4-16
    return rho * a_t * (h0 - h) / tw

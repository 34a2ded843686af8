"""Atmospheric transmissivity of thermal radiation through humid air, for the fire models.

    τ = 2.02 (p_w · x)^(−0.09),  p_w = 101325 · RH · exp(14.4114 − 5328 / T_a)          ([1], Eqs. 2.2.33–2.2.34)

with x the path length from the flame surface to the target [m] and p_w the partial pressure of water vapour [Pa].
Re-exported by :mod:`analysis.physics.fire`. Reference numbers are those of :mod:`analysis.physics.fire`, which lists every fire reference.

References
----------
.. [1] CCPS (2000). Guidelines for Chemical Process Quantitative Risk Analysis, 2nd ed. AIChE, New York.
       §2.2.4: Eq. 2.2.33 (transmissivity, after Pietersen & Huerta 1985), Eq. 2.2.34 (water vapour pressure).
"""

from __future__ import annotations

import numpy as np

from analysis import _checks
from analysis.constants import AMBIENT_TEMPERATURE

__all__ = ["TRANSMISSIVITY_MODELS", "atmospheric_transmissivity", "water_vapour_pressure"]

TRANSMISSIVITY_MODELS = ("ccps2000",)


def water_vapour_pressure(relative_humidity, ambient_temperature=AMBIENT_TEMPERATURE):
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
    rh = _checks.nonneg("relative_humidity", relative_humidity, upper=1.0)
    ta = _checks.positive("ambient_temperature", ambient_temperature)
    return _checks.out(101325.0 * rh * np.exp(14.4114 - 5328.0 / ta))  # [1], Eq. 2.2.34


def atmospheric_transmissivity(
    path_length, *, relative_humidity=0.7, ambient_temperature=AMBIENT_TEMPERATURE, model="ccps2000"
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
    _checks.choice("model", model, TRANSMISSIVITY_MODELS)
    x = _checks.nonneg("path_length", path_length)
    pw = np.asarray(water_vapour_pressure(relative_humidity, ambient_temperature))
    with np.errstate(divide="ignore"):
        tau = 2.02 * (pw * x) ** -0.09  # [1], Eq. 2.2.33
    return _checks.out(np.minimum(tau, 1.0))

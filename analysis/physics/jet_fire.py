"""Jet fire: a vertical jet flame as a point source at mid-flame (API 521).

:func:`jet_fire` returns a frozen :class:`JetFire` whose ``heat_flux(distance, ...)`` gives the thermal radiation
received [W/m²], q = τ F Q / (4π r²) ([8]; [1], Eq. 2.2.31 with a point source). Re-exported by
:mod:`analysis.physics.fire`. Reference numbers are those of :mod:`analysis.physics.fire`, which lists every fire reference.

References
----------
.. [1] CCPS (2000). Guidelines for Chemical Process Quantitative Risk Analysis, 2nd ed. AIChE, New York.
       §2.2.4: Eq. 2.2.31 (received flux), Eq. 2.2.33 (transmissivity).
.. [8] American Petroleum Institute (2014). API Standard 521, Pressure-relieving and Depressuring Systems, Annex C:
       point-source radiation K = τ F Q / (4π D²) (its point-source formula; equation number not checked) and flame
       length vs heat release (Figure C.1), fitted by Beychok, M. R. (2005), Fundamentals of Stack Gas Dispersion,
       4th ed.: L = 0.0059 Q^0.478 [ft, Btu/h].
.. [9] Chamberlain, G. A. (1987). Developments in design methods for predicting thermal radiation from flares.
       Chem. Eng. Res. Des. 65:299–309: fraction of heat radiated F_s = 0.21 e^(−0.00323 u_j) + 0.11.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from analysis import _checks
from analysis.constants import AMBIENT_TEMPERATURE
from analysis.errors import ScenarioNotApplicableError
from analysis.physics.substances import get
from analysis.physics.transmissivity import atmospheric_transmissivity

__all__ = ["JET_FIRE_MODELS", "JetFire", "jet_fire"]

JET_FIRE_MODELS = ("api521",)


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

    def heat_flux(
        self, distance, *, target_height=0.0, relative_humidity=0.7, ambient_temperature=AMBIENT_TEMPERATURE
    ):
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
        d = _checks.nonneg("distance", distance)
        z = _checks.scalar("target_height", target_height, nonneg_only=True)
        r = np.sqrt(d * d + (self.source_height - z) ** 2)
        r = np.maximum(r, 0.5 * self.flame_length)
        tau = np.asarray(
            atmospheric_transmissivity(
                r, relative_humidity=relative_humidity, ambient_temperature=ambient_temperature
            )
        )
        return _checks.out(tau * self.radiative_fraction * self.heat_release_rate / (4.0 * np.pi * r * r))


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
    _checks.choice("model", model, JET_FIRE_MODELS)
    mr = _checks.scalar("mass_rate", mass_rate, positive_only=True)
    h0 = _checks.scalar("release_height", release_height, nonneg_only=True)
    if heat_of_combustion is None:
        if substance is None:
            raise ValueError("heat_of_combustion=None and substance=None: give one of them")
        s = get(substance)
        if not s.flammable:
            raise ScenarioNotApplicableError(
                f"substance={s.name_zh}/{s.name_en!r} is not flammable; a jet fire needs a fuel"
            )
        heat_of_combustion = s.heat_of_combustion
    hc = _checks.scalar("heat_of_combustion", heat_of_combustion, positive_only=True)
    assumptions: list[tuple[str, str]] = []
    if radiative_fraction is not None:
        f = _checks.scalar("radiative_fraction", radiative_fraction, positive_only=True, upper=1.0)
        assumptions.append(("radiative_fraction", f"辐射分数(给定) radiative fraction given: {f}"))
    elif exit_velocity is not None:
        uj = _checks.scalar("exit_velocity", exit_velocity, positive_only=True)
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

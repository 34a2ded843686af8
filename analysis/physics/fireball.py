"""BLEVE fireball: diameter, duration, lift-off height, surface emissive power and the received heat flux.

:func:`fireball` returns a frozen :class:`Fireball`, a sphere of constant diameter at its lift-off height, whose
``heat_flux(distance, ...)`` gives the thermal radiation received [W/m²], q = τ E F ([1], Eqs. 2.2.31, 2.2.52).
Re-exported by :mod:`analysis.physics.fire`. Reference numbers are those of :mod:`analysis.physics.fire`, which lists every fire reference.

References
----------
.. [1] CCPS (2000). Guidelines for Chemical Process Quantitative Risk Analysis, 2nd ed. AIChE, New York.
       §2.2.6: Eqs. 2.2.47–2.2.53 (BLEVE fireball: 2.2.47 diameter, 2.2.48 duration, 2.2.50 lift-off height,
       2.2.51 emissive power, 2.2.52 view factor), Eq. 2.2.31 (received flux).
.. [10] CCPS (1994). Guidelines for Evaluating the Characteristics of Vapor Cloud Explosions, Flash Fires, and
        BLEVEs. AIChE: D = 5.8 M^(1/3); t = 0.45 M^(1/3) (M < 30 000 kg), t = 2.6 M^(1/6) (M ≥ 30 000 kg).
.. [11] Roberts, A. F. (1981/82). Thermal radiation hazards from releases of LPG from pressurised storage. Fire
        Safety Journal 4:197–212: D = 5.8 M^(1/3), t = 0.45 M^(1/3); radiative fraction 0.27 P^0.32 (P in MPa).
.. [12] TNO (1997). Methods for the calculation of physical effects (Yellow Book), CPR 14E, 3rd ed., ch. 6:
        fireball D = 6.48 M^0.325, t = 0.852 M^0.26; radiative fraction F_s = 0.00325 P_sv^0.32 (P_sv in Pa, i.e.
        0.27 P^0.32 with P in MPa); fireball SEP of hydrocarbons in the range 200-350 kW/m².
.. [13] Hymes, I. (1983). The physiological and pathological effects of thermal radiation. UKAEA SRD R 275:
        radiative fraction R = 0.3 for a vessel failing below its relief-valve set pressure, 0.4 at or above it
        (the upper end of the 0.25-0.4 range adopted by [10]).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from analysis import _checks
from analysis.constants import AMBIENT_TEMPERATURE
from analysis.physics.substances import get
from analysis.physics.transmissivity import atmospheric_transmissivity

__all__ = [
    "FIREBALL_MAX_EMISSIVE_POWER",
    "FIREBALL_MAX_RADIATIVE_FRACTION",
    "FIREBALL_MODELS",
    "Fireball",
    "fireball",
    "fireball_diameter",
    "fireball_duration",
]

FIREBALL_MODELS = ("ccps1994", "roberts1982", "tno1997", "cpqra2000")
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
    _checks.choice("model", model, FIREBALL_MODELS)
    m = _checks.positive("mass", mass)
    a, b, _, _ = _FB[model]
    return _checks.out(
        a * (np.cbrt(m) if b == 1.0 / 3.0 else m**b)
    )  # cbrt: exact for cubes (58 m at 1000 kg)


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
    _checks.choice("model", model, FIREBALL_MODELS)
    m = _checks.positive("mass", mass)
    if model == "ccps1994":
        t = np.where(m < 30000.0, 0.45 * np.cbrt(m), 2.6 * m ** (1.0 / 6.0))  # [10]
    elif model == "roberts1982":
        t = 0.45 * np.cbrt(m)  # [11]
    elif model == "tno1997":
        t = 0.852 * m**0.26  # [12]
    else:
        t = 0.825 * m**0.26  # [1], Eq. 2.2.48
    return _checks.out(t)


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
        d = _checks.nonneg("distance", distance)
        z = _checks.scalar("target_height", target_height, nonneg_only=True)
        r2 = d * d + (self.lift_off_height - z) ** 2
        rad = 0.5 * self.diameter
        return _checks.out(np.minimum(rad * rad / np.maximum(r2, 1e-300), 1.0))

    def heat_flux(
        self, distance, *, target_height=0.0, relative_humidity=0.7, ambient_temperature=AMBIENT_TEMPERATURE
    ):
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
        d = _checks.nonneg("distance", distance)
        z = _checks.scalar("target_height", target_height, nonneg_only=True)
        r = np.sqrt(d * d + (self.lift_off_height - z) ** 2)
        f = np.asarray(self.view_factor(d, target_height=z))
        tau = np.asarray(
            atmospheric_transmissivity(
                np.maximum(r - 0.5 * self.diameter, 0.0),
                relative_humidity=relative_humidity,
                ambient_temperature=ambient_temperature,
            )
        )
        return _checks.out(tau * self.emissive_power * f)


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
    _checks.choice("model", model, FIREBALL_MODELS)
    m = _checks.out(_checks.positive("mass", mass))  # a number, or an array of masses (results broadcast)
    assumptions: list[tuple[str, str]] = [("model", f"火球模型 fireball model {model}")]
    if heat_of_combustion is None:
        s = get(substance if substance is not None else "propane")
        heat_of_combustion = s.heat_of_combustion
        assumptions.append(
            (
                "fuel",
                f"燃料 fuel {s.name_zh} ({s.name_en})" + ("" if substance is not None else " (默认 default)"),
            )
        )
    hc = _checks.scalar("heat_of_combustion", heat_of_combustion, positive_only=True)
    if radiative_fraction is not None:
        f = _checks.scalar("radiative_fraction", radiative_fraction, positive_only=True, upper=1.0)
        assumptions.append(("radiative_fraction", f"辐射分数(给定) radiative fraction given: {f}"))
    elif vessel_pressure is not None:
        p = _checks.scalar("vessel_pressure", vessel_pressure, positive_only=True)
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
        e_max = _checks.scalar("max_emissive_power", max_emissive_power, positive_only=True)
        if np.any(np.asarray(e) > e_max):
            e_hi = float(np.max(e))
            assumptions.append(
                (
                    "emissive_power_cap",
                    f"表面辐射功率取上限 SEP capped at {e_max / 1e3:.0f} kW/m² (CCPS 1994 大型烃类火球 large "
                    f"hydrocarbon fireballs; 能量平衡值 energy-balance value up to {e_hi / 1e3:.0f} kW/m²)",
                )
            )
        e = _checks.out(np.minimum(e, e_max))  # [10]
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

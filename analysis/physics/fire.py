"""Fires: pool fire, jet fire, BLEVE fireball, flash fire and atmospheric transmissivity.

Every fire returns a frozen result object whose ``heat_flux(distance, *, target_height=0.0, relative_humidity=0.7,
ambient_temperature=AMBIENT_TEMPERATURE)`` gives the thermal radiation received [W/m²] at ground distances [m]
(arrays broadcast; the default air temperature is ``analysis.constants.AMBIENT_TEMPERATURE``, 293.15 K), and whose
``assumptions`` lists every model choice and default used.

    q = τ · E · F                                                                            ([1], Eq. 2.2.31)

with E the surface emissive power of the solid flame [W/m²], F the view factor [-] and τ the atmospheric
transmissivity [-] over the path from the flame surface to the target.

The models live in one module per concern and are re-exported here, so ``analysis.physics.fire.X`` keeps working
for every X in ``__all__``: :mod:`~analysis.physics.transmissivity` (atmosphere), :mod:`~analysis.physics.view_factor`
(solid-flame view factors), :mod:`~analysis.physics.pool_fire`, :mod:`~analysis.physics.jet_fire` and
:mod:`~analysis.physics.fireball`; the flash fire is defined here. The reference numbers below are shared by all
of them.

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

from dataclasses import dataclass, field

import numpy as np

from analysis import _checks
from analysis.constants import P_ATM, R_GAS, T_PPM_REFERENCE
from analysis.physics.fireball import (
    FIREBALL_MAX_EMISSIVE_POWER,
    FIREBALL_MAX_RADIATIVE_FRACTION,
    FIREBALL_MODELS,
    Fireball,
    fireball,
    fireball_diameter,
    fireball_duration,
)
from analysis.physics.jet_fire import JET_FIRE_MODELS, JetFire, jet_fire
from analysis.physics.pool_fire import (
    BURNING_RATE_MODELS,
    FLAME_LENGTH_MODELS,
    POOL_FIRE_ENGULFMENT_EMISSIVE_POWER,
    SEP_MODELS,
    PoolFire,
    burning_rate,
    equivalent_diameter,
    flame_tilt,
    pool_fire,
    pool_flame_length,
    surface_emissive_power,
)
from analysis.physics.transmissivity import (
    TRANSMISSIVITY_MODELS,
    atmospheric_transmissivity,
    water_vapour_pressure,
)
from analysis.physics.view_factor import view_factor_cylinder, view_factor_vertical_cylinder

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

#: Temperature at which flammability limits are tabulated (25 °C, the reference of the LFL data) and at which
#: :func:`flash_fire` converts the LFL volume fraction to kg/m³ unless told otherwise. [K]
LFL_REFERENCE_TEMPERATURE = T_PPM_REFERENCE


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
    concentration, *, lfl, molar_mass, fraction=1.0, temperature=LFL_REFERENCE_TEMPERATURE, pressure=P_ATM
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
        State at which the LFL volume fraction is converted to kg/m³ (ideal gas) [K], [Pa]; default 25 °C
        (LFL_REFERENCE_TEMPERATURE, the condition of the tabulated LFL) and 1 atm.

    Returns
    -------
    FlashFire
    """
    c = _checks.nonneg("concentration", concentration)
    x = _checks.scalar("lfl", lfl, positive_only=True, upper=1.0)
    mm = _checks.scalar("molar_mass", molar_mass, positive_only=True)
    fr = _checks.scalar("fraction", fraction, positive_only=True, upper=1.0)
    t = _checks.scalar("temperature", temperature, positive_only=True)
    p = _checks.scalar("pressure", pressure, positive_only=True)
    thr = fr * x * p * mm / (R_GAS * t)  # volume fraction -> kg/m³ (ideal gas)
    return FlashFire(
        inside=np.asarray(c >= thr),
        threshold=thr,
        fraction=fr,
        assumptions=(("envelope", f"闪火范围 flash-fire envelope {fr:g} × LFL = {thr:.4g} kg/m³ ({t} K)"),),
    )

"""Source terms: discharge through a hole, flashing of liquefied gases, pool spreading and pool evaporation.

A tank draining through a hole with a falling liquid head (:func:`tank_drain`) lives in
:mod:`analysis.physics.draining` and is re-exported here.

All functions are vectorised (numpy broadcasting), SI at the boundary; a standard's own units are converted inside
with a comment.

References
----------
.. [1] Crowl, D. A. & Louvar, J. F. (2011). Chemical Process Safety: Fundamentals with Applications, 3rd ed.
       Prentice Hall. §4-2 liquid flow through a hole in a tank, Eq. 4-6: Q_m = A C_o √(2 ρ g_c P_g + 2 ρ² g h_L)
       (g_c = 1 in SI); §4-6 gas flow through holes: subsonic Eq. 4-50, choked pressure ratio Eq. 4-51, choked
       flow Eq. 4-52; §4-8 flashing liquids: f_v = c_p (T_o − T_b)/ΔH_v (Eq. 4-90) and
       f_v = 1 − exp(−c_p (T_o − T_b)/ΔH_v) (Eq. 4-89, integrated over a varying c_p/ΔH_v ratio).
.. [2] CCPS (1996). Guidelines for Use of Vapor Cloud Dispersion Models, 2nd ed. AIChE: aerosol carried with the
       flashed vapour equal to the flashed mass ("twice the flash fraction airborne", after Kletz 1977,
       Hydrocarbon Processing 56(8):98–106), the remainder rains out.
.. [3] TNO (1997). Methods for the calculation of physical effects (Yellow Book), CPR 14E, 3rd ed., ch. 3
       (pool evaporation): boiling pool on a solid ground, heat conduction from a semi-infinite solid,
       q(t) = λ_s (T_s − T_b)/√(π a_s t).
.. [4] US EPA (1999, rev. 2009). Risk Management Program Guidance for Offsite Consequence Analysis, Appendix D,
       Eq. D-1: QR = 0.284 U^0.78 MW^(2/3) A VP / (82.05 T), QR [lb/min], U [m/s], A [ft²], VP [mm Hg], T [K].
.. [5] Incropera, F. P. & DeWitt, D. P. (2002). Fundamentals of Heat and Mass Transfer, 5th ed., Table A.3:
       concrete (stone mix) k = 1.4 W/(m·K), α = 0.692·10⁻⁶ m²/s; soil k = 0.52 W/(m·K), α = 0.138·10⁻⁶ m²/s.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np

from analysis import _checks, constants
from analysis.physics.draining import TankDrain, tank_drain, tank_drain_mean_rate
from analysis.physics.substances import get

logger = logging.getLogger(__name__)

__all__ = [
    "Discharge",
    "TankDrain",
    "FLASH_MODELS",
    "GROUND_PROPERTIES",
    "RAINOUT_MODELS",
    "boiling_pool_evaporated_mass",
    "boiling_pool_evaporation_rate",
    "choked_pressure_ratio",
    "discharge",
    "flash_fraction",
    "gas_discharge_rate",
    "hole_area",
    "is_choked",
    "liquid_discharge_rate",
    "nonboiling_pool_evaporation_rate",
    "pool_area",
    "rainout_fraction",
    "release_duration",
    "tank_drain",
    "tank_drain_mean_rate",
    "two_phase_discharge_rate",
]

G = constants.G  # [m/s²]
R_GAS = constants.R_GAS  # [J/(mol·K)]
P_ATM = constants.P_ATM  # [Pa]

FLASH_MODELS = ("crowl_louvar_linear", "crowl_louvar_exponential")
RAINOUT_MODELS = ("ccps1996_two_times_flash",)
# ground under a boiling pool: (conductivity [W/(m·K)], thermal diffusivity [m²/s]) from [5], Table A.3
GROUND_PROPERTIES = {
    "concrete": (1.4, 0.692e-6),
    "soil": (0.52, 0.138e-6),
}


def hole_area(diameter):
    """Area of a circular hole. [m²] from diameter [m]."""
    d = _checks.positive("diameter", diameter)
    return _checks.out(np.pi * d * d / 4.0)


def liquid_discharge_rate(
    hole_diameter,
    *,
    liquid_density,
    pressure,
    ambient_pressure=P_ATM,
    liquid_head=0.0,
    discharge_coefficient=0.61,
):
    """Mass flow of a liquid through a hole (Bernoulli with a discharge coefficient).

    Parameters
    ----------
    hole_diameter : numeric
        [m]
    liquid_density : numeric
        [kg/m³]
    pressure : numeric
        Absolute pressure in the vapour space above the liquid. [Pa]
    ambient_pressure : numeric
        [Pa]
    liquid_head : numeric
        Height of liquid above the hole. [m]
    discharge_coefficient : numeric
        C_o [-]; 0.61 for a sharp-edged orifice at high Reynolds number ([1] §4-2).

    Returns
    -------
    rate : numeric
        [kg/s]; Q_m = A C_o √(2 ρ (P − P_a) + 2 ρ² g h_L) ([1], Eq. 4-6); zero when the driving head is negative.
    """
    a = np.asarray(hole_area(hole_diameter))
    rho = _checks.positive("liquid_density", liquid_density)
    p = _checks.positive("pressure", pressure)
    pa = _checks.positive("ambient_pressure", ambient_pressure)
    h = _checks.nonneg("liquid_head", liquid_head)
    c0 = _checks.positive("discharge_coefficient", discharge_coefficient, upper=1.0)
    drive = 2.0 * rho * (p - pa) + 2.0 * rho * rho * G * h  # [1], Eq. 4-6 (g_c = 1 in SI)
    return _checks.out(a * c0 * np.sqrt(np.maximum(drive, 0.0)))


def choked_pressure_ratio(heat_capacity_ratio):
    """Downstream/upstream pressure ratio below which gas flow through a hole is choked.

    Parameters
    ----------
    heat_capacity_ratio : numeric
        γ [-]

    Returns
    -------
    ratio : numeric
        (2/(γ+1))^(γ/(γ−1)) [-] ([1], Eq. 4-51); 0.528 for γ = 1.4.
    """
    g = _checks.finite("heat_capacity_ratio", heat_capacity_ratio)
    if np.any(g <= 1.0):
        raise ValueError(f"heat_capacity_ratio={heat_capacity_ratio!r} must be > 1")
    return _checks.out((2.0 / (g + 1.0)) ** (g / (g - 1.0)))  # [1], Eq. 4-51


def is_choked(pressure, *, heat_capacity_ratio, ambient_pressure=P_ATM):
    """True where the flow through the hole is choked (sonic). pressure, ambient_pressure [Pa]; γ [-]."""
    p = _checks.positive("pressure", pressure)
    pa = _checks.positive("ambient_pressure", ambient_pressure)
    return np.asarray(pa / p <= np.asarray(choked_pressure_ratio(heat_capacity_ratio)))


def gas_discharge_rate(
    hole_diameter,
    *,
    pressure,
    temperature,
    molar_mass,
    heat_capacity_ratio,
    ambient_pressure=P_ATM,
    discharge_coefficient=1.0,
):
    """Mass flow of an ideal gas through a hole, choked or subsonic.

    Parameters
    ----------
    hole_diameter : numeric
        [m]
    pressure : numeric
        Absolute upstream (stagnation) pressure. [Pa]
    temperature : numeric
        Upstream temperature. [K]
    molar_mass : numeric
        [kg/mol]
    heat_capacity_ratio : numeric
        γ [-]
    ambient_pressure : numeric
        [Pa]
    discharge_coefficient : numeric
        C_o [-]; 1.0 is the conservative default of [1] §4-6.

    Returns
    -------
    rate : numeric
        [kg/s]. Subsonic ([1], Eq. 4-50):
        Q_m = C_o A P √(2 M/(R T) · γ/(γ−1) · [(P_a/P)^(2/γ) − (P_a/P)^((γ+1)/γ)]);
        choked when P_a/P ≤ (2/(γ+1))^(γ/(γ−1)) ([1], Eq. 4-51):
        Q_m = C_o A P √(γ M/(R T) · (2/(γ+1))^((γ+1)/(γ−1))) ([1], Eq. 4-52).
    """
    a = np.asarray(hole_area(hole_diameter))
    p = _checks.positive("pressure", pressure)
    t = _checks.positive("temperature", temperature)
    m = _checks.positive("molar_mass", molar_mass)
    g = _checks.finite("heat_capacity_ratio", heat_capacity_ratio)
    if np.any(g <= 1.0):
        raise ValueError(f"heat_capacity_ratio={heat_capacity_ratio!r} must be > 1")
    pa = _checks.positive("ambient_pressure", ambient_pressure)
    c0 = _checks.positive("discharge_coefficient", discharge_coefficient, upper=1.0)
    ratio = np.minimum(pa / p, 1.0)
    choked = ratio <= (2.0 / (g + 1.0)) ** (g / (g - 1.0))  # [1], Eq. 4-51
    sub = (
        2.0 * m / (R_GAS * t) * g / (g - 1.0) * (ratio ** (2.0 / g) - ratio ** ((g + 1.0) / g))
    )  # [1], Eq. 4-50
    cho = g * m / (R_GAS * t) * (2.0 / (g + 1.0)) ** ((g + 1.0) / (g - 1.0))  # [1], Eq. 4-52
    return _checks.out(c0 * a * p * np.sqrt(np.maximum(np.where(choked, cho, sub), 0.0)))


def flash_fraction(
    temperature,
    *,
    substance=None,
    boiling_point=None,
    liquid_heat_capacity=None,
    heat_of_vaporisation=None,
    model="crowl_louvar_exponential",
):
    """Fraction of a superheated liquid that flashes to vapour on depressurisation to 1 atm.

    Parameters
    ----------
    temperature : numeric
        Liquid temperature before release. [K]
    substance : str or Substance, optional
        Supplies the properties below when they are not given (c_p at the 20 °C / Tb reference, ΔH_v at Tb).
    boiling_point : float, optional
        Normal boiling point. [K]
    liquid_heat_capacity : float, optional
        Mean liquid heat capacity between T_b and T. [J/(kg·K)]
    heat_of_vaporisation : float, optional
        [J/kg]
    model : str
        ``"crowl_louvar_linear"``: f = c_p (T − T_b)/ΔH_v ([1], Eq. 4-90);
        ``"crowl_louvar_exponential"``: f = 1 − exp(−c_p (T − T_b)/ΔH_v) ([1], Eq. 4-89).

    Returns
    -------
    fraction : numeric
        [-], 0 for a liquid below its boiling point, at most 1.
    """
    _checks.choice("model", model, FLASH_MODELS)
    t = _checks.positive("temperature", temperature)
    if substance is not None:
        s = get(substance)
        boiling_point = s.boiling_point if boiling_point is None else boiling_point
        liquid_heat_capacity = (
            s.liquid_heat_capacity if liquid_heat_capacity is None else liquid_heat_capacity
        )
        heat_of_vaporisation = (
            s.heat_of_vaporisation if heat_of_vaporisation is None else heat_of_vaporisation
        )
    for k, v in (
        ("boiling_point", boiling_point),
        ("liquid_heat_capacity", liquid_heat_capacity),
        ("heat_of_vaporisation", heat_of_vaporisation),
    ):
        if v is None:
            raise ValueError(f"{k}=None: give {k} or a substance")
    tb = _checks.positive("boiling_point", boiling_point)
    cp = _checks.positive("liquid_heat_capacity", liquid_heat_capacity)
    hv = _checks.positive("heat_of_vaporisation", heat_of_vaporisation)
    x = cp * np.maximum(t - tb, 0.0) / hv
    f = x if model == "crowl_louvar_linear" else 1.0 - np.exp(-x)  # [1], Eq. 4-90 / 4-89
    return _checks.out(np.minimum(f, 1.0))


def rainout_fraction(flash, *, model="ccps1996_two_times_flash"):
    """Fraction of the released liquid that rains out to form a pool.

    Parameters
    ----------
    flash : numeric
        Flash fraction [-].
    model : str
        ``"ccps1996_two_times_flash"``: an aerosol mass equal to the flashed vapour stays airborne, so the airborne
        fraction is min(2 f, 1) and the rain-out 1 − min(2 f, 1) ([2]).

    Returns
    -------
    rainout : numeric
        [-]
    """
    _checks.choice("model", model, RAINOUT_MODELS)
    f = _checks.nonneg("flash", flash, upper=1.0)
    return _checks.out(1.0 - np.minimum(2.0 * f, 1.0))  # [2]


def pool_area(volume, *, bund_area=None, min_thickness=0.01):
    """Area of a spreading pool, limited by the bund.

    Parameters
    ----------
    volume : numeric
        Liquid volume spilled. [m³]
    bund_area : numeric, optional
        Area inside the bund (dike) [m²]; None or inf for an unbunded spill.
    min_thickness : numeric
        Thickness at which an unbunded pool stops spreading [m]; 0.01 m is a user-settable engineering default
        (typical values 5–10 mm on flat ground, [3] ch. 3), not a universal constant.

    Returns
    -------
    area : numeric
        min(V / h_min, A_bund). [m²]
    """
    v = _checks.nonneg("volume", volume)
    h = _checks.positive("min_thickness", min_thickness)
    free = v / h
    if bund_area is None:
        return _checks.out(free)
    b = np.asarray(bund_area, dtype=float)
    if np.any(np.isnan(b)) or np.any(b <= 0):
        raise ValueError(f"bund_area={bund_area!r} must be > 0 (or None for no bund)")
    return _checks.out(np.minimum(free, b))


def _ground(ground, conductivity, diffusivity):
    if conductivity is not None and diffusivity is not None:
        return _checks.positive("ground_conductivity", conductivity), _checks.positive(
            "ground_diffusivity", diffusivity
        )
    return GROUND_PROPERTIES[_checks.choice("ground", ground, GROUND_PROPERTIES)]


def boiling_pool_evaporation_rate(
    area,
    time,
    *,
    boiling_point,
    heat_of_vaporisation,
    ground_temperature=constants.AMBIENT_TEMPERATURE,
    ground="concrete",
    ground_conductivity=None,
    ground_diffusivity=None,
):
    """Evaporation rate of a boiling (cryogenic or refrigerated) pool fed by heat conduction from the ground.

    Parameters
    ----------
    area : numeric
        Pool area. [m²]
    time : numeric
        Time since the liquid touched the ground. [s]
    boiling_point : numeric
        [K]
    heat_of_vaporisation : numeric
        [J/kg]
    ground_temperature : numeric
        [K]; default: the ambient air temperature (``analysis.constants.AMBIENT_TEMPERATURE``).
    ground : str
        ``"concrete"`` or ``"soil"`` ([5], Table A.3) unless conductivity and diffusivity are given.
    ground_conductivity : numeric, optional
        [W/(m·K)]
    ground_diffusivity : numeric, optional
        [m²/s]

    Returns
    -------
    rate : numeric
        [kg/s]; ṁ = A λ_s (T_g − T_b) / (ΔH_v √(π a_s t)) ([3] ch. 3); zero when T_g ≤ T_b.
    """
    a = _checks.nonneg("area", area)
    t = _checks.positive("time", time)
    tb = _checks.positive("boiling_point", boiling_point)
    hv = _checks.positive("heat_of_vaporisation", heat_of_vaporisation)
    tg = _checks.positive("ground_temperature", ground_temperature)
    k, alpha = _ground(ground, ground_conductivity, ground_diffusivity)
    q = (
        k * np.maximum(tg - tb, 0.0) / np.sqrt(np.pi * alpha * t)
    )  # [3]: conduction from a semi-infinite solid
    return _checks.out(a * q / hv)


def boiling_pool_evaporated_mass(
    area,
    time,
    *,
    boiling_point,
    heat_of_vaporisation,
    ground_temperature=constants.AMBIENT_TEMPERATURE,
    ground="concrete",
    ground_conductivity=None,
    ground_diffusivity=None,
):
    """Mass evaporated from a boiling pool of constant area between 0 and ``time``.

    Returns
    -------
    mass : numeric
        [kg]; the integral of :func:`boiling_pool_evaporation_rate`: 2 A λ_s ΔT √t / (ΔH_v √(π a_s)).
    """
    rate = np.asarray(
        boiling_pool_evaporation_rate(
            area,
            time,
            boiling_point=boiling_point,
            heat_of_vaporisation=heat_of_vaporisation,
            ground_temperature=ground_temperature,
            ground=ground,
            ground_conductivity=ground_conductivity,
            ground_diffusivity=ground_diffusivity,
        )
    )
    return _checks.out(2.0 * rate * np.asarray(time, dtype=float))  # ∫ c/√t dt = 2 c √t = 2 ṁ(t) t


def nonboiling_pool_evaporation_rate(area, *, vapour_pressure, molar_mass, wind_speed, temperature):
    """Evaporation rate of a non-boiling pool (US EPA RMP guidance, Appendix D).

    Parameters
    ----------
    area : numeric
        [m²]
    vapour_pressure : numeric
        At the pool temperature. [Pa]
    molar_mass : numeric
        [kg/mol]
    wind_speed : numeric
        At 10 m. [m/s]
    temperature : numeric
        Pool temperature. [K]

    Returns
    -------
    rate : numeric
        [kg/s]; QR = 0.284 U^0.78 MW^(2/3) A VP / (82.05 T) in the guidance's units ([4], Eq. D-1).
    """
    a = _checks.nonneg("area", area)
    vp = _checks.nonneg("vapour_pressure", vapour_pressure)
    mw = _checks.positive("molar_mass", molar_mass)
    u = _checks.positive("wind_speed", wind_speed)
    t = _checks.positive("temperature", temperature)
    a_ft2 = a / 0.09290304  # m² -> ft²
    vp_mmhg = vp / 133.322387415  # Pa -> mm Hg
    mw_g = mw * 1000.0  # kg/mol -> g/mol
    qr_lb_min = 0.284 * u**0.78 * mw_g ** (2.0 / 3.0) * a_ft2 * vp_mmhg / (82.05 * t)  # [4], Eq. D-1
    return _checks.out(qr_lb_min * 0.45359237 / 60.0)  # lb/min -> kg/s


def release_duration(inventory, rate):
    """Time to empty an inventory at a constant rate.

    Parameters
    ----------
    inventory : numeric
        [kg]
    rate : numeric
        [kg/s]

    Returns
    -------
    duration : numeric
        [s]
    """
    m = _checks.nonneg("inventory", inventory)
    r = _checks.positive("rate", rate)
    return _checks.out(m / r)


def two_phase_discharge_rate(
    hole_diameter,
    *,
    temperature,
    substance=None,
    heat_of_vaporisation=None,
    liquid_density=None,
    vapour_density=None,
    liquid_heat_capacity=None,
):
    """Flashing (two-phase) discharge of a saturated liquefied gas, equilibrium rate model.

    Parameters
    ----------
    hole_diameter : numeric
        [m]
    temperature : numeric
        Storage temperature of the saturated liquid. [K]
    substance : str or Substance, optional
        Supplies ΔH_v(T), ρ_l(T), c_p(T) and the saturated vapour density ρ_v(T) when not given.
    heat_of_vaporisation : numeric, optional
        At T. [J/kg]
    liquid_density, vapour_density : numeric, optional
        At T. [kg/m³]
    liquid_heat_capacity : numeric, optional
        [J/(kg·K)]

    Returns
    -------
    rate : numeric
        [kg/s]; Q_m = A ΔH_v / v_fg · √(1/(c_p T)), v_fg = 1/ρ_v − 1/ρ_l (Fauske & Epstein 1988 equilibrium rate model,
        [1] §4-7, for flow paths longer than about 10 cm, where the flashing flow reaches equilibrium).

    References
    ----------
    Fauske, H. K. & Epstein, M. (1988). Source term considerations in connection with chemical accidents and
    vapour cloud modelling. J. Loss Prev. Process Ind. 1:75–83.
    """
    a = np.asarray(hole_area(hole_diameter))
    t = _checks.positive("temperature", temperature)
    if substance is not None:
        s = get(substance)
        if heat_of_vaporisation is None:
            heat_of_vaporisation = s.heat_of_vaporisation_at(t)
        if liquid_density is None:
            liquid_density = s.liquid_density_at(t)
        if liquid_heat_capacity is None:
            liquid_heat_capacity = s.liquid_heat_capacity_at(t)
        if vapour_density is None:
            vapour_density = s.vapour_density_at(t)  # saturated vapour (cubic EOS)
    for k, v in (
        ("heat_of_vaporisation", heat_of_vaporisation),
        ("liquid_density", liquid_density),
        ("vapour_density", vapour_density),
        ("liquid_heat_capacity", liquid_heat_capacity),
    ):
        if v is None:
            raise ValueError(f"{k}=None: give {k} or a substance")
    hv = _checks.positive("heat_of_vaporisation", heat_of_vaporisation)
    rl = _checks.positive("liquid_density", liquid_density)
    rv = _checks.positive("vapour_density", vapour_density)
    cp = _checks.positive("liquid_heat_capacity", liquid_heat_capacity)
    if np.any(rv >= rl):
        raise ValueError(f"vapour_density={vapour_density!r} must be below liquid_density={liquid_density!r}")
    vfg = 1.0 / rv - 1.0 / rl
    return _checks.out(a * hv / vfg * np.sqrt(1.0 / (cp * t)))  # [1] §4-7, ERM


_PHASES = ("liquid", "gas", "liquefied_gas")


@dataclass(frozen=True)
class Discharge:
    """Release through a hole of an installation (see :func:`discharge`).

    Attributes
    ----------
    rate : float
        [kg/s]
    duration : float
        Time to empty the inventory at this rate (inf when no inventory was given). [s]
    flash_fraction : float
        Fraction flashing to vapour at 1 atm [-] (0 for gases, which are all vapour: see ``airborne_fraction``).
    airborne_fraction : float
        Fraction of the release that stays airborne (vapour + aerosol) [-].
    rainout_fraction : float
        Fraction forming a pool [-].
    model : str
    assumptions : tuple of (str, str)
    """

    rate: float
    duration: float
    flash_fraction: float
    airborne_fraction: float
    rainout_fraction: float
    model: str
    assumptions: tuple[tuple[str, str], ...] = ()


def discharge(
    substance,
    *,
    hole_diameter,
    pressure,
    temperature,
    phase,
    inventory=None,
    ambient_pressure=P_ATM,
    liquid_head=0.0,
    discharge_coefficient=None,
) -> Discharge:
    """Release rate through a hole for an installation's substance, phase, pressure and temperature.

    Parameters
    ----------
    substance : str or Substance
    hole_diameter : float
        [m]
    pressure : float
        Absolute pressure in the equipment. [Pa]
    temperature : float
        [K]
    phase : str
        ``"gas"`` (choked/subsonic gas flow, [1] Eqs. 4-50–4-52), ``"liquid"`` (Bernoulli, [1] Eq. 4-6, with the flash
        fraction if the liquid is above its boiling point) or ``"liquefied_gas"`` (saturated liquid, two-phase
        equilibrium rate model, :func:`two_phase_discharge_rate`) — the ``phase`` enumeration of the installations
        layer.
    inventory : float, optional
        Mass available, for the duration. [kg]
    ambient_pressure : float
        [Pa]
    liquid_head : float
        Liquid height above the hole (liquid phase only). [m]
    discharge_coefficient : float, optional
        Default 1.0 for gas (conservative, [1] §4-6) and 0.61 for liquid ([1] §4-2); not used by the ERM.

    Returns
    -------
    Discharge
    """
    _checks.choice("phase", phase, _PHASES)
    s = get(substance)
    t = float(_checks.positive("temperature", temperature))
    p = float(_checks.positive("pressure", pressure))
    notes: list[tuple[str, str]] = [("substance", f"物质 {s.name_zh} ({s.name_en})"), ("model", "")]
    if phase == "gas":
        cd = 1.0 if discharge_coefficient is None else discharge_coefficient
        rate = float(
            gas_discharge_rate(
                hole_diameter,
                pressure=p,
                temperature=t,
                molar_mass=s.molar_mass,
                heat_capacity_ratio=s.heat_capacity_ratio,
                ambient_pressure=ambient_pressure,
                discharge_coefficient=cd,
            )
        )
        choked = bool(
            is_choked(p, heat_capacity_ratio=s.heat_capacity_ratio, ambient_pressure=ambient_pressure)
        )
        model = (
            "gas, choked (Crowl & Louvar Eq. 4-52)" if choked else "gas, subsonic (Crowl & Louvar Eq. 4-50)"
        )
        notes.append(("discharge_coefficient", f"流量系数 discharge coefficient {cd}"))
        flash, airborne = 0.0, 1.0
    elif phase == "liquid":
        cd = 0.61 if discharge_coefficient is None else discharge_coefficient
        rho = float(s.liquid_density_at(t))
        rate = float(
            liquid_discharge_rate(
                hole_diameter,
                liquid_density=rho,
                pressure=p,
                ambient_pressure=ambient_pressure,
                liquid_head=liquid_head,
                discharge_coefficient=cd,
            )
        )
        model = "liquid, Bernoulli (Crowl & Louvar Eq. 4-6)"
        notes += [
            ("discharge_coefficient", f"流量系数 discharge coefficient {cd}"),
            ("liquid_density", f"液体密度 liquid density {rho:.1f} kg/m³ ({t:.1f} K)"),
        ]
        flash = float(flash_fraction(t, substance=s))
        airborne = 1.0 - float(rainout_fraction(flash))
    else:
        rate = float(two_phase_discharge_rate(hole_diameter, temperature=t, substance=s))
        model = "liquefied gas, two-phase equilibrium rate model (Fauske & Epstein 1988)"
        flash = float(flash_fraction(t, substance=s))
        airborne = 1.0 - float(rainout_fraction(flash))
    duration = math.inf
    if inventory is not None:
        duration = float(release_duration(inventory, rate)) if rate > 0 else math.inf
    notes[1] = ("model", f"泄放模型 discharge model: {model}")
    if phase != "gas":
        notes.append(
            (
                "flash",
                f"闪蒸分数 flash fraction {flash:.3f}, 空中部分 airborne {airborne:.3f} (2 × 闪蒸规则 2 × flash rule)",
            )
        )
    return Discharge(
        rate=rate,
        duration=duration,
        flash_fraction=flash,
        airborne_fraction=airborne,
        rainout_fraction=1.0 - airborne,
        model=model,
        assumptions=tuple(notes),
    )

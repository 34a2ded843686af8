"""The source term: how much of what leaves an installation, how fast, and how much of it becomes a cloud or a pool.

:func:`source_term` reads a :class:`~analysis.scenarios.source.ReleaseSource` and its substance, applies the release conventions of
:class:`analysis.scenarios.release.Scenario` (Purple Book [1]_ G.1/G.2/G.3, or a given rate) and calls the source
models of :mod:`analysis.physics.source` step by step: release mode and rate (:func:`_release`), flashing, rain-out
and pool (:func:`_flash_and_pool`), and what enters the atmosphere. Of the weather it needs only the weather class
(the air temperature and the wind speed over a pool), so it accepts a :class:`analysis.weather.Weather` or a
:class:`analysis.weather.WeatherClass`.

References
----------
.. [1] CPR 18E (1999). Guidelines for quantitative risk assessment ("Purple Book"), chapter 3: G.1 instantaneous
       release, G.2 release of the complete inventory in 10 min, G.3 10 mm hole; chapter 4: releases limited to
       30 min.
.. [2] Crowl, D. A. & Louvar, J. F. (2011). Chemical Process Safety, 3rd ed., Prentice Hall: §4-6 choked gas
       flow (sonic throat temperature T* = 2T/(γ+1)); Eq. 4-89 flash fraction.
.. [3] CCPS (1996). Guidelines for Evaluating the Characteristics of Vapor Cloud Explosions, Flash Fires, and
       BLEVEs: aerosol taken as twice the flashed mass.
.. [4] US EPA (2009). Risk Management Program Guidance for Offsite Consequence Analysis, Appendix D, Eq. D-1
       (evaporation of a non-boiling pool).
.. [5] TNO (2005). Methods for the calculation of physical effects ("Yellow Book"), CPR 14E, chapter 3: boiling
       pool evaporation by heat conduction from the ground.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from analysis._text import num_zh
from analysis.constants import P_ATM, R_GAS
from analysis.errors import AnalysisInputError, ScenarioNotApplicableError
from analysis.physics import source as src
from analysis.scenarios.release import G2_DURATION_S, Scenario
from analysis.scenarios.source import ReleaseSource, as_release_source
from analysis.weather import Weather, WeatherClass, as_weather_class

__all__ = ["SourceTerm", "source_term"]

#: Fraction of the tank height taken as the liquid head above a hole when the level cannot be derived. [-]
_DEFAULT_FILL = 0.5
#: Averaging time of a boiling pool's evaporation when the release is instantaneous (G.1). [s]
_BOILING_POOL_AVERAGING_S = 600.0


@dataclass(frozen=True)
class SourceTerm:
    """The release of one scenario at one installation, in SI units.

    Attributes
    ----------
    unit_id : str
    substance : analysis.physics.substances.Substance
    instantaneous : bool
        True: the mass is released at once (G.1); False: at ``rate`` for ``duration``.
    mass : float
        Total mass released. [kg]
    rate : float
        Release rate through the hole, as given, or over the given duration; NaN when instantaneous. [kg/s]
    duration : float
        Release duration; 0 when instantaneous. [s]
    hole_diameter : float
        NaN unless released through a hole. [m]
    release_phase : str
        "gas", "liquid" or "flashing" (a superheated liquid that flashes on release).
    exit_velocity : float
        Velocity of the release at the hole (sonic for choked gas flow); NaN unless released through a hole. [m/s]
    flash_fraction : float
        Fraction of the liquid released that flashes to vapour. [-]
    airborne_fraction : float
        Fraction of the release that stays airborne as vapour and aerosol (1 for a gas). [-]
    pool_area : float
        Area of the pool formed by the liquid that rains out (limited by the bund); 0 when no pool. [m²]
    pool_mass : float
        Mass of liquid in the pool. [kg]
    pool_evaporation_rate : float
        Evaporation rate of the pool (non-boiling: US EPA RMP Eq. D-1; boiling: heat conduction from the ground,
        averaged over the release duration or 600 s). [kg/s]
    airborne_mass : float
        Mass in the cloud of an instantaneous release (flash + aerosol, or the whole gas). [kg]
    source_temperature : float
        Temperature of the vapour entering the atmosphere: the normal boiling point for a flashing liquid, the
        liquid temperature for an evaporating pool, the air temperature for a gas (after expansion and mixing).
        [K]
    airborne_rate : float
        Vapour/aerosol rate into the atmosphere of a continuous release (flash + aerosol + pool evaporation, or
        the pool evaporation of a non-boiling liquid). [kg/s]
    assumptions : tuple of str
        Every assumption made, in Chinese.
    """

    unit_id: str
    substance: object
    instantaneous: bool
    mass: float
    rate: float
    duration: float
    hole_diameter: float
    release_phase: str
    exit_velocity: float
    flash_fraction: float
    airborne_fraction: float
    pool_area: float
    pool_mass: float
    pool_evaporation_rate: float
    airborne_mass: float
    airborne_rate: float
    source_temperature: float
    assumptions: tuple[str, ...]

    @property
    def continuous_cloud(self) -> bool:
        """True when the cloud is a continuous plume (airborne_rate), False for a puff (airborne_mass)."""
        return not (self.instantaneous and self.airborne_mass > 0.0)


@dataclass(frozen=True)
class _Vessel:
    """What :func:`source_term` needs of the release source, checked (SI units)."""

    uid: str
    label: str  # how messages name the source
    substance: object
    inventory: float  # [kg]
    pressure: float  # [Pa], absolute
    temperature: float  # [K]
    diameter: float | None  # [m]
    height: float | None  # [m]
    bund_area: float | None  # [m²]
    release_phase: str  # "gas", "liquid" or "flashing"
    liquid_density: float  # [kg/m³] at the storage temperature; NaN for a gas


@dataclass(frozen=True)
class _Release:
    """Release mode and rate (the first step of the source term)."""

    instantaneous: bool
    rate: float  # [kg/s], NaN when instantaneous
    duration: float  # [s], 0 when instantaneous
    released: float  # [kg]
    exit_velocity: float  # [m/s], NaN unless through a hole


@dataclass(frozen=True)
class _Pool:
    """Flashing, rain-out and the pool (the second step of the source term)."""

    flash: float  # [-]
    airborne_fraction: float  # [-]
    mass: float  # [kg]
    area: float  # [m²]
    evaporation_rate: float  # [kg/s]


def source_term(source: ReleaseSource, scenario: Scenario, weather: Weather | WeatherClass) -> SourceTerm:
    """The release of a scenario at a release source (an installation, a point, a pipeline) and its substance.

    The release conventions are those of :class:`~analysis.scenarios.release.Scenario` (Purple Book [1]_
    G.1/G.2/G.3, or a given constant rate). The physics is the source models of :mod:`analysis.physics.source`
    (Crowl & Louvar 2011 discharge and flash equations [2]_; CCPS 1996 rain-out [3]_; bund-limited pool spreading;
    US EPA RMP [4]_ and TNO Yellow Book [5]_ pool evaporation).

    Choices made here (each also written to ``assumptions``):

    - releasable mass = ``inventory_kg`` × ``release_fraction``;
    - a hole releases at the initial rate (no depressurisation or level drop), which overestimates the rate late
      in the release; the release stops when the mass is gone or at ``max_duration``; a given ``release_rate``
      likewise;
    - liquid head above a hole at the bottom: the liquid level ``inventory / (ρ π D²/4)`` when ``diameter_m`` is
      given, else half of ``height_m``, else zero (pressure only);
    - a gas or a flashing liquid jet leaves the hole at the choked (sonic) velocity or, for a liquid,
      ``rate / (ρ_l A)``;
    - the liquid that rains out forms a pool limited by the bund (``bund_area_m2``); a boiling pool's
      evaporation is averaged over the release duration (600 s for an instantaneous release).

    Parameters
    ----------
    source : ReleaseSource or mapping
        The release source (its ``inventory_kg`` [kg], ``phase``, ``pressure_pa`` [Pa abs] and ``temperature_k``
        [K] are needed; ``diameter_m`` [m], ``height_m`` [m] and ``bund_area_m2`` [m²] are used when known), or an
        installations row, converted by :meth:`ReleaseSource.from_installation`.
    scenario : Scenario
    weather : Weather or WeatherClass
        Only the weather class is used: the air temperature (ground temperature under a boiling pool, temperature
        of a released gas) and the wind speed (evaporation of a non-boiling pool).

    Returns
    -------
    SourceTerm

    Raises
    ------
    ValueError
        Unknown substance, missing or non-positive inventory/pressure/temperature, a solid, or a hole release of
        an atmospheric liquid with no liquid head.
    """
    if not isinstance(scenario, Scenario):
        raise AnalysisInputError(
            f"scenario 事故情景应为 Scenario 对象，收到 {type(scenario).__name__} (must be a Scenario)"
        )
    air = as_weather_class(weather)
    vessel = _vessel(as_release_source(source))
    sub, t, inventory = vessel.substance, vessel.temperature, vessel.inventory
    notes: list[str] = [
        f"物质：{sub.name_zh}（{sub.name_en}，CAS {sub.cas}）"
        + (f"；{sub.surrogate_note}" if sub.surrogate_note else "")
    ]
    mass_avail = inventory * scenario.release_fraction
    notes.append(
        f"可泄漏量 = 存量 {inventory:,.0f} kg × 泄漏比例 {scenario.release_fraction:g} = {mass_avail:,.0f} kg"
    )
    rel = _release(vessel, scenario, mass_avail, notes)
    pool = _flash_and_pool(vessel, rel, air, notes)
    release_phase = vessel.release_phase
    if release_phase == "gas":
        t_src = air.temperature_k
    elif release_phase == "flashing":
        t_src = sub.boiling_point
    else:
        t_src = min(t, sub.boiling_point)
    if rel.instantaneous and release_phase != "liquid" and rel.released * pool.airborne_fraction > 0:
        airborne_mass = rel.released * pool.airborne_fraction
        airborne_rate = 0.0
        notes.append(
            f"瞬时气云质量 {airborne_mass:,.0f} kg" + ("（液池蒸发不计入气云）" if pool.mass > 0 else "")
        )
    else:
        airborne_mass = 0.0
        jet = 0.0 if rel.instantaneous else rel.rate * pool.airborne_fraction
        airborne_rate = jet + pool.evaporation_rate
        notes.append(f"进入大气的连续源强 {num_zh(airborne_rate)} kg/s")
    hole = scenario.hole_diameter
    return SourceTerm(
        unit_id=vessel.uid,
        substance=sub,
        instantaneous=rel.instantaneous,
        mass=rel.released,
        rate=rel.rate,
        duration=rel.duration,
        hole_diameter=float(hole) if hole is not None else math.nan,
        release_phase=release_phase,
        exit_velocity=rel.exit_velocity,
        flash_fraction=pool.flash,
        airborne_fraction=pool.airborne_fraction,
        pool_area=pool.area,
        pool_mass=pool.mass,
        pool_evaporation_rate=pool.evaporation_rate,
        airborne_mass=airborne_mass,
        airborne_rate=airborne_rate,
        source_temperature=t_src,
        assumptions=tuple(notes),
    )


def _vessel(src: ReleaseSource) -> _Vessel:
    """Check the source's phase, inventory, pressure and temperature; its substance and dimensions."""
    sub = src.substance_record
    uid = src.source_id
    phase = src.phase
    if phase not in ("liquid", "gas", "liquefied_gas"):
        raise ScenarioNotApplicableError(
            f"{src.label_zh} 的 phase 相态={phase!r} 无法计算泄漏源项，应为 ['liquid', 'gas', 'liquefied_gas'] 之一 "
            "(solids are not modelled)"
        )
    inventory = src.required("inventory_kg")
    p = src.required("pressure_pa")
    t = src.required("temperature_k")
    diameter, height, bund = src.diameter_m, src.height_m, src.bund_area_m2
    superheated = phase == "liquefied_gas" or (phase == "liquid" and t > sub.boiling_point)
    if phase == "gas":
        release_phase = "gas"
    elif superheated:
        release_phase = "flashing"
    else:
        release_phase = "liquid"
    rho_l = (
        float(sub.liquid_density_at(min(t, sub.critical_temperature - 1.0)))
        if release_phase != "gas"
        else math.nan
    )
    return _Vessel(uid, src.label_zh, sub, inventory, p, t, diameter, height, bund, release_phase, rho_l)


def _release(vessel: _Vessel, scenario: Scenario, mass_avail: float, notes: list[str]) -> _Release:
    """Release mode (Purple Book [1]_ G.1 / G.2 / G.3, or a given rate), rate, duration and released mass."""
    hole = scenario.hole_diameter
    duration_given = scenario.release_duration
    rate_given = scenario.release_rate
    if hole is None and duration_given is None and rate_given is None and scenario.kind == "jet_fire":
        duration_given = G2_DURATION_S
        notes.append("喷射火需要连续泄漏：未给孔径时按 CPR 18E G.2 取 10 min（600 s）内泄完全部可泄漏量")
    if hole is None and duration_given is None and rate_given is None:
        notes.append("瞬时泄漏全部可泄漏量（CPR 18E G.1 灾难性破裂）")
        return _Release(True, math.nan, 0.0, mass_avail, math.nan)
    if rate_given is not None:
        rate = float(rate_given)
        duration = min(mass_avail / rate, scenario.max_duration)
        released = rate * duration
        notes.append(
            f"以给定的恒定速率 {num_zh(rate)} kg/s 泄漏，持续 {duration:,.0f} s（泄完或达到最长 "
            f"{scenario.max_duration:g} s），泄漏量 {released:,.0f} kg"
        )
        return _Release(False, rate, duration, released, math.nan)
    if hole is None:
        rate = mass_avail / duration_given
        duration = min(duration_given, scenario.max_duration)
        notes.append(f"以恒定速率 {num_zh(rate)} kg/s 在 {duration_given:g} s 内泄完（CPR 18E G.2 类）")
        return _Release(False, rate, duration, rate * duration, math.nan)
    rate, exit_velocity = _hole_release(vessel, hole, mass_avail, notes)
    if scenario.falling_head and vessel.release_phase == "liquid" and vessel.diameter is not None:
        rate = _falling_head_rate(vessel, hole, mass_avail, scenario.max_duration, notes)
    duration = min(mass_avail / rate, scenario.max_duration)
    released = rate * duration
    notes.append(
        f"泄漏持续 {duration:,.0f} s（泄完或达到最长 {scenario.max_duration:g} s），泄漏量 {released:,.0f} kg"
    )
    return _Release(False, rate, duration, released, exit_velocity)


def _hole_release(vessel: _Vessel, hole: float, mass_avail: float, notes: list[str]) -> tuple[float, float]:
    """Initial rate [kg/s] and exit velocity [m/s] through a hole of diameter ``hole`` [m]."""
    sub, p, t, rho_l = vessel.substance, vessel.pressure, vessel.temperature, vessel.liquid_density
    diameter, height = vessel.diameter, vessel.height
    a_hole = float(src.hole_area(hole))
    head, head_note = 0.0, ""
    if vessel.release_phase == "liquid":
        if diameter is not None:
            head = mass_avail / (rho_l * math.pi * diameter**2 / 4.0)
            if height is not None:
                head = min(head, height)
            head_note = f"，液位按存量与直径 {diameter:g} m 折算为 {head:.2f} m"
        elif height is not None:
            head = _DEFAULT_FILL * height
            head_note = f"，液位取罐高 {height:g} m 的一半 {head:.2f} m"
        else:
            head_note = "，无直径和高度数据，不计液柱压头"
    # source.discharge, the one-call release model: gas (choked/subsonic), liquid (Bernoulli with head), superheated
    # liquefied gas (two-phase equilibrium rate model, Fauske & Epstein 1988).
    model_phase = {"gas": "gas", "liquid": "liquid", "flashing": "liquefied_gas"}[vessel.release_phase]
    dis = src.discharge(
        sub, hole_diameter=hole, pressure=p, temperature=t, phase=model_phase, liquid_head=head
    )
    rate = float(dis.rate)
    if not rate > 0:
        raise ScenarioNotApplicableError(
            f"{vessel.label}：压力 {p / 1e6:.3f} MPa（绝压）不高于大气压且无液柱压头，经孔径 {hole * 1e3:g} mm 的孔口"
            "不会流出；请在设施图层补充该设施的直径（diameter_m 字段）或高度（height_m 字段），或给定泄漏时间"
        )
    if vessel.release_phase == "gas":
        g = sub.heat_capacity_ratio
        if bool(src.is_choked(p, heat_capacity_ratio=g)):
            # Sonic velocity at the throat, T* = 2T/(γ+1) (isentropic flow; Crowl & Louvar 2011 §4-6 [2])
            exit_velocity = math.sqrt(g * R_GAS * (2.0 * t / (g + 1.0)) / sub.molar_mass)
        else:
            exit_velocity = rate / (P_ATM * sub.molar_mass / (R_GAS * t) * a_hole)
    else:
        # Liquid (or the liquid part of a flashing jet) at the hole: u = rate / (ρ_l A).
        exit_velocity = rate / (rho_l * a_hole)
    notes.append(
        f"经 {hole * 1e3:g} mm 孔口泄漏，{dis.model}{head_note}，速率 {num_zh(rate)} kg/s，出口速度 "
        f"{exit_velocity:,.0f} m/s；按初始速率恒定计（不计降压和液位下降，偏保守）"
    )
    return rate, exit_velocity


def _falling_head_rate(vessel: _Vessel, hole: float, mass_avail: float, max_duration: float, notes) -> float:
    """Mean rate of a draining tank over its release window (time to empty, at most ``max_duration``)."""
    rho_l, diameter = vessel.liquid_density, vessel.diameter
    head = mass_avail / (rho_l * math.pi * diameter**2 / 4.0)  # the releasable liquid above the hole [m]
    drain = dict(
        hole_diameter=hole,
        liquid_height=head,
        tank_diameter=diameter,
        density=rho_l,
        pressure=max(vessel.pressure, P_ATM),
    )
    t_empty = src.tank_drain(**drain, times=0.0).time_to_empty
    window = min(t_empty, max_duration)
    rate = src.tank_drain_mean_rate(**drain, window=window)
    notes.append(
        f"液位下降（Crowl & Louvar 式 4-13～4-19，竖直圆柱罐直径 {diameter:g} m，液位 {head:.2f} m）："
        f"排空时间 {t_empty:,.0f} s；取 {window:,.0f} s 内泄漏量的平均速率 {num_zh(rate)} kg/s 作为池和气云的源强"
    )
    return rate


def _flash_and_pool(vessel: _Vessel, rel: _Release, air: WeatherClass, notes: list[str]) -> _Pool:
    """Flash fraction, airborne fraction, and the pool of the liquid that rains out with its evaporation."""
    sub, t, rho_l, bund = vessel.substance, vessel.temperature, vessel.liquid_density, vessel.bund_area
    release_phase = vessel.release_phase
    if release_phase == "gas":
        flash, airborne_frac = 1.0, 1.0
    elif release_phase == "flashing":
        flash = float(src.flash_fraction(t, substance=sub))
        airborne_frac = 1.0 - float(src.rainout_fraction(flash))
        notes.append(
            f"闪蒸比例 {flash:.3f}（Crowl & Louvar 2011 式 4-89），气溶胶按 CCPS 1996 取两倍闪蒸量，"
            f"进入气云比例 {airborne_frac:.3f}，其余落地成池"
        )
    else:
        flash, airborne_frac = 0.0, 0.0
    pool_mass = rel.released * (1.0 - airborne_frac) if release_phase != "gas" else 0.0
    pool_a = 0.0
    evap = 0.0
    if pool_mass > 0:
        pool_a = float(src.pool_area(pool_mass / rho_l, bund_area=bund))
        where = f"围堰面积 {bund:g} m² 限制" if bund is not None else "无围堰，按最小液层厚度 10 mm 自由扩展"
        notes.append(f"液池面积 {pool_a:,.0f} m²（{where}）")
        if release_phase == "flashing" or t >= sub.boiling_point:
            tav = rel.duration if rel.duration > 0 else _BOILING_POOL_AVERAGING_S
            m_ev = float(
                src.boiling_pool_evaporated_mass(
                    pool_a,
                    tav,
                    boiling_point=sub.boiling_point,
                    heat_of_vaporisation=sub.heat_of_vaporisation,
                    ground_temperature=air.temperature_k,
                )
            )
            evap = min(m_ev, pool_mass) / tav
            notes.append(
                f"沸腾液池由地面导热蒸发（TNO 黄皮书第 3 章，混凝土地面），{tav:g} s 内平均 {num_zh(evap)} kg/s"
            )
        else:
            vp = float(sub.vapour_pressure(t))
            evap = float(
                src.nonboiling_pool_evaporation_rate(
                    pool_a,
                    vapour_pressure=vp,
                    molar_mass=sub.molar_mass,
                    wind_speed=air.wind_speed,
                    temperature=t,
                )
            )
            notes.append(
                f"液池蒸发速率 {num_zh(evap)} kg/s（US EPA RMP 附录 D 式 D-1，饱和蒸气压 {num_zh(vp / 1e3)} kPa）"
            )
    return _Pool(flash, airborne_frac, pool_mass, pool_a, evap)

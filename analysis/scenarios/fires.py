"""Fire fields: the heat flux of a pool fire, a jet fire and a fireball.

The fire models are those of :mod:`analysis.physics.fire`; this module sizes them from the source term and turns
their profiles into fields of (x, y), metres east/north of the source: the wind-tilted pool fire in the wind frame
of :mod:`analysis.scenarios.wind_frame`, the jet fire and the fireball as radial profiles.

References
----------
.. [1] CPR 18E (1999). Guidelines for quantitative risk assessment ("Purple Book"), chapter 5: exposure to heat
       radiation limited to 20 s (time to escape).
.. [2] API RP 521 (2014). Pressure-relieving and Depressuring Systems, 6th ed.: point-source model of a jet fire.
.. [3] CCPS (1994). Guidelines for Evaluating the Characteristics of Vapor Cloud Explosions, Flash Fires, and
       BLEVEs: fireball diameter, duration and emissive power.
"""

from __future__ import annotations

import math

import numpy as np

from analysis._text import num_zh
from analysis.constants import P_ATM
from analysis.errors import ScenarioNotApplicableError
from analysis.physics import fire
from analysis.scenarios.release import Scenario
from analysis.scenarios.source import ReleaseSource
from analysis.scenarios.source_term import SourceTerm
from analysis.scenarios.wind_frame import along_across, axis_bearing_deg, radial_field
from analysis.weather import Weather, WeatherClass

__all__ = ["FIRE_EXPOSURE_S", "FIRE_KINDS", "pool_fire_effects", "jet_fire_effects", "fireball_effects"]

# Purple Book [1] ch. 5: exposure to heat radiation is limited to 20 s (time to escape).
FIRE_EXPOSURE_S = 20.0
#: Scenario kinds whose effect is thermal radiation (probability of death by the thermal probit).
FIRE_KINDS: tuple[str, ...] = ("pool_fire", "jet_fire", "fireball")


def _radiation_kw(weather: Weather | WeatherClass) -> dict:
    return dict(relative_humidity=weather.relative_humidity, ambient_temperature=weather.temperature_k)


def pool_fire_effects(
    src: ReleaseSource, scenario: Scenario, weather: Weather | WeatherClass, st: SourceTerm, notes: list[str]
):
    """Effect builder of the pool fire: the 2-D heat flux of the wind-tilted fire on the pool.

    Returns
    -------
    fields : dict
        {"heat_flux": (x, y) -> W/m²}, the model's own ``heat_flux_xy`` in the wind frame.
    model : analysis.physics.fire.PoolFire
    exposure : float
        20 s, or the fire's duration if shorter [1]_. [s]
    """
    sub = st.substance
    if st.pool_area <= 0:
        raise ScenarioNotApplicableError(
            f"设施 {st.unit_id}：{sub.name_zh} 泄漏后全部闪蒸/气化，不形成液池，池火情景不适用 "
            "(no pool forms: all the release flashes or is gas)"
        )
    d_pool = float(fire.equivalent_diameter(st.pool_area))
    model = fire.pool_fire(
        d_pool,
        substance=sub,
        wind_speed=weather.wind_speed,
        ambient_temperature=weather.temperature_k,
        mass=max(st.pool_mass, 1e-9),
    )
    bearing = axis_bearing_deg(weather)
    kw = _radiation_kw(weather)

    def field(x, y):
        s_, c_ = along_across(x, y, bearing)
        return model.heat_flux_xy(s_, c_, **kw)

    notes.append(
        f"池火：液池当量直径 {d_pool:.1f} m，燃烧速率 {num_zh(model.burning_rate)} kg/(m²·s)，"
        f"火焰长度 {model.flame_length:.1f} m，倾角 {math.degrees(model.tilt):.0f}°（顺风），"
        f"表面辐射功率 {model.surface_emissive_power / 1e3:.1f} kW/m²"
    )
    radius = float(model.radius)

    def in_pool(x, y):  # the burning pool: the flame's base, where the model gives the SEP
        return np.hypot(np.asarray(x, dtype=float), np.asarray(y, dtype=float)) <= radius

    fields = {
        "heat_flux": field,
        "inside_source": in_pool,
        "near_field": _near_sep(model.surface_emissive_power),
    }
    return fields, model, min(FIRE_EXPOSURE_S, model.duration)


def jet_fire_effects(
    src: ReleaseSource, scenario: Scenario, weather: Weather | WeatherClass, st: SourceTerm, notes: list[str]
):
    """Effect builder of the jet fire: radial heat flux of the vertical jet (API 521 point source [2]_).

    Returns
    -------
    fields : dict
        {"heat_flux": (x, y) -> W/m²}.
    model : analysis.physics.fire.JetFire
    exposure : float
        20 s, or the release duration if shorter [1]_. [s]
    """
    sub = st.substance
    if st.instantaneous:
        raise ScenarioNotApplicableError(
            "jet_fire 喷射火需要连续泄漏：请给出 hole_diameter、release_rate 或 release_duration (needs a rate)"
        )
    if math.isfinite(st.exit_velocity):
        model = fire.jet_fire(
            st.rate, substance=sub, exit_velocity=st.exit_velocity, release_height=scenario.release_height
        )
    else:
        model = fire.jet_fire(
            st.rate, substance=sub, radiative_fraction=0.2, release_height=scenario.release_height
        )
        notes.append("喷射火辐射分数取 0.2（未知出口速度）")
    kw = _radiation_kw(weather)
    notes.append(
        f"喷射火：速率 {num_zh(st.rate)} kg/s，火焰长度 {model.flame_length:.1f} m，"
        f"辐射分数 {model.radiative_fraction:.3f}，竖直射流点源（API 521）"
    )
    # the point source is held at r = L/2 from the flame centre ([2]): inside that sphere is the flame's near zone
    near_r2 = (0.5 * model.flame_length) ** 2 - model.source_height**2
    d_near = math.sqrt(near_r2) if near_r2 > 0 else 0.0
    q_near = float(np.asarray(model.heat_flux(d_near, **kw)))

    def in_flame(x, y):
        return np.hypot(np.asarray(x, dtype=float), np.asarray(y, dtype=float)) < d_near

    fields = {
        "heat_flux": radial_field(lambda r: model.heat_flux(r, **kw)),
        "inside_source": in_flame,
        "near_field": _near_sep(q_near),
    }
    return fields, model, min(FIRE_EXPOSURE_S, st.duration)


def fireball_effects(
    src: ReleaseSource, scenario: Scenario, weather: Weather | WeatherClass, st: SourceTerm, notes: list[str]
):
    """Effect builder of the fireball: radial heat flux of the whole released mass (CCPS 1994 [3]_).

    Returns
    -------
    fields : dict
        {"heat_flux": (x, y) -> W/m²}.
    model : analysis.physics.fire.Fireball
    exposure : float
        The fireball's duration. [s]
    """
    p = src.pressure_pa if src.pressure_pa is not None else P_ATM
    model = fire.fireball(st.mass, substance=st.substance, vessel_pressure=p)
    kw = _radiation_kw(weather)
    notes.append(
        f"火球：参与质量 {st.mass:,.0f} kg（全部泄漏量），直径 {model.diameter:.0f} m，持续 "
        f"{model.duration:.1f} s，中心高度 {model.lift_off_height:.0f} m，表面辐射功率 "
        f"{model.emissive_power / 1e3:.0f} kW/m²（{model.model}）"
    )
    radius = 0.5 * float(model.diameter)

    def under_fireball(x, y):
        return np.hypot(np.asarray(x, dtype=float), np.asarray(y, dtype=float)) < radius

    fields = {
        "heat_flux": radial_field(lambda r: model.heat_flux(r, **kw)),
        "inside_source": under_fireball,
        "near_field": _near_sep(float(model.emissive_power)),
    }
    return fields, model, model.duration


def _near_sep(value: float) -> dict:
    """The stated near-field heat flux of a fire: its surface emissive power (pool fire,
    fireball), or the point source's flux at its near-zone edge (jet fire). [W/m²]"""
    return {"heat_flux": float(value)}

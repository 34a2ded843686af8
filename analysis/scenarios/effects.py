"""Effect fields: the physical effects of a scenario at an installation as vectorised functions of position.

:func:`effect_field` computes the source term, looks up the effect builder of the scenario's kind in
:data:`EFFECT_BUILDERS` (fires: :mod:`analysis.scenarios.fires`; toxic cloud and flash fire:
:mod:`analysis.scenarios.clouds`; VCE, vessel burst and BLEVE blast: :mod:`analysis.scenarios.blasts`) and returns an
:class:`EffectField`: heat flux, overpressure, impulse, concentration and probability of death at points (x east,
y north, metres from the release source's origin), or in the wind frame with :meth:`EffectField.along_wind`.

References
----------
.. [1] CPR 18E (1999). Guidelines for quantitative risk assessment ("Purple Book"), chapter 5: exposure to heat
       radiation limited to 20 s; 100 % lethality inside a flash fire's LFL envelope.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from analysis._checks import choice
from analysis.errors import ScenarioNotApplicableError
from analysis.physics import vulnerability as vul
from analysis.scenarios.blasts import bleve_blast_effects, vce_effects, vessel_burst_effects
from analysis.scenarios.clouds import cloud_effects, lfl_kg_m3
from analysis.scenarios.fires import (
    FIRE_EXPOSURE_S,
    FIRE_KINDS,
    fireball_effects,
    jet_fire_effects,
    pool_fire_effects,
)
from analysis.scenarios.release import Scenario
from analysis.scenarios.source import ReleaseSource, as_release_source
from analysis.scenarios.source_term import SourceTerm, source_term
from analysis.scenarios.wind_frame import WIND_CLASS_AXIS_BEARING_DEG, along_across, axis_bearing_deg, to_xy
from analysis.weather import Weather, WeatherClass

__all__ = [
    "QUANTITY_OF_KIND",
    "FIELD_QUANTITIES",
    "INSIDE_SOURCE_ZH",
    "EFFECT_BUILDERS",
    "EffectField",
    "effect_field",
]

QUANTITY_OF_KIND: dict[str, str] = {
    "pool_fire": "heat_flux",
    "jet_fire": "heat_flux",
    "fireball": "heat_flux",
    "flash_fire": "concentration",
    "vce": "overpressure",
    "vessel_burst": "overpressure",
    "bleve_blast": "overpressure",
    "toxic": "concentration",
}
#: The physical quantities of an effect field (its methods of the same names).
FIELD_QUANTITIES: tuple[str, ...] = ("heat_flux", "overpressure", "impulse", "concentration")

#: Flag of a point inside the fire, the cloud or the blast source, where the effect models are not valid and the
#: load shown is the model's stated near-field value.
INSIDE_SOURCE_ZH = "位于火焰/云团/爆源范围内"

#: Effect builder of each scenario kind: ``builder(release_source, scenario, weather, source_term, notes)`` returns
#: the fields ``{quantity: (x, y) -> value}`` it produces, the consequence model's own result (for reports) and the default
#: exposure time [s] (NaN when it varies or does not apply); it appends its assumptions to ``notes``. The fields
#: may also hold ``"inside_source"``: (x, y) -> bool, the model's source region (flame, cloud, blast charge), and
#: ``"near_field"``: {quantity: value}, the model's stated near-field value, the largest the field returns; the
#: quantity functions return that value inside the source region (never a curve extrapolated into it).
EFFECT_BUILDERS: dict[str, Callable] = {
    "pool_fire": pool_fire_effects,
    "jet_fire": jet_fire_effects,
    "fireball": fireball_effects,
    "flash_fire": cloud_effects,
    "toxic": cloud_effects,
    "vce": vce_effects,
    "vessel_burst": vessel_burst_effects,
    "bleve_blast": bleve_blast_effects,
}
#: Kinds that need a flammable substance.
_FLAMMABLE_KINDS: tuple[str, ...] = ("pool_fire", "jet_fire", "fireball", "flash_fire", "vce")


def _zero(x, y):
    x, y = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return np.zeros(x.shape)


def _outside(x, y):
    x, y = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return np.zeros(x.shape, dtype=bool)


@dataclass(frozen=True)
class EffectField:
    """Physical effects of one scenario at one installation, as vectorised functions of position.

    Positions are metres east (``x``) and north (``y``) of :attr:`origin` (the release source's origin in the
    park's metric CRS: the centroid of an installation's geometry); arrays of any shape broadcast. A quantity the
    scenario does not produce is zero everywhere (the heat flux of a toxic cloud, the concentration of a
    fireball). :meth:`along_wind` gives the same quantities at a downwind distance and a crosswind offset instead.

    Attributes
    ----------
    unit_id : str
    scenario : Scenario
    weather : Weather or WeatherClass
        A weather case; or a weather class without a direction, for which the field's downwind axis is the
        conventional bearing :data:`analysis.scenarios.wind_frame.WIND_CLASS_AXIS_BEARING_DEG` (east).
    source : SourceTerm
    origin : tuple of float
        (x, y) of the release source in the park's metric CRS. [m]
    quantity : str
        The effect the zones of this scenario are drawn for: "heat_flux", "overpressure" or "concentration".
    exposure_time : float
        Exposure time used for the probability of death. [s]
    lfl_concentration : float
        Lower flammability limit as a mass concentration at the air temperature (NaN if not flammable). [kg/m³]
    model : object
        The consequence model's own result (PoolFire, JetFire, Fireball, ...), for reports.
    assumptions : tuple of str
        Every assumption (source term, model variants, weather), in Chinese.
    near_field : dict
        {quantity: the model's stated near-field value} (e.g. the flame's surface emissive power [W/m²], the blast
        overpressure at the cloud edge or the vessel wall [Pa]); no quantity function returns more. A quantity
        without an entry has no stated bound (:meth:`max_value` gives inf).
    """

    unit_id: str
    scenario: Scenario
    weather: Weather | WeatherClass
    source: SourceTerm
    origin: tuple[float, float]
    quantity: str
    exposure_time: float
    lfl_concentration: float
    model: object
    assumptions: tuple[str, ...]
    _heat_flux: object = _zero
    _overpressure: object = _zero
    _impulse: object = _zero
    _concentration: object = _zero
    _inside_source: object = _outside
    near_field: dict | None = None

    @property
    def substance(self):
        return self.source.substance

    @property
    def axis_bearing_deg(self) -> float:
        """Downwind bearing (the direction plumes and tilted flames point to), clockwise from north. [°]"""
        return axis_bearing_deg(self.weather)

    def along_across(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        """Downwind distance s and crosswind offset c (to the left of downwind) of positions. [m]"""
        return along_across(x, y, self.axis_bearing_deg)

    def along_wind(self, quantity: str, s, c):
        """The value of ``quantity`` at downwind distance ``s`` and crosswind offset ``c`` (to the left of
        downwind) [m], whatever the field's wind direction.

        Parameters
        ----------
        quantity : str
            "heat_flux" [W/m²], "overpressure" [Pa], "impulse" [Pa·s], "concentration" [kg/m³] or
            "probability_of_death" [-].
        s, c : array_like
            Broadcast against each other. [m]

        Notes
        -----
        (s, c) is rotated into (x, y) with the field's own axis bearing (:func:`~analysis.scenarios.wind_frame.to_xy`,
        exact on a cardinal axis; on the east axis of a field built for a :class:`~analysis.weather.WeatherClass`
        x = s and y = c).
        """
        name = choice("quantity 效应量", quantity, (*FIELD_QUANTITIES, "probability_of_death"))
        return getattr(self, name)(*to_xy(s, c, self.axis_bearing_deg))

    def inside_source(self, x, y):
        """True where (x, y) [m] lies inside the model's source region — the flame (pool area, the jet flame's
        near zone, under the fireball), the flammable cloud (LFL envelope) or a toxic cloud richer than the pure
        vapour, the blast charge (the exploding cloud, the vessel) — where the quantities are the model's stated
        near-field values (:data:`INSIDE_SOURCE_ZH`). [-]"""
        return np.asarray(self._inside_source(x, y), dtype=bool)

    def inside_source_along_wind(self, s, c):
        """:meth:`inside_source` at downwind distance ``s`` and crosswind offset ``c`` [m]."""
        return self.inside_source(*to_xy(s, c, self.axis_bearing_deg))

    def max_value(self, quantity: str) -> float:
        """The model's stated near-field value of ``quantity``: the largest value the field returns (inf when the
        model states none). [W/m² | Pa | Pa·s | kg/m³]"""
        name = choice("quantity 效应量", quantity, FIELD_QUANTITIES)
        return float((self.near_field or {}).get(name, math.inf))

    def heat_flux(self, x, y):
        """Thermal radiation received by a ground-level target. [W/m²]"""
        return self._heat_flux(x, y)

    def overpressure(self, x, y):
        """Peak side-on overpressure. [Pa]"""
        return self._overpressure(x, y)

    def impulse(self, x, y):
        """Side-on positive-phase impulse. [Pa·s]"""
        return self._impulse(x, y)

    def concentration(self, x, y):
        """Ground-level concentration (time-averaged plume, or the peak of a puff). [kg/m³]"""
        return self._concentration(x, y)

    def probability_of_death(self, x, y):
        """Probability of death of a person outdoors at ground level. [-]

        Fires: thermal probit (``scenario.thermal_probit``) of the heat flux over :attr:`exposure_time`; flash
        fire: 1 inside the LFL envelope, 0 outside (Purple Book [1]_); explosions: overpressure probit
        (``scenario.overpressure_probit``, with the impulse when the model needs it); toxic cloud: the substance's
        toxic probit for the concentration over :attr:`exposure_time` (ValueError when the substance has none).
        All probits are those of :mod:`analysis.physics.vulnerability`.
        """
        kind = self.scenario.kind
        if kind in FIRE_KINDS:
            y_ = vul.probit_thermal(self.heat_flux(x, y), self.exposure_time, self.scenario.thermal_probit)
        elif kind == "flash_fire":
            # Purple Book [1]: everybody inside the LFL contour of the cloud dies, nobody outside.
            return np.where(self.concentration(x, y) >= self.lfl_concentration, 1.0, 0.0)
        elif kind in ("vce", "vessel_burst", "bleve_blast"):
            model = self.scenario.overpressure_probit
            imp = self.impulse(x, y) if model in vul.OVERPRESSURE_MODELS_NEEDING_IMPULSE else None
            y_ = vul.probit_overpressure(self.overpressure(x, y), imp, model=model)
        else:
            t_exp = self.exposure_time
            sigma_x = self.model.get("sigma_x") if isinstance(self.model, dict) else None
            if sigma_x is not None and self.substance.probit is not None:
                # Puff passing a receptor: C(t) = C_peak exp(-(ut - s)²/2σx²), so ∫Cⁿ dt = C_peakⁿ √(2π/n) σx/u:
                # the probit of C_peak over t_eff = √(2π/n) σx/u gives exactly the toxic load.
                s_, _ = self.along_across(x, y)
                n = self.substance.probit.n
                t_exp = np.minimum(
                    math.sqrt(2.0 * math.pi / n) * sigma_x(s_) / self.weather.wind_speed,
                    self.scenario.max_duration,
                )
            y_ = vul.probit_toxic(self.concentration(x, y), t_exp, self.substance)
        return vul.probability(y_)

    def function(self, quantity: str):
        """The method for ``quantity`` ("heat_flux", "overpressure", "impulse", "concentration")."""
        return getattr(self, choice("quantity 效应量", quantity, FIELD_QUANTITIES))


def effect_field(source: ReleaseSource, scenario: Scenario, weather: Weather | WeatherClass) -> EffectField:
    """Physical effects of a scenario at a release source, as vectorised functions of position.

    Parameters
    ----------
    source : ReleaseSource or mapping
        The release source in the park's metric CRS (its ``origin`` becomes the field's origin), or an
        installations row, converted by :meth:`ReleaseSource.from_installation` (the geometry's centroid becomes
        the origin; a row without a geometry gets origin (0, 0)).
    scenario : Scenario
    weather : Weather or WeatherClass
        A weather case; or a weather class of a wind rose without a direction: then the field's downwind axis is
        east (:data:`analysis.scenarios.wind_frame.WIND_CLASS_AXIS_BEARING_DEG`) and callers read it in the wind
        frame with :meth:`EffectField.along_wind`.

    Returns
    -------
    EffectField

    Raises
    ------
    ValueError
        Bad inputs (see :func:`~analysis.scenarios.source_term.source_term`), or a scenario that cannot happen
        there (:class:`analysis.errors.ScenarioNotApplicableError`: a fire or explosion of a substance that does
        not burn, a toxic cloud of a non-toxic substance, ...).

    Notes
    -----
    Models used (each from :mod:`analysis.physics`; see their docstrings for the sources), by the builder of
    :data:`EFFECT_BUILDERS`:

    - pool fire: :func:`~analysis.physics.fire.pool_fire` on the pool (diameter of the circle of the pool
      area), wind tilt; the 2-D field interpolates the model's downwind/crosswind/upwind profiles in angle;
    - jet fire: :func:`~analysis.physics.fire.jet_fire` (API 521 point source, Chamberlain radiative
      fraction from the exit velocity);
    - fireball: :func:`~analysis.physics.fire.fireball` (CCPS 1994) with the whole released mass and the
      vessel pressure;
    - toxic cloud, flash fire: the dispersion models; VCE, vessel burst and BLEVE blast: the explosion models.
    """
    src = as_release_source(source)
    st = source_term(src, scenario, weather)
    sub = st.substance
    kind = scenario.kind
    builder = EFFECT_BUILDERS[choice("scenario 事故情景", kind, EFFECT_BUILDERS)]
    notes = list(st.assumptions)
    notes.append(f"气象：{weather.describe_zh()}")
    if not isinstance(weather, Weather):
        notes.append(
            f"气象类别未给风向：效应场的下风向轴按约定取方位角 {WIND_CLASS_AXIS_BEARING_DEG:g}°（正东），"
            "按下风向距离和横风向偏移取值"
        )
    if kind in _FLAMMABLE_KINDS and not sub.flammable:
        raise ScenarioNotApplicableError(
            f"scenario 事故情景={kind!r} 需要可燃物质，而 {sub.name_zh} 不可燃；{sub.name_zh} 适用的情景见 "
            f"applicable_scenarios() (substance {sub.name_en} does not burn)"
        )
    fields, model, default_exposure = builder(src, scenario, weather, st, notes)
    exposure = scenario.exposure_time if scenario.exposure_time is not None else default_exposure
    if kind in FIRE_KINDS and (exposure is None or not exposure > 0):
        exposure = FIRE_EXPOSURE_S
    exposure = math.nan if exposure is None else float(exposure)
    if kind in FIRE_KINDS or (kind == "toxic" and math.isfinite(exposure)):
        notes.append(f"暴露时间 {exposure:.0f} s")
    return EffectField(
        unit_id=st.unit_id,
        scenario=scenario,
        weather=weather,
        source=st,
        origin=src.origin,
        quantity=QUANTITY_OF_KIND[kind],
        exposure_time=exposure,
        lfl_concentration=lfl_kg_m3(sub, weather),
        model=model,
        assumptions=tuple(notes),
        _heat_flux=fields.get("heat_flux", _zero),
        _overpressure=fields.get("overpressure", _zero),
        _impulse=fields.get("impulse", _zero),
        _concentration=fields.get("concentration", _zero),
        _inside_source=fields.get("inside_source", _outside),
        near_field=dict(fields.get("near_field", {})),
    )

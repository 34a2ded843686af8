"""Scenarios: from a release source, an accident scenario and the weather to physical effect fields.

This package is the glue between the park data and the consequence models; it holds no physical model of its own.
Its modules follow the steps of a consequence calculation:

0. :mod:`~analysis.scenarios.source` — :class:`ReleaseSource`, the typed, checked release source: an
   installation (:meth:`ReleaseSource.from_installation`), a point (:meth:`ReleaseSource.at_point`) or a point of
   a pipeline (:meth:`ReleaseSource.on_pipeline`). The functions below take a ReleaseSource or, converting it at
   the boundary, an installations row;
1. :mod:`~analysis.scenarios.release` — :class:`Scenario` (the outcome and its release: instantaneous, a hole, a
   constant rate or a constant duration) and :func:`applicable_scenarios` (which outcomes make sense for an
   installation, with the reason in Chinese);
2. :mod:`~analysis.scenarios.source_term` — :func:`source_term` derives the release (rate or mass, duration,
   airborne fraction, pool size) from the release source and its substance, with the source models of
   :mod:`analysis.physics.source`;
3. :mod:`~analysis.scenarios.effects` — :func:`effect_field` returns an :class:`EffectField` whose vectorised
   methods ``heat_flux(x, y)`` [W/m²], ``overpressure(x, y)`` [Pa], ``impulse(x, y)`` [Pa·s],
   ``concentration(x, y)`` [kg/m³] and ``probability_of_death(x, y)`` [-] give the effects at points (x east,
   y north, metres from the release source's origin), and ``along_wind(quantity, s, c)`` the same in the wind
   frame; the effect builders of each kind are in :mod:`~analysis.scenarios.fires`,
   :mod:`~analysis.scenarios.clouds` and :mod:`~analysis.scenarios.blasts`, the wind frame in
   :mod:`~analysis.scenarios.wind_frame`;
4. :mod:`~analysis.scenarios.zones` — threat zones contoured from the effect fields.

The weather is the one weather model of :mod:`analysis.weather` (:class:`Weather`, a weather case with a wind
direction, and :class:`WeatherClass`, a weather class of a wind rose without one), re-exported here.

Conventions
-----------
- Wind direction is where the wind comes **from**, clockwise from north (meteorological convention, as in
  :mod:`analysis.weather`): a wind from 45° (north-east) carries a cloud towards 225° (south-west).
- Coordinates are metres in the park's metric CRS, relative to :attr:`EffectField.origin` (the centroid of the
  installation's geometry). Every method accepts arrays of any shape and broadcasts ``x`` against ``y``.
- Every assumption made on the way (release mode, hole, duration, model variants, exposure time) is recorded in
  Chinese in :attr:`SourceTerm.assumptions` and :attr:`EffectField.assumptions`, so a result always travels with
  the choices behind it.

References
----------
.. [1] CPR 18E (1999). Guidelines for quantitative risk assessment ("Purple Book"), chapters 3–5 (release
       conventions G.1/G.2/G.3, 30 min release limit, 20 s exposure to heat radiation); see the modules.
"""

from __future__ import annotations

from analysis.scenarios.effects import INSIDE_SOURCE_ZH, QUANTITY_OF_KIND, EffectField, effect_field
from analysis.scenarios.fires import FIRE_EXPOSURE_S
from analysis.scenarios.release import (
    BST_CONFINEMENT,
    BST_CONGESTION,
    BST_REACTIVITY,
    EXPLOSION_MODELS,
    G2_DURATION_S,
    MAX_RELEASE_DURATION_S,
    PRESSURISED_MIN_PA,
    SCENARIO_KINDS,
    SCENARIO_LABELS_ZH,
    Scenario,
    ScenarioOption,
    applicable_scenarios,
)
from analysis.scenarios.source import PHASES, ReleaseSource, as_release_source
from analysis.scenarios.source_term import SourceTerm, source_term
from analysis.weather import (
    PASQUILL_GUIDANCE_ZH,
    PASQUILL_NOTE_ZH,
    STABILITY_CLASSES,
    STABILITY_LABELS_ZH,
    TERRAIN_LABELS_ZH,
    TERRAINS,
    Weather,
    WeatherClass,
)

__all__ = [
    "SCENARIO_KINDS",
    "SCENARIO_LABELS_ZH",
    "STABILITY_CLASSES",
    "TERRAINS",
    "PASQUILL_GUIDANCE_ZH",
    "STABILITY_LABELS_ZH",
    "TERRAIN_LABELS_ZH",
    "PASQUILL_NOTE_ZH",
    "EXPLOSION_MODELS",
    "BST_REACTIVITY",
    "BST_CONFINEMENT",
    "BST_CONGESTION",
    "QUANTITY_OF_KIND",
    "INSIDE_SOURCE_ZH",
    "G2_DURATION_S",
    "MAX_RELEASE_DURATION_S",
    "FIRE_EXPOSURE_S",
    "PRESSURISED_MIN_PA",
    "PHASES",
    "ReleaseSource",
    "as_release_source",
    "Weather",
    "WeatherClass",
    "Scenario",
    "ScenarioOption",
    "SourceTerm",
    "EffectField",
    "applicable_scenarios",
    "source_term",
    "effect_field",
]

"""Domino (knock-on) effect analysis: escalation vectors, thresholds, probits, propagation and the escalation graph.

The method follows Cozzani and co-workers [1]_ [2]_ [3]_:

1. every primary scenario of every installation (pool fire, jet fire, fireball, VCE, vessel burst) produces an
   *escalation vector* — heat radiation or peak overpressure — computed with the consequence models of
   :func:`analysis.scenarios.effect_field` (never re-implemented here);
2. the load on every other installation is read at the point of the target's footprint nearest to the source's
   effect origin, in the park's metric CRS (footprint to footprint, not centroid to centroid);
3. a target is a credible secondary event when the load exceeds the escalation *threshold* of its equipment class
   [1]_; its escalation probability is then given by the *probit* models of [2]_ (time to failure under fire
   for heat radiation, equipment-specific probits for overpressure [3]_);
4. first-level escalation is combined as in [2]_ (all combinations of secondary events, each with the product of
   the probabilities of the events that occur and of the complements of those that do not); higher levels by a
   seeded Monte Carlo simulation on the escalation graph (after the multi-level propagation of [4]_, with its
   synergistic effect: the heat radiation of every stationary fire burning at a level is summed on each target,
   including fires each below the threshold), and the most probable chains by the max-product (−ln p shortest)
   paths of the graph (the "most probable path" of [4]_).

Everything tunable (thresholds, probits, weather, scenarios, depth, samples) is a parameter of
:class:`DominoOptions` or of the model registry :data:`ESCALATION_MODELS`.

Modules: :mod:`~analysis.domino.models` (equipment categories, thresholds, time to failure, probits, escalation
probability, the model registry), :mod:`~analysis.domino.units` (installations as targets),
:mod:`~analysis.domino.loads` (loads between real footprints, engulfment, the escalation matrix),
:mod:`~analysis.domino.graph` (escalation graph, chains, hub ranking), :mod:`~analysis.domino.propagation`
(first-level combinations, Monte Carlo with synergy), :mod:`~analysis.domino.measures` (measures that remove an
edge), :mod:`~analysis.domino.frequencies` (escalation-added frequencies for the risk engine) and
:mod:`~analysis.domino.study` (:class:`DominoOptions`, :class:`DominoResult`, :func:`analyze`). This package
re-exports their public names.

References
----------
.. [1] Cozzani V., Gubinelli G., Salzano E. (2006). Escalation thresholds in the assessment of domino accidental
   events. J. Hazard. Mater. A129, 1–21 (threshold values per equipment category and primary scenario).
.. [2] Cozzani V., Gubinelli G., Antonioni G., Spadoni G., Zanelli S. (2005). The assessment of risk caused by
   domino effect in quantitative area risk analysis. J. Hazard. Mater. A127, 14–30 (Table 2: time-to-failure
   correlations and probit models; combinatorial first-level method, Eq. 1–3).
.. [3] Cozzani V., Salzano E. (2004). The quantitative assessment of domino effects caused by overpressure.
   Part I. Probit models. J. Hazard. Mater. A107, 67–80 (equipment-category probits, Y = a + b ln ΔP, ΔP in Pa).
.. [4] Khakzad N., Khan F., Amyotte P., Cozzani V. (2013). Domino effect analysis using Bayesian networks.
   Risk Anal. 33(2), 292–306 (multi-level propagation; most probable domino path).
.. [5] Landucci G., Gubinelli G., Antonioni G., Cozzani V. (2009). The assessment of the damage probability of
   storage tanks in domino events triggered by fire. Accid. Anal. Prev. 41, 1206–1215 (heat-radiation probit
   with the time needed for mitigation: Y = 9.25 − 1.85 ln(ttf/60), ttf [s]); the alternative model
   ``"landucci2009"`` of :data:`ESCALATION_MODELS`.
"""

from analysis.domino.loads import escalation_matrix
from analysis.domino.models import (
    DEFAULT_ESCALATION_MODEL,
    EQUIPMENT_CLASSES,
    EQUIPMENT_LABELS_ZH,
    ESCALATION_MODEL_LABELS_ZH,
    ESCALATION_MODELS,
    PRIMARY_KINDS,
    PRIMARY_LABELS_ZH,
    VECTOR_LABELS_ZH,
    VECTOR_UNITS,
    VECTORS,
    EscalationModel,
    escalation_probability,
    escalation_probit,
    probit_to_probability,
    threshold,
    time_to_failure,
)
from analysis.domino.propagation import first_level_combinations
from analysis.domino.study import DominoOptions, DominoResult, analyze

__all__ = [
    "EQUIPMENT_CLASSES",
    "EQUIPMENT_LABELS_ZH",
    "VECTORS",
    "VECTOR_LABELS_ZH",
    "VECTOR_UNITS",
    "PRIMARY_KINDS",
    "PRIMARY_LABELS_ZH",
    "DEFAULT_ESCALATION_MODEL",
    "ESCALATION_MODELS",
    "ESCALATION_MODEL_LABELS_ZH",
    "EscalationModel",
    "DominoOptions",
    "DominoResult",
    "threshold",
    "time_to_failure",
    "escalation_probit",
    "escalation_probability",
    "probit_to_probability",
    "first_level_combinations",
    "escalation_matrix",
    "analyze",
]

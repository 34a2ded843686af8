"""The one event tree of parkrisk: from a loss of containment to its outcomes and their frequencies.

The event tree of each loss-of-containment event (LOC, :class:`analysis.qra.frequencies.LossOfContainment`; chapter 4
of the Purple Book [1]_): direct (immediate) ignition with the probability of [1]'s table for stationary
installations (by source-term class and substance category), delayed ignition, explosion fraction 0.4 of delayed
ignitions [1]_, and the outcomes pool fire, jet fire, fireball (BLEVE), flash fire, vapour-cloud explosion (VCE) and
toxic cloud, each with its frequency and the release description the consequence models need (hole diameter [m],
instantaneous or continuous, duration [s], mass [kg]). :func:`analysis.qra.frequencies.outcomes` runs it for every
LOC of an installation, the pipelines layer for the rupture and leak of a line.

Sources and what was checked
----------------------------
The Purple Book's own text was not available to us. The direct-ignition probabilities
(``data/purple_book_cpr18e_direct_ignition.csv``, [1] Table 4.5) and the 0.6 / 0.4 flash-fire / explosion split of
a delayed ignition ([1] §4.8) agree with an independent public transcription of the book found with the code
search.

Event-tree conventions (each one a choice stated here, not hidden)
-------------------------------------------------------------------
- Delayed ignition: for the location-specific (individual) risk the Purple Book ignites a flammable cloud that was
  not ignited directly at its largest extent, i.e. P(delayed | no direct ignition) = 1 (default of
  :class:`EventTreeOptions`; lower it for a societal-risk run with ignition sources counted separately).
- A delayed ignition is an explosion with probability 0.4 and a flash fire with probability 0.6 ([1]_ §4.8).
- Flammable liquids below their boiling point give a pool fire after direct or delayed ignition; the flash fire of
  the vapour above a non-boiling pool is neglected. Every flammable liquid is treated as a K1 liquid (flash point
  < 21 °C, P_direct = 0.065). With P(delayed) = 1 every liquid release then ends as a pool fire, which is
  conservative for K2–K4 liquids stored below their flash point (they may not ignite at all).
- Instantaneous releases of pressurised (liquefied) gas with direct ignition give a fireball (BLEVE); continuous
  releases with direct ignition give a jet fire (rain-out pool fires are neglected).
- A gas or liquefied gas that is toxic and flammable (ammonia, hydrogen sulfide, carbon monoxide, ethylene oxide …)
  gives a fire after direct ignition and a toxic cloud otherwise: the delayed-ignition branch is not applied to
  it, because with P(delayed) = 1 its toxic cloud would never be counted (parkrisk's reading of the Purple Book's treatment of
  toxic-and-flammable substances; not confirmed against the book's text). A toxic flammable liquid follows the
  liquid tree, with a toxic cloud only in the no-ignition branch. A toxic, non-flammable substance gives a toxic
  cloud with the whole LOC frequency. Which substances count as toxic here: see :func:`substance_hazard`.

References
----------
.. [1] Committee for the Prevention of Disasters (1999). Guidelines for quantitative risk assessment, CPR 18E
       ("Purple Book"), 1st ed., Sdu, The Hague (3rd ed. 2005, PGS 3): chapter 4, Table 4.5 (probability of
       direct ignition, stationary installations), §4.8 (flash fire 0.6 / explosion 0.4 of a delayed ignition),
       Table 4.7 (reactivity classes low / average / high).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from analysis import _checks
from analysis._data import DATA_DIR

__all__ = [
    "OUTCOME_KINDS",
    "OUTCOME_LABELS_ZH",
    "IGNITION_MODELS",
    "SubstanceHazard",
    "EventTreeOptions",
    "Outcome",
    "direct_ignition_probability",
    "hazard_from_gb18218",
    "substance_hazard",
    "loc_outcomes",
    "SCENARIO_KIND",
    "to_scenario",
]

OUTCOME_KINDS: tuple[str, ...] = ("pool_fire", "jet_fire", "fireball", "flash_fire", "vce", "toxic_cloud")
OUTCOME_LABELS_ZH: dict[str, str] = {
    "pool_fire": "池火",
    "jet_fire": "喷射火",
    "fireball": "火球（BLEVE）",
    "flash_fire": "闪火",
    "vce": "蒸气云爆炸",
    "toxic_cloud": "有毒气体扩散",
}
#: Direct-ignition models (registry keyed source + year).
IGNITION_MODELS: dict[str, str] = {"purple_book_1999": "purple_book_cpr18e_direct_ignition.csv"}


# ----------------------------------------------------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------------------------------------------------
def _check_key(name: str, value: str, registry: Mapping[str, Any]) -> None:
    if value not in registry:
        raise ValueError(f"{name}={value!r} is not known; valid: {list(registry)}")


@lru_cache(maxsize=4)
def _ignition_table(model: str) -> pd.DataFrame:
    df = pd.read_csv(DATA_DIR / IGNITION_MODELS[model], comment="#")
    for col in ("continuous_min_kg_s", "instantaneous_min_kg"):
        if not np.all(np.diff(df[col].to_numpy(float)) > 0):
            raise ValueError(f"{IGNITION_MODELS[model]}: column {col} must increase")
    return df


# ----------------------------------------------------------------------------------------------------------------
# Event trees
# ----------------------------------------------------------------------------------------------------------------
_REACTIVITIES = ("low", "average", "high")


@dataclass(frozen=True)
class SubstanceHazard:
    """What the event tree needs to know about a substance.

    Attributes
    ----------
    flammable, toxic : bool
    reactivity : {"low", "average", "high"}
        Purple Book reactivity class of a flammable gas (low: e.g. methane, ammonia, carbon monoxide).
    """

    flammable: bool
    toxic: bool
    reactivity: str = "average"

    def __post_init__(self) -> None:
        if self.reactivity not in _REACTIVITIES:
            raise ValueError(f"reactivity={self.reactivity!r} is not allowed; valid: {list(_REACTIVITIES)}")


#: Purple Book low-reactivity gases recognised by :func:`hazard_from_gb18218` (lower-cased CAS and names: methane /
#: natural gas, ammonia, carbon monoxide, chloromethane, bromomethane); all other flammable gases are taken as
#: average/high reactive.
LOW_REACTIVITY: frozenset[str] = frozenset(
    {
        "74-82-8",
        "8006-14-2",
        "7664-41-7",
        "630-08-0",
        "74-87-3",
        "74-83-9",
        "methane",
        "natural gas",
        "甲烷",
        "天然气",
        "ammonia",
        "氨",
        "carbon monoxide",
        "一氧化碳",
        "chloromethane",
        "氯甲烷",
        "bromomethane",
        "溴甲烷",
    }
)


def hazard_from_gb18218(substance: str) -> SubstanceHazard | None:
    """Flammable / toxic flags of a substance derived from its GB 18218-2018 classification, or None if unknown.

    Toxic: named in GB 18218 table 3 (toxic gases) or of an acute-toxicity category (J1–J5). Flammable: category
    W2 (flammable gas) or W5.x (flammable liquid). This is a fallback for when the substance records do not say;
    pass an explicit :class:`SubstanceHazard` to :func:`analysis.qra.frequencies.outcomes` when they do. Ammonia,
    named only in table 3, is thereby toxic and not flammable (its flammable range is narrow and high; parkrisk
    models its toxic cloud).
    """
    from analysis.regulation import gb18218 as mh

    try:
        c = mh.classify(substance)
    except ValueError:
        return None
    if c.source == "none":
        return SubstanceHazard(flammable=False, toxic=False)
    row = mh.table1().iloc[c.table1_no - 1] if c.table1_no is not None else None
    keys = {str(substance).strip().lower()}
    if row is not None:
        keys |= {k.strip().lower() for k in str(row["cas"]).split(";") if k.strip()}
    in_t3 = bool(keys & set(mh._table3()))
    cat = c.category or (row["beta_category"] if row is not None else "")
    toxic = in_t3 or cat.startswith("J")
    flammable = cat == "W2" or cat.startswith("W5")
    return SubstanceHazard(
        flammable=flammable, toxic=toxic, reactivity="low" if keys & LOW_REACTIVITY else "average"
    )


def substance_hazard(substance: str) -> SubstanceHazard | None:
    """Flammable / toxic / reactivity of a substance for the event tree, or None when nothing knows it.

    From :mod:`analysis.physics.substances` when it knows the substance: ``flammable`` is its flag; ``toxic`` (meaning here:
    a toxic cloud is the outcome to model when the release is not ignited) is its flag for non-flammable substances,
    and for flammable ones only when GB 18218 also classes them as toxic (named in table 3 or of an
    acute-toxicity category) — ammonia, hydrogen sulfide, carbon monoxide, ethylene oxide, hydrogen cyanide — so
    that flammables with an AEGL but no acute-toxic classification (benzene, toluene, methanol, vinyl chloride …)
    keep their fire and explosion outcomes. Else from :func:`hazard_from_gb18218`.
    """
    gb = hazard_from_gb18218(substance)
    try:
        from analysis.physics import substances

        # the bundled table's names and flags (what get() would return for them, without building the record
        # through thermo: its first use imports CoolProp, about 1.5 s with the interpreter lock held)
        cas, name_zh, name_en = substances.table_names(substance)[:3]
        flammable, rec_toxic = substances.table_flags(substance)
    except (ImportError, ValueError):
        return gb
    keys = {str(substance).strip().lower(), cas.lower(), name_zh.lower(), name_en.lower()}
    toxic = rec_toxic and (not flammable or (gb is not None and gb.toxic))
    return SubstanceHazard(
        flammable=flammable, toxic=toxic, reactivity="low" if keys & LOW_REACTIVITY else "average"
    )


@dataclass(frozen=True)
class EventTreeOptions:
    """Options of :func:`loc_outcomes` (and :func:`analysis.qra.frequencies.outcomes`).

    Attributes
    ----------
    ignition_model : str
        Key of :data:`IGNITION_MODELS`.
    p_delayed_ignition : float
        P(delayed ignition | no direct ignition) [-]; 1.0 is the Purple Book convention for the location-specific
        risk (a cloud not ignited directly is ignited at its largest extent).
    p_explosion_given_delayed : float
        Fraction of delayed ignitions that are explosions (VCE); the rest are flash fires. [-] (Purple Book: 0.4)
    """

    ignition_model: str = "purple_book_1999"
    p_delayed_ignition: float = 1.0
    p_explosion_given_delayed: float = 0.4

    def __post_init__(self) -> None:
        _check_key("ignition_model", self.ignition_model, IGNITION_MODELS)
        for name in ("p_delayed_ignition", "p_explosion_given_delayed"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and 0.0 <= v <= 1.0):
                raise ValueError(f"{name}={v!r} must be a probability in [0, 1]")


def direct_ignition_probability(
    *, substance_category: str, rate_kg_s: Any = None, mass_kg: Any = None, model: str = "purple_book_1999"
) -> Any:
    """Probability of direct ignition of a release from a stationary installation.

    Parameters
    ----------
    substance_category : {"k1_liquid", "gas_low_reactive", "gas_average_high_reactive"}
    rate_kg_s : numeric or array_like, optional
        Continuous release rate. [kg/s]
    mass_kg : numeric or array_like, optional
        Instantaneously released mass (give exactly one of the two). [kg]
    model : str
        Key of :data:`IGNITION_MODELS`.

    Returns
    -------
    p : float or ndarray
        [-]. Purple Book: K1 liquid 0.065 in every class; low-reactive gas 0.02 / 0.04 / 0.09 and
        average/high-reactive gas 0.2 / 0.5 / 0.7 for < 10, 10–100, > 100 kg/s (< 1000, 1000–10 000,
        > 10 000 kg).

    References
    ----------
    .. [1] CPR 18E (1999), Table 4.5, probability of direct ignition for stationary installations.
    """
    _check_key("model", model, IGNITION_MODELS)
    t = _ignition_table(model)
    cats = [c for c in t.columns if c in ("k1_liquid", "gas_low_reactive", "gas_average_high_reactive")]
    if substance_category not in cats:
        raise ValueError(f"substance_category={substance_category!r} is not known; valid: {cats}")
    if (rate_kg_s is None) == (mass_kg is None):
        raise ValueError("give exactly one of rate_kg_s [kg/s] (continuous) or mass_kg [kg] (instantaneous)")
    x = np.asarray(rate_kg_s if rate_kg_s is not None else mass_kg, dtype=float)
    name = "rate_kg_s" if rate_kg_s is not None else "mass_kg"
    if np.any(np.isnan(x) | (x < 0)):
        raise ValueError(f"{name}={x.tolist()!r} must be ≥ 0")
    lo = t["continuous_max_kg_s" if rate_kg_s is not None else "instantaneous_max_kg"].to_numpy(float)
    # class bounds: < 10 small, 10–100 medium (inclusive), > 100 large ([1]; same pattern for kg)
    cls = np.where(x < lo[0], 0, np.where(x <= lo[1], 1, 2))
    p = t[substance_category].to_numpy(float)[cls]
    return float(p) if p.ndim == 0 else p


@dataclass(frozen=True)
class Outcome:
    """One outcome of one LOC, ready for a consequence model.

    Attributes
    ----------
    unit_id, loc, loc_class : str
        As in :class:`analysis.qra.frequencies.LossOfContainment`.
    outcome : str
        Key of :data:`OUTCOME_KINDS`.
    branch : str
        ``"direct"``, ``"delayed"`` or ``"none"`` (no ignition).
    frequency : float
        Outcome frequency = LOC frequency × branch probability. [1/a]
    probability : float
        Branch probability given the LOC. [-]
    instantaneous : bool
    hole_diameter_m, duration_s, mass_kg : float
        Release description (see :class:`analysis.qra.frequencies.LossOfContainment`). [m], [s], [kg]
    p_direct : float
        Direct-ignition probability used. [-]
    """

    unit_id: str
    loc: str
    loc_class: str
    outcome: str
    branch: str
    frequency: float
    probability: float
    instantaneous: bool
    hole_diameter_m: float
    duration_s: float
    mass_kg: float
    p_direct: float


def loc_outcomes(
    loc: Any,
    *,
    hazard: SubstanceHazard,
    phase: str,
    rate_kg_s: float | None = None,
    event_tree: EventTreeOptions | None = None,
) -> list[Outcome]:
    """The event tree of one loss of containment: its outcomes, branch probabilities and frequencies.

    The one event tree of parkrisk (:func:`analysis.qra.frequencies.outcomes` runs it for every LOC of an
    installation, the pipelines layer for the rupture and leak of a line): a flammable release is ignited directly
    with the probability of [1]_ Table 4.5 (by the release rate of a continuous LOC or the mass of an instantaneous
    one, and the substance category: K1 liquid, low-reactive gas, average/high-reactive gas); otherwise it is
    ignited later with probability ``event_tree.p_delayed_ignition``, an explosion in
    ``event_tree.p_explosion_given_delayed`` of the cases ([1]_ §4.8); or not at all. The outcomes of each branch and the treatment of toxic substances are the conventions of
    this module's notes (toxic-and-flammable gas: no delayed-ignition branch).

    Parameters
    ----------
    loc : analysis.qra.frequencies.LossOfContainment
    hazard : SubstanceHazard
    phase : {"liquid", "gas", "liquefied_gas", "solid"}
        Phase of the contents.
    rate_kg_s : float, optional
        Outflow of a continuous LOC [kg/s]; needed (it sets the direct-ignition class) for a continuous LOC of a
        flammable gas or liquefied gas, not used otherwise.
    event_tree : EventTreeOptions, optional

    Returns
    -------
    list of Outcome
        Every harmful branch with probability > 0; their frequencies add up to the LOC frequency except for the
        no-ignition branch of a non-toxic substance, which has no harmful outcome and is left out.

    Raises
    ------
    ValueError
        ``rate_kg_s`` missing where it is needed.

    References
    ----------
    .. [1] CPR 18E (1999), chapter 4: Table 4.5 (direct ignition, stationary installations), §4.8 (flash fire /
       explosion of a delayed ignition).
    """
    et = event_tree or EventTreeOptions()
    hz = hazard
    _checks.choice("phase", phase, ("liquid", "gas", "liquefied_gas", "solid"))
    out: list[Outcome] = []

    def emit(kind: str, branch: str, p: float, p_direct: float) -> None:
        if p <= 0:
            return
        out.append(
            Outcome(
                unit_id=loc.unit_id,
                loc=loc.loc,
                loc_class=loc.loc_class,
                outcome=kind,
                branch=branch,
                frequency=loc.frequency * p,
                probability=p,
                instantaneous=loc.instantaneous,
                hole_diameter_m=loc.hole_diameter_m,
                duration_s=loc.duration_s,
                mass_kg=loc.mass_kg,
                p_direct=p_direct,
            )
        )

    if not hz.flammable or phase == "solid":
        if hz.toxic and phase != "solid":
            emit("toxic_cloud", "none", 1.0, 0.0)
        return out
    if phase == "liquid":
        cat = "k1_liquid"
        amount = {"mass_kg": loc.mass_kg} if loc.instantaneous else {"rate_kg_s": 0.0}  # one value for K1
    else:
        cat = "gas_low_reactive" if hz.reactivity == "low" else "gas_average_high_reactive"
        if not loc.instantaneous and rate_kg_s is None:
            raise ValueError(
                f"unit {loc.unit_id} LOC {loc.loc}: the direct-ignition class of a flammable gas needs the "
                "outflow rate_kg_s [kg/s] (from the source-term model)"
            )
        amount = {"mass_kg": loc.mass_kg} if loc.instantaneous else {"rate_kg_s": rate_kg_s}
    pd_ = direct_ignition_probability(substance_category=cat, model=et.ignition_model, **amount)
    # toxic and flammable gas: no direct ignition -> toxic cloud (delayed ignition not modelled, module notes)
    p_delay_given = 0.0 if (hz.toxic and phase != "liquid") else et.p_delayed_ignition
    p_del = (1.0 - pd_) * p_delay_given
    p_none = (1.0 - pd_) * (1.0 - p_delay_given)
    if phase == "liquid":
        emit("pool_fire", "direct", pd_, pd_)  # [1] ch. 4: ignited liquid release -> pool fire
        emit("pool_fire", "delayed", p_del, pd_)
    else:
        emit("fireball" if loc.instantaneous else "jet_fire", "direct", pd_, pd_)  # [1] ch. 4
        emit("flash_fire", "delayed", p_del * (1.0 - et.p_explosion_given_delayed), pd_)
        emit(
            "vce", "delayed", p_del * et.p_explosion_given_delayed, pd_
        )  # [1] §4.8: 0.4 of delayed ignitions
    if hz.toxic:
        emit("toxic_cloud", "none", p_none, pd_)
    return out


#: Outcome kind here -> scenario kind of :mod:`analysis.scenarios` (the consequence glue).
SCENARIO_KIND: dict[str, str] = {
    "pool_fire": "pool_fire",
    "jet_fire": "jet_fire",
    "fireball": "fireball",
    "flash_fire": "flash_fire",
    "vce": "vce",
    "toxic_cloud": "toxic",
}


def to_scenario(outcome: Outcome, **scenario_options: Any) -> Any:
    """The :class:`analysis.scenarios.Scenario` that models an outcome's consequences.

    The release maps one to one onto the scenario's conventions: a hole (G.3, leaks, ruptures) -> ``hole_diameter``;
    G.2 -> ``release_duration`` = 600 s; G.1 -> neither (instantaneous). Other keyword arguments (explosion model,
    probit models, release height …) are passed to ``Scenario``.
    """
    from analysis.scenarios import Scenario

    hole = outcome.hole_diameter_m if math.isfinite(outcome.hole_diameter_m) else None
    duration = outcome.duration_s if (hole is None and math.isfinite(outcome.duration_s)) else None
    return Scenario(
        SCENARIO_KIND[outcome.outcome], hole_diameter=hole, release_duration=duration, **scenario_options
    )

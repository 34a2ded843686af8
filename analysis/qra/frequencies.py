"""Generic loss-of-containment frequencies and event trees: from an installation to outcome frequencies.

Two steps, as in the Purple Book [1]_:

1. :func:`loss_of_containment` — the loss-of-containment events (LOCs) of an installation and their generic
   frequencies [1/a] (chapter 3 of [1]): stationary vessels G.1 (instantaneous release of the complete inventory),
   G.2 (complete inventory in 10 min at a constant rate), G.3 (continuous release from a 10 mm hole); pipes (full
   bore rupture and a leak of 10 % of the nominal diameter, per metre); pumps and loading arms (rupture of the
   connection and leak). The equipment type is derived from the installation's ``kind``, ``equipment_class`` and
   ``pressure_pa``; the user can override the type and any frequency per unit (:class:`FrequencyOverrides`).
2. :func:`outcomes` — the event tree of each LOC (chapter 4 of [1]): direct (immediate) ignition with the
   probability of [1]'s table for stationary installations (by source-term class and substance category), delayed
   ignition, explosion fraction 0.4 of delayed ignitions [1]_, and the outcomes pool fire, jet fire, fireball
   (BLEVE), flash fire, vapour-cloud explosion (VCE) and toxic cloud, each with its frequency and the release
   description the consequence models need (hole diameter [m], instantaneous or continuous, duration [s], mass [kg]).

Sources and what was checked
----------------------------
The Purple Book's own text was not available to us. The direct-ignition probabilities
(``data/purple_book_cpr18e_direct_ignition.csv``, [1] Table 4.5) and the 0.6 / 0.4 flash-fire / explosion split of
a delayed ignition ([1] §4.8) agree with an independent public transcription of the book found with the code
search. The LOC frequencies in ``data/purple_book_cpr18e_loc_frequencies.csv`` are the book's values as recalled by
the author and cited by section; no independent copy of them was found, and their table numbers are not given.
GB/T 37243-2019's leak-frequency annex (the other source the issue names) could not be read at all and is not used.

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
       ("Purple Book"), 1st ed., Sdu, The Hague (3rd ed. 2005, PGS 3): chapter 3, §3.2.1 (pressurised tanks and
       vessels), §3.2.2 (atmospheric tanks), §3.2.4 (pipes), §3.2.5 (pumps), §3.2.8 (loading arms); chapter 4,
       Table 4.5 (probability of direct ignition, stationary installations), §4.8 (flash fire 0.6 / explosion 0.4
       of a delayed ignition), Table 4.7 (reactivity classes low / average / high).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from analysis import _checks
from analysis._data import DATA_DIR

__all__ = [
    "EQUIPMENT_TYPES",
    "LOC_CLASSES",
    "OUTCOME_KINDS",
    "OUTCOME_LABELS_ZH",
    "FREQUENCY_SOURCES",
    "IGNITION_MODELS",
    "LossOfContainment",
    "FrequencyOptions",
    "FrequencyOverrides",
    "SubstanceHazard",
    "EventTreeOptions",
    "Outcome",
    "equipment_type",
    "loss_of_containment",
    "pipe_frequencies",
    "direct_ignition_probability",
    "hazard_from_gb18218",
    "substance_hazard",
    "loc_outcomes",
    "outcomes",
    "outcomes_frame",
    "SCENARIO_KIND",
    "to_scenario",
]

logger = logging.getLogger(__name__)
_DATA = DATA_DIR

EQUIPMENT_TYPES: tuple[str, ...] = (
    "pressure_vessel",
    "process_vessel",
    "reactor_vessel",
    "atmospheric_tank",
    "pipe",
    "pump",
    "loading_arm",
)
LOC_CLASSES: tuple[str, ...] = (
    "small_leak",
    "medium_leak",
    "large_leak",
    "full_bore_rupture",
    "catastrophic_rupture",
)
OUTCOME_KINDS: tuple[str, ...] = ("pool_fire", "jet_fire", "fireball", "flash_fire", "vce", "toxic_cloud")
OUTCOME_LABELS_ZH: dict[str, str] = {
    "pool_fire": "池火",
    "jet_fire": "喷射火",
    "fireball": "火球（BLEVE）",
    "flash_fire": "闪火",
    "vce": "蒸气云爆炸",
    "toxic_cloud": "有毒气体扩散",
}
LOC_CLASS_LABELS_ZH: dict[str, str] = {
    "small_leak": "小孔泄漏",
    "medium_leak": "中孔泄漏",
    "large_leak": "大孔泄漏",
    "full_bore_rupture": "完全破裂（全管径）",
    "catastrophic_rupture": "灾难性破裂（瞬时全部泄漏）",
}

#: Generic-frequency sources (registry keyed source + year).
FREQUENCY_SOURCES: dict[str, str] = {"purple_book_1999": "purple_book_cpr18e_loc_frequencies.csv"}
#: Direct-ignition models (registry keyed source + year).
IGNITION_MODELS: dict[str, str] = {"purple_book_1999": "purple_book_cpr18e_direct_ignition.csv"}

# Purple Book [1], §3.2.1: pressure vessel (storage), process vessel (physical change), reactor (chemical change).
_KIND_TO_EQUIPMENT: dict[str, str] = {
    "spherical_tank": "pressure_vessel",
    "bullet_tank": "pressure_vessel",
    "process_unit": "process_vessel",
    "column": "process_vessel",
    "reactor": "reactor_vessel",
    "electrolyser": "reactor_vessel",
    "pump_station": "pump",
    "loading_bay": "loading_arm",
}
#: Installation kinds the generic-frequency source does not cover (warehouse fires and cylinder stores follow other
#: methods of [1]; compressors have no row in the recalled tables): they get no LOCs unless the type is overridden.
UNCOVERED_KINDS: tuple[str, ...] = ("warehouse", "cylinder_store", "compressor")
_ATMOSPHERIC_MAX_PA = (
    1.5e5  # [Pa] abs; a tank at most ~0.5 bar gauge is an atmospheric tank (parkrisk threshold)
)
_TEN_MM = 0.010  # [m] G.3 hole, [1] §3.2.1–3.2.2
_LEAK_FRACTION_ND = 0.10  # [1] §3.2.4: leak of 10 % of the nominal diameter …
_LEAK_MAX_M = 0.050  # … at most 50 mm
_G2_DURATION_S = 600.0  # [1] §3.2.1: complete inventory in 10 min


# ----------------------------------------------------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------------------------------------------------
def _check_key(name: str, value: str, registry: Mapping[str, Any]) -> None:
    if value not in registry:
        raise ValueError(f"{name}={value!r} is not known; valid: {list(registry)}")


@lru_cache(maxsize=4)
def _loc_table(source: str) -> pd.DataFrame:
    return pd.read_csv(_DATA / FREQUENCY_SOURCES[source], comment="#")


@lru_cache(maxsize=4)
def _ignition_table(model: str) -> pd.DataFrame:
    df = pd.read_csv(_DATA / IGNITION_MODELS[model], comment="#")
    for col in ("continuous_min_kg_s", "instantaneous_min_kg"):
        if not np.all(np.diff(df[col].to_numpy(float)) > 0):
            raise ValueError(f"{IGNITION_MODELS[model]}: column {col} must increase")
    return df


# ----------------------------------------------------------------------------------------------------------------
# Options
# ----------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FrequencyOverrides:
    """Per-unit overrides: the equipment type and/or the frequency of individual LOCs.

    Attributes
    ----------
    frequencies : tuple of (unit_id, loc key, frequency)
        Replaces the generic frequency of that LOC of that unit. [1/a] (for a loading arm, per year too: the
        override is the annual frequency, not the per-hour one).
    equipment : tuple of (unit_id, equipment type)
        Replaces the equipment type derived from the installation's kind.
    """

    frequencies: tuple[tuple[str, str, float], ...] = ()
    equipment: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        for unit_id, loc, f in self.frequencies:
            if not (isinstance(f, (int, float)) and math.isfinite(f) and f >= 0):
                raise ValueError(
                    f"frequency override for unit {unit_id!r} LOC {loc!r} is {f!r}; must be ≥ 0 [1/a]"
                )
        for unit_id, eq in self.equipment:
            if eq not in EQUIPMENT_TYPES:
                raise ValueError(
                    f"equipment override {eq!r} for unit {unit_id!r} is not known; "
                    f"valid: {list(EQUIPMENT_TYPES)}"
                )

    @classmethod
    def from_dict(
        cls,
        frequencies: Mapping[tuple[str, str], float] | None = None,
        equipment: Mapping[str, str] | None = None,
    ) -> FrequencyOverrides:
        """Build from ``{(unit_id, loc): frequency}`` and ``{unit_id: equipment}``."""
        return cls(
            frequencies=tuple((str(u), str(loc), float(f)) for (u, loc), f in (frequencies or {}).items()),
            equipment=tuple((str(u), str(e)) for u, e in (equipment or {}).items()),
        )

    def frequency(self, unit_id: str, loc: str) -> float | None:
        for u, k, f in self.frequencies:
            if u == unit_id and k == loc:
                return f
        return None

    def equipment_of(self, unit_id: str) -> str | None:
        for u, e in self.equipment:
            if u == unit_id:
                return e
        return None


@dataclass(frozen=True)
class FrequencyOptions:
    """Options of :func:`loss_of_containment`.

    Attributes
    ----------
    source : str
        Key of :data:`FREQUENCY_SOURCES`.
    loading_hours_per_year : float
        Hours of loading per year for a loading bay (the Purple Book gives loading-arm frequencies per hour). The
        default 1000 h/a (about 3 h a day) is an illustrative assumption, not from a source: set it per park. [h/a]
    connected_pipe_diameter_m : float
        Nominal diameter of the largest connection of a pump or of a loading arm when the installation row has no
        ``diameter_m`` for it (DN100 default, an assumption). [m]
    overrides : FrequencyOverrides
        Per-unit equipment types and frequencies.
    """

    source: str = "purple_book_1999"
    loading_hours_per_year: float = 1000.0
    connected_pipe_diameter_m: float = 0.1
    overrides: FrequencyOverrides = field(default_factory=FrequencyOverrides)

    def __post_init__(self) -> None:
        _check_key("source", self.source, FREQUENCY_SOURCES)
        if not (math.isfinite(self.loading_hours_per_year) and 0 <= self.loading_hours_per_year <= 8760):
            raise ValueError(
                f"loading_hours_per_year={self.loading_hours_per_year!r} must be in [0, 8760] [h/a]"
            )
        if not (math.isfinite(self.connected_pipe_diameter_m) and self.connected_pipe_diameter_m > 0):
            raise ValueError(f"connected_pipe_diameter_m={self.connected_pipe_diameter_m!r} must be > 0 [m]")


@dataclass(frozen=True)
class LossOfContainment:
    """One loss-of-containment event of one installation.

    Attributes
    ----------
    unit_id : str
    equipment : str
        Key of :data:`EQUIPMENT_TYPES`.
    loc : str
        The source's LOC key (``"G.1"``, ``"G.2"``, ``"G.3"``, ``"rupture"``, ``"leak"``).
    loc_class : str
        Key of :data:`LOC_CLASSES`.
    frequency : float
        [1/a]
    instantaneous : bool
        True when the whole mass is released at once.
    hole_diameter_m : float
        Effective hole diameter, NaN for instantaneous and 10-min releases. [m]
    duration_s : float
        Release duration when fixed by the LOC definition (600 s for G.2), NaN otherwise. [s]
    mass_kg : float
        Mass available for release (the inventory). [kg]
    source : str
        Citation of the frequency (or "user override").
    """

    unit_id: str
    equipment: str
    loc: str
    loc_class: str
    frequency: float
    instantaneous: bool
    hole_diameter_m: float
    duration_s: float
    mass_kg: float
    source: str


# ----------------------------------------------------------------------------------------------------------------
# Loss of containment
# ----------------------------------------------------------------------------------------------------------------
def equipment_type(row: Mapping[str, Any]) -> str | None:
    """Purple Book equipment type of an installation row, or None when the source does not cover its kind.

    ``storage_tank`` rows are atmospheric tanks unless ``equipment_class`` is ``"pressurized"`` or the absolute
    pressure exceeds 1.5×10⁵ Pa; spheres and bullets are pressure vessels; process units and columns process
    vessels; reactors and electrolysers reactor vessels ([1]_ §3.2.1 distinguishes storage, physical change and
    chemical change); pump stations pumps; loading bays loading arms.

    References
    ----------
    .. [1] CPR 18E (1999), §3.2.1–3.2.8.
    """
    kind = str(row["kind"])
    if kind == "storage_tank":
        p = row.get("pressure_pa") if hasattr(row, "get") else None
        pressurised = str(row.get("equipment_class", "")) == "pressurized" or (
            p is not None and not (isinstance(p, float) and math.isnan(p)) and float(p) > _ATMOSPHERIC_MAX_PA
        )
        return "pressure_vessel" if pressurised else "atmospheric_tank"
    return _KIND_TO_EQUIPMENT.get(kind)


def pipe_frequencies(diameter_m: Any, *, source: str = "purple_book_1999") -> tuple[Any, Any]:
    """Full-bore rupture and leak frequencies of a pipe per metre, by nominal diameter.

    Parameters
    ----------
    diameter_m : numeric or array_like
        Nominal diameter. [m]
    source : str
        Key of :data:`FREQUENCY_SOURCES`.

    Returns
    -------
    rupture, leak : float or ndarray
        [1/(m·a)]: DN < 75 mm: 1×10⁻⁶, 5×10⁻⁶; 75 ≤ DN ≤ 150 mm: 3×10⁻⁷, 2×10⁻⁶; DN > 150 mm: 1×10⁻⁷, 5×10⁻⁷.

    References
    ----------
    .. [1] CPR 18E (1999), §3.2.4 (pipes).
    """
    _check_key("source", source, FREQUENCY_SOURCES)
    d = np.asarray(diameter_m, dtype=float)
    if np.any(np.isnan(d) | (d <= 0)):
        raise ValueError(f"diameter_m={diameter_m!r} must be > 0 [m]")
    t = _loc_table(source)
    pipe = t[t["equipment"] == "pipe"]
    rup = pipe[pipe["loc"] == "rupture"].sort_values("dn_min_m")["frequency"].to_numpy(float)
    leak = pipe[pipe["loc"] == "leak"].sort_values("dn_min_m")["frequency"].to_numpy(float)
    cls = np.where(d < 0.075, 0, np.where(d <= 0.150, 1, 2))  # [1] §3.2.4: <75, 75–150, >150 mm
    r, lk = rup[cls], leak[cls]
    return (float(r), float(lk)) if d.ndim == 0 else (r, lk)


def _finite(x: Any) -> float | None:
    if x is None:
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def loss_of_containment(
    row: Mapping[str, Any], *, options: FrequencyOptions | None = None, pipe_length_m: float | None = None
) -> list[LossOfContainment]:
    """The LOCs of one installation with their generic frequencies.

    Parameters
    ----------
    row : mapping
        An installations row (``unit_id``, ``kind``, ``equipment_class``, ``pressure_pa``, ``inventory_kg``,
        ``diameter_m``).
    options : FrequencyOptions, optional
    pipe_length_m : float, optional
        Length, for equipment type ``"pipe"`` (set through an equipment override). [m]

    Returns
    -------
    list of LossOfContainment
        Empty for kinds the source does not cover (:data:`UNCOVERED_KINDS`), logged at INFO.

    References
    ----------
    .. [1] CPR 18E (1999), chapter 3.
    """
    opt = options or FrequencyOptions()
    unit_id = str(row["unit_id"])
    eq = opt.overrides.equipment_of(unit_id) or equipment_type(row)
    if eq is None:
        logger.info("unit %s (kind %s): no generic LOC frequencies in %s", unit_id, row["kind"], opt.source)
        return []
    mass = _finite(row.get("inventory_kg")) if hasattr(row, "get") else None
    if mass is None or mass < 0:
        raise ValueError(f"unit {unit_id}: inventory_kg={row.get('inventory_kg')!r} must be a mass ≥ 0 [kg]")
    t = _loc_table(opt.source)
    cite = f"CPR 18E (1999) §{{}} ({eq})"
    locs: list[LossOfContainment] = []

    def add(loc: str, loc_class: str, f: float, inst: bool, hole: float, dur: float, section: str) -> None:
        ov = opt.overrides.frequency(unit_id, loc)
        locs.append(
            LossOfContainment(
                unit_id=unit_id,
                equipment=eq,
                loc=loc,
                loc_class=loc_class,
                frequency=float(ov) if ov is not None else float(f),
                instantaneous=inst,
                hole_diameter_m=hole,
                duration_s=dur,
                mass_kg=float(mass),
                source="user override" if ov is not None else cite.format(section),
            )
        )

    if eq in ("pressure_vessel", "process_vessel", "reactor_vessel", "atmospheric_tank"):
        for r in t[t["equipment"] == eq].itertuples():
            if r.hole == "instantaneous":  # [1] G.1
                add(r.loc, r.loc_class, r.frequency, True, math.nan, math.nan, r.section)
            elif r.hole == "10min":  # [1] G.2
                add(r.loc, r.loc_class, r.frequency, False, math.nan, _G2_DURATION_S, r.section)
            else:  # [1] G.3, 10 mm
                add(r.loc, r.loc_class, r.frequency, False, _TEN_MM, math.nan, r.section)
        return locs
    d = _finite(row.get("diameter_m")) if eq == "pipe" else None
    d = d if d is not None and d > 0 else opt.connected_pipe_diameter_m
    leak_d = min(_LEAK_FRACTION_ND * d, _LEAK_MAX_M)  # [1] §3.2.4: 10 % of ND, max 50 mm
    if eq == "pipe":
        if pipe_length_m is None or not (math.isfinite(pipe_length_m) and pipe_length_m > 0):
            raise ValueError(f"unit {unit_id}: pipe_length_m={pipe_length_m!r} must be > 0 [m] for a pipe")
        f_rup, f_leak = pipe_frequencies(d, source=opt.source)
        add("rupture", "full_bore_rupture", f_rup * pipe_length_m, False, d, math.nan, "3.2.4")
        add("leak", "medium_leak", f_leak * pipe_length_m, False, leak_d, math.nan, "3.2.4")
        return locs
    rows = t[t["equipment"] == eq]
    for r in rows.itertuples():
        f = r.frequency * (
            opt.loading_hours_per_year if r.unit == "per_hour" else 1.0
        )  # [1] §3.2.8: per hour
        hole = d if r.hole == "full_bore" else leak_d
        add(r.loc, r.loc_class, f, False, hole, math.nan, r.section)
    return locs


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
    pass an explicit :class:`SubstanceHazard` to :func:`outcomes` when they do. Ammonia, named only in table 3, is
    thereby toxic and not flammable (its flammable range is narrow and high; parkrisk models its toxic cloud).
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

        rec = substances.get(substance)
    except (ImportError, ValueError):
        return gb
    keys = {str(substance).strip().lower(), rec.cas.lower(), rec.name_zh.lower(), rec.name_en.lower()}
    flammable = bool(rec.flammable)
    toxic = bool(rec.toxic) and (not flammable or (gb is not None and gb.toxic))
    return SubstanceHazard(
        flammable=flammable, toxic=toxic, reactivity="low" if keys & LOW_REACTIVITY else "average"
    )


@dataclass(frozen=True)
class EventTreeOptions:
    """Options of :func:`outcomes`.

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
        As in :class:`LossOfContainment`.
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
        Release description (see :class:`LossOfContainment`). [m], [s], [kg]
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


_G3_SMALL_CLASS_MAX_PA = 1.4e7  # [Pa] absolute; see _rate_for


def _rate_for(
    loc: LossOfContainment,
    row: Mapping[str, Any],
    release_rate: Callable[[Mapping[str, Any], LossOfContainment], float] | None,
) -> float:
    if release_rate is not None:
        r = float(release_rate(row, loc))
        if not (math.isfinite(r) and r >= 0):
            raise ValueError(
                f"release_rate returned {r!r} for unit {loc.unit_id} LOC {loc.loc}; must be ≥ 0 [kg/s]"
            )
        return r
    if math.isfinite(loc.duration_s):
        return loc.mass_kg / loc.duration_s  # G.2: the whole inventory in 600 s
    p = _finite(row.get("pressure_pa")) if hasattr(row, "get") else None
    if loc.hole_diameter_m <= _TEN_MM and p is not None and p < _G3_SMALL_CLASS_MAX_PA:
        # Bound: liquid through a 10 mm orifice, Cd = 0.62, ρ ≤ 1500 kg/m³, Δp < 140 bar:
        # 0.62·π/4·0.01²·sqrt(2·1500·1.4e7) = 10.0 kg/s, and any gas gives far less. Only the class matters for
        # the direct-ignition table, so 0 stands for "the < 10 kg/s class".
        return 0.0
    raise ValueError(
        f"unit {loc.unit_id} LOC {loc.loc}: the direct-ignition class of a flammable gas needs the outflow; pass "
        "release_rate=callable(row, loc) -> kg/s (from the source-term model)"
    )


def outcomes(
    installation_row: Mapping[str, Any],
    *,
    hazard: SubstanceHazard | None = None,
    release_rate: Callable[[Mapping[str, Any], LossOfContainment], float] | None = None,
    frequency_options: FrequencyOptions | None = None,
    event_tree: EventTreeOptions | None = None,
) -> list[Outcome]:
    """All outcomes of one installation: its LOCs (generic frequencies) through the event trees.

    Parameters
    ----------
    installation_row : mapping
        An installations row (``unit_id``, ``kind``, ``substance``, ``phase``, ``inventory_kg``, ``pressure_pa`` …).
    hazard : SubstanceHazard, optional
        Flammable / toxic / reactivity; from :func:`substance_hazard` (substance records, else GB 18218) when not
        given.
    release_rate : callable, optional
        ``(row, loc) -> kg/s``, the outflow of a continuous LOC, which sets the direct-ignition class of a gas. Not
        needed for liquids (one probability for every class), for G.2 (inventory / 600 s) or for 10 mm holes below
        140 bar (always the < 10 kg/s class).
    frequency_options : FrequencyOptions, optional
    event_tree : EventTreeOptions, optional

    Returns
    -------
    list of Outcome
        The frequencies of the outcomes of one LOC add up to the LOC frequency (every branch of the tree is
        listed; a no-ignition branch of a non-toxic substance has no harmful outcome and is left out).

    Raises
    ------
    ValueError
        Unknown substance without ``hazard``; a flammable-gas hole LOC without ``release_rate``.

    References
    ----------
    .. [1] CPR 18E (1999), chapters 3 and 4.
    """
    row = installation_row
    et = event_tree or EventTreeOptions()
    hz = hazard if hazard is not None else substance_hazard(str(row["substance"]))
    if hz is None:
        raise ValueError(
            f"unit {row['unit_id']}: substance={row['substance']!r} is not in GB 18218-2018 table 1; pass "
            "hazard=SubstanceHazard(flammable=..., toxic=...)"
        )
    phase = str(row["phase"])
    if phase not in ("liquid", "gas", "liquefied_gas", "solid"):
        raise ValueError(
            f"unit {row['unit_id']}: phase={phase!r}; valid: ['liquid', 'gas', 'liquefied_gas', 'solid']"
        )
    gas_like = hz.flammable and phase in ("gas", "liquefied_gas")
    out: list[Outcome] = []
    for loc in loss_of_containment(row, options=frequency_options):
        rate = _rate_for(loc, row, release_rate) if (gas_like and not loc.instantaneous) else None
        out += loc_outcomes(loc, hazard=hz, phase=phase, rate_kg_s=rate, event_tree=et)
    return out


def loc_outcomes(
    loc: LossOfContainment,
    *,
    hazard: SubstanceHazard,
    phase: str,
    rate_kg_s: float | None = None,
    event_tree: EventTreeOptions | None = None,
) -> list[Outcome]:
    """The event tree of one loss of containment: its outcomes, branch probabilities and frequencies.

    The one event tree of parkrisk (:func:`outcomes` runs it for every LOC of an installation, the pipelines layer
    for the rupture and leak of a line): a flammable release is ignited directly with the probability of [1]_ Table
    4.5 (by the release rate of a continuous LOC or the mass of an instantaneous one, and the substance category:
    K1 liquid, low-reactive gas, average/high-reactive gas); otherwise it is ignited later with probability
    ``event_tree.p_delayed_ignition``, an explosion in ``event_tree.p_explosion_given_delayed`` of the cases ([1]_
    §4.8); or not at all. The outcomes of each branch and the treatment of toxic substances are the conventions of
    this module's notes (toxic-and-flammable gas: no delayed-ignition branch).

    Parameters
    ----------
    loc : LossOfContainment
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


def outcomes_frame(installations: pd.DataFrame, **kwargs: Any) -> pd.DataFrame:
    """:func:`outcomes` for every row of an installations table, as one DataFrame (one row per outcome).

    ``hazard`` may be a mapping substance -> SubstanceHazard here. Rows whose substance is unknown and has no
    hazard raise, as in :func:`outcomes`.
    """
    hazards = kwargs.pop("hazard", None)
    recs = []
    for _, r in installations.iterrows():
        hz = hazards.get(str(r["substance"])) if isinstance(hazards, Mapping) else hazards
        recs += [o.__dict__ for o in outcomes(r, hazard=hz, **kwargs)]
    cols = list(Outcome.__dataclass_fields__)
    return pd.DataFrame(recs, columns=cols)


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

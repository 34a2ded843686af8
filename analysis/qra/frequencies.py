"""Generic loss-of-containment frequencies: from an installation to its LOCs and, through the event tree, outcomes.

Two steps, as in the Purple Book [1]_:

1. :func:`loss_of_containment` — the loss-of-containment events (LOCs) of an installation and their generic
   frequencies [1/a] (chapter 3 of [1]): stationary vessels G.1 (instantaneous release of the complete inventory),
   G.2 (complete inventory in 10 min at a constant rate), G.3 (continuous release from a 10 mm hole); pipes (full
   bore rupture and a leak of 10 % of the nominal diameter, per metre); pumps and loading arms (rupture of the
   connection and leak). The equipment type is derived from the installation's ``kind``, ``equipment_class`` and
   ``pressure_pa``; the user can override the type and any frequency per unit (:class:`FrequencyOverrides`).
2. :func:`outcomes` — every LOC of the installation through the one event tree of :mod:`analysis.qra.event_tree`
   (chapter 4 of [1]; its conventions are stated there): outcomes pool fire, jet fire, fireball, flash fire, VCE
   and toxic cloud, each with its frequency and the release description the consequence models need.

Sources and what was checked
----------------------------
The Purple Book's own text was not available to us. The LOC frequencies in
``data/purple_book_cpr18e_loc_frequencies.csv`` are the book's values as recalled by the author and cited by
section; no independent copy of them was found, and their table numbers are not given. GB/T 37243-2019's
leak-frequency annex (the other source the issue names) could not be read at all and is not used.

References
----------
.. [1] Committee for the Prevention of Disasters (1999). Guidelines for quantitative risk assessment, CPR 18E
       ("Purple Book"), 1st ed., Sdu, The Hague (3rd ed. 2005, PGS 3): chapter 3, §3.2.1 (pressurised tanks and
       vessels), §3.2.2 (atmospheric tanks), §3.2.4 (pipes), §3.2.5 (pumps), §3.2.8 (loading arms); chapter 4
       (event trees, see :mod:`analysis.qra.event_tree`).
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

from analysis._data import DATA_DIR

# The event tree lives in analysis.qra.event_tree (the one event tree); its names are re-exported here because
# callers use them as ``frequencies.X`` next to the LOC frequencies.
from analysis.qra.event_tree import (
    IGNITION_MODELS,
    OUTCOME_KINDS,
    OUTCOME_LABELS_ZH,
    SCENARIO_KIND,
    EventTreeOptions,
    Outcome,
    SubstanceHazard,
    _check_key,
    direct_ignition_probability,
    hazard_from_gb18218,
    loc_outcomes,
    substance_hazard,
    to_scenario,
)
from analysis.qra.event_tree import (
    LOW_REACTIVITY as LOW_REACTIVITY,
)

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
LOC_CLASS_LABELS_ZH: dict[str, str] = {
    "small_leak": "小孔泄漏",
    "medium_leak": "中孔泄漏",
    "large_leak": "大孔泄漏",
    "full_bore_rupture": "完全破裂（全管径）",
    "catastrophic_rupture": "灾难性破裂（瞬时全部泄漏）",
}

#: Generic-frequency sources (registry keyed source + year).
FREQUENCY_SOURCES: dict[str, str] = {"purple_book_1999": "purple_book_cpr18e_loc_frequencies.csv"}
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
@lru_cache(maxsize=4)
def _loc_table(source: str) -> pd.DataFrame:
    return pd.read_csv(DATA_DIR / FREQUENCY_SOURCES[source], comment="#")


@lru_cache(maxsize=64)
def _loc_rows(source: str, equipment: str) -> tuple:
    """The rows of the LOC table of one equipment type, as named tuples (read once, not filtered per unit)."""
    t = _loc_table(source)
    return tuple(t[t["equipment"] == equipment].itertuples())


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
        for r in _loc_rows(opt.source, eq):
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
    for r in _loc_rows(opt.source, eq):
        f = r.frequency * (
            opt.loading_hours_per_year if r.unit == "per_hour" else 1.0
        )  # [1] §3.2.8: per hour
        hole = d if r.hole == "full_bore" else leak_d
        add(r.loc, r.loc_class, f, False, hole, math.nan, r.section)
    return locs


# ----------------------------------------------------------------------------------------------------------------
# Installation -> LOCs -> event tree
# ----------------------------------------------------------------------------------------------------------------
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

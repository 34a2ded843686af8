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

from __future__ import annotations

import csv
import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtr

from analysis._data import DATA_DIR

log = logging.getLogger(__name__)

__all__ = [
    "EQUIPMENT_CLASSES",
    "VECTORS",
    "PRIMARY_KINDS",
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

#: Target equipment categories of [1]_ (keys of the schema enumeration ``equipment_class``).
EQUIPMENT_CLASSES: tuple[str, ...] = ("atmospheric", "pressurized", "elongated", "small")
EQUIPMENT_LABELS_ZH: dict[str, str] = {
    "atmospheric": "常压设备",
    "pressurized": "压力设备",
    "elongated": "细长设备",
    "small": "小型设备",
}
#: Escalation vectors handled.
VECTORS: tuple[str, ...] = ("heat_flux", "overpressure")
VECTOR_LABELS_ZH: dict[str, str] = {"heat_flux": "热辐射", "overpressure": "冲击波超压"}
VECTOR_UNITS: dict[str, str] = {"heat_flux": "W/m²", "overpressure": "Pa"}
#: Primary scenarios (analysis.scenarios kinds) and the escalation vector each produces.
PRIMARY_KINDS: dict[str, str] = {
    "pool_fire": "heat_flux",
    "jet_fire": "heat_flux",
    "fireball": "heat_flux",
    "vce": "overpressure",
    "vessel_burst": "overpressure",
}
PRIMARY_LABELS_ZH: dict[str, str] = {
    "pool_fire": "池火",
    "jet_fire": "喷射火",
    "fireball": "火球（BLEVE）",
    "vce": "蒸气云爆炸",
    "vessel_burst": "容器物理爆炸",
}
#: Which row of the threshold table applies to each primary scenario ([1]_ distinguishes them).
_THRESHOLD_GROUP: dict[str, str] = {
    "pool_fire": "stationary_fire",
    "jet_fire": "stationary_fire",
    "fireball": "fireball",
    "vce": "explosion",
    "vessel_burst": "explosion",
}
_GROUP_OF_VECTOR: dict[str, str] = {"heat_flux": "stationary_fire", "overpressure": "explosion"}
#: Primary scenarios that keep burning while the escalation sequence goes on (their heat radiation adds up).
_STATIONARY_FIRES: tuple[str, ...] = ("pool_fire", "jet_fire")


# ----------------------------------------------------------------------------------------------------------------
# Model registry: thresholds and probits
# ----------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EscalationModel:
    """Escalation thresholds and probit models, all in SI at the boundary.

    Attributes
    ----------
    key : str
    thresholds : mapping
        (equipment, vector, primary group) -> threshold [W/m² or Pa]; primary group is "stationary_fire",
        "fireball" or "explosion"; ``inf`` = escalation not credible.
    threshold_notes : mapping
        (equipment, vector, primary group) -> (status, source, note) from the CSV.
    ttf : mapping
        Heat-radiation class ("atmospheric" | "pressurized") -> (c1, c2, c3, form): ``form == "linear"``:
        ln(ttf[s]) = c1 ln(I[kW/m²]) + c2 V[m³] + c3; ``form == "power"``: ln(ttf[s]) = c1 ln(I) + c3 V^c2.
    heat_class : mapping
        Equipment class -> heat-radiation class whose ttf correlation it uses.
    heat_probit : tuple
        (a, b): Y = a + b ln(ttf [min]) — ttf from the correlations in seconds, divided by 60.
    overpressure_probit : mapping
        Equipment class -> (a, b): Y = a + b ln(ΔP [Pa]).
    source : str
    """

    key: str
    thresholds: Mapping[tuple[str, str, str], float]
    threshold_notes: Mapping[tuple[str, str, str], tuple[str, str, str]]
    ttf: Mapping[str, tuple[float, float, float, str]]
    heat_class: Mapping[str, str]
    heat_probit: tuple[float, float]
    overpressure_probit: Mapping[str, tuple[float, float]]
    source: str


def _load_thresholds(name: str) -> tuple[dict, dict]:
    path = DATA_DIR / name
    values: dict[tuple[str, str, str], float] = {}
    notes: dict[tuple[str, str, str], tuple[str, str, str]] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            key = (row["equipment"], row["vector"], row["primary"])
            v = float(row["threshold"])
            if not (v > 0):
                raise ValueError(f"{name}: threshold for {key} must be > 0, got {row['threshold']!r}")
            values[key] = v
            notes[key] = (row["status"], row["source"], row["note"])
    for eq in EQUIPMENT_CLASSES:
        for vec, grp in (
            ("heat_flux", "stationary_fire"),
            ("heat_flux", "fireball"),
            ("overpressure", "explosion"),
        ):
            if (eq, vec, grp) not in values:
                raise ValueError(f"{name}: no threshold row for {(eq, vec, grp)}")
    return values, notes


def _cozzani2005() -> EscalationModel:
    thr, notes = _load_thresholds("cozzani_2006_escalation_thresholds.csv")
    return EscalationModel(
        key="cozzani2005",
        thresholds=thr,
        threshold_notes=notes,
        # [2], Table 2: ln(ttf) = -1.128 ln(I) - 2.667e-5 V + 9.877   (atmospheric vessels)
        #               ln(ttf) = -0.947 ln(I) + 8.835 V^0.032          (pressurised vessels)
        # ttf [s], I [kW/m²], V [m³].
        ttf={
            "atmospheric": (-1.128, -2.667e-5, 9.877, "linear"),
            "pressurized": (-0.947, 0.032, 8.835, "power"),
        },
        # [2] gives ttf correlations for atmospheric and pressurised vessels only; elongated and small equipment is
        # pressure-rated and uses the pressurised correlation (parkrisk assumption, see the threshold CSV).
        heat_class={
            "atmospheric": "atmospheric",
            "pressurized": "pressurized",
            "elongated": "pressurized",
            "small": "pressurized",
        },
        # [2], Table 2: Y = 12.54 - 1.847 ln(ttf), ttf in minutes (the correlations above give seconds).
        heat_probit=(12.54, -1.847),
        # [3] (Table 5) / [2], Table 2: Y = a + b ln(ΔP), ΔP peak static overpressure [Pa].
        overpressure_probit={
            "atmospheric": (-18.96, 2.44),
            "pressurized": (-42.44, 4.33),
            "elongated": (-28.07, 3.16),
            "small": (-17.79, 2.18),
        },
        source="Cozzani et al. 2005 (J. Hazard. Mater. A127:14–30) Table 2; Cozzani & Salzano 2004 (A107:67–80); "
        "thresholds Cozzani, Gubinelli & Salzano 2006 (A129:1–21)",
    )


def _landucci2009() -> EscalationModel:
    # Same thresholds [1], ttf correlations [2] and overpressure probits [3]; only the heat-radiation probit differs:
    # [5] Y = 9.25 - 1.85 ln(ttf/60), ttf [s] (ttf/60 in minutes, written out in the paper's form). It reads as a
    # lognormal probability that the vessel fails before mitigation, median 10 min: P = 0.90 at 5 min, 0.10 at
    # 20 min. Coefficients entered from the paper's widely quoted form, not re-read from its table here.
    base = _cozzani2005()
    return replace(
        base,
        key="landucci2009",
        heat_probit=(9.25, -1.85),
        source="Landucci et al. 2009 (Accid. Anal. Prev. 41:1206–1215) heat-radiation probit; ttf correlations "
        "Cozzani et al. 2005 Table 2; overpressure probits Cozzani & Salzano 2004; thresholds Cozzani, Gubinelli "
        "& Salzano 2006",
    )


#: Display names of the escalation models (Chinese first).
ESCALATION_MODEL_LABELS_ZH: dict[str, str] = {
    "cozzani2005": "Cozzani 等 2005（默认）",
    "landucci2009": "Landucci 等 2009（计应急处置时间）",
}


@lru_cache(maxsize=1)
def _registry() -> dict[str, EscalationModel]:
    return {"cozzani2005": _cozzani2005(), "landucci2009": _landucci2009()}


class _Registry(Mapping):
    """Lazy read-only view of the model registry (the CSV is read on first use)."""

    def __getitem__(self, key: str) -> EscalationModel:
        return _registry()[key]

    def __iter__(self):
        return iter(_registry())

    def __len__(self) -> int:
        return len(_registry())


#: Escalation models keyed source + year.
ESCALATION_MODELS: Mapping[str, EscalationModel] = _Registry()


def _model(model: str | EscalationModel) -> EscalationModel:
    if isinstance(model, EscalationModel):
        return model
    reg = _registry()
    if model not in reg:
        raise ValueError(
            f"model 升级模型={model!r} 无效，应为 {sorted(reg)} 之一 (valid keys: {sorted(reg)})"
        )
    return reg[model]


def _check_equipment(equipment: str) -> str:
    if equipment not in EQUIPMENT_CLASSES:
        raise ValueError(
            f"equipment 设备类别={equipment!r} 无效，应为 {list(EQUIPMENT_CLASSES)} 之一 "
            f"(must be one of {list(EQUIPMENT_CLASSES)})"
        )
    return equipment


def _check_vector(vector: str) -> str:
    if vector not in VECTORS:
        raise ValueError(
            f"vector 升级矢量={vector!r} 无效，应为 {list(VECTORS)} 之一 (must be one of {list(VECTORS)})"
        )
    return vector


def _group(vector: str, scenario: str | None) -> str:
    if scenario is None:
        return _GROUP_OF_VECTOR[vector]
    if scenario not in PRIMARY_KINDS:
        raise ValueError(
            f"scenario 初始事故情景={scenario!r} 无效，应为 {list(PRIMARY_KINDS)} 之一或 None "
            f"(must be one of {list(PRIMARY_KINDS)} or None)"
        )
    if PRIMARY_KINDS[scenario] != vector:
        raise ValueError(
            f"scenario={scenario!r} 产生的升级矢量是 {PRIMARY_KINDS[scenario]!r}，与 vector={vector!r} 不符 "
            f"(scenario {scenario} produces {PRIMARY_KINDS[scenario]})"
        )
    return _THRESHOLD_GROUP[scenario]


def threshold(
    equipment: str, vector: str, *, scenario: str | None = None, model: str | EscalationModel = "cozzani2005"
) -> float:
    """Escalation threshold of a target equipment category for an escalation vector.

    Below the threshold escalation is not credible [1]_ and :func:`escalation_probability` returns 0.

    Parameters
    ----------
    equipment : str
        Target category: "atmospheric", "pressurized", "elongated" or "small".
    vector : str
        "heat_flux" or "overpressure".
    scenario : str, optional
        Primary scenario ("pool_fire", "jet_fire", "fireball", "vce", "vessel_burst"). None: stationary fires for
        heat flux, explosions for overpressure. [1]_ gives a separate heat-radiation threshold for fireballs
        (100 kW/m² for atmospheric vessels; no escalation of pressurised vessels).
    model : str
        Key of :data:`ESCALATION_MODELS`.

    Returns
    -------
    float
        [W/m²] for heat flux, [Pa] for overpressure; ``inf`` where escalation is not credible.

    Notes
    -----
    Values (stationary fire / explosion): heat radiation 15 kW/m² atmospheric, 45 kW/m² pressurised;
    overpressure 22 kPa atmospheric, 16 kPa pressurised, 31 kPa elongated, 37 kPa small equipment [1]_.
    [1]_ gives heat-radiation thresholds only for atmospheric and pressurised vessels: elongated and small
    equipment get the pressurised value (45 kW/m²; not credible for a fireball), a parkrisk assumption recorded
    in ``analysis/data/cozzani_2006_escalation_thresholds.csv`` (column ``status``).

    References
    ----------
    .. [1] Cozzani V., Gubinelli G., Salzano E. (2006). J. Hazard. Mater. A129, 1–21.
    """
    m = _model(model)
    _check_equipment(equipment)
    _check_vector(vector)
    return float(m.thresholds[(equipment, vector, _group(vector, scenario))])


def probit_to_probability(y: Any) -> Any:
    """Probability from a probit value, P = Φ(Y − 5). [-]

    Parameters
    ----------
    y : numeric
        Probit value. [-]

    Returns
    -------
    numeric
        [-]
    """
    return ndtr(np.asarray(y, dtype=float) - 5.0)


def _as_float_array(name: str, value: Any, *, unit: str, positive: bool = False) -> np.ndarray:
    try:
        a = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name}={value!r} 不是数值 (must be numeric [{unit}])") from None
    bad = ~np.isfinite(a) | (a <= 0 if positive else a < 0)
    if np.any(bad):
        first = a[bad].flat[0] if a.ndim else a
        rule = "> 0" if positive else "≥ 0"
        raise ValueError(
            f"{name}={first!r} 无效，应为有限数且 {rule} [{unit}] (must be finite and {rule} {unit})"
        )
    return a


def time_to_failure(
    heat_flux: Any, *, equipment: str, volume: Any, model: str | EscalationModel = "cozzani2005"
) -> Any:
    """Time to failure of a vessel exposed to fire (stationary heat radiation).

    Parameters
    ----------
    heat_flux : numeric
        Radiation received by the vessel; > 0. [W/m²]
    equipment : str
        Target category (elongated and small use the pressurised correlation, see :func:`threshold`).
    volume : numeric
        Vessel volume; > 0. [m³]
    model : str

    Returns
    -------
    numeric
        [s]

    References
    ----------
    .. [1] Cozzani V. et al. (2005). J. Hazard. Mater. A127, 14–30, Table 2: atmospheric
       ln(ttf) = −1.128 ln(I) − 2.667·10⁻⁵ V + 9.877; pressurised ln(ttf) = −0.947 ln(I) + 8.835 V^0.032,
       ttf [s], I [kW/m²], V [m³].
    """
    m = _model(model)
    _check_equipment(equipment)
    q = _as_float_array("heat_flux 热辐射", heat_flux, unit="W/m²", positive=True)
    v = _as_float_array("volume 容积", volume, unit="m³", positive=True)
    c1, c2, c3, form = m.ttf[m.heat_class[equipment]]
    i_kw = q / 1000.0  # [1] uses kW/m²
    if form == "linear":
        ln_ttf = c1 * np.log(i_kw) + c2 * v + c3  # [1], Table 2 (atmospheric)
    else:
        ln_ttf = c1 * np.log(i_kw) + c3 * np.power(v, c2)  # [1], Table 2 (pressurised)
    return np.exp(ln_ttf)


def escalation_probit(
    *,
    equipment: str,
    heat_flux: Any = None,
    overpressure: Any = None,
    volume: Any = None,
    model: str | EscalationModel = "cozzani2005",
) -> Any:
    """Probit value of escalation for one vector (exactly one of heat_flux / overpressure), thresholds ignored.

    Parameters
    ----------
    equipment : str
    heat_flux : numeric, optional
        [W/m²] (needs ``volume``): Y = 12.54 − 1.847 ln(ttf/60), ttf [s] from :func:`time_to_failure`.
    overpressure : numeric, optional
        Peak static overpressure. [Pa]  Y = a + b ln(ΔP) with the class coefficients of [1]_.
    volume : numeric, optional
        [m³]
    model : str

    Returns
    -------
    numeric
        Probit value. [-]

    References
    ----------
    .. [1] Cozzani V., Salzano E. (2004). J. Hazard. Mater. A107, 67–80; Cozzani et al. (2005) A127, Table 2.
    """
    m = _model(model)
    _check_equipment(equipment)
    if (heat_flux is None) == (overpressure is None):
        raise ValueError(
            "escalation_probit 需要且只需要 heat_flux 或 overpressure 之一 (give exactly one vector)"
        )
    if heat_flux is not None:
        if volume is None:
            raise ValueError(
                "heat_flux 热辐射升级概率需要 volume 容积 [m³] (volume is required for heat radiation)"
            )
        ttf_min = time_to_failure(heat_flux, equipment=equipment, volume=volume, model=m) / 60.0  # s -> min
        a, b = m.heat_probit
        return a + b * np.log(ttf_min)  # Cozzani et al. 2005, Table 2 (or Landucci et al. 2009, same form)
    p = _as_float_array("overpressure 超压", overpressure, unit="Pa", positive=True)
    a, b = m.overpressure_probit[equipment]
    return a + b * np.log(p)  # Cozzani & Salzano 2004; ΔP in Pa


def _classes_array(equipment: Any) -> np.ndarray:
    eq = np.asarray(equipment, dtype=object)
    for e in np.unique(eq.astype(str)):
        _check_equipment(e)
    return eq.astype(str)


def escalation_probability(
    *,
    equipment: Any,
    heat_flux: Any = None,
    overpressure: Any = None,
    volume: Any = None,
    scenario: str | None = None,
    model: str | EscalationModel = "cozzani2005",
) -> Any:
    """Probability that a target fails (loss of containment) under an escalation load.

    0 where the load is below the threshold of :func:`threshold`; otherwise the probit models of Cozzani et al.
    [1]_ [2]_. With both heat flux and overpressure given, the two are combined as independent causes,
    P = 1 − (1 − P_heat)(1 − P_overpressure).

    Parameters
    ----------
    equipment : str or array of str
        Target category ("atmospheric", "pressurized", "elongated", "small"); arrays broadcast with the loads.
    heat_flux : numeric, optional
        Heat radiation on the target; ≥ 0. [W/m²]
    overpressure : numeric, optional
        Peak static overpressure at the target; ≥ 0. [Pa]
    volume : numeric, optional
        Target volume; > 0; required with heat_flux. [m³]
    scenario : str, optional
        Primary scenario (selects the fireball thresholds of [3]_); None: stationary fire / explosion.
    model : str
        Key of :data:`ESCALATION_MODELS`.

    Returns
    -------
    numeric
        [-] (a float for scalar inputs).

    Raises
    ------
    ValueError
        Unknown category or model, negative or non-finite loads, heat flux without volume, no load given.

    References
    ----------
    .. [1] Cozzani V. et al. (2005). J. Hazard. Mater. A127, 14–30, Table 2 (ttf correlations, heat probit
       Y = 12.54 − 1.847 ln(ttf [min])).
    .. [2] Cozzani V., Salzano E. (2004). J. Hazard. Mater. A107, 67–80 (overpressure probits).
    .. [3] Cozzani V., Gubinelli G., Salzano E. (2006). J. Hazard. Mater. A129, 1–21 (thresholds).
    """
    m = _model(model)
    if heat_flux is None and overpressure is None:
        raise ValueError(
            "escalation_probability 需要 heat_flux 或 overpressure (give heat_flux and/or overpressure)"
        )
    eq = _classes_array(equipment)
    parts = []
    if heat_flux is not None:
        if volume is None:
            raise ValueError(
                "heat_flux 热辐射升级概率需要 volume 容积 [m³] (volume is required with heat_flux)"
            )
        q = _as_float_array("heat_flux 热辐射", heat_flux, unit="W/m²")
        v = _as_float_array("volume 容积", volume, unit="m³", positive=True)
        parts.append(("heat_flux", q, v))
    if overpressure is not None:
        parts.append(("overpressure", _as_float_array("overpressure 超压", overpressure, unit="Pa"), None))
    arrays = [eq] + [p[1] for p in parts] + [p[2] for p in parts if p[2] is not None]
    shape = np.broadcast_shapes(*(np.shape(a) for a in arrays))
    survive = np.ones(shape)
    for vector, load, vol in parts:
        load_b = np.broadcast_to(load, shape)
        vol_b = np.broadcast_to(vol, shape) if vol is not None else None
        p = np.zeros(shape)
        grp = _group(vector, scenario if scenario is None or PRIMARY_KINDS.get(scenario) == vector else None)
        for cls in np.unique(eq):
            mask = np.broadcast_to(eq == cls, shape)
            thr = m.thresholds[(cls, vector, grp)]
            hit = mask & (load_b >= thr) & (load_b > 0)
            if not np.any(hit):
                continue
            if vector == "heat_flux":
                y = escalation_probit(equipment=cls, heat_flux=load_b[hit], volume=vol_b[hit], model=m)
            else:
                y = escalation_probit(equipment=cls, overpressure=load_b[hit], model=m)
            p[hit] = probit_to_probability(y)
        survive = survive * (1.0 - p)
    out = 1.0 - survive
    return float(out) if out.ndim == 0 else out


# ----------------------------------------------------------------------------------------------------------------
# First-level combinations (Cozzani et al. 2005)
# ----------------------------------------------------------------------------------------------------------------
def first_level_combinations(
    probabilities: Mapping[str, float] | pd.Series, *, max_targets: int = 16, top: int | None = None
) -> pd.DataFrame:
    """All combinations of secondary events of one primary event, with their probabilities.

    For n credible targets with escalation probabilities P_i, the probability of the combination J (the targets in
    J fail, the others do not) is P(J) = Π_{i∈J} P_i · Π_{i∉J} (1 − P_i) — Cozzani et al. 2005 [1]_, Eq. 1–3
    (targets independent; synergistic effects neglected). The 2ⁿ − 1 non-empty combinations sum to
    1 − Π(1 − P_i).

    Parameters
    ----------
    probabilities : mapping or Series
        Target id -> escalation probability. [-]
    max_targets : int
        Largest n enumerated exactly (2ⁿ rows); above it only the ``top`` most probable combinations found by a
        best-first search are returned.
    top : int, optional
        Keep the ``top`` most probable combinations.

    Returns
    -------
    DataFrame
        Columns ``targets`` (tuple), ``n`` (number of secondary events), ``probability`` [-], sorted by
        probability (descending).

    References
    ----------
    .. [1] Cozzani V. et al. (2005). J. Hazard. Mater. A127, 14–30.
    """
    s = pd.Series(probabilities, dtype=float)
    s = s[s > 0]
    if ((s > 1) | ~np.isfinite(s)).any():
        raise ValueError(
            f"probabilities 升级概率应在 [0, 1] 内，收到 {s[(s > 1) | ~np.isfinite(s)].tolist()}"
        )
    ids = list(s.index)
    p = s.to_numpy()
    n = len(ids)
    rows: list[tuple[tuple, int, float]] = []
    if n == 0:
        return pd.DataFrame(
            {
                "targets": pd.Series([], dtype=object),
                "n": pd.Series([], dtype=int),
                "probability": pd.Series([], dtype=float),
            }
        )
    if n <= max_targets:
        # all 2^n subsets as a bit matrix: [1], Eq. 1–3
        bits = ((np.arange(1, 2**n)[:, None] >> np.arange(n)) & 1).astype(bool)
        prob = np.where(bits, p, 1.0 - p).prod(axis=1)
        order = np.argsort(-prob, kind="stable")
        if top is not None:
            order = order[:top]
        for k in order:
            members = tuple(ids[i] for i in np.flatnonzero(bits[k]))
            rows.append((members, len(members), float(prob[k])))
    else:
        import heapq

        # Best-first enumeration: start from the most probable configuration (target i fails iff P_i > 0.5) and
        # flip targets in order of decreasing probability factor f_i = min(odds_i, 1/odds_i) ≤ 1; the classic
        # "extend / replace last" moves visit every flip set once, in non-increasing probability.
        k_top = top or 50
        with np.errstate(divide="ignore"):
            log_on, log_off = np.log(p), np.log1p(-p)
        on = p > 0.5
        log_map = float(np.where(on, log_on, log_off).sum())
        log_f = -np.abs(log_on - log_off)  # log of the flip factor, ≤ 0
        order = np.argsort(-log_f, kind="stable")
        lf = log_f[order]
        heap: list[tuple[float, tuple[int, ...]]] = [(-log_map, ())]
        while heap and len(rows) < k_top:
            neg, idx = heapq.heappop(heap)
            if not np.isfinite(neg):
                break
            state = on.copy()
            for t in idx:
                state[order[t]] = ~state[order[t]]
            if state.any():
                members = tuple(ids[i] for i in np.flatnonzero(state))
                rows.append((members, len(members), math.exp(-neg)))
            last = idx[-1] if idx else -1
            if last + 1 < n:
                heapq.heappush(heap, (neg - lf[last + 1], idx + (last + 1,)))
                if idx:
                    heapq.heappush(heap, (neg + lf[last] - lf[last + 1], idx[:-1] + (last + 1,)))
    return pd.DataFrame(rows, columns=["targets", "n", "probability"])


# ----------------------------------------------------------------------------------------------------------------
# Vectorised escalation matrix
# ----------------------------------------------------------------------------------------------------------------
def escalation_matrix(
    origins: np.ndarray,
    footprints: Any,
    profiles: list[tuple[np.ndarray, np.ndarray] | None],
    vectors: list[str | None],
    equipment: Any,
    volume: Any,
    *,
    scenarios: list[str | None] | None = None,
    model: str | EscalationModel = "cozzani2005",
) -> tuple[np.ndarray, np.ndarray]:
    """Escalation probability of every target from every source (one primary scenario per source), vectorised.

    The load of source i on target j is its radial load profile evaluated at the distance from the source's
    effect origin to the nearest point of j's footprint (shapely 2 vectorised ``distance``). Candidate pairs are
    found with an STR-tree ``dwithin`` query at the distance where the source's load falls to the lowest
    threshold of any category, so pairs beyond it are exact zeros without being evaluated.

    Parameters
    ----------
    origins : array (n, 2)
        Effect origins of the sources (footprint centroids), metric CRS. [m]
    footprints : array of shapely geometries (n,)
        Footprints of the installations (targets = the same installations), metric CRS. [m]
    profiles : list of (r [m], load) or None
        Radial load profile of each source (load in W/m² or Pa); None: the source has no scenario.
    vectors : list of str or None
        "heat_flux" or "overpressure" per source.
    equipment : array of str (n,)
        Category of each installation.
    volume : array (n,)
        Volume of each installation. [m³]
    scenarios : list of str, optional
        Primary scenario kind per source (fireball thresholds).
    model : str

    Returns
    -------
    probability : ndarray (n, n)
        [-], zero on the diagonal.
    load : ndarray (n, n)
        Load on the target. [W/m² or Pa]
    """
    import shapely

    m = _model(model)
    fps = np.asarray(footprints, dtype=object)
    n = len(fps)
    eq = np.asarray(equipment, dtype=str)
    vol = np.asarray(volume, dtype=float)
    prob = np.zeros((n, n))
    load = np.zeros((n, n))
    tree = shapely.STRtree(fps)
    pts = shapely.points(np.asarray(origins, dtype=float))
    for i in range(n):
        prof, vec = profiles[i], vectors[i]
        if prof is None or vec is None:
            continue
        kind = scenarios[i] if scenarios is not None else None
        r, q = prof
        grp = _THRESHOLD_GROUP[kind] if kind else _GROUP_OF_VECTOR[vec]
        thr_min = min(m.thresholds[(c, vec, grp)] for c in np.unique(eq))
        r_cut = _reach(r, q, thr_min)
        if r_cut <= 0:
            continue
        cand = tree.query(pts[i], predicate="dwithin", distance=r_cut)
        cand = cand[cand != i]
        if cand.size == 0:
            continue
        d = shapely.distance(pts[i], fps[cand])
        qj = np.interp(d, r, q, right=0.0)
        load[i, cand] = qj
        pj = escalation_probability(equipment=eq[cand], volume=vol[cand], scenario=kind, model=m, **{vec: qj})
        prob[i, cand] = pj
    return prob, load


def _reach(r: np.ndarray, q: np.ndarray, level: float) -> float:
    """Largest tabulated distance where the profile is ≥ level (0 if never). [m]"""
    if not np.isfinite(level):
        return 0.0
    above = np.flatnonzero(q >= level)
    if above.size == 0:
        return 0.0
    k = above[-1]
    if k + 1 < len(r) and q[k] > q[k + 1]:
        # linear interpolation to the crossing
        return float(r[k] + (q[k] - level) * (r[k + 1] - r[k]) / (q[k] - q[k + 1]))
    return float(r[k])


# ----------------------------------------------------------------------------------------------------------------
# Options and result
# ----------------------------------------------------------------------------------------------------------------
def _default_weather():
    from analysis.scenarios import Weather

    return Weather(wind_speed=2.0, wind_from_deg=0.0, stability="D")


@dataclass(frozen=True)
class DominoOptions:
    """Options of :func:`analyze` (all explicit, no hidden constants).

    Attributes
    ----------
    model : str
        Key of :data:`ESCALATION_MODELS` (thresholds and probits).
    weather : analysis.scenarios.Weather
        Weather of the primary scenarios (pool-fire tilt, transmissivity). Default 2 m/s, D, 20 ℃, 70 %.
    direction : str
        "worst" (default): each target is loaded as if it lay downwind of the source (the most severe direction;
        the map is then independent of the wind direction); "weather": the actual direction from ``weather``.
    scenarios : tuple of str
        Primary scenario kinds considered (subset of :data:`PRIMARY_KINDS`).
    scenario_kwargs : mapping
        Extra :class:`analysis.scenarios.Scenario` arguments per kind (e.g. ``{"jet_fire": {"hole_diameter": 0.05}}``).
    max_level : int
        Deepest escalation level simulated (1 = first level only).
    n_samples : int
        Monte Carlo samples per primary event.
    seed : int
        Seed of the Monte Carlo generator (results are reproducible).
    min_probability : float
        Escalation probabilities below it are dropped from the graph. [-]
    max_combination_targets : int
        Largest number of first-level targets enumerated exactly (2ⁿ combinations).
    top_combinations : int
        Combinations kept per primary event.
    top_chains : int
        Most probable chains kept per primary event.
    profile_r_max : float
        Range of the tabulated load profiles. [m]
    profile_points : int
        Points of the tabulated load profiles.
    synergy : bool
        Levels ≥ 2 of the Monte Carlo sum the heat radiation of all stationary fires burning at that level (the
        primary one if it is a pool or jet fire, and every failed unit's pool/jet fire) on each target and apply the
        threshold and probit to the sum (the synergistic effect of [4]_); a target therefore fails at the first
        level where P(total flux) exceeds its sampled resistance. Instantaneous scenarios (fireball, VCE, vessel
        burst) act once, at the level where their unit fails. ``False``: each failed unit acts alone through its
        most probable scenario (independent edges).
    synergy_min_heat_flux : float
        Heat loads below it are not kept for the summation. [W/m²]
    """

    model: str = "cozzani2005"
    weather: Any = field(default_factory=_default_weather)
    direction: str = "worst"
    scenarios: tuple[str, ...] = tuple(PRIMARY_KINDS)
    scenario_kwargs: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    max_level: int = 4
    n_samples: int = 4000
    seed: int = 20240601
    min_probability: float = 1e-6
    max_combination_targets: int = 16
    top_combinations: int = 10
    top_chains: int = 5
    profile_r_max: float = 5000.0
    profile_points: int = 600
    synergy: bool = True
    synergy_min_heat_flux: float = 1000.0

    def __post_init__(self) -> None:
        _model(self.model)
        if self.direction not in ("worst", "weather"):
            raise ValueError(f"direction 方向={self.direction!r} 无效，应为 ['worst', 'weather'] 之一")
        bad = [k for k in self.scenarios if k not in PRIMARY_KINDS]
        if bad:
            raise ValueError(f"scenarios 初始事故情景 {bad} 无效，应为 {list(PRIMARY_KINDS)} 中的值")
        for name, lo in (
            ("max_level", 1),
            ("n_samples", 1),
            ("max_combination_targets", 0),
            ("top_combinations", 1),
            ("top_chains", 1),
            ("profile_points", 10),
        ):
            v = getattr(self, name)
            if not isinstance(v, (int, np.integer)) or v < lo:
                raise ValueError(f"{name}={v!r} 无效，应为 ≥ {lo} 的整数 (must be an integer ≥ {lo})")
        if not (0 <= self.min_probability < 1):
            raise ValueError(f"min_probability={self.min_probability!r} 应在 [0, 1) 内")
        if not (self.profile_r_max > 0):
            raise ValueError(f"profile_r_max={self.profile_r_max!r} [m] 应 > 0")
        if not isinstance(self.synergy, (bool, np.bool_)):
            raise ValueError(f"synergy={self.synergy!r} 应为 True 或 False")
        if not (self.synergy_min_heat_flux > 0):
            raise ValueError(f"synergy_min_heat_flux={self.synergy_min_heat_flux!r} [W/m²] 应 > 0")


@dataclass
class DominoResult:
    """Result of :func:`analyze`.

    Attributes
    ----------
    graph : networkx.DiGraph
        Nodes keyed by unit_id (attributes name, enterprise_id, kind, equipment_class, x, y [m]); edge (i, j)
        attributes ``probability`` [-] (the largest over i's primary scenarios), ``scenario``, ``vector``,
        ``load`` [W/m² or Pa], ``crosses_enterprise``, ``weight`` = −ln(probability).
    edges : GeoDataFrame
        One row per (source, primary scenario, target) with a load above the target's threshold: source, target,
        scenario, scenario_zh, vector, load, load_unit, threshold, probability [-], ttf_s [s], distance_m
        (footprint gap) [m], load_distance_m (effect origin to target) [m], required_distance_m [m],
        extra_distance_m [m], load_reduction (threshold/load) [-], measure_zh, crosses_enterprise,
        source_enterprise, target_enterprise, target_equipment, model (key of :data:`ESCALATION_MODELS`);
        geometry = line between the footprints (metric CRS).
    primary_events : DataFrame
        Per (source, scenario): n_targets, expected_level1 [units], p_any_level1 [-], expected_total [units],
        p_any_total [-], levels_mean, frequency [1/a].
    involvement : DataFrame
        Per (source, scenario, unit): p_level1 [-], p_involved [-] (all levels, Monte Carlo).
    combinations : DataFrame
        Per (source, scenario): the most probable first-level combinations (targets, n, probability [-]).
    chains : DataFrame
        Per (source, scenario): the most probable chains (path, length, probability [-]).
    ranking : DataFrame
        Per unit: out_strength [units], out_degree, exposure [-], in_degree, expected_units_lost [units],
        crossing_edges, hub_rank, exposure_rank.
    measures : DataFrame
        The edges with the measure that would remove them (spacing distance, fire protection, blast wall).
    frequencies : DataFrame
        Secondary-event frequencies added by escalation: primary_unit, primary_scenario, f_primary [1/a], target,
        p_escalation [-] (first level), p_involved [-] (all levels), f_secondary [1/a] (= f_primary × p_involved),
        f_secondary_level1 [1/a].
    skipped : DataFrame
        unit_id, scenario, reason_zh of primary scenarios that could not be computed.
    crs : pyproj.CRS
    options : DominoOptions
    heat_loads : DataFrame
        Heat radiation of every stationary fire (pool/jet) on every unit it reaches with at least
        ``synergy_min_heat_flux`` — also below the thresholds — as summed by the synergy: source, scenario,
        target, heat_flux [W/m²]. Empty when ``synergy`` is off.
    """

    graph: Any
    edges: Any
    primary_events: pd.DataFrame
    involvement: pd.DataFrame
    combinations: pd.DataFrame
    chains: pd.DataFrame
    ranking: pd.DataFrame
    measures: pd.DataFrame
    frequencies: pd.DataFrame
    skipped: pd.DataFrame
    crs: Any
    options: DominoOptions
    heat_loads: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["source", "scenario", "target", "heat_flux"])
    )

    def chain_from(self, unit_id: str, scenario: str | None = None) -> pd.DataFrame:
        """Involvement of every unit for the primary events of ``unit_id`` (optionally one scenario)."""
        inv = self.involvement[self.involvement["source"] == unit_id]
        if scenario is not None:
            inv = inv[inv["scenario"] == scenario]
        return inv.sort_values("p_involved", ascending=False).reset_index(drop=True)


# ----------------------------------------------------------------------------------------------------------------
# Multi-level Monte Carlo: independent edges, or synergy of simultaneous fires
# ----------------------------------------------------------------------------------------------------------------
def _simulate_independent(rng, g, nodes, p_first, s, max_level):
    """One primary event, each failed unit acting alone through its most probable scenario (graph edges):
    failed (samples × nodes) and the level each node failed at."""
    loc = {u: i for i, u in enumerate(nodes)}
    nn = len(nodes)
    pmat = np.zeros((nn, nn))
    for u in nodes:
        for v, data in g[u].items():
            if v in loc:
                pmat[loc[u], loc[v]] = data["probability"]
    logq = np.log1p(-np.clip(pmat, 0.0, 1.0 - 1e-12))
    failed = rng.random((s, nn)) < p_first
    new = failed.copy()
    level_of = np.where(failed, 1, 0)
    for lev in range(2, max_level + 1):
        if not new.any():
            break
        p_hit = -np.expm1(
            new.astype(float) @ logq
        )  # 1 - Π(1 - p) over the units that failed at the last level
        newly = (rng.random((s, nn)) < p_hit) & ~failed
        failed |= newly
        level_of = np.where(newly, lev, level_of)
        new = newly
    return failed, level_of


@dataclass
class _Synergy:
    """Loads of the multi-level Monte Carlo with summed heat radiation (see ``DominoOptions.synergy``).

    heat[k, j]: heat flux of unit k's stationary fire on unit j (largest of its pool/jet fire) [W/m²];
    primary_heat[(k, kind)]: the same for one primary scenario; inst[k, j]: escalation probability of unit k's
    instantaneous scenarios (fireball, VCE, vessel burst) on j, the largest [-]. Both matrices are sparse (a unit
    reaches few others), so large parks stay small in memory.
    """

    model: EscalationModel
    heat: Any  # scipy.sparse CSR, n × n
    primary_heat: dict[tuple[int, str], np.ndarray]
    inst: Any  # scipy.sparse CSR, n × n
    classes: np.ndarray
    volumes: np.ndarray
    heat_threshold: np.ndarray

    @classmethod
    def build(cls, opts, m, n, heat_rows, kept, index, classes_a, volumes_a) -> _Synergy | None:
        if not opts.synergy:
            return None
        from scipy import sparse

        best_heat: dict[tuple[int, int], float] = {}
        primary_heat: dict[tuple[int, str], np.ndarray] = {}
        for k, kind, j, x in heat_rows:
            best_heat[(k, j)] = max(best_heat.get((k, j), 0.0), x)
            primary_heat.setdefault((k, kind), np.zeros(n))[j] = x
        best_inst: dict[tuple[int, int], float] = {}
        if len(kept):
            ki = kept[~kept["scenario"].isin(_STATIONARY_FIRES)]
            for rec in ki.itertuples(index=False):
                key = (index[rec.source], index[rec.target])
                best_inst[key] = max(best_inst.get(key, 0.0), float(rec.probability))

        def csr(d: dict[tuple[int, int], float]):
            rows = np.fromiter((a for a, _ in d), dtype=int, count=len(d))
            cols = np.fromiter((b for _, b in d), dtype=int, count=len(d))
            return sparse.csr_array(
                (np.fromiter(d.values(), dtype=float, count=len(d)), (rows, cols)), shape=(n, n)
            )

        thr = np.array([m.thresholds[(c, "heat_flux", "stationary_fire")] for c in classes_a])
        return cls(m, csr(best_heat), primary_heat, csr(best_inst), classes_a, volumes_a, thr)

    def _q0(self, k: int, kind: str) -> np.ndarray:
        q0 = self.primary_heat.get((k, kind))
        return q0 if q0 is not None else np.zeros(self.heat.shape[0])

    def closure(self, reach: set, k: int, kind: str, g: Any, ids: np.ndarray) -> set:
        """Add the units that the summed fires of the reachable units (and the primary's) could set off."""
        import networkx as nx

        q0 = self._q0(k, kind)
        reach = set(reach)
        while True:
            idx = [i for i, u in enumerate(ids) if u in reach and i != k]
            total = q0 + (np.asarray(self.heat[idx].sum(axis=0)).ravel() if idx else 0.0)
            extra = {ids[j] for j in np.flatnonzero(total >= self.heat_threshold) if j != k} - reach
            if not extra:
                return reach
            for u in extra:
                reach |= {u} | nx.descendants(g, u)

    def simulate(self, rng, nodes, index, k, kind, p_first, s, max_level):
        """One primary event: failed (samples × nodes) and the level each node failed at."""
        nidx = np.array([index[u] for u in nodes], dtype=int)
        nn = len(nodes)
        hn = self.heat[nidx][:, nidx].toarray()
        logq = np.log1p(-np.clip(self.inst[nidx][:, nidx].toarray(), 0.0, 1.0 - 1e-12))
        exploders = np.flatnonzero((logq != 0.0).any(axis=1))  # units with instantaneous edges
        logq_e = logq[exploders]
        q0 = self._q0(k, kind)[nidx]
        cls_n, vol_n = self.classes[nidx], self.volumes[nidx]
        # columns that the summed fires could ever set off, and the rows (units) whose fires reach them
        cols = np.flatnonzero(q0 + hn.sum(axis=0) >= self.heat_threshold[nidx])
        burners = np.flatnonzero(hn[:, cols].any(axis=1)) if cols.size else np.array([], dtype=int)
        hn_c = hn[np.ix_(burners, cols)]
        q0_c, cls_c, vol_c = q0[cols], cls_n[cols], vol_n[cols]
        resistance = rng.random((s, nn))  # sampled once per target: failure when P(total flux) exceeds it
        res_c = resistance[:, cols]
        if kind in _STATIONARY_FIRES:
            failed = resistance < p_first  # level 1 is the primary fire's own flux: P(q0) = p_first
        else:
            failed = rng.random((s, nn)) < p_first
        new = failed.copy()
        level_of = np.where(failed, 1, 0)
        for lev in range(2, max_level + 1):
            if not new.any():
                break
            draw = rng.random((s, nn))
            # instantaneous scenarios of the units that failed at the last level, once: 1 − Π(1 − p)
            newly = draw < -np.expm1(new[:, exploders].astype(float) @ logq_e)
            if cols.size:
                q = q0_c + failed[:, burners].astype(float) @ hn_c  # all fires burning now, summed [W/m²]
                newly[:, cols] |= res_c < escalation_probability(
                    equipment=cls_c, heat_flux=q, volume=vol_c, model=self.model
                )
            newly &= ~failed
            failed |= newly
            level_of = np.where(newly, lev, level_of)
            new = newly
        return failed, level_of


# ----------------------------------------------------------------------------------------------------------------
# analyze()
# ----------------------------------------------------------------------------------------------------------------
def _is_null(v: Any) -> bool:
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


_KIND_CLASS = {
    "spherical_tank": "pressurized",
    "bullet_tank": "pressurized",
    "reactor": "elongated",
    "column": "elongated",
    "process_unit": "elongated",
    "pump_station": "small",
    "compressor": "small",
    "loading_bay": "small",
    "cylinder_store": "small",
    "electrolyser": "small",
    "warehouse": "atmospheric",
}


def _equipment_class(row: Mapping[str, Any]) -> tuple[str, str | None]:
    ec = row.get("equipment_class")
    if not _is_null(ec) and str(ec) in EQUIPMENT_CLASSES:
        return str(ec), None
    kind = str(row.get("kind", ""))
    p = row.get("pressure_pa")
    if kind == "storage_tank":
        cls = "pressurized" if (not _is_null(p) and float(p) > 1.5e5) else "atmospheric"
    else:
        cls = _KIND_CLASS.get(kind, "atmospheric")
    return (
        cls,
        f"设施 {row.get('unit_id')} 未填设备类别，按类型 {kind or '未知'} 取 {EQUIPMENT_LABELS_ZH[cls]}",
    )


def _volume(row: Mapping[str, Any]) -> tuple[float, str | None]:
    v = row.get("volume_m3")
    if not _is_null(v) and float(v) > 0:
        return float(v), None
    uid = row.get("unit_id")
    d, h = row.get("diameter_m"), row.get("height_m")
    if not _is_null(d) and float(d) > 0:
        d = float(d)
        if str(row.get("kind")) == "spherical_tank" or _is_null(h):
            vol = math.pi * d**3 / 6.0
            return vol, f"设施 {uid} 未填容积，按直径 {d:g} m 的球体估为 {vol:,.0f} m³"
        vol = math.pi * d**2 / 4.0 * float(h)
        return vol, f"设施 {uid} 未填容积，按直径 {d:g} m、高 {float(h):g} m 的圆柱估为 {vol:,.0f} m³"
    inv = row.get("inventory_kg")
    if not _is_null(inv) and float(inv) > 0:
        rho = 1000.0
        try:
            from analysis.physics import substances

            sub = substances.get(str(row.get("substance")))
            if math.isfinite(sub.liquid_density) and sub.liquid_density > 0:
                rho = float(sub.liquid_density)
        except (ValueError, KeyError):
            pass
        vol = float(inv) / rho
        return vol, f"设施 {uid} 未填容积和尺寸，按存量 / 液体密度 {rho:,.0f} kg/m³ 估为 {vol:,.1f} m³"
    return 100.0, f"设施 {uid} 无容积、尺寸和存量数据，容积按 100 m³ 计"


def _footprint(row: Mapping[str, Any]):
    import shapely

    g = row.get("geometry")
    if g is None or g.is_empty:
        return None
    if g.geom_type == "Point":
        d = row.get("diameter_m")
        if not _is_null(d) and float(d) > 0:
            return shapely.buffer(g, float(d) / 2.0, quad_segs=16)
    return g


_SIGNATURE_COLUMNS = (
    "substance",
    "phase",
    "inventory_kg",
    "pressure_pa",
    "temperature_k",
    "diameter_m",
    "height_m",
    "bund_area_m2",
    "volume_m3",
)


def _signature(row: Mapping[str, Any], kind: str) -> tuple:
    return (kind,) + tuple(None if _is_null(row.get(c)) else row.get(c) for c in _SIGNATURE_COLUMNS)


def _profile(
    field_: Any, vector: str, bearing_deg: float, r_max: float, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Load along the downwind axis (the most severe direction) tabulated on a log grid. [m], [W/m² | Pa]"""
    r = np.concatenate([[0.0], np.geomspace(0.05, r_max, n)])
    b = math.radians(bearing_deg)
    fn = field_.function(vector)
    q = np.asarray(fn(r * math.sin(b), r * math.cos(b)), dtype=float)
    q = np.where(np.isfinite(q), np.maximum(q, 0.0), 0.0)
    return r, _engulfment(field_, vector, r, q)


def _engulfment(field_: Any, vector: str, r: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Flame engulfment: a target standing in the burning pool (bund) receives at least the flame's surface
    emissive power (parkrisk assumption, after the "full engulfment" escalation case of Cozzani et al. 2006)."""
    model = getattr(field_, "model", None)
    radius = getattr(model, "radius", None)
    sep = getattr(model, "surface_emissive_power", None)
    if (
        vector == "heat_flux"
        and radius is not None
        and sep is not None
        and field_.scenario.kind == "pool_fire"
    ):
        return np.where(r <= float(radius), np.maximum(q, float(sep)), q)
    return q


def _measure_zh(vector: str, required_extra: float, load: float, thr: float, target_class: str) -> str:
    red = thr / load if load > 0 else 1.0
    if vector == "heat_flux":
        alt = (
            f"或设置固定水喷淋冷却/被动防火（防火涂层、隔热层），使目标表面热辐射降至 {thr / 1e3:.0f} kW/m² 以下"
            f"（削减至 {red * 100:.0f} %）"
        )
    else:
        alt = f"或设置防爆墙/对目标进行抗爆加固，使超压降至 {thr / 1e3:.0f} kPa 以下（削减至 {red * 100:.0f} %）"
    if math.isfinite(required_extra) and required_extra > 0:
        return f"将间距再增加 {required_extra:,.1f} m（{EQUIPMENT_LABELS_ZH[target_class]}阈值），{alt}"
    return alt


def _row_dict(row: pd.Series) -> dict[str, Any]:
    return {k: row[k] for k in row.index}


def analyze(
    park: Any,
    *,
    options: DominoOptions | None = None,
    progress: Callable[[float, str], None] | None = None,
    **overrides: Any,
) -> DominoResult:
    """Domino-effect analysis of a park: escalation vectors, probabilities, propagation, graph, measures, frequencies.

    Parameters
    ----------
    park : geodata.Park
        The park (its installations are read in the park's metric CRS).
    options : DominoOptions, optional
        All options; keyword overrides (``analyze(park, max_level=2)``) replace single fields.
    progress : callable, optional
        ``progress(fraction [0–1], message_zh)`` for long runs (the app's progress bar).

    Returns
    -------
    DominoResult

    Notes
    -----
    Loads come from :func:`analysis.scenarios.effect_field` for every applicable primary scenario of every
    installation (:func:`analysis.scenarios.applicable_scenarios`); scenarios whose consequence model is not
    available or whose inputs are incomplete are listed in ``skipped`` (with the reason) and left out.
    Primary frequencies come from :func:`analysis.qra.frequencies.outcomes` (Purple Book LOC frequencies × event tree),
    summed per unit and outcome; NaN where not covered (vessel burst, kinds without LOC data).

    References
    ----------
    See the module docstring ([1]_–[4]_ there).
    """
    import geopandas as gpd
    import networkx as nx
    import shapely

    from analysis import scenarios as sc

    opts = options or DominoOptions()
    if overrides:
        try:
            opts = replace(opts, **overrides)
        except TypeError as exc:
            valid = sorted(DominoOptions.__dataclass_fields__)
            raise ValueError(f"analyze() 未知选项 {sorted(overrides)}，可用选项：{valid} ({exc})") from None
    m = _model(opts.model)

    def report(frac: float, msg: str) -> None:
        if progress is not None:
            progress(min(max(frac, 0.0), 1.0), msg)

    inst = park.metric("installations") if hasattr(park, "metric") else park
    crs = inst.crs
    from geodata.crs import require_metric

    require_metric(inst, what="installations")
    inst = inst.reset_index(drop=True)
    n = len(inst)
    ids = inst["unit_id"].astype(str).to_numpy()
    if len(set(ids)) != n:
        dup = pd.Series(ids)[pd.Series(ids).duplicated()].unique().tolist()
        raise ValueError(f"installations 设施编号 unit_id 重复：{dup} (duplicate unit_id)")
    rows = [_row_dict(inst.iloc[k]) for k in range(n)]
    notes: list[str] = []
    classes, volumes, fps = [], [], []
    for row in rows:
        c, note = _equipment_class(row)
        classes.append(c)
        if note:
            notes.append(note)
        v, note = _volume(row)
        volumes.append(v)
        if note:
            notes.append(note)
        fps.append(_footprint(row))
    classes_a = np.asarray(classes, dtype=str)
    volumes_a = np.asarray(volumes, dtype=float)
    has_geom = np.array([f is not None for f in fps])
    fps_a = np.array([f if f is not None else shapely.Point() for f in fps], dtype=object)
    origins = np.array([[f.centroid.x, f.centroid.y] if f is not None else [np.nan, np.nan] for f in fps])
    ent = inst["enterprise_id"].astype(str).to_numpy() if "enterprise_id" in inst else np.array([""] * n)
    names = inst["name"].astype(str).to_numpy() if "name" in inst else ids

    # ---- 1. primary scenarios and their load profiles (cached by installation attributes)
    report(0.0, "计算各设施初始事故情景的升级矢量…")
    cache: dict[tuple, Any] = {}
    primaries: list[tuple[int, str, str, tuple[np.ndarray, np.ndarray], Any]] = []
    skipped: list[tuple[str, str, str]] = []
    bearing = opts.weather.downwind_bearing_deg
    for k, row in enumerate(rows):
        report(0.5 * k / max(n, 1), f"升级矢量：{ids[k]}（{k + 1}/{n}）")
        if not has_geom[k]:
            skipped.append((ids[k], "", "无几何位置"))
            continue
        try:
            applicable = [o.kind for o in sc.applicable_scenarios(row)]
        except ValueError as exc:
            skipped.append((ids[k], "", f"无法确定适用情景：{exc}"))
            continue
        for kind in opts.scenarios:
            if kind not in applicable:
                continue
            vec = PRIMARY_KINDS[kind]
            key = _signature(row, kind)
            if key not in cache:
                try:
                    scen = sc.Scenario(kind, **dict(opts.scenario_kwargs.get(kind, {})))
                    ef = sc.effect_field(row, scen, opts.weather)
                    prof = _profile(ef, vec, bearing, opts.profile_r_max, opts.profile_points)
                    cache[key] = (ef, prof, None)
                except (ValueError, ZeroDivisionError, FloatingPointError) as exc:
                    cache[key] = (None, None, str(exc))
            ef, prof, err = cache[key]
            if err is not None:
                skipped.append((ids[k], kind, err))
                continue
            primaries.append((k, kind, vec, prof, ef))

    # ---- 2. loads and probabilities, footprint to footprint (vectorised per primary)
    report(0.5, "计算设施间的荷载与升级概率…")
    tree = shapely.STRtree(fps_a)
    origin_pts = shapely.points(origins)
    edge_rows: list[dict[str, Any]] = []
    heat_rows: list[tuple[int, str, int, float]] = []  # (source k, stationary-fire kind, target j, heat flux)
    for prim in primaries:
        k, kind, vec, (r, q), ef = prim
        grp = _THRESHOLD_GROUP[kind]
        thr_by_class = {c: m.thresholds[(c, vec, grp)] for c in EQUIPMENT_CLASSES}
        thr_min = min(thr_by_class[c] for c in np.unique(classes_a))
        r_cut = _reach(r, q, thr_min)
        keep_heat = opts.synergy and kind in _STATIONARY_FIRES
        r_search = max(r_cut, _reach(r, q, opts.synergy_min_heat_flux)) if keep_heat else r_cut
        if r_search <= 0:
            continue
        cand = tree.query(origin_pts[k], predicate="dwithin", distance=r_search)
        cand = cand[(cand != k) & has_geom[cand]]
        if cand.size == 0:
            continue
        lines_o = shapely.shortest_line(origin_pts[k], fps_a[cand])  # origin -> nearest point of the target
        d_load = shapely.length(lines_o)
        if opts.direction == "weather":
            end = shapely.get_coordinates(shapely.get_point(lines_o, 1))
            dx, dy = end[:, 0] - origins[k, 0], end[:, 1] - origins[k, 1]
            load = np.maximum(np.asarray(ef.function(vec)(dx, dy), dtype=float), 0.0)
            load = _engulfment(ef, vec, d_load, load)
        else:
            # the exact field on the downwind axis at the footprint distance (the tabulated profile is only used
            # for the search radius: interpolating it could fall a little below the directional load)
            b = math.radians(bearing)
            load = np.maximum(
                np.asarray(ef.function(vec)(d_load * math.sin(b), d_load * math.cos(b)), dtype=float), 0.0
            )
            load = _engulfment(ef, vec, d_load, np.where(np.isfinite(load), load, 0.0))
        if keep_heat:
            kept_heat = load >= opts.synergy_min_heat_flux
            heat_rows.extend(
                (k, kind, int(j), float(x)) for j, x in zip(cand[kept_heat], load[kept_heat], strict=True)
            )
        thr = np.array([thr_by_class[c] for c in classes_a[cand]])
        hit = (load >= thr) & (d_load <= r_cut)  # edges as without the synergy search radius
        if not np.any(hit):
            continue
        cand, load, thr, d_load = cand[hit], load[hit], thr[hit], d_load[hit]
        prob = np.asarray(
            escalation_probability(
                equipment=classes_a[cand], volume=volumes_a[cand], scenario=kind, model=m, **{vec: load}
            ),
            dtype=float,
        ).reshape(-1)
        ttf = np.full(cand.shape, np.nan)
        if vec == "heat_flux":
            for c in np.unique(classes_a[cand]):
                mk = classes_a[cand] == c
                ttf[mk] = time_to_failure(load[mk], equipment=c, volume=volumes_a[cand][mk], model=m)
        gap = shapely.distance(fps_a[k], fps_a[cand])
        geom = shapely.shortest_line(fps_a[k], fps_a[cand])
        short = shapely.length(geom) < 0.5
        if np.any(short):  # touching/overlapping footprints: draw centroid to centroid
            geom[short] = shapely.linestrings(
                np.stack([np.repeat(origins[[k]], short.sum(), axis=0), origins[cand[short]]], axis=1)
            )
        for jj, j in enumerate(cand):
            r_req = _reach(r, q, thr[jj])
            extra = max(r_req - d_load[jj], 0.0)
            edge_rows.append(
                {
                    "source": ids[k],
                    "target": ids[j],
                    "scenario": kind,
                    "scenario_zh": PRIMARY_LABELS_ZH[kind],
                    "vector": vec,
                    "vector_zh": VECTOR_LABELS_ZH[vec],
                    "load": float(load[jj]),
                    "load_unit": VECTOR_UNITS[vec],
                    "threshold": float(thr[jj]),
                    "probability": float(prob[jj]),
                    "ttf_s": float(ttf[jj]),
                    "distance_m": float(gap[jj]),
                    "load_distance_m": float(d_load[jj]),
                    "required_distance_m": float(gap[jj] + extra),
                    "extra_distance_m": float(extra),
                    "load_reduction": float(thr[jj] / load[jj]),
                    "measure_zh": _measure_zh(vec, extra, float(load[jj]), float(thr[jj]), classes_a[j]),
                    "crosses_enterprise": bool(ent[k] != ent[j]),
                    "source_enterprise": ent[k],
                    "target_enterprise": ent[j],
                    "target_equipment": classes_a[j],
                    "model": m.key,
                    "geometry": geom[jj],
                }
            )
    cols = [
        "source",
        "target",
        "scenario",
        "scenario_zh",
        "vector",
        "vector_zh",
        "load",
        "load_unit",
        "threshold",
        "probability",
        "ttf_s",
        "distance_m",
        "load_distance_m",
        "required_distance_m",
        "extra_distance_m",
        "load_reduction",
        "measure_zh",
        "crosses_enterprise",
        "source_enterprise",
        "target_enterprise",
        "target_equipment",
        "model",
    ]
    if edge_rows:
        edges = gpd.GeoDataFrame(edge_rows, geometry="geometry", crs=crs)
    else:
        edges = gpd.GeoDataFrame(
            {c: pd.Series([], dtype=object) for c in cols}, geometry=gpd.GeoSeries([], crs=crs), crs=crs
        )
    edges = edges.sort_values(["probability", "load"], ascending=False).reset_index(drop=True)

    # ---- 3. graph (unit level, edge = most probable scenario of the source)
    report(0.7, "构建升级网络图…")
    g = nx.DiGraph()
    for k in range(n):
        g.add_node(
            ids[k],
            name=names[k],
            enterprise_id=ent[k],
            kind=str(rows[k].get("kind", "")),
            equipment_class=classes_a[k],
            volume_m3=float(volumes_a[k]),
            x=float(origins[k, 0]),
            y=float(origins[k, 1]),
        )
    kept = edges[edges["probability"] > opts.min_probability]
    if len(kept):
        best = kept.loc[kept.groupby(["source", "target"])["probability"].idxmax()]
        for rec in best.itertuples(index=False):
            p = float(rec.probability)
            g.add_edge(
                rec.source,
                rec.target,
                probability=p,
                scenario=rec.scenario,
                vector=rec.vector,
                load=float(rec.load),
                crosses_enterprise=bool(rec.crosses_enterprise),
                distance_m=float(rec.distance_m),
                weight=-math.log(max(p, 1e-300)),
            )
    index = {u: i for i, u in enumerate(ids)}

    # ---- 4. propagation per primary event
    heat_loads = pd.DataFrame(
        [(ids[k], kind, ids[j], x) for k, kind, j, x in heat_rows],
        columns=["source", "scenario", "target", "heat_flux"],
    )
    syn = _Synergy.build(opts, m, n, heat_rows, kept, index, classes_a, volumes_a)
    rng = np.random.default_rng(opts.seed)
    prim_rows, inv_rows, comb_rows, chain_rows = [], [], [], []
    groups = list(kept.groupby(["source", "scenario"], sort=False)) if len(kept) else []
    for gi, ((src, kind), grp_df) in enumerate(groups):
        report(0.7 + 0.25 * gi / max(len(groups), 1), f"多级传播模拟：{src} {PRIMARY_LABELS_ZH[kind]}")
        p1 = grp_df.set_index("target")["probability"]
        comb = first_level_combinations(
            p1, max_targets=opts.max_combination_targets, top=opts.top_combinations
        )
        for rec in comb.itertuples(index=False):
            comb_rows.append(
                {
                    "source": src,
                    "scenario": kind,
                    "targets": rec.targets,
                    "n": rec.n,
                    "probability": rec.probability,
                }
            )
        # reachable set for the Monte Carlo
        reach = set(p1.index)
        for t in list(p1.index):
            reach |= nx.descendants(g, t)
        if syn is not None:
            reach = syn.closure(reach, index[src], kind, g, ids)
        reach.discard(src)
        nodes = sorted(reach)
        loc = {u: i for i, u in enumerate(nodes)}
        p_first = np.zeros(len(nodes))
        for t, p in p1.items():
            p_first[loc[t]] = p
        s = opts.n_samples
        if syn is None:
            failed, level_of = _simulate_independent(rng, g, nodes, p_first, s, opts.max_level)
        else:
            failed, level_of = syn.simulate(rng, nodes, index, index[src], kind, p_first, s, opts.max_level)
        p_inv = failed.mean(axis=0)
        n_lost = failed.sum(axis=1)
        for u in nodes:
            inv_rows.append(
                {
                    "source": src,
                    "scenario": kind,
                    "unit_id": u,
                    "p_level1": float(p_first[loc[u]]),
                    "p_involved": float(p_inv[loc[u]]),
                    "crosses_enterprise": bool(ent[index[u]] != ent[index[src]]),
                }
            )
        prim_rows.append(
            {
                "source": src,
                "scenario": kind,
                "scenario_zh": PRIMARY_LABELS_ZH[kind],
                "n_targets": int(len(p1)),
                "expected_level1": float(p1.sum()),
                "p_any_level1": float(1.0 - np.prod(1.0 - p1.to_numpy())),
                "expected_total": float(n_lost.mean()),
                "p_any_total": float((n_lost > 0).mean()),
                "levels_mean": float(level_of.max(axis=1)[n_lost > 0].mean()) if (n_lost > 0).any() else 0.0,
            }
        )
        # most probable chains: max-product paths (Dijkstra on −ln p), first edge from this primary scenario
        for t, p in p1.items():
            w0 = -math.log(max(p, 1e-300))
            dist, paths = nx.single_source_dijkstra(g, t, weight="weight")
            for v, d in dist.items():
                if v == src:
                    continue
                path = [src] + paths[v]
                if len(set(path)) != len(path) or len(path) - 1 > opts.max_level:
                    continue
                chain_rows.append(
                    {
                        "source": src,
                        "scenario": kind,
                        "target": v,
                        "path": " → ".join(path),
                        "length": len(path) - 1,
                        "probability": math.exp(-(w0 + d)),
                    }
                )
    primary_events = pd.DataFrame(
        prim_rows,
        columns=[
            "source",
            "scenario",
            "scenario_zh",
            "n_targets",
            "expected_level1",
            "p_any_level1",
            "expected_total",
            "p_any_total",
            "levels_mean",
        ],
    )
    involvement = pd.DataFrame(
        inv_rows, columns=["source", "scenario", "unit_id", "p_level1", "p_involved", "crosses_enterprise"]
    )
    combinations = pd.DataFrame(comb_rows, columns=["source", "scenario", "targets", "n", "probability"])
    chains = pd.DataFrame(
        chain_rows, columns=["source", "scenario", "target", "path", "length", "probability"]
    )
    if len(chains):
        chains = (
            chains.sort_values("probability", ascending=False)
            .drop_duplicates(["source", "scenario", "target"])
            .groupby(["source", "scenario"], sort=False)
            .head(opts.top_chains)
            .reset_index(drop=True)
        )

    # ---- 5. frequencies of primary events and of the secondary events they add
    report(0.96, "计算多米诺升级附加的次生事故频率…")
    f_primary = _primary_frequencies(rows, ids, {(r_["source"], r_["scenario"]) for r_ in prim_rows})
    primary_events["frequency"] = [f_primary.get((r_["source"], r_["scenario"]), np.nan) for r_ in prim_rows]
    freq = involvement.merge(primary_events[["source", "scenario", "frequency"]], on=["source", "scenario"])
    freq = freq.rename(
        columns={
            "source": "primary_unit",
            "scenario": "primary_scenario",
            "frequency": "f_primary",
            "unit_id": "target",
            "p_level1": "p_escalation",
        }
    )
    freq["f_secondary_level1"] = freq["f_primary"] * freq["p_escalation"]
    freq["f_secondary"] = freq["f_primary"] * freq["p_involved"]
    freq = (
        freq[
            [
                "primary_unit",
                "primary_scenario",
                "f_primary",
                "target",
                "p_escalation",
                "p_involved",
                "f_secondary_level1",
                "f_secondary",
                "crosses_enterprise",
            ]
        ]
        .sort_values("f_secondary", ascending=False, na_position="last")
        .reset_index(drop=True)
    )

    # ---- 6. ranking of hubs and exposed units
    out_strength = {u: sum(d["probability"] for _, _, d in g.out_edges(u, data=True)) for u in ids}
    exposure = {
        u: 1.0 - float(np.prod([1.0 - d["probability"] for _, _, d in g.in_edges(u, data=True)])) for u in ids
    }
    lost = (
        primary_events.groupby("source")["expected_total"].max()
        if len(primary_events)
        else pd.Series(dtype=float)
    )
    crossing = {u: sum(1 for _, _, d in g.out_edges(u, data=True) if d["crosses_enterprise"]) for u in ids}
    ranking = pd.DataFrame(
        {
            "unit_id": ids,
            "name": names,
            "enterprise_id": ent,
            "equipment_class": classes_a,
            "out_strength": [out_strength[u] for u in ids],
            "out_degree": [g.out_degree(u) for u in ids],
            "expected_units_lost": [float(lost.get(u, 0.0)) for u in ids],
            "exposure": [exposure[u] for u in ids],
            "in_degree": [g.in_degree(u) for u in ids],
            "crossing_edges": [crossing[u] for u in ids],
        }
    )
    ranking["hub_rank"] = ranking["expected_units_lost"].rank(ascending=False, method="min").astype(int)
    ranking["exposure_rank"] = ranking["exposure"].rank(ascending=False, method="min").astype(int)
    ranking = ranking.sort_values(["hub_rank", "exposure_rank"]).reset_index(drop=True)

    measures = pd.DataFrame(edges.drop(columns="geometry")) if len(edges) else pd.DataFrame(columns=cols)
    measures = measures[
        [
            "source",
            "target",
            "scenario_zh",
            "vector_zh",
            "load",
            "load_unit",
            "threshold",
            "probability",
            "distance_m",
            "required_distance_m",
            "extra_distance_m",
            "load_reduction",
            "measure_zh",
            "crosses_enterprise",
        ]
    ]
    skipped_df = pd.DataFrame(skipped, columns=["unit_id", "scenario", "reason_zh"])
    for note in notes:
        log.info(note)
    report(1.0, "完成")
    return DominoResult(
        graph=g,
        edges=edges,
        primary_events=primary_events,
        involvement=involvement,
        combinations=combinations,
        chains=chains,
        ranking=ranking,
        measures=measures,
        frequencies=freq,
        skipped=skipped_df,
        crs=crs,
        options=opts,
        heat_loads=heat_loads,
    )


_OUTCOME_OF_KIND = {"pool_fire": "pool_fire", "jet_fire": "jet_fire", "fireball": "fireball", "vce": "vce"}


def _primary_frequencies(
    rows: list[dict[str, Any]], ids: np.ndarray, wanted: set[tuple[str, str]]
) -> dict[tuple[str, str], float]:
    """Frequency of each primary event (unit, kind) from analysis.qra.frequencies.outcomes. [1/a]"""
    from analysis.qra import frequencies

    out: dict[tuple[str, str], float] = {}
    units = {u for u, _ in wanted}
    for row, uid in zip(rows, ids, strict=True):
        if uid not in units:
            continue
        try:
            outs = frequencies.outcomes(row)
        except (ValueError, KeyError, TypeError) as exc:
            log.info("no outcome frequencies for %s: %s", uid, exc)
            continue
        for o in outs:
            for kind, name in _OUTCOME_OF_KIND.items():
                if o.outcome == name and (uid, kind) in wanted:
                    out[(uid, kind)] = out.get((uid, kind), 0.0) + float(o.frequency)
    return out

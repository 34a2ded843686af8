"""Societal risk: F-N curves, potential loss of life (PLL) and the GB 36894-2018 criterion lines.

An F-N curve gives, for every number of fatalities N, the cumulative frequency F(N) of the accident outcomes that
kill N or more people [1]_ [2]_:

    F(N) = Σ_{i : Nᵢ ≥ N} fᵢ                                        ([4], Eq. 6.6; [2], §4.4 societal risk)

a left-continuous step function (on (N_{k−1}, N_k] it equals F(N_k), so the largest ratio of F to a falling
criterion line on a step is at its right corner, the curve's point), and the potential loss of life is the expected
number of fatalities per year, PLL = Σ fᵢ Nᵢ ([2]_, [4]_ Eqs. 6.3–6.5).

GB 36894-2018 [1]_ judges the F-N curve against two straight lines of slope −1 on log–log axes, F = C/N, which
bound the unacceptable region (above the upper line), the ALARP region (尽可能降低区, between) and the acceptable
region (below the lower line).

.. warning::
   The text and figure of GB 36894-2018 could not be obtained when this was written. The constants of the
   ``"gb36894_2018"`` criterion (upper C = 1×10⁻³, lower C = 1×10⁻⁵, for 1 ≤ N ≤ 1000) are the author's reading of
   the standard's figure and are **not confirmed** against its text (they are also the constants the author recalls
   for the Hong Kong societal-risk guidelines). Check them against the standard before
   relying on a classification near a line. The criterion is a registry entry so it can be corrected in one place.

Beyond N = 1000 the lines are extended with the same slope for the classification (the figure stops at 1000).

:func:`societal_risk` builds the F-N curves (all year, day, night) and the PLL of the events of an individual-risk
run (:func:`analysis.qra.individual.individual_risk`): one event per outcome, weather class, wind direction and
period, with N the fatalities among the sensitive targets' population (and, optionally, building occupants).

References
----------
.. [1] GB 36894-2018 危险化学品生产装置和储存设施风险基准, societal-risk criteria (社会风险基准, F-N figure).
.. [2] CCPS (2000). Guidelines for Chemical Process Quantitative Risk Analysis, 2nd ed., AIChE, §4.4 (societal
       risk, F-N curves; PLL).
.. [3] Besluit externe veiligheid inrichtingen (Bevi, 2004; repealed 2024), art. 13(1)(b), oriëntatiewaarde
       groepsrisico: at most 10⁻⁵/a for 10 or more deaths, 10⁻⁷ for 100, 10⁻⁹ for 1000, i.e. F ≤ 10⁻³/N² for
       N ≥ 10 (also CPR 18E Figure 6.8).
.. [4] CPR 18E (1999). Guidelines for quantitative risk assessment ("Purple Book"), §6.3, Eqs. 6.3–6.6.
.. [5] CPR 18E (1999), §5.3 (population indoors and outdoors; lethality indoors), as recalled by the author: the
       fraction of the population indoors is 0.93 by day and 0.99 by night; indoors, the probability of death from
       a toxic cloud is 0.1 × the outdoor one and a flash fire kills nobody indoors; for heat radiation (indoors 0
       below 35 kW/m², 1 above, where the building ignites) and overpressure (indoors 0.025 between 0.1 and 0.3
       bar, 1 above 0.3 bar) the indoor lethality depends on the load. These values could not be checked against
       the text when this was written (no copy was found); they are :data:`INDOOR_FRACTION` and
       :data:`INDOOR_LETHALITY_FACTOR`, one place to correct them.

Indoor protection (:func:`indoor_factor`, on by default in :func:`societal_risk`): every event's fatalities are
multiplied by (1 − f_in) + f_in × g, with f_in the indoor fraction of its period and g the indoor lethality factor
of its outcome [5]_. Fires and explosions keep g = 1 (no protection claimed): the Purple Book's indoor rules for
them depend on the heat flux or overpressure at each person, which the lethality tables do not carry, and at the
loads that kill outdoors they give an indoor lethality near 1 (building ignited, building collapse) — counting those
people as outdoors is the conservative reading.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "FNCurve",
    "FNCriterion",
    "SOCIETAL_CRITERIA",
    "REGION_LABELS_ZH",
    "fn_curve",
    "pll",
    "classify_fn",
    "get_criterion",
    "SocietalRisk",
    "societal_risk",
    "INDOOR_FRACTION",
    "INDOOR_LETHALITY_FACTOR",
    "indoor_factor",
]

#: Fraction of the population indoors by period [5]_ (CPR 18E §5.3, not checked against the text). [-]
INDOOR_FRACTION: dict[str, float] = {"day": 0.93, "night": 0.99}
#: Indoor lethality as a fraction of the outdoor lethality, by outcome kind [5]_: toxic cloud 0.1, flash fire 0;
#: every other kind 1 (load-dependent rules, see the module notes). [-]
INDOOR_LETHALITY_FACTOR: dict[str, float] = {"toxic": 0.1, "toxic_cloud": 0.1, "flash_fire": 0.0}


def indoor_factor(outcome: Any, period: Any) -> np.ndarray:
    """Fatalities of an event with indoor protection over those of everybody outdoors. [-]

    (1 − f_in) + f_in × g with f_in = :data:`INDOOR_FRACTION` [period] and g = :data:`INDOOR_LETHALITY_FACTOR`
    [outcome] (1 for kinds not listed) [5]_. Arrays broadcast; ``period`` must be "day" or "night".
    """
    out = np.asarray(outcome, dtype=object)
    per = np.asarray(period, dtype=object)
    bad = [p for p in np.unique(per) if p not in INDOOR_FRACTION]
    if bad:
        raise ValueError(f"period 时段={bad[0]!r} 无效：只能是 'day'（白天）或 'night'（夜间）")
    f_in = np.vectorize(INDOOR_FRACTION.__getitem__, otypes=[float])(per)
    g = np.vectorize(lambda k: INDOOR_LETHALITY_FACTOR.get(str(k), 1.0), otypes=[float])(out)
    return (1.0 - f_in) + f_in * g


logger = logging.getLogger(__name__)

REGION_LABELS_ZH: dict[str, str] = {
    "unacceptable": "不可接受区",
    "alarp": "尽可能降低区",
    "acceptable": "可接受区",
}


@dataclass(frozen=True)
class FNCriterion:
    """A societal-risk criterion F = C / N^k (log–log straight lines).

    Attributes
    ----------
    upper_c : float
        F of the upper (unacceptable) line at N = 1. [1/a]
    lower_c : float or None
        F of the lower (acceptable) line at N = 1; None when the criterion has a single line. [1/a]
    slope : float
        k > 0 (the lines fall as N^-k). [-]
    n_min, n_max : float
        Range of N the source draws the lines over. [-]
    confirmed : bool
        Whether the constants were checked against the source's text.
    source : str
    """

    upper_c: float
    lower_c: float | None
    slope: float
    n_min: float
    n_max: float
    confirmed: bool
    source: str

    def upper(self, n: Any) -> Any:
        """F of the upper line at N. [1/a]"""
        return self.upper_c / np.asarray(n, dtype=float) ** self.slope

    def lower(self, n: Any) -> Any:
        """F of the lower line at N (NaN without a lower line). [1/a]"""
        if self.lower_c is None:
            return np.full(np.shape(n), np.nan)
        return self.lower_c / np.asarray(n, dtype=float) ** self.slope


#: Societal-risk criteria keyed source + year.
SOCIETAL_CRITERIA: dict[str, FNCriterion] = {
    # [1]: NOT confirmed against the standard's text (see the module warning).
    "gb36894_2018": FNCriterion(
        upper_c=1e-3,
        lower_c=1e-5,
        slope=1.0,
        n_min=1.0,
        n_max=1000.0,
        confirmed=False,
        source="GB 36894-2018 社会风险基准（常数未经标准原文核实）",
    ),
    # [3]: one line, F = 1e-3 / N², from N = 10.
    "bevi_2004": FNCriterion(
        upper_c=1e-3,
        lower_c=None,
        slope=2.0,
        n_min=10.0,
        n_max=1000.0,
        confirmed=True,
        source="Bevi 2004 oriëntatiewaarde groepsrisico",
    ),
}


def get_criterion(name: Any) -> FNCriterion:
    """The F-N criterion registered as ``name`` (a key of :data:`SOCIETAL_CRITERIA`), or ``name`` itself when it is
    an :class:`FNCriterion` (constants a user entered, :func:`analysis.qra.fn_settings.user_fn_criterion`)."""
    if isinstance(name, FNCriterion):
        return name
    if name not in SOCIETAL_CRITERIA:
        raise ValueError(f"criterion={name!r} is not known; valid: {list(SOCIETAL_CRITERIA)}")
    return SOCIETAL_CRITERIA[name]


def _pairs(frequency: Any, fatalities: Any) -> tuple[np.ndarray, np.ndarray]:
    f = np.asarray(frequency, dtype=float).ravel()
    n = np.asarray(fatalities, dtype=float).ravel()
    if f.shape != n.shape:
        raise ValueError(
            f"frequency has {f.size} values and fatalities {n.size}; give one fatality count per "
            "outcome frequency"
        )
    if np.any(~np.isfinite(f) | (f < 0)):
        raise ValueError(
            f"frequency has negative or non-finite values {f[~np.isfinite(f) | (f < 0)].tolist()}; "
            "each must be ≥ 0 [1/a]"
        )
    if np.any(~np.isfinite(n) | (n < 0)):
        raise ValueError(
            f"fatalities 死亡人数含负数或非有限值 {n[~np.isfinite(n) | (n < 0)].tolist()}：每个值须 ≥ 0 [人] / "
            "fatalities must be finite and ≥ 0"
        )
    return f, n


@dataclass(frozen=True)
class FNCurve:
    """A cumulative F-N curve: F[i] is the frequency of outcomes with N ≥ n[i] fatalities.

    Attributes
    ----------
    n : ndarray
        Distinct fatality numbers of the outcomes (≥ n_min), increasing. [人]
    f : ndarray
        Cumulative frequency, non-increasing. [1/a]
    """

    n: np.ndarray
    f: np.ndarray

    def at(self, n: Any) -> Any:
        """F(N) of the step curve at arbitrary N ≥ 0. [1/a]"""
        x = np.asarray(n, dtype=float)
        if self.n.size == 0:
            return np.zeros(x.shape) if x.ndim else 0.0
        idx = np.searchsorted(self.n, x, side="left")  # first curve point with n ≥ x
        ext = np.append(self.f, 0.0)
        out = ext[np.minimum(idx, self.n.size)]
        return float(out) if out.ndim == 0 else out

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"N": self.n, "F_per_year": self.f})


def fn_curve(frequency: Any, fatalities: Any, *, n_min: float = 1.0) -> FNCurve:
    """F-N curve from outcome (frequency, number of fatalities) pairs.

    Parameters
    ----------
    frequency : array_like
        Frequency of each outcome (scenario × weather × direction …). [1/a]
    fatalities : array_like
        Expected number of fatalities of that outcome (need not be an integer). [人]
    n_min : float
        Smallest N on the curve (outcomes with fewer fatalities are left out of the curve, not of the PLL). [人]

    Returns
    -------
    FNCurve
        Points at each distinct N ≥ n_min: F(N) = Σ f_i over outcomes with N_i ≥ N.

    References
    ----------
    .. [2] CCPS (2000), §4.4.
    """
    f, n = _pairs(frequency, fatalities)
    if not (np.isfinite(n_min) and n_min > 0):
        raise ValueError(f"n_min 最少死亡人数={n_min!r} 无效，应为 > 0 的有限数 [人] / n_min must be > 0")
    keep = (n >= n_min) & (f > 0)
    f, n = f[keep], n[keep]
    if n.size == 0:
        return FNCurve(np.array([]), np.array([]))
    order = np.argsort(n)
    n_sorted, f_sorted = n[order], f[order]
    levels, first = np.unique(n_sorted, return_index=True)
    tail = np.cumsum(f_sorted[::-1])[::-1]  # Σ f over outcomes at or after each sorted position
    return FNCurve(levels, tail[first])


def pll(frequency: Any, fatalities: Any) -> float:
    """Potential loss of life PLL = Σ fᵢ Nᵢ. [人/a]

    References
    ----------
    .. [2] CCPS (2000), §4.4.
    """
    f, n = _pairs(frequency, fatalities)
    return float(np.sum(f * n))


def classify_fn(curve: FNCurve, *, criterion: str = "gb36894_2018") -> pd.DataFrame:
    """Region of every point of an F-N curve against a criterion, and the curve's overall verdict.

    A point is ``unacceptable`` when F > upper line, ``acceptable`` when F ≤ lower line, ``alarp`` otherwise (a
    point on the upper line is not above it). For a single-line criterion there is no acceptable region below the
    line: points at or below it are ``alarp``. Points with N below the criterion's ``n_min`` are ``not_assessed``.

    Parameters
    ----------
    curve : FNCurve
    criterion : str
        Key of :data:`SOCIETAL_CRITERIA`.

    Returns
    -------
    DataFrame
        ``N``, ``F_per_year``, ``F_upper``, ``F_lower``, ``region`` and ``region_zh``; ``df.attrs["overall"]`` holds
        the worst region of the curve ("acceptable" for an empty curve).
    """
    c = get_criterion(criterion)
    up = c.upper(curve.n)
    lo = c.lower(curve.n)
    region = np.where(
        curve.f > up,
        "unacceptable",
        np.where(np.isfinite(lo) & (curve.f <= np.nan_to_num(lo, nan=-1.0)), "acceptable", "alarp"),
    )
    region = np.where(curve.n < c.n_min, "not_assessed", region)  # below the criterion's N range
    df = pd.DataFrame({"N": curve.n, "F_per_year": curve.f, "F_upper": up, "F_lower": lo, "region": region})
    df["region_zh"] = df["region"].map(REGION_LABELS_ZH)
    order = ["acceptable", "alarp", "unacceptable"]
    assessed = [r for r in region if r != "not_assessed"]
    df.attrs["overall"] = max(assessed, key=order.index) if assessed else "acceptable"
    return df


# ----------------------------------------------------------------------------------------------------------------
# Societal risk of an individual-risk run
# ----------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class SocietalRisk:
    """F-N curves and PLL from the events of an :class:`analysis.qra.individual.IndividualRisk` run.

    Attributes
    ----------
    curve : FNCurve
        All year (day and night events together). F [1/a] of N or more fatalities.
    curve_day, curve_night : FNCurve
        Day and night events only (frequencies are annual, so the two add up to ``curve``).
    pll : float
        Potential loss of life Σ f N. [persons/a]
    classification : DataFrame
        :func:`classify_fn` of ``curve`` against the criterion.
    events : DataFrame
        frequency [1/a], n (fatalities), period, unit_id, outcome, direction_deg.
    include_buildings : bool
    criterion : str
    indoor : bool
        Whether the indoor protection of :func:`indoor_factor` was applied.
    """

    curve: FNCurve
    curve_day: FNCurve
    curve_night: FNCurve
    pll: float
    classification: pd.DataFrame
    events: pd.DataFrame
    include_buildings: bool
    criterion: str
    indoor: bool = True

    @property
    def overall(self) -> str:
        """Overall region of the curve (unacceptable / alarp / acceptable / not_assessed)."""
        return str(self.classification.attrs.get("overall", ""))


def societal_risk(
    result: Any, *, include_buildings: bool = True, criterion: str = "gb36894_2018", indoor: bool = True
) -> SocietalRisk:
    """Societal risk (F-N curve, PLL) of the park's public (sensitive targets, residential areas, the population
    raster) and, optionally, building occupants.

    Each event is one outcome in one weather class, wind direction and period (day / night) with its annual
    frequency; its number of fatalities is N = Σ people × P_death over the receptor points (outdoor lethality, see
    :mod:`analysis.qra.individual`; each person counted once, :mod:`analysis.qra.receptors`), times
    :func:`indoor_factor` when ``indoor``. F(N) is the frequency of events with N or more fatalities
    (:func:`fn_curve`).

    Parameters
    ----------
    result : analysis.qra.individual.IndividualRisk
    include_buildings : bool
        Count the occupants of buildings (the park's own workers) as well as the targets' populations.
    criterion : str
        Key of :data:`SOCIETAL_CRITERIA`.
    indoor : bool
        Protect the people indoors (day/night indoor fractions and indoor lethality factors [5]_); False counts
        everybody as outdoors.

    References
    ----------
    .. [2] CCPS (2000), §4.4.3 (F-N curve; PLL = Σ f_i N_i).
    .. [4] CPR 18E (1999), ch. 6 (societal risk, F-N curve).
    .. [5] CPR 18E (1999), §5.3 (indoor fractions and indoor lethality; see the module notes).
    """
    ev = result.events
    n = ev["n_targets"].to_numpy(float) + (ev["n_buildings"].to_numpy(float) if include_buildings else 0.0)
    if indoor and len(ev):
        n = n * indoor_factor(ev["outcome"].to_numpy(), ev["period"].to_numpy())
    f = ev["frequency"].to_numpy(float)
    keep = n > 0
    ev2 = ev.loc[keep, ["unit_id", "outcome", "period", "direction_deg", "frequency"]].assign(n=n[keep])
    curve = fn_curve(f[keep], n[keep])
    day = (ev2["period"] == "day").to_numpy()
    curve_day = fn_curve(ev2["frequency"].to_numpy()[day], ev2["n"].to_numpy()[day])
    curve_night = fn_curve(ev2["frequency"].to_numpy()[~day], ev2["n"].to_numpy()[~day])
    pll_ = float(pll(f[keep], n[keep])) if keep.any() else 0.0
    cls = classify_fn(curve, criterion=criterion)
    return SocietalRisk(
        curve,
        curve_day,
        curve_night,
        pll_,
        cls,
        ev2.reset_index(drop=True),
        include_buildings,
        criterion,
        indoor,
    )

"""Options of the pipeline consequence and risk calculations, and the weather classes they run over.

The weather classes come from the park's wind rose (:func:`weather_classes_from_rose`; :func:`analysis.pipelines.assess`
takes the rose the way :func:`analysis.qra.individual.individual_risk` does), every class by default. A large rose
(16 directions × speed classes × stabilities) may be reduced (:data:`WEATHER_REDUCTIONS`): the risk kernel computes
one footprint per (speed, stability) pair and samples it once per class, so the cost grows with both. On the demo
park (96 classes) the full rose took about 1.5 × the time of the old fixed 12 classes and the reduction (64 classes)
moved the area of IR ≥ 1e-6 /a by −13 % (``bench/bench_pipelines.py``), so the full rose is the default.

References
----------
.. [1] Committee for the Prevention of Disasters (1999). Guidelines for quantitative risk assessment, CPR 18E
       ("Purple Book"), §4.5.3: a limited set of representative weather classes (wind speed and stability) is used
       in a QRA, each class standing for the observations it replaces with their summed probability.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from analysis import _checks
from analysis.errors import AnalysisInputError
from analysis.scenarios import Weather

__all__ = [
    "RiskOptions",
    "WEATHER_REDUCTIONS",
    "default_weather_classes",
    "reduce_weather_classes",
    "weather_classes_from_rose",
]

#: How a rose's classes are reduced before the pipeline risk, and what each reduction says in the assumptions.
WEATHER_REDUCTIONS: dict[str, str] = {
    "none": "风玫瑰全部气象类别（风向 × 风速 × 稳定度）逐一计算，未合并",
    "speed_per_stability": (
        "同一稳定度的各风速类别合并为一个代表风速（按全玫瑰该稳定度的概率加权平均风速），各风向 × 稳定度的概率之和不变"
        "（CPR 18E §4.5.3 代表性气象类别）；管道风险核每个（风速、稳定度）计算一个足迹，此合并把足迹数降为稳定度个数"
    ),
}


@dataclass(frozen=True)
class RiskOptions:
    """Options of :func:`analysis.pipelines.pipeline_consequences` and the risk functions.

    Attributes
    ----------
    frequency_source : str
        Key of :data:`analysis.qra.frequencies.FREQUENCY_SOURCES` (generic pipe LOC frequencies, CPR 18E §3.2.4).
    rupture_frequency_per_m_year, leak_frequency_per_m_year : float, optional
        Replace the generic frequencies (e.g. with operator or EGIG/UKOPA statistics for buried transmission
        lines, which the generic process-pipe values of the Purple Book do not describe). [1/(m·a)]
    isolation_length_m : float, optional
        Length of line between isolation valves that empties into a release (its line pack is the inventory);
        the line's own length when not given. [m]
    weather : tuple of (Weather, probability), optional
        Weather classes (speed, stability, direction) and their probabilities (sum 1); see
        :func:`weather_classes_from_rose`. Default: Pasquill D, 2 m/s, 12 equally likely directions (an
        assumption for when no wind rose is given).
    event_tree : analysis.qra.frequencies.EventTreeOptions, optional
    max_range_m : float
        Farthest distance at which effects are looked for. [m]
    kernel_points : int
        Points per side of the risk kernel grid.
    population : str
        "max", "day" or "night": which population of the targets counts in the societal risk.
    buoyant_gas_delayed_ignition : bool
        Model flash fire / VCE of a delayed-ignited cloud for gases lighter than air (natural gas, hydrogen). Off by
        default: the ground-level Gaussian plume of the dispersion models ignores the buoyancy and momentum of a
        high-pressure jet of a light gas and would spread a flammable cloud kilometres along the ground (an
        assumption of this module, stated in the assumptions; switch on for the conservative house event tree).
        Off means P(delayed ignition | no direct ignition) = 0 in the event tree for such a gas.
    """

    frequency_source: str = "purple_book_1999"
    rupture_frequency_per_m_year: float | None = None
    leak_frequency_per_m_year: float | None = None
    isolation_length_m: float | None = None
    weather: tuple | None = None
    event_tree: Any = None
    max_range_m: float = 5000.0
    kernel_points: int = 201
    population: str = "max"
    buoyant_gas_delayed_ignition: bool = False

    def __post_init__(self) -> None:
        for name in ("rupture_frequency_per_m_year", "leak_frequency_per_m_year"):
            v = getattr(self, name)
            if v is not None:
                _checks.finite_number(name, v, low=0.0, unit="1/(m·a)")
        if self.isolation_length_m is not None:
            _checks.finite_number(
                "isolation_length_m", self.isolation_length_m, low=0.0, low_open=True, unit="m"
            )
        _checks.finite_number("max_range_m", self.max_range_m, low=0.0, low_open=True, unit="m")
        if not (isinstance(self.kernel_points, int) and self.kernel_points >= 21):
            raise AnalysisInputError(
                f"kernel_points={self.kernel_points!r} 应为 ≥ 21 的整数 (must be an integer ≥ 21)"
            )
        _checks.choice("population", self.population, ("max", "day", "night"))
        if self.weather is not None:
            p = sum(float(pw) for _, pw in self.weather)
            if not math.isclose(p, 1.0, abs_tol=1e-6):
                raise AnalysisInputError(
                    f"weather 气象类别概率之和={p!r} 应为 1 (the probabilities must add up to 1)"
                )


def default_weather_classes() -> tuple:
    """Pasquill D, 2 m/s at 10 m, from 12 equally likely directions (the assumption when no wind rose is given)."""
    return tuple(
        (Weather(wind_speed=2.0, wind_from_deg=30.0 * i, stability="D"), 1.0 / 12.0) for i in range(12)
    )


def weather_classes_from_rose(rose, *, min_probability: float = 0.0, reduce: str = "none") -> tuple:
    """Weather classes ``((Weather, probability), ...)`` from an :class:`analysis.weather.WindRose` (or a day/night
    rose, combined), renormalised after dropping classes below ``min_probability``, reduced by ``reduce`` (a key
    of :data:`WEATHER_REDUCTIONS`, see :func:`reduce_weather_classes`)."""
    _checks.choice("reduce", reduce, tuple(WEATHER_REDUCTIONS))
    if hasattr(rose, "combined"):
        rose = rose.combined()
    cls = [(d, s, st, p) for d, s, st, p in rose.classes(min_probability=min_probability)]
    total = sum(p for *_, p in cls)
    if not total > 0:
        raise AnalysisInputError("风玫瑰中没有概率大于 min_probability 的气象类别 (no weather class left)")
    out = tuple(
        (Weather(wind_speed=float(s), wind_from_deg=float(d), stability=str(st)), p / total)
        for d, s, st, p in cls
    )
    return out if reduce == "none" else reduce_weather_classes(out)


def reduce_weather_classes(classes: tuple) -> tuple:
    """Speed classes merged per stability: one representative speed per stability class, directions kept.

    For each stability k the representative speed is the probability-weighted mean over every class of that
    stability, ū_k = Σ p_i u_i / Σ p_i [m/s]; each (direction, stability) keeps the summed probability of its
    speed classes, so the probability of every direction and of every stability is unchanged [1]_.

    Parameters
    ----------
    classes : tuple of (Weather, float)
        Weather classes and probabilities (sum 1). [-]

    Returns
    -------
    tuple of (Weather, float)
        At most (directions × stabilities) classes, ordered by stability then direction; probabilities sum to 1.
    """
    by_stab: dict[str, list[tuple[Weather, float]]] = {}
    for w, p in classes:
        by_stab.setdefault(w.stability, []).append((w, float(p)))
    out = []
    for stab in sorted(by_stab):
        group = by_stab[stab]
        p_k = sum(p for _, p in group)
        if not p_k > 0:
            continue
        u_k = sum(p * w.wind_speed for w, p in group) / p_k  # [1] representative speed of the class
        per_dir: dict[float, float] = {}
        for w, p in group:
            per_dir[w.wind_from_deg] = per_dir.get(w.wind_from_deg, 0.0) + p
        first = group[0][0]
        for d in sorted(per_dir):
            w = Weather(
                wind_speed=float(u_k),
                wind_from_deg=float(d),
                stability=stab,
                temperature_k=first.temperature_k,
                relative_humidity=first.relative_humidity,
                terrain=first.terrain,
            )
            out.append((w, per_dir[d]))
    return tuple(out)

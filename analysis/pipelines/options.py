"""Options of the pipeline consequence and risk calculations, and the weather classes they run over."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from analysis import _checks
from analysis.errors import AnalysisInputError
from analysis.scenarios import Weather

__all__ = ["RiskOptions", "default_weather_classes", "weather_classes_from_rose"]


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


def weather_classes_from_rose(rose, *, min_probability: float = 0.0) -> tuple:
    """Weather classes ``((Weather, probability), ...)`` from an :class:`analysis.weather.WindRose` (or a day/night
    rose, combined), renormalised after dropping classes below ``min_probability``."""
    if hasattr(rose, "combined"):
        rose = rose.combined()
    cls = [(d, s, st, p) for d, s, st, p in rose.classes(min_probability=min_probability)]
    total = sum(p for *_, p in cls)
    if not total > 0:
        raise AnalysisInputError("风玫瑰中没有概率大于 min_probability 的气象类别 (no weather class left)")
    return tuple(
        (Weather(wind_speed=float(s), wind_from_deg=float(d), stability=str(st)), p / total)
        for d, s, st, p in cls
    )

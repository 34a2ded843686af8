"""Options of a risk run (:class:`RiskOptions`) and the weather classes of its wind rose.

The individual risk sums over weather classes w (wind speed × stability) and wind directions d with the joint
probability p(d, w) of the wind rose ([1]_ ch. 4, meteorological classes; :mod:`analysis.weather`);
:func:`weather_classes` turns a rose (all year, or day and night) into those probabilities.

References
----------
.. [1] Committee for the Prevention of Disasters (1999). Guidelines for quantitative risk assessment, CPR 18E
       ("Purple Book"), Sdu, The Hague: ch. 4 (meteorological classes).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from analysis.errors import MissingWeatherError

__all__ = [
    "GENERIC_WEATHER",
    "GENERIC_WEATHER_SOURCE_ZH",
    "RiskOptions",
    "park_wind_rose",
    "resolve_options",
    "weather_classes",
]


@dataclass(frozen=True)
class RiskOptions:
    """Options of :func:`individual_risk`.

    Attributes
    ----------
    resolution : float
        Grid cell size. [m]
    extent : tuple of float or None
        (xmin, ymin, xmax, ymax) in the park's metric CRS. [m] Default: the park boundary plus ``margin``.
    margin : float
        Distance added around the park boundary when ``extent`` is None. [m]
    weather : WindRose, DayNightWindRose, "generic" or None
        The wind rose of the run. None (default): the park's own rose (``park.weather``, stored in its file,
        :mod:`geodata.weather`); a park without one is refused with :class:`analysis.errors.MissingWeatherError`.
        ``"generic"``: the illustrative generic rose (:func:`analysis.weather.demo_wind_rose`), picked explicitly;
        the result's ``assumptions["weather_source"]`` then says so.
    wind_rose : WindRose or DayNightWindRose or None
        The former name of ``weather`` (same meaning; give one of the two).
    frequency_options : FrequencyOptions or None
        Generic failure frequencies (source, loading hours …) of :mod:`analysis.qra.frequencies`.
    frequency_overrides : FrequencyOverrides, mapping {(unit_id, loc): frequency [1/a]} or None
        Per-unit overrides of LOC frequencies (merged into ``frequency_options``).
    event_tree : EventTreeOptions or None
    outcomes : DataFrame or None
        An explicit outcome table (columns of :class:`analysis.qra.frequencies.Outcome`) replacing the generic LOCs
        and event trees.
    domino_frequencies : DataFrame or None
        ``analysis.domino`` result ``.frequencies`` (``target``, ``f_secondary`` [1/a]).
    pipelines : ndarray, callable or None
        Individual risk of the pipelines [1/a] on the same grid (shape (ny, nx)), or a callable
        ``f(*, transform, shape, crs)`` returning it (e.g. ``functools.partial(analysis.pipelines.individual_risk_grid,
        segments, consequences)``).
    units : tuple of str or None
        Only these installations (default: all).
    min_lethality : float
        Numerical cut-off of an outcome's lethality table. [-]
    temperature_k, relative_humidity : float
        Air temperature [K] and relative humidity [-] of every weather class.
    scenario_options : tuple of (name, value)
        Extra :class:`analysis.scenarios.Scenario` keywords (probit models, yield factor …).
    progress : callable or None
        ``progress(fraction [0–1], message_zh)``: called before the outcome table, once per installation (with an
        estimate of the time left once the first installation is done) and at the end.
    max_installations : int or None
        Most installations one run computes (default 2,000; ``None``: no limit). The work grows with the number of
        installations (about 0.2 s each at the default 10 m grid, so a 5,000-unit park takes tens of minutes);
        :func:`analysis.qra.individual.individual_risk` refuses a larger run before doing any work, with
        :class:`analysis.errors.AnalysisInputError` naming the count, the limit and how to raise it. Only the
        installations asked for (``units``, or those of ``outcomes``) count.
    """

    resolution: float = 10.0
    extent: tuple[float, float, float, float] | None = None
    margin: float = 1000.0
    weather: Any = field(default=None, compare=False)
    wind_rose: Any = field(default=None, compare=False)
    frequency_options: Any = None
    frequency_overrides: Any = field(default=None, compare=False)
    event_tree: Any = None
    outcomes: Any = field(default=None, compare=False)
    domino_frequencies: Any = field(default=None, compare=False)
    pipelines: Any = field(default=None, compare=False)
    units: tuple[str, ...] | None = None
    min_lethality: float = 1e-3
    temperature_k: float = 293.15
    relative_humidity: float = 0.7
    scenario_options: tuple[tuple[str, Any], ...] = ()
    progress: Callable[[float, str], None] | None = field(default=None, compare=False)
    max_installations: int | None = 2000

    def __post_init__(self) -> None:
        _check_weather_option(self)
        m = self.max_installations
        if m is not None and (isinstance(m, bool) or not isinstance(m, (int, np.integer)) or m < 1):
            raise ValueError(
                f"max_installations={m!r} 必须是 ≥ 1 的整数，或 None（不限）"
                f"[max_installations must be an integer ≥ 1 or None]"
            )
        if not (isinstance(self.resolution, (int, float)) and math.isfinite(self.resolution)):
            raise ValueError(f"resolution={self.resolution!r} must be a number of metres > 0 [m]")
        if not (0.5 <= self.resolution <= 1000.0):
            raise ValueError(f"resolution={self.resolution!r} must be in [0.5, 1000] m")
        if self.extent is not None:
            e = tuple(float(v) for v in self.extent)
            if len(e) != 4 or not all(map(math.isfinite, e)) or e[2] <= e[0] or e[3] <= e[1]:
                raise ValueError(
                    f"extent={self.extent!r} must be (xmin, ymin, xmax, ymax) with xmax > xmin, ymax > ymin [m]"
                )
            object.__setattr__(self, "extent", e)
        if not (math.isfinite(self.margin) and self.margin >= 0):
            raise ValueError(f"margin={self.margin!r} must be ≥ 0 [m]")
        if not (0.0 < self.min_lethality < 1.0):
            raise ValueError(f"min_lethality={self.min_lethality!r} must be in (0, 1) [-]")
        if self.units is not None:
            object.__setattr__(self, "units", tuple(str(u) for u in self.units))
        if isinstance(self.scenario_options, Mapping):
            object.__setattr__(self, "scenario_options", tuple(self.scenario_options.items()))
        if self.outcomes is not None and not isinstance(self.outcomes, pd.DataFrame):
            raise ValueError(
                f"outcomes must be a DataFrame of Outcome rows, not {type(self.outcomes).__name__}"
            )
        if self.domino_frequencies is not None:
            if not isinstance(self.domino_frequencies, pd.DataFrame) and hasattr(
                self.domino_frequencies, "frequencies"
            ):  # a DominoResult: take its frequency table
                object.__setattr__(self, "domino_frequencies", self.domino_frequencies.frequencies)
            df = self.domino_frequencies
            if not isinstance(df, pd.DataFrame) or not {"target", "f_secondary"} <= set(df.columns):
                raise ValueError(
                    "domino_frequencies must be the DataFrame `analysis.domino.analyze(...).frequencies` with "
                    "columns 'target' and 'f_secondary' [1/a]"
                )


GENERIC_WEATHER = "generic"
GENERIC_WEATHER_SOURCE_ZH = "通用示意风玫瑰（用户明确选择；非本园区气象资料，结果仅作示意）[generic illustrative wind rose, chosen explicitly]"
#: The warning every output of a run on the generic rose carries (page header, metrics, GeoTIFF tag
#: ``assumption_weather_warning``, the sheet "假设与来源", reports).
GENERIC_WEATHER_WARNING_ZH = (
    "本次计算使用通用示意风玫瑰（用户明确选择），不是本园区的气象资料：个人风险、等值线、社会风险及据此得出的"
    " GB 36894 结论仅作示意和比较，不能作为评价结论；请导入园区气象站资料（parkrisk weather import 或「气象与人口」页面）后重新计算"
)


def _check_weather_option(opts: RiskOptions) -> None:
    """``weather`` takes ``wind_rose`` (its former name); both at once is an error; a value must be a rose."""
    from analysis.weather import DayNightWindRose, WindRose

    if opts.wind_rose is not None:
        if opts.weather is not None and opts.weather is not opts.wind_rose:
            raise ValueError(
                "weather 与 wind_rose 只能给一个（wind_rose 是 weather 的旧名）[give weather only]"
            )
        object.__setattr__(opts, "weather", opts.wind_rose)
        object.__setattr__(opts, "wind_rose", None)
    w = opts.weather
    if w is None or isinstance(w, (WindRose, DayNightWindRose)):
        return
    if isinstance(w, str) and w == GENERIC_WEATHER:
        return
    raise ValueError(
        f'weather={w!r} 无效：应为风玫瑰（WindRose / DayNightWindRose）、"{GENERIC_WEATHER}"（明确选用通用示意风玫瑰）'
        f"或 None（用园区文件中的风玫瑰）[weather must be a wind rose, {GENERIC_WEATHER!r} or None]"
    )


def park_wind_rose(park: Any, weather: Any = None) -> tuple[Any, str]:
    """The rose of a run and a sentence saying which it is (``IndividualRisk.assumptions["weather_source"]``).

    Parameters
    ----------
    park : geodata.Park
        Its ``weather`` (:class:`geodata.weather.ParkWeather`: rose table and station) is used when ``weather`` is
        None.
    weather : WindRose, DayNightWindRose, "generic" or None
        See :class:`RiskOptions`.

    Raises
    ------
    analysis.errors.MissingWeatherError
        ``weather`` is None and the park has no rose; the message names the ways to give one.
    """
    from analysis.weather import DayNightWindRose, WindRose, demo_wind_rose, rose_from_frame

    if isinstance(weather, (WindRose, DayNightWindRose)):
        return weather, "调用者指定的风玫瑰"
    if weather == GENERIC_WEATHER:
        return demo_wind_rose(), GENERIC_WEATHER_SOURCE_ZH
    pw = getattr(park, "weather", None)
    if pw is None:
        name = getattr(park, "name", "") or ""
        raise MissingWeatherError(
            f"园区「{name}」没有气象资料（风玫瑰），不能计算个人风险和社会风险。请导入园区气象站资料："
            f"命令行 `parkrisk weather import 园区.gpkg 逐时观测.csv --station 站名 --lat 纬度 --lon 经度`"
            f"（或现成的风玫瑰表 `parkrisk weather import 园区.gpkg 风玫瑰.csv --rose ...`），或在「气象与人口」页面上传；"
            f'仅作示意时可明确选用通用风玫瑰（weather="{GENERIC_WEATHER}"，命令行 --generic-weather），结果将注明'
            "使用通用风玫瑰"
        )
    rose = rose_from_frame(pw.rose, where="园区文件的 weather_rose 表")
    describe = getattr(pw, "describe_zh", None)
    return rose, (describe() if callable(describe) else "园区文件中的风玫瑰") + "（园区自有风玫瑰）"


def resolve_options(options: RiskOptions | None, overrides: Mapping[str, Any]) -> RiskOptions:
    """``options`` (default :class:`RiskOptions`) with the keyword ``overrides`` (fields of RiskOptions) applied."""
    valid = set(RiskOptions.__dataclass_fields__)
    unknown = sorted(set(overrides) - valid)
    if unknown:
        raise ValueError(f"unknown risk options {unknown}; valid: {sorted(valid)}")
    if options is None:
        return RiskOptions(**overrides)
    if not isinstance(options, RiskOptions):
        raise ValueError(f"options must be a RiskOptions, not {type(options).__name__}")
    return replace(options, **overrides) if overrides else options


def weather_classes(rose: Any) -> tuple[np.ndarray, list[tuple[float, str]], np.ndarray, np.ndarray, float]:
    """Directions, weather classes and the period-conditional probabilities of a rose.

    Returns
    -------
    directions_deg : ndarray
        Where the wind blows from, clockwise from north. [°]
    classes : list of (speed [m/s], stability)
    p_day, p_night : ndarray, shape (n_directions, n_classes)
        Joint probability of (direction, class) within the day / night period (each sums to 1). [-]
    day_fraction : float
        [-] (0.5 for a single all-year rose, which is then used for both periods.)
    """
    from analysis.weather import DayNightWindRose, WindRose

    if isinstance(rose, DayNightWindRose):
        roses, df = (rose.day, rose.night), float(rose.day_fraction)
    elif isinstance(rose, WindRose):
        roses, df = (rose, rose), 0.5
    else:
        raise ValueError(f"wind_rose must be a WindRose or DayNightWindRose, not {type(rose).__name__}")
    dirs = sorted(set(roses[0].directions_deg) | set(roses[1].directions_deg))
    classes = sorted({(s, k) for r in roses for s in r.speeds_m_s for k in r.stabilities})
    out = []
    for r in roses:
        p = np.zeros((len(dirs), len(classes)))
        for i, d in enumerate(r.directions_deg):
            for j, s in enumerate(r.speeds_m_s):
                for k, st in enumerate(r.stabilities):
                    p[dirs.index(d), classes.index((s, st))] += r.probability[i, j, k]
        out.append(p)
    return np.asarray(dirs, dtype=float), classes, out[0], out[1], df

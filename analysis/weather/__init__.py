"""The one weather model of parkrisk: weather classes, weather cases with a wind direction, and wind roses.

- :class:`WeatherClass` is one weather class of a wind rose (wind speed, Pasquill stability, air temperature,
  relative humidity, terrain) without a direction; :class:`Weather` is a weather case: a weather class and the
  direction the wind blows from (:meth:`Weather.from_class`, :attr:`Weather.weather_class`). Both are frozen and
  validated; :func:`as_weather_class` reads the class of either.
- :data:`PASQUILL_GUIDANCE_ZH` is the key to the stability classes ([2]_, [3]_) for choosing a class by hand.

A :class:`WindRose` holds the joint probability p[direction, speed, stability] of the weather classes of one period
(it sums to 1); a :class:`DayNightWindRose` holds one rose for the day and one for the night with the fraction of
the year that is day. The individual risk is summed over the weather classes with these weights ([1]_, chapter 4,
meteorological data: the Purple Book uses the six representative weather classes B3, D1.5, D5, D9, E5, F1.5 in 12
sectors, for day and night separately; parkrisk allows any speeds and 16 or more sectors).

Conventions: a direction is where the wind blows **from**, in degrees clockwise from north (0 = N, 90 = E); the
sector of direction θ covers θ ± half the sector width. Speeds are at 10 m height. [m/s]

The default rose of the demo park (:func:`demo_wind_rose`, ``data/demo_wind_rose.csv``) is **illustrative**: a
plausible shape for a plain on the middle Yangtze (central China), with the prevailing north-easterly winds of
the winter monsoon, a secondary south-easterly to southerly maximum of the summer monsoon, mean speeds near
2–3 m/s and more stable nights. It is not the climatology of any station; a real assessment must use the wind
rose of the nearest meteorological station (e.g. 5–10 years of hourly observations classified by the Pasquill–
Turner method).

References
----------
.. [1] CPR 18E (1999). Guidelines for quantitative risk assessment ("Purple Book"), chapter 4, meteorological
       data (representative weather classes, day/night periods, wind-direction sectors).
.. [2] Pasquill, F. (1961). The estimation of the dispersion of windborne material. Meteorological Magazine 90,
       33–49 (stability classes A–F).
.. [3] Turner, D. B. (1970). Workbook of Atmospheric Dispersion Estimates. US EPA AP-26, Table 1 (key to
       stability categories, after Pasquill 1961).
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Iterator
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd

from analysis._checks import choice, finite_number
from analysis._data import DATA_DIR
from analysis.constants import AMBIENT_TEMPERATURE
from analysis.errors import AnalysisInputError
from analysis.physics.dispersion import STABILITY_CLASSES, TERRAINS  # the classes the dispersion models know
from analysis.weather.observations import rose_table
from analysis.weather.turner import turner_stability

__all__ = [
    "STABILITY_CLASSES",
    "STABILITY_LABELS_ZH",
    "TERRAINS",
    "TERRAIN_LABELS_ZH",
    "PASQUILL_GUIDANCE_ZH",
    "PASQUILL_NOTE_ZH",
    "WeatherClass",
    "Weather",
    "as_weather_class",
    "WindRose",
    "DayNightWindRose",
    "load_csv",
    "rose_from_frame",
    "rose_from_observations",
    "turner_stability",
    "save_csv",
    "demo_wind_rose",
    "DIRECTION_LABELS_ZH",
    "expand_weather",
    "DEFAULT_DAY_HOURS",
    "INSOLATION_KINDS",
    "pasquill_stability",
    "is_daytime",
]

_SUM_TOL = 1e-6
_DATA = DATA_DIR

#: Chinese names of the 16 compass points (北, 北东北, …), index k for direction 22.5·k degrees.
DIRECTION_LABELS_ZH: tuple[str, ...] = (
    "北",
    "北东北",
    "东北",
    "东东北",
    "东",
    "东东南",
    "东南",
    "南东南",
    "南",
    "南西南",
    "西南",
    "西西南",
    "西",
    "西西北",
    "西北",
    "北西北",
)


# ----------------------------------------------------------------------------------------------------------------
# Weather classes and weather cases
# ----------------------------------------------------------------------------------------------------------------
STABILITY_LABELS_ZH: dict[str, str] = {
    "A": "A 极不稳定",
    "B": "B 不稳定",
    "C": "C 弱不稳定",
    "D": "D 中性",
    "E": "E 弱稳定",
    "F": "F 稳定",
}
TERRAIN_LABELS_ZH: dict[str, str] = {"rural": "乡村（开阔地）", "urban": "城市（建筑密集区）"}

#: Key to the Pasquill stability classes [2]_ [3]_: rows = wind speed at 10 m, columns = daytime insolation
#: (strong / moderate / slight) and night cloud cover (thin overcast or >= 4/8 low cloud / <= 3/8 cloud). Class D
#: for heavy overcast by day or night. Turner (1970) leaves the night column empty below 2 m/s.
PASQUILL_GUIDANCE_ZH: dict[str, dict[str, str]] = {
    "< 2 m/s": {
        "白天 强日照": "A",
        "白天 中等日照": "A–B",
        "白天 弱日照": "B",
        "夜间 云量≥4/8": "—",
        "夜间 云量≤3/8": "—",
    },
    "2–3 m/s": {
        "白天 强日照": "A–B",
        "白天 中等日照": "B",
        "白天 弱日照": "C",
        "夜间 云量≥4/8": "E",
        "夜间 云量≤3/8": "F",
    },
    "3–5 m/s": {
        "白天 强日照": "B",
        "白天 中等日照": "B–C",
        "白天 弱日照": "C",
        "夜间 云量≥4/8": "D",
        "夜间 云量≤3/8": "E",
    },
    "5–6 m/s": {
        "白天 强日照": "C",
        "白天 中等日照": "C–D",
        "白天 弱日照": "D",
        "夜间 云量≥4/8": "D",
        "夜间 云量≤3/8": "D",
    },
    "> 6 m/s": {
        "白天 强日照": "C",
        "白天 中等日照": "D",
        "白天 弱日照": "D",
        "夜间 云量≥4/8": "D",
        "夜间 云量≤3/8": "D",
    },
}
PASQUILL_NOTE_ZH = "阴天（全云量遮蔽）时，无论昼夜均取 D 类。夜间指日落前 1 小时至日出后 1 小时。"


@dataclass(frozen=True)
class _WindSpeed:
    """The first field of a weather class and of a weather case (see :class:`WeatherClass`)."""

    wind_speed: float


@dataclass(frozen=True)
class _WindDirection:
    """The direction of a weather case (see :class:`Weather`)."""

    wind_from_deg: float


@dataclass(frozen=True)
class _ClassFields:
    """The fields of a weather class after the speed, checked with it (see :class:`WeatherClass`)."""

    stability: str
    temperature_k: float = AMBIENT_TEMPERATURE
    relative_humidity: float = 0.7
    terrain: str = "rural"

    def __post_init__(self) -> None:
        finite_number("wind_speed 风速", self.wind_speed, low=0.0, low_open=True, high=60.0, unit="m/s")
        choice("stability 大气稳定度", self.stability, STABILITY_CLASSES)
        finite_number("temperature_k 气温", self.temperature_k, low=200.0, high=340.0, unit="K")
        finite_number("relative_humidity 相对湿度", self.relative_humidity, low=0.0, high=1.0, unit="(0–1)")
        choice("terrain 地表类型", self.terrain, TERRAINS)

    def _class_zh(self) -> str:
        return (
            f"风速 {self.wind_speed:g} m/s，稳定度 {STABILITY_LABELS_ZH[self.stability]}，"
            f"气温 {self.temperature_k - 273.15:.1f} ℃，相对湿度 {self.relative_humidity * 100:.0f} %，"
            f"{TERRAIN_LABELS_ZH[self.terrain]}"
        )


# The fields are defined once, in the three bases above; a dataclass takes its fields in reverse method
# resolution order, so WeatherClass is (wind_speed, stability, temperature_k, relative_humidity, terrain) and
# Weather is (wind_speed, wind_from_deg, stability, temperature_k, relative_humidity, terrain).
@dataclass(frozen=True)
class WeatherClass(_ClassFields, _WindSpeed):
    """One weather class of a wind rose: the weather without a wind direction.

    Parameters
    ----------
    wind_speed : float
        Wind speed at 10 m height; > 0 (Gaussian models are singular in calm air). [m/s]
    stability : str
        Pasquill-Gifford stability class "A" .. "F" ([2]_).
    temperature_k : float
        Air temperature, 200 .. 340 K (default :data:`analysis.constants.AMBIENT_TEMPERATURE`). [K]
    relative_humidity : float
        Relative humidity, 0 .. 1 (for atmospheric transmissivity). [-]
    terrain : str
        "rural" or "urban" (Briggs dispersion coefficients).

    Raises
    ------
    analysis.errors.AnalysisInputError
        A parameter out of range, naming it, its value and what is allowed.
    """

    def describe_zh(self) -> str:
        """The weather class in one Chinese line."""
        return self._class_zh()


@dataclass(frozen=True)
class Weather(_ClassFields, _WindDirection, _WindSpeed):
    """One weather case: a weather class (:class:`WeatherClass`) and the direction the wind blows from.

    ``Weather(wind_speed, wind_from_deg, stability, temperature_k, relative_humidity, terrain)``.

    Parameters
    ----------
    wind_speed, stability, temperature_k, relative_humidity, terrain
        The weather class: the parameters of :class:`WeatherClass`, with their units, defaults and checks.
    wind_from_deg : float
        Direction the wind comes FROM, clockwise from north (0 = N, 90 = E); any finite value, taken modulo 360.
        [°]

    Raises
    ------
    analysis.errors.AnalysisInputError
        A parameter out of range, naming it, its value and what is allowed.
    """

    def __post_init__(self) -> None:
        super().__post_init__()
        finite_number("wind_from_deg 风向", self.wind_from_deg, unit="°")

    @classmethod
    def from_class(cls, weather_class: WeatherClass, wind_from_deg: float) -> Weather:
        """The weather case of ``weather_class`` with the wind blowing from ``wind_from_deg`` [°]."""
        if not isinstance(weather_class, WeatherClass):
            raise AnalysisInputError(
                f"weather_class 气象类别应为 WeatherClass 对象，收到 {type(weather_class).__name__} "
                "(must be a WeatherClass)"
            )
        return cls(wind_from_deg=wind_from_deg, **_class_values(weather_class))

    @property
    def weather_class(self) -> WeatherClass:
        """The weather without its direction."""
        return WeatherClass(**_class_values(self))

    @property
    def downwind_bearing_deg(self) -> float:
        """Direction the wind blows TOWARDS, clockwise from north. [°]"""
        return (float(self.wind_from_deg) + 180.0) % 360.0

    def describe_zh(self) -> str:
        """The weather case in one Chinese line."""
        return f"风向 {float(self.wind_from_deg) % 360:.0f}°（来风方向，顺时针自正北），" + self._class_zh()


def _class_values(weather: Weather | WeatherClass) -> dict[str, object]:
    """The fields of the weather class of ``weather`` by name."""
    return {f.name: getattr(weather, f.name) for f in fields(WeatherClass)}


def as_weather_class(weather: Weather | WeatherClass) -> WeatherClass:
    """The weather class of a weather case, or the class itself.

    Raises
    ------
    analysis.errors.AnalysisInputError
        ``weather`` is neither a :class:`Weather` nor a :class:`WeatherClass`.
    """
    if isinstance(weather, WeatherClass):
        return weather
    if isinstance(weather, Weather):
        return weather.weather_class
    raise AnalysisInputError(
        f"weather 气象条件应为 Weather 或 WeatherClass 对象，收到 {type(weather).__name__} "
        "(must be a Weather or a WeatherClass)"
    )


def _as_tuple(x, name: str) -> tuple:
    try:
        return tuple(x)
    except TypeError as exc:
        raise ValueError(f"{name}={x!r} must be a sequence") from exc


@dataclass(frozen=True)
class WindRose:
    """Joint probabilities of wind direction, wind speed and stability class for one period.

    Attributes
    ----------
    directions_deg : tuple of float
        Sector centres, where the wind blows from, clockwise from north, strictly increasing in [0, 360). [°]
    speeds_m_s : tuple of float
        Representative wind speeds at 10 m, strictly increasing, > 0. [m/s]
    stabilities : tuple of str
        Pasquill classes, a subset of "A"–"F" without repeats.
    probability : ndarray, shape (n_directions, n_speeds, n_stabilities)
        Joint probabilities, ≥ 0, summing to 1 (tolerance 1e-6). [-]
    """

    directions_deg: tuple[float, ...]
    speeds_m_s: tuple[float, ...]
    stabilities: tuple[str, ...]
    probability: np.ndarray

    def __post_init__(self) -> None:
        d = tuple(float(v) for v in _as_tuple(self.directions_deg, "directions_deg"))
        s = tuple(float(v) for v in _as_tuple(self.speeds_m_s, "speeds_m_s"))
        st = tuple(str(v) for v in _as_tuple(self.stabilities, "stabilities"))
        if (
            not d
            or any(not (0.0 <= v < 360.0) for v in d)
            or any(b <= a for a, b in zip(d, d[1:], strict=False))
        ):
            raise ValueError(f"directions_deg={d!r} must be strictly increasing values in [0, 360) [°]")
        if (
            not s
            or any(not (v > 0 and math.isfinite(v)) for v in s)
            or any(b <= a for a, b in zip(s, s[1:], strict=False))
        ):
            raise ValueError(f"speeds_m_s={s!r} must be strictly increasing values > 0 [m/s]")
        bad = [c for c in st if c not in STABILITY_CLASSES]
        if not st or bad or len(set(st)) != len(st):
            raise ValueError(
                f"stabilities={st!r} must be distinct Pasquill classes from {list(STABILITY_CLASSES)}"
            )
        p = np.array(self.probability, dtype=float)
        if p.shape != (len(d), len(s), len(st)):
            raise ValueError(
                f"probability has shape {p.shape}; expected (n_directions, n_speeds, n_stabilities) = "
                f"{(len(d), len(s), len(st))}"
            )
        if np.any(~np.isfinite(p)) or np.any(p < 0):
            raise ValueError("probability has negative or non-finite entries; each must be ≥ 0")
        total = float(p.sum())
        if abs(total - 1.0) > _SUM_TOL:
            raise ValueError(
                f"probability sums to {total:.8g}; the probabilities of a wind rose must sum to 1 "
                f"(tolerance {_SUM_TOL})"
            )
        p.setflags(write=False)
        object.__setattr__(self, "directions_deg", d)
        object.__setattr__(self, "speeds_m_s", s)
        object.__setattr__(self, "stabilities", st)
        object.__setattr__(self, "probability", p)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, WindRose)
            and self.directions_deg == other.directions_deg
            and self.speeds_m_s == other.speeds_m_s
            and self.stabilities == other.stabilities
            and bool(np.array_equal(self.probability, other.probability))
        )

    def __hash__(self) -> int:
        return hash((self.directions_deg, self.speeds_m_s, self.stabilities, self.probability.tobytes()))

    @property
    def n_directions(self) -> int:
        return len(self.directions_deg)

    @property
    def sector_width_deg(self) -> float:
        """Width of one sector for evenly spaced directions. [°]"""
        return 360.0 / self.n_directions

    def direction_probability(self) -> np.ndarray:
        """Probability of each direction (summed over speeds and stabilities). [-]"""
        return self.probability.sum(axis=(1, 2))

    def weather_probability(self) -> pd.DataFrame:
        """Probability of each (speed, stability) weather class, summed over directions. [-]"""
        p = self.probability.sum(axis=0)
        return pd.DataFrame(
            p,
            index=pd.Index(self.speeds_m_s, name="speed_m_s"),
            columns=pd.Index(self.stabilities, name="stability"),
        )

    def classes(self, *, min_probability: float = 0.0) -> Iterator[tuple[float, float, str, float]]:
        """Yield (direction [°], speed [m/s], stability, probability [-]) for classes above ``min_probability``."""
        idx = np.argwhere(self.probability > min_probability)
        for i, j, k in idx:
            yield (
                self.directions_deg[i],
                self.speeds_m_s[j],
                self.stabilities[k],
                float(self.probability[i, j, k]),
            )

    def to_frame(self) -> pd.DataFrame:
        """Long table: direction_deg, speed_m_s, stability, probability (all combinations)."""
        i, j, k = np.meshgrid(
            range(len(self.directions_deg)),
            range(len(self.speeds_m_s)),
            range(len(self.stabilities)),
            indexing="ij",
        )
        return pd.DataFrame(
            {
                "direction_deg": np.asarray(self.directions_deg)[i.ravel()],
                "speed_m_s": np.asarray(self.speeds_m_s)[j.ravel()],
                "stability": np.asarray(self.stabilities)[k.ravel()],
                "probability": self.probability.ravel(),
            }
        )

    @classmethod
    def from_frame(
        cls, df: pd.DataFrame, *, normalise: bool = False, directions_deg: tuple[float, ...] | None = None
    ) -> WindRose:
        """Build from a long table with columns direction_deg, speed_m_s, stability, probability.

        Missing combinations have probability 0; ``normalise=True`` rescales the total to 1 (use it for a subset
        of a day/night table), otherwise the total must already be 1. ``directions_deg`` fixes the sector grid
        (default: the directions present in the table).
        """
        need = ["direction_deg", "speed_m_s", "stability", "probability"]
        missing = [c for c in need if c not in df.columns]
        if missing:
            raise ValueError(f"wind-rose table is missing columns {missing}; required: {need}")
        dirs = tuple(sorted(set(df["direction_deg"].astype(float)) | set(directions_deg or ())))
        spd = tuple(sorted(set(df["speed_m_s"].astype(float))))
        stab = tuple(c for c in STABILITY_CLASSES if c in set(df["stability"].astype(str)))
        bad = sorted(set(df["stability"].astype(str)) - set(STABILITY_CLASSES))
        if bad:
            raise ValueError(f"stability values {bad} are not Pasquill classes {list(STABILITY_CLASSES)}")
        p = np.zeros((len(dirs), len(spd), len(stab)))
        di = {v: n for n, v in enumerate(dirs)}
        si = {v: n for n, v in enumerate(spd)}
        ki = {v: n for n, v in enumerate(stab)}
        for r in df.itertuples(index=False):
            p[di[float(r.direction_deg)], si[float(r.speed_m_s)], ki[str(r.stability)]] += float(
                r.probability
            )
        if normalise:
            total = p.sum()
            if not total > 0:
                raise ValueError("wind-rose table has no positive probability to normalise")
            p = p / total
        return cls(dirs, spd, stab, p)


@dataclass(frozen=True)
class DayNightWindRose:
    """A day rose and a night rose, and the fraction of the year that is day.

    Attributes
    ----------
    day, night : WindRose
        Each sums to 1 over its own period.
    day_fraction : float
        Fraction of the hours of the year counted as day, in [0, 1]. [-] (Purple Book: day and night periods,
        each about half the year.)
    """

    day: WindRose
    night: WindRose
    day_fraction: float = 0.5

    def __post_init__(self) -> None:
        if not isinstance(self.day, WindRose) or not isinstance(self.night, WindRose):
            raise ValueError("day and night must be WindRose instances")
        if not (isinstance(self.day_fraction, (int, float)) and 0.0 <= self.day_fraction <= 1.0):
            raise ValueError(f"day_fraction={self.day_fraction!r} must be in [0, 1]")

    def combined(self) -> WindRose:
        """The annual rose: day_fraction × day + (1 − day_fraction) × night on the union of their classes."""
        a = self.day.to_frame().assign(probability=lambda d: d["probability"] * self.day_fraction)
        b = self.night.to_frame().assign(probability=lambda d: d["probability"] * (1.0 - self.day_fraction))
        return WindRose.from_frame(pd.concat([a, b], ignore_index=True), normalise=True)

    def to_frame(self) -> pd.DataFrame:
        """Long table with a ``period`` column; probabilities are annual (the whole table sums to 1)."""
        a = self.day.to_frame().assign(
            period="day", probability=lambda d: d["probability"] * self.day_fraction
        )
        b = self.night.to_frame().assign(
            period="night", probability=lambda d: d["probability"] * (1.0 - self.day_fraction)
        )
        df = pd.concat([a, b], ignore_index=True)
        return df[["period", "direction_deg", "speed_m_s", "stability", "probability"]]


def save_csv(rose: WindRose | DayNightWindRose, path: str | Path, *, header: str = "") -> None:
    """Write a rose as CSV (long table; a ``period`` column for a day/night rose); ``header`` lines become
    ``#`` comments."""
    df = rose.to_frame()  # zero rows are kept so that the sector grid survives the round trip
    with open(path, "w", encoding="utf-8", newline="") as fh:
        for line in header.splitlines():
            fh.write(f"# {line}\n")
        df.to_csv(fh, index=False, float_format="%.10g")


def load_csv(path: str | Path) -> WindRose | DayNightWindRose:
    """Read a rose written by :func:`save_csv` (``#`` lines are comments); see :func:`rose_from_frame`."""
    return rose_from_frame(pd.read_csv(path, comment="#"), where=str(path))


def rose_from_frame(df: pd.DataFrame, *, where: str = "wind-rose table") -> WindRose | DayNightWindRose:
    """A rose from its long table (columns of :meth:`DayNightWindRose.to_frame`; ``period`` optional).

    With a ``period`` column holding ``day`` and ``night`` rows (annual probabilities, all summing to 1) a
    :class:`DayNightWindRose` is returned (the day fraction is the sum of the day rows); without it a
    :class:`WindRose`. ``where`` names the table in messages.
    """
    if "period" not in df.columns:
        return WindRose.from_frame(df)
    periods = set(df["period"].astype(str))
    if periods != {"day", "night"}:
        raise ValueError(
            f"period values {sorted(periods)} in {where}; a day/night rose needs exactly day and night"
        )
    total = float(df["probability"].sum())
    if abs(total - 1.0) > _SUM_TOL:
        raise ValueError(f"probabilities in {where} sum to {total:.8g}; must sum to 1 (tolerance {_SUM_TOL})")
    day = df[df["period"] == "day"].drop(columns="period")
    night = df[df["period"] == "night"].drop(columns="period")
    return DayNightWindRose(
        WindRose.from_frame(day, normalise=True),
        WindRose.from_frame(night, normalise=True),
        day_fraction=float(day["probability"].sum()),
    )


# ----------------------------------------------------------------------------------------------------------------
# Demo rose (illustrative)
# ----------------------------------------------------------------------------------------------------------------
#: Illustrative direction frequencies [%] for N, NNE, NE, … NNW (middle Yangtze plain shape: NE winter maximum,
#: SE–S summer maximum, few westerlies). Not station data.
DEMO_DIRECTION_WEIGHTS: tuple[float, ...] = (8, 9, 11, 8, 6, 5, 7, 7, 8, 5, 4, 3, 3, 3, 5, 8)
#: Illustrative weather classes (speed [m/s], stability) -> probability within the period, after the Purple Book's
#: representative classes [1]: unstable/neutral by day, neutral/stable by night.
DEMO_DAY_CLASSES: dict[tuple[float, str], float] = {
    (3.0, "B"): 0.30,
    (1.5, "D"): 0.15,
    (5.0, "D"): 0.50,
    (9.0, "D"): 0.05,
}
DEMO_NIGHT_CLASSES: dict[tuple[float, str], float] = {
    (1.5, "D"): 0.15,
    (5.0, "D"): 0.30,
    (5.0, "E"): 0.15,
    (1.5, "F"): 0.40,
}
DEMO_WIND_ROSE_CSV = _DATA / "demo_wind_rose.csv"


def build_demo_wind_rose() -> DayNightWindRose:
    """Construct the illustrative demo rose from :data:`DEMO_DIRECTION_WEIGHTS` and the class tables.

    Direction and weather class are taken as independent (a simplification of the illustration).
    """
    w = np.asarray(DEMO_DIRECTION_WEIGHTS, dtype=float)
    w = w / w.sum()
    dirs = tuple(22.5 * k for k in range(16))

    def rose(classes: dict[tuple[float, str], float]) -> WindRose:
        speeds = tuple(sorted({s for s, _ in classes}))
        stabs = tuple(c for c in STABILITY_CLASSES if c in {k for _, k in classes})
        p = np.zeros((16, len(speeds), len(stabs)))
        for (s, k), q in classes.items():
            p[:, speeds.index(s), stabs.index(k)] = w * q
        return WindRose(dirs, speeds, stabs, p / p.sum())

    return DayNightWindRose(rose(DEMO_DAY_CLASSES), rose(DEMO_NIGHT_CLASSES), day_fraction=0.5)


def demo_wind_rose() -> DayNightWindRose:
    """The illustrative day/night wind rose of the demo park, read from ``data/demo_wind_rose.csv``."""
    rose = load_csv(DEMO_WIND_ROSE_CSV)
    if not isinstance(rose, DayNightWindRose):
        raise ValueError(f"{DEMO_WIND_ROSE_CSV} must be a day/night rose (period column)")
    return rose


def expand_weather(
    outcomes: pd.DataFrame, rose: WindRose | DayNightWindRose, *, min_probability: float = 0.0
) -> pd.DataFrame:
    """Cross every outcome with every weather class: the frequency of (outcome, period, direction, speed, stability).

    Parameters
    ----------
    outcomes : DataFrame
        One row per outcome with a ``frequency`` column [1/a] (e.g. :func:`analysis.qra.frequencies.outcomes_frame`).
    rose : WindRose or DayNightWindRose
        A day/night rose adds a ``period`` column; its probabilities are weighted by the day fraction so that the
        frequencies of one outcome still add up to its frequency.
    min_probability : float
        Leave out weather classes whose annual probability is at most this. [-]

    Returns
    -------
    DataFrame
        The outcome columns plus ``period`` ("day"/"night", or "all"), ``direction_deg`` [°], ``speed_m_s`` [m/s],
        ``stability``, ``p_weather`` [-] and ``frequency`` = outcome frequency × p_weather [1/a] (the outcome's own
        frequency is kept as ``outcome_frequency``).

    References
    ----------
    .. [1] CPR 18E (1999), chapter 4: the risk is summed over the weather classes and wind directions weighted by
           their probabilities.
    """
    if "frequency" not in outcomes.columns:
        raise ValueError("outcomes needs a 'frequency' column [1/a]")
    if not (0.0 <= min_probability < 1.0):
        raise ValueError(f"min_probability={min_probability!r} must be in [0, 1)")
    if isinstance(rose, DayNightWindRose):
        w = rose.to_frame()
    elif isinstance(rose, WindRose):
        w = rose.to_frame().assign(period="all")
    else:
        raise ValueError(f"rose must be a WindRose or DayNightWindRose, not {type(rose).__name__}")
    w = w[w["probability"] > min_probability].rename(columns={"probability": "p_weather"})
    out = outcomes.rename(columns={"frequency": "outcome_frequency"}).merge(w, how="cross")
    out["frequency"] = out["outcome_frequency"] * out["p_weather"]
    return out


# ----------------------------------------------------------------------------------------------------------------
# Pasquill class from wind speed, day/night and cloud cover; day or night from the local time
# ----------------------------------------------------------------------------------------------------------------
#: Daytime hours used when no sunrise/sunset is given ([start, end) local hours). ERG 2020: day is sunrise to
#: sunset (see :func:`is_daytime`).
DEFAULT_DAY_HOURS = (6.0, 18.0)
#: Turner (1970) Table 1: class by wind speed at 10 m [m/s] (upper bounds 2, 3, 5, 6, inf) and by daytime
#: insolation (strong/moderate/slight) or night cloud cover (>= 4/8 low cloud or thin overcast; <= 3/8). Where the
#: table gives two classes (A–B, B–C, C–D) the more stable one is taken (longer toxic distances). Turner leaves the
#: night cell below 2 m/s empty; F is taken there (calm, clear or cloudy night: the most stable class).
_TURNER_SPEED_BOUNDS = (2.0, 3.0, 5.0, 6.0, math.inf)
_TURNER_COLUMNS = {
    "strong": "白天 强日照",
    "moderate": "白天 中等日照",
    "slight": "白天 弱日照",
    "night_cloudy": "夜间 云量≥4/8",
    "night_clear": "夜间 云量≤3/8",
}


def _decision_class(cell: str) -> str:
    """One class from a cell of the key: the more stable of a range ("A–B" -> "B"); the empty cell ("—") -> F."""
    return "F" if cell == "—" else cell.split("–")[-1]


# Derived from the one copy of the table, PASQUILL_GUIDANCE_ZH (its rows are in the order of the speed bounds).
_TURNER_TABLE: dict[str, tuple[str, ...]] = {
    kind: tuple(_decision_class(row[col]) for row in PASQUILL_GUIDANCE_ZH.values())
    for kind, col in _TURNER_COLUMNS.items()
}
#: Daytime insolation classes of :func:`pasquill_stability` and their Chinese names.
INSOLATION_KINDS: dict[str, str] = {"strong": "强日照", "moderate": "中等日照", "slight": "弱日照"}


def pasquill_stability(
    wind_speed: float,
    *,
    daytime: bool,
    insolation: str = "moderate",
    cloud_cover: float = 0.5,
    overcast: bool = False,
) -> str:
    """Pasquill stability class from wind speed, day or night, insolation and cloud cover (Turner 1970, Table 1).

    Parameters
    ----------
    wind_speed : float
        Wind speed at 10 m. [m/s]
    daytime : bool
        True between sunrise and sunset.
    insolation : str
        Daytime incoming solar radiation: "strong", "moderate" or "slight" (ignored at night).
    cloud_cover : float
        Night-time cloud cover as a fraction of the sky, 0..1 (>= 4/8 counts as cloudy). [-]
    overcast : bool
        Heavy overcast (full low cloud) by day or night: class D [1]_.

    Returns
    -------
    str
        "A" .. "F".

    References
    ----------
    .. [1] Turner, D. B. (1970). Workbook of Atmospheric Dispersion Estimates. US EPA AP-26, Table 1 (key to the
           Pasquill stability categories from wind speed, insolation and night-time cloud cover).
    """
    u = float(wind_speed)
    if not (math.isfinite(u) and u > 0):
        raise ValueError(f"wind_speed 风速={wind_speed!r} 必须为正的有限数 [m/s] (must be finite and > 0)")
    cc = float(cloud_cover)
    if not (0.0 <= cc <= 1.0):
        raise ValueError(f"cloud_cover 云量={cloud_cover!r} 应在 0–1 之间 (fraction of the sky, 0..1)")
    if overcast:
        return "D"  # [1] Table 1 note: heavy overcast, day or night -> D
    if daytime:
        if insolation not in _TURNER_TABLE or insolation.startswith("night"):
            raise ValueError(
                f"insolation 日照={insolation!r} 无效，应为 {list(INSOLATION_KINDS)} 之一 (must be one of {list(INSOLATION_KINDS)})"
            )
        row = _TURNER_TABLE[insolation]
    else:
        row = _TURNER_TABLE["night_cloudy" if cc >= 4.0 / 8.0 else "night_clear"]
    k = next(i for i, b in enumerate(_TURNER_SPEED_BOUNDS) if u < b)
    return row[k]


def is_daytime(when, *, day_hours: tuple[float, float] = DEFAULT_DAY_HOURS) -> bool:
    """Whether a local time lies in the day (ERG [1]_: sunrise to sunset; approximated by ``day_hours``).

    Parameters
    ----------
    when : datetime.time, datetime.datetime or str
        Local time, e.g. ``"22:00"``.
    day_hours : (float, float)
        Start and end of the day in local hours. [h]

    References
    ----------
    .. [1] US DOT PHMSA, Transport Canada, SCT Mexico (2020). Emergency Response Guidebook 2020 (ERG 2020), the
           white pages on protective actions (day = sunrise to sunset).
    """
    t = _parse_time(when)
    h = t.hour + t.minute / 60.0
    return bool(day_hours[0] <= h < day_hours[1])


def _parse_time(when) -> _dt.time:
    if isinstance(when, _dt.datetime):
        return when.time()
    if isinstance(when, _dt.time):
        return when
    try:
        return _dt.time.fromisoformat(str(when).strip())
    except ValueError:
        raise ValueError(f"time 时间={when!r} 无法识别，应为 HH:MM，例如 22:00 (expected HH:MM)") from None


def rose_from_observations(
    obs: pd.DataFrame, *, latitude: float, longitude: float, sectors: int = 16
) -> DayNightWindRose:
    """Day/night wind rose with Turner stability classes from hourly surface observations.

    Parameters
    ----------
    obs : DataFrame
        One row per hour: ``time`` (local time; without a zone taken as Asia/Shanghai), ``wind_from_deg`` [°],
        ``wind_speed`` at 10 m [m/s], ``cloud_cover_oktas`` [0–8], optional ``ceiling_m`` [m].
    latitude, longitude : float
        The station's position (WGS84). [°]
    sectors : int
        Number of wind-direction sectors, centred on 0°. [-]

    Returns
    -------
    DayNightWindRose
        Probabilities are fractions of all hours (calms included, see
        :mod:`analysis.weather.observations` for the calm rule, the speed classes and the day/night split).
    """
    table = rose_table(obs, latitude=latitude, longitude=longitude, sectors=sectors)
    return rose_from_frame(table.drop(columns="n_hours"), where="逐时观测生成的风玫瑰")

"""A park's weather from a file: a ready wind-rose table, or hourly observations made into a rose (Turner method).

One function for the ``parkrisk weather import`` command and the 气象条件 page: :func:`park_weather_from_table`
turns a table read with :func:`geodata.weather.read_weather_file` into a checked
:class:`geodata.weather.ParkWeather`, and says in Chinese what it did.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geodata.weather import ROSE_COLUMNS, ParkWeather, check_weather

__all__ = ["ImportedWeather", "is_rose_table", "park_weather_from_table"]

#: Chinese column names accepted in an hourly observation file.
OBS_ALIASES = {
    "时间": "time",
    "观测时间": "time",
    "风向": "wind_from_deg",
    "风速": "wind_speed",
    "总云量": "cloud_cover_oktas",
    "云量": "cloud_cover_oktas",
    "云底高度": "ceiling_m",
}


@dataclass(frozen=True)
class ImportedWeather:
    """The checked weather and a Chinese summary of how it was made."""

    weather: ParkWeather
    summary_zh: str


def is_rose_table(df: pd.DataFrame) -> bool:
    """True for a wind-rose table (it has a probability column), False for hourly observations."""
    names = {str(c).strip() for c in df.columns}
    return bool(names & {"probability", *ROSE_COLUMNS["probability"][2]})


def park_weather_from_table(
    df: pd.DataFrame,
    *,
    station: str,
    latitude: float,
    longitude: float,
    anemometer_height_m: float = 10.0,
    sectors: int = 16,
    note: str = "",
    source_name: str = "",
) -> ImportedWeather:
    """A :class:`ParkWeather` from a rose table or from hourly observations (detected by :func:`is_rose_table`).

    Parameters
    ----------
    df : DataFrame
        A rose table (:data:`geodata.weather.ROSE_COLUMNS`) or hourly observations (``time``, ``wind_from_deg`` [°],
        ``wind_speed`` [m/s], ``cloud_cover_oktas`` [0–8], optional ``ceiling_m`` [m]; Chinese names accepted).
    station : str
        The station's name.
    latitude, longitude : float
        The station's position (WGS84). [°]
    anemometer_height_m : float
        [m]
    sectors : int
        Wind-direction sectors of a rose made from observations.

    Raises
    ------
    ValueError
        Bad values (geodata.ParkDataError with the full report for a rose table; a message naming column and rows for
        observations).
    """
    from analysis.weather import rose_from_observations
    from analysis.weather.observations import CALM_M_S

    meta = {
        "name": station,
        "latitude": f"{float(latitude):.4f}",
        "longitude": f"{float(longitude):.4f}",
        "anemometer_height_m": f"{float(anemometer_height_m):g}",
        "note": note,
    }
    if is_rose_table(df):
        w = check_weather(df, {**meta, "source": f"风玫瑰表 {source_name}".strip()}, source=source_name)
        n_dirs = w.rose["direction_deg"].nunique()
        return ImportedWeather(w, f"已读取风玫瑰表：{len(w.rose)} 行，{n_dirs} 个风向扇区。")
    obs = df.rename(columns={c: OBS_ALIASES.get(str(c).strip(), str(c).strip()) for c in df.columns})
    rose = rose_from_observations(obs, latitude=float(latitude), longitude=float(longitude), sectors=sectors)
    times = pd.to_datetime(obs["time"])
    calm = float((pd.to_numeric(obs["wind_speed"]) < CALM_M_S).mean())
    meta.update(
        period_start=str(times.min().date()),
        period_end=str(times.max().date()),
        source=(
            f"逐时观测统计（{len(obs)} 个时次，Turner 法稳定度，静风 <{CALM_M_S:g} m/s 占 {calm:.1%}，"
            f"并入 1.5 m/s 风速等级按该等级风向分配）"
        ),
    )
    w = check_weather(rose.to_frame(), meta, source=source_name)
    summary = (
        f"已由 {len(obs)} 个逐时观测（{meta['period_start']} 至 {meta['period_end']}）生成昼夜风玫瑰：{sectors} 个风向扇区，"
        f"白天占 {rose.day_fraction:.1%}，静风占 {calm:.1%}。"
    )
    return ImportedWeather(w, summary)

"""A day/night wind rose from hourly surface observations (the table behind
:func:`analysis.weather.rose_from_observations`).

Each hour is classified by its wind sector, a wind-speed class and its Pasquill–Gifford stability by Turner's
method (:func:`analysis.weather.turner.turner_stability`, with the solar elevation of that hour at the station from
pvlib's solar-position algorithm [1]_), and counted in the day or the night rose. The rose's probabilities are the
counts divided by the number of hours, so the day and night tables together sum to 1.

Stated choices of parkrisk:

- Wind-speed classes after the Purple Book's representative speeds 1.5, 3, 5 and 9 m/s [2]_: an hour counts in the
  class whose representative speed is nearest (edges at the mid-points 2.25, 4.0 and 7.0 m/s).
- **Calms** (wind speed below 0.5 m/s, no defined direction) are kept in the lowest speed class (1.5 m/s) with
  their own Turner class and spread over the sectors in proportion to the directions of the non-calm hours of the
  lowest speed class in the same period (day or night); if that period has no such hour, evenly over all sectors.
- Day and night: Turner's night, one hour before sunset to one hour after sunrise [3]_ Table 6-6 — an hour is night
  when the sun is at or below the horizon one hour later or one hour earlier. The same split makes the day and
  the night rose.
- ``time`` is local time; a time without a zone is taken as China Standard Time (Asia/Shanghai, UTC+8).

References
----------
.. [1] Holmgren, W. F., Hansen, C. W., Mikofski, M. A. (2018). pvlib python: a python package for modeling solar
       energy systems. Journal of Open Source Software 3(29), 884; ``pvlib.solarposition.get_solarposition``
       (NREL SPA, Reda & Andreas 2004).
.. [2] CPR 18E (1999). Guidelines for quantitative risk assessment ("Purple Book"), ch. 4 (representative weather
       classes B3, D1.5, D5, D9, E5, F1.5; day and night).
.. [3] US EPA (2000). Meteorological Monitoring Guidance for Regulatory Modeling Applications, EPA-454/R-99-005,
       §6.4.1 (Turner's method), Table 6-6.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.weather.turner import turner_stability

__all__ = ["CALM_M_S", "SPEED_CLASSES_M_S", "rose_table"]

CALM_M_S = 0.5  #: below this wind speed an hour is a calm [m/s]
SPEED_CLASSES_M_S = (1.5, 3.0, 5.0, 9.0)  #: representative speeds of the classes [m/s] ([2] ch. 4)
_SPEED_EDGES = (2.25, 4.0, 7.0)  # mid-points between the representative speeds [m/s]
_REQUIRED = ("time", "wind_from_deg", "wind_speed", "cloud_cover_oktas")


def _bad_rows(mask: np.ndarray) -> str:
    rows = np.flatnonzero(mask)[:5] + 1
    more = "" if mask.sum() <= 5 else f" 等共 {int(mask.sum())} 行"
    return "第 " + "、".join(str(r) for r in rows) + " 行" + more


def _checked(obs: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(obs, pd.DataFrame):
        raise ValueError(f"obs 观测数据应为 DataFrame，收到 {type(obs).__name__}")
    missing = [c for c in _REQUIRED if c not in obs.columns]
    if missing:
        raise ValueError(f"逐时观测缺少列 {missing}；需要 {list(_REQUIRED)}（可选 ceiling_m 云底高度 [m]）")
    if len(obs) == 0:
        raise ValueError("逐时观测为空：至少需要一条观测（建议 5–10 年逐时资料）")
    out = pd.DataFrame(index=range(len(obs)))
    try:
        t = pd.to_datetime(obs["time"].reset_index(drop=True))
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"time 时间列无法识别为日期时间（{exc}）；应为 2024-01-01 08:00 形式的当地时间"
        ) from None
    out["time"] = t.dt.tz_localize("Asia/Shanghai") if t.dt.tz is None else t.dt.tz_convert("Asia/Shanghai")
    checks = {
        "wind_from_deg": ("风向", 0.0, 360.0, "°"),
        "wind_speed": ("风速", 0.0, 75.0, "m/s"),
        "cloud_cover_oktas": ("总云量", 0.0, 8.0, "okta"),
    }
    for col, (zh, lo, hi, unit) in checks.items():
        v = pd.to_numeric(obs[col].reset_index(drop=True), errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(v) | (v < lo) | (v > hi)
        if bad.any():
            first = obs[col].iloc[int(np.flatnonzero(bad)[0])]
            raise ValueError(
                f"{col} {zh}在{_bad_rows(bad)}缺失或超出 {lo:g}–{hi:g} [{unit}]（如 {first}）；"
                f"请补齐或删除这些观测后重新导入"
            )
        out[col] = v
    if "ceiling_m" in obs.columns:
        c = pd.to_numeric(obs["ceiling_m"].reset_index(drop=True), errors="coerce").to_numpy(dtype=float)
        bad = np.isfinite(c) & (c < 0)
        if bad.any():
            raise ValueError(f"ceiling_m 云底高度在{_bad_rows(bad)}为负；应 ≥ 0 [m]，未知请留空")
        out["ceiling_m"] = c
    else:
        out["ceiling_m"] = np.nan
    return out


def _night(times: pd.Series, latitude: float, longitude: float) -> tuple[np.ndarray, np.ndarray]:
    """Solar elevation at each time [°] and Turner's night (sun down one hour later or one hour earlier)."""
    from pvlib.solarposition import get_solarposition

    idx = pd.DatetimeIndex(times)
    hour = pd.Timedelta(hours=1)

    def elevation(ix: pd.DatetimeIndex) -> np.ndarray:
        return get_solarposition(ix, latitude, longitude)["apparent_elevation"].to_numpy(dtype=float)

    el = elevation(idx)
    return el, (elevation(idx + hour) <= 0.0) | (elevation(idx - hour) <= 0.0)


def rose_table(obs: pd.DataFrame, *, latitude: float, longitude: float, sectors: int = 16) -> pd.DataFrame:
    """Long table of a day/night rose from hourly observations (see the module's stated choices).

    Returns
    -------
    DataFrame
        period ("day"/"night"), direction_deg [°], speed_m_s [m/s], stability, probability [-] (fraction of all
        hours; the table sums to 1), n_hours (hours counted, calms shared out as fractions).
    """
    if not (isinstance(sectors, (int, np.integer)) and 4 <= sectors <= 36):
        raise ValueError(f"sectors 风向扇区数={sectors!r} 应为 4–36 的整数（常用 16）")
    if not (-90.0 <= float(latitude) <= 90.0 and -180.0 <= float(longitude) <= 180.0):
        raise ValueError(
            f"站点坐标 latitude={latitude!r}, longitude={longitude!r} 超出范围（纬度 ±90°，经度 ±180°）"
        )
    d = _checked(obs)
    el, night = _night(d["time"], float(latitude), float(longitude))
    u = d["wind_speed"].to_numpy()
    stab = [
        turner_stability(
            wind_speed=ui,
            solar_elevation_deg=ei,
            cloud_cover_oktas=ci,
            ceiling_m=None if np.isnan(hi) else hi,
            night=bool(ni),
        )
        for ui, ei, ci, hi, ni in zip(u, el, d["cloud_cover_oktas"], d["ceiling_m"], night, strict=True)
    ]
    width = 360.0 / sectors
    sector = np.floor(d["wind_from_deg"].to_numpy() / width + 0.5).astype(int) % sectors
    speed = np.asarray(SPEED_CLASSES_M_S)[np.searchsorted(_SPEED_EDGES, u, side="right")]
    calm = u < CALM_M_S
    period = np.where(night, "night", "day")
    rows = []
    for per in ("day", "night"):
        inp = period == per
        low = inp & ~calm & (speed == SPEED_CLASSES_M_S[0])
        share = np.bincount(sector[low], minlength=sectors).astype(float)
        share = share / share.sum() if share.sum() > 0 else np.full(sectors, 1.0 / sectors)
        for st in sorted(set(np.asarray(stab)[inp])):
            ist = inp & (np.asarray(stab) == st)
            for sp in SPEED_CLASSES_M_S:
                k = ist & ~calm & (speed == sp)
                n = np.bincount(sector[k], minlength=sectors).astype(float)
                if sp == SPEED_CLASSES_M_S[0]:
                    n = n + share * float((ist & calm).sum())
                rows += [(per, i * width, sp, st, n[i]) for i in range(sectors)]
    df = pd.DataFrame(rows, columns=["period", "direction_deg", "speed_m_s", "stability", "n_hours"])
    for per in ("day", "night"):
        if not (df["period"] == per).any():
            raise ValueError(
                f"逐时观测中没有{'白天' if per == 'day' else '夜间'}的时次：昼夜风玫瑰需要全天的观测"
                f"（检查 time 时间列是否为当地时间、站点经纬度是否正确）"
            )
    df["probability"] = df["n_hours"] / len(d)
    return df[["period", "direction_deg", "speed_m_s", "stability", "probability", "n_hours"]]

"""Live wind input: weather-station observations (CSV or JSON text) parsed and checked for age.

An emergency team takes the wind from the nearest station, not from a default. A station file or a CSV/JSON page
on the local network lists observations with the columns

- ``time`` — ISO 8601 (``2026-12-07T21:50``, ``2026-12-07 21:50:00+08:00``); a time without offset is Beijing time
  (Asia/Shanghai);
- ``direction`` — the direction the wind comes FROM, clockwise from north [°], 0–360 (meteorological convention,
  WMO-No. 8 [1]_);
- ``speed`` — the wind speed [m/s] (10 m, as reported by synoptic stations [1]_);
- ``cloud_cover`` (optional) — total cloud amount in oktas, 0–8 [2]_ (code 9, sky obscured, is not a cloud amount
  and is refused).

Chinese headings (时间, 风向, 风速, 云量) are accepted too. JSON is a list of such objects or an object with an
``observations`` list. Any malformed row stops the reading with a Chinese message naming the row, the field and
the value: a reading is used whole or not at all.

:func:`latest_observation` picks the newest reading and compares its age with a limit the user sets (default
30 min). A missing or stale reading is reported as such (``status`` "missing" or "stale", with a plain Chinese
message); it is never replaced by an older or a default value — the caller keeps the wind the user typed.

Reading a file or fetching a URL is I/O and lives in the app (:mod:`app.live_weather`); this module only parses.

References
----------
.. [1] WMO (2018). Guide to Instruments and Methods of Observation (WMO-No. 8), Vol. I, chapter 5 (surface wind:
       direction from which the wind blows, in degrees clockwise from true north; 10 m above ground).
.. [2] WMO (2019). Manual on Codes (WMO-No. 306), Vol. I.1, code table 2700 (total cloud cover N in oktas, 0–8;
       9 = sky obscured or cloud amount cannot be estimated).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pandas as pd

__all__ = [
    "BEIJING_TZ",
    "DEFAULT_MAX_AGE_S",
    "OBSERVATION_COLUMNS",
    "Observation",
    "ObservationCheck",
    "parse_observations",
    "latest_observation",
    "format_beijing",
]

BEIJING_TZ = ZoneInfo("Asia/Shanghai")
#: Default age limit of a usable observation (our choice; the user sets it). [s]
DEFAULT_MAX_AGE_S = 1800.0
#: A reading dated later than now by more than this is refused (station clock ahead). [s]
FUTURE_TOLERANCE_S = 300.0
#: Accepted headings (lower case) of each field.
OBSERVATION_COLUMNS: dict[str, tuple[str, ...]] = {
    "time": ("time", "datetime", "timestamp", "时间", "观测时间"),
    "direction": ("direction", "wind_direction", "wind_from", "风向"),
    "speed": ("speed", "wind_speed", "风速"),
    "cloud_cover": ("cloud_cover", "cloud", "oktas", "云量"),
}
_FIELD_ZH = {
    "time": "时间 time",
    "direction": "风向 direction [°]",
    "speed": "风速 speed [m/s]",
    "cloud_cover": "云量 cloud_cover [oktas]",
}


@dataclass(frozen=True)
class Observation:
    """One weather-station reading.

    Attributes
    ----------
    time : datetime.datetime
        Aware, in Beijing time.
    wind_from_deg : float
        Direction the wind comes from, clockwise from north, in [0, 360). [°]
    wind_speed : float
        [m/s]
    cloud_oktas : float or None
        Total cloud amount, 0–8. [oktas]
    """

    time: dt.datetime
    wind_from_deg: float
    wind_speed: float
    cloud_oktas: float | None = None

    @property
    def cloud_fraction(self) -> float | None:
        """Cloud cover as a fraction of the sky (oktas / 8). [-]"""
        return None if self.cloud_oktas is None else self.cloud_oktas / 8.0

    def describe_zh(self) -> str:
        cloud = "" if self.cloud_oktas is None else f"，云量 {self.cloud_oktas:g}/8"
        return f"{format_beijing(self.time)}：风向 {self.wind_from_deg:g}°（来向），风速 {self.wind_speed:g} m/s{cloud}"


@dataclass(frozen=True)
class ObservationCheck:
    """The newest reading and whether it may be used.

    Attributes
    ----------
    status : str
        "ok", "stale" (older than the limit), "future" (dated ahead of now) or "missing" (no reading).
    observation : Observation or None
        The newest reading (also when stale, so that it can be shown — never used silently).
    age_s : float
        Age of the newest reading at ``now`` [s] (nan when missing).
    max_age_s : float
        The limit applied. [s]
    message_zh : str
        Plain Chinese statement of the above, for the page and the CLI.
    """

    status: str
    observation: Observation | None
    age_s: float
    max_age_s: float
    message_zh: str

    @property
    def usable(self) -> bool:
        return self.status == "ok"


def format_beijing(t: dt.datetime) -> str:
    """``2026-12-07 22:00 北京时间`` (an aware time is converted, a naive one is taken as Beijing time)."""
    t = t.astimezone(BEIJING_TZ) if t.tzinfo is not None else t
    return f"{t:%Y-%m-%d %H:%M} 北京时间"


def _records(text: str, fmt: str, source: str) -> list[dict]:
    if fmt == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(
                f"气象观测 {source} 不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列，{exc.msg}"
            ) from None
        if isinstance(data, dict):
            data = data.get("observations", data.get("data"))
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise ValueError(
                f"气象观测 {source} 的 JSON 应为观测对象的列表，或含 observations 列表的对象（每项含 time、direction、speed）"
            )
        return data
    rows = list(csv.DictReader(io.StringIO(text)))
    return rows


def _columns(keys, source: str) -> dict[str, str]:
    lower = {str(k).strip().lower(): k for k in keys if k is not None}
    out = {}
    for name, aliases in OBSERVATION_COLUMNS.items():
        hit = next((lower[a] for a in aliases if a in lower), None)
        if hit is not None:
            out[name] = hit
        elif name != "cloud_cover":
            raise ValueError(
                f"气象观测 {source} 缺少列 {_FIELD_ZH[name]}（可用列名：{'、'.join(aliases)}）；"
                f"现有列：{'、'.join(map(str, lower)) or '无'}"
            )
    return out


def _number(value, field: str, row: int, source: str, lo: float, hi: float) -> float:
    try:
        x = float(str(value).strip())
    except (TypeError, ValueError):
        raise ValueError(f"气象观测 {source} 第 {row} 行 {_FIELD_ZH[field]}={value!r} 不是数字") from None
    if not (math.isfinite(x) and lo <= x <= hi):
        raise ValueError(f"气象观测 {source} 第 {row} 行 {_FIELD_ZH[field]}={value!r} 超出范围 {lo:g}–{hi:g}")
    return x


def _time(value, row: int, source: str) -> dt.datetime:
    s = str(value).strip() if value is not None else ""
    try:
        t = dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"气象观测 {source} 第 {row} 行 {_FIELD_ZH['time']}={value!r} 不是 ISO 8601 时间"
            "（例如 2026-12-07T21:50 或 2026-12-07 21:50:00+08:00）"
        ) from None
    return t.astimezone(BEIJING_TZ) if t.tzinfo is not None else t.replace(tzinfo=BEIJING_TZ)


def parse_observations(data: bytes | str, *, fmt: str | None = None, source: str = "") -> pd.DataFrame:
    """Weather-station observations from CSV or JSON text.

    Parameters
    ----------
    data : bytes or str
        The file or page content (bytes are decoded as UTF-8, a BOM is dropped).
    fmt : {"csv", "json"}, optional
        Format; by default JSON when the text starts with ``[`` or ``{``, else CSV.
    source : str
        Name of the file or URL, for the messages.

    Returns
    -------
    pandas.DataFrame
        ``time`` (aware, Beijing time), ``wind_from_deg`` [°] in [0, 360), ``wind_speed`` [m/s], ``cloud_oktas``
        [oktas] (NaN when not given), oldest first.

    Raises
    ------
    ValueError
        Undecodable text, a bad format, a missing column or any malformed row (Chinese message naming the row,
        field and value).
    """
    src = source or "（输入）"
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValueError(f"气象观测 {src} 不是 UTF-8 文本") from None
    else:
        text = data.lstrip("\ufeff")
    if fmt is None:
        fmt = "json" if text.lstrip()[:1] in ("[", "{") else "csv"
    if fmt not in ("csv", "json"):
        raise ValueError(f"气象观测格式 fmt={fmt!r} 无效，应为 'csv' 或 'json'")
    if not text.strip():
        raise ValueError(f"气象观测 {src} 为空：没有任何观测记录")
    records = _records(text, fmt, src)
    if not records:
        raise ValueError(f"气象观测 {src} 没有任何观测记录")
    cols = _columns(records[0].keys(), src)
    out = []
    for i, r in enumerate(records, start=2 if fmt == "csv" else 1):  # CSV: row 1 is the heading
        cloud = r.get(cols["cloud_cover"]) if "cloud_cover" in cols else None
        has_cloud = cloud is not None and str(cloud).strip() != ""
        out.append(
            {
                "time": _time(r.get(cols["time"]), i, src),
                "wind_from_deg": _number(r.get(cols["direction"]), "direction", i, src, 0.0, 360.0) % 360.0,
                "wind_speed": _number(r.get(cols["speed"]), "speed", i, src, 0.0, 75.0),
                "cloud_oktas": _number(cloud, "cloud_cover", i, src, 0.0, 8.0) if has_cloud else math.nan,
            }
        )
    return pd.DataFrame(out).sort_values("time", kind="stable").reset_index(drop=True)


def latest_observation(
    obs: pd.DataFrame | None, *, now: dt.datetime | None = None, max_age_s: float = DEFAULT_MAX_AGE_S
) -> ObservationCheck:
    """The newest observation and its age against the limit ``max_age_s`` [s].

    Parameters
    ----------
    obs : pandas.DataFrame or None
        :func:`parse_observations` (None or empty: no reading).
    now : datetime, optional
        Current time (default: now); a naive time is Beijing time.
    max_age_s : float
        Oldest usable reading. [s]

    Returns
    -------
    ObservationCheck
    """
    lim = float(max_age_s)
    if not (math.isfinite(lim) and lim > 0):
        raise ValueError(f"max_age 观测时效={max_age_s!r} s 无效，应为正数")
    now = now or dt.datetime.now(BEIJING_TZ)
    now = now.astimezone(BEIJING_TZ) if now.tzinfo is not None else now.replace(tzinfo=BEIJING_TZ)
    if obs is None or len(obs) == 0:
        return ObservationCheck(
            "missing", None, math.nan, lim, "没有气象观测数据：风向风速未自动填写，请手动输入。"
        )
    r = obs.iloc[-1]
    cloud = float(r["cloud_oktas"])
    o = Observation(
        time=r["time"].to_pydatetime() if hasattr(r["time"], "to_pydatetime") else r["time"],
        wind_from_deg=float(r["wind_from_deg"]),
        wind_speed=float(r["wind_speed"]),
        cloud_oktas=cloud if math.isfinite(cloud) else None,
    )
    age = (now - o.time).total_seconds()
    if age < -FUTURE_TOLERANCE_S:
        msg = (
            f"最新观测时间 {format_beijing(o.time)} 晚于当前时间 {format_beijing(now)} {-age / 60:.0f} min："
            "气象站时钟可能有误，未采用该观测，请核实或手动输入风向风速。"
        )
        return ObservationCheck("future", o, age, lim, msg)
    if age > lim:
        msg = (
            f"最新观测为 {format_beijing(o.time)}，已过去 {age / 60:.0f} min，超过设定时效 {lim / 60:g} min："
            f"未采用（{o.describe_zh()}），请检查气象站或手动输入风向风速。"
        )
        return ObservationCheck("stale", o, age, lim, msg)
    msg = f"已采用最新观测（{max(age, 0.0) / 60:.0f} min 前，时效 {lim / 60:g} min）：{o.describe_zh()}"
    return ObservationCheck("ok", o, age, lim, msg)

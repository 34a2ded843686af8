"""The park's meteorology as data: a wind-rose table and the station it comes from, stored in the GeoPackage.

Two non-spatial tables (GeoPackage ``attributes``) sit next to the layers:

- ``weather_rose``: one row per (period, wind-from sector, wind-speed class, stability) with its probability over the
  whole year (:data:`ROSE_COLUMNS`; the table sums to 1; with a ``period`` column of ``day``/``night`` rows it is a
  day/night rose). The wind-speed class is identified by its representative speed.
- ``weather_station``: field/value pairs describing the source (:data:`STATION_FIELDS`: station name, position,
  period of record, anemometer height, how the rose was made).

geodata stores and checks these tables as plain data; :mod:`analysis.weather` turns them into a wind rose. Every
problem is reported as a :class:`~geodata.validate.Problem` naming table, row, field, value and fix.
"""

from __future__ import annotations

import math
import os
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from geodata._atomic import write_into_gpkg
from geodata.errors import ParkDataError
from geodata.validate import Problem, ValidationReport

__all__ = [
    "WEATHER_ROSE_TABLE",
    "WEATHER_STATION_TABLE",
    "WEATHER_TABLES",
    "ROSE_COLUMNS",
    "STATION_FIELDS",
    "ParkWeather",
    "weather_problems",
    "check_weather",
    "read_weather_file",
    "read_weather",
    "write_weather",
    "save_weather",
]

WEATHER_ROSE_TABLE = "weather_rose"
WEATHER_STATION_TABLE = "weather_station"
WEATHER_TABLES = (WEATHER_ROSE_TABLE, WEATHER_STATION_TABLE)
#: The Pasquill classes a rose row may name: those of analysis.physics.dispersion.STABILITY_CLASSES (geodata does not
#: import analysis; tests/geodata/test_weather.py holds the two equal).
STABILITY = ("A", "B", "C", "D", "E", "F")

#: Columns of the rose table: name -> (Chinese label, unit, Chinese aliases accepted in an uploaded table).
ROSE_COLUMNS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "period": ("时段（day 白天 / night 夜间）", "", ("时段", "昼夜")),
    "direction_deg": ("风向（来向，正北顺时针）", "°", ("风向", "风向扇区")),
    "speed_m_s": ("风速等级的代表风速（10 m 高）", "m/s", ("风速", "代表风速")),
    "stability": ("帕斯奎尔稳定度 A–F", "", ("稳定度",)),
    "probability": ("全年频率（全表合计为 1）", "-", ("频率", "概率")),
}
#: Station fields: name -> (Chinese label, unit, required).
STATION_FIELDS: dict[str, tuple[str, str, bool]] = {
    "name": ("气象站名称", "", True),
    "latitude": ("纬度", "°", True),
    "longitude": ("经度", "°", True),
    "period_start": ("资料起始日期", "", False),
    "period_end": ("资料结束日期", "", False),
    "anemometer_height_m": ("风速仪高度", "m", False),
    "source": ("风玫瑰来源（逐时观测统计 / 风玫瑰表 / 示意）", "", True),
    "note": ("说明", "", False),
}
_PERIODS = {"day": "day", "night": "night", "白天": "day", "昼": "day", "夜间": "night", "夜": "night"}


@dataclass(frozen=True)
class ParkWeather:
    """A park's wind rose (long table, :data:`ROSE_COLUMNS`) and its station (:data:`STATION_FIELDS`)."""

    rose: pd.DataFrame
    station: Mapping[str, object] = field(default_factory=dict)

    def describe_zh(self) -> str:
        """One line: station, position, period, anemometer height and source."""
        s = self.station
        parts = [f"气象站「{s.get('name', '')}」（{s.get('latitude', '')}°N，{s.get('longitude', '')}°E）"]
        if s.get("period_start") or s.get("period_end"):
            parts.append(f"资料 {s.get('period_start') or '?'} 至 {s.get('period_end') or '?'}")
        if s.get("anemometer_height_m"):
            parts.append(f"风速仪高度 {s['anemometer_height_m']} m")
        parts.append(f"来源：{s.get('source', '')}")
        return "，".join(parts) + (f"；{s['note']}" if s.get("note") else "")


def _p(
    table: str, row: str | None, col: str | None, value, msg: str, fix: str, kind: str, sev: str = "error"
):
    return Problem(table, row, col, value, msg, fix, sev, kind)


def _rename_aliases(df: pd.DataFrame) -> pd.DataFrame:
    names = {}
    for col in df.columns:
        key = str(col).strip()
        for name, (_, _, aliases) in ROSE_COLUMNS.items():
            if key == name or key in aliases:
                names[col] = name
    return df.rename(columns=names)


def _rose_problems(rose: pd.DataFrame) -> list[Problem]:
    t = WEATHER_ROSE_TABLE
    out: list[Problem] = []
    need = [c for c in ROSE_COLUMNS if c != "period"]
    for c in need:
        if c not in rose.columns:
            label, unit, _ = ROSE_COLUMNS[c]
            out.append(
                _p(
                    t,
                    None,
                    c,
                    None,
                    f"缺少列「{c}」（{label}）",
                    f"添加列 {c}，单位 {unit or '无'}",
                    "missing_column",
                )
            )
    if out:
        return out
    if len(rose) == 0:
        return [_p(t, None, None, None, "风玫瑰表为空", "导入至少一行风向×风速×稳定度的频率", "empty_layer")]
    checks = {
        "direction_deg": (lambda v: (v >= 0) & (v < 360), "应在 0 ≤ 风向 < 360 [°]（北为 0，顺时针）"),
        "speed_m_s": (
            lambda v: (v > 0) & (v <= 75),
            "应为 0–75 m/s 之间的代表风速（静风请并入最低风速等级）",
        ),
        "probability": (lambda v: (v >= 0) & (v <= 1), "应为 0–1 之间的频率（百分数请除以 100）"),
    }
    for c, (ok, fix) in checks.items():
        v = pd.to_numeric(rose[c], errors="coerce").to_numpy(dtype=float)
        for i in np.flatnonzero(~(np.isfinite(v) & ok(np.nan_to_num(v, nan=-1.0)))):
            out.append(
                _p(
                    t,
                    f"第{i + 1}行",
                    c,
                    rose[c].iloc[i],
                    f"「{c}」（{ROSE_COLUMNS[c][0]}）无效",
                    fix,
                    "bad_type",
                )
            )
    for i, s in enumerate(rose["stability"].astype(str).str.strip().str.upper()):
        if s not in STABILITY:
            out.append(
                _p(
                    t,
                    f"第{i + 1}行",
                    "stability",
                    rose["stability"].iloc[i],
                    "稳定度不是帕斯奎尔类别",
                    "填 A、B、C、D、E 或 F",
                    "unknown_enum",
                )
            )
    if "period" in rose.columns:
        per = rose["period"].astype(str).str.strip()
        for i in np.flatnonzero(~per.isin(list(_PERIODS))):
            out.append(
                _p(
                    t,
                    f"第{i + 1}行",
                    "period",
                    rose["period"].iloc[i],
                    "时段无法识别",
                    "填 day（白天）或 night（夜间）",
                    "unknown_enum",
                )
            )
        if not out and set(per.map(_PERIODS)) != {"day", "night"}:
            out.append(
                _p(
                    t,
                    None,
                    "period",
                    sorted(set(per)),
                    "昼夜风玫瑰需要白天和夜间两部分",
                    "补齐 day 与 night 两个时段的行，或删除 period 列作为全年风玫瑰",
                    "missing_value",
                )
            )
    if out:
        return out
    keys = [c for c in ("period", "direction_deg", "speed_m_s", "stability") if c in rose.columns]
    for i in np.flatnonzero(rose.duplicated(subset=keys).to_numpy()):
        out.append(
            _p(
                t,
                f"第{i + 1}行",
                None,
                None,
                "与前面某行的时段、风向、风速、稳定度重复",
                "合并重复行（频率相加）",
                "duplicate_id",
            )
        )
    total = float(pd.to_numeric(rose["probability"]).sum())
    if abs(total - 1.0) > 1e-6:
        out.append(
            _p(
                t,
                None,
                "probability",
                round(total, 8),
                f"全表频率合计为 {total:.6g}，应为 1（含静风）",
                "按全年小时数归一（每行除以合计）；百分数请除以 100",
                "implausible",
            )
        )
    return out


def _station_problems(station: Mapping[str, object]) -> list[Problem]:
    t = WEATHER_STATION_TABLE
    out: list[Problem] = []
    for name, (label, unit, required) in STATION_FIELDS.items():
        v = station.get(name)
        if required and (v is None or str(v).strip() == "" or (isinstance(v, float) and math.isnan(v))):
            out.append(
                _p(
                    t,
                    None,
                    name,
                    v,
                    f"缺少「{name}」（{label}）",
                    f"填写{label}{('，单位 ' + unit) if unit else ''}",
                    "missing_value",
                )
            )
    ranges = {"latitude": (-90.0, 90.0), "longitude": (-180.0, 180.0), "anemometer_height_m": (0.5, 300.0)}
    for name, (lo, hi) in ranges.items():
        v = station.get(name)
        if v is None or str(v).strip() == "":
            continue
        try:
            x = float(v)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            x = math.nan
        if not (math.isfinite(x) and lo <= x <= hi):
            label, unit, _ = STATION_FIELDS[name]
            out.append(
                _p(t, None, name, v, f"{label}无效", f"应为 {lo:g}–{hi:g} {unit} 之间的数", "bad_type")
            )
    dates = {}
    for name in ("period_start", "period_end"):
        v = station.get(name)
        if v is None or str(v).strip() == "":
            continue
        d = pd.to_datetime(str(v), errors="coerce")
        if pd.isna(d):
            out.append(
                _p(
                    t,
                    None,
                    name,
                    v,
                    f"{STATION_FIELDS[name][0]}无法识别",
                    "填写日期，如 2019-01-01",
                    "bad_type",
                )
            )
        dates[name] = d
    if len(dates) == 2 and not pd.isna(dates["period_start"]) and dates["period_start"] > dates["period_end"]:
        out.append(
            _p(
                t,
                None,
                "period_end",
                station.get("period_end"),
                "结束日期早于起始日期",
                "交换起止日期",
                "inconsistent_dates",
            )
        )
    return out


def weather_problems(rose: pd.DataFrame, station: Mapping[str, object]) -> list[Problem]:
    """Every problem of a rose table and its station metadata (empty list: usable)."""
    return _rose_problems(_rename_aliases(rose)) + _station_problems(station)


def check_weather(rose: pd.DataFrame, station: Mapping[str, object], *, source: str = "") -> ParkWeather:
    """A checked :class:`ParkWeather` (columns renamed from their Chinese aliases, periods as day/night).

    Raises
    ------
    ParkDataError
        If any problem is found; ``err.report`` lists all of them.
    """
    problems = weather_problems(rose, station)
    if problems:
        report = ValidationReport(tuple(problems), source=source)
        raise ParkDataError(report.to_text_zh(max_per_group=10), report=report)
    df = _rename_aliases(rose)
    cols = [c for c in ROSE_COLUMNS if c in df.columns]
    df = df[cols].copy()
    if "period" in df.columns:
        df["period"] = df["period"].astype(str).str.strip().map(_PERIODS)
    df["stability"] = df["stability"].astype(str).str.strip().str.upper()
    for c in ("direction_deg", "speed_m_s", "probability"):
        df[c] = pd.to_numeric(df[c]).astype(float)
    st = {k: (None if v is None else str(v)) for k, v in station.items() if k in STATION_FIELDS}
    return ParkWeather(df.reset_index(drop=True), st)


def read_weather_file(path: str | os.PathLike) -> pd.DataFrame:
    """A rose table or hourly observations from CSV (UTF-8 or GB18030, ``#`` comments) or an XLSX first sheet."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return pd.read_excel(path, sheet_name=0)
    if path.suffix.lower() != ".csv":
        raise ValueError(f"气象文件 {path.name}：只支持 .csv 或 .xlsx 文件，请另存为这两种格式之一")
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return pd.read_csv(path, comment="#", encoding=enc)
        except UnicodeDecodeError:
            continue
    raise ValueError(f"气象文件 {path.name} 的编码无法识别：请另存为 UTF-8 的 CSV")


def read_weather(path: str | os.PathLike) -> ParkWeather | None:
    """The weather tables of a GeoPackage, or None when it has none."""
    con = sqlite3.connect(Path(path))  # read only: SELECTs, no transaction
    try:
        have = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if WEATHER_ROSE_TABLE not in have:
            return None
        rose = pd.read_sql_query(f"SELECT * FROM {WEATHER_ROSE_TABLE} ORDER BY fid", con).drop(columns="fid")
        station = {}
        if WEATHER_STATION_TABLE in have:
            station = dict(con.execute(f"SELECT field, value FROM {WEATHER_STATION_TABLE}").fetchall())
    finally:
        con.close()
    return check_weather(rose, station, source=str(path))


def write_weather(path: str | os.PathLike, weather: ParkWeather, *, last_change: str | None = None) -> None:
    """Replace the weather tables of a GeoPackage in one SQLite transaction (registered as ``attributes``).

    ``last_change`` (ISO 8601, default now) is the GeoPackage timestamp of the tables (fixed for reproducible files).
    """
    now = last_change or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    cols = list(weather.rose.columns)
    types = {c: ("TEXT" if c in ("period", "stability") else "REAL") for c in cols}
    con = sqlite3.connect(Path(path))
    try:
        with con:  # one transaction: all or nothing
            for t in WEATHER_TABLES:
                con.execute(f"DROP TABLE IF EXISTS {t}")
                con.execute("DELETE FROM gpkg_contents WHERE table_name = ?", (t,))
            con.execute(
                f"CREATE TABLE {WEATHER_ROSE_TABLE} (fid INTEGER PRIMARY KEY AUTOINCREMENT, "
                + ", ".join(f"{c} {types[c]} NOT NULL" for c in cols)
                + ")"
            )
            rows = [tuple(r) for r in weather.rose[cols].itertuples(index=False)]
            con.executemany(
                f"INSERT INTO {WEATHER_ROSE_TABLE} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                [tuple(v if isinstance(v, str) else float(v) for v in r) for r in rows],
            )
            con.execute(f"CREATE TABLE {WEATHER_STATION_TABLE} (field TEXT PRIMARY KEY, value TEXT)")
            con.executemany(
                f"INSERT INTO {WEATHER_STATION_TABLE} VALUES (?, ?)",
                [(k, None if v is None else str(v)) for k, v in weather.station.items()],
            )
            for t, what in (
                (WEATHER_ROSE_TABLE, "风玫瑰 wind rose"),
                (WEATHER_STATION_TABLE, "气象站 station"),
            ):
                con.execute(
                    "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change) "
                    "VALUES (?, 'attributes', ?, ?, ?)",
                    (t, t, what, now),
                )
    finally:
        con.close()


def save_weather(path: str | os.PathLike, weather: ParkWeather) -> None:
    """Write the weather tables INTO an existing park file atomically.

    The file is copied to a temporary file in its folder, the tables are written there in one transaction, the copy
    is flushed to disk and moved over ``path`` (:func:`os.replace`); on any error the original is untouched and the
    temporary file removed.
    """
    write_into_gpkg(path, lambda tmp: write_weather(tmp, weather), what_zh="气象数据")

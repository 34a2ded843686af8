"""Checking and normalising rectification records (dicts keyed by the schema columns of ``rectifications``).

A record is ``{column: value, ..., "geometry": shapely geometry}``. :func:`normalise_record` returns the stored form
(strings, ISO dates ``YYYY-MM-DD`` or None) and the problems found; the store refuses a batch with any problem.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geodata import schema
from geodata.store import lifecycle
from geodata.store.errors import ImportProblem

__all__ = [
    "ITEM_COLUMNS",
    "DATE_COLUMNS",
    "MAJOR_HAZARD_ITEMS",
    "Item",
    "normalise_record",
    "to_iso_date",
    "is_missing",
    "utcnow",
    "iso_timestamp",
]

SPEC = schema.LAYERS["rectifications"]
ITEM_COLUMNS: tuple[str, ...] = SPEC.column_names
DATE_COLUMNS: tuple[str, ...] = tuple(c.name for c in SPEC.columns if c.dtype == "date")
_GEOM_TYPES = set(SPEC.geometry_types)
#: The item numbers of 重大生产安全事故隐患判定标准（试行）(安监总管三〔2017〕121号): 1-20.
MAJOR_HAZARD_ITEMS: frozenset[int] = frozenset(range(1, 21))


def is_missing(v: Any) -> bool:
    """True for None, NaN, NaT, pd.NA and blank strings."""
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    if isinstance(v, str) and not v.strip():
        return True
    try:
        return bool(pd.isna(v)) if not isinstance(v, (list, tuple, dict, BaseGeometry)) else False
    except (TypeError, ValueError):
        return False


def to_iso_date(v: Any) -> str | None:
    """A calendar date as ``YYYY-MM-DD`` (None when missing). Accepts date, datetime, Timestamp, ISO text
    (``2025-03-01``, ``2025/3/1``, ``2025年3月1日``).

    Raises
    ------
    ValueError
        If the value is not a date.
    """
    if is_missing(v):
        return None
    if isinstance(v, (dt.datetime, pd.Timestamp)):
        return pd.Timestamp(v).date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    text = str(v).strip()
    text = text.replace("年", "-").replace("月", "-").replace("日", "").replace("/", "-").replace(".", "-")
    try:
        ts = pd.Timestamp(dt.date.fromisoformat("-".join(p.zfill(2) for p in text.split(" ")[0].split("-"))))
    except ValueError as exc:
        raise ValueError(f"{v!r} 不是日期 / not a date") from exc
    return ts.date().isoformat()


@dataclass(frozen=True)
class Item:
    """One rectification item as stored (dates as ISO text, geometry in WGS84 lon/lat)."""

    item_id: str
    park_id: str
    enterprise_id: str | None
    title: str
    category: str
    hazard_level: str
    source: str
    found_on: str
    deadline: str
    responsible: str
    status: str
    closed_on: str | None
    geometry: BaseGeometry
    version: int
    major_hazard_item: int | None = None
    measures: str | None = None
    funds_cny: float | None = None
    contingency_plan: str | None = None

    def as_record(self) -> dict[str, Any]:
        return {c: getattr(self, c) for c in (*ITEM_COLUMNS, "geometry")}


def normalise_record(rec: Mapping[str, Any], *, row: int) -> tuple[dict[str, Any], list[ImportProblem]]:
    """The stored form of one record and its problems (``row`` labels them; use the spreadsheet row number).

    Problems: missing required value, value not in the enumeration (lists the allowed keys), unreadable date,
    deadline before the finding date, closed without a closing date (or a closing date while not closed), missing
    or unsupported geometry.
    """
    out: dict[str, Any] = {}
    problems: list[ImportProblem] = []
    cited = rec.get("major_hazard_item")
    if not is_missing(cited) and _int_value(cited) in MAJOR_HAZARD_ITEMS:
        rec = {
            **rec,
            "hazard_level": "major",
        }  # citing one of the 20 items makes it a 重大隐患 by that standard

    def bad(col: str, value: Any, msg: str, fix: str) -> None:
        label = SPEC.column(col).label_zh if col in ITEM_COLUMNS else col
        shown = "" if is_missing(value) else str(value).replace("\x00", "\\x00")
        problems.append(ImportProblem(row, label, shown, msg, fix))

    for c in SPEC.columns:
        v = rec.get(c.name)
        if is_missing(v):
            out[c.name] = None
            if not c.nullable:
                bad(c.name, v, "必填项为空", f"请填写「{c.label_zh}」")
            continue
        if c.dtype == "date":
            try:
                out[c.name] = to_iso_date(v)
            except ValueError:
                out[c.name] = None
                bad(c.name, v, "不是有效日期", "请填写日期，格式如 2025-03-01")
            continue
        if c.dtype == "float":
            try:
                x = float(str(v).replace(",", "").strip()) if not isinstance(v, int | float) else float(v)
            except ValueError:
                x = math.nan
            lo, hi = c.plausible or (-math.inf, math.inf)
            if not (math.isfinite(x) and lo <= x <= hi):
                bad(c.name, v, f"不是 {lo:g}～{hi:g} 之间的数（{c.unit or ''}）", c.hint_zh or "请填写数字")
                out[c.name] = None
            else:
                out[c.name] = x
            continue
        if c.dtype == "int":
            out[c.name] = _int_value(v)
            lo, hi = c.plausible or (-math.inf, math.inf)
            if out[c.name] is None or not lo <= out[c.name] <= hi:
                bad(c.name, v, f"不是 {lo:g}～{hi:g} 之间的整数", c.hint_zh or "请填写整数")
                out[c.name] = None
            continue
        text = str(v).strip()
        if "\x00" in text:
            bad(c.name, v, "含有空字符 NUL（\\x00），无法保存", "请删除文本中的空字符 NUL 后重新填写")
            out[c.name] = None
            continue
        if c.enum:
            allowed = schema.ENUMS[c.enum]
            if text not in allowed:
                labels = schema.ENUM_LABELS_ZH[c.enum]
                bad(
                    c.name,
                    v,
                    "不是允许的取值",
                    "请填写以下之一：" + "、".join(f"{labels[k]}（{k}）" for k in allowed),
                )
                out[c.name] = None
                continue
        out[c.name] = text
    for col, value, msg, fix in lifecycle.date_problems(
        out.get("found_on"), out.get("deadline"), out.get("status"), out.get("closed_on")
    ):
        bad(col, value, msg, fix)
    geom = rec.get("geometry")
    if geom is None or not isinstance(geom, BaseGeometry) or geom.is_empty:
        bad("geometry", geom, "缺少位置", "请填写经度、纬度（WGS84），或填写责任企业以使用企业位置")
        out["geometry"] = None
    elif geom.geom_type not in _GEOM_TYPES:
        bad("geometry", geom.geom_type, "几何类型不支持", f"请使用 {'、'.join(sorted(_GEOM_TYPES))}")
        out["geometry"] = None
    else:
        x0, y0, x1, y1 = geom.bounds
        if not (-180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90):
            bad(
                "geometry",
                shapely.to_wkt(geom, rounding_precision=6),
                "坐标超出经纬度范围",
                "请使用 WGS84 经纬度（经度在前），如 113.70, 29.88",
            )
            out["geometry"] = None
        else:
            out["geometry"] = geom
    return out, problems


def _int_value(v: Any) -> int | None:
    """An integer from an int, an integral float or integer text (``"3"``, ``"3.0"``, ``"第3条"``); else None."""
    if isinstance(v, bool):
        return None
    if isinstance(v, numbers.Real):
        f = float(v)
        return int(f) if math.isfinite(f) and f.is_integer() else None
    text = str(v).strip().removeprefix("第").removesuffix("条").strip()
    try:
        f = float(text)
    except ValueError:
        return None
    return int(f) if math.isfinite(f) and f.is_integer() else None


def utcnow() -> dt.datetime:
    """Timezone-aware current UTC time."""
    return dt.datetime.now(dt.UTC)


def iso_timestamp(t: dt.datetime) -> str:
    """A timezone-aware time as the store writes it: ISO 8601 in UTC with microseconds."""
    if t.tzinfo is None:
        raise ValueError(f"时间 {t!r} 缺少时区 / timestamps must be timezone-aware (use datetime.UTC)")
    return t.astimezone(dt.UTC).isoformat(timespec="microseconds")

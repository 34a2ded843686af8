"""Spreadsheet tables of rectification items: import of inspection lists (Chinese or English headers, every bad
cell reported) and export of the plan (readable back: round trip)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from analysis.regulation.rectification.stats import _dates, overdue_mask
from geodata import schema
from geodata.store.errors import ImportProblem
from geodata.store.records import ITEM_COLUMNS, is_missing, normalise_record

__all__ = ["HEADERS_ZH", "parse_inspection_table", "export_table"]

_SPEC = schema.LAYERS["rectifications"]


# ---------------------------------------------------------------------------------------------------------------
# Spreadsheet tables (import of inspection lists, export of the plan)
# ---------------------------------------------------------------------------------------------------------------
#: Chinese header of each column in exported tables (the schema labels) plus coordinates.
HEADERS_ZH: dict[str, str] = {
    c.name: c.label_zh + (f"（{c.unit}）" if c.unit else "") for c in _SPEC.columns
} | {
    "lon": "经度",
    "lat": "纬度",
    "wkt": "几何（WKT）",
}
_ALIASES: dict[str, tuple[str, ...]] = {
    "item_id": ("编号", "隐患编号", "序号编号", "事项编号"),
    "park_id": ("园区编号", "园区"),
    "enterprise_id": ("企业编号", "责任单位编号", "企业"),
    "title": ("问题描述", "隐患描述", "隐患内容", "存在问题", "隐患/问题描述"),
    "category": ("隐患类别", "问题类别", "类别"),
    "hazard_level": ("隐患级别", "等级", "隐患等级"),
    "source": ("检查类型", "发现方式", "来源"),
    "found_on": ("检查日期", "排查日期", "发现时间", "发现日期"),
    "deadline": ("整改时限", "整改期限", "完成时限"),
    "responsible": ("整改责任人", "负责人", "责任人"),
    "status": ("整改状态", "状态"),
    "closed_on": ("销号时间", "销号日期", "完成日期"),
    "measures": ("整改措施", "治理措施", "措施"),
    "funds_cny": ("整改资金（元）", "整改资金", "资金（元）", "资金", "经费"),
    "contingency_plan": ("安全措施和应急预案", "应急预案", "预案"),
    "lon": ("经度", "lon", "lng", "longitude", "x"),
    "lat": ("纬度", "lat", "latitude", "y"),
    "wkt": ("几何（WKT）", "几何(WKT)", "wkt", "geometry", "几何"),
}
_STATUS_ALIASES = {
    "已整改": "closed",
    "已完成": "closed",
    "未整改": "open",
    "整改完成待验收": "awaiting_acceptance",
}
_LEVEL_ALIASES = {"一般": "general", "重大": "major"}


def _header_map(columns: Sequence[Any]) -> dict[str, Any]:
    """schema column (or lon/lat/wkt) -> the table's column holding it."""
    norm = {str(c).strip().replace(" ", "").lower(): c for c in columns}
    out: dict[str, Any] = {}
    for col in (*ITEM_COLUMNS, "lon", "lat", "wkt"):
        names = (col, HEADERS_ZH.get(col, col), *_ALIASES.get(col, ()))
        for n in names:
            key = n.strip().replace(" ", "").lower()
            if key in norm:
                out[col] = norm[key]
                break
    return out


def _enum_value(enum: str, raw: Any) -> Any:
    """English key from a key or its Chinese label (or a common alias); the raw value when unknown."""
    if is_missing(raw):
        return None
    text = str(raw).strip()
    if text in schema.ENUMS[enum]:
        return text
    for k, lab in schema.ENUM_LABELS_ZH[enum].items():
        if text == lab:
            return k
    if enum == "rectification_status" and text in _STATUS_ALIASES:
        return _STATUS_ALIASES[text]
    if enum == "hazard_level" and text in _LEVEL_ALIASES:
        return _LEVEL_ALIASES[text]
    return text


def _row_geometry(
    row: pd.Series, cols: Mapping[str, Any], r: int, ent: Any, enterprises: Mapping[str, BaseGeometry] | None
) -> tuple[BaseGeometry | None, list[ImportProblem]]:
    """The location of spreadsheet row ``r``: 经度/纬度, else 几何（WKT）, else the enterprise's representative point."""
    problems: list[ImportProblem] = []
    geom = None
    lon = row[cols["lon"]] if "lon" in cols else None
    lat = row[cols["lat"]] if "lat" in cols else None
    wkt = row[cols["wkt"]] if "wkt" in cols else None
    if not is_missing(lon) or not is_missing(lat):
        try:
            geom = shapely.Point(float(lon), float(lat))
        except (TypeError, ValueError):
            problems.append(
                ImportProblem(
                    r,
                    "经度/纬度",
                    f"{'' if is_missing(lon) else lon}, {'' if is_missing(lat) else lat}",
                    "经纬度不是数字或缺一个",
                    "请填写 WGS84 经度和纬度（十进制度），如 113.70 和 29.88",
                )
            )
    elif not is_missing(wkt):
        try:
            geom = shapely.from_wkt(str(wkt))
        except shapely.errors.GEOSException:
            problems.append(
                ImportProblem(
                    r,
                    HEADERS_ZH["wkt"],
                    str(wkt)[:60],
                    "WKT 无法解析",
                    "请填写如 POINT (113.70 29.88) 的 WKT 文本",
                )
            )
    elif ent is not None and enterprises is not None and str(ent) in enterprises:
        geom = enterprises[str(ent)].representative_point()
    return geom, problems


def parse_inspection_table(
    table: pd.DataFrame,
    *,
    park_id: str | None = None,
    enterprises: Mapping[str, BaseGeometry] | None = None,
    enterprise_names: Mapping[str, str] | None = None,
    default_status: str = "open",
) -> tuple[list[dict[str, Any]], list[ImportProblem]]:
    """Records from an inspection list (one row per item, Chinese or English headers) and every problem found.

    Headers are matched to the schema by the Chinese labels of :data:`HEADERS_ZH` and common aliases (问题描述,
    整改时限, 整改责任人 ...). Enumerations accept the English key or the Chinese label. The location comes from
    ``经度``/``纬度`` (WGS84) or a ``几何（WKT）`` column; when both are empty, the enterprise's polygon
    representative point (``enterprises``) is used.

    Parameters
    ----------
    table : DataFrame
        The sheet as read (header in spreadsheet row 1, so data row *i* is spreadsheet row *i* + 2).
    park_id : str, optional
        Park of rows that leave ``所属园区`` empty.
    enterprises : mapping enterprise_id -> geometry, optional
        Known enterprises (WGS84). When given, an unknown ``enterprise_id`` is a problem.
    enterprise_names : mapping enterprise name -> enterprise_id, optional
        Lets the sheet name the enterprise instead of giving its id.
    default_status : str
        Status of rows without one.

    Returns
    -------
    records : list of dict
        Normalised records (valid only when ``problems`` is empty).
    problems : list of ImportProblem
        Every bad cell: spreadsheet row, column header, value, what is wrong and how to fix it.
    """
    cols = _header_map(list(table.columns))
    problems: list[ImportProblem] = []
    required_missing = [
        c
        for c in ("title", "category", "hazard_level", "found_on", "deadline", "responsible")
        if c not in cols
    ]
    if "item_id" not in cols:
        required_missing.insert(0, "item_id")
    if required_missing:
        problems.append(
            ImportProblem(
                1,
                "表头",
                "、".join(map(str, table.columns)),
                "缺少必需的列：" + "、".join(HEADERS_ZH[c] for c in required_missing),
                "请在第 1 行加入这些列标题（可使用导出模板）",
            )
        )
        return [], problems
    records: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    enterprise_names = enterprise_names or {}
    for i, (_, row) in enumerate(table.iterrows()):
        r = i + 2
        if all(is_missing(v) for v in row.to_numpy()):
            continue  # blank line
        rec: dict[str, Any] = {}
        for c in ITEM_COLUMNS:
            raw = row[cols[c]] if c in cols else None
            col_def = _SPEC.column(c)
            rec[c] = _enum_value(col_def.enum, raw) if col_def.enum else (None if is_missing(raw) else raw)
            if isinstance(rec[c], str):
                rec[c] = rec[c].strip()
            if (
                isinstance(rec[c], float)
                and c not in ("found_on", "deadline", "closed_on")
                and rec[c] == int(rec[c])
            ):
                rec[c] = str(int(rec[c]))  # ids typed as numbers in Excel
        if rec["park_id"] is None:
            rec["park_id"] = park_id
        if rec["status"] is None:
            rec["status"] = default_status
        ent = rec["enterprise_id"]
        if ent is not None and str(ent) in enterprise_names:
            rec["enterprise_id"] = ent = enterprise_names[str(ent)]
        if ent is not None and enterprises is not None and str(ent) not in enterprises:
            problems.append(
                ImportProblem(
                    r,
                    HEADERS_ZH["enterprise_id"],
                    str(ent),
                    "园区中没有这个企业",
                    "请填写园区企业图层中的企业编号或企业名称，园区级事项留空",
                )
            )
        geom, geom_problems = _row_geometry(row, cols, r, ent, enterprises)
        problems.extend(geom_problems)
        rec["geometry"] = geom
        clean, probs = normalise_record(rec, row=r)
        if geom is None and any(p.column == "geometry" for p in probs):
            probs = [
                p if p.column != "geometry" else ImportProblem(r, "经度/纬度", "", p.message_zh, p.fix_zh)
                for p in probs
            ]
        problems.extend(probs)
        iid = clean.get("item_id")
        if iid:
            if iid in seen:
                problems.append(
                    ImportProblem(
                        r,
                        HEADERS_ZH["item_id"],
                        iid,
                        f"与第 {seen[iid]} 行的事项编号重复",
                        "请为每个事项使用唯一编号",
                    )
                )
            seen.setdefault(iid, r)
        records.append(clean)
    return records, problems


def export_table(
    items: pd.DataFrame,
    *,
    today: dt.date | str | None = None,
    enterprise_names: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The plan as a table with Chinese headers, readable back by :func:`parse_inspection_table` (round trip).

    Enumerations are written as their Chinese labels, dates as ``YYYY-MM-DD``, points as ``经度``/``纬度`` and other
    geometries as ``几何（WKT）``; two informative columns (企业名称, 是否逾期) are appended and ignored on import.
    """
    out = pd.DataFrame(index=range(len(items)))
    src = items.reset_index(drop=True)
    for c in _SPEC.columns:
        v = src[c.name] if c.name in src.columns else pd.Series([None] * len(src))
        if c.dtype == "date":
            v = _dates(v).dt.strftime("%Y-%m-%d")
            v = v.astype(object).where(v.notna(), None)
        elif c.enum:
            v = [schema.label_zh(c.enum, x) if not is_missing(x) else None for x in v]
        elif c.dtype == "float":
            v = [None if is_missing(x) else float(x) for x in v]
        else:
            v = [None if is_missing(x) else str(x) for x in v]
        out[HEADERS_ZH[c.name]] = list(v)
    geoms = list(src.geometry) if "geometry" in src.columns else [None] * len(src)
    is_pt = [g is not None and g.geom_type == "Point" for g in geoms]
    out["经度"] = [round(g.x, 7) if p else None for g, p in zip(geoms, is_pt, strict=True)]
    out["纬度"] = [round(g.y, 7) if p else None for g, p in zip(geoms, is_pt, strict=True)]
    out[HEADERS_ZH["wkt"]] = [
        None if (g is None or p) else shapely.to_wkt(g, rounding_precision=7)
        for g, p in zip(geoms, is_pt, strict=True)
    ]
    names = enterprise_names or {}
    out["企业名称"] = [
        names.get(str(e), "") if not is_missing(e) else "（园区）" for e in src["enterprise_id"]
    ]
    out["是否逾期"] = np.where(overdue_mask(src, today=today), "逾期", "")
    return out

"""一园一策 rectification items: lifecycle, overdue, statistics, import tables, findings → items, plan content.

Pure functions on the ``rectifications`` layer (a DataFrame with the columns of
:data:`geodata.schema.LAYERS` ``["rectifications"]``); no I/O, no plotting. Storage, roles and concurrency are in
:mod:`geodata.store`; the lifecycle table lives there too (the store enforces it) and is re-exported here.

Definitions used in the statistics:

- **整改率 (closure rate)** = items closed (销号) / items found, as a fraction [-] ([1]_, 第十四条/第二十条: hidden
  hazards are "治理—验收—销号"; the rate is the share that reached 销号).
- **逾期 (overdue)** on a date *d*: the deadline is before *d* and the item is not closed on *d* ([2]_, 第十五条:
  rectification within the set time limit).
- **重大隐患 (major hazards)** are reported separately ([2]_, 第十条; [3]_ defines the criteria).

References
----------
.. [1] 应急管理部. 化工园区安全风险排查治理导则（应急〔2023〕123号）, 2023.
.. [2] 国家安全生产监督管理总局. 安全生产事故隐患排查治理暂行规定（第16号令）, 2008.
.. [3] 应急管理部. 化工和危险化学品生产经营单位重大生产安全事故隐患判定标准（试行）（安监总管三〔2017〕121号）, 2017.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geodata import schema
from geodata.store.errors import ImportProblem
from geodata.store.lifecycle import (
    ACTION_LABELS_ZH,
    STATUSES,
    TRANSITIONS,
    IllegalTransitionError,
    allowed_targets,
    check_transition,
)
from geodata.store.records import ITEM_COLUMNS, is_missing, normalise_record, to_iso_date

__all__ = [
    "STATUSES",
    "TRANSITIONS",
    "ACTION_LABELS_ZH",
    "IllegalTransitionError",
    "allowed_targets",
    "check_transition",
    "overdue_mask",
    "days_overdue",
    "closure_stats",
    "monthly_trend",
    "major_items",
    "Evidence",
    "Finding",
    "FINDING_KINDS",
    "ProposalOptions",
    "ProposedItem",
    "propose_items",
    "HEADERS_ZH",
    "parse_inspection_table",
    "export_table",
    "PlanReport",
    "plan_report",
    "GROUP_COLUMNS",
]

log = logging.getLogger(__name__)

_SPEC = schema.LAYERS["rectifications"]


def _as_date(today: dt.date | str | None) -> pd.Timestamp:
    if today is None:
        return pd.Timestamp(dt.date.today())
    return pd.Timestamp(to_iso_date(today))


def _dates(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s, errors="coerce")


def overdue_mask(items: pd.DataFrame, *, today: dt.date | str | None = None) -> np.ndarray:
    """True where an item is overdue on ``today`` (default: the current date): deadline before ``today`` and not
    closed ([2]_ 第十五条). Items with no deadline are not overdue.

    Returns
    -------
    ndarray of bool, shape (len(items),)
    """
    t = _as_date(today)
    deadline = _dates(items["deadline"])
    not_closed = items["status"].astype("string").fillna("") != "closed"
    return (not_closed & (deadline < t)).fillna(False).to_numpy(dtype=bool)


def days_overdue(items: pd.DataFrame, *, today: dt.date | str | None = None) -> np.ndarray:
    """Days past the deadline on ``today`` for overdue items, 0 otherwise. [d]"""
    t = _as_date(today)
    days = (t - _dates(items["deadline"])).dt.days.fillna(0).to_numpy(dtype=float)
    return np.where(overdue_mask(items, today=today), days, 0.0).astype(int)


#: Columns :func:`closure_stats` can group by.
GROUP_COLUMNS: tuple[str, ...] = ("park_id", "enterprise_id", "category", "hazard_level", "source", "status")


def closure_stats(
    items: pd.DataFrame, *, by: str | None = None, today: dt.date | str | None = None
) -> pd.DataFrame:
    """Closure rate (整改率), overdue and major-hazard counts, overall or per group.

    Parameters
    ----------
    items : DataFrame
        Rectification items (schema columns).
    by : str, optional
        One of :data:`GROUP_COLUMNS`; None for one row over all items (group label ``"全部"``). Items with no value
        in the group column (e.g. park-level items by enterprise) form the group ``"（园区）"``.
    today : date, optional
        Date of the overdue count (default: the current date).

    Returns
    -------
    DataFrame
        One row per group (sorted by group), columns: ``group``, ``total`` [-], ``closed`` [-], ``not_closed`` [-],
        ``closure_rate`` [-] (fraction 0–1; NaN for an empty group), ``overdue`` [-], ``major`` [-],
        ``major_closed`` [-], ``major_closure_rate`` [-], ``major_overdue`` [-].

    Raises
    ------
    ValueError
        If ``by`` is not one of :data:`GROUP_COLUMNS`.
    """
    if by is not None and by not in GROUP_COLUMNS:
        raise ValueError(
            f"by={by!r} 不是可分组的列 / cannot group by it; 可选 / allowed: {list(GROUP_COLUMNS)}"
        )
    df = pd.DataFrame(
        {
            "group": "全部" if by is None else items[by].astype(object).where(items[by].notna(), "（园区）"),
            "closed": (items["status"] == "closed").to_numpy(dtype=bool),
            "overdue": overdue_mask(items, today=today),
            "major": (items["hazard_level"] == "major").to_numpy(dtype=bool),
        },
        index=range(len(items)),
    )
    df["major_closed"] = df["major"] & df["closed"]
    df["major_overdue"] = df["major"] & df["overdue"]
    counts = ["closed", "overdue", "major", "major_closed", "major_overdue"]
    if len(df) == 0:
        out = pd.DataFrame(
            {"group": ["全部"] if by is None else []} | {c: [0] if by is None else [] for c in counts}
        )
        out.insert(1, "total", [0] if by is None else [])
        out = out.astype({c: int for c in ["total", *counts]})
    else:
        g = df.groupby("group", sort=True)
        out = g[counts].sum().astype(int)
        out.insert(0, "total", g.size().astype(int))
        out = out.reset_index()
    out["not_closed"] = out["total"] - out["closed"]
    with np.errstate(invalid="ignore", divide="ignore"):
        out["closure_rate"] = np.where(
            out["total"] > 0, out["closed"] / out["total"].where(out["total"] > 0), np.nan
        )
        out["major_closure_rate"] = np.where(
            out["major"] > 0, out["major_closed"] / out["major"].where(out["major"] > 0), np.nan
        )
    cols = [
        "group",
        "total",
        "closed",
        "not_closed",
        "closure_rate",
        "overdue",
        "major",
        "major_closed",
        "major_closure_rate",
        "major_overdue",
    ]
    return out[cols].astype({"closure_rate": float, "major_closure_rate": float}).reset_index(drop=True)


def monthly_trend(
    items: pd.DataFrame,
    *,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    today: dt.date | str | None = None,
) -> pd.DataFrame:
    """Month by month: items found, items closed, and at each month's end the cumulative closure rate, items
    still open and items overdue.

    Parameters
    ----------
    start, end : date, optional
        First and last month (default: the month of the earliest finding to the month of ``today``).
    today : date, optional
        Default: the current date. Months after it are not reported.

    Returns
    -------
    DataFrame
        Columns ``month`` (``YYYY-MM``), ``found`` [-], ``closed`` [-], ``cum_found`` [-], ``cum_closed`` [-],
        ``closure_rate`` [-] (cumulative closed / cumulative found at month end), ``open_at_end`` [-],
        ``overdue_at_end`` [-] (deadline before the month end, not closed by then; the current month is evaluated
        on ``today``).
    """
    t = _as_date(today)
    found = _dates(items["found_on"])
    closed = _dates(items["closed_on"]).where(items["status"] == "closed")
    deadline = _dates(items["deadline"])
    if start is None:
        if found.notna().sum() == 0:
            return pd.DataFrame(
                columns=[
                    "month",
                    "found",
                    "closed",
                    "cum_found",
                    "cum_closed",
                    "closure_rate",
                    "open_at_end",
                    "overdue_at_end",
                ]
            )
        start_p = found.min().to_period("M")
    else:
        start_p = _as_date(start).to_period("M")
    end_p = (_as_date(end) if end is not None else t).to_period("M")
    end_p = min(end_p, t.to_period("M"))
    months = pd.period_range(start_p, end_p, freq="M")
    rows = []
    fm, cm = found.dt.to_period("M"), closed.dt.to_period("M")
    for m in months:
        m_end = min(m.end_time.normalize(), t)  # evaluate the running month on today
        cum_found = int((found <= m_end).sum())
        cum_closed = int((closed <= m_end).sum())
        still_open = (found <= m_end) & ~(closed <= m_end)
        rows.append(
            {
                "month": str(m),
                "found": int((fm == m).sum()),
                "closed": int((cm == m).sum()),
                "cum_found": cum_found,
                "cum_closed": cum_closed,
                "closure_rate": cum_closed / cum_found if cum_found else float("nan"),
                "open_at_end": int(still_open.sum()),
                "overdue_at_end": int((still_open & (deadline < m_end)).sum()),
            }
        )
    return pd.DataFrame(rows)


def major_items(items: pd.DataFrame) -> pd.DataFrame:
    """The major hazards (重大隐患, [3]_) among ``items``, deadline first."""
    out = items[items["hazard_level"] == "major"]
    return out.sort_values(["deadline", "item_id"]).reset_index(drop=True)


# ---------------------------------------------------------------------------------------------------------------
# Findings of the analyses -> proposed items
# ---------------------------------------------------------------------------------------------------------------
#: kind -> (Chinese name, suggested category). Unknown kinds are refused with this list.
FINDING_KINDS: dict[str, tuple[str, str]] = {
    "five_rooms": ("五室位于爆炸危险区域", "five_rooms"),
    "domino_spacing": ("装置间距在多米诺升级距离内", "layout_spacing"),
    "risk_limit": ("防护目标个人风险超出 GB 36894 限值", "external_distance"),
    "major_hazard": ("重大危险源管控问题", "major_hazard"),
    "siting": ("选址或外部安全防护距离不足", "external_distance"),
}


@dataclass(frozen=True)
class Evidence:
    """One number behind a finding (a load, a distance, a risk), in SI units.

    Attributes
    ----------
    label_zh : str
        What the number is, in Chinese (e.g. ``"冲击波超压"``).
    value : float
        The value in ``unit``.
    unit : str
        SI unit (``Pa``, ``W/m²``, ``m``, ``1/a``, ``-``).
    """

    label_zh: str
    value: float
    unit: str

    def text_zh(self) -> str:
        """``label value unit`` with a readable number (kPa and kW/m² shown beside Pa and W/m²)."""
        v = float(self.value)
        if self.unit == "Pa":
            return f"{self.label_zh} {v / 1e3:.1f} kPa（{v:,.0f} Pa）"  # 1 kPa = 1e3 Pa
        if self.unit == "W/m²":
            return f"{self.label_zh} {v / 1e3:.1f} kW/m²"  # 1 kW/m² = 1e3 W/m²
        if self.unit == "1/a":
            return f"{self.label_zh} {v:.2e} /年"
        if self.unit == "m":
            return f"{self.label_zh} {v:,.1f} m"
        if self.unit in ("-", ""):
            return f"{self.label_zh} {v:.3g}"
        return f"{self.label_zh} {v:.4g} {self.unit}"


@dataclass(frozen=True)
class Finding:
    """A problem found by an analysis, to be turned into a rectification item.

    Attributes
    ----------
    kind : str
        One of :data:`FINDING_KINDS` (``five_rooms``, ``domino_spacing``, ``risk_limit``, ...).
    subject_ids : tuple of str
        Ids of the features concerned (building_id, unit_id, target_id ...); with ``kind`` they identify the
        finding, so proposing it twice gives the same item id.
    description_zh : str
        What is wrong, in Chinese (becomes the item title).
    enterprise_id : str or None
        The responsible enterprise (None for a park-level item).
    hazard_level : str
        ``general`` or ``major``.
    geometry : shapely geometry
        Where (WGS84 lon/lat); a polygon is kept, other types are reduced to a representative point.
    category : str, optional
        Overrides the kind's suggested category.
    evidence : tuple of Evidence
        The numbers behind the finding (loads, distances, risks) with units.
    measure_zh : str
        Suggested measure, in Chinese.
    basis_zh : str
        Rule or criterion applied (standard and clause), in Chinese.
    """

    kind: str
    subject_ids: tuple[str, ...]
    description_zh: str
    enterprise_id: str | None
    hazard_level: str
    geometry: BaseGeometry
    category: str | None = None
    evidence: tuple[Evidence, ...] = ()
    measure_zh: str = ""
    basis_zh: str = ""

    def __post_init__(self) -> None:
        if self.kind not in FINDING_KINDS:
            raise ValueError(
                f"kind={self.kind!r} 不是已知的分析发现类型 / unknown; 可选 / allowed: {list(FINDING_KINDS)}"
            )
        if self.hazard_level not in schema.ENUMS["hazard_level"]:
            raise ValueError(
                f"hazard_level={self.hazard_level!r}; 可选 / allowed: {list(schema.ENUMS['hazard_level'])}"
            )
        if self.category is not None and self.category not in schema.ENUMS["rectification_category"]:
            raise ValueError(
                f"category={self.category!r}; 可选 / allowed: {list(schema.ENUMS['rectification_category'])}"
            )
        if not self.subject_ids:
            raise ValueError(
                "subject_ids 不能为空：请给出涉及的要素编号 / subject_ids must name the features"
            )
        if not isinstance(self.geometry, BaseGeometry) or self.geometry.is_empty:
            raise ValueError(f"geometry={self.geometry!r} 必须是非空几何 / must be a non-empty geometry")

    @property
    def key(self) -> str:
        """Stable identity: ``kind:sorted subject ids``."""
        return f"{self.kind}:{'|'.join(sorted(map(str, self.subject_ids)))}"

    @property
    def detail_zh(self) -> str:
        """Description, evidence, suggested measure and basis in one Chinese text (kept with the item link)."""
        parts = [self.description_zh]
        if self.evidence:
            parts.append("分析数据：" + "；".join(e.text_zh() for e in self.evidence))
        if self.measure_zh:
            parts.append("建议措施：" + self.measure_zh)
        if self.basis_zh:
            parts.append("判定依据：" + self.basis_zh)
        return "。".join(p.rstrip("。") for p in parts) + "。"


@dataclass(frozen=True)
class ProposalOptions:
    """How findings become items. The deadlines are this project's defaults (a general hazard within a month, a
    major one within a quarter), not a regulatory limit: the park sets the real ones ([2]_ 第十五条)."""

    general_days: int = 30
    major_days: int = 90
    responsible: str = "企业主要负责人"
    park_responsible: str = "园区安全监管部门"


@dataclass(frozen=True)
class ProposedItem:
    """A proposed item (``record``, ready for :meth:`geodata.store.RectificationStore.create_from_findings`) and its
    link to the finding (``link``)."""

    record: dict[str, Any]
    link: dict[str, Any]
    finding: Finding = field(compare=False)


def propose_items(
    findings: Iterable[Finding],
    *,
    park_id: str,
    today: dt.date | str,
    options: ProposalOptions = ProposalOptions(),
) -> list[ProposedItem]:
    """One proposed ``open`` item per finding, source ``analysis``, linked to it.

    The item id is ``<park_id>-AN-<8 hex of the finding key>``: the same finding always proposes the same id, so
    the store refuses to create it twice. Duplicate findings in the input are proposed once.
    """
    found_on = to_iso_date(today)
    out: list[ProposedItem] = []
    seen: set[str] = set()
    for f in findings:
        if f.key in seen:
            continue
        seen.add(f.key)
        days = options.major_days if f.hazard_level == "major" else options.general_days
        geom = f.geometry
        if geom.geom_type not in _SPEC.geometry_types:
            geom = geom.representative_point()
        digest = hashlib.sha1(f.key.encode("utf-8")).hexdigest()[:8].upper()
        record = {
            "item_id": f"{park_id}-AN-{digest}",
            "park_id": park_id,
            "enterprise_id": f.enterprise_id,
            "title": f.description_zh,
            "category": f.category or FINDING_KINDS[f.kind][1],
            "hazard_level": f.hazard_level,
            "source": "analysis",
            "found_on": found_on,
            "deadline": (pd.Timestamp(found_on) + pd.Timedelta(days=days)).date().isoformat(),
            "responsible": options.responsible if f.enterprise_id else options.park_responsible,
            "status": "open",
            "closed_on": None,
            "geometry": geom,
        }
        link = {
            "finding_key": f.key,
            "kind": f.kind,
            "subject_ids": list(map(str, f.subject_ids)),
            "description_zh": f.detail_zh,
        }
        out.append(ProposedItem(record, link, f))
    return out


# ---------------------------------------------------------------------------------------------------------------
# Spreadsheet tables (import of inspection lists, export of the plan)
# ---------------------------------------------------------------------------------------------------------------
#: Chinese header of each column in exported tables (the schema labels) plus coordinates.
HEADERS_ZH: dict[str, str] = {c.name: c.label_zh for c in _SPEC.columns} | {
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


# ---------------------------------------------------------------------------------------------------------------
# Plan report content (rendered to Word/Excel by app.reports)
# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlanReport:
    """What a 一园一策 / 一企一策 plan document says (no formatting).

    Attributes
    ----------
    title : str
    scope_zh : str
        "园区" or the enterprise name.
    as_of : str
        Date of the statistics (``YYYY-MM-DD``).
    summary : list of (label, value text)
        Headline figures with units.
    by_enterprise, by_category : DataFrame
        :func:`closure_stats` tables with Chinese headers and percentages.
    items : DataFrame
        Every item (Chinese headers), major first, then by deadline.
    major : DataFrame
        The major hazards.
    overdue : DataFrame
        Overdue items with the days overdue.
    trend : DataFrame
        :func:`monthly_trend`.
    """

    title: str
    scope_zh: str
    as_of: str
    summary: list[tuple[str, str]]
    by_enterprise: pd.DataFrame
    by_category: pd.DataFrame
    items: pd.DataFrame
    major: pd.DataFrame
    overdue: pd.DataFrame
    trend: pd.DataFrame


def _pct(x: float) -> str:
    return "—" if x != x else f"{100.0 * x:.1f}%"


def _stats_table(stats: pd.DataFrame, group_zh: str, labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    labels = labels or {}
    return pd.DataFrame(
        {
            group_zh: [labels.get(str(g), str(g)) for g in stats["group"]],
            "事项数（项）": stats["total"],
            "已销号（项）": stats["closed"],
            "整改率": [_pct(x) for x in stats["closure_rate"]],
            "逾期（项）": stats["overdue"],
            "重大隐患（项）": stats["major"],
            "重大隐患整改率": [_pct(x) for x in stats["major_closure_rate"]],
        }
    )


def _items_table(items: pd.DataFrame, today: pd.Timestamp, names: Mapping[str, str]) -> pd.DataFrame:
    od = days_overdue(items, today=today)
    return pd.DataFrame(
        {
            "编号": items["item_id"].astype(str).to_numpy(),
            "责任企业": [
                names.get(str(e), str(e)) if not is_missing(e) else "（园区）" for e in items["enterprise_id"]
            ],
            "隐患/问题描述": items["title"].astype(str).to_numpy(),
            "类别": [schema.label_zh("rectification_category", c) for c in items["category"]],
            "等级": [schema.label_zh("hazard_level", c) for c in items["hazard_level"]],
            "整改期限": _dates(items["deadline"]).dt.strftime("%Y-%m-%d").to_numpy(),
            "责任人": items["responsible"].astype(str).to_numpy(),
            "状态": [schema.label_zh("rectification_status", s) for s in items["status"]],
            "逾期（天）": [str(d) if d > 0 else "" for d in od],
        }
    )


def plan_report(
    items: pd.DataFrame,
    *,
    park_name: str,
    today: dt.date | str | None = None,
    enterprise_names: Mapping[str, str] | None = None,
    enterprise_id: str | None = None,
) -> PlanReport:
    """The content of the park plan (一园一策), or of one enterprise's plan (一企一策) when ``enterprise_id`` is
    given (only that enterprise's items)."""
    t = _as_date(today)
    names = dict(enterprise_names or {})
    if enterprise_id is not None:
        items = items[items["enterprise_id"] == enterprise_id]
        scope = names.get(enterprise_id, enterprise_id)
        title = f"{park_name} {scope} 安全隐患整改方案（一企一策）"
    else:
        scope = "园区"
        title = f"{park_name} 安全风险隐患整改方案（一园一策）"
    items = items.reset_index(drop=True)
    overall = closure_stats(items, today=t).iloc[0]
    od = overdue_mask(items, today=t)
    n_status = {s: int((items["status"] == s).sum()) for s in STATUSES}
    summary = [
        ("统计截止日期", t.strftime("%Y-%m-%d")),
        ("整改事项总数", f"{int(overall['total'])} 项"),
        ("已销号", f"{int(overall['closed'])} 项"),
        ("整改率", _pct(float(overall["closure_rate"]))),
        (
            "待整改 / 整改中 / 待验收",
            f"{n_status['open']} 项 / {n_status['in_progress']} 项 / {n_status['awaiting_acceptance']} 项",
        ),
        ("逾期未销号", f"{int(od.sum())} 项"),
        (
            "重大隐患",
            f"{int(overall['major'])} 项（已销号 {int(overall['major_closed'])} 项，"
            f"整改率 {_pct(float(overall['major_closure_rate']))}）",
        ),
    ]
    order = items.assign(_m=(items["hazard_level"] != "major").astype(int), _d=_dates(items["deadline"]))
    order = order.sort_values(["_m", "_d", "item_id"]).drop(columns=["_m", "_d"]).reset_index(drop=True)
    all_tbl = _items_table(order, t, names)
    major = all_tbl[order["hazard_level"].to_numpy() == "major"].reset_index(drop=True)
    overdue = all_tbl[overdue_mask(order, today=t)].reset_index(drop=True)
    cat_labels = schema.ENUM_LABELS_ZH["rectification_category"]
    by_ent = _stats_table(closure_stats(items, by="enterprise_id", today=t), "企业", names)
    by_cat = _stats_table(closure_stats(items, by="category", today=t), "类别", cat_labels)
    return PlanReport(
        title=title,
        scope_zh=scope,
        as_of=t.strftime("%Y-%m-%d"),
        summary=summary,
        by_enterprise=by_ent,
        by_category=by_cat,
        items=all_tbl,
        major=major,
        overdue=overdue,
        trend=monthly_trend(items, today=t),
    )

"""Content of a 一园一策 / 一企一策 plan document (rendered to Word/Excel by :mod:`app.reports`; no formatting here)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from analysis.regulation.rectification.stats import (
    _as_date,
    _dates,
    closure_stats,
    days_overdue,
    monthly_trend,
    overdue_mask,
)
from geodata import schema
from geodata.store.lifecycle import STATUSES
from geodata.store.records import is_missing

__all__ = ["PlanReport", "plan_report"]


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

"""Content of a 一园一策 / 一企一策 plan document (rendered to Word/Excel by :mod:`app.reports`; no formatting here).

References
----------
.. [1] 国家安全生产监督管理总局. 安全生产事故隐患排查治理暂行规定（第16号令）, 2008, 第十五条: the 治理方案 of a
   重大事故隐患 states its targets and tasks, methods and measures, funds and materials, the body and persons
   responsible, the time limit and requirements, and the safety measures and emergency plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from analysis.regulation.rectification.stats import (
    ON_TIME_DEFINITION_ZH,
    _as_date,
    _dates,
    closure_stats,
    days_overdue,
    major_mask,
    monthly_trend,
    overdue_mask,
)
from geodata import schema
from geodata.store.lifecycle import STATUSES
from geodata.store.records import is_missing

__all__ = ["PlanReport", "plan_report", "NOT_FILLED_ZH"]


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
        Headline figures with units (the last row: the definitions of 整改率 and 按期整改率).
    by_enterprise, by_category : DataFrame
        :func:`closure_stats` tables with Chinese headers and percentages.
    items : DataFrame
        Every item (Chinese headers), major first, then by deadline.
    major : DataFrame
        The major hazards with the contents of their 治理方案 ([1]_ 第十五条): measures (整改措施), funds
        (整改资金, 万元), the person responsible, the deadline, and the safety measures and emergency plan
        (安全措施和应急预案); "未填写" where the item does not record one yet.
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
            "按期整改率": [_pct(x) for x in stats["on_time_rate"]],
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


#: What the major-hazard table shows where an item does not record a measure, funds or a plan yet.
NOT_FILLED_ZH = "未填写"


def _text_or_missing(values) -> list[str]:
    return [NOT_FILLED_ZH if is_missing(v) or not str(v).strip() else str(v).strip() for v in values]


def _major_table(items: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """The 重大隐患 with the contents of their 治理方案 ([1]_ 第十五条)."""

    def col(name: str) -> pd.Series:
        return items[name] if name in items.columns else pd.Series([None] * len(items), index=items.index)

    funds = pd.to_numeric(col("funds_cny"), errors="coerce")
    return pd.DataFrame(
        {
            "编号": items["item_id"].astype(str).to_numpy(),
            "责任企业": [
                names.get(str(e), str(e)) if not is_missing(e) else "（园区）" for e in items["enterprise_id"]
            ],
            "隐患/问题描述": items["title"].astype(str).to_numpy(),
            "整改措施": _text_or_missing(col("measures")),
            "整改资金（万元）": [
                NOT_FILLED_ZH if f != f else f"{f / 1e4:,.2f}".rstrip("0").rstrip(".")  # 1 万元 = 10⁴ 元
                for f in funds
            ],
            "责任人": items["responsible"].astype(str).to_numpy(),
            "整改期限": _dates(items["deadline"]).dt.strftime("%Y-%m-%d").to_numpy(),
            "安全措施和应急预案": _text_or_missing(col("contingency_plan")),
            "状态": [schema.label_zh("rectification_status", s) for s in items["status"]],
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
            "按期整改率",
            f"{_pct(float(overall['on_time_rate']))}（按期销号 {int(overall['on_time'])} 项 / "
            f"已到期 {int(overall['due'])} 项）",
        ),
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
        ("指标定义", ON_TIME_DEFINITION_ZH),
    ]
    order = items.assign(_m=(items["hazard_level"] != "major").astype(int), _d=_dates(items["deadline"]))
    order = order.sort_values(["_m", "_d", "item_id"]).drop(columns=["_m", "_d"]).reset_index(drop=True)
    all_tbl = _items_table(order, t, names)
    major = _major_table(order[major_mask(order)].reset_index(drop=True), names)
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

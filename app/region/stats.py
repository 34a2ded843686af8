"""The regulator's view of a region: parks ranked, the monthly trend, and the parks a user may see.

Date-dependent figures are computed here from each park's rectification items (:data:`app.region.compute.ITEM_FIELDS`)
by the one statistics module, :mod:`analysis.regulation.rectification.stats` (整改率, 按期整改率 — H5's
``on_time_rate`` of :func:`closure_stats` — overdue items, 重大隐患, :func:`monthly_trend`), as of a reporting date:
items found after it are left out and items closed after it count as not closed then.

Ranking (most in need of supervision first): park grade A → D (no grade last), then open 重大隐患, overdue items,
red enterprises, failed GB 36894 targets (existing-plant limits), the largest individual risk outside the park, and
the park id.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from analysis.regulation.park_grading import GRADE_LABELS_ZH
from analysis.regulation.rectification import closure_stats, monthly_trend
from app.present.numbers import sci_zh
from app.region.compute import ITEM_FIELDS

__all__ = [
    "month_end",
    "visible_results",
    "items_frame",
    "items_as_of",
    "ranking",
    "ranking_zh",
    "region_trend",
    "trend_zh",
    "region_totals",
]

_GRADE_ORDER = {"A": 0, "B": 1, "C": 2, "D": 3}


def month_end(month: str) -> dt.date:
    """The last day of ``month`` (``YYYY-MM``).

    Raises
    ------
    ValueError
        Not of the form ``YYYY-MM`` (Chinese message with an example).
    """
    m = re.fullmatch(r"(\d{4})-(\d{2})", str(month).strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(f"月份 {month!r} 无效：应写成 年-月，例如 2026-11")
    y, mo = int(m.group(1)), int(m.group(2))
    return dt.date(y, mo, calendar.monthrange(y, mo)[1])


def visible_results(results: Iterable[dict[str, Any]], parks: frozenset[str] | None) -> list[dict[str, Any]]:
    """The results of the parks a user may see: all when ``parks`` is None, else those whose ``park_id`` (or file
    stem) is in ``parks`` (:func:`app.region.scope.user_parks`)."""
    out = list(results)
    if parks is None:
        return out
    return [r for r in out if r.get("park_id") in parks]


def items_frame(results: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """All rectification items of the parks, with ``park_id`` (dates as ``datetime64``)."""
    rows = [{**item, "park_id": r.get("park_id")} for r in results for item in r.get("items", ())]
    df = pd.DataFrame(rows, columns=[*ITEM_FIELDS, "park_id"])
    for c in ("found_on", "deadline", "closed_on"):
        df[c] = pd.to_datetime(df[c], errors="coerce")
    df["major_hazard_item"] = pd.to_numeric(df["major_hazard_item"], errors="coerce")
    return df


def items_as_of(items: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    """The items as they stood at the end of ``day``: found by then; closed only if closed by then."""
    t = pd.Timestamp(day)
    found = items["found_on"]
    kept = items[found.isna() | (found <= t)].copy()
    late = (kept["status"] == "closed") & (kept["closed_on"].isna() | (kept["closed_on"] > t))
    kept.loc[late, "status"] = "in_progress"
    kept.loc[late, "closed_on"] = pd.NaT
    return kept


def _rect_by_park(results: list[dict[str, Any]], day: dt.date) -> pd.DataFrame:
    items = items_as_of(items_frame(results), day)
    stats = closure_stats(items, by="park_id", today=day) if len(items) else pd.DataFrame(columns=["group"])
    return stats.set_index("group")


def ranking(results: Iterable[dict[str, Any]], *, day: dt.date) -> pd.DataFrame:
    """One row per park, most in need of supervision first (see the module docstring).

    Columns: ``rank``, ``park_id``, ``name``, ``file``, ``grade``, ``n_enterprises``, ``colour_red``,
    ``colour_orange``, ``two_key``, ``major_hazards``, ``major_grade_1`` … ``major_grade_4``, ``items`` [-],
    ``closed`` [-], ``closure_rate`` [-], ``due`` [-], ``on_time_rate`` [-], ``overdue`` [-], ``major_open`` [-],
    ``ir_max_outside`` [1/a] (NaN when not computed), ``targets_failed_existing``, ``targets_failed_new``,
    ``pll`` [人/a] (NaN when not computed), ``fn_verdict`` (the F-N curve against the park's GB 36894 lines, ""
    when not computed), ``fn_criterion_confirmed``, ``generic_weather``, ``lon``, ``lat`` [°], ``errors`` (Chinese, joined).
    """
    res = list(results)
    rect = _rect_by_park(res, day)
    rows = []
    for r in res:
        pid = r.get("park_id")
        s = rect.loc[pid] if pid in rect.index else None

        def rv(col, s=s, default=0):
            return default if s is None else s[col]

        rows.append(
            {
                "park_id": pid,
                "name": r.get("name") or r.get("file"),
                "file": r.get("file"),
                "grade": r.get("grade", ""),
                "n_enterprises": r.get("n_enterprises", 0),
                "colour_red": r.get("colour_red", 0),
                "colour_orange": r.get("colour_orange", 0),
                "two_key": r.get("two_key", 0),
                "major_hazards": r.get("major_hazards", 0),
                **{f"major_grade_{g}": r.get(f"major_grade_{g}", 0) for g in (1, 2, 3, 4)},
                "items": int(rv("total")),
                "closed": int(rv("closed")),
                "closure_rate": float(rv("closure_rate", default=np.nan)),
                "due": int(rv("due")),
                "on_time_rate": float(rv("on_time_rate", default=np.nan)),
                "overdue": int(rv("overdue")),
                "major_open": int(rv("major")) - int(rv("major_closed")),
                "ir_max_outside": float(r["ir_max_outside"]) if "ir_max_outside" in r else np.nan,
                "targets_failed_existing": r.get("targets_failed_existing", 0),
                "targets_failed_new": r.get("targets_failed_new", 0),
                "pll": float(r["pll"]) if "pll" in r else np.nan,
                "fn_verdict": str(r.get("fn_verdict", "")),
                "fn_criterion_confirmed": bool(r.get("fn_criterion_confirmed", False)),
                "generic_weather": bool(r.get("generic_weather", False)),
                "lon": r.get("lon", np.nan),
                "lat": r.get("lat", np.nan),
                "errors": "；".join(r.get("errors", ())),
            }
        )
    df = pd.DataFrame(rows)
    if df.empty:
        return df.assign(rank=pd.Series(dtype=int))
    df["_g"] = df["grade"].map(_GRADE_ORDER).fillna(9)
    df["_ir"] = df["ir_max_outside"].fillna(-1.0)
    df = df.sort_values(
        ["_g", "major_open", "overdue", "colour_red", "targets_failed_existing", "_ir", "park_id"],
        ascending=[True, False, False, False, False, False, True],
        kind="stable",
    ).drop(columns=["_g", "_ir"])
    df.insert(0, "rank", np.arange(1, len(df) + 1))
    return df.reset_index(drop=True)


def _pct(x: float) -> str:
    return "—" if pd.isna(x) else f"{100 * x:.1f}%"


def _sci(x: float) -> str:
    return "未计算" if pd.isna(x) else sci_zh(x, 3)  # 1.62×10⁻⁵ (app.present.numbers)


def _fn_zh(verdict: str, confirmed: bool) -> str:
    """The F-N verdict in Chinese, and whether the park's lines are its confirmed constants or the standard's."""
    from app.reports.risk_tables import region_zh

    if not verdict:
        return "未计算"
    return region_zh(verdict) + ("（园区核对的判据常数）" if confirmed else "（判据常数未核对）")


def ranking_zh(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`ranking` with Chinese columns, units and text (for the page, the bulletin and the workbook)."""
    if table.empty:
        return pd.DataFrame(columns=["排名", "园区", "园区等级"])
    return pd.DataFrame(
        {
            "排名": table["rank"],
            "园区": table["name"],
            "园区编号": table["park_id"],
            "园区等级": [GRADE_LABELS_ZH.get(g, "未定级") for g in table["grade"]],
            "红色企业（家）": table["colour_red"],
            "橙色企业（家）": table["colour_orange"],
            "两重点一重大企业（家）": table["two_key"],
            "重大危险源 一级/二级/三级/四级（个）": [
                f"{a}/{b}/{c}/{d}"
                for a, b, c, d in zip(
                    table["major_grade_1"],
                    table["major_grade_2"],
                    table["major_grade_3"],
                    table["major_grade_4"],
                    strict=True,
                )
            ],
            "未销号重大隐患（项）": table["major_open"],
            "整改率": [_pct(x) for x in table["closure_rate"]],
            "按期整改率": [_pct(x) for x in table["on_time_rate"]],
            "逾期未整改（项）": table["overdue"],
            "园区外最大个人风险（/年）": [_sci(x) for x in table["ir_max_outside"]],
            "不满足 GB 36894 在役基准的防护目标（个）": table["targets_failed_existing"],
            "不满足新建基准（个）": table["targets_failed_new"],
            "社会风险（GB 36894 F-N）": [
                _fn_zh(v, c)
                for v, c in zip(table["fn_verdict"], table["fn_criterion_confirmed"], strict=True)
            ],
            "潜在生命损失 PLL（人/年）": [_sci(x) for x in table["pll"]],
            "说明": [
                ("通用示意风玫瑰（非本园区气象资料）；" if g else "") + (e or "")
                for g, e in zip(table["generic_weather"], table["errors"], strict=True)
            ],
        }
    )


def region_trend(results: Iterable[dict[str, Any]], *, day: dt.date, months: int = 12) -> pd.DataFrame:
    """Monthly trend of the region's items (:func:`monthly_trend`) over the ``months`` months ending with the month
    of ``day``: found, closed, cumulative 整改率, open and overdue at each month's end."""
    items = items_frame(results)
    start = (pd.Timestamp(day).to_period("M") - (months - 1)).start_time.date()
    if items.empty:
        return monthly_trend(items, today=day)
    return monthly_trend(items, start=start, end=day, today=day)


def trend_zh(trend: pd.DataFrame) -> pd.DataFrame:
    """The monthly trend with Chinese columns."""
    return pd.DataFrame(
        {
            "月份": trend["month"],
            "新发现（项）": trend["found"],
            "销号（项）": trend["closed"],
            "累计整改率": [_pct(x) for x in trend["closure_rate"]],
            "月末未销号（项）": trend["open_at_end"],
            "月末逾期（项）": trend["overdue_at_end"],
        }
    )


def region_totals(table: pd.DataFrame, results: Iterable[dict[str, Any]], *, day: dt.date) -> dict[str, Any]:
    """Totals of the region on ``day``: parks by grade, red/orange enterprises, major hazards by grade, items,
    整改率 and 按期整改率 over all items, overdue, open 重大隐患, parks with failed targets, failed parks."""
    items = items_as_of(items_frame(results), day)
    overall = closure_stats(items, today=day).iloc[0]
    return {
        "parks": int(len(table)),
        "by_grade": {g: int((table["grade"] == g).sum()) for g in ("A", "B", "C", "D")} if len(table) else {},
        "red": int(table["colour_red"].sum()) if len(table) else 0,
        "orange": int(table["colour_orange"].sum()) if len(table) else 0,
        "major_by_grade": {g: int(table[f"major_grade_{g}"].sum()) for g in (1, 2, 3, 4)}
        if len(table)
        else {},
        "items": int(overall["total"]),
        "closure_rate": float(overall["closure_rate"]),
        "on_time_rate": float(overall["on_time_rate"]),
        "overdue": int(overall["overdue"]),
        "major_open": int(overall["major"] - overall["major_closed"]),
        "parks_failing_targets": int((table["targets_failed_existing"] > 0).sum()) if len(table) else 0,
        "failed_parks": int((table["errors"] != "").sum()) if len(table) else 0,
    }

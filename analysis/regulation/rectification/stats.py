"""Statistics of rectification items: overdue, closure rate (整改率), monthly trend, major hazards.

Definitions (also in :mod:`analysis.regulation.rectification`): 整改率 = items closed (销号) / items found [-]
([1]_ 第十四条/第二十条); 逾期 on a date *d*: deadline before *d* and not closed on *d* ([2]_ 第十五条); 重大隐患
reported separately ([2]_ 第十条, criteria [3]_; an item citing one of the 20 items of [3]_ in ``major_hazard_item``
is a 重大隐患 whatever its ``hazard_level``); 按期整改率 = items closed on or before their deadline / items due, where
an item is due when it is closed or its deadline is before *d* (the current deadline: an approved extension counts,
[2]_ 第十五条).

References
----------
.. [1] 应急管理部. 化工园区安全风险排查治理导则（应急〔2023〕123号）, 2023.
.. [2] 国家安全生产监督管理总局. 安全生产事故隐患排查治理暂行规定（第16号令）, 2008.
.. [3] 应急管理部. 化工和危险化学品生产经营单位重大生产安全事故隐患判定标准（试行）（安监总管三〔2017〕121号）, 2017.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from geodata.store.records import to_iso_date

__all__ = [
    "ON_TIME_DEFINITION_ZH",
    "GROUP_COLUMNS",
    "overdue_mask",
    "days_overdue",
    "closure_stats",
    "default_extension",
    "monthly_trend",
    "major_items",
    "major_mask",
]


#: The definition of 按期整改率 as shown beside it on the page and in the plan documents.
ON_TIME_DEFINITION_ZH = (
    "按期整改率 = 在整改期限当日或之前销号的事项数 ÷ 已到期事项数（已销号、或整改期限早于统计日期的事项）；"
    "整改期限以批准延期后的期限为准（《安全生产事故隐患排查治理暂行规定》第十五条：按期完成整改）。"
    "整改率 = 已销号事项数 ÷ 全部事项数。"
)


def _as_date(today: dt.date | str | None) -> pd.Timestamp:
    if today is None:
        return pd.Timestamp(dt.datetime.now(ZoneInfo("Asia/Shanghai")).date())  # the day in Beijing
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


def major_mask(items: pd.DataFrame) -> np.ndarray:
    """True for a 重大隐患: ``hazard_level == "major"`` or an item of [3]_ cited in ``major_hazard_item``."""
    major = (items["hazard_level"] == "major").to_numpy(dtype=bool, copy=True)
    if "major_hazard_item" in items:
        major |= items["major_hazard_item"].notna().to_numpy(dtype=bool)
    return major


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
        ``major_closed`` [-], ``major_closure_rate`` [-], ``major_overdue`` [-], ``due`` [-] (closed or deadline
        passed), ``on_time`` [-] (closed on or before the deadline), ``on_time_rate`` [-] (按期整改率, NaN when
        nothing is due).

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
            "major": major_mask(items),
            "due": _due(items, today),
            "on_time": _on_time(items),
        },
        index=range(len(items)),
    )
    df["major_closed"] = df["major"] & df["closed"]
    df["major_overdue"] = df["major"] & df["overdue"]
    counts = ["closed", "overdue", "major", "major_closed", "major_overdue", "due", "on_time"]
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
        out["on_time_rate"] = np.where(
            out["due"] > 0, out["on_time"] / out["due"].where(out["due"] > 0), np.nan
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
        "due",
        "on_time",
        "on_time_rate",
    ]
    rates = {"closure_rate": float, "major_closure_rate": float, "on_time_rate": float}
    return out[cols].astype(rates).reset_index(drop=True)


def _due(items: pd.DataFrame, today: dt.date | str | None) -> np.ndarray:
    """Closed, or the deadline before ``today``."""
    closed = (items["status"] == "closed").to_numpy(dtype=bool)
    return closed | (_dates(items["deadline"]) < _as_date(today)).to_numpy(dtype=bool)


def _on_time(items: pd.DataFrame) -> np.ndarray:
    """Closed on or before the (current) deadline."""
    closed = (items["status"] == "closed").to_numpy(dtype=bool)
    return closed & (_dates(items["closed_on"]) <= _dates(items["deadline"])).to_numpy(dtype=bool)


def default_extension(deadline: dt.date | str, today: dt.date | str, *, days: int = 30) -> dt.date:
    """The new deadline proposed when an extension is approved: ``days`` after the current deadline, or after
    ``today`` when the deadline has already passed — never in the past.

    Parameters
    ----------
    deadline : date or ``YYYY-MM-DD``
        The current deadline.
    today : date or ``YYYY-MM-DD``
    days : int
        Length of the proposed extension. [d]
    """
    d, t = _as_date(deadline).date(), _as_date(today).date()
    return max(d, t) + dt.timedelta(days=days)


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
    out = items[major_mask(items)]
    return out.sort_values(["deadline", "item_id"]).reset_index(drop=True)

"""The 一园一策 plan to Excel (openpyxl) and inspection lists from Excel.

The items sheet uses the Chinese headers of :data:`analysis.regulation.rectification.HEADERS_ZH`, so an exported workbook can
be edited and imported again (:func:`read_inspection_xlsx` + :func:`analysis.regulation.rectification.parse_inspection_table`).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from analysis.regulation.rectification import export_table, plan_report
from app.present.numbers import beijing_zh
from geodata import schema
from geodata.store.roles import ROLE_LABELS_ZH

__all__ = ["ITEMS_SHEET", "write_plan_xlsx", "read_inspection_xlsx"]

ITEMS_SHEET = "整改事项"
_HISTORY_HEADERS = {
    "item_id": "事项编号",
    "at": "时间（北京时间）",
    "username": "操作人",
    "role": "角色",
    "action": "操作",
    "from_state": "原状态",
    "to_state": "新状态",
    "comment": "说明",
    "old_deadline": "原整改期限",
    "new_deadline": "新整改期限",
    "reason": "原因",
    "approved_by": "批准人",
}


def _style(ws) -> None:
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    ws.freeze_panes = "A2"
    for j, col in enumerate(ws.iter_cols(min_row=1, max_row=min(ws.max_row, 200)), start=1):
        width = max((len(str(c.value)) if c.value is not None else 0) for c in col)
        ws.column_dimensions[get_column_letter(j)].width = min(60, max(8, 1.8 * width + 2))


def write_plan_xlsx(
    items: pd.DataFrame,
    path: str | os.PathLike,
    *,
    park_name: str = "",
    history: pd.DataFrame | None = None,
    enterprise_names: Mapping[str, str] | None = None,
    today: dt.date | str | None = None,
) -> Path:
    """Write sheets 整改事项 (importable), 统计 (overall, by enterprise, by category) and 历史记录 (when given)."""
    names = dict(enterprise_names or {})
    rep = plan_report(items, park_name=park_name, today=today, enterprise_names=names)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(out, engine="openpyxl") as xw:
        export_table(items, today=today, enterprise_names=names).to_excel(
            xw, sheet_name=ITEMS_SHEET, index=False
        )
        summary = pd.DataFrame(rep.summary, columns=["指标", "数值"])
        summary.to_excel(xw, sheet_name="统计", index=False)
        rep.by_enterprise.to_excel(xw, sheet_name="统计", index=False, startrow=len(summary) + 2)
        rep.by_category.to_excel(
            xw, sheet_name="统计", index=False, startrow=len(summary) + len(rep.by_enterprise) + 4
        )
        trend = rep.trend.rename(
            columns={
                "month": "月份",
                "found": "新发现（项）",
                "closed": "销号（项）",
                "cum_found": "累计发现（项）",
                "cum_closed": "累计销号（项）",
                "closure_rate": "累计整改率",
                "open_at_end": "月末未销号（项）",
                "overdue_at_end": "月末逾期（项）",
            }
        )
        trend.to_excel(xw, sheet_name="月度趋势", index=False)
        if history is not None:
            h = history[[c for c in _HISTORY_HEADERS if c in history.columns]].copy()
            from geodata.store.lifecycle import ACTION_LABELS_ZH

            h["action"] = [ACTION_LABELS_ZH.get(a, a) for a in h["action"]]
            if "at" in h:
                h["at"] = [beijing_zh(t, seconds=True) for t in h["at"]]  # stored in UTC
            if "role" in h:
                h["role"] = [ROLE_LABELS_ZH.get(r, r) for r in h["role"]]
            for c in ("from_state", "to_state"):
                h[c] = [schema.label_zh("rectification_status", s) for s in h[c]]
            h.rename(columns=_HISTORY_HEADERS).to_excel(xw, sheet_name="历史记录", index=False)
        for ws in xw.book.worksheets:
            _style(ws)
    return out


def read_inspection_xlsx(path: str | os.PathLike, *, sheet: str | int = 0) -> pd.DataFrame:
    """The first (or named) sheet as text/number/date cells (no dtype guessing on ids)."""
    return pd.read_excel(path, sheet_name=sheet, dtype=object, engine="openpyxl")

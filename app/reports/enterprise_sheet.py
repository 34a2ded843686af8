"""一企一表: one enterprise's safety-risk score sheet (应急〔2018〕19号) as Excel and Word.

Both files carry the same content: the enterprise, its score and colour (computed and as typed in the data), the
forced-red conditions that hold, and one row per item of the guide with its points, value, evidence and source
(data or checklist), so an inspector can check every deduction.
"""

from __future__ import annotations

import io
from typing import Any

import pandas as pd

from app.present.regulator import ITEM_SOURCE_ZH, colour_zh
from app.reports.docx_parts import add_table as _add_table
from app.reports.docx_parts import heading as _heading
from app.reports.docx_parts import para as _para

__all__ = ["sheet_table", "sheet_summary", "enterprise_sheet_xlsx", "enterprise_sheet_docx"]

_WIDTHS = {"类别": 2.6, "评分项": 5.6, "得分": 1.3, "取值": 1.5, "依据": 5.4, "来源": 1.4}


def _value_zh(v: Any) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return "—"
    if isinstance(v, bool):
        return "是" if v else "否"
    return f"{v:g}" if isinstance(v, float) else str(v)


def sheet_table(result: Any) -> pd.DataFrame:
    """The items of an :class:`analysis.regulation.enterprise_risk.EnterpriseScore` with Chinese headers."""
    it = result.items
    return pd.DataFrame(
        {
            "类别": it["group"],
            "评分项": it["item"],
            "得分": [f"{p:+g}" if p else "0" for p in it["points"]],
            "取值": [_value_zh(v) for v in it["value"]],
            "依据": it["evidence"],
            "来源": [ITEM_SOURCE_ZH.get(s, s) for s in it["source"]],
        }
    )


def sheet_summary(result: Any, *, park_name: str) -> pd.DataFrame:
    """Key-value rows of the sheet's header."""
    rows = [
        ("园区", park_name),
        ("企业编号", result.enterprise_id),
        ("企业名称", result.name),
        ("计算得分（分）", f"{result.score:g}"),
        ("计算风险等级", colour_zh(result.colour)),
        ("数据中的风险等级", colour_zh(result.data_colour)),
        ("直接判定为红色的情形", "；".join(result.forced_red) or "无"),
        (
            "未填报的核查项",
            f"{len(result.unanswered)} 项（按不扣分计，得分为上限）" if result.unanswered else "无",
        ),
        ("差异说明", result.explanation or "计算结果与数据一致"),
        ("依据", "危险化学品生产储存企业安全风险评估诊断分级指南（试行），应急〔2018〕19号"),
    ]
    return pd.DataFrame(rows, columns=["项目", "内容"])


def enterprise_sheet_xlsx(result: Any, *, park_name: str) -> bytes:
    """The sheet as an Excel workbook: sheet 企业安全风险评分 (summary above, items below)."""
    buf = io.BytesIO()
    summary = sheet_summary(result, park_name=park_name)
    table = sheet_table(result)
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        summary.to_excel(xw, sheet_name="企业安全风险评分", index=False)
        table.to_excel(xw, sheet_name="企业安全风险评分", index=False, startrow=len(summary) + 2)
        ws = xw.sheets["企业安全风险评分"]
        for col, width in zip("ABCDEF", (18, 48, 8, 8, 60, 10), strict=True):
            ws.column_dimensions[col].width = width
        ws.freeze_panes = f"A{len(summary) + 4}"
    return buf.getvalue()


def enterprise_sheet_docx(result: Any, *, park_name: str) -> bytes:
    """The sheet as a Word document (A4 portrait)."""
    from docx import Document

    doc = Document()
    _heading(doc, f"企业安全风险评估诊断分级表 · {result.name}", 1)
    _para(doc, "依据：危险化学品生产储存企业安全风险评估诊断分级指南（试行），应急〔2018〕19号", size=9)
    _add_table(doc, sheet_summary(result, park_name=park_name), size=9, widths_cm={"项目": 4.0, "内容": 13.0})
    _heading(doc, "评分明细", 2)
    _add_table(doc, sheet_table(result), size=8, widths_cm=_WIDTHS)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()

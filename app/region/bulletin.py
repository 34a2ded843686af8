"""The monthly bulletin of a region (化工园区安全风险监管月报), as a city or provincial emergency bureau sends it:
Word (python-docx) and Excel (openpyxl).

Contents, as of the last day of the month: 一、总体情况 (parks by grade, red/orange enterprises, major hazards by
grade); 二、隐患排查治理 (items found and closed in the month, 整改率, 按期整改率, overdue items, open 重大隐患,
the 12-month trend with its chart); 三、个人风险与防护目标 (GB 36894 failures, largest risk outside each park); 四、
园区排名 (the ranked table of :func:`app.region.stats.ranking`); 五、未完成计算的园区 (the parks whose computation
failed, with the error and the fix). Only the parks the reader may see are in it (:mod:`app.region.scope`).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis.regulation.park_grading import GRADE_LABELS_ZH
from app.region.stats import (
    month_end,
    ranking,
    ranking_zh,
    region_totals,
    region_trend,
    trend_zh,
)

__all__ = ["Bulletin", "make_bulletin", "bulletin_docx", "bulletin_xlsx"]


@dataclass(frozen=True)
class Bulletin:
    """The content of one month's bulletin (the Word and Excel files are drawn from it)."""

    region_zh: str
    month: str
    day: dt.date
    table: pd.DataFrame
    trend: pd.DataFrame
    totals: dict[str, Any]
    scope_zh: str

    @property
    def title(self) -> str:
        y, m = self.month.split("-")
        return f"{self.region_zh}化工园区安全风险监管月报（{int(y)}年{int(m)}月）"


def make_bulletin(
    results: Iterable[dict[str, Any]], *, month: str, region_zh: str = "本区域", scope_zh: str = ""
) -> Bulletin:
    """The bulletin of ``month`` (``YYYY-MM``) over ``results`` (already limited to the reader's parks)."""
    res = list(results)
    day = month_end(month)
    table = ranking(res, day=day)
    return Bulletin(
        region_zh=region_zh,
        month=month,
        day=day,
        table=table,
        trend=region_trend(res, day=day),
        totals=region_totals(table, res, day=day),
        scope_zh=scope_zh,
    )


def _pct(x: float) -> str:
    return "—" if pd.isna(x) else f"{100 * x:.1f}%"


def summary_paragraphs(b: Bulletin) -> list[tuple[str, str]]:
    """(heading, paragraph) of sections 一 to 三."""
    t = b.totals
    grades = "，".join(f"{GRADE_LABELS_ZH[g]} {t['by_grade'].get(g, 0)} 个" for g in ("A", "B", "C", "D"))
    major = "、".join(
        f"{z}级 {t['major_by_grade'].get(g, 0)} 个" for g, z in zip((1, 2, 3, 4), "一二三四", strict=True)
    )
    month = b.trend[b.trend["month"] == b.month] if len(b.trend) else b.trend
    found = int(month["found"].sum()) if len(month) else 0
    closed = int(month["closed"].sum()) if len(month) else 0
    failing = b.table[b.table["targets_failed_existing"] > 0] if len(b.table) else b.table
    ir_parks = b.table[b.table["ir_max_outside"].fillna(0) >= 1e-5] if len(b.table) else b.table
    return [
        (
            "一、总体情况",
            f"截至 {b.day:%Y年%m月%d日}，纳入监管的化工园区共 {t['parks']} 个：{grades}。"
            f"园区内红色（重大风险）企业 {t['red']} 家、橙色（较大风险）企业 {t['orange']} 家；"
            f"重大危险源 {major}。{b.scope_zh}",
        ),
        (
            "二、隐患排查治理",
            f"本月新发现隐患 {found} 项、销号 {closed} 项。累计登记隐患 {t['items']} 项，整改率 "
            f"{_pct(t['closure_rate'])}，按期整改率 {_pct(t['on_time_rate'])}；逾期未整改 {t['overdue']} 项，"
            f"未销号重大隐患 {t['major_open']} 项。整改率 = 已销号 / 全部事项；按期整改率 = 在期限内销号 / "
            "已到期或已销号的事项（应急〔2023〕123号；安全生产事故隐患排查治理暂行规定第十五条）。",
        ),
        (
            "三、个人风险与防护目标",
            f"{len(failing)} 个园区有防护目标不满足 GB 36894-2018 在役装置个人风险基准"
            f"（合计 {int(b.table['targets_failed_existing'].sum()) if len(b.table) else 0} 个目标）；"
            f"{len(ir_parks)} 个园区边界外个人风险最大值达到 1×10⁻⁵ /年 及以上。"
            + (
                "涉及园区："
                + "、".join(failing["name"].astype(str))
                + "，请督促开展外部安全防护距离核查和搬迁论证。"
                if len(failing)
                else ""
            ),
        ),
    ]


def bulletin_docx(b: Bulletin) -> bytes:
    """The bulletin as a Word document (.docx bytes)."""
    from docx import Document
    from docx.shared import Cm

    from app.reports.docx_parts import add_table, heading, para
    from app.reports.rectification_docx import trend_chart_png

    doc = Document()
    sec = doc.sections[0]
    sec.left_margin = sec.right_margin = Cm(1.8)
    para(doc, b.title, size=16, bold=True, center=True)
    para(
        doc, f"统计截止：{b.day:%Y年%m月%d日}（北京时间）　数据：各园区 GeoPackage 与一园一策整改台账", size=9
    )
    for head, text in summary_paragraphs(b):
        heading(doc, head, 2)
        para(doc, text)
        if head.startswith("二") and len(b.trend):
            doc.add_picture(io.BytesIO(trend_chart_png(b.trend)), width=Cm(16))
            add_table(doc, trend_zh(b.trend), size=7.5)
    heading(doc, "四、园区排名（监管重点在前）", 2)
    para(
        doc,
        "排序：园区等级（A 类在前），再按未销号重大隐患、逾期未整改事项、红色企业、不满足在役基准的防护目标、"
        "园区外最大个人风险。",
        size=9,
    )
    cols = [
        "排名",
        "园区",
        "园区等级",
        "红色企业（家）",
        "橙色企业（家）",
        "重大危险源 一级/二级/三级/四级（个）",
        "未销号重大隐患（项）",
        "整改率",
        "按期整改率",
        "逾期未整改（项）",
        "园区外最大个人风险（/年）",
        "不满足 GB 36894 在役基准的防护目标（个）",
    ]
    add_table(doc, ranking_zh(b.table)[cols] if len(b.table) else pd.DataFrame(columns=cols), size=7)
    failed = b.table[b.table["errors"] != ""] if len(b.table) else b.table
    heading(doc, "五、未完成计算的园区", 2)
    if len(failed):
        for row in failed.itertuples():
            para(doc, f"{row.name}：{row.errors}", size=9)
    else:
        para(doc, "无：全部园区计算完成。", size=9)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def bulletin_xlsx(b: Bulletin) -> bytes:
    """The bulletin's tables as an Excel workbook (.xlsx bytes): 说明, 园区排名, 月度趋势, 未完成计算."""
    failed = b.table[b.table["errors"] != ""] if len(b.table) else b.table
    sheets = {
        "说明": pd.DataFrame(
            {"项目": ["标题", "统计截止"] + [h for h, _ in summary_paragraphs(b)]}
            | {"内容": [b.title, f"{b.day:%Y-%m-%d}"] + [t for _, t in summary_paragraphs(b)]}
        ),
        "园区排名": ranking_zh(b.table),
        "月度趋势": trend_zh(b.trend),
        "未完成计算": pd.DataFrame(
            {
                "园区": failed["name"] if len(failed) else [],
                "原因与处理": failed["errors"] if len(failed) else [],
            }
        ),
    }
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        for name, df in sheets.items():
            df.to_excel(xw, sheet_name=name, index=False)
    return buf.getvalue()

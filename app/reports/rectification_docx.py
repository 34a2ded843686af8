"""The 一园一策 / 一企一策 plan as a Word document (python-docx) with a static map (matplotlib, no tiles, no network).

The content comes from :func:`analysis.regulation.rectification.plan_report`; this module only lays it out: title, summary
statistics, closure-rate tables by enterprise and category, the map, the major hazards section, the overdue list,
the full list of items and the monthly trend, in Simplified Chinese.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from analysis.regulation.rectification import PlanReport, closure_stats, overdue_mask
from app.present import OVERDUE_COLOR, PARK_BOUNDARY_COLOR, RATE_CLASSES, STATUS_COLORS, rate_class
from app.reports.docx_parts import WORD_FONT as _WORD_FONT
from app.reports.docx_parts import add_table as _add_table
from app.reports.docx_parts import heading as _heading
from app.reports.docx_parts import para as _para
from app.reports.figures import CJK_FONT_PATH, cjk_font_name, new_figure, png_bytes, use_font
from geodata import schema

__all__ = [
    "CJK_FONT_PATH",
    "cjk_font_name",
    "static_map_png",
    "trend_chart_png",
    "write_plan_docx",
    "STATUS_COLORS",
]

log = logging.getLogger(__name__)


def static_map_png(
    items: gpd.GeoDataFrame,
    *,
    parks: gpd.GeoDataFrame | None = None,
    enterprises: gpd.GeoDataFrame | None = None,
    today: dt.date | str | None = None,
    title: str = "",
    dpi: int = 200,
    focus: gpd.GeoDataFrame | None = None,
) -> bytes:
    """A PNG of the park boundary, the enterprises shaded by closure rate and the items coloured by status (overdue
    items ringed in black), with a Chinese legend and a scale bar. Drawn in the park's metric CRS; no tiles; on its
    own figure (no pyplot).

    ``focus`` (e.g. one enterprise) limits the view to its extent plus a margin; default: everything drawn."""
    from geodata.crs import metric_crs_for

    font = cjk_font_name()
    frames = [g for g in (parks, enterprises, items) if g is not None and len(g)]
    if not frames:
        raise ValueError("没有可绘制的要素（园区、企业和整改事项均为空） / nothing to draw")
    b = np.vstack([g.to_crs(4326).total_bounds for g in frames])
    lon, lat = (b[:, 0].min() + b[:, 2].max()) / 2, (b[:, 1].min() + b[:, 3].max()) / 2
    crs = metric_crs_for(lon, lat)
    fig = new_figure((7.0, 5.6), dpi)
    ax = fig.add_subplot(1, 1, 1)
    if parks is not None and len(parks):
        parks.to_crs(crs).boundary.plot(ax=ax, color=PARK_BOUNDARY_COLOR, linewidth=1.2, linestyle="--")
    legend = []
    if enterprises is not None and len(enterprises):
        legend += _draw_enterprises(ax, enterprises.to_crs(crs), items, today)
    if len(items):
        legend += _draw_items(ax, items, crs, today)
    ax.set_aspect("equal")
    if focus is not None and len(focus):
        fx0, fy0, fx1, fy1 = focus.to_crs(crs).total_bounds
        pad = 0.25 * max(fx1 - fx0, fy1 - fy0, 100.0)  # [m]
        ax.set_xlim(fx0 - pad, fx1 + pad)
        ax.set_ylim(fy0 - pad, fy1 + pad)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_xticks([])
    ax.set_yticks([])
    _scale_bar_and_north(ax)
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(handles=legend, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=6.5, frameon=False)
    use_font(fig, font)
    fig.tight_layout()
    return png_bytes(fig, dpi=dpi, bbox_inches="tight", pad_inches=0.05)


def _draw_enterprises(ax, ent: gpd.GeoDataFrame, items: gpd.GeoDataFrame, today) -> list:
    """Enterprises filled by closure-rate class (:data:`app.present.RATE_CLASSES`, printed colours) with their
    short names; returns the legend handles."""
    from matplotlib.patches import Patch

    stats = closure_stats(items, by="enterprise_id", today=today).set_index("group")["closure_rate"]
    colors = [RATE_CLASSES[rate_class(float(stats.get(e, np.nan)))].print_color for e in ent["enterprise_id"]]
    ent.plot(ax=ax, color=colors, edgecolor="#666666", linewidth=0.6)
    for _, row in ent.iterrows():
        p = row.geometry.representative_point()
        label = str(row.get("name") or row["enterprise_id"])
        for suffix in ("有限责任公司", "股份有限公司", "有限公司"):
            label = label.removesuffix(suffix)
        ax.annotate(label, (p.x, p.y), fontsize=4.5, ha="center", va="center", color="#444444")
    return [Patch(facecolor=c.print_color, edgecolor="#666666", label=c.label) for c in RATE_CLASSES.values()]


def _draw_items(ax, items: gpd.GeoDataFrame, crs, today) -> list:
    """Items as dots coloured by status (overdue ringed in black, major hazards larger); returns the legend
    handles."""
    from matplotlib.lines import Line2D

    pts = items.to_crs(crs)
    pts = pts.set_geometry(pts.geometry.representative_point())
    od = overdue_mask(items, today=today)
    for status, color in STATUS_COLORS.items():
        sel = (pts["status"] == status).to_numpy()
        for mask, edge, lw in ((sel & ~od, "white", 0.6), (sel & od, OVERDUE_COLOR, 1.4)):
            if mask.any():
                sub = pts[mask]
                size = np.where(sub["hazard_level"] == "major", 46, 22)
                ax.scatter(
                    sub.geometry.x,
                    sub.geometry.y,
                    s=size,
                    c=color,
                    edgecolors=edge,
                    linewidths=lw,
                    zorder=5,
                    marker="o",
                )

    def dot(face: str, edge: str, size: float, label: str, edge_width: float = 1.0) -> Line2D:
        return Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markerfacecolor=face,
            markeredgecolor=edge,
            markeredgewidth=edge_width,
            markersize=size,
            label=label,
        )

    return [
        dot(c, "white", 6, schema.label_zh("rectification_status", s)) for s, c in STATUS_COLORS.items()
    ] + [
        dot("#bbbbbb", OVERDUE_COLOR, 6, "黑圈：逾期未销号", edge_width=1.4),
        dot("#bbbbbb", "white", 8.5, "大圆点：重大隐患"),
    ]


def _scale_bar_and_north(ax) -> None:
    """A scale bar of a round length near a quarter of the width, on a white box, and a north mark."""
    from matplotlib.patches import Rectangle

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    span = x1 - x0
    bar = 10 ** np.floor(np.log10(span / 4))  # a round length near a quarter of the width [m]
    bar *= 5 if span / 4 / bar >= 5 else (2 if span / 4 / bar >= 2 else 1)
    bx, by = x0 + 0.04 * span, y0 + 0.05 * (y1 - y0)
    ax.add_patch(
        Rectangle(
            (bx - 0.02 * span, by - 0.03 * (y1 - y0)),
            bar + 0.04 * span,
            0.09 * (y1 - y0),
            facecolor="white",
            edgecolor="none",
            alpha=0.85,
            zorder=6,
        )
    )
    ax.plot([bx, bx + bar], [by, by], color="black", linewidth=2.5, zorder=7)
    ax.text(
        bx + bar / 2,
        by + 0.015 * (y1 - y0),
        f"{bar:.0f} m" if bar < 1000 else f"{bar / 1000:.0f} km",
        ha="center",
        va="bottom",
        fontsize=7,
        zorder=7,
    )
    ax.annotate("N ↑", xy=(0.96, 0.94), xycoords="axes fraction", ha="center", fontsize=9, fontweight="bold")


def trend_chart_png(trend: pd.DataFrame, *, dpi: int = 200) -> bytes:
    """Monthly trend: items found and closed per month (bars) and the cumulative closure rate (line, right axis).
    Drawn on its own figure (no pyplot)."""
    from matplotlib.ticker import MaxNLocator

    font = cjk_font_name()
    fig = new_figure((6.5, 3.0), dpi)
    ax = fig.add_subplot(1, 1, 1)
    x = np.arange(len(trend))
    ax.bar(x - 0.2, trend["found"], width=0.4, color=STATUS_COLORS["open"], label="新发现（项）")
    ax.bar(x + 0.2, trend["closed"], width=0.4, color=STATUS_COLORS["closed"], label="销号（项）")
    ax.set_ylabel("事项数（项）", fontsize=8)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xticks(x, trend["month"], rotation=45, fontsize=6)
    ax.tick_params(axis="y", labelsize=7)
    ax2 = ax.twinx()
    ax2.plot(
        x,
        100 * trend["closure_rate"],
        color=STATUS_COLORS["awaiting_acceptance"],
        marker="o",
        markersize=3,
        label="累计整改率（%）",
    )
    ax2.set_ylim(0, 105)
    ax2.set_ylabel("累计整改率（%）", fontsize=8)
    ax2.tick_params(axis="y", labelsize=7)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(
        h1 + h2, l1 + l2, fontsize=7, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=3, frameon=False
    )
    use_font(fig, font)
    fig.tight_layout()
    return png_bytes(fig, dpi=dpi)


_ITEM_WIDTHS = {
    "编号": 2.3,
    "责任企业": 3.2,
    "隐患/问题描述": 7.6,
    "类别": 2.6,
    "等级": 1.6,
    "整改期限": 2.1,
    "责任人": 3.0,
    "状态": 1.4,
    "逾期（天）": 1.4,
}
#: The 重大隐患 table: the contents of a 治理方案 (《安全生产事故隐患排查治理暂行规定》第十五条). [cm]
_MAJOR_WIDTHS = {
    "编号": 2.0,
    "责任企业": 2.6,
    "隐患/问题描述": 4.8,
    "整改措施": 5.0,
    "整改资金（万元）": 1.9,
    "责任人": 2.0,
    "整改期限": 2.1,
    "安全措施和应急预案": 4.0,
    "状态": 1.3,
}
_STATS_WIDTHS = {
    "企业": 5.5,
    "类别": 5.5,
    "事项数（项）": 2.4,
    "已销号（项）": 2.4,
    "整改率": 2.2,
    "逾期（项）": 2.2,
    "重大隐患（项）": 2.6,
    "重大隐患整改率": 2.8,
    "按期整改率": 2.4,
}


def write_plan_docx(
    report: PlanReport,
    path: str | os.PathLike,
    *,
    map_png: bytes | None = None,
    trend_png: bytes | None = None,
    issuer: str = "",
) -> Path:
    """Write the plan as a .docx (A4 landscape tables, Chinese fonts). Returns the path."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.LANDSCAPE
    sec.page_width, sec.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin"):
        setattr(sec, side, Cm(2.0))
    sec.top_margin = sec.bottom_margin = Cm(1.8)
    normal = doc.styles["Normal"]
    normal.font.name = _WORD_FONT
    normal.font.size = Pt(10.5)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), _WORD_FONT)

    _para(doc, report.title, size=18, bold=True, center=True)
    _para(
        doc,
        f"统计截止日期：{report.as_of}" + (f"　　编制单位：{issuer}" if issuer else ""),
        size=10.5,
        center=True,
    )

    _heading(doc, "一、总体情况", 1)
    _add_table(
        doc,
        pd.DataFrame(report.summary, columns=["指标", "数值"]),
        size=10,
        widths_cm={"指标": 6.0, "数值": 10.0},
    )
    if report.scope_zh == "园区":
        _heading(doc, "二、各企业整改情况", 1)
        _add_table(doc, report.by_enterprise, size=9, widths_cm=_STATS_WIDTHS)
    else:
        _heading(doc, "二、整改情况", 1)
        _para(doc, f"本方案针对 {report.scope_zh} 的整改事项。")
    _heading(doc, "三、按类别统计", 1)
    _add_table(doc, report.by_category, size=9, widths_cm=_STATS_WIDTHS)

    if map_png:
        doc.add_page_break()  # the map takes most of a landscape page: start it on its own page
        _heading(doc, "四、整改事项分布图", 1)
        doc.add_picture(io.BytesIO(map_png), height=Cm(13.5))
        _para(
            doc,
            "图例：圆点颜色表示事项状态，黑圈表示逾期未销号，大圆点为重大隐患；企业填色表示其整改率。"
            "底图不含地形与道路，仅示意位置。",
            size=9,
        )

    _heading(doc, "五、重大隐患", 1)
    if len(report.major):
        _para(
            doc,
            f"共 {len(report.major)} 项重大隐患，应按《安全生产事故隐患排查治理暂行规定》制定治理方案，"
            "落实责任、措施、资金、时限和预案，整改完成后经验收方可销号。下表逐项列出整改措施、整改资金、"
            "责任人、整改期限和安全措施与应急预案；“未填写”表示该事项尚未录入此项内容，应在治理方案中补充。",
            size=10,
        )
        _add_table(doc, report.major, size=8, widths_cm=_MAJOR_WIDTHS)
    else:
        _para(doc, "无重大隐患。")

    _heading(doc, "六、逾期未销号事项", 1)
    if len(report.overdue):
        _add_table(doc, report.overdue, size=8, widths_cm=_ITEM_WIDTHS)
    else:
        _para(doc, "无逾期事项。")

    if trend_png:
        _heading(doc, "七、月度整改趋势", 1)
        doc.add_picture(io.BytesIO(trend_png), width=Cm(18.0))

    _heading(doc, "八、整改事项清单", 1)
    _add_table(doc, report.items, size=8, widths_cm=_ITEM_WIDTHS)
    _para(doc, "")
    _para(
        doc,
        "编制：______________　　审核：______________　　批准：______________　　日期：______________",
        size=10.5,
    )
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(out)
    return out

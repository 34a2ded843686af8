"""The risk report of a park (Word and PDF): the individual-risk contour map, contour areas, the largest individual
risk outside the park, the GB 36894-2018 verdict of every protection class, the F-N chart with its verdict, and the
section "假设与来源" (weather, frequency table, probits, population, grid extent, unverified figures).

:func:`risk_report_data` collects what the report shows from a risk result and the park **as the user may see it**
(the page passes ``view.park`` and results from ``view.run``: :mod:`app.auth` redaction holds, the report has no
inventories); :func:`risk_report_docx` (python-docx) and :func:`risk_report_pdf` (fpdf2, the Noto Sans CJK font of
:mod:`app.reports.briefing` embedded) write it; :func:`write_risk_report` chooses by the file's extension
(``parkrisk risk --report out.docx|out.pdf``). A run on the generic rose says so under the title, in red.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from app.present.numbers import per_year_zh, sci_zh
from app.reports.figures import cjk_font_name, new_figure, png_bytes, use_font

__all__ = [
    "REPORT_SUFFIXES",
    "RiskReportData",
    "max_ir_outside_park",
    "class_verdicts",
    "contour_map_figure",
    "risk_report_data",
    "risk_report_docx",
    "risk_report_pdf",
    "write_risk_report",
]

#: Output formats of :func:`write_risk_report` by file extension.
REPORT_SUFFIXES: dict[str, str] = {".docx": "Word", ".pdf": "PDF"}
_TITLE = "园区定量风险评价报告（个人风险与社会风险）"


@dataclass(frozen=True)
class RiskReportData:
    """Everything the report shows, as texts, tables and PNG figures (built once for Word and PDF)."""

    park_name: str
    issued: dt.datetime
    generic_warning: str
    summary: list[tuple[str, str]]
    contour_png: bytes
    contour_areas: pd.DataFrame
    outside: str
    verdicts: pd.DataFrame
    fn_png: bytes | None
    fn_verdict: str
    contour_statement: str
    assumptions: pd.DataFrame
    result: Any  # the (redacted) IndividualRisk, for app.reports.risk_assumptions.add_assumptions_section
    criterion: Any


def max_ir_outside_park(res: Any, park: Any) -> tuple[float, float, float]:
    """The largest individual risk of a grid cell whose centre lies outside the park boundary, and where.

    Returns
    -------
    (ir, x, y) : (float, float, float)
        [1/a] and the cell centre in the park's metric CRS [m]; (0, nan, nan) when the grid has no cell outside.
    """
    import shapely

    boundary = shapely.union_all(np.asarray(park.metric("parks").geometry.values))
    xs, ys = res.cell_centres()
    xx, yy = np.meshgrid(xs, ys)
    outside = ~shapely.contains_xy(boundary, xx, yy)
    if not outside.any():
        return 0.0, float("nan"), float("nan")
    g = np.where(outside, res.grid, -np.inf)
    r, c = np.unravel_index(int(np.argmax(g)), g.shape)
    return float(res.grid[r, c]), float(xs[c]), float(ys[r])


def class_verdicts(compliance: pd.DataFrame) -> pd.DataFrame:
    """GB 36894-2018 verdict per protection class: targets, limits (new / existing) and how many fail each."""
    from geodata import schema

    rows = []
    for cls, g in compliance.groupby("protection_class", sort=True):
        fail_e, fail_n = int((~g["pass_existing"]).sum()), int((~g["pass_new"]).sum())
        rows.append(
            {
                "防护目标类别": schema.label_zh("protection_class", cls),
                "目标数（个）": len(g),
                "最大个人风险（/年）": sci_zh(g["individual_risk"].max(), 3),
                "在役装置基准（/年）": sci_zh(g["limit_existing"].iloc[0]),
                "不满足在役基准（个）": fail_e,
                "新建装置基准（/年）": sci_zh(g["limit_new"].iloc[0]),
                "不满足新建基准（个）": fail_n,
                "结论": "满足"
                if fail_e == 0 and fail_n == 0
                else ("不满足在役基准" if fail_e else "不满足新建基准"),
            }
        )
    return pd.DataFrame(rows)


def contour_map_figure(park: Any, contours: Any, *, dpi: int = 150, figsize=(7.0, 6.0)) -> Any:
    """A static map (matplotlib Figure, no pyplot) of the contours over the park: boundary, enterprises, sensitive
    targets, population areas, in the park's metric CRS with a scale note."""
    from matplotlib.patches import Patch

    from app.present import CONTOUR_COLORS, POPULATION_AREA_COLOR

    font = cjk_font_name()
    fig = new_figure(figsize, dpi)
    ax = fig.add_subplot(1, 1, 1)
    shown = contours[~contours.geometry.is_empty]
    handles = []
    for lv in sorted(CONTOUR_COLORS):  # lowest level first, the highest on top
        part = shown[shown["level"] == lv]
        if len(part):
            part.plot(
                ax=ax, color=CONTOUR_COLORS[lv], alpha=0.45, edgecolor=CONTOUR_COLORS[lv], linewidth=0.8
            )
            handles.insert(0, Patch(color=CONTOUR_COLORS[lv], alpha=0.6, label=_level_label(lv)))
    pop = park.layers.get("population_areas")
    if pop is not None and len(pop):
        park.metric("population_areas").boundary.plot(ax=ax, color=POPULATION_AREA_COLOR, linewidth=0.8)
        handles.append(Patch(facecolor="none", edgecolor=POPULATION_AREA_COLOR, label="居住区人口"))
    park.metric("enterprises").boundary.plot(ax=ax, color="#555555", linewidth=0.5)
    park.metric("parks").boundary.plot(ax=ax, color="#000000", linewidth=1.4)
    handles.append(Patch(facecolor="none", edgecolor="#000000", label="园区边界"))
    tg = park.metric("sensitive_targets")
    if len(tg):
        pts = tg.geometry.representative_point()
        ax.scatter(pts.x, pts.y, s=9, color="#1f78b4", zorder=5)
        handles.append(Patch(color="#1f78b4", label="防护目标"))
    ax.set_aspect("equal")
    ax.ticklabel_format(useOffset=False, style="plain")
    ax.set_xlabel("x（m，园区米制坐标）", fontsize=7)
    ax.set_ylabel("y（m）", fontsize=7)
    ax.tick_params(labelsize=6)
    ax.legend(handles=handles, loc="lower right", fontsize=6.5, framealpha=0.9, title="个人风险（/年）")
    ax.set_title("个人风险等值线", fontsize=10)
    use_font(fig, font)
    fig.tight_layout()
    return fig


def _level_label(level: float) -> str:
    """ "≥ 3×10⁻⁷ /年" in matplotlib's mathtext (the CJK font has no superscript digits)."""
    exp = int(np.floor(np.log10(level) + 1e-9))
    mant = level / 10.0**exp
    return f"≥ ${mant:g}\\times10^{{{exp}}}$ /年"


def risk_report_data(
    park: Any,
    res: Any,
    *,
    criterion: Any = None,
    compliance: pd.DataFrame | None = None,
    issued: dt.datetime | None = None,
) -> RiskReportData:
    """What the report shows, from a risk result and the park as the user may see it.

    Parameters
    ----------
    park : geodata.Park
        As the user may see it (``view.park``).
    res : analysis.qra.individual.IndividualRisk
        As the user may see it (``view.run(individual_risk, ...)``).
    criterion : str or FNCriterion, optional
        The F-N criterion (the park's confirmed constants; default GB 36894's registry entry).
    compliance : DataFrame, optional
        :func:`analysis.regulation.siting_checks.compliance` (computed here when not given).
    issued : datetime, optional
        Time of the report (default now), printed in Beijing time.
    """
    from analysis.qra import individual as risk
    from analysis.qra.fn_settings import DEFAULT_FN_CRITERION
    from analysis.qra.provenance import generic_weather_warning
    from analysis.regulation import siting_checks as scx
    from app.charts import fn_figure
    from app.reports.risk_tables import assumptions_zh, contours_zh, region_zh

    crit = criterion or DEFAULT_FN_CRITERION
    soc = risk.societal_risk(res, criterion=crit)
    contours = risk.risk_contours(res)
    comp = compliance if compliance is not None else scx.compliance(res, park)
    ir, x, y = max_ir_outside_park(res, park)
    outside = (
        f"{per_year_zh(ir, 3)}（网格单元中心 x = {x:,.0f} m，y = {y:,.0f} m，园区米制坐标）"
        if np.isfinite(x)
        else "计算网格内没有园区外的单元"
    )
    try:
        fig = fn_figure(
            {"全年": soc.curve, "白天": soc.curve_day, "夜间": soc.curve_night}, criterion=soc.criterion
        )
        fn_png = png_bytes(fig, dpi=150, bbox_inches="tight")
    except (FileNotFoundError, ValueError):
        fn_png = None
    ny, nx = res.grid.shape
    tag = "（通用风玫瑰，示意）" if generic_weather_warning(res.assumptions) else ""
    return RiskReportData(
        park_name=str(park.name),
        issued=issued or dt.datetime.now(dt.timezone(dt.timedelta(hours=8))),
        generic_warning=generic_weather_warning(res.assumptions),
        summary=[
            ("最大个人风险", f"{per_year_zh(res.grid.max(), 3)}{tag}"),
            ("园区外最大个人风险", outside + tag),
            ("潜在生命损失 PLL", f"{sci_zh(soc.pll, 3)} 人/年{tag}"),
            ("计算网格", f"{nx} × {ny} 个单元，分辨率 {res.resolution:g} m"),
        ],
        contour_png=png_bytes(contour_map_figure(park, contours), dpi=150, bbox_inches="tight"),
        contour_areas=contours_zh(contours),
        outside=outside,
        verdicts=class_verdicts(comp),
        fn_png=fn_png,
        fn_verdict=f"社会风险 F-N 曲线总体评价：{region_zh(soc.overall)}（判据线：{getattr(soc.criterion, 'name', '') or 'GB 36894-2018'}）",
        contour_statement=res.contour_check["statement_zh"],
        assumptions=assumptions_zh(res, crit),
        result=res,
        criterion=crit,
    )


def _issued_text(d: RiskReportData) -> str:
    beijing = d.issued.astimezone(dt.timezone(dt.timedelta(hours=8)))
    return f"编制时间：{beijing:%Y-%m-%d %H:%M}（北京时间）；由 parkrisk 计算"


def risk_report_docx(d: RiskReportData) -> bytes:
    """The report as a Word document (.docx bytes)."""
    from docx import Document
    from docx.shared import Cm, RGBColor

    from app.reports.docx_parts import add_table as _add_table
    from app.reports.docx_parts import heading as _heading
    from app.reports.docx_parts import para as _para

    doc = Document()
    _para(doc, _TITLE, size=16, bold=True, center=True)
    _para(doc, f"园区：{d.park_name}", size=11, center=True)
    _para(doc, _issued_text(d), size=9, center=True)
    if d.generic_warning:
        p = _para(doc, f"⚠ 使用通用风玫瑰（示意，仅供比较）：{d.generic_warning}", size=11, bold=True)
        for r in p.runs:
            r.font.color.rgb = RGBColor(0xB3, 0x00, 0x00)
    _heading(doc, "一、主要结果", 1)
    _add_table(doc, pd.DataFrame(d.summary, columns=["项目", "结果"]), widths_cm={"项目": 4.0, "结果": 12.0})
    _heading(doc, "二、个人风险等值线", 1)
    doc.add_picture(io.BytesIO(d.contour_png), width=Cm(15.5))
    _para(doc, d.contour_statement, size=9)
    _heading(doc, "等值线面积", 2)
    _add_table(doc, d.contour_areas)
    _heading(doc, "三、防护目标个人风险检查（GB 36894-2018）", 1)
    _add_table(doc, d.verdicts, size=7.5)
    _heading(doc, "四、社会风险", 1)
    if d.fn_png is not None:
        doc.add_picture(io.BytesIO(d.fn_png), width=Cm(13.0))
    _para(doc, d.fn_verdict)
    _assumptions_docx(doc, d)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _assumptions_docx(doc: Any, d: RiskReportData) -> None:
    """The section "假设与来源" through :func:`app.reports.risk_assumptions.add_assumptions_section`."""
    from app.reports.risk_assumptions import add_assumptions_section

    add_assumptions_section(doc, d.result, criterion=d.criterion, level=1)


def risk_report_pdf(d: RiskReportData) -> bytes:
    """The report as a PDF (A4, Chinese font embedded), bytes."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    from app.reports.briefing import _SC_FACE, _font_paths, _table

    reg, bold = _font_paths()
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(True, margin=12)
    pdf.add_font("cjk", "", str(reg), collection_font_number=_SC_FACE)
    pdf.add_font("cjk", "B", str(bold), collection_font_number=_SC_FACE)
    pdf.set_margins(15, 12, 15)
    pdf.add_page()
    nl = dict(new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    w = pdf.epw
    pdf.set_font("cjk", "B", 15)
    pdf.cell(0, 9, _TITLE, align="C", **nl)
    pdf.set_font("cjk", "", 10)
    pdf.cell(0, 6, f"园区：{d.park_name}", align="C", **nl)
    pdf.set_font("cjk", "", 8)
    pdf.cell(0, 5, _issued_text(d), align="C", **nl)
    if d.generic_warning:
        pdf.set_text_color(179, 0, 0)
        pdf.set_font("cjk", "B", 9.5)
        pdf.multi_cell(
            0, 5, f"⚠ 使用通用风玫瑰（示意，仅供比较）：{d.generic_warning}", wrapmode="CHAR", **nl
        )
        pdf.set_text_color(0, 0, 0)
    _pdf_heading(pdf, "一、主要结果")
    summary = [("项目", "结果"), *((a, _pdf_text(b)) for a, b in d.summary)]
    _table(pdf, pdf.l_margin, summary, (0.28 * w, 0.719 * w), row_h=5.0)
    _pdf_heading(pdf, "二、个人风险等值线")
    pdf.image(io.BytesIO(d.contour_png), w=0.8 * w, x=pdf.l_margin + 0.1 * w)
    _pdf_para(pdf, d.contour_statement)
    _pdf_frame(pdf, d.contour_areas, "等值线面积")
    _pdf_heading(pdf, "三、防护目标个人风险检查（GB 36894-2018）")
    _pdf_frame(pdf, d.verdicts, "", size=7.0)
    _pdf_heading(pdf, "四、社会风险")
    if d.fn_png is not None:
        pdf.image(io.BytesIO(d.fn_png), w=0.7 * w, x=pdf.l_margin + 0.15 * w)
    _pdf_para(pdf, d.fn_verdict)
    _pdf_heading(pdf, "假设与来源")
    _pdf_para(pdf, d.contour_statement)
    _pdf_frame(pdf, d.assumptions, "", widths=(0.25, 0.75))
    return bytes(pdf.output())


_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")


def _pdf_text(text: Any) -> str:
    """A text for the PDF font, which lacks superscript digits: "3×10⁻⁷" -> "3×10^-7"."""
    import re

    return re.sub("[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+", lambda m: "^" + m.group(0).translate(_SUPERSCRIPT), str(text))


def _pdf_heading(pdf: Any, text: str) -> None:
    from fpdf.enums import XPos, YPos

    pdf.ln(2)
    pdf.set_font("cjk", "B", 11.5)
    pdf.cell(0, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("cjk", "", 8.5)


def _pdf_para(pdf: Any, text: str) -> None:
    from fpdf.enums import XPos, YPos

    pdf.set_font("cjk", "", 8.5)
    pdf.multi_cell(0, 4.6, _pdf_text(text), wrapmode="CHAR", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _pdf_frame(pdf: Any, df: pd.DataFrame, title: str, *, size: float = 8.0, widths=None) -> None:
    from app.reports.briefing import _table

    if title:
        pdf.set_font("cjk", "B", 9.5)
        pdf.cell(0, 6, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", "", size)
    n = len(df.columns)
    share = widths or tuple(1.0 / n for _ in range(n))
    rows = [tuple(_pdf_text(c) for c in df.columns)] + [
        tuple("" if v is None or (isinstance(v, float) and v != v) else _pdf_text(v) for v in r)
        for r in df.itertuples(index=False)
    ]
    _table(pdf, pdf.l_margin, rows, tuple(0.999 * pdf.epw * s for s in share), row_h=4.4)
    pdf.ln(1.5)


def write_risk_report(path: Any, data: RiskReportData) -> Path:
    """Write the report as Word (.docx) or PDF (.pdf), chosen by the extension.

    Raises
    ------
    ValueError
        Another extension (the message names the two allowed).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in REPORT_SUFFIXES:
        raise ValueError(f"报告文件应为 .docx（Word）或 .pdf，收到 {path.name}；请改用这两种扩展名之一")
    path.write_bytes(risk_report_docx(data) if suffix == ".docx" else risk_report_pdf(data))
    return path

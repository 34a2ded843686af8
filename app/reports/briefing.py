"""One-page emergency briefing (应急疏散简报) as PDF: map, zone table with the ERG comparison, affected targets,
assembly points, assumptions and the time of issue.

The map is drawn with matplotlib (:mod:`app.reports.figures`, no pyplot) in the park's metric CRS (no tiles, no network); the PDF is written with fpdf2
with the Noto Sans CJK font embedded (Debian package ``fonts-noto-cjk``; the .ttc collection is read with
``collection_font_number`` = 2, the Simplified Chinese face).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import math
import os
from pathlib import Path

import numpy as np

from app.present import EMERGENCY_COLORS, PARK_BOUNDARY_COLOR, ROAD_COLORS, TOXIC_FALLBACK_COLOR
from app.reports.figures import cjk_font_name, new_figure, png_bytes, use_font

log = logging.getLogger(__name__)

__all__ = ["PDF_FONT_REGULAR", "PDF_FONT_BOLD", "briefing_map_png", "write_briefing_pdf"]

#: Noto Sans CJK collections (fonts-noto-cjk); face 2 of the collection is Simplified Chinese (SC).
PDF_FONT_REGULAR = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
PDF_FONT_BOLD = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc")
_SC_FACE = 2

#: Sensitive targets on the briefing map (one neutral colour: the zones carry the meaning).
_TARGET_FILL = "#9ecae1"
_TARGET_EDGE = "#3182bd"


def briefing_map_png(
    result, park, *, routes=None, assembly=None, dpi: int = 170, figsize=(6.4, 5.6)
) -> bytes:
    """PNG map of the briefing: park boundary and enterprises, roads, sensitive targets, the toxic zones with the
    wind-direction band, fire zones, the isolation circle, routes, assembly points, the source, a north arrow, a
    wind arrow and a scale bar. Metric CRS of the park; no tiles. Drawn on its own figure (no pyplot)."""
    font = cjk_font_name()
    x0, y0, x1, y1 = _extent(result, park, assembly)
    fig = new_figure(figsize, dpi)
    ax = fig.add_subplot(1, 1, 1)
    _draw_park(ax, park)
    _draw_zones(ax, result)
    _draw_routes(ax, result, routes, assembly)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    _north_and_wind(ax, result, x0, y0, x1, y1)
    _scale_bar(ax, x0, y0, x1, y1)
    ax.legend(handles=_legend_handles(result), loc="lower right", fontsize=6.5, framealpha=0.9)
    use_font(fig, font)
    fig.tight_layout(pad=0.3)
    return png_bytes(fig, dpi=dpi)


def _extent(result, park, assembly) -> tuple[float, float, float, float]:
    """View of the map: the AEGL-2 band (or the largest zone), fire zones, the park, the isolation circle and the
    assembly points, with a 5 % margin. [m]"""
    frames = []
    band = _band(result)
    if len(band):
        pick = band[band["level"].isin(["AEGL-2", "PAC-2"])]
        frames.append((pick if len(pick) else band).total_bounds)
    if len(result.fire):
        frames.append(result.fire[~result.fire.geometry.is_empty].total_bounds)
    frames.append(park.metric("parks").total_bounds)
    frames.append(result.isolation.total_bounds)
    if assembly is not None and len(assembly):
        frames.append(assembly.total_bounds)
    b = np.vstack(frames)
    x0, y0, x1, y1 = b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()
    pad = 0.05 * max(x1 - x0, y1 - y0)
    return x0 - pad, y0 - pad, x1 + pad, y1 + pad


def _band(result):
    return result.band[~result.band.geometry.is_empty] if len(result.band) else result.band


def _toxic_color(level) -> str:
    return EMERGENCY_COLORS.get(str(level), TOXIC_FALLBACK_COLOR)


def _draw_park(ax, park) -> None:
    ent = park.metric("enterprises")
    if ent is not None and len(ent):
        ent.plot(ax=ax, facecolor="#f0f0f0", edgecolor="#999999", linewidth=0.4)
    park.metric("parks").boundary.plot(ax=ax, color=PARK_BOUNDARY_COLOR, linewidth=1.0, linestyle="--")
    if park.roads is not None:
        park.metric("roads").plot(ax=ax, color=ROAD_COLORS["public"], linewidth=0.8)
    tg = park.metric("sensitive_targets")
    if tg is not None and len(tg):
        tg.plot(ax=ax, facecolor=_TARGET_FILL, edgecolor=_TARGET_EDGE, linewidth=0.5)


def _draw_zones(ax, result) -> None:
    band = _band(result)
    for r in band.iloc[::-1].itertuples():
        ax.fill(
            *_xy(r.geometry),
            facecolor="none",
            edgecolor=EMERGENCY_COLORS["band"],
            linewidth=0.8,
            linestyle=":",
        )
    for r in result.toxic.iloc[::-1].itertuples():
        if not r.geometry.is_empty:
            for xs, ys in _rings(r.geometry):
                color = _toxic_color(r.level)
                ax.fill(xs, ys, facecolor=color, alpha=0.55, edgecolor=color, linewidth=0.8)
    for r in result.fire.itertuples():
        if not r.geometry.is_empty:
            for xs, ys in _rings(r.geometry):
                ax.fill(xs, ys, facecolor="none", edgecolor=EMERGENCY_COLORS["fire"], linewidth=1.0)
    for xs, ys in _rings(result.isolation.geometry.iloc[0]):
        ax.plot(xs, ys, color=EMERGENCY_COLORS["isolation"], linewidth=1.4)


def _draw_routes(ax, result, routes, assembly) -> None:
    if routes is not None and len(routes):
        routes.plot(ax=ax, color=EMERGENCY_COLORS["route"], linewidth=1.6)
    if assembly is not None and len(assembly):
        color = EMERGENCY_COLORS["assembly"]
        ax.scatter(
            assembly.geometry.x,
            assembly.geometry.y,
            marker="^",
            s=70,
            color=color,
            edgecolor="white",
            zorder=5,
        )
        for r in assembly.itertuples():
            ax.annotate(
                r.point_id,
                (r.geometry.x, r.geometry.y),
                xytext=(4, 4),
                textcoords="offset points",
                fontsize=8,
                color=color,
                weight="bold",
            )
    ox, oy = result.origin
    ax.scatter([ox], [oy], marker="*", s=160, color=EMERGENCY_COLORS["source"], zorder=6)


def _legend_handles(result) -> list:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [
        Patch(facecolor=_toxic_color(lv), alpha=0.55, label=f"{lv} 区") for lv in result.toxic["level"]
    ]
    handles += [
        Line2D(
            [],
            [],
            color=EMERGENCY_COLORS["band"],
            linestyle=":",
            label=f"风向不确定带 ±{result.uncertainty_half_angle_deg:g}°",
        ),
        Line2D([], [], color=EMERGENCY_COLORS["isolation"], label="初始隔离区"),
        Line2D([], [], color=EMERGENCY_COLORS["route"], linewidth=1.6, label="疏散路线"),
        Line2D([], [], marker="^", color=EMERGENCY_COLORS["assembly"], linestyle="", label="集合点"),
        Line2D(
            [], [], marker="*", color=EMERGENCY_COLORS["source"], linestyle="", markersize=10, label="泄漏源"
        ),
        Patch(facecolor=_TARGET_FILL, edgecolor=_TARGET_EDGE, label="敏感目标"),
    ]
    if len(result.fire):
        handles.append(Line2D([], [], color=EMERGENCY_COLORS["fire"], label="火灾/爆炸/可燃区"))
    return handles


def _rings(geom):
    polys = list(getattr(geom, "geoms", [geom]))
    for p in polys:
        if p.geom_type == "Polygon" and not p.is_empty:
            xs, ys = p.exterior.xy
            yield list(xs), list(ys)


def _xy(geom):
    out_x, out_y = [], []
    for xs, ys in _rings(geom):
        out_x += xs + [math.nan]
        out_y += ys + [math.nan]
    return out_x, out_y


def _north_and_wind(ax, result, x0, y0, x1, y1):
    w = x1 - x0
    h = y1 - y0
    nx_, ny_ = x0 + 0.06 * w, y1 - 0.14 * h
    ax.annotate(
        "", xy=(nx_, ny_ + 0.08 * h), xytext=(nx_, ny_), arrowprops=dict(arrowstyle="-|>", color="black")
    )
    ax.text(nx_, ny_ + 0.09 * h, "北", ha="center", va="bottom", fontsize=9)
    b = math.radians(result.weather.downwind_bearing_deg)
    cx, cy, L = x0 + 0.16 * w, y1 - 0.10 * h, 0.07 * max(w, h)
    ax.annotate(
        "",
        xy=(cx + L / 2 * math.sin(b), cy + L / 2 * math.cos(b)),
        xytext=(cx - L / 2 * math.sin(b), cy - L / 2 * math.cos(b)),
        arrowprops=dict(arrowstyle="-|>", color="#1f78b4", linewidth=2),
    )
    ax.text(
        cx, cy - 0.07 * h, f"风 {result.weather.wind_speed:g} m/s", ha="center", fontsize=7, color="#1f78b4"
    )


def _scale_bar(ax, x0, y0, x1, y1):
    span = (x1 - x0) / 4
    nice = 10 ** math.floor(math.log10(span))
    for m in (5, 2, 1):
        if m * nice <= span:
            length = m * nice
            break
    sx, sy = x0 + 0.04 * (x1 - x0), y0 + 0.04 * (y1 - y0)
    ax.plot([sx, sx + length], [sy, sy], color="black", linewidth=2)
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    ax.text(sx + length / 2, sy + 0.01 * (y1 - y0), label, ha="center", va="bottom", fontsize=7)


def _font_paths() -> tuple[Path, Path]:
    reg = Path(os.environ.get("PARKRISK_CJK_FONT", PDF_FONT_REGULAR))
    bold = PDF_FONT_BOLD if PDF_FONT_BOLD.exists() else reg
    if not reg.exists():
        raise FileNotFoundError(
            f"找不到中文字体 {reg}：请安装 Debian 软件包 fonts-noto-cjk / CJK font missing (fonts-noto-cjk)"
        )
    return reg, bold


def write_briefing_pdf(
    path,
    result,
    park,
    affected,
    *,
    routes=None,
    assembly=None,
    issued_at: dt.datetime | None = None,
    time_of_day: str = "",
    max_targets: int = 14,
) -> Path:
    """Write the one-page briefing PDF (A4 portrait, Chinese, font embedded).

    Parameters
    ----------
    path : str or Path
    result : analysis.emergency.EmergencyResult
    park : geodata.Park
    affected : pandas.DataFrame
        :func:`analysis.emergency.affected_targets`.
    routes, assembly : geopandas.GeoDataFrame, optional
        :func:`analysis.emergency.evacuation_routes`.
    issued_at : datetime, optional
        Time of issue (default: now, local time of the machine).
    time_of_day : str
        Time of the release as given by the user.
    max_targets : int
        Sensitive targets listed (the earliest arrivals first); buildings and installations are summarised.

    Returns
    -------
    Path
    """
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    reg, bold = _font_paths()
    issued = issued_at or dt.datetime.now()
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_font("cjk", "", str(reg), collection_font_number=_SC_FACE)
    pdf.add_font("cjk", "B", str(bold), collection_font_number=_SC_FACE)
    pdf.set_margins(10, 8, 10)
    pdf.add_page()
    src = result.source
    sub_name = src.substance
    uid = src.source_id
    name = src.name
    nl = dict(new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    pdf.set_font("cjk", "B", 15)
    pdf.cell(0, 8, f"应急疏散简报 —— {park.name}", **nl)
    pdf.set_font("cjk", "", 8.5)
    pdf.cell(
        0,
        4.5,
        f"签发时间：{issued:%Y-%m-%d %H:%M}    事故时间：{time_of_day or '—'}"
        f"（{'白天' if result.daytime else '夜间'}）    由 parkrisk 计算，供现场指挥参考，须结合实测调整",
        **nl,
    )
    w = result.weather
    pdf.multi_cell(
        0,
        4.5,
        align="L",
        wrapmode="CHAR",
        text=f"泄漏源：{uid} {name}，物质 {sub_name}；{result.release.describe_zh()}。"
        f"气象：{w.describe_zh()}。扩散模型："
        f"{'重气（Britter-McQuaid 1988）' if result.dense_gas else '高斯（Pasquill-Gifford/Briggs）'}。",
        **nl,
    )
    y_top = pdf.get_y() + 1
    png = briefing_map_png(result, park, routes=routes, assembly=assembly)
    map_w = 112.0
    pdf.image(io.BytesIO(png), x=10, y=y_top, w=map_w)
    map_h = map_w * 5.6 / 6.4
    # Right column: zone table + ERG
    x_r = 10 + map_w + 3
    col_w = 210 - 10 - x_r
    tg = _write_right_column(pdf, result, affected, assembly, x_r=x_r, y_top=y_top, col_w=col_w)
    _write_targets_and_assumptions(
        pdf, result, tg, y=max(y_top + map_h + 2, pdf.get_y() + 2), max_targets=max_targets
    )
    if pdf.get_y() > 290:
        log.warning("briefing: content reaches the page bottom (y = %.0f mm)", pdf.get_y())
    path = Path(path)
    pdf.output(str(path))
    return path


def _table(pdf, x, rows, widths, *, row_h: float = 4.0) -> None:
    """A bordered table at x (first row as heading) with fpdf2's table API; long cells wrap by character
    (Chinese has no spaces to break at)."""
    from fpdf.enums import WrapMode

    left = pdf.l_margin
    pdf.set_left_margin(x)
    pdf.set_x(x)
    with pdf.table(
        width=float(sum(widths)),
        col_widths=tuple(float(w) for w in widths),
        line_height=row_h,
        text_align="LEFT",
        align="LEFT",
        first_row_as_headings=True,
        headings_style=_heading_style(),
        padding=(0.3, 0.8),
        wrapmode=WrapMode.CHAR,
    ) as table:
        for row in rows:
            cells = table.row()
            for text in row:
                cells.cell(str(text))
    pdf.set_left_margin(left)
    pdf.set_x(left)


def _heading_style():
    from fpdf.fonts import FontFace

    return FontFace(emphasis="BOLD", fill_color=(230, 230, 230))


def _fit(pdf, text: str, width: float) -> str:
    if pdf.get_string_width(text) <= width - 1:
        return text
    while text and pdf.get_string_width(text + "…") > width - 1:
        text = text[:-1]
    return text + "…"


def _write_right_column(pdf, result, affected, assembly, *, x_r: float, y_top: float, col_w: float):
    """Right of the map: the zones, the ERG comparison, the assembly points and the summary counts; returns the
    affected sensitive targets (earliest arrival first)."""
    from fpdf.enums import XPos, YPos

    pdf.set_xy(x_r, y_top)
    pdf.set_font("cjk", "B", 10)
    pdf.cell(col_w, 5, "一、危险区（下风向最远距离）", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font("cjk", "", 7.5)
    rows = [("区", "阈值 mg/m³", "距离 m")]
    for r in result.toxic.itertuples():
        rows.append((str(r.level), f"{r.threshold * 1e6:.3g}", f"{r.max_distance:,.0f}"))
    rows.append(("初始隔离", "—", f"{result.isolation['radius_m'].iloc[0]:g}"))
    for r in result.fire.itertuples():
        rows.append((f"{r.scenario_zh} {r.level}"[:14], "—", f"{r.max_distance:,.0f}"))
    _table(pdf, x_r, rows, (col_w * 0.4, col_w * 0.32, col_w * 0.28))
    pdf.set_x(x_r)
    pdf.set_font("cjk", "B", 10)
    pdf.cell(col_w, 6, "二、与 ERG 对照", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font("cjk", "", 7.2)
    if len(result.erg):
        rows = [("版本", "隔离 m", "防护 km", "本模型 AEGL-2 km")]
        for r in result.erg.itertuples():
            ed = r.edition.upper().replace("ERG", "ERG ") + ("" if r.verified else "*")
            rows.append(
                (ed, f"{r.isolation_m:g}", f"{r.protective_action_m / 1e3:g}", f"{r.model_aegl2_m / 1e3:.2f}")
            )
        _table(pdf, x_r, rows, (col_w * 0.27, col_w * 0.2, col_w * 0.23, col_w * 0.3))
        pdf.set_x(x_r)
        pdf.multi_cell(
            col_w,
            3.4,
            align="L",
            wrapmode="CHAR",
            text=f"{'大量' if result.spill_size == 'large' else '小量'}泄漏，"
            f"{'白天' if result.daytime else '夜间'}。ERG 为统计第 90 百分位的初始防护距离；"
            "* 数值未能核实。",
            new_x=XPos.LEFT,
            new_y=YPos.NEXT,
        )
    else:
        pdf.set_x(x_r)
        pdf.multi_cell(col_w, 3.4, "ERG 表中无该物质或该泄漏规模。", new_x=XPos.LEFT, new_y=YPos.NEXT)
    # Assembly points
    pdf.set_x(x_r)
    pdf.set_font("cjk", "B", 10)
    pdf.cell(col_w, 6, "三、集合点（上风向）", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font("cjk", "", 7.5)
    if assembly is not None and len(assembly):
        for r in assembly.itertuples():
            pdf.set_x(x_r)
            pdf.cell(
                col_w,
                3.8,
                f"{r.point_id}：距泄漏源 {r.distance_m:,.0f} m，方位 {r.bearing_deg:.0f}°",
                new_x=XPos.LEFT,
                new_y=YPos.NEXT,
            )
    else:
        pdf.set_x(x_r)
        pdf.cell(col_w, 3.8, "无道路数据或区外无可用节点", new_x=XPos.LEFT, new_y=YPos.NEXT)
    # Summary counts
    pdf.set_x(x_r)
    pdf.set_font("cjk", "B", 10)
    pdf.cell(col_w, 6, "四、影响汇总", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font("cjk", "", 7.5)
    tg = affected[affected["layer"] == "sensitive_targets"] if len(affected) else affected
    bd = affected[affected["layer"] == "buildings"] if len(affected) else affected
    ins = affected[affected["layer"] == "installations"] if len(affected) else affected
    ev = int((tg["recommendation"] == "evacuate").sum()) if len(tg) else 0
    lines = [
        f"敏感目标 {len(tg)} 处，人口约 {int(tg['population'].fillna(0).sum()) if len(tg) else 0} 人",
        f"建议撤离 {ev} 处，就地避险 {len(tg) - ev} 处",
        f"园区建筑 {len(bd)} 栋（约 {int(bd['population'].fillna(0).sum()) if len(bd) else 0} 人），设施 {len(ins)} 个",
    ]
    if len(tg):
        lines.append(f"最早到达：{tg.iloc[0]['name']}，约 {tg.iloc[0]['arrival_time_s'] / 60:.0f} min")
    for s_ in lines:
        pdf.set_x(x_r)
        pdf.multi_cell(col_w, 3.8, s_, align="L", wrapmode="CHAR", new_x=XPos.LEFT, new_y=YPos.NEXT)
    return tg


def _write_targets_and_assumptions(pdf, result, tg, *, y: float, max_targets: int) -> None:
    """Under the map: the affected sensitive targets and the main assumptions."""
    from fpdf.enums import XPos, YPos

    nl = dict(new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    # Affected targets table under the map
    pdf.set_xy(10, y)
    pdf.set_font("cjk", "B", 10)
    pdf.cell(0, 6, "五、受影响敏感目标（按烟云到达时间）", **nl)
    pdf.set_font("cjk", "", 7.2)
    rows = [("名称", "所在区", "人数", "到达 min", "浓度 mg/m³", "建议", "理由")]
    widths = (26, 13, 10, 14, 18, 14, 95)
    shown = tg.head(max_targets) if len(tg) else tg
    for r in shown.itertuples():
        pop = (
            ""
            if r.population is None or (isinstance(r.population, float) and math.isnan(r.population))
            else str(r.population)
        )
        reason = str(r.reason_zh)
        rows.append(
            (
                str(r.name),
                str(r.level),
                pop,
                f"{r.arrival_time_s / 60:.0f}",
                f"{r.concentration_kg_m3 * 1e6:.3g}",
                str(r.recommendation_zh),
                reason,
            )
        )
    _table(pdf, 10, rows, widths, row_h=3.7)
    if len(tg) > max_targets:
        pdf.cell(0, 3.6, f"另有 {len(tg) - max_targets} 处敏感目标见 GeoJSON/KML 附件。", **nl)
    # Assumptions
    pdf.ln(1)
    pdf.set_font("cjk", "B", 10)
    pdf.cell(0, 5.5, "六、主要假设与说明", **nl)
    pdf.set_font("cjk", "", 6.6)
    keep = [a for a in result.assumptions if len(a) < 200][:12]
    text = (
        "；".join(keep)
        + "。到达时间 = 最近距离 / 风速；建议规则见 ERG 2020 防护行动（来不及撤离时就地避险）。"
    )
    text = text.replace("⅓", "1/3").replace("½", "1/2")  # glyphs missing from Noto Sans CJK
    pdf.multi_cell(0, 3.1, text, align="L", wrapmode="CHAR", **nl)

"""One-page emergency briefing (应急疏散简报) as PDF: the map of the plan, the zones with the ERG 2024 comparison,
the assembly points, the protective action of every listed target with the numbers that decided it, assumptions
and the times of release and issue in Beijing time.

The input is the plan of :func:`analysis.emergency.plan` (``.result``, ``.targets``, ``.routes``, ``.assembly``).
The map is drawn with matplotlib (:mod:`app.reports.figures`, no pyplot) in the park's metric CRS (no tiles, no
network). It names the targets listed in the table (number and name, placed so that labels do not overlap), shows
the routes of the plan — the part of a route inside the AEGL-2 zone and its wind band (a crosswind exit from inside)
in red — and the assembly points with their names, and its frame holds the whole AEGL-1 zone; when the zone is too
large for a readable map (:data:`MAX_FRAME_M`) the frame is cut and the map and the page say by how much.

The PDF is written with fpdf2 with the Noto Sans CJK font embedded (Debian package ``fonts-noto-cjk``; the .ttc
collection is read with ``collection_font_number`` = 2, the Simplified Chinese face).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import math
import os
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import box

from app.present import EMERGENCY_COLORS, PARK_BOUNDARY_COLOR, ROAD_COLORS, TOXIC_FALLBACK_COLOR
from app.present.emergency import IN_ZONE_ROUTE_COLOR, beijing_text, conc_text, erg_label_zh, sig_text
from app.reports.figures import cjk_font_name, new_figure, png_bytes, use_font

log = logging.getLogger(__name__)

__all__ = [
    "PDF_FONT_REGULAR",
    "PDF_FONT_BOLD",
    "MAX_FRAME_M",
    "briefing_frame",
    "briefing_map_figure",
    "briefing_map_png",
    "target_labels",
    "write_briefing_pdf",
]

#: Noto Sans CJK collections (fonts-noto-cjk); face 2 of the collection is Simplified Chinese (SC).
PDF_FONT_REGULAR = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
PDF_FONT_BOLD = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc")
_SC_FACE = 2
#: Largest side of the map frame: beyond it a 112 mm map no longer shows streets and targets legibly. [m]
MAX_FRAME_M = 20_000.0
#: Map size on the page (figure inches and width on the page).
_FIGSIZE = (6.4, 5.6)
_MAP_W_MM = 112.0

#: Sensitive targets on the briefing map (one neutral colour: the zones carry the meaning).
_TARGET_FILL = "#9ecae1"
_TARGET_EDGE = "#3182bd"


def _outer_zone(result):
    """The outermost toxic level (AEGL-1 or the last level), else the largest fire zone; None when there is none."""
    tox = result.toxic[~result.toxic.geometry.is_empty] if len(result.toxic) else result.toxic
    if len(tox):
        return tox.iloc[-1]
    fire = result.fire[~result.fire.geometry.is_empty] if len(result.fire) else result.fire
    if len(fire):
        return fire.loc[fire.geometry.area.idxmax()]
    return None


def briefing_frame(
    plan, park, *, max_frame_m: float = MAX_FRAME_M
) -> tuple[tuple[float, float, float, float], str]:
    """The map frame (x0, y0, x1, y1) [m] and a note when the outermost zone is cut (empty when it is whole).

    The frame holds the outermost zone (AEGL-1), the AEGL-2 band, the park, the isolation circle, the routes and the
    assembly points, with a 5 % margin. A side longer than ``max_frame_m`` is cut to it around the source and the
    note gives the share of the zone's area outside the frame and its farthest reach. [m]
    """
    result = plan.result
    frames = [park.metric("parks").total_bounds, result.isolation.total_bounds]
    outer = _outer_zone(result)
    if outer is not None:
        frames.append(np.asarray(outer.geometry.bounds))
    band = result.band[~result.band.geometry.is_empty] if len(result.band) else result.band
    if len(band):
        pick = band[band["level"].isin(["AEGL-2", "PAC-2"])]
        frames.append((pick if len(pick) else band).total_bounds)
    for g in (plan.routes, plan.assembly):
        if g is not None and len(g):
            frames.append(g.total_bounds)
    b = np.vstack(frames)
    x0, y0, x1, y1 = b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()
    pad = 0.05 * max(x1 - x0, y1 - y0)
    x0, y0, x1, y1 = x0 - pad, y0 - pad, x1 + pad, y1 + pad
    ox, oy = result.origin
    if x1 - x0 > max_frame_m:
        c = min(max(ox, x0 + max_frame_m / 2), x1 - max_frame_m / 2)
        x0, x1 = c - max_frame_m / 2, c + max_frame_m / 2
    if y1 - y0 > max_frame_m:
        c = min(max(oy, y0 + max_frame_m / 2), y1 - max_frame_m / 2)
        y0, y1 = c - max_frame_m / 2, c + max_frame_m / 2
    note = ""
    if outer is not None and outer.geometry.area > 0:
        frame = box(x0, y0, x1, y1)
        outside = shapely.difference(outer.geometry, frame)
        share = outside.area / outer.geometry.area
        if share > 1e-6:
            xy = shapely.get_coordinates(outer.geometry)
            reach = float(np.hypot(xy[:, 0] - ox, xy[:, 1] - oy).max())
            inside = shapely.get_coordinates(shapely.intersection(outer.geometry, frame))
            shown = float(np.hypot(inside[:, 0] - ox, inside[:, 1] - oy).max()) if len(inside) else 0.0
            note = (
                f"图框未包含整个 {outer.level} 区：图外部分占该区面积 {share * 100:.0f} %，"
                f"该区最远 {reach / 1e3:.1f} km，图中显示至 {shown / 1e3:.1f} km"
            )
    return (x0, y0, x1, y1), note


def briefing_map_figure(plan, park, *, labels=(), dpi: int = 170, figsize=_FIGSIZE):
    """PNG map of the briefing: park boundary and enterprises, roads, sensitive targets, the toxic zones with the
    wind-direction band, fire zones, the isolation circle, the plan's routes (in red inside the AEGL-2 zone and its
    band) and assembly points (named), the listed targets named, the source, a north arrow, a wind arrow and a
    scale bar. ``labels``: ``(number, name, x, y)`` of the listed targets. Metric CRS; its own Figure (no pyplot)."""
    result = plan.result
    font = cjk_font_name()
    (x0, y0, x1, y1), cut = briefing_frame(plan, park)
    fig = new_figure(figsize, dpi)
    ax = fig.add_subplot(1, 1, 1)
    _draw_park(ax, park)
    _draw_zones(ax, result)
    _draw_routes(ax, plan)
    _draw_assembly(ax, plan.assembly)
    ox, oy = result.origin
    ax.scatter([ox], [oy], marker="*", s=160, color=EMERGENCY_COLORS["source"], zorder=6)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    _label_targets(ax, labels, (x0, y0, x1, y1))
    _north_and_wind(ax, result, x0, y0, x1, y1)
    _scale_bar(ax, x0, y0, x1, y1)
    if cut:
        ax.text(0.5, 0.995, cut, transform=ax.transAxes, ha="center", va="top", fontsize=6.5, color="#b30000")
    ax.legend(handles=_legend_handles(result), loc="lower right", fontsize=6, framealpha=0.9)
    use_font(fig, font)
    fig.tight_layout(pad=0.3)
    return fig


def briefing_map_png(plan, park, *, labels=(), dpi: int = 170, figsize=_FIGSIZE) -> bytes:
    """:func:`briefing_map_figure` as PNG bytes."""
    return png_bytes(briefing_map_figure(plan, park, labels=labels, dpi=dpi, figsize=figsize), dpi=dpi)


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


def _lines(geom):
    for g in getattr(geom, "geoms", [geom]):
        if g.geom_type == "LineString" and not g.is_empty:
            xs, ys = g.xy
            yield list(xs), list(ys)
        elif hasattr(g, "geoms"):
            yield from _lines(g)


def _draw_routes(ax, plan) -> None:
    """Routes of the plan; the part inside the AEGL-2 zone and its band (a crosswind exit) in red, dashed."""
    routes = plan.routes
    if routes is None or not len(routes):
        return
    zone = getattr(plan, "route_zone", None)
    for geom in routes.geometry:
        if geom is None or geom.is_empty:
            continue
        for xs, ys in _lines(geom):
            ax.plot(xs, ys, color=EMERGENCY_COLORS["route"], linewidth=1.5, zorder=4)
        if zone is not None and not zone.is_empty:
            for xs, ys in _lines(shapely.intersection(geom, zone)):
                ax.plot(xs, ys, color=IN_ZONE_ROUTE_COLOR, linewidth=1.8, linestyle=(0, (2, 1)), zorder=4.5)


def _short(name: str, n: int = 10) -> str:
    name = str(name).split("（", 1)[0]
    return name if len(name) <= n else name[: n - 1] + "…"


def _draw_assembly(ax, assembly) -> None:
    if assembly is None or not len(assembly):
        return
    color = EMERGENCY_COLORS["assembly"]
    ax.scatter(
        assembly.geometry.x, assembly.geometry.y, marker="^", s=70, color=color, edgecolor="white", zorder=5
    )
    for r in assembly.itertuples():
        ax.annotate(
            f"{r.assembly_id} {_short(r.name)}",
            (r.geometry.x, r.geometry.y),
            xytext=(5, -9),
            textcoords="offset points",
            fontsize=6.5,
            color=color,
            weight="bold",
            zorder=7,
        )


def _label_targets(ax, labels, frame) -> None:
    """Number and name of each listed target next to it, placed greedily where no earlier label lies (candidates
    on three rings round the point, a thin leader line from the outer ones)."""
    from matplotlib import patheffects

    if not labels:
        return
    x0, y0, x1, y1 = frame
    fs = 5.8  # [pt]
    w_pt = 6.2 * 72  # axes width, about [pt]
    scale = min(w_pt / (x1 - x0), 5.4 * 72 / (y1 - y0))  # [pt/m]
    placed: list[tuple[float, float, float, float]] = []
    halo = [patheffects.withStroke(linewidth=1.6, foreground="white")]
    for num, name, x, y in labels:
        text = f"{num} {_short(name, 9)}"
        w = sum(fs if ord(ch) > 0x2E80 else 0.55 * fs for ch in text)
        h = fs * 1.2
        px, py = (x - x0) * scale, (y - y0) * scale
        best = None
        for radius in (3.0, 14.0, 28.0):
            for dx, dy in ((1, 1), (1, -1), (-1, 1), (-1, -1), (0, 1), (0, -1), (1, 0), (-1, 0)):
                ox = dx * radius + (-w if dx < 0 else (-w / 2 if dx == 0 else 0))
                oy = dy * radius + (-h if dy < 0 else (-h / 2 if dy == 0 else 0))
                bx, by = px + ox, py + oy
                if bx < 0 or by < 0 or bx + w > (x1 - x0) * scale or by + h > (y1 - y0) * scale:
                    continue
                if all(bx + w < a or a2 < bx or by + h < b or b2 < by for a, b, a2, b2 in placed):
                    best = (ox, oy, radius)
                    break
            if best:
                break
        ox, oy, radius = best or (3.0, 3.0, 3.0)
        placed.append((px + ox, py + oy, px + ox + w, py + oy + h))
        ax.scatter([x], [y], s=6, color="#08306b", zorder=6)
        ax.annotate(
            text,
            (x, y),
            xytext=(ox, oy),
            textcoords="offset points",
            fontsize=fs,
            color="#08306b",
            va="bottom",
            ha="left",
            path_effects=halo,
            zorder=8,
            arrowprops=dict(arrowstyle="-", color="#08306b", linewidth=0.4) if radius > 3.0 else None,
        )


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
        Line2D([], [], color=EMERGENCY_COLORS["route"], linewidth=1.5, label="疏散路线"),
        Line2D(
            [], [], color=IN_ZONE_ROUTE_COLOR, linewidth=1.8, linestyle=(0, (2, 1)), label="区内横风向出口段"
        ),
        Line2D([], [], marker="^", color=EMERGENCY_COLORS["assembly"], linestyle="", label="集合点"),
        Line2D(
            [], [], marker="*", color=EMERGENCY_COLORS["source"], linestyle="", markersize=10, label="泄漏源"
        ),
        Patch(facecolor=_TARGET_FILL, edgecolor=_TARGET_EDGE, label="敏感目标（编号见表五）"),
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


def _target_points(park) -> dict[str, tuple[float, float]]:
    """Label point (inside the feature) of every sensitive target and building, by id, metric CRS. [m]"""
    out: dict[str, tuple[float, float]] = {}
    for layer, col in (("sensitive_targets", "target_id"), ("buildings", "building_id")):
        g = park.metric(layer)
        if g is None or not len(g):
            continue
        pts = g.geometry.representative_point()
        out.update({str(i): (p.x, p.y) for i, p in zip(g[col].astype(str), pts, strict=True)})
    return out


def _listed(plan, max_targets: int):
    """The targets of the table: the most urgent first (the plan's order), at most ``max_targets``."""
    t = plan.targets
    return t.head(max_targets) if len(t) else t


def target_labels(plan, park, *, max_targets: int = 14) -> list[tuple[int, str, float, float]]:
    """``(number, name, x, y)`` of the targets the briefing lists (numbered as in its table), at a point inside each
    target's outline, metric CRS [m]; a target without a feature in the park is left off the map."""
    pts = _target_points(park)
    return [
        (i, str(r.name), *pts[str(r.target_id)])
        for i, r in enumerate(_listed(plan, max_targets).itertuples(), start=1)
        if str(r.target_id) in pts
    ]


def write_briefing_pdf(
    path,
    plan,
    park,
    *,
    issued_at: dt.datetime | None = None,
    weather_note: str = "",
    max_targets: int = 14,
) -> Path:
    """Write the one-page briefing PDF of a plan (A4 portrait, Chinese, font embedded).

    Parameters
    ----------
    path : str or Path
    plan : analysis.emergency.plan.EmergencyPlan
        :func:`analysis.emergency.plan` (as the user may see it: the page passes it through the redaction).
    park : geodata.Park
    issued_at : datetime, optional
        Time of issue (default: now), printed in Beijing time.
    weather_note : str
        Where the wind came from (e.g. the weather-station reading used), printed under the weather.
    max_targets : int
        Targets listed in the table and named on the map (the most urgent first).

    Returns
    -------
    Path
    """
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    from analysis.emergency.observations import BEIJING_TZ

    result = plan.result
    reg, bold = _font_paths()
    issued = issued_at or dt.datetime.now(BEIJING_TZ)
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_font("cjk", "", str(reg), collection_font_number=_SC_FACE)
    pdf.add_font("cjk", "B", str(bold), collection_font_number=_SC_FACE)
    pdf.set_margins(10, 8, 10)
    pdf.add_page()
    src = result.source
    nl = dict(new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    pdf.set_font("cjk", "B", 15)
    pdf.cell(0, 8, f"应急疏散简报 —— {park.name}", **nl)
    pdf.set_font("cjk", "", 8.5)
    pdf.cell(
        0,
        4.5,
        f"事故时间：{beijing_text(plan.time)}（{'白天' if result.daytime else '夜间'}）    "
        f"签发时间：{beijing_text(issued)}    由 parkrisk 计算，供现场指挥参考，须结合实测调整",
        **nl,
    )
    w = result.weather
    pdf.multi_cell(
        0,
        4.5,
        align="L",
        wrapmode="CHAR",
        text=f"泄漏源：{src.source_id} {src.name}，物质 {src.substance}；{result.release.describe_zh()}。"
        f"气象：{w.describe_zh()}{('；' + weather_note) if weather_note else ''}。扩散模型："
        f"{'重气（Britter-McQuaid 1988）' if result.dense_gas else '高斯（Pasquill-Gifford/Briggs）'}。",
        **nl,
    )
    y_top = pdf.get_y() + 1
    shown = _listed(plan, max_targets)
    labels = target_labels(plan, park, max_targets=max_targets)
    png = briefing_map_png(plan, park, labels=labels)
    pdf.image(io.BytesIO(png), x=10, y=y_top, w=_MAP_W_MM)
    map_h = _MAP_W_MM * _FIGSIZE[1] / _FIGSIZE[0]
    x_r = 10 + _MAP_W_MM + 3
    col_w = 210 - 10 - x_r
    _write_right_column(pdf, plan, park, x_r=x_r, y_top=y_top, col_w=col_w)
    _write_targets_and_assumptions(pdf, plan, shown, y=max(y_top + map_h + 2, pdf.get_y() + 2))
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


def _heading(pdf, x: float, w: float, text: str) -> None:
    from fpdf.enums import XPos, YPos

    pdf.set_x(x)
    pdf.set_font("cjk", "B", 10)
    pdf.cell(w, 6, text, new_x=XPos.LEFT, new_y=YPos.NEXT)


def _para(pdf, x: float, w: float, text: str, *, size: float = 7.2, h: float = 3.4) -> None:
    from fpdf.enums import XPos, YPos

    pdf.set_x(x)
    pdf.set_font("cjk", "", size)
    pdf.multi_cell(
        w,
        h,
        text.replace("⅓", "1/3").replace("½", "1/2"),
        align="L",
        wrapmode="CHAR",
        new_x=XPos.LEFT,
        new_y=YPos.NEXT,
    )


def _write_right_column(pdf, plan, park, *, x_r: float, y_top: float, col_w: float) -> None:
    """Right of the map: the zones, the ERG 2024 comparison (Table 3 container row and why), the assembly points
    and the summary counts."""
    result = plan.result
    pdf.set_xy(x_r, y_top)
    _heading(pdf, x_r, col_w, "一、危险区（下风向最远距离）")
    pdf.set_font("cjk", "", 7.5)
    rows = [("区", "阈值 mg/m³", "距离 m")]
    for r in result.toxic.itertuples():
        rows.append((str(r.level), sig_text(r.threshold * 1e6), f"{r.max_distance:,.0f}"))
    rows.append(("初始隔离", "—", f"{result.isolation['radius_m'].iloc[0]:,.0f}"))
    for r in result.fire.itertuples():
        rows.append((f"{r.scenario_zh} {r.level}"[:14], "—", f"{r.max_distance:,.0f}"))
    _table(pdf, x_r, rows, (col_w * 0.4, col_w * 0.32, col_w * 0.28))
    _heading(pdf, x_r, col_w, "二、与 ERG 对照")
    erg = result.erg
    if len(erg):
        pdf.set_font("cjk", "", 7.2)
        period = "白天" if result.daytime else "夜间"
        rows = [("版本", "隔离 m", f"{period}防护 km", "模型 AEGL-2 km")]
        for _, r in erg.iterrows():
            rows.append(
                (
                    erg_label_zh(r) + ("" if r["verified"] else "*"),
                    f"{r['isolation_m']:,.0f}",
                    f"{r['protective_action_m'] / 1e3:.1f}",
                    f"{r['model_aegl2_m'] / 1e3:.2f}",
                )
            )
        _table(pdf, x_r, rows, (col_w * 0.3, col_w * 0.2, col_w * 0.22, col_w * 0.28))
        notes = [str(n) for n in erg["note_zh"] if isinstance(n, str) and n]
        text = ("；".join(notes) + "。") if notes else ""
        text += (
            f"{'大量' if result.spill_size == 'large' else '小量'}泄漏，{period}。ERG 距离为大量假想泄漏与气象的"
            "第 90 百分位（初始防护），本模型为给定条件下的确定值。"
        )
        if not erg["verified"].all():
            text += "* 数值未能核实。"
        _para(pdf, x_r, col_w, text, size=6.8, h=3.2)
    else:
        _para(pdf, x_r, col_w, "ERG 表中无该物质或该泄漏规模。")
    _heading(pdf, x_r, col_w, "三、集合点（区外、上风或侧风向）")
    a = plan.assembly
    if a is not None and len(a):
        for r in a.itertuples():
            cap = getattr(r, "capacity", None)
            got = getattr(r, "assigned", None)
            cap_s = "" if cap is None or not np.isfinite(float(cap)) else f"，容纳 {float(cap):,.0f} 人"
            got_s = "" if got is None or not np.isfinite(float(got)) else f"，安排 {float(got):,.0f} 人"
            over = "（超出容量）" if cap_s and got_s and float(got) > float(cap) else ""
            _para(
                pdf,
                x_r,
                col_w,
                f"{r.assembly_id} {r.name}：距泄漏源 {r.distance_m / 1e3:.1f} km，方位 {r.bearing_deg:.0f}°{cap_s}{got_s}{over}",
                size=7,
                h=3.3,
            )
    else:
        _para(pdf, x_r, col_w, "没有安全的集合点：所有目标就地避险，或由指挥部另定。")
    _heading(pdf, x_r, col_w, "四、影响汇总")
    t = plan.targets
    pop = t["population"].astype("Float64").fillna(0) if len(t) else t.get("population")
    n = {k: int((t["recommendation"] == k).sum()) if len(t) else 0 for k in ("evacuate", "shelter", "none")}
    people = {k: int(pop[t["recommendation"] == k].sum()) if len(t) else 0 for k in ("evacuate", "shelter")}
    urgent = int((t["priority"] == 1).sum()) if len(t) and "priority" in t else 0
    lines = [
        f"受影响目标 {len(t)} 处（敏感目标 {int((t['layer'] == 'sensitive_targets').sum()) if len(t) else 0} 处）",
        f"撤离 {n['evacuate']} 处（约 {people['evacuate']:,} 人，其中立即撤离 {urgent} 处）",
        f"就地避险 {n['shelter']} 处（约 {people['shelter']:,} 人）；无人员 {n['none']} 处",
    ]
    for s_ in lines:
        _para(pdf, x_r, col_w, s_, size=7.5, h=3.8)


def _write_targets_and_assumptions(pdf, plan, shown, *, y: float) -> None:
    """Under the map: the protective action of each listed target with the numbers that decided it, and the main
    assumptions."""
    from fpdf.enums import XPos, YPos

    nl = dict(new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_xy(10, y)
    pdf.set_font("cjk", "B", 10)
    pdf.cell(0, 6, "五、防护行动（按紧急程度；编号与地图一致）", **nl)
    pdf.set_font("cjk", "", 6.8)
    rows = [
        (
            "号",
            "名称",
            "所在区",
            "室外浓度",
            "人数",
            "到达 min",
            "撤离需 min",
            "室内剂量/阈值 mg·min/m³",
            "建议",
            "去向",
        )
    ]
    for i, r in enumerate(shown.itertuples(), start=1):
        pop = "" if r.population is None or str(r.population) in ("<NA>", "nan") else f"{int(r.population):,}"
        exit_min = "无路线" if not np.isfinite(float(r.exit_time_s)) else f"{r.exit_time_s / 60:.0f}"
        dose = f"{sig_text(r.indoor_dose_mg_s_m3 / 60)} / {sig_text(r.dose_threshold_mg_s_m3 / 60)}"
        where = "—"
        if r.recommendation == "evacuate":
            has_ap = isinstance(r.assembly_id, str) and r.assembly_id
            where = (
                r.assembly_id if has_ap else ("横风向撤出区外" if r.route_status == "crosswind_exit" else "—")
            )
            inside = float(r.length_in_zone_m) if np.isfinite(float(r.length_in_zone_m)) else 0.0
            if inside > 0:
                where += f"，区内出口 {inside:,.0f} m"
        rows.append(
            (
                str(i),
                str(r.name),
                str(r.level),
                conc_text(r.concentration_mg_m3, r.concentration_ppm),
                pop,
                f"{r.arrival_s / 60:.0f}",
                exit_min,
                dose,
                str(r.recommendation_zh),
                where,
            )
        )
    _table(pdf, 10, rows, (6, 28, 13, 34, 10, 11, 11, 29, 20, 28), row_h=3.5)
    rest = len(plan.targets) - len(shown)
    if rest > 0:
        pdf.cell(
            0, 3.6, f"另有 {rest} 处目标（紧急程度较低）见应急疏散页面或 parkrisk evacuate 的输出。", **nl
        )
    pdf.ln(1)
    pdf.set_font("cjk", "B", 10)
    pdf.cell(0, 5.5, "六、主要假设与说明", **nl)
    keep = [a for a in plan.assumptions if len(a) < 220][:12]
    text = (
        "；".join(keep)
        + "。建议规则：来得及在烟云到达前撤出则撤离；来不及而室内剂量低于阈值则就地避险；否则立即撤离（最高优先级）。"
        "路线不进入 AEGL-2 区及其风向不确定带；红色虚线段为区内目标横风向离开的出口段。"
    )
    pdf.set_x(10)
    pdf.set_font("cjk", "", 6.4)
    pdf.multi_cell(0, 3.0, text.replace("⅓", "1/3").replace("½", "1/2"), align="L", wrapmode="CHAR", **nl)

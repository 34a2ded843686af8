"""Charts of analysis results for pages and reports, built without pyplot's global state.

Each function returns a :class:`matplotlib.figure.Figure` made directly (no ``pyplot``), so two sessions of the
server drawing at once cannot share a current figure or rc settings; Chinese text uses the Noto CJK font.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from analysis.qra.societal import REGION_LABELS_ZH, FNCurve, get_criterion
from app.reports.figures import CJK_FONT_PATH

__all__ = ["CJK_FONT_PATH", "FN_CRITERION_COLORS", "FN_CURVE_COLORS", "fn_figure", "wind_rose_figure"]

#: F-N criterion lines (dashed): unacceptable (upper) red, acceptable (lower) green.
FN_CRITERION_COLORS: dict[str, str] = {"upper": "#c0392b", "lower": "#27ae60"}
#: F-N curves (solid), in turn: blue, black, purple, brown — none of them red, green or their neighbours, so a
#: curve is never read as a criterion line.
FN_CURVE_COLORS: tuple[str, ...] = ("#1f4e9c", "#111111", "#7b3294", "#8c510a")


def fn_figure(
    curves: FNCurve | Mapping[str, FNCurve] | Sequence[tuple[str, FNCurve]],
    *,
    criterion: str = "gb36894_2018",
    title: str = "社会风险 F-N 曲线",
    font_path: str = CJK_FONT_PATH,
) -> Any:
    """Matplotlib figure of one or more F-N curves against the criterion lines, with Chinese labels.

    Parameters
    ----------
    curves : FNCurve, mapping label -> FNCurve, or sequence of (label, FNCurve)
        E.g. ``{"白天": day, "夜间": night}``.
    criterion : str
        Key of :data:`SOCIETAL_CRITERIA`.
    title : str
    font_path : str
        CJK font file (Debian package fonts-noto-cjk).

    Returns
    -------
    matplotlib.figure.Figure
        Built without pyplot (no global state); save with ``fig.savefig(...)``.

    Raises
    ------
    FileNotFoundError
        The CJK font is missing (install fonts-noto-cjk).
    """
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    if not os.path.exists(font_path):
        raise FileNotFoundError(
            f"CJK font {font_path} not found: install the Debian package fonts-noto-cjk "
            "(apt-get install fonts-noto-cjk) or pass font_path="
        )
    fp = FontProperties(fname=font_path)
    c = get_criterion(criterion)
    if isinstance(curves, FNCurve):
        items = [("F-N 曲线", curves)]
    elif isinstance(curves, Mapping):
        items = list(curves.items())
    else:
        items = list(curves)
    fig = Figure(figsize=(7.0, 5.5))
    ax = fig.add_subplot(1, 1, 1)
    n_hi = max([c.n_max] + [float(cv.n.max()) for _, cv in items if cv.n.size])
    n_line = np.logspace(np.log10(c.n_min), np.log10(n_hi), 200)
    ax.loglog(
        n_line,
        c.upper(n_line),
        color=FN_CRITERION_COLORS["upper"],
        lw=1.8,
        ls="--",
        label="不可接受线（上限）",
    )
    if c.lower_c is not None:
        ax.loglog(
            n_line,
            c.lower(n_line),
            color=FN_CRITERION_COLORS["lower"],
            lw=1.8,
            ls="--",
            label="可接受线（下限）",
        )
        ax.fill_between(n_line, c.upper(n_line), 1.0, color="#c0392b", alpha=0.08)
        ax.fill_between(n_line, c.lower(n_line), c.upper(n_line), color="#f1c40f", alpha=0.10)
    f_lo = min([1e-9] + [float(cv.f.min()) / 10 for _, cv in items if cv.n.size])
    for k, (label, cv) in enumerate(items):
        if cv.n.size == 0:
            continue
        # F(N) = Σ f_i over N_i ≥ N is left-continuous: f[i] holds on (n[i-1], n[i]], so the curve runs at f[0] up
        # to n[0], drops to f[1], runs to n[1], … and drops off the chart after n[-1]
        xs, ys = [min(1.0, float(cv.n[0]))], [float(cv.f[0])]
        for i in range(cv.n.size):
            nxt = float(cv.f[i + 1]) if i + 1 < cv.n.size else f_lo
            xs += [float(cv.n[i]), float(cv.n[i])]
            ys += [float(cv.f[i]), nxt]
        ax.loglog(xs, ys, lw=2.2, color=FN_CURVE_COLORS[k % len(FN_CURVE_COLORS)], label=str(label))
    ax.set_xlim(1.0, n_hi * 1.2)
    ax.set_ylim(max(f_lo, 1e-12), 1e-1)
    ax.set_xlabel("死亡人数 N（人）", fontproperties=fp)
    ax.set_ylabel("累积频率 F（次/年）", fontproperties=fp)
    ax.set_title(title, fontproperties=fp)
    if c.lower_c is not None:
        xt = c.n_max / 8
        ax.text(xt, c.upper(xt) * 6, REGION_LABELS_ZH["unacceptable"], fontproperties=fp, color="#c0392b")
        ax.text(
            xt,
            np.sqrt(c.upper(xt) * c.lower(xt)),
            REGION_LABELS_ZH["alarp"],
            fontproperties=fp,
            color="#b7950b",
        )
        ax.text(xt, c.lower(xt) / 12, REGION_LABELS_ZH["acceptable"], fontproperties=fp, color="#27ae60")
    ax.grid(True, which="both", ls=":", lw=0.5)
    ax.legend(prop=fp, loc="upper right")
    if not c.confirmed:
        fig.text(0.01, 0.01, "注：判据线常数未经标准原文核对", fontproperties=fp, fontsize=8, color="#7f8c8d")
    return fig


def wind_rose_figure(rose: Any, *, title: str = "风玫瑰", font_path: str = CJK_FONT_PATH) -> Any:
    """Polar bar chart of a wind rose (where the wind blows from), stacked by wind-speed class; a day/night rose
    gets one panel for the day and one for the night.

    Parameters
    ----------
    rose : analysis.weather.WindRose or DayNightWindRose
    title : str
    font_path : str
        CJK font file (Debian package fonts-noto-cjk).

    Returns
    -------
    matplotlib.figure.Figure
        Built without pyplot; bar lengths are frequencies within the period [%].
    """
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    if not os.path.exists(font_path):
        raise FileNotFoundError(f"CJK font {font_path} not found: install fonts-noto-cjk or pass font_path=")
    fp = FontProperties(fname=font_path)
    panels = [("白天", rose.day), ("夜间", rose.night)] if hasattr(rose, "day") else [("全年", rose)]
    fig = Figure(figsize=(5.0 * len(panels), 5.2))
    fig.suptitle(title, fontproperties=fp)
    colors = ("#9ecae1", "#4292c6", "#2171b5", "#08306b", "#08306b")
    for k, (label, r) in enumerate(panels):
        ax = fig.add_subplot(1, len(panels), k + 1, projection="polar")
        ax.set_theta_zero_location("N")
        ax.set_theta_direction(-1)  # clockwise from north, as a compass
        theta = np.radians(np.asarray(r.directions_deg))
        width = np.radians(r.sector_width_deg) * 0.9
        bottom = np.zeros(len(theta))
        for j, speed in enumerate(r.speeds_m_s):
            p = 100.0 * r.probability[:, j, :].sum(axis=1)
            ax.bar(theta, p, width=width, bottom=bottom, color=colors[min(j, 4)], label=f"{speed:g} m/s")
            bottom += p
        ax.set_xticks(np.radians(np.arange(0, 360, 45)))
        ax.set_xticklabels(["北", "东北", "东", "东南", "南", "西南", "西", "西北"], fontproperties=fp)
        ax.set_title(f"{label}（频率 %）", fontproperties=fp, pad=14)
        if k == len(panels) - 1:
            ax.legend(
                prop=fp, loc="lower left", bbox_to_anchor=(0.95, -0.05), fontsize=8, title_fontproperties=fp
            )
    return fig

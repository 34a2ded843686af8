"""Figures of the reports (static maps, charts) without pyplot's global state.

A Streamlit server renders reports for several sessions at once: ``pyplot``'s current figure and ``rc_context``
change process-wide settings, so two reports drawn together could mix fonts or axes. Here every figure is a
:class:`matplotlib.figure.Figure` with its own Agg canvas, and the Chinese font is set on the figure's own texts
(:func:`use_font`), never in ``rcParams``.
"""

from __future__ import annotations

import functools
import io
import os
from pathlib import Path
from typing import Any

__all__ = ["CJK_FONT_PATH", "cjk_font_name", "new_figure", "use_font", "png_bytes"]

#: The CJK font used in images (Debian package fonts-noto-cjk); ``PARKRISK_CJK_FONT`` overrides it.
CJK_FONT_PATH = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


def cjk_font_name() -> str:
    """Register the Noto CJK font with matplotlib (once per font file) and return its family name.

    Raises
    ------
    FileNotFoundError
        If the font file is missing (names the Debian package to install).
    """
    path = Path(os.environ.get("PARKRISK_CJK_FONT", CJK_FONT_PATH))
    if not path.exists():
        raise FileNotFoundError(
            f"找不到中文字体 {path}：请安装 Debian 软件包 fonts-noto-cjk（或设置 PARKRISK_CJK_FONT） / CJK font missing"
        )
    return _register_font(str(path))


@functools.lru_cache(maxsize=8)
def _register_font(path: str) -> str:
    from matplotlib import font_manager

    font_manager.fontManager.addfont(path)
    names = {f.name for f in font_manager.fontManager.ttflist if Path(f.fname) == Path(path)}
    return "Noto Sans CJK SC" if "Noto Sans CJK SC" in names else sorted(names)[0]


def new_figure(figsize: tuple[float, float], dpi: float) -> Any:
    """A :class:`matplotlib.figure.Figure` of ``figsize`` [in] at ``dpi`` with its own Agg canvas (no pyplot)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def use_font(fig: Any, family: str) -> None:
    """Write every text of ``fig`` in ``family``: titles, axis and tick labels (also ticks made later), legends,
    annotations. Sizes and weights stay as they are. Call it after the last text was added."""
    from matplotlib.text import Text

    for text in fig.findobj(Text):
        text.set_fontfamily(family)
    for ax in fig.axes:
        ax.tick_params(labelfontfamily=family)


def png_bytes(fig: Any, *, dpi: float, **savefig: Any) -> bytes:
    """The figure as PNG bytes (``savefig`` options such as ``bbox_inches`` passed on)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, **savefig)
    return buf.getvalue()

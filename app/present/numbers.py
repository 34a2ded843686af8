"""Numbers as people read them: never ``1e-05`` or ``1.08e+03``, never ``None`` or ``nan`` (issue 17, item 4).

- :func:`sci_zh` / :func:`per_year_zh`: small and large values as ``3×10⁻⁷`` / ``3×10⁻⁷/年`` (frequencies, risks);
- :func:`num_zh`: any value in positional notation with thousands separators, ``×10ⁿ`` only outside 10⁻³…10⁶;
- :func:`numbers_in_text_zh`: the same for numbers a model wrote into a sentence (assumptions, reasons) with
  Python's ``e`` notation;
- :func:`beijing_zh`: a stored UTC time as Beijing time (``2026-12-08 00:18``);
- :func:`display_frame`: a table for ``st.dataframe`` and Excel with its empty cells written ``—`` (Streamlit shows
  an empty cell as ``None``).

The data keep SI floats; only what is shown is formatted here.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

__all__ = [
    "sci_zh",
    "per_year_zh",
    "num_zh",
    "numbers_in_text_zh",
    "display_frame",
    "beijing_zh",
    "BEIJING_TZ",
    "beijing_today",
    "EMPTY_ZH",
    "is_null",
]

from analysis._text import EMPTY_ZH, num_zh, per_year_zh, sci_zh  # the one copy (models write these too)


def is_null(value: Any) -> bool:
    """None, NaN, NaT or pandas' NA (one test for every formatter of the app)."""
    if value is None or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _plain(v: float, digits: int) -> str:
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.{digits}g}"


# Python's e notation (lower-case e); not inside an id such as P01-AN-005E6653 (a letter or "X-" before it)
_E_NUMBER = re.compile(r"(?<![\w.])(?<!\w-)([-+]?\d+(?:\.\d+)?)e([-+]?\d+)(?![\w])")


def numbers_in_text_zh(text: Any) -> str:
    """``text`` with every number in ``e`` notation rewritten as people write it (``1.08e+03`` → ``1,080``,
    ``3e-07`` → ``3×10⁻⁷``), keeping its significant figures; other text unchanged."""
    if is_null(text):
        return EMPTY_ZH

    def repl(m: re.Match[str]) -> str:
        mantissa = m.group(1).lstrip("+-")
        digits = max(len(mantissa.replace(".", "").lstrip("0")), 1)
        v = float(m.group(0))
        if 1e-3 <= abs(v) < 1e6:
            return _plain(float(f"{v:.{digits}g}"), digits)
        return sci_zh(v, digits)

    return _E_NUMBER.sub(repl, str(text))


def display_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its empty cells (None, NaN, NaT) written ``—`` and numbers in ``e`` notation in its text
    cells rewritten (:func:`numbers_in_text_zh`): what ``st.dataframe`` and Excel show. Columns without an empty
    cell keep their dtype (and their sorting); a column with one becomes text, its numbers by :func:`num_zh`."""
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s):
            out[col] = [v if not isinstance(v, str) else numbers_in_text_zh(v) for v in s]
            s = out[col]
        mask = s.isna()
        if mask.any():  # a column with an empty cell becomes text (Arrow takes no "—" among numbers)
            out[col] = [
                EMPTY_ZH if m else (num_zh(v, 6) if isinstance(v, float) else str(v))
                for v, m in zip(s.tolist(), mask.tolist(), strict=True)
            ]
    return out


#: The time zone every time is shown in.
BEIJING_TZ = "Asia/Shanghai"


def beijing_today() -> dt.date:
    """Today's date in Beijing (the day deadlines, overdue items and monthly bulletins count from)."""
    return dt.datetime.now(ZoneInfo(BEIJING_TZ)).date()


def beijing_zh(value: Any, *, seconds: bool = False) -> str:
    """A stored time (ISO 8601 text or datetime; naive ones are UTC, as the stores write them) as Beijing time:
    ``2026-12-08 00:18`` (``seconds``: ``…:39``); ``—`` for empty. Column headers say ``（北京时间）``."""
    if is_null(value) or (isinstance(value, str) and not value.strip()):
        return EMPTY_ZH
    try:
        t = pd.Timestamp(value)
    except (TypeError, ValueError):
        return str(value)
    t = (t.tz_localize("UTC") if t.tzinfo is None else t).tz_convert(BEIJING_TZ)
    return t.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def sci_mathtext(value: Any, digits: int = 1) -> str:
    """:func:`sci_zh` for a matplotlib figure: ``$3\\times10^{-7}$`` in mathtext (the CJK font of the figures has no
    superscript digits); plain text where :func:`sci_zh` writes no power of ten."""
    text = sci_zh(value, digits)
    if "×10" not in text:
        return text
    mantissa, power = text.split("×10")
    exponent = power.translate(str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789"))
    return f"${mantissa}\\times10^{{{exponent}}}$"

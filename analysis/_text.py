"""Numbers in the Chinese sentences the models write (assumptions, reasons, labels): as people write them, never in
Python's ``e`` notation (``1e-05``, ``1.08e+03``) — issue 17, item 4. The app shows these sentences as they are;
:mod:`app.present.numbers` re-exports these functions for its own tables and labels (one copy).
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["sci_zh", "per_year_zh", "num_zh", "EMPTY_ZH"]

#: What an empty (None/NaN) value is written as.
EMPTY_ZH = "—"
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _is_null(value: Any) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return str(value) in {"NaT", "<NA>"}


def _plain(v: float, digits: int) -> str:
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.{digits}g}"


def sci_zh(value: Any, digits: int = 1) -> str:
    """A small or large number as people write it: ``1×10⁻⁵``, ``3×10⁻⁷``, ``2.5×10⁻⁶`` (``digits`` significant
    figures, trailing zeros dropped); plain text between 0.01 and 1000, ``0`` for zero, ``—`` for NaN."""
    if _is_null(value):
        return EMPTY_ZH
    v = float(value)
    if v == 0 or not math.isfinite(v) or 0.01 <= abs(v) < 1000:
        return "0" if v == 0 else _plain(v, 3)
    mantissa, exponent = f"{v:.{max(int(digits), 1) - 1}e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".") if "." in mantissa else mantissa
    return f"{mantissa}×10{str(int(exponent)).translate(_SUPERSCRIPT)}"


def per_year_zh(value: Any, digits: int = 1) -> str:
    """A frequency or individual risk per year [1/a]: ``1×10⁻⁵/年`` (see :func:`sci_zh`)."""
    return EMPTY_ZH if _is_null(value) else f"{sci_zh(value, digits)}/年"


def num_zh(value: Any, digits: int = 3) -> str:
    """A number for people: ``15,984``, ``0.75``, ``2.5×10⁻⁶`` (``digits`` significant figures below 1000,
    thousands separators above, ``×10ⁿ`` below 10⁻³ or from 10⁶ on); ``—`` for NaN."""
    if _is_null(value):
        return EMPTY_ZH
    v = float(value)
    if v == 0:
        return "0"
    if not math.isfinite(v):
        return "∞" if v > 0 else "-∞"
    if 1e-3 <= abs(v) < 1e6:
        return _plain(v, digits)
    return sci_zh(v, digits)

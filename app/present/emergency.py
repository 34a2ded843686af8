"""Text of the emergency plan shared by the page, ``parkrisk evacuate`` and the briefing: numbers with sensible
digits, concentrations in mg/m³ and ppm, the ERG row's label and Beijing time.

One copy, so that the screen, the terminal and the PDF print the same figures.
"""

from __future__ import annotations

import datetime as dt
import math

#: The part of a route inside the AEGL-2 zone or its band (the crosswind exit of a target inside), on the page's map
#: and on the briefing.
IN_ZONE_ROUTE_COLOR = "#d7191c"

__all__ = [
    "IN_ZONE_ROUTE_COLOR",
    "sig_round",
    "sig_text",
    "conc_text",
    "erg_label_zh",
    "erg_period_zh",
    "beijing_text",
]


def sig_round(x, digits: int = 3) -> float:
    """``x`` rounded to ``digits`` significant digits (57.964 -> 58.0); nan stays nan."""
    v = float(x)
    return float(f"{v:.{digits}g}") if math.isfinite(v) else v


def sig_text(x, digits: int = 3) -> str:
    """``x`` to ``digits`` significant digits in plain notation with thousands separators (1080, 54.5, 0.0123);
    "—" for a missing value."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return "—"
    if not math.isfinite(v):
        return "—"
    if v == 0:
        return "0"
    r = float(f"{v:.{digits}g}")  # rounded to the significant digits
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(r))))
    return f"{r:,.{decimals}f}"


def conc_text(mg_m3, ppm=None) -> str:
    """``54.5 mg/m³（18.8 ppm）`` with 3 significant digits; ppm left out when not given."""
    out = f"{sig_text(mg_m3)} mg/m³"
    if ppm is not None and sig_text(ppm) != "—":
        out += f"（{sig_text(ppm)} ppm）"
    return out


def erg_label_zh(row) -> str:
    """``ERG 2024 表 3`` for a row of :func:`analysis.emergency.erg_comparison`."""
    ed = str(row["edition"]).upper().replace("ERG", "ERG ")
    table = str(row.get("table", "Table 1") if hasattr(row, "get") else row["table"])
    return f"{ed} {'表 3' if table == 'Table 3' else '表 1'}"


def erg_period_zh(period: str) -> str:
    return "白天" if period == "day" else "夜间"


def beijing_text(when) -> str:
    """``2026-12-07 22:00 北京时间`` for a datetime (an aware one converted to Asia/Shanghai, a naive one taken as
    Beijing time); ``22:00 北京时间`` for a time or "HH:MM"."""
    from zoneinfo import ZoneInfo

    if isinstance(when, dt.datetime):
        t = when.astimezone(ZoneInfo("Asia/Shanghai")) if when.tzinfo is not None else when
        return f"{t:%Y-%m-%d %H:%M} 北京时间"
    if isinstance(when, dt.time):
        return f"{when:%H:%M} 北京时间"
    return f"{str(when).strip()} 北京时间" if when else "—"

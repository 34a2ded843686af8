"""Reading an installations row: null-safe values, checked numbers, the substance and the centroid.

The scenario modules read the park's installations table through these helpers only, so that a missing value, a
NaN and a non-numeric entry are treated the same way everywhere and every message names the installation.
"""

from __future__ import annotations

import math

import pandas as pd

from analysis.errors import AnalysisInputError
from analysis.physics import substances

__all__ = ["row_value", "row_number", "substance_of", "centroid"]


def row_value(row, key, default=None):
    """``row[key]``, or ``default`` when the key is missing or the value is null (None, NaN, pd.NA, NaT)."""
    try:
        v = row[key]
    except (KeyError, IndexError, TypeError):
        return default
    try:
        if v is None or bool(pd.isna(v)):
            return default
    except (TypeError, ValueError):  # arrays, geometries and other objects are values
        pass
    return v


def row_number(
    row, key: str, *, unit: str, required: bool = True, default: float | None = None, positive: bool = True
) -> float | None:
    """``row[key]`` as a finite number (> 0 unless ``positive=False``) [``unit``]; None when missing and optional.

    Raises
    ------
    analysis.errors.AnalysisInputError
        A required value is missing, or the value is not a finite (positive) number; the message names the
        installation, the column and the unit.
    """
    v = row_value(row, key, default)
    uid = row_value(row, "unit_id", "?")
    if v is None:
        if required:
            raise AnalysisInputError(
                f"设施 {uid} 缺少 {key}（{unit}），无法计算源项 (missing {key} [{unit}])"
            )
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        raise AnalysisInputError(f"设施 {uid} 的 {key}={v!r} 不是数值 (must be a number [{unit}])") from None
    if not math.isfinite(f) or (positive and f <= 0):
        raise AnalysisInputError(
            f"设施 {uid} 的 {key}={v!r} 应为正的有限数 [{unit}] (must be finite and > 0)"
        )
    return f


def substance_of(row):
    """The :class:`analysis.physics.substances.Substance` named in the row's ``substance`` column.

    Raises
    ------
    analysis.errors.AnalysisInputError
        The column is empty.
    analysis.errors.UnknownSubstanceError
        The name is not in the substance table (the message suggests the closest names).
    """
    name = row_value(row, "substance")
    if name is None or str(name).strip() == "":
        raise AnalysisInputError(
            f"设施 {row_value(row, 'unit_id', '?')} 的 substance 物质 为空 (substance is empty)"
        )
    return substances.get(str(name))


def centroid(row) -> tuple[float, float]:
    """(x, y) of the centroid of the row's geometry, (0, 0) when it has none. [m]"""
    geom = row_value(row, "geometry")
    if geom is None or getattr(geom, "is_empty", True):
        return (0.0, 0.0)
    c = geom.centroid
    return (float(c.x), float(c.y))

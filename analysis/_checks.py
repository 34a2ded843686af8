"""Input checks shared by every model of :mod:`analysis` (one copy; modules import these, never copy them).

Each check raises :class:`analysis.errors.AnalysisInputError` (a ``ValueError``) whose message names the parameter,
the offending value and what is allowed, in Chinese first with the English in brackets. The array checks use
min/max reductions (they propagate NaN and cost less than boolean masks on 10⁶ points) and return the input as a
float array, so a model can check and convert in one step.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from analysis.errors import AnalysisInputError

__all__ = ["choice", "finite", "finite_number", "nonneg", "out", "positive", "scalar"]


def _bad_value(arr: np.ndarray, ok: np.ndarray):
    return arr[~ok].flat[0] if arr.ndim else float(arr)


def _checked(name: str, value: Any, upper: float | None) -> tuple[np.ndarray, float, float]:
    """``value`` as a float array with its smallest and largest element (one min and one max pass, which every
    check below reuses); every element finite (and ≤ ``upper`` when given)."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise AnalysisInputError(
            f"参数 {name} 须为数值，实际为 {value!r}（{name} must be numeric）"
        ) from None
    if not arr.size:
        return arr, 0.0, 0.0
    lo, hi = float(arr.min()), float(arr.max())
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise AnalysisInputError(
            f"参数 {name} 须为有限数，实际为 {_bad_value(arr, np.isfinite(arr))!r}（{name} must be finite）"
        )
    if upper is not None and hi > upper:
        raise AnalysisInputError(
            f"参数 {name} 须 ≤ {upper:g}，实际为 {_bad_value(arr, arr <= upper)!r}（{name} must be ≤ {upper:g}）"
        )
    return arr, lo, hi


def finite(name: str, value: Any, *, upper: float | None = None) -> np.ndarray:
    """``value`` as a float array; every element finite (and ≤ ``upper`` when given)."""
    return _checked(name, value, upper)[0]


def nonneg(name: str, value: Any, *, upper: float | None = None) -> np.ndarray:
    """``value`` as a float array; every element finite and ≥ 0 (and ≤ ``upper`` when given)."""
    arr, lo, _ = _checked(name, value, upper)
    if arr.size and lo < 0:
        raise AnalysisInputError(
            f"参数 {name} 须 ≥ 0，实际为 {_bad_value(arr, arr >= 0)!r}（{name} must be ≥ 0）"
        )
    return arr


def positive(name: str, value: Any, *, upper: float | None = None) -> np.ndarray:
    """``value`` as a float array; every element finite and > 0 (and ≤ ``upper`` when given)."""
    arr, lo, _ = _checked(name, value, upper)
    if arr.size and lo <= 0:
        raise AnalysisInputError(
            f"参数 {name} 须 > 0，实际为 {_bad_value(arr, arr > 0)!r}（{name} must be > 0）"
        )
    return arr


def scalar(
    name: str,
    value: Any,
    *,
    positive_only: bool = False,
    nonneg_only: bool = False,
    upper: float | None = None,
) -> float:
    """One finite number (a model that describes one object per call, e.g. one fire).

    ``positive_only`` asks for > 0, ``nonneg_only`` for ≥ 0, ``upper`` for ≤ upper.
    """
    if positive_only:
        arr = positive(name, value, upper=upper)
    elif nonneg_only:
        arr = nonneg(name, value, upper=upper)
    else:
        arr = finite(name, value, upper=upper)
    if arr.ndim:
        raise AnalysisInputError(
            f"参数 {name} 须为单个数值，实际为 {value!r}（{name} must be a single number）"
        )
    return float(arr)


def finite_number(
    name: str,
    value: Any,
    *,
    low: float | None = None,
    low_open: bool = False,
    high: float | None = None,
    unit: str = "",
) -> float:
    """A scalar in ``[low, high]`` (``(low, high]`` with ``low_open``); the message gives the range and unit."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise AnalysisInputError(
            f"{name}={value!r} 不是数值{f'（单位 {unit}）' if unit else ''} (must be a number)"
        ) from None
    if not math.isfinite(v):
        raise AnalysisInputError(
            f"{name}={value!r} 必须是有限数值{f'（单位 {unit}）' if unit else ''} (must be finite)"
        )
    if low is not None and (v <= low if low_open else v < low):
        op = ">" if low_open else "≥"
        raise AnalysisInputError(
            f"{name}={value!r} 超出范围，应 {op} {low:g} {unit} (must be {op} {low:g} {unit})".rstrip()
        )
    if high is not None and v > high:
        raise AnalysisInputError(
            f"{name}={value!r} 超出范围，应 ≤ {high:g} {unit} (must be ≤ {high:g} {unit})".rstrip()
        )
    return v


def choice(name: str, value: Any, allowed: Iterable[str]) -> str:
    """A key of a registry or enumeration; the message lists every valid key (no fuzzy matching)."""
    allowed = tuple(allowed)
    if not isinstance(value, str) or value not in allowed:
        raise AnalysisInputError(
            f"参数 {name} 须为 {list(allowed)} 之一，实际为 {value!r}（{name} must be one of {list(allowed)}）"
        )
    return value


def out(a: Any):
    """A model's result: a float for 0-d input, the array otherwise (arrays in, arrays out)."""
    a = np.asarray(a, dtype=float)
    return a if a.ndim else float(a)

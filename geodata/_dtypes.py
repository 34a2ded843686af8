"""Coercion of raw column values to the schema dtypes (shared by validation and :class:`~geodata.park.Park`).

Each coercer returns the coerced series and a mask of the values that could not be coerced (``bad``), so that
validation can report every bad cell and the park builder can rely on clean dtypes.
"""

from __future__ import annotations

import datetime as _dt
import math
import numbers

import numpy as np
import pandas as pd

__all__ = ["PANDAS_DTYPES", "null_mask", "coerce_series", "empty_series"]

#: In-memory dtype of each schema dtype.
PANDAS_DTYPES: dict[str, str] = {
    "str": "str",
    "int": "Int64",
    "float": "float64",
    "bool": "bool",
    "date": "datetime64[ms]",
}

_TRUE = {"true", "t", "yes", "y", "1", "是", "真", "有", "1.0"}
_FALSE = {"false", "f", "no", "n", "0", "否", "假", "无", "0.0"}
# Integers beyond 2**53 cannot round-trip through float64 (CSV readers); refuse them as implausible input.
_INT_LIMIT = 2**53


def _is_null_scalar(v) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    if isinstance(v, np.floating) and np.isnan(v):
        return True
    if isinstance(v, np.datetime64) and np.isnat(v):
        return True
    if isinstance(v, str) and not v.strip():
        return True
    return False


def null_mask(series: pd.Series) -> np.ndarray:
    """True where a value is missing: None, NaN, NaT, pandas NA or a blank string."""
    return np.fromiter((_is_null_scalar(v) for v in series.array), dtype=bool, count=len(series))


def empty_series(dtype: str, n: int = 0, index=None) -> pd.Series:
    """An all-missing series of the in-memory dtype of schema dtype ``dtype``."""
    pd_dtype = PANDAS_DTYPES[dtype]
    if dtype == "bool":
        pd_dtype = "boolean"
    if dtype == "str":
        return pd.Series([None] * n, index=index, dtype="str")
    return pd.Series(pd.array([None] * n, dtype=pd_dtype), index=index)


def _to_str(v) -> str:
    if isinstance(v, bool | np.bool_):
        return "true" if v else "false"
    if isinstance(v, numbers.Integral):
        return str(int(v))
    if isinstance(v, numbers.Real):
        f = float(v)
        if math.isfinite(f) and f.is_integer() and abs(f) < _INT_LIMIT:
            return str(int(f))  # ids read from CSV/Excel as 1.0 -> "1"
        return repr(f)
    if isinstance(v, bytes):
        return v.decode("utf-8", errors="replace").strip()
    if isinstance(v, pd.Timestamp | _dt.datetime | _dt.date):
        return (
            pd.Timestamp(v).date().isoformat() if pd.Timestamp(v) == pd.Timestamp(v).normalize() else str(v)
        )
    return str(v).strip()


def _to_number(v) -> float | None:
    """A finite or infinite float, or None when the value is not a number."""
    if isinstance(v, bool | np.bool_):
        return None  # a boolean in a number column is a type error
    if isinstance(v, numbers.Real):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v.strip())
        except ValueError:
            return None
    return None


def _to_bool(v) -> bool | None:
    if isinstance(v, bool | np.bool_):
        return bool(v)
    if isinstance(v, numbers.Real):
        f = float(v)
        return True if f == 1 else False if f == 0 else None
    if isinstance(v, str):
        s = v.strip().lower()
        return True if s in _TRUE else False if s in _FALSE else None
    return None


def _to_date(v) -> pd.Timestamp | None:
    try:
        if isinstance(v, pd.Timestamp | _dt.datetime | _dt.date | np.datetime64):
            ts = pd.Timestamp(v)
        elif isinstance(v, str):
            ts = pd.Timestamp(v.strip())
        else:
            return None
    except (ValueError, TypeError, OverflowError):
        return None
    if ts is pd.NaT or pd.isna(ts):
        return None
    if ts.tzinfo is not None:
        ts = ts.tz_convert(None)
    if not 1000 <= ts.year <= 9999:
        return None
    return ts.normalize()


def coerce_series(series: pd.Series, dtype: str) -> tuple[pd.Series, np.ndarray]:
    """Coerce ``series`` to schema dtype ``dtype``; return ``(coerced, bad)``.

    Missing values stay missing (``NaN``/``<NA>``/``NaT``); values that cannot be read as ``dtype`` become missing in
    ``coerced`` and are flagged in ``bad``. Integers must be whole numbers below 2**53; infinities are left in float
    columns (range checks report them).
    """
    if dtype not in PANDAS_DTYPES:
        raise ValueError(f"dtype={dtype!r} is not a schema dtype; allowed: {list(PANDAS_DTYPES)}")
    null = null_mask(series)
    values = series.array
    n = len(series)
    bad = np.zeros(n, dtype=bool)
    if dtype == "str":
        out = [None if null[i] else _to_str(values[i]) for i in range(n)]
        return pd.Series(out, index=series.index, dtype="str"), bad
    if dtype in ("int", "float"):
        nums = np.full(n, np.nan)
        for i in range(n):
            if null[i]:
                continue
            f = _to_number(values[i])
            if f is None or math.isnan(f):
                bad[i] = True
            elif dtype == "int" and (not math.isfinite(f) or not f.is_integer() or abs(f) >= _INT_LIMIT):
                bad[i] = True
            else:
                nums[i] = f
        if dtype == "float":
            return pd.Series(nums, index=series.index, dtype="float64"), bad
        arr = pd.array([None if math.isnan(x) else int(x) for x in nums], dtype="Int64")
        return pd.Series(arr, index=series.index), bad
    if dtype == "bool":
        out_b: list[bool | None] = []
        for i in range(n):
            b = None if null[i] else _to_bool(values[i])
            if b is None and not null[i]:
                bad[i] = True
            out_b.append(b)
        if any(b is None for b in out_b):
            return pd.Series(pd.array(out_b, dtype="boolean"), index=series.index), bad
        return pd.Series(out_b, index=series.index, dtype="bool"), bad
    # date
    out_d: list[pd.Timestamp | None] = []
    for i in range(n):
        ts = None if null[i] else _to_date(values[i])
        if ts is None and not null[i]:
            bad[i] = True
        out_d.append(ts)
    arr_d = pd.array([pd.NaT if t is None else t for t in out_d], dtype="datetime64[ms]")
    return pd.Series(arr_d, index=series.index), bad

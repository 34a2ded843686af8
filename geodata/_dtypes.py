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

__all__ = ["PANDAS_DTYPES", "ColumnCache", "null_mask", "coerce_series", "empty_series", "text_flags"]

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


def _objects(series: pd.Series) -> np.ndarray:
    """The values as an object array (fast to index, unlike Arrow-backed arrays)."""
    return series.to_numpy(dtype=object)


def _by_unique(series: pd.Series) -> tuple[np.ndarray, list]:
    """``(codes, uniques)`` of a text or datetime64 series: codes -1 for missing values.

    Only for dtypes whose equal values are interchangeable for the scalar readers (text, naive datetimes); object
    columns are never factorised, since 1, 1.0 and True hash alike there.
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return np.asarray(codes), list(uniques)


class _Factor:
    """:func:`_by_unique` of a series, computed on first use (a column is asked for its missing values, its Excel
    errors and its coerced values: one factorisation serves all three)."""

    __slots__ = ("series", "_done")

    def __init__(self, series: pd.Series) -> None:
        self.series = series
        self._done: tuple[np.ndarray, list] | None = None

    def __call__(self) -> tuple[np.ndarray, list]:
        if self._done is None:
            self._done = _by_unique(self.series)
        return self._done


def _blank_flags(uniques: list) -> list[bool]:
    """:func:`_is_null_scalar` of each distinct value (a plain ``str`` is missing when blank)."""
    return [not u.strip() if type(u) is str else _is_null_scalar(u) for u in uniques]


def _kind(series: pd.Series) -> str:
    """``"str"``/``"datetime"`` (factorisable), ``"float"``/``"int"``/``"bool"`` (numpy), else ``"object"``."""
    dt = series.dtype
    if isinstance(dt, pd.StringDtype):
        return "str"
    if isinstance(dt, np.dtype):
        return {"f": "float", "i": "int", "u": "int", "b": "bool", "M": "datetime"}.get(dt.kind, "object")
    return "object"


def _take(per_unique: np.ndarray, codes: np.ndarray, fill) -> np.ndarray:
    """``per_unique[codes]`` with ``fill`` where the code is -1 (a missing value)."""
    out = per_unique[np.where(codes < 0, 0, codes)] if len(per_unique) else np.full(len(codes), fill)
    out[codes < 0] = fill
    return out


def null_mask(series: pd.Series) -> np.ndarray:
    """True where a value is missing: None, NaN, NaT, pandas NA or a blank string."""
    return _null(series, _Factor(series))


def _null(series: pd.Series, factor: _Factor) -> np.ndarray:
    kind = _kind(series)
    if kind == "float":
        return np.isnan(series.to_numpy())
    if kind in ("int", "bool"):
        return np.zeros(len(series), dtype=bool)
    if kind in ("str", "datetime"):
        codes, uniques = factor()
        return _take(np.array(_blank_flags(uniques), dtype=bool), codes, True)
    return np.fromiter((_is_null_scalar(v) for v in _objects(series)), dtype=bool, count=len(series))


def text_flags(series: pd.Series, test) -> np.ndarray:
    """``test(value)`` for every value of ``series`` (False for a missing text); text columns test each distinct
    value once, numpy number, boolean and date columns (which hold no text) give all False."""
    return _flags(series, test, _Factor(series))


def _flags(series: pd.Series, test, factor: _Factor) -> np.ndarray:
    kind = _kind(series)
    if kind in ("float", "int", "bool", "datetime"):
        return np.zeros(len(series), dtype=bool)
    if kind == "str":
        codes, uniques = factor()
        return _take(np.array([bool(test(u)) for u in uniques], dtype=bool), codes, False)
    return np.array([bool(test(v)) for v in _objects(series)], dtype=bool)


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


#: The years a date may have (four digits, as a spreadsheet or GeoPackage writes them); others are refused.
_YEAR_MIN, _YEAR_MAX = 1000, 9999


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
    if not _YEAR_MIN <= ts.year <= _YEAR_MAX:
        return None
    return ts.normalize()


def _scalar_reader(dtype: str):
    return {"str": _to_str, "int": _to_number, "float": _to_number, "bool": _to_bool, "date": _to_date}[dtype]


def _read_all(series: pd.Series, dtype: str, null: np.ndarray, factor: _Factor) -> np.ndarray:
    """The scalar reader of ``dtype`` applied to every non-missing value (None where missing or unreadable)."""
    read = _scalar_reader(dtype)
    if _kind(series) in ("str", "datetime"):
        codes, uniques = factor()
        per_u = np.empty(len(uniques), dtype=object)
        if dtype == "str":  # a plain str reads as itself stripped (_to_str), blank ones are missing
            per_u[:] = [
                (u.strip() or None) if type(u) is str else None if _is_null_scalar(u) else read(u)
                for u in uniques
            ]
        else:
            per_u[:] = [None if _is_null_scalar(u) else read(u) for u in uniques]
        out = _take(per_u, codes, None)
        out[null] = None
        return out
    out = np.empty(len(series), dtype=object)
    out[:] = [None if isnull else read(v) for v, isnull in zip(_objects(series), null, strict=True)]
    return out


def _numbers(
    series: pd.Series, dtype: str, null: np.ndarray, factor: _Factor
) -> tuple[np.ndarray, np.ndarray]:
    """``(nums, bad)`` for an int or float column: NaN where missing or unreadable."""
    if _kind(series) in ("float", "int"):
        nums = series.to_numpy().astype(np.float64)  # what float(v) gives for each numpy number
        nums[null] = np.nan
        bad = np.zeros(len(series), dtype=bool)
    else:
        read = _read_all(series, dtype, null, factor)
        got = np.array([f is not None for f in read], dtype=bool)
        nums = np.full(len(series), np.nan)
        nums[got] = np.array([f for f in read[got]], dtype=np.float64)
        bad = ~null & (~got | np.isnan(nums))
    if dtype == "int":
        with np.errstate(invalid="ignore"):
            whole = np.isfinite(nums) & (np.floor(nums) == nums) & (np.abs(nums) < _INT_LIMIT)
        bad |= ~null & ~bad & ~whole
    nums[bad] = np.nan
    return nums, bad


def coerce_series(series: pd.Series, dtype: str) -> tuple[pd.Series, np.ndarray]:
    """Coerce ``series`` to schema dtype ``dtype``; return ``(coerced, bad)``.

    Missing values stay missing (``NaN``/``<NA>``/``NaT``); values that cannot be read as ``dtype`` become missing in
    ``coerced`` and are flagged in ``bad``. Integers must be whole numbers below 2**53; infinities are left in float
    columns (range checks report them). Each value is read by the same scalar rules (``_to_str``, ``_to_number``,
    ``_to_bool``, ``_to_date``); numpy number and boolean columns take the equivalent array operations, text and
    datetime columns are read once per distinct value.
    """
    if dtype not in PANDAS_DTYPES:
        raise ValueError(f"dtype={dtype!r} is not a schema dtype; allowed: {list(PANDAS_DTYPES)}")
    factor = _Factor(series)
    return _coerce(series, dtype, _null(series, factor), factor)


def _coerce(series: pd.Series, dtype: str, null: np.ndarray, factor: _Factor) -> tuple[pd.Series, np.ndarray]:
    """:func:`coerce_series` given the series' :func:`null_mask` and factorisation."""
    n = len(series)
    if dtype == "str":
        texts = _read_all(series, dtype, null, factor)
        return pd.Series(texts, index=series.index, dtype="str"), np.zeros(n, dtype=bool)
    if dtype in ("int", "float"):
        nums, bad = _numbers(series, dtype, null, factor)
        if dtype == "float":
            return pd.Series(nums, index=series.index, dtype="float64"), bad
        valid = ~np.isnan(nums)
        ints = np.where(valid, nums, 0.0).astype(np.int64)
        return pd.Series(pd.arrays.IntegerArray(ints, ~valid), index=series.index), bad
    if dtype == "bool":
        if _kind(series) == "bool":
            return pd.Series(series.to_numpy(), index=series.index, dtype="bool"), np.zeros(n, dtype=bool)
        read = _read_all(series, dtype, null, factor)
        missing = np.array([b is None for b in read], dtype=bool)
        bad = missing & ~null
        if missing.any():
            vals = np.array([bool(b) if b is not None else False for b in read], dtype=bool)
            return pd.Series(pd.arrays.BooleanArray(vals, missing), index=series.index), bad
        return pd.Series(read.astype(bool), index=series.index, dtype="bool"), bad
    # date
    if _kind(series) == "datetime":  # naive datetime64: _to_date is a year range check and a normalize
        year = series.dt.year.to_numpy(dtype=np.float64, na_value=np.nan)
        ok = ~null & (year >= _YEAR_MIN) & (year <= _YEAR_MAX)
        dates = series.where(ok).dt.normalize().astype("datetime64[ms]")
        return pd.Series(dates.array, index=series.index), ~null & ~ok
    read = _read_all(series, dtype, null, factor)
    bad = np.array([t is None for t in read], dtype=bool) & ~null
    arr_d = pd.array([pd.NaT if t is None else t for t in read], dtype="datetime64[ms]")
    return pd.Series(arr_d, index=series.index), bad


class ColumnCache:
    """The columns of one raw layer, each coerced once: validation and the park builder ask for the same column as
    the same dtype up to four times (row labels, value checks, ids, references, the layer itself).

    The results are shared: do not modify them (the masks are read-only arrays).

    Parameters
    ----------
    df : DataFrame
        The raw layer; its columns must not change while the cache is used.
    """

    def __init__(self, df: pd.DataFrame) -> None:
        self.df = df
        self._factors: dict[str, tuple[pd.Series, _Factor]] = {}
        self._nulls: dict[str, np.ndarray] = {}
        self._coerced: dict[tuple[str, str], tuple[pd.Series, np.ndarray]] = {}

    def _column(self, column: str) -> tuple[pd.Series, _Factor]:
        if column not in self._factors:
            series = self.df[column]
            self._factors[column] = (series, _Factor(series))
        return self._factors[column]

    def null(self, column: str) -> np.ndarray:
        """:func:`null_mask` of the column (read-only)."""
        if column not in self._nulls:
            mask = _null(*self._column(column))
            mask.flags.writeable = False
            self._nulls[column] = mask
        return self._nulls[column]

    def coerce(self, column: str, dtype: str) -> tuple[pd.Series, np.ndarray]:
        """:func:`coerce_series` of the column as schema dtype ``dtype``: ``(coerced, bad)``, ``bad`` read-only."""
        key = (column, dtype)
        if key not in self._coerced:
            if dtype not in PANDAS_DTYPES:
                raise ValueError(f"dtype={dtype!r} is not a schema dtype; allowed: {list(PANDAS_DTYPES)}")
            series, factor = self._column(column)
            values, bad = _coerce(series, dtype, self.null(column), factor)
            bad.flags.writeable = False
            self._coerced[key] = (values, bad)
        return self._coerced[key]

    def text_flags(self, column: str, test) -> np.ndarray:
        """:func:`text_flags` of the column."""
        series, factor = self._column(column)
        return _flags(series, test, factor)

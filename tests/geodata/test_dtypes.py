"""Value coercion (geodata/_dtypes.py) on tricky inputs, against the documented per-value rules.

The rules (module and ``coerce_series`` docstrings): missing = None, NaN, NaT, pandas NA or a blank string (what
``str.strip`` empties, the ideographic space U+3000 included); text = the value's text, stripped, whole floats
below 2**53 without ``.0``, booleans as ``true``/``false``; numbers = what Python ``float()`` reads from the stripped
text (so full-width digits and ``1_000`` are read, ``1,000`` is not), booleans refused; integers = whole numbers
below 2**53; booleans = true/false, 是/否, 1/0 …; dates = ISO dates, normalised to midnight, years 1000–9999.
Each rule must give the same answer whatever container the value comes in: an object column, a text (Arrow)
column or a numpy column — the vectorised paths and the per-value path must agree.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geodata._dtypes import coerce_series, null_mask, text_flags

MISSING = [None, np.nan, pd.NA, pd.NaT, "", "   ", "\t", "\u3000"]


def _containers(values: list) -> list[pd.Series]:
    """The same values as an object column, and as a text column when they are all text or missing."""
    out = [pd.Series(values, dtype=object)]
    if all(v is None or isinstance(v, str) for v in values):
        out += [pd.Series(values, dtype="str"), pd.Series(values, dtype="string")]
    return out


@pytest.mark.parametrize("dtype", ["object", "str", "string"])
def test_null_mask_blank_and_missing(dtype):
    values = (
        ["", "  ", "\u3000", None, "0", "a", " b "] if dtype != "object" else [*MISSING, "0", 0, False, 0.0]
    )
    expected = [True] * (3 if dtype != "object" else len(MISSING)) + [True] * (dtype != "object")
    expected += [False] * (len(values) - len(expected))
    s = pd.Series(values, dtype=dtype)
    assert null_mask(s).tolist() == expected
    for d in ("str", "int", "float", "bool", "date"):
        coerced, bad = coerce_series(s, d)
        missing = np.array(expected)
        assert not bad[missing].any() and coerced.isna().to_numpy()[missing].all()  # missing is never "bad"


def test_null_mask_numpy_columns():
    assert null_mask(pd.Series([1.0, np.nan, -0.0])).tolist() == [False, True, False]
    assert null_mask(pd.Series([0, 1])).tolist() == [False, False]
    assert null_mask(pd.Series([True, False])).tolist() == [False, False]
    assert null_mask(pd.Series(pd.to_datetime(["2024-01-01", None]))).tolist() == [False, True]


@pytest.mark.parametrize(
    ("raw", "text"),
    [(" 甲罐 ", "甲罐"), ("1.0", "1.0"), (1.0, "1"), (7, "7"), (np.int64(7), "7"), (2.5, "2.5"), (True, "true"),
     (np.bool_(False), "false"), (2.0**53, repr(2.0**53)), (b" x ", "x"), (pd.Timestamp("2024-03-04"), "2024-03-04")],
)  # fmt: skip
def test_text_rule(raw, text):
    for s in _containers([raw, None]):
        coerced, bad = coerce_series(s, "str")
        assert coerced.iloc[0] == text and pd.isna(coerced.iloc[1]) and not bad.any()
        assert coerced.dtype == "str"


@pytest.mark.parametrize(
    ("raw", "number"),
    [("12", 12.0), (" 12 ", 12.0), ("１２", 12.0), ("1_000", 1000.0), ("1e3", 1000.0), (3, 3.0), (2.5, 2.5),
     ("inf", np.inf), ("1,000", None), ("12 kg", None), ("nan", None), (True, None), (np.bool_(True), None),
     (pd.Timestamp("2024-01-01"), None)],
)  # fmt: skip
def test_float_rule(raw, number):
    for s in _containers([raw, None, "4"]):
        coerced, bad = coerce_series(s, "float")
        assert coerced.dtype == "float64"
        assert bad.tolist() == [number is None, False, False]
        assert np.isnan(coerced.iloc[0]) if number is None else coerced.iloc[0] == number
        assert np.isnan(coerced.iloc[1]) and coerced.iloc[2] == 4.0


@pytest.mark.parametrize(
    ("raw", "whole"),
    [("12", 12), ("１２", 12), (12.0, 12), (np.float32(3.0), 3), ("1.5", None), (1.5, None), ("inf", None),
     (2**53 - 1, 2**53 - 1), (2**53, None), (-(2**53), None), (True, None), ("十二", None)],
)  # fmt: skip
def test_int_rule(raw, whole):
    for s in _containers([raw, pd.NA]):
        coerced, bad = coerce_series(s, "int")
        assert coerced.dtype == "Int64"
        assert bad.tolist() == [whole is None, False]
        assert (coerced.iloc[0] is pd.NA) if whole is None else coerced.iloc[0] == whole
        assert coerced.iloc[1] is pd.NA


def test_numpy_number_columns_follow_the_same_rules():
    floats = pd.Series([1.0, -0.0, np.nan, 2.5, np.inf, 2.0**53])
    coerced, bad = coerce_series(floats, "float")
    assert not bad.any() and np.signbit(coerced.iloc[1]) and coerced.iloc[4] == np.inf
    coerced, bad = coerce_series(floats, "int")
    assert bad.tolist() == [False, False, False, True, True, True]
    assert coerced.tolist() == [1, 0, pd.NA, pd.NA, pd.NA, pd.NA] and coerced.dtype == "Int64"
    coerced, bad = coerce_series(pd.Series([1, 2**60, -3]), "int")
    assert bad.tolist() == [False, True, False] and coerced.dtype == "Int64"
    coerced, bad = coerce_series(pd.Series([True, False]), "float")  # a boolean is not a number
    assert bad.all() and coerced.isna().all()


@pytest.mark.parametrize(
    ("raw", "flag"),
    [("true", True), (" 是 ", True), ("Y", True), ("1.0", True), (1, True), (1.0, True), (np.bool_(True), True),
     ("否", False), ("无", False), (0, False), ("F", False), (2, None), ("也许", None), ("2024-01-01", None)],
)  # fmt: skip
def test_bool_rule(raw, flag):
    for s in _containers([raw, "", "是"]):
        coerced, bad = coerce_series(s, "bool")
        assert bad.tolist() == [flag is None, False, False]
        assert coerced.dtype == "boolean"  # a missing value keeps the nullable dtype
        assert (coerced.iloc[0] is pd.NA) if flag is None else coerced.iloc[0] == flag
        assert coerced.iloc[1] is pd.NA and coerced.iloc[2]
    for s in _containers(["是", "否"]):
        assert coerce_series(s, "bool")[0].dtype == "bool"  # all present: plain bool
    assert coerce_series(pd.Series([True, False]), "bool")[0].dtype == "bool"


@pytest.mark.parametrize(
    ("raw", "day"),
    [("2024-01-05", "2024-01-05"), (" 2024-01-05 13:00 ", "2024-01-05"), (pd.Timestamp("2024-03-04 05:06"), "2024-03-04"),
     (pd.Timestamp("2024-03-04 01:00", tz="Asia/Shanghai"), "2024-03-03"), (np.datetime64("2020-01-01"), "2020-01-01"),
     ("0999-01-01", None), ("2024-13-01", None), ("明天", None), (5, None), (True, None)],
)  # fmt: skip
def test_date_rule(raw, day):
    for s in _containers([raw, pd.NaT, " "]):
        coerced, bad = coerce_series(s, "date")
        assert coerced.dtype == "datetime64[ms]"
        assert bad.tolist() == [day is None, False, False]
        assert coerced.iloc[0] is pd.NaT if day is None else coerced.iloc[0] == pd.Timestamp(day)
        assert coerced.iloc[1:].isna().all()


def test_repeated_text_values_are_read_alike():
    values = [" 3 ", "x", " 3 ", None, "x", "", "3"] * 3
    for s in _containers(values):
        coerced, bad = coerce_series(s, "int")
        assert coerced.tolist() == [3, pd.NA, 3, pd.NA, pd.NA, pd.NA, 3] * 3
        assert bad.tolist() == [False, True, False, False, True, False, False] * 3


def test_text_flags_same_for_every_container():
    values = ["#DIV/0!", " #n/a ", None, "ok", "#DIV/0!"]
    is_error = lambda v: isinstance(v, str) and v.strip().upper() in {"#DIV/0!", "#N/A"}  # noqa: E731
    for s in _containers(values):
        assert text_flags(s, is_error).tolist() == [True, True, False, False, True]
    assert text_flags(pd.Series([1.0, np.nan]), is_error).tolist() == [False, False]
    assert text_flags(pd.Series(["#N/A", 2], dtype=object), is_error).tolist() == [True, False]

"""F-N curve, PLL and the societal-risk criterion lines: hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.qra import societal as so


def test_fn_curve_hand_computed():
    # Four outcomes (f [1/a], N): (1e-4, 2), (2e-5, 5), (5e-6, 5), (1e-6, 30), plus one with N = 0.5 (off the
    # curve). F(N) = Σ f over N_i ≥ N: F(2) = 1.26e-4, F(5) = 2.6e-5, F(30) = 1e-6 (CCPS 2000 §4.4 definition).
    f = [1e-4, 2e-5, 5e-6, 1e-6, 3e-3]
    n = [2, 5, 5, 30, 0.5]
    c = so.fn_curve(f, n)
    np.testing.assert_array_equal(c.n, [2, 5, 30])
    np.testing.assert_allclose(c.f, [1.26e-4, 2.6e-5, 1e-6], rtol=1e-12)
    # the step function between points: F(3) = F(5) (outcomes with N ≥ 3), F(31) = 0, F(1) = F(2)
    assert c.at(3) == pytest.approx(2.6e-5, rel=1e-12)
    assert c.at(31) == 0.0
    np.testing.assert_allclose(c.at([1.0, 2.0, 30.0]), [1.26e-4, 1.26e-4, 1e-6], rtol=1e-12)
    # PLL = Σ f N = 2e-4 + 1e-4 + 2.5e-5 + 3e-5 + 1.5e-3
    assert so.pll(f, n) == pytest.approx(2e-4 + 1e-4 + 2.5e-5 + 3e-5 + 1.5e-3, rel=1e-12)


def test_fn_curve_empty_and_zero_frequency():
    c = so.fn_curve([0.0, 1e-5], [10, 0.2])
    assert c.n.size == 0
    assert c.at(5) == 0.0
    assert so.classify_fn(c).attrs["overall"] == "acceptable"


@pytest.mark.parametrize(
    ("f", "n", "match"),
    [
        ([1e-5, -1e-6], [1, 2], "frequency"),
        ([1e-5], [float("nan")], "fatalities"),
        ([1e-5, 1e-6], [1], "one fatality"),
    ],
)
def test_bad_inputs(f, n, match):
    with pytest.raises(ValueError, match=match):
        so.fn_curve(f, n)
    with pytest.raises(ValueError, match=match):
        so.pll(f, n)


def test_criterion_lines_slope_minus_one():
    c = so.SOCIETAL_CRITERIA["gb36894_2018"]
    n = np.array([1.0, 10.0, 100.0, 1000.0])
    # slope −1 on log–log axes: F·N constant along each line
    np.testing.assert_allclose(c.upper(n) * n, c.upper_c, rtol=1e-12)
    np.testing.assert_allclose(c.lower(n) * n, c.lower_c, rtol=1e-12)
    assert c.confirmed is False  # constants not checked against the standard's text (see module warning)


def test_classify_against_lines():
    c = so.SOCIETAL_CRITERIA["gb36894_2018"]
    # points chosen relative to the registry lines: above upper, between, on the upper line (not above), below lower
    curve = so.FNCurve(
        n=np.array([1.0, 10.0, 100.0, 1000.0]),
        f=np.array([c.upper(1.0) * 2, c.lower(10.0) * 10, c.upper(100.0), c.lower(1000.0) / 2]),
    )
    df = so.classify_fn(curve)
    assert list(df["region"]) == ["unacceptable", "alarp", "alarp", "acceptable"]
    assert list(df["region_zh"]) == ["不可接受区", "尽可能降低区", "尽可能降低区", "可接受区"]
    assert df.attrs["overall"] == "unacceptable"


def test_single_line_criterion_bevi():
    # Bevi (2004) orientation value F = 1e-3 / N² : at N = 10, 1e-5; at N = 100, 1e-7
    c = so.SOCIETAL_CRITERIA["bevi_2004"]
    assert c.upper(10.0) == pytest.approx(1e-5, rel=1e-12)
    assert c.upper(100.0) == pytest.approx(1e-7, rel=1e-12)
    df = so.classify_fn(
        so.FNCurve(np.array([5.0, 10.0, 100.0]), np.array([1e-4, 5e-6, 2e-7])), criterion="bevi_2004"
    )
    assert list(df["region"]) == ["not_assessed", "alarp", "unacceptable"]  # the line starts at N = 10
    assert df.attrs["overall"] == "unacceptable"


def test_unknown_criterion():
    with pytest.raises(ValueError, match="criterion='uk_hse'.*gb36894_2018"):
        so.classify_fn(so.FNCurve(np.array([1.0]), np.array([1e-6])), criterion="uk_hse")

"""Pool-fire SEP of Shokri & Beyler (1989) beside Mudan & Croce (1988), and the Britter-McQuaid last-curve guard.

Sources: Shokri, M. & Beyler, C. L. (1989), J. Fire Prot. Eng. 1(4):141-150, E = 58 · 10^(−0.00823 D) kW/m²
(also SFPE Handbook, 3rd ed., ch. 3-10); Mudan & Croce (1988), SFPE Handbook 1st ed. §2-4,
E = 140 e^(−0.12 D) + 20 (1 − e^(−0.12 D)) kW/m²; Britter & McQuaid (1988) workbook curves as tabulated in
Crowl & Louvar (2011) Tables 5-3/5-4 (last curves Cm/C0 = 0.002 continuous, 0.001 instantaneous).
"""

from __future__ import annotations

import numpy as np
import pytest

import analysis.consequence as csq
from analysis.errors import AnalysisInputError, OutsideModelRangeError
from analysis.physics import dense_gas, pool_fire


@pytest.mark.parametrize("diameter", [1.0, 10.0, 30.0, 50.0, 100.0])
def test_shokri_beyler_1989_equation(diameter):
    e = pool_fire.surface_emissive_power(diameter, model="shokri_beyler1989")
    assert e == pytest.approx(58.0e3 * 10 ** (-0.00823 * diameter), rel=1e-12)


def test_mudan_croce_stays_the_default_and_is_lower_for_large_pools():
    assert pool_fire.SEP_MODELS[0] == "mudan_croce1988"
    d = np.array([15.0, 20.0, 30.0, 40.0, 50.0])
    mc = pool_fire.surface_emissive_power(d)
    sb = pool_fire.surface_emissive_power(d, model="shokri_beyler1989")
    np.testing.assert_allclose(mc, 140e3 * np.exp(-0.12 * d) + 20e3 * (1 - np.exp(-0.12 * d)), rtol=1e-12)
    assert np.all(mc < sb)  # Mudan & Croce is the less conservative of the two for 15-50 m pools
    pf = pool_fire.pool_fire(30.0, substance="汽油", sep_model="shokri_beyler1989")
    assert pf.surface_emissive_power == pytest.approx(58.0e3 * 10 ** (-0.00823 * 30.0), rel=1e-12)
    with pytest.raises(AnalysisInputError, match="shokri_beyler1989"):
        pool_fire.surface_emissive_power(10.0, model="shokri")


PLUME = dict(volume_rate=1.0, wind_speed=2.0, source_density=2.0)
PUFF = dict(volume=100.0, wind_speed=2.0, source_density=2.0)


def test_last_curve_distance_is_where_the_last_curve_lies():
    x_plume = csq.britter_mcquaid_plume_last_curve_distance(**PLUME)
    assert float(dense_gas.britter_mcquaid_plume(x_plume, **PLUME)) == pytest.approx(0.002, rel=1e-9)
    x_puff = csq.britter_mcquaid_puff_last_curve_distance(**PUFF)
    assert float(dense_gas.britter_mcquaid_puff(x_puff, **PUFF)) == pytest.approx(0.001, rel=1e-9)


def test_beyond_the_last_curve_raise_or_extrapolate():
    x_last = dense_gas.britter_mcquaid_plume_last_curve_distance(**PLUME)
    inside = dense_gas.britter_mcquaid_plume([10.0, x_last], **PLUME, beyond_last_curve="raise")
    np.testing.assert_allclose(inside, dense_gas.britter_mcquaid_plume([10.0, x_last], **PLUME))
    with pytest.raises(OutsideModelRangeError, match="最后一条曲线"):
        dense_gas.britter_mcquaid_plume([10.0, 1.01 * x_last], **PLUME, beyond_last_curve="raise")
    x_last_puff = dense_gas.britter_mcquaid_puff_last_curve_distance(**PUFF)
    with pytest.raises(OutsideModelRangeError, match="x_last|最后一条曲线"):
        dense_gas.britter_mcquaid_puff(2 * x_last_puff, **PUFF, beyond_last_curve="raise")
    # the default extrapolates below the last curve's ratio
    assert float(dense_gas.britter_mcquaid_plume(2 * x_last, **PLUME)) < 0.002
    with pytest.raises(AnalysisInputError, match="beyond_last_curve"):
        dense_gas.britter_mcquaid_plume(10.0, **PLUME, beyond_last_curve="clip")

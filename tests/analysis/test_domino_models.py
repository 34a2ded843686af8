"""Escalation thresholds, time-to-failure correlations and probits against their published equations.

Sources (equation/table numbers in analysis/domino/models.py and analysis/domino/propagation.py):
- [C2006] Cozzani, Gubinelli & Salzano (2006) J. Hazard. Mater. A129:1–21 — escalation thresholds.
- [C2005] Cozzani, Gubinelli, Antonioni, Spadoni & Zanelli (2005) J. Hazard. Mater. A127:14–30, Table 2 — ttf
  correlations and the heat-radiation probit; combinatorial first-level method.
- [CS2004] Cozzani & Salzano (2004) J. Hazard. Mater. A107:67–80 — overpressure probits per equipment class.
- [L2009] Landucci, Gubinelli, Antonioni & Cozzani (2009) Accid. Anal. Prev. 41:1206–1215 — heat-radiation probit
  with the time needed for mitigation, Y = 9.25 − 1.85 ln(ttf/60), ttf [s] (model "landucci2009").
The expected values below are those equations evaluated by hand with the published coefficients (written out in
each test), not snapshots of our output.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis import domino


def _phi(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


# ---------------------------------------------------------------- thresholds [C2006]
@pytest.mark.parametrize(
    ("equipment", "vector", "expected"),
    [
        ("atmospheric", "heat_flux", 15e3),  # [C2006] 15 kW/m²
        ("pressurized", "heat_flux", 45e3),  # [C2006] 45 kW/m²
        ("atmospheric", "overpressure", 22e3),  # [C2006]/[CS2004 JLPP] 22 kPa
        ("pressurized", "overpressure", 16e3),  # 16 kPa
        ("elongated", "overpressure", 31e3),  # 31 kPa
        ("small", "overpressure", 37e3),  # 37 kPa
    ],
)
def test_published_thresholds(equipment, vector, expected):
    assert domino.threshold(equipment, vector) == pytest.approx(expected, rel=1e-12)


def test_heat_threshold_of_classes_without_published_value_is_the_pressurised_one():
    # [C2006] gives heat-radiation thresholds only for atmospheric and pressurised vessels (documented assumption).
    p = domino.threshold("pressurized", "heat_flux")
    assert domino.threshold("elongated", "heat_flux") == p
    assert domino.threshold("small", "heat_flux") == p
    notes = domino.ESCALATION_MODELS["cozzani2005"].threshold_notes
    assert notes[("elongated", "heat_flux", "stationary_fire")][0] == "assumed"
    assert notes[("atmospheric", "heat_flux", "stationary_fire")][0] == "published"


def test_fireball_thresholds():
    # [C2006]: 100 kW/m² for atmospheric vessels; pressurised vessels do not escalate by a fireball.
    assert domino.threshold("atmospheric", "heat_flux", scenario="fireball") == pytest.approx(100e3)
    assert math.isinf(domino.threshold("pressurized", "heat_flux", scenario="fireball"))
    assert (
        domino.escalation_probability(
            equipment="pressurized", heat_flux=500e3, volume=100.0, scenario="fireball"
        )
        == 0.0
    )


def test_ttf_at_the_thresholds_is_about_ten_minutes():
    # [C2006] ties the stationary-fire thresholds to a time to failure of about 10 min (time for emergency
    # response). With the [C2005] Table 2 correlations: atmospheric tanks 100–10 000 m³ at 15 kW/m² and
    # pressurised vessels of 50–300 m³ at 45 kW/m² have ttf ≥ 10 min (a 5 m³ vessel fails in about 5 min; see
    # docs/validation/domino.md).
    v_atm = np.array([100.0, 1000.0, 10_000.0])
    ttf_atm = domino.time_to_failure(15e3, equipment="atmospheric", volume=v_atm)
    assert np.all(ttf_atm >= 600.0)
    v_p = np.array([50.0, 100.0, 300.0])
    ttf_p = domino.time_to_failure(45e3, equipment="pressurized", volume=v_p)
    assert np.all(ttf_p >= 600.0)


# ---------------------------------------------------------------- time to failure [C2005, Table 2]
@pytest.mark.parametrize(("q_kw", "v"), [(20.0, 500.0), (50.0, 1000.0), (100.0, 5000.0)])
def test_ttf_atmospheric_equation(q_kw, v):
    # ln(ttf[s]) = -1.128 ln(I[kW/m²]) - 2.667e-5 V[m³] + 9.877
    expected = math.exp(-1.128 * math.log(q_kw) - 2.667e-5 * v + 9.877)
    got = domino.time_to_failure(q_kw * 1e3, equipment="atmospheric", volume=v)
    assert got == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(("q_kw", "v"), [(50.0, 10.0), (80.0, 100.0), (150.0, 250.0)])
def test_ttf_pressurised_equation(q_kw, v):
    # ln(ttf[s]) = -0.947 ln(I[kW/m²]) + 8.835 V[m³]^0.032
    expected = math.exp(-0.947 * math.log(q_kw) + 8.835 * v**0.032)
    got = domino.time_to_failure(q_kw * 1e3, equipment="pressurized", volume=v)
    assert got == pytest.approx(expected, rel=1e-12)


def test_ttf_hand_value_atmospheric_50kw_1000m3():
    # [C2005] Table 2 by hand: ln ttf = -1.128·ln 50 - 2.667e-5·1000 + 9.877 = 5.43755 -> ttf = 229.9 s
    assert domino.time_to_failure(50e3, equipment="atmospheric", volume=1000.0) == pytest.approx(
        229.9, abs=0.1
    )


# ---------------------------------------------------------------- probits
@pytest.mark.parametrize(
    ("equipment", "q_kw", "v"), [("atmospheric", 30.0, 2000.0), ("pressurized", 60.0, 100.0)]
)
def test_heat_probit_uses_ttf_in_minutes(equipment, q_kw, v):
    # [C2005] Table 2: Y = 12.54 - 1.847 ln(ttf), ttf in minutes (correlations give seconds).
    ttf_s = domino.time_to_failure(q_kw * 1e3, equipment=equipment, volume=v)
    y = 12.54 - 1.847 * math.log(ttf_s / 60.0)
    assert domino.escalation_probit(equipment=equipment, heat_flux=q_kw * 1e3, volume=v) == pytest.approx(
        y, rel=1e-12
    )
    p = domino.escalation_probability(equipment=equipment, heat_flux=q_kw * 1e3, volume=v)
    assert p == pytest.approx(_phi(y - 5.0), rel=1e-9)


def test_heat_probability_hand_value():
    # atmospheric, 50 kW/m², 1000 m³: ttf = 229.9 s = 3.832 min, Y = 12.54 - 1.847 ln 3.832 = 10.06 -> P = 1.000
    p = domino.escalation_probability(equipment="atmospheric", heat_flux=50e3, volume=1000.0)
    assert p == pytest.approx(_phi(12.54 - 1.847 * math.log(229.9 / 60.0) - 5.0), abs=1e-6)
    assert p > 0.9999


@pytest.mark.parametrize(
    ("equipment", "a", "b"),
    [
        ("atmospheric", -18.96, 2.44),  # [CS2004]
        ("pressurized", -42.44, 4.33),
        ("elongated", -28.07, 3.16),
        ("small", -17.79, 2.18),
    ],
)
@pytest.mark.parametrize("dp", [40e3, 70e3, 120e3])
def test_overpressure_probits(equipment, a, b, dp):
    # Y = a + b ln(ΔP[Pa])
    y = a + b * math.log(dp)
    assert domino.escalation_probit(equipment=equipment, overpressure=dp) == pytest.approx(y, rel=1e-12)
    assert domino.escalation_probability(equipment=equipment, overpressure=dp) == pytest.approx(
        _phi(y - 5.0), rel=1e-9
    )


def test_overpressure_hand_value_atmospheric_50kpa():
    # [CS2004]: Y = -18.96 + 2.44 ln(50 000) = 7.440 -> P = Φ(2.440) = 0.9927
    assert domino.escalation_probit(equipment="atmospheric", overpressure=50e3) == pytest.approx(
        7.440, abs=5e-4
    )
    assert domino.escalation_probability(equipment="atmospheric", overpressure=50e3) == pytest.approx(
        0.9927, abs=5e-4
    )


# ---------------------------------------------------------------- behaviour
def test_zero_below_threshold_and_arrays_broadcast():
    q = np.array([0.0, 10e3, 14.99e3, 15e3, 40e3])
    p = domino.escalation_probability(equipment="atmospheric", heat_flux=q, volume=1000.0)
    assert p.shape == (5,)
    assert np.all(p[:3] == 0.0)
    assert np.all(p[3:] > 0.0)
    dp = np.array([[10e3], [30e3]])
    eq = np.array(["atmospheric", "pressurized", "elongated", "small"])
    pm = domino.escalation_probability(equipment=eq, overpressure=dp)
    assert pm.shape == (2, 4)
    assert np.all(pm[0] == 0.0)  # 10 kPa below every class threshold
    assert pm[1, 1] > 0.0 and pm[1, 2] == 0.0 and pm[1, 3] == 0.0  # 30 kPa: ≥16 (pressurised), <31, <37


def test_both_vectors_combine_as_independent_causes():
    ph = domino.escalation_probability(equipment="atmospheric", heat_flux=16e3, volume=3000.0)
    po = domino.escalation_probability(equipment="atmospheric", overpressure=25e3)
    both = domino.escalation_probability(
        equipment="atmospheric", heat_flux=16e3, overpressure=25e3, volume=3000.0
    )
    assert both == pytest.approx(1.0 - (1.0 - ph) * (1.0 - po), rel=1e-12)


def test_bad_inputs_raise_value_errors():
    with pytest.raises(ValueError, match="equipment"):
        domino.threshold("floating_roof", "heat_flux")
    with pytest.raises(ValueError, match="vector"):
        domino.threshold("atmospheric", "fragments")
    with pytest.raises(ValueError, match="volume"):
        domino.escalation_probability(equipment="atmospheric", heat_flux=20e3)
    with pytest.raises(ValueError, match="overpressure"):
        domino.escalation_probability(equipment="atmospheric", overpressure=-5.0)
    with pytest.raises(ValueError, match="heat_flux"):
        domino.escalation_probability(equipment="atmospheric")
    with pytest.raises(ValueError, match="cozzani2005"):
        domino.threshold("atmospheric", "heat_flux", model="nope")
    with pytest.raises(ValueError, match="scenario"):
        domino.threshold("atmospheric", "overpressure", scenario="pool_fire")


# ---------------------------------------------------------------- combinatorial first level [C2005]
def test_first_level_combinations_two_targets():
    # [C2005]: P(J) = Π_{i∈J} P_i Π_{i∉J} (1 - P_i)
    c = domino.first_level_combinations({"A": 0.3, "B": 0.6})
    got = {t: p for t, p in zip(c["targets"], c["probability"], strict=True)}
    assert got[("A", "B")] == pytest.approx(0.3 * 0.6)
    assert got[("A",)] == pytest.approx(0.3 * 0.4)
    assert got[("B",)] == pytest.approx(0.7 * 0.6)
    assert len(c) == 3  # 2^2 - 1


def test_first_level_combinations_sum_and_best_first():
    rng = np.random.default_rng(1)
    p = dict(zip([f"U{i}" for i in range(8)], rng.uniform(0.05, 0.9, 8), strict=True))
    c = domino.first_level_combinations(p)
    assert len(c) == 2**8 - 1
    assert c["probability"].sum() == pytest.approx(1.0 - np.prod([1 - v for v in p.values()]), rel=1e-12)
    # the best-first search used above max_targets finds the same top combinations
    top_exact = domino.first_level_combinations(p, top=5)
    top_search = domino.first_level_combinations(p, max_targets=3, top=5)
    assert list(top_exact["targets"]) == list(top_search["targets"])
    np.testing.assert_allclose(top_exact["probability"], top_search["probability"], rtol=1e-12)


# ---------------------------------------------------------------- Landucci et al. 2009 heat probit [L2009]
@pytest.mark.parametrize(("q_kw", "v"), [(20.0, 1000.0), (40.0, 5000.0), (100.0, 200.0)])
def test_landucci_probit_equation(q_kw, v):
    # [L2009]: Y = 9.25 - 1.85 ln(ttf/60), ttf [s] from the [C2005] correlation; P = Φ(Y - 5)
    ttf_s = math.exp(-1.128 * math.log(q_kw) - 2.667e-5 * v + 9.877)
    y = 9.25 - 1.85 * math.log(ttf_s / 60.0)
    got = domino.escalation_probability(
        equipment="atmospheric", heat_flux=q_kw * 1e3, volume=v, model="landucci2009"
    )
    assert got == pytest.approx(_phi(y - 5.0), rel=1e-12)


@pytest.mark.parametrize(("ttf_min", "p_expected"), [(5.0, 0.899), (10.0, 0.496), (20.0, 0.098)])
def test_landucci_probit_hand_values(ttf_min, p_expected):
    # by hand: Y(5) = 9.25 - 1.85 ln 5 = 6.273 -> 0.899; Y(10) = 4.990 -> 0.496; Y(20) = 3.708 -> 0.098
    a, b = domino.ESCALATION_MODELS["landucci2009"].heat_probit
    assert _phi(a + b * math.log(ttf_min) - 5.0) == pytest.approx(p_expected, abs=1e-3)


def test_landucci_model_changes_only_the_heat_probit():
    c, lnd = domino.ESCALATION_MODELS["cozzani2005"], domino.ESCALATION_MODELS["landucci2009"]
    assert c.thresholds == lnd.thresholds and c.ttf == lnd.ttf
    assert c.overpressure_probit == lnd.overpressure_probit
    assert c.heat_probit != lnd.heat_probit
    # overpressure probabilities are the same under both models
    for eq in domino.EQUIPMENT_CLASSES:
        assert domino.escalation_probability(
            equipment=eq, overpressure=60e3, model="landucci2009"
        ) == domino.escalation_probability(equipment=eq, overpressure=60e3)


# ---------------------------------------------------------------- the one unit-explicit public implementation
# (../shared/REFERENCE.md, "Domino: escalation probit with an explicit time unit"): a public implementation of
# Landucci et al. (2009) states ttf [s] = exp(9.877 − 1.13 ln I − 2.667e-5 V), I [kW/m²], V [m³], and
# Y = 9.25 − 1.847 ln(ttf/60) with ttf/60 in minutes.
def _impl_ttf_s(q_kw, v):
    return math.exp(9.877 - 1.13 * math.log(q_kw) - 2.667e-5 * v)


def _impl_probit(q_kw, v):
    return 9.25 - 1.847 * math.log(_impl_ttf_s(q_kw, v) / 60.0)


_IMPL_CASES = [(15.0, 1000.0), (20.0, 1000.0), (30.0, 2000.0), (50.0, 5000.0), (100.0, 200.0), (150.0, 100.0)]


@pytest.mark.parametrize(("q_kw", "v"), _IMPL_CASES)
def test_default_model_uses_the_implementations_ttf_and_time_unit(q_kw, v):
    # the default (cozzani2005): same ttf correlation (−1.128 vs the implementation's rounded −1.13: ≤ 1.1 % in ttf
    # up to 150 kW/m²), same seconds -> minutes conversion and slope 1.847; only the constant differs
    # (12.54 vs 9.25), so Y_default − Y_implementation = 3.29 within 1.847 × 0.002 ln I ≤ 0.02.
    assert domino.DEFAULT_ESCALATION_MODEL == "cozzani2005"
    ttf = domino.time_to_failure(q_kw * 1e3, equipment="atmospheric", volume=v)
    assert ttf == pytest.approx(_impl_ttf_s(q_kw, v), rel=0.011)
    y = domino.escalation_probit(equipment="atmospheric", heat_flux=q_kw * 1e3, volume=v)
    assert y - _impl_probit(q_kw, v) == pytest.approx(12.54 - 9.25, abs=0.02)


@pytest.mark.parametrize(("q_kw", "v"), _IMPL_CASES)
def test_landucci_model_matches_the_implementation(q_kw, v):
    # landucci2009 (9.25, −1.85, the paper's quoted form) against the implementation's −1.847 and −1.13:
    # |ΔY| ≤ 0.003 ln(ttf/min) + 1.85 × 0.002 ln I ≤ 0.03, |ΔP| ≤ 0.012
    y = domino.escalation_probit(
        equipment="atmospheric", heat_flux=q_kw * 1e3, volume=v, model="landucci2009"
    )
    assert y == pytest.approx(_impl_probit(q_kw, v), abs=0.03)
    assert _phi(y - 5.0) == pytest.approx(_phi(_impl_probit(q_kw, v) - 5.0), abs=0.012)


def test_every_model_has_a_chinese_label():
    assert set(domino.ESCALATION_MODEL_LABELS_ZH) == set(domino.ESCALATION_MODELS)


def test_equipment_class_rule_follows_the_vessel_pressure():
    # Cozzani et al. (2005) target categories; a tank is pressurised at or above analysis.scenarios.PRESSURISED_MIN_PA
    from analysis.domino.units import equipment_class
    from analysis.scenarios import PRESSURISED_MIN_PA

    assert PRESSURISED_MIN_PA == 1.5e5
    assert equipment_class("storage_tank", 101_325.0) == "atmospheric"
    assert equipment_class("storage_tank", 1.5e5) == "pressurized"
    assert equipment_class("storage_tank", 9e5) == "pressurized"
    assert equipment_class("storage_tank", None) == "atmospheric"
    assert equipment_class("spherical_tank", 101_325.0) == "pressurized"
    assert equipment_class("process_unit", 2e6) == "elongated"
    assert equipment_class("compressor", 2e6) == "small"
    with pytest.raises(ValueError, match="pressure_pa"):
        equipment_class("storage_tank", -5.0)

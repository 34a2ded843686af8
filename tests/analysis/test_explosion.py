"""Explosions: Kingery-Bulmash blast parameters, TNT equivalence, vessel burst energy — against published values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis import consequence as csq


def _swisdak_1994_incident_pressure_kpa(z):
    """Swisdak (1994) 'Simplified Kingery Airblast Calculations', Table 1 (metric), incident pressure.

    An independent published fit of the Kingery-Bulmash (1984) hemispherical curve, typed here from the paper;
    it is the reference our (original KB 1984 polynomial) implementation is checked against.
    """
    coeffs = [
        (0.2, 2.9, (7.2106, -2.1069, -0.3229, 0.1117, 0.0685)),
        (2.9, 23.8, (7.5938, -3.0523, 0.40977, 0.0261, -0.01267)),
        (23.8, 198.5, (6.0536, -1.4066, 0.0, 0.0, 0.0)),
    ]
    for lo, hi, c in coeffs:
        if lo <= z <= hi:
            lz = np.log(z)
            return float(np.exp(sum(ci * lz**i for i, ci in enumerate(c))))
    raise AssertionError(z)


@pytest.mark.parametrize(
    "z", [0.2, 0.3, 0.5, 1.0, 2.0, 2.6, 3.0, 5.0, 10.0, 20.0, 30.0, 40.0, 60.0, 100.0, 198.0]
)
def test_kb_overpressure_matches_swisdak_1994(z):
    # Swisdak (1994) states his simplified fits reproduce Kingery-Bulmash (1984) to about 1 %.
    w = 1000.0
    ours = csq.tnt_overpressure(w, z * w ** (1 / 3)) / 1e3
    assert ours == pytest.approx(_swisdak_1994_incident_pressure_kpa(z), rel=0.01)


def test_kb_lookup_table_matches_polynomials():
    # the fine (ln Z, ln y) table reproduces the KB 1984 polynomial and the Swisdak impulse fit within 1e-5
    from analysis.physics import explosion as ex

    z = np.geomspace(0.06, 39.9, 2001)
    np.testing.assert_allclose(
        csq.kb_scaled_overpressure(z), ex._kb_pressure_kpa_polynomial(z) * 1e3, rtol=1e-5
    )
    z = np.geomspace(0.06, 158.0, 2001)
    z = z[
        np.min(np.abs(np.log(z[:, None] / np.array([0.96, 2.38, 33.7]))), axis=1) > 0.01
    ]  # off segment joins
    np.testing.assert_allclose(csq.kb_scaled_impulse(z), ex._swisdak(z, ex._SW_IMPULSE_EXT), rtol=1e-5)


def test_kb_hopkinson_scaling_and_broadcast():
    w = np.array([[1.0], [8.0], [1000.0]])
    z = np.array([0.5, 3.0, 12.0, 50.0])
    p = csq.tnt_overpressure(w, z * np.cbrt(w))
    assert p.shape == (3, 4)
    np.testing.assert_allclose(p, np.broadcast_to(p[0], p.shape), rtol=1e-12)
    i = csq.tnt_impulse(w, z * np.cbrt(w))
    np.testing.assert_allclose(i / np.cbrt(w), np.broadcast_to(i[0] / 1.0, i.shape), rtol=1e-12)
    assert np.all(np.diff(p[0]) < 0)


def test_kb_far_field_continuous_and_zero_mass():
    zhi = csq.KB_PRESSURE_Z_RANGE[1]
    below = csq.kb_scaled_overpressure(zhi * (1 - 1e-9))
    above = csq.kb_scaled_overpressure(zhi * (1 + 1e-9))
    assert above == pytest.approx(below, rel=1e-6)
    assert csq.tnt_overpressure(0.0, 10.0) == 0.0
    assert csq.tnt_impulse(0.0, 10.0) == 0.0


@pytest.mark.parametrize("z", [0.96, 2.38, 33.7])
def test_swisdak_impulse_segments_join(z):
    # Swisdak (1994) Table 1 impulse segments meet within 3 % (largest step 2.4 % at Z = 2.38 m/kg^(1/3)).
    lo = csq.kb_scaled_impulse(z * (1 - 1e-6))
    hi = csq.kb_scaled_impulse(z * (1 + 1e-6))
    assert hi == pytest.approx(lo, rel=0.03)


def test_arrival_time_far_field_speed_of_sound():
    w = 1000.0
    t1 = csq.tnt_arrival_time(w, 500.0)
    t2 = csq.tnt_arrival_time(w, 840.0)
    # beyond Z = 40 the front moves at the speed of sound (340 m/s): 340 m further takes 1 s
    assert (t2 - t1) == pytest.approx(1.0, rel=1e-9)


def test_tnt_equivalence_crowl_louvar_methane():
    # Crowl & Louvar (2011) §6-13 worked example: 1000 kg methane, explosion efficiency 2 %,
    # ΔHc = 818.7 kJ/mol (M = 16 g/mol), E_TNT = 1120 cal/g = 4686 kJ/kg -> 218 kg TNT.
    m = csq.tnt_equivalent_mass(1000.0, 818.7e3 / 0.016, yield_factor=0.02, tnt_energy=4.686e6)
    assert m == pytest.approx(218.0, rel=0.005)


def test_tnt_equivalence_chinese_practice_default():
    # 《安全评价》(2005) 蒸气云爆炸 TNT 当量法: W_TNT = 1.8 α W_f Q_f / Q_TNT, α = 0.04, Q_TNT = 4520 kJ/kg, 1.8 the
    # ground-burst factor; ground_factor=1.0 is the form for hemispherical Kingery-Bulmash curves.
    assert csq.CN_PRACTICE_YIELD_FACTOR == 0.04
    assert csq.CN_PRACTICE_TNT_ENERGY == 4.52e6
    assert csq.CN_PRACTICE_GROUND_FACTOR == 1.8
    assert csq.tnt_equivalent_mass_cn(1000.0, 46.0e6) == pytest.approx(
        1.8 * 0.04 * 1000 * 46.0e6 / 4.52e6, rel=1e-12
    )
    assert csq.tnt_equivalent_mass_cn(1000.0, 46.0e6, ground_factor=1.0) == pytest.approx(
        0.04 * 1000 * 46.0e6 / 4.52e6, rel=1e-12
    )


# Published Chinese worked examples (安全评价 practice), each with its printed rounding:
# hydrogen store (chinadigitaltimes.net transcription, 2010): 2000 Nm³ × 12 770 kJ/m³ -> 407 kg, R₀.₅ = 10 m;
# LPG 116 t, Q_f = 45.636 MJ/kg (517ttc.cn 液化石油气蒸气云爆炸伤害模型) -> 84 325 kg, R₀.₅ = 70.17 m;
# benzene 4 t, 3264.4 kJ/mol, M = 78.1 g/mol (zzretl.com 4t苯泄漏模拟蒸气云爆炸计算) -> 2663.2 kg, R₁ = 19.5 m;
# LPG cylinder 15 kg, 46 264 kJ/kg (jycdxd.com) -> 11 kg.
@pytest.mark.parametrize(
    ("fuel", "q_f", "w_printed", "w_tol", "r_printed", "r_tol"),
    [
        (2000.0, 12.77e6, 407.0, 0.5, 10.0, 0.5),
        (116_000.0, 45.636e6, 84325.0, 1.0, 70.17, 0.005),
        (4000.0, 3264.4e3 / 0.0781, 2663.2, 0.05, 19.5, 0.05),
        (15.0, 46.264e6, 11.0, 0.5, None, None),
    ],
)
def test_chinese_practice_worked_examples(fuel, q_f, w_printed, w_tol, r_printed, r_tol):
    w = csq.tnt_equivalent_mass_cn(fuel, q_f)
    assert w == pytest.approx(w_printed, abs=w_tol)
    if r_printed is not None:
        assert csq.death_radius_cn(w) == pytest.approx(r_printed, abs=r_tol)


def test_chinese_practice_lpg_radii_517ttc():
    # LPG 116 t (517ttc.cn): serious injury 169.7 m with P₀ = 101 000 Pa (Z rounded to 1.09 there: ours 1.0873,
    # 0.25 %), property damage 4.6 W^{1/3} / [1 + (3175/W)²]^{1/6} = 4.6 × 43.85 / 1.00024 = 201.71 m.
    w = csq.tnt_equivalent_mass_cn(116_000.0, 45.636e6)
    assert csq.serious_injury_radius_cn(w, ambient_pressure=101_000.0) == pytest.approx(169.7, rel=0.003)
    assert csq.property_damage_radius_cn(w) == pytest.approx(201.71, abs=0.05)


def test_chinese_practice_scaled_distances_csdn():
    # CSDN psxhh (2021): ΔP = 17 000 / 101 300 -> Z = 1.96; ΔP = 44 000 / 101 300 printed as Z = 1.099 (the root of
    # the printed equation is 1.089: the printed value is 0.9 % off, kept as a loose check)
    assert csq.cn_scaled_distance_at(17_000.0) == pytest.approx(1.96, abs=0.005)
    assert csq.cn_scaled_distance_at(44_000.0) == pytest.approx(1.099, rel=0.01)
    z = csq.cn_scaled_distance_at(44_000.0)
    p = 0.137 / z**3 + 0.119 / z**2 + 0.269 / z - 0.019
    assert p == pytest.approx(44_000.0 / 101_300.0, rel=1e-9)


def test_chinese_practice_radii_order_and_bad_input():
    r = csq.cn_practice_radii(1000.0)
    assert r["death"] < r["serious_injury"] < r["light_injury"]
    assert csq.death_radius_cn(1000.0) == pytest.approx(13.6, rel=1e-12)  # (W/1000)^0.37 = 1
    with pytest.raises(ValueError, match="ground_factor"):
        csq.tnt_equivalent_mass_cn(1.0, 1.0e6, ground_factor=0.0)
    with pytest.raises(ValueError, match="tnt_mass"):
        csq.death_radius_cn(-1.0)


def test_brode_energy_crowl_louvar_form():
    # Crowl & Louvar (2011) Eq. 6-29 (Brode 1959): E = (P2 − P1) V / (γ − 1); 1 m³ of air at 10 bar(a).
    e = csq.brode_energy(1.0e6, 1.0, gamma=1.4, ambient_pressure=1.0e5)
    assert e == pytest.approx(9.0e5 / 0.4, rel=1e-12)
    # the isothermal energy (Eq. 6-30) is larger than Brode's for the same vessel
    assert csq.isothermal_expansion_energy(1.0e6, 1.0, ambient_pressure=1.0e5) > e
    w = csq.vessel_burst_tnt_mass(1.0e6, 1.0, gamma=1.4, ambient_pressure=1.0e5)
    assert w == pytest.approx(e / 4.68e6, rel=1e-12)
    w_atm = w * (1.0e6 - 101325) / 9.0e5
    assert csq.vessel_burst_overpressure_tnt(1.0e6, 1.0, 20.0, gamma=1.4) == pytest.approx(
        csq.tnt_overpressure(w_atm, 20.0), rel=1e-9
    )
    # the issue-16 keyword form takes the energy: the same curve
    assert csq.vessel_burst_overpressure(energy=w_atm * 4.68e6, distance=20.0) == pytest.approx(
        csq.tnt_overpressure(w_atm, 20.0), rel=1e-9
    )


def test_vapour_cloud_energy():
    # TNO Yellow Book CPR 14E §5.5.3: 3.5 MJ/m³ for a stoichiometric hydrocarbon-air mixture.
    assert csq.vapour_cloud_energy(cloud_volume=1000.0) == pytest.approx(3.5e9)
    assert csq.vapour_cloud_energy(10.0, 46e6) == pytest.approx(4.6e8)
    with pytest.raises(ValueError, match="not both"):
        csq.vapour_cloud_energy(10.0, 46e6, cloud_volume=1.0)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: csq.tnt_overpressure(-1.0, 10.0), "tnt_mass"),
        (lambda: csq.tnt_overpressure(1.0, np.nan), "distance"),
        (lambda: csq.tnt_impulse(1.0, -3.0), "distance"),
        (lambda: csq.tnt_equivalent_mass(-5.0, 46e6, yield_factor=0.04), "fuel_mass"),
        (lambda: csq.tnt_equivalent_mass(5.0, 46e6, yield_factor=1.5), "yield_factor"),
        (lambda: csq.tnt_equivalent_mass(5.0, np.nan, yield_factor=0.04), "heat_of_combustion"),
        (lambda: csq.brode_energy(2e5, 1.0, gamma=1.0), "gamma"),
        (lambda: csq.brode_energy(5e4, 1.0, gamma=1.4), "pressure"),
    ],
)
def test_bad_inputs(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_vessel_burst_energy_methods_crowl_2003_appendix_b():
    """Crowl (2003) Understanding Explosions, Appendix B: Brode E = (P − P0) V/(γ − 1) (B-1), isentropic
    E = P V/(γ − 1) [1 − (P0/P)^((γ−1)/γ)] (B-2), isothermal E = P V ln(P/P0) (B-3). 1 m³ of air (γ = 1.4) at
    1 MPa(a), P0 = 0.1 MPa, by hand: 2.250 MJ, 1.205 MJ, 2.303 MJ — isentropic < Brode < isothermal."""
    kw = dict(gamma=1.4, ambient_pressure=1.0e5)
    e_b = csq.vessel_burst_energy(1.0e6, 1.0, **kw)
    e_s = csq.vessel_burst_energy(1.0e6, 1.0, model="isentropic", **kw)
    e_t = csq.vessel_burst_energy(1.0e6, 1.0, model="isothermal", **kw)
    assert e_b == pytest.approx(2.250e6, rel=1e-12)
    assert e_s == pytest.approx(1.0e6 / 0.4 * (1.0 - 0.1 ** (0.4 / 1.4)), rel=1e-12)
    assert e_s == pytest.approx(1.205e6, rel=1e-3)
    assert e_t == pytest.approx(1.0e6 * math.log(10.0), rel=1e-12)
    assert e_s < e_b < e_t
    assert csq.isentropic_expansion_energy(1.0e5, 1.0, gamma=1.4, ambient_pressure=1.0e5) == 0.0
    with pytest.raises(ValueError, match="model.*brode1959.*baker"):
        csq.vessel_burst_energy(1.0e6, 1.0, gamma=1.4, model="baker")

"""Source terms against published worked examples (Crowl & Louvar; API 520 Part I) and the published equations."""

import math

import numpy as np
import pytest
from scipy.integrate import quad

from analysis.physics import source as src

LB = 0.45359237  # kg
PSI = 6894.757293  # Pa
INCH = 0.0254  # m


def test_crowl_louvar_benzene_leak_example():
    """Crowl & Louvar, Chemical Process Safety (2nd ed. Example 3-1 / 3rd ed. Example 4-1): benzene pipeline at
    100 psig, 1/4-in hole, specific gravity 0.8794, C_o = 0.61, leaking 1.5 h (1 PM to 2:30 PM).
    Published: Q_m = 1.48 lbm/s, total spilled 8.0 x 10³ lbm."""
    rate = src.liquid_discharge_rate(
        0.25 * INCH,
        liquid_density=0.8794 * 999.0,  # specific gravity x water at the example's reference (62.4 lbm/ft³)
        pressure=101325.0 + 100.0 * PSI,
        ambient_pressure=101325.0,
        discharge_coefficient=0.61,
    )
    assert rate / LB == pytest.approx(1.48, rel=0.005)
    assert rate * 1.5 * 3600.0 / LB == pytest.approx(8.0e3, rel=0.01)


def test_liquid_head_term_torricelli():
    # Crowl & Louvar Eq. 4-6 with P = P_a reduces to Torricelli: Q = ρ A C_o √(2 g h)
    q = src.liquid_discharge_rate(0.05, liquid_density=1000.0, pressure=101325.0, liquid_head=5.0)
    assert q == pytest.approx(1000.0 * math.pi * 0.05**2 / 4 * 0.61 * math.sqrt(2 * 9.80665 * 5.0), rel=1e-12)


def test_choked_pressure_ratio_published():
    """Crowl & Louvar §4-6: for γ = 1.4 the choked pressure ratio is 0.528."""
    assert src.choked_pressure_ratio(1.4) == pytest.approx(0.528, abs=5e-4)


def test_api520_example1_critical_flow():
    """API 520 Part I, Example 1 (critical flow, as reproduced in the fluids library docs): m = 24 270 kg/h,
    T = 348 K, Z = 0.90, M = 51 g/mol, k = 1.11, P1 = 670 kPa, Kd = 0.975 -> A = 3699 mm².
    A real gas with Z enters the ideal-gas formula as the temperature Z·T."""
    d = math.sqrt(4 * 3699e-6 / math.pi)
    m = src.gas_discharge_rate(
        d,
        pressure=670e3,
        temperature=0.90 * 348.0,
        molar_mass=0.051,
        heat_capacity_ratio=1.11,
        discharge_coefficient=0.975,
    )
    assert m == pytest.approx(24270 / 3600.0, rel=1e-3)
    assert src.is_choked(670e3, heat_capacity_ratio=1.11)


def test_api520_example2_subcritical_flow():
    """API 520 Part I, Example 2 (sub-critical, back pressure 532 kPa): A = 4248 mm² for the same flow."""
    d = math.sqrt(4 * 4248e-6 / math.pi)
    m = src.gas_discharge_rate(
        d,
        pressure=670e3,
        temperature=0.90 * 348.0,
        molar_mass=0.051,
        heat_capacity_ratio=1.11,
        discharge_coefficient=0.975,
        ambient_pressure=532e3,
    )
    assert not src.is_choked(670e3, heat_capacity_ratio=1.11, ambient_pressure=532e3)
    assert m == pytest.approx(24270 / 3600.0, rel=2e-3)


def test_gas_flow_continuous_at_choking_and_vectorised():
    g = 1.3
    pc = 101325.0 / src.choked_pressure_ratio(g)
    p = np.array([pc * (1 - 1e-9), pc * (1 + 1e-9)])
    m = src.gas_discharge_rate(0.01, pressure=p, temperature=300.0, molar_mass=0.016, heat_capacity_ratio=g)
    assert m.shape == (2,)
    assert m[0] == pytest.approx(m[1], rel=1e-6)
    assert (
        src.gas_discharge_rate(
            0.01, pressure=101325.0, temperature=300.0, molar_mass=0.016, heat_capacity_ratio=g
        )
        == 0.0
    )


def test_flash_fraction_equations():
    """Crowl & Louvar §4-8: f = c_p ΔT/ΔH_v and f = 1 - exp(-c_p ΔT/ΔH_v); zero below the boiling point."""
    kw = dict(boiling_point=231.0, liquid_heat_capacity=2500.0, heat_of_vaporisation=4.26e5)
    x = 2500.0 * (298.15 - 231.0) / 4.26e5
    assert src.flash_fraction(298.15, model="crowl_louvar_linear", **kw) == pytest.approx(x, rel=1e-12)
    assert src.flash_fraction(298.15, **kw) == pytest.approx(1 - math.exp(-x), rel=1e-12)
    assert src.flash_fraction(np.array([200.0, 231.0]), **kw).tolist() == [0.0, 0.0]
    assert 0.2 < src.flash_fraction(293.15, substance="液化石油气") < 0.5


def test_rainout_two_times_flash_rule():
    """CCPS (1996): airborne = min(2 f, 1)."""
    np.testing.assert_allclose(src.rainout_fraction([0.0, 0.1, 0.3, 0.5, 0.8]), [1.0, 0.8, 0.4, 0.0, 0.0])


def test_pool_area_limited_by_bund():
    np.testing.assert_allclose(src.pool_area([1.0, 100.0], bund_area=500.0), [100.0, 500.0])
    assert src.pool_area(2.0, min_thickness=0.005) == pytest.approx(400.0)


def test_boiling_pool_mass_is_integral_of_rate():
    kw = dict(boiling_point=111.7, heat_of_vaporisation=5.1e5, ground_temperature=288.15, ground="concrete")
    mass = src.boiling_pool_evaporated_mass(100.0, 60.0, **kw)
    num, _ = quad(lambda t: src.boiling_pool_evaporation_rate(100.0, t, **kw), 0.0, 60.0)
    assert mass == pytest.approx(num, rel=1e-6)
    # Incropera & DeWitt Table A.3 concrete k = 1.4 W/(m·K), α = 0.692e-6 m²/s
    q = 1.4 * (288.15 - 111.7) / math.sqrt(math.pi * 0.692e-6 * 60.0)
    assert src.boiling_pool_evaporation_rate(100.0, 60.0, **kw) == pytest.approx(100.0 * q / 5.1e5, rel=1e-12)


def test_epa_rmp_equation_d1_units():
    """US EPA RMP Offsite Consequence Analysis Guidance, Appendix D, Eq. D-1 in its own units:
    QR [lb/min] = 0.284 U^0.78 MW^(2/3) A[ft²] VP[mmHg] / (82.05 T)."""
    u, mw, a_ft2, vp_mmhg, t = 1.5, 78.11, 1000.0, 75.0, 293.15
    qr = 0.284 * u**0.78 * mw ** (2 / 3) * a_ft2 * vp_mmhg / (82.05 * t)
    ours = src.nonboiling_pool_evaporation_rate(
        a_ft2 * 0.09290304,
        vapour_pressure=vp_mmhg * 133.322387415,
        molar_mass=mw / 1000.0,
        wind_speed=u,
        temperature=t,
    )
    assert ours == pytest.approx(qr * LB / 60.0, rel=1e-12)


def test_release_duration():
    assert src.release_duration(1000.0, 2.0) == 500.0


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: src.liquid_discharge_rate(-0.01, liquid_density=800.0, pressure=2e5), "diameter"),
        (
            lambda: src.liquid_discharge_rate(0.01, liquid_density=float("nan"), pressure=2e5),
            "liquid_density",
        ),
        (
            lambda: src.gas_discharge_rate(
                0.01, pressure=2e5, temperature=300.0, molar_mass=0.016, heat_capacity_ratio=0.9
            ),
            "heat_capacity_ratio",
        ),
        (lambda: src.flash_fraction(300.0, model="magic"), "model.*magic"),
        (lambda: src.rainout_fraction(1.5), "flash"),
        (lambda: src.release_duration(-1.0, 1.0), "inventory"),
        (lambda: src.release_duration(1.0, 0.0), "rate"),
        (
            lambda: src.boiling_pool_evaporation_rate(
                1.0, 1.0, boiling_point=100.0, heat_of_vaporisation=1e5, ground="lava"
            ),
            "ground",
        ),
        (lambda: src.pool_area(1.0, bund_area=-5.0), "bund_area"),
    ],
)
def test_bad_input_raises_valueerror_naming_parameter(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_two_phase_erm_equation():
    """Fauske & Epstein (1988) ERM, Crowl & Louvar §4-7: G = ΔH_v / v_fg · √(1/(c_p T))."""
    kw = dict(
        heat_of_vaporisation=3.33e5, liquid_density=493.0, vapour_density=20.6, liquid_heat_capacity=2670.0
    )
    vfg = 1 / 20.6 - 1 / 493.0
    g = 3.33e5 / vfg * math.sqrt(1 / (2670.0 * 298.15))
    assert src.two_phase_discharge_rate(0.01, temperature=298.15, **kw) == pytest.approx(
        g * math.pi * 0.01**2 / 4, rel=1e-12
    )
    # with substance properties: propane at 25 °C, mass flux of the order of 8·10³ kg/(m²·s)
    gs = src.two_phase_discharge_rate(0.01, temperature=298.15, substance="propane") / (math.pi * 0.01**2 / 4)
    assert gs == pytest.approx(g, rel=0.05)


def test_discharge_dispatches_on_phase():
    from analysis.physics.substances import get

    ng = get("天然气")
    d = src.discharge(
        "天然气", hole_diameter=0.05, pressure=40e5, temperature=288.15, phase="gas", inventory=1e4
    )
    expected = src.gas_discharge_rate(
        0.05,
        pressure=40e5,
        temperature=288.15,
        molar_mass=ng.molar_mass,
        heat_capacity_ratio=ng.heat_capacity_ratio,
    )
    assert d.rate == pytest.approx(expected) and d.airborne_fraction == 1.0
    assert d.duration == pytest.approx(1e4 / expected)
    cl = src.discharge("液氯", hole_diameter=0.025, pressure=7e5, temperature=293.15, phase="liquefied_gas")
    assert 0.1 < cl.flash_fraction < 0.25
    assert cl.airborne_fraction == pytest.approx(2 * cl.flash_fraction)
    with pytest.raises(ValueError, match="phase"):
        src.discharge("液氯", hole_diameter=0.025, pressure=7e5, temperature=293.15, phase="plasma")

"""Dispersion: Briggs sigmas, Gaussian plume/puff, wind profile, Britter-McQuaid — against published values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis import consequence as csq
from analysis.physics import dense_gas


def test_plume_crowl_louvar_burning_dump():
    # Crowl & Louvar (2011) ch. 5 worked example: a burning dump emits 3 g/s of nitrogen oxides; overcast
    # night (stability D), wind 7 m/s; ground-level concentration 3 km downwind with Briggs rural sigmas
    # (Table 5-2): 8.4e-6 g/m³ = 8.4e-9 kg/m³.
    c = csq.gaussian_plume(3.0e-3, 7.0, 3000.0, 0.0, 0.0, stability="D")
    assert c == pytest.approx(8.44e-9, rel=0.01)


@pytest.mark.parametrize(
    ("stability", "terrain", "x", "sy", "sz"),
    [
        # Briggs (1973) formulas, Griffiths (1994) Table 1 / Crowl & Louvar (2011) Table 5-2, evaluated here;
        # urban sigma_z A-B 0.24x(1+0.001x)^0.5 and E-F 0.08x(1+0.0015x)^-0.5 as also in US EPA ISC3 (1995)
        ("A", "rural", 1000.0, 0.22 * 1000 / np.sqrt(1.1), 0.20 * 1000),
        ("B", "rural", 500.0, 0.16 * 500 / np.sqrt(1.05), 0.12 * 500),
        ("C", "rural", 2000.0, 0.11 * 2000 / np.sqrt(1.2), 0.08 * 2000 / np.sqrt(1.4)),
        ("D", "rural", 1000.0, 0.08 * 1000 / np.sqrt(1.1), 0.06 * 1000 / np.sqrt(2.5)),
        ("E", "rural", 1000.0, 0.06 * 1000 / np.sqrt(1.1), 0.03 * 1000 / 1.3),
        ("F", "rural", 5000.0, 0.04 * 5000 / np.sqrt(1.5), 0.016 * 5000 / 2.5),
        ("A", "urban", 1000.0, 0.32 * 1000 / np.sqrt(1.4), 0.24 * 1000 * np.sqrt(2.0)),
        ("B", "urban", 1000.0, 0.32 * 1000 / np.sqrt(1.4), 0.24 * 1000 * np.sqrt(2.0)),
        ("C", "urban", 1000.0, 0.22 * 1000 / np.sqrt(1.4), 0.20 * 1000),
        ("D", "urban", 1000.0, 0.16 * 1000 / np.sqrt(1.4), 0.14 * 1000 / np.sqrt(1.3)),
        ("E", "urban", 2000.0, 0.11 * 2000 / np.sqrt(1.8), 0.08 * 2000 / np.sqrt(4.0)),
        ("F", "urban", 2000.0, 0.11 * 2000 / np.sqrt(1.8), 0.08 * 2000 / np.sqrt(4.0)),
    ],
)
def test_briggs_table(stability, terrain, x, sy, sz):
    got_y, got_z = csq.briggs_sigmas(x, stability, terrain)
    assert got_y == pytest.approx(sy, rel=1e-9)
    assert got_z == pytest.approx(sz, rel=1e-9)


def test_briggs_rural_d_published_magnitude():
    # Hanna, Briggs & Hosker (1982) Table 4.5 / Pasquill-Gifford curves: at 1 km, class D rural,
    # sigma_y ≈ 76 m and sigma_z ≈ 38 m.
    sy, sz = csq.briggs_sigmas(1000.0, "D")
    assert sy == pytest.approx(76.3, rel=0.005)
    assert sz == pytest.approx(37.9, rel=0.005)


def test_plume_ground_reflection_and_symmetry():
    x = np.array([100.0, 500.0, 2000.0])
    c0 = csq.gaussian_plume(1.0, 3.0, x, 0.0, 0.0, stability="C")
    sy, sz = csq.briggs_sigmas(x, "C")
    # ground-level source, ground-level receptor: reflection doubles the free-space value Q/(2π u σy σz)
    np.testing.assert_allclose(c0, 1.0 / (np.pi * 3.0 * sy * sz), rtol=1e-12)
    cp = csq.gaussian_plume(1.0, 3.0, 500.0, 40.0, 2.0, stability="C", release_height=10.0)
    cm = csq.gaussian_plume(1.0, 3.0, 500.0, -40.0, 2.0, stability="C", release_height=10.0)
    assert cp == pytest.approx(cm, rel=1e-12)
    assert csq.gaussian_plume(1.0, 3.0, -10.0, 0.0, 0.0, stability="C") == 0.0
    assert csq.gaussian_plume(1.0, 3.0, 0.0, 0.0, 0.0, stability="C") == 0.0


def test_plume_mass_flux_conserved():
    # ∫∫ C u dy dz over the half-space z ≥ 0 equals the release rate (reflection conserves mass).
    y = np.linspace(-800, 800, 401)
    z = np.linspace(0, 500, 251)
    yy, zz = np.meshgrid(y, z)
    c = csq.gaussian_plume(2.0, 4.0, 1500.0, yy, zz, stability="D", release_height=25.0)
    flux = np.trapezoid(np.trapezoid(c, y, axis=1), z) * 4.0
    assert flux == pytest.approx(2.0, rel=0.005)


def test_puff_mass_conserved_and_sigmas():
    # Crowl & Louvar (2011) Table 5-3 puff sigmas: D, x = 1000 m: σy = 0.06 x^0.92, σz = 0.15 x^0.70.
    sx, sy, sz = csq.puff_sigmas(1000.0, "D")
    assert sy == pytest.approx(0.06 * 1000**0.92, rel=1e-12) and sx == sy
    assert sz == pytest.approx(0.15 * 1000**0.70, rel=1e-12)
    # ∫∫∫ C dV over z ≥ 0 equals the released mass
    x = np.linspace(500, 1500, 101)
    y = np.linspace(-500, 500, 101)
    z = np.linspace(0, 250, 126)
    xx, yy, zz = np.meshgrid(x, y, z, indexing="ij")
    c = csq.gaussian_puff(100.0, 2.0, xx, yy, zz, 500.0, stability="D", release_height=5.0)
    m = np.trapezoid(np.trapezoid(np.trapezoid(c, z, axis=2), y, axis=1), x)
    assert m == pytest.approx(100.0, rel=0.01)


def test_puff_ground_dose_crowl_louvar_eq_5_41():
    # Crowl & Louvar (2011) Eq. 5-41: ground-level source, centre line: ∫C dt = M / (π σy σz u)
    m, u, x = 10.0, 3.0, 800.0
    _, sy, sz = csq.puff_sigmas(x, "E")
    assert csq.puff_ground_dose(m, u, x, 0.0, stability="E") == pytest.approx(
        m / (np.pi * sy * sz * u), rel=1e-12
    )


def test_wind_profile_isc3_exponents():
    # US EPA ISC3 (1995) Vol. II §1.1.5.1: p = 0.15 (rural D), 0.55 (rural F), 0.25 (urban D)
    assert csq.wind_speed_at_height(4.0, 50.0, stability="D") == pytest.approx(4.0 * 5.0**0.15, rel=1e-12)
    assert csq.wind_speed_at_height(2.0, 2.0, stability="F") == pytest.approx(2.0 * 0.2**0.55, rel=1e-12)
    assert csq.wind_speed_at_height(4.0, 30.0, stability="D", terrain="urban") == pytest.approx(
        4.0 * 3.0**0.25, rel=1e-12
    )


def test_plume_grid_orientation():
    x = np.linspace(-500, 500, 11)
    y = np.linspace(-500, 500, 11)
    c = csq.plume_grid(1.0, 3.0, x, y, stability="D", wind_to_deg=0.0)  # wind blows towards north
    assert c.shape == (11, 11)
    assert c[10, 5] > 0 and c[0, 5] == 0.0  # north of the source (y=+500) downwind, south upwind
    assert c[10, 5] == pytest.approx(csq.gaussian_plume(1.0, 3.0, 500.0, 0.0, 0.0, stability="D"), rel=1e-12)
    p = csq.puff_grid(1.0, 3.0, x, y, 100.0, stability="D", wind_to_deg=90.0)  # towards east
    assert np.unravel_index(np.argmax(p), p.shape) == (5, 8)  # centre at x = 300 m east


@pytest.mark.parametrize(
    ("ratio", "alpha", "beta"),
    [
        # Crowl & Louvar (2011) Table 5-3 (continuous, Britter & McQuaid 1988 Fig. 31): β = f(α)
        (0.1, 0.0, 1.78),  # -0.14 < α ≤ 1: β = -0.50 α + 1.78
        (0.05, -1.0, 1.92),  # α ≤ -0.68: β = 1.92
        (0.02, 0.5, -0.54 * 0.5 + 2.16),
        (0.01, 0.0, 2.35),
        (0.005, -0.5, 0.59 * -0.5 + 2.80),
        (0.002, 0.2, -0.50 * 0.2 + 2.71),
    ],
)
def test_britter_mcquaid_plume_table_5_3(ratio, alpha, beta):
    u = 2.0
    rho_a = 1.2
    rho0 = 3.0
    g0 = csq.dispersion.GRAVITY * (rho0 - rho_a) / rho_a
    q0 = 10 ** (5 * alpha) * u**5 / g0**2  # α = 0.2 log10(g0'² q0 / u⁵)
    d = np.sqrt(q0 / u)
    c = csq.britter_mcquaid_plume(
        d * 10**beta, volume_rate=q0, wind_speed=u, source_density=rho0, air_density=rho_a
    )
    assert c == pytest.approx(ratio, rel=0.02)


@pytest.mark.parametrize(
    ("ratio", "alpha", "beta"),
    [
        # Crowl & Louvar (2011) Table 5-4 (instantaneous, Britter & McQuaid 1988 Fig. 34)
        (0.1, 0.0, 0.81),  # -0.44 < α ≤ 0.43: β = 0.26 α + 0.81
        (0.05, 0.5, -0.12 * 0.5 + 1.12),
        (0.02, -1.0, 0.95),
        (0.01, 0.0, 1.39),
        (0.005, 0.6, -0.30 * 0.6 + 1.75),
        (0.002, 0.0, 1.83),
        (0.001, 0.5, -0.27 * 0.5 + 2.05),
    ],
)
def test_britter_mcquaid_puff_table_5_4(ratio, alpha, beta):
    u = 2.0
    rho_a = 1.2
    rho0 = 3.0
    g0 = csq.dispersion.GRAVITY * (rho0 - rho_a) / rho_a
    v0 = (10 ** (2 * alpha) * u**2 / g0) ** 3  # α = 0.5 log10(g0' V0^(1/3) / u²)
    c = csq.britter_mcquaid_puff(
        np.cbrt(v0) * 10**beta, volume=v0, wind_speed=u, source_density=rho0, air_density=rho_a
    )
    assert c == pytest.approx(ratio, rel=0.02)


def test_britter_mcquaid_criteria_and_non_isothermal():
    # Crowl & Louvar (2011) Eqs. 5-53 / 5-55: dense if (g0' q0/(u³ D))^(1/3) ≥ 0.15, (g0' V0)^(1/2)/(u V0^(1/3)) ≥ 0.2
    assert csq.britter_mcquaid_plume_is_dense(
        volume_rate=55.6, wind_speed=10.9, source_density=1.76, air_density=1.22
    )
    assert not csq.britter_mcquaid_plume_is_dense(volume_rate=0.01, wind_speed=10.0, source_density=1.3)
    assert csq.britter_mcquaid_puff_is_dense(volume=1000.0, wind_speed=2.0, source_density=3.2)
    # Eq. 5-56 non-isothermal correction: C = C*/(C* + (1 − C*) Ta/T0), here Ta/T0 = 2
    kw = {"volume_rate": 50.0, "wind_speed": 3.0, "source_density": 2.5}
    cs = csq.britter_mcquaid_plume(300.0, **kw)
    c = csq.britter_mcquaid_plume(300.0, **kw, source_temperature=150.0, ambient_temperature=300.0)
    assert c == pytest.approx(cs / (cs + (1 - cs) * 2.0), rel=1e-12)
    # concentration falls with distance
    xs = np.array([50.0, 100.0, 300.0, 1000.0])
    assert np.all(np.diff(csq.britter_mcquaid_plume(xs, **kw)) < 0)


def test_britter_mcquaid_curve_file_increasing():
    # the loader checks alpha increases along each digitised curve before interpolating
    ratios, curves = dense_gas._bm_curves("continuous")
    assert list(ratios) == [0.1, 0.05, 0.02, 0.01, 0.005, 0.002]
    assert all(np.all(np.diff(a) > 0) for a, _ in curves)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: csq.briggs_sigmas(100.0, "G"), "stability"),
        (lambda: csq.briggs_sigmas(100.0, "D", "suburban"), "terrain"),
        (lambda: csq.briggs_sigmas(np.nan, "D"), "x"),
        (lambda: csq.gaussian_plume(1.0, 0.0, 100.0, 0.0, 0.0, stability="D"), "wind_speed"),
        (lambda: csq.gaussian_plume(-1.0, 2.0, 100.0, 0.0, 0.0, stability="D"), "rate"),
        (lambda: csq.gaussian_plume(1.0, 2.0, np.nan, 0.0, 0.0, stability="D"), "x"),
        (lambda: csq.gaussian_plume(1.0, 2.0, 100.0, 0.0, -1.0, stability="D"), "z"),
        (lambda: csq.gaussian_plume(1.0, 2.0, 100.0, 0.0, 0.0, stability="G"), "stability"),
        (lambda: csq.gaussian_puff(-1.0, 2.0, 100.0, 0.0, 0.0, 10.0, stability="D"), "mass"),
        (lambda: csq.wind_speed_at_height(0.0, 10.0, stability="D"), "wind_speed"),
        (
            lambda: csq.britter_mcquaid_plume(100.0, volume_rate=1.0, wind_speed=2.0, source_density=1.0),
            "source_density",
        ),
    ],
)
def test_bad_inputs(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_britter_mcquaid_plume_extents_workbook_equations():
    """Britter & McQuaid (1988) workbook §4.3 (continuous release): l_b = g0' q0 / u³, upwind extent
    L_U = D/2 + 2 l_b, crosswind half-width L_H0 = D + 8 l_b at the source and L_H = L_H0 + 2.5 l_b^⅓ x^⅔
    downwind, D = (q0/u)^½ — evaluated by hand for q0 = 10 m³/s, u = 2 m/s, ρ0 = 3 kg/m³, ρa = 1.2 kg/m³."""
    kw = dict(volume_rate=10.0, wind_speed=2.0, source_density=3.0, air_density=1.2)
    g0 = 9.80665 * (3.0 - 1.2) / 1.2  # 14.710 m/s²
    lb = g0 * 10.0 / 8.0  # 18.387 m
    d = math.sqrt(10.0 / 2.0)  # 2.236 m
    assert csq.britter_mcquaid_buoyancy_length(**kw) == pytest.approx(18.387, rel=1e-4)
    assert csq.britter_mcquaid_plume_upwind_extent(**kw) == pytest.approx(0.5 * d + 2 * lb, rel=1e-12)
    x = np.array([0.0, 100.0, 1000.0])
    expected = d + 8 * lb + 2.5 * lb ** (1 / 3) * x ** (2 / 3)
    np.testing.assert_allclose(csq.britter_mcquaid_plume_half_width(x, **kw), expected, rtol=1e-12)
    # upwind: zero beyond L_U, L_H0 at the source
    lu = 0.5 * d + 2 * lb
    hw = csq.britter_mcquaid_plume_half_width(np.array([-lu - 1.0, -0.5 * lu, -1e-9]), **kw)
    assert hw[0] == 0.0 and 0.0 < hw[1] < hw[2] == pytest.approx(d + 8 * lb, rel=1e-6)
    assert csq.britter_mcquaid_plume_alpha(**kw) == pytest.approx(0.2 * math.log10(g0**2 * 10.0 / 2.0**5))
    with pytest.raises(ValueError, match="source_density"):
        csq.britter_mcquaid_plume_half_width(1.0, volume_rate=1.0, wind_speed=2.0, source_density=1.0)


def test_britter_mcquaid_alpha_out_of_range_is_not_logged_as_warning(caplog):
    """α > 1 (outside the workbook curves) must not flood the log: DEBUG only, reported via *_alpha()."""
    kw = dict(volume_rate=500.0, wind_speed=1.0, source_density=5.0, air_density=1.2)
    assert csq.britter_mcquaid_plume_alpha(**kw) > 1.0
    with caplog.at_level("INFO"):
        for _ in range(50):
            csq.britter_mcquaid_plume(np.array([10.0, 100.0]), **kw)
    assert not [r for r in caplog.records if r.levelno >= 20]


def test_britter_mcquaid_puff_slumping_radius_and_swept_width():
    """Britter & McQuaid (1988) §4.4 / CCPS (1999): R² = R0² + 1.2 (g0' V0)^½ t, centre at 0.4 u10 t. The swept
    half-width is the envelope max_t [R(t)² − (x − 0.4 u t)²]^½, evaluated here by brute force over t."""
    kw = dict(volume=1000.0, wind_speed=2.0, source_density=3.0, air_density=1.2)
    g0 = 9.80665 * 1.8 / 1.2
    r0 = (3 * 1000.0 / (4 * math.pi)) ** (1 / 3)
    k = 1.2 * math.sqrt(g0 * 1000.0)
    t = np.array([0.0, 10.0, 100.0])
    np.testing.assert_allclose(csq.britter_mcquaid_puff_radius(t, **kw), np.sqrt(r0**2 + k * t), rtol=1e-12)
    tt = np.linspace(0.0, 5000.0, 2_000_001)
    for x in (-30.0, -5.0, 0.0, 50.0, 500.0, 2000.0):
        w2 = r0**2 + k * tt - (x - 0.8 * tt) ** 2
        expected = math.sqrt(max(w2.max(), 0.0))
        assert csq.britter_mcquaid_puff_half_width(x, **kw) == pytest.approx(expected, rel=1e-6, abs=1e-6)
    with pytest.raises(ValueError, match="t"):
        csq.britter_mcquaid_puff_radius(-1.0, **kw)

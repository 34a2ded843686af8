"""Scenario glue (analysis/scenarios.py): inputs, source terms and effect fields against the models they call.

The physical models are validated against published values in their own tests (test_fire, test_source, test_dispersion, ...);
here the glue is checked: that it calls them with the installation's data as documented, that the wind direction
convention holds (a wind FROM the north-east carries a cloud to the south-west), and that bad input is refused
with a message naming the parameter, the value and what is allowed.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from factories import METRIC, X0, Y0, installation_row

from analysis.constants import AMBIENT_TEMPERATURE, P_ATM
from analysis.errors import AnalysisInputError, UnknownSubstanceError
from analysis.physics import dispersion, source, substances
from analysis.scenarios import (
    G2_DURATION_S,
    ReleaseSource,
    Scenario,
    Weather,
    WeatherClass,
    applicable_scenarios,
    effect_field,
    source_term,
)
from analysis.scenarios.zones import threat_zones

D_WEATHER = Weather(wind_speed=2.0, wind_from_deg=45.0, stability="D")


GASOLINE = installation_row()
PROPANE = installation_row(
    substance="丙烷",
    phase="liquefied_gas",
    pressure_pa=1.0e6,
    temperature_k=298.15,
    inventory_kg=2.0e5,
    bund_area_m2=None,
    kind="spherical_tank",
    equipment_class="pressurized",
)
CHLORINE = installation_row(
    substance="液氯",
    phase="liquefied_gas",
    pressure_pa=8.0e5,
    temperature_k=298.15,
    inventory_kg=5.0e4,
    bund_area_m2=200.0,
    kind="bullet_tank",
    equipment_class="pressurized",
    diameter_m=3.0,
    height_m=3.0,
)
AMMONIA_GAS = installation_row(
    substance="氨",
    phase="gas",
    pressure_pa=5.0e5,
    temperature_k=293.15,
    inventory_kg=500.0,
    bund_area_m2=None,
)
HYDROGEN = installation_row(
    substance="氢气",
    phase="gas",
    pressure_pa=1.0e7,
    temperature_k=300.0,
    inventory_kg=300.0,
    bund_area_m2=None,
)


# ---------------------------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        (dict(stability="G"), r"stability.*'G'.*\['A', 'B', 'C', 'D', 'E', 'F'\]"),
        (dict(wind_speed=0.0), r"wind_speed.*0\.0.*> 0"),
        (dict(wind_speed=-1.0), r"wind_speed.*-1\.0"),
        (dict(wind_speed=float("nan")), r"wind_speed.*nan"),
        (dict(wind_from_deg=float("inf")), r"wind_from_deg"),
        (dict(relative_humidity=1.5), r"relative_humidity.*1\.5"),
        (dict(temperature_k=20.0), r"temperature_k.*20\.0"),
        (dict(terrain="desert"), r"terrain.*'desert'.*\['rural', 'urban'\]"),
    ],
)
def test_weather_rejects_bad_input(kwargs, pattern):
    args = dict(wind_speed=2.0, wind_from_deg=45.0, stability="D") | kwargs
    with pytest.raises(ValueError, match=pattern):
        Weather(**args)


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        (dict(kind="explosion"), r"scenario.*'explosion'.*pool_fire"),
        (dict(kind="pool_fire", hole_diameter=-0.01), r"hole_diameter.*-0\.01"),
        (dict(kind="pool_fire", hole_diameter=0.0), r"hole_diameter"),
        (dict(kind="pool_fire", release_fraction=1.5), r"release_fraction.*1\.5"),
        (
            dict(kind="vce", explosion_model="baker1996"),
            r"explosion_model.*'baker1996'.*tnt.*multi_energy.*bst",
        ),
        (dict(kind="fireball", thermal_probit="probit9"), r"thermal_probit.*'probit9'.*eisenberg"),
        (dict(kind="vce", overpressure_probit="x"), r"overpressure_probit.*'x'"),
    ],
)
def test_scenario_rejects_bad_input(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        Scenario(**kwargs)


def test_unknown_substance_is_refused_with_suggestions():
    with pytest.raises(ValueError, match="液录|液氯|unknown|未知|closest|最接近"):
        source_term(installation_row(substance="液录"), Scenario("toxic"), D_WEATHER)


def test_fire_of_a_non_flammable_substance_is_refused():
    with pytest.raises(ValueError, match="pool_fire.*不可燃"):
        effect_field(CHLORINE, Scenario("pool_fire"), D_WEATHER)


def test_toxic_of_a_non_toxic_substance_is_refused():
    with pytest.raises(ValueError, match="toxic.*有毒"):
        effect_field(PROPANE, Scenario("toxic"), D_WEATHER)


def test_missing_inventory_is_refused():
    with pytest.raises(ValueError, match="inventory_kg"):
        source_term(installation_row(inventory_kg=None), Scenario("pool_fire"), D_WEATHER)


# --------------------------------------------------------------------------------------------------- conventions
def test_downwind_bearing():
    assert Weather(2.0, 45.0, "D").downwind_bearing_deg == 225.0
    assert Weather(2.0, 270.0, "D").downwind_bearing_deg == 90.0


def test_applicable_scenarios():
    assert [o.kind for o in applicable_scenarios(GASOLINE)] == ["pool_fire", "flash_fire", "vce"]
    assert [o.kind for o in applicable_scenarios(PROPANE)] == [
        "jet_fire",
        "fireball",
        "flash_fire",
        "vce",
        "bleve_blast",
    ]
    assert [o.kind for o in applicable_scenarios(CHLORINE)] == ["bleve_blast", "toxic"]
    assert [o.kind for o in applicable_scenarios(HYDROGEN)] == [
        "jet_fire",
        "fireball",
        "flash_fire",
        "vce",
        "vessel_burst",
    ]
    assert applicable_scenarios(installation_row(phase="solid")) == []
    for o in applicable_scenarios(PROPANE):
        assert o.reason_zh and "丙烷" in o.reason_zh


# --------------------------------------------------------------------------------------------------- source term
def test_g2_release_rate_is_inventory_over_ten_minutes():
    st = source_term(GASOLINE, Scenario("pool_fire", release_duration=G2_DURATION_S), D_WEATHER)
    assert st.rate == pytest.approx(1.0e6 / 600.0)
    assert st.duration == 600.0 and st.mass == pytest.approx(1.0e6)


def test_liquid_hole_release_calls_the_discharge_model_with_the_liquid_head():
    st = source_term(GASOLINE, Scenario("pool_fire", hole_diameter=0.05), D_WEATHER)
    sub = substances.get("汽油")
    rho = float(sub.liquid_density_at(293.15))
    head = min(1.0e6 / (rho * math.pi * 20.0**2 / 4.0), 15.0)
    expected = float(
        source.liquid_discharge_rate(0.05, liquid_density=rho, pressure=101325.0, liquid_head=head)
    )
    assert st.rate == pytest.approx(expected, rel=1e-12)
    assert st.duration == pytest.approx(min(1.0e6 / expected, 1800.0))
    # the pool is limited by the bund
    assert st.pool_area == pytest.approx(1200.0)


def test_gas_hole_release_calls_the_choked_flow_model():
    st = source_term(HYDROGEN, Scenario("jet_fire", hole_diameter=0.01), D_WEATHER)
    sub = substances.get("氢气")
    expected = float(
        source.gas_discharge_rate(
            0.01,
            pressure=1.0e7,
            temperature=300.0,
            molar_mass=sub.molar_mass,
            heat_capacity_ratio=sub.heat_capacity_ratio,
        )
    )
    assert st.rate == pytest.approx(expected, rel=1e-12)
    assert st.airborne_fraction == 1.0 and st.release_phase == "gas"
    # sonic velocity at the throat: sqrt(γ R T*/M), T* = 2T/(γ+1)
    g = sub.heat_capacity_ratio
    assert st.exit_velocity == pytest.approx(
        math.sqrt(g * 8.314462618 * 2 * 300.0 / (g + 1) / sub.molar_mass)
    )


def test_flashing_release_uses_flash_fraction_and_rainout():
    st = source_term(CHLORINE, Scenario("toxic"), D_WEATHER)
    f = float(source.flash_fraction(298.15, substance="液氯"))
    assert st.flash_fraction == pytest.approx(f)
    assert st.airborne_fraction == pytest.approx(min(2 * f, 1.0))
    assert st.instantaneous and st.airborne_mass == pytest.approx(5.0e4 * min(2 * f, 1.0))


# ------------------------------------------------------------------------------------------------- effect fields
def test_pool_fire_field_equals_model_on_the_axes():
    f = effect_field(GASOLINE, Scenario("pool_fire"), D_WEATHER)
    pf = f.model
    r = np.array([30.0, 60.0, 120.0, 250.0])
    kw = dict(relative_humidity=0.7, ambient_temperature=293.15)
    b = math.radians(225.0)  # downwind of a NE wind
    down = f.heat_flux(r * math.sin(b), r * math.cos(b))
    ref = np.asarray(pf.heat_flux(r, direction="downwind", **kw))
    np.testing.assert_allclose(down, ref, rtol=2e-3)
    up = f.heat_flux(-r * math.sin(b), -r * math.cos(b))
    ref_up = np.asarray(pf.heat_flux(r, direction="upwind", **kw))
    np.testing.assert_allclose(up, ref_up, rtol=2e-3)
    assert np.all(down > up)
    assert np.all(f.overpressure(r, r) == 0.0) and np.all(f.concentration(r, r) == 0.0)


def test_fireball_field_and_probability_of_death():
    f = effect_field(PROPANE, Scenario("fireball"), D_WEATHER)
    fb = f.model
    assert f.exposure_time == pytest.approx(fb.duration)
    r = np.array([0.0, 100.0, 500.0, 3000.0])
    kw = dict(relative_humidity=0.7, ambient_temperature=293.15)
    np.testing.assert_allclose(f.heat_flux(r, 0 * r), fb.heat_flux(r, **kw), rtol=1e-3)
    from analysis.physics import vulnerability as vul

    p = f.probability_of_death(r, 0 * r)
    expected = vul.probability(vul.probit_thermal(fb.heat_flux(r, **kw), fb.duration, "eisenberg"))
    np.testing.assert_allclose(p, expected, rtol=5e-3, atol=1e-9)
    assert p[0] > 0.99 and p[-1] < 1e-6


def test_fields_broadcast_and_keep_shape():
    f = effect_field(PROPANE, Scenario("fireball"), D_WEATHER)
    x = np.linspace(-500, 500, 12).reshape(3, 4)
    assert f.heat_flux(x, 0.0).shape == (3, 4)
    assert f.probability_of_death(x, x).shape == (3, 4)


@pytest.mark.parametrize("row", [AMMONIA_GAS, CHLORINE], ids=["passive-ammonia", "dense-chlorine"])
def test_north_east_wind_sends_the_toxic_cloud_south_west(row):
    sc = Scenario("toxic", hole_diameter=0.02)
    w = Weather(wind_speed=2.0, wind_from_deg=45.0, stability="D")
    z = threat_zones(row, sc, w, crs=METRIC)
    outer = z.geometry.iloc[-1]
    assert not outer.is_empty
    xs, ys = (
        np.asarray(outer.exterior.coords).T
        if outer.geom_type == "Polygon"
        else np.vstack([np.asarray(p.exterior.coords) for p in outer.geoms]).T
    )
    dx, dy = xs - X0, ys - Y0
    far = np.hypot(dx, dy) > 0.5 * z["max_distance"].iloc[-1]
    # every far point of the footprint lies to the south-west (both offsets negative)
    assert np.all(dx[far] < 0) and np.all(dy[far] < 0)
    if row is CHLORINE:
        # dense: within the gravity-slumped half-width of Britter & McQuaid (1988) §4.3 (plus the Gaussian edge of
        # 4 Briggs σy) of the 225° axis
        b = math.radians(225.0)
        along = dx[far] * math.sin(b) + dy[far] * math.cos(b)
        across = np.abs(-dx[far] * math.cos(b) + dy[far] * math.sin(b))
        f = effect_field(row, sc, w)
        rho0 = 101325.0 * f.source.substance.molar_mass / (8.314462618 * f.source.source_temperature)
        rho_a = 101325.0 * 0.028965 / (8.314462618 * w.temperature_k)
        half = dispersion.britter_mcquaid_plume_half_width(
            along,
            volume_rate=f.source.airborne_rate / rho0,
            wind_speed=2.0,
            source_density=rho0,
            air_density=rho_a,
        )
        sy, _ = dispersion.briggs_sigmas(along, "D")
        assert np.all(across <= half + 4.0 * sy)
    else:
        # passive: along the 225° bearing (within 20°)
        bearing = np.degrees(np.arctan2(dx[far], dy[far])) % 360
        assert np.all(np.abs(bearing - 225.0) < 20.0)


def test_passive_plume_zone_reach_equals_plume_model_centreline_distance():
    sc = Scenario("toxic", hole_diameter=0.02)
    f = effect_field(AMMONIA_GAS, sc, D_WEATHER)
    assert not f.model["dense"]
    z = threat_zones(AMMONIA_GAS, sc, D_WEATHER, crs=METRIC, field=f)
    from scipy.optimize import brentq

    q = f.source.airborne_rate
    for zr in z.itertuples():
        d = brentq(
            lambda x, zr=zr: dispersion.gaussian_plume(q, 2.0, x, 0.0, 0.0, stability="D") - zr.threshold,
            1.0,
            49_000.0,
        )
        assert zr.max_distance == pytest.approx(d, abs=zr.resolution_m + 1e-3 * d)


def test_dense_plume_zone_reach_equals_britter_mcquaid_centreline_distance():
    sc = Scenario("toxic", hole_diameter=0.02)
    f = effect_field(CHLORINE, sc, D_WEATHER)
    assert f.model["dense"]
    z = threat_zones(CHLORINE, sc, D_WEATHER, crs=METRIC, field=f, levels=None)
    # the field on the downwind axis is the Britter-McQuaid centre-line concentration; the footprint is as wide
    # as the workbook's slumped plume, so its reach along the axis is the largest projection of its outline on
    # the downwind direction (max_distance from the centroid includes the plume's width)
    b = math.radians(225.0)
    for zr in z.itertuples():
        geom = zr.geometry
        pts = np.vstack(
            [
                np.asarray(g.exterior.coords)
                for g in (geom.geoms if geom.geom_type == "MultiPolygon" else [geom])
            ]
        )
        d = float(np.max((pts[:, 0] - X0) * math.sin(b) + (pts[:, 1] - Y0) * math.cos(b)))
        c_edge = float(f.concentration(np.array([d * math.sin(b)]), np.array([d * math.cos(b)]))[0])
        c_in = float(
            f.concentration(
                np.array([(d - 2 * zr.resolution_m) * math.sin(b)]),
                np.array([(d - 2 * zr.resolution_m) * math.cos(b)]),
            )[0]
        )
        assert c_in >= zr.threshold >= c_edge * 0.999


def test_dense_plume_footprint_has_workbook_width_and_upwind_extent():
    """Britter & McQuaid (1988) §4.3: the dense plume spreads upwind to L_U = D/2 + 2 l_b and across the wind to
    L_H = D + 8 l_b + 2.5 l_b^⅓ x^⅔; inside that half-width the concentration equals the centre-line value."""
    sc = Scenario("toxic", hole_diameter=0.05)
    f = effect_field(CHLORINE, sc, D_WEATHER)
    assert f.model["dense"]
    rho0 = 101325.0 * f.source.substance.molar_mass / (8.314462618 * f.source.source_temperature)
    rho_a = 101325.0 * 0.028965 / (8.314462618 * D_WEATHER.temperature_k)
    q0 = f.source.airborne_rate / rho0
    g0 = 9.80665 * (rho0 - rho_a) / rho_a
    lb = g0 * q0 / 2.0**3
    d = math.sqrt(q0 / 2.0)
    lu = 0.5 * d + 2.0 * lb
    b = math.radians(225.0)  # downwind bearing for wind from 45°

    def xy(along, across):
        return (
            np.array([along * math.sin(b) - across * math.cos(b)]),
            np.array([along * math.cos(b) + across * math.sin(b)]),
        )

    assert float(f.concentration(*xy(-0.9 * lu, 0.0))[0]) > 0.0  # upwind, inside L_U
    assert float(f.concentration(*xy(-1.05 * lu, 0.0))[0]) == 0.0  # beyond L_U
    x = 200.0
    lh = d + 8.0 * lb + 2.5 * lb ** (1 / 3) * x ** (2 / 3)
    c0 = float(f.concentration(*xy(x, 0.0))[0])
    assert float(f.concentration(*xy(x, 0.95 * lh))[0]) == pytest.approx(c0, rel=1e-12)
    assert float(f.concentration(*xy(x, lh + 100.0))[0]) < 0.5 * c0
    assert any("L_U = D/2 + 2 l_b" in a for a in f.assumptions)


def test_dense_puff_footprint_covers_the_slumping_cloud():
    """Britter & McQuaid (1988) §4.4: the instantaneous cloud slumps to R² = R0² + 1.2 (g0' V0)^½ t while its centre
    moves at 0.4 u; inside the swept half-width the field equals the workbook's peak concentration."""
    sc = Scenario("toxic")
    f = effect_field(CHLORINE, sc, D_WEATHER)
    assert f.model["dense"] and f.model["mode"] == "puff"
    rho0 = 101325.0 * f.source.substance.molar_mass / (8.314462618 * f.source.source_temperature)
    rho_a = 101325.0 * 0.028965 / (8.314462618 * D_WEATHER.temperature_k)
    kw = dict(volume=f.source.airborne_mass / rho0, wind_speed=2.0, source_density=rho0, air_density=rho_a)
    b = math.radians(225.0)
    x = 300.0
    w = float(dispersion.britter_mcquaid_puff_half_width(x, **kw))
    assert w > 100.0  # much wider than the Pasquill-Gifford puff σy (≈ 20 m at 300 m, class D)

    def conc(along, across):
        return float(
            f.concentration(
                np.array([along * math.sin(b) - across * math.cos(b)]),
                np.array([along * math.cos(b) + across * math.sin(b)]),
            )[0]
        )

    assert conc(x, 0.95 * w) == pytest.approx(conc(x, 0.0), rel=1e-12)
    assert conc(x, w + 200.0) < 0.01 * conc(x, 0.0)
    assert (
        conc(-0.5 * float(dispersion.britter_mcquaid_puff_half_width(0.0, **kw)), 0.0) > 0.0
    )  # upwind slump
    assert conc(-5000.0, 0.0) == 0.0  # nothing beyond the upwind edge of the slumped cloud


def test_flash_fire_probability_is_one_inside_the_lfl_envelope():
    sc = Scenario("flash_fire", hole_diameter=0.05)
    f = effect_field(PROPANE, sc, D_WEATHER)
    b = math.radians(225.0)
    r = np.array([5.0, 20.0, 5000.0])
    x, y = r * math.sin(b), r * math.cos(b)
    c = f.concentration(x, y)
    p = f.probability_of_death(x, y)
    np.testing.assert_array_equal(p, np.where(c >= f.lfl_concentration, 1.0, 0.0))
    assert p[0] == 1.0 and p[-1] == 0.0


# ------------------------------------------------------------------------------------------------ wind frame
def test_along_wind_reads_the_field_in_the_wind_frame_of_any_direction():
    sc = Scenario("toxic", hole_diameter=0.02)
    f = effect_field(AMMONIA_GAS, sc, D_WEATHER)  # downwind bearing 225°
    s = np.array([50.0, 200.0, 800.0])
    c = np.array([0.0, 10.0, -30.0])
    b = math.radians(225.0)
    x, y = s * math.sin(b) - c * math.cos(b), s * math.cos(b) + c * math.sin(b)
    np.testing.assert_allclose(f.along_wind("concentration", s, c), f.concentration(x, y), rtol=1e-12)
    np.testing.assert_allclose(
        f.along_wind("probability_of_death", s, c), f.probability_of_death(x, y), rtol=1e-12
    )
    with pytest.raises(ValueError, match=r"quantity.*'dose'.*heat_flux"):
        f.along_wind("dose", s, c)


@pytest.mark.parametrize(
    ("row", "kind"), [(GASOLINE, "pool_fire"), (CHLORINE, "toxic"), (PROPANE, "vce"), (PROPANE, "jet_fire")]
)
def test_a_weather_class_field_is_the_field_of_any_direction_in_the_wind_frame(row, kind):
    cls = WeatherClass(wind_speed=2.0, stability="D")
    f_cls = effect_field(row, Scenario(kind), cls)
    assert f_cls.axis_bearing_deg == 90.0 and f_cls.weather is cls
    # the conventional axis is east: along_wind(s, c) is the field at x = s, y = c, exactly
    f_east = effect_field(row, Scenario(kind), Weather.from_class(cls, 270.0))
    s = np.linspace(-300.0, 3000.0, 23)[:, None]
    c = np.linspace(-200.0, 200.0, 9)[None, :]
    for q in ("heat_flux", "overpressure", "concentration", "probability_of_death"):
        np.testing.assert_array_equal(f_cls.along_wind(q, s, c), getattr(f_east, q)(s, c))
    # and the same physics as a field blowing to the south-west, read in its own wind frame
    np.testing.assert_allclose(
        f_cls.along_wind(f_cls.quantity, s, c),
        effect_field(row, Scenario(kind), D_WEATHER).along_wind(f_cls.quantity, s, c),
        rtol=1e-9,
        atol=1e-12,
    )


def test_source_term_needs_only_the_weather_class():
    cls = D_WEATHER.weather_class
    for row, kind in ((GASOLINE, "pool_fire"), (CHLORINE, "toxic"), (HYDROGEN, "jet_fire")):
        assert source_term(row, Scenario(kind), cls) == source_term(row, Scenario(kind), D_WEATHER)
    with pytest.raises(ValueError, match="WeatherClass"):
        source_term(GASOLINE, Scenario("pool_fire"), "D")


# ------------------------------------------------------------------------------------------- release boundary
def test_a_given_release_rate_is_used_as_it_is():
    st = source_term(GASOLINE, Scenario("pool_fire", release_rate=250.0), D_WEATHER)
    assert st.rate == 250.0 and not st.instantaneous
    assert st.duration == min(1.0e6 / 250.0, 1800.0) and st.mass == 250.0 * st.duration
    # the same release as a duration: inventory / rate
    by_duration = source_term(GASOLINE, Scenario("pool_fire", release_duration=1.0e6 / 250.0), D_WEATHER)
    assert by_duration.rate == pytest.approx(250.0, rel=1e-15)
    assert by_duration.pool_evaporation_rate == pytest.approx(st.pool_evaporation_rate, rel=1e-12)
    jet = effect_field(PROPANE, Scenario("jet_fire", release_rate=5.0), D_WEATHER)
    assert jet.source.rate == 5.0 and jet.model.mass_rate == 5.0


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        (dict(release_rate=0.0), r"release_rate.*0\.0"),
        (dict(release_rate=float("nan")), r"release_rate.*nan"),
        (dict(release_rate=5.0, release_duration=600.0), r"release_rate.*release_duration"),
        (dict(release_rate=5.0, hole_diameter=0.05), r"release_rate.*hole_diameter"),
    ],
)
def test_release_rate_is_validated(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        Scenario("toxic", **kwargs)


def test_every_scenario_kind_has_an_effect_builder():
    from analysis.scenarios.effects import EFFECT_BUILDERS
    from analysis.scenarios.release import SCENARIO_KINDS

    assert set(EFFECT_BUILDERS) == set(SCENARIO_KINDS)


def test_dense_crosswind_profile_uniform_core_gaussian_edges():
    from analysis.scenarios.clouds import dense_crosswind_profile

    s = np.array([100.0, 100.0, 100.0, -10.0, -10.0, -60.0])
    c = np.array([0.0, 40.0, 60.0, 5.0, 45.0, 0.0])
    out = dense_crosswind_profile(
        s, c, 2.0, np.array([50.0, 50.0, 50.0, 20.0, 20.0, 20.0]), 10.0, upwind_extent=50.0
    )
    np.testing.assert_allclose(out, [2.0, 2.0, 2.0 * math.exp(-0.5), 2.0, 0.0, 0.0])


# ------------------------------------------------------------------------------------------------ release source
def test_release_source_from_installation_reads_the_row():
    src = ReleaseSource.from_installation(CHLORINE)
    assert (src.source_id, src.substance, src.phase, src.kind, src.name) == (
        "X1",
        "液氯",
        "liquefied_gas",
        "bullet_tank",
        "测试设施",
    )
    assert (src.inventory_kg, src.pressure_pa, src.temperature_k) == (5.0e4, 8.0e5, 298.15)
    assert (src.volume_m3, src.diameter_m, src.height_m, src.bund_area_m2) == (1400.0, 3.0, 3.0, 200.0)
    assert src.origin == (X0, Y0) and src.geometry == CHLORINE["geometry"]
    assert src.label_zh == "设施 X1" and src.substance_record is substances.get("液氯")
    # a missing or null value is None; a row without a geometry is at (0, 0)
    bare = ReleaseSource.from_installation(
        {"unit_id": "B1", "substance": "汽油", "phase": "liquid", "bund_area_m2": float("nan")}
    )
    assert bare.inventory_kg is None and bare.pressure_pa is None and bare.bund_area_m2 is None
    assert bare.origin == (0.0, 0.0) and bare.geometry is None


@pytest.mark.parametrize(
    ("row", "kind"),
    [
        (GASOLINE, "pool_fire"),
        (PROPANE, "fireball"),
        (PROPANE, "jet_fire"),
        (CHLORINE, "toxic"),
        (HYDROGEN, "vessel_burst"),
        (AMMONIA_GAS, "toxic"),
    ],
)
def test_release_source_round_trip_equals_the_row_path(row, kind):
    src = ReleaseSource.from_installation(row)
    assert source_term(
        src, Scenario(kind, hole_diameter=0.05 if kind == "jet_fire" else None), D_WEATHER
    ) == (source_term(row, Scenario(kind, hole_diameter=0.05 if kind == "jet_fire" else None), D_WEATHER))
    by_src, by_row = (
        effect_field(src, Scenario(kind), D_WEATHER),
        effect_field(row, Scenario(kind), D_WEATHER),
    )
    assert by_src.origin == by_row.origin == (X0, Y0) and by_src.unit_id == by_row.unit_id == "X1"
    assert by_src.assumptions == by_row.assumptions
    x, y = np.meshgrid(np.linspace(-300.0, 300.0, 7), np.linspace(-300.0, 300.0, 7))
    np.testing.assert_array_equal(by_src.probability_of_death(x, y), by_row.probability_of_death(x, y))
    assert [o.kind for o in applicable_scenarios(src)] == [o.kind for o in applicable_scenarios(row)]
    zs = threat_zones(src, Scenario(kind), D_WEATHER, crs=METRIC)
    zr = threat_zones(row, Scenario(kind), D_WEATHER, crs=METRIC)
    assert zs["max_distance"].tolist() == zr["max_distance"].tolist()
    assert all(a.equals_exact(b, 0.0) for a, b in zip(zs.geometry, zr.geometry, strict=True))


def test_release_source_at_a_point():
    src = ReleaseSource.at_point(X0, Y0, substance="氨", inventory_kg=500.0, phase="gas", pressure_pa=5.0e5)
    assert src.source_id == f"P({X0:.0f},{Y0:.0f})" and src.origin == (X0, Y0) and src.geometry.x == X0
    assert src.temperature_k == AMBIENT_TEMPERATURE and src.name == "指定地点"
    assert (src.diameter_m, src.height_m, src.bund_area_m2, src.volume_m3, src.kind) == (None,) * 5
    # the same release as an installation row without vessel data
    row = installation_row(
        substance="氨", phase="gas", pressure_pa=5.0e5, inventory_kg=500.0, temperature_k=AMBIENT_TEMPERATURE
    ).drop(["volume_m3", "diameter_m", "height_m", "bund_area_m2"])
    for kind in ("toxic", "vessel_burst"):
        a, b = effect_field(src, Scenario(kind), D_WEATHER), effect_field(row, Scenario(kind), D_WEATHER)
        assert a.source.mass == b.source.mass and a.origin == b.origin
    default = ReleaseSource.at_point(1.0, 2.0, substance="甲苯", inventory_kg=10.0, phase="liquid")
    assert default.pressure_pa == P_ATM and default.temperature_k == AMBIENT_TEMPERATURE


def test_release_source_on_a_pipeline():
    src = ReleaseSource.on_pipeline(
        "PL-01",
        substance="氯气",
        inventory_kg=800.0,
        phase="gas",
        pressure_pa=4.5e5,
        point=(10.0, 20.0),
        along=0.5,
    )
    assert src.source_id == "PL-01@0.50" and src.label_zh == "管道 PL-01（50% 处）" and src.kind == "pipe"
    assert src.origin == (10.0, 20.0) and src.diameter_m is None and src.bund_area_m2 is None
    whole = ReleaseSource.on_pipeline(
        "PL-01", substance="氯气", inventory_kg=800.0, phase="gas", pressure_pa=4.5e5
    )
    assert whole.source_id == "PL-01" and whole.origin == (0.0, 0.0)
    st = source_term(whole, Scenario("toxic", hole_diameter=0.02), D_WEATHER)
    assert st.unit_id == "PL-01" and st.rate > 0


@pytest.mark.parametrize(
    ("changes", "pattern"),
    [
        (dict(inventory_kg=-5.0), r"设施 X1 的 inventory_kg.*=-5\.0"),
        (dict(pressure_pa=float("inf")), r"设施 X1 的 pressure_pa.*=inf"),
        (dict(temperature_k="warm"), r"设施 X1 的 temperature_k.*='warm'"),
        (dict(bund_area_m2=0.0), r"设施 X1 的 bund_area_m2.*=0\.0"),
        (dict(phase="plasma"), r"设施 X1 的 phase.*'plasma'"),
        (dict(substance=""), r"设施 X1 的 substance.*为空"),
        (dict(geometry=None, unit_id="Z9", volume_m3=-1.0), r"设施 Z9 的 volume_m3.*=-1\.0"),
    ],
)
def test_release_source_validation_names_source_field_and_value(changes, pattern):
    with pytest.raises(AnalysisInputError, match=pattern):
        ReleaseSource.from_installation(installation_row(**changes))


def test_release_source_constructors_refuse_bad_input():
    with pytest.raises(UnknownSubstanceError):
        ReleaseSource.at_point(0.0, 0.0, substance="液录", inventory_kg=1.0, phase="gas")
    with pytest.raises(AnalysisInputError, match=r"P\(0,0\).*inventory_kg"):
        ReleaseSource.at_point(0.0, 0.0, substance="氨", inventory_kg=None, phase="gas")
    with pytest.raises(AnalysisInputError, match=r"P\(0,0\) 的 pressure_pa.*=nan"):
        ReleaseSource.at_point(0.0, 0.0, substance="氨", inventory_kg=1.0, phase="gas", pressure_pa=math.nan)
    with pytest.raises(AnalysisInputError, match=r"origin.*=nan"):
        ReleaseSource.at_point(float("nan"), 0.0, substance="氨", inventory_kg=1.0, phase="gas")
    with pytest.raises(AnalysisInputError, match=r"管道 PL-9 的 pressure_pa.*=-1\.0"):
        ReleaseSource.on_pipeline("PL-9", substance="氨", inventory_kg=1.0, phase="gas", pressure_pa=-1.0)
    # an installation may lack its inventory; the source term refuses it, naming the installation
    src = ReleaseSource.from_installation(installation_row(inventory_kg=None))
    with pytest.raises(AnalysisInputError, match=r"设施 X1 缺少 inventory_kg"):
        source_term(src, Scenario("pool_fire"), D_WEATHER)

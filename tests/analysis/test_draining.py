"""Draining tanks (analysis.physics.draining, re-exported by source and consequence) and their use in scenarios.

Source: Crowl, D. A. & Louvar, J. F. (2002). Chemical Process Safety, 2nd ed., §4-2, Eqs. 4-13 to 4-19 (falling
head in a vertical cylinder). No published worked example with printed answers could be checked for this part
(the book's Example 4-2 was not available to verify); the closed form is checked instead against (a) the validated
orifice equation Eq. 4-6 at t = 0 (``liquid_discharge_rate``, tested against Crowl & Louvar elsewhere), (b) an
independent numerical integration of the level ODE dh/dt = −(C_o A/A_t) √(2 P_g/ρ + 2 g h) and (c) conservation
of the liquid above the hole.

Published worked problem (open tank, no losses): EngineeringPrep problem 435 "Time to Drain"
(https://engineeringprep.com/problems/435): a circular tank of 4 ft diameter discharging freely through a nozzle of
5 in² from 6 ft to 2 ft of water, no minor losses (C = 1), g = 32.2 ft/s²: Δt = 2 (A_t/A_0)/√(2g) (√h1 − √h2),
printed 93.9 s (its intermediate values rounded to three figures: A_t/A_0 = 12.57/0.0347, √6 − √2 = 1.04) and the
answer 94 s. The exact value of that equation is 93.4 s; the test holds 1 % (the source's own rounding).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from factories import installation_row
from scipy.integrate import solve_ivp

import analysis.consequence as csq
from analysis.constants import P_ATM, G
from analysis.errors import AnalysisInputError
from analysis.physics import source
from analysis.scenarios import ReleaseSource, Scenario, source_term
from analysis.weather import WeatherClass

# A padded benzene tank in US units converted to SI (the kind of case of Crowl & Louvar §4-2): 8 ft diameter,
# 12 ft of liquid above a 1 in hole, 1 atm gauge in the vapour space, specific gravity 0.8794.
CASE = dict(
    hole_diameter=0.0254,
    liquid_height=12 * 0.3048,
    tank_diameter=8 * 0.3048,
    density=879.4,
    pressure=2 * P_ATM,
)


def _ode_empty_time_and_rate(case, t_probe):
    a = math.pi * case["hole_diameter"] ** 2 / 4
    a_t = math.pi * case["tank_diameter"] ** 2 / 4
    rho, pg = case["density"], case["pressure"] - P_ATM

    def rhs(_t, h):
        return [-(0.61 * a / a_t) * math.sqrt(2 * pg / rho + 2 * G * max(h[0], 0.0))]

    def hits_hole(_t, h):
        return h[0]

    hits_hole.terminal = True
    sol = solve_ivp(
        rhs, (0, 1e6), [case["liquid_height"]], events=hits_hole, rtol=1e-10, atol=1e-12, dense_output=True
    )
    h = sol.sol(t_probe)[0]
    rate = rho * 0.61 * a * np.sqrt(2 * pg / rho + 2 * G * h)
    return sol.t_events[0][0], rate


def test_public_paths_and_unpacking():
    assert csq.tank_drain is source.tank_drain
    rate, t_e = csq.tank_drain(**CASE, times=[0.0, 100.0])
    assert rate.shape == (2,) and t_e > 0


def test_initial_rate_is_crowl_louvar_eq_4_6():
    rate, _ = source.tank_drain(**CASE, times=0.0)
    eq_4_6 = source.liquid_discharge_rate(
        CASE["hole_diameter"],
        liquid_density=CASE["density"],
        pressure=CASE["pressure"],
        liquid_head=CASE["liquid_height"],
    )
    assert float(rate) == pytest.approx(float(eq_4_6), rel=1e-12)


def test_closed_form_matches_the_integrated_level_equation():
    t_e_ode, _ = _ode_empty_time_and_rate(CASE, [0.0])
    t = np.array([0.0, 0.25, 0.5, 0.9]) * t_e_ode
    _, rate_ode = _ode_empty_time_and_rate(CASE, t)
    rate, t_e = source.tank_drain(**CASE, times=t)
    assert t_e == pytest.approx(t_e_ode, rel=1e-6)
    np.testing.assert_allclose(rate, rate_ode, rtol=1e-6)
    # after the level has reached the hole nothing flows
    assert float(source.tank_drain(**CASE, times=1.01 * t_e).rate) == 0.0


def test_open_tank_time_to_empty_is_torricelli():
    # P_g = 0: t_e = (A_t/(C_o A)) √(2 h0/g) (Eq. 4-19 with P_g = 0)
    open_case = {**CASE, "pressure": P_ATM}
    _, t_e = source.tank_drain(**open_case, times=0.0)
    ratio = (CASE["tank_diameter"] / CASE["hole_diameter"]) ** 2
    assert t_e == pytest.approx(ratio / 0.61 * math.sqrt(2 * CASE["liquid_height"] / G), rel=1e-12)


def test_mean_rate_conserves_the_liquid_above_the_hole():
    _, t_e = source.tank_drain(**CASE, times=0.0)
    mass_above = CASE["density"] * math.pi * CASE["tank_diameter"] ** 2 / 4 * CASE["liquid_height"]
    assert source.tank_drain_mean_rate(**CASE, window=t_e) * t_e == pytest.approx(mass_above, rel=1e-9)
    # a longer window holds the same mass; a short window averages close to the initial rate
    assert source.tank_drain_mean_rate(**CASE, window=3 * t_e) * 3 * t_e == pytest.approx(
        mass_above, rel=1e-9
    )
    r0 = float(source.tank_drain(**CASE, times=0.0).rate)
    assert source.tank_drain_mean_rate(**CASE, window=1.0) == pytest.approx(r0, rel=1e-3)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"hole_diameter": 3.0}, "hole_diameter"),
        ({"pressure": 9.0e4}, "pressure"),
        ({"density": -1.0}, "density"),
        ({"liquid_height": -0.1}, "liquid_height"),
    ],
)
def test_bad_inputs_are_named(change, match):
    with pytest.raises(AnalysisInputError, match=match):
        source.tank_drain(**{**CASE, **change}, times=0.0)


def test_scenario_falling_head_is_an_option_and_keeps_the_mass():
    row = installation_row(substance="甲苯", inventory_kg=2.0e5, diameter_m=10.0, height_m=5.0)
    src = ReleaseSource.from_installation(row)
    weather = WeatherClass(2.0, "D")
    const = source_term(src, Scenario("pool_fire", hole_diameter=0.05), weather)
    falling = source_term(src, Scenario("pool_fire", hole_diameter=0.05, falling_head=True), weather)
    assert not Scenario("pool_fire", hole_diameter=0.05).falling_head  # default unchanged
    assert falling.rate < const.rate
    # the mean rate over the release window: the mass above the hole drained in the time to empty (≤ 1800 s)
    rho = const.substance.liquid_density_at(row["temperature_k"])
    head = 2.0e5 / (rho * math.pi * 10.0**2 / 4)
    _, t_e = source.tank_drain(
        hole_diameter=0.05, liquid_height=head, tank_diameter=10.0, density=rho, times=0.0
    )
    window = min(t_e, 1800.0)
    expected = source.tank_drain_mean_rate(
        hole_diameter=0.05, liquid_height=head, tank_diameter=10.0, density=rho, window=window
    )
    assert falling.rate == pytest.approx(expected, rel=1e-9)
    assert any("液位下降" in a for a in falling.assumptions)


def test_engineeringprep_435_time_to_drain_from_6_to_2_ft():
    # EngineeringPrep problem 435 (see the module docstring): printed 93.9 s, answer 94 s; the time from 6 ft to
    # 2 ft is the time to empty from 6 ft less the time to empty from 2 ft (Eq. 4-19 with P_g = 0, C_o = 1).
    ft, inch = 0.3048, 0.0254
    kw = dict(
        hole_diameter=math.sqrt(4.0 * 5.0 * inch**2 / math.pi),
        tank_diameter=4.0 * ft,
        density=1000.0,
        discharge_coefficient=1.0,
        times=0.0,
    )
    t6 = source.tank_drain(liquid_height=6.0 * ft, **kw).time_to_empty
    t2 = source.tank_drain(liquid_height=2.0 * ft, **kw).time_to_empty
    assert t6 - t2 == pytest.approx(93.9, rel=0.01)
    # the rate at that time is the Torricelli rate at 2 ft of head
    rate = float(source.tank_drain(liquid_height=6.0 * ft, **{**kw, "times": t6 - t2}).rate)
    area = 5.0 * inch**2
    assert rate == pytest.approx(1000.0 * area * math.sqrt(2.0 * G * 2.0 * ft), rel=1e-9)

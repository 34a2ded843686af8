"""Tests of analysis.qra.individual: the individual-risk integration against hand calculations, contours, GeoTIFF, F-N.

The hand-checkable cases use ONE outcome and ONE wind direction (or a few), so that the expected risk at a point is
f × p(direction) × P_death computed here from the published closed forms:
- Gaussian plume at ground level with ground reflection, C = Q / (π σy σz u) · exp(−y² / 2σy²)
  (Crowl & Louvar 2011, Chemical Process Safety 3rd ed., Eq. 5-49 with H = 0);
- Briggs (1973) open-country σ for class D: σy = 0.08 x (1 + 0.0001 x)^−½, σz = 0.06 x (1 + 0.0015 x)^−½
  (Crowl & Louvar 2011, Table 5-2);
- ammonia probit Y = −35.9 + 1.85 ln(C² t), C in ppm, t in min (Crowl & Louvar 2011, Table 2-5), P = Φ(Y − 5)
  (Finney 1971; Crowl & Louvar Eq. 2-6);
- Eisenberg et al. (1975) lung-haemorrhage probit Y = −77.1 + 6.91 ln(p°), p° in Pa (CCPS 2000, Table 2.21).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import shapely
from scipy.stats import norm

from analysis.qra import individual as risk
from analysis.weather import WindRose
from geodata import Park
from geodata.samples.one_unit import LAT, LON, OUTCOME_FREQUENCY, ammonia_outcome, ammonia_unit_park

F = OUTCOME_FREQUENCY  # [1/a] outcome frequency of the hand cases


def _park(*, targets: bool = False) -> Park:
    """The hand cases' 600 t ammonia unit; with ``targets`` the village ≈ 1 km east (downwind of a westerly wind)."""
    return ammonia_unit_park(600_000.0, village=targets)


def _rose(directions=(270.0,), probs=(1.0,)) -> WindRose:
    p = np.asarray(probs, dtype=float).reshape(len(directions), 1, 1)
    return WindRose(tuple(directions), (5.0,), ("D",), p)


def _hand_plume_death(s, c):
    """P(death) of the 1000 kg/s ammonia G.2 plume (600 s), class D, 5 m/s, from the published closed forms."""
    s = np.asarray(s, dtype=float)
    sy = 0.08 * s / np.sqrt(1 + 1e-4 * s)  # Briggs rural D
    sz = 0.06 * s / np.sqrt(1 + 1.5e-3 * s)
    conc = 1000.0 / (math.pi * sy * sz * 5.0) * np.exp(-0.5 * (np.asarray(c) / sy) ** 2)  # [kg/m³]
    ppm = conc / (0.01703052 * 101325.0 / (8.314462618 * 298.15)) * 1e6  # ppm at 25 °C
    y = -35.9 + 1.85 * np.log(ppm**2 * 10.0)  # t = 10 min
    return norm.cdf(y - 5.0)


@pytest.fixture(scope="module")
def park():
    return _park(targets=True)


@pytest.fixture(scope="module")
def origin(park):
    g = park.metric("installations").geometry.iloc[0]
    return g.x, g.y


def _cell(res, x, y):
    xs, ys = res.cell_centres()
    j = int(np.argmin(np.abs(xs - x)))
    i = int(np.argmin(np.abs(ys - y)))
    return i, j, xs[j], ys[i]


@pytest.fixture(scope="module")
def plume_west(park, origin):
    ox, oy = origin
    return risk.individual_risk(
        park,
        outcomes=ammonia_outcome(),
        wind_rose=_rose(),
        resolution=10.0,
        extent=(ox - 300, oy - 200, ox + 2100, oy + 200),
    )


@pytest.mark.parametrize("s,c", [(1000, 0), (1500, 0), (1500, 60), (2000, 0), (1200, -80)])
def test_plume_one_direction_matches_hand_calculation(plume_west, origin, s, c):
    # wind FROM the west: the plume goes east, so downwind s = x − x0 and crosswind c = y − y0
    i, j, x, y = _cell(plume_west, origin[0] + s, origin[1] + c)
    expected = F * _hand_plume_death(x - origin[0], y - origin[1])
    assert plume_west.grid[i, j] == pytest.approx(expected, rel=0.005)


def test_plume_upwind_is_zero(plume_west, origin):
    i, j, _, _ = _cell(plume_west, origin[0] - 200, origin[1])
    assert plume_west.grid[:, : j + 1].max() == 0.0


def test_result_contract(plume_west, park):
    from affine import Affine

    assert isinstance(plume_west.transform, Affine)
    assert plume_west.crs == park.metric_crs
    assert plume_west.grid.ndim == 2 and plume_west.grid.shape == (40, 240)
    assert plume_west.transform.a == 10.0 and plume_west.transform.e == -10.0


def test_rotation_and_direction_weights(park, origin):
    # wind from the north with p = 0.25 and from the west with p = 0.75: the risk south of the unit is 0.25 × the
    # one-direction value, east of it 0.75 ×.
    ox, oy = origin
    res = risk.individual_risk(
        park,
        outcomes=ammonia_outcome(),
        wind_rose=_rose((0.0, 270.0), (0.25, 0.75)),
        resolution=10.0,
        extent=(ox - 1600, oy - 1600, ox + 1600, oy + 1600),
    )
    i, j, x, y = _cell(res, ox, oy - 1200)  # south: downwind of a northerly wind
    assert res.grid[i, j] == pytest.approx(0.25 * F * _hand_plume_death(oy - y, x - ox), rel=0.005)
    i, j, x, y = _cell(res, ox + 1200, oy)
    assert res.grid[i, j] == pytest.approx(0.75 * F * _hand_plume_death(x - ox, y - oy), rel=0.005)


def test_radial_vce_is_frequency_times_probit(park, origin):
    # a VCE is centred on the source: the risk does not depend on the wind direction, IR = f × Φ(Y − 5) with the
    # Eisenberg lung probit of the model's TNT overpressure at the distance.
    from analysis.physics import explosion as ex

    ox, oy = origin
    out = ammonia_outcome(
        "vce", loc="G.1", instantaneous=True, duration_s=np.nan, mass_kg=2000.0, branch="delayed"
    )
    res = risk.individual_risk(
        park,
        outcomes=out,
        wind_rose=_rose((0.0, 90.0, 180.0, 270.0), (0.1, 0.2, 0.3, 0.4)),
        resolution=5.0,
        extent=(ox - 200, oy - 200, ox + 200, oy + 200),
    )
    assert bool(res.outcomes["computed"].iloc[0])
    # G.1 of a gas: the whole inventory (600 t) is the instantaneous cloud; TNT equivalence of Chinese
    # safety-assessment practice (yield 4 %, 4.52 MJ/kg TNT) without the ground factor 1.8 (Kingery-Bulmash
    # hemispherical curves already contain the ground reflection)
    from analysis.physics import substances

    hc = substances.get("液氨").heat_of_combustion
    w = ex.tnt_equivalent_mass_cn(600_000.0, hc, ground_factor=1.0)
    # inside the exploding cloud (a hemisphere of 3.5 MJ/m³ mixture, TNO Yellow Book §5.5.3) the load is held at
    # the curve's value at the cloud's edge r0
    r0 = (3.0 * 600_000.0 * hc / (2.0 * math.pi * ex.STOICHIOMETRIC_HC_AIR_ENERGY_DENSITY)) ** (1.0 / 3.0)
    for dx, dy in [(110, 0), (0, -125), (-99, 99)]:
        i, j, x, y = _cell(res, ox + dx, oy + dy)
        r = math.hypot(x - ox, y - oy)
        p_over = float(ex.tnt_overpressure(w, max(r, r0)))
        expected = F * norm.cdf(-77.1 + 6.91 * math.log(p_over) - 5.0)
        assert res.grid[i, j] == pytest.approx(expected, rel=0.005, abs=1e-12)


def test_geotiff_round_trip(plume_west, tmp_path):
    import rasterio

    path = tmp_path / "ir.tif"
    plume_west.to_geotiff(path)
    with rasterio.open(path) as src:
        assert src.crs.to_epsg() == plume_west.crs.to_epsg()
        assert src.transform == plume_west.transform
        np.testing.assert_array_equal(src.read(1), plume_west.grid)


def test_contours_nested_and_consistent(plume_west):
    cont = risk.risk_contours(plume_west)
    assert list(cont["level"]) == [1e-5, 3e-6, 1e-6, 3e-7]
    assert cont.crs == plume_west.crs
    # 1e-5 = f is never exceeded (P ≤ 1), lower levels nest
    assert cont["area_m2"].iloc[0] == 0.0
    areas = cont["area_m2"].to_numpy()
    assert np.all(np.diff(areas) >= 0) and areas[-1] > 0
    # the cells above 1e-6 lie inside the 1e-6 polygon (up to a cell)
    xs, ys = plume_west.cell_centres()
    ii, jj = np.nonzero(plume_west.grid >= 1e-6)
    poly = cont.geometry.iloc[2].buffer(plume_west.resolution)
    assert shapely.contains_xy(poly, xs[jj], ys[ii]).all()


def test_societal_events_and_pll(plume_west, park, origin):
    # the village 1 km east: N = people × P_death at its point; day events use the day population
    soc = risk.societal_risk(plume_west, indoor=False)  # everybody outdoors
    rec = plume_west.receptors
    x, y = rec["x"].iloc[0], rec["y"].iloc[0]
    p = _hand_plume_death(x - origin[0], y - origin[1])
    assert soc.pll == pytest.approx(F * p * (0.5 * 100 + 0.5 * 300), rel=0.005)
    assert soc.curve.at(1.0) == pytest.approx(F, rel=1e-9)  # both periods kill ≥ 1 person
    # with the Purple Book's indoor protection (CPR 18E §5.3): 93 % indoors by day, 99 % by night, indoor toxic
    # lethality 0.1 × outdoor
    indoor = risk.societal_risk(plume_west)
    day, night = 0.07 + 0.93 * 0.1, 0.01 + 0.99 * 0.1
    assert indoor.pll == pytest.approx(F * p * (0.5 * 100 * day + 0.5 * 300 * night), rel=0.005)
    assert risk.target_risk(plume_west, park)["individual_risk"].iloc[0] == pytest.approx(F * p, rel=0.005)


def test_options_validation(park):
    with pytest.raises(ValueError, match="resolution"):
        risk.individual_risk(park, resolution=0.0)
    with pytest.raises(ValueError, match="extent"):
        risk.individual_risk(park, extent=(0, 0, -1, 1))
    with pytest.raises(ValueError, match="units"):
        risk.individual_risk(park, units=("nope",), resolution=50, weather=_rose())
    with pytest.raises(ValueError, match="unknown risk options"):
        risk.individual_risk(park, resolutoin=10.0)
    with pytest.raises(ValueError, match="domino_frequencies"):
        risk.individual_risk(park, domino_frequencies=pd.DataFrame({"x": [1]}))


def test_pipelines_raster_is_added(park, origin):
    ox, oy = origin
    ext = (ox - 100, oy - 100, ox + 100, oy + 100)
    res0 = risk.individual_risk(
        park, outcomes=ammonia_outcome(), wind_rose=_rose(), resolution=20.0, extent=ext
    )
    res1 = risk.individual_risk(
        park,
        outcomes=ammonia_outcome(),
        wind_rose=_rose(),
        resolution=20.0,
        extent=ext,
        pipelines=lambda transform, shape, crs: np.full(shape, 2e-7),
    )
    np.testing.assert_allclose(res1.grid - res0.grid, 2e-7, rtol=1e-12)
    with pytest.raises(ValueError, match="shape"):
        risk.individual_risk(
            park,
            outcomes=ammonia_outcome(),
            wind_rose=_rose(),
            resolution=20.0,
            extent=ext,
            pipelines=np.zeros((3, 3)),
        )


def test_domino_added_frequency_goes_to_catastrophic_loc(park):
    # f_secondary of a target is added to its G.1 LOC; the event tree splits it over the G.1 outcomes, whose
    # frequencies therefore rise by exactly f_secondary in total.
    base = risk.outcome_table(park)
    dom = pd.DataFrame({"target": ["U1"], "f_secondary": [2e-6], "primary_unit": ["X"]})
    plus = risk.outcome_table(park, domino_frequencies=dom)
    g1 = base.loc[base["loc"] == "G.1", "frequency"].sum()
    g1_plus = plus.loc[plus["loc"] == "G.1", "frequency"].sum()
    assert g1_plus - g1 == pytest.approx(2e-6, rel=1e-9)
    assert (plus["domino_added"] == 2e-6).all()
    other = base["loc"] != "G.1"
    np.testing.assert_allclose(
        plus.loc[plus["loc"] != "G.1", "frequency"].to_numpy(), base.loc[other, "frequency"].to_numpy()
    )


def test_frequency_override_scales_risk(park, origin):
    # overriding the only LOC's frequency scales the risk linearly
    ox, oy = origin
    ext = (ox - 100, oy - 100, ox + 1300, oy + 100)
    out = ammonia_outcome()
    r1 = risk.individual_risk(park, outcomes=out, wind_rose=_rose(), resolution=20.0, extent=ext)
    r3 = risk.individual_risk(
        park, outcomes=out.assign(frequency=3 * F), wind_rose=_rose(), resolution=20.0, extent=ext
    )
    np.testing.assert_allclose(r3.grid, 3 * r1.grid, rtol=1e-12)
    ov = risk.outcome_table(park, frequency_overrides={("U1", "G.1"): 1e-3})
    assert ov.loc[ov["loc"] == "G.1", "frequency"].sum() == pytest.approx(1e-3, rel=1e-9)


def _many(n: int) -> Park:
    """The test park with ``n`` copies of its installation, 50 m apart."""
    base = _park()
    inst = base.layers["installations"]
    rows = inst.loc[inst.index.repeat(n)].reset_index(drop=True)
    rows["unit_id"] = [f"U{i}" for i in range(n)]
    rows = rows.set_geometry([shapely.Point(LON + 5e-4 * (i % 40), LAT + 5e-4 * (i // 40)) for i in range(n)])
    return Park.from_layers({"parks": base.layers["parks"], "installations": rows}, validate=False)


def test_installation_limit_refuses_a_large_park_early():
    # fails before: no max_installations option; a 5,000-unit park ran for 15 minutes without a word
    from analysis.errors import AnalysisInputError

    park = _many(30)
    calls = []
    with pytest.raises(AnalysisInputError) as err:
        risk.individual_risk(
            park, resolution=100, max_installations=20, progress=lambda f, m: calls.append(m)
        )
    msg = str(err.value)
    assert "30" in msg and "20" in msg and "max_installations" in msg
    assert calls == []  # refused before any work
    assert risk.RiskOptions().max_installations == 2000
    # the limit counts only the installations asked for
    res = risk.individual_risk(
        park,
        resolution=100,
        units=("U1", "U2"),
        max_installations=2,
        outcomes=ammonia_outcome(unit_id="U1"),
        weather=_rose(),
    )
    assert res.grid.shape[0] > 0
    with pytest.raises(ValueError, match="max_installations"):
        risk.RiskOptions(max_installations=0)
    unlimited = risk.RiskOptions(max_installations=None)
    assert unlimited.max_installations is None


def test_progress_per_installation_with_an_estimate():
    park = _many(3)
    calls: list[tuple[float, str]] = []
    risk.individual_risk(park, resolution=100, wind_rose=_rose(), progress=lambda f, m: calls.append((f, m)))
    fracs = [f for f, _ in calls]
    assert fracs == sorted(fracs) and fracs[0] == 0.0 and fracs[-1] == 1.0
    assert all(0.0 <= f <= 1.0 for f in fracs)
    per_unit = [m for _, m in calls if "/3" in m]
    assert len(per_unit) == 3
    assert all("预计剩余" in m for m in per_unit[1:])  # an estimate once one installation is done

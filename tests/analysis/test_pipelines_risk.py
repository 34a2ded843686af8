"""Tests of analysis.pipelines consequences and risk (event tree, transect, raster, sliding-km F-N) and the demo."""

from __future__ import annotations

import math
from dataclasses import replace

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from rasterio.transform import from_origin

from analysis import pipelines as pp
from analysis.qra import frequencies as fq

CRS = "EPSG:4547"


def _line(substance="天然气", d=0.61, p_abs=6.4e6, t=288.15, length=4000.0):
    return gpd.GeoDataFrame(
        {
            "pipeline_id": ["L"],
            "name": ["L"],
            "substance": [substance],
            "diameter_m": [d],
            "pressure_pa": [p_abs],
            "kind": ["transmission"],
            "temperature_k": [t],
        },
        geometry=[shapely.LineString([(0, 0), (length, 0)])],
        crs=CRS,
    )


@pytest.fixture(scope="module")
def gas():
    line = _line()
    return pp.pipeline_consequences(line.iloc[0], length_m=4000.0)


# ---------------------------------------------------------------- phases and line types
@pytest.mark.parametrize(
    ("sub", "t", "p", "phase"),
    [
        ("天然气", 288.15, 6.4e6, "gas"),
        ("氯气", 293.15, 4.5e5, "gas"),
        ("液氨", 293.15, 1.8e6, "liquefied_gas"),
        ("丙烯", 293.15, 2.5e6, "liquefied_gas"),
        ("原油", 293.15, 1.0e6, "liquid"),
    ],
)
def test_pipeline_phase(sub, t, p, phase):
    assert pp.pipeline_phase(sub, temperature=t, pressure=p) == phase


def test_line_types():
    assert pp.line_type("天然气") == "gas" and pp.line_type("原油") == "oil" and pp.line_type("柴油") == "oil"
    assert pp.line_type("氯气") == "" and pp.line_type("不存在的物质") == ""


# ---------------------------------------------------------------- frequencies and event tree
def test_outcome_frequencies_follow_purple_book_pipe_frequencies(gas):
    # CPR 18E §3.2.4 (via analysis.qra.frequencies.pipe_frequencies): DN > 150 mm rupture 1e-7, leak 5e-7 per m·a
    rup, leak = fq.pipe_frequencies(0.61)
    o = gas.outcomes
    # natural gas is lighter than air: by default only the direct-ignition branch is harmful
    assert o.loc[o["loc"] == "rupture", "frequency_per_m_year"].sum() == pytest.approx(
        rup * o.loc[o["loc"] == "rupture", "probability"].sum()
    )
    assert set(o.loc[o["loc"] == "rupture", "outcome"]) == {"fireball"}
    assert set(o.loc[o["loc"] == "leak", "outcome"]) == {"jet_fire"}
    assert o.loc[o["loc"] == "leak", "hole_diameter_m"].iloc[0] == pytest.approx(0.05)  # 10 % ND, max 50 mm
    assert o.loc[o["loc"] == "leak", "frequency_per_m_year"].sum() == pytest.approx(
        leak * o.loc[o["loc"] == "leak", "probability"].sum()
    )


def test_conservative_event_tree_sums_to_loc_frequency():
    line = _line()
    c = pp.pipeline_consequences(
        line.iloc[0],
        length_m=4000.0,
        options=pp.RiskOptions(buoyant_gas_delayed_ignition=True, kernel_points=41),
    )
    rup, _ = fq.pipe_frequencies(0.61)
    o = c.outcomes
    assert o.loc[o["loc"] == "rupture", "frequency_per_m_year"].sum() == pytest.approx(rup, rel=1e-12)
    assert {"flash_fire", "vce"} <= set(o["outcome"])


def test_frequency_override():
    line = _line()
    c = pp.pipeline_consequences(
        line.iloc[0],
        length_m=4000.0,
        options=pp.RiskOptions(rupture_frequency_per_m_year=2e-8, kernel_points=41),
    )
    o = c.outcomes
    assert o.loc[o["loc"] == "rupture", "frequency_per_m_year"].sum() == pytest.approx(
        2e-8 * o.loc[o["loc"] == "rupture", "probability"].sum()
    )


def test_toxic_line_gets_toxic_cloud_and_liquid_line_pool_fire():
    cl2 = pp.pipeline_consequences(
        _line("氯气", 0.114, 4.5e5, 293.15, 1000).iloc[0],
        length_m=1000.0,
        options=pp.RiskOptions(kernel_points=41),
    )
    assert set(cl2.outcomes["outcome"]) == {"toxic_cloud"}
    assert (cl2.zones["level"] == "AEGL-3").any()
    oil = pp.pipeline_consequences(
        _line("原油", 0.508, 1.0e6, 293.15, 300).iloc[0],
        length_m=300.0,
        options=pp.RiskOptions(kernel_points=41),
    )
    assert set(oil.outcomes["outcome"]) == {"pool_fire"}


def test_pir_of_consequences_uses_gauge_pressure(gas):
    assert gas.maop_gauge_pa == pytest.approx(6.4e6 - 101_325.0)
    assert gas.pir_m == pytest.approx(pp.potential_impact_radius(0.61, 6.4e6 - 101_325.0))


def test_risk_options_bad_values():
    with pytest.raises(ValueError, match="population"):
        pp.RiskOptions(population="evening")
    with pytest.raises(ValueError, match="rupture_frequency_per_m_year"):
        pp.RiskOptions(rupture_frequency_per_m_year=-1.0)


# ---------------------------------------------------------------- transect and raster against an analytic kernel
def _disc_kernel(c, value=1e-8, radius=100.0, n=401):
    half = 150.0
    g = np.linspace(-half, half, n)
    gx, gy = np.meshgrid(g, g)
    k = np.where(np.hypot(gx, gy) <= radius, value, 0.0)
    return replace(c, kernel=k, kernel_half_width=half)


def test_transect_of_disc_kernel_is_chord_length(gas):
    # K = k inside a disc of radius R: IR(y) = k * 2 sqrt(R² - y²) (the chord), 0 beyond R
    c = _disc_kernel(gas)
    y = np.array([0.0, 30.0, 60.0, 90.0, 120.0])
    expected = 1e-8 * 2 * np.sqrt(np.clip(100.0**2 - y**2, 0, None))
    np.testing.assert_allclose(pp.risk_transect(c, y), expected, rtol=0.02, atol=2e-9)


def test_grid_matches_transect_for_a_straight_line(gas):
    c = _disc_kernel(gas)
    seg = pp.segment_pipelines(_line(length=2000.0), length=50.0)
    tr = from_origin(0.0, 200.0, 10.0, 10.0)  # x 0..2000, y 200..-200
    g = pp.individual_risk_grid(seg, {"L": c}, transform=tr, shape=(40, 200), crs=CRS, release_spacing_m=1.0)
    col = 100  # x = 1005 m: far from the ends
    ys = 200.0 - (np.arange(40) + 0.5) * 10.0
    np.testing.assert_allclose(g[:, col], pp.risk_transect(c, ys), rtol=0.05, atol=5e-10)


def test_grid_refuses_other_crs(gas):
    seg = pp.segment_pipelines(_line(length=200.0), length=50.0)
    with pytest.raises(ValueError, match="坐标系"):
        pp.individual_risk_grid(
            seg, {"L": gas}, transform=from_origin(0, 0, 10, 10), shape=(2, 2), crs="EPSG:32649"
        )


def test_real_kernel_transect_decreases_with_distance(gas):
    ir = pp.risk_transect(gas, np.array([0.0, 100.0, 200.0, 400.0, 1000.0]))
    assert ir[0] > 0 and np.all(np.diff(ir) <= 1e-15) and ir[-1] == 0.0


# ---------------------------------------------------------------- societal risk per km
def test_societal_risk_per_km_single_target(gas):
    # one target of 100 people next to the line: fatalities and PLL are bounded by population and frequency
    c = _disc_kernel(gas)
    fp = np.where(
        np.hypot(*np.meshgrid(np.linspace(-150, 150, 401), np.linspace(-150, 150, 401))) <= 100, 1.0, 0.0
    )
    out = pd.DataFrame({"frequency_per_m_year": [1e-8]})
    c = replace(
        c,
        outcomes=out,
        footprints=((0, (2.0, "D", 293.15, 0.7, "rural"), fp),),
        weather=pp.default_weather_classes(),
    )
    seg = pp.segment_pipelines(_line(length=3000.0), length=50.0)
    tg = gpd.GeoDataFrame(
        {
            "target_id": ["T"],
            "name": ["T"],
            "category": ["school"],
            "population_day": [100],
            "population_night": [0],
        },
        geometry=[shapely.Point(1500.0, 20.0)],
        crs=CRS,
    )
    w, curves = pp.societal_risk_per_km(seg, {"L": c}, targets=tg)
    assert w["worst"].sum() == 1
    worst = w[w["worst"]].iloc[0]
    assert worst.km_start_m <= 1500.0 <= worst.km_end_m
    assert worst.n_max == pytest.approx(100.0)
    # PLL of the window = 100 people × 1e-8 /(m·a) × the line length within 100 m of the target (2·98 m)
    assert worst.pll == pytest.approx(100 * 1e-8 * 2 * math.sqrt(100**2 - 20**2), rel=0.15)
    assert curves["L"].f[0] == pytest.approx(worst.pll / 100.0, rel=1e-9)


# ---------------------------------------------------------------- demo park
@pytest.fixture(scope="module")
def demo_assessment(demo_park):
    return pp.assess(demo_park, pipeline_ids=("GP-01", "PL-07"))


def test_demo_gp01_hca_at_villages_clinic_and_school(demo_assessment):
    st = demo_assessment.hca
    gp = st[st.pipeline_id == "GP-01"]
    assert list(gp.hca_grade) == [2, 2]  # GB 32167 Table 1 gas b) and e): Ⅱ (REFERENCE.md)
    two = gp.iloc[0]
    assert {"S02", "S10", "S27"} <= set(two.hca_targets.split(";"))  # 柳林村, 滨江花园小区, 柳林村卫生室
    assert "gas-b" in two.hca_rules
    school = gp.iloc[1]
    assert school.hca_targets == "S03" and school.hca_rules == "gas-e"  # 江滨镇中心小学 within 200 m
    assert gp.pir_m.iloc[0] == pytest.approx(0.099 * 610 * math.sqrt(6.3), rel=1e-9)


def test_demo_summary_and_segments(demo_assessment):
    s = demo_assessment.summary.set_index("pipeline_id")
    assert s.loc["GP-01", "line_type"] == "gas" and s.loc["PL-07", "line_type"] == "oil"
    seg = demo_assessment.segments
    assert {"rupture_outcome_frequency", "leak_outcome_frequency", "lethal_1pct_m"} <= set(seg.columns)
    assert (seg["rupture_outcome_frequency"] > 0).all()


def test_assess_unknown_pipeline(demo_park):
    with pytest.raises(ValueError, match="NOPE"):
        pp.assess(demo_park, pipeline_ids=("NOPE",))


def test_assessment_risk_raster_is_the_grid(demo_assessment):
    a = demo_assessment
    b = a.segments.total_bounds
    tr = from_origin(b[0] - 100.0, b[3] + 100.0, 25.0, 25.0)
    shape = (int((b[3] - b[1] + 200) / 25), int((b[2] - b[0] + 200) / 25))
    g = a.risk_raster(tr, shape, a.segments.crs)
    assert g.shape == shape and np.all(g >= 0) and g.max() > 0
    np.testing.assert_array_equal(
        g, pp.individual_risk_grid(a.segments, a.consequences, transform=tr, shape=shape, crs=a.segments.crs)
    )

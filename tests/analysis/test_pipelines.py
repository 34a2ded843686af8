"""Tests of analysis.pipelines: potential impact radius, segments, GB 32167 high-consequence areas."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from analysis import pipelines as pp

PSI = 6894.757293168  # [Pa/psi]
INCH = 0.0254  # [m/in]
FOOT = 0.3048  # [m/ft]


# ---------------------------------------------------------------- potential impact radius
@pytest.mark.parametrize(
    ("d_in", "p_psig", "r_ft", "source"),
    [
        # PennEast pipeline, 36 in, MAOP 1480 psig -> PIR 955 ft (thecostofthepipeline.com 2015, computed with the
        # 49 CFR 192.903 formula PIR = 0.69 sqrt(p d^2)).
        (36.0, 1480.0, 955.0, "PennEast 36 in 1480 psig"),
        # GRI/C-FER exhibit (scribd 'Exhibit 1 - PIR and Pipeline Class Locations'): 100 psi -> sqrt = 10, PIR =
        # 0.69 * d * 10 ft; with d = 12 in: 82.8 ft.
        (12.0, 100.0, 82.8, "Exhibit 1 worked step, 12 in, 100 psi"),
    ],
)
def test_pir_matches_asme_b318s_worked_cases(d_in, p_psig, r_ft, source):
    # GB 32167 rounds the converted ASME constant (0.0997) to 0.099: agreement within 1 %.
    r = pp.potential_impact_radius(d_in * INCH, p_psig * PSI)
    assert r / FOOT == pytest.approx(r_ft, rel=0.01), source


def test_pir_gb32167_formula_units():
    # GB 32167-2015 Eq. (1): r = 0.099 sqrt(d^2 p), d = 610 mm, p = 6.3 MPa -> 0.099 * 610 * sqrt(6.3) = 151.58 m
    assert pp.potential_impact_radius(0.610, 6.3e6) == pytest.approx(0.099 * 610 * np.sqrt(6.3), rel=1e-12)
    assert pp.potential_impact_radius(0.610, 6.3e6) == pytest.approx(151.58, abs=0.01)


def test_pir_asme_and_gb_constants_agree():
    # 0.69 ft/(in psi^0.5) in SI: 0.69 * 0.3048 / 25.4 * sqrt(145.0377) = 0.09972 m/(mm MPa^0.5)
    c = 0.69 * FOOT / 25.4 * np.sqrt(1e6 / PSI)
    assert c == pytest.approx(0.0997, abs=1e-4)
    assert pp.PIR_COEFFICIENT_GB32167 == pytest.approx(c, rel=0.01)


def test_pir_broadcasts_and_zero_pressure():
    r = pp.potential_impact_radius(np.array([[0.3], [0.6]]), np.array([0.0, 1e6, 4e6]))
    assert r.shape == (2, 3)
    assert r[0, 0] == 0.0
    np.testing.assert_allclose(r[1, 1:] / r[0, 1:], 2.0)


@pytest.mark.parametrize(
    ("d", "p", "what"),
    [
        (0.0, 1e6, "diameter"),
        (-1.0, 1e6, "diameter"),
        (np.nan, 1e6, "diameter"),
        (0.5, -1.0, "pressure"),
        (0.5, np.inf, "pressure"),
    ],
)
def test_pir_bad_input(d, p, what):
    with pytest.raises(ValueError, match=what):
        pp.potential_impact_radius(d, p)


def test_maop_gauge_from_layer_absolute_pressure():
    # demo GP-01: 6 401 325 Pa absolute = 6.3 MPa gauge
    assert pp.maop_gauge(6_401_325.0) == pytest.approx(6.3e6)
    assert pp.maop_gauge(50_000.0) == 0.0


# ---------------------------------------------------------------- segments
def _lines(crs="EPSG:4547"):
    return gpd.GeoDataFrame(
        {
            "pipeline_id": ["A", "B"],
            "name": ["甲", "乙"],
            "substance": ["天然气", "原油"],
            "diameter_m": [0.61, 0.3],
            "pressure_pa": [6.4e6, 2e6],
            "kind": ["transmission", "transmission"],
        },
        geometry=[shapely.LineString([(0, 0), (120, 0), (120, 75)]), shapely.LineString([(0, 10), (30, 10)])],
        crs=crs,
    )


def test_segments_lengths_vertices_and_attributes():
    seg = pp.segment_pipelines(_lines(), length=50.0)
    a = seg[seg["pipeline_id"] == "A"]
    assert list(a["length_m"].round(9)) == [50.0, 50.0, 50.0, 45.0]
    np.testing.assert_allclose(a.geometry.length, a["length_m"], atol=1e-9)
    # the third segment (100..150 m) turns the corner at (120, 0)
    assert list(a.geometry.iloc[2].coords) == [(100.0, 0.0), (120.0, 0.0), (120.0, 30.0)]
    assert (a["substance"] == "天然气").all() and (a["diameter_m"] == 0.61).all()
    b = seg[seg["pipeline_id"] == "B"]
    assert len(b) == 1 and b["length_m"].iloc[0] == pytest.approx(30.0)
    assert seg["segment_id"].is_unique


def test_segments_refuse_geographic_crs_and_bad_length():
    with pytest.raises(ValueError, match="length"):
        pp.segment_pipelines(_lines(), length=0.0)
    with pytest.raises(ValueError):
        pp.segment_pipelines(_lines().set_crs("EPSG:4326", allow_override=True))


# ---------------------------------------------------------------- location class and HCA rules
@pytest.mark.parametrize(("h", "cls"), [(0, 1), (15, 1), (16, 2), (99, 2), (100, 3), (500, 3)])
def test_location_class_gb50251_thresholds(h, cls):
    # GB 50251-2015 §4.2: class 1 <= 15 households, class 2 15-100, class 3 >= 100
    assert pp.location_class(h) == cls


def test_location_class_four_storeys():
    assert pp.location_class(150, high_rise=True) == 4
    assert pp.location_class(50, high_rise=True) == 2


def test_hca_table_matches_gb32167_items():
    t = pp.hca_table()
    assert len(t[t.line_type == "oil"]) == 6 and len(t[t.line_type == "gas"]) == 6
    g = {(r.line_type, r.item): r.grade for r in t.itertuples()}
    # grades every public transcription of GB 32167-2015 Table 1 agrees on
    assert g[("gas", "a")] == 3 and g[("gas", "b")] == 2 and g[("gas", "d")] == 1
    assert g[("oil", "a")] == 3 and g[("oil", "b")] == 2 and g[("oil", "c")] == 2
    assert g[("oil", "d")] == 1 and g[("oil", "f")] == 3


def _targets(rows, crs="EPSG:4547"):
    return gpd.GeoDataFrame(
        {
            "target_id": [r[0] for r in rows],
            "name": [r[0] for r in rows],
            "category": [r[1] for r in rows],
            "protection_class": ["general_1"] * len(rows),
            "population_day": [r[2] for r in rows],
            "population_night": [r[3] for r in rows],
        },
        geometry=[r[4] for r in rows],
        crs=crs,
    )


def _gas_line(d=0.61, p_abs=6.4e6, length=3000.0):
    return gpd.GeoDataFrame(
        {
            "pipeline_id": ["G"],
            "name": ["G"],
            "substance": ["天然气"],
            "diameter_m": [d],
            "pressure_pa": [p_abs],
            "kind": ["transmission"],
        },
        geometry=[shapely.LineString([(0, 0), (length, 0)])],
        crs="EPSG:4547",
    )


def test_gas_rule_e_school_within_200m_grade_II():
    # GB 32167 Table 1 gas e): other lines, specific site within 200 m of the line -> grade II (REFERENCE.md, two
    # agreeing transcriptions)
    tg = _targets([("SCH", "school", 500, 0, shapely.box(1000, 150, 1100, 250))])
    seg = pp.identify_hca(pp.segment_pipelines(_gas_line()), targets=tg)
    hit = seg[seg.hca_grade > 0]
    assert set(hit.hca_grade) == {2} and set(hit.hca_grade_zh) == {"Ⅱ级"}
    assert set(hit.hca_rules) == {"gas-e"} and set(hit.hca_targets) == {"SCH"}
    # REFERENCE.md marks the wording of specific site Ⅱ unverified: the rule text shown says so
    assert all("未核对" in t and "（Ⅱ级）" in t for t in hit.hca_rules_zh)
    # line points within 200 m of the school's edge (150 m off the line): x in 1000 - 132 .. 1100 + 132
    # (sqrt(200² - 150²) = 132 m) -> the 50 m segments 850..900 up to 1200..1250
    assert hit.s_start_m.min() == pytest.approx(850.0) and hit.s_end_m.max() == pytest.approx(1250.0)


def test_gas_rule_e_site_beyond_200m_is_not_hca():
    tg = _targets([("SCH", "school", 500, 0, shapely.box(1000, 210, 1100, 300))])
    seg = pp.identify_hca(pp.segment_pipelines(_gas_line()), targets=tg)
    assert (seg.hca_grade == 0).all()


def test_gas_rule_d_small_line_uses_pir():
    # d < 273 mm and MAOP < 1.6 MPa: sites within the potential impact radius (not 200 m) -> grade I
    d, p_g = 0.219, 0.4e6
    r = pp.potential_impact_radius(d, p_g)  # 0.099*219*sqrt(0.4) = 13.7 m
    assert r == pytest.approx(13.71, abs=0.01)
    near = _targets([("K", "kindergarten", 50, 0, shapely.box(500, r - 5, 520, r + 20))])
    far = _targets([("K", "kindergarten", 50, 0, shapely.box(500, r + 5, 520, r + 20))])
    line = _gas_line(d=d, p_abs=p_g + pp.ATMOSPHERIC_PRESSURE)
    assert (pp.identify_hca(pp.segment_pipelines(line), targets=near).hca_rules == "gas-d").any()
    assert (pp.identify_hca(pp.segment_pipelines(line), targets=far).hca_grade == 0).all()


def test_gas_rule_b_village_location_class_3_grade_II():
    # 300 households (786 persons / 2.62) within 200 m -> class 3 -> gas b) grade II, boundary ±200 m
    tg = _targets([("V", "village", 300, 786, shapely.box(1400, 50, 1600, 150))])
    seg = pp.identify_hca(pp.segment_pipelines(_gas_line()), targets=tg)
    hit = seg[seg.hca_grade > 0]
    assert set(hit.hca_grade) == {2} and set(hit.hca_rules) == {"gas-b"}
    assert set(hit.location_class) == {3} and set(hit.hca_targets) == {"V"}
    assert hit.s_start_m.min() <= 1200.0 + 1e-9 and hit.s_end_m.max() >= 1800.0 - 1e-9
    assert hit.s_start_m.min() >= 1150.0 and hit.s_end_m.max() <= 1850.0


def test_small_village_is_class_2_not_hca():
    tg = _targets([("V", "village", 50, 131, shapely.box(1400, 50, 1600, 150))])  # 50 households
    seg = pp.identify_hca(pp.segment_pipelines(_gas_line()), targets=tg)
    assert (seg.hca_grade == 0).all()
    assert seg.location_class.max() == 2


def test_non_gb32167_lines_not_assessed():
    line = _gas_line()
    line["substance"] = "氯气"
    tg = _targets([("SCH", "school", 500, 0, shapely.box(1000, 10, 1100, 50))])
    seg = pp.identify_hca(pp.segment_pipelines(line), targets=tg)
    assert (seg.hca_grade == 0).all() and not seg.hca_assessed.any()
    assert "不适用" in seg.hca_note.iloc[0]


def test_hca_stretches_merge_runs():
    tg = _targets([("SCH", "school", 500, 0, shapely.box(1000, 150, 1100, 250))])
    st = pp.hca_stretches(pp.identify_hca(pp.segment_pipelines(_gas_line()), targets=tg))
    assert len(st) == 1
    assert st.length_m.iloc[0] == pytest.approx(400.0)
    assert "GB 32167-2015" in st.hca_rules_zh.iloc[0]


# ---------------------------------------------------------------- targets considered along a segment
def test_segment_zones_lethal_pir_corridor_in_order():
    seg = pp.identify_hca(pp.segment_pipelines(_gas_line()), targets=_targets([]))
    sid = seg.segment_id.iloc[10]
    z = pp.segment_zones(seg, sid)  # no consequences: no lethal zone
    assert list(z.level) == ["pir", "corridor"]
    # GB 32167-2015 Eq. (1) for 610 mm at 6.4 MPa abs, and the Table 1 corridor of 200 m
    assert z.distance_m.iloc[0] == pytest.approx(
        pp.potential_impact_radius(0.61, 6.4e6 - pp.ATMOSPHERIC_PRESSURE)
    )
    assert z.distance_m.iloc[1] == pp.HCA_CORRIDOR_M == 200.0
    g = seg.geometry.iloc[10]
    assert z.geometry.iloc[1].area == pytest.approx(g.buffer(200.0).area)
    with pytest.raises(ValueError, match="segment_id"):
        pp.segment_zones(seg, "NOPE")


def test_targets_in_zones_each_target_once_in_its_innermost_zone():
    seg = pp.identify_hca(pp.segment_pipelines(_gas_line()), targets=_targets([]))
    sid = seg.segment_id.iloc[10]  # x 500..550 on y = 0
    g = seg.geometry.iloc[10]
    z = pp.segment_zones(seg, sid)  # PIR 151.6 m, corridor 200 m
    tg = _targets(
        [
            ("IN_PIR", "school", 100, 0, shapely.Point(525, 100)),  # inside both: listed once, in the PIR
            ("IN_CORRIDOR", "village", 0, 30, shapely.Point(525, -180)),
            ("OUTSIDE", "hospital", 50, 50, shapely.Point(525, 260)),
        ]
    )
    t = pp.targets_in_zones(tg, z, g)
    assert list(t.target_id) == ["IN_PIR", "IN_CORRIDOR"]
    assert list(t.level) == ["pir", "corridor"]
    assert list(t.distance_m) == pytest.approx([100.0, 180.0])
    assert list(t.population_night) == [0, 30]
    assert np.isnan(pp.targets_in_zones(tg, z).distance_m).all()
    empty = pp.targets_in_zones(tg.iloc[[2]], z, g)
    assert empty.empty and "distance_m" in empty.columns

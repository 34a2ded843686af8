"""The synthetic park generator (geodata.samples.synthetic, issue 19 item 1): valid, sized as asked, deterministic."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.physics import substances
from geodata import load_park
from geodata.samples.synthetic import REFERENCE_DATE, generate_park
from geodata.validate import validate_park


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    """The default large park (60 enterprises, 1,500 installations ...), written once for the module."""
    return load_park(generate_park(tmp_path_factory.mktemp("syn") / "large.gpkg", seed=0))


def test_large_park_validates_clean_with_the_substance_table(large):
    report = validate_park(large, known_substance=substances.known)
    assert len(report) == 0, report.to_text_zh()


def test_large_park_has_the_sizes_of_the_issue(large):
    counts = {k: len(v) for k, v in large.layers.items()}
    assert counts["enterprises"] == 60
    assert counts["installations"] == 1500
    assert counts["sensitive_targets"] == 300
    assert counts["buildings"] == 3000
    assert counts["rectifications"] == 2000
    assert counts["roads"] > 0 and counts["assembly_points"] > 0
    km = float(large.metric("pipelines").length.sum()) / 1000.0
    assert km == pytest.approx(80.0, rel=1e-3)
    assert large.weather is not None  # risk runs on the park's own rose, not the generic one


def test_large_park_has_the_kinds_of_a_real_one(large):
    inst = large.installations
    kinds = set(inst["kind"])
    assert {"storage_tank", "spherical_tank", "bullet_tank", "process_unit", "warehouse"} <= kinds
    tanks = inst[inst["kind"] == "storage_tank"]
    assert tanks["bund_area_m2"].notna().all()  # every atmospheric tank stands in a bund
    # bund area >= tank footprint of the group: a bund encloses its tanks
    assert (tanks["bund_area_m2"] > 3.14159 / 4 * tanks["diameter_m"] ** 2).all()
    assert inst["substance"].map(substances.known).all()
    # every target lies outside the park boundary
    park_poly = large.metric("parks").geometry.iloc[0]
    assert not large.metric("sensitive_targets").intersects(park_poly).any()


def test_rectification_status_and_deadline_mix_is_realistic(large):
    r = large.rectifications
    share = r["status"].value_counts(normalize=True)
    assert set(share.index) == {"open", "in_progress", "awaiting_acceptance", "closed"}
    assert 0.6 < share["closed"] < 0.95
    ref = pd.Timestamp(REFERENCE_DATE)
    overdue = (r["status"] != "closed") & (r["deadline"] < ref)
    assert 0.02 < overdue.mean() < 0.2
    closed = r[r["status"] == "closed"]
    late = closed["closed_on"] > closed["deadline"]
    assert 0.0 < late.mean() < 0.5  # 按期整改率 below 100 %, as in real parks
    assert 0.02 < (r["hazard_level"] == "major").mean() < 0.15
    assert (r.loc[r["major_hazard_item"].notna(), "hazard_level"] == "major").all()


def test_same_seed_same_park_other_seed_other_park(tmp_path):
    kw = dict(enterprises=4, installations=30, targets=10, buildings=20, pipeline_km=3.0, rectifications=25)
    a = load_park(generate_park(tmp_path / "a.gpkg", seed=7, **kw))
    b = load_park(generate_park(tmp_path / "b.gpkg", seed=7, **kw))
    c = load_park(generate_park(tmp_path / "c.gpkg", seed=8, **kw))
    for name in ("installations", "rectifications", "sensitive_targets", "buildings"):
        pd.testing.assert_frame_equal(pd.DataFrame(a.layers[name]), pd.DataFrame(b.layers[name]))
    assert not a.rectifications["found_on"].equals(c.rectifications["found_on"])
    assert len(a.installations) == 30 and len(a.enterprises) == 4
    assert len(validate_park(a, known_substance=substances.known)) == 0


def test_center_places_the_park(tmp_path):
    p = load_park(
        generate_park(
            tmp_path / "p.gpkg",
            seed=1,
            enterprises=2,
            installations=4,
            targets=2,
            buildings=4,
            pipeline_km=1.0,
            rectifications=3,
            center=(117.2, 31.8),
        )
    )
    lon, lat = p.center
    assert lon == pytest.approx(117.2, abs=0.01) and lat == pytest.approx(31.8, abs=0.01)


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"enterprises": 0}, "enterprises"),
        ({"enterprises": 5, "installations": 3}, "installations"),
        ({"rectifications": -1}, "rectifications"),
        ({"pipeline_km": float("nan")}, "pipeline_km"),
        ({"center": (200.0, 30.0)}, "center"),
    ],
)
def test_bad_sizes_are_refused_naming_the_argument(tmp_path, kw, match):
    with pytest.raises(ValueError, match=match):
        generate_park(tmp_path / "x.gpkg", **kw)

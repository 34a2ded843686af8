"""GB 36894-2018 individual-risk criteria and the GB/T 37243-2019 method choice."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.regulation import gb36894 as siting


@pytest.mark.parametrize(
    ("protection_class", "new", "existing"),
    [
        ("high_sensitive", 3e-7, 3e-6),
        ("important", 3e-7, 3e-6),
        ("general_1", 3e-7, 3e-6),
        ("general_2", 3e-6, 1e-5),
        ("general_3", 1e-5, 3e-5),
    ],
)
def test_individual_risk_limits(protection_class, new, existing):
    # GB 36894-2018 individual-risk criteria (per year), new / existing installations; the same values as the
    # 2014 trial criteria (SAWS notice 2014 No. 13, 我国个人可接受风险标准值表)
    assert siting.individual_risk_limit(protection_class, new=True) == pytest.approx(new, rel=1e-12)
    assert siting.individual_risk_limit(protection_class, new=False) == pytest.approx(existing, rel=1e-12)


def test_unknown_class_lists_valid_keys():
    with pytest.raises(
        ValueError, match=r"protection_class='school'.*'high_sensitive', 'important', 'general_1'"
    ):
        siting.individual_risk_limit("school", new=True)


def test_new_must_be_bool():
    with pytest.raises(ValueError, match="new='yes'"):
        siting.individual_risk_limit("general_2", new="yes")


def test_new_is_keyword_only():
    with pytest.raises(TypeError):
        siting.individual_risk_limit("general_2", True)  # noqa: FBT003


def test_compliance_table_pass_fail_margin():
    targets = pd.DataFrame(
        {
            "target_id": ["S1", "S2", "S3"],
            "name": ["学校", "居民区", "厂房"],
            "protection_class": ["high_sensitive", "general_2", "general_3"],
        }
    )
    ir = np.array([1e-6, 2e-6, 0.0])
    t = siting.compliance_table(targets, ir)
    # school at 1e-6: fails new (3e-7) and passes existing (3e-6); margins limit/risk = 0.3 and 3
    assert list(t["pass_new"]) == [False, True, True]
    assert list(t["pass_existing"]) == [True, True, True]
    assert t.loc[0, "margin_new"] == pytest.approx(0.3, rel=1e-12)
    assert t.loc[0, "margin_existing"] == pytest.approx(3.0, rel=1e-12)
    assert t.loc[1, "margin_new"] == pytest.approx(1.5, rel=1e-12)
    assert np.isinf(t.loc[2, "margin_new"])


def test_compliance_table_at_the_limit_passes():
    # "≤" the criterion is acceptable
    targets = pd.DataFrame({"target_id": ["S1"], "name": ["x"], "protection_class": ["general_2"]})
    assert bool(siting.compliance_table(targets, [3e-6])["pass_new"].iloc[0])


def test_compliance_table_bad_inputs():
    targets = pd.DataFrame({"target_id": ["S1"], "name": ["x"], "protection_class": ["general_9"]})
    with pytest.raises(ValueError, match="general_9"):
        siting.compliance_table(targets, [1e-6])
    targets = pd.DataFrame({"target_id": ["S1"], "name": ["x"], "protection_class": ["general_2"]})
    with pytest.raises(ValueError, match="shape"):
        siting.compliance_table(targets, [1e-6, 2e-6])
    with pytest.raises(ValueError, match="individual_risk"):
        siting.compliance_table(targets, [-1.0])


def test_distance_method():
    # GB/T 37243-2019 clause 4: explosives -> consequence; toxic/flammable gas with S ≥ 1 -> QRA; else codes
    m = siting.distance_method(
        explosive=[True, False, False, False],
        toxic_or_flammable_gas=[True, True, True, False],
        is_major=[True, True, False, True],
    )
    assert list(m) == ["consequence", "risk", "code", "code"]
    assert siting.distance_method(explosive=False, toxic_or_flammable_gas=True, is_major=True) == "risk"
    assert set(siting.DISTANCE_METHODS) == {"consequence", "risk", "code"}


def test_relocation_candidates_existing_and_new():
    targets = pd.DataFrame(
        {
            "target_id": ["S1", "S2", "S3"],
            "name": ["学校", "居民区", "厂房"],
            "protection_class": ["high_sensitive", "general_2", "general_3"],
        }
    )
    comp = siting.compliance_table(targets, [1e-6, 2e-5, 1e-6])
    # existing criteria: only the residential area (2e-5 > 1e-5) fails, exceedance 2
    rel = siting.relocation_candidates(comp)
    assert list(rel["target_id"]) == ["S2"]
    assert rel.loc[0, "exceedance"] == pytest.approx(2.0)
    assert "一般防护目标（二类）" in rel.loc[0, "reason_zh"] and "在役装置" in rel.loc[0, "reason_zh"]
    # new criteria: school 1e-6 > 3e-7 (×3.33) and residential 2e-5 > 3e-6 (×6.67), worst first
    rel_new = siting.relocation_candidates(comp, new=True)
    assert list(rel_new["target_id"]) == ["S2", "S1"]
    with pytest.raises(ValueError, match="missing columns"):
        siting.relocation_candidates(targets)


def test_contour_levels_are_the_criteria():
    limits = {v for pair in siting.INDIVIDUAL_RISK_LIMITS.values() for v in pair}
    assert set(siting.IR_CONTOUR_LEVELS) - {1e-6} <= limits
    assert list(siting.IR_CONTOUR_LEVELS) == sorted(siting.IR_CONTOUR_LEVELS, reverse=True)

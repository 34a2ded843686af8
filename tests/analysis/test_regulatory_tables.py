"""Issue 15, item 6: the bundled regulatory tables, figure by figure, against the documents they transcribe.

Every expected figure below is the document's own value as read in the public transcriptions listed in the
project's reference file (../shared/REFERENCE.md, where each entry says how many agreeing copies were found):

- GB 18218-2018 危险化学品重大危险源辨识 (the grading scheme is identical to 原国家安全生产监督管理总局令第40号
  《危险化学品重大危险源监督管理暂行规定》附件1): table 3 β of named toxic gases, table 4 β by hazard category,
  table 5 α, table 6 grade bounds, table 1 critical quantities Q [t].
- GB 32167-2015 油气输送管道完整性管理规范, clause 6.1, table 1 (高后果区管段识别分级表).
- 国家安全生产监督管理总局公告2014年第13号《危险化学品生产、储存装置个人可接受风险标准和社会可接受风险标准（试行）》,
  the individual-risk table (verbatim) whose three pairs GB 36894-2018 keeps for its protection classes.
"""

from __future__ import annotations

import pytest

from analysis.regulation.gb18218 import tables as gb18218

# GB 18218-2018 table 3 (= 令第40号 附件1 表2): β of named toxic gases, by CAS.
TABLE3_BETA = {
    "630-08-0": 2,  # 一氧化碳
    "7446-09-5": 2,  # 二氧化硫
    "7664-41-7": 2,  # 氨
    "75-21-8": 2,  # 环氧乙烷
    "7647-01-0": 3,  # 氯化氢
    "74-83-9": 3,  # 溴甲烷
    "7782-50-5": 4,  # 氯
    "7783-06-4": 5,  # 硫化氢
    "7664-39-3": 5,  # 氟化氢
    "10102-44-0": 10,  # 二氧化氮
    "74-90-8": 10,  # 氰化氢
    "75-44-5": 20,  # 碳酰氯
    "7803-51-2": 20,  # 磷化氢
    "624-83-9": 20,  # 异氰酸甲酯
}

# GB 18218-2018 table 4: β by hazard category (J1–J5; W1.x 2; W2, W5.1, W6.1, W7.1 1.5; every other W class 1).
TABLE4_BETA = {"J1": 4, "J2": 1, "J3": 2, "J4": 2, "J5": 1, "W2": 1.5, "W5.1": 1.5, "W6.1": 1.5, "W7.1": 1.5}

# GB 18218-2018 table 5: α by people normally resident within 500 m of the plant boundary.
TABLE5_ALPHA = [
    (0, 0.5),
    (1, 1.0),
    (29, 1.0),
    (30, 1.2),
    (49, 1.2),
    (50, 1.5),
    (99, 1.5),
    (100, 2.0),
    (5000, 2.0),
]

# GB 18218-2018 table 6: grade 1 R ≥ 100; grade 2 50 ≤ R < 100; grade 3 10 ≤ R < 50; grade 4 R < 10.
TABLE6_GRADE = [(100.0, 1), (1e4, 1), (99.99, 2), (50.0, 2), (49.99, 3), (10.0, 3), (9.99, 4), (0.1, 4)]

# GB 18218-2018 table 1: critical quantities Q [t] (English name as in the data file -> Q).
TABLE1_Q = {
    "ammonia": 10,
    "chlorine": 5,
    "phosgene": 0.3,
    "sulfur dioxide": 20,
    "ethylene oxide": 10,
    "hydrogen chloride": 20,
    "hydrogen sulfide": 5,
    "methyl isocyanate": 0.75,
    "methane;natural gas": 50,
    "liquefied petroleum gas;propane;butane": 50,
    "acetylene": 1,
    "ethylene": 50,
    "hydrogen": 5,
    "benzene": 50,
    "toluene": 500,
    "methanol": 500,
    "gasoline": 200,
    "ethanol": 500,
    "1,3-butadiene": 5,
    "vinyl chloride": 50,
    "carbon disulfide": 50,
    "acrylonitrile": 50,
    "propylene oxide": 10,
}


@pytest.mark.parametrize(("cas", "expected"), TABLE3_BETA.items())
def test_gb18218_table3_beta(cas, expected):
    t1 = gb18218.table1()
    name = t1.loc[t1["cas"] == cas, "name_zh"]
    if len(name):  # through the public function, by the substance's name in table 1
        assert gb18218.beta(str(name.iloc[0])) == expected
    import pandas as pd

    from analysis._data import DATA_DIR

    t3 = pd.read_csv(DATA_DIR / "gb18218_2018_beta.csv", comment="#", dtype={"cas": str})
    assert float(t3.loc[t3["cas"] == cas, "beta"].iloc[0]) == expected
    assert len(t3) == len(TABLE3_BETA)


def test_gb18218_table4_beta():
    t2 = gb18218.table2()
    for cat, row in t2.iterrows():
        expected = TABLE4_BETA.get(str(cat), 2 if str(cat).startswith("W1.") else 1)
        assert row["beta"] == expected, f"β of {cat}: {row['beta']} ≠ {expected} (GB 18218-2018 表4)"
    assert set(TABLE4_BETA) <= set(t2.index.astype(str))


@pytest.mark.parametrize(("people", "expected"), TABLE5_ALPHA)
def test_gb18218_table5_alpha(people, expected):
    assert gb18218.alpha(people) == expected


@pytest.mark.parametrize(("r", "expected"), TABLE6_GRADE)
def test_gb18218_table6_grade(r, expected):
    assert int(gb18218.grade(r)) == expected


@pytest.mark.parametrize(("name_en", "q_t"), TABLE1_Q.items())
def test_gb18218_table1_critical_quantity(name_en, q_t):
    t1 = gb18218.table1()
    row = t1[t1["name_en"] == name_en]
    assert len(row) == 1, f"{name_en} not in GB 18218-2018 表1"
    assert float(row["q_t"].iloc[0]) == q_t
    assert float(row["q_kg"].iloc[0]) == pytest.approx(q_t * 1000.0)


# GB 32167-2015 table 1 grades (1 = Ⅰ least severe, 3 = Ⅲ most severe) on which the transcriptions agree.
GB32167_GRADES = {
    ("oil", "a"): 3,
    ("oil", "b"): 2,
    ("oil", "c"): 2,
    ("oil", "d"): 1,
    ("oil", "e"): 2,
    ("oil", "f"): 3,
    ("gas", "a"): 3,
    ("gas", "b"): 2,
    ("gas", "c"): 2,
    ("gas", "d"): 1,
    ("gas", "e"): 2,  # REFERENCE.md, "two agreeing transcriptions — high": gas e) → Ⅱ
    ("gas", "f"): 3,  # REFERENCE.md: gas f) filling stations or oil depots within 200 m → Ⅲ
}
GB32167_CORRIDOR_M = {
    "oil": {"a": 200, "b": 200, "c": 200, "d": 50, "e": 200, "f": 200},
    "gas": {"e": 200, "f": 200},
}


def test_gb32167_table1_grades_and_corridors():
    from analysis.pipelines.hca import HCA_TABLE_CSV, hca_table

    t = hca_table()
    g = {(r.line_type, r.item): int(r.grade) for r in t.itertuples()}
    for key, expected in GB32167_GRADES.items():
        assert g[key] == expected, f"GB 32167-2015 表1 {key}: grade {g[key]} ≠ {expected}"
    c = {(r.line_type, r.item): float(r.corridor_m) for r in t.itertuples()}
    for line, items in GB32167_CORRIDOR_M.items():
        for item, m in items.items():
            assert c[(line, item)] == m
    # other transcriptions disagree on gas e) and f) (their majority: Ⅰ and Ⅱ); the data file follows REFERENCE.md
    # and must say what is not checked against the official text
    header = HCA_TABLE_CSV.read_text(encoding="utf-8")
    assert "REFERENCE.md" in header and "Check against the official text" in header
    assert len(t) == 12


# 2014 trial standard (公告2014年第13号), individual-risk table [1/a]: (new, existing).
TRIAL_2014_IR = {
    "high_sensitive": (3e-7, 3e-6),  # 高敏感场所（学校、医院、幼儿园、养老院、监狱等）
    "important": (3e-7, 3e-6),  # 重要目标
    "general_1": (3e-7, 3e-6),  # 特殊高密度场所（≥ 100 人）
    "general_2": (3e-6, 1e-5),  # 居住类、公众聚集类高密度场所（30–100 人）
    "general_3": (1e-5, 3e-5),  # 低密度场所（< 30 人）
}


@pytest.mark.parametrize(("cls", "pair"), TRIAL_2014_IR.items())
def test_gb36894_individual_risk_table_matches_the_2014_trial_table(cls, pair):
    from analysis.regulation import gb36894

    assert gb36894.INDIVIDUAL_RISK_LIMITS[cls] == pair
    assert gb36894.individual_risk_limit(cls, new=True) == pair[0]
    assert gb36894.individual_risk_limit(cls, new=False) == pair[1]


def test_gb36894_individual_risk_table_has_no_other_class():
    from analysis.regulation import gb36894

    assert set(gb36894.INDIVIDUAL_RISK_LIMITS) == set(TRIAL_2014_IR)

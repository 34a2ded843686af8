"""Cases of docs/validation/regulatory.md: GB 18218-2018 identification and grading, GB 36894 criteria, Purple
Book frequencies and event trees, F-N curves. Same inputs as tests/analysis/test_major_hazard.py and the other
tests named in the write-up.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.regulation import gb18218 as mh

from ._table import CALC, Row, Table

TABLE_CHECK = (
    "element-by-element equality with the standard's table, asserted in the tests named above; the cell states "
    "the outcome of that check"
)


def _so2():
    units = pd.DataFrame({"unit": ["plant"], "substance": ["二氧化硫"], "quantity_kg": [200_000.0]})
    out = mh.grade_units(units, people=60).loc["plant"]
    alpha, r, grade = float(out["alpha"]), float(out["R"]), int(out["grade"])
    err = "0" if (alpha, grade) == (1.5, 3) and abs(r / 30.0 - 1.0) < 1e-12 else f"{abs(r / 30.0 - 1.0):.1e}"
    return f"α = {alpha:g}, R = {r:.1f}, grade {grade}", err


def _same(values, expected) -> tuple[str, str]:
    values = [v.item() if hasattr(v, "item") else v for v in values]
    if values == list(expected):
        return "same", "exact"
    return " / ".join(f"{v:g}" for v in values), "differs"


def _grade_bounds():
    return _same(np.ravel(mh.grade(np.array([9.999, 10.0, 49.99, 50.0, 99.99, 100.0]))), (4, 3, 3, 2, 2, 1))


def _alpha_brackets():
    return _same(
        np.ravel(mh.alpha(np.array([0, 1, 29, 30, 49, 50, 99, 100]))),
        (0.5, 1.0, 1.0, 1.2, 1.2, 1.5, 1.5, 2.0),
    )


def _s_by_hand():
    units = pd.DataFrame(
        {"unit": ["A", "A"], "substance": ["chlorine", "ammonia"], "quantity_kg": [3000.0, 6000.0]}
    )
    s = float(mh.identify(units).loc["A", "S"])
    return f"{s:g}", "0" if abs(s / 1.2 - 1.0) < 1e-12 else f"{abs(s / 1.2 - 1.0):.1e}"


def _r_by_hand():
    units = pd.DataFrame(
        {"unit": ["A", "A"], "substance": ["chlorine", "ammonia"], "quantity_kg": [50e3, 20e3]}
    )
    out = mh.grade_units(units, people={"A": 120}).loc["A"]
    r, grade = float(out["R"]), int(out["grade"])
    ok = abs(r / 88.0 - 1.0) < 1e-12 and grade == 2
    return f"{r:.1f}, {grade}", "0" if ok else f"{abs(r / 88.0 - 1.0):.1e}"


CASES = Table(
    header=("case", "source", "inputs", "published value", "ours", "rel. error", "tolerance"),
    rows=(
        Row(
            (
                "Grade of a major hazard, SO₂ store",
                "注册安全工程师考试 worked example (GB 18218 grading; SAWS order 40 附件1)",
                "SO₂ 200 t, Q 20 t, β 2, 60 people",
                "α = 1.5, R = 30, grade 3",
                CALC,
                CALC,
                "1e-12",
            ),
            _so2,
        ),
        Row(
            (
                "Grade bounds",
                "GB 18218-2018 table 6",
                "R = 9.999 / 10 / 49.99 / 50 / 99.99 / 100",
                "4 / 3 / 3 / 2 / 2 / 1",
                CALC,
                CALC,
                "exact",
            ),
            _grade_bounds,
        ),
        Row(
            (
                "α brackets",
                "GB 18218-2018 table 5",
                "0, 1, 29, 30, 49, 50, 99, 100 people",
                "0.5, 1.0, 1.0, 1.2, 1.2, 1.5, 1.5, 2.0",
                CALC,
                CALC,
                "exact",
            ),
            _alpha_brackets,
        ),
        Row(
            (
                "Table-1 Q",
                "GB 18218-2018 table 1",
                "chlorine, ammonia, LPG, hydrogen, phosgene, methanol, gasoline, benzene, acetylene, MIC, KNO₃",
                "5, 10, 50, 5, 0.3, 500, 200, 50, 1, 0.75, 1000 t",
                "same (in kg)",
                "0",
                "1e-12",
            ),
            why=TABLE_CHECK,
        ),
        Row(
            (
                "Table-3 β",
                "GB 18218-2018 table 3",
                "the 14 named toxic gases",
                "2,2,2,2,3,3,4,5,5,10,10,20,20,20",
                "same",
                "exact",
                "exact",
            ),
            why=TABLE_CHECK,
        ),
        Row(
            (
                "S by hand",
                "GB 18218-2018 formula (1)",
                "3 t Cl₂ + 6 t NH₃",
                "1.2 (major)",
                CALC,
                CALC,
                "1e-12",
            ),
            _s_by_hand,
        ),
        Row(
            (
                "R by hand",
                "GB 18218-2018 formula (2)",
                "50 t Cl₂ + 20 t NH₃, 120 people",
                "88, grade 2",
                CALC,
                CALC,
                "1e-12",
            ),
            _r_by_hand,
        ),
        Row(
            (
                "Consistency with substance records",
                "analysis/data/substances.csv",
                "all 49 records with a Q",
                "their Q and β",
                "equal",
                "0",
                "1e-12",
            ),
            why=TABLE_CHECK,
        ),
        Row(
            (
                "Individual-risk criteria",
                "GB 36894-2018; 2014 trial criteria",
                "5 classes × new/existing",
                "3e-7/3e-6 (×3), 3e-6/1e-5, 1e-5/3e-5",
                "same",
                "0",
                "1e-12",
            ),
            why=TABLE_CHECK,
        ),
        Row(
            (
                "Vessel LOC frequencies",
                "CPR 18E §3.2.1–3.2.2 (recalled)",
                "pressure / process / reactor vessel, atmospheric tank",
                "G.1, G.2, G.3 = 5e-7, 5e-7, 1e-5; 5e-6, 5e-6, 1e-4 (×2); 5e-6, 5e-6, 1e-4",
                "same",
                "0",
                "1e-12",
            ),
            why=TABLE_CHECK,
        ),
        Row(
            (
                "Pipe frequencies",
                "CPR 18E §3.2.4 (recalled)",
                "DN 50, 75, 100, 150, 200 mm",
                "rupture 1e-6, 3e-7, 3e-7, 3e-7, 1e-7 /(m·a); leak 5e-6, 2e-6, 2e-6, 2e-6, 5e-7",
                "same",
                "0",
                "1e-12",
            ),
            why=TABLE_CHECK,
        ),
        Row(
            (
                "Pump / loading arm",
                "CPR 18E §3.2.5, §3.2.8 (recalled)",
                "pump; arm × 500 h/a",
                "1e-4, 5e-4 /a; 3e-8×500, 3e-7×500 /a",
                "same",
                "0",
                "1e-12",
            ),
            why=TABLE_CHECK,
        ),
        Row(
            (
                "Direct ignition",
                "CPR 18E Table 4.5 (confirmed by an independent transcription)",
                "K1 liquid; low / average gas at 5, 10, 100, 150 kg/s …",
                "0.065; 0.02/0.04/0.04/0.09; 0.2/0.5/0.7",
                "same",
                "exact",
                "exact",
            ),
            why=TABLE_CHECK,
        ),
        Row(
            (
                "Event tree, propane sphere 500 t",
                "hand calculation with the above",
                "G.1, G.2, G.3",
                "fireball 3.5e-7; flash fire 9e-8; VCE 6e-8; G.2 jet fire 3.5e-7; G.3 jet fire 2e-6, flash fire 4.8e-6, VCE 3.2e-6 /a",
                "same",
                "0",
                "1e-12",
            ),
            why=TABLE_CHECK,
        ),
        Row(
            (
                "Event tree, methanol tank G.3",
                "hand calculation",
                "1e-4/a, P_direct 0.065, P_delayed 1",
                "pool fire 6.5e-6 (direct) + 9.35e-5 (delayed) /a",
                "same",
                "0",
                "1e-12",
            ),
            why=TABLE_CHECK,
        ),
        Row(
            (
                "F-N curve",
                "CCPS (2000) §4.4 definition, hand calculation",
                "(1e-4, 2), (2e-5, 5), (5e-6, 5), (1e-6, 30), (3e-3, 0.5)",
                "F(2) = 1.26e-4, F(5) = 2.6e-5, F(30) = 1e-6; PLL = 1.855e-3 /a",
                "same",
                "0",
                "1e-12",
            ),
            why=TABLE_CHECK,
        ),
        Row(
            ("Bevi orientation value", "Bevi 2004", "N = 10, 100", "1e-5, 1e-7 /a", "same", "0", "1e-12"),
            why=TABLE_CHECK,
        ),
        Row(
            (
                "Demo wind rose",
                "illustrative (not station data)",
                "16 sectors, day/night",
                "sums to 1; prevailing NE",
                "yes",
                "—",
                "1e-6",
            ),
            why=TABLE_CHECK,
        ),
    ),
)

TABLES = {"regulatory": CASES}

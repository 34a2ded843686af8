"""Cases of docs/validation/pipelines.md: potential impact radius (GB 32167-2015 Eq. (1), ASME B31.8S §3.2) and
the GB 32167 / GB 50251 rules. Same inputs as tests/analysis/test_pipelines.py.
"""

from __future__ import annotations

import numpy as np

from analysis import pipelines as pp

from ._table import CALC, Row, Table, pct, rel

INCH = 0.0254  # m
FOOT = 0.3048  # m
PSI = 6894.757293168  # Pa
RULE = "rule outcome on a layout built in tests/analysis/test_pipelines.py (the test asserts it); no value to compute"
COMPARED = (
    "informative comparison of different models (not a pass/fail test); the figures are quoted from the "
    "demo-park case and explained in the note"
)


def _signed(x: float, decimals: int) -> str:
    return pct(x, decimals, sign=True, minus="−")


def _pir_ft(d_in: float, p_psig: float, published_ft: float, metres: bool = False):
    def compute():
        r = float(pp.potential_impact_radius(d_in * INCH, p_psig * PSI))
        text = f"{r / FOOT:.1f} ft" + (f" ({r:.1f} m)" if metres else "")
        return text, _signed(rel(r / FOOT, published_ft), 2)

    return compute


def _asme_constant():
    c = 0.69 * FOOT / 25.4 * np.sqrt(1e6 / PSI)
    return f"GB 32167 uses {pp.PIR_COEFFICIENT_GB32167:g}", _signed(rel(pp.PIR_COEFFICIENT_GB32167, c), 1)


def _gp01():
    r = float(pp.potential_impact_radius(0.610, 6.3e6))
    exact = 0.099 * 610 * np.sqrt(6.3)
    d = abs(rel(r, exact))
    return f"{r:.2f} m", "0" if d < 1e-12 else f"{d:.1e}"


PIR = Table(
    header=("case", "source", "inputs", "published", "ours", "rel. error", "tolerance"),
    rows=(
        Row(
            (
                "PIR, 36 in line",
                'PennEast pipeline, "That old time Potential Impact Radius" (thecostofthepipeline.com, 2015), 49 CFR 192.903 formula',
                "d = 36 in (0.9144 m), MAOP 1480 psig (10.204 MPa g)",
                "955 ft",
                CALC,
                CALC,
                "1 %",
            ),
            _pir_ft(36.0, 1480.0, 955.0, metres=True),
        ),
        Row(
            (
                "PIR, worked step",
                '"Exhibit 1 – Potential Impact Radius (PIR) and Pipeline Class Locations" (after GRI-00/0189): √100 psi = 10, PIR = 0.69·d·10 ft',
                "d = 12 in, p = 100 psi",
                "82.8 ft",
                CALC,
                CALC,
                "1 %",
            ),
            _pir_ft(12.0, 100.0, 82.8),
        ),
        Row(
            (
                "ASME constant in GB units",
                "0.69 ft·in⁻¹·psi^-½ converted (0.3048 m/ft, 25.4 mm/in, 145.04 psi/MPa)",
                "—",
                "0.0997 m·mm⁻¹·MPa^-½",
                CALC,
                CALC,
                "1 %",
            ),
            _asme_constant,
        ),
        Row(
            (
                "PIR of demo GP-01",
                "GB 32167-2015 Eq. (1) evaluated",
                "d = 610 mm, MAOP 6.3 MPa g (layer 6 401 325 Pa abs − 101 325 Pa)",
                "0.099·610·√6.3 = 151.58 m",
                CALC,
                CALC,
                "1e-12",
            ),
            _gp01,
        ),
        Row(
            (
                "GB 50251 location class thresholds",
                "GB 50251-2015 §4.2 (recalled, not confirmed against the text)",
                "15 / 16 / 99 / 100 households",
                "class 1 / 2 / 2 / 3",
                "same",
                "—",
                "exact",
            ),
            why=RULE,
        ),
        Row(
            (
                "GB 32167 gas e) corridor",
                "GB 32167-2015 Table 1 gas e): specific site within 200 m → Ⅱ级",
                "school 150 m off a straight line",
                "HCA where the line is within 200 m of the site's edge: 868–1232 m",
                "segments 850–1250 m (50 m segments), Ⅱ级",
                "—",
                "segment resolution",
            ),
            why=RULE,
        ),
        Row(
            (
                "GB 32167 gas d) PIR rule",
                "Table 1 gas d): d < 273 mm and MAOP < 1.6 MPa → site within PIR → Ⅰ级",
                "d = 219 mm, 0.4 MPa g: PIR = 13.71 m",
                "site 8.7 m off: HCA; 18.7 m off: none",
                "same",
                "—",
                "exact",
            ),
            why=RULE,
        ),
        Row(
            (
                "GB 32167 gas b) location class 3",
                "Table 1 gas b) (三级地区 → Ⅱ级), GB 50251 §4.2 (≥ 100 households, boundary 200 m)",
                "village of 300 households 50–150 m off the line",
                "Ⅱ级, 1200–1800 m ± segment",
                "Ⅱ级, 1150–1850 m",
                "—",
                "segment resolution",
            ),
            why=RULE,
        ),
    ),
)

RUPTURE = Table(
    header=("case", "source", "inputs", "published", "ours", "note"),
    rows=(
        Row(
            (
                "heat flux at the PIR",
                "C-FER / Stephens (2000) GRI-00/0189, basis of the PIR: 5000 Btu/(h·ft²) = 15.8 kW/m² at r = PIR",
                "GP-01, 610 mm, 6.3 MPa g, PIR 151.6 m",
                "15.8 kW/m² at 151.6 m",
                "fireball fed at the initial rupture rate (3233 kg/s, m = 51 t): 56 kW/m² at 151.6 m, 15.8 kW/m² at 366 m; vertical jet fire (API 521, point source at L/2): 8.1 kW/m² at 151.6 m",
                "C-FER uses a ground-level point source and an effective (decayed) release rate λ ≈ 0.33 of the initial rate; our fireball uses the undecayed initial rate (conservative) and our jet fire is vertical and elevated (lower ground flux).",
            ),
            why=COMPARED,
        ),
    ),
)

TABLES = {"pipelines-pir": PIR, "pipelines-rupture": RUPTURE}

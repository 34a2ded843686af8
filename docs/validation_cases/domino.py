"""Cases of docs/validation/domino.md: escalation thresholds [C2006], time to failure and probits [C2005],
[CS2004], [L2009], first-level combinations, and the demo park's footprint gaps.

Same inputs as tests/analysis/test_domino_models.py and test_domino_analyze.py.
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import numpy as np

from analysis import domino

from ._table import CALC, Row, Table, e, grouped

DEMO_PARK = Path(__file__).resolve().parents[2] / "geodata" / "samples" / "demo_park.gpkg"
IDENTITY = "identity with the published equation over a set of inputs, asserted in the tests; no single value to print"
STATISTICAL = (
    "Monte Carlo estimate against the exact product, asserted within ±0.01 in test_domino_analyze.py"
)


_IMPL_CASES = ((15.0, 1000.0), (20.0, 1000.0), (30.0, 2000.0), (50.0, 5000.0), (100.0, 200.0), (150.0, 100.0))


def _impl_probit(q_kw: float, v: float) -> float:
    """The unit-explicit public implementation of [L2009] (REFERENCE.md): ttf [s] = exp(9.877 − 1.13 ln I −
    2.667e−5 V), Y = 9.25 − 1.847 ln(ttf/60)."""
    return 9.25 - 1.847 * math.log(math.exp(9.877 - 1.13 * math.log(q_kw) - 2.667e-5 * v) / 60.0)


def _impl_default():
    d = [
        domino.escalation_probit(equipment="atmospheric", heat_flux=q * 1e3, volume=v) - _impl_probit(q, v)
        for q, v in _IMPL_CASES
    ]
    return f"{min(d):.3f} … {max(d):.3f}", f"{max(abs(x - 3.29) for x in d):.3f}"


def _impl_landucci():
    d = [
        abs(
            domino.escalation_probit(
                equipment="atmospheric", heat_flux=q * 1e3, volume=v, model="landucci2009"
            )
            - _impl_probit(q, v)
        )
        for q, v in _IMPL_CASES
    ]
    return f"≤ {max(d):.3f}", f"{max(d):.3f}"


def _phi(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def _umin(text: str) -> str:
    return text.replace("-", "−")


def _diff(d: float, zero: float = 1e-12) -> str:
    return "0" if d < zero else "< " + _umin(e(10 ** math.ceil(math.log10(d)), 0)).replace(".0", "")


def _heat_threshold(equipment: str, published: float):
    def compute():
        q = domino.threshold(equipment, "heat_flux")
        return f"{grouped(q)} W/m²", _diff(abs(q / published - 1.0))

    return compute


def _fireball_thresholds():
    a = domino.threshold("atmospheric", "heat_flux", scenario="fireball")
    p = domino.threshold("pressurized", "heat_flux", scenario="fireball")
    ok = a == 100e3 and math.isinf(p)
    return f"{grouped(a)} W/m² / {'inf' if math.isinf(p) else grouped(p)}", "0" if ok else "differs"


def _overpressure_thresholds():
    got = [domino.threshold(c, "overpressure") for c in ("atmospheric", "pressurized", "elongated", "small")]
    ok = got == [22e3, 16e3, 31e3, 37e3]
    return ("same, in Pa", "0") if ok else (" / ".join(grouped(g) for g in got) + " Pa", "differs")


def _ttf_hand():
    t = float(domino.time_to_failure(50e3, equipment="atmospheric", volume=1000.0))
    return f"{t:.1f} s", _diff(abs(t / 229.9 - 1.0))


def _landucci_hand():
    a, b = domino.ESCALATION_MODELS["landucci2009"].heat_probit
    p = [_phi(a + b * math.log(m) - 5.0) for m in (5.0, 10.0, 20.0)]
    d = max(abs(x - y) for x, y in zip(p, (0.899, 0.496, 0.098), strict=True))
    return " / ".join(f"{x:.3f}" for x in p), _diff(d)


def _overpressure_hand():
    y = float(domino.escalation_probit(equipment="atmospheric", overpressure=50e3))
    p = float(domino.escalation_probability(equipment="atmospheric", overpressure=50e3))
    return f"{y:.3f}, {p:.4f}", _diff(max(abs(y - 7.440), abs(p - 0.9927)))


def _ttf_at_thresholds():
    atm = (
        domino.time_to_failure(15e3, equipment="atmospheric", volume=np.array([100.0, 1000.0, 10_000.0])) / 60
    )
    prs = domino.time_to_failure(45e3, equipment="pressurized", volume=np.array([50.0, 100.0, 300.0])) / 60
    return f"{atm.min():.1f}–{atm.max():.1f} min; {prs.min():.1f}–{prs.max():.1f} min", "—"


def _two_targets():
    c = domino.first_level_combinations({"A": 0.3, "B": 0.6})
    got = dict(zip(c["targets"], c["probability"], strict=True))
    d = max(abs(got[("A", "B")] - 0.18), abs(got[("A",)] - 0.12), abs(got[("B",)] - 0.42)) / 0.12
    return ("same", _diff(d)) if len(c) == 3 else ("differs", "—")


@cache
def _demo_gaps():
    from geodata import load_park

    park = load_park(DEMO_PARK)
    res = domino.analyze(park, scenarios=("pool_fire", "fireball", "vce"), n_samples=300, max_level=2)
    return res.edges.drop_duplicates(["source", "target"]).set_index(["source", "target"])["distance_m"]


def _footprint_gaps():
    pairs = (("E04-V102", "E05-T101"), ("E04-V104", "E05-T103"), ("E04-V202", "E05-T103"))
    got = [float(_demo_gaps()[p]) for p in pairs]
    err = max(abs(g / x - 1.0) for g, x in zip(got, (80.4, 81.2, 90.0), strict=True))
    return ", ".join(f"{g:.2f}" for g in got) + " m", f"{100 * err:.2f} %"


CASES = Table(
    header=("case", "source", "inputs", "published value", "ours", "rel. error", "tolerance"),
    rows=(
        Row(
            ("heat threshold, atmospheric", "[C2006]", "stationary fire", "15 kW/m²", CALC, CALC, "exact"),
            _heat_threshold("atmospheric", 15e3),
        ),
        Row(
            ("heat threshold, pressurised", "[C2006]", "stationary fire", "45 kW/m²", CALC, CALC, "exact"),
            _heat_threshold("pressurized", 45e3),
        ),
        Row(
            (
                "fireball threshold, atmospheric / pressurised",
                "[C2006]",
                "fireball",
                "100 kW/m² / not credible",
                CALC,
                CALC,
                "exact",
            ),
            _fireball_thresholds,
        ),
        Row(
            (
                "overpressure thresholds atm / press / elongated / small",
                "[C2006], Cozzani & Salzano 2004 (JLPP 17:437)",
                "explosion",
                "22 / 16 / 31 / 37 kPa",
                CALC,
                CALC,
                "exact",
            ),
            _overpressure_thresholds,
        ),
        Row(
            (
                "ttf atmospheric, equation",
                "[C2005] Table 2",
                "I = 20, 50, 100 kW/m²; V = 500, 1000, 5000 m³",
                "exp(−1.128 ln I − 2.667e−5 V + 9.877)",
                "same",
                "< 1e−12",
                "rtol 1e−12",
            ),
            why=IDENTITY,
        ),
        Row(
            (
                "ttf atmospheric, hand value",
                "[C2005] Table 2",
                "50 kW/m², 1000 m³",
                "229.9 s",
                CALC,
                CALC,
                "±0.1 s",
            ),
            _ttf_hand,
        ),
        Row(
            (
                "ttf pressurised, equation",
                "[C2005] Table 2",
                "I = 50, 80, 150 kW/m²; V = 10, 100, 250 m³",
                "exp(−0.947 ln I + 8.835 V^0.032)",
                "same",
                "< 1e−12",
                "rtol 1e−12",
            ),
            why=IDENTITY,
        ),
        Row(
            (
                "heat probit",
                "[C2005] Table 2",
                "atm 30 kW/m² 2000 m³; press 60 kW/m² 100 m³",
                "Y = 12.54 − 1.847 ln(ttf/60 s)",
                "same",
                "< 1e−12",
                "rtol 1e−12",
            ),
            why=IDENTITY,
        ),
        Row(
            (
                "heat probit, Landucci",
                "[L2009]",
                "atm 20/40/100 kW/m², 1000/5000/200 m³",
                "P = Φ(9.25 − 1.85 ln(ttf/60 s) − 5)",
                "same",
                "< 1e−12",
                "rtol 1e−12",
            ),
            why=IDENTITY,
        ),
        Row(
            (
                "heat probit, Landucci, hand values",
                "[L2009]",
                "ttf = 5 / 10 / 20 min",
                "0.899 / 0.496 / 0.098",
                CALC,
                CALC,
                "±1e−3",
            ),
            _landucci_hand,
        ),
        Row(
            (
                "default (cozzani2005) vs the unit-explicit implementation",
                "public [L2009] implementation (ttf s -> min)",
                "atm 15–150 kW/m², 100–5000 m³",
                "Y_default − Y_impl = 12.54 − 9.25 = 3.29 (same ttf, unit and slope)",
                CALC,
                CALC,
                "±0.02",
            ),
            _impl_default,
        ),
        Row(
            (
                "landucci2009 vs the unit-explicit implementation",
                "public [L2009] implementation (ttf s -> min)",
                "atm 15–150 kW/m², 100–5000 m³",
                "Y equal (1.85 vs 1.847, 1.128 vs 1.13)",
                CALC,
                CALC,
                "±0.03",
            ),
            _impl_landucci,
        ),
        Row(
            (
                "overpressure probits (4 classes × 3 loads)",
                "[CS2004]",
                "40, 70, 120 kPa",
                "Y = a + b ln ΔP (a, b per class)",
                "same",
                "< 1e−12",
                "rtol 1e−12",
            ),
            why=IDENTITY,
        ),
        Row(
            (
                "overpressure, hand value",
                "[CS2004]",
                "atmospheric, 50 kPa",
                "Y = 7.440, P = 0.9927",
                CALC,
                CALC,
                "±5e−4",
            ),
            _overpressure_hand,
        ),
        Row(
            (
                "thresholds ↔ ttf ≈ 10 min",
                "[C2006] rationale, [C2005] ttf",
                "atm 15 kW/m², 100–10 000 m³; press 45 kW/m², 50–300 m³",
                "ttf ≥ 10 min",
                CALC,
                CALC,
                "≥ 600 s",
            ),
            _ttf_at_thresholds,
        ),
        Row(
            (
                "combinations, 2 targets",
                "[C2005] Eq. (combination probability)",
                "P = 0.3, 0.6",
                "0.18, 0.12, 0.42",
                CALC,
                CALC,
                "rtol 1e−12",
            ),
            _two_targets,
        ),
        Row(
            (
                "synergy, two fires on one target",
                "[K2013] (summed heat radiation), probit [L2009]",
                "T1–T2 24 m apart, T3 30 m off their midpoint, 400 m² bunds: q13 ≈ q23 ≈ 9.9 kW/m² each (< 15), sum ≈ 19.8 kW/m²",
                "P(T3) = P(T2, level 1) × P(q13 + q23); 0 without synergy",
                "Monte Carlo, 20 000 samples",
                "within 0.01",
                "±0.01 (≈ 3σ)",
            ),
            why=STATISTICAL,
        ),
        Row(
            (
                "summed-flux probability matrix",
                "definition (`escalation_probability`)",
                "50 × 4 random loads, four classes",
                "element-wise",
                "same",
                "< 1e−12",
                "rtol 1e−12",
            ),
            why=IDENTITY,
        ),
        Row(
            (
                "combinations, 8 targets",
                "[C2005]",
                "random P",
                "Σ = 1 − Π(1 − P), 255 rows",
                "same",
                "< 1e−12",
                "rtol 1e−12",
            ),
            why=IDENTITY,
        ),
        Row(
            (
                "footprint gaps, demo park",
                "`geodata/samples` builder (status note demo.md)",
                "E04-V102→E05-T101, E04-V104→E05-T103, E04-V202→E05-T103",
                "80.4, 81.2, 90.0 m",
                CALC,
                CALC,
                "±0.1 m",
            ),
            _footprint_gaps,
        ),
        Row(
            (
                "vectorised matrix vs pairwise loop",
                "definition",
                "1000 synthetic tanks/spheres, first 20 rows",
                "loop result",
                "identical",
                "0",
                "rtol 1e−12",
            ),
            why=IDENTITY,
        ),
    ),
)

TABLES = {"domino": CASES}

"""Cases of docs/validation/bleve-vessel-burst.md: BLEVE blast energy and the overpressure of a bursting vessel.

Inputs as in tests/analysis/test_bleve_blast.py (Planas-Cuchi, Salla & Casal 2004, §3.3 and Tables 1-2).
"""

from __future__ import annotations

from analysis.physics import bleve_blast as bb

from ._table import CALC, Row, Table, abs_pct, grouped

SOURCE = "Planas-Cuchi, Salla & Casal (2004) J. Loss Prev. 17:431, §3.3"
CASE = dict(mass=100_956.0, temperature=273.15 + 55.0, substance="propane", volume=250.0)
INPUTS = "250 m³, 100 956 kg propane, 55 °C (1901 kPa), P0 101.3 kPa"


def _work(method: str, published_mj: float):
    def compute():
        v = bb.bleve_expansion_work(**CASE, method=method) / 1e6
        return grouped(v) + " MJ", abs_pct(v, published_mj)

    return compute


def _final_volume():
    v = 250.0 + bb.bleve_expansion_work(**CASE) / 101325.0  # ΔU = P0 ΔV, [1] Eq. 9
    return grouped(v) + " m³", abs_pct(v, 24_752.0)


def _tnt(method: str, published_kg: float):
    def compute():
        w = bb.bleve_blast_energy(**CASE, pressure=1901e3, method=method) / 4.68e6
        return f"{w:.1f} kg", abs_pct(w, published_kg)

    return compute


def _overpressure(tnt_kg: float, published_kpa: float):
    def compute():
        p = float(bb.vessel_burst_overpressure(energy=tnt_kg * 4.68e6, distance=180.0)) / 1e3
        return f"{p:.2f} kPa", abs_pct(p, published_kpa)

    return compute


CASES = Table(
    header=("case", "source", "inputs", "published value", "ours", "rel. error", "tolerance"),
    rows=(
        Row(
            (
                "BLEVE expansion work ΔU, adiabatic irreversible",
                SOURCE + ", Table 2",
                INPUTS,
                "2490 MJ",
                CALC,
                CALC,
                "rtol 0.005",
            ),
            _work("planas_cuchi2004", 2490.0),
        ),
        Row(
            (
                "final volume V_i + ΔU/P0 (irreversible)",
                SOURCE + ", Table 1 (4th column)",
                INPUTS,
                "24 752 m³",
                CALC,
                CALC,
                "rtol 0.005",
            ),
            _final_volume,
        ),
        Row(
            (
                "BLEVE expansion work ΔU, isentropic (upper bound)",
                SOURCE + ", Table 2",
                INPUTS,
                "6410 MJ",
                CALC,
                CALC,
                "rtol 0.05",
            ),
            _work("isentropic", 6410.0),
        ),
        Row(
            (
                "BLEVE blast as TNT, β = 0.4, 4680 J/g (irreversible)",
                SOURCE,
                INPUTS,
                "212 kg",
                CALC,
                CALC,
                "rtol 0.005",
            ),
            _tnt("planas_cuchi2004", 212.0),
        ),
        Row(
            (
                "BLEVE blast as TNT, β = 0.4, 4680 J/g (isentropic)",
                SOURCE,
                INPUTS,
                "548 kg",
                CALC,
                CALC,
                "rtol 0.05",
            ),
            _tnt("isentropic", 548.0),
        ),
        Row(
            (
                "vessel_burst_overpressure (TNT curve)",
                SOURCE + " (read on a printed TNT curve)",
                "548 kg TNT, 180 m",
                "5.3 kPa",
                CALC,
                CALC,
                "rtol 0.03",
            ),
            _overpressure(548.0, 5.3),
        ),
        Row(
            (
                "vessel_burst_overpressure (TNT curve)",
                SOURCE + " (read on a printed TNT curve)",
                "212 kg TNT, 180 m",
                "4.0 kPa",
                CALC,
                CALC,
                "rtol 0.15 (curves differ, see text)",
            ),
            _overpressure(212.0, 4.0),
        ),
    ),
)

TABLES = {"bleve": CASES}

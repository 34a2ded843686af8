"""Cases of docs/validation/risk.md: individual and societal risk against hand calculations from the published
closed forms, one outcome and one (or four) wind directions. Same cases as tests/analysis/test_risk.py.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from analysis.qra import individual as risk
from analysis.weather import WindRose
from geodata import Park
from geodata.samples.one_unit import OUTCOME_FREQUENCY, ammonia_outcome, ammonia_unit_park

from ._table import CALC, Row, Table, pct, rel

F = OUTCOME_FREQUENCY  # [1/a] outcome frequency of the hand cases
HAND = "checked as an identity or against a reference summation in the tests / bench script named in the row"


@cache
def _park() -> Park:
    """One 600 t ammonia unit and a village ≈ 1 km east (100 people by day, 300 by night)."""
    return ammonia_unit_park(600_000.0, village=True, name="验证园区")


def _origin() -> tuple[float, float]:
    g = _park().metric("installations").geometry.iloc[0]
    return g.x, g.y


def _rose(directions=(270.0,), probs=(1.0,)) -> WindRose:
    p = np.asarray(probs, dtype=float).reshape(len(directions), 1, 1)
    return WindRose(tuple(directions), (5.0,), ("D",), p)


@cache
def _plume():
    """1000 kg/s NH₃ G.2 plume (600 s), class D 5 m/s, wind from the west, 10 m grid."""
    ox, oy = _origin()
    return risk.individual_risk(
        _park(),
        outcomes=ammonia_outcome(),
        wind_rose=_rose(),
        resolution=10.0,
        extent=(ox - 300, oy - 200, ox + 2100, oy + 200),
    )


@cache
def _vce():
    """G.1 VCE of the 600 t inventory, four wind directions, 5 m grid."""
    ox, oy = _origin()
    out = ammonia_outcome(
        "vce", loc="G.1", instantaneous=True, duration_s=np.nan, mass_kg=2000.0, branch="delayed"
    )
    return risk.individual_risk(
        _park(),
        outcomes=out,
        wind_rose=_rose((0.0, 90.0, 180.0, 270.0), (0.1, 0.2, 0.3, 0.4)),
        resolution=5.0,
        extent=(ox - 200, oy - 200, ox + 200, oy + 200),
    )


def _cell_value(res, dx: float, dy: float) -> float:
    ox, oy = _origin()
    xs, ys = res.cell_centres()
    j = int(np.argmin(np.abs(xs - (ox + dx))))
    i = int(np.argmin(np.abs(ys - (oy + dy))))
    return float(res.grid[i, j])


def _cells(ours: float, published: float) -> tuple[str, str]:
    return f"{ours:.4e} /a", pct(rel(ours, published), 2, sign=True)


def _plume_ir(s: float, c: float, published: float):
    return lambda: _cells(_cell_value(_plume(), s, c), published)


def _vce_ir(dx: float, dy: float, published: float):
    return lambda: _cells(_cell_value(_vce(), dx, dy), published)


def _pll():
    # PLL = Σ f N of the people as counted, outdoors (the hand value has no indoor protection)
    return _cells(risk.societal_risk(_plume(), indoor=False).pll, 1.9039e-03)


CASES = Table(
    header=("case", "source", "inputs", "published / hand value", "ours", "relative error", "tolerance"),
    rows=(
        Row(
            (
                "IR, NH₃ plume 1000 kg/s, D5, wind from W, (s, c) = (995, 5) m",
                "Crowl & Louvar 2011 Eq. 5-49, Table 5-2 (Briggs), Table 2-5 (probit)",
                "f = 1e-5 /a, 600 s, 10 m grid",
                "9.5704e-06 /a",
                CALC,
                CALC,
                "0.5 %",
            ),
            _plume_ir(1000, 0, 9.5704e-06),
        ),
        Row(
            ("IR, same, (1495, 5) m", "same", "same", "2.3507e-06 /a", CALC, CALC, "0.5 %"),
            _plume_ir(1500, 0, 2.3507e-06),
        ),
        Row(
            ("IR, same, (1495, 65) m", "same", "same", "8.9045e-07 /a", CALC, CALC, "0.5 %"),
            _plume_ir(1500, 60, 8.9045e-07),
        ),
        Row(
            ("IR, same, (1995, 5) m", "same", "same", "8.3775e-08 /a", CALC, CALC, "0.5 %"),
            _plume_ir(2000, 0, 8.3775e-08),
        ),
        Row(
            ("IR, same, (1195, -75) m", "same", "same", "2.5428e-06 /a", CALC, CALC, "0.5 %"),
            _plume_ir(1200, -80, 2.5428e-06),
        ),
        Row(
            (
                "IR, VCE 600 t NH₃ (TNT 4 %, 4.52 MJ/kg), 4 directions p = 0.1/0.2/0.3/0.4, r = 107.5 m "
                "(inside the exploding cloud, r0 = 115.1 m: the load at r0, 173.2 kPa)",
                "Eisenberg et al. 1975 lung probit (CCPS 2000 Table 2.21); IR = f Φ(Y−5), direction-independent; "
                "cloud radius of a hemisphere of 3.5 MJ/m³ mixture (TNO Yellow Book CPR 14E §5.5.3)",
                "f = 1e-5 /a, 5 m grid",
                "8.9454e-06 /a",
                CALC,
                CALC,
                "0.5 %",
            ),
            _vce_ir(110, 0, 8.9454e-06),
        ),
        Row(
            ("IR, same, r = 122.5 m", "same", "same", "6.1802e-06 /a", CALC, CALC, "0.5 %"),
            _vce_ir(0, -125, 6.1802e-06),
        ),
        Row(
            ("IR, same, r = 137.9 m", "same", "same", "7.3354e-07 /a", CALC, CALC, "0.5 %"),
            _vce_ir(-99, 99, 7.3354e-07),
        ),
        Row(
            (
                "PLL, village 1 km downwind (100 people by day, 300 by night, day fraction 0.5), outdoors",
                "CCPS 2000 §4.4.3, PLL = Σ f N",
                "plume case above",
                "1.9039e-03 /a",
                CALC,
                CALC,
                "0.5 %",
            ),
            _pll,
        ),
        Row(
            (
                "rotation: wind from N (p = 0.25) and W (p = 0.75)",
                "hand: p_d × f × P(s, c)",
                "plume case",
                "0.25 / 0.75 × hand value",
                "within 0.5 %",
                "—",
                "0.5 %",
            ),
            why=HAND,
        ),
        Row(
            (
                "per-cell reference (bench/bench_risk.py): 40 cells near E04-V101 and T-3, demo rose, every outcome × class × direction evaluated by `probability_of_death` at the cell",
                "straightforward summation (definition)",
                "demo park",
                "reference",
                "median difference 0.03 %, max 9.7 % (one cell at a flash-fire envelope edge 55 m from the sphere)",
                "—",
                "reported",
            ),
            why=HAND,
        ),
        Row(
            (
                "pipelines raster added as given; frequency × 3 → risk × 3; domino f_secondary added to G.1",
                "definition",
                "—",
                "exact",
                "exact",
                "< 1e-9",
                "1e-9",
            ),
            why=HAND,
        ),
    ),
)

TABLES = {"risk": CASES}

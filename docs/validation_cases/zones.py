"""Cases of docs/validation/zones.md: the zone edge lies where the model's own point value equals the level.

"model distance" is found with ``scipy.optimize.brentq`` on the model's public point function (the pool fire's,
fireball's and jet fire's ``heat_flux``, the Gaussian plume); "zone max_distance" is the reach of
:func:`analysis.scenarios.zones.threat_zones`. Same cases as tests/analysis/test_zones.py and test_scenarios.py,
with the weather of the write-up (wind from 45°, 2 m/s, class D).
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from shapely.geometry import Point

from analysis.physics import dispersion
from analysis.scenarios import Scenario, Weather, effect_field
from analysis.scenarios.zones import ZoneLevel, threat_zones

from ._table import CALC, Row, Table, commas, pct, rel

METRIC = "EPSG:4547"
X0, Y0 = 500_000.0, 3_380_000.0
WEATHER = Weather(wind_speed=2.0, wind_from_deg=45.0, stability="D")
DOWNWIND = math.radians(225.0)
BASE = dict(
    unit_id="X1",
    enterprise_id="E1",
    name="验证设施",
    kind="storage_tank",
    equipment_class="atmospheric",
    substance="汽油",
    inventory_kg=1.0e6,
    phase="liquid",
    pressure_pa=101325.0,
    temperature_k=293.15,
    volume_m3=1400.0,
    diameter_m=20.0,
    height_m=15.0,
    bund_area_m2=1200.0,
    hazardous_process=None,
    geometry=Point(X0, Y0),
)
#: The installations of the cases: changes to BASE.
UNITS = {
    "gasoline": {},
    "propane": dict(
        substance="丙烷", phase="liquefied_gas", pressure_pa=1.6e6, inventory_kg=5.0e4, bund_area_m2=None
    ),
    "hydrogen": dict(
        substance="氢气",
        phase="gas",
        pressure_pa=1.0e7,
        temperature_k=300.0,
        inventory_kg=300.0,
        bund_area_m2=None,
    ),
    "ammonia": dict(substance="氨", phase="gas", pressure_pa=5.0e5, inventory_kg=500.0, bund_area_m2=None),
    "chlorine": dict(
        substance="液氯",
        phase="liquefied_gas",
        pressure_pa=8.0e5,
        temperature_k=298.15,
        inventory_kg=5.0e4,
        bund_area_m2=200.0,
        kind="bullet_tank",
        equipment_class="pressurized",
        diameter_m=3.0,
        height_m=3.0,
    ),
}
#: Scenario of each case: (unit, scenario kind, hole diameter [m] or None).
CASES = {
    "pool": ("gasoline", "pool_fire", None),
    "fireball": ("propane", "fireball", None),
    "jet": ("hydrogen", "jet_fire", 0.025),
    "nh3": ("ammonia", "toxic", 0.02),
    "cl2": ("chlorine", "toxic", 0.02),
}
THERMAL_KW = dict(relative_humidity=WEATHER.relative_humidity, ambient_temperature=WEATHER.temperature_k)


def _distance_to_level(profile, level: float, r_hi: float = 20_000.0) -> float:
    """Distance where a decreasing radial profile equals ``level`` (brentq on the model's own function)."""
    grid = np.geomspace(0.1, r_hi, 2000)
    i = np.flatnonzero(np.asarray(profile(grid)) >= level)[-1]
    return brentq(lambda r: float(profile(np.array([r]))[0]) - level, grid[i], grid[i + 1], xtol=1e-6)


@cache
def _zones(case: str, levels: tuple[float, ...] | None):
    unit, kind, hole = CASES[case]
    row = pd.Series({**BASE, **UNITS[unit]})
    sc = Scenario(kind) if hole is None else Scenario(kind, hole_diameter=hole)
    field = effect_field(row, sc, WEATHER)
    lv = None if levels is None else tuple(ZoneLevel("heat_flux", q, "L", "L", "validation") for q in levels)
    kw = {} if lv is None else {"levels": lv}
    return field, threat_zones(row, sc, WEATHER, crs=METRIC, field=field, **kw)


def _outline(geom) -> np.ndarray:
    parts = geom.geoms if geom.geom_type == "MultiPolygon" else [geom]
    return np.vstack([np.asarray(g.exterior.coords) for g in parts]) - (X0, Y0)


def _cells(model: float, zone: float, res: float, note: str = "") -> tuple[str, ...]:
    return (
        commas(model, 1),
        commas(zone, 1) + note,
        pct(rel(zone, model), 2, sign=True),
        f"{res:.2f} m ({pct(res / model, 2)})",
    )


def _thermal(case: str, level: float, index: int, levels: tuple[float, ...] | None = None):
    def compute():
        field, z = _zones(case, levels)
        if case == "pool":
            d = _distance_to_level(
                lambda r: field.model.heat_flux(r, direction="downwind", **THERMAL_KW), level
            )
        else:
            d = _distance_to_level(lambda r: field.model.heat_flux(r, **THERMAL_KW), level)
        zr = z.iloc[index]
        return _cells(d, zr["max_distance"], zr["resolution_m"])

    return compute


def _passive(index: int):
    def compute():
        field, z = _zones("nh3", None)
        zr = z.iloc[index]
        q = field.source.airborne_rate
        d = brentq(
            lambda x: (
                dispersion.gaussian_plume(q, WEATHER.wind_speed, x, 0.0, 0.0, stability="D") - zr["threshold"]
            ),
            1.0,
            49_000.0,
        )
        return _cells(d, zr["max_distance"], zr["resolution_m"])

    return compute


def _dense_axis(field, level: float) -> float:
    """Distance on the downwind axis where the field (there the workbook's centre-line concentration, see
    test_dense_plume_zone_reach_equals_britter_mcquaid_centreline_distance) equals the level."""

    def c(x):
        x = np.asarray(x, dtype=float)
        return field.concentration(x * math.sin(DOWNWIND), x * math.cos(DOWNWIND))

    return _distance_to_level(c, level, r_hi=49_000.0)


def _dense(index: int):
    def compute():
        field, z = _zones("cl2", None)
        zr = z.iloc[index]
        pts = _outline(zr["geometry"])
        reach = float(np.max(pts[:, 0] * math.sin(DOWNWIND) + pts[:, 1] * math.cos(DOWNWIND)))
        return _cells(_dense_axis(field, zr["threshold"]), reach, zr["resolution_m"], " ³")

    return compute


def _dense_aegl1_outline():
    _, z = _zones("cl2", None)
    zr = z.iloc[-1]
    pts = _outline(zr["geometry"])
    along = pts[:, 0] * math.sin(DOWNWIND) + pts[:, 1] * math.cos(DOWNWIND)
    across = pts[:, 0] * math.cos(DOWNWIND) - pts[:, 1] * math.sin(DOWNWIND)
    return along, across, zr["resolution_m"]


def _dense_half_width():
    _, across, _ = _dense_aegl1_outline()
    return (commas(float(np.abs(across).max()), 1) + " (zone half-width)",)


def _dense_upwind():
    along, _, res = _dense_aegl1_outline()
    return f"{-float(along.min()):.1f}", f"{res:.2f} m"


Q = (37_500.0, 12_500.0, 4_000.0)
TABLE = Table(
    header=(
        "case",
        "level",
        "model distance [m]",
        "zone max_distance [m]",
        "relative error",
        "tolerance (grid)",
    ),
    rows=(
        Row(
            ("pool fire, gasoline, 1200 m² bund, downwind", "12.5 kW/m²", CALC, CALC, CALC, CALC),
            _thermal("pool", 12_500.0, 0, (12_500.0,)),
        ),
        Row(
            ("pool fire, gasoline, 1200 m² bund, downwind", "4 kW/m²", CALC, CALC, CALC, CALC),
            _thermal("pool", 4_000.0, 0, (4_000.0,)),
        ),
        Row(
            ("fireball, 50 t propane (CCPS 1994)", "37.5 kW/m²", CALC, CALC, CALC, CALC),
            _thermal("fireball", Q[0], 0),
        ),
        Row(
            ("fireball, 50 t propane (CCPS 1994)", "12.5 kW/m²", CALC, CALC, CALC, CALC),
            _thermal("fireball", Q[1], 1),
        ),
        Row(
            ("fireball, 50 t propane (CCPS 1994)", "4 kW/m²", CALC, CALC, CALC, CALC),
            _thermal("fireball", Q[2], 2),
        ),
        Row(
            ("jet fire, H2 10 MPa, 25 mm hole (API 521)", "4 kW/m²", CALC, CALC, CALC, CALC),
            _thermal("jet", Q[2], 0, (Q[2],)),
        ),
        Row(
            (
                "toxic, NH3 gas 0.5 MPa, 20 mm hole, plume D 2 m/s (q=0.277 kg/s)",
                "AEGL-3",
                CALC,
                CALC,
                CALC,
                CALC,
            ),
            _passive(0),
        ),
        Row(
            (
                "toxic, NH3 gas 0.5 MPa, 20 mm hole, plume D 2 m/s (q=0.277 kg/s)",
                "AEGL-2",
                CALC,
                CALC,
                CALC,
                CALC,
            ),
            _passive(1),
        ),
        Row(
            (
                "toxic, NH3 gas 0.5 MPa, 20 mm hole, plume D 2 m/s (q=0.277 kg/s)",
                "AEGL-1",
                CALC,
                CALC,
                CALC,
                CALC,
            ),
            _passive(2),
        ),
        Row(
            (
                "toxic, Cl2 liquefied 0.8 MPa, 20 mm hole, dense (Britter-McQuaid), D 2 m/s",
                "AEGL-3",
                CALC,
                CALC,
                CALC,
                CALC,
            ),
            _dense(0),
        ),
        Row(
            (
                "toxic, Cl2 liquefied 0.8 MPa, 20 mm hole, dense (Britter-McQuaid), D 2 m/s",
                "AEGL-2",
                CALC,
                CALC,
                CALC,
                CALC,
            ),
            _dense(1),
        ),
        Row(
            (
                "toxic, Cl2 liquefied 0.8 MPa, 20 mm hole, dense (Britter-McQuaid), D 2 m/s",
                "AEGL-1",
                CALC,
                CALC,
                CALC,
                CALC,
            ),
            _dense(2),
        ),
        Row(
            (
                "dense Cl2 plume above, crosswind half-width at the AEGL-1 far end",
                "AEGL-1",
                "B&M (1988) §4.3: L_H = D + 8 l_b + 2.5 l_b^⅓ x^⅔ (+ Gaussian edge)",
                CALC,
                "—",
                "consistency: ≤ L_H + 4 σy (test)",
            ),
            _dense_half_width,
        ),
        Row(
            (
                "dense Cl2 plume above, upwind extent",
                "AEGL-1",
                "B&M (1988) §4.3: L_U = D/2 + 2 l_b = 4.4 m",
                CALC,
                "within one grid cell",
                CALC,
            ),
            _dense_upwind,
        ),
    ),
)

TABLES = {"zones": TABLE}

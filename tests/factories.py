"""Row factories shared by the tests: one installation row per kind of test park, built in one place.

Import as ``from factories import ...`` (tests/conftest.py puts this folder on ``sys.path``; the suite runs in
importlib mode).
"""

from __future__ import annotations

import math

import pandas as pd
from shapely.geometry import Point

#: A point in CGCS2000 / 3-degree Gauss-Kruger CM 114E (EPSG:4547) for single-unit scenario tests. [m]
METRIC = "EPSG:4547"
X0, Y0 = 500_000.0, 3_380_000.0

#: Origin of the small synthetic parks in WGS84 (Nanjing). [°]
LON0, LAT0 = 118.80, 32.10


def installation_row(**changes) -> pd.Series:
    """One installation at (X0, Y0): a 1 000 t gasoline tank of 1 400 m³ in a 1 200 m² bund; ``changes`` replace
    any field (substance, phase, pressure_pa, …)."""
    base = dict(
        unit_id="X1",
        enterprise_id="E1",
        name="测试设施",
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
    base.update(changes)
    return pd.Series(base)


def local_point(dx: float, dy: float) -> Point:
    """Local metres east/north of (LON0, LAT0) -> WGS84 (small offsets; exact metric positions are re-derived in
    the park's metric CRS)."""
    return Point(LON0 + dx / (111_320.0 * math.cos(math.radians(LAT0))), LAT0 + dy / 110_540.0)


def gasoline_tank(uid: str, ent: str, dx: float, **changes) -> dict:
    """A 1 500 t, 2 000 m³ atmospheric gasoline tank ``dx`` metres east of the park origin, in a 3 000 m² bund."""
    row = dict(
        unit_id=uid,
        enterprise_id=ent,
        name=f"汽油罐{uid}",
        kind="storage_tank",
        equipment_class="atmospheric",
        substance="汽油",
        inventory_kg=1.5e6,
        phase="liquid",
        pressure_pa=101325.0,
        temperature_k=293.15,
        volume_m3=2000.0,
        diameter_m=20.0,
        height_m=14.0,
        bund_area_m2=3000.0,
        hazardous_process=None,
        geometry=local_point(dx, 0.0),
    )
    row.update(changes)
    return row

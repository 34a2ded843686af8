"""The one-unit park of the hand-calculated risk cases: an ammonia buffer vessel and, on request, a village ≈ 1 km east,
and the one outcome of the cases (a row of the outcome table :func:`analysis.qra.individual.individual_risk` takes).

Used by the validation report (docs/validation_cases/risk.py) and by the risk tests (tests/analysis/test_risk.py,
tests/analysis/test_risk_weather.py): the park is built here once. It is fictional (positions near the demo park's
origin) and not validated, so that a test can hand it to a model directly.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.park import Park

__all__ = ["LON", "LAT", "OUTCOME_FREQUENCY", "ammonia_unit_park", "ammonia_outcome"]

#: Position of the unit in WGS84. [°]
LON, LAT = 113.70, 29.88
#: Frequency of the outcome of the hand cases. [1/a]
OUTCOME_FREQUENCY = 1e-5


def ammonia_unit_park(
    inventory_kg: float = 600_000.0, *, village: bool = False, name: str = "测试园区"
) -> Park:
    """A park of one pressurised ammonia process unit at (:data:`LON`, :data:`LAT`).

    Parameters
    ----------
    inventory_kg : float
        Ammonia held in the unit (gas at 2 bar, 20 °C). [kg]
    village : bool
        Add the sensitive target 东村 (general class 1) 0.0104° (≈ 1 km) east of the unit, 100 people by day and
        300 by night.
    name : str
        The park's name.

    Returns
    -------
    Park
        Layers ``parks`` (a 0.02° square around the unit), ``installations`` and, with ``village``,
        ``sensitive_targets``; built with ``validate=False``.
    """
    layers = {
        "parks": gpd.GeoDataFrame(
            {"park_id": ["P"], "name": [name]},
            geometry=[shapely.box(LON - 0.01, LAT - 0.01, LON + 0.01, LAT + 0.01)],
            crs=4326,
        ),
        "installations": gpd.GeoDataFrame(
            {
                "unit_id": ["U1"],
                "enterprise_id": ["E1"],
                "name": ["氨气缓冲罐"],
                "kind": ["process_unit"],
                "equipment_class": ["pressurized"],
                "substance": ["液氨"],
                "inventory_kg": [float(inventory_kg)],
                "phase": ["gas"],
                "pressure_pa": [2.0e5],
                "temperature_k": [293.15],
            },
            geometry=[shapely.Point(LON, LAT)],
            crs=4326,
        ),
    }
    if village:
        layers["sensitive_targets"] = gpd.GeoDataFrame(
            {
                "target_id": ["S1"],
                "name": ["东村"],
                "category": ["village"],
                "protection_class": ["general_1"],
                "population_day": [100],
                "population_night": [300],
            },
            geometry=[shapely.Point(LON + 0.0104, LAT)],
            crs=4326,
        )
    return Park.from_layers(layers, validate=False)


def ammonia_outcome(kind: str = "toxic_cloud", **changes) -> pd.DataFrame:
    """The one outcome of the hand cases: unit U1, LOC G.2 (large leak), :data:`OUTCOME_FREQUENCY`, continuous for
    600 s, 600 t; ``changes`` replace any column (``loc``, ``mass_kg``, ``instantaneous`` …).

    Returns
    -------
    DataFrame
        One row with the columns of an outcome table: frequency [1/a], probability [-], duration_s [s], mass_kg
        [kg], hole_diameter_m [m], p_direct [-].
    """
    row = dict(
        unit_id="U1",
        loc="G.2",
        loc_class="large_leak",
        outcome=kind,
        branch="none",
        frequency=OUTCOME_FREQUENCY,
        probability=1.0,
        instantaneous=False,
        hole_diameter_m=np.nan,
        duration_s=600.0,
        mass_kg=600_000.0,
        p_direct=0.0,
    )
    row.update(changes)
    return pd.DataFrame([row])

"""parkrisk geodata: the park as seven geospatial layers — schema, validation, I/O and coordinate systems.

>>> from geodata import load_park
>>> park = load_park("geodata/samples/demo_park.gpkg")   # doctest: +SKIP
>>> park.metric("installations")                          # doctest: +SKIP
"""

from geodata.crs import COORD_SYSTEMS, metric_crs_for, require_metric, require_same_crs, to_wgs84
from geodata.errors import CRSError, ParkDataError
from geodata.io import load_park, read_layers, save_park
from geodata.park import Park
from geodata.validate import PROBLEM_KINDS, Problem, ValidationReport, validate_layers, validate_park

__all__ = [
    "Park",
    "load_park",
    "save_park",
    "read_layers",
    "validate_park",
    "validate_layers",
    "ValidationReport",
    "Problem",
    "PROBLEM_KINDS",
    "ParkDataError",
    "CRSError",
    "COORD_SYSTEMS",
    "metric_crs_for",
    "require_metric",
    "require_same_crs",
    "to_wgs84",
]

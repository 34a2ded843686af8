"""What the app shows for each zone, level and grade: one Chinese label and one colour, used by the pages, the maps
(:mod:`app.mapping`), the ``parkrisk`` commands and the reports.

- :mod:`app.present.grades`: enterprise safety-risk colours, GB 18218 major-hazard grades, rectification statuses
  and closure-rate classes.
- :mod:`app.present.zones`: threat zones, emergency zones, individual-risk contours, pipeline high-consequence
  areas and impact zones, domino escalation probabilities, siting verdicts.
- :mod:`app.present.layers`: symbols of the park layers (protection classes, phases, pipeline and road kinds,
  buildings).
- :mod:`app.present.messages`: the Chinese text of an error as a page shows it (:func:`message_zh`).

Labels of stored enumerations (``risk_color``, ``rectification_status``, ``protection_class`` …) stay in
:data:`geodata.schema.ENUM_LABELS_ZH` (:func:`geodata.schema.label_zh`); nothing here repeats them.
"""

from __future__ import annotations

from app.present.grades import (
    HAZARD_UNIT_GROUP_ZH,
    MAJOR_HAZARD_GRADE_COLORS,
    MAJOR_HAZARD_GRADE_ZH,
    NOT_MAJOR_HAZARD_ZH,
    OVERDUE_COLOR,
    RATE_CLASSES,
    RISK_COLORS,
    STATUS_COLORS,
    RateClass,
    hazard_unit_zh,
    major_hazard_grade_zh,
    rate_class,
)
from app.present.layers import (
    BUILDING_COLOR,
    FIVE_ROOMS_COLOR,
    PARK_BOUNDARY_COLOR,
    PHASE_COLORS,
    PIPELINE_COLORS,
    POPULATION_AREA_COLOR,
    PROTECTION_COLORS,
    ROAD_COLORS,
    UNKNOWN_COLOR,
)
from app.present.messages import message_zh
from app.present.zones import (
    CONTOUR_COLORS,
    CROSSING_COLOR,
    EMERGENCY_COLORS,
    FIRE_ZONE_PALETTE,
    HCA_COLORS,
    HCA_LEGEND_ZH,
    NOT_ASSESSED_COLOR,
    PIPELINE_ZONE_COLORS,
    PROBABILITY_CLASSES,
    SITING_PASS_COLORS,
    SITING_SUITABILITY_COLORS,
    SOURCE_COLOR,
    THREAT_ZONE_COLORS,
    TOXIC_FALLBACK_COLOR,
    contour_label_zh,
    threat_zone_colors,
)

__all__ = [
    "message_zh",
    "RISK_COLORS",
    "MAJOR_HAZARD_GRADE_ZH",
    "NOT_MAJOR_HAZARD_ZH",
    "MAJOR_HAZARD_GRADE_COLORS",
    "major_hazard_grade_zh",
    "HAZARD_UNIT_GROUP_ZH",
    "hazard_unit_zh",
    "STATUS_COLORS",
    "OVERDUE_COLOR",
    "RateClass",
    "RATE_CLASSES",
    "rate_class",
    "PROTECTION_COLORS",
    "PHASE_COLORS",
    "PIPELINE_COLORS",
    "ROAD_COLORS",
    "FIVE_ROOMS_COLOR",
    "BUILDING_COLOR",
    "POPULATION_AREA_COLOR",
    "PARK_BOUNDARY_COLOR",
    "UNKNOWN_COLOR",
    "THREAT_ZONE_COLORS",
    "threat_zone_colors",
    "EMERGENCY_COLORS",
    "TOXIC_FALLBACK_COLOR",
    "FIRE_ZONE_PALETTE",
    "CONTOUR_COLORS",
    "contour_label_zh",
    "HCA_COLORS",
    "HCA_LEGEND_ZH",
    "NOT_ASSESSED_COLOR",
    "PIPELINE_ZONE_COLORS",
    "PROBABILITY_CLASSES",
    "CROSSING_COLOR",
    "SOURCE_COLOR",
    "SITING_PASS_COLORS",
    "SITING_SUITABILITY_COLORS",
]

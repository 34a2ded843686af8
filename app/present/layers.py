"""Symbols of the park layers on maps: protection classes, material phases, pipeline and road kinds, buildings.

Chinese labels of these enumerations come from :data:`geodata.schema.ENUM_LABELS_ZH`; enterprise safety-risk
colours are in :mod:`app.present.grades`.
"""

from __future__ import annotations

__all__ = [
    "PROTECTION_COLORS",
    "PHASE_COLORS",
    "PIPELINE_COLORS",
    "ROAD_COLORS",
    "FIVE_ROOMS_COLOR",
    "BUILDING_COLOR",
    "POPULATION_AREA_COLOR",
    "PARK_BOUNDARY_COLOR",
    "UNKNOWN_COLOR",
]

#: GB 36894-2018 protection classes, most to least sensitive.
PROTECTION_COLORS: dict[str, str] = {
    "high_sensitive": "#7a0177",
    "important": "#c51b8a",
    "general_1": "#2c7fb8",
    "general_2": "#41b6c4",
    "general_3": "#a1dab4",
}
#: Installation fill colour by phase.
PHASE_COLORS: dict[str, str] = {
    "liquid": "#3182bd",
    "gas": "#31a354",
    "liquefied_gas": "#de2d26",
    "solid": "#756bb1",
}
PIPELINE_COLORS: dict[str, str] = {"transmission": "#8c510a", "process": "#01665e", "distribution": "#bf812d"}
ROAD_COLORS: dict[str, str] = {"highway": "#9e9e9e", "public": "#b0b0b0", "park": "#c8c8c8"}
#: Buildings that are "五室" (:data:`analysis.regulation.siting_checks.FIVE_ROOM_USES`) and the others.
FIVE_ROOMS_COLOR = "#6a00d6"
BUILDING_COLOR = "#8d8d8d"
#: Residential polygons with counts (``population_areas``: the people the societal risk counts).
POPULATION_AREA_COLOR = "#e7298a"
PARK_BOUNDARY_COLOR = "#333333"
#: A value without a colour of its own (unknown phase, class or status).
UNKNOWN_COLOR = "#999999"

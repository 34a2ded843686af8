"""Zones and levels drawn over the park: threat zones of one accident, emergency zones, individual-risk contours,
pipeline high-consequence areas and impact zones, domino escalation probabilities and siting verdicts.

Each table is the one copy the pages, the CLI and the reports use. :data:`analysis.emergency.ZONE_COLORS` keeps the
colours of the emergency export (KML/GeoJSON) inside the analysis layer; :data:`EMERGENCY_COLORS` holds the same
colours for the app (a test checks they agree).
"""

from __future__ import annotations

from collections.abc import Sequence

from analysis._text import per_year_zh

__all__ = [
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

#: Threat zones of one accident scenario by severity, most severe first (the last colour repeats beyond four).
THREAT_ZONE_COLORS: tuple[str, ...] = ("#c0392b", "#e67e22", "#f1c40f", "#3498db")


def threat_zone_colors(levels: Sequence[object]) -> dict[object, str]:
    """Colour of each threat-zone level, in the given order (most severe first)."""
    n = len(THREAT_ZONE_COLORS)
    return {lv: THREAT_ZONE_COLORS[min(i, n - 1)] for i, lv in enumerate(levels)}


#: Emergency zones and symbols: toxic levels (AEGL/PAC/IDLH), the wind-direction band, the isolation circle,
#: evacuation routes, assembly points, fire zones (outline in printed maps) and the release source.
EMERGENCY_COLORS: dict[str, str] = {
    "AEGL-3": "#d7191c",
    "AEGL-2": "#fdae61",
    "AEGL-1": "#ffd92f",
    "PAC-3": "#d7191c",
    "PAC-2": "#fdae61",
    "PAC-1": "#ffd92f",
    "IDLH": "#d7191c",
    "isolation": "#7b3294",
    "band": "#636363",
    "route": "#1a9641",
    "assembly": "#2b83ba",
    "fire": "#e66101",
    "source": "#000000",
}
#: A toxic level without a colour of its own.
TOXIC_FALLBACK_COLOR = "#d7191c"
#: Fire, explosion and flammable zones of an emergency, one colour per scenario and level in turn.
FIRE_ZONE_PALETTE: tuple[str, ...] = (
    "#b30000",
    "#e34a33",
    "#fc8d59",
    "#fdbb84",
    "#fdd49e",
    "#7a0177",
    "#c51b8a",
    "#f768a1",
)

#: Individual-risk contours at the GB 36894-2018 criteria levels, most severe first. [1/a] -> colour
CONTOUR_COLORS: dict[float, str] = {1e-5: "#b10026", 3e-6: "#fc4e2a", 1e-6: "#feb24c", 3e-7: "#41b6c4"}


def contour_label_zh(level: float) -> str:
    """Legend text of an individual-risk contour level [1/a], e.g. ``≥ 1×10⁻⁵/年``."""
    return f"≥ {per_year_zh(level)}"


#: GB 32167-2015 high-consequence-area grades of pipeline segments (0 = not an HCA).
HCA_COLORS: dict[int, str] = {0: "#27ae60", 1: "#f1c40f", 2: "#e67e22", 3: "#c0392b"}
#: Legend text of each HCA grade, most severe first.
HCA_LEGEND_ZH: dict[int, str] = {3: "Ⅲ级高后果区", 2: "Ⅱ级高后果区", 1: "Ⅰ级高后果区", 0: "非高后果区"}
#: Segments of lines GB 32167 does not apply to (not oil or gas transmission).
NOT_ASSESSED_COLOR = "#5d6d7e"
#: Impact zones around a pipeline segment: 1 % lethality reach, potential impact radius, 200 m HCA corridor.
PIPELINE_ZONE_COLORS: dict[str, str] = {"lethal": "#c0392b", "pir": "#8e44ad", "corridor": "#2980b9"}

#: Domino escalation probability classes: (lower bound [-], colour, label), most severe first.
PROBABILITY_CLASSES: tuple[tuple[float, str, str], ...] = (
    (0.9, "#b10026", "≥ 0.9"),
    (0.5, "#f03b20", "0.5 – 0.9"),
    (0.1, "#fd8d3c", "0.1 – 0.5"),
    (0.01, "#fecc5c", "0.01 – 0.1"),
    (0.0, "#9ecae1", "< 0.01"),
)
#: Underlay of escalation edges that cross from one enterprise to another.
CROSSING_COLOR = "#6a00d6"
#: Ring or marker of an accident source (initial event, release point).
SOURCE_COLOR = "#000000"

#: GB 36894 individual-risk criteria of a sensitive target: not met / met.
SITING_PASS_COLORS: dict[str, str] = {"不满足": "#d7191c", "满足": "#1a9641"}
#: Where a new installation may be placed: not suitable / suitable.
SITING_SUITABILITY_COLORS: dict[str, str] = {"不宜布置": "#d7191c", "可布置": "#1a9641"}

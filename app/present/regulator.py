"""The regulator's picture (issue 18): labels and colours of the 两重点一重大 map layer, of the enterprise
safety-risk colours as computed, and of where a score item's answer came from. Colours of the risk colours
themselves are :data:`app.present.grades.RISK_COLORS`; their labels the schema enum ``risk_color``.
"""

from __future__ import annotations

from typing import Any

from geodata import schema

__all__ = [
    "TWO_KEY_LEVELS_ZH",
    "TWO_KEY_COLORS",
    "ITEM_SOURCE_ZH",
    "LEG_LABELS_ZH",
    "colour_zh",
    "two_key_level",
]

#: How many of the three legs (key chemicals, key processes, major hazards) an enterprise involves -> label.
TWO_KEY_LEVELS_ZH: dict[int, str] = {3: "三项均涉及", 2: "涉及两项", 1: "涉及一项", 0: "均不涉及"}
#: Colours of those levels (most legs first: darkest).
TWO_KEY_COLORS: dict[int, str] = {3: "#7a0177", 2: "#c51b8a", 1: "#f768a1", 0: "#d9d9d9"}
#: The three legs.
LEG_LABELS_ZH: dict[str, str] = {
    "key_chemical": "重点监管危险化学品",
    "hazardous_process": "重点监管危险化工工艺",
    "major_hazard": "重大危险源",
}
#: Where the answer of a score item came from.
ITEM_SOURCE_ZH: dict[str, str] = {"data": "园区数据", "checklist": "核查表"}


def colour_zh(colour: Any) -> str:
    """Chinese label of a safety-risk colour (schema enum ``risk_color``), "—" when empty or unknown."""
    labels = schema.ENUM_LABELS_ZH["risk_color"]
    return labels.get(str(colour), "—")


def two_key_level(n_key_chemical_units: int, n_process_units: int, n_major_units: int) -> int:
    """The number of legs (0–3) an enterprise involves."""
    return int(n_key_chemical_units > 0) + int(n_process_units > 0) + int(n_major_units > 0)

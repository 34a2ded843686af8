"""Grades and statuses: enterprise safety-risk colours, GB 18218 major-hazard grades, rectification statuses and
closure-rate classes. Chinese labels of stored enumerations come from :data:`geodata.schema.ENUM_LABELS_ZH`; this
module adds the colours and the labels the schema does not hold.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import pandas as pd

__all__ = [
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
    "PARK_GRADE_COLORS",
    "rate_class",
]

#: Enterprise safety-risk colours (红/橙/黄/蓝, 2018 grading guide); labels: schema enum ``risk_color``.
RISK_COLORS: dict[str, str] = {"red": "#e02020", "orange": "#f7931e", "yellow": "#f2d024", "blue": "#1f6fd1"}

#: GB 18218-2018 major-hazard grades (R ≥ 100 一级 … < 10 四级).
MAJOR_HAZARD_GRADE_ZH: dict[int, str] = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}
NOT_MAJOR_HAZARD_ZH = "非重大危险源"
#: The GB 18218 units parkrisk groups an enterprise's installations into
#: (:func:`analysis.regulation.gb18218.park.hazard_unit_key`); a separate building keeps its own kind and id.
HAZARD_UNIT_GROUP_ZH: dict[str, str] = {
    "tank_farm": "常压储罐区",
    "pressure_storage": "压力储罐区",
    "production": "生产单元",
}


def hazard_unit_zh(key: Any) -> str:
    """Chinese name of a GB 18218 unit key: ``E01/tank_farm`` → ``E01 常压储罐区``, ``E08/warehouse:E08-W01`` →
    ``E08 仓库 E08-W01``. A unit the data named itself (``hazard_unit`` column) is shown as written; ``—`` for
    null."""
    from geodata.schema import ENUM_LABELS_ZH

    if key is None or (isinstance(key, float) and pd.isna(key)):
        return "—"
    enterprise, sep, group = str(key).partition("/")
    if not sep:
        return str(key)
    kind, sep, unit_id = group.partition(":")
    if sep:
        return f"{enterprise} {ENUM_LABELS_ZH['installation_kind'].get(kind, kind)} {unit_id}"
    return f"{enterprise} {HAZARD_UNIT_GROUP_ZH.get(group, group)}"


#: Map colour of each grade label, most severe first.
MAJOR_HAZARD_GRADE_COLORS: dict[str, str] = {
    "一级": "#b10026",
    "二级": "#fc4e2a",
    "三级": "#feb24c",
    "四级": "#4575b4",
    NOT_MAJOR_HAZARD_ZH: "#bdbdbd",
}


def major_hazard_grade_zh(grade: Any, *, missing: str = "—") -> str:
    """Chinese label of a major-hazard grade 1–4; ``missing`` for a null grade (not a major hazard)."""
    return missing if grade is None or pd.isna(grade) else MAJOR_HAZARD_GRADE_ZH[int(grade)]


#: Park safety-risk grades (应急〔2023〕123号, A 高 … D 较低; labels: analysis.regulation.park_grading.GRADE_LABELS_ZH)
#: on the region map, the enterprise colours' red-to-blue order; grey for a park without a grade.
PARK_GRADE_COLORS: dict[str, str] = {
    "A": "#e02020",
    "B": "#f7931e",
    "C": "#f2d024",
    "D": "#1f6fd1",
    "": "#9e9e9e",
}


#: Rectification status colours (web map, plan map, legends); labels: schema enum ``rectification_status``.
STATUS_COLORS: dict[str, str] = {
    "open": "#e41a1c",
    "in_progress": "#ff7f00",
    "awaiting_acceptance": "#377eb8",
    "closed": "#4daf4a",
}
#: Outline of overdue items that are not closed.
OVERDUE_COLOR = "#000000"


class RateClass(NamedTuple):
    """A closure-rate class: its label, its colour on the web map (drawn translucent) and its opaque fill in
    printed figures (the plan's static map)."""

    label: str
    color: str
    print_color: str


#: Closure-rate classes of enterprises, worst first.
RATE_CLASSES: dict[str, RateClass] = {
    "lt50": RateClass("整改率 < 50%", "#de2d26", "#fcae91"),
    "50_80": RateClass("50% ≤ 整改率 < 80%", "#fc9272", "#fdd49e"),
    "80_100": RateClass("80% ≤ 整改率 < 100%", "#fee0d2", "#ffffb2"),
    "100": RateClass("整改率 100%", "#31a354", "#c7e9c0"),
    "none": RateClass("无整改事项", "#bdbdbd", "#dddddd"),
}


def rate_class(rate: float) -> str:
    """Key of :data:`RATE_CLASSES` for a closure rate (fraction [-]; NaN = no items)."""
    if rate != rate:
        return "none"
    if rate < 0.5:
        return "lt50"
    if rate < 0.8:
        return "50_80"
    if rate < 1.0:
        return "80_100"
    return "100"

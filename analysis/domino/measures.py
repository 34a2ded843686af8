"""Measures that remove an escalation edge: more spacing, fire protection or blast protection of the target.

An edge exists because the load on the target reaches the escalation threshold of its category [1]_. It is removed
by moving the target out to the distance where the source's load falls to the threshold (``required_distance_m``,
read on the load profile), or by bringing the load on the target below the threshold: fixed water deluge cooling
or passive fire protection (coating, insulation) for heat radiation, a blast wall or blast-resistant reinforcement
for overpressure (``load_reduction`` = threshold / load).

References
----------
.. [1] Cozzani V., Gubinelli G., Salzano E. (2006). Escalation thresholds in the assessment of domino accidental
   events. J. Hazard. Mater. A129, 1–21.
"""

from __future__ import annotations

import math

import pandas as pd

from analysis.domino.models import EQUIPMENT_LABELS_ZH

#: Columns of :attr:`analysis.domino.DominoResult.measures`.
_MEASURE_COLUMNS: list[str] = [
    "source",
    "target",
    "scenario_zh",
    "vector_zh",
    "load",
    "load_unit",
    "threshold",
    "probability",
    "distance_m",
    "required_distance_m",
    "extra_distance_m",
    "load_reduction",
    "measure_zh",
    "crosses_enterprise",
]


def _measure_zh(vector: str, required_extra: float, load: float, thr: float, target_class: str) -> str:
    """The measure (Chinese) that removes one edge: ``required_extra`` more spacing [m] (when finite and > 0), or a
    load on the target below the threshold ``thr`` (``load`` and ``thr`` in W/m² or Pa)."""
    red = thr / load if load > 0 else 1.0
    if vector == "heat_flux":
        alt = (
            f"或设置固定水喷淋冷却/被动防火（防火涂层、隔热层），使目标表面热辐射降至 {thr / 1e3:.0f} kW/m² 以下"
            f"（削减至 {red * 100:.0f} %）"
        )
    else:
        alt = f"或设置防爆墙/对目标进行抗爆加固，使超压降至 {thr / 1e3:.0f} kPa 以下（削减至 {red * 100:.0f} %）"
    if math.isfinite(required_extra) and required_extra > 0:
        return f"将间距再增加 {required_extra:,.1f} m（{EQUIPMENT_LABELS_ZH[target_class]}阈值），{alt}"
    return alt


def _measures_table(edges) -> pd.DataFrame:
    """The edges (a GeoDataFrame of :func:`analysis.domino.loads._edge_table`) with the measure that removes each."""
    if len(edges):
        table = pd.DataFrame(edges.drop(columns="geometry"))
    else:
        table = pd.DataFrame(columns=[c for c in edges.columns if c != "geometry"])
    return table[_MEASURE_COLUMNS]

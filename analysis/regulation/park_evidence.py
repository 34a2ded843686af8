"""Evidence from the park data for the items of the park checklist (:mod:`analysis.regulation.park_grading`).

Each checklist row with a ``data_check`` key gets a suggestion (``符合`` / ``不符合`` / ``需核实``) and the evidence
behind it; the administrator still awards the points. Checks:

- ``no_residents``: sensitive targets of category residential or village inside the park boundary (parks layer)
  are residents (两禁, [1]_); schools, kindergartens, hospitals, nursing homes, markets, hotels and stadiums inside are
  listed as people-gathering places to verify;
- ``no_labour_intensive``: targets of category ``industrial`` inside the boundary are listed (the data do not say
  whether an enterprise is labour-intensive: 需核实);
- ``park_boundary``: the park polygon exists and is valid;
- ``safety_control_line``: the outermost individual-risk contour, when the caller passes contours (GeoDataFrame
  with a ``level`` column [1/a] and polygons), is offered as the basis of the control line;
- ``closed_management`` / ``hazmat_parking``: optional layers ``gates`` and ``parking`` when the park file carries
  them; otherwise 需核实.

References
----------
.. [1] 2022 年化工园区安全整治提升“十有两禁”, 2022.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from analysis._text import per_year_zh
from analysis.regulation.park_grading import load_park_checklist

__all__ = ["RESIDENT_CATEGORIES", "GATHERING_CATEGORIES", "prefill_evidence"]

RESIDENT_CATEGORIES: tuple[str, ...] = ("residential", "village")
GATHERING_CATEGORIES: tuple[str, ...] = (
    "school",
    "kindergarten",
    "hospital",
    "nursing_home",
    "market",
    "hotel",
    "stadium",
)


def _inside(park: Any) -> pd.DataFrame:
    """Sensitive targets intersecting the park polygons (metric CRS)."""
    parks = park.metric("parks")
    targets = park.metric("sensitive_targets")
    if parks.empty or targets.empty:
        return targets.iloc[0:0]
    boundary = parks.geometry.union_all()
    return targets[targets.geometry.intersects(boundary)]


def _names(df: pd.DataFrame) -> str:
    return "、".join(f"{n}（{i}）" for i, n in zip(df["target_id"], df["name"], strict=True))


def _residents(park: Any) -> tuple[str, str]:
    inside = _inside(park)
    res = inside[inside["category"].isin(RESIDENT_CATEGORIES)]
    gat = inside[inside["category"].isin(GATHERING_CATEGORIES)]
    if not res.empty:
        return "不符合", f"园区边界内有居民：{_names(res)}" + (
            f"；另有人员密集场所 {_names(gat)}" if len(gat) else ""
        )
    if not gat.empty:
        return "需核实", f"园区边界内无居民区、村庄，但有人员密集场所：{_names(gat)}"
    return "符合", "防护目标图层中园区边界内无居民区、村庄或人员密集场所"


def _labour(park: Any) -> tuple[str, str]:
    inside = _inside(park)
    ind = inside[inside["category"] == "industrial"]
    if ind.empty:
        return "需核实", "防护目标图层中园区边界内无其他工业企业；化工企业是否劳动密集型请核实"
    return "需核实", f"园区边界内有其他工业企业：{_names(ind)}；请核实是否劳动密集型企业"


def _boundary(park: Any) -> tuple[str, str]:
    parks = park.parks
    if parks.empty:
        return "不符合", "园区图层没有边界多边形"
    bad = parks[~parks.geometry.is_valid]
    if len(bad):
        return "需核实", f"园区边界几何无效：{'、'.join(map(str, bad['park_id']))}"
    area_km2 = float(park.metric("parks").geometry.area.sum()) / 1e6  # 1 km² = 1e6 m²
    return "符合", f"园区边界已划定，面积 {area_km2:.2f} km²（边界须经政府认定）"


def _control_line(ir_contours: Any) -> tuple[str, str]:
    if ir_contours is None or len(ir_contours) == 0:
        return "需核实", "未计算个人风险等值线；可在“个人风险”页计算后作为安全控制线划定依据"
    lowest = float(pd.to_numeric(ir_contours["level"]).min())
    ring = ir_contours[pd.to_numeric(ir_contours["level"]) == lowest]
    crs = ring.estimate_utm_crs() if ring.crs is not None and ring.crs.is_geographic else ring.crs
    area_km2 = float(ring.to_crs(crs).geometry.area.sum()) / 1e6
    return (
        "需核实",
        f"个人风险 {per_year_zh(lowest)} 等值线包围 {area_km2:.2f} km²，可作为周边土地规划安全控制线的依据（须经政府批准）",
    )


def _optional_layer(park: Any, name: str, what: str) -> tuple[str, str]:
    layer = park.layers.get(name)
    if layer is None or len(layer) == 0:
        return "需核实", f"园区数据没有“{name}”图层（{what}），请人工核实"
    return "符合", f"“{name}”图层有 {len(layer)} 处{what}"


def prefill_evidence(
    park: Any, *, ir_contours: Any = None, checklist: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Data evidence for the checklist items that have a ``data_check``.

    Parameters
    ----------
    park : geodata.park.Park
    ir_contours : GeoDataFrame, optional
        Individual-risk contours with a ``level`` column [1/a] (e.g. :func:`analysis.qra.contours.risk_contours`).
    checklist : DataFrame, optional
        :func:`analysis.regulation.park_grading.load_park_checklist` (default: the shipped checklist).

    Returns
    -------
    DataFrame
        ``item_id``, ``data_check``, ``suggestion`` (符合/不符合/需核实), ``evidence_zh``.
    """
    items = load_park_checklist() if checklist is None else checklist
    checks = {
        "no_residents": lambda: _residents(park),
        "no_labour_intensive": lambda: _labour(park),
        "park_boundary": lambda: _boundary(park),
        "safety_control_line": lambda: _control_line(ir_contours),
        "closed_management": lambda: _optional_layer(park, "gates", "门禁/出入口"),
        "hazmat_parking": lambda: _optional_layer(park, "parking", "危险化学品车辆停车场"),
    }
    rows = []
    for item_id, key in zip(items["item_id"], items["data_check"], strict=True):
        key = str(key or "").strip()
        if not key:
            continue
        if key not in checks:
            raise ValueError(
                f"条目 {item_id} 的数据核查项 data_check={key!r} 未知：可选 {sorted(checks)}，或留空"
            )
        suggestion, evidence = checks[key]()
        rows.append(
            {"item_id": item_id, "data_check": key, "suggestion": suggestion, "evidence_zh": evidence}
        )
    return pd.DataFrame(rows, columns=["item_id", "data_check", "suggestion", "evidence_zh"])

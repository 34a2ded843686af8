"""The tables of the page 应急疏散 in Chinese (units in the headings): zones beside the ERG distances, the ERG
comparison, the protective action per target, the routes and the assembly points.

Plain functions of :func:`analysis.emergency.plan`'s result (tests call them without Streamlit).
"""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd

from app.present.emergency import erg_label_zh, erg_period_zh, sig_round, sig_text

__all__ = ["zone_erg_table", "erg_table", "targets_display", "routes_display", "assembly_display"]


def zone_erg_table(result) -> pd.DataFrame:
    """Zone distances and the ERG distances side by side (Chinese headings, units in them)."""
    rows = []
    for r in result.toxic.itertuples():
        rows.append(
            {
                "分区": r.level,
                "阈值（mg/m³）": sig_round(r.threshold * 1e6),
                "本模型最远距离（m）": round(r.max_distance),
                "说明": r.label_zh,
            }
        )
    rows.append(
        {
            "分区": "初始隔离区",
            "阈值（mg/m³）": math.nan,
            "本模型最远距离（m）": float(result.isolation["radius_m"].iloc[0]),
            "说明": str(result.isolation["source"].iloc[0]),
        }
    )
    for r in result.fire.itertuples():
        rows.append(
            {
                "分区": f"{r.scenario_zh} {r.level}",
                "阈值（mg/m³）": math.nan,
                "本模型最远距离（m）": round(r.max_distance),
                "说明": r.label_zh,
            }
        )
    return pd.DataFrame(rows)


def erg_table(result) -> pd.DataFrame:
    """The ERG comparison in Chinese: the edition and table, the Table 3 container row and wind class, the distances
    and why that row (the container rule)."""
    from analysis.emergency.erg import ERG_WIND_CLASSES_ZH

    if result.erg.empty:
        return pd.DataFrame()
    e = result.erg
    return pd.DataFrame(
        {
            "ERG 版本": [erg_label_zh(r) for _, r in e.iterrows()],
            "泄漏规模": e["spill_size"].map({"small": "小量（< 208 L）", "large": "大量"}),
            "容器（表 3）": e["container_zh"].replace("", "—"),
            "风速等级": e["wind_class"].map(ERG_WIND_CLASSES_ZH).fillna("—"),
            "时段": e["period"].map(erg_period_zh),
            "ERG 初始隔离（m）": e["isolation_m"],
            "ERG 防护行动距离（m）": e["protective_action_m"],
            "本模型 AEGL-3（m）": e["model_aegl3_m"].round(),
            "本模型 AEGL-2（m）": e["model_aegl2_m"].round(),
            "AEGL-2 / ERG": e["ratio_aegl2_to_erg"].round(2),
            "数值核实": e["verified"].map({True: "已核实", False: "未能核实"}),
            "选行依据": e["note_zh"].replace("", "—"),
            "来源": e["source"],
        }
    )


def targets_display(targets: pd.DataFrame) -> pd.DataFrame:
    """The protective action of every target in Chinese (units in the headings), most urgent first: the level
    decided from the printed concentration, the times and doses that decided the recommendation, and the reason."""
    if targets is None or targets.empty:
        return pd.DataFrame()
    t = targets
    layer = {"sensitive_targets": "防护目标", "buildings": "园区建筑", "installations": "装置设施"}
    exit_min = (t["exit_time_s"].astype(float) / 60).round(1)
    return pd.DataFrame(
        {
            "优先级": t["priority"].map({1: "1 立即撤离", 2: "2 撤离", 3: "3 就地避险"}).fillna("—"),
            "图层": t["layer"].map(layer).fillna(t["layer"]),
            "编号": t["target_id"],
            "名称": t["name"],
            "类别": t["category_zh"],
            "所在区": t["level"],
            "浓度（mg/m³）": t["concentration_mg_m3"],
            "浓度（ppm）": t["concentration_ppm"],
            "人数（人）": t["population"],
            "烟云到达（min）": (t["arrival_s"] / 60).round(1),
            "烟云经过（min）": (t["duration_s"] / 60).round(1),
            "撤离所需（min）": exit_min.where(exit_min.map(math.isfinite), other=None),
            "室内剂量（mg·min/m³）": (t["indoor_dose_mg_s_m3"] / 60).map(sig_text),
            "剂量阈值（mg·min/m³）": (t["dose_threshold_mg_s_m3"] / 60).map(sig_text),
            "建议": t["recommendation_zh"],
            "集合点": t["assembly_id"].where(t["recommendation"] == "evacuate", other="—").fillna("—"),
            "理由": t["reason"],
        }
    )


def routes_display(routes: gpd.GeoDataFrame) -> pd.DataFrame:
    """Routes of the plan: length, the part inside the AEGL-2 zone and its band (a crosswind exit), travel time."""
    if routes is None or routes.empty:
        return pd.DataFrame()
    return pd.DataFrame(
        {
            "目标": routes["name"],
            "集合点": routes["assembly_id"].fillna("—（横风向撤出危险区）"),
            "路线长度（m）": routes["length_m"].round(),
            "区内出口段（m）": routes["length_in_zone_m"].round(),
            "行进时间（min）": (routes["travel_time_s"] / 60).round(1),
            "途经道路": routes["roads"],
        }
    )


def assembly_display(assembly: gpd.GeoDataFrame) -> pd.DataFrame:
    """Assembly points of the plan: distance and bearing from the source, capacity and the people sent there."""
    if assembly is None or assembly.empty:
        return pd.DataFrame()
    cap = assembly["capacity"] if "capacity" in assembly else pd.Series(math.nan, index=assembly.index)
    got = assembly["assigned"] if "assigned" in assembly else pd.Series(math.nan, index=assembly.index)
    return pd.DataFrame(
        {
            "编号": assembly["assembly_id"],
            "名称": assembly["name"],
            "距泄漏源（m）": assembly["distance_m"].round(),
            "方位（°）": assembly["bearing_deg"].round(),
            "容纳（人）": cap,
            "安排（人）": got,
            "超出容量": [
                "是" if pd.notna(c) and pd.notna(g) and float(g) > float(c) else ""
                for c, g in zip(cap, got, strict=True)
            ],
        }
    )

"""One converter per analysis kind: its result -> (layers in EPSG:4326, summary) for :mod:`geodata.results`.

Layers and columns as in /work/wave4_results_schema.md: every column a user reads is Chinese (``*_zh``) or a number
with its unit in the column name; the summary holds JSON-able figures, Chinese texts with units, and
``metrics_zh`` (label, value-with-unit pairs) and ``assumptions`` ([项目, 内容] rows) the pages show.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analysis._text import sci_zh as _sci_zh

__all__ = ["CONVERTERS", "sci_zh", "level_label_zh", "FIVE_ROOMS_VERDICT"]

WGS84 = "EPSG:4326"
#: siting_checks verdicts -> the map's three classes (ok / warn: blast-proof retrofit / fail: relocate)
FIVE_ROOMS_VERDICT = {"ok": "ok", "blast_proof": "warn", "relocate": "fail"}
_GRADE_ZH = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}


def sci_zh(v: float, digits: int = 2) -> str:
    """``3×10⁻⁷``, ``2.3×10⁻⁶`` (two significant figures by default): :func:`analysis._text.sci_zh`."""
    return _sci_zh(v, digits)


def level_label_zh(level: float) -> str:
    """``1×10⁻⁶/年``."""
    return f"{sci_zh(level)}/年"


def _wgs(gdf: gpd.GeoDataFrame, crs: Any) -> gpd.GeoDataFrame:
    out = gpd.GeoDataFrame(gdf, geometry=gdf.geometry.name, crs=gdf.crs or crs)
    return out.to_crs(WGS84).reset_index(drop=True)


def _num(v: Any) -> float | None:
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _names(park: Any, layer: str, id_col: str) -> dict[str, str]:
    frame = park.layers.get(layer)
    if frame is None or "name" not in frame:
        return {}
    return dict(zip(frame[id_col].astype(str), frame["name"].astype(str), strict=False))


# -- risk -----------------------------------------------------------------------------------------------------
def _risk(res: Any, park: Any) -> tuple[dict, dict]:
    from analysis.qra import individual as risk
    from analysis.qra.fn_settings import park_fn_criterion
    from analysis.regulation import siting_checks as scx
    from app.reports.risk_tables import assumptions_zh, region_zh
    from geodata.criteria import read_fn_criterion

    contours = risk.risk_contours(res)
    shown = contours[~contours.geometry.is_empty].copy()
    shown["label_zh"] = [level_label_zh(v) for v in shown["level"]]
    shown["area_km2"] = shown["area_m2"] / 1e6
    layer = _wgs(shown[["level", "label_zh", "area_km2", "geometry"]], res.crs)
    grid = np.asarray(res.grid, dtype=np.float32)
    xs, ys = res.cell_centres()
    boundary = park.layers["parks"].to_crs(res.crs).union_all() if len(park.layers["parks"]) else None
    inside = (
        shapely.contains_xy(boundary, *np.meshgrid(xs, ys))
        if boundary is not None
        else np.zeros(grid.shape, bool)
    )
    outside = grid[~inside]
    try:  # the F-N constants a user confirmed for this park, else GB 36894's (unconfirmed)
        crit = park_fn_criterion(read_fn_criterion(getattr(park, "source", None) or None))
    except ValueError:  # invalid stored constants (the risk page says so): the standard's lines
        crit = park_fn_criterion(None)
    soc = risk.societal_risk(res, criterion=crit)
    comp = scx.compliance(res, park)
    fails = comp[~comp["pass_new"].astype(bool)] if len(comp) else comp
    check = res.contour_check
    max_ir = float(grid.max()) if grid.size else 0.0
    max_out = float(outside.max()) if outside.size else 0.0
    summary = {
        "max_ir": max_ir,
        "max_ir_outside": max_out,
        "pll": _num(soc.pll),
        "contour_closed": bool(check["closed"]),
        "cut_statement_zh": str(check["statement_zh"]),
        "fn_verdict": str(soc.overall),
        "fn_verdict_zh": region_zh(soc.overall),
        "fn_criterion_confirmed": bool(getattr(crit, "confirmed", False)),
        "fn_curve": {"n": soc.curve.n.tolist(), "f": soc.curve.f.tolist()},
        "fn_curve_day": {"n": soc.curve_day.n.tolist(), "f": soc.curve_day.f.tolist()},
        "fn_curve_night": {"n": soc.curve_night.n.tolist(), "f": soc.curve_night.f.tolist()},
        "compliance": {
            "n_targets": int(len(comp)),
            "n_fail_new": int((~comp["pass_new"].astype(bool)).sum()) if len(comp) else 0,
            "n_fail_existing": int((~comp["pass_existing"].astype(bool)).sum()) if len(comp) else 0,
            "failing_zh": [
                f"{r.name}（{r.target_id}）：{sci_zh(r.individual_risk)}/年"
                for r in fails.itertuples(index=False)
            ],
        },
        "grid_transform": [float(v) for v in tuple(res.transform)[:6]],
        "grid_crs": res.crs.to_wkt(),
        "grid_shape": list(grid.shape),
        "resolution_m": float(res.resolution),
        "assumptions": assumptions_zh(res, crit).astype(str).values.tolist(),
        "metrics_zh": [
            ["最大个人风险", f"{sci_zh(max_ir)} /年"],
            ["园区边界外最大个人风险", f"{sci_zh(max_out)} /年"],
            ["潜在生命损失 PLL", f"{sci_zh(soc.pll)} 人/年"],
            ["社会风险", region_zh(soc.overall)],
            ["网格", f"{grid.shape[1]} × {grid.shape[0]}（{res.resolution:g} m）"],
        ],
        "_grid": grid,
    }
    return {"contours": layer}, summary


# -- domino ---------------------------------------------------------------------------------------------------
def _centroids(park: Any, crs: Any) -> dict[str, Any]:
    inst = park.layers["installations"]
    cents = inst.to_crs(crs).geometry.centroid
    return dict(zip(inst["unit_id"].astype(str), cents, strict=False))


def _domino(result: Any, park: Any) -> tuple[dict, dict]:
    from analysis.domino import PRIMARY_LABELS_ZH

    cents = _centroids(park, result.crs)
    e = result.edges
    if len(e):
        e = e.loc[e.groupby(["source", "target"])["probability"].idxmax()]
        e = e.sort_values("probability", ascending=False, kind="stable").reset_index(drop=True)
    lines = [
        shapely.LineString([cents[str(s)], cents[str(t)]]) if str(s) in cents and str(t) in cents else geom
        for s, t, geom in zip(e["source"], e["target"], e.geometry, strict=True)
    ]
    edges = gpd.GeoDataFrame(
        {
            "source_id": e["source"].astype(str).to_numpy(),
            "target_id": e["target"].astype(str).to_numpy(),
            "scenario_zh": [PRIMARY_LABELS_ZH.get(str(k), str(k)) for k in e["scenario"]],
            "probability": e["probability"].astype(float).to_numpy(),
            "load": e["load"].astype(float).to_numpy(),
            "load_unit": e["load_unit"].astype(str).to_numpy(),
            "vector_zh": e["vector_zh"].astype(str).to_numpy(),
            "distance_m": e["distance_m"].astype(float).to_numpy(),
            "across_fence": e["crosses_enterprise"].astype(bool).to_numpy(),
            "measure_zh": e["measure_zh"].astype(str).to_numpy(),
            "rank": np.arange(1, len(e) + 1, dtype="int64"),
        },
        geometry=gpd.GeoSeries(lines, crs=result.crs),
        crs=result.crs,
    )
    r = result.ranking
    hubs_src = r[r["out_degree"] > 0].sort_values("hub_rank", kind="stable")
    hubs = gpd.GeoDataFrame(
        {
            "unit_id": hubs_src["unit_id"].astype(str).to_numpy(),
            "name_zh": hubs_src["name"].astype(str).to_numpy(),
            "score": hubs_src["expected_units_lost"].astype(float).to_numpy(),
            "hub_rank": hubs_src["hub_rank"].astype("int64").to_numpy(),
            "out_degree": hubs_src["out_degree"].astype("int64").to_numpy(),
        },
        geometry=gpd.GeoSeries([cents.get(str(u)) for u in hubs_src["unit_id"]], crs=result.crs),
        crs=result.crs,
    )
    pe = result.primary_events
    worst = float(pe["expected_total"].max()) if len(pe) else 0.0
    crossing = int(edges["across_fence"].sum())
    summary = {
        "n_edges": int(len(result.edges)),
        "n_unit_edges": int(len(edges)),
        "n_across_fence": crossing,
        "n_primary_events": int(len(pe)),
        "max_expected_units_lost": worst,
        "model": str(result.options.model),
        "assumptions": [
            ["升级阈值", "Cozzani 等 2006"],
            ["升级概率模型", str(result.options.model)],
            ["最大升级层级", f"{result.options.max_level} 级"],
            ["蒙特卡洛抽样", f"{result.options.n_samples} 次/初始事件"],
        ],
        "metrics_zh": [
            ["升级边（设施对）", f"{len(edges)} 条"],
            ["跨企业升级边", f"{crossing} 条"],
            ["可引发升级的初始事件", f"{len(pe)} 个"],
            ["单一初始事件最多预计损失", f"{worst:.1f} 个设施"],
        ],
    }
    return {"edges": _wgs(edges, result.crs), "hubs": _wgs(hubs, result.crs)}, summary


# -- five rooms -----------------------------------------------------------------------------------------------
def _five_rooms(table: pd.DataFrame, park: Any) -> tuple[dict, dict]:
    b = park.layers["buildings"][["building_id", "geometry"]]
    t = table.merge(b, on="building_id", how="left")
    over = t["overpressure"].astype(float)
    flux = t["heat_flux"].astype(float)
    use_load = over >= 0
    buildings = gpd.GeoDataFrame(
        {
            "building_id": t["building_id"].astype(str),
            "name": t["name"].astype(str),
            "verdict": [FIVE_ROOMS_VERDICT.get(str(v), "fail") for v in t["verdict"]],
            "verdict_zh": t["verdict_zh"].astype(str),
            "load": np.where(use_load, over / 1e3, flux / 1e3),
            "load_unit": np.where(use_load, "kPa", "kW/m²"),
            "overpressure_kpa": over / 1e3,
            "heat_flux_kw_m2": flux / 1e3,
            "reason_zh": t["reason_zh"].astype(str),
        },
        geometry=gpd.GeoSeries(t["geometry"].to_numpy(), crs=WGS84),
        crs=WGS84,
    )
    buildings = buildings[~buildings.geometry.isna()].reset_index(drop=True)
    bad = int((buildings["verdict"] != "ok").sum())
    summary = {
        "n_buildings": int(len(buildings)),
        "n_relocate": int((buildings["verdict"] == "fail").sum()),
        "n_blast_proof": int((buildings["verdict"] == "warn").sum()),
        "assumptions": [["判据", "GB 50779-2012 抗爆设计荷载 21 kPa / 6.9 kPa，热辐射 12.5 kW/m²"]],
        "metrics_zh": [["校核建筑", f"{len(buildings)} 栋"], ["需搬迁或抗爆改造", f"{bad} 栋"]],
    }
    return {"buildings": buildings}, summary


# -- major hazards --------------------------------------------------------------------------------------------
def _major_hazards(result: tuple[pd.DataFrame, pd.DataFrame], park: Any) -> tuple[dict, dict]:
    from app.present import hazard_unit_zh  # E01/tank_farm -> E01 常压储罐区

    units, ent = result
    inst = park.layers["installations"]
    geom_of = dict(zip(inst["unit_id"].astype(str), inst.geometry, strict=False))
    major = units[units["is_major"].astype(bool)]
    geoms, grades = [], []
    for r in major.itertuples(index=False):
        ids = (
            r.unit_ids if isinstance(r.unit_ids, list | tuple) else str(r.unit_ids).replace(",", " ").split()
        )
        parts = [geom_of[str(i)] for i in ids if str(i) in geom_of]
        geoms.append(shapely.union_all(parts) if parts else None)
        grades.append(_GRADE_ZH.get(int(r.grade), "") if _num(r.grade) is not None else "")
    layer = gpd.GeoDataFrame(
        {
            "unit_id": major["unit"].astype(str).to_numpy(),
            "unit_zh": [hazard_unit_zh(u) for u in major["unit"]],
            "installation_ids": [
                " ".join(map(str, v)) if isinstance(v, list | tuple) else str(v) for v in major["unit_ids"]
            ],
            "enterprise_id": major["enterprise_id"].astype(str).to_numpy(),
            "enterprise_zh": [
                _names(park, "enterprises", "enterprise_id").get(str(e), str(e))
                for e in major["enterprise_id"]
            ],
            "grade": grades,
            "r_value": major["R"].astype(float).to_numpy(),
            "s_value": major["S"].astype(float).to_numpy(),
        },
        geometry=gpd.GeoSeries(geoms, crs=WGS84),
        crs=WGS84,
    )
    counts = {g: int((layer["grade"] == g).sum()) for g in _GRADE_ZH.values()}
    summary = {
        "n_units": int(len(units)),
        "n_major": int(len(layer)),
        "by_grade": counts,
        "n_enterprises": int((ent["n_major_units"] > 0).sum()),
        "assumptions": [["依据", "GB 18218-2018：S = Σ qᵢ/Qᵢ ≥ 1 为重大危险源；R = α Σ βᵢ qᵢ/Qᵢ 分级"]],
        "metrics_zh": [
            ["辨识单元", f"{len(units)} 个"],
            ["重大危险源", f"{len(layer)} 个"],
            ["一级重大危险源", f"{counts['一级']} 个"],
            ["涉及企业", f"{int((ent['n_major_units'] > 0).sum())} 家"],
        ],
    }
    return {"units": layer}, summary


# -- pipelines HCA --------------------------------------------------------------------------------------------
def _hca(a: Any, park: Any) -> tuple[dict, dict]:
    h = a.hca
    crs = h.crs or park.metric_crs
    pir = h["pir_m"].astype(float).fillna(200.0).clip(lower=1.0) if len(h) else pd.Series(dtype=float)
    areas = gpd.GeoDataFrame(
        {
            "pipeline_id": h["pipeline_id"].astype(str).to_numpy(),
            "segment_id": h["hca_id"].astype(str).to_numpy(),
            "name": h["name"].astype(str).to_numpy(),
            "grade": h["hca_grade"].astype("int64").to_numpy(),
            "class_zh": h["hca_grade_zh"].astype(str).to_numpy(),
            "length_m": h["length_m"].astype(float).to_numpy(),
            "pir_m": h["pir_m"].astype(float).to_numpy(),
            "rules_zh": h["hca_rules_zh"].astype(str).to_numpy(),
        },
        geometry=gpd.GeoSeries(h.geometry.buffer(pir.to_numpy()).to_numpy(), crs=crs),
        crs=crs,
    )
    total = float(areas["length_m"].sum()) if len(areas) else 0.0
    summary = {
        "n_hca": int(len(areas)),
        "hca_length_m": total,
        "assumptions": [["依据", "GB 32167-2015 第 6.1 条表 1；面为高后果区管段两侧潜在影响半径范围"]],
        "metrics_zh": [["高后果区管段", f"{len(areas)} 段"], ["高后果区总长", f"{total:,.0f} m"]],
    }
    return {"areas": _wgs(areas, crs)}, summary


# -- emergency ------------------------------------------------------------------------------------------------
def _ppm(z: pd.DataFrame, substance: str) -> np.ndarray:
    """The toxic thresholds of the zones in ppm (ideal gas at the ppm reference temperature of the substance
    tables, :func:`analysis.physics.substances.ppm_to_kg_m3`); NaN for zones that are not concentrations."""
    from analysis.physics import substances

    out = np.full(len(z), np.nan)
    if "threshold" not in z or "unit" not in z:
        return out
    try:
        per_ppm = float(substances.ppm_to_kg_m3(1.0, substances.get(substance).molar_mass))
    except (KeyError, ValueError):
        return out
    conc = (z["unit"].astype(str) == "kg/m³").to_numpy()
    out[conc] = z["threshold"].astype(float).to_numpy()[conc] / per_ppm
    return out


def _emergency(plan: Any, park: Any) -> tuple[dict, dict]:
    from app.present.emergency import beijing_text

    res = plan.result
    crs = res.crs
    z = getattr(plan, "zones", None)
    if z is None:  # zones only (a release on a pipeline or at a point): the toxic zones, else the fire zones
        z = res.toxic if len(res.toxic) else res.fire
    zones = gpd.GeoDataFrame(
        {
            "level": z["level"].astype(str).to_numpy(),
            "level_zh": (z["label_zh"] if "label_zh" in z else z["level"]).astype(str).to_numpy(),
            "concentration_ppm": _ppm(z, res.source.substance),
            "distance_m": z["max_distance"].astype(float).to_numpy() if "max_distance" in z else np.nan,
        },
        geometry=gpd.GeoSeries(z.geometry.to_numpy(), crs=crs),
        crs=crs,
    )
    layers = {"zones": _wgs(zones, crs)}
    routes = getattr(plan, "routes", None)
    if routes is not None and len(routes):
        layers["routes"] = _wgs(
            gpd.GeoDataFrame(
                {
                    "target_name": routes["name"].astype(str).to_numpy(),
                    "action_zh": [
                        {"evacuate": "疏散", "shelter": "就地避险"}.get(str(v), "无需行动")
                        for v in routes["recommendation"]
                    ],
                    "assembly_id": routes["assembly_id"].astype(str).to_numpy(),
                    "length_m": routes["length_m"].astype(float).to_numpy(),
                },
                geometry=gpd.GeoSeries(routes.geometry.to_numpy(), crs=crs),
                crs=crs,
            ),
            crs,
        )
    asm = getattr(plan, "assembly", None)
    if asm is not None and len(asm):
        layers["assembly_points"] = _wgs(
            gpd.GeoDataFrame(
                {
                    "assembly_id": asm["assembly_id"].astype(str).to_numpy(),
                    "name": asm["name"].astype(str).to_numpy(),
                    "capacity": asm["capacity"].astype(float).to_numpy(),
                    "assigned": asm["assigned"].astype(float).to_numpy(),
                },
                geometry=gpd.GeoSeries(asm.geometry.to_numpy(), crs=crs),
                crs=crs,
            ),
            crs,
        )
    src, w = res.source, res.weather
    when = getattr(plan, "time", None)
    targets = getattr(plan, "targets", None)
    n_evac = (
        int((targets["recommendation"] == "evacuate").sum()) if targets is not None and len(targets) else 0
    )
    far = float(zones["distance_m"].max()) if len(zones) else 0.0
    summary = {
        "substance_zh": str(src.substance),
        "source_zh": str(getattr(src, "label_zh", src.source_id)),
        "source_id": str(src.source_id),
        "wind_from_deg": float(w.wind_from_deg),
        "wind_speed": float(w.wind_speed),
        "stability": str(getattr(plan, "stability", w.stability)),
        "computed_for": beijing_text(when) if when is not None else "—",
        # how the release was derived (substance, inventory, release rate): redacted for users without read_sensitive
        "source_term_zh": str(z["assumptions"].iloc[0]) if "assumptions" in z and len(z) else "",
        "assumptions": [["假设", str(a)] for a in getattr(plan, "assumptions", ())],
        "metrics_zh": [
            ["泄漏源", f"{getattr(src, 'label_zh', src.source_id)}（{src.substance}）"],
            ["风向 / 风速", f"{w.wind_from_deg:g}° / {w.wind_speed:g} m/s，稳定度 {w.stability}"],
            ["最远影响距离", f"{far:,.0f} m"],
            ["需疏散目标", f"{n_evac} 个"],
        ],
    }
    return layers, summary


CONVERTERS: dict[str, Callable[[Any, Any], tuple[dict, dict]]] = {
    "risk": _risk,
    "domino": _domino,
    "five_rooms": _five_rooms,
    "major_hazards": _major_hazards,
    "hca": _hca,
    "emergency": _emergency,
}

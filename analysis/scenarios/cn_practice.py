"""Threat zones of a vapour-cloud explosion by the method of Chinese safety-assessment practice (国内安全评价常用方法).

The cloud's flammable mass comes from the same source term and dispersion as the scenario's VCE effect field
(:func:`analysis.scenarios.effect_field`); the TNT mass is ``1.8 α W_f Q_f / Q_TNT``
(:func:`analysis.physics.explosion.tnt_equivalent_mass_cn`) and the four zones are circles around the release source
with the death, serious-injury, light-injury and property-damage radii of :mod:`analysis.physics.explosion_cn`.
The result has the columns of :func:`analysis.scenarios.zones.threat_zones`, so maps, tables and
:func:`analysis.scenarios.zones.affected` take it unchanged.

References
----------
.. [1] See :mod:`analysis.physics.explosion_cn` (formulas and the published Chinese worked examples they are
   checked against) and :func:`analysis.physics.explosion.tnt_equivalent_mass_cn`.
"""

from __future__ import annotations

import math

import geopandas as gpd
from shapely.geometry import Point

from analysis.errors import ScenarioNotApplicableError
from analysis.physics import explosion as ex
from analysis.physics import explosion_cn as cn

__all__ = ["CN_PRACTICE_LEVELS", "CN_PRACTICE_SOURCE_ZH", "cn_practice_zones", "cn_practice_zones_for_unit"]

CN_PRACTICE_SOURCE_ZH = (
    "国内安全评价常用方法（TNT 当量法，W_TNT = 1.8αW_fQ_f/Q_TNT；死亡半径 R₀.₅ = 13.6(W_TNT/1000)^0.37，"
    "重伤/轻伤半径按 ΔP = 44/17 kPa，财产损失半径 4.6W^{1/3}/[1+(3175/W)²]^{1/6}；公式经公开算例核对，"
    "教材出处未核对）"
)
#: (level, Chinese meaning, overpressure at the edge [Pa] or NaN, key of cn_practice_radii), most severe first.
CN_PRACTICE_LEVELS: tuple[tuple[str, str, float, str], ...] = (
    ("死亡区", "死亡半径 R₀.₅：区内人员按全部死亡计（死亡概率 50% 的边界）", math.nan, "death"),
    ("重伤区", "重伤半径：冲击波超压 44 kPa", cn.CN_SERIOUS_INJURY_OVERPRESSURE, "serious_injury"),
    ("轻伤区", "轻伤（耳膜破裂）半径：冲击波超压 17 kPa", cn.CN_LIGHT_INJURY_OVERPRESSURE, "light_injury"),
    ("财产损失区", "财产损失半径（K = 4.6）", math.nan, "property_damage"),
)


def cn_practice_zones(source, scenario, weather, *, crs, field=None) -> gpd.GeoDataFrame:
    """Death, serious-injury, light-injury and property-damage zones of a VCE by Chinese practice.

    Parameters
    ----------
    source : analysis.scenarios.ReleaseSource or mapping
        As for :func:`analysis.scenarios.zones.threat_zones` (metric CRS).
    scenario : analysis.scenarios.Scenario
        Kind ``"vce"``; its ``yield_factor`` (None -> 0.04) is α.
    weather : analysis.scenarios.Weather
    crs : pyproj.CRS or str
        The metric CRS of the source geometry.
    field : analysis.scenarios.EffectField, optional
        The VCE field already built for this source, scenario and weather.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns of :func:`analysis.scenarios.zones.threat_zones` (``quantity`` "overpressure", ``threshold`` the
        edge overpressure [Pa] or NaN for the death and property radii, which are not overpressure levels), one
        circle per level; ``attrs["tnt_mass"]`` [kg] and ``attrs["radii"]`` [m] as well.

    Raises
    ------
    ScenarioNotApplicableError
        When the scenario is not a vapour-cloud explosion.
    """
    from analysis import scenarios as _sc
    from analysis.scenarios.zones import _check_metric

    if scenario.kind != "vce":
        raise ScenarioNotApplicableError(
            f"scenario 事故情景={scenario.kind!r}：国内安全评价常用方法（TNT 当量法）只用于蒸气云爆炸 'vce'，"
            "请选择蒸气云爆炸情景 (the Chinese-practice radii apply to a VCE only)"
        )
    metric = _check_metric(crs)
    f = field if field is not None else _sc.effect_field(source, scenario, weather)
    fuel = float(f.model["fuel_mass"])
    alpha = scenario.yield_factor if scenario.yield_factor is not None else ex.CN_PRACTICE_YIELD_FACTOR
    w = float(ex.tnt_equivalent_mass_cn(fuel, f.source.substance.heat_of_combustion, yield_factor=alpha))
    radii = cn.cn_practice_radii(w)
    notes = [
        *f.assumptions,
        f"国内安全评价常用方法：参与爆炸的可燃物 {fuel:,.0f} kg，α = {alpha:g}，地面爆炸系数 1.8，"
        f"Q_TNT = {ex.CN_PRACTICE_TNT_ENERGY / 1e6:g} MJ/kg，TNT 当量 {w:,.0f} kg；爆炸中心取泄漏源，各区为圆形",
    ]
    x0, y0 = f.origin
    rows = []
    for level, label, threshold, key in CN_PRACTICE_LEVELS:
        r = radii[key]
        geom = Point(x0, y0).buffer(r, 256) if r > 0 else Point(x0, y0).buffer(0.0)
        rows.append(
            {
                "unit_id": f.unit_id,
                "scenario": scenario.kind,
                "scenario_zh": scenario.label_zh,
                "level": level,
                "label_zh": label,
                "quantity": "overpressure",
                "threshold": threshold,
                "unit": "Pa",
                "max_distance": r,
                "area_m2": float(geom.area),
                "resolution_m": 2.0 * math.pi * r / 1024.0,  # chord of the 1024-gon
                "truncated": False,
                "source": CN_PRACTICE_SOURCE_ZH,
                "assumptions": "\n".join(notes),
                "geometry": geom,
            }
        )
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=metric)
    gdf.attrs["assumptions"] = notes
    gdf.attrs["weather"] = weather.describe_zh()
    gdf.attrs["unit_id"] = f.unit_id
    gdf.attrs["tnt_mass"] = w
    gdf.attrs["radii"] = radii
    return gdf


def cn_practice_zones_for_unit(park, unit_id: str, scenario, weather) -> gpd.GeoDataFrame:
    """:func:`cn_practice_zones` for the installation ``unit_id`` of a :class:`geodata.Park` (metric CRS).

    Raises
    ------
    ValueError
        Unknown ``unit_id`` (the message lists known ids) or a scenario other than ``"vce"``.
    """
    inst = park.metric("installations")
    hit = inst[inst["unit_id"].astype(str) == str(unit_id)]
    if hit.empty:
        known = inst["unit_id"].astype(str).tolist()
        shown = ", ".join(known[:20]) + (" …" if len(known) > 20 else "")
        raise ValueError(
            f"unit_id 设施编号={unit_id!r} 不存在；园区中的设施编号有：{shown} (unknown unit id)"
        )
    return cn_practice_zones(hit.iloc[0], scenario, weather, crs=park.metric_crs)

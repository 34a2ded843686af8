"""Who is affected by a release and what they should do: the targets inside the zones, the cloud's arrival time,
the concentration, dose and probability of death there, and the protective action (evacuate or shelter in place).

:func:`affected_targets` lists sensitive targets, buildings and installations inside the toxic zones of an
:class:`analysis.emergency.zones.EmergencyResult` (with the wind-direction band) with their population at the
given time (day = sunrise to sunset, :func:`analysis.weather.is_daytime`) and a recommendation with its reason
(ERG protective actions [1]_).

References
----------
.. [1] US DOT PHMSA, Transport Canada, SCT Mexico (2020). Emergency Response Guidebook 2020 (ERG 2020): the white
       pages on protective actions (evacuation, shelter in place; day = sunrise to sunset).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Point

from analysis.emergency.zones import EmergencyResult
from analysis.physics import substances
from analysis.scenarios import zones as zn
from analysis.weather import DEFAULT_DAY_HOURS, is_daytime

__all__ = ["DEFAULT_EVACUATION_TIME_S", "RECOMMENDATIONS_ZH", "affected_targets"]

#: Time needed to warn and move people out of a target, used to choose between evacuation and shelter in place
#: (an assumption the user sets: ERG [1]_ gives no number). [s]
DEFAULT_EVACUATION_TIME_S = 1200.0

_BASE_COLUMNS = zn.AFFECTED_COLUMNS
_AFFECTED_EXTRA = [
    "protection_class",
    "population",
    "in_centre_zone",
    "nearest_m",
    "arrival_time_s",
    "concentration_kg_m3",
    "exposure_time_s",
    "toxic_load",
    "probability_of_death",
    "recommendation",
    "recommendation_zh",
    "reason_zh",
]
_NON_AMBULATORY = {"hospital", "nursing_home", "kindergarten"}
#: Recommendations and their Chinese labels.
RECOMMENDATIONS_ZH: dict[str, str] = {"evacuate": "撤离", "shelter": "就地避险", "none": "无人员，禁止进入"}


def _worst_point_values(result: EmergencyResult, geoms) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nearest distance from the source, and the concentration / probability of death at the worst point of each
    geometry when the wind may turn by up to the band's half-angle towards it (one vectorised field call)."""
    f = result.field
    ox, oy = f.origin
    b = math.radians(result.weather.downwind_bearing_deg)
    half = math.radians(result.uncertainty_half_angle_deg)
    src = Point(ox, oy)
    pts, owner = [], []
    for k, g in enumerate(geoms):
        near_pt = shapely.get_coordinates(shapely.shortest_line(src, g))[-1:]
        coords = shapely.get_coordinates(g.boundary if g.geom_type.endswith("Polygon") else g)
        if len(coords) > 64:
            coords = coords[:: int(math.ceil(len(coords) / 64))]
        p = np.vstack([near_pt, np.asarray(g.centroid.coords)[:, :2], coords[:, :2]])
        pts.append(p)
        owner.append(np.full(len(p), k))
    p = np.vstack(pts) - np.array([ox, oy])
    owner = np.concatenate(owner)
    r = np.hypot(p[:, 0], p[:, 1])
    phi = np.arctan2(p[:, 0], p[:, 1])  # bearing of the point from the source (clockwise from north)
    d = (phi - b + np.pi) % (2 * np.pi) - np.pi  # angle off the downwind axis
    d_eff = np.sign(d) * np.maximum(np.abs(d) - half, 0.0)  # the wind turned towards the point
    x = r * np.sin(b + d_eff)
    y = r * np.cos(b + d_eff)
    c = np.asarray(f.concentration(x, y), dtype=float)
    n = len(geoms)
    near = np.full(n, np.inf)
    np.minimum.at(near, owner, r)
    # index of the largest concentration of each geometry
    order = np.lexsort((c, owner))
    last = np.r_[np.flatnonzero(np.diff(owner[order])), len(order) - 1]
    best = order[last]
    conc = c[best]
    if f.substance.probit is not None:
        pdeath = np.asarray(f.probability_of_death(x[best], y[best]), dtype=float).ravel()
    else:
        pdeath = np.full(n, math.nan)
    return near, conc, pdeath


def _feature_lookup(park) -> dict[str, dict[str, object]]:
    """{layer: {feature id: row}} of the layers :func:`analysis.scenarios.zones.affected` reports (metric CRS)."""
    ids = {"sensitive_targets": "target_id", "buildings": "building_id", "installations": "unit_id"}
    out = {}
    for layer, col in ids.items():
        g = park.metric(layer)
        out[layer] = (
            {}
            if g is None
            else {str(k): r for k, (_, r) in zip(g[col].astype(str), g.iterrows(), strict=True)}
        )
    return out


def _population(table: pd.DataFrame, daytime: bool) -> pd.arrays.IntegerArray:
    """People at each feature: ``population_day`` or ``population_night`` of a target by the time of day,
    ``occupants`` of a building (rounded, nullable integers). [人]"""
    pop = np.where(
        daytime, table["population_day"].astype("Float64"), table["population_night"].astype("Float64")
    )
    return (
        pd.array(
            np.where(table["layer"] == "buildings", table["occupants"].astype("Float64"), pop),
            dtype="Float64",
        )
        .round()
        .astype("Int64")
    )


def _toxic_load(conc: np.ndarray, sub, t_exp: float) -> np.ndarray | float:
    """Toxic load Cⁿ·t in the units of the substance's probit (ppmⁿ·min or (mg/m³)ⁿ·min) for concentrations
    ``conc`` [kg/m³] held for ``t_exp`` [s]; NaN when the substance has no probit or the time is unknown."""
    probit = sub.probit
    if probit is None or not math.isfinite(t_exp):
        return math.nan
    if probit.concentration_unit == "mg/m3":
        c_units = conc * 1e6  # kg/m³ -> mg/m³
    else:
        c_units = conc / np.asarray(substances.ppm_to_kg_m3(1.0, sub.molar_mass))  # kg/m³ -> ppm
    t_units = t_exp / 60.0 if probit.time_unit == "min" else t_exp
    return c_units**probit.n * t_units


def affected_targets(
    result: EmergencyResult,
    park,
    *,
    time_of_day="22:00",
    evacuation_time_s: float = DEFAULT_EVACUATION_TIME_S,
    day_hours: tuple[float, float] = DEFAULT_DAY_HOURS,
) -> pd.DataFrame:
    """Sensitive targets, buildings and installations inside the toxic zones (with the uncertainty band).

    Listing: :func:`analysis.scenarios.zones.affected` on the band polygons (each feature once, under the most severe zone
    it touches). Added here:

    - ``population`` [人]: ``population_day`` or ``population_night`` of a target by the time given (ERG [1]_:
      day = sunrise to sunset, approximated by ``day_hours``); ``occupants`` of a building;
    - ``in_centre_zone``: inside the zone for the reported wind direction (not only in the band);
    - ``arrival_time_s`` [s]: nearest distance from the source / wind speed — both the Gaussian and the
      Britter-McQuaid models carry the cloud at the 10 m wind speed (the models' own transport);
    - ``concentration_kg_m3`` [kg/m³]: largest concentration at the feature (nearest point, centroid and outline)
      with the wind turned towards it within the band; a target's or building's ``level`` is the most severe one
      whose threshold that concentration, rounded to the 3 significant digits printed, reaches (a feature that
      reaches none is not listed), so the level always agrees with the printed value; ``exposure_time_s`` [s] and ``toxic_load``
      (Cⁿ·t in the probit's units, ppmⁿ·min, when the substance has a probit); ``probability_of_death`` [-]
      outdoors, from :meth:`analysis.scenarios.EffectField.probability_of_death` (toxic probit);
    - ``recommendation`` ("evacuate" | "shelter" | "none") with ``reason_zh``, by these rules (ERG [1]_
      protective actions: shelter in place when evacuation cannot be completed before the cloud arrives or would
      expose people more, e.g. a short puff or people who cannot be moved quickly; evacuate when there is time and
      the exposure would be serious):

      0. nobody there at this time (population 0) → "none" (keep people out);
      1. arrival before ``evacuation_time_s`` → shelter (close windows and doors, stop ventilation);
      2. instantaneous release (a puff passing in minutes) → shelter;
      3. hospital, nursing home or kindergarten outside the AEGL-3 zone → shelter (moving them exposes them more);
      4. AEGL-3 or AEGL-2 zone with time to spare → evacuate;
      5. AEGL-1 zone → shelter (discomfort, reversible effects).

    Parameters
    ----------
    result : EmergencyResult
    park : geodata.Park
    time_of_day : str or datetime.time
    evacuation_time_s : float
        Time needed to warn and clear a target (assumption). [s]
    day_hours : (float, float)
        [h]

    Returns
    -------
    pandas.DataFrame
        Columns of :func:`analysis.scenarios.zones.affected` plus those listed above, sorted by arrival time.
    """
    if result.field is None or result.band.empty:
        return pd.DataFrame(columns=_BASE_COLUMNS + _AFFECTED_EXTRA)
    if not (math.isfinite(evacuation_time_s) and evacuation_time_s >= 0):
        raise ValueError(f"evacuation_time_s 疏散所需时间={evacuation_time_s!r} 应为非负数 [s]")
    daytime = is_daytime(time_of_day, day_hours=day_hours)
    band = result.band.copy()
    band["unit_id"] = result.source.source_id
    band.attrs["unit_id"] = band["unit_id"].iloc[0]
    table = zn.affected(band, park)
    if table.empty:
        return pd.DataFrame(columns=_BASE_COLUMNS + _AFFECTED_EXTRA)
    lookup = _feature_lookup(park)
    feats = [lookup[r.layer][r.feature_id] for r in table.itertuples()]
    geoms = [f_.geometry for f_ in feats]
    pclass = [
        str(f_.get("protection_class", "")) if r.layer == "sensitive_targets" else ""
        for f_, r in zip(feats, table.itertuples(), strict=True)
    ]
    near, conc, pdeath = _worst_point_values(result, geoms)
    # The level follows from the concentration printed (3 significant digits), never from the polygon alone, so
    # the table agrees with itself; installations keep the zone they touch (no concentration is printed for them).
    levels = [(str(z.level), float(z.threshold) * 1e6, str(z.label_zh)) for z in result.toxic.itertuples()]
    mg = np.array([float(f"{v:.3g}") for v in conc * 1e6])
    by_c = [next(((n, lab) for n, thr, lab in levels if thr > 0 and v >= thr), None) for v in mg]
    keep = np.array(
        [b is not None or r.layer == "installations" for b, r in zip(by_c, table.itertuples(), strict=True)]
    )
    table.loc[:, "level"] = [
        b[0] if b is not None else lv for b, lv in zip(by_c, table["level"], strict=True)
    ]
    table.loc[:, "label_zh"] = [
        b[1] if b is not None else lab for b, lab in zip(by_c, table["label_zh"], strict=True)
    ]
    table = table[keep].reset_index(drop=True)
    geoms = [g for g, k in zip(geoms, keep, strict=True) if k]
    pclass = [c for c, k in zip(pclass, keep, strict=True) if k]
    near, conc, pdeath = near[keep], conc[keep], pdeath[keep]
    centre = {str(z.level): z.geometry for z in result.toxic.itertuples()}
    table["protection_class"] = pclass
    table["population"] = _population(table, daytime)
    table["in_centre_zone"] = [
        bool(centre.get(lv) is not None and not centre[lv].is_empty and centre[lv].intersects(g))
        for lv, g in zip(table["level"], geoms, strict=True)
    ]
    table["distance_m"] = near
    table["nearest_m"] = near
    u = float(result.weather.wind_speed)
    table["arrival_time_s"] = near / u
    table["concentration_kg_m3"] = conc
    f = result.field
    t_exp = float(f.exposure_time) if math.isfinite(f.exposure_time) else math.nan
    table["exposure_time_s"] = t_exp
    table["toxic_load"] = _toxic_load(conc, f.substance, t_exp)
    table["probability_of_death"] = pdeath
    recs = [_recommend(r, result, evacuation_time_s) for r in table.itertuples()]
    table["recommendation"] = [x[0] for x in recs]
    table["recommendation_zh"] = [RECOMMENDATIONS_ZH[x[0]] for x in recs]
    table["reason_zh"] = [x[1] for x in recs]
    return table.sort_values("arrival_time_s", kind="stable").reset_index(drop=True)


def _recommend(r, result: EmergencyResult, evacuation_time_s: float) -> tuple[str, str]:
    t_min = r.arrival_time_s / 60.0
    need = evacuation_time_s / 60.0
    cat = ""
    if r.layer == "sensitive_targets":
        cat = {v: k for k, v in _category_labels().items()}.get(r.category_zh, "")
    if r.layer != "installations" and not pd.isna(r.population) and int(r.population) == 0:
        return "none", "此时段无人（按昼夜人口为 0）：无需疏散；封闭出入口，禁止人员进入，直至解除警报"
    if r.arrival_time_s < evacuation_time_s:
        return "shelter", (
            f"烟云约 {t_min:.0f} min 后到达，早于完成疏散所需的约 {need:.0f} min：立即进入室内，关闭门窗、"
            "停止通风空调，待烟云过后再按指令撤离（ERG 2020 防护行动：来不及撤离时就地避险）"
        )
    if result.release.kind == "instantaneous":
        return "shelter", (
            "瞬时泄漏形成的烟团数分钟内通过：室内关闭门窗就地避险受到的剂量小于途中暴露"
            f"（烟云约 {t_min:.0f} min 后到达）"
        )
    if cat in _NON_AMBULATORY and r.level != "AEGL-3":
        return "shelter", (
            f"{r.category_zh}人员转移困难，且位于 {r.level} 区（非致死区）：就地避险，关闭门窗和通风，"
            f"做好转移准备（烟云约 {t_min:.0f} min 后到达）"
        )
    if r.level in ("AEGL-3", "AEGL-2", "PAC-3", "PAC-2", "IDLH"):
        what = "可能危及生命" if r.level in ("AEGL-3", "PAC-3", "IDLH") else "可能造成严重或不可逆健康影响"
        return "evacuate", (
            f"位于 {r.level} 区（{what}），烟云约 {t_min:.0f} min 后到达，有时间在到达前撤离："
            "沿推荐路线向上风向集合点撤离"
        )
    return (
        "shelter",
        f"位于 {r.level} 区（可逆的刺激与不适）：就地避险，关闭门窗和通风，关注通知（烟云约 {t_min:.0f} min 后到达）",
    )


@lru_cache(maxsize=1)
def _category_labels() -> dict[str, str]:
    from geodata import schema

    return dict(schema.ENUM_LABELS_ZH.get("target_category", {}))

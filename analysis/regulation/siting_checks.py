"""Siting checks built on the risk and consequence models: compliance, protection distances, 五室, new-unit trial.

- :func:`compliance` — every sensitive target: protection class, the individual risk it sees, the GB 36894-2018
  limits for new and existing installations, pass/fail, margin (:func:`analysis.regulation.gb36894.compliance_table`), and the
  installations that cause the risk; :func:`relocation` — the failing targets (搬迁 candidates) with why.
- :func:`protection_distances` — per installation, the external safety protection distance by the method
  GB/T 37243-2019 prescribes for it (:func:`analysis.regulation.gb36894.distance_method`): for the risk method, the farthest
  distance from the installation's footprint to its own individual-risk contour at the limit of each protection
  class.
- :func:`five_rooms_check` — buildings used as control room, cabinet room, lab, office or shift room (五室) against
  the overpressure and heat flux of nearby installations' fire and explosion scenarios.
- :func:`new_unit_trial` — a proposed installation added to a copy of the park: the targets that would then fail,
  and a suitability map of where a unit of that kind may go.

References
----------
.. [1] GB 36894-2018 危险化学品生产装置和储存设施风险基准 (individual-risk criteria).
.. [2] GB/T 37243-2019 危险化学品生产装置和储存设施外部安全防护距离确定方法 (method choice; the risk method takes
       the distance to the individual-risk contours of GB 36894).
.. [3] GB 50779-2012 石油化工控制室抗爆设计规范: design blast loads of a blast-resistant control room — peak
       incident overpressure 21 kPa with 100 ms positive phase, and 6.9 kPa with 20 ms (values recalled from the
       code; the clause text was not available to us and is not cited by number).
.. [4] 国家安全监管总局《化工和危险化学品生产经营单位重大生产安全事故隐患判定标准（试行）》(安监总管三〔2017〕121号),
       item (十三) [13]: control rooms and cabinet rooms facing installations with fire or explosion hazards that do not meet
       the fire- and blast-protection requirements of the national standards are major accident hazards.
.. [5] World Bank (1985) heat-flux effects, as reproduced in CCPS (2000) Table 2.29 (via
       :data:`analysis.physics.vulnerability.THERMAL_THRESHOLDS`): 12.5 kW/m² — wood ignites with a flame, plastics melt.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from analysis._checks import finite_number
from analysis.errors import UnknownSubstanceError
from analysis.regulation.gb18218 import classify, unit_flags
from analysis.regulation.gb36894 import (
    DISTANCE_METHODS,
    INDIVIDUAL_RISK_LIMITS,
    PROTECTION_CLASSES,
    compliance_table,
    distance_method,
    relocation_candidates,
)

log = logging.getLogger(__name__)

__all__ = [
    "FIVE_ROOM_USES",
    "BLAST_DESIGN_LOADS_PA",
    "HEAT_FLUX_LIMIT_W_M2",
    "compliance",
    "relocation",
    "protection_distances",
    "five_rooms_check",
    "with_installation",
    "new_unit_trial",
]

#: Building uses of the 五室 check: control room, cabinet room, lab, office, shift room ([4]).
FIVE_ROOM_USES: tuple[str, ...] = ("control_room", "cabinet_room", "lab", "office", "shift_room")
#: GB 50779-2012 [3] design blast loads of a blast-resistant control room: (overpressure [Pa], duration [s]).
BLAST_DESIGN_LOADS_PA: tuple[tuple[float, float], ...] = ((21_000.0, 0.100), (6_900.0, 0.020))
#: Heat flux above which a building facing a fire must be moved or protected [W/m²]: 12.5 kW/m² ([5]).
HEAT_FLUX_LIMIT_W_M2 = 12_500.0
_VERDICT_ZH = {
    "relocate": "应搬迁（搬离危险区域）",
    "blast_proof": "应进行抗爆/防火改造或搬迁",
    "ok": "满足要求",
}


# ----------------------------------------------------------------------------------------------------------------
# Compliance and relocation
# ----------------------------------------------------------------------------------------------------------------
def compliance(result: Any, park: Any) -> pd.DataFrame:
    """GB 36894-2018 compliance of every sensitive target with the risk it sees, and who causes it.

    Parameters
    ----------
    result : analysis.qra.individual.IndividualRisk
    park : geodata.Park

    Returns
    -------
    DataFrame
        :func:`analysis.regulation.gb36894.compliance_table` columns (individual_risk [1/a], limit_new / limit_existing
        [1/a], pass_new / pass_existing, margin_new / margin_existing [-]) plus ``category``,
        ``contributors_zh`` (main installations and their share), ``top_units``, ``top_enterprises``.
    """
    from analysis.qra.individual import target_risk

    tr = target_risk(result, park)
    tg = park.sensitive_targets
    table = compliance_table(tg, tr["individual_risk"].to_numpy(float))
    table.insert(2, "category", tg["category"].astype(str).to_numpy())
    for c in ("contributors_zh", "top_units", "top_enterprises"):
        table[c] = tr[c].to_numpy()
    return table


def relocation(result: Any, park: Any, *, new: bool = False) -> pd.DataFrame:
    """Targets failing GB 36894-2018 — relocation (搬迁) candidates — with why and the installations to blame.

    Returns
    -------
    DataFrame
        :func:`analysis.regulation.gb36894.relocation_candidates` rows (worst first) with ``reason_zh`` extended by the main
        contributing installations, and ``top_enterprises`` (the enterprises whose installations cause the risk:
        candidates for risk reduction or relocation themselves).
    """
    comp = compliance(result, park)
    fail = relocation_candidates(comp, new=new)
    if len(fail):
        fail["reason_zh"] = [
            f"{r}；主要风险来源：{c}" if c else r
            for r, c in zip(fail["reason_zh"], fail["contributors_zh"], strict=True)
        ]
    return fail


# ----------------------------------------------------------------------------------------------------------------
# External safety protection distance
# ----------------------------------------------------------------------------------------------------------------
def _unit_flags(park: Any) -> pd.DataFrame:
    """Per installation: the GB 18218 flags (:func:`analysis.regulation.gb18218.unit_flags`, unknown substances
    treated as major) and the two facts GB/T 37243-2019 chooses its method by: explosive, toxic or flammable gas."""
    from analysis.qra import frequencies as fq

    inst = park.installations
    flags = unit_flags(inst)
    recs = []
    for (_, r), (_, f) in zip(inst.iterrows(), flags.iterrows(), strict=True):
        try:
            cat = classify(str(r["substance"])).category or ""
        except UnknownSubstanceError:
            cat = ""
        hz = fq.substance_hazard(str(r["substance"]))
        gas = str(r["phase"]) in ("gas", "liquefied_gas") and hz is not None and (hz.flammable or hz.toxic)
        recs.append(
            {
                "unit_id": str(r["unit_id"]),
                "enterprise_id": str(r["enterprise_id"]),
                "name": str(r["name"]),
                "substance": str(r["substance"]),
                "hazard_unit": f["hazard_unit"],
                "S": float(f["S"]),
                "is_major": bool(f["is_major"]),
                "unknown_substance": bool(f["unknown_substance"]),
                "reason_zh": f["reason_zh"],
                "explosive": cat.startswith("W1."),  # GB 18218-2018 table 2: W1.x explosives (爆炸物)
                "toxic_or_flammable_gas": bool(gas),
            }
        )
    return pd.DataFrame(recs)


def protection_distances(result: Any, park: Any) -> pd.DataFrame:
    """External safety protection distance of each installation by the GB/T 37243-2019 method.

    Method (:func:`analysis.regulation.gb36894.distance_method`): explosives → consequence method; toxic or flammable gas
    with S ≥ 1 (GB 18218, the installation's hazard unit) → risk method; others → design-code distances.
    For the risk method the distance to each protection class is the farthest distance from the installation's
    footprint at which the installation's own individual risk reaches the class's GB 36894 limit (new and
    existing installations) — ``IndividualRisk.units["ir_distance_<limit>"]``. The risk distances are also
    given, for information, for installations of the code method. The consequence method for explosives is not
    computed (no explosive installations are modelled: NaN).

    Returns
    -------
    DataFrame
        unit_id, enterprise_id, name, substance, hazard_unit, S [-], is_major, unknown_substance, reason_zh
        (:func:`analysis.regulation.gb18218.unit_flags`: a substance GB 18218 cannot classify makes its unit
        major, S NaN), explosive, toxic_or_flammable_gas, method, method_zh, and ``d_<class>_new``, ``d_<class>_existing`` [m] for every
        protection class.

    References
    ----------
    .. [1] GB/T 37243-2019 (method); GB 36894-2018 (limits).
    """
    flags = _unit_flags(park)
    meth = distance_method(
        explosive=flags["explosive"].to_numpy(),
        toxic_or_flammable_gas=flags["toxic_or_flammable_gas"].to_numpy(),
        is_major=flags["is_major"].to_numpy(),
    )
    flags["method"] = np.atleast_1d(meth)
    flags["method_zh"] = [DISTANCE_METHODS[m] for m in flags["method"]]
    units = result.units.set_index("unit_id") if len(result.units) else pd.DataFrame()
    for cls in PROTECTION_CLASSES:
        for which, lim in zip(("new", "existing"), INDIVIDUAL_RISK_LIMITS[cls], strict=True):
            col = f"ir_distance_{lim:.0e}"
            vals = []
            for uid, m in zip(flags["unit_id"], flags["method"], strict=True):
                if m == "consequence" or uid not in units.index or col not in units.columns:
                    vals.append(np.nan)
                else:
                    vals.append(float(units.at[uid, col]))
            flags[f"d_{cls}_{which}"] = vals
    return flags


# ----------------------------------------------------------------------------------------------------------------
# 五室
# ----------------------------------------------------------------------------------------------------------------
_BLAST_SCENARIOS = ("vce", "vessel_burst", "bleve_blast")
#: Sustained fires facing a building (pool and jet fires). A fireball lasts seconds to tens of seconds and is a
#: threat to people outdoors rather than a design load of a building: it is not used for the building check.
_FIRE_SCENARIOS = ("pool_fire", "jet_fire")
_FIVE_ROOM_SCENARIOS = _BLAST_SCENARIOS + _FIRE_SCENARIOS


def five_rooms_check(
    park: Any,
    *,
    search_radius: float = 500.0,
    weather: Any = None,
    uses: tuple[str, ...] = FIVE_ROOM_USES,
    progress: Any = None,
) -> pd.DataFrame:
    """Check the 五室 buildings against the blast and fire loads of the installations near them.

    For every building whose ``use`` is in ``uses`` and every installation within ``search_radius`` of it, the
    applicable explosion scenarios (VCE, vessel burst, BLEVE blast) and sustained fires (pool fire, jet fire) of
    :func:`analysis.scenarios.applicable_scenarios` (default releases: G.1 instantaneous — the worst case —, jet
    fire G.2; fireballs are transient and not used as a building load) are evaluated with the
    building DOWNWIND (worst direction) at the point of its footprint nearest to the installation's centroid. The
    load of a building is the highest over the installations and scenarios.

    Verdict ([3], [4]):
    - ``relocate`` — overpressure ≥ 21 kPa (above the larger GB 50779-2012 design load) or heat flux
      ≥ 12.5 kW/m²;
    - ``blast_proof`` — 6.9 kPa ≤ overpressure < 21 kPa and the building is not blast-resistant (it must be
      made blast-resistant to GB 50779 or moved);
    - ``ok`` — otherwise.

    Parameters
    ----------
    park : geodata.Park
    search_radius : float
        Installations farther than this from the building are not considered. [m]
    weather : analysis.scenarios.Weather or analysis.scenarios.WeatherClass, optional
        Weather of the scenarios (only its weather class counts: the building is put downwind). Default class D,
        5 m/s.
    uses : tuple of str
    progress : callable, optional
        ``progress(fraction, message_zh)``.

    Returns
    -------
    DataFrame
        building_id, enterprise_id, name, use, occupants, blast_resistant, overpressure [Pa] and
        overpressure_source (unit / scenario), heat_flux [W/m²] and heat_flux_source, overpressure_inside_source and
        heat_flux_inside_source (the building lies inside the flame, cloud or blast charge of that scenario, where the
        load is the model's stated near-field value: "位于火焰/云团/爆源范围内"), distance_m [m] (to the unit
        giving the highest overpressure, else heat flux), verdict, verdict_zh, reason_zh. Sorted worst first.
    """
    import shapely

    from analysis import scenarios as sc

    search_radius = finite_number("search_radius", search_radius, low=0.0, low_open=True, unit="m")
    # the building is put downwind: fields of the weather class, read in the wind frame at (d, 0)
    w0 = weather or sc.WeatherClass(wind_speed=5.0, stability="D")
    w = w0.weather_class if isinstance(w0, sc.Weather) else w0
    prog = progress or (lambda f, m: None)
    bld = park.metric("buildings")
    inst = park.metric("installations")
    bld = bld[bld["use"].astype(str).isin(uses)]
    cents = inst.geometry.centroid
    fields: dict[tuple[str, str], Any] = {}

    def field_of(row: Any, kind: str) -> Any:
        key = (str(row["unit_id"]), kind)
        if key not in fields:
            scen = sc.Scenario(kind, release_duration=600.0) if kind == "jet_fire" else sc.Scenario(kind)
            try:
                fields[key] = sc.effect_field(row, scen, w)
            except (ValueError, ZeroDivisionError) as exc:
                log.info("五室: %s %s not evaluated: %s", key[0], kind, exc)
                fields[key] = None
        return fields[key]

    recs = []
    for n, (_, b) in enumerate(bld.iterrows()):
        prog(n / max(len(bld), 1), f"校核建筑 {b['building_id']}（{n + 1}/{len(bld)}）…")
        d_all = shapely.distance(b.geometry, cents.to_numpy())
        best_p, src_p, best_q, src_q, d_p, d_q = 0.0, "", 0.0, "", np.nan, np.nan
        in_p = in_q = False
        for k in np.flatnonzero(d_all <= search_radius):
            row = inst.iloc[k]
            d = float(d_all[k])
            try:
                kinds = [o.kind for o in sc.applicable_scenarios(row) if o.kind in _FIVE_ROOM_SCENARIOS]
            except ValueError:
                continue
            for kind in kinds:
                f = field_of(row, kind)
                if f is None:
                    continue
                s, c = np.array([d]), np.array([0.0])
                with np.errstate(all="ignore"):
                    p = float(np.nan_to_num(f.along_wind("overpressure", s, c))[0])
                    q = float(np.nan_to_num(f.along_wind("heat_flux", s, c))[0])
                inside = bool(f.inside_source_along_wind(s, c)[0])
                label = f"{row['unit_id']} {sc.SCENARIO_LABELS_ZH[kind]}"
                if p > best_p:
                    best_p, src_p, d_p, in_p = p, label, d, inside
                if q > best_q:
                    best_q, src_q, d_q, in_q = q, label, d, inside
        blast_ok = bool(b.get("blast_resistant", False))
        big, small = BLAST_DESIGN_LOADS_PA[0][0], BLAST_DESIGN_LOADS_PA[1][0]
        reasons = []
        if best_p >= big:
            reasons.append(
                f"冲击波超压 {best_p / 1e3:.1f} kPa ≥ {big / 1e3:.0f} kPa（GB 50779-2012 抗爆设计荷载上限）"
            )
        elif best_p >= small and not blast_ok:
            reasons.append(f"冲击波超压 {best_p / 1e3:.1f} kPa ≥ {small / 1e3:.1f} kPa 且建筑非抗爆结构")
        if best_q >= HEAT_FLUX_LIMIT_W_M2:
            reasons.append(f"热辐射 {best_q / 1e3:.1f} kW/m² ≥ {HEAT_FLUX_LIMIT_W_M2 / 1e3:.1f} kW/m²")
        if in_p and best_p > 0 or in_q and best_q > 0:
            reasons.append(f"建筑{sc.INSIDE_SOURCE_ZH}（{src_p if in_p else src_q}），荷载取模型近场值")
        if best_p >= big or best_q >= HEAT_FLUX_LIMIT_W_M2:
            verdict = "relocate"
        elif best_p >= small and not blast_ok:
            verdict = "blast_proof"
        else:
            verdict = "ok"
        recs.append(
            {
                "building_id": str(b["building_id"]),
                "enterprise_id": str(b.get("enterprise_id", "")),
                "name": str(b.get("name", "")),
                "use": str(b["use"]),
                "occupants": b.get("occupants"),
                "blast_resistant": blast_ok,
                "overpressure": best_p,
                "overpressure_source": src_p,
                "overpressure_inside_source": in_p and best_p > 0,
                "heat_flux": best_q,
                "heat_flux_source": src_q,
                "heat_flux_inside_source": in_q and best_q > 0,
                "distance_m": d_p if best_p > 0 else d_q,
                "verdict": verdict,
                "verdict_zh": _VERDICT_ZH[verdict],
                "reason_zh": "；".join(reasons) if reasons else "超压与热辐射均低于判据",
            }
        )
    prog(1.0, "五室校核完成")
    df = pd.DataFrame(recs)
    if len(df):
        order = df["verdict"].map({"relocate": 0, "blast_proof": 1, "ok": 2})
        df = (
            df.assign(_o=order)
            .sort_values(["_o", "overpressure"], ascending=[True, False])
            .drop(columns="_o")
        )
    return df.reset_index(drop=True)


# ----------------------------------------------------------------------------------------------------------------
# New-unit trial
# ----------------------------------------------------------------------------------------------------------------


def with_installation(park: Any, row: Mapping[str, Any]) -> Any:
    """A copy of the park with one more installation.

    Parameters
    ----------
    row : mapping
        Installation attributes (schema columns: unit_id, enterprise_id, name, kind, equipment_class, substance,
        inventory_kg [kg], phase, pressure_pa [Pa abs], temperature_k [K], …) and ``geometry`` in WGS84 (lon/lat).

    Raises
    ------
    ValueError
        Missing geometry or a unit_id that already exists.
    """
    import geopandas as gpd

    from geodata import Park

    if row.get("geometry") is None:
        raise ValueError("row must have a 'geometry' (Point or Polygon in WGS84 lon/lat)")
    uid = str(row.get("unit_id", ""))
    layers = park.layers
    inst = layers["installations"]
    if not uid or uid in set(inst["unit_id"].astype(str)):
        raise ValueError(f"unit_id={uid!r} must be a new, non-empty installation id")
    add = gpd.GeoDataFrame([dict(row)], geometry="geometry", crs=4326)
    layers["installations"] = gpd.GeoDataFrame(pd.concat([inst, add], ignore_index=True), crs=inst.crs)
    out = Park.from_layers(layers, validate=False)
    out.weather = getattr(park, "weather", None)  # the same site, the same station's wind rose
    return out


def new_unit_trial(
    park: Any,
    row: Mapping[str, Any],
    *,
    base: Any = None,
    candidate_spacing: float = 100.0,
    **risk_options: Any,
) -> dict[str, Any]:
    """Trial siting of a proposed installation: which targets would fail, and where a unit of that kind may go.

    The individual risk is additive over installations, so the park's existing risk (``base``, computed when not
    given) is kept and only the proposed unit's risk is added. For the suitability map the proposed unit's own
    risk field is taken as translation-invariant (flat terrain, same wind rose everywhere in the park): it is
    computed once around the proposed location and shifted to every candidate location (a lattice at
    ``candidate_spacing`` inside the park boundary). A location is ``suitable`` when the unit's OWN risk stays
    within the GB 36894-2018 new-installation limit at every sensitive target (its GB/T 37243 risk-method
    external safety protection distance is respected). ``suitable_cumulative`` is stricter: no target where the
    unit adds at least 1 % of the limit may exceed that limit with the existing risk added (where targets already
    exceed the new-installation limits, this is false everywhere — the existing risk must come down first).

    Returns
    -------
    dict
        ``after`` (IndividualRisk of the proposed unit alone, on the base grid), ``table`` (per target: risk
        before / added / after [1/a], limit_new [1/a], pass_before, pass_after, newly_failing), ``failing``
        (targets that fail after and passed before), ``suitability`` (GeoDataFrame of candidate points, metric
        CRS: suitable, own_exceedance [-] = highest own risk / limit, suitable_cumulative, worst_exceedance [-] =
        highest (existing + added) / limit over the targets the unit affects), ``kernel`` (the unit's own risk around its location), ``park`` (the park with the unit).
    """
    import geopandas as gpd
    import shapely

    from analysis.qra.individual import individual_risk

    p2 = with_installation(park, row)
    uid = str(row["unit_id"])
    if base is None:
        base = individual_risk(park, **risk_options)
    opts = dict(risk_options)
    opts.pop("units", None)
    opts.pop("extent", None)
    opts.pop("progress", None)
    opts.pop("resolution", None)
    if opts.get("weather") is None and opts.get("wind_rose") is None:
        opts["weather"] = (
            base.options.weather
        )  # the proposed unit's risk under the same wind rose as the base
    added = individual_risk(p2, units=(uid,), extent=base.extent, resolution=base.resolution, **opts)
    tg = park.sensitive_targets
    from analysis.qra.individual import target_risk

    before = target_risk(base, park)["individual_risk"].to_numpy(float)
    plus = target_risk(added, p2)["individual_risk"].to_numpy(float)
    rec_b = base.receptors
    rec_a = added.receptors
    is_t = (rec_b["layer"] == "sensitive_targets").to_numpy()
    after_pts = rec_b["ir"].to_numpy() + rec_a["ir"].to_numpy()
    after = np.array(
        [
            float(after_pts[is_t & (rec_b["feature_id"] == t).to_numpy()].max(initial=0.0))
            for t in tg["target_id"].astype(str)
        ]
    )
    lim_new = np.array([INDIVIDUAL_RISK_LIMITS[c][0] for c in tg["protection_class"].astype(str)])
    table = pd.DataFrame(
        {
            "target_id": tg["target_id"].astype(str).to_numpy(),
            "name": tg["name"].astype(str).to_numpy(),
            "protection_class": tg["protection_class"].astype(str).to_numpy(),
            "ir_before": before,
            "ir_added": plus,
            "ir_after": after,
            "limit_new": lim_new,
            "pass_before": before <= lim_new,
            "pass_after": after <= lim_new,
        }
    )
    table["newly_failing"] = table["pass_before"] & ~table["pass_after"]

    # suitability: shift the unit's own risk field (grid `added`) to candidate locations
    o = p2.metric("installations")
    o = o[o["unit_id"].astype(str) == uid].geometry.iloc[0].centroid
    boundary = park.metric("parks").geometry.union_all()
    x0, y0, x1, y1 = boundary.bounds
    gx, gy = np.meshgrid(
        np.arange(x0 + candidate_spacing / 2, x1, candidate_spacing),
        np.arange(y0 + candidate_spacing / 2, y1, candidate_spacing),
    )
    inside = shapely.contains_xy(boundary, gx, gy)
    cx, cy = gx[inside], gy[inside]
    px, py = rec_b["x"].to_numpy()[is_t], rec_b["y"].to_numpy()[is_t]
    base_pts = rec_b["ir"].to_numpy()[is_t]
    lim_pts = np.array(
        [
            INDIVIDUAL_RISK_LIMITS[c][0]
            for c in rec_b["feature_id"][is_t].map(
                dict(zip(tg["target_id"].astype(str), tg["protection_class"].astype(str), strict=True))
            )
        ]
    )
    # kernel: the unit's own risk around its proposed location, wide enough for every candidate-target offset
    reach = float(np.max(np.hypot(px[:, None] - cx[None, :], py[:, None] - cy[None, :]), initial=0.0))
    reach = min(max(reach, 4 * base.resolution), 8000.0)
    kernel = individual_risk(
        p2,
        units=(uid,),
        extent=(o.x - reach, o.y - reach, o.x + reach, o.y + reach),
        resolution=max(base.resolution, 2.0 * reach / 400.0),
        **opts,
    )
    worst = np.zeros(cx.size)
    own = np.zeros(cx.size)
    cumulative_ok = np.ones(cx.size, dtype=bool)
    for k in range(cx.size):
        # point P seen from a unit at C has the same risk as point o + (P − C) seen from the unit at o
        add_pts = kernel.value_at(o.x + (px - cx[k]), o.y + (py - cy[k]))
        own[k] = float(np.max(add_pts / lim_pts, initial=0.0))
        ratio = (base_pts + add_pts) / lim_pts
        relevant = add_pts > 0.01 * lim_pts  # the unit adds at least 1 % of the limit there
        worst[k] = float(np.max(ratio[relevant], initial=0.0))
        cumulative_ok[k] = not np.any(relevant & (ratio > 1.0))
    suitable = own <= 1.0
    base_worst = float(np.max(base_pts / lim_pts, initial=0.0)) if px.size else 0.0
    suit = gpd.GeoDataFrame(
        {
            "suitable": suitable,
            "own_exceedance": own,
            "suitable_cumulative": cumulative_ok,
            "worst_exceedance": worst,
        },
        geometry=shapely.points(cx, cy),
        crs=park.metric_crs,
    )
    suit.attrs["base_worst_exceedance"] = base_worst
    return {
        "after": added,
        "table": table,
        "failing": table[~table["pass_after"]].reset_index(drop=True),
        "suitability": suit,
        "kernel": kernel,
        "park": p2,
    }

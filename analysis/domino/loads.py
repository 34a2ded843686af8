"""Loads between real footprints: which escalation vector of which primary scenario reaches which target.

Every primary scenario (pool fire, jet fire, fireball, VCE, vessel burst) of every installation produces an
escalation vector — heat radiation or peak overpressure — computed with the consequence models of
:func:`analysis.scenarios.effect_field` (never re-implemented here). The load on another installation is read at
the point of the target's footprint nearest to the source's effect origin, in the park's metric CRS (footprint to
footprint, not centroid to centroid); a target standing in a burning pool receives at least the flame's surface
emissive power (engulfment). A target is a credible secondary event when the load reaches the escalation
threshold of its equipment category [1]_, and its escalation probability is then given by the probits of
[2]_ [3]_ (:func:`analysis.domino.escalation_probability`).

References
----------
.. [1] Cozzani V., Gubinelli G., Salzano E. (2006). Escalation thresholds in the assessment of domino accidental
   events. J. Hazard. Mater. A129, 1–21 (thresholds; the "full engulfment" escalation case).
.. [2] Cozzani V., Gubinelli G., Antonioni G., Spadoni G., Zanelli S. (2005). The assessment of risk caused by
   domino effect in quantitative area risk analysis. J. Hazard. Mater. A127, 14–30 (Table 2).
.. [3] Cozzani V., Salzano E. (2004). The quantitative assessment of domino effects caused by overpressure.
   Part I. Probit models. J. Hazard. Mater. A107, 67–80.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from analysis.domino.measures import _measure_zh
from analysis.domino.models import (
    _GROUP_OF_VECTOR,
    _STATIONARY_FIRES,
    _THRESHOLD_GROUP,
    EQUIPMENT_CLASSES,
    PRIMARY_KINDS,
    PRIMARY_LABELS_ZH,
    VECTOR_LABELS_ZH,
    VECTOR_UNITS,
    EscalationModel,
    _model,
    escalation_probability,
    time_to_failure,
)
from analysis.domino.units import _signature, _Units

__all__ = ["escalation_matrix"]

#: Columns of :attr:`analysis.domino.DominoResult.edges` (besides ``geometry``).
_EDGE_COLUMNS: list[str] = [
    "source",
    "target",
    "scenario",
    "scenario_zh",
    "vector",
    "vector_zh",
    "load",
    "load_unit",
    "inside_source",
    "near_field_load",
    "threshold",
    "probability",
    "ttf_s",
    "distance_m",
    "load_distance_m",
    "required_distance_m",
    "extra_distance_m",
    "load_reduction",
    "measure_zh",
    "crosses_enterprise",
    "source_enterprise",
    "target_enterprise",
    "target_equipment",
    "model",
]

#: One primary scenario: (installation index, kind, vector, (r [m], load) profile, effect field).
Primary = tuple[int, str, str, tuple[np.ndarray, np.ndarray], Any]


def escalation_matrix(
    origins: np.ndarray,
    footprints: Any,
    profiles: list[tuple[np.ndarray, np.ndarray] | None],
    vectors: list[str | None],
    equipment: Any,
    volume: Any,
    *,
    scenarios: list[str | None] | None = None,
    model: str | EscalationModel = "cozzani2005",
) -> tuple[np.ndarray, np.ndarray]:
    """Escalation probability of every target from every source (one primary scenario per source), vectorised.

    The load of source i on target j is its radial load profile evaluated at the distance from the source's
    effect origin to the nearest point of j's footprint (shapely 2 vectorised ``distance``). Candidate pairs are
    found with an STR-tree ``dwithin`` query at the distance where the source's load falls to the lowest
    threshold of any category, so pairs beyond it are exact zeros without being evaluated.

    Parameters
    ----------
    origins : array (n, 2)
        Effect origins of the sources (footprint centroids), metric CRS. [m]
    footprints : array of shapely geometries (n,)
        Footprints of the installations (targets = the same installations), metric CRS. [m]
    profiles : list of (r [m], load) or None
        Radial load profile of each source (load in W/m² or Pa); None: the source has no scenario.
    vectors : list of str or None
        "heat_flux" or "overpressure" per source.
    equipment : array of str (n,)
        Category of each installation.
    volume : array (n,)
        Volume of each installation. [m³]
    scenarios : list of str, optional
        Primary scenario kind per source (fireball thresholds).
    model : str

    Returns
    -------
    probability : ndarray (n, n)
        [-], zero on the diagonal.
    load : ndarray (n, n)
        Load on the target. [W/m² or Pa]
    """
    import shapely

    m = _model(model)
    fps = np.asarray(footprints, dtype=object)
    n = len(fps)
    eq = np.asarray(equipment, dtype=str)
    vol = np.asarray(volume, dtype=float)
    prob = np.zeros((n, n))
    load = np.zeros((n, n))
    tree = shapely.STRtree(fps)
    pts = shapely.points(np.asarray(origins, dtype=float))
    for i in range(n):
        prof, vec = profiles[i], vectors[i]
        if prof is None or vec is None:
            continue
        kind = scenarios[i] if scenarios is not None else None
        r, q = prof
        grp = _THRESHOLD_GROUP[kind] if kind else _GROUP_OF_VECTOR[vec]
        thr_min = min(m.thresholds[(c, vec, grp)] for c in np.unique(eq))
        r_cut = _reach(r, q, thr_min)
        if r_cut <= 0:
            continue
        cand = tree.query(pts[i], predicate="dwithin", distance=r_cut)
        cand = cand[cand != i]
        if cand.size == 0:
            continue
        d = shapely.distance(pts[i], fps[cand])
        qj = np.interp(d, r, q, right=0.0)
        load[i, cand] = qj
        pj = escalation_probability(equipment=eq[cand], volume=vol[cand], scenario=kind, model=m, **{vec: qj})
        prob[i, cand] = pj
    return prob, load


def _reach(r: np.ndarray, q: np.ndarray, level: float) -> float:
    """Largest tabulated distance where the profile is ≥ level (0 if never). [m]"""
    if not np.isfinite(level):
        return 0.0
    above = np.flatnonzero(q >= level)
    if above.size == 0:
        return 0.0
    k = above[-1]
    if k + 1 < len(r) and q[k] > q[k + 1]:
        # linear interpolation to the crossing
        return float(r[k] + (q[k] - level) * (r[k + 1] - r[k]) / (q[k] - q[k + 1]))
    return float(r[k])


def _profile(
    field_: Any, vector: str, bearing_deg: float, r_max: float, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Load along the downwind axis (the most severe direction) tabulated on a log grid. [m], [W/m² | Pa]"""
    r = np.concatenate([[0.0], np.geomspace(0.05, r_max, n)])
    b = math.radians(bearing_deg)
    fn = field_.function(vector)
    q = np.asarray(fn(r * math.sin(b), r * math.cos(b)), dtype=float)
    q = np.where(np.isfinite(q), np.maximum(q, 0.0), 0.0)
    return r, _engulfment(field_, vector, r, q)


def _engulfment(field_: Any, vector: str, r: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Flame engulfment: a target standing in the burning pool (bund) receives at least the flame's surface
    emissive power (parkrisk assumption, after the "full engulfment" escalation case of Cozzani et al. 2006)."""
    model = getattr(field_, "model", None)
    radius = getattr(model, "radius", None)
    sep = getattr(model, "surface_emissive_power", None)
    if (
        vector == "heat_flux"
        and radius is not None
        and sep is not None
        and field_.scenario.kind == "pool_fire"
    ):
        return np.where(r <= float(radius), np.maximum(q, float(sep)), q)
    return q


def _primary_scenarios(
    units: _Units, opts: Any, report: Callable[[float, str], None]
) -> tuple[list[Primary], list[tuple[str, str, str]]]:
    """Step 1: the primary scenarios of every installation and their load profiles.

    Effect fields are cached by installation attributes (:func:`analysis.domino.units._signature`), so identical
    tanks are computed once. ``opts`` is the :class:`analysis.domino.DominoOptions` of the run.

    Returns
    -------
    primaries : list of (k, kind, vector, (r [m], load [W/m² | Pa]), effect field)
    skipped : list of (unit_id, kind, reason_zh)
        Installations without geometry and scenarios whose consequence model failed.
    """
    from analysis import scenarios as sc

    report(0.0, "计算各设施初始事故情景的升级矢量…")
    n, ids = len(units), units.ids
    cache: dict[tuple, Any] = {}
    primaries: list[Primary] = []
    skipped: list[tuple[str, str, str]] = []
    bearing = opts.weather.downwind_bearing_deg
    for k, row in enumerate(units.rows):
        report(0.5 * k / max(n, 1), f"升级矢量：{ids[k]}（{k + 1}/{n}）")
        if not units.has_geom[k]:
            skipped.append((ids[k], "", "无几何位置"))
            continue
        try:
            applicable = [o.kind for o in sc.applicable_scenarios(row)]
        except ValueError as exc:
            skipped.append((ids[k], "", f"无法确定适用情景：{exc}"))
            continue
        for kind in opts.scenarios:
            if kind not in applicable:
                continue
            vec = PRIMARY_KINDS[kind]
            key = _signature(row, kind)
            if key not in cache:
                try:
                    scen = sc.Scenario(kind, **dict(opts.scenario_kwargs.get(kind, {})))
                    ef = sc.effect_field(row, scen, opts.weather)
                    prof = _profile(ef, vec, bearing, opts.profile_r_max, opts.profile_points)
                    cache[key] = (ef, prof, None)
                except (ValueError, ZeroDivisionError, FloatingPointError) as exc:
                    cache[key] = (None, None, str(exc))
            ef, prof, err = cache[key]
            if err is not None:
                skipped.append((ids[k], kind, err))
                continue
            primaries.append((k, kind, vec, prof, ef))
    return primaries, skipped


def _edge_table(
    units: _Units, primaries: list[Primary], opts: Any
) -> tuple[Any, list[tuple[int, str, int, float]]]:
    """Step 2: loads and probabilities, footprint to footprint (vectorised per primary scenario).

    Candidate targets are found with an STR-tree ``dwithin`` query at the distance where the source's load falls
    to the lowest threshold of the park's categories (with the synergy, at least to
    ``opts.synergy_min_heat_flux`` for stationary fires, whose sub-threshold heat loads are kept for the sum).

    Returns
    -------
    edges : GeoDataFrame
        :attr:`analysis.domino.DominoResult.edges`, by probability and load (descending).
    heat_rows : list of (source k, stationary-fire kind, target j, heat flux [W/m²])
    """
    import geopandas as gpd
    import shapely

    m = _model(opts.model)
    tree = shapely.STRtree(units.footprints)
    origin_pts = shapely.points(units.origins)
    bearing = opts.weather.downwind_bearing_deg
    edge_rows: list[dict[str, Any]] = []
    heat_rows: list[tuple[int, str, int, float]] = []
    for k, kind, vec, (r, q), ef in primaries:
        thr_by_class = {c: m.thresholds[(c, vec, _THRESHOLD_GROUP[kind])] for c in EQUIPMENT_CLASSES}
        r_cut = _reach(r, q, min(thr_by_class[c] for c in np.unique(units.classes)))
        keep_heat = opts.synergy and kind in _STATIONARY_FIRES
        r_search = max(r_cut, _reach(r, q, opts.synergy_min_heat_flux)) if keep_heat else r_cut
        if r_search <= 0:
            continue
        cand = tree.query(origin_pts[k], predicate="dwithin", distance=r_search)
        cand = cand[(cand != k) & units.has_geom[cand]]
        if cand.size == 0:
            continue
        d_load, load, inside = _target_loads(units, k, origin_pts[k], cand, ef, vec, opts.direction, bearing)
        if keep_heat:
            kept_heat = load >= opts.synergy_min_heat_flux
            heat_rows.extend(
                (k, kind, int(j), float(x)) for j, x in zip(cand[kept_heat], load[kept_heat], strict=True)
            )
        thr = np.array([thr_by_class[c] for c in units.classes[cand]])
        hit = (load >= thr) & (d_load <= r_cut)  # edges as without the synergy search radius
        if np.any(hit):
            rows = _edge_rows(units, k, kind, vec, (r, q), cand[hit], load[hit], thr[hit], d_load[hit], m)
            for row, flag in zip(rows, inside[hit], strict=True):
                row["inside_source"] = bool(flag)
                row["near_field_load"] = ef.max_value(vec)
            edge_rows.extend(rows)
    crs = units.crs
    if edge_rows:
        edges = gpd.GeoDataFrame(edge_rows, geometry="geometry", crs=crs)
    else:
        edges = gpd.GeoDataFrame(
            {c: pd.Series([], dtype=object) for c in _EDGE_COLUMNS},
            geometry=gpd.GeoSeries([], crs=crs),
            crs=crs,
        )
    return edges.sort_values(["probability", "load"], ascending=False).reset_index(drop=True), heat_rows


def _target_loads(
    units: _Units, k: int, origin: Any, cand: np.ndarray, ef: Any, vec: str, direction: str, bearing: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distance from source k's effect origin to the nearest point of each candidate footprint [m], the load
    there [W/m² | Pa] — on the downwind axis ("worst") or in the actual direction ("weather") — and whether that
    point lies inside the source's flame, cloud or blast charge (where the load is the model's stated near-field
    value, :meth:`analysis.scenarios.EffectField.inside_source`)."""
    import shapely

    lines_o = shapely.shortest_line(origin, units.footprints[cand])  # origin -> nearest point of the target
    d_load = shapely.length(lines_o)
    if direction == "weather":
        end = shapely.get_coordinates(shapely.get_point(lines_o, 1))
        dx, dy = end[:, 0] - units.origins[k, 0], end[:, 1] - units.origins[k, 1]
        load = np.maximum(np.asarray(ef.function(vec)(dx, dy), dtype=float), 0.0)
        return d_load, _engulfment(ef, vec, d_load, load), ef.inside_source(dx, dy)
    # the exact field on the downwind axis at the footprint distance (the tabulated profile is only used for the
    # search radius: interpolating it could fall a little below the directional load)
    b = math.radians(bearing)
    xy = (d_load * math.sin(b), d_load * math.cos(b))
    load = np.maximum(np.asarray(ef.function(vec)(*xy), dtype=float), 0.0)
    inside = ef.inside_source(*xy)
    return d_load, _engulfment(ef, vec, d_load, np.where(np.isfinite(load), load, 0.0)), inside


def _edge_rows(
    units: _Units,
    k: int,
    kind: str,
    vec: str,
    profile: tuple[np.ndarray, np.ndarray],
    cand: np.ndarray,
    load: np.ndarray,
    thr: np.ndarray,
    d_load: np.ndarray,
    m: EscalationModel,
) -> list[dict[str, Any]]:
    """The edges of source k's primary scenario ``kind`` to the targets ``cand`` whose load reaches the threshold:
    probability, time to failure, footprint gap, the spacing that would remove the edge and its line."""
    import shapely

    r, q = profile
    classes, volumes, fps, origins = units.classes, units.volumes, units.footprints, units.origins
    ids, ent = units.ids, units.ent
    prob = np.asarray(
        escalation_probability(
            equipment=classes[cand], volume=volumes[cand], scenario=kind, model=m, **{vec: load}
        ),
        dtype=float,
    ).reshape(-1)
    ttf = np.full(cand.shape, np.nan)
    if vec == "heat_flux":
        for c in np.unique(classes[cand]):
            mk = classes[cand] == c
            ttf[mk] = time_to_failure(load[mk], equipment=c, volume=volumes[cand][mk], model=m)
    gap = shapely.distance(fps[k], fps[cand])
    geom = shapely.shortest_line(fps[k], fps[cand])
    short = shapely.length(geom) < 0.5
    if np.any(short):  # touching/overlapping footprints: draw centroid to centroid
        geom[short] = shapely.linestrings(
            np.stack([np.repeat(origins[[k]], short.sum(), axis=0), origins[cand[short]]], axis=1)
        )
    rows = []
    for jj, j in enumerate(cand):
        extra = max(_reach(r, q, thr[jj]) - d_load[jj], 0.0)
        rows.append(
            {
                "source": ids[k],
                "target": ids[j],
                "scenario": kind,
                "scenario_zh": PRIMARY_LABELS_ZH[kind],
                "vector": vec,
                "vector_zh": VECTOR_LABELS_ZH[vec],
                "load": float(load[jj]),
                "load_unit": VECTOR_UNITS[vec],
                "threshold": float(thr[jj]),
                "probability": float(prob[jj]),
                "ttf_s": float(ttf[jj]),
                "distance_m": float(gap[jj]),
                "load_distance_m": float(d_load[jj]),
                "required_distance_m": float(gap[jj] + extra),
                "extra_distance_m": float(extra),
                "load_reduction": float(thr[jj] / load[jj]),
                "measure_zh": _measure_zh(vec, extra, float(load[jj]), float(thr[jj]), classes[j]),
                "crosses_enterprise": bool(ent[k] != ent[j]),
                "source_enterprise": ent[k],
                "target_enterprise": ent[j],
                "target_equipment": classes[j],
                "model": m.key,
                "geometry": geom[jj],
            }
        )
    return rows


def _heat_load_table(units: _Units, heat_rows: list[tuple[int, str, int, float]]) -> pd.DataFrame:
    """:attr:`analysis.domino.DominoResult.heat_loads` from the heat rows of :func:`_edge_table`."""
    ids = units.ids
    return pd.DataFrame(
        [(ids[k], kind, ids[j], x) for k, kind, j, x in heat_rows],
        columns=["source", "scenario", "target", "heat_flux"],
    )

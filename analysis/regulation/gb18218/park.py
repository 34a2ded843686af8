"""GB 18218-2018 applied to a park's layers: the unit (单元) of each installation, the one major-hazard flag per
installation (:func:`unit_flags`, unknown substances fail closed), people within 500 m and each enterprise's grade.

References
----------
.. [1] GB 18218-2018 危险化学品重大危险源辨识: clause 3 (单元 / 生产单元 / 储存单元), formulae (1)–(2), tables 1–6.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import shapely

from analysis._checks import finite_number
from analysis.errors import AnalysisInputError, UnknownSubstanceError
from analysis.regulation.gb18218.tables import classify, grade_units, identify

__all__ = [
    "UNKNOWN_SUBSTANCE_REASON_ZH",
    "hazard_unit_key",
    "unit_flags",
    "people_within_500m",
    "enterprise_grades",
]

logger = logging.getLogger(__name__)

# ----------------------------------------------------------------------------------------------------------------
# Park level
# ----------------------------------------------------------------------------------------------------------------
_STORAGE_TANK_KINDS = {"storage_tank"}
_PRESSURE_STORAGE_KINDS = {"spherical_tank", "bullet_tank"}
_SEPARATE_BUILDING_KINDS = {"warehouse", "cylinder_store"}


def hazard_unit_key(row: Mapping[str, Any]) -> str:
    """The GB 18218 unit (单元) an installation belongs to, from the data the park layer holds.

    GB 18218-2018 (clause 3) splits units into production units (生产单元, bounded by shut-off valves) and
    storage units (储存单元: a tank farm bounded by its bund wall, or one separate warehouse building). The layer
    has no bund or valve information, so parkrisk groups, per enterprise: all atmospheric storage tanks as one
    tank-farm unit, all pressurised storage (spheres, bullets) as another, every warehouse or cylinder store as its
    own unit, and all other installations (process units, reactors, columns, loading bays, pump and compressor
    houses, electrolysers) as one production unit. Grouping more installations into one unit can only raise S, so
    the assumption errs on the side of identifying a major hazard. A ``hazard_unit`` value in the row (an optional
    column outside the layer schema) overrides this.

    Parameters
    ----------
    row : mapping
        An installations row with ``enterprise_id``, ``kind``, ``unit_id`` (and optionally ``hazard_unit``).

    Returns
    -------
    str
        ``"<enterprise_id>/<group>"``.
    """
    hu = row.get("hazard_unit") if hasattr(row, "get") else None
    if hu is not None and not (isinstance(hu, float) and math.isnan(hu)) and str(hu) != "":
        return f"{row['enterprise_id']}/{hu}"
    kind = str(row["kind"])
    if kind in _STORAGE_TANK_KINDS:
        group = "tank_farm"
    elif kind in _PRESSURE_STORAGE_KINDS:
        group = "pressure_storage"
    elif kind in _SEPARATE_BUILDING_KINDS:
        group = f"{kind}:{row['unit_id']}"
    else:
        group = "production"
    return f"{row['enterprise_id']}/{group}"


#: Chinese reason given for an installation whose substance GB 18218 cannot classify (it is treated as major).
UNKNOWN_SUBSTANCE_REASON_ZH = (
    "物质“{substance}”不在 GB 18218-2018 表1中，也未在物质库中分类，无法计算 S；按重大危险源从严对待，"
    "请补充其表2危险性类别后重新辨识"
)


def unit_flags(installations: pd.DataFrame) -> pd.DataFrame:
    """Per installation: its GB 18218 hazard unit, S, major-hazard status and the 两重点一重大 flag.

    The one rule of the project for "is this installation part of a major hazard installation". A substance that
    GB 18218-2018 cannot classify (not named in table 1, not classified in :mod:`analysis.physics.substances`)
    FAILS CLOSED: its unit is treated as a major hazard and reported as unknown (``unknown_substance`` and a
    Chinese reason), because treating it as harmless could hide a major hazard (missed 重大危险源 controls,
    inventories shown to viewers, a finding rated 一般隐患 instead of 重大隐患).

    Parameters
    ----------
    installations : DataFrame
        The installations layer (``unit_id``, ``enterprise_id``, ``kind``, ``substance``, ``inventory_kg`` [kg],
        optional ``hazardous_process`` and ``hazard_unit``). Missing or non-numeric inventories count as 0 kg.

    Returns
    -------
    DataFrame
        Index ``unit_id`` (str), in the input order; columns:

        - ``hazard_unit`` — :func:`hazard_unit_key`;
        - ``S`` [-] — of the unit, formula (1) of [1]_ over its classified substances; NaN when the unit holds an
          unknown substance and its classified substances alone stay below 1 (S is then not known; when they
          already reach 1, S is kept as a lower bound);
        - ``is_major`` (bool) — S ≥ 1, or the unit holds an unknown substance (fail closed);
        - ``unknown_substance`` (bool) — this installation's own substance cannot be classified;
        - ``reason_zh`` (str) — why the installation is treated as major without a known S (empty otherwise);
        - ``hazardous_process`` (bool) — a key-supervised hazardous process is run (non-empty
          ``hazardous_process``);
        - ``two_key_one_major`` (bool) — ``is_major`` or ``hazardous_process`` (the installation's 重大危险源 and
          重点工艺 legs; the table with the third leg, key supervised chemicals, is
          :func:`analysis.regulation.key_supervision.two_key_one_major`).

    References
    ----------
    .. [1] GB 18218-2018, formula (1), tables 1–2, clause 3 (units).
    """
    inst = installations.reset_index(drop=True)
    keys = _unit_keys(inst)
    subs = inst["substance"].astype(str).to_numpy()
    known_by_name: dict[str, bool] = {}  # one classification per distinct substance
    for s in subs:
        if s not in known_by_name:
            try:
                classify(s)
                known_by_name[s] = True
            except UnknownSubstanceError:
                known_by_name[s] = False
    known = np.array([known_by_name[s] for s in subs], dtype=bool)
    qty = pd.to_numeric(inst["inventory_kg"], errors="coerce").fillna(0.0).to_numpy(dtype=float)
    ident = identify(
        pd.DataFrame(
            {
                "unit": np.asarray(keys, dtype=object)[known],
                "substance": subs[known],
                "quantity_kg": qty[known],
            }
        )
    )
    at = ident.index.get_indexer(keys)  # -1: a unit without a classified substance
    s_val = (
        np.where(at >= 0, ident["S"].to_numpy(dtype=float)[at], 0.0) if len(ident) else np.zeros(len(keys))
    )
    major = np.where(at >= 0, ident["is_major"].to_numpy(dtype=bool)[at], False) if len(ident) else at >= 0
    unknown_in_unit: dict[str, list[str]] = {}
    for k in np.flatnonzero(~known):
        unknown_in_unit.setdefault(keys[k], []).append(str(subs[k]))
    reasons = []
    for k, key in enumerate(keys):
        if key in unknown_in_unit and not major[k]:
            s_val[k] = np.nan  # the unknown substance's share of S is not known
            major[k] = True  # fail closed
            names = "、".join(dict.fromkeys(unknown_in_unit[key]))
            reasons.append(UNKNOWN_SUBSTANCE_REASON_ZH.format(substance=names))
        else:
            reasons.append("")
    if "hazardous_process" in inst:
        proc = inst["hazardous_process"].notna().to_numpy(dtype=bool)
    else:
        proc = np.zeros(len(inst), dtype=bool)
    return pd.DataFrame(
        {
            "hazard_unit": keys,
            "S": s_val,
            "is_major": major,
            "unknown_substance": ~known,
            "reason_zh": reasons,
            "hazardous_process": proc,
            "two_key_one_major": major | proc,
        },
        index=pd.Index(inst["unit_id"].astype(str), name="unit_id"),
    )


def _unit_keys(inst: pd.DataFrame) -> list[str]:
    """:func:`hazard_unit_key` of every row, as ``inst.iterrows()`` would give it, without a Series per row."""
    return [hazard_unit_key(r) for r in _rows(inst, ("enterprise_id", "kind", "unit_id", "hazard_unit"))]


def _rows(inst: pd.DataFrame, columns: tuple[str, ...]) -> list[Mapping[str, Any]]:
    """The rows of ``inst`` reduced to ``columns`` (those it has), with the values ``inst.iterrows()`` gives.

    ``iterrows`` builds each row from ``inst.values``; a row whose values are all text, dates or missing is inferred
    as a text or date Series (its missing values become NaN or NaT), so only such rows (and frames with duplicated
    column names) are still built that way; the others are plain dicts of the values, read column by column (a column's values as
    objects are those of ``inst.values``).
    """
    if not inst.columns.is_unique:
        return [r for _, r in inst.iterrows()]
    typed = np.zeros(len(inst), dtype=bool)  # the row has a value that is neither text nor missing
    for c in inst.columns:
        col = inst[c]
        if isinstance(col.dtype, pd.StringDtype):
            continue  # text or missing only
        if isinstance(col.dtype, np.dtype) and col.dtype.kind in "biufc":
            typed |= col.notna().to_numpy(dtype=bool)
        elif isinstance(col.dtype, np.dtype) and col.dtype.kind in "mM":
            continue  # like text: a row of dates (or durations) and missing values is inferred as dates
        else:
            rest = np.flatnonzero(~typed)
            values = col.to_numpy(dtype=object)
            typed[rest] = [not isinstance(v, str) and not _missing(v) for v in values[rest]]
    cols = [c for c in columns if c in inst.columns]
    values_of = {c: inst[c].to_numpy(dtype=object) for c in cols}
    text_rows = inst.values[~typed] if not typed.all() else None
    rows: list[Mapping[str, Any]] = []
    t = 0
    for i, is_typed in enumerate(typed):
        if is_typed:
            rows.append({c: values_of[c][i] for c in cols})
        else:
            # iterrows' own row constructor (a GeoDataFrame's builds a GeoSeries when the values are geometries)
            rows.append(inst._constructor_sliced(text_rows[t], index=inst.columns))
            t += 1
    return rows


def _missing(v: Any) -> bool:
    return v is None or (pd.api.types.is_scalar(v) and bool(pd.isna(v)))


_POPULATION_MODES = ("max", "day", "night")


def people_within_500m(park: Any, *, population: str = "max", distance_m: float = 500.0) -> pd.Series:
    """People within 500 m outside each enterprise's boundary, from the sensitive-target layer.

    GB 18218-2018 counts the people within 500 m of the boundary of the plant (厂区边界) that holds the major
    hazard; parkrisk takes the enterprise polygon as the plant boundary and sums the populations of the sensitive
    targets that intersect the 500 m ring outside it (a target that touches the ring counts in full — conservative;
    targets inside the enterprise's own polygon are its own staff and are not counted).

    Parameters
    ----------
    park : geodata.Park
        Needs ``park.metric("enterprises")`` and ``park.metric("sensitive_targets")`` (metric CRS).
    population : {"max", "day", "night"}
        Which population column to use: ``"night"`` is closest to the standard's resident population (常住人口),
        ``"day"`` the daytime head count, ``"max"`` (default) the larger of the two per target (conservative).
    distance_m : float
        Ring width. [m]

    Returns
    -------
    Series
        People [人] indexed by enterprise_id.
    """
    if population not in _POPULATION_MODES:
        raise AnalysisInputError(
            f"population={population!r} is not allowed; valid: {list(_POPULATION_MODES)}"
        )
    distance_m = finite_number("distance_m", distance_m, low=0.0, low_open=True, unit="m")
    from geodata.crs import require_metric

    ent = park.metric("enterprises")
    tg = park.metric("sensitive_targets")
    require_metric(ent, what="企业图层 (enterprises)")
    require_metric(tg, what="防护目标图层 (sensitive_targets)")

    def col(name: str) -> np.ndarray:
        v = pd.to_numeric(tg[name], errors="coerce").astype(float)
        if v.isna().any():
            logger.warning("%d sensitive targets have no %s; counted as 0 people", int(v.isna().sum()), name)
        return v.fillna(0.0).to_numpy(float)

    if population == "max":
        pop = np.maximum(col("population_day"), col("population_night"))
    else:
        pop = col(f"population_{population}")
    out = {}
    tgeom = tg.geometry.to_numpy()
    for eid, geom in zip(ent["enterprise_id"], ent.geometry, strict=True):
        ring = geom.buffer(distance_m).difference(geom)
        inside_ring = np.asarray(shapely.intersects(ring, tgeom), dtype=bool)  # the same GEOS predicates,
        inside_plant = np.asarray(shapely.contains(geom, tgeom), dtype=bool)  # over all targets at once
        out[eid] = float(pop[inside_ring & ~inside_plant].sum())
    return pd.Series(out, name="people_within_500m", dtype=float)


def enterprise_grades(
    park: Any,
    *,
    people_within_500m: Mapping[Any, float] | None = None,
    population: str = "max",
    unit_key: Callable[[Mapping[str, Any]], str] = hazard_unit_key,
    categories: Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """GB 18218-2018 identification and grading of every unit of a park, and each enterprise's grade.

    Parameters
    ----------
    park : geodata.Park
        Uses ``park.installations`` (``park.metric("installations")`` when the park has no such attribute or a
        ``unit_key`` is given), enterprises and sensitive targets.
    people_within_500m : mapping, optional
        enterprise_id -> people within 500 m of its boundary [人]; computed from the sensitive targets by
        :func:`people_within_500m` when not given (population mode ``population``).
    population : {"max", "day", "night"}
        Population column used when counting people (see :func:`people_within_500m`).
    unit_key : callable
        Row -> unit key; default :func:`hazard_unit_key`.
    categories : mapping, optional
        substance -> table-2 category symbol, for substances not in table 1 (or to override the β category).

    Returns
    -------
    units : DataFrame
        One row per unit: ``unit``, ``enterprise_id``, ``unit_ids`` (installations in it), ``S``, ``is_major``,
        ``people``, ``alpha``, ``R``, ``grade`` (Int64, <NA> when not major).
    enterprises : DataFrame
        One row per enterprise: ``enterprise_id``, ``n_major_units``, ``major_hazard_grade`` (the highest grade,
        i.e. the smallest number, among its major units; <NA> when it has none), ``max_R``, ``people``.

    References
    ----------
    .. [1] GB 18218-2018, formulae (1)–(2), tables 1–6.
    """
    if unit_key is hazard_unit_key and hasattr(park, "installations"):
        inst = park.installations  # the attributes only: no projection of the layer
    else:  # a caller's key may read the geometry, in metres
        inst = park.metric("installations")
    ent_ids = list(park.metric("enterprises")["enterprise_id"])
    if people_within_500m is None:
        ppl = people_within_500m_fn(park, population=population)
    else:
        ppl = pd.Series({k: float(v) for k, v in people_within_500m.items()})
        missing = [e for e in set(inst["enterprise_id"]) if e not in ppl.index]
        if missing:
            raise AnalysisInputError(f"people_within_500m has no entry for enterprises {sorted(missing)}")
    cats = dict(categories or {})
    if unit_key is hazard_unit_key:  # the same rows as iterrows, without a Series per row
        rows = _rows(inst, ("enterprise_id", "kind", "unit_id", "hazard_unit", "substance", "inventory_kg"))
    else:  # a caller's key may read any column
        rows = [r for _, r in inst.iterrows()]
    recs = [
        {
            "unit": unit_key(r),
            "enterprise_id": r["enterprise_id"],
            "unit_id": r["unit_id"],
            "substance": r["substance"],
            "quantity_kg": float(r["inventory_kg"]),
            "category": cats.get(str(r["substance"])),
        }
        for r in rows
    ]
    df = pd.DataFrame(recs)
    if df.empty:
        units = pd.DataFrame(
            columns=["unit", "enterprise_id", "unit_ids", "S", "is_major", "people", "alpha", "R", "grade"]
        )
    else:
        unit_ent = df.groupby("unit", sort=False)["enterprise_id"].first()
        people_of = _getter(ppl)
        unit_people = {u: float(people_of(e, 0.0)) for u, e in unit_ent.items()}
        graded = grade_units(df[["unit", "substance", "quantity_kg", "category"]], people=unit_people)
        graded["enterprise_id"] = unit_ent.reindex(graded.index)
        graded["unit_ids"] = _joined_ids(df, by_text=unit_key is hazard_unit_key)
        units = graded.reset_index(names="unit")[
            [
                "unit",
                "enterprise_id",
                "unit_ids",
                "S",
                "is_major",
                "n_substances",
                "people",
                "alpha",
                "R",
                "grade",
            ]
        ]
    rows = _enterprise_rows(units, ent_ids, ppl)
    ents = pd.DataFrame(rows)
    ents["major_hazard_grade"] = ents["major_hazard_grade"].astype("Int64")
    return units, ents


def _enterprise_rows(units: pd.DataFrame, ent_ids: list[Any], ppl: pd.Series) -> list[dict[str, Any]]:
    """Per enterprise of ``ent_ids``: its major units' count, highest grade (smallest number) and largest R, and its
    people. The major units are grouped once by enterprise (an id that is no unit's ``enterprise_id`` has none)."""
    n: dict[Any, int] = {}
    best: dict[Any, Any] = {}
    max_r: dict[Any, float] = {}
    if len(units):
        major = units[units["enterprise_id"].notna() & units["is_major"].astype(bool)]
        by = major.groupby("enterprise_id", sort=False)
        n = by.size().to_dict()
        max_r = by["R"].max().to_dict()  # NaN-skipping, NaN when all are NaN, as Series.max
        graded = major[major["grade"].notna()]
        best = graded.groupby("enterprise_id", sort=False)["grade"].min().to_dict()
    people_of = _getter(ppl)
    rows = []
    for eid in ent_ids:
        k = int(n.get(eid, 0)) if not _missing(eid) else 0
        rows.append(
            {
                "enterprise_id": eid,
                "n_major_units": k,
                "major_hazard_grade": int(best[eid]) if k and eid in best else pd.NA,
                "max_R": float(max_r[eid]) if k else float("nan"),
                "people": float(people_of(eid, 0.0)),
            }
        )
    return rows


def _joined_ids(df: pd.DataFrame, *, by_text: bool) -> pd.Series:
    """Per unit, its installations' ``unit_id`` joined with ","; units in order of first appearance. ``by_text``:
    every unit key is a text (:func:`hazard_unit_key`), so the rows are gathered in one pass."""
    if not by_text:
        return df.groupby("unit", sort=False)["unit_id"].agg(lambda s: ",".join(map(str, s)))
    ids: dict[str, list[str]] = {}
    for unit, uid in zip(df["unit"].tolist(), df["unit_id"].tolist(), strict=True):
        ids.setdefault(unit, []).append(str(uid))
    return pd.Series({u: ",".join(v) for u, v in ids.items()}, name="unit_id")


def _getter(s: pd.Series) -> Callable[[Any, Any], Any]:
    """``s.get`` — as a dict's ``get`` when the labels are unique and none is missing (the same look-ups)."""
    if s.index.is_unique and not s.index.hasnans:
        return s.to_dict().get
    return s.get


people_within_500m_fn = people_within_500m

"""Major hazard installations (危险化学品重大危险源): identification and grading per GB 18218-2018.

Identification (辨识) of a unit (单元) [1]_: with qᵢ the maximum quantity of each hazardous chemical present in the
unit and Qᵢ its critical quantity (临界量),

    S = Σ qᵢ / Qᵢ ,      the unit is a major hazard installation when S ≥ 1        ([1], formula (1))

Qᵢ comes from table 1 (named substances) or, for a substance not named there, from table 2 (by hazard category);
a substance with several hazards takes the lowest critical quantity ([1], §4.1 text under table 2).

Grading (分级) of a major hazard installation [1]_:

    R = α Σ βᵢ qᵢ / Qᵢ                                                        ([1], formula (2))

with βᵢ from table 3 (named toxic gases) or table 4 (by hazard category), α from table 5 (people within 500 m of the
plant boundary) and the grade from table 6: R ≥ 100 grade 1, 100 > R ≥ 50 grade 2, 50 > R ≥ 10 grade 3, R < 10
grade 4.

Sources and what was checked
----------------------------
The standard's own text was not available to us. The α table, the grade bounds and the 14 table-3 β
values are identical to those of 《危险化学品重大危险源监督管理暂行规定》(2011) 附件1 [2]_, whose public text was read
(it also defines α by the resident population within 500 m of the plant boundary, 厂区边界向外扩展500米范围内常住人口),
and GB 18218-2018 took them over. Tables 1, 2 and 4 (``analysis/data/gb18218_2018_table1.csv``,
``gb18218_2018_table2.csv``) were cross-checked against an independent public transcription; the table numbers
(5 for α, 6 for the grades) follow that transcription. Section numbers are not cited because they could not be
checked.

Substance names
---------------
A substance is looked up in table 1 by CAS number, Chinese name or alias, or English name; other names (液氯, 原油,
丙烯 …) are resolved through :mod:`analysis.physics.substances`, whose ``gb18218_category`` gives the table-2 category of a
substance outside table 1 (a test checks that every Q and β in those records equals the value derived here, so the
two stay one truth). A substance neither source knows needs its category from the user.

Units
-----
The standard's quantities are in tonnes; every public function here takes and returns kg (converted on load).

References
----------
.. [1] GB 18218-2018 危险化学品重大危险源辨识 (Identification of major hazard installations for hazardous
       chemicals). Standards Press of China, 2018: formula (1) S, formula (2) R, tables 1–6; definitions of
       单元 / 生产单元 / 储存单元 (clause 3).
.. [2] 国家安全生产监督管理总局令第40号《危险化学品重大危险源监督管理暂行规定》(2011), 附件1 危险化学品重大危险源
       分级方法: 表1–表2 (β), 表3 (α), 表4 (grade vs R).
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from analysis._data import DATA_DIR

__all__ = [
    "GRADE_LABELS_ZH",
    "NOT_APPLICABLE",
    "classify",
    "ALPHA_TABLE",
    "GRADE_BOUNDS",
    "HazardClassification",
    "critical_quantity",
    "beta",
    "alpha",
    "grade",
    "identify",
    "grade_units",
    "hazard_unit_key",
    "people_within_500m",
    "enterprise_grades",
    "table1",
    "table2",
]

logger = logging.getLogger(__name__)

_DATA = DATA_DIR
_T_TO_KG = 1000.0  # the standard's Q is in t; 1 t = 1000 kg

#: GB 18218-2018 table 5 (α), as (lowest head count of the bracket, α), highest bracket first:
#: ≥ 100 people → 2.0; 50–99 → 1.5; 30–49 → 1.2; 1–29 → 1.0; 0 → 0.5.
ALPHA_TABLE: tuple[tuple[float, float], ...] = (
    (100.0, 2.0),
    (50.0, 1.5),
    (30.0, 1.2),
    (1.0, 1.0),
    (0.0, 0.5),
)

#: GB 18218-2018 table 6: grade g applies when R ≥ GRADE_BOUNDS[g] (and below the bound of grade g - 1).
GRADE_BOUNDS: dict[int, float] = {1: 100.0, 2: 50.0, 3: 10.0, 4: -math.inf}

GRADE_LABELS_ZH: dict[int, str] = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}


# ----------------------------------------------------------------------------------------------------------------
# Tables
# ----------------------------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def table1() -> pd.DataFrame:
    """GB 18218-2018 table 1 with ``q_kg`` [kg] (critical quantity) and the β category for non-table-3 rows."""
    df = pd.read_csv(_DATA / "gb18218_2018_table1.csv", comment="#", dtype={"cas": str, "beta_category": str})
    df["q_kg"] = df["q_t"].astype(float) * _T_TO_KG
    df["beta_category"] = df["beta_category"].fillna("")
    df["cas"] = df["cas"].fillna("")
    df["alias_zh"] = df["alias_zh"].fillna("")
    return df


@lru_cache(maxsize=1)
def table2() -> pd.DataFrame:
    """GB 18218-2018 tables 2 and 4 by category symbol: ``q_kg`` [kg] and ``beta`` [-]."""
    df = pd.read_csv(_DATA / "gb18218_2018_table2.csv", comment="#")
    df["q_kg"] = df["q_t"].astype(float) * _T_TO_KG
    return df.set_index("category")


@lru_cache(maxsize=1)
def _table3() -> dict[str, float]:
    """GB 18218-2018 table 3: lower-cased CAS, Chinese and English names -> β."""
    df = pd.read_csv(_DATA / "gb18218_2018_beta.csv", comment="#", dtype={"cas": str})
    out: dict[str, float] = {}
    for r in df.itertuples():
        for k in (r.cas, r.name_zh, r.name_en):
            out[str(k).strip().lower()] = float(r.beta)
    return out


@lru_cache(maxsize=1)
def _name_index() -> dict[str, int]:
    """Lower-cased CAS numbers, Chinese names, aliases and English names -> row position in table 1."""
    idx: dict[str, int] = {}
    for i, r in table1().iterrows():
        keys: list[str] = []
        for col in ("cas", "alias_zh", "name_en"):
            keys += [k.strip() for k in str(r[col]).split(";") if k.strip()]
        name = str(r["name_zh"]).strip()
        keys.append(name)
        # the name without its parenthetical qualifier (液化石油气(含丙烷…) -> 液化石油气); where several rows share
        # a short name (硝化纤维素, 硝酸铵) the first row, which has the lowest Q, wins
        keys.append(re.split(r"[(（\[]", name)[0].strip())
        for k in keys:
            idx.setdefault(k.lower(), int(i))
    return idx


@dataclass(frozen=True)
class HazardClassification:
    """How a substance enters GB 18218-2018.

    Attributes
    ----------
    q_kg : float
        Critical quantity Q. [kg]
    beta : float
        Correction factor β [-]; NaN when the substance is in table 1, not in table 3 and has no known
        table-4 category (identification works, grading asks for the category).
    source : str
        Which table gave Q (``"table1"`` or ``"table2"``).
    table1_no : int or None
        Row number in table 1.
    category : str
        Table-2/4 category symbol used (empty when Q and β both came from tables 1 and 3).
    """

    q_kg: float
    beta: float
    source: str
    table1_no: int | None
    category: str


#: Pseudo-category for a substance with none of the hazards of GB 18218-2018 table 2 (it does not count).
NOT_APPLICABLE = "none"


def _substance_record(substance: str) -> Any | None:
    """The GB 18218 identity (CAS, Q, category) of a name/alias/CAS from :mod:`analysis.physics.substances`, or None when
    that module does not know it (read from its bundled table: no property library is loaded)."""
    from analysis.physics import substances

    try:
        return substances.gb18218_identity(substance)
    except substances.UnknownSubstanceError:
        return None


def _valid_categories() -> list[str]:
    return list(table2().index) + [NOT_APPLICABLE]


def classify(substance: str, *, category: str | None = None) -> HazardClassification:
    """Critical quantity and β of one substance per GB 18218-2018.

    Parameters
    ----------
    substance : str
        CAS number, Chinese name or alias, or English name as in table 1.
    category : str, optional
        Table-2/4 category symbol (``"W2"``, ``"J1"``, ``"W5.3"`` …) or ``"none"`` (none of the hazards of table
        2: the substance does not count, Q = ∞, β = 0). Required for a substance that is neither named in table 1
        nor classified in :mod:`analysis.physics.substances` (whose ``gb18218_category`` is used for substances outside
        table 1, e.g. propylene W2, diesel W5.4); for a table-1 substance not named in table 3 it overrides the β
        category parkrisk assigned.

    Returns
    -------
    HazardClassification

    Raises
    ------
    ValueError
        Unknown category, or a substance outside table 1 without a category, or a table-1 substance for which
        β cannot be determined without a category.

    References
    ----------
    .. [1] GB 18218-2018, tables 1–4.
    """
    t2 = table2()
    if category is not None and category not in _valid_categories():
        raise ValueError(
            f"category={category!r} is not a GB 18218-2018 table-2 category; valid: {_valid_categories()}"
        )
    key = str(substance).strip().lower()
    t3 = _table3()
    row_pos = _name_index().get(key)
    if row_pos is None:
        # not a name of table 1: resolve it through the substance records (aliases such as 液氯, mixtures, CAS)
        rec = _substance_record(str(substance))
        if rec is not None:
            row_pos = _name_index().get(str(rec.cas).strip().lower())
            key = str(rec.cas).strip().lower() if row_pos is not None or rec.cas.lower() in t3 else key
            if row_pos is None and category is None:
                if rec.category:
                    category = rec.category  # table-2 category recorded in analysis/data/substances.csv
                elif not np.isfinite(rec.critical_quantity):
                    category = NOT_APPLICABLE  # the substance record says GB 18218 does not cover it
    if category == NOT_APPLICABLE:
        return HazardClassification(
            q_kg=math.inf, beta=0.0, source="none", table1_no=None, category=NOT_APPLICABLE
        )
    if row_pos is None:
        if category is None:
            raise ValueError(
                f"substance={substance!r} is not named in GB 18218-2018 table 1; give its table-2 hazard category "
                f"(category=...), one of {_valid_categories()}"
            )
        b = t3.get(key, float(t2.loc[category, "beta"]))  # [1], table 3 if named there, else table 4
        return HazardClassification(
            q_kg=float(t2.loc[category, "q_kg"]),
            beta=b,
            source="table2",
            table1_no=None,
            category=category,
        )
    r = table1().iloc[row_pos]
    keys = [c.strip().lower() for c in str(r["cas"]).split(";") if c.strip()] + [key]
    beta_named = next((t3[c] for c in keys if c in t3), None)
    cat = category if category is not None else (r["beta_category"] or "")
    if beta_named is not None:
        b = beta_named  # [1], table 3
    elif cat:
        b = float(t2.loc[cat, "beta"])  # [1], table 4
    else:
        b = math.nan  # no category known: β undetermined (identification still works; grading will ask)
    return HazardClassification(
        q_kg=float(r["q_kg"]),
        beta=b,
        source="table1",
        table1_no=int(r["no"]),
        category=cat if beta_named is None else "",
    )


def critical_quantity(substance: str, *, category: str | None = None) -> float:
    """Critical quantity Q of a substance (GB 18218-2018 table 1, else table 2 by category). [kg]"""
    return classify(substance, category=category).q_kg


def beta(substance: str, *, category: str | None = None) -> float:
    """Correction factor β of a substance (GB 18218-2018 table 3, else table 4 by category). [-]

    Raises ValueError when the substance is in table 1 but neither in table 3 nor assigned a table-4 category.
    """
    c = classify(substance, category=category)
    if math.isnan(c.beta):
        raise ValueError(
            f"substance={substance!r} (GB 18218-2018 table 1 no. {c.table1_no}) is not named in table 3 and parkrisk "
            f"has no table-4 category for it; give category=... one of {_valid_categories()}"
        )
    return c.beta


# ----------------------------------------------------------------------------------------------------------------
# α and grade
# ----------------------------------------------------------------------------------------------------------------
def alpha(people: Any) -> Any:
    """Exposed-people correction factor α of GB 18218-2018 table 5.

    Parameters
    ----------
    people : numeric or array_like
        Number of people (resident population) within 500 m of the plant boundary. [人]; a non-integer count (an
        area-weighted estimate) falls in the bracket whose lower bound it reaches (29.5 → 1.0, 0.4 → 0.5).

    Returns
    -------
    alpha : float or ndarray
        ≥ 100 → 2.0; 50–99 → 1.5; 30–49 → 1.2; 1–29 → 1.0; 0 → 0.5. [-]

    Raises
    ------
    ValueError
        Negative or NaN head count.

    References
    ----------
    .. [1] GB 18218-2018, table 5 (暴露人员校正系数α取值表); same values in [2] 附件1 表3.
    .. [2] 国家安全生产监督管理总局令第40号 (2011), 附件1.
    """
    p = np.asarray(people, dtype=float)
    bad = np.isnan(p) | (p < 0)
    if np.any(bad):
        raise ValueError(
            f"people={np.asarray(people)[bad].tolist() if p.ndim else people!r} is not allowed: the number of "
            "people within 500 m must be a count ≥ 0"
        )
    out = np.full(p.shape, ALPHA_TABLE[-1][1])
    for lower, a in reversed(ALPHA_TABLE[:-1]):  # [1], table 5, lowest bracket first so higher ones overwrite
        out = np.where(p >= lower, a, out)
    return float(out) if out.ndim == 0 else out


def grade(r_value: Any) -> Any:
    """Grade of a major hazard installation from its R (GB 18218-2018 table 6).

    Parameters
    ----------
    r_value : numeric or array_like
        Grading indicator R. [-]

    Returns
    -------
    grade : int or ndarray of int
        1 for R ≥ 100; 2 for 50 ≤ R < 100; 3 for 10 ≤ R < 50; 4 for R < 10 (lower bounds inclusive, as the
        table writes 100 > R ≥ 50 etc.). [-]

    Raises
    ------
    ValueError
        NaN or negative R.

    References
    ----------
    .. [1] GB 18218-2018, table 6 (危险化学品重大危险源级别和R值的对应关系); same bounds in [2] 附件1 表4.
    .. [2] 国家安全生产监督管理总局令第40号 (2011), 附件1.
    """
    r = np.asarray(r_value, dtype=float)
    bad = np.isnan(r) | (r < 0)
    if np.any(bad):
        raise ValueError(f"r_value={r_value!r} is not allowed: R must be a number ≥ 0")
    out = np.full(r.shape, 4, dtype=int)
    out = np.where(r >= GRADE_BOUNDS[3], 3, out)  # [1], table 6
    out = np.where(r >= GRADE_BOUNDS[2], 2, out)
    out = np.where(r >= GRADE_BOUNDS[1], 1, out)
    return int(out) if out.ndim == 0 else out.astype(int)


# ----------------------------------------------------------------------------------------------------------------
# Units
# ----------------------------------------------------------------------------------------------------------------
_REQUIRED_UNIT_COLUMNS = ("unit", "substance", "quantity_kg")


def _check_units(units: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in _REQUIRED_UNIT_COLUMNS if c not in units.columns]
    if missing:
        raise ValueError(
            f"units is missing columns {missing}; required: {list(_REQUIRED_UNIT_COLUMNS)} "
            "(optional: category)"
        )
    q = pd.to_numeric(units["quantity_kg"], errors="coerce")
    bad = q.isna() | (q < 0)
    if bad.any():
        raise ValueError(
            f"quantity_kg has invalid values {units.loc[bad, 'quantity_kg'].tolist()} in units "
            f"{units.loc[bad, 'unit'].tolist()}: each must be a mass ≥ 0 [kg]"
        )
    return units


def _contributions(units: pd.DataFrame) -> pd.DataFrame:
    units = _check_units(units)
    rows = []
    unknown: list[str] = []
    for r in units.itertuples(index=False):
        cat = getattr(r, "category", None)
        cat = None if cat is None or (isinstance(cat, float) and math.isnan(cat)) or cat == "" else str(cat)
        try:
            c = classify(str(r.substance), category=cat)
        except ValueError as exc:
            if "is not named in GB 18218-2018 table 1" not in str(exc):
                raise
            unknown.append(str(r.substance))
            continue
        rows.append(
            {
                "unit": r.unit,
                "substance": r.substance,
                "quantity_kg": float(r.quantity_kg),
                "q_critical_kg": c.q_kg,
                "beta": c.beta,
                "ratio": float(r.quantity_kg) / c.q_kg,  # 0 for a substance outside table 2 (Q = ∞)
                "source": c.source,
            }
        )
    if unknown:
        raise ValueError(
            f"substances {sorted(set(unknown))} are not named in GB 18218-2018 table 1 nor classified in "
            f"analysis.physics.substances; give their table-2 category (a 'category' column, or categories={{substance: symbol}}), one of "
            f"{_valid_categories()}"
        )
    return pd.DataFrame(
        rows, columns=["unit", "substance", "quantity_kg", "q_critical_kg", "beta", "ratio", "source"]
    )


def identify(units: pd.DataFrame) -> pd.DataFrame:
    """Identify major hazard installations: S = Σ qᵢ/Qᵢ per unit, major when S ≥ 1.

    Parameters
    ----------
    units : DataFrame
        One row per substance present in a unit: ``unit`` (the unit's key), ``substance`` (CAS/name as in
        table 1), ``quantity_kg`` (maximum quantity present, [kg]), optional ``category`` (table-2 symbol, for
        substances not in table 1). Several rows of the same substance in one unit are added.

    Returns
    -------
    DataFrame
        Indexed by unit: ``S`` [-], ``is_major`` (bool), ``n_substances``.

    References
    ----------
    .. [1] GB 18218-2018, formula (1) and tables 1–2.
    """
    c = _contributions(units)
    if c.empty:
        return pd.DataFrame(
            {
                "S": pd.Series(dtype=float),
                "is_major": pd.Series(dtype=bool),
                "n_substances": pd.Series(dtype=int),
            }
        )
    g = c.groupby("unit", sort=False)
    out = pd.DataFrame({"S": g["ratio"].sum(), "n_substances": g["substance"].nunique()})  # [1], formula (1)
    out["is_major"] = out["S"] >= 1.0
    return out[["S", "is_major", "n_substances"]]


def grade_units(units: pd.DataFrame, *, people: float | Mapping[Any, float] | pd.Series) -> pd.DataFrame:
    """Identify and grade units: S, R = α Σ βᵢ qᵢ/Qᵢ and the grade (grade only for major hazard units).

    Parameters
    ----------
    units : DataFrame
        As for :func:`identify`.
    people : float, mapping or Series
        People within 500 m of the plant boundary [人]: one number for all units, or unit key -> number.

    Returns
    -------
    DataFrame
        Indexed by unit: ``S``, ``is_major``, ``n_substances``, ``people``, ``alpha``, ``R`` [-] and ``grade``
        (nullable Int64: 1–4 for major hazard units, <NA> otherwise).

    References
    ----------
    .. [1] GB 18218-2018, formula (2), tables 3–6.
    """
    c = _contributions(units)
    ident = identify(units)
    if ident.empty:
        return ident.assign(
            people=pd.Series(dtype=float),
            alpha=pd.Series(dtype=float),
            R=pd.Series(dtype=float),
            grade=pd.Series(dtype="Int64"),
        )
    nob = c[c["beta"].isna()]
    if len(nob):
        raise ValueError(
            f"no GB 18218-2018 β for substances {sorted(set(map(str, nob['substance'])))} (table 1, not in table 3, "
            f"no table-4 category known); give their category in a 'category' column, one of {_valid_categories()}"
        )
    c["beta_ratio"] = c["beta"] * c["ratio"]
    weighted = c.groupby("unit", sort=False)["beta_ratio"].sum()
    if isinstance(people, (Mapping, pd.Series)):
        missing = [u for u in ident.index if u not in people]
        if missing:
            raise ValueError(f"people has no entry for units {missing}; give a number [人] for every unit")
        ppl = pd.Series({u: float(people[u]) for u in ident.index})
    else:
        ppl = pd.Series(float(people), index=ident.index)
    out = ident.copy()
    out["people"] = ppl
    out["alpha"] = alpha(ppl.to_numpy())
    out["R"] = out["alpha"] * weighted.reindex(out.index)  # [1], formula (2)
    g = pd.Series(grade(out["R"].to_numpy()), index=out.index).astype("Int64")
    out["grade"] = g.where(out["is_major"], pd.NA)
    return out


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
        raise ValueError(f"population={population!r} is not allowed; valid: {list(_POPULATION_MODES)}")
    if not (np.isfinite(distance_m) and distance_m > 0):
        raise ValueError(f"distance_m={distance_m!r} must be a distance > 0 [m]")
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
        inside_ring = np.asarray([ring.intersects(t) for t in tgeom], dtype=bool)
        inside_plant = np.asarray([geom.contains(t) for t in tgeom], dtype=bool)
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
        Uses ``park.installations`` (or ``park.metric("installations")``), enterprises and sensitive targets.
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
    inst = park.metric("installations")
    ent_ids = list(park.metric("enterprises")["enterprise_id"])
    if people_within_500m is None:
        ppl = people_within_500m_fn(park, population=population)
    else:
        ppl = pd.Series({k: float(v) for k, v in people_within_500m.items()})
        missing = [e for e in set(inst["enterprise_id"]) if e not in ppl.index]
        if missing:
            raise ValueError(f"people_within_500m has no entry for enterprises {sorted(missing)}")
    cats = dict(categories or {})
    recs = []
    for _, r in inst.iterrows():
        key = unit_key(r)
        recs.append(
            {
                "unit": key,
                "enterprise_id": r["enterprise_id"],
                "unit_id": r["unit_id"],
                "substance": r["substance"],
                "quantity_kg": float(r["inventory_kg"]),
                "category": cats.get(str(r["substance"])),
            }
        )
    df = pd.DataFrame(recs)
    if df.empty:
        units = pd.DataFrame(
            columns=["unit", "enterprise_id", "unit_ids", "S", "is_major", "people", "alpha", "R", "grade"]
        )
    else:
        unit_ent = df.groupby("unit", sort=False)["enterprise_id"].first()
        unit_people = {u: float(ppl.get(e, 0.0)) for u, e in unit_ent.items()}
        graded = grade_units(df[["unit", "substance", "quantity_kg", "category"]], people=unit_people)
        graded["enterprise_id"] = unit_ent.reindex(graded.index)
        graded["unit_ids"] = df.groupby("unit", sort=False)["unit_id"].agg(lambda s: ",".join(map(str, s)))
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
    rows = []
    for eid in ent_ids:
        u = units[(units["enterprise_id"] == eid) & units["is_major"].astype(bool)] if len(units) else units
        g = u["grade"].dropna()
        rows.append(
            {
                "enterprise_id": eid,
                "n_major_units": int(len(u)),
                "major_hazard_grade": int(g.min()) if len(g) else pd.NA,
                "max_R": float(u["R"].max()) if len(u) else float("nan"),
                "people": float(ppl.get(eid, 0.0)),
            }
        )
    ents = pd.DataFrame(rows)
    ents["major_hazard_grade"] = ents["major_hazard_grade"].astype("Int64")
    return units, ents


people_within_500m_fn = people_within_500m

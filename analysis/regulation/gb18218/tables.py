"""GB 18218-2018 tables 1–6 and formulae (1)–(2): critical quantities Q, correction factors β and α, S and R of
units, grades. The package docstring (:mod:`analysis.regulation.gb18218`) gives the sources and what was checked.

Every public function takes and returns kg (the standard's tonnes are converted on load).

References
----------
.. [1] GB 18218-2018 危险化学品重大危险源辨识. Standards Press of China, 2018: formula (1) S, formula (2) R,
       tables 1–6.
.. [2] 国家安全生产监督管理总局令第40号《危险化学品重大危险源监督管理暂行规定》(2011), 附件1 危险化学品重大危险源
       分级方法: 表1–表2 (β), 表3 (α), 表4 (grade vs R).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from analysis._data import DATA_DIR
from analysis.errors import AnalysisInputError, UnknownSubstanceError

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
    "table1",
    "table2",
]


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
    analysis.errors.UnknownSubstanceError
        A substance neither named in table 1 nor classified in :mod:`analysis.physics.substances`, given without
        a category.
    analysis.errors.AnalysisInputError
        Unknown category.

    References
    ----------
    .. [1] GB 18218-2018, tables 1–4.
    """
    t2 = table2()
    if category is not None and category not in _valid_categories():
        raise AnalysisInputError(
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
            raise UnknownSubstanceError(
                f"物质 substance={substance!r} 不在 GB 18218-2018 表1中，也未在物质库中分类；请给出其表2危险性类别 "
                f"category，可选：{_valid_categories()} (is not named in GB 18218-2018 table 1; give its table-2 "
                "hazard category)"
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
        raise AnalysisInputError(
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
        raise AnalysisInputError(
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
        raise AnalysisInputError(f"r_value={r_value!r} is not allowed: R must be a number ≥ 0")
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
        raise AnalysisInputError(
            f"units is missing columns {missing}; required: {list(_REQUIRED_UNIT_COLUMNS)} "
            "(optional: category)"
        )
    q = pd.to_numeric(units["quantity_kg"], errors="coerce")
    bad = q.isna() | (q < 0)
    if bad.any():
        raise AnalysisInputError(
            f"quantity_kg has invalid values {units.loc[bad, 'quantity_kg'].tolist()} in units "
            f"{units.loc[bad, 'unit'].tolist()}: each must be a mass ≥ 0 [kg]"
        )
    return units


def _contributions(units: pd.DataFrame) -> pd.DataFrame:
    units = _check_units(units)
    rows = []
    unknown: list[str] = []
    classified: dict[tuple[str, str | None], HazardClassification | None] = {}  # one look-up per substance
    for r in units.itertuples(index=False):
        cat = getattr(r, "category", None)
        cat = None if cat is None or (isinstance(cat, float) and math.isnan(cat)) or cat == "" else str(cat)
        key = (str(r.substance), cat)
        if key not in classified:
            try:
                classified[key] = classify(key[0], category=cat)
            except UnknownSubstanceError:
                classified[key] = None
        c = classified[key]
        if c is None:
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
        raise UnknownSubstanceError(
            f"物质 {sorted(set(unknown))} 不在 GB 18218-2018 表1中，也未在物质库中分类，请给出其表2危险性类别"
            f"（category 列，或 categories={{物质: 类别}}），可选：{_valid_categories()} (substances "
            f"{sorted(set(unknown))} are not named in GB 18218-2018 table 1 nor classified in "
            "analysis.physics.substances; give their table-2 category)"
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
        raise AnalysisInputError(
            f"no GB 18218-2018 β for substances {sorted(set(map(str, nob['substance'])))} (table 1, not in table 3, "
            f"no table-4 category known); give their category in a 'category' column, one of {_valid_categories()}"
        )
    c["beta_ratio"] = c["beta"] * c["ratio"]
    weighted = c.groupby("unit", sort=False)["beta_ratio"].sum()
    if isinstance(people, (Mapping, pd.Series)):
        missing = [u for u in ident.index if u not in people]
        if missing:
            raise AnalysisInputError(
                f"people 人数缺少装置单元 {missing}：请为每个单元给出厂界外 500 m 内的常住人数 [人] / "
                "people has no entry for these units"
            )
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

"""两重点一重大 per installation and enterprise: key supervised chemicals, key supervised hazardous processes, major
hazard installations.

The three legs [1]_: a key supervised chemical (:func:`analysis.regulation.key_chemicals.key_chemical`, lists of
2011 and 2013), one of the 18 key supervised hazardous processes (the installation's ``hazardous_process``, list of
2013 [2]_) and a major hazard installation (GB 18218-2018, :func:`analysis.regulation.gb18218.unit_flags` and
:func:`analysis.regulation.gb18218.enterprise_grades`: the project's one identification and grading rule; an
unknown substance fails closed there). An installation or an enterprise "involves 两重点一重大" when any leg holds.

References
----------
.. [1] 国家安全监管总局 (2011). 关于公布首批重点监管的危险化学品名录的通知, 安监总管三〔2011〕95号; 关于加强化工过程
       安全管理的指导意见, 安监总管三〔2013〕88号 (重点监管危险化学品、危险化工工艺和危险化学品重大危险源).
.. [2] 国家安全监管总局 (2009, 2013). 首批 (安监总管三〔2009〕116号) 和第二批 (安监总管三〔2013〕3号) 重点监管的
       危险化工工艺目录 (18 processes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis.regulation.gb18218 import enterprise_grades, unit_flags
from analysis.regulation.key_chemicals import key_chemical_entry

__all__ = ["TwoKeyOneMajor", "two_key_one_major", "UNIT_COLUMNS", "ENTERPRISE_COLUMNS"]

#: Columns of :attr:`TwoKeyOneMajor.units`.
UNIT_COLUMNS: tuple[str, ...] = (
    "unit_id",
    "enterprise_id",
    "name",
    "substance",
    "key_chemical",
    "key_chemical_name",
    "hazardous_process",
    "major_hazard",
    "hazard_unit",
    "major_hazard_grade",
    "two_key_one_major",
)
#: Columns of :attr:`TwoKeyOneMajor.enterprises`.
ENTERPRISE_COLUMNS: tuple[str, ...] = (
    "enterprise_id",
    "name",
    "key_chemicals",
    "n_key_chemical_units",
    "hazardous_processes",
    "n_process_units",
    "n_major_units",
    "major_hazard_grade",
    "two_key_one_major",
)


@dataclass(frozen=True)
class TwoKeyOneMajor:
    """Result of :func:`two_key_one_major`.

    Attributes
    ----------
    units : DataFrame
        One row per installation (:data:`UNIT_COLUMNS`): ``key_chemical`` (bool) and the list entry's name,
        ``hazardous_process`` (the process key or ""), ``major_hazard`` (bool: part of a major hazard unit),
        ``hazard_unit`` and its grade (Int64, <NA> when not major), ``two_key_one_major`` (any of the three).
    enterprises : DataFrame
        One row per enterprise (:data:`ENTERPRISE_COLUMNS`): the distinct key chemicals and processes (joined with
        "；" and "、"), the number of installations of each leg, the enterprise's major-hazard grade (highest, i.e. smallest
        number) and whether it involves any leg.
    counts : dict
        Park counts: ``enterprises``, ``key_chemical_enterprises``, ``process_enterprises``,
        ``major_hazard_enterprises``, ``two_key_one_major_enterprises`` and the same for installations
        (``*_units``).
    """

    units: pd.DataFrame
    enterprises: pd.DataFrame
    counts: dict[str, int]


def _process(v: Any) -> str:
    if v is None or (isinstance(v, float) and v != v) or v is pd.NA:
        return ""
    return str(v).strip()


def _frame(cols: dict[str, list[Any]], columns: tuple[str, ...]) -> pd.DataFrame:
    """The table of the column lists ``cols`` (``major_hazard_grade`` as nullable Int64)."""
    out = pd.DataFrame({c: cols[c] for c in columns if c != "major_hazard_grade"}, columns=list(columns))
    if len(cols["major_hazard_grade"]) == 0:  # the empty table's columns as a table of no rows gives them
        out = out.astype({c: object for c in columns})
    out["major_hazard_grade"] = pd.array(cols["major_hazard_grade"], dtype="Int64")
    return out


def _enterprise_columns(
    units: dict[str, list[Any]], names: dict[Any, Any], grade_of: dict[Any, Any]
) -> dict[str, list[Any]]:
    """Per enterprise of ``names`` (in its order), the columns of :data:`ENTERPRISE_COLUMNS` from the unit columns
    ``units``: its installations are found once, by their ``enterprise_id`` (text)."""
    at: dict[str, list[int]] = {}
    for i, eid in enumerate(units["enterprise_id"]):
        at.setdefault(eid, []).append(i)
    kc_of, kc_name = units["key_chemical"], units["key_chemical_name"]
    proc_of, major_of, hu_of = units["hazardous_process"], units["major_hazard"], units["hazard_unit"]
    out: dict[str, list[Any]] = {c: [] for c in ENTERPRISE_COLUMNS}
    for eid, name in names.items():
        rows = at.get(str(eid), [])
        kc = [kc_name[i] for i in rows if kc_of[i]]
        pr = [proc_of[i] for i in rows if proc_of[i] != ""]
        mj = {hu_of[i] for i in rows if major_of[i] and not pd.isna(hu_of[i])}  # as Series.nunique
        n_major = sum(1 for i in rows if major_of[i])
        grade = grade_of.get(eid, pd.NA)
        for col, value in (
            ("enterprise_id", str(eid)),
            ("name", str(name)),
            ("key_chemicals", "；".join(dict.fromkeys(kc))),
            ("n_key_chemical_units", len(kc)),
            ("hazardous_processes", "、".join(dict.fromkeys(pr))),
            ("n_process_units", len(pr)),
            ("n_major_units", len(mj)),
            ("major_hazard_grade", None if pd.isna(grade) else int(grade)),
            ("two_key_one_major", bool(len(kc) or len(pr) or n_major)),
        ):
            out[col].append(value)
    return out


def two_key_one_major(park: Any, *, people_within_500m: Any = None) -> TwoKeyOneMajor:
    """Which installations and enterprises of a park involve which of the three legs of 两重点一重大 [1]_.

    Parameters
    ----------
    park : geodata.Park
    people_within_500m : mapping, optional
        enterprise_id -> people within 500 m [人], passed to :func:`analysis.regulation.gb18218.enterprise_grades`
        (computed from the sensitive targets when not given).

    Returns
    -------
    TwoKeyOneMajor
    """
    inst = park.installations
    flags = unit_flags(inst)
    units_g, ents_g = enterprise_grades(park, people_within_500m=people_within_500m)
    unit_grade = dict(zip(units_g["unit"], units_g["grade"], strict=True)) if len(units_g) else {}
    substances = [str(v) for v in inst["substance"].tolist()]
    entries = {v: key_chemical_entry(v) for v in dict.fromkeys(substances)}  # one look-up per substance
    entry = [entries[v] for v in substances]
    processes = inst["hazardous_process"].tolist() if "hazardous_process" in inst else [None] * len(inst)
    proc = [_process(v) for v in processes]
    major = [bool(v) for v in flags["is_major"].tolist()]
    hazard_unit = flags["hazard_unit"].tolist()
    grade = [unit_grade.get(h, pd.NA) if m else pd.NA for h, m in zip(hazard_unit, major, strict=True)]
    cols: dict[str, list[Any]] = {
        "unit_id": [str(v) for v in inst["unit_id"].tolist()],
        "enterprise_id": [str(v) for v in inst["enterprise_id"].tolist()],
        "name": [str(v) for v in inst["name"].tolist()],
        "substance": substances,
        "key_chemical": [e is not None for e in entry],
        "key_chemical_name": ["" if e is None else e.name_zh for e in entry],
        "hazardous_process": proc,
        "major_hazard": major,
        "hazard_unit": hazard_unit,
        "major_hazard_grade": [None if pd.isna(g) else int(g) for g in grade],
        "two_key_one_major": [
            e is not None or bool(p) or m for e, p, m in zip(entry, proc, major, strict=True)
        ],
    }
    units = _frame(cols, UNIT_COLUMNS)
    grade_of = dict(zip(ents_g["enterprise_id"], ents_g["major_hazard_grade"], strict=True))
    names = dict(zip(park.enterprises["enterprise_id"], park.enterprises["name"], strict=True))
    ents = _frame(_enterprise_columns(cols, names, grade_of), ENTERPRISE_COLUMNS)
    counts = {
        "enterprises": int(len(ents)),
        "key_chemical_enterprises": int((ents["n_key_chemical_units"] > 0).sum()),
        "process_enterprises": int((ents["n_process_units"] > 0).sum()),
        "major_hazard_enterprises": int((ents["n_major_units"] > 0).sum()),
        "two_key_one_major_enterprises": int(ents["two_key_one_major"].sum()),
        "units": int(len(units)),
        "key_chemical_units": int(units["key_chemical"].sum()),
        "process_units": int((units["hazardous_process"] != "").sum()),
        "major_hazard_units": int(units["major_hazard"].sum()),
        "two_key_one_major_units": int(units["two_key_one_major"].sum()),
    }
    return TwoKeyOneMajor(units=units, enterprises=ents, counts=counts)

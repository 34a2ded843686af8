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
    rows = []
    entries: dict[str, Any] = {}  # one look-up per substance
    processes = inst["hazardous_process"] if "hazardous_process" in inst else [None] * len(inst)
    columns = (inst["unit_id"], inst["enterprise_id"], inst["name"], inst["substance"], processes)
    for uid, eid, name, substance, process, is_major, hazard_unit in zip(
        *columns, flags["is_major"], flags["hazard_unit"], strict=True
    ):
        substance = str(substance)
        if substance not in entries:
            entries[substance] = key_chemical_entry(substance)
        entry = entries[substance]
        proc = _process(process)
        major = bool(is_major)
        grade = unit_grade.get(hazard_unit, pd.NA) if major else pd.NA
        rows.append(
            {
                "unit_id": str(uid),
                "enterprise_id": str(eid),
                "name": str(name),
                "substance": substance,
                "key_chemical": entry is not None,
                "key_chemical_name": "" if entry is None else entry.name_zh,
                "hazardous_process": proc,
                "major_hazard": major,
                "hazard_unit": hazard_unit,
                "major_hazard_grade": grade,
                "two_key_one_major": entry is not None or bool(proc) or major,
            }
        )
    units = pd.DataFrame(rows, columns=list(UNIT_COLUMNS))
    units["major_hazard_grade"] = pd.array(
        [None if pd.isna(g) else int(g) for g in units["major_hazard_grade"]], dtype="Int64"
    )
    grade_of = dict(zip(ents_g["enterprise_id"], ents_g["major_hazard_grade"], strict=True))
    names = dict(zip(park.enterprises["enterprise_id"], park.enterprises["name"], strict=True))
    erows = []
    for eid, name in names.items():
        u = units[units["enterprise_id"] == str(eid)]
        kc = u[u["key_chemical"]]
        pr = u[u["hazardous_process"] != ""]
        mj = u[u["major_hazard"]]
        erows.append(
            {
                "enterprise_id": str(eid),
                "name": str(name),
                "key_chemicals": "；".join(dict.fromkeys(kc["key_chemical_name"])),
                "n_key_chemical_units": int(len(kc)),
                "hazardous_processes": "、".join(dict.fromkeys(pr["hazardous_process"])),
                "n_process_units": int(len(pr)),
                "n_major_units": int(mj["hazard_unit"].nunique()),
                "major_hazard_grade": grade_of.get(eid, pd.NA),
                "two_key_one_major": bool(len(kc) or len(pr) or len(mj)),
            }
        )
    ents = pd.DataFrame(erows, columns=list(ENTERPRISE_COLUMNS))
    ents["major_hazard_grade"] = pd.array(
        [None if pd.isna(g) else int(g) for g in ents["major_hazard_grade"]], dtype="Int64"
    )
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

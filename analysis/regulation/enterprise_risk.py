"""Enterprise safety-risk score and colour (企业安全风险分级) by the 2018 assessment guide [1]_.

The guide starts each enterprise at 100 points, deducts per item (a group's deductions stop at its points), adds
bonuses, and maps the score to a colour: blue ≥ 90, yellow 75–90, orange 60–75, red < 60 (lower bounds inclusive);
four conditions make an enterprise red whatever its score. The items are bundled as
``analysis/data/enterprise_risk_guide_2018.csv`` (one row per item, with its group, points and where the answer
comes from).

What the park's data decide (``source = "data"``), with their evidence:

* major hazard grade — GB 18218-2018 grading of the enterprise's units (:func:`analysis.regulation.gb18218.enterprise_grades`);
* explosives — substances of GB 18218-2018 table 2 class W1 (爆炸物) stored or produced;
* inhalation-toxic gases — substances of GB 18218-2018 table 3 (toxic gases) or toxic substances that boil below the
  ambient temperature (20 °C) (:mod:`analysis.physics.substances`), in its installations and in the pipelines it
  operates (``operator`` = its name or id);
* other key supervised chemicals — :mod:`analysis.regulation.key_chemicals`, not already counted as toxic gases
  or explosives;
* key supervised hazardous processes — distinct ``hazardous_process`` values of its installations;
* class 甲/乙 units — GB 18218 hazard units whose installations carry ``fire_hazard_class`` 甲 or 乙 (tank farms and
  production areas counted once each);
* outside a chemical park — the enterprise's area does not lie in a park polygon;
* external safety distance — a sensitive target fails GB 36894-2018 (existing installations) and this enterprise is
  among those causing the risk (the table of :func:`analysis.regulation.siting_checks.compliance`, passed in);
* offices, control rooms and rest rooms inside class 甲/乙 units — buildings of use ``office``, ``control_room`` or
  ``shift_room`` intersecting an installation whose ``fire_hazard_class`` is 甲 or 乙.

Where the data cannot decide such an item (no fire-hazard classes, no GB 36894 check given) and for every other item,
the answer comes from the enterprise's checklist (:mod:`geodata.store.checklists`: filled by the enterprise,
confirmed by an inspector). An unanswered checklist item deducts nothing and is listed, so the score is then an upper
bound and the result says so (``complete`` False).

References
----------
.. [1] 应急管理部 (2018). 危险化学品生产储存企业安全风险评估诊断分级指南（试行）, 应急〔2018〕19号, 附件.
.. [2] GB 18218-2018 危险化学品重大危险源辨识, tables 2 and 3.
.. [3] GB 36894-2018 危险化学品生产装置和储存设施风险基准.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pandas as pd

from analysis import constants
from analysis._data import DATA_DIR
from analysis.errors import AnalysisInputError, UnknownSubstanceError
from analysis.physics import substances
from analysis.regulation.gb18218 import classify, enterprise_grades, hazard_unit_key
from analysis.regulation.gb18218.tables import _table3
from analysis.regulation.key_chemicals import key_chemical_entry
from geodata.schema import label_zh

__all__ = [
    "COLOUR_BANDS",
    "GUIDE_FILE",
    "EnterpriseScore",
    "ParkFacts",
    "enterprise_colour",
    "enterprise_score",
    "forced_red",
    "guide_items",
    "park_facts",
    "park_scores",
]

#: The bundled scoring items of [1].
GUIDE_FILE = DATA_DIR / "enterprise_risk_guide_2018.csv"
#: (lower bound of the score, colour), highest first; [1], 分级标准.
COLOUR_BANDS: tuple[tuple[float, str], ...] = ((90.0, "blue"), (75.0, "yellow"), (60.0, "orange"))
#: Building uses that are offices, control rooms, fixed posts or rest rooms ([1], 自控与安全设施).
OCCUPIED_USES: tuple[str, ...] = ("office", "control_room", "shift_room")
_AB = ("甲", "乙")


def enterprise_colour(score: float, *, forced_red: bool = False) -> str:
    """The colour of an enterprise's safety-risk score [1]_.

    Parameters
    ----------
    score : float
        The guide's score. [points]
    forced_red : bool
        One of the four conditions that make an enterprise red whatever its score.

    Returns
    -------
    str
        ``"blue"`` (score ≥ 90), ``"yellow"`` (75 ≤ score < 90), ``"orange"`` (60 ≤ score < 75) or ``"red"``
        (< 60, or ``forced_red``).

    References
    ----------
    .. [1] 应急〔2018〕19号, 附件, 分级标准.
    """
    if isinstance(score, bool) or not isinstance(score, (int, float)) or not math.isfinite(float(score)):
        raise AnalysisInputError(
            f"参数 score（企业安全风险评分）须为有限数值，实际为 {score!r}（score must be a finite number）"
        )
    if forced_red:
        return "red"
    for lower, colour in COLOUR_BANDS:
        if float(score) >= lower:
            return colour
    return "red"


@lru_cache(maxsize=1)
def guide_items() -> pd.DataFrame:
    """The items of [1] (``analysis/data/enterprise_risk_guide_2018.csv``), in the guide's order."""
    with GUIDE_FILE.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(ln for ln in fh if not ln.startswith("#")))
    df = pd.DataFrame(rows)
    df["group_points"] = pd.to_numeric(df["group_points"].replace("", None), errors="coerce")
    df["points"] = pd.to_numeric(df["points"].replace("", None), errors="coerce")
    return df


def _grade_points(spec: str) -> dict[int, float]:
    return {int(k): float(v) for k, v in (p.split(":") for p in spec.split(";") if p)}


# ----------------------------------------------------------------------------------------------------------------
# What the data decide
# ----------------------------------------------------------------------------------------------------------------
def _is_toxic_gas(name: str) -> bool:
    """GB 18218-2018 table 3 (toxic gases) [2]_, or a toxic substance boiling below the ambient temperature."""
    t3 = _table3()
    if str(name).strip().lower() in t3:
        return True
    try:
        sub = substances.get(str(name))
    except UnknownSubstanceError:
        return False
    if sub.cas.lower() in t3 or sub.name_zh.lower() in t3 or sub.name_en.lower() in t3:
        return True
    return bool(sub.toxic) and float(sub.boiling_point) < constants.AMBIENT_TEMPERATURE


def _is_explosive(name: str) -> bool:
    try:
        return classify(str(name)).category.startswith("W1.")  # GB 18218-2018 table 2: W1.x explosives
    except UnknownSubstanceError:
        return False


@dataclass(frozen=True)
class ParkFacts:
    """What the data say about every enterprise, computed once per park (:func:`park_facts`).

    Attributes
    ----------
    grades : DataFrame
        :func:`analysis.regulation.gb18218.enterprise_grades` enterprises table (index enterprise_id).
    units : DataFrame
        Its units table.
    inside_park : dict
        enterprise_id -> whether its area lies in a park polygon.
    names, data_colours : dict
        enterprise_id -> name, colour typed into the data (``risk_color``).
    """

    grades: pd.DataFrame
    units: pd.DataFrame
    inside_park: dict[str, bool]
    names: dict[str, str]
    data_colours: dict[str, str]


def park_facts(park: Any) -> ParkFacts:
    """The per-enterprise facts the score needs from the park's layers (one GB 18218 grading for all)."""
    units, ents = enterprise_grades(park)
    ent = park.metric("enterprises")
    parks = park.metric("parks")
    area = parks.geometry.union_all() if len(parks) else None
    inside = {
        str(r["enterprise_id"]): bool(area is not None and area.covers(r.geometry.representative_point()))
        for _, r in ent.iterrows()
    }
    return ParkFacts(
        grades=ents.set_index(ents["enterprise_id"].astype(str)),
        units=units,
        inside_park=inside,
        names={str(k): str(v) for k, v in zip(ent["enterprise_id"], ent["name"], strict=True)},
        data_colours={str(k): str(v) for k, v in zip(ent["enterprise_id"], ent["risk_color"], strict=True)},
    )


def _fire_classes(inst: pd.DataFrame) -> pd.Series:
    if "fire_hazard_class" not in inst.columns:
        return pd.Series("", index=inst.index, dtype=object)
    return inst["fire_hazard_class"].map(lambda v: "" if v is None or pd.isna(v) else str(v).strip())


def _canonical(name: str) -> str:
    """The substance layer's key of a name (液氯 and 氯气 are one substance), or the name itself."""
    try:
        return substances.get(str(name)).key
    except UnknownSubstanceError:
        return str(name).strip()


def _substance_items(names: list[str]) -> dict[str, tuple[float | None, str]]:
    first: dict[str, str] = {}
    for s in names:
        first.setdefault(_canonical(str(s)), str(s))  # one per substance, shown by its first name in the data
    subs = list(first.values())
    explosives = [s for s in subs if _is_explosive(s)]
    toxic = [s for s in subs if s not in explosives and _is_toxic_gas(s)]
    counted = {key_chemical_entry(s) for s in explosives + toxic} - {None}
    other: dict[str, str] = {}
    for s in subs:
        e = key_chemical_entry(s)
        if e is not None and e not in counted and s not in explosives + toxic:
            other.setdefault(e.name_zh, s)
    return {
        "explosives": (len(explosives), "爆炸物（GB 18218 表2 W1 类）：" + ("、".join(explosives) or "无")),
        "toxic_gases": (
            len(toxic),
            "吸入性有毒气体（GB 18218 表3 毒性气体或常温下为气体的有毒物质）：" + ("、".join(toxic) or "无"),
        ),
        "other_key_chemicals": (
            len(other),
            "其他重点监管危险化学品（安监总管三〔2011〕95号、〔2013〕12号）：" + ("；".join(other) or "无"),
        ),
    }


def _fire_items(park: Any, inst: pd.DataFrame, eid: str) -> dict[str, tuple[float | None, str]]:
    cls = _fire_classes(inst)
    if not (cls != "").any():
        why = "设施数据未填火灾危险性类别（fire_hazard_class），无法由数据判定"
        return {k: (None, why) for k in ("class_a_units", "class_b_units", "occupied_rooms_in_ab_units")}
    out: dict[str, tuple[float | None, str]] = {}
    for key, c in (("class_a_units", "甲"), ("class_b_units", "乙")):
        sel = inst[cls == c]
        hu = list(dict.fromkeys(hazard_unit_key(r) for _, r in sel.iterrows()))
        out[key] = (len(hu), f"{c}类单元（罐区、生产区按 GB 18218 单元各计一次）：" + ("、".join(hu) or "无"))
    ab = inst[cls.isin(_AB)]
    bld = park.metric("buildings")
    bld = bld[(bld["enterprise_id"].astype(str) == eid) & bld["use"].isin(OCCUPIED_USES)]
    hits = []
    if len(ab) and len(bld):
        ab_m = park.metric("installations").loc[ab.index]
        for _, b in bld.iterrows():
            inside = ab_m[ab_m.geometry.intersects(b.geometry)]
            if len(inside):
                hits.append(
                    f"{b['name']}（{b['building_id']}，位于 {'、'.join(map(str, inside['unit_id']))}）"
                )
    out["occupied_rooms_in_ab_units"] = (
        len(hits),
        "甲、乙类装置区内的办公室、控制室、休息室：" + ("；".join(hits) or "无"),
    )
    return out


def _distance_item(compliance: pd.DataFrame | None, eid: str) -> tuple[float | None, str]:
    if compliance is None:
        return None, "未提供 GB 36894 外部安全防护距离校核结果，无法由数据判定"
    fails = compliance[~compliance["pass_existing"].astype(bool)]
    blamed = []
    for _, r in fails.iterrows():
        top = r.get("top_enterprises")
        ids = top if isinstance(top, (list, tuple)) else str(top or "").replace("，", ",").split(",")
        if eid in {str(x).strip() for x in ids}:
            blamed.append(str(r.get("name", r.get("target_id", ""))))
    if blamed:
        return True, "GB 36894-2018 个人风险超标的防护目标（本企业为主要风险来源）：" + "、".join(blamed)
    return False, f"GB 36894-2018 校核：{len(compliance)} 个防护目标中无因本企业超标者"


def _data_values(
    park: Any, facts: ParkFacts, eid: str, compliance: pd.DataFrame | None
) -> dict[str, tuple[Any, str]]:
    inst = park.installations
    inst = inst[inst["enterprise_id"].astype(str) == eid]
    g = facts.grades.loc[eid] if eid in facts.grades.index else None
    grade = None if g is None or pd.isna(g["major_hazard_grade"]) else int(g["major_hazard_grade"])
    grade_txt = (
        "GB 18218-2018 辨识：无重大危险源"
        if grade is None
        else f"GB 18218-2018 分级：{int(g['n_major_units'])} 个重大危险源单元，最高 {grade} 级（R = {g['max_R']:.1f}）"
    )
    procs = [
        str(p).strip()
        for p in inst.get("hazardous_process", pd.Series(dtype=object))
        if p is not None and not pd.isna(p)
    ]
    procs = list(dict.fromkeys(p for p in procs if p))
    out: dict[str, tuple[Any, str]] = {"major_hazard_grade": (grade, grade_txt)}
    pipes = getattr(park, "pipelines", None)
    own = (
        []
        if pipes is None or not len(pipes)
        else pipes[pipes["operator"].astype(str).isin({eid, facts.names[eid]})]
    )
    # [1]: toxic gases "含管道" — the enterprise's installations and the pipelines it operates (operator = its
    # name or id)
    out.update(
        _substance_items(
            [str(x) for x in inst["substance"]] + [str(x) for x in getattr(own, "substance", [])]
        )
    )
    names = "、".join(label_zh("hazardous_process", p) for p in procs)
    out["key_processes"] = (len(procs), "重点监管危险化工工艺：" + (names or "无"))
    out.update(_fire_items(park, inst, eid))
    inside = facts.inside_park.get(eid, False)
    out["outside_park"] = (not inside, "企业用地位于化工园区边界内" if inside else "企业用地不在园区边界内")
    out["external_distance_fail"] = _distance_item(compliance, eid)
    return out


# ----------------------------------------------------------------------------------------------------------------
# Scoring
# ----------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EnterpriseScore:
    """Result of :func:`enterprise_score`.

    Attributes
    ----------
    enterprise_id, name : str
    score : float
        [points], not below 0.
    colour : str
        ``red`` | ``orange`` | ``yellow`` | ``blue`` (:func:`enterprise_colour`).
    forced_red : tuple of str
        The forced-red conditions that hold (Chinese text; empty when none).
    items : DataFrame
        One row per item of the guide: ``group``, ``item_key``, ``item`` (Chinese), ``points`` (deducted < 0 or
        added > 0, after the group's limit), ``value`` (the count, yes/no or grade used), ``evidence``,
        ``source`` (``"data"`` or ``"checklist"``), ``answered`` (False: no data and no checklist answer).
    data_colour : str
        The colour typed into the data (``risk_color``).
    differs : bool
        ``colour != data_colour``.
    explanation : str
        Why the computed colour is what it is (the items with points, largest first), when it differs.
    unanswered : tuple of str
        Items without an answer (they deduct nothing).
    """

    enterprise_id: str
    name: str
    score: float
    colour: str
    forced_red: tuple[str, ...]
    items: pd.DataFrame
    data_colour: str
    differs: bool
    explanation: str
    unanswered: tuple[str, ...] = field(default_factory=tuple)

    @property
    def complete(self) -> bool:
        """Every item answered (otherwise the score is an upper bound)."""
        return not self.unanswered


def _checklist_map(checklist: Any) -> dict[str, tuple[Any, str]]:
    """item_key -> (value, evidence) from a mapping or from :meth:`geodata.store.checklists.ChecklistMixin.checklist`."""
    if checklist is None:
        return {}
    if isinstance(checklist, pd.DataFrame):
        out = {}
        for _, r in checklist.iterrows():
            state = "已核实" if bool(r.get("confirmed", False)) else "待核实"
            by = f"{r.get('filled_by', '')} 填报，{state}"
            ev = str(r.get("evidence") or "")
            out[str(r["item_key"])] = (r["value"], f"{ev}（{by}）" if ev else f"（{by}）")
        return out
    if isinstance(checklist, Mapping):
        return {str(k): (v, "") for k, v in checklist.items()}
    raise AnalysisInputError(
        f"参数 checklist 须为 {{核查项: 值}} 字典或核查表 DataFrame，实际为 {type(checklist).__name__}"
        "（checklist must be a mapping or the store's checklist frame）"
    )


def _number(key: str, kind: str, value: Any) -> float:
    if kind == "bool":
        if isinstance(value, str):
            v = value.strip().lower()
            if v in ("是", "true", "yes", "1", "y"):
                return 1.0
            if v in ("否", "false", "no", "0", "n", ""):
                return 0.0
        elif isinstance(value, (bool, int, float)) and not (isinstance(value, float) and math.isnan(value)):
            return 1.0 if value else 0.0
        raise AnalysisInputError(f"核查项 {key} 须为“是/否”，实际为 {value!r}（{key} must be yes/no）")
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = math.nan
    if not math.isfinite(v) or v < 0:
        raise AnalysisInputError(
            f"核查项 {key} 须为不小于 0 的数，实际为 {value!r}（{key} must be a number ≥ 0）"
        )
    return v


def _raw_points(row: pd.Series, value: Any) -> float:
    if value is None:
        return 0.0
    if row["per"] == "grade":
        grade = int(_number(row["key"], "count", value))
        return _grade_points(row["grade_points"]).get(grade, 0.0)
    n = _number(row["key"], row["kind"], value)
    return float(row["points"]) * n


def forced_red(checklist: Any) -> tuple[str, ...]:
    """The forced-red conditions of [1]_ that hold in a checklist (their Chinese text)."""
    answers = _checklist_map(checklist)
    items = guide_items()
    out = []
    for _, r in items[items["per"] == "red"].iterrows():
        if r["key"] in answers and _number(r["key"], "bool", answers[r["key"]][0]):
            out.append(str(r["item_zh"]))
    return tuple(out)


def _score_items(data: Mapping[str, tuple[Any, str]], answers: Mapping[str, tuple[Any, str]]) -> pd.DataFrame:
    items = guide_items()
    rows, used = [], {}
    for _, r in items[items["per"] != "red"].iterrows():
        key = r["key"]
        value, why = data.get(key, (None, ""))
        if r["source"] == "data" or (r["source"] == "data_or_checklist" and value is not None):
            evidence, source, answered = (
                why,
                "data",
                True,
            )  # a data item's None is an answer (no major hazard)
        elif key in answers and answers[key][0] is not None:
            (value, evidence), source, answered = answers[key], "checklist", True
        else:
            value, source, answered = None, "checklist", False
            evidence = f"{why}；核查表未填报" if why else "核查表未填报"
        pts = _raw_points(r, value)
        cap = r["group_points"]
        if pts < 0 and not pd.isna(cap):
            left = float(cap) + used.get(r["group"], 0.0)
            pts = max(pts, -left)
            used[r["group"]] = used.get(r["group"], 0.0) + pts
        rows.append(
            {
                "group": r["group_zh"],
                "item_key": key,
                "item": r["item_zh"],
                "points": round(pts, 6) + 0.0,
                "value": value,
                "evidence": evidence,
                "source": source,
                "answered": bool(answered),
            }
        )
    return pd.DataFrame(rows)


def enterprise_score(
    park: Any,
    enterprise_id: str,
    checklist: Any = None,
    *,
    compliance: pd.DataFrame | None = None,
    facts: ParkFacts | None = None,
) -> EnterpriseScore:
    """Score and colour of one enterprise by the 2018 guide [1]_.

    Parameters
    ----------
    park : geodata.Park
    enterprise_id : str
    checklist : mapping or DataFrame, optional
        item_key -> answer (yes/no or a count; ``standardisation_grade`` 0–3), or the enterprise's checklist from the
        store (:meth:`geodata.store.checklists.ChecklistMixin.checklist`). Items of the guide's CSV.
    compliance : DataFrame, optional
        GB 36894-2018 compliance of the sensitive targets (:func:`analysis.regulation.siting_checks.compliance`);
        without it the external-distance item comes from the checklist.
    facts : ParkFacts, optional
        :func:`park_facts` of the park, to score many enterprises with one GB 18218 grading.

    Returns
    -------
    EnterpriseScore
    """
    facts = facts or park_facts(park)
    eid = str(enterprise_id)
    if eid not in facts.names:
        raise AnalysisInputError(
            f"企业编号 enterprise_id={enterprise_id!r} 不在园区企业图层中；可选 / known: {sorted(facts.names)}"
        )
    answers = _checklist_map(checklist)
    items = _score_items(_data_values(park, facts, eid, compliance), answers)
    score = round(max(0.0, 100.0 + float(items["points"].sum())), 6)  # 0.1-point items: no float noise
    red = forced_red(checklist)
    colour = enterprise_colour(score, forced_red=bool(red))
    data_colour = facts.data_colours.get(eid, "")
    unanswered = tuple(items.loc[~items["answered"], "item_key"])
    explanation = ""
    if colour != data_colour:
        top = items[items["points"] != 0]
        top = top.loc[top["points"].abs().sort_values(ascending=False, kind="stable").index].head(6)
        parts = [f"{r['item']}（{r['points']:+g} 分，{r['evidence']}）" for _, r in top.iterrows()]
        explanation = (
            f"计算得分 {score:g} 分 → {label_zh('risk_color', colour)}；数据中为 "
            f"{label_zh('risk_color', data_colour) or '未填'}。主要扣加分项：" + "；".join(parts)
        )
        if red:
            explanation += "；直接判定为红色：" + "；".join(red)
        if unanswered:
            explanation += f"；另有 {len(unanswered)} 项核查表未填报（按不扣分计，得分为上限）"
    return EnterpriseScore(
        enterprise_id=eid,
        name=facts.names[eid],
        score=score,
        colour=colour,
        forced_red=red,
        items=items,
        data_colour=data_colour,
        differs=colour != data_colour,
        explanation=explanation,
        unanswered=unanswered,
    )


def park_scores(
    park: Any,
    checklists: Mapping[str, Any] | None = None,
    *,
    compliance: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """:func:`enterprise_score` of every enterprise: ``enterprise_id``, ``name``, ``score``, ``colour``,
    ``data_colour``, ``differs``, ``n_unanswered``, ``forced_red``, ``explanation`` (one GB 18218 grading)."""
    facts = park_facts(park)
    rows = []
    for eid in facts.names:
        r = enterprise_score(park, eid, (checklists or {}).get(eid), compliance=compliance, facts=facts)
        rows.append(
            {
                "enterprise_id": r.enterprise_id,
                "name": r.name,
                "score": r.score,
                "colour": r.colour,
                "data_colour": r.data_colour,
                "differs": r.differs,
                "n_unanswered": len(r.unanswered),
                "forced_red": "；".join(r.forced_red),
                "explanation": r.explanation,
            }
        )
    return pd.DataFrame(rows)

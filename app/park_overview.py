"""The regulator's numbers of a park (园区一张图 header): enterprises by risk colour, "两重点一重大" enterprises, major
hazards by grade, the park grade, 重大隐患 open/closed, 整改率 and 按期整改率 — each with the table behind it.

Everything is computed from :class:`app.state.ParkView`: models run on the full park through ``view.run`` (their
results redacted for the user), rectification items come from the user's view (none for anonymous users, its own
enterprise's for an enterprise user).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from analysis.regulation.key_supervision import two_key_one_major
from analysis.regulation.park_evidence import prefill_evidence
from analysis.regulation.park_grading import (
    GRADE_LABELS_ZH,
    GRADE_MEANING_ZH,
    load_park_checklist,
    score_park_checklist,
)
from analysis.regulation.rectification import closure_stats
from analysis.regulation.rectification.stats import major_mask
from app.present import hazard_unit_zh, major_hazard_grade_zh
from app.present.messages import message_zh
from app.present.numbers import beijing_today
from geodata import schema
from geodata.store import StoreError

__all__ = ["RegulatorNumber", "regulator_numbers", "stored_park_scores", "park_score_form"]

_COLOURS = ("red", "orange", "yellow", "blue")
_COLOUR_ZH = {"red": "红", "orange": "橙", "yellow": "黄", "blue": "蓝"}


@dataclass(frozen=True)
class RegulatorNumber:
    """One number of the header: ``key`` (stable, for tests and widget keys), ``label`` and ``value`` (Chinese
    text), ``note`` (how it was counted) and the ``table`` behind it."""

    key: str
    label: str
    value: str
    note: str
    table: pd.DataFrame


def _pct(x: float) -> str:
    return "—" if pd.isna(x) else f"{100 * x:.1f}%"


def _colours(park) -> RegulatorNumber:
    ent = park.enterprises
    counts = {c: int((ent["risk_color"] == c).sum()) for c in _COLOURS}
    table = pd.DataFrame(
        {
            "企业编号": ent["enterprise_id"],
            "企业名称": ent["name"],
            "安全风险等级": [schema.label_zh("risk_color", c) for c in ent["risk_color"]],
        }
    )
    order = {c: i for i, c in enumerate(_COLOURS)}
    table = table.iloc[ent["risk_color"].map(order).fillna(9).argsort(kind="stable")].reset_index(drop=True)
    value = " · ".join(f"{_COLOUR_ZH[c]} {counts[c]}" for c in _COLOURS)
    return RegulatorNumber("colours", "企业风险颜色", value, "按园区数据中的企业安全风险等级（家）", table)


def _processes_zh(keys: object) -> str:
    """``nitration、hydrogenation`` → ``硝化工艺、加氢工艺`` (the schema's labels of the 18 key processes)."""
    if keys is None or (isinstance(keys, float) and pd.isna(keys)) or not str(keys).strip():
        return "—"
    return "、".join(schema.label_zh("hazardous_process", k.strip()) for k in str(keys).split("、"))


def _two_key(view) -> tuple[RegulatorNumber, RegulatorNumber]:
    res = view.run(lambda p: two_key_one_major(p))
    ents = res.enterprises
    hit = ents[ents["two_key_one_major"].astype(bool)]
    table = pd.DataFrame(
        {
            "企业编号": hit["enterprise_id"],
            "企业名称": hit["name"],
            "重点监管危险化学品": hit["key_chemicals"],
            "重点监管危险化工工艺": [_processes_zh(v) for v in hit["hazardous_processes"]],
            "重大危险源装置（处）": hit["n_major_units"],
            "重大危险源等级": hit["major_hazard_grade"].map(major_hazard_grade_zh),
        }
    ).reset_index(drop=True)
    two = RegulatorNumber(
        "two_key",
        "两重点一重大企业",
        f"{len(hit)} / {len(ents)} 家",
        "涉及重点监管危险化学品、重点监管危险化工工艺或重大危险源之一的企业",
        table,
    )
    units = res.units
    major = units[units["major_hazard"].astype(bool)].drop_duplicates("hazard_unit")
    grades = pd.to_numeric(major["major_hazard_grade"], errors="coerce")
    counts = {g: int((grades == g).sum()) for g in (1, 2, 3, 4)}
    value = " · ".join(f"{g}级 {counts[g]}" for g in (1, 2, 3, 4))
    mh_table = pd.DataFrame(
        {
            "危险源单元": major["hazard_unit"].map(hazard_unit_zh),
            "企业编号": major["enterprise_id"],
            "重大危险源等级": major["major_hazard_grade"].map(major_hazard_grade_zh),
        }
    ).reset_index(drop=True)
    mh = RegulatorNumber(
        "major_hazards", "重大危险源（按等级）", value, "GB 18218-2018 辨识的重大危险源单元（个）", mh_table
    )
    return two, mh


def stored_park_scores(store, user, park_id: str) -> dict[str, float]:
    """The administrator's scores of the park checklist kept in the store (scope ``park``), item id -> points."""
    if user is None:
        return {}
    table = store.checklist(user, "park", park_id)
    known = set(load_park_checklist()["item_id"])
    return {
        k: v for k, v in zip(table["item_key"], table["value"], strict=True) if k in known and v is not None
    }


def _park_grade(view, awarded: dict[str, float]) -> RegulatorNumber:
    parks = view.park.parks
    grade = str(parks["risk_grade"].iloc[0]) if len(parks) else ""
    checklist = load_park_checklist()
    evidence = view.run(lambda p: prefill_evidence(p, checklist=checklist))
    table = checklist.merge(evidence, on=["item_id", "data_check"], how="left")
    table = pd.DataFrame(
        {
            "条目": table["item_id"],
            "类别": table["group_zh"],
            "内容": table["item_zh"],
            "出处": table["source_doc"],
            "满分（本系统默认权重）": table["points"],
            "得分": [awarded.get(i) for i in table["item_id"]],
            "数据核查": table["suggestion"].fillna("人工评分"),
            "依据": table["evidence_zh"].fillna(""),
        }
    )
    value = GRADE_LABELS_ZH.get(grade, "—") + "（园区数据）"
    note = GRADE_MEANING_ZH.get(grade, "园区数据未给出等级")
    if awarded:
        res = score_park_checklist(awarded, checklist)
        value += f" · 评分 {res.score:.1f} 分 → {GRADE_LABELS_ZH[res.grade]}"
        note = res.summary_zh()
    if "A类" not in note:
        note += " （A类园区：" + GRADE_MEANING_ZH["A"].removeprefix("A类园区") + "）"
    note += " 逐项评分表未见原文：条目按 2022 年“十有两禁”，分值为本系统默认权重，可由园区配置。"
    return RegulatorNumber("park_grade", "园区安全风险等级", value, note, table)


def _rectification(view, today: dt.date, names: dict[str, str]) -> tuple[RegulatorNumber, RegulatorNumber]:
    rect = view.park.rectifications
    major = rect[major_mask(rect)] if len(rect) else rect
    closed = int((major["status"] == "closed").sum()) if len(major) else 0
    major_table = pd.DataFrame(
        {
            "编号": major["item_id"],
            "责任企业": [names.get(e, "（园区）") for e in major["enterprise_id"]],
            "隐患描述": major["title"],
            "判定条目": [
                "" if pd.isna(v) else f"第{int(v)}条"
                for v in major.get("major_hazard_item", pd.Series(None, index=major.index))
            ],
            "整改期限": pd.to_datetime(major["deadline"]).dt.strftime("%Y-%m-%d"),
            "状态": [schema.label_zh("rectification_status", s) for s in major["status"]],
        }
    )
    hidden = "（未登录不显示整改事项）" if view.user is None else ""
    mh = RegulatorNumber(
        "major_items",
        "重大隐患（未销号/已销号）",
        f"{len(major) - closed} / {closed} 项",
        "隐患等级为重大隐患，或引用重大生产安全事故隐患判定标准第 1～20 条的事项" + hidden,
        major_table,
    )
    overall = closure_stats(rect, today=today).iloc[0]
    by = closure_stats(rect, by="enterprise_id", today=today)
    rates = pd.DataFrame(
        {
            "责任企业": [names.get(g, g) for g in by["group"]],
            "事项（项）": by["total"],
            "已销号（项）": by["closed"],
            "整改率": [_pct(x) for x in by["closure_rate"]],
            "应完成（项）": by["due"],
            "按期销号（项）": by["on_time"],
            "按期整改率": [_pct(x) for x in by["on_time_rate"]],
        }
    )
    rate = RegulatorNumber(
        "rates",
        "整改率 / 按期整改率",
        f"{_pct(overall['closure_rate'])} / {_pct(overall['on_time_rate'])}",
        f"整改率 = 已销号 / 全部事项；按期整改率 = 在期限内销号 / 已到期或已销号的事项（{today.isoformat()}）"
        + hidden,
        rates,
    )
    return mh, rate


def regulator_numbers(
    view, *, today: dt.date | None = None, park_scores: dict[str, float] | None = None
) -> list[RegulatorNumber]:
    """The header numbers of the park view ``view`` (:class:`app.state.ParkView`) on ``today`` (default: today);
    ``park_scores`` are the administrator's scores of the park checklist (:func:`stored_park_scores`)."""
    today = today or beijing_today()
    park = view.park
    names = dict(zip(park.enterprises["enterprise_id"], park.enterprises["name"], strict=True))
    two, mh = _two_key(view)
    major, rate = _rectification(view, today, names)
    return [_colours(park), two, mh, _park_grade(view, park_scores or {}), major, rate]


def park_score_form(store, user, park_id: str, awarded: dict[str, float]) -> None:
    """The administrator scores the park checklist; the scores go to the store (scope ``park``, with history)."""
    import streamlit as st

    checklist = load_park_checklist()
    with st.form("park_grade_form"):
        st.markdown("**园区评分（园区管理员填报）**")
        values = {
            r.item_id: st.number_input(
                f"{r.item_id} {r.item_zh}（满分 {r.points:g}）",
                min_value=0.0,
                max_value=float(r.points),
                value=float(awarded[r.item_id]) if r.item_id in awarded else None,
                step=0.5,
                key=f"park_grade_{r.item_id}",
            )
            for r in checklist.itertuples()
        }
        if st.form_submit_button("保存园区评分"):
            entries = [{"item_key": k, "value": v} for k, v in values.items() if v is not None]
            try:
                store.fill_checklist(user, "park", park_id, entries)
            except (ValueError, StoreError) as exc:
                st.error(message_zh(exc))
                return
            res = score_park_checklist({e["item_key"]: e["value"] for e in entries}, checklist)
            st.success("已保存。" + res.summary_zh())
            st.rerun()

"""企业安全风险分级: 两重点一重大 per enterprise and installation (table and map layer), each enterprise's safety-risk
score and colour by 应急〔2018〕19号 with the evidence of every item, the enterprise checklist (filled by the
enterprise, confirmed by an inspector; stored with history in the rectification store) and the 一企一表 export.

The plain functions (``two_key_map``, ``two_key_table_zh``, ``units_table_zh``, ``scores_table_zh``) build the map and
tables and can be called without Streamlit.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from app.mapping import add_zones, finish_map, park_map
from app.present import RISK_COLORS, hazard_unit_zh, major_hazard_grade_zh
from app.present.messages import message_zh
from app.present.regulator import (
    ITEM_SOURCE_ZH,
    TWO_KEY_COLORS,
    TWO_KEY_LEVELS_ZH,
    colour_zh,
    two_key_level,
)
from geodata import schema

TITLE = "企业安全风险分级"
ICON = ":material/shield:"
ORDER = 43

MAP_HEIGHT = 560  # [px]
RISK_SESSION_KEY = (
    "risk_result"  # the individual risk of the pages 风险分布 / 选址与防护距离 (app/views/siting.py)
)


def _process_zh(keys: str) -> str:
    return "、".join(schema.label_zh("hazardous_process", k) for k in str(keys).split("、") if k) or "—"


def two_key_table_zh(ents: pd.DataFrame) -> pd.DataFrame:
    """The enterprises table of :func:`analysis.regulation.two_key_one_major` with Chinese headers."""
    return pd.DataFrame(
        {
            "企业编号": ents["enterprise_id"],
            "企业名称": ents["name"],
            "重点监管危险化学品": ents["key_chemicals"].replace("", "—"),
            "涉及设施（个）": ents["n_key_chemical_units"],
            "重点监管危险化工工艺": [_process_zh(p) for p in ents["hazardous_processes"]],
            "工艺装置（个）": ents["n_process_units"],
            "重大危险源单元（个）": ents["n_major_units"],
            "重大危险源等级": [major_hazard_grade_zh(g) for g in ents["major_hazard_grade"]],
            "两重点一重大": ["是" if v else "否" for v in ents["two_key_one_major"]],
        }
    )


def units_table_zh(units: pd.DataFrame) -> pd.DataFrame:
    """The installations table of :func:`analysis.regulation.two_key_one_major` with Chinese headers."""
    return pd.DataFrame(
        {
            "设施编号": units["unit_id"],
            "所属企业": units["enterprise_id"],
            "设施名称": units["name"],
            "物质": units["substance"],
            "重点监管危险化学品": units["key_chemical_name"].replace("", "—"),
            "重点监管危险化工工艺": [_process_zh(p) for p in units["hazardous_process"]],
            "重大危险源": ["是" if v else "否" for v in units["major_hazard"]],
            "危险源单元": units["hazard_unit"].map(hazard_unit_zh),
            "重大危险源等级": [major_hazard_grade_zh(g) for g in units["major_hazard_grade"]],
        }
    )


def scores_table_zh(scores: pd.DataFrame) -> pd.DataFrame:
    """:func:`analysis.regulation.enterprise_risk.park_scores` with Chinese headers."""
    return pd.DataFrame(
        {
            "企业编号": scores["enterprise_id"],
            "企业名称": scores["name"],
            "计算得分（分）": scores["score"].round(1),
            "计算风险等级": [colour_zh(c) for c in scores["colour"]],
            "数据中的风险等级": [colour_zh(c) for c in scores["data_colour"]],
            "是否一致": ["否" if d else "是" for d in scores["differs"]],
            "未填报核查项（项）": scores["n_unanswered"],
            "直接判定红色": scores["forced_red"].replace("", "—"),
            "差异说明": scores["explanation"].replace("", "—"),
        }
    )


def two_key_map(park: Any, ents: pd.DataFrame, scores: pd.DataFrame | None = None, *, basemap: Any = None):
    """The park map with every enterprise coloured by how many legs of 两重点一重大 it involves and, when
    ``scores`` is given, a second layer with its computed safety-risk colour."""
    m = park_map(park, basemap=basemap, legends=True, layer_control_collapsed=True)
    ent = park.metric("enterprises")
    e = ents.set_index("enterprise_id")
    levels = [
        two_key_level(e.at[i, "n_key_chemical_units"], e.at[i, "n_process_units"], e.at[i, "n_major_units"])
        for i in ent["enterprise_id"]
    ]
    gdf = ent.assign(
        level=levels,
        chem=[e.at[i, "key_chemicals"] or "—" for i in ent["enterprise_id"]],
        proc=[_process_zh(e.at[i, "hazardous_processes"]) for i in ent["enterprise_id"]],
        grade=[major_hazard_grade_zh(e.at[i, "major_hazard_grade"]) for i in ent["enterprise_id"]],
    )
    present = [k for k in TWO_KEY_COLORS if k in set(levels)]
    if len(gdf):
        add_zones(
            m,
            gdf,
            level_column="level",
            name="两重点一重大（企业）",
            colors={k: TWO_KEY_COLORS[k] for k in present},
            labels={k: TWO_KEY_LEVELS_ZH[k] for k in present},
            legend_title="两重点一重大",
            tooltip_columns={
                "name": "企业",
                "chem": "重点监管危险化学品",
                "proc": "危险化工工艺",
                "grade": "重大危险源",
            },
        )
    if scores is not None and len(gdf):
        s = scores.set_index("enterprise_id")
        col = gdf.assign(
            colour=[s.at[i, "colour"] if i in s.index else "" for i in gdf["enterprise_id"]],
            score=[f"{s.at[i, 'score']:.1f}" if i in s.index else "—" for i in gdf["enterprise_id"]],
        )
        shown = [c for c in RISK_COLORS if c in set(col["colour"])]
        add_zones(
            m,
            col,
            level_column="colour",
            name="企业安全风险等级（计算）",
            colors={c: RISK_COLORS[c] for c in shown},
            labels={c: colour_zh(c) for c in shown},
            legend_title="安全风险等级（计算）",
            tooltip_columns={"name": "企业", "score": "得分"},
            show=False,
            legend_position="bottomleft",
        )
    return finish_map(m)


def _store_and_user():  # pragma: no cover - exercised by AppTest
    from app import state
    from geodata.store import StoreError

    user = state.current_user()
    if user is None:
        return None, None
    try:
        return state.park_store(), user
    except (StoreError, ValueError, OSError):
        return None, None


def _checklists(store, user, ids) -> dict[str, pd.DataFrame]:  # pragma: no cover - exercised by AppTest
    from geodata.store import PermissionDeniedError

    out = {}
    if store is None:
        return out
    for eid in ids:
        try:
            out[eid] = store.checklist(user, "enterprise", eid)
        except PermissionDeniedError:
            continue
    return out


def _compliance(view, source: str):  # pragma: no cover - exercised by AppTest
    """GB 36894 compliance from the individual risk computed on the pages 风险分布 / 选址与防护距离, or None."""
    import streamlit as st

    from analysis.regulation import siting_checks as scx

    pointer = st.session_state.get(RISK_SESSION_KEY)
    res = st.session_state.get(pointer) if pointer else None
    if res is None or not str(pointer).startswith(f"{RISK_SESSION_KEY}|{source}|"):
        return None
    return view.run(lambda p: scx.compliance(res, p))


def _checklist_editor(store, user, park, eid: str, current: pd.DataFrame) -> None:  # pragma: no cover
    """Role-aware checklist: the enterprise (own) or an admin fills; an inspector or admin confirms."""
    import streamlit as st

    from analysis.errors import AnalysisInputError
    from analysis.regulation import enterprise_score
    from analysis.regulation.enterprise_risk import guide_items
    from geodata.store import ConcurrentEditError, PermissionDeniedError, StoreError

    items = guide_items()
    items = items[items["source"] != "data"]
    cur = current.set_index("item_key") if len(current) else pd.DataFrame()
    may_fill = user.role == "admin" or (user.role == "enterprise" and str(user.enterprise_id) == eid)
    table = pd.DataFrame(
        {
            "核查项": items["key"].to_numpy(),
            "评分项": items["item_zh"].to_numpy(),
            "取值": [_answer_text(cur, k) for k in items["key"]],
            "依据": [str(cur.at[k, "evidence"]) if k in cur.index else "" for k in items["key"]],
            "状态": [_state_text(cur, k) for k in items["key"]],
        }
    )
    st.caption("取值：是/否（是否存在该情形），或个数；标准化等级填 0–3。空白表示未填报。")
    edited = st.data_editor(
        table,
        disabled=["核查项", "评分项", "状态"] if may_fill else True,
        column_order=["评分项", "取值", "依据", "状态"],  # the key 核查项 stays in the data, not on screen
        hide_index=True,
        width="stretch",
        key=f"er_edit_{eid}",
    )
    if may_fill and st.button("保存核查表", key=f"er_save_{eid}", type="primary"):
        changed = edited[(edited["取值"] != table["取值"]) | (edited["依据"] != table["依据"])]
        entries = [
            {
                "item_key": r["核查项"],
                "value": None if pd.isna(r["取值"]) else (str(r["取值"]).strip() or None),
                "evidence": "" if pd.isna(r["依据"]) else str(r["依据"]),
                "expected_version": int(cur.at[r["核查项"], "version"]) if r["核查项"] in cur.index else 0,
            }
            for _, r in changed.iterrows()
        ]
        try:
            enterprise_score(park, eid, {e["item_key"]: e["value"] for e in entries if e["value"]})
            store.fill_checklist(user, "enterprise", eid, entries)
        except AnalysisInputError as exc:
            st.error(f"未保存：{message_zh(exc)}")
        except (ConcurrentEditError, PermissionDeniedError, StoreError, ValueError) as exc:
            st.error(message_zh(exc))
        else:
            st.success(f"已保存 {len(entries)} 项，待验收人员核实。")
            st.rerun()
    pending = [k for k in cur.index if not bool(cur.at[k, "confirmed"])] if len(cur) else []
    if user.role in ("inspector", "admin") and pending:
        labels = dict(zip(items["key"], items["item_zh"], strict=False))
        pick = st.multiselect(
            "核实以下已填报的核查项",
            pending,
            format_func=lambda k: labels.get(k, k),
            placeholder="请选择…",
            key=f"er_confirm_{eid}",
        )
        if st.button("确认核实", key=f"er_confirm_go_{eid}") and pick:
            try:
                for k in pick:
                    store.confirm_checklist(
                        user, "enterprise", eid, k, expected_version=int(cur.at[k, "version"])
                    )
            except (ConcurrentEditError, PermissionDeniedError, StoreError, LookupError) as exc:
                st.error(message_zh(exc))
            else:
                st.rerun()
    with st.expander("核查表历史"):
        st.dataframe(
            checklist_history_zh(store.checklist_history(user, "enterprise", eid), items), hide_index=True
        )


def checklist_history_zh(history: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """The checklist history as people read it: item names, 填报/核实, user and role, Beijing time (no hashes)."""
    from app.present.numbers import beijing_zh, display_frame
    from geodata.store.roles import ROLE_LABELS_ZH

    labels = dict(zip(items["key"], items["item_zh"], strict=False))
    h = history
    return display_frame(
        pd.DataFrame(
            {
                "时间（北京时间）": [beijing_zh(t, seconds=True) for t in h["at"]],
                "核查项": [labels.get(k, k) for k in h["item_key"]],
                "操作": [{"fill": "填报", "confirm": "核实"}.get(a, a) for a in h["action"]],
                "取值": h["value"],
                "依据": h["evidence"],
                "人员": h["username"],
                "角色": [ROLE_LABELS_ZH.get(r, r) for r in h["role"]],
                "版本": h["version"],
            }
        )
    )


def _answer_text(cur: pd.DataFrame, key: str) -> str:
    if key not in cur.index:
        return ""
    v = cur.at[key, "value"]
    if isinstance(v, bool):
        return "是" if v else "否"
    return "" if v is None else str(v)


def _state_text(cur: pd.DataFrame, key: str) -> str:
    if key not in cur.index:
        return "未填报"
    if bool(cur.at[key, "confirmed"]):
        return f"已核实（{cur.at[key, 'confirmed_by']}）"
    return f"待核实（{cur.at[key, 'filled_by']} 填报）"


def _enterprise_section(view, store, user, scores, checklists, comp) -> None:  # pragma: no cover
    import streamlit as st

    from analysis.regulation import enterprise_score
    from app.reports.enterprise_sheet import enterprise_sheet_docx, enterprise_sheet_xlsx, sheet_table

    park = view.park
    names = dict(zip(scores["enterprise_id"], scores["name"], strict=True))
    eid = st.selectbox("企业", list(names), format_func=lambda i: f"{i} {names[i]}", key="er_enterprise")
    res = view.run(lambda p: enterprise_score(p, eid, checklists.get(eid), compliance=comp))
    c = st.columns(3)
    c[0].metric("计算得分", f"{res.score:.1f} 分")
    c[1].metric("计算风险等级", colour_zh(res.colour))
    c[2].metric("数据中的风险等级", colour_zh(res.data_colour))
    if res.forced_red:
        st.error("直接判定为红色：" + "；".join(res.forced_red))
    if res.differs:
        st.warning(res.explanation)
    if res.unanswered:
        st.info(f"{len(res.unanswered)} 项核查表尚未填报，按不扣分计算，得分为上限。")
    table = sheet_table(res)
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption("来源：" + "；".join(f"{v} = {k}" for k, v in ITEM_SOURCE_ZH.items()))
    d = st.columns(2)
    d[0].download_button(
        "下载一企一表（Excel）",
        data=enterprise_sheet_xlsx(res, park_name=park.name),
        file_name=f"enterprise_risk_{eid}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="er_xlsx",
    )
    d[1].download_button(
        "下载一企一表（Word）",
        data=enterprise_sheet_docx(res, park_name=park.name),
        file_name=f"enterprise_risk_{eid}.docx",
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        key="er_docx",
    )
    st.subheader("企业核查表")
    if store is None:
        st.info("登录后（见“一园一策”页）可查看和填报核查表：企业用户填报本企业，验收人员核实。")
    elif eid not in checklists:
        st.info("只能查看和填报本企业的核查表。")
    else:
        _checklist_editor(store, user, park, eid, checklists[eid])


def render() -> None:  # pragma: no cover - exercised by AppTest
    import streamlit as st
    from streamlit_folium import st_folium

    from analysis.regulation import two_key_one_major
    from analysis.regulation.enterprise_risk import park_scores
    from app import state
    from app.mapping.focus import focus_map

    view = state.park_view()
    park = view.park
    settings, _ = state.get_settings()
    st.title(f"{TITLE} · {park.name}")
    st.caption(
        "两重点一重大：重点监管危险化学品（安监总管三〔2011〕95号、〔2013〕12号）、重点监管危险化工工艺、"
        "重大危险源（GB 18218-2018）。企业安全风险分级：危险化学品生产储存企业安全风险评估诊断分级指南（试行），"
        "应急〔2018〕19号：100 分起扣，≥ 90 蓝、75–90 黄、60–75 橙、< 60 红。"
    )
    tk = view.run(two_key_one_major)
    n = tk.counts
    c = st.columns(4)
    c[0].metric("两重点一重大企业", f"{n['two_key_one_major_enterprises']} / {n['enterprises']} 家")
    c[1].metric("涉及重点监管危险化学品", f"{n['key_chemical_enterprises']} 家")
    c[2].metric("涉及重点监管危险化工工艺", f"{n['process_enterprises']} 家")
    c[3].metric("涉及重大危险源", f"{n['major_hazard_enterprises']} 家")
    store, user = _store_and_user()
    checklists = _checklists(store, user, list(tk.enterprises["enterprise_id"]))
    comp = _compliance(view, str(state.current_source().path))
    scores = view.run(lambda p: park_scores(p, checklists, compliance=comp))
    m = two_key_map(park, tk.enterprises, scores, basemap=settings.basemap)
    chosen = st.session_state.get("er_enterprise")  # the enterprise chosen below (its score and sheet)
    if chosen is not None:
        ents = park.enterprises
        focus_map(m, st.session_state, ents[ents["enterprise_id"] == chosen], label=f"企业 {chosen}")
    st_folium(
        m,
        height=MAP_HEIGHT,
        use_container_width=True,
        returned_objects=[],
        key="er_map",
    )
    st.subheader("两重点一重大企业")
    st.dataframe(two_key_table_zh(tk.enterprises), hide_index=True, width="stretch")
    with st.expander("按设施"):
        st.dataframe(units_table_zh(tk.units), hide_index=True, width="stretch")
    st.subheader("企业安全风险评分")
    if comp is None:
        st.caption(
            "外部安全防护距离一项：先在“选址与防护距离”页计算个人风险，本页即按 GB 36894-2018 校核结果判定；否则取核查表。"
        )
    st.dataframe(scores_table_zh(scores), hide_index=True, width="stretch")
    _enterprise_section(view, store, user, scores, checklists, comp)


if __name__ == "__main__":
    render()

"""一园一策: rectification items on the map, statistics, handling by role, import/export and findings → items.

Every read and write goes through :mod:`geodata.store` with the signed-in user, so each role sees and changes only
what it may (the store enforces it; the page only hides controls the user cannot use).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import tempfile
from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from analysis.regulation.findings import (
    FindingsOptions,
    ParkAnalyses,
    findings_from_analyses,
    propose_from_findings,
)
from analysis.regulation.hazard_items import item_label_zh
from analysis.regulation.rectification import (
    FINDING_KINDS,
    ON_TIME_DEFINITION_ZH,
    closure_stats,
    default_extension,
    major_items,
    monthly_trend,
    overdue_mask,
    parse_inspection_table,
    plan_report,
)
from app import state
from app.auth import (
    SESSION_TOKEN_KEY,
    AuthError,
    auth_config,
    change_password,
    sign_in,
)
from app.present.messages import message_zh
from app.present.numbers import beijing_today, beijing_zh, display_frame
from app.rectification_map import ItemFilter, filter_items, rectification_map
from geodata import schema
from geodata.store import (
    ROLE_LABELS_ZH,
    ConcurrentEditError,
    DuplicateItemError,
    ImportValidationError,
    PermissionDeniedError,
    StoreError,
    can,
    lifecycle,
)

TITLE = "一园一策"
ICON = ":material/task_alt:"
ORDER = 60

log = logging.getLogger(__name__)

MAP_HEIGHT = 620  # [px]
TOKEN_KEY = SESSION_TOKEN_KEY
SEEN_KEY = "rect_seen_version"  # (item_id, version the user has seen)
FLASH_KEY = "rect_flash"  # Chinese success message of the last change, shown after the rerun that follows it
FINDINGS_KEY = (
    "rectification_findings"  # list[analysis.regulation.rectification.Finding] put here by analysis pages
)
STATUS_ZH = schema.ENUM_LABELS_ZH["rectification_status"]
CATEGORY_ZH = schema.ENUM_LABELS_ZH["rectification_category"]
LEVEL_ZH = schema.ENUM_LABELS_ZH["hazard_level"]


def _client() -> str:
    try:
        ip = st.context.ip_address
    except (AttributeError, RuntimeError):
        ip = None
    return ip if isinstance(ip, str) and ip else "local"


def _sign_in_form(store, demo: bool) -> None:
    st.info("请登录后查看和办理整改事项。每个角色只能看到和办理其权限范围内的事项。")
    if demo:
        with st.expander("演示账号（仅用于内置虚构示例园区，切勿用于真实园区）", expanded=True):
            st.markdown(
                "- 园区管理员：`admin` / `admin-demo`\n"
                "- 验收人员：`inspector` / `inspector-demo`\n"
                "- 只读用户：`viewer` / `viewer-demo`\n"
                "- 企业用户：用户名为企业编号小写（如 `e02`），密码为 `用户名-demo`（如 `e02-demo`）"
            )
    elif store.count_users() == 0:
        st.warning("整改台账尚无用户：请用命令 `parkrisk rect user-add --role admin ...` 创建园区管理员。")
    with st.form("rect_sign_in"):
        username = st.text_input("用户名", key="rect_username")
        password = st.text_input("密码", type="password", key="rect_password")
        submitted = st.form_submit_button("登录")
    if submitted:
        try:
            sess = sign_in(store, username, password, client=_client(), config=auth_config())
        except AuthError as exc:
            st.error(message_zh(exc))
            return
        try:
            state.remember_session(sess)
        except (ValueError, OSError) as exc:  # no signing key: signed in until the next reload only
            st.session_state[TOKEN_KEY] = sess.token
            log.warning("sign-in cookie not issued: %s", exc)
            _flash(f"已登录，但刷新页面后需要重新登录（会话密钥不可用：{message_zh(exc)}）。")
        st.rerun()


def _flash(message: str) -> None:
    """Show ``message`` (Chinese) as a success after the rerun that follows a change."""
    st.session_state[FLASH_KEY] = message


def _show_flash() -> None:
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        st.success(message, icon=":material/check_circle:")
        st.toast(message, icon=":material/check_circle:")


def _password_form(store, user) -> None:
    """Change one's own password; every session of the user ends (this one too): sign in again."""
    with st.expander("修改密码"), st.form("rect_password_change"):
        old = st.text_input("原密码", type="password", key="rect_pw_old")
        new = st.text_input("新密码（至少 8 个字符）", type="password", key="rect_pw_new")
        again = st.text_input("再次输入新密码", type="password", key="rect_pw_again")
        if not st.form_submit_button("修改密码"):
            return
        if new != again:
            st.error("两次输入的新密码不一致，请重新输入。")
            return
        try:
            n = change_password(store, user.username, old, new, client=_client(), config=auth_config())
        except (AuthError, ValueError) as exc:
            st.error(message_zh(exc))
            return
        log.info("password changed for %r; %d sessions ended", user.username, n)
        state.end_session(store, notice="密码已修改，所有已登录的浏览器均已退出，请用新密码重新登录。")
        st.rerun()


def _filters(items: pd.DataFrame, names: dict[str, str], user) -> ItemFilter:
    with st.expander("筛选", expanded=False):
        c = st.columns(3)
        ents = sorted({e for e in items["enterprise_id"].dropna()})
        sel_ent = c[0].multiselect(
            "责任企业",
            ents,
            format_func=lambda e: names.get(e, e),
            placeholder="全部企业",
            key="rect_f_ent",
            disabled=user.role == "enterprise",
        )
        sel_cat = c[1].multiselect(
            "类别", list(CATEGORY_ZH), format_func=CATEGORY_ZH.get, placeholder="全部类别", key="rect_f_cat"
        )
        sel_lvl = c[2].multiselect(
            "隐患等级", list(LEVEL_ZH), format_func=LEVEL_ZH.get, placeholder="全部等级", key="rect_f_lvl"
        )
        c2 = st.columns(3)
        sel_st = c2[0].multiselect(
            "状态", list(STATUS_ZH), format_func=STATUS_ZH.get, placeholder="全部状态", key="rect_f_status"
        )
        rng = c2[1].date_input("整改期限范围", value=(), format="YYYY-MM-DD", key="rect_f_deadline")
        overdue_only = c2[2].checkbox("只看逾期未销号", key="rect_f_overdue")
    d_from = rng[0] if isinstance(rng, tuple | list) and len(rng) >= 1 else None
    d_to = rng[1] if isinstance(rng, tuple | list) and len(rng) == 2 else None
    return ItemFilter(
        tuple(sel_ent), tuple(sel_cat), tuple(sel_lvl), tuple(sel_st), d_from, d_to, overdue_only
    )


def _metrics(items: pd.DataFrame, today: dt.date) -> None:
    s = closure_stats(items, today=today).iloc[0]

    def pct(x: float) -> str:
        return "—" if x != x else f"{100 * x:.1f}%"

    cols = st.columns(5)
    cols[0].metric("整改事项", f"{int(s['total'])} 项")
    cols[1].metric(
        "整改率",
        pct(s["closure_rate"]),
        f"已销号 {int(s['closed'])} 项",
        delta_color="off",
        delta_arrow="off",
        help="整改率 = 已销号事项数 ÷ 全部事项数。",
    )
    cols[2].metric(
        "按期整改率",
        pct(s["on_time_rate"]),
        f"按期销号 {int(s['on_time'])} / 已到期 {int(s['due'])} 项",
        delta_color="off",
        delta_arrow="off",
        help=ON_TIME_DEFINITION_ZH,
    )
    cols[3].metric("逾期未销号", f"{int(s['overdue'])} 项")
    cols[4].metric(
        "重大隐患",
        f"{int(s['major'])} 项",
        f"整改率 {pct(s['major_closure_rate'])}",
        delta_color="off",
        delta_arrow="off",
    )
    st.caption(f"统计日期 {today.isoformat()}。{ON_TIME_DEFINITION_ZH}")


def _stats_tab(items: pd.DataFrame, names: dict[str, str], today: dt.date) -> None:
    def fmt(df: pd.DataFrame, label: str, mapping: dict) -> pd.DataFrame:
        return pd.DataFrame(
            {
                label: [mapping.get(g, g) for g in df["group"]],
                "事项（项）": df["total"],
                "已销号（项）": df["closed"],
                "整改率（%）": (100 * df["closure_rate"]).round(1),
                "逾期（项）": df["overdue"],
                "重大隐患（项）": df["major"],
                "重大隐患整改率（%）": (100 * df["major_closure_rate"]).round(1),
                "按期整改率（%）": (100 * df["on_time_rate"]).round(1),
            }
        ).pipe(display_frame)  # a rate without items is —, not None

    st.subheader("园区整改率")
    st.dataframe(fmt(closure_stats(items, by="park_id", today=today), "园区", {}), hide_index=True)
    st.subheader("各企业整改率")
    st.dataframe(fmt(closure_stats(items, by="enterprise_id", today=today), "企业", names), hide_index=True)
    st.subheader("各类别整改率")
    st.dataframe(fmt(closure_stats(items, by="category", today=today), "类别", CATEGORY_ZH), hide_index=True)
    st.subheader("月度趋势")
    trend = monthly_trend(items, today=today)
    if len(trend):
        long = pd.concat(
            [
                pd.DataFrame({"月份": trend["month"], "数量（项）": trend["found"], "指标": "新发现"}),
                pd.DataFrame({"月份": trend["month"], "数量（项）": trend["closed"], "指标": "销号"}),
            ]
        )
        bars = (
            alt.Chart(long)
            .mark_bar(opacity=0.8)
            .encode(x=alt.X("月份:N"), xOffset="指标:N", y="数量（项）:Q", color=alt.Color("指标:N"))
        )
        line = (
            alt.Chart(trend.assign(rate=100 * trend["closure_rate"]))
            .mark_line(point=True, color="#377eb8")
            .encode(
                x=alt.X("month:N", title="月份"),
                y=alt.Y("rate:Q", title="累计整改率（%）", scale=alt.Scale(domain=[0, 100])),
            )
        )
        st.altair_chart(alt.layer(bars, line).resolve_scale(y="independent"), width="stretch")
    st.subheader("重大隐患")
    major = major_items(items)
    st.dataframe(_display(major, names, today), hide_index=True)


def _display(items: pd.DataFrame, names: dict[str, str], today: dt.date) -> pd.DataFrame:
    od = overdue_mask(items, today=today)
    return pd.DataFrame(
        {
            "编号": items["item_id"],
            "责任企业": [
                names.get(e, e) if isinstance(e, str) else "（园区）" for e in items["enterprise_id"]
            ],
            "隐患/问题描述": items["title"],
            "类别": [CATEGORY_ZH.get(c, c) for c in items["category"]],
            "等级": [LEVEL_ZH.get(c, c) for c in items["hazard_level"]],
            "判定条目": [
                "" if pd.isna(v) else f"第{int(v)}条"
                for v in items.get("major_hazard_item", pd.Series(None, index=items.index, dtype=object))
            ],
            "整改期限": pd.to_datetime(items["deadline"]).dt.strftime("%Y-%m-%d"),
            "状态": [STATUS_ZH.get(s, s) for s in items["status"]],
            "逾期": ["逾期" if o else "" for o in od],
            "版本": items["version"] if "version" in items else None,
        }
    )


def _focus_rect_map(m: object, items: pd.DataFrame, shown: pd.DataFrame) -> None:
    """The map opens on the item just chosen under 办理 (when the choice changed), else on the items the filters
    leave when they leave fewer than all (an enterprise, a status …)."""
    from app.mapping.focus import focus_map

    chosen = st.session_state.get("rect_handle_item")
    if chosen is not None and chosen != st.session_state.get("_rect_map_item"):
        st.session_state["_rect_map_item"] = chosen
        if focus_map(m, st.session_state, items[items["item_id"] == chosen], label=f"整改事项 {chosen}"):
            return
    if 0 < len(shown) < len(items):
        focus_map(m, st.session_state, shown, label="筛选的整改事项")


def _handle_tab(store, user, items: pd.DataFrame, names: dict[str, str]) -> None:
    if len(items) == 0:
        st.info("没有可办理的事项。")
        return
    iid = st.selectbox(
        "选择事项",
        list(items["item_id"]),
        key="rect_handle_item",
        format_func=lambda i: f"{i} {items.set_index('item_id').at[i, 'title'][:30]}",
    )
    try:
        item = store.get_item(user, iid)
    except StoreError as exc:
        st.error(message_zh(exc))
        return
    # The version the person has SEEN: kept across reruns, so a change made by someone else in between is detected
    # by the store (ConcurrentEditError) instead of being silently overwritten.
    seen = st.session_state.get(SEEN_KEY)
    if seen is None or seen[0] != iid:
        seen = st.session_state[SEEN_KEY] = (iid, item.version)
    version = seen[1]
    st.markdown(
        f"**{item.item_id}** {item.title}  \n状态：**{STATUS_ZH[item.status]}**　整改期限：{item.deadline}　"
        f"版本：{item.version}"
    )
    if version != item.version:
        st.warning(f"此事项在您打开后已被他人修改（您看到的是第 {version} 版，当前为第 {item.version} 版）。")
        if st.button("刷新为最新版本", key="rect_refresh_version"):
            st.session_state[SEEN_KEY] = (iid, item.version)
            st.rerun()
    hist = store.history(user, iid)
    st.dataframe(
        pd.DataFrame(
            {
                "时间（北京时间）": [beijing_zh(t, seconds=True) for t in hist["at"]],
                "人员": hist["username"],
                "操作": [lifecycle.ACTION_LABELS_ZH.get(a, a) for a in hist["action"]],
                "说明": hist["comment"],
                "原期限": hist["old_deadline"],
                "新期限": hist["new_deadline"],
            }
        ).pipe(display_frame),
        hide_index=True,
    )
    targets = [
        t
        for t in lifecycle.allowed_targets(item.status)
        if can(user, lifecycle.TRANSITIONS[(item.status, t)], item.enterprise_id)
    ]
    with st.form("rect_action"):
        choices = ["（仅填报进展）"] if can(user, "progress", item.enterprise_id) else []
        choices += [
            f"{lifecycle.ACTION_LABELS_ZH[lifecycle.TRANSITIONS[(item.status, t)]]} → {STATUS_ZH[t]}"
            for t in targets
        ]
        if not choices:
            st.caption(f"{ROLE_LABELS_ZH[user.role]}对此事项没有可办理的操作。")
        action = st.radio("操作", choices, key="rect_action_choice") if choices else None
        comment = st.text_area("说明 / 原因", key="rect_action_comment")
        go = st.form_submit_button("提交", disabled=not choices)
    if go and action:
        try:
            if action == "（仅填报进展）":
                new = store.add_progress(user, iid, expected_version=version, comment=comment)
            else:
                target = targets[choices.index(action) - (1 if choices[0] == "（仅填报进展）" else 0)]
                new = store.transition(user, iid, target, expected_version=version, comment=comment)
            st.session_state[SEEN_KEY] = (iid, new.version)
            if action == "（仅填报进展）":
                _flash(f"已填报进展：事项 {iid}（第 {new.version} 版）。")
            else:
                _flash(
                    f"已提交“{action.split(' → ')[0]}”：事项 {iid} 当前状态为“{STATUS_ZH[new.status]}”"
                    f"（第 {new.version} 版）。"
                )
            st.rerun()
        except (ConcurrentEditError, PermissionDeniedError, ValueError, StoreError) as exc:
            st.error(message_zh(exc))
    if can(user, "edit", item.enterprise_id):
        _cite_form(store, user, item, version)
        _plan_form(store, user, item, version)
    if can(user, "extend", item.enterprise_id) and item.status != "closed":
        with st.form("rect_extend"):
            new = st.date_input(
                "新的整改期限",
                value=default_extension(item.deadline, beijing_today()),
                min_value=beijing_today(),
                format="YYYY-MM-DD",
                key="rect_extend_date",
            )
            reason = st.text_input("延期原因", key="rect_extend_reason")
            approver = st.text_input("批准人", value=user.display_name or user.username, key="rect_extend_by")
            if st.form_submit_button("批准延期"):
                try:
                    done = store.extend_deadline(
                        user,
                        iid,
                        expected_version=version,
                        new_deadline=new,
                        reason=reason,
                        approved_by=approver,
                    )
                    st.session_state[SEEN_KEY] = (iid, done.version)
                    _flash(f"延期已批准：事项 {iid} 新的整改期限为 {done.deadline}（第 {done.version} 版）。")
                    st.rerun()
                except (ConcurrentEditError, PermissionDeniedError, ValueError, StoreError) as exc:
                    st.error(message_zh(exc))


def _plan_form(store, user, item, version: int) -> None:
    """The contents of a 治理方案 the Word plan lists for each 重大隐患 (《安全生产事故隐患排查治理暂行规定》第十五条):
    measures, funds (entered in 万元, stored in 元) and the safety measures and emergency plan."""
    with st.form("rect_plan"):
        st.markdown("**治理方案**（整改措施、整改资金、安全措施和应急预案；重大隐患须逐项落实）")
        measures = st.text_area("整改措施", value=item.measures or "", key="rect_plan_measures")
        funds = st.number_input(
            "整改资金（万元）",
            min_value=0.0,
            value=None if item.funds_cny is None else float(item.funds_cny) / 1e4,  # 1 万元 = 10⁴ 元
            step=1.0,
            format="%.2f",
            placeholder="未填写",
            key="rect_plan_funds",
        )
        plan = st.text_area(
            "安全措施和应急预案", value=item.contingency_plan or "", key="rect_plan_contingency"
        )
        if not st.form_submit_button("保存治理方案"):
            return
    new_values = {
        "measures": measures.strip() or None,
        "funds_cny": None if funds is None else round(float(funds) * 1e4, 2),
        "contingency_plan": plan.strip() or None,
    }
    changes = {k: v for k, v in new_values.items() if v != getattr(item, k)}
    if not changes:
        st.info("治理方案没有变化。")
        return
    try:
        new = store.update_fields(user, item.item_id, expected_version=version, changes=changes)
    except (ConcurrentEditError, PermissionDeniedError, ValueError, StoreError) as exc:
        st.error(message_zh(exc))
        return
    st.session_state[SEEN_KEY] = (item.item_id, new.version)
    _flash(f"治理方案已保存：事项 {item.item_id}（第 {new.version} 版）。")
    st.rerun()


def _cite_form(store, user, item, version: int) -> None:
    """Cite one of the 20 items of 重大生产安全事故隐患判定标准（试行）(or none): citing one makes it 重大隐患."""
    options: list[int | None] = [None, *range(1, 21)]
    with st.form("rect_cite"):
        cited = st.selectbox(
            "重大隐患判定条目（安监总管三〔2017〕121号）",
            options,
            index=options.index(item.major_hazard_item),
            format_func=item_label_zh,
            key="rect_cite_item",
            help="引用第 1～20 条之一的事项自动判定为重大隐患。",
        )
        if st.form_submit_button("保存判定条目"):
            if cited == item.major_hazard_item:
                st.info("判定条目没有变化。")
                return
            try:
                new = store.update_fields(
                    user, item.item_id, expected_version=version, changes={"major_hazard_item": cited}
                )
                st.session_state[SEEN_KEY] = (item.item_id, new.version)
                _flash(
                    f"判定条目已保存：事项 {item.item_id} {item_label_zh(cited)}"
                    f"（隐患等级：{LEVEL_ZH[new.hazard_level]}）。"
                )
                st.rerun()
            except (ConcurrentEditError, PermissionDeniedError, ValueError, StoreError) as exc:
                st.error(message_zh(exc))


def _io_tab(store, user, park, items: pd.DataFrame, names: dict[str, str], today: dt.date) -> None:
    from app.reports.rectification_docx import static_map_png, trend_chart_png, write_plan_docx
    from app.reports.rectification_xlsx import read_inspection_xlsx, write_plan_xlsx

    st.subheader("导出")
    scope_opts = ["园区（一园一策）"] if user.role != "enterprise" else []
    ent_ids = sorted({e for e in items["enterprise_id"].dropna()})
    scope_opts += [f"企业：{names.get(e, e)}（{e}）" for e in ent_ids]
    if not scope_opts:  # an enterprise user without items (enterprise users cannot import either)
        st.info("暂无可导出的整改事项。")
        return
    scope = st.selectbox("范围", scope_opts, key="rect_export_scope")
    ent = (
        None
        if scope.startswith("园区")
        else ent_ids[scope_opts.index(scope) - (0 if user.role == "enterprise" else 1)]
    )
    sub = items if ent is None else items[items["enterprise_id"] == ent]
    if st.button("生成 Word 方案和 Excel 台账", key="rect_export_go"):
        with st.spinner("正在生成……"), tempfile.TemporaryDirectory() as tmp:
            rep = plan_report(
                sub, park_name=park.name, today=today, enterprise_names=names, enterprise_id=ent
            )
            ents = (
                park.enterprises
                if ent is None
                else park.enterprises[park.enterprises["enterprise_id"] == ent]
            )
            if user.role == "enterprise":
                ents = park.enterprises[park.enterprises["enterprise_id"] == user.enterprise_id]
            png = static_map_png(
                sub, parks=park.parks, enterprises=ents, today=today, focus=None if ent is None else ents
            )
            docx_path = write_plan_docx(
                rep,
                Path(tmp) / "plan.docx",
                map_png=png,
                trend_png=trend_chart_png(rep.trend) if len(rep.trend) else None,
            )
            hist = store.history(user)
            xlsx_path = write_plan_xlsx(
                sub,
                Path(tmp) / "plan.xlsx",
                park_name=park.name,
                history=hist[hist["item_id"].isin(sub["item_id"])],
                enterprise_names=names,
                today=today,
            )
            st.session_state["rect_export_files"] = (
                docx_path.read_bytes(),
                xlsx_path.read_bytes(),
                rep.title,
            )
    files = st.session_state.get("rect_export_files")
    if files:
        c = st.columns(2)
        c[0].download_button("下载 Word 方案", files[0], file_name=f"{files[2]}.docx", key="rect_dl_docx")
        c[1].download_button("下载 Excel 台账", files[1], file_name=f"{files[2]}.xlsx", key="rect_dl_xlsx")
    if not can(user, "import"):
        return
    st.subheader("导入检查清单（Excel）")
    st.caption("表头可用导出台账的「整改事项」表（中文列名）。任何一行有误则整表不导入，并列出全部问题。")
    up = st.file_uploader("选择 .xlsx 文件", type=["xlsx"], key="rect_import_file")
    if up is not None and st.button("校验并导入", key="rect_import_go"):
        table = read_inspection_xlsx(io.BytesIO(up.getvalue()))
        geoms = dict(zip(park.enterprises["enterprise_id"], park.enterprises.geometry, strict=True))
        park_id = str(park.parks["park_id"].iloc[0]) if len(park.parks) else None
        recs, problems = parse_inspection_table(
            table, park_id=park_id, enterprises=geoms, enterprise_names={v: k for k, v in names.items()}
        )
        if problems:
            st.error(f"发现 {len(problems)} 处问题，未导入任何事项：")
            st.dataframe(
                pd.DataFrame(
                    [(p.row, p.column, p.value, p.message_zh, p.fix_zh) for p in problems],
                    columns=["行号", "列", "值", "问题", "修改方法"],
                ),
                hide_index=True,
            )
            return
        try:
            ids = store.import_items(user, recs, source=up.name)
        except (ImportValidationError, DuplicateItemError, PermissionDeniedError, StoreError) as exc:
            st.error(message_zh(exc))
            return
        st.success(f"已导入 {len(ids)} 项。")


_KIND_ZH = {k: v[0] for k, v in FINDING_KINDS.items()}
ANALYSIS_KEY = (
    "rect_findings_analysis"  # session cache: {(park version, options): (domino result, 五室 table)}
)


def _park_version(source) -> tuple:
    p = Path(source.path)
    try:
        st_ = p.stat()
        return (str(p), st_.st_mtime_ns, st_.st_size)
    except OSError:
        return (str(p), 0, 0)


def _run_analyses(park, key: tuple, options: FindingsOptions, *, start: bool) -> None:
    """The domino analysis (and the 五室 check) of :func:`analysis.regulation.findings.run_park_analyses`, in
    background jobs (:mod:`app.jobs`: the page, other pages and users go on; not kept with the park, a quick run must
    not replace its stored results) with their progress bars; once all have finished, cached in the session."""
    from app.results_panel import compute_in_background

    cache = st.session_state.setdefault(ANALYSIS_KEY, {})
    parts = st.session_state.setdefault(f"{ANALYSIS_KEY}|parts", {})
    if start and key not in cache:
        parts.clear()
        parts.update(key=key, rooms=bool(options.five_rooms and not park.buildings.empty))
    if "key" not in parts:
        return
    run = {"max_level": options.domino_max_level, "n_samples": options.domino_samples}
    done = compute_in_background("domino", run, start=start, save=False)
    if done is not None:
        parts["domino"] = done[0]
    if parts["rooms"] and (done := compute_in_background("five_rooms", {}, start=start, save=False)):
        parts["five_rooms"] = done[0]
    if "domino" in parts and (not parts["rooms"] or "five_rooms" in parts):
        cache[parts["key"]] = ParkAnalyses(domino=parts["domino"], five_rooms=parts.get("five_rooms"))
        parts.clear()


def _analysis_findings_section(store, user, park, items: pd.DataFrame, today: dt.date) -> None:
    """从分析结果生成整改事项 (admin only): run the analyses, list the findings, create the selected ones."""
    st.subheader("从分析结果生成整改事项")
    if user.role != "admin":
        st.caption(f"{ROLE_LABELS_ZH[user.role]}无权从分析结果生成整改事项（仅园区管理员）。")
        return
    defaults = FindingsOptions()
    with st.form("rect_fd_form"):
        c = st.columns(2)
        min_p = c[0].number_input(
            "多米诺升级概率下限（-）",
            min_value=0.0,
            max_value=1.0,
            value=defaults.min_probability,
            step=0.01,
            key="rect_fd_minp",
        )
        rooms = c[1].checkbox(
            "同时校核五室（控制室、机柜间、化验室、办公室、交接班室）",
            value=defaults.five_rooms,
            key="rect_fd_rooms",
        )
        run = st.form_submit_button("运行分析（多米诺效应与五室校核）")
    options = FindingsOptions(min_probability=float(min_p), five_rooms=bool(rooms))
    # the analyses do not depend on min_probability (it filters their edges): cached without it
    key = (_park_version(state.current_source()), options.five_rooms)
    _run_analyses(park, key, options, start=run)  # errors shown in Chinese by the jobs
    cached = st.session_state.get(ANALYSIS_KEY, {}).get(key)
    extra = list(st.session_state.get(FINDINGS_KEY) or [])
    if cached is None and not extra:
        st.info("点击「运行分析」对当前园区进行多米诺效应分析（及五室校核），结果将列为可生成的整改事项。")
        return
    findings = (findings_from_analyses(cached, park, options) if cached is not None else []) + extra
    if not findings:
        st.success("分析未发现需要整改的问题。")
        return
    prop = propose_from_findings(findings, park, links=store.finding_links(user), items=items, today=today)
    status = prop.status
    kinds = st.multiselect(
        "发现类型",
        sorted({f.kind for f in findings}),
        default=sorted({f.kind for f in findings}),
        format_func=lambda k: _KIND_ZH.get(k, k),
        placeholder="请选择…",
        key="rect_fd_kinds",
    )
    major_only = st.checkbox("只选重大隐患", key="rect_fd_major")
    names = dict(zip(park.enterprises["enterprise_id"], park.enterprises["name"], strict=True))
    rows = []
    for p, s in zip(prop.proposals, status.itertuples(index=False), strict=True):
        f = p.finding
        selectable = s.status == "new"
        rows.append(
            {
                "选择": selectable and f.kind in kinds and (f.hazard_level == "major" or not major_only),
                "编号": p.record["item_id"],
                "类型": _KIND_ZH.get(f.kind, f.kind),
                "责任单位": names.get(f.enterprise_id, f.enterprise_id) if f.enterprise_id else "（园区）",
                "问题描述": f.description_zh,
                "类别": CATEGORY_ZH[p.record["category"]],
                "等级": LEVEL_ZH[f.hazard_level],
                "判定条目": "" if f.major_hazard_item is None else f"第{f.major_hazard_item}条",
                "建议措施": f.measure_zh,
                "状态": s.status_zh,
            }
        )
    table = pd.DataFrame(rows)
    n_new = int((status["status"] == "new").sum())
    st.caption(
        f"共 {len(table)} 项发现，其中 {n_new} 项尚未生成整改事项；已生成过的发现不会重复生成，"
        "已销号但分析仍发现的问题请在「办理」中重新打开原事项。"
    )
    edited = st.data_editor(
        table,
        hide_index=True,
        disabled=[c for c in table.columns if c != "选择"],
        column_config={"选择": st.column_config.CheckboxColumn("选择", default=False)},
        key=f"rect_fd_editor_{hash((tuple(kinds), major_only, len(table)))}",
    )
    chosen = set(edited.loc[edited["选择"].astype(bool), "编号"])
    todo = [p for p in prop.new if p.record["item_id"] in chosen]
    if st.button(f"一键生成（{len(todo)} 项）", key="rect_fd_create", disabled=not todo, type="primary"):
        try:
            ids = store.create_from_findings(user, [(p.record, p.link) for p in todo])
        except (ImportValidationError, DuplicateItemError, PermissionDeniedError, StoreError) as exc:
            st.error(message_zh(exc))
            return
        st.success(f"已生成 {len(ids)} 项整改事项（状态：待整改，来源：风险分析发现）。")


def _findings_tab(store, user, park, items: pd.DataFrame, today: dt.date) -> None:
    _analysis_findings_section(store, user, park, items, today)


def main() -> None:
    st.title("一园一策 · 整改事项闭环管理")
    park = state.get_park()
    source = state.current_source()
    demo = source.kind == "demo"
    try:
        store = state.park_store()
    except (StoreError, ValueError, OSError) as exc:
        st.error(f"无法打开整改台账：{message_zh(exc)}")
        st.stop()
    user = state.current_user()  # this browser session's sign-in, or the signed cookie after a reload
    # users and sessions live in the app's account store: for a park opened from 区域监管 it is not the store of
    # the park's items (state.account_store), so the sign-in carries over to every park of the region
    accounts = state.account_store() if source.kind == "region" else store
    if user is None:
        _sign_in_form(accounts, state.home_source().kind == "demo")
        return
    _show_flash()
    with st.sidebar:
        st.markdown(
            f"**{user.display_name or user.username}**（{ROLE_LABELS_ZH[user.role]}"
            + (f"，{user.enterprise_id}" if user.enterprise_id else "")
            + "）"
        )
        if demo:
            st.caption("演示账号，仅用于虚构示例园区。")
        if st.button("退出登录", key="rect_sign_out"):
            state.end_session(accounts)
            st.rerun()
        _password_form(accounts, user)
    today = beijing_today()
    names = dict(zip(park.enterprises["enterprise_id"], park.enterprises["name"], strict=True))
    items = store.items_frame(user)
    history = store.history(user)
    flt = _filters(items, names, user)
    shown = filter_items(items, flt, today=today)
    _metrics(shown, today)
    ents = park.enterprises
    if user.role == "enterprise":
        ents = ents[ents["enterprise_id"] == user.enterprise_id]
    m = rectification_map(
        shown,
        enterprises=ents,
        parks=park.parks,
        history=history,
        enterprise_names=names,
        today=today,
        rate_items=items,
    )
    _focus_rect_map(m, items, shown)
    st_folium(m, height=MAP_HEIGHT, use_container_width=True, returned_objects=[], key="rect_map")
    tabs = st.tabs(["事项清单", "统计", "办理", "导入导出", "分析发现"])
    with tabs[0]:
        st.dataframe(_display(shown, names, today), hide_index=True)
    with tabs[1]:
        _stats_tab(shown, names, today)
    with tabs[2]:
        _handle_tab(store, user, shown, names)
    with tabs[3]:
        _io_tab(store, user, park, shown, names, today)
    with tabs[4]:
        _findings_tab(store, user, park, items, today)


main()

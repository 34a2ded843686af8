"""园区一张图: every layer of the open park on one map, with key figures and the attribute tables."""

from __future__ import annotations

from datetime import date

import streamlit as st
from streamlit_folium import st_folium

from app import state
from app.mapping import legend_html, overdue_mask, park_legend_sections, park_map
from app.park_overview import park_score_form, regulator_numbers, stored_park_scores
from geodata import schema
from geodata.store import StoreError

TITLE = "园区一张图"
ICON = ":material/map:"
ORDER = 10

MAP_HEIGHT = 720  # [px]


def _metrics(park) -> None:
    layers = park.layers
    ent = layers["enterprises"]
    inst = layers["installations"]
    tgt = layers["sensitive_targets"]
    rect = layers["rectifications"]
    red = int((ent["risk_color"] == "red").sum()) if "risk_color" in ent else 0
    mh = int(ent["major_hazard_grade"].notna().sum()) if "major_hazard_grade" in ent else 0
    open_items = int((rect["status"] != "closed").sum()) if "status" in rect else 0
    overdue = int(overdue_mask(rect, date.today()).sum())
    people = int(tgt["population_day"].fillna(0).sum()) if "population_day" in tgt else 0
    cols = st.columns(5)
    off = {"delta_color": "off", "delta_arrow": "off"}
    cols[0].metric("企业", f"{len(ent)} 家", f"红色 {red} 家 · 重大危险源 {mh} 家", **off)
    cols[1].metric("装置设施", f"{len(inst)} 处")
    cols[2].metric("管道", f"{len(layers['pipelines'])} 条")
    cols[3].metric("防护目标", f"{len(tgt)} 个", f"白天 {people:,d} 人", **off)
    cols[4].metric(
        "整改事项",
        f"{len(rect)} 项",
        f"未销号 {open_items} 项 · 逾期 {overdue} 项",
        delta_color="red" if overdue else "off",
        delta_arrow="off",
    )


def _regulator_header(view) -> None:
    """The regulator's numbers; choosing one shows the table behind it."""
    park_id = str(view.park.parks["park_id"].iloc[0]) if len(view.park.parks) else ""
    store, scores = None, {}
    if view.user is not None and park_id:
        try:
            store = state.park_store()
            scores = stored_park_scores(store, view.user, park_id)
        except (StoreError, ValueError, OSError) as exc:
            st.warning(f"园区评分读取失败：{exc}")
    numbers = {n.key: n for n in regulator_numbers(view, park_scores=scores)}
    pick = st.radio(
        "监管统计（点选查看明细表）",
        list(numbers),
        index=None,
        horizontal=True,
        format_func=lambda k: f"{numbers[k].label}：{numbers[k].value}",
        key="park_reg_pick",
    )
    if pick is not None:
        n = numbers[pick]
        st.caption(n.note)
        st.dataframe(n.table, hide_index=True, width="stretch")
        if pick == "park_grade" and store is not None and view.user.role == "admin":
            park_score_form(store, view.user, park_id, scores)


def _tables(park) -> None:
    # Off by default: the data grid is a large front-end bundle that the map view does not need.
    if not st.toggle("显示各图层属性表", key="park_map_tables"):
        return
    for name, gdf in park.layers.items():
        if name not in schema.LAYERS or gdf is None or gdf.empty:
            continue
        spec = schema.LAYERS[name]
        with st.expander(f"{spec.label_zh}（{len(gdf)}）属性表"):
            frame = gdf.drop(columns=gdf.geometry.name).copy()
            for col in spec.columns:
                if col.name in frame and col.enum:
                    frame[col.name] = [schema.label_zh(col.enum, v) for v in frame[col.name]]
            labels = {c.name: f"{c.label_zh}（{c.unit}）" if c.unit else c.label_zh for c in spec.columns}
            st.dataframe(frame.rename(columns=labels), hide_index=True, width="stretch")


def render() -> None:
    view = state.park_view()
    park = view.park
    settings, _ = state.get_settings()
    st.title(f"{TITLE} · {park.name}")
    if view.redacted:
        st.caption("重大危险源设施的存量、容积、压力、温度仅对登录的管理、企业或检查人员显示。")
    if view.user is None or view.user.role == "enterprise":
        st.caption("整改事项按“一园一策”页面的权限显示：未登录不显示，企业用户只显示本企业的事项。")
    _metrics(park)
    _regulator_header(view)
    layer_names = [n for n in park.layers if n in schema.LAYERS and not park.layers[n].empty]
    # Plain checkboxes (not a multiselect): the combo-box widget alone adds ~190 KB to the page.
    st.sidebar.markdown("**图层**", help="选择绘制的图层；也可用地图右上角的图层按钮显示/隐藏。")
    chosen = [
        name
        for name in layer_names
        if st.sidebar.checkbox(
            f"{schema.LAYERS[name].label_zh}（{len(park.layers[name])}）",
            value=True,
            key=f"park_map_layer_{name}",
        )
    ]
    m = park_map(park, basemap=settings.basemap, layers=chosen, legends=False, layer_control_collapsed=True)
    col_map, col_legend = st.columns([4.2, 1], gap="small")
    with col_map:
        st_folium(m, height=MAP_HEIGHT, use_container_width=True, returned_objects=[], key="park_map")
    with col_legend:
        st.html(legend_html("图例", park_legend_sections(park, layers=chosen), standalone=True))
    st.caption(
        "点击要素查看全部属性；企业按安全风险等级着色（红/橙/黄/蓝），防护目标按 GB 36894-2018 防护类别着色，"
        "装置按物料相态着色，粗黑边为重点监管危险化工工艺；整改事项黑框为逾期未销号。"
    )
    _tables(park)


render()

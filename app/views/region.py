"""区域监管: the parks of a region (``PARKRISK_REGION``: a folder of park GeoPackages or a ``postgresql://``
connection string of a PostGIS region, :mod:`geodata.pg_parks`) for the regulator — a map coloured by park
grade, the ranked table, drill-down to a park's own pages, the monthly trend and the monthly bulletin (Word, Excel).

The parks are computed by :mod:`app.region.runner` (dask.distributed; cached by content): the page shows what is in
the cache and computes the missing or changed parks on request, with a progress bar. Only the parks the signed-in
user may see (:mod:`app.region.scope`) reach the map, the table, the trend and the bulletin.

The plain functions (``region_map``) can be called without Streamlit.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import folium
import pandas as pd

from analysis.regulation.park_grading import GRADE_LABELS_ZH
from app.mapping import TextTooltip, finish_map, new_map
from app.present.grades import PARK_GRADE_COLORS
from app.present.messages import message_zh
from app.present.numbers import beijing_today

TITLE = "区域监管"
ICON = ":material/travel_explore:"
ORDER = 70  # after the park pages: the park map stays the first page (the default)

REGION_ENV = "PARKRISK_REGION"
REGION_SCHEMA_ENV = (
    "PARKRISK_REGION_SCHEMA"  # schema of the park tables of a PostGIS region (default parkrisk)
)
MAP_HEIGHT = 520  # [px]


def region_map(table: pd.DataFrame, results: list[dict[str, Any]], *, basemap: Any = None) -> folium.Map:
    """Parks of ``table`` (:func:`app.region.stats.ranking`, already limited to the user's parks) on a map: the
    boundary and a marker at the centre coloured by grade, a tooltip with the park's figures (text escaped)."""
    if len(table):  # a park whose file could not be read has no place: it is in the table, not on the map
        table = table[table["lat"].notna() & table["lon"].notna()]
    shown = set(table["park_id"]) if len(table) else set()
    lat = float(table["lat"].mean()) if len(table) else 30.5
    lon = float(table["lon"].mean()) if len(table) else 115.5
    m = new_map(location=(lat, lon), zoom_start=7, basemap=basemap)
    bounds = {r["park_id"]: r.get("boundary") for r in results if r.get("park_id") in shown}
    for grade in ("A", "B", "C", "D", ""):
        rows = table[table["grade"].fillna("") == grade] if len(table) else table
        if rows.empty:
            continue
        label = GRADE_LABELS_ZH.get(grade, "未定级")
        group = folium.FeatureGroup(name=f"{label}园区（{len(rows)} 个）")
        colour = PARK_GRADE_COLORS.get(grade, PARK_GRADE_COLORS[""])
        for row in rows.itertuples():
            tip = (
                f"{row.name}（{row.park_id}）\n{label}　排名第 {row.rank}\n"
                f"红色企业 {row.colour_red} 家，橙色企业 {row.colour_orange} 家\n"
                f"未销号重大隐患 {row.major_open} 项，逾期 {row.overdue} 项"
            )
            boundary = bounds.get(row.park_id)
            if boundary:
                folium.GeoJson(
                    boundary,
                    style_function=lambda _f, c=colour: {"color": c, "weight": 2, "fillOpacity": 0.25},
                    tooltip=TextTooltip.from_text(tip),
                ).add_to(group)
            folium.CircleMarker(
                (row.lat, row.lon),
                radius=7,
                color=colour,
                fill=True,
                fill_opacity=0.9,
                tooltip=TextTooltip.from_text(tip),
            ).add_to(group)
        group.add_to(m)
    if len(table):
        m.fit_bounds([[table["lat"].min(), table["lon"].min()], [table["lat"].max(), table["lon"].max()]])
    return finish_map(m)


def _schema() -> str:
    from geodata.pg_parks import DEFAULT_SCHEMA

    return os.environ.get(REGION_SCHEMA_ENV, "").strip() or DEFAULT_SCHEMA


def _results(region: str, opts) -> tuple[list[dict[str, Any]], list[str]]:
    from app.region.runner import cached_results

    return cached_results(region, options=opts, schema=_schema())


def _compute(region: str, opts) -> None:  # pragma: no cover - exercised by the browser test
    import streamlit as st

    from app.region.runner import run_region

    bar = st.progress(0.0, text="正在启动 dask 集群……")
    try:
        res = run_region(
            region,
            options=opts,
            schema=_schema(),
            progress=lambda f, msg: bar.progress(min(f, 1.0), text=msg),
        )
    except (OSError, ValueError) as exc:
        st.error(f"区域计算未完成：{message_zh(exc)}")
        return
    st.success(f"计算 {len(res.computed)} 个园区，用时 {res.seconds:.1f} s（{res.cluster_zh}）。")


def drill_down_path(region: str, file: str, *, schema: str | None = None) -> Path:
    """The park file the app opens for a park of the region: the file in the region folder, or for a PostGIS
    region (park tables in ``schema``, default ``PARKRISK_REGION_SCHEMA`` or ``parkrisk``) the app's copy of the
    park (:func:`app.region.sources.pg_local_copy`, refreshed when its rows changed).

    Raises
    ------
    ValueError, OSError
        The PostGIS park cannot be read or copied (Chinese message).
    """
    from app.region.sources import pg_local_copy
    from geodata.pg_parks import PgPark
    from geodata.store import is_postgres_target

    if is_postgres_target(region):
        return pg_local_copy(PgPark(region, file, schema or _schema()))
    return Path(region) / file


def _drill_down(table: pd.DataFrame, region: str) -> None:  # pragma: no cover - exercised by the browser test
    import streamlit as st

    from app import state

    st.subheader("查看园区")
    names = {f"{r.rank}. {r.name}（{r.park_id}）": r for r in table.itertuples()}
    pick = st.selectbox("园区", list(names), key="region_pick")
    c = st.columns(2)
    if c[0].button("打开该园区的页面", key="region_open", type="primary"):
        row = names[pick]
        try:
            path = drill_down_path(region, row.file)
        except (OSError, ValueError) as exc:
            st.error(f"无法打开园区 {row.name}（{row.park_id}）：{message_zh(exc)}")
            return
        state.open_region_park(path, row.name)
        st.switch_page(str(Path(__file__).with_name("park_map.py")))
    if c[1].button("回到默认园区", key="region_close"):
        state.close_region_park()
        st.rerun()


def _downloads(results: list[dict[str, Any]], title: str, scope_zh: str) -> None:  # pragma: no cover
    import streamlit as st

    from app.region.bulletin import bulletin_docx, bulletin_xlsx, make_bulletin

    st.subheader("监管月报")
    today = beijing_today()
    months = [str(p) for p in pd.period_range(end=pd.Period(today, "M"), periods=12, freq="M")][::-1]
    month = st.selectbox("月份", months, key="region_month")
    b = make_bulletin(results, month=month, region_zh=title, scope_zh=scope_zh)
    c = st.columns(2)
    c[0].download_button(
        "下载月报（Word）",
        data=bulletin_docx(b),
        file_name=f"region_bulletin_{month}.docx",
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        key="region_docx",
    )
    c[1].download_button(
        "下载月报（Excel）",
        data=bulletin_xlsx(b),
        file_name=f"region_bulletin_{month}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="region_xlsx",
    )


def _title(region: str) -> str:
    from geodata.store import is_postgres_target

    if is_postgres_target(region):
        from psycopg.conninfo import conninfo_to_dict

        try:
            return str(conninfo_to_dict(region).get("dbname") or "区域")
        except Exception:  # noqa: BLE001 - a title must not fail; the run reports a bad DSN
            return "区域"
    return Path(region).resolve().name


def render() -> None:  # pragma: no cover - exercised by the browser test
    import streamlit as st
    from streamlit_folium import st_folium

    from app import state
    from app.region.compute import RegionOptions
    from app.region.scope import scope_note_zh, user_parks
    from app.region.stats import ranking, ranking_zh, region_trend, trend_zh, visible_results

    st.title(TITLE)
    folder_env = os.environ.get(REGION_ENV, "").strip()
    if not folder_env:
        st.info(
            "未配置区域：请把各园区的 GeoPackage 放在一个文件夹中，并以环境变量 PARKRISK_REGION=文件夹路径 启动应用（PostGIS 区域：PARKRISK_REGION=postgresql://…，园区用 parkrisk region import 导入）；"
            "命令行 parkrisk region run 文件夹 可先行计算。"
        )
        return
    region = folder_env
    try:
        parks = user_parks(state.account_store(), state.current_user())
    except (OSError, ValueError) as exc:
        st.error(f"无法打开用户台账：{message_zh(exc)}")
        return
    st.caption(scope_note_zh(parks))
    if parks is not None and not parks:
        return
    generic = st.checkbox(
        "无气象资料的园区使用通用示意风玫瑰（结果仅作示意，表中注明）", key="region_generic"
    )
    opts = RegionOptions(generic_weather=generic)
    if st.button("计算新增或已变化的园区", key="region_run"):
        _compute(region, opts)
    try:
        all_results, missing = _results(region, opts)
    except (FileNotFoundError, ValueError) as exc:
        st.error(message_zh(exc))
        return
    results = visible_results(all_results, parks)
    if missing:
        st.warning(f"{len(missing)} 个园区尚未计算或数据已变化，请点击上方按钮计算。")
    if not results:
        st.info("没有可显示的园区结果。")
        return
    today = beijing_today()
    table = ranking(results, day=today)
    settings, _ = state.get_settings()
    st_folium(
        region_map(table, results, basemap=settings.basemap),
        height=MAP_HEIGHT,
        use_container_width=True,
        returned_objects=[],
        key="region_map",
    )
    st.subheader(f"园区排名（{today:%Y-%m-%d}，北京时间）")
    st.dataframe(ranking_zh(table), hide_index=True, width="stretch")
    _drill_down(table, region)
    st.subheader("月度趋势（隐患发现与销号）")
    trend = trend_zh(region_trend(results, day=today))
    if len(trend):
        st.bar_chart(trend.set_index("月份")[["新发现（项）", "销号（项）"]], stack=False, height=260)
    st.dataframe(trend, hide_index=True, width="stretch")
    _downloads(results, _title(region), scope_note_zh(parks))


if __name__ == "__main__":
    render()

"""气象与人口: the park's wind rose and station (stored in its GeoPackage), a wind-rose chart, and an upload of a rose
table or of hourly observations (turned into a day/night rose by the Turner method, :mod:`app.weather_import`); the
people the societal risk counts besides targets and buildings: the ``population_areas`` layer and an upload of a
population raster (GeoTIFF, persons per cell, checked by :func:`geodata.population.check_population_raster` and
stored beside the park file as ``<park>.population.tif``).

Where an import is written: an uploaded park gets a new upload (the park file with its weather tables, so a file
shared by content is never changed in place); the park of ``PARKRISK_PARK`` is written in place (atomically,
:func:`geodata.weather.save_weather`) by a signed-in park administrator; the built-in demo park is not changed.
"""

from __future__ import annotations

from typing import Any

TITLE = "气象与人口"
ICON = ":material/air:"
ORDER = 39
_DONE_KEY = "weather_import_done"


def stability_table_zh(rose_frame: Any) -> Any:
    """Frequency of each stability class by period [%] (Chinese columns)."""
    import pandas as pd

    df = rose_frame.assign(period=rose_frame.get("period", "all"))
    t = df.pivot_table(
        index="stability", columns="period", values="probability", aggfunc="sum", fill_value=0.0
    )
    t = t.rename(columns={"day": "白天（占全年 %）", "night": "夜间（占全年 %）", "all": "全年 %"}) * 100.0
    return pd.DataFrame(t.round(2)).reset_index().rename(columns={"stability": "稳定度"})


def _write(
    st: Any, state: Any, source: Any, imported: Any
) -> None:  # pragma: no cover - exercised by AppTest
    import shutil
    import tempfile
    from pathlib import Path

    from geodata.weather import save_weather

    path = Path(source.path)
    if source.kind == "demo":
        st.error(
            "内置示例园区不能修改：请在侧栏上传园区 GeoPackage 后再导入气象资料，或用命令行 parkrisk weather import。"
        )
        return False
    if path.suffix.lower() != ".gpkg":
        st.error(
            f"园区文件 {path.name} 不是 GeoPackage（.gpkg）：气象资料只能写入 .gpkg 园区文件，请先另存为 .gpkg。"
        )
        return False
    if source.kind == "upload":
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / path.name
            shutil.copyfile(path, copy)
            save_weather(copy, imported.weather)
            state.save_upload(path.name, copy.read_bytes(), source.coords)
        return True
    user = state.current_user()
    if user is None or user.role != "admin":
        st.error(
            "写入园区文件需要园区管理员登录（在「一园一策」页面登录），或用命令行 parkrisk weather import。"
        )
        return False
    save_weather(path, imported.weather)
    return True


def population_summary_zh(park: Any) -> list[str]:
    """What the park holds of people besides targets and buildings: its population areas and raster (Chinese)."""
    out = []
    areas = park.layers.get("population_areas")
    if areas is not None and len(areas):
        night = float(areas.get("population_night", 0).fillna(0).sum())
        day = float(areas.get("population_day", 0).fillna(0).sum())
        out.append(
            f"居住区人口图层 population_areas：{len(areas)} 个区域，白天 {day:,.0f} 人，夜间 {night:,.0f} 人"
        )
    r = getattr(park, "population_raster", None)
    if r is not None:
        ny, nx = r.night.shape
        name = r.source.replace("\\", "/").rsplit("/", 1)[-1]
        out.append(
            f"人口栅格 {name}：{nx} × {ny} 个像元，坐标系 {r.crs.name}，夜间 {r.total_night:,.0f} 人，"
            f"白天 {float(r.day.sum()):,.0f} 人（与防护目标、建筑物、居住区重叠的像元不重复计入）"
        )
    return out


def _population_section(st: Any, state: Any, source: Any, park: Any) -> None:  # pragma: no cover - AppTest
    """The people besides targets and buildings, and the upload of a population raster."""
    from pathlib import Path

    from geodata.population import check_population_raster, population_raster_path, save_population_raster

    st.subheader("人口（社会风险计入防护目标、建筑物之外的人员）")
    shown = population_summary_zh(park)
    for line in shown or ["本园区没有居住区人口图层和人口栅格：社会风险只计入防护目标和建筑物中的人员。"]:
        st.write(line)
    with st.form("population_form"):
        up = st.file_uploader(
            "人口栅格 GeoTIFF（每个像元的人数；第 1 波段夜间/常住，可选第 2 波段白天；须有坐标系，无数据像元声明为 NoData）",
            type=["tif", "tiff"],
            key="population_upload",
        )
        go = st.form_submit_button("检查并保存人口栅格")
    if not go:
        return
    if up is None:
        st.error("请选择人口栅格文件（GeoTIFF）。")
        return
    lon0, lat0, lon1, lat1 = park.metric("parks").to_crs(4326).total_bounds
    pad = 0.1  # [°], about 10 km: the park and its surroundings
    try:
        raster = check_population_raster(
            up.getvalue(), name=up.name, bounds_wgs84=(lon0 - pad, lat0 - pad, lon1 + pad, lat1 + pad)
        )
    except ValueError as exc:
        from app.present.messages import message_zh

        st.error(f"人口栅格未保存：{message_zh(exc)}", icon=":material/error:")
        return
    path = Path(source.path)
    if source.kind == "demo":
        st.error(
            "内置示例园区不能修改：请在侧栏上传园区 GeoPackage 后再上传人口栅格。", icon=":material/error:"
        )
        return
    user = state.current_user()
    if source.kind != "upload" and (user is None or user.role != "admin"):
        st.error(
            "写入园区文件旁的人口栅格需要园区管理员登录（在「一园一策」页面登录），或把文件复制为 "
            f"{population_raster_path(path).name} 放在园区文件旁。",
            icon=":material/error:",
        )
        return
    saved = save_population_raster(path, up.getvalue())
    st.session_state[_DONE_KEY] = (
        f"人口栅格已保存为 {saved.name}：夜间 {raster.total_night:,.0f} 人，白天 {float(raster.day.sum()):,.0f} 人；"
        "重新计算风险后计入社会风险。"
    )
    st.rerun()


def render() -> None:  # pragma: no cover - exercised by AppTest
    import streamlit as st

    from analysis.weather import rose_from_frame
    from app import state
    from app.charts import wind_rose_figure
    from app.weather_import import park_weather_from_table
    from geodata.weather import read_weather_file

    park = state.get_park()
    source = state.current_source()
    st.title(f"{TITLE} · {park.name}")
    st.caption(
        "个人风险与社会风险按园区气象站的风玫瑰（风向 × 风速等级 × 帕斯奎尔稳定度，分昼夜）计算；风玫瑰保存在园区文件中。"
        "逐时地面观测按 Turner 法（净辐射指数：太阳高度角、总云量、云底高度；EPA-454/R-99-005 表 6-4～6-6）确定稳定度。"
    )
    done = st.session_state.pop(_DONE_KEY, None)
    if done:
        st.success(done, icon=":material/check_circle:")
    w = park.weather
    if w is None:
        st.warning(
            "本园区文件没有气象资料，风险计算将被拒绝。请在下方上传气象站的风玫瑰表或逐时观测，"
            "或用命令行 parkrisk weather import 园区.gpkg 文件 --station 站名 导入。",
            icon=":material/warning:",
        )
    else:
        st.subheader("当前气象资料")
        st.write(w.describe_zh())
        st.pyplot(wind_rose_figure(rose_from_frame(w.rose), title=f"风玫瑰 · {w.station.get('name', '')}"))
        st.dataframe(stability_table_zh(w.rose), hide_index=True)
    _population_section(st, state, source, park)
    st.subheader("导入气象资料")
    lon, lat = park.center
    with st.form("weather_form"):
        up = st.file_uploader(
            "风玫瑰表（period, direction_deg, speed_m_s, stability, probability）或逐时观测"
            "（time, wind_from_deg, wind_speed, cloud_cover_oktas, 可选 ceiling_m）",
            type=["csv", "xlsx"],
        )
        c1, c2, c3 = st.columns(3)
        name = c1.text_input("气象站名称", key="weather_station")
        la = c2.number_input("气象站纬度 [°]", value=float(round(lat, 4)), format="%.4f")
        lo = c3.number_input("气象站经度 [°]", value=float(round(lon, 4)), format="%.4f")
        c4, c5 = st.columns(2)
        height = c4.number_input("风速仪高度 [m]", min_value=0.5, max_value=300.0, value=10.0)
        sectors = c5.selectbox("风向扇区数（逐时观测）", (16, 12, 8), index=0)
        go = st.form_submit_button("导入并写入园区文件", type="primary")
    if not go:
        return
    if up is None or not name.strip():
        st.error("请选择文件并填写气象站名称。")
        return
    try:
        import io
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory() as tmp:
            f = Path(tmp) / Path(up.name).name
            f.write_bytes(io.BytesIO(up.getvalue()).getvalue())
            table = read_weather_file(f)
        imported = park_weather_from_table(
            table, station=name.strip(), latitude=la, longitude=lo, anemometer_height_m=height,
            sectors=int(sectors), source_name=up.name,
        )  # fmt: skip
    except ValueError as exc:
        from app.present.messages import message_zh

        report = getattr(exc, "report", None)
        st.error(report.to_text_zh() if report is not None else message_zh(exc))
        return
    if _write(st, state, source, imported):
        st.session_state[_DONE_KEY] = imported.summary_zh
        st.rerun()


if __name__ == "__main__":
    render()

"""The regulator's numbers in the header of 园区一张图 on the demo park (issue 18, item 5): each number opens the
table behind it; anonymous users see no rectification items there (as on the 一园一策 page), admins see them all."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geodata import schema

PAGE = Path(__file__).resolve().parents[2] / "app" / "views" / "park_map.py"


@pytest.fixture(scope="module")
def demo(tmp_path_factory, demo_park_path, demo_park):
    from app.auth import open_park_store, sign_in
    from geodata.store import default_store_path

    mp = pytest.MonkeyPatch()
    mp.delenv("PARKRISK_PARK", raising=False)
    mp.delenv("PARKRISK_STORE", raising=False)
    mp.setenv("PARKRISK_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    mp.setenv("PARKRISK_BCRYPT_ROUNDS", "4")
    mp.setenv("PARKRISK_BASEMAP", "none")
    store = open_park_store(str(demo_park_path), str(default_store_path(demo_park_path)), True, demo_park)
    try:
        token = sign_in(store, "admin", "admin-demo", client="test-overview").token
    finally:
        store.close()
    yield demo_park, token
    mp.undo()


def _page(token: str | None, monkeypatch) -> AppTest:
    import streamlit_folium

    from app.auth import SESSION_TOKEN_KEY

    monkeypatch.setattr(streamlit_folium, "st_folium", lambda *a, **k: None)  # the map is not under test here
    at = AppTest.from_file(str(PAGE), default_timeout=180)
    if token:
        at.session_state[SESSION_TOKEN_KEY] = token
    at.run()
    assert not at.exception, at.exception
    return at


def _open(at: AppTest, key: str):
    at.radio(key="park_reg_pick").set_value(key).run()
    assert not at.exception, at.exception
    (table,) = at.dataframe
    return table.value


def test_the_numbers_and_their_tables_for_an_admin(demo, monkeypatch):
    park, token = demo
    at = _page(token, monkeypatch)
    radio = at.radio(key="park_reg_pick")
    ent, rect = park.enterprises, park.rectifications
    n = {c: int((ent["risk_color"] == c).sum()) for c in ("red", "orange", "yellow", "blue")}
    major = rect[rect["hazard_level"] == "major"]
    m_closed = int((major["status"] == "closed").sum())
    closed = rect["status"] == "closed"
    deadline = pd.to_datetime(rect["deadline"])
    due = closed | (deadline < pd.Timestamp(dt.date.today()))
    on_time = closed & (pd.to_datetime(rect["closed_on"]) <= deadline)
    assert (
        radio.options[0]
        == f"企业风险颜色：红 {n['red']} · 橙 {n['orange']} · 黄 {n['yellow']} · 蓝 {n['blue']}"
    )
    assert radio.options[1].startswith("两重点一重大企业：") and radio.options[2].startswith(
        "重大危险源（按等级）：1级"
    )
    assert (
        radio.options[3]
        == f"园区安全风险等级：{schema.label_zh('park_risk_grade', park.parks['risk_grade'][0])}（园区数据）"
    )
    assert radio.options[4] == f"重大隐患（未销号/已销号）：{len(major) - m_closed} / {m_closed} 项"
    assert radio.options[5] == (
        f"整改率 / 按期整改率：{100 * closed.mean():.1f}% / {100 * on_time.sum() / due.sum():.1f}%"
    )
    assert radio.value is None and len(at.dataframe) == 0  # nothing opened until a number is chosen
    colours = _open(at, "colours")
    assert len(colours) == len(ent)
    assert (colours["安全风险等级"] == "红色（重大风险）").sum() == (ent["risk_color"] == "red").sum()
    assert len(_open(at, "two_key")) == 12
    assert len(_open(at, "major_hazards")) == 16
    grade = _open(at, "park_grade")
    assert len(grade) == 13 and set(grade["数据核查"]) >= {"符合", "需核实", "人工评分"}
    assert "不得新建、改建、扩建危险化学品建设项目" in "\n".join(c.value for c in at.caption)
    assert len(_open(at, "major_items")) == len(major)
    rates = _open(at, "rates")
    assert rates["事项（项）"].sum() == len(rect)


def test_anonymous_users_see_no_items_behind_the_numbers(demo, monkeypatch):
    at = _page(None, monkeypatch)
    labels = at.radio(key="park_reg_pick").options
    assert "重大隐患（未销号/已销号）：0 / 0 项" in labels
    assert len(_open(at, "major_items")) == 0
    assert len(_open(at, "rates")) == 0
    assert len(_open(at, "two_key")) == 12  # enterprise-level facts stay public


def test_the_rectification_form_cites_one_of_the_20_items(tmp_path, monkeypatch):
    """On 一园一策 an admin picks 第13条 for a general item: it becomes 重大隐患 and the table shows the item."""
    monkeypatch.delenv("PARKRISK_PARK", raising=False)
    monkeypatch.delenv("PARKRISK_STORE", raising=False)
    monkeypatch.setenv("PARKRISK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PARKRISK_BCRYPT_ROUNDS", "4")
    monkeypatch.setenv("PARKRISK_BASEMAP", "none")
    at = AppTest.from_file(str(PAGE.parent / "rectification.py"), default_timeout=180)
    at.run()
    at.text_input(key="rect_username").input("admin")
    at.text_input(key="rect_password").input("admin-demo")
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert any("按期整改率（%）" in d.value.columns for d in at.dataframe)  # the statistics tab
    table = at.dataframe[0].value.set_index("编号")
    general = table.index[table["等级"] == "一般隐患"][0]
    at.selectbox(key="rect_handle_item").select(general).run()
    cite = at.selectbox(key="rect_cite_item")
    assert len(cite.options) == 21 and cite.options[13].startswith("第13条 控制室或机柜间")
    cite.set_value(13)
    at.button(key="FormSubmitter:rect_cite-保存判定条目").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    row = at.dataframe[0].value.set_index("编号").loc[general]
    assert (row["等级"], row["判定条目"]) == ("重大隐患", "第13条")


def test_the_administrator_scores_the_park_and_the_grade_follows(demo, monkeypatch):
    """The administrator scores every item of the 十有两禁 checklist; the store keeps it (scope park) and the header
    shows the score and its grade by the 2023 bands: full points except the two 两禁 items on residents and
    labour-intensive enterprises (20 of 100) -> 80 -> C (70 ≤ C < 85)."""
    from analysis.regulation.park_grading import load_park_checklist

    _, token = demo
    at = _page(token, monkeypatch)
    at.radio(key="park_reg_pick").set_value("park_grade").run()
    for r in load_park_checklist().itertuples():
        at.number_input(key=f"park_grade_{r.item_id}").set_value(
            0.0 if r.item_id in ("P12", "P13") else r.points
        )
    at.button(key="FormSubmitter:park_grade_form-保存园区评分").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    label = at.radio(key="park_reg_pick").options[3]
    assert label.endswith("评分 80.0 分 → C类（一般安全风险）"), label
    again = _page(token, monkeypatch)  # kept in the store
    assert again.radio(key="park_reg_pick").options[3] == label

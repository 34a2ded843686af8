"""The page 企业安全风险分级 (app/views/enterprise_risk.py): AppTest on the demo park (every enterprise has a
computed score), the map and tables as plain functions, and the 一企一表 export read back."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analysis.regulation import enterprise_score, two_key_one_major
from analysis.regulation.enterprise_risk import park_scores
from app.reports.enterprise_sheet import enterprise_sheet_docx, enterprise_sheet_xlsx
from app.views import enterprise_risk as page

PAGE = Path(__file__).resolve().parents[2] / "app" / "views" / "enterprise_risk.py"


def test_page_constants():
    assert page.TITLE == "企业安全风险分级" and page.ICON.startswith(":material/")


@pytest.fixture(scope="module")
def at(demo_park_path):
    mp = pytest.MonkeyPatch()
    mp.setenv("PARKRISK_PARK", str(demo_park_path))
    mp.setenv("PARKRISK_BASEMAP", "none")
    a = AppTest.from_file(str(PAGE), default_timeout=180)
    a.run()
    yield a
    mp.undo()


def test_page_scores_every_demo_enterprise(at, demo_park):
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value.startswith("企业安全风险分级")
    tables = [d.value for d in at.dataframe]
    scores = [t for t in tables if "计算得分（分）" in t.columns]
    assert scores, [list(t.columns) for t in tables]
    s = scores[0]
    assert sorted(s["企业编号"]) == sorted(demo_park.enterprises["enterprise_id"])
    assert s["计算得分（分）"].notna().all()
    assert (
        s["计算风险等级"]
        .isin(["红色（重大风险）", "橙色（较大风险）", "黄色（一般风险）", "蓝色（低风险）"])
        .all()
    )
    # a difference with the data's colour is explained
    assert (s.loc[s["是否一致"] == "否", "差异说明"] != "—").all()
    two = [t for t in tables if "两重点一重大" in t.columns]
    assert two and len(two[0]) == len(demo_park.enterprises)


def test_page_enterprise_selection(at):
    at.selectbox(key="er_enterprise").select("E02").run()
    assert not at.exception, at.exception
    items = [d.value for d in at.dataframe if "评分项" in d.value.columns]
    assert items and (items[0]["来源"].isin(["园区数据", "核查表"])).all()
    assert any("登录后" in i.value for i in at.info)


def test_map_has_both_layers(demo_park):
    tk = two_key_one_major(demo_park)
    html = page.two_key_map(demo_park, tk.enterprises, park_scores(demo_park)).get_root().render()
    for text in ("两重点一重大（企业）", "企业安全风险等级（计算）", "三项均涉及"):  # E02: all three legs
        # texts from the data reach the map (UTF-8 or \u-escaped JSON, as folium writes them)
        assert text in html or json.dumps(text)[1:-1] in html, text


def test_export_sheet_xlsx_and_docx(demo_park):
    res = enterprise_score(demo_park, "E02", {"no_dual_power": True})
    xlsx = enterprise_sheet_xlsx(res, park_name=demo_park.name)
    df = pd.read_excel(io.BytesIO(xlsx), header=None)
    text = " ".join(str(v) for v in df.to_numpy().ravel())
    assert res.name in text and "无双重电源供电" in text and "-5" in text
    docx = enterprise_sheet_docx(res, park_name=demo_park.name)
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    assert res.name in xml and "重大危险源" in xml


RECT_PAGE = PAGE.parent / "rectification.py"


def _token(username: str, password: str) -> str:
    """Sign in on the page 一园一策 (creates the demo store and its users) and return the session token."""
    from app.auth import SESSION_TOKEN_KEY

    a = AppTest.from_file(str(RECT_PAGE), default_timeout=120)
    a.run()
    a.text_input(key="rect_username").input(username)
    a.text_input(key="rect_password").input(password)
    a.button[0].click().run()
    assert not a.exception, a.exception
    return a.session_state[SESSION_TOKEN_KEY]


def _signed_in_page(token: str) -> AppTest:
    from app.auth import SESSION_TOKEN_KEY

    a = AppTest.from_file(str(PAGE), default_timeout=180)
    a.session_state[SESSION_TOKEN_KEY] = token
    a.run()
    assert not a.exception, a.exception
    return a


def test_checklist_roles_on_the_page(tmp_path, monkeypatch):
    monkeypatch.delenv("PARKRISK_PARK", raising=False)
    monkeypatch.delenv("PARKRISK_STORE", raising=False)
    monkeypatch.setenv("PARKRISK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PARKRISK_BCRYPT_ROUNDS", "4")
    monkeypatch.setenv("PARKRISK_BASEMAP", "none")
    # the enterprise user of E02 sees its own checklist (editable) and not another enterprise's
    ent = _signed_in_page(_token("e02", "e02-demo"))
    ent.selectbox(key="er_enterprise").select("E02").run()
    assert not ent.exception, ent.exception
    assert any(b.label == "保存核查表" for b in ent.button)
    ent.selectbox(key="er_enterprise").select("E01").run()
    assert any("只能查看和填报本企业" in i.value for i in ent.info)
    # an answer stored for E02 (as the enterprise would) shows as 待核实 and an inspector may confirm it
    from geodata.store import GpkgStore, User

    store = next(GpkgStore(p) for p in tmp_path.glob("*.rect.gpkg"))
    store.fill_checklist(
        User("e02", "enterprise", "E02"), "enterprise", "E02", [{"item_key": "no_dual_power", "value": True}]
    )
    insp = _signed_in_page(_token("inspector", "inspector-demo"))
    insp.selectbox(key="er_enterprise").select("E02").run()
    assert not insp.exception, insp.exception
    assert not any(b.label == "保存核查表" for b in insp.button)  # inspectors confirm, they do not fill
    insp.multiselect(key="er_confirm_E02").select("no_dual_power")
    insp.button(key="er_confirm_go_E02").click().run()
    assert not insp.exception, insp.exception
    cur = store.checklist(User("insp", "inspector"), "enterprise", "E02").set_index("item_key")
    assert (
        bool(cur.at["no_dual_power", "confirmed"]) and cur.at["no_dual_power", "confirmed_by"] == "inspector"
    )
    items = next(d.value for d in insp.dataframe if "评分项" in d.value.columns).set_index("评分项")
    assert (
        items.at["无双重电源供电，扣5分", "得分"] == "-5"
        and items.at["无双重电源供电，扣5分", "来源"] == "核查表"
    )
    store.close()
